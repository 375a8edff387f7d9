import Foundation

/// Python's `repr(str)`: single quotes unless the text contains `'` and no `"`; escapes
/// backslash, the quote, `\n \r \t`, other control characters; printable non-ASCII kept.
public func pythonStringRepr(_ s: String) -> String {
    let quote: Character = s.utf8.contains(0x27) && !s.utf8.contains(0x22) ? "\"" : "'"
    var out = String(quote)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if Character(scalar) == quote {
                out += "\\" + String(quote)
            } else if isPrintable(scalar) {
                out.unicodeScalars.append(scalar)
            } else if scalar.value < 0x100 {
                out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
            } else if scalar.value < 0x10000 {
                out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            } else {
                out += "\\U" + String(scalar.value, radix: 16).leftPadded(to: 8)
            }
        }
    }
    out.append(quote)
    return out
}

/// `ascii(x)`: the repr with non-ASCII characters escaped.
func asciiRepr(_ r: String) -> String {
    var out = ""
    for scalar in r.unicodeScalars {
        if scalar.value < 0x80 { out.unicodeScalars.append(scalar) }
        else if scalar.value < 0x100 { out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2) }
        else if scalar.value < 0x10000 { out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4) }
        else { out += "\\U" + String(scalar.value, radix: 16).leftPadded(to: 8) }
    }
    return out
}

func isPrintable(_ s: Unicode.Scalar) -> Bool {
    if s.value < 0x20 || s.value == 0x7f { return false }
    if s.value < 0x7f { return true }
    switch s.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: return false
    case .spaceSeparator: return s.value == 0x20
    default: return true
    }
}

/// Python's `str.isalpha` for one code point: a letter (categories Lu, Ll, Lt, Lm, Lo).
func isPythonAlpha(_ c: Unicode.Scalar) -> Bool {
    if c.isASCII { return (c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7a }
    switch c.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
    default: return false
    }
}

/// Python's `str.isdecimal` for one code point (category Nd).
func isPythonDecimal(_ c: Unicode.Scalar) -> Bool {
    c.isASCII ? c.value >= 0x30 && c.value <= 0x39 : c.properties.numericType == .decimal
}

/// Python's `str.isdigit` for one code point (Numeric_Type Digit or Decimal).
func isPythonDigit(_ c: Unicode.Scalar) -> Bool {
    c.isASCII ? c.value >= 0x30 && c.value <= 0x39 : c.properties.numericType == .decimal || c.properties.numericType == .digit
}

/// Python's `str.isnumeric` for one code point (any Numeric_Type).
func isPythonNumeric(_ c: Unicode.Scalar) -> Bool {
    c.isASCII ? c.value >= 0x30 && c.value <= 0x39 : c.properties.numericType != nil
}

/// Python's whitespace (for split/strip with no argument; `str.isspace`).
func isPythonSpace(_ c: Unicode.Scalar) -> Bool {
    if c.isASCII { return c.value == 0x20 || (c.value >= 0x09 && c.value <= 0x0d) || (c.value >= 0x1c && c.value <= 0x1f) }
    return c.properties.isWhitespace
}

extension Interpreter {
    /// `s[i]`, `s[a:b:c]`.
    func stringSubscript(_ s: String, _ key: Value) throws -> Value {
        if let b = try sliceBounds(key) { return .str(s.codePointSlice(b)) }
        return .str(s.codePoint(at: try sequenceIndex(key, count: s.codePointCount, type: "string")))
    }

    /// The bound method `s.name`, or nil.
    func stringMethod(_ s: String, _ name: String) -> Value? {
        guard let method = Interpreter.stringMethods[name] else { return nil }
        return builtinMethod(name) { a, ev in
            guard let interp = ev as? Interpreter else { return .none }
            return try method(s, name, a, interp)
        }
    }

    static var stringMethodNames: [String] { stringMethods.keys.sorted() }

    private static func optionalString(_ v: Value?, _ what: String) throws -> String? {
        guard let v, !v.isNone else { return nil }
        guard case .str(let s) = v else { throw PyError(.typeError, "\(what) arg must be None or str") }
        return s
    }

