import Foundation
import NNLang

/// `:export FILE.py` — the session's inputs as a plain Python + PyTorch script: Python code as
/// typed, and each state-changing `:command` as the Python that does the same (`:swap` a
/// `setattr` loop over `named_modules()`, `:freeze`/`:unfreeze` `requires_grad_` loops,
/// `:load` the loaded file inlined, `:time` its statement, `:reset` deleting the globals).
enum ExportCommand {
    static let command = Command(
        name: "export", usage: ":export FILE.py",
        summary: "write the session as a plain Python + PyTorch script (:commands as equivalent Python)",
        details: """
        Writes what :save writes, with each state-changing :command replaced by Python that
        does the same, so the file runs under python3 with torch: :swap M OLD -> NEW(args)
        becomes a loop over M.named_modules() calling setattr(parent, name, NEW(args)) for
        each child that isinstance(child, OLD) (bare torch.nn names get their torch.nn.
        prefix); :freeze / :unfreeze M [PREFIX] a loop over M.named_parameters() calling
        requires_grad_(False / True); :load FILE the file's inputs, translated the same way;
        :time [-n N] STATEMENT the statement; :reset a loop deleting the globals.
        """
    ) { session, arguments in
        guard !arguments.isEmpty else { throw CommandError.usage }
        var pieces: [String] = []
        for entry in session.transcript { pieces.append(try python(for: entry, session, loading: [])) }
        let text = "# Exported from nnrepl: plain Python + PyTorch.\n" + SessionCommands.scriptText(pieces)
        do {
            try text.write(toFile: SessionCommands.expandTilde(arguments), atomically: true, encoding: .utf8)
        } catch {
            throw CommandError.failed("can't write file '\(arguments)'")
        }
        session.writeLine("exported \(pieces.count == 1 ? "1 input" : "\(pieces.count) inputs") to \(arguments)")
        return .ok
    }

    /// One transcript entry as Python. `loading` holds the files being inlined (a file that
    /// loads itself is an error, not an endless export).
    static func python(for entry: String, _ session: Session, loading: [String]) throws -> String {
        let trimmed = entry.drop { $0 == " " || $0 == "\t" }
        guard trimmed.hasPrefix(":") else { return entry }
        let body = trimmed.dropFirst()
        let name = String(body.prefix { !$0.isWhitespace })
        let rest = String(body.dropFirst(name.count)).trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = CommandText.splitTopLevel(rest)
        switch name {
        case "swap":
            let sides = rest.components(separatedBy: "->")
            let left = CommandText.splitTopLevel(sides.first ?? "")
            guard sides.count == 2, left.count == 2 else { throw CommandError.failed("can't export \(entry)") }
            let new = qualified(sides[1].trimmingCharacters(in: .whitespaces), session)
            let test = isResolvable(left[1], session) ? "isinstance(_child, \(qualified(left[1], session)))"
                                                      : "type(_child).__name__ == \(pythonString(left[1]))"
            return """
            for _name, _parent in list(\(left[0]).named_modules()):
                for _child_name, _child in list(_parent.named_children()):
                    if \(test):
                        setattr(_parent, _child_name, \(new))
            """
        case "freeze", "unfreeze":
            guard parts.count == 1 || parts.count == 2 else { throw CommandError.failed("can't export \(entry)") }
            let flag = name == "freeze" ? "False" : "True"
            guard parts.count == 2 else {
                return "for _p in \(parts[0]).parameters():\n    _p.requires_grad_(\(flag))"
            }
            let prefix = pythonString(parts[1])
            let dotted = pythonString(parts[1] + ".")
            return """
            for _name, _p in \(parts[0]).named_parameters():
                if _name == \(prefix) or _name.startswith(\(dotted)):
                    _p.requires_grad_(\(flag))
            """
        case "time":
            var statement = Substring(rest)
            if parts.first == "-n", parts.count >= 2 {
                statement = statement.dropFirst(2).drop(while: \.isWhitespace).dropFirst(parts[1].count).drop(while: \.isWhitespace)
            }
            return statement.isEmpty ? "pass" : String(statement)
        case "load":
            let path = SessionCommands.expandTilde(rest)
            guard !loading.contains(path), let source = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw CommandError.failed("can't export \(entry): can't read '\(rest)'")
            }
            let inner = try ScriptRunner.pieces(source).map { piece -> String in
                switch piece {
                case .python(let text, _), .command(let text, _): return try python(for: text, session, loading: loading + [path])
                }
            }
            return "# :load \(rest)\n" + SessionCommands.scriptText(inner)
        case "reset":
            return "for _name in [_n for _n in globals() if not _n.startswith('__')]:\n    del globals()[_name]"
        default:
            throw CommandError.failed("can't export \(entry)")
        }
    }

    /// `ReLU` → `torch.nn.ReLU` when the session resolves the bare name only in torch.nn
    /// (as `:swap` did); anything else unchanged.
    static func qualified(_ text: String, _ session: Session) -> String {
        let head = String(text.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
        guard !head.isEmpty, session.interpreter.global(head) == nil, session.torchNNMember(head) != nil else { return text }
        return "__import__('torch').nn." + text
    }

    /// Whether OLD names a type the session can evaluate (else `:swap` matched the type name).
    static func isResolvable(_ text: String, _ session: Session) -> Bool {
        (try? session.evaluateLayerExpression(text)) != nil
    }

    /// A Python string literal.
    static func pythonString(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
