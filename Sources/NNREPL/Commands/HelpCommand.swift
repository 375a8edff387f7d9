import Foundation
import NNLang
/// `:help [topic]` — the command overview, one command's help, `language`, or a layer's
/// signature (`:help Linear`).
enum HelpCommand {
    static let command = Command(
        name: "help", usage: ":help [TOPIC]",
        summary: "this overview; TOPIC: a :command, language, or any name (nn.Linear, torch.sum, x.view, your function)",
        details: """
        TOPIC is a :command (:help swap), language (the supported Python subset), or a Python
        expression naming something: torch, nn, F, optim and Tensor names show their declared
        signature and a one-line description (:help nn.Linear, :help F.relu, :help x.sum), and a
        function or class defined in the session its header and docstring. NAME? at the prompt
        is :help NAME; NAME?? shows the source of a function or class defined in the session.
        """
    ) { session, arguments in
        var topic = arguments.trimmingCharacters(in: .whitespaces)
        let wantsSource = topic.hasSuffix("??")
        if wantsSource { topic.removeLast(2) }
        session.write(try text(for: topic, session: session, source: wantsSource))
        return .ok
    }

    /// The help text for `topic` ("" = overview); with `source`, a session-defined function's or
    /// class's source instead of its help.
    static func text(for topic: String, session: Session, source: Bool = false) throws -> String {
        if topic.isEmpty { return overview(session.commands) }
        if topic == "language" { return language }
        let commandName = topic.hasPrefix(":") ? String(topic.dropFirst()) : topic
        if let command = session.commands.command(named: commandName) {
            var out = "usage: \(command.usage)\n\(command.summary)\n"
            if !command.details.isEmpty { out += "\n\(command.details)\n" }
            return out
        }
        if let layer = LayerHelp.entry(for: topic) {
            return "\(layer.signature)\n\(layer.description)\n"
        }
        guard (try? Parser.parseExpression(topic, fileName: "<help>")) != nil,
              var value = try? session.evaluateLayerExpression(topic) else {
            throw CommandError.failed("no help for '\(topic)' (topics: the :commands, language, or a defined name such as nn.Linear)")
        }
        // A module instance: its class's help (`model?` shows Net's docstring, `fc?` nn.Linear's).
        if case .module = value, let cls = try? session.interpreter.getAttribute(value, "__class__") { value = cls }
        if value.declaration == nil, let name = qualifiedName(value, session) {
            if source, let text = session.definitions.source(of: name) { return text }
            if let help = session.definitions.help(of: name) { return help }
        }
        return try session.interpreter.helpText(for: value)
    }

    /// A script function's or class's `__qualname__` (a bound method's function's).
    static func qualifiedName(_ value: Value, _ session: Session) -> String? {
        guard case .object = value, let name = try? session.interpreter.getAttribute(value, "__qualname__"),
              case .str(let text) = name else { return nil }
        return text
    }

    static func overview(_ registry: CommandRegistry) -> String {
        let width = (registry.all.map(\.usage.count).max() ?? 0) + 2
        var out = "Type Python (a subset, with PyTorch's names) at >>>; a block ends with a blank line.\n"
        out += "Commands (also allowed at the start of a line in scripts):\n"
        for command in registry.all {
            out += "  " + command.usage.padding(toLength: width, withPad: " ", startingAt: 0) + command.summary + "\n"
        }
        out += "MODEL, INPUT, EXPR and STATEMENT are Python, evaluated in the session.\n"
        out += ":help TOPIC for details; :help language for the language; :help Linear for a layer.\n"
        out += "!CMD runs a shell command. Pasted code runs as one block; >>> and ... prompts are removed.\n"
        out += "Keys: Tab completes, Up/Down and Ctrl-R search history (Ctrl-G cancels the search),\n"
        out += "Ctrl-C cancels, Ctrl-D exits (on a ... line it runs the block).\n"
        return out
    }

    static var language: String { languageText(stdlib: PythonStdlib.moduleNames.filter { !$0.contains(".") }) }

    /// `:help language`, with the standard-library modules the interpreter offers.
    static func languageText(stdlib: [String]) -> String {
        let modules = wrap("modules: torch, torch.nn (nn), torch.nn.functional (F), torch.nn.init, torch.optim, "
                           + "torch.utils.data, torchvision.models, matplotlib.pyplot, and from Python's standard "
                           + "library " + stdlib.joined(separator: ", "), width: 92, indent: "  ", hanging: "    ")
        return """
    nnrepl's language is a subset of Python 3 with PyTorch's names; a script without
    :commands runs unchanged under Python + PyTorch and prints the same.
      statements: expressions, assignment (= += … unpacking, attributes, subscripts), if/elif/
        else, for, while, break, continue, pass, def (defaults, *args, **kwargs, keyword-only),
        return, lambda, class (inheritance, multiple too; super()), try/except/else/finally,
        raise, assert, del, with torch.no_grad():, global, nonlocal, import, from … import … as …
      expressions: int, float, str (f-strings), bool, None, list/tuple/dict/set displays and
        comprehensions, arithmetic (// % ** @), comparisons, and/or/not, is, in, x if c else y
    \(modules)
    Errors are Python's exceptions; an uncaught one prints a traceback and the REPL carries on.

    """
    }

    /// Greedy word wrap: the first line starts with `indent`, the rest with `hanging`.
    static func wrap(_ text: String, width: Int, indent: String, hanging: String) -> String {
        var lines: [String] = []
        var line = indent
        for word in text.split(separator: " ") {
            let start = line == indent || line == hanging
            if !start, line.count + 1 + word.count > width {
                lines.append(line)
                line = hanging
            }
            line += (line == indent || line == hanging ? "" : " ") + word
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
