import Foundation
import NNLang

/// The interactive loop: `>>> ` / `... ` prompts, Python-style block continuation (a
/// compound statement runs after a blank line; open brackets, strings and a trailing `\`
/// continue), `:commands`, one history entry per input, Tab completion, Ctrl-C (cancels the
/// block being typed, or interrupts the running evaluation with KeyboardInterrupt) and
/// Ctrl-D (exit 0 on an empty line).
public final class REPL {
    /// The one-line banner.
    public static let banner = "nnrepl 0.1 — Python subset with PyTorch's names. :help for commands, Ctrl-D to exit."

    public let session: Session
    let editor: LineEditor

    /// A REPL on the terminal. The session echoes expression values and uses colour when the
    /// editor does (a tty without NO_COLOR).
    public init(session: Session, editor: LineEditor = LineEditor()) {
        self.session = session
        self.editor = editor
        session.echoExpressions = true
        session.usesColor = editor.usesColor
        let completer = Completer(session: session)
        editor.completer = { line, cursor in completer.complete(line: line, cursor: cursor) }
        Interrupt.attach(to: session.interpreter)
    }

    /// Reads and runs inputs until Ctrl-D, `:quit` or `exit()`; returns the exit status.
    public func run(showBanner: Bool = true) -> Int32 {
        Interrupt.install()
        if showBanner { editor.write(REPL.banner + "\n") }
        var block = InputBlock()
        while true {
            flushOutput()
            switch editor.readLine(prompt: block.isEmpty ? ">>> " : "... ") {
            case .endOfInput:
                return 0
            case .interrupted:
                block = InputBlock()
            case .line(let text):
                guard let input = block.add(text) else { continue }
                block = InputBlock()
                editor.addHistory(input)
                Interrupt.clear()
                if case .exit(let code) = session.run(input) {
                    flushOutput()
                    return code
                }
            }
        }
    }

    private func flushOutput() {
        fflush(stdout)
        fflush(stderr)
    }
}

/// The lines of one REPL input being typed. `add` returns the whole input once it is
/// complete: a `:command` line at once, Python when the parser says it is complete (or can
/// never be: then running it reports the syntax error).
struct InputBlock {
    private(set) var lines: [String] = []

    var isEmpty: Bool { lines.isEmpty }

    /// Adds a line (which may itself hold several lines, from history); returns the input
    /// to run when it is complete, else nil (keep reading with `... `).
    mutating func add(_ line: String) -> String? {
        if lines.isEmpty {
            let stripped = line.trimmingCharacters(in: .whitespaces)
            if stripped.isEmpty { return nil }
            if stripped.hasPrefix(":") { return stripped }
        }
        lines.append(line)
        let source = lines.joined(separator: "\n") + "\n"
        if case .incomplete = Parser.inputStatus(source) { return nil }
        var kept = lines
        while let last = kept.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { kept.removeLast() }
        return kept.joined(separator: "\n")
    }
}
