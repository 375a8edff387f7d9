/// What the text before the cursor leaves open — a string literal, brackets — and the
/// expression chain (`r18.layer1[0].conv1`) ending at a position. Pure text analysis for
/// `Completer`; nothing is evaluated.
struct LineScan {
    /// A string literal still open at the end of the text.
    struct OpenString {
        /// Offset of its first character (a prefix letter such as `f`, or the quote).
        let start: Int
        /// Offset just after the opening quote(s).
        let contentStart: Int
        /// The opening quote: `'`, `"`, `'''` or `"""`.
        let quote: String
    }

    let chars: [Character]
    private(set) var openString: OpenString?
    /// Open brackets `(`, `[`, `{` with their offsets, innermost last.
    private(set) var brackets: [(bracket: Character, offset: Int)] = []
    /// The text ends in a comment.
    private(set) var inComment = false

    init(_ text: String) {
        chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if let open = openString {
                if c == "\\" {
                    i += 2
                } else if chars[i...].starts(with: open.quote) {
                    openString = nil
                    i += open.quote.count
                } else {
                    i += 1
                }
                continue
            }
            switch c {
            case "#":
                inComment = true
                return
            case "'", "\"":
                let quote = chars[i...].starts(with: [c, c, c]) ? String(repeating: c, count: 3) : String(c)
                var start = i
                while start > 0, "rRbBfFuU".contains(chars[start - 1]) { start -= 1 }
                if start > 0, LineScan.isIdentifier(chars[start - 1]) { start = i }  // `bar'`: not a prefix
                openString = OpenString(start: start, contentStart: i + quote.count, quote: quote)
                i += quote.count
            case "(", "[", "{":
                brackets.append((c, i))
                i += 1
            case ")", "]", "}":
                if !brackets.isEmpty { brackets.removeLast() }
                i += 1
            default:
                i += 1
            }
        }
    }

    static func isIdentifier(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    /// The start of the chain of names, `.` and balanced `[...]` ending at `end`.
    func chainStart(before end: Int) -> Int {
        var i = min(max(0, end), chars.count)
        while i > 0 {
            let c = chars[i - 1]
            if LineScan.isIdentifier(c) || c == "." {
                i -= 1
            } else if c == "]", let open = openingBracket(of: i - 1) {
                i = open
            } else {
                break
            }
        }
        return i
    }

    /// The offset of the `[` matching the `]` at `close`.
    private func openingBracket(of close: Int) -> Int? {
        var depth = 0
        var i = close
        while i >= 0 {
            if chars[i] == "]" { depth += 1 }
            if chars[i] == "[" {
                depth -= 1
                if depth == 0 { return i }
            }
            i -= 1
        }
        return nil
    }

    /// `chars[range]` as a String.
    func text(_ range: Range<Int>) -> String {
        String(chars[max(0, range.lowerBound)..<min(chars.count, range.upperBound)])
    }
}

/// One step of an expression chain: the first name, `.name`, or `[literal]`.
enum ChainSegment: Equatable {
    case name(String)
    case attribute(String)
    case index(Int)
    case key(String)

    /// The chain written back in valid Python (`.0` becomes `[0]`).
    static func text(_ segments: [ChainSegment]) -> String {
        segments.map { segment -> String in
            switch segment {
            case .name(let n): return n
            case .attribute(let a): return a.first?.isNumber == true && a.allSatisfy(\.isNumber) ? "[\(a)]" : "." + a
            case .index(let i): return "[\(i)]"
            case .key(let k): return "['\(k)']"
            }
        }.joined()
    }

    /// Parses `model.layer1[0]['a'].conv`; nil unless it is such a chain. An attribute may be
    /// empty only at the end (`model.` → last segment `.attribute("")`).
    static func parse(_ text: String) -> [ChainSegment]? {
        var chars = Array(text)[...]
        func identifier() -> String {
            let name = chars.prefix(while: LineScan.isIdentifier)
            chars = chars.dropFirst(name.count)
            return String(name)
        }
        let first = identifier()
        guard let head = first.first, !head.isNumber else { return nil }
        var segments: [ChainSegment] = [.name(first)]
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "." {
                let name = identifier()
                if name.isEmpty, !chars.isEmpty { return nil }
                segments.append(.attribute(name))
            } else if c == "[" {
                guard let close = chars.firstIndex(of: "]") else { return nil }
                let literal = String(chars[..<close]).trimmingSpaces()
                chars = chars[chars.index(after: close)...]
                if let i = Int(literal) {
                    segments.append(.index(i))
                } else if literal.count >= 2, let q = literal.first, q == "'" || q == "\"", literal.last == q {
                    segments.append(.key(String(literal.dropFirst().dropLast())))
                } else {
                    return nil
                }
            } else {
                return nil
            }
        }
        return segments
    }
}

extension String {
    /// Without leading and trailing spaces.
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
