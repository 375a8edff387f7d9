import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Locates the `nnrepl` executable built next to the test bundle (same build products folder).
enum NNReplBinary {
    static func path() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["NNREPL_BINARY"], access(explicit, X_OK) == 0 {
            return explicit
        }
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        var candidates: [String] = []
        if n > 0 {
            let exe = URL(fileURLWithPath: String(cString: buf))
            candidates.append(exe.deletingLastPathComponent().appendingPathComponent("nnrepl").path)
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("nnrepl").path)
        for candidate in candidates where access(candidate, X_OK) == 0 { return candidate }
        throw XCTSkip("nnrepl executable not found next to the tests (build it: swift build --product nnrepl)")
    }

    /// Runs the binary with `arguments` and `stdin` text; returns (status, stdout, stderr).
    static func run(_ arguments: [String], stdin: String = "", cwd: String? = nil) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path())
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        var env = ProcessInfo.processInfo.environment
        env["NNREPL_HISTORY"] = ""
        process.environment = env
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}

/// The command line: options, exit statuses, scripts from files, -c and standard input.
final class CommandLineTests: XCTestCase {
    func testVersionAndHelp() throws {
        let (status, out, _) = try NNReplBinary.run(["--version"])
        XCTAssertEqual(status, 0)
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "nnrepl 0.1.0")
        XCTAssertEqual(lines.count, 3, out)
        XCTAssertTrue(lines.dropFirst().first?.hasPrefix("BLAS: OpenBLAS ") ?? false, out)
        XCTAssertTrue(lines.last?.hasPrefix("CPU: ") ?? false, out)
        let (helpStatus, help, _) = try NNReplBinary.run(["--help"])
        XCTAssertEqual(helpStatus, 0)
        XCTAssertTrue(help.contains("nnrepl -c CODE"), help)
    }

    func testBadUsageExits2() throws {
        XCTAssertEqual(try NNReplBinary.run(["--bogus"]).0, 2)
        XCTAssertEqual(try NNReplBinary.run(["-c"]).0, 2)
        let (status, _, err) = try NNReplBinary.run(["/nonexistent/x.nnrepl"])
        XCTAssertEqual(status, 2)
        XCTAssertEqual(err, "nnrepl: can't open file '/nonexistent/x.nnrepl'\n")
    }

    func testDashCAndScriptArgumentsAreNotParsed() throws {
        let (status, out, _) = try NNReplBinary.run(["-c", "print(1 + 1)", "--not-an-option"])
        XCTAssertEqual(status, 0)
        XCTAssertEqual(out, "2\n")
    }

    func testUncaughtErrorExits1WithTracebackOnStderr() throws {
        let (status, out, err) = try NNReplBinary.run(["-c", "print('a')\nx = 1 / 0\nprint('b')"])
        XCTAssertEqual(status, 1)
        XCTAssertEqual(out, "a\n")
        XCTAssertEqual(err, """
        Traceback (most recent call last):
          <string>:2:5, in <module>
            x = 1 / 0
                ^^^^^
        ZeroDivisionError: division by zero

        """)
    }

    func testPipedStdinRunsAsAScriptWithCommands() throws {
        let script = "x = 3\nx\nprint(x * 2)\n:who\n"
        let (status, out, _) = try NNReplBinary.run([], stdin: script)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(out, "6\nname  type  info\nx     int   3\n")
        XCTAssertEqual(try NNReplBinary.run(["-"], stdin: "print('dash')").1, "dash\n")
    }

    func testScriptFileRelativeToCurrentFolderAndCommandErrors() throws {
        let dir = try temporaryDirectory()
        try "print('hi')\n:nope\nprint('never')\n".write(toFile: dir + "/s.nnrepl", atomically: true, encoding: .utf8)
        let (status, out, err) = try NNReplBinary.run(["s.nnrepl"], cwd: dir)
        XCTAssertEqual(status, 1)
        XCTAssertEqual(out, "hi\n")
        XCTAssertEqual(err, "unknown command ':nope' (:help lists the commands)\n")
        let (usageStatus, _, usage) = try NNReplBinary.run(["-c", ":tree"])
        XCTAssertEqual(usageStatus, 1)
        XCTAssertEqual(usage, "usage: :tree MODEL\n")
    }

    func testExitCodeFromScript() throws {
        XCTAssertEqual(try NNReplBinary.run(["-c", "exit(3)"]).0, 3)
        XCTAssertEqual(try NNReplBinary.run(["-c", "print(1)\n:quit\nprint(2)"]).1, "1\n")
    }

    func testRaiseSystemExitSetsTheStatusAsInPython() throws {
        XCTAssertEqual(try NNReplBinary.run(["-c", "raise SystemExit(4)"]).0, 4)
        XCTAssertEqual(try NNReplBinary.run(["-c", "raise SystemExit"]).0, 0)
        XCTAssertEqual(try NNReplBinary.run(["-c", "raise SystemExit(None)"]).0, 0)
        XCTAssertEqual(try NNReplBinary.run(["-c", "import sys\nsys.exit(5)"]).0, 5)
        let (status, out, err) = try NNReplBinary.run(["-c", "print('a')\nraise SystemExit('bye')\nprint('b')"])
        XCTAssertEqual(status, 1)
        XCTAssertEqual(out, "a\n")
        XCTAssertEqual(err, "bye\n")
        let caught = try NNReplBinary.run(["-c", "try:\n    raise SystemExit(2)\nexcept SystemExit as e:\n    print('caught', e.code)\n"])
        XCTAssertEqual(caught.0, 0)
        XCTAssertEqual(caught.1, "caught 2\n")
        let dir = try temporaryDirectory()
        try "def main():\n    print('main')\n    raise SystemExit(6)\nmain()\nprint('never')\n"
            .write(toFile: dir + "/s.nnrepl", atomically: true, encoding: .utf8)
        let file = try NNReplBinary.run(["s.nnrepl"], cwd: dir)
        XCTAssertEqual(file.0, 6)
        XCTAssertEqual(file.1, "main\n")
        XCTAssertEqual(file.2, "")
        XCTAssertEqual(try NNReplBinary.run([], stdin: "raise SystemExit(7)\n").0, 7)
    }

    func testStartupIsFast() throws {
        _ = try NNReplBinary.run(["-c", "pass"])  // warm the page cache
        let start = Date()
        let (status, out, _) = try NNReplBinary.run(["-c", "print(1)"])
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(out, "1\n")
        XCTAssertLessThan(elapsed, 0.5, "startup took \(elapsed) s")  // generous: debug build, shared CPUs
    }
}

