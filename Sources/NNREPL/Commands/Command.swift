import Foundation
/// A REPL `:command`: its name, a usage line, help text, and what it does.
public struct Command {
    /// The name without the colon (`tree`).
    public let name: String
    /// The usage line (`:tree MODEL`).
    public let usage: String
    /// One line for the `:help` overview.
    public let summary: String
    /// Longer help for `:help NAME` (may be empty).
    public let details: String
    /// Whether `:save` writes this command to the replay script (state-changing commands).
    public let isReplayable: Bool
    /// Runs the command with the text after its name (trimmed).
    let action: (Session, String) throws -> Session.Outcome

    public init(name: String, usage: String, summary: String, details: String = "", isReplayable: Bool = false,
                action: @escaping (Session, String) throws -> Session.Outcome) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.details = details
        self.isReplayable = isReplayable
        self.action = action
    }

    func run(_ session: Session, _ arguments: String) throws -> Session.Outcome {
        try action(session, arguments)
    }
}

/// A command failure reported as one line (`usage: :tree MODEL`, `:load: can't open …`).
public enum CommandError: Error, Equatable {
    /// Malformed arguments: print the usage line.
    case usage
    /// Anything else, with its message.
    case failed(String)

    /// The line to print for `command`.
    func message(for command: Command) -> String {
        switch self {
        case .usage: return "usage: \(command.usage)"
        case .failed(let text): return ":\(command.name): \(text)"
        }
    }
}

/// The set of `:commands`, in the order `:help` lists them.
public struct CommandRegistry {
    /// All commands.
    public private(set) var all: [Command]

    public init(_ commands: [Command]) { all = commands }

    /// The command called `name` (without the colon); nil when unknown.
    public func command(named name: String) -> Command? {
        all.first { $0.name == name }
    }

    /// Command names with their colon, for completion.
    public var names: [String] { all.map { ":" + $0.name } }

    /// Every built-in command.
    public static let standard = CommandRegistry([
        HelpCommand.command,
        TreeCommand.command,
        ParamsCommand.command,
        SwapCommand.command,
        FreezeCommand.freeze,
        FreezeCommand.unfreeze,
        SummaryCommand.command,
        PlotCommand.command,
        ActsCommand.command,
        GradsCommand.command,
        GraphCommand.command,
        SessionCommands.who,
        SessionCommands.time,
        SessionCommands.load,
        SessionCommands.save,
        ExportCommand.command,
        SessionCommands.reset,
        SessionCommands.quit,
    ])
}
