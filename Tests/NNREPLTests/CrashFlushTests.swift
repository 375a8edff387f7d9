import Foundation
import XCTest
@testable import NNREPL
#if canImport(Glibc)
import Glibc
#endif

/// Output printed before a crash survives it (`CrashFlush`). The crashing child is this test
/// binary re-executed with `NNREPL_CRASH_CHILD=<how>`, running `testChildPrintsThenCrashes`;
/// its stdout is a pipe, so what it prints stays in stdio's buffer until a flush.
final class CrashFlushTests: XCTestCase {
    static let childTest = "NNREPLTests.CrashFlushTests/testChildPrintsThenCrashes"
    static let marker = "printed before the crash"

    /// The child side: prints, then crashes the way `NNREPL_CRASH_CHILD` says. Skipped in
    /// normal runs.
    func testChildPrintsThenCrashes() throws {
        guard let how = ProcessInfo.processInfo.environment["NNREPL_CRASH_CHILD"] else {
            throw XCTSkip("only runs as the child of a crash test")
        }
        if how != "no-handler" { CrashFlush.install() }
        fputs(Self.marker + "\n", stdout)
        switch how {
        case "abort": abort()
        case "term": kill(getpid(), SIGTERM)
        case "trap":  // a Swift runtime trap (SIGILL / SIGTRAP), as a bug would cause
            let empty = [Int](repeating: 0, count: Int(getpid() % 1))
            _ = empty[empty.count]
        default: raise(SIGSEGV)
        }
        fputs("unreachable\n", stdout)
    }

    /// Runs the child; returns its stdout and how it ended.
    func crash(_ how: String) throws -> (output: String, reason: Process.TerminationReason, status: Int32) {
        if ProcessInfo.processInfo.environment["NNREPL_CRASH_CHILD"] != nil { throw XCTSkip("nested") }
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { throw XCTSkip("cannot locate the test binary") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: String(cString: buf))
        process.arguments = [Self.childTest]
        var env = ProcessInfo.processInfo.environment
        env["NNREPL_CRASH_CHILD"] = how
        env["SWIFT_BACKTRACE"] = "enable=no"
        // Under AddressSanitizer (scripts/test --asan) the child's SIGSEGV must reach the flush
        // handler and kill it, as in a plain build, not end in ASan's report and exit status 1.
        if let asan = env["ASAN_OPTIONS"] { env["ASAN_OPTIONS"] = asan + ":handle_segv=0" }
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationReason, process.terminationStatus)
    }

    func testWithoutTheHandlerTheBufferedOutputIsLost() throws {
        let ended = try crash("no-handler")
        XCTAssertEqual(ended.reason, .uncaughtSignal)
        XCTAssertFalse(ended.output.contains(Self.marker), "stdout was not buffered: the other tests prove nothing")
    }

    func testSegfaultKeepsOutputAndStillKillsTheProcess() throws {
        let ended = try crash("segv")
        XCTAssertTrue(ended.output.contains(Self.marker), ended.output)
        XCTAssertFalse(ended.output.contains("unreachable"))
        XCTAssertEqual(ended.reason, .uncaughtSignal)
        XCTAssertEqual(ended.status, SIGSEGV)
    }

    func testKilledBySIGTERMKeepsOutput() throws {
        let ended = try crash("term")
        XCTAssertTrue(ended.output.contains(Self.marker), ended.output)
        XCTAssertEqual(ended.reason, .uncaughtSignal)
        XCTAssertEqual(ended.status, SIGTERM)
    }

    func testAbortAndSwiftTrapKeepOutput() throws {
        let aborted = try crash("abort")
        XCTAssertTrue(aborted.output.contains(Self.marker), aborted.output)
        XCTAssertEqual(aborted.reason, .uncaughtSignal)
        XCTAssertEqual(aborted.status, SIGABRT)
        let trapped = try crash("trap")
        XCTAssertTrue(trapped.output.contains(Self.marker), trapped.output)
        XCTAssertEqual(trapped.reason, .uncaughtSignal)
        XCTAssertTrue([SIGILL, SIGTRAP].contains(trapped.status), "status \(trapped.status)")
    }
}
