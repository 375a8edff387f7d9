/// Python's `textwrap`: `wrap`, `fill`, `shorten`, `dedent`, `indent` and `TextWrapper`, with
/// CPython's chunking (words split after hyphens between letters, whitespace runs kept as
/// chunks) and its greedy line filling, long-word breaking and `max_lines` placeholder rules.
/// `fix_sentence_endings` is accepted and ignored.
enum TextwrapModule {
    /// A `TextWrapper`'s settings, by CPython's names.
    struct Options {
        var width = 70
        var initialIndent = "", subsequentIndent = ""
        var expandTabs = true, replaceWhitespace = true, fixSentenceEndings = false
        var breakLongWords = true, dropWhitespace = true, breakOnHyphens = true
        var tabsize = 8
        var maxLines: Int?
        var placeholder = " [...]"

        /// The keyword names and how each sets its field.
        static let fields: [(String, (inout Options, Value) throws -> Void, (Options) -> Value)] = [
            ("width", { $0.width = try $1.asInt("width") }, { .int($0.width) }),
            ("initial_indent", { $0.initialIndent = try $1.asString("initial_indent") }, { .str($0.initialIndent) }),
            ("subsequent_indent", { $0.subsequentIndent = try $1.asString("subsequent_indent") }, { .str($0.subsequentIndent) }),
            ("expand_tabs", { $0.expandTabs = try truth($1) }, { .bool($0.expandTabs) }),
            ("replace_whitespace", { $0.replaceWhitespace = try truth($1) }, { .bool($0.replaceWhitespace) }),
            ("fix_sentence_endings", { $0.fixSentenceEndings = try truth($1) }, { .bool($0.fixSentenceEndings) }),
            ("break_long_words", { $0.breakLongWords = try truth($1) }, { .bool($0.breakLongWords) }),
            ("drop_whitespace", { $0.dropWhitespace = try truth($1) }, { .bool($0.dropWhitespace) }),
            ("break_on_hyphens", { $0.breakOnHyphens = try truth($1) }, { .bool($0.breakOnHyphens) }),
            ("tabsize", { $0.tabsize = try $1.asInt("tabsize") }, { .int($0.tabsize) }),
            ("max_lines", { $0.maxLines = $1.isNone ? nil : try $1.asInt("max_lines") }, { $0.maxLines.map { .int($0) } ?? .none }),
            ("placeholder", { $0.placeholder = try $1.asString("placeholder") }, { .str($0.placeholder) }),
        ]

        private static func truth(_ v: Value) throws -> Bool {
            switch v {
            case .bool(let b): return b
            case .int(let i): return i != 0
            case .none: return false
            default: return true
            }
        }

        /// CPython's defaults.
        init() {}

        /// Options from keyword arguments (TypeError for an unknown one, as CPython's `__init__`).
        init(_ keywords: [(name: String, value: Value)], function: String) throws {
            for (k, v) in keywords {
                guard let field = Options.fields.first(where: { $0.0 == k }) else {
                    throw PyError(.typeError, "\(function)() got an unexpected keyword argument '\(k)'")
                }
                try field.1(&self, v)
            }
        }
    }

    static func module() -> Namespace {
        let m = Namespace("textwrap")
        func textFunction(_ name: String, _ doc: String, _ body: @escaping (String, Arguments, Evaluator) throws -> Value) {
            m[name] = .object(NativeFunction(name, doc: doc) { a, ev in
                guard let first = a.positional.first else {
                    throw PyError(.typeError, "\(name)() missing 1 required positional argument: 'text'")
                }
                return try body(try first.asString("text"), Arguments(Array(a.positional.dropFirst()), keywords: a.keywords), ev)
            })
        }
        textFunction("wrap", "wrap(text, width=70, **kwargs): the lines of text filled to width.") { text, a, ev in
            ev.makeList(try wrap(text, try options(a, function: "wrap")).map { .str($0) })
        }
        textFunction("fill", "fill(text, width=70, **kwargs): the wrapped lines joined with newlines.") { text, a, _ in
            .str(try wrap(text, try options(a, function: "fill")).joined(separator: "\n"))
        }
        textFunction("shorten", "shorten(text, width, **kwargs): whitespace collapsed, cut to one line ending in the placeholder.") { text, a, _ in
            guard a.positional.count == 1 || a.keywords.contains(where: { $0.name == "width" }) else {
                throw PyError(.typeError, "shorten() missing 1 required positional argument: 'width'")
            }
            var o = try options(a, function: "shorten")
            o.maxLines = 1
            let collapsed = text.split(whereSeparator: { isSpace($0) }).joined(separator: " ")
            return .str(try wrap(collapsed, o).joined(separator: "\n"))
        }
        textFunction("dedent", "dedent(text): the text without the whitespace all its lines start with.") { text, _, _ in
            .str(dedent(text))
        }
        textFunction("indent", "indent(text, prefix, predicate=None): prefix added to the lines that are not only whitespace.") { text, a, ev in
            let s = try a.bind("indent", ["prefix", "predicate"], required: 1)
            let prefix = try (s[0] ?? .none).asString("prefix")
            var out = ""
            for line in splitLinesKeepingEnds(text) {
                let add: Bool
                if let predicate = s[1], !predicate.isNone { add = try ev.truthy(try ev.call(predicate, Arguments([.str(line)]))) }
                else { add = !line.allSatisfy { $0.isWhitespace } }
                out += (add ? prefix : "") + line
            }
            return .str(out)
        }
        let wrapperType = HostType("TextWrapper", doc: "A wrapper with settings: wrap(text) and fill(text).", check: {
            if case .object(let o) = $0 { return o is TextWrapper }
            return false
        }, construct: { a, _ in
            .object(TextWrapper(try options(a, function: "TextWrapper.__init__")))
        })
        wrapperType.module = "textwrap"
        m["TextWrapper"] = .object(wrapperType)
        return m
    }

