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
        case .object(let o):
            if let items = session.interpreter.sequenceItems(value) { return "len \(items.count)" }
            if let items = session.interpreter.mappingItems(value) { return "len \(items.count)" }
            if o is PyType || o.typeName == "module" || o.typeName == "function" { return "" }
            return ""
        }
    }

    static let time = Command(
        name: "time", usage: ":time STATEMENT",
        summary: "run STATEMENT and print its wall time",
        details: "Example: :time y = model(x)\nPrints Wall time: 1.23 ms (µs, ms or s) after running it.",
        isReplayable: true
    ) { session, arguments in
        guard !arguments.isEmpty else { throw CommandError.usage }
        let start = DispatchTime.now().uptimeNanoseconds
        let outcome = session.runPython(arguments, fileName: "<stdin>", record: false)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
        if outcome == .ok { session.writeLine("Wall time: \(formatDuration(elapsed))") }
        return outcome
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
        let source: String
        do {
            source = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandError.failed("can't open file '\(arguments)'")
        }
        return ScriptRunner.run(source: source, fileName: arguments, in: session, record: false)
    }

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
        name: "reset", usage: ":reset",
        summary: "delete every variable",
        isReplayable: true
    ) { session, arguments in
        guard arguments.isEmpty else { throw CommandError.usage }
        let count = session.interpreter.globalNames.count
        session.interpreter.reset()
        session.writeLine(count == 1 ? "deleted 1 variable" : "deleted \(count) variables")
        return .ok
    }

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
