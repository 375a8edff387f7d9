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

    /// Python completion at the end of `before`: inside a string, a dict's keys after
    /// `d['` and file names otherwise; indices and keys after an open `[`; keyword arguments
    /// of the call the cursor is in (when any name matches); else the chain of names,
    /// attributes and subscripts before the cursor (`r18.layer1[0].c`), where a name that
    /// is not an identifier is offered as a subscript (`r18.layer1[0]`, never `.0`).
    func python(_ before: String) -> Completion {
        let scan = LineScan(before)
        let cursor = scan.chars.count
        if scan.inComment { return Completion(start: cursor, candidates: []) }
        if let string = scan.openString { return stringCompletion(scan, string) }
        if let open = scan.brackets.last {
            if open.bracket == "[", let completion = subscriptCompletion(scan, openAt: open.offset) { return completion }
            if open.bracket == "(", let completion = keywordCompletion(scan, openAt: open.offset) { return completion }
        }
        return chainCompletion(scan)
    }

    private var resolver: StaticResolver { StaticResolver(interpreter: session.interpreter) }

    /// The chain ending just before `end`, parsed and resolved.
    private func value(before end: Int, in scan: LineScan) -> (segments: [ChainSegment], value: Value)? {
        let start = scan.chainStart(before: end)
        guard let segments = ChainSegment.parse(scan.text(start..<end)),
              let value = resolver.resolve(segments) else { return nil }
        return (segments, value)
    }

    private func stringCompletion(_ scan: LineScan, _ string: LineScan.OpenString) -> Completion {
        let cursor = scan.chars.count
        let prefix = scan.text(string.contentStart..<cursor)
        if let open = scan.brackets.last, open.bracket == "[",
           scan.text(open.offset + 1..<string.start).trimmingSpaces().isEmpty,
           let subscripted = value(before: open.offset, in: scan) {
            let keys = resolver.subscriptKeys(of: subscripted.value).compactMap { key -> String? in
                guard case .key(let k) = key, k.hasPrefix(prefix) else { return nil }
                return k + string.quote + "]"
            }
            return Completion(start: string.contentStart, candidates: keys.sorted())
        }
        return Completion(start: string.contentStart, candidates: Completer.files(matching: prefix))
    }

    private func subscriptCompletion(_ scan: LineScan, openAt offset: Int) -> Completion? {
        let typed = scan.text(offset + 1..<scan.chars.count).trimmingSpaces()
        guard typed.isEmpty || typed == "-" || Int(typed) != nil,
              let subscripted = value(before: offset, in: scan) else { return nil }
        let head = ChainSegment.text(subscripted.segments)
        let candidates = resolver.subscriptKeys(of: subscripted.value)
            .map { head + ChainSegment.text([$0]) }
            .filter { $0.dropFirst(head.count + 1).hasPrefix(typed) }
        return Completion(start: scan.chainStart(before: offset), candidates: candidates)
    }

    private func keywordCompletion(_ scan: LineScan, openAt offset: Int) -> Completion? {
        let cursor = scan.chars.count
        var tokenStart = cursor
        while tokenStart > 0, LineScan.isIdentifier(scan.chars[tokenStart - 1]) { tokenStart -= 1 }
        let prefix = scan.text(tokenStart..<cursor)
        guard prefix.first?.isNumber != true else { return nil }
        let previous = scan.chars[offset..<tokenStart].last { $0 != " " }
        guard previous == "(" || previous == "," else { return nil }
        let calleeStart = scan.chainStart(before: offset)
        guard let callee = ChainSegment.parse(scan.text(calleeStart..<offset)),
              let names = CallSignatures(session: session).keywordNames(callee: callee) else { return nil }
        let given = Completer.keywordsGiven(in: scan.text(offset + 1..<tokenStart))
        let matches = names.filter { $0.hasPrefix(prefix) && !given.contains($0) }.sorted().map { $0 + "=" }
        return matches.isEmpty ? nil : Completion(start: tokenStart, candidates: matches)
    }

    /// The `name=` keywords already written in a call's arguments.
    static func keywordsGiven(in arguments: String) -> Set<String> {
        let chars = Array(arguments)
        var names = Set<String>()
        for (i, c) in chars.enumerated() where c == "=" {
            let next = i + 1 < chars.count ? chars[i + 1] : " "
            let previous = i > 0 ? chars[i - 1] : " "
            guard next != "=", !"=!<>".contains(previous) else { continue }
            var end = i
            while end > 0, chars[end - 1] == " " { end -= 1 }
            var start = end
            while start > 0, LineScan.isIdentifier(chars[start - 1]) { start -= 1 }
            if start < end { names.insert(String(chars[start..<end])) }
        }
        return names
    }

    private func chainCompletion(_ scan: LineScan) -> Completion {
        let cursor = scan.chars.count
        let start = scan.chainStart(before: cursor)
        if let segments = ChainSegment.parse(scan.text(start..<cursor)), segments.count > 1,
           case .attribute(let prefix)? = segments.last,
           let owner = resolver.resolve(Array(segments.dropLast())) {
            let head = ChainSegment.text(Array(segments.dropLast()))
            let candidates = resolver.attributeNames(of: owner, prefix: prefix).map { name in
                if name.first.map({ !$0.isNumber }) ?? false, name.allSatisfy(LineScan.isIdentifier) { return head + "." + name }
                return name.allSatisfy(\.isNumber) ? head + "[\(name)]" : head + "['\(name)']"
            }
            return Completion(start: start, candidates: candidates)
        }
        // Names, keywords and builtins, and chains through objects the interpreter knows.
        var tokenStart = cursor
        while tokenStart > 0, LineScan.isIdentifier(scan.chars[tokenStart - 1]) || scan.chars[tokenStart - 1] == "." {
            tokenStart -= 1
        }
        let before = scan.text(0..<cursor)
        return Completion(start: tokenStart, candidates: session.interpreter.completions(for: before, cursor: cursor))
    }

    var helpTopics: [String] {
        (session.commands.all.map(\.name) + ["language"] + LayerHelp.names).sorted()
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
