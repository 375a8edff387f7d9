import Foundation
import XCTest

/// Issue 15's cases for the nnrepl binary: broken source text, self-loading scripts, output
/// with NUL characters or to a full disk, and the memory guard under `ulimit -v`. Expected
/// messages are CPython 3.11's.
final class ScriptReliabilityTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nnrepl-reliability-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func testAScriptThatLoadsItselfStopsWithAnError() throws {
        let path = try write("self.nnrepl", Array("print('in')\n:load self.nnrepl\nprint('never')\n".utf8))
        let (status, out, err) = try NNReplBinary.run([path], cwd: directory.path)
        XCTAssertEqual(status, 1)
        XCTAssertEqual(out, String(repeating: "in\n", count: 101))
        XCTAssertEqual(err, ":load: RecursionError: :load nested more than 100 deep (does 'self.nnrepl' load itself?)\n")
    }

    func testNulBytesInSourceAreASyntaxError() throws {
        let path = try write("nul.py", Array("print(1)\nx = 1\0\n".utf8))
        let (status, out, err) = try NNReplBinary.run([path])
        XCTAssertEqual(status, 1)
        XCTAssertEqual(out, "")
        XCTAssertTrue(err.hasSuffix("SyntaxError: source code cannot contain null bytes\n"), err)
        XCTAssertTrue(err.contains(":2:"), err)
        let (stdinStatus, _, stdinErr) = try NNReplBinary.run(["-"], stdin: "x = 1\0\n")
        XCTAssertEqual(stdinStatus, 1)
        XCTAssertTrue(stdinErr.hasSuffix("SyntaxError: source code cannot contain null bytes\n"), stdinErr)
    }

    func testInvalidUTF8IsASyntaxErrorNamingTheByte() throws {
        let bytes = Array("print(1)\nx = \"".utf8) + [0xFF] + Array("\"\n".utf8)
        let path = try write("bad.py", bytes)
        let (status, out, err) = try NNReplBinary.run([path])
        XCTAssertEqual(status, 1)
        XCTAssertEqual(out, "")
        XCTAssertEqual(err, "SyntaxError: Non-UTF-8 code starting with '\\xff' in file \(path) on line 2, but no encoding declared; see https://peps.python.org/pep-0263/ for details\n")
        // Standard input (piped: not a terminal).
        let (stdinStatus, _, stdinErr) = try runBinary([], stdin: bytes)
        XCTAssertEqual(stdinStatus, 1)
        XCTAssertEqual(stdinErr, "SyntaxError: Non-UTF-8 code starting with '\\xff' in file <stdin> on line 2, but no encoding declared; see https://peps.python.org/pep-0263/ for details\n")
    }

    func testNulCharactersAreWrittenInFull() throws {
        let (status, out, _) = try NNReplBinary.run(["-c", "print('a\\x00b')"])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(Array(out.utf8), [0x61, 0, 0x62, 0x0A])
        let (_, _, err) = try NNReplBinary.run(["-c", "raise ValueError('a\\x00b')"])
        XCTAssertTrue(err.hasSuffix("ValueError: a\0b\n"), err)
    }

    func testOutputToAFullDiskIsAnError() throws {
        guard let full = FileHandle(forWritingAtPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        let (status, _, err) = try runBinary(["-c", "for i in range(3):\n    print('x' * 1000)"], stdout: full)
        XCTAssertEqual(status, 1)
        XCTAssertTrue(err.hasSuffix("OSError: [Errno 28] No space left on device\n"), err)
    }

    /// Under an address-space limit, growth raises MemoryError instead of aborting.
    func testMemoryErrorUnderUlimit() throws {
        // AddressSanitizer reserves terabytes of shadow address space, so no ASan'd process
        // starts under `ulimit -v` (scripts/test --asan sets ASAN_OPTIONS).
        try XCTSkipIf(ProcessInfo.processInfo.environment["ASAN_OPTIONS"] != nil, "not under AddressSanitizer")
        let binary = try NNReplBinary.path()
        let script = """
        import torch
        l = [0]
        try:
            while True:
                l = l + l
        except MemoryError:
            print('list', len(l) >= 1024)
        del l
        s = 'ab'
        try:
            while True:
                s = s + s
        except MemoryError:
            print('str', len(s) >= 1024)
        del s
        try:
            torch.zeros(10**9)
        except RuntimeError as e:
            print(str(e).split(':')[0])
        """
        let path = try write("grow.py", Array(script.utf8))
        let (status, out, err) = try runBinary(["-c", "ulimit -v 3000000; exec \"$0\" \"$1\"", binary, path], executable: "/bin/sh")
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(out, "list True\nstr True\nDefaultCPUAllocator\n", err)
    }

    /// Runs `executable` (default: nnrepl) with raw standard input bytes.
    private func runBinary(_ arguments: [String], stdin: [UInt8] = [], stdout: FileHandle? = nil,
                           executable: String? = nil) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable ?? NNReplBinary.path())
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NNREPL_HISTORY"] = ""
        process.environment = env
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = stdout ?? output
        process.standardError = error
        try process.run()
        input.fileHandleForWriting.write(Data(stdin))
        try input.fileHandleForWriting.close()
        let out = stdout == nil ? output.fileHandleForReading.readDataToEndOfFile() : Data()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
