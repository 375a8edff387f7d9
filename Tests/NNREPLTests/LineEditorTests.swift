import Foundation
import XCTest
@testable import NNREPL
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Pure logic

final class HistoryFileTests: XCTestCase {
    func testEncodeEscapesBackslashAndNewlines() {
        XCTAssertEqual(HistoryFile.encode("x = 1"), "x = 1")
        XCTAssertEqual(HistoryFile.encode("for i in r:\n    print(i)"), "for i in r:\\n    print(i)")
        XCTAssertEqual(HistoryFile.encode("s = 'a\\nb'"), "s = 'a\\\\nb'")
        XCTAssertEqual(HistoryFile.encode("a\r\nb"), "a\\r\\nb")
    }

    func testRoundTrip() {
        let entries = [
            "", "x", "λ = torch.zeros(2)", "def f(x):\n    return x\n", "\\", "\\n", "a\\\nb",
            "tab\there", "trailing\\", "\n\n", "emoji 🧠\nline2", "#comment",
        ]
        for e in entries {
            let line = HistoryFile.encode(e)
            XCTAssertFalse(line.contains("\n"), "encoded form must be one line: \(line.debugDescription)")
            XCTAssertEqual(HistoryFile.decode(line), e)
        }
    }

    func testDecodeIsLenient() {
        XCTAssertEqual(HistoryFile.decode("a\\qb"), "a\\qb")  // unknown escape kept
        XCTAssertEqual(HistoryFile.decode("end\\"), "end\\")  // lone trailing backslash kept
    }

    func testParseSkipsBlankLinesAndCRLF() {
        XCTAssertEqual(HistoryFile.parse("a\n\nb\\nc\r\n\n"), ["a", "b\nc"])
        XCTAssertEqual(HistoryFile.parse(""), [])
    }

    func testResolvePath() {
        XCTAssertEqual(HistoryFile.resolvePath(environment: ["HOME": "/home/u"]), "/home/u/.nnrepl_history")
        XCTAssertEqual(HistoryFile.resolvePath(environment: ["HOME": "/"]), "/.nnrepl_history")
        XCTAssertNil(HistoryFile.resolvePath(environment: ["HOME": "/home/u", "NNREPL_HISTORY": ""]))
        XCTAssertEqual(HistoryFile.resolvePath(environment: ["HOME": "/h", "NNREPL_HISTORY": "/tmp/x"]), "/tmp/x")
        XCTAssertEqual(HistoryFile.resolvePath(environment: ["HOME": "/h", "NNREPL_HISTORY": "~/hist"]), "/h/hist")
        XCTAssertNil(HistoryFile.resolvePath(environment: [:]))
    }

