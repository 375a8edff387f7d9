import Foundation

/// The source text of every function and class the session's code defined (typed, pasted,
/// `:load`ed or run with `-i`), by qualified name (`f`, `Net`, `Net.forward`): what `x??`
/// shows, and where `x?` finds a script object's signature line and docstring. A later
/// definition of the same name replaces the earlier one, as the binding does.
struct DefinitionSources {
    private(set) var sources: [String: String] = [:]

    /// Records the `def` and `class` blocks of `source` (code that ran without error), at module
    /// level and inside classes; functions nested in functions are skipped (their qualified
    /// names hold `<locals>`).
    mutating func record(_ source: String) {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var scopes: [(indent: Int, name: String, isClass: Bool)] = []
        var i = 0
        while i < lines.count {
            let line = lines[i]
            let indent = DefinitionSources.indentation(line)
            let body = line.dropFirst(indent)
            guard let (keyword, name) = DefinitionSources.header(body) else {
                if !body.trimmingCharacters(in: .whitespaces).isEmpty, !body.hasPrefix("#"), !body.hasPrefix("@") {
                    scopes.removeAll { $0.indent >= indent }
                }
                i += 1
                continue
            }
            scopes.removeAll { $0.indent >= indent }
            var start = i
            while start > 0, lines[start - 1].dropFirst(indent).hasPrefix("@"),
                  DefinitionSources.indentation(lines[start - 1]) == indent { start -= 1 }
            var end = i + 1
            while end < lines.count {
                let next = lines[end]
                if !next.trimmingCharacters(in: .whitespaces).isEmpty, DefinitionSources.indentation(next) <= indent { break }
                end += 1
            }
            var block = Array(lines[start..<end])
            while let last = block.last, last.trimmingCharacters(in: .whitespaces).isEmpty { block.removeLast() }
            if scopes.allSatisfy(\.isClass) {
                let qualified = (scopes.map(\.name) + [name]).joined(separator: ".")
                sources[qualified] = block.map { String($0.dropFirst(min(indent, DefinitionSources.indentation($0)))) }
                    .joined(separator: "\n") + "\n"
            }
            scopes.append((indent, name, keyword == "class"))
            i += 1
        }
    }

    /// The recorded source of `qualifiedName`.
    func source(of qualifiedName: String) -> String? { sources[qualifiedName] }

    /// What `x?` prints for a recorded definition: its header (`f(x, y=2)`, `Net(nn.Module)`)
    /// and its docstring, indented, as `help()` prints a declared function.
    func help(of qualifiedName: String) -> String? {
        guard let text = sources[qualifiedName] else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let headerIndex = lines.firstIndex(where: { DefinitionSources.header($0[...]) != nil }) else { return nil }
        var header = lines[headerIndex]
        for keyword in ["async def ", "def ", "class "] where header.hasPrefix(keyword) { header.removeFirst(keyword.count) }
        if header.hasSuffix(":") { header.removeLast() }
        let doc = DefinitionSources.docstring(Array(lines[(headerIndex + 1)...]))
        return header + "\n" + (doc ?? "No docstring.").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n") + "\n"
    }

    /// A block's docstring: its first statement when that is a string literal, with the
    /// common indentation of its continuation lines removed (`inspect.cleandoc`).
    static func docstring(_ body: [String]) -> String? {
        guard let first = body.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else { return nil }
        var text = body[first].trimmingCharacters(in: .whitespaces)
        if let p = text.first, p == "r" || p == "u" { text.removeFirst() }
        let quote = ["\"\"\"", "'''", "\"", "'"].first { text.hasPrefix($0) } ?? ""
        guard !quote.isEmpty else { return nil }
        text.removeFirst(quote.count)
        var lines: [String] = []
        var rest = text, index = first
        while true {
            if let close = rest.range(of: quote) {
                lines.append(String(rest[..<close.lowerBound]))
                break
            }
            lines.append(rest)
            index += 1
            guard quote.count == 3, index < body.count else { return nil }
            rest = body[index]
        }
        let continuation = lines.dropFirst().filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let margin = continuation.map(indentation).min() ?? 0
        var cleaned = [lines[0].trimmingCharacters(in: .whitespaces)] + lines.dropFirst().map { String($0.dropFirst(min(margin, indentation($0)))) }
        while let last = cleaned.last, last.trimmingCharacters(in: .whitespaces).isEmpty { cleaned.removeLast() }
        while let head = cleaned.first, head.isEmpty { cleaned.removeFirst() }
        return cleaned.isEmpty ? nil : cleaned.joined(separator: "\n")
    }

    /// `def NAME` / `async def NAME` / `class NAME` at the start of `line`: the keyword and name.
    static func header(_ line: Substring) -> (String, String)? {
        for keyword in ["def", "class", "async def"] where line.hasPrefix(keyword + " ") {
            let name = line.dropFirst(keyword.count + 1).drop { $0 == " " }.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            return name.isEmpty ? nil : (keyword == "class" ? "class" : "def", String(name))
        }
        return nil
    }

    static func indentation<S: StringProtocol>(_ line: S) -> Int {
        line.prefix { $0 == " " || $0 == "\t" }.count
    }
}
