import Foundation

/// Python's `re` on ICU's regular expressions (Foundation's `NSRegularExpression`): `compile`,
/// `search`, `match`, `fullmatch`, `findall`, `finditer`, `sub`, `subn`, `split`, `escape`, the
/// flags, `re.error`, and Pattern/Match objects with CPython's methods and reprs.
///
/// Python's syntax is translated where ICU spells it differently (`(?P<name>…)`, `(?P=name)`,
/// `\Z`, a literal `[` inside a class, `re.ASCII`'s `\w`/`\d`/`\s`); replacement templates
/// (`\1`, `\g<name>`) are expanded here, not by ICU. Positions are code points, as in Python.
enum RegexModule {
    static let ignoreCase = 2, locale = 4, multiline = 8, dotAll = 16, unicode = 32, verbose = 64, ascii = 256

    static func module() -> Namespace {
        let m = Namespace("re")
        for (names, value) in [(["I", "IGNORECASE"], ignoreCase), (["L", "LOCALE"], locale), (["M", "MULTILINE"], multiline),
                               (["S", "DOTALL"], dotAll), (["U", "UNICODE"], unicode), (["X", "VERBOSE"], verbose),
                               (["A", "ASCII"], ascii), (["NOFLAG"], 0)] {
            for name in names { m[name] = .int(value) }
        }
        m["error"] = .object(ExceptionClasses.forKind(.regexError))
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            m[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        func compiled(_ b: Bound, patternAt i: Int = 0, flagsAt f: Int) throws -> RegexPattern {
            try RegexPattern.compile(b[i], flags: try Convert.optionalInt(b[f], "flags") ?? 0)
        }
        def("compile", "pattern, flags=0", "The pattern compiled once, with its search/match/sub methods.") { b, _ in
            .object(try compiled(b, flagsAt: 1))
        }
        def("search", "pattern, string, flags=0", "The first match anywhere in string, or None.") { b, _ in
            try compiled(b, flagsAt: 2).search(b[1], anchored: false)
        }
        def("match", "pattern, string, flags=0", "A match at the start of string, or None.") { b, _ in
            try compiled(b, flagsAt: 2).search(b[1], anchored: true)
        }
        def("fullmatch", "pattern, string, flags=0", "A match of the whole string, or None.") { b, _ in
            try compiled(b, flagsAt: 2).fullmatch(b[1])
        }
        def("findall", "pattern, string, flags=0", "Every non-overlapping match: the strings, or the groups.") { b, _ in
            try compiled(b, flagsAt: 2).findall(b[1])
        }
        def("finditer", "pattern, string, flags=0", "An iterator over the Match objects of every non-overlapping match.") { b, _ in
            try compiled(b, flagsAt: 2).finditer(b[1])
        }
        def("sub", "pattern, repl, string, count=0, flags=0", "string with matches replaced by repl (a template or a function of the match).") { b, ev in
            try compiled(b, flagsAt: 4).substitute(b[1], in: b[2], count: b[3], ev).text
        }
        def("subn", "pattern, repl, string, count=0, flags=0", "As sub, with the number of replacements: (new_string, n).") { b, ev in
            let (text, n) = try compiled(b, flagsAt: 4).substitute(b[1], in: b[2], count: b[3], ev)
            return .object(PyTuple([text, .int(n)]))
        }
        def("split", "pattern, string, maxsplit=0, flags=0", "string split at the matches (captured groups kept).") { b, _ in
            try compiled(b, flagsAt: 3).split(b[1], maxsplit: b[2])
        }
        def("escape", "pattern", "pattern with every regex metacharacter backslash-escaped.") { b, _ in
            guard case .str(let text) = b[0] else { throw PyError(.typeError, "expected str, not \(b[0].typeName)") }
            return .str(escape(text))
        }
        def("purge", "", "Clears the cache of compiled patterns.") { _, _ in RegexPattern.cache.removeAll(); return .none }
        return m
    }

    /// CPython's `re.escape`: every ASCII character that is not a letter, digit or `_`, and is special.
    static func escape(_ text: String) -> String {
        let special = Set("()[]{}?*+-|^$\\.&~# \t\n\r\u{0B}\u{0C}")
        var out = ""
        for c in text {
            if special.contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}

/// A compiled pattern (`re.Pattern`).
final class RegexPattern: PyObject {
    /// Compiled patterns by source and flags, as CPython's `re` caches them (bounded).
    nonisolated(unsafe) static var cache: [String: RegexPattern] = [:]

    let source: String
    let flags: Int
    let regex: NSRegularExpression
    /// `source` in ICU's spelling (what `regex` and `wholeRegex` compile).
    private let translated: String
    /// `(?:source)\z`, compiled on first `fullmatch`.
    private var wholeRegex: NSRegularExpression?
    let groupNames: [String: Int]

    static func compile(_ pattern: Value, flags: Int) throws -> RegexPattern {
        if case .object(let o) = pattern, let p = o as? RegexPattern {
            guard flags == 0 else { throw PyError(.valueError, "cannot process flags argument with a compiled pattern") }
            return p
        }
        guard case .str(let source) = pattern else {
            throw PyError(.typeError, "first argument must be string or compiled pattern")
        }
        let key = "\(flags)\u{0}\(source)"
        if let p = cache[key] { return p }
        let p = try RegexPattern(source: source, flags: flags)
        if cache.count >= 512 { cache.removeAll() }
        cache[key] = p
        return p
    }

    private init(source: String, flags: Int) throws {
        self.source = source
        self.flags = flags
        (translated, groupNames) = RegexPattern.translate(source, ascii: flags & RegexModule.ascii != 0)
        regex = try RegexPattern.make(translated, flags: flags, source: source)
        super.init()
    }

    private static func make(_ pattern: String, flags: Int, source: String) throws -> NSRegularExpression {
        var options: NSRegularExpression.Options = []
        if flags & RegexModule.ignoreCase != 0 { options.insert(.caseInsensitive) }
        if flags & RegexModule.multiline != 0 { options.insert(.anchorsMatchLines) }
        if flags & RegexModule.dotAll != 0 { options.insert(.dotMatchesLineSeparators) }
        if flags & RegexModule.verbose != 0 { options.insert(.allowCommentsAndWhitespace) }
        do {
            // ICU refuses an empty pattern; Python's matches the empty string everywhere.
            return try NSRegularExpression(pattern: pattern.isEmpty ? "(?:)" : pattern, options: options)
        } catch {
            throw PyError(.regexError, "invalid pattern \(String(reflecting: source))")
        }
    }

    /// Python's pattern syntax in ICU's spelling, and the group numbers of the named groups.
    static func translate(_ source: String, ascii: Bool) -> (String, [String: Int]) {
        let chars = Array(source)
        var out = "", names: [String: Int] = [:], group = 0, inClass = false, i = 0
        func classBody(_ c: Character) -> String {
            switch c {
            case "w": return "a-zA-Z0-9_"
            case "d": return "0-9"
            case "s": return " \\t\\n\\r\\f\\x0B"
            default: return "\\\(c)"
            }
        }
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                let n = chars[i + 1]
                if n == "Z" { out += "\\z" }
                else if ascii, "wds".contains(n) { out += inClass ? classBody(n) : "[\(classBody(n))]" }
                else if ascii, "WDS".contains(n), !inClass { out += "[^\(classBody(Character(n.lowercased())))]" }
                else { out.append(c); out.append(n) }
                i += 2
                continue
            }
            if inClass {
                if c == "]" { inClass = false; out.append(c) }
                else if c == "[" { out += "\\[" }
                else if c == "&" || (c == "-" && i + 1 < chars.count && chars[i + 1] == "-") { out += "\\\(c)" }
                else { out.append(c) }
                i += 1
                continue
            }
            if c == "[" {
                inClass = true
                out.append(c)
                i += 1
                // A `]` first in the class (after an optional `^`) is literal in Python.
                if i < chars.count, chars[i] == "^" { out.append("^"); i += 1 }
                if i < chars.count, chars[i] == "]" { out += "\\]"; i += 1 }
                continue
            }
            if c == "(" {
                let rest = String(chars[(i + 1)...].prefix(3))
                if rest.hasPrefix("?P<") || (rest.hasPrefix("?<") && !rest.hasPrefix("?<=") && !rest.hasPrefix("?<!")) {
                    let start = i + (rest.hasPrefix("?P<") ? 4 : 3)
                    if let close = chars[start...].firstIndex(of: ">") {
                        group += 1
                        names[String(chars[start..<close])] = group
                        out += "(?<" + String(chars[start..<close]) + ">"
                        i = close + 1
                        continue
                    }
                }
                if rest.hasPrefix("?P="), let close = chars[(i + 4)...].firstIndex(of: ")") {
                    out += "\\k<" + String(chars[(i + 4)..<close]) + ">"
                    i = close + 1
                    continue
                }
                if !rest.hasPrefix("?") { group += 1 }
            }
            out.append(c)
            i += 1
        }
        return (out, names)
    }

    override var typeName: String { "Pattern" }

    override func repr(_ ev: Evaluator) throws -> String {
        let shown = flags & ~RegexModule.unicode
        let names = [(RegexModule.ignoreCase, "re.IGNORECASE"), (RegexModule.locale, "re.LOCALE"), (RegexModule.multiline, "re.MULTILINE"),
                     (RegexModule.dotAll, "re.DOTALL"), (RegexModule.verbose, "re.VERBOSE"), (RegexModule.ascii, "re.ASCII")]
            .filter { shown & $0.0 != 0 }.map(\.1)
        return "re.compile(\(try ev.repr(.str(source)))\(names.isEmpty ? "" : ", " + names.joined(separator: "|")))"
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .object(let o) = other, let p = o as? RegexPattern else { return false }
        return p.source == source && p.flags == flags
    }

    /// The subject string and its UTF-16 view (ICU's positions).
    private static func subject(_ v: Value) throws -> RegexSubject {
        guard case .str(let text) = v else {
            throw PyError(.typeError, "expected string or bytes-like object, got '\(v.typeName)'")
        }
        return RegexSubject(text)
    }

    private func matches(in s: RegexSubject, range: NSRange? = nil) -> [NSTextCheckingResult] {
        regex.matches(in: s.text, options: [], range: range ?? NSRange(location: 0, length: s.utf16Count))
    }

    func search(_ string: Value, anchored: Bool, pos: Value = .none, endpos: Value = .none) throws -> Value {
        let s = try RegexPattern.subject(string)
        let range = try s.range(pos: pos, endpos: endpos)
        guard let r = regex.firstMatch(in: s.text, options: anchored ? [.anchored] : [], range: range) else { return .none }
        return .object(RegexMatch(self, s, r, range))
    }

    func fullmatch(_ string: Value, pos: Value = .none, endpos: Value = .none) throws -> Value {
        if wholeRegex == nil {
            wholeRegex = try RegexPattern.make("(?:\(translated))\\z", flags: flags, source: source)
        }
        let s = try RegexPattern.subject(string)
        let range = try s.range(pos: pos, endpos: endpos)
        guard let whole = wholeRegex,
              let r = whole.firstMatch(in: s.text, options: [.anchored, .withoutAnchoringBounds], range: range),
              r.range.location + r.range.length == range.location + range.length else { return .none }
        return .object(RegexMatch(self, s, r, range))
    }

    func findall(_ string: Value) throws -> Value {
        let s = try RegexPattern.subject(string)
        let groups = regex.numberOfCaptureGroups
        return .object(PyList(matches(in: s).map { r in
            switch groups {
            case 0: return s.group(r.range)
            case 1: return s.group(r.range(at: 1), missing: .str(""))
            default: return .object(PyTuple((1...groups).map { s.group(r.range(at: $0), missing: .str("")) }))
            }
        }))
    }

    func finditer(_ string: Value) throws -> Value {
        let s = try RegexPattern.subject(string)
        let whole = NSRange(location: 0, length: s.utf16Count)
        return .object(ArrayIterator(matches(in: s).map { .object(RegexMatch(self, s, $0, whole)) }, kind: "callable_iterator"))
    }

    func substitute(_ repl: Value, in string: Value, count: Value, _ ev: Evaluator) throws -> (text: Value, count: Int) {
        let s = try RegexPattern.subject(string)
        let limit = try Convert.optionalInt(count, "count") ?? 0
        let template: [RegexTemplatePart]?
        if case .str(let t) = repl { template = try RegexTemplatePart.parse(t, pattern: self) } else { template = nil }
        var out = "", last = 0, n = 0
        let whole = NSRange(location: 0, length: s.utf16Count)
        for r in matches(in: s) where limit <= 0 || n < limit {
            out += s.slice(last, r.range.location)
            if let template {
                out += try template.map { try $0.expand(r, s) }.joined()
            } else {
                let replacement = try ev.call(repl, Arguments([.object(RegexMatch(self, s, r, whole))]))
                guard case .str(let text) = replacement else {
                    throw PyError(.typeError, "expected str instance, \(replacement.typeName) found")
                }
                out += text
            }
            last = r.range.location + r.range.length
            n += 1
        }
        out += s.slice(last, s.utf16Count)
        return (.str(out), n)
    }

    func split(_ string: Value, maxsplit: Value) throws -> Value {
        let s = try RegexPattern.subject(string)
        let limit = try Convert.optionalInt(maxsplit, "maxsplit") ?? 0
        var parts: [Value] = [], last = 0, n = 0
        for r in matches(in: s) where limit <= 0 || n < limit {
            parts.append(.str(s.slice(last, r.range.location)))
            for g in stride(from: 1, through: regex.numberOfCaptureGroups, by: 1) { parts.append(s.group(r.range(at: g))) }
            last = r.range.location + r.range.length
            n += 1
        }
        parts.append(.str(s.slice(last, s.utf16Count)))
        return .object(PyList(parts))
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "pattern": return .str(source)
        case "flags": return .int(flags | RegexModule.unicode)
        case "groups": return .int(regex.numberOfCaptureGroups)
        case "groupindex":
            let d = PyDict()
            for (k, v) in groupNames.sorted(by: { $0.value < $1.value }) { try d.set(.str(k), .int(v)) }
            return .object(d)
        case "search", "match", "fullmatch":
            return method(name) { a, _ in
                let b = try Signatures.search.bind(a, name)
                return name == "fullmatch" ? try self.fullmatch(b[0], pos: b[1], endpos: b[2])
                    : try self.search(b[0], anchored: name == "match", pos: b[1], endpos: b[2])
            }
        case "findall": return method(name) { a, _ in try self.findall(try Signatures.string.bind(a, name)[0]) }
        case "finditer": return method(name) { a, _ in try self.finditer(try Signatures.string.bind(a, name)[0]) }
        case "sub", "subn":
            return method(name) { a, ev in
                let b = try Signatures.sub.bind(a, name)
                let (text, n) = try self.substitute(b[0], in: b[1], count: b[2], ev)
                return name == "sub" ? text : .object(PyTuple([text, .int(n)]))
            }
        case "split":
            return method(name) { a, _ in
                let b = try Signatures.split.bind(a, name)
                return try self.split(b[0], maxsplit: b[1])
            }
        default: return nil
        }
    }

