import Foundation
/// `:help [topic]` — the command overview, one command's help, `language`, or a layer's
/// signature (`:help Linear`).
enum HelpCommand {
    static let command = Command(
        name: "help", usage: ":help [TOPIC]",
        summary: "this overview; TOPIC: a :command, language, or an nn layer (e.g. Linear)"
    ) { session, arguments in
        let topic = arguments.trimmingCharacters(in: .whitespaces)
        session.write(try text(for: topic, registry: session.commands))
        return .ok
    }

    /// The help text for `topic` ("" = overview).
    static func text(for topic: String, registry: CommandRegistry) throws -> String {
        if topic.isEmpty { return overview(registry) }
        if topic == "language" { return language }
        let commandName = topic.hasPrefix(":") ? String(topic.dropFirst()) : topic
        if let command = registry.command(named: commandName) {
            var out = "usage: \(command.usage)\n\(command.summary)\n"
            if !command.details.isEmpty { out += "\n\(command.details)\n" }
            return out
        }
        if let layer = LayerHelp.entry(for: topic) {
            return "\(layer.signature)\n\(layer.description)\n"
        }
        throw CommandError.failed("no help for '\(topic)' (topics: the :commands, language, nn layers such as Linear)")
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

    static let language = """
    nnrepl's language is a subset of Python 3 with PyTorch's names; a script without
    :commands runs unchanged under Python + PyTorch and prints the same.
      statements: expressions, assignment (= += … unpacking, attributes, subscripts), if/elif/
        else, for, while, break, continue, pass, def (defaults, *args, **kwargs, keyword-only),
        return, lambda, class (inheritance, multiple too; super()), try/except/else/finally, raise,
        assert, del, with torch.no_grad():, global, nonlocal, import / from … import … as …
      expressions: int, float, str (f-strings), bool, None, list/tuple/dict/set displays and
        comprehensions, arithmetic (// % ** @), comparisons, and/or/not, is, in, x if c else y
      modules: torch, torch.nn (nn), torch.nn.functional (F), torch.nn.init, torch.optim,
        torchvision.models, math, random, time
    Errors are Python's exceptions; an uncaught one prints a traceback and the REPL carries on.

    """
}
