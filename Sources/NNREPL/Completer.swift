import Foundation
import NNLang
import NeuralNet
import TensorRuntime

/// Tab completion for the REPL. Static and side-effect free: it reads the session's
/// variables and registered submodules/parameters, never calls anything (no repr, no
/// forward, no properties). Completes `:command` names, `:help` topics, file names after
/// `:load`/`:save`, and in Python (also in command arguments) names, keywords, builtins and
/// `obj.attr` chains through the interpreter's static completion.
public struct Completer {
    let session: Session

    public init(session: Session) { self.session = session }

    /// Candidates replacing `line[start..<cursor]`.
    public func complete(line: String, cursor: Int) -> Completion {
        let before = String(line.prefix(max(0, cursor)))
        let cursor = before.count
        let lead = before.drop { $0 == " " || $0 == "\t" }
        if lead.hasPrefix(":") {
            guard let space = lead.firstIndex(where: { $0.isWhitespace }) else {
                let names = session.commands.names.filter { $0.hasPrefix(lead) }
                return Completion(start: cursor - lead.count, candidates: names.count == 1 ? [names[0] + " "] : names)
            }
            let name = String(lead[lead.index(after: lead.startIndex)..<space])
            let word = String(before.reversed().prefix { !$0.isWhitespace }.reversed())
            switch name {
            case "load", "save":
                return Completion(start: cursor - word.count, candidates: Completer.files(matching: word))
            case "help":
                return Completion(start: cursor - word.count, candidates: helpTopics.filter { $0.hasPrefix(word) })
            default:
                break
            }
        }
        return python(before)
    }

    /// Names and attribute chains for the dotted token ending the text.
    func python(_ before: String) -> Completion {
        let token = String(before.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }.reversed())
        let start = before.count - token.count
        var candidates = session.interpreter.completions(for: before, cursor: before.count)
        if candidates.isEmpty, let dot = token.lastIndex(of: ".") {
            let head = String(token[..<dot])
            let prefix = String(token[token.index(after: dot)...])
            if case .tensor? = resolve(head) {
                candidates = session.interpreter.host.tensorAttributeNames()
                    .filter { $0.hasPrefix(prefix) && (prefix.hasPrefix("_") || !$0.hasPrefix("_")) }
                    .map { head + "." + $0 }
            }
        }
        return Completion(start: start, candidates: candidates)
    }

    /// The value of a dotted chain of variables, submodules, parameters and buffers
    /// (`model.fc.weight`), looked up without running code; nil when not found that way.
    func resolve(_ chain: String) -> Value? {
        let parts = chain.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, var value = session.interpreter.global(first) else { return nil }
        for name in parts.dropFirst() {
            switch value {
            case .module(let m):
                if let child = m.child(name) { value = .module(child) }
                else if let p = m.parameter(name) ?? m.buffer(name) { value = .tensor(p) }
                else { return nil }
            case .tensor(let t) where name == "grad":
                guard let g = t.grad else { return nil }
                value = .tensor(g)
            default:
                return nil
            }
        }
        return value
    }

    var helpTopics: [String] {
        (session.commands.all.map(\.name) + ["language"] + LayerHelp.entries.keys).sorted()
    }

    /// Entries of the folder in `word` whose names start with its last component (relative
    /// to the current folder; `~` expands). Folders end with `/`; hidden files only when the
    /// component starts with a dot.
    static func files(matching word: String) -> [String] {
        let slash = word.lastIndex(of: "/")
        let folderPart = slash.map { String(word[...$0]) } ?? ""
        let namePrefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
        let folder = folderPart.isEmpty ? "." : (folderPart as NSString).expandingTildeInPath
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.filter { $0.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !$0.hasPrefix(".")) }
            .sorted()
            .map { name in
                var isDirectory: ObjCBool = false
                let path = (folder as NSString).appendingPathComponent(name)
                FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                return folderPart + name + (isDirectory.boolValue ? "/" : "")
            }
    }
}
