import Foundation
import NNLang
import NeuralNet

/// The commands about the session itself: `:who`, `:time`, `:load`, `:save`, `:reset`, `:quit`.
enum SessionCommands {
    static let who = Command(
        name: "who", usage: ":who",
        summary: "list the variables with their type and shape / size / parameter count",
        details: "Names starting with _ are not listed."
    ) { session, arguments in
        guard arguments.isEmpty else { throw CommandError.usage }
        let names = session.interpreter.globalNames.filter { !$0.hasPrefix("_") }
        guard !names.isEmpty else {
            session.writeLine("no variables")
            return .ok
        }
        var rows: [[String]] = [["name", "type", "info"]]
        for name in names {
            guard let value = session.interpreter.global(name) else { continue }
            rows.append([name, value.typeName, info(value, session)])
        }
        session.write(CommandText.table(rows, alignments: [.left, .left, .left]) { row, _, cell in
            row == 0 ? session.styled(cell, "1") : cell
        })
        return .ok
    }

    /// Shape and dtype of a tensor, parameter count of a module, length of a container,
    /// the value of a number (never a repr of anything large).
    static func info(_ value: Value, _ session: Session) -> String {
        switch value {
        case .tensor(let t): return "\(CommandText.shape(t.shape)) \(t.dtype.name)"
        case .module(let m):
            let count = m.parameters().reduce(0) { $0 + $1.numel }
            return "\(CommandText.grouped(count)) parameters"
        case .int(let i): return String(i)
        case .float, .bool, .none: return (try? session.interpreter.repr(value)) ?? ""
        case .str(let s): return "len \(s.count)"
        case .object:
            if let items = session.interpreter.sequenceItems(value) { return "len \(items.count)" }
            if let items = session.interpreter.mappingItems(value) { return "len \(items.count)" }
            return ""
        }
    }

    static let time = Command(
        name: "time", usage: ":time [-n N] STATEMENT",
        summary: "run STATEMENT and print its wall time (-n N: N runs, best and mean)",
        details: """
        Example: :time y = model(x)      prints  Wall time: 1.23 ms
                 :time -n 10 y = model(x) prints  10 runs: best 1.19 ms, mean 1.25 ms
        Times are in µs, ms or s. With -n N the statement runs N times in a row (its effects
        repeat, as with %timeit; an expression's value is shown once); the first error stops it
        and is reported instead.
        """,
        isReplayable: true
    ) { session, arguments in
        let (runs, statement) = try repeatCount(arguments)
        var times: [Double] = []
        let echoes = session.echoExpressions
        defer { session.echoExpressions = echoes }
        for run in 0..<runs {
            // An expression's value is shown once (after the first run), not once per repeat.
            session.echoExpressions = echoes && run == 0
            let start = DispatchTime.now().uptimeNanoseconds
            let outcome = session.runPython(statement, fileName: "<stdin>", record: false)
            times.append(Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9)
            guard outcome == .ok else { return outcome }
        }
        if runs == 1 {
            session.writeLine("Wall time: \(formatDuration(times[0]))")
        } else {
            let mean = times.reduce(0, +) / Double(times.count)
            session.writeLine("\(runs) runs: best \(formatDuration(times.min() ?? 0)), mean \(formatDuration(mean))")
        }
        return .ok
    }

    /// The largest `-n` `:time` accepts.
    static let maxRepeats = 1_000_000

    /// Splits `-n N STATEMENT` into (N, STATEMENT); without `-n`, (1, the whole text).
    static func repeatCount(_ arguments: String) throws -> (Int, String) {
        guard arguments.hasPrefix("-n") else {
            guard !arguments.isEmpty else { throw CommandError.usage }
            return (1, arguments)
        }
        let rest = arguments.dropFirst(2).drop { $0 == " " }
        let digits = rest.prefix { $0.isNumber }
        let statement = rest.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        guard let n = Int(digits), !statement.isEmpty, rest.dropFirst(digits.count).first == " " else {
            throw CommandError.usage
        }
        guard (1...maxRepeats).contains(n) else {
            throw CommandError.failed("-n takes a count from 1 to \(CommandText.grouped(maxRepeats)), not \(digits)")
        }
        return (n, statement)
    }

    /// `512 µs`, `1.23 ms`, `2.5 s` (3 significant digits, like IPython's %time).
    static func formatDuration(_ seconds: Double) -> String {
        let (value, unit): (Double, String) =
            seconds < 1e-3 ? (seconds * 1e6, "µs") : seconds < 1 ? (seconds * 1e3, "ms") : (seconds, "s")
        let digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
        return String(format: "%.\(digits)f \(unit)", value)
    }