    /// Options from `width` given positionally or by keyword, and the other keywords.
    private static func options(_ a: Arguments, function: String) throws -> Options {
        guard a.positional.count <= 1 else {
            throw PyError(.typeError, "\(function)() takes from 1 to 2 positional arguments but \(a.positional.count + 1) were given")
        }
        var o = try Options(a.keywords, function: function)
        if let w = a.positional.first { o.width = try w.asInt("width") }
        return o
    }

    /// CPython's `_whitespace`: the ASCII whitespace textwrap splits at.
    static func isSpace(_ c: Character) -> Bool { " \t\n\u{0B}\u{0C}\r".contains(c) || c == "\r\n" }

    private static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
    private static func isLetter(_ c: Character) -> Bool { isWordCharacter(c) && !c.isNumber }
    private static func isWordPunctuation(_ c: Character) -> Bool { isWordCharacter(c) || "!\"'&.,?".contains(c) }

    /// `TextWrapper._split_chunks`: whitespace runs, words, and with `breakOnHyphens` the parts
    /// of hyphenated words (each ending in its hyphen) and em-dashes.
    static func chunks(_ text: String, _ o: Options) -> [String] {
        var t = text
        if o.expandTabs { t = expandTabs(t, o.tabsize) }
        if o.replaceWhitespace { t = String(t.map { isSpace($0) ? " " : $0 }) }
        let c = Array(t)
        func at(_ i: Int) -> Character? { i >= 0 && i < c.count ? c[i] : nil }
        func letter(_ i: Int) -> Bool { at(i).map(isLetter) ?? false }
        func dashRunThenWord(from i: Int) -> Int? {
            var j = i
            while at(j) == "-" { j += 1 }
            return j - i >= 2 && (at(j).map(isWordCharacter) ?? false) ? j : nil
        }
        var out: [String] = []
        var i = 0
        while i < c.count {
            var end = i + 1
            if isSpace(c[i]) {
                while end < c.count, isSpace(c[end]) { end += 1 }
            } else if o.breakOnHyphens, c[i] == "-", at(i - 1).map(isWordPunctuation) ?? false, let j = dashRunThenWord(from: i) {
                end = j
            } else {
                while true {
                    if end >= c.count || isSpace(c[end]) { break }
                    if o.breakOnHyphens {
                        if c[end - 1] == "-", end - 1 > i, (letter(end - 3) && letter(end - 2)) || (letter(end - 4) && at(end - 3) == "-" && letter(end - 2)),
                           letter(end), letter(end + 1) || (at(end + 1) == "-" && letter(end + 2)) { break }
                        if isWordPunctuation(c[end - 1]), dashRunThenWord(from: end) != nil { break }
                    }
                    end += 1
                }
            }
            out.append(String(c[i..<end]))
            i = end
        }
        return out
    }

    /// `str.expandtabs(tabsize)`.
    static func expandTabs(_ s: String, _ tabsize: Int) -> String {
        var out = "", column = 0
        for ch in s {
            if ch == "\t" {
                let n = tabsize > 0 ? tabsize - column % tabsize : 0
                out += String(repeating: " ", count: n)
                column += n
            } else {
                out.append(ch)
                column = ch == "\n" || ch == "\r" ? 0 : column + 1
            }
        }
        return out
    }