    func testAppendAndLoad() throws {
        let dir = try temporaryDirectory()
        let file = HistoryFile(path: dir + "/hist", capacity: 3)
        XCTAssertEqual(file.load(), [])  // missing file
        XCTAssertTrue(file.append("one"))
        XCTAssertTrue(file.append("two\nlines"))
        XCTAssertEqual(file.load(), ["one", "two\nlines"])
        let text = try String(contentsOfFile: dir + "/hist", encoding: .utf8)
        XCTAssertEqual(text, "one\ntwo\\nlines\n")
        for i in 0..<3 { file.append("e\(i)") }
        XCTAssertEqual(file.load(), ["e0", "e1", "e2"])  // newest `capacity`
        var info = stat()
        XCTAssertEqual(stat(dir + "/hist", &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
    }

    func testLoadCompactsOversizedFile() throws {
        let dir = try temporaryDirectory()
        let file = HistoryFile(path: dir + "/hist", capacity: 2)
        for i in 0..<7 { file.append("e\(i)") }
        XCTAssertEqual(file.load(), ["e5", "e6"])
        let text = try String(contentsOfFile: dir + "/hist", encoding: .utf8)
        XCTAssertEqual(text, "e5\ne6\n")
    }

    func testAppendToUnwritablePathFails() {
        let file = HistoryFile(path: "/nonexistent-dir-nnrepl/hist")
        XCTAssertFalse(file.append("x"))
        XCTAssertEqual(file.load(), [])
    }
}

final class CompletionPlannerTests: XCTestCase {
    typealias P = CompletionPlanner

    func testCommonPrefix() {
        XCTAssertEqual(P.commonPrefix([]), "")
        XCTAssertEqual(P.commonPrefix(["model"]), "model")
        XCTAssertEqual(P.commonPrefix(["model.layers", "model.linear"]), "model.l")
        XCTAssertEqual(P.commonPrefix(["abc", "xyz"]), "")
        XCTAssertEqual(P.commonPrefix(["λa", "λb"]), "λ")
        XCTAssertEqual(P.commonPrefix(["ab", "abc", "a"]), "a")
    }

    func testUniqueCandidateInsertsSuffix() {
        let c = Completion(start: 0, candidates: ["torch"])
        XCTAssertEqual(P.plan(line: "to", cursor: 2, completion: c, repeated: false),
                       .edit(deleteCount: 0, insert: "rch"))
        XCTAssertEqual(P.plan(line: "torch", cursor: 5, completion: c, repeated: false), .nothing)
    }

    func testMemberCompletionUsesStart() {
        let c = Completion(start: 6, candidates: ["layers"])
        XCTAssertEqual(P.plan(line: "model.la + 1", cursor: 8, completion: c, repeated: false),
                       .edit(deleteCount: 0, insert: "yers"))
    }

    func testAmbiguousInsertsCommonPrefixThenLists() {
        let c = Completion(start: 0, candidates: ["model.linear", "model.layers", "model.linear"])
        XCTAssertEqual(P.plan(line: "mo", cursor: 2, completion: c, repeated: false),
                       .edit(deleteCount: 0, insert: "del.l"))
        XCTAssertEqual(P.plan(line: "model.l", cursor: 7, completion: c, repeated: false), .beep)
        XCTAssertEqual(P.plan(line: "model.l", cursor: 7, completion: c, repeated: true),
                       .list(["model.layers", "model.linear"]))
    }

    func testNonPrefixUniqueCandidateReplacesWord() {
        let c = Completion(start: 0, candidates: ["Linear"])
        XCTAssertEqual(P.plan(line: "lin", cursor: 3, completion: c, repeated: false),
                       .edit(deleteCount: 3, insert: "Linear"))
        let u = Completion(start: 0, candidates: ["λx"])
        XCTAssertEqual(P.plan(line: "é", cursor: 1, completion: u, repeated: false),
                       .edit(deleteCount: 1, insert: "λx"))
    }

    func testNoCandidatesBeeps() {
        XCTAssertEqual(P.plan(line: "zz", cursor: 2, completion: .none, repeated: true), .beep)
    }

    func testOutOfRangeOffsetsAreClamped() {
        let c = Completion(start: 99, candidates: ["abc"])
        XCTAssertEqual(P.plan(line: "ab", cursor: 42, completion: c, repeated: false),
                       .edit(deleteCount: 0, insert: "abc"))
        let d = Completion(start: -5, candidates: ["abc"])
        XCTAssertEqual(P.plan(line: "ab", cursor: -1, completion: d, repeated: false),
                       .edit(deleteCount: 0, insert: "abc"))
    }

    func testFormatColumns() {
        XCTAssertEqual(P.formatColumns([], width: 80), "")
        XCTAssertEqual(P.formatColumns(["a", "bb", "c"], width: 80), "a   bb  c\n")
        // width 8, cell 3 -> 2 columns, column-major
        XCTAssertEqual(P.formatColumns(["a", "b", "c", "d", "e"], width: 8), "a  d\nb  e\nc\n")
        XCTAssertEqual(P.formatColumns(["long-name"], width: 3), "long-name\n")
    }
}

final class InterruptFlagTests: XCTestCase {
    func testRequestCheckClear() {
        Interrupt.clear()
        XCTAssertFalse(Interrupt.check())
        Interrupt.request()
        XCTAssertTrue(Interrupt.isPending)
        XCTAssertTrue(Interrupt.check())
        XCTAssertFalse(Interrupt.check(), "check() is test-and-clear")
        Interrupt.request()
        Interrupt.clear()
        XCTAssertFalse(Interrupt.isPending)
    }

    func testHookCanBePassedAsPlainClosure() {
        // How NNLang is meant to poll without importing CEditLine.
        let hook: () -> Bool = Interrupt.check
        Interrupt.request()
        XCTAssertTrue(hook())
        XCTAssertFalse(hook())
    }
}

final class LineEditorNonInteractiveTests: XCTestCase {
    func testPromptRenderingWithoutColorIsVerbatim() {
        let editor = LineEditor(interactive: false, inputFD: -1, outputFD: -1, colorTerminal: true,
                                history: .disabled, historyCapacity: 10, environment: [:])
        XCTAssertFalse(editor.usesColor)
        XCTAssertNil(editor.historyFile)
        XCTAssertEqual(editor.renderPrompt(">>> "), ">>> ")
        XCTAssertEqual(editor.renderPrompt("a\u{1}b"), "ab")
        editor.addHistory("ignored when not interactive")
        XCTAssertEqual(editor.history, [])
    }
}

// MARK: - PTY harness against system programs

final class PTYSessionTests: XCTestCase {
    func testCatEchoesAndEndsOnCtrlD() throws {
        let pty = try spawnOrSkip("/bin/cat", environment: PTYSession.baseEnvironment(home: NSTemporaryDirectory()))
        pty.send("hello pty\r")
        try pty.expect("hello pty\nhello pty\n")  // tty echo, then cat's output
        pty.send(PTYSession.ctrlD)
        XCTAssertEqual(pty.waitForExit(timeout: 5), 0)
    }

    func testCtrlCDeliversSIGINTToChild() throws {
        let pty = try spawnOrSkip("/bin/cat", environment: PTYSession.baseEnvironment(home: NSTemporaryDirectory()))
        pty.send("x\r")
        try pty.expect("x\nx\n")
        pty.send(PTYSession.ctrlC)
        XCTAssertEqual(pty.waitForExit(timeout: 5), 128 + SIGINT, "pty must be the child's controlling terminal")
    }

    func testInteractiveBash() throws {
        guard access("/bin/bash", X_OK) == 0 else { throw XCTSkip("no bash") }
        var env = PTYSession.baseEnvironment(home: NSTemporaryDirectory())
        env["PS1"] = "PROMPT$ "
        let pty = try spawnOrSkip("/bin/bash", arguments: ["--norc", "--noprofile", "-i"], environment: env)
        try pty.expect("PROMPT$ ", timeout: 10)
        pty.send("echo $((6*7))\r")
        try pty.expect("42\n")
        try pty.expect("PROMPT$ ")
        pty.send("exit 3\r")
        XCTAssertEqual(pty.waitForExit(timeout: 5), 3)
    }

    func testCleanStripsEscapes() {
        XCTAssertEqual(PTYSession.clean("\u{1B}[1;32m>>>\u{1B}[0m a\r\n\u{07}"), ">>> a\n")
        XCTAssertEqual(PTYSession.clean("\u{1B}]0;title\u{07}x"), "x")
    }
}

// MARK: - LineEditor through a real pty (re-executes this test binary)

/// Runs `LineEditor` in a child process under a pty: the child is this very
/// test binary, re-executed with `NNREPL_PTY_CHILD=1` and a filter selecting
/// `testChildEchoLoop`, which then runs a small echo REPL.
final class LineEditorPTYTests: XCTestCase {
    static let childTest = "NNREPLTests.LineEditorPTYTests/testChildEchoLoop"

    /// The child side. Skipped in normal runs.
    func testChildEchoLoop() throws {
        guard ProcessInfo.processInfo.environment["NNREPL_PTY_CHILD"] == "1" else {
            throw XCTSkip("only runs as the child of a pty test")
        }
        Self.runEchoLoop()
    }

    static func runEchoLoop() -> Never {
        let editor = LineEditor()
        editor.completer = { line, cursor in
            let chars = Array(line)
            var start = min(cursor, chars.count)
            while start > 0, chars[start - 1].isLetter || chars[start - 1].isNumber
                    || chars[start - 1] == "_" || chars[start - 1] == "." {
                start -= 1
            }
            let word = String(chars[start..<min(cursor, chars.count)])
            let names = ["model", "model.layers", "model.linear", "torch", "tensor", "λx"]
            return Completion(start: start, candidates: names.filter { $0.hasPrefix(word) })
        }
        editor.write("READY interactive=\(editor.isInteractive) color=\(editor.usesColor) history=\(editor.history.count)\n")
        loop: while true {
            switch editor.readLine(prompt: ">>> ") {
            case .line(let text):
                editor.addHistory(text)
                let hex = text.utf8.map { String(format: "%02x", $0) }.joined()
                let shown = text.replacingOccurrences(of: "\n", with: "\\n")
                editor.write("ECHO[\(shown)] HEX[\(hex)]\n")
                switch text {
                case "block": editor.addHistory("for i in x:\n    pass")
                case "spin":
                    Interrupt.clear()
                    editor.write("SPINNING\n")
                    while !Interrupt.check() { usleep(1000) }
                    editor.write("SPIN-INTERRUPTED\n")
                case "hang":
                    editor.write("HANGING\n")
                    while true { usleep(1000) }
                case "quit": break loop
                default: break
                }
            case .interrupted:
                editor.write("GOT-INTERRUPT\n")
            case .endOfInput:
                editor.write("GOT-EOF\n")
                break loop
            case .paste(let text):
                editor.write("PASTE[\(text.replacingOccurrences(of: "\n", with: "\\n"))]\n")
            }
        }
        exit(0)
    }

    private var dir = ""

    override func setUpWithError() throws {
        guard ProcessInfo.processInfo.environment["NNREPL_PTY_CHILD"] == nil else { return }
        dir = try temporaryDirectory()
    }

    private func selfPath() throws -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { throw XCTSkip("cannot locate the test binary") }
        return String(cString: buf)
    }

    private func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = PTYSession.baseEnvironment(home: dir)
        env["NNREPL_PTY_CHILD"] = "1"
        env["NNREPL_HISTORY"] = dir + "/history"
        if let ld = ProcessInfo.processInfo.environment["LD_LIBRARY_PATH"] { env["LD_LIBRARY_PATH"] = ld }
        for (k, v) in extra { env[k] = v }
        return env
    }