    static let load = Command(
        name: "load", usage: ":load FILE.nnrepl",
        summary: "run a script in this session (its variables stay defined)",
        details: "The path is relative to the current folder. :commands in the file run too; the first error stops it.",
        isReplayable: true
    ) { session, arguments in
        guard !arguments.isEmpty else { throw CommandError.usage }
        let path = expandTilde(arguments)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandError.failed("can't open file '\(arguments)'")
        }
        let source: String
        do {
            source = try ScriptSource.decode(Array(data), fileName: arguments)
        } catch {
            throw CommandError.failed("\(error)")
        }
        guard loadDepth < maximumLoadDepth else {
            throw CommandError.failed("RecursionError: :load nested more than \(maximumLoadDepth) deep (does '\(arguments)' load itself?)")
        }
        loadDepth += 1
        defer { loadDepth -= 1 }
        return ScriptRunner.run(source: source, fileName: arguments, in: session, record: false)
    }

    /// How many `:load`s may nest (a script that loads itself stops here with an error).
    static let maximumLoadDepth = 100
    /// The `:load`s running now, outermost first (they run on the session's thread).
    nonisolated(unsafe) private static var loadDepth = 0

    static let save = Command(
        name: "save", usage: ":save FILE.nnrepl",
        summary: "write the inputs accepted so far as a replayable script",
        details: """
        Writes every input that ran without error, in order: Python code, and the commands
        that change state (:swap, :freeze, :unfreeze, :load, :reset, :time). Informational
        commands (:help, :tree, :params, :summary, :who) and :save itself are left out.
        Replay it with: nnrepl FILE.nnrepl (or :load FILE.nnrepl).
        """
    ) { session, arguments in
        guard !arguments.isEmpty else { throw CommandError.usage }
        let text = scriptText(session.transcript)
        do {
            try text.write(toFile: expandTilde(arguments), atomically: true, encoding: .utf8)
        } catch {
            throw CommandError.failed("can't write file '\(arguments)'")
        }
        let entries = session.transcript.count == 1 ? "1 input" : "\(session.transcript.count) inputs"
        session.writeLine("saved \(entries) to \(arguments)")
        return .ok
    }

    /// The transcript as a script: one entry per line (a multi-line block is followed by a
    /// blank line, so it ends there when replayed in the REPL too).
    static func scriptText(_ transcript: [String]) -> String {
        var out = ""
        for entry in transcript {
            var text = entry
            while text.hasSuffix("\n") { text.removeLast() }
            out += text + "\n"
            if text.contains("\n") { out += "\n" }
        }
        return out
    }

    static let reset = Command(
        name: "reset", usage: ":reset [-f]",
        summary: "delete every variable (asks first when modules would be lost; -f: don't ask)",
        details: """
        At the prompt, when the session holds modules (nn.Module values), :reset names them
        and asks "[y/N]" first; anything but y or yes keeps everything. -f deletes without
        asking. Scripts never ask.
        """,
        isReplayable: true
    ) { session, arguments in
        guard arguments.isEmpty || arguments == "-f" else { throw CommandError.usage }
        let names = session.interpreter.globalNames
        let modules = names.filter { name in
            if case .module? = session.interpreter.global(name) { return true }
            return false
        }
        if arguments.isEmpty, !modules.isEmpty, let confirm = session.confirm {
            let listed = modules.count <= 5 ? modules.joined(separator: ", ")
                                            : modules.prefix(5).joined(separator: ", ") + ", …"
            let question = "delete \(variables(names.count)), including the module\(modules.count == 1 ? "" : "s") \(listed)? [y/N] "
            guard confirm(question) else {
                session.writeLine("nothing deleted")
                return .failed  // not done: not part of the transcript
            }
        }
        session.interpreter.reset()
        session.writeLine("deleted \(variables(names.count))")
        return .ok
    }

    /// `1 variable`, `3 variables`.
    static func variables(_ count: Int) -> String { count == 1 ? "1 variable" : "\(count) variables" }

    static let quit = Command(
        name: "quit", usage: ":quit",
        summary: "leave nnrepl (Ctrl-D on an empty line does the same)"
    ) { _, arguments in
        guard arguments.isEmpty else { throw CommandError.usage }
        return .exit(0)
    }

    /// `~/x` → `$HOME/x`; other paths unchanged (relative ones resolve against the current folder).
    static func expandTilde(_ path: String) -> String {
        (path as NSString).expandingTildeInPath
    }
}