    private static func strip(_ s: String, _ chars: String?, leading: Bool, trailing: Bool) -> String {
        if let fast = asciiStrip(s, chars, leading: leading, trailing: trailing) { return fast }
        let isStripped: (Unicode.Scalar) -> Bool = chars.map { set in { set.unicodeScalars.contains($0) } } ?? isPythonSpace
        var sub = Substring(s).unicodeScalars
        if leading { while let c = sub.first, isStripped(c) { sub.removeFirst() } }
        if trailing { while let c = sub.last, isStripped(c) { sub.removeLast() } }
        return String(sub)
    }

    /// The ASCII characters `isPythonSpace` holds for, as a bit set (bit b of word b / 64).
    private static let asciiSpaces: (UInt64, UInt64) = {
        var mask: (UInt64, UInt64) = (0, 0)
        for b in 0..<128 where isPythonSpace(Unicode.Scalar(UInt8(b))) {
            if b < 64 { mask.0 |= 1 << UInt64(b) } else { mask.1 |= 1 << UInt64(b - 64) }
        }
        return mask
    }()

    /// `strip` over UTF-8 bytes when every character to strip is ASCII; nil when the scalar
    /// path is needed (non-ASCII `chars`, or whitespace stripping that meets a non-ASCII
    /// character, which may be Unicode whitespace).
    private static func asciiStrip(_ s: String, _ chars: String?, leading: Bool, trailing: Bool) -> String? {
        var mask = asciiSpaces
        if let chars {
            guard chars.isKnownASCII else { return nil }
            mask = (0, 0)
            for b in chars.utf8 {
                if b < 64 { mask.0 |= 1 << UInt64(b) } else { mask.1 |= 1 << UInt64(b &- 64) }
            }
        }
        func isStripped(_ b: UInt8) -> Bool {
            b < 64 ? (mask.0 >> UInt64(b)) & 1 != 0 : b < 128 && (mask.1 >> UInt64(b &- 64)) & 1 != 0
        }
        var text = s
        return text.withUTF8 { bytes -> String? in
            var i = 0, j = bytes.count
            if leading { while i < j && isStripped(bytes[i]) { i += 1 } }
            if trailing { while j > i && isStripped(bytes[j - 1]) { j -= 1 } }
            if chars == nil && i < j && ((leading && bytes[i] >= 0x80) || (trailing && bytes[j - 1] >= 0x80)) { return nil }
            if i == 0 && j == bytes.count { return s }
            let kept = UnsafeBufferPointer(rebasing: bytes[i..<j])
            return SmallStrings.ascii(kept) ?? String(decoding: kept, as: UTF8.self)
        }
    }

