import TensorRuntime

/// Python's `bytes`: an immutable sequence of byte values, separate from `str` (indexing and
/// iteration give ints, slicing gives bytes; `repr` is CPython's `b'...'` with `\x..` escapes).
/// A literal `b'...'` is one shared constant, which immutability makes safe.
final class PyBytes: PyObject {
    let data: [UInt8]

    init(_ data: [UInt8]) {
        self.data = data
        super.init()
    }

    override var typeName: String { "bytes" }
    override func length(_ ev: Evaluator) throws -> Int? { data.count }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { data.map { .int(Int($0)) } }
    override func truthiness(_ ev: Evaluator) throws -> Bool? { !data.isEmpty }
    override func repr(_ ev: Evaluator) throws -> String { PyBytes.repr(data) }

    /// CPython's `bytes_repr`: single quotes unless the bytes hold `'` and no `"`.
    static func repr(_ data: [UInt8]) -> String {
        let quote: UInt8 = data.contains(39) && !data.contains(34) ? 34 : 39
        var out = "b" + String(UnicodeScalar(quote))
        for c in data {
            switch c {
            case quote, 92: out += "\\" + String(UnicodeScalar(c))
            case 9: out += "\\t"
            case 10: out += "\\n"
            case 13: out += "\\r"
            case 32..<127: out.unicodeScalars.append(UnicodeScalar(c))
            default: out += "\\x" + PyBytes.hexDigits(c)
            }
        }
        return out + String(UnicodeScalar(quote))
    }

