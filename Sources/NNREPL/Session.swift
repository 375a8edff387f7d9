import Foundation
import NNLang
import TorchBindings
import NeuralNet

/// One nnrepl session: the interpreter with its globals, the `:command` registry, and the
/// inputs accepted so far (for `:save`). Both the interactive REPL and the script runner feed
/// it complete inputs — a Python chunk or one `:command` line — through `run(_:fileName:)`.
public final class Session {
    /// How one input ended.
    public enum Outcome: Equatable {
        /// Ran to the end.
        case ok
        /// An error was reported on `errorOutput` (traceback, syntax error, or command usage).
        case failed
        /// `:quit`, `exit()` or `sys.exit()`: stop with this status.
        case exit(Int32)
    }

    /// The interpreter holding the session's variables.
    public let interpreter: Interpreter
    /// The `:commands` this session understands.
    public let commands: CommandRegistry
    /// Print expression values (REPL) or not (scripts, as Python does).
    public var echoExpressions: Bool
    /// Colour tracebacks and command output (only set on a terminal without NO_COLOR).
    public var usesColor: Bool
    /// Inputs that ran successfully, in order, as `:save` writes them (see `SaveCommand`).
    public private(set) var transcript: [String] = []
    /// The Python exception class of the error that ended the latest input
    /// (`KeyboardInterrupt`, …); nil if it ended without one or with a command's message.
    /// Scripts ended by an uncaught KeyboardInterrupt exit by SIGINT, as Python does.
    public private(set) var lastErrorTypeName: String?
    /// Asks the user a yes/no question (the REPL sets it; nil in scripts, which never ask):
    /// `:reset` confirms before deleting modules.
    public var confirm: ((_ question: String) -> Bool)?
    /// The terminal's width in columns (the REPL updates it before each input), for output
    /// that fills the line (`:plot`).
    public var displayWidth = 80
    /// The source of each function and class the session's code defined (`x??`, and `x?`'s
    /// docstrings).
    var definitions = DefinitionSources()

    /// A session over `interpreter` (default: a fresh interpreter with the torch bindings).
    public init(interpreter: Interpreter? = nil, echoExpressions: Bool = false, usesColor: Bool = false,
                commands: CommandRegistry = .standard) {
        self.interpreter = interpreter ?? Session.makeInterpreter()
        self.echoExpressions = echoExpressions
        self.usesColor = usesColor
        self.commands = commands
    }

    /// A new interpreter with the torch bindings (modules are built lazily on first import).
    public static func makeInterpreter() -> Interpreter {
        Interpreter(host: TorchHost(moduleBase: Interpreter.moduleBaseType))
    }

    // MARK: Running inputs

    /// Runs one complete input: a `:command` line (leading `:`), or Python source. Errors are
    /// reported on `errorOutput`; the session's state survives them.
    /// `record: false` keeps it out of the transcript (inputs of a `:load`ed file).
    @discardableResult
    public func run(_ input: String, fileName: String = "<stdin>", record: Bool = true) -> Outcome {
        let trimmed = input.drop { $0 == " " || $0 == "\t" }
        if trimmed.hasPrefix(":") { return runCommand(String(trimmed), record: record) }
        if trimmed.hasPrefix("!") { return ShellCommand.run(String(trimmed.dropFirst()), in: self) }
        return runPython(input, fileName: fileName, record: record)
    }

    /// Runs Python source at module level. `record` adds it to the transcript on success.
    func runPython(_ source: String, fileName: String, record: Bool) -> Outcome {
        lastErrorTypeName = nil
        ModuleCallFailure.clear()
        do {
            try interpreter.execute(source: source, fileName: fileName, echoExpressions: echoExpressions)
            definitions.record(source)
            if record { transcript.append(source) }
            return .ok
        } catch let exit as SystemExitRequest {
            return .exit(exit.code)
        } catch {
            reportError(error, source: source)
            return .failed
        }
    }

    /// Runs one `:command` line.
    func runCommand(_ line: String, record: Bool) -> Outcome {
        lastErrorTypeName = nil
        let body = line.dropFirst()
        let name = String(body.prefix { !$0.isWhitespace })
        let rest = String(body.dropFirst(name.count)).trimmingCharacters(in: .whitespaces)
        guard let command = commands.command(named: name) else {
            reportMessage(name.isEmpty ? "empty command (:help lists the commands)"
                                       : "unknown command ':\(name)' (:help lists the commands)")
            return .failed
        }
        do {
            let outcome = try command.run(self, rest)
            if record, outcome == .ok, command.isReplayable { transcript.append(line) }
            return outcome
        } catch let error as CommandError {
            reportMessage(error.message(for: command))
            return .failed
        } catch let exit as SystemExitRequest {
            return .exit(exit.code)
        } catch {
            reportError(error, source: nil)
            return .failed
        }
    }

    /// Adds an input that ran successfully to the transcript.
    func record(_ source: String) { transcript.append(source) }

    /// Removes every recorded input (used by tests; `:reset` keeps the transcript).
    public func clearTranscript() { transcript.removeAll() }

    // MARK: Evaluating command arguments

    /// Evaluates a Python expression (a command's MODEL or SHAPE argument) in the session.
    /// Only an expression is accepted: a syntax error is a command error showing the argument
    /// with a caret (`:tree: SyntaxError: invalid syntax`). Runtime errors propagate as the
    /// interpreter throws them; their tracebacks show the expression as line 1 of the file
    /// `<command>` (see `reportError`).
    public func evaluate(_ expression: String) throws -> Value {
        let text = expression.trimmingCharacters(in: .whitespaces)
        try checkExpressionSyntax(text)
        let slot = "__nnrepl_value__"
        defer { interpreter.setGlobal(slot, nil) }
        // The expression keeps its own line and columns: line 2 here, renumbered 1 when
        // reported. (Nothing else is run, and no repr: a 1M-element list costs nothing.)
        try interpreter.execute(source: "\(slot) = (\n\(text)\n)", fileName: Session.commandFile)
        return interpreter.global(slot) ?? .none
    }