    /// The methods' parameter lists, parsed once.
    private enum Signatures {
        static let search = Signature("string, pos=0, endpos=None")
        static let string = Signature("string")
        static let sub = Signature("repl, string, count=0")
        static let split = Signature("string, maxsplit=0")
    }

    override func attributeNames() -> [String] {
        ["findall", "finditer", "flags", "fullmatch", "groupindex", "groups", "match", "pattern", "search", "split", "sub", "subn"]
    }
}

/// A string being matched, with conversions between ICU's UTF-16 offsets and Python's code-point
/// positions (the identity unless the string has characters outside the Basic Multilingual Plane).
struct RegexSubject {
    let text: String
    let utf16Count: Int
    /// Code-point position of each UTF-16 offset (0…count), or nil when they coincide.
    private let positions: [Int]?

    init(_ text: String) {
        self.text = text
        utf16Count = text.utf16.count
        if utf16Count == text.unicodeScalars.count {
            positions = nil
        } else {
            var map: [Int] = []
            map.reserveCapacity(utf16Count + 1)
            for (i, scalar) in text.unicodeScalars.enumerated() {
                map.append(i)
                if scalar.utf16.count == 2 { map.append(i) }
            }
            map.append(text.unicodeScalars.count)
            positions = map
        }
    }

    /// The code-point position of UTF-16 offset `u`.
    func position(_ u: Int) -> Int { positions.map { $0[max(0, min(u, $0.count - 1))] } ?? u }