    private func startChild(_ extra: [String: String] = [:]) throws -> PTYSession {
        if ProcessInfo.processInfo.environment["NNREPL_PTY_CHILD"] != nil {
            throw XCTSkip("nested")
        }
        let pty = try spawnOrSkip(try selfPath(), arguments: [Self.childTest], environment: childEnvironment(extra))
        try pty.expect("READY interactive=true", timeout: 20)
        return pty
    }

    func testTypedLineAndUTF8() throws {
        let pty = try startChild(["NO_COLOR": "1"])
        try pty.expect(">>> ")
        pty.send("abλ\r")
        try pty.expect("ECHO[abλ] HEX[6162cebb]")
        try pty.enter("quit")
        XCTAssertEqual(pty.waitForExit(), 0)
    }

    func testCtrlCClearsLineAndCtrlDExits() throws {
        let pty = try startChild()
        try pty.expect(">>> ")
        pty.send("half typed")
        try pty.expect("half typed")
        pty.send(PTYSession.ctrlC)
        try pty.expect("^C\nGOT-INTERRUPT\n")
        try pty.expect(">>> ")
        try pty.enter("ok")
        try pty.expect(">>> ")
        pty.send("x" + PTYSession.ctrlD)  // ^D on a non-empty line does not exit
        pty.send("\u{7F}")               // backspace -> empty line
        pty.send(PTYSession.ctrlD)
        try pty.expect("GOT-EOF")
        XCTAssertFalse(pty.transcript.contains("ECHO[x]"))
        XCTAssertEqual(pty.waitForExit(), 0)
    }