    /// `TextWrapper.wrap`: CPython's `_wrap_chunks`.
    static func wrap(_ text: String, _ o: Options) throws -> [String] {
        guard o.width > 0 else { throw PyError(.valueError, "invalid width \(o.width) (must be > 0)") }
        let placeholder = o.placeholder
        if let maxLines = o.maxLines {
            let indent = maxLines > 1 ? o.subsequentIndent : o.initialIndent
            if indent.count + String(placeholder.drop(while: { $0.isWhitespace })).count > o.width {
                throw PyError(.valueError, "placeholder too large for max width")
            }
        }
        var pending = Array(chunks(text, o).reversed())
        func blank(_ s: String) -> Bool { s.allSatisfy { $0.isWhitespace } }
        var lines: [String] = []
        while !pending.isEmpty {
            var line: [String] = [], length = 0
            let indent = lines.isEmpty ? o.initialIndent : o.subsequentIndent
            let width = o.width - indent.count
            if o.dropWhitespace, let last = pending.last, blank(last), !lines.isEmpty { pending.removeLast() }
            while let next = pending.last, length + next.count <= width {
                line.append(next)
                length += next.count
                pending.removeLast()
            }
            if let long = pending.last, long.count > width {
                let spaceLeft = width < 1 ? 1 : width - length
                if o.breakLongWords {
                    var end = spaceLeft
                    let chars = Array(long)
                    if o.breakOnHyphens, chars.count > spaceLeft,
                       let hyphen = chars[0..<Swift.min(spaceLeft, chars.count)].lastIndex(of: "-"), hyphen > 0,
                       chars[0..<hyphen].contains(where: { $0 != "-" }) {
                        end = hyphen + 1
                    }
                    line.append(String(chars[0..<Swift.min(end, chars.count)]))
                    pending[pending.count - 1] = String(chars[Swift.min(end, chars.count)...])
                } else if line.isEmpty {
                    line.append(pending.removeLast())
                }
                length = line.reduce(0) { $0 + $1.count }
            }
            if o.dropWhitespace, let last = line.last, blank(last) {
                length -= last.count
                line.removeLast()
            }
            guard !line.isEmpty else { continue }
            let restIsBlank = pending.isEmpty || (o.dropWhitespace && pending.count == 1 && blank(pending[0]))
            if o.maxLines.map({ lines.count + 1 < $0 }) ?? true || (restIsBlank && length <= width) {
                lines.append(indent + line.joined())
                continue
            }
            while let last = line.last {
                if !blank(last), length + placeholder.count <= width {
                    lines.append(indent + line.joined() + placeholder)
                    return lines
                }
                length -= last.count
                line.removeLast()
            }
            if let previous = lines.last {
                let trimmed = String(previous.reversed().drop(while: { $0.isWhitespace }).reversed())
                if trimmed.count + placeholder.count <= o.width {
                    lines[lines.count - 1] = trimmed + placeholder
                    return lines
                }
            }
            lines.append(indent + String(placeholder.drop(while: { $0.isWhitespace })))
            return lines
        }
        return lines
    }

    /// `textwrap.dedent`: lines of only blanks and tabs emptied, then the common leading
    /// blanks/tabs of the other lines removed.
    static func dedent(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines = lines.map { $0.allSatisfy { $0 == " " || $0 == "\t" } ? "" : $0 }
        var margin: String?
        for line in lines where !line.isEmpty {
            let indent = String(line.prefix(while: { $0 == " " || $0 == "\t" }))
            guard let m = margin else { margin = indent; continue }
            if indent.hasPrefix(m) { continue }
            if m.hasPrefix(indent) { margin = indent; continue }
            margin = String(zip(m, indent).prefix(while: { $0.0 == $0.1 }).map(\.0))
        }
        guard let m = margin, !m.isEmpty else { return lines.joined(separator: "\n") }
        return lines.map { $0.hasPrefix(m) ? String($0.dropFirst(m.count)) : $0 }.joined(separator: "\n")
    }

    /// `str.splitlines(keepends=True)` for the line ends text files use.
    static func splitLinesKeepingEnds(_ text: String) -> [String] {
        var out: [String] = [], current = ""
        for ch in text {
            current.append(ch)
            if ch == "\n" || ch == "\r\n" || ch == "\r" {
                out.append(current)
                current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}

/// `textwrap.TextWrapper(**settings)`: `wrap`, `fill` and the settings as attributes.
final class TextWrapper: PyObject {
    private var options: TextwrapModule.Options

    init(_ options: TextwrapModule.Options) {
        self.options = options
        super.init()
    }

    override var typeName: String { "TextWrapper" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "wrap":
            return method(name) { a, ev in
                let text = try (try a.bind("wrap", ["text"], required: 1)[0] ?? .none).asString("text")
                return ev.makeList(try TextwrapModule.wrap(text, self.options).map { .str($0) })
            }
        case "fill":
            return method(name) { a, _ in
                let text = try (try a.bind("fill", ["text"], required: 1)[0] ?? .none).asString("text")
                return .str(try TextwrapModule.wrap(text, self.options).joined(separator: "\n"))
            }
        default:
            return TextwrapModule.Options.fields.first { $0.0 == name }.map { $0.2(options) }
        }
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        guard let field = TextwrapModule.Options.fields.first(where: { $0.0 == name }) else {
            throw PyError(.attributeError, "'TextWrapper' object has no attribute '\(name)'")
        }
        try field.1(&options, value)
    }
}