    /// `upper()` / `lower()` of an all-ASCII string, byte by byte (`uppercased()` goes through
    /// Unicode case mapping); nil when `s` is not known to be ASCII.
    private static func asciiCaseMapped(_ s: String, upper: Bool) -> String? {
        if let small = SmallStrings.caseMapped(s, upper: upper) { return small }
        guard s.isKnownASCII, !s.isEmpty else { return nil }
        var text = s
        return text.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { out in
                let first: UInt8 = upper ? 97 : 65
                for k in 0..<bytes.count {
                    let b = bytes[k]
                    out[k] = b &- first < 26 ? b ^ 0x20 : b
                }
                return bytes.count
            }
        }
    }

    /// `separator.join(items)`: the bytes copied once into a string of the final size
    /// (`Array.joined` grows its result and goes through `Character`s).
    private static func joined(_ items: [Value], separator: String) throws -> String {
        var total = 0
        for (n, v) in items.enumerated() {
            guard case .str(let p) = v else {
                // A str subclass's instance joins as its string.
                if v.carriedValue != nil { return try joined(items.map { $0.carriedValue ?? $0 }, separator: separator) }
                throw PyError(.typeError, "sequence item \(n): expected str instance, \(v.typeName) found")
            }
            total &+= p.utf8.count
        }
        guard items.count > 1 else {
            if case .str(let only)? = items.first { return only }
            return ""
        }
        try MemoryLimit.checkBytes(total, plus: items.count - 1, of: separator.utf8.count)
        return String(unsafeUninitializedCapacity: total + (items.count - 1) * separator.utf8.count) { buffer in
            var at = 0
            for (n, v) in items.enumerated() {
                if n > 0 { at = copyUTF8(of: separator, into: buffer, at: at) }
                if case .str(let p) = v { at = copyUTF8(of: p, into: buffer, at: at) }
            }
            return at
        }
    }

    /// Copies `s`'s UTF-8 bytes into `buffer` from `at` (which has room for them): the next offset.
    @inline(__always)
    private static func copyUTF8(of s: String, into buffer: UnsafeMutableBufferPointer<UInt8>, at: Int) -> Int {
        if let end = s.utf8.withContiguousStorageIfAvailable({ bytes -> Int in
            guard let source = bytes.baseAddress, let target = buffer.baseAddress else { return at }
            (target + at).update(from: source, count: bytes.count)
            return at + bytes.count
        }) {
            return end
        }
        var k = at
        for b in s.utf8 {
            buffer[k] = b
            k += 1
        }
        return k
    }

    private static func split(_ s: String, _ sep: String?, _ maxSplit: Int, fromRight: Bool) throws -> [String] {
        if let sep {
            if sep.isEmpty { throw PyError(.valueError, "empty separator") }
            var parts = s.codePointComponents(separatedBy: sep)
            if maxSplit >= 0 && parts.count > maxSplit + 1 {
                if fromRight {
                    let head = parts[0..<(parts.count - maxSplit)].joined(separator: sep)
                    parts = [head] + parts[(parts.count - maxSplit)...]
                } else {
                    let tail = parts[maxSplit...].joined(separator: sep)
                    parts = Array(parts[0..<maxSplit]) + [tail]
                }
            }
            return parts
        }
        // Whitespace splitting drops empty strings.
        if s.isKnownASCII && maxSplit < 0 { return asciiWords(s) }
        var words: [String] = []
        var chars = Array(s.unicodeScalars)
        if fromRight { chars.reverse() }
        var i = 0
        while i < chars.count {
            while i < chars.count && isPythonSpace(chars[i]) { i += 1 }
            if i >= chars.count { break }
            if maxSplit >= 0 && words.count == maxSplit {
                // The rest as it is: CPython strips only the whitespace before it.
                words.append(String(String.UnicodeScalarView(chars[i...])))
                break
            }
            var j = i
            while j < chars.count && !isPythonSpace(chars[j]) { j += 1 }
            words.append(String(String.UnicodeScalarView(chars[i..<j])))
            i = j
        }
        if fromRight { return words.reversed().map { String(String.UnicodeScalarView($0.unicodeScalars.reversed())) } }
        return words
    }

    /// `s.split()` of an ASCII string, on its bytes.
    private static func asciiWords(_ s: String) -> [String] {
        var words: [String] = []
        var text = s
        text.withUTF8 { bytes in
            var i = 0
            while i < bytes.count {
                while i < bytes.count && isPythonSpace(Unicode.Scalar(bytes[i])) { i += 1 }
                if i >= bytes.count { break }
                var j = i
                while j < bytes.count && !isPythonSpace(Unicode.Scalar(bytes[j])) { j += 1 }
                let word = UnsafeBufferPointer(rebasing: bytes[i..<j])
                words.append(SmallStrings.ascii(word) ?? String(decoding: word, as: UTF8.self))
                i = j
            }
        }
        return words
    }

    /// Finds `sub` in `s` within [start, end) (code-point offsets); returns the offset or -1.
    private static func find(_ s: String, _ sl: StringMethodArguments, reverse: Bool) throws -> Int {
        let sub = try (sl[0] ?? .none).asString("must be str")
        let r = pySliceRange(count: s.codePointCount, (try intOrNone(sl[1]), try intOrNone(sl[2]), 1))
        return s.codePointFind(sub, from: r.start, to: r.stop, reverse: reverse) ?? -1
    }

    /// The text before and after the first (or last) `sep`, or nil when it does not occur.
    private static func partition(_ s: String, _ sep: String, reverse: Bool) throws -> (String, String)? {
        if sep.isEmpty { throw PyError(.valueError, "empty separator") }
        let bytes = Array(s.utf8)
        guard let at = bytes.firstRange(of: Array(sep.utf8), reverse: reverse) else { return nil }
        return (String(decoding: bytes[..<at], as: UTF8.self), String(decoding: bytes[(at + sep.utf8.count)...], as: UTF8.self))
    }

    private static func intOrNone(_ v: Value?) throws -> Int? {
        guard let v, !v.isNone else { return nil }
        return try v.asInt()
    }

    private static func pad(_ s: String, _ sl: StringMethodArguments, _ align: Character) throws -> Value {
        let width = try (sl[0] ?? .none).asInt()
        let fill = try sl[1].map { try $0.asString() } ?? " "
        guard fill.unicodeScalars.count == 1, let f = fill.first else {
            throw PyError(.typeError, "The fill character must be exactly one character long")
        }
        try MemoryLimit.check(count: width, itemBytes: f.utf8.count)
        let margin = width - s.codePointCount
        if align == "^" && margin > 0 {
            // str.center puts the odd space on the left when the width is odd (CPython's pad());
            // format's '^' puts it on the right.
            let left = margin / 2 + (margin & width & 1)
            return .str(String(repeating: f, count: left) + s + String(repeating: f, count: margin - left))
        }
        return .str(alignText(s, width: width, align: align, fill: f))
    }

    static let stringMethods: [String: StringMethod] = [
        "format": StringMethod(.any) { s, a, i in .str(try i.strFormat(s, a.all)) },
        "format_map": StringMethod(.one) { s, a, i in
            // The mapping's string keys become keywords (its items are read once, before formatting).
            let mapping = a[0] ?? .none
            guard let items = try i.mappingProtocolItems(mapping) ?? i.mappingItems(mapping) else {
                throw PyError(.typeError, "'\(mapping.typeName)' object is not subscriptable")
            }
            return .str(try i.strFormat(s, Arguments(keywords: items.compactMap { k, v in
                if case .str(let name) = k { return (name, v) }
                return nil
            })))
        },
        "join": StringMethod(.one) { s, a, i in
            let sl = a
            return .str(try joined(try i.iterate(sl[0] ?? .none), separator: s))
        },
        "split": StringMethod(.keywords(["sep", "maxsplit"])) { s, a, _ in
            let sl = a
            let parts = try split(s, try optionalString(sl[0], "sep"), try sl[1].map { try $0.asInt() } ?? -1, fromRight: false)
            return .object(PyList(parts.map { .str($0) }))
        },
        "rsplit": StringMethod(.keywords(["sep", "maxsplit"])) { s, a, _ in
            let sl = a
            let parts = try split(s, try optionalString(sl[0], "sep"), try sl[1].map { try $0.asInt() } ?? -1, fromRight: true)
            return .object(PyList(parts.map { .str($0) }))
        },
        "splitlines": StringMethod(.keywords(["keepends"])) { s, a, _ in
            let sl = a
            let keep = try sl[0].map { try $0.asBool() } ?? false
            var lines: [Value] = []
            var current = ""
            var scalars = s.unicodeScalars[...]
            while let c = scalars.popFirst() {
                if c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}" || c == "\u{1C}" || c == "\u{1D}" || c == "\u{1E}"
                    || c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}" {
                    var end = String(c)
                    if c == "\r", scalars.first == "\n" { end += "\n"; scalars.removeFirst() }
                    lines.append(.str(keep ? current + end : current))
                    current = ""
                } else {
                    current.unicodeScalars.append(c)
                }
            }
            if !current.isEmpty { lines.append(.str(current)) }
            return .object(PyList(lines))
        },
        "strip": StringMethod(.clinic(required: 0, most: 1)) { s, a, _ in .str(strip(s, try optionalString(a[0], "strip"), leading: true, trailing: true)) },
        "lstrip": StringMethod(.clinic(required: 0, most: 1)) { s, a, _ in .str(strip(s, try optionalString(a[0], "lstrip"), leading: true, trailing: false)) },
        "rstrip": StringMethod(.clinic(required: 0, most: 1)) { s, a, _ in .str(strip(s, try optionalString(a[0], "rstrip"), leading: false, trailing: true)) },
        "replace": StringMethod(.clinic(required: 2, most: 3)) { s, a, _ in
            let sl = a
            let old = try (sl[0] ?? .none).asString(), new = try (sl[1] ?? .none).asString()
            let count = try sl[2].map { try $0.asInt() } ?? -1
            try checkReplacementFits(s, old, new, count: count)
            if count < 0 {
                if old.isEmpty { return .str(new + s.codePointStrings.map { $0 + new }.joined()) }
                return .str(s.codePointComponents(separatedBy: old).joined(separator: new))
            }
            if old.isEmpty {
                let pieces = s.codePointStrings
                let inserts = min(count, pieces.count + 1)
                var out = ""
                for (i, piece) in pieces.enumerated() { if i < inserts { out += new }; out += piece }
                if inserts > pieces.count { out += new }
                return .str(out)
            }
            var parts = s.codePointComponents(separatedBy: old)
            if parts.count - 1 <= count { return .str(parts.joined(separator: new)) }
            let head = parts[0...count].joined(separator: new)
            parts = [head] + parts[(count + 1)...]
            return .str(parts.joined(separator: old))
        },
        "startswith": StringMethod(.tuple(required: 1, most: 3)) { s, a, i in
            let sl = a
            let prefixes = i.sequenceItems(sl[0] ?? .none) ?? [sl[0] ?? .none]
            return .bool(try prefixes.contains { s.hasCodePointPrefix(try $0.asString("startswith first arg")) })
        },
        "endswith": StringMethod(.tuple(required: 1, most: 3)) { s, a, i in
            let sl = a
            let suffixes = i.sequenceItems(sl[0] ?? .none) ?? [sl[0] ?? .none]
            return .bool(try suffixes.contains { s.hasCodePointSuffix(try $0.asString("endswith first arg")) })
        },
        "upper": StringMethod(.none) { s, _, _ in .str(asciiCaseMapped(s, upper: true) ?? s.uppercased()) },
        "lower": StringMethod(.none) { s, _, _ in .str(asciiCaseMapped(s, upper: false) ?? s.lowercased()) },
        "casefold": StringMethod(.none) { s, _, _ in
            // Full case folding: a character that folds differently from its lowercase (ß → ss,
            // ς → σ, ﬁ → fi) folds as the lowercase of its uppercase.
            .str(s.unicodeScalars.map { c in
                guard c.properties.changesWhenCaseFolded else { return String(c) }
                let lower = c.properties.lowercaseMapping
                guard let l = lower.unicodeScalars.first, lower.unicodeScalars.count == 1, l.properties.changesWhenCaseFolded else { return lower }
                return l.properties.uppercaseMapping.lowercased()
            }.joined())
        },
        "swapcase": StringMethod(.none) { s, _, _ in
            .str(s.unicodeScalars.map { c in
                c.properties.isUppercase ? c.properties.lowercaseMapping : c.properties.isLowercase ? c.properties.uppercaseMapping : String(c)
            }.joined())
        },
        "title": StringMethod(.none) { s, _, _ in
            var out = ""
            var previousCased = false
            for c in s.unicodeScalars {
                out += previousCased ? c.properties.lowercaseMapping : c.properties.titlecaseMapping
                previousCased = c.properties.isCased
            }
            return .str(out)
        },
        "capitalize": StringMethod(.none) { s, _, _ in
            guard let first = s.unicodeScalars.first else { return .str("") }
            return .str(first.properties.titlecaseMapping + String(s.unicodeScalars.dropFirst()).lowercased())
        },
        "find": StringMethod(.tuple(required: 1, most: 3)) { s, a, _ in .int(try find(s, a, reverse: false)) },
        "rfind": StringMethod(.tuple(required: 1, most: 3)) { s, a, _ in .int(try find(s, a, reverse: true)) },
        "index": StringMethod(.tuple(required: 1, most: 3)) { s, a, _ in
            let r = try find(s, a, reverse: false)
            if r < 0 { throw PyError(.valueError, "substring not found") }
            return .int(r)
        },
        "rindex": StringMethod(.tuple(required: 1, most: 3)) { s, a, _ in
            let r = try find(s, a, reverse: true)
            if r < 0 { throw PyError(.valueError, "substring not found") }
            return .int(r)
        },
        "count": StringMethod(.tuple(required: 1, most: 3)) { s, a, _ in
            // CPython's bounds: a start past the end counts nothing, even for "".
            let sub = try (a[0] ?? .none).asString()
            let n = s.codePointCount
            func bound(_ v: Value?, _ otherwise: Int) throws -> Int {
                guard let i = try intOrNone(v) else { return otherwise }
                return i < 0 ? max(i + n, 0) : i
            }
            let start = try bound(a[1], 0), end = min(try bound(a[2], n), n)
            if end < start { return .int(0) }
            if sub.isEmpty { return .int(end - start + 1) }
            let part = start == 0 && end == n ? s : s.codePointSlice((start, end, 1))
            return .int(part.codePointOccurrences(of: sub))
        },
        "isdigit": StringMethod(.none) { s, _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(isPythonDigit)) },
        "isdecimal": StringMethod(.none) { s, _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(isPythonDecimal)) },
        "isnumeric": StringMethod(.none) { s, _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(isPythonNumeric)) },
        "isalpha": StringMethod(.none) { s, _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(isPythonAlpha)) },
        "isalnum": StringMethod(.none) { s, _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { isPythonAlpha($0) || isPythonNumeric($0) }) },
        "isspace": StringMethod(.none) { s, _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(isPythonSpace)) },
        "isascii": StringMethod(.none) { s, _, _ in .bool(s.utf8.allSatisfy { $0 < 0x80 }) },
        "isprintable": StringMethod(.none) { s, _, _ in .bool(s.unicodeScalars.allSatisfy(isPrintable)) },
        "isupper": StringMethod(.none) { s, _, _ in
            .bool(s.unicodeScalars.contains { $0.properties.isUppercase || $0.properties.generalCategory == .titlecaseLetter }
                && !s.unicodeScalars.contains { $0.properties.isLowercase || $0.properties.generalCategory == .titlecaseLetter })
        },
        "islower": StringMethod(.none) { s, _, _ in
            .bool(s.unicodeScalars.contains { $0.properties.isLowercase }
                && !s.unicodeScalars.contains { $0.properties.isUppercase || $0.properties.generalCategory == .titlecaseLetter })
        },
        "istitle": StringMethod(.none) { s, _, _ in
            // Uppercase or titlecase letters only after uncased characters, lowercase only after cased ones.
            var cased = false, previousCased = false
            for c in s.unicodeScalars {
                if c.properties.isUppercase || c.properties.generalCategory == .titlecaseLetter {
                    if previousCased { return .bool(false) }
                    previousCased = true; cased = true
                } else if c.properties.isLowercase {
                    if !previousCased { return .bool(false) }
                    previousCased = true; cased = true
                } else {
                    previousCased = false
                }
            }
            return .bool(cased)
        },
        "isidentifier": StringMethod(.none) { s, _, _ in
            guard let first = s.unicodeScalars.first, first == "_" || first.properties.isXIDStart else { return .bool(false) }
            return .bool(s.unicodeScalars.dropFirst().allSatisfy { $0.properties.isXIDContinue })
        },
        "zfill": StringMethod(.one) { s, a, _ in
            let width = try (a[0] ?? .none).asInt()
            let length = s.codePointCount
            guard length < width else { return .str(s) }
            try MemoryLimit.check(count: width, itemBytes: 1)
            var body = s
            var sign = ""
            if let f = body.first, f == "-" || f == "+" { sign = String(f); body.removeFirst() }
            return .str(sign + String(repeating: "0", count: width - length) + body)
        },
        "ljust": StringMethod(.clinic(required: 1, most: 2)) { s, a, _ in try pad(s, a, "<") },
        "rjust": StringMethod(.clinic(required: 1, most: 2)) { s, a, _ in try pad(s, a, ">") },
        "center": StringMethod(.clinic(required: 1, most: 2)) { s, a, _ in try pad(s, a, "^") },
        "partition": StringMethod(.one) { s, a, _ in
            let sep = try (a[0] ?? .none).asString()
            guard let (head, tail) = try partition(s, sep, reverse: false) else { return .object(PyTuple([.str(s), .str(""), .str("")])) }
            return .object(PyTuple([.str(head), .str(sep), .str(tail)]))
        },
        "rpartition": StringMethod(.one) { s, a, _ in
            let sep = try (a[0] ?? .none).asString()
            guard let (head, tail) = try partition(s, sep, reverse: true) else { return .object(PyTuple([.str(""), .str(""), .str(s)])) }
            return .object(PyTuple([.str(head), .str(sep), .str(tail)]))
        },
        "removeprefix": StringMethod(.one) { s, a, _ in
            let p = try (a[0] ?? .none).asString()
            return .str(s.hasCodePointPrefix(p) ? String(decoding: s.utf8.dropFirst(p.utf8.count), as: UTF8.self) : s)
        },
        "removesuffix": StringMethod(.one) { s, a, _ in
            let p = try (a[0] ?? .none).asString()
            return .str(s.hasCodePointSuffix(p) ? String(decoding: s.utf8.dropLast(p.utf8.count), as: UTF8.self) : s)
        },
        "expandtabs": StringMethod(.keywords(["tabsize"])) { s, a, _ in
            let size = try (a[0] ?? .int(8)).asInt()
            guard size >= Int(Int32.min), size <= Int(Int32.max) else {
                throw PyError(.overflowError, "Python int too large to convert to C int")
            }
            return .str(try expandTabs(s, tabSize: size))
        },
        "maketrans": StringMethod(.clinic(required: 1, most: 3)) { _, a, i in try StringTranslation.maketrans(a, i) },
        "translate": StringMethod(.one) { s, a, i in try StringTranslation.translate(s, a[0] ?? .none, i) },
        "encode": StringMethod(.keywords(["encoding", "errors"])) { s, a, _ in
            .object(PyBytes(try TextCodecs.encode(s, encoding: try (a[0] ?? .str("utf-8")).asString("encode() argument 'encoding'"),
                                                  errors: try (a[1] ?? .str("strict")).asString("encode() argument 'errors'"))))
        },
    ]
}

