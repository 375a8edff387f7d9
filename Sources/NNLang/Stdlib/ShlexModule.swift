import Foundation

/// Python's `shlex` in its POSIX mode: `split` (quotes, backslash escapes, `comments=`),
/// `quote` and `join`, with CPython's errors.
enum ShlexModule {
    static func module() -> Namespace {
        let m = Namespace("shlex")
        m["split"] = .object(NativeFunction("split", "s, comments=False, posix=True", doc: "The words of a shell-like command line.") { b, ev in
            ev.makeList(try split(try b[0].asString("s"), comments: try ev.truthy(b[1])).map { .str($0) })
        })
        m["quote"] = .object(NativeFunction("quote", "s", doc: "s made safe as one shell word.") { b, _ in .str(quote(try b[0].asString("s"))) })
        m["join"] = .object(NativeFunction("join", "split_command", doc: "The words quoted and joined with spaces.") { b, ev in
            .str(try ev.iterate(b[0]).map { quote(try $0.asString("split_command")) }.joined(separator: " "))
        })
        return m
    }

    /// CPython's `shlex.quote`: unchanged when every character is safe, else in single quotes.
    static func quote(_ s: String) -> String {
        if s.isEmpty { return "''" }
        let safe = s.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_@%+=:,./-".unicodeScalars.contains($0)) }
        return safe ? s : "'" + s.replacingOccurrences(of: "'", with: "'\"'\"'") + "'"
    }

    /// CPython's POSIX `shlex` tokenizer with `whitespace_split=True`.
    static func split(_ s: String, comments: Bool) throws -> [String] {
        var words: [String] = [], word = "", inWord = false
        var quote: Character?
        var chars = s.makeIterator()
        while let c = chars.next() {
            if let q = quote {
                if c == q { quote = nil; continue }
                if q == "\"", c == "\\" {
                    guard let next = chars.next() else { throw PyError(.valueError, "No closing quotation") }
                    if !"\\\"$`\n".contains(next) { word.append("\\") }
                    word.append(next)
                    continue
                }
                word.append(c)
            } else if c == " " || c == "\t" || c == "\n" || c == "\r" {
                if inWord { words.append(word); word = ""; inWord = false }
            } else if c == "#", comments, !inWord {
                while let n = chars.next(), n != "\n" {}
            } else if c == "'" || c == "\"" {
                quote = c
                inWord = true
            } else if c == "\\" {
                guard let next = chars.next() else { throw PyError(.valueError, "No escaped character") }
                word.append(next)
                inWord = true
            } else {
                word.append(c)
                inWord = true
            }
        }
        if quote != nil { throw PyError(.valueError, "No closing quotation") }
        if inWord { words.append(word) }
        return words
    }
}
