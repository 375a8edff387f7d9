import Foundation
import NNLang

/// The interactive loop: `>>> ` / `... ` prompts, Python-style block continuation (a
/// compound statement runs after a blank line; open brackets, strings and a trailing `\`
/// continue), `:commands`, `!shell commands`, one history entry per input, Tab completion,
/// bracketed paste (a pasted block is one input), Ctrl-C (cancels the block being typed, or
/// interrupts the running evaluation with KeyboardInterrupt) and Ctrl-D (exit 0 on an empty
/// `>>> ` line; on a `... ` line it runs the block, as CPython does).
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
        session.confirm = { [unowned editor] question in
            guard case .line(let answer) = editor.readLine(prompt: question) else { return false }
            return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
        }
        editor.pasteFilter = PromptStripper.pasted
        let completer = Completer(session: session)
        editor.completer = { line, cursor in completer.complete(line: line, cursor: cursor) }
        Interrupt.attach(to: session.interpreter)
    }

    /// Reads and runs inputs until Ctrl-D, `:quit` or `exit()`; returns the exit status.
    public func run(showBanner: Bool = true) -> Int32 {
        Interrupt.install()
        CrashFlush.install()
        if showBanner { editor.write(REPL.banner + "\n") }
        var block = InputBlock()
        while true {
            flushOutput()
            let input: String?
            switch editor.readLine(prompt: block.isEmpty ? ">>> " : "... ") {
            case .endOfInput:
                guard !block.isEmpty else { return 0 }
                input = block.finish()  // Ctrl-D on a `... ` line runs the block
            case .interrupted:
                block = InputBlock()
                continue
            case .line(let text):
                input = block.add(text)
            case .paste(let text):
                input = block.addPaste(text)
            }
            guard let input else { continue }
            block = InputBlock()
            editor.addHistory(input)
            Interrupt.clear()
            if let status = submit(input) {
                flushOutput()
                return status
            }
        }
    }

    /// Runs one complete input; returns the exit status when it ends the session. A
    /// multi-line input (a pasted block) may mix Python and `:command` lines, as a script.
    private func submit(_ input: String) -> Int32? {
        session.displayWidth = editor.terminalWidth
        let outcome = input.contains("\n")
            ? ScriptRunner.run(source: input, fileName: "<stdin>", in: session)
            : session.run(input)
        if case .exit(let code) = outcome { return code }
        return nil
    }

    private func flushOutput() {
        fflush(stdout)
        fflush(stderr)
    }
}

/// The lines of one REPL input being typed. `add` returns the whole input once it is
/// complete: a `:command` or `!shell` line at once (and `NAME?` as `:help NAME`), Python
/// when the parser says it is
/// complete (or can never be: then running it reports the syntax error). Leading `>>> ` and
/// `... ` prompts of lines copied from a Python session are removed.
struct InputBlock {
    private(set) var lines: [String] = []

    var isEmpty: Bool { lines.isEmpty }

    /// Adds a typed line (which may itself hold several lines, from history); returns the
    /// input to run when it is complete, else nil (keep reading with `... `).
    mutating func add(_ typed: String) -> String? {
        // (Not inside a triple-quoted string: a docstring may show a `>>> ` example.)
        let insideString = !lines.isEmpty && LineScan(lines.joined(separator: "\n") + "\n").openString != nil
        let line = insideString ? typed : PromptStripper.typedLine(typed, continuing: !lines.isEmpty)
        if lines.isEmpty {
            let stripped = line.trimmingCharacters(in: .whitespaces)
            if stripped.isEmpty { return nil }
            if stripped.hasPrefix(":") || stripped.hasPrefix("!") { return stripped }
            if let topic = InputBlock.helpQuery(stripped) { return ":help " + topic }
        }
        lines.append(line)
        if case .incomplete = Parser.inputStatus(source) { return nil }
        return finish()
    }

    /// Adds pasted text (its prompts already removed by the editor's `pasteFilter`): it is
    /// one input, blank lines inside it do not end it. Returns the input when it is complete
    /// as it stands (as if followed by a blank line); nil when a bracket or string is left
    /// open.
    mutating func addPaste(_ text: String) -> String? {
        var pasted = text
        if pasted.hasSuffix("\n") { pasted.removeLast() }
        let newLines = pasted.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.isEmpty, newLines.count == 1 { return add(newLines[0]) }
        lines += newLines
        guard !lines.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) else {
            lines = []
            return nil
        }
        if case .incomplete = Parser.inputStatus(source + "\n") { return nil }
        return finish()
    }

    /// The lines so far as one input, without trailing blank lines.
    func finish() -> String {
        var kept = lines
        while let last = kept.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { kept.removeLast() }
        return kept.joined(separator: "\n")
    }

    private var source: String { lines.joined(separator: "\n") + "\n" }

    /// IPython's `nn.Linear?` (or `f??`, kept as `f??`: show the source): the dotted name to
    /// look up with `:help`, when the line is a dotted name followed by `?` or `??` (never
    /// valid Python).
    static func helpQuery(_ line: String) -> String? {
        var name = Substring(line)
        guard name.hasSuffix("?") else { return nil }
        name = name.dropLast()
        let source = name.hasSuffix("?")
        if source { name = name.dropLast() }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ part in
            part.first.map { !$0.isNumber } ?? false && part.allSatisfy(LineScan.isIdentifier)
        }) else { return nil }
        return String(name) + (source ? "??" : "")
    }
}