/// `str.expandtabs`: each tab becomes spaces up to the next multiple of `tabSize` columns
/// (counted in code points, reset by `\n` and `\r`); a tab size of 0 or less removes tabs.
/// The result's length is computed first, so a huge tab size raises OverflowError or
/// MemoryError as CPython does instead of allocating.
func expandTabs(_ s: String, tabSize: Int) throws -> String {
    /// Calls `body` with each scalar to keep (nil for a tab) and how many columns it takes.
    func walk(_ body: (Unicode.Scalar?, Int) throws -> Void) rethrows {
        var column = 0
        for scalar in s.unicodeScalars {
            if scalar == "\t" {
                guard tabSize > 0 else { continue }
                let spaces = tabSize - column % tabSize
                try body(nil, spaces)
                column += spaces
            } else {
                try body(scalar, 1)
                column = scalar == "\n" || scalar == "\r" ? 0 : column + 1
            }
        }
    }
    var total = 0
    try walk { _, width in
        let (sum, overflow) = total.addingReportingOverflow(width)
        guard !overflow else { throw PyError(.overflowError, "new string is too long") }
        total = sum
    }
    try MemoryLimit.check(count: total, itemBytes: 1)
    var out = String.UnicodeScalarView()
    walk { scalar, width in
        if let scalar { out.append(scalar) } else { out.append(contentsOf: repeatElement(" " as Unicode.Scalar, count: width)) }
    }
    return String(out)
}

/// MemoryError unless `s.replace(old, new, count)` fits the allocation limit. The cheap bound
/// (every possible occurrence replaced) decides almost always; only a huge bound counts the
/// occurrences. An empty `old` matches before every code point and at the end.
private func checkReplacementFits(_ s: String, _ old: String, _ new: String, count: Int) throws {
    let growth = new.utf8.count - old.utf8.count
    guard growth > 0 else { return }
    var matches = old.isEmpty ? s.unicodeScalars.count + 1 : s.utf8.count / old.utf8.count
    if count >= 0 { matches = min(matches, count) }
    do {
        try MemoryLimit.checkBytes(s.utf8.count, plus: matches, of: growth)
    } catch {
        guard !old.isEmpty else { throw error }
        var found = s.components(separatedBy: old).count - 1
        if count >= 0 { found = min(found, count) }
        try MemoryLimit.checkBytes(s.utf8.count, plus: found, of: growth)
    }
}