    /// ^C landing while libedit is still redrawing typed text (not blocked in
    /// read) must not be lost (the reason for the shim's EL_GETCFN reader).
    func testCtrlCDuringRedrawIsNeverLost() throws {
        let pty = try startChild(["NO_COLOR": "1"])
        for i in 0..<10 {
            try pty.expect(">>> ")
            // Many keystrokes keep libedit busy redrawing; ^C lands mid-way.
            pty.send(String(repeating: "abcdefghij", count: 150))
            usleep(UInt32(5_000 + 3_000 * i))
            pty.send(PTYSession.ctrlC)
            try pty.expect("GOT-INTERRUPT\n", timeout: 10)
        }
        try pty.expect(">>> ")
        try pty.enter("done")
    }

    func testCtrlCInsideReverseSearchIsAnInterruptNotEOF() throws {
        let pty = try startChild()
        try pty.expect(">>> ")
        try pty.enter("print(1)")
        try pty.expect(">>> ")
        try pty.enter("other")
        try pty.expect(">>> ")
        pty.send(PTYSession.ctrlR)
        pty.send("pri")
        try pty.expect("print(1)")
        pty.send(PTYSession.ctrlC)
        try pty.expect("GOT-INTERRUPT")
        try pty.expect(">>> ")
        try pty.enter("next")  // Enter after ^C must not run the found entry
        XCTAssertFalse(pty.transcript.contains("GOT-EOF"))
        try pty.expect(">>> ")  // (a ^R typed before the prompt would be the tty's VREPRINT)
        pty.send(PTYSession.ctrlR)
        pty.send("int(")
        pty.send(PTYSession.enter)
        try pty.expect("ECHO[print(1)]")
    }

    func testCtrlCInterruptsComputation() throws {
        let pty = try startChild()
        try pty.expect(">>> ")
        pty.send("spin\r")
        try pty.expect("SPINNING")
        usleep(100_000)
        pty.send(PTYSession.ctrlC)
        try pty.expect("SPIN-INTERRUPTED")
        try pty.expect(">>> ")
        try pty.enter("still alive")
    }