    /// The file name of command expressions in tracebacks.
    static let commandFile = "<command>"

    /// Throws a command error showing `expression` with a caret unless it is one Python
    /// expression (for arguments evaluated later, or never when nothing needs them).
    public func checkExpressionSyntax(_ expression: String) throws {
        let text = expression.trimmingCharacters(in: .whitespaces)
        do {
            _ = try Parser.parseExpression(text, fileName: "<command>")
        } catch let error as SyntaxError {
            let caret = Session.caretLines(source: text, line: error.span.line, column: error.span.column)
            throw CommandError.failed("\(error.typeName): \(error.message)" + (caret.isEmpty ? "" : "\n" + caret.dropLast()))
        }
    }

    /// Evaluates an expression naming a layer type or constructing a layer: `nn.ReLU`,
    /// `LeakyReLU(0.2)`. When its first name is not a variable of the session but is a
    /// member of `torch.nn`, that name is bound to the `torch.nn` member while it runs (so
    /// `:swap m ReLU -> GELU()` works without `from torch.nn import *`).
    public func evaluateLayerExpression(_ expression: String) throws -> Value {
        let text = expression.trimmingCharacters(in: .whitespaces)
        let head = String(text.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
        if !head.isEmpty, interpreter.global(head) == nil, let member = torchNNMember(head) {
            interpreter.setGlobal(head, member)
            defer { interpreter.setGlobal(head, nil) }
            return try evaluate(text)
        }
        return try evaluate(text)
    }

    /// The `torch.nn` namespace (imported on first use), or nil if it cannot be imported.
    func torchNN() -> Value? {
        try? interpreter.host.importModule("torch.nn", interpreter)
    }

    /// `torch.nn.NAME`, if it exists.
    func torchNNMember(_ name: String) -> Value? {
        guard let nn = torchNN() else { return nil }
        return try? interpreter.getAttribute(nn, name)
    }

    /// Evaluates `expression` and requires an `nn.Module`.
    public func evaluateModule(_ expression: String) throws -> Module {
        guard !expression.isEmpty else { throw CommandError.usage }
        let value = try evaluate(expression)
        guard case .module(let m) = value else {
            throw CommandError.failed("\(expression) is not an nn.Module (it is \(value.typeName))")
        }
        return m
    }

    // MARK: Output

    /// Writes command output where `print` writes.
    public func write(_ text: String) { interpreter.output(text) }

    /// Writes a line of command output.
    public func writeLine(_ text: String) { interpreter.output(text + "\n") }

    /// `text` in the SGR colour `code` when colour is on.
    public func styled(_ text: String, _ code: String) -> String {
        usesColor && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Reports a warning (`warning: …`, yellow on a terminal) on the error stream.
    func reportWarning(_ message: String) {
        interpreter.errorOutput(styled("warning: " + message, "33") + "\n")
    }

    /// Reports a one-line error (command usage or failure) on the error stream.
    func reportMessage(_ message: String) {
        lastErrorTypeName = nil
        interpreter.errorOutput(styled(message, "31") + "\n")
    }

    /// Reports an error escaping the interpreter: a traceback, or a syntax error with its
    /// source line and a caret. The final `Type: message` line is red on a terminal.
    func reportError(_ error: Error, source: String?) {
        lastErrorTypeName = interpreter.exceptionTypeName(error)
        // A command's expression runs as line 2 of its file (`evaluate`): it is line 1 to the user.
        var text = interpreter.describe(error)
            .replacingOccurrences(of: "  \(Session.commandFile):2:", with: "  \(Session.commandFile):1:")
        if let syntax = error as? SyntaxError, let source, text.split(separator: "\n").count <= 1 {
            text += Session.caretLines(source: source, line: syntax.span.line, column: syntax.span.column)
        }
        if !text.hasSuffix("\n") { text += "\n" }
        interpreter.errorOutput(colourLastLine(text) + failedLayerNote())
    }

    /// `(in layer 2.0: Linear(in_features=7, …))` when the error left a module call from one of
    /// the called module's submodules (`ModuleCallFailure`), so a shape error inside a
    /// `Sequential` names its layer (or, after Ctrl-C, the layer it was in); empty otherwise.
    private func failedLayerNote() -> String {
        defer { ModuleCallFailure.clear() }
        guard let layer = ModuleCallFailure.innermost, !ModuleCallFailure.path.isEmpty else { return "" }
        return "(in layer \(ModuleCallFailure.path.joined(separator: ".")): \(ForwardProbe.describe(layer)))\n"
    }

    /// The source line `line` (1-based) and a caret under `column`, indented by 4.
    static func caretLines(source: String, line: Int, column: Int) -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return "" }
        let text = String(lines[line - 1])
        let indent = text.prefix { $0 == " " || $0 == "\t" }.count
        let stripped = text.dropFirst(indent).trimmingCharacters(in: .whitespaces)
        guard !stripped.isEmpty else { return "" }
        let caretColumn = max(0, min(column - 1 - indent, stripped.count))
        return "    \(stripped)\n    \(String(repeating: " ", count: caretColumn))^\n"
    }

    private func colourLastLine(_ text: String) -> String {
        guard usesColor else { return text }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let last = lines.popLast() else { return text }
        return (lines + [styled(last, "1;31")]).joined(separator: "\n") + "\n"
    }
}