    static func hexDigits(_ c: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(c >> 4)], digits[Int(c & 15)]])
    }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        if let bounds = try ev.sliceBounds(key) { return .object(PyBytes(pySliceItems(data, bounds))) }
        let i: Int
        switch key {
        case .int(let v): i = v
        case .bool(let b): i = b ? 1 : 0
        default: throw PyError(.typeError, "byte indices must be integers or slices, not \(key.typeName)")
        }
        let j = i < 0 ? i + data.count : i
        guard j >= 0 && j < data.count else { throw PyError(.indexError, "index out of range") }
        return .int(Int(data[j]))
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .object(let o) = other, let b = o as? PyBytes else { return false }
        return b.data == data
    }

    override func order(comparedTo other: Value, _ ev: Evaluator) throws -> Int? {
        guard case .object(let o) = other, let b = o as? PyBytes else { return nil }
        return compareBytes(data, b.data)
    }

    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        switch item {
        case .int, .bool: return data.contains(try PyBytes.byte(item))
        default: return PyBytes.find(try PyBytes.bytesLike(item), in: data[...]) != nil
        }
    }

    override func binary(_ op: BinaryOperator, _ other: Value, reflected: Bool, _ ev: Evaluator) throws -> Value? {
        switch op {
        case .add:
            guard case .object(let o) = other, let b = o as? PyBytes else {
                if reflected { return nil }
                throw PyError(.typeError, "can't concat \(other.typeName) to bytes")
            }
            return .object(PyBytes(reflected ? b.data + data : data + b.data))
        case .mul:
            guard case .int(let n) = other else { return nil }
            try MemoryLimit.check(count: data.count, itemBytes: Swift.max(n, 0))
            return .object(PyBytes(Array([[UInt8]](repeating: data, count: Swift.max(n, 0)).joined())))
        default: return nil
        }
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        guard let body = PyBytes.methods[name] else { return nil }
        return builtinMethod(name) { a, ev in try body(self.data, a, ev) }
    }

    override func callMethod(_ name: String, _ args: Arguments, _ ev: Evaluator) throws -> Value? {
        guard let body = PyBytes.methods[name] else { return nil }
        return try body(data, args, ev)
    }

    override func attributeNames() -> [String] { PyBytes.methods.keys.sorted() }

    /// An int in 0...255 (what `in`, `count` and `bytes([..])` take as one byte).
    static func byte(_ v: Value) throws -> UInt8 {
        guard case .int(let i) = v.asPlainInt else {
            throw PyError(.typeError, "'\(v.typeName)' object cannot be interpreted as an integer")
        }
        guard let b = UInt8(exactly: i) else { throw PyError(.valueError, "byte must be in range(0, 256)") }
        return b
    }

    /// The bytes of a bytes-like argument, or CPython's TypeError.
    static func bytesLike(_ v: Value) throws -> [UInt8] {
        if case .object(let o) = v, let b = o as? PyBytes { return b.data }
        throw PyError(.typeError, "a bytes-like object is required, not '\(v.typeName)'")
    }

    /// The first index of `needle` in `hay` (an empty needle is found at the start).
    static func find(_ needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        if needle.isEmpty { return hay.startIndex }
        guard needle.count <= hay.count else { return nil }
        var i = hay.startIndex
        while i + needle.count <= hay.endIndex {
            if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Python's whitespace bytes (`bytes.split()` and `strip()` without an argument).
    static let whitespace: Set<UInt8> = [32, 9, 10, 11, 12, 13]

    /// `b[start:end]` of a method's optional start/end arguments.
    private static func window(_ data: [UInt8], _ start: Value?, _ end: Value?) throws -> ArraySlice<UInt8> {
        func bound(_ v: Value?) throws -> Int? {
            guard let v, !v.isNone else { return nil }
            return try v.asInt()
        }
        let r = pySliceRange(count: data.count, (try bound(start), try bound(end), 1))
        return r.start < r.stop ? data[r.start..<r.stop] : data[data.count...]
    }

    private static func strip(_ data: [UInt8], _ a: Arguments, _ name: String, left: Bool, right: Bool) throws -> Value {
        let chars = try a.bind(name, ["bytes"])[0]
        let set = try chars.flatMap { $0.isNone ? nil : Set(try bytesLike($0)) } ?? whitespace
        var lo = 0, hi = data.count
        if left { while lo < hi && set.contains(data[lo]) { lo += 1 } }
        if right { while hi > lo && set.contains(data[hi - 1]) { hi -= 1 } }
        return .object(PyBytes(Array(data[lo..<hi])))
    }

    private static func affix(_ data: [UInt8], _ a: Arguments, _ name: String, suffix: Bool) throws -> Value {
        let s = try a.bind(name, [suffix ? "suffix" : "prefix", "start", "end"], required: 1)
        let part = try window(data, s[1], s[2])
        let candidates: [[UInt8]]
        if case .object(let o)? = s[0], let t = o as? PyTuple { candidates = try t.items.map(bytesLike) } else {
            guard case .object(let o)? = s[0], let b = o as? PyBytes else {
                throw PyError(.typeError, "\(name) first arg must be bytes or a tuple of bytes, not \(s[0]?.typeName ?? "NoneType")")
            }
            candidates = [b.data]
        }
        return .bool(candidates.contains { suffix ? part.reversed().starts(with: $0.reversed()) : part.starts(with: $0) })
    }

    private static func split(_ data: [UInt8], _ a: Arguments) throws -> Value {
        let s = try a.bind("split", ["sep", "maxsplit"])
        var limit = try (s[1] ?? .int(-1)).asInt()
        if limit < 0 { limit = Int.max }
        var parts: [[UInt8]] = []
        if let sepValue = s[0], !sepValue.isNone {
            let sep = try bytesLike(sepValue)
            if sep.isEmpty { throw PyError(.valueError, "empty separator") }
            var rest = data[...]
            while parts.count < limit, let i = find(sep, in: rest) {
                parts.append(Array(rest[rest.startIndex..<i]))
                rest = rest[(i + sep.count)...]
            }
            parts.append(Array(rest))
        } else {
            var i = 0
            while true {
                while i < data.count && whitespace.contains(data[i]) { i += 1 }
                if i == data.count { break }
                if parts.count == limit {
                    var end = data.count
                    while whitespace.contains(data[end - 1]) { end -= 1 }
                    parts.append(Array(data[i..<end]))
                    break
                }
                let start = i
                while i < data.count && !whitespace.contains(data[i]) { i += 1 }
                parts.append(Array(data[start..<i]))
            }
        }
        return .object(PyList(parts.map { .object(PyBytes($0)) }))
    }

    /// `bytes.hex(sep=None, bytes_per_sep=1)`: a separator between groups counted from the right
    /// (from the left for a negative `bytes_per_sep`), as CPython.
    static func hex(_ data: [UInt8], _ a: Arguments) throws -> String {
        let s = try a.bind("hex", ["sep", "bytes_per_sep"])
        let digits = data.map(hexDigits)
        guard let sepValue = s[0], !sepValue.isNone else { return digits.joined() }
        let sep: String
        if case .str(let text) = sepValue { sep = text } else { sep = String(decoding: try bytesLike(sepValue), as: UTF8.self) }
        guard sep.unicodeScalars.count == 1, sep.unicodeScalars.allSatisfy(\.isASCII) else {
            throw PyError(.valueError, "sep must be ASCII.")
        }
        let per = try (s[1] ?? .int(1)).asInt()
        guard per != 0 else { return digits.joined() }
        let size = per.magnitude > UInt(Int32.max) ? data.count : Int(per.magnitude)
        var groups: [String] = []
        if per > 0 {
            var end = digits.count
            while end > 0 {
                groups.insert(digits[Swift.max(0, end - size)..<end].joined(), at: 0)
                end -= size
            }
        } else {
            for start in stride(from: 0, to: digits.count, by: size) {
                groups.append(digits[start..<Swift.min(digits.count, start + size)].joined())
            }
        }
        return groups.joined(separator: sep)
    }

    /// `bytes.fromhex(string)`: pairs of hex digits, whitespace allowed between pairs.
    static func fromHex(_ text: String) throws -> [UInt8] {
        let chars = Array(text.unicodeScalars)
        var out: [UInt8] = []
        var i = 0
        while i < chars.count {
            if chars[i] == " " || ("\t"..."\r").contains(chars[i]) { i += 1; continue }
            guard let high = Lexer.hexValue(chars[i]) else {
                throw PyError(.valueError, "non-hexadecimal number found in fromhex() arg at position \(i)")
            }
            guard i + 1 < chars.count, let low = Lexer.hexValue(chars[i + 1]) else {
                throw PyError(.valueError, "non-hexadecimal number found in fromhex() arg at position \(i + 1)")
            }
            out.append(UInt8(high * 16 + low))
            i += 2
        }
        return out
    }

    /// The methods, each given the receiver's bytes.
    static let methods: [String: ([UInt8], Arguments, Evaluator) throws -> Value] = [
        "hex": { d, a, _ in .str(try hex(d, a)) },
        "decode": { d, a, _ in
            let s = try a.bind("decode", ["encoding", "errors"])
            return .str(try TextCodecs.decode(d, encoding: try (s[0] ?? .str("utf-8")).asString("decode() argument 'encoding'"),
                                              errors: try (s[1] ?? .str("strict")).asString("decode() argument 'errors'")))
        },
        "count": { d, a, _ in
            let s = try a.bind("count", ["sub", "start", "end"], required: 1)
            var rest = try window(d, s[1], s[2])
            guard case .object(let o)? = s[0], let sub = (o as? PyBytes)?.data else {
                let b = try byte(s[0] ?? .none)
                return .int(rest.filter { $0 == b }.count)
            }
            if sub.isEmpty { return .int(rest.count + 1) }
            var n = 0
            while let i = find(sub, in: rest) { n += 1; rest = rest[(i + sub.count)...] }
            return .int(n)
        },
        "find": { d, a, _ in
            let s = try a.bind("find", ["sub", "start", "end"], required: 1)
            let sub: [UInt8]
            if case .int = s[0] ?? .none { sub = [try byte(s[0] ?? .none)] } else { sub = try bytesLike(s[0] ?? .none) }
            return .int(find(sub, in: try window(d, s[1], s[2])) ?? -1)
        },
        "index": { d, a, ev in
            guard case .int(let i) = try methods["find"]?(d, a, ev) ?? .none, i >= 0 else {
                throw PyError(.valueError, "subsection not found")
            }
            return .int(i)
        },
        "startswith": { d, a, _ in try affix(d, a, "startswith", suffix: false) },
        "endswith": { d, a, _ in try affix(d, a, "endswith", suffix: true) },
        "split": { d, a, _ in try split(d, a) },
        "join": { d, a, ev in
            let items = try ev.iterate(try a.bind("join", ["iterable_of_bytes"], required: 1)[0] ?? .none)
            var out: [UInt8] = []
            for (i, item) in items.enumerated() {
                guard case .object(let o) = item, let b = o as? PyBytes else {
                    throw PyError(.typeError, "sequence item \(i): expected a bytes-like object, \(item.typeName) found")
                }
                if i > 0 { out += d }
                out += b.data
            }
            return .object(PyBytes(out))
        },
        "strip": { d, a, _ in try strip(d, a, "strip", left: true, right: true) },
        "lstrip": { d, a, _ in try strip(d, a, "lstrip", left: true, right: false) },
        "rstrip": { d, a, _ in try strip(d, a, "rstrip", left: false, right: true) },
        "replace": { d, a, _ in
            let s = try a.bind("replace", ["old", "new", "count"], required: 2)
            let old = try bytesLike(s[0] ?? .none), new = try bytesLike(s[1] ?? .none)
            var limit = try (s[2] ?? .int(-1)).asInt()
            if limit < 0 { limit = Int.max }
            var out: [UInt8] = [], rest = d[...], n = 0
            while n < limit, !old.isEmpty, let i = find(old, in: rest) {
                out += rest[rest.startIndex..<i] + new
                rest = rest[(i + old.count)...]
                n += 1
            }
            return .object(PyBytes(out + rest))
        },
        "upper": { d, _, _ in .object(PyBytes(d.map { (97...122).contains($0) ? $0 - 32 : $0 })) },
        "lower": { d, _, _ in .object(PyBytes(d.map { (65...90).contains($0) ? $0 + 32 : $0 })) },
        "isascii": { d, _, _ in .bool(d.allSatisfy { $0 < 128 }) },
        "isdigit": { d, _, _ in .bool(!d.isEmpty && d.allSatisfy { (48...57).contains($0) }) },
        "isalpha": { d, _, _ in .bool(!d.isEmpty && d.allSatisfy { (65...90).contains($0) || (97...122).contains($0) }) },
    ]

    /// `bytes(...)`: empty, `n` zero bytes, the UTF-8 (or other) encoding of a str, or the bytes
    /// of an iterable of ints, with CPython's errors.
    static func construct(_ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try a.bind("bytes", ["source", "encoding", "errors"])
        guard let source = s[0] else {
            if s[1] != nil || s[2] != nil { throw PyError(.typeError, "encoding or errors without sequence argument") }
            return .object(PyBytes([]))
        }
        if case .str(let text) = source {
            guard let encoding = s[1] else { throw PyError(.typeError, "string argument without an encoding") }
            return .object(PyBytes(try TextCodecs.encode(text, encoding: try encoding.asString("bytes() argument 'encoding'"),
                                                         errors: try (s[2] ?? .str("strict")).asString("bytes() argument 'errors'"))))
        }
        if s[1] != nil { throw PyError(.typeError, "encoding without a string argument") }
        if s[2] != nil { throw PyError(.typeError, "errors without a string argument") }
        switch source.asPlainInt {
        case .object(let o as PyBytes): return .object(o)
        case .int(let n):
            if n < 0 { throw PyError(.valueError, "negative count") }
            try MemoryLimit.check(count: n, itemBytes: 1)
            return .object(PyBytes([UInt8](repeating: 0, count: n)))
        case .float, .none:
            throw PyError(.typeError, "cannot convert '\(source.typeName)' object to bytes")
        default:
            return .object(PyBytes(try ev.iterate(source).map { item in
                guard case .int(let i) = item.asPlainInt else {
                    throw PyError(.typeError, "'\(item.typeName)' object cannot be interpreted as an integer")
                }
                guard let b = UInt8(exactly: i) else { throw PyError(.valueError, "bytes must be in range(0, 256)") }
                return b
            }))
        }
    }
}

/// `a` against `b` in byte order: negative, zero or positive (bytes' and UUIDs' ordering).
func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
    a == b ? 0 : (a.lexicographicallyPrecedes(b) ? -1 : 1)
}

private extension Value {
    /// An int or bool as `.int`; anything else unchanged.
    var asPlainInt: Value {
        if case .bool(let b) = self { return .int(b ? 1 : 0) }
        return self
    }
}