    func testRepeatedCtrlCForcesExitWhenNothingPolls() throws {
        let pty = try startChild()
        try pty.expect(">>> ")
        pty.send("hang\r")
        try pty.expect("HANGING")
        for _ in 0..<3 {
            usleep(100_000)
            pty.send(PTYSession.ctrlC)
        }
        try pty.expect("interrupted repeatedly")
        XCTAssertEqual(pty.waitForExit(), 130)
    }

    func testTabCompletion() throws {
        let pty = try startChild()
        try pty.expect(">>> ")
        pty.send("mo\t")            // common prefix of model, model.layers, model.linear
        try pty.expect("model")
        pty.send("\t")              // second Tab lists
        try pty.expect("model.layers")
        try pty.expect(">>> model")  // prompt and line redisplayed
        pty.send(".lin\t\r")
        try pty.expect("ECHO[model.linear]")
        try pty.expect(">>> ")
        pty.send("x = λ\t\r")
        try pty.expect("ECHO[x = λx]")
        try pty.expect(">>> ")
        pty.send("\tpass\r")        // Tab in leading whitespace indents
        try pty.expect("ECHO[    pass]")
    }

    func testHistoryPersistsAndMultiLineEntryRoundTrips() throws {
        try "older\nfrom file\\nline2\n".write(toFile: dir + "/history", atomically: true, encoding: .utf8)
        let pty = try startChild()
        try pty.expect(">>> ")
        XCTAssertTrue(pty.transcript.contains("history=2"))
        pty.send(PTYSession.up + "\r")
        try pty.expect("ECHO[from file\\nline2]")
        try pty.expect(">>> ")
        pty.send("block\r")         // child adds a multi-line entry
        try pty.expect("ECHO[block]")
        try pty.expect(">>> ")
        pty.send(PTYSession.up + "\r")
        try pty.expect("ECHO[for i in x:\\n    pass]")
        try pty.expect(">>> ")
        pty.send("quit\r")
        XCTAssertEqual(pty.waitForExit(), 0)
        let saved = HistoryFile.parse(try String(contentsOfFile: dir + "/history", encoding: .utf8))
        // the recalled multi-line entry equals the previous one, so it is not repeated
        XCTAssertEqual(saved, ["older", "from file\nline2", "block", "for i in x:\n    pass", "quit"])
    }

    func testHistoryDisabledByEmptyEnvVar() throws {
        let pty = try startChild(["NNREPL_HISTORY": ""])
        try pty.expect(">>> ")
        pty.send("quit\r")
        XCTAssertEqual(pty.waitForExit(), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/history"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/.nnrepl_history"))
    }

    func testPromptColourAndNoColor() throws {
        let colored = try startChild()
        try colored.expect(">>> ")
        XCTAssertTrue(colored.transcript.contains("color=true"))
        XCTAssertTrue(colored.transcript.contains("\u{1B}[1;32m>>>\u{1B}[0m "), colored.transcript.debugDescription)
        colored.close()
        let plain = try startChild(["NO_COLOR": "1"])
        try plain.expect(">>> ")
        XCTAssertTrue(plain.transcript.contains("color=false"))
        XCTAssertFalse(plain.transcript.contains("\u{1B}[1;32m"))
    }

    func testPipedInputBypassesLibedit() throws {
        if ProcessInfo.processInfo.environment["NNREPL_PTY_CHILD"] != nil { throw XCTSkip("nested") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try selfPath())
        process.arguments = [Self.childTest]
        process.environment = childEnvironment()
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write("a\nabλ\nlast-without-newline".data(using: .utf8) ?? Data())
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("READY interactive=false color=false"), text)
        XCTAssertTrue(text.contains("ECHO[a] HEX[61]"), text)
        XCTAssertTrue(text.contains("ECHO[abλ] HEX[6162cebb]"), text)
        XCTAssertTrue(text.contains("ECHO[last-without-newline]"), text)
        XCTAssertTrue(text.contains("GOT-EOF"), text)
        XCTAssertFalse(text.contains(">>> "), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/history"))
    }
}

// MARK: - Helpers

extension XCTestCase {
    /// A fresh temporary directory, removed at the end of the test.
    func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/nnrepl-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw XCTSkip("mkdtemp failed") }
        let path = String(cString: made)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}

private extension PTYSession {
    /// Types `line` and Enter, then waits for the test child's `ECHO[line]`.
    func enter(_ line: String) throws {
        send(line + "\r")
        try expect("ECHO[\(line)]")
    }
}
