import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) in non-interactive runs (`nnrepl FILE`, `-c CODE`, `-`), as in Python:
/// KeyboardInterrupt at the next check, catchable, `finally` runs; uncaught, a traceback and
/// death by SIGINT.
///
/// The scripts print a marker line to stderr before they spin (stderr is unbuffered, and
/// writing to it flushes stdout first); the signal is sent only once the marker has arrived.
/// No timing assertions: each wait has a generous deadline, after which the child is killed
/// and the test fails.
final class ScriptInterruptTests: XCTestCase {
    /// How a child process ended and what it wrote.
    struct Ended {
        /// Exit status, or nil if it died by a signal.
        var exitStatus: Int32?
        /// The signal that killed it, if any.
        var signal: Int32?
        var stdout: String
        var stderr: String
    }

    /// Runs nnrepl with `arguments` (and `stdin` text, then EOF). For each marker in `markers`,
    /// in order, waits until stderr contains it (counting occurrences) and sends SIGINT.
    /// Then waits for the process to end.
    func run(_ arguments: [String], stdin: String = "", interruptAfter markers: [String],
             file: StaticString = #filePath, line: UInt = #line) throws -> Ended {
        let path = try NNReplBinary.path()
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard pipe(&inPipe) == 0, pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            throw XCTSkip("pipe failed: errno \(errno)")
        }
        for fd in inPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        // SIGINT and SIGPIPE at their defaults, nothing blocked, whatever the test runner has.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigmask(&attributes, &noMask)
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        var env = ProcessInfo.processInfo.environment
        env["NNREPL_HISTORY"] = ""
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        Glibc.close(inPipe[0])
        Glibc.close(outPipe[1])
        Glibc.close(errPipe[1])
        defer {
            Glibc.close(outPipe[0])
            Glibc.close(errPipe[0])
        }
        guard rc == 0 else {
            Glibc.close(inPipe[1])
            XCTFail("posix_spawn failed: \(rc)", file: file, line: line)
            return Ended(exitStatus: nil, signal: nil, stdout: "", stderr: "")
        }
        let bytes = Array(stdin.utf8)
        if !bytes.isEmpty { _ = bytes.withUnsafeBytes { write(inPipe[1], $0.baseAddress, $0.count) } }
        Glibc.close(inPipe[1])

        var out: [UInt8] = [], err: [UInt8] = []
        var outOpen = true, errOpen = true
        /// Reads what is available (up to `seconds`); false at the deadline.
        func pump(until done: () -> Bool, seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while !done() {
                if deadline.timeIntervalSinceNow <= 0 { return false }
                var fds = [pollfd(fd: outOpen ? outPipe[0] : -1, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: errOpen ? errPipe[0] : -1, events: Int16(POLLIN), revents: 0)]
                if poll(&fds, 2, 100) <= 0 { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                for (i, fd) in [outPipe[0], errPipe[0]].enumerated() where fds[i].revents != 0 {
                    let n = read(fd, &buffer, buffer.count)
                    if n > 0 {
                        if i == 0 { out += buffer[0..<n] } else { err += buffer[0..<n] }
                    } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                        if i == 0 { outOpen = false } else { errOpen = false }
                    }
                }
            }
            return true
        }
        func killChild() {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

        for (index, marker) in markers.enumerated() {
            // Markers may repeat: wait for this one's occurrence.
            let wanted = markers[...index].filter { $0 == marker }.count
            func arrived() -> Bool { text(err).components(separatedBy: marker).count - 1 >= wanted }
            _ = pump(until: { arrived() || !errOpen }, seconds: 60)
            guard arrived() else {
                killChild()
                XCTFail("marker \(marker.debugDescription) #\(wanted) never came; stdout \(text(out).debugDescription), stderr \(text(err).debugDescription)",
                        file: file, line: line)
                return Ended(exitStatus: nil, signal: nil, stdout: text(out), stderr: text(err))
            }
            kill(pid, SIGINT)
        }
        guard pump(until: { !outOpen && !errOpen }, seconds: 60) else {
            killChild()
            XCTFail("nnrepl did not end after SIGINT; stdout \(text(out).debugDescription), stderr \(text(err).debugDescription)",
                    file: file, line: line)
            return Ended(exitStatus: nil, signal: nil, stdout: text(out), stderr: text(err))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7F
        return Ended(exitStatus: signal == 0 ? (status >> 8) & 0xFF : nil,
                     signal: signal == 0 ? nil : signal,
                     stdout: text(out), stderr: text(err))
    }

    /// The last line of `text` (without the final newline).
    func lastLine(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: true).last.map(String.init) ?? ""
    }