/// The interactive REPL driven through a pseudo-terminal.
final class InteractiveREPLTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = try temporaryDirectory()
    }

    func start(history: String? = nil) throws -> PTYSession {
        var env = PTYSession.baseEnvironment(home: dir)
        env["NNREPL_HISTORY"] = history ?? ""
        env["NO_COLOR"] = "1"
        if let ld = ProcessInfo.processInfo.environment["LD_LIBRARY_PATH"] { env["LD_LIBRARY_PATH"] = ld }
        let pty = try spawnOrSkip(try NNReplBinary.path(), environment: env)
        try pty.expect("Ctrl-D to exit.", timeout: 20)
        try pty.expect(">>> ")
        return pty
    }

    func testMultiLineClassDefinitionAndUse() throws {
        let pty = try start()
        let lines = [
            "import torch", "import torch.nn as nn",
            "class Net(nn.Module):",
            "    def __init__(self):",
            "        super().__init__()",
            "        self.layer1 = nn.Linear(4, 3)",
            "        self.act = nn.ReLU()",
            "    def forward(self, x):",
            "        return self.act(self.layer1(x))",
            "",
        ]
        for line in lines { pty.send(line + PTYSession.enter) }
        try pty.expect("... ")
        pty.send("model = Net()" + PTYSession.enter)
        pty.send("model(torch.ones(2, 4)).shape" + PTYSession.enter)
        try pty.expect("torch.Size([2, 3])")
        pty.send("sum(p.numel() for p in model.parameters())" + PTYSession.enter)
        try pty.expect("15\r\n\u{1B}[?2004h>>> ", raw: true)  // (bracketed paste is on while reading)
        pty.send("_ + 1" + PTYSession.enter)
        try pty.expect("16")
        try pty.quitWithCtrlD()
    }

    func testTabCompletesModuleChildren() throws {
        let pty = try start()
        pty.send("import torch.nn as nn" + PTYSession.enter)
        try pty.expect(">>> ")
        pty.send("class M(nn.Module):" + PTYSession.enter + "    def __init__(self):" + PTYSession.enter
                 + "        super().__init__()" + PTYSession.enter + "        self.layer1 = nn.Linear(2, 2)"
                 + PTYSession.enter + PTYSession.enter)
        try pty.expect(">>> ")
        pty.send("model = M()" + PTYSession.enter)
        try pty.expect(">>> ")
        pty.send("model.la" + PTYSession.tab)
        try pty.expect("model.layer1")
        pty.send(PTYSession.enter)
        try pty.expect("Linear(in_features=2, out_features=2, bias=True)")
        pty.send(":tr" + PTYSession.tab + "model" + PTYSession.enter)
        try pty.expect("layer1  Linear")
        try pty.quitWithCtrlD()
    }

    func testCtrlCInterruptsEvaluationAndKeepsVariables() throws {
        let pty = try start()
        pty.send("x = 41" + PTYSession.enter)
        try pty.expect(">>> ")
        pty.send("while True: pass" + PTYSession.enter + PTYSession.enter)
        usleep(300_000)
        pty.send(PTYSession.ctrlC)
        try pty.expect("KeyboardInterrupt", timeout: 10)
        try pty.expect(">>> ")
        pty.send("x + 1" + PTYSession.enter)
        try pty.expect("42")
        // Ctrl-C on a continuation line abandons the block.
        pty.send("for i in range(3):" + PTYSession.enter)
        try pty.expect("... ")
        pty.send(PTYSession.ctrlC)
        try pty.expect(">>> ")
        pty.send("x" + PTYSession.enter)
        try pty.expect("41")
        try pty.quitWithCtrlD()
    }

    func testErrorsDoNotEndTheSession() throws {
        let pty = try start()
        pty.send("y = undefined_name" + PTYSession.enter)
        try pty.expect("NameError: name 'undefined_name' is not defined")
        pty.send("x = )" + PTYSession.enter)
        try pty.expect("SyntaxError")
        pty.send(":frobnicate" + PTYSession.enter)
        try pty.expect("unknown command ':frobnicate'")
        pty.send("print('still here')" + PTYSession.enter)
        try pty.expect("still here")
        pty.send(":quit" + PTYSession.enter)
        XCTAssertEqual(pty.waitForExit(), 0)
    }

    func testRaiseSystemExitEndsTheSession() throws {
        let pty = try start()
        pty.send("print('alive')" + PTYSession.enter)
        try pty.expect("alive")
        pty.send("raise SystemExit(3)" + PTYSession.enter)
        XCTAssertEqual(pty.waitForExit(), 3)
    }

    func testHistoryIsRecalledInANewProcess() throws {
        let history = dir + "/history"
        let first = try start(history: history)
        first.send("for i in range(2):" + PTYSession.enter + "    print('hist', i)" + PTYSession.enter + PTYSession.enter)
        try first.expect("hist 1")
        try first.quitWithCtrlD()

        let second = try start(history: history)
        second.send(PTYSession.up + PTYSession.enter)  // the whole block is one entry
        try second.expect("... ")
        second.send(PTYSession.enter)
        try second.expect("hist 1")
        try second.quitWithCtrlD()
    }
}

private extension PTYSession {
    /// Waits for the REPL's prompt (the line editor reads ^D only once it is up), sends ^D and
    /// asserts the REPL exits with status 0.
    func quitWithCtrlD(file: StaticString = #filePath, line: UInt = #line) throws {
        try expect(">>> ")
        send(PTYSession.ctrlD)
        XCTAssertEqual(waitForExit(), 0, file: file, line: line)
    }
}
