import Foundation
import NNLang

/// Runs a script (a file, `-c` code, or standard input) in a session: the Python between
/// `:command` lines runs as module code (expression values are not echoed, as in Python),
/// each `:command` line (a `:` in column 1, outside brackets and strings) runs as in the
/// REPL. The first error stops the script: its traceback or message is on stderr and the
/// status is 1. Line numbers in tracebacks are the file's.
public enum ScriptRunner {
    /// One piece of a script.
    enum Piece: Equatable {
        /// Python source starting at `line` (1-based).
        case python(String, line: Int)
        /// A `:command` line at `line`.
        case command(String, line: Int)
    }

    /// Splits `source` into Python chunks and `:command` lines. A script without commands is
    /// one chunk, so it runs exactly as Python would run it.
    static func pieces(_ source: String) -> [Piece] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var result: [Piece] = []
        var chunk: [String] = []
        var chunkStart = 1
        func flush() {
            // (Not Foundation's trimmingCharacters: its first use builds a CharacterSet, a
            // noticeable part of startup for a one-line script.)
            if chunk.contains(where: { line in line.contains { !$0.isWhitespace } }) {
                result.append(.python(chunk.joined(separator: "\n"), line: chunkStart))
            }
            chunk = []
        }
        for (i, line) in lines.enumerated() {
            if line.hasPrefix(":"), !insideOpenConstruct(chunk) {
                flush()
                result.append(.command(line.trimmingCharacters(in: .whitespaces), line: i + 1))
                chunkStart = i + 2
            } else {
                chunk.append(line)
            }
        }
        flush()
        return result
    }

    /// Whether the Python lines so far stop inside a bracket, a string or after a backslash
    /// (then a line starting with `:` belongs to them).
    private static func insideOpenConstruct(_ chunk: [String]) -> Bool {
        guard !chunk.isEmpty else { return false }
        if case .incomplete = Parser.inputStatus(chunk.joined(separator: "\n") + "\n\n\n") { return true }
        return false
    }

    /// Runs `source` in `session`; returns the exit status (0, 1 on the first error, or the
    /// code given to `exit()` / `:quit`). `record` adds the inputs to the session's transcript.
    public static func run(source: String, fileName: String, in session: Session, record: Bool = true) -> Session.Outcome {
        do {
            try ScriptSource.checkNoNulBytes(source, fileName: fileName)
        } catch {
            session.reportError(error, source: source)
            return .failed
        }
        for piece in pieces(source) {
            let outcome: Session.Outcome
            switch piece {
            case .python(let code, let line):
                // Blank lines in front keep the file's line numbers in tracebacks.
                let padded = String(repeating: "\n", count: max(0, line - 1)) + code
                outcome = session.runPython(padded, fileName: fileName, record: false)
                if record, outcome == .ok { session.record(code) }
            case .command(let text, _):
                outcome = session.run(text, fileName: fileName, record: record)
            }
            if outcome != .ok { return outcome }
        }
        return .ok
    }

    /// Runs the script `nnrepl FILE`, `-c CODE` or `-` names, with Ctrl-C handled as Python
    /// handles it: SIGINT (unless it is ignored, as it is for some background jobs) raises
    /// KeyboardInterrupt at the interpreter's next check, which the script may catch. When it
    /// is not caught, its traceback is printed and, unless `stayInteractive` (`-i`: the REPL
    /// follows), the process kills itself with SIGINT's default action, so the parent sees
    /// death by SIGINT. Otherwise returns the exit status, as `exitStatus`.
    public static func runAsMain(source: String, fileName: String, in session: Session,
                                 stayInteractive: Bool = false) -> Int32 {
        CrashFlush.install()
        if !Interrupt.isIgnored {
            // Three presses nobody consumes (one long kernel) still end the process.
            Interrupt.install(forceExitAfter: 3, exitBySignal: !stayInteractive)
            Interrupt.attach(to: session.interpreter)
        }
        Interrupt.clear()
        let status = exitStatus(source: source, fileName: fileName, in: session)
        // Python exits by SIGINT only for KeyboardInterrupt itself, not a subclass.
        if status == 1, !stayInteractive, session.lastErrorTypeName == "KeyboardInterrupt" {
            return Interrupt.exitBySignal()
        }
        return status
    }

    /// Runs a whole script in a fresh session and returns the process exit status.
    public static func exitStatus(source: String, fileName: String, in session: Session) -> Int32 {
        let outcome = run(source: source, fileName: fileName, in: session)
        session.interpreter.runExitHandlers()
        let outputFailed = StandardOutput.reportFailedWrites(session.interpreter)
        switch outcome {
        case .ok: return outputFailed ? 1 : 0
        case .failed: return 1
        case .exit(let code): return code == 0 && outputFailed ? 1 : code
        }
    }
}