    /// The UTF-16 offset of code-point position `p` (clamped to the string).
    func offset(_ p: Int) -> Int {
        guard let positions else { return max(0, min(p, utf16Count)) }
        let p = max(0, min(p, positions[positions.count - 1]))
        var lo = 0, hi = positions.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if positions[mid] < p { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The search range for `pos`/`endpos` given as code points (Python's slicing rules, clamped).
    func range(pos: Value, endpos: Value) throws -> NSRange {
        let length = position(utf16Count)
        let start = max(0, min(try Convert.optionalInt(pos, "pos") ?? 0, length))
        let end = max(start, min(try Convert.optionalInt(endpos, "endpos") ?? length, length))
        let s = offset(start)
        return NSRange(location: s, length: offset(end) - s)
    }

    /// The text between two UTF-16 offsets.
    func slice(_ from: Int, _ to: Int) -> String {
        let utf16 = text.utf16
        let a = utf16.index(utf16.startIndex, offsetBy: from), b = utf16.index(utf16.startIndex, offsetBy: to)
        return String(utf16[a..<b]) ?? ""
    }

    /// A group's text, or `missing` when the group took no part in the match.
    func group(_ r: NSRange, missing: Value = .none) -> Value {
        r.location == NSNotFound ? missing : .str(slice(r.location, r.location + r.length))
    }
}

/// One piece of a replacement template: literal text or a group reference.
enum RegexTemplatePart {
    case text(String)
    case group(Int)

    /// The character escapes a template may use.
    private static let characterEscapes: [Character: String] = ["n": "\n", "t": "\t", "r": "\r", "f": "\u{0C}",
                                                                "v": "\u{0B}", "a": "\u{07}", "b": "\u{08}", "\\": "\\"]

    /// CPython's template rules: `\1`…`\99`, `\g<n>`, `\g<name>`, `\\`, the usual character
    /// escapes; an unknown escape of an ASCII letter is an error.
    static func parse(_ template: String, pattern: RegexPattern) throws -> [RegexTemplatePart] {
        let chars = Array(template)
        var parts: [RegexTemplatePart] = [], literal = "", i = 0
        func flush() { if !literal.isEmpty { parts.append(.text(literal)); literal = "" } }
        let groups = pattern.regex.numberOfCaptureGroups
        func reference(_ n: Int, at position: Int) throws {
            guard n <= groups else { throw PyError(.regexError, "invalid group reference \(n) at position \(position)") }
            flush()
            parts.append(.group(n))
        }
        while i < chars.count {
            let c = chars[i]
            guard c == "\\", i + 1 < chars.count else { literal.append(c); i += 1; continue }
            let n = chars[i + 1]
            if let d = n.wholeNumberValue, n.isASCII {
                var value = d, j = i + 2
                if j < chars.count, let d2 = chars[j].wholeNumberValue, chars[j].isASCII { value = value * 10 + d2; j += 1 }
                try reference(value, at: i + 1)
                i = j
            } else if n == "g" {
                guard i + 2 < chars.count, chars[i + 2] == "<", let close = chars[(i + 3)...].firstIndex(of: ">") else {
                    throw PyError(.regexError, "missing < at position \(i + 2)")
                }
                let name = String(chars[(i + 3)..<close])
                if let number = Int(name) { try reference(number, at: i + 3) }
                else if let number = pattern.groupNames[name] { try reference(number, at: i + 3) }
                else { throw PyError(.indexError, "unknown group name '\(name)'") }
                i = close + 1
            } else {
                if let e = characterEscapes[n] { literal += e }
                else if n.isASCII && n.isLetter { throw PyError(.regexError, "bad escape \\\(n) at position \(i)") }
                else { literal.append(c); literal.append(n) }
                i += 2
            }
        }
        flush()
        return parts
    }

    func expand(_ r: NSTextCheckingResult, _ s: RegexSubject) throws -> String {
        switch self {
        case .text(let t): return t
        case .group(let n):
            if case .str(let t) = s.group(r.range(at: n)) { return t }
            return ""
        }
    }
}

/// A successful match (`re.Match`).
final class RegexMatch: PyObject {
    let pattern: RegexPattern
    let subject: RegexSubject
    let result: NSTextCheckingResult
    /// The searched range (`pos`, `endpos`).
    let searched: NSRange

    init(_ pattern: RegexPattern, _ subject: RegexSubject, _ result: NSTextCheckingResult, _ searched: NSRange) {
        self.pattern = pattern
        self.subject = subject
        self.result = result
        self.searched = searched
        super.init()
    }

    override var typeName: String { "Match" }

    /// The group number of `key` (an int or a group name).
    private func index(_ key: Value) throws -> Int {
        switch key {
        case .int(let n) where n >= 0 && n <= pattern.regex.numberOfCaptureGroups: return n
        case .bool(let b): return b ? 1 : 0
        case .str(let name): if let n = pattern.groupNames[name] { return n }
        default: break
        }
        throw PyError(.indexError, "no such group")
    }

    private func group(_ key: Value) throws -> Value { subject.group(result.range(at: try index(key))) }

    private func span(_ key: Value) throws -> (Int, Int) {
        let r = result.range(at: try index(key))
        guard r.location != NSNotFound else { return (-1, -1) }
        return (subject.position(r.location), subject.position(r.location + r.length))
    }

    override func repr(_ ev: Evaluator) throws -> String {
        let (a, b) = try span(.int(0))
        return "<re.Match object; span=(\(a), \(b)), match=\(try ev.repr(try group(.int(0))))>"
    }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? { try group(key) }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        let groups = pattern.regex.numberOfCaptureGroups
        switch name {
        case "string": return .str(subject.text)
        case "re": return .object(pattern)
        case "pos": return .int(subject.position(searched.location))
        case "endpos": return .int(subject.position(searched.location + searched.length))
        case "lastindex", "lastgroup":
            let last = (0...groups).reversed().first { $0 > 0 && result.range(at: $0).location != NSNotFound }
            guard let last else { return .none }
            if name == "lastindex" { return .int(last) }
            return pattern.groupNames.first { $0.value == last }.map { .str($0.key) } ?? .none
        case "group":
            return method(name) { a, _ in
                if a.positional.count <= 1 { return try self.group(a.positional.first ?? .int(0)) }
                return .object(PyTuple(try a.positional.map { try self.group($0) }))
            }
        case "groups":
            return method(name) { a, _ in
                let missing = try Signature("default=None").bind(a, name)[0]
                return .object(PyTuple((0..<groups).map { self.subject.group(self.result.range(at: $0 + 1), missing: missing) }))
            }
        case "groupdict":
            return method(name) { a, _ in
                let missing = try Signature("default=None").bind(a, name)[0]
                let d = PyDict()
                for (k, v) in self.pattern.groupNames.sorted(by: { $0.value < $1.value }) {
                    try d.set(.str(k), self.subject.group(self.result.range(at: v), missing: missing))
                }
                return .object(d)
            }
        case "start", "end", "span":
            return method(name) { a, _ in
                let (s, e) = try self.span(try Signature("group=0").bind(a, name)[0])
                switch name {
                case "start": return .int(s)
                case "end": return .int(e)
                default: return .object(PyTuple([.int(s), .int(e)]))
                }
            }
        case "expand":
            return method(name) { a, _ in
                guard case .str(let t) = try Signature("template").bind(a, name)[0] else {
                    throw PyError(.typeError, "expected str instance")
                }
                return .str(try RegexTemplatePart.parse(t, pattern: self.pattern).map { try $0.expand(self.result, self.subject) }.joined())
            }
        default: return nil
        }
    }

    override func attributeNames() -> [String] {
        ["end", "endpos", "expand", "group", "groupdict", "groups", "lastgroup", "lastindex", "pos", "re", "span", "start", "string"]
    }
}