    func testUncaughtInterruptPrintsTracebackAndDiesBySIGINT() throws {
        let dir = try temporaryDirectory()
        try """
        import sys
        def spin():
            n = 0
            print('ready', file=sys.stderr)
            while True:
                n += 1
        print('started')
        spin()
        print('never')

        """.write(toFile: dir + "/loop.nnrepl", atomically: true, encoding: .utf8)
        let script = dir + "/loop.nnrepl"
        let ended = try run([script], interruptAfter: ["ready\n"])
        XCTAssertEqual(ended.signal, SIGINT, "expected death by SIGINT; exit status \(String(describing: ended.exitStatus))")
        XCTAssertNil(ended.exitStatus)
        XCTAssertEqual(ended.stdout, "started\n")
        XCTAssertEqual(lastLine(ended.stderr), "KeyboardInterrupt")
        XCTAssertTrue(ended.stderr.hasPrefix("""
        ready
        Traceback (most recent call last):
          \(script):8:1, in <module>
            spin()
            ^^^^^^
          \(script):
        """), ended.stderr)
        // 'ready' is printed inside spin, so the signal cannot land before spin's frame exists (it
        // raced the call when printed at module level). The innermost frame is spin's loop (the
        // header or the body, wherever the check fired).
        let frames = ended.stderr.split(separator: "\n").filter { $0.hasPrefix("  \(script):") }
        XCTAssertEqual(frames.count, 2, ended.stderr)
        XCTAssertTrue(frames.last.map { $0.hasPrefix("  \(script):4:") || $0.hasPrefix("  \(script):5:") || $0.hasPrefix("  \(script):6:") } ?? false,
                      ended.stderr)
        XCTAssertTrue(frames.last?.hasSuffix(", in spin") ?? false, ended.stderr)
    }

    func testCaughtInterruptContinuesAndExitsZero() throws {
        let code = """
        import sys
        try:
            print('ready', file=sys.stderr)
            while True:
                pass
        except KeyboardInterrupt:
            print('caught')
        print('after')
        """
        let ended = try run(["-c", code], interruptAfter: ["ready\n"])
        XCTAssertEqual(ended.exitStatus, 0, "signal \(String(describing: ended.signal)); stderr \(ended.stderr)")
        XCTAssertEqual(ended.stdout, "caught\nafter\n")
        XCTAssertEqual(ended.stderr, "ready\n")
    }

    func testFinallyRunsThenTracebackFromStandardInput() throws {
        let script = """
        import sys
        i = 0
        try:
            print('ready', file=sys.stderr)
            while True:
                i += 1
        finally:
            print('finally ran')

        """
        let ended = try run(["-"], stdin: script, interruptAfter: ["ready\n"])
        XCTAssertEqual(ended.signal, SIGINT, "expected death by SIGINT; exit status \(String(describing: ended.exitStatus))")
        XCTAssertEqual(ended.stdout, "finally ran\n")
        XCTAssertTrue(ended.stderr.hasPrefix("ready\nTraceback (most recent call last):\n  <stdin>:"), ended.stderr)
        XCTAssertEqual(lastLine(ended.stderr), "KeyboardInterrupt")
    }

    func testSecondInterruptWhileHandlingTheFirstEndsTheScript() throws {
        let code = """
        import sys
        try:
            print('ready', file=sys.stderr)
            while True:
                pass
        except KeyboardInterrupt:
            print('handling', file=sys.stderr)
            while True:
                pass
        """
        let ended = try run(["-c", code], interruptAfter: ["ready\n", "handling\n"])
        XCTAssertEqual(ended.signal, SIGINT, "expected death by SIGINT; exit status \(String(describing: ended.exitStatus))")
        XCTAssertTrue(ended.stderr.contains("During handling of the above exception, another exception occurred:"),
                      ended.stderr)
        XCTAssertEqual(lastLine(ended.stderr), "KeyboardInterrupt")
    }

    func testRaisedKeyboardInterruptAlsoExitsBySignalButNotASubclass() throws {
        let raised = try run(["-c", "print('a')\nraise KeyboardInterrupt('stop')"], interruptAfter: [])
        XCTAssertEqual(raised.signal, SIGINT)
        XCTAssertEqual(raised.stdout, "a\n")
        XCTAssertEqual(lastLine(raised.stderr), "KeyboardInterrupt: stop")
        let subclass = try run(["-c", "class Stop(KeyboardInterrupt): pass\nraise Stop"], interruptAfter: [])
        XCTAssertEqual(subclass.exitStatus, 1)
        XCTAssertEqual(lastLine(subclass.stderr), "Stop")
    }
}
