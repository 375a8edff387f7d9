import Foundation
import TensorRuntime

/// Python's `json`: `dumps`/`dump` (indent, sort_keys, separators, ensure_ascii, allow_nan,
/// default, skipkeys) with CPython's exact text, and `loads`/`load` with its errors
/// (`json.JSONDecodeError`, a ValueError, "Expecting value: line 1 column 1 (char 0)").
enum JSONModule {
    static func module() -> Namespace {
        let m = Namespace("json")
        let options = JSONEncoderType.options
        m.function("dumps") { a, ev in
            let s = try a.bind("dumps", ["obj"] + options, required: 1, positionalLimit: 1)
            if let text = try encodeWithClass(s, from: 1, ev) { return text }
            return .str(try JSONWriter(s, from: 1, ev).encode(s[0] ?? .none, oneShot: true))
        }
        m.function("dump") { a, ev in
            let s = try a.bind("dump", ["obj", "fp"] + options, required: 2, positionalLimit: 2)
            let text = try encodeWithClass(s, from: 2, ev) ?? .str(try JSONWriter(s, from: 2, ev).encode(s[0] ?? .none, oneShot: false))
            _ = try ev.call(try ev.getAttribute(s[1] ?? .none, "write"), Arguments([text]))
            return .none
        }
        m.function("loads") { a, ev in
            let s = try a.bind("loads", ["s", "cls", "object_hook", "parse_float", "parse_int", "parse_constant",
                                         "object_pairs_hook"], required: 1, positionalLimit: 1)
            return try decode(s[0] ?? .none, objectHook: s[2], ev)
        }
        m.function("load") { a, ev in
            let s = try a.bind("load", ["fp", "cls", "object_hook", "parse_float", "parse_int", "parse_constant",
                                        "object_pairs_hook"], required: 1, positionalLimit: 1)
            let text = try ev.call(try ev.getAttribute(s[0] ?? .none, "read"), Arguments())
            return try decode(text, objectHook: s[2], ev)
        }
        m["JSONDecodeError"] = .object(ExceptionClasses.forKind(.jsonDecodeError))
        m["JSONEncoder"] = .object(JSONEncoderType.type)
        return m
    }

    /// `dumps(obj, cls=E, ...)`: `E(**options).encode(obj)`, with every option passed as CPython
    /// passes them; nil without a `cls`.
    private static func encodeWithClass(_ s: [Value?], from first: Int, _ ev: Evaluator) throws -> Value? {
        let options = JSONEncoderType.options
        guard let cls = s[first + (options.firstIndex(of: "cls") ?? 0)], !cls.isNone else { return nil }
        let keywords = zip(options, s[first...]).filter { $0.0 != "cls" }
            .map { (name: $0.0, value: $0.1 ?? JSONEncoderType.defaults[$0.0] ?? .none) }
        let encoder = try ev.call(cls, Arguments([], keywords: keywords))
        return try ev.call(try ev.getAttribute(encoder, "encode"), Arguments([s[0] ?? .none]))
    }

    /// A writer with the option slots in `JSONEncoderType.options` order.
    static func writer(options: [Value?], _ ev: Evaluator) throws -> JSONWriter { try JSONWriter(options, from: 0, ev) }

    private static func decode(_ source: Value, objectHook: Value?, _ ev: Evaluator) throws -> Value {
        guard case .str(let text) = source else {
            throw PyError(.typeError, "the JSON object must be str, bytes or bytearray, not \(source.typeName)")
        }
        var parser = JSONReader(text: text, ev: ev, objectHook: objectHook.flatMap { $0.isNone ? nil : $0 })
        return try parser.parseDocument()
    }
}

/// Writes one value as JSON text the way CPython's `json.encoder` (pure-Python path) does.
/// (`JSONModule.writer` makes one for `JSONEncoder.encode`.)
struct JSONWriter {
    let ev: Evaluator
    let skipKeys: Bool, ensureASCII: Bool, checkCircular: Bool, allowNaN: Bool, sortKeys: Bool
    let indent: String?
    let itemSeparator: String, keySeparator: String
    let fallback: Value?
    private var active: Set<ObjectIdentifier> = []
    private var recursionContext = ""

    /// The options of `dumps`/`dump`, read from the bound slots starting at `first` (skipkeys).
    init(_ s: [Value?], from first: Int, _ ev: Evaluator) throws {
        self.ev = ev
        func flag(_ i: Int, _ default: Bool) throws -> Bool { try s[first + i].map { try ev.truthy($0) } ?? `default` }
        skipKeys = try flag(0, false)
        ensureASCII = try flag(1, true)
        checkCircular = try flag(2, true)
        allowNaN = try flag(3, true)
        sortKeys = try flag(8, false)
        switch s[first + 5] ?? .none {
        case .none: indent = nil
        case .int(let n): indent = String(repeating: " ", count: max(n, 0))
        case .str(let text): indent = text
        case let other: throw PyError(.typeError, "can't multiply sequence by non-int of type '\(other.typeName)'")
        }
        if let separators = s[first + 6], !separators.isNone {
            let parts = try ev.iterate(separators)
            guard parts.count == 2, case .str(let item) = parts[0], case .str(let key) = parts[1] else {
                throw PyError(.valueError, "separators must be a (item_separator, key_separator) pair of strings")
            }
            (itemSeparator, keySeparator) = (item, key)
        } else {
            (itemSeparator, keySeparator) = (indent == nil ? ", " : ",", ": ")
        }
        fallback = s[first + 7].flatMap { $0.isNone ? nil : $0 }
    }

    /// The text of `v`. `oneShot` (`dumps`) without indent is where CPython uses its C encoder,
    /// whose RecursionError says "while encoding a JSON object" (arrays too); its pure-Python
    /// encoder's says "while calling a Python object".
    func encode(_ v: Value, oneShot: Bool) throws -> String {
        var writer = self, out = ""
        writer.recursionContext = oneShot && indent == nil ? " while encoding a JSON object" : " while calling a Python object"
        try writer.write(v, level: 0, into: &out)
        return out
    }

    private mutating func write(_ v: Value, level: Int, into out: inout String) throws {
        switch v {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int: out += try ev.repr(v)
        case .float(let x): out += try floatText(x)
        case .str(let text): out += quoted(text)
        case .object where EnumModule.builtinValue(v) != nil: try write(EnumModule.builtinValue(v) ?? .none, level: level, into: &out)
        // A subclass of dict, list, str, int … encodes as its value.
        case .object(let o as DerivedValueInstance): try write(o.native, level: level, into: &out)
        default:
            try recursionGuarded(ev, recursionContext) { try writeContainer(v, level: level, into: &out) }
        }
    }

    /// A list, dict or `default=`-converted value.
    private mutating func writeContainer(_ v: Value, level: Int, into out: inout String) throws {
        guard let pairs = ev.mappingItems(v) else {
            if let items = ev.sequenceItems(v) {
                let id = try enter(v)
                defer { leave(id) }
                return try writeArray(items, level: level, into: &out)
            }
            guard let fallback else { throw PyError(.typeError, "Object of type \(v.typeName) is not JSON serializable") }
            let id = try enter(v)
            defer { leave(id) }
            return try write(try ev.call(fallback, Arguments([v])), level: level, into: &out)
        }
        let id = try enter(v)
        defer { leave(id) }
        try writeObject(pairs, level: level, into: &out)
    }

    /// Marks a container as being written (CPython's `markers`), raising on a cycle.
    private mutating func enter(_ v: Value) throws -> ObjectIdentifier? {
        guard checkCircular, case .object(let o) = v else { return nil }
        let id = ObjectIdentifier(o)
        guard active.insert(id).inserted else { throw PyError(.valueError, "Circular reference detected") }
        return id
    }

    private mutating func leave(_ id: ObjectIdentifier?) {
        if let id { active.remove(id) }
    }

    /// The newline and indentation before an item at `level`, or "" without indent.
    private func lineBreak(_ level: Int) -> String {
        guard let indent else { return "" }
        return "\n" + String(repeating: indent, count: level)
    }

    private mutating func writeArray(_ items: [Value], level: Int, into out: inout String) throws {
        guard !items.isEmpty else { out += "[]"; return }
        out += "["
        for (i, item) in items.enumerated() {
            out += (i == 0 ? "" : itemSeparator) + lineBreak(level + 1)
            try write(item, level: level + 1, into: &out)
        }
        out += lineBreak(level) + "]"
    }

    private mutating func writeObject(_ pairs: [(Value, Value)], level: Int, into out: inout String) throws {
        guard !pairs.isEmpty else { out += "{}"; return }
        var items = pairs
        if sortKeys { items = try sortedByKey(items) }
        out += "{"
        var first = true
        for (key, value) in items {
            guard let name = try keyText(key) else { continue }
            out += (first ? "" : itemSeparator) + lineBreak(level + 1)
            first = false
            out += quoted(name) + keySeparator
            try write(value, level: level + 1, into: &out)
        }
        out += lineBreak(level) + "}"
    }

    /// A dict key as JSON writes it (str, or a number/bool/None spelled as JSON); nil to skip it.
    private func keyText(_ key: Value) throws -> String? {
        switch key {
        case .str(let s): return s
        case .float(let x): return try floatText(x)
        case .bool(let b): return b ? "true" : "false"
        case .int: return try ev.repr(key)
        case .none: return "null"
        default:
            if skipKeys { return nil }
            throw PyError(.typeError, "keys must be str, int, float, bool or None, not \(key.typeName)")
        }
    }

    /// `sorted(d.items())` by key: strings by code point, numbers by value; mixed kinds raise
    /// Python's comparison TypeError.
    private func sortedByKey(_ items: [(Value, Value)]) throws -> [(Value, Value)] {
        func number(_ v: Value) -> Double? {
            switch v {
            case .int(let i): return Double(i)
            case .float(let x): return x
            case .bool(let b): return b ? 1 : 0
            default: return nil
            }
        }
        if items.allSatisfy({ if case .str = $0.0 { return true }; return false }) {
            return items.sorted { a, b in
                guard case .str(let x) = a.0, case .str(let y) = b.0 else { return false }
                return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
            }
        }
        if items.allSatisfy({ number($0.0) != nil }) {
            return items.sorted { (number($0.0) ?? 0) < (number($1.0) ?? 0) }
        }
        let kinds = items.map { $0.0.typeName }
        let other = kinds.first { $0 != kinds[0] } ?? kinds[0]
        throw PyError(.typeError, "'<' not supported between instances of '\(other)' and '\(kinds[0])'")
    }

    private func floatText(_ x: Double) throws -> String {
        if x.isFinite { return try ev.repr(.float(x)) }
        guard allowNaN else { throw PyError(.valueError, "Out of range float values are not JSON compliant") }
        return x.isNaN ? "NaN" : x > 0 ? "Infinity" : "-Infinity"
    }

    /// A JSON string literal with CPython's escapes (`ensure_ascii` writes non-ASCII as \uXXXX,
    /// surrogate pairs above the BMP).
    private func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (ensureASCII && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        out += hex4(0xD800 + (v >> 10)) + hex4(0xDC00 + (v & 0x3FF))
                    } else {
                        out += hex4(scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private func hex4(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// CPython's `json.decoder` over the text's Unicode scalars: positions in messages are scalar
/// offsets, as Python's are code-point offsets.
private struct JSONReader {
    let chars: [Unicode.Scalar]
    let ev: Evaluator
    let objectHook: Value?
    var pos = 0

    init(text: String, ev: Evaluator, objectHook: Value?) {
        chars = Array(text.unicodeScalars)
        self.ev = ev
        self.objectHook = objectHook
    }

    mutating func parseDocument() throws -> Value {
        skipSpace()
        let v = try parseValue()
        skipSpace()
        if pos < chars.count { throw error("Extra data", at: pos) }
        return v
    }

    /// `json.JSONDecodeError`: "msg: line L column C (char P)", with CPython's `msg`, `doc`,
    /// `pos`, `lineno` and `colno` attributes.
    private func error(_ message: String, at p: Int) -> PyError {
        var line = 1, lineStart = 0
        for i in 0..<min(p, chars.count) where chars[i] == "\n" {
            line += 1
            lineStart = i + 1
        }
        var e = PyError(.jsonDecodeError, "\(message): line \(line) column \(p - lineStart + 1) (char \(p))")
        e.attributes = [("msg", .str(message)), ("doc", .str(String(String.UnicodeScalarView(chars)))), ("pos", .int(p)),
                        ("lineno", .int(line)), ("colno", .int(p - lineStart + 1))]
        return e
    }

    private mutating func skipSpace() {
        while pos < chars.count, [" ", "\t", "\n", "\r"].contains(chars[pos]) { pos += 1 }
    }

    private func starts(with word: String, at p: Int) -> Bool {
        let w = Array(word.unicodeScalars)
        return p + w.count <= chars.count && Array(chars[p..<(p + w.count)]) == w
    }

    private mutating func parseValue() throws -> Value {
        guard pos < chars.count else { throw error("Expecting value", at: pos) }
        let c = chars[pos]
        switch c {
        case "\"":
            pos += 1
            return .str(try parseString(start: pos - 1))
        case "{": return try recursionGuarded(ev, " while decoding a JSON object from a unicode string") { try parseObject() }
        case "[": return try recursionGuarded(ev, " while decoding a JSON array from a unicode string") { try parseArray() }
        default:
            for (word, value) in [("null", Value.none), ("true", .bool(true)), ("false", .bool(false)),
                                  ("NaN", .float(.nan)), ("Infinity", .float(.infinity)), ("-Infinity", .float(-.infinity))]
            where starts(with: word, at: pos) {
                pos += word.unicodeScalars.count
                return value
            }
            if c == "-" || ("0"..."9").contains(c) { if let n = try parseNumber() { return n } }
            throw error("Expecting value", at: pos)
        }
    }

    /// A number as CPython's NUMBER_RE reads it: `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`.
    private mutating func parseNumber() throws -> Value? {
        let start = pos
        var p = pos
        func digits() -> Int {
            let s = p
            while p < chars.count, ("0"..."9").contains(chars[p]) { p += 1 }
            return p - s
        }
        if chars[p] == "-" { p += 1 }
        guard p < chars.count, ("0"..."9").contains(chars[p]) else { return nil }
        if chars[p] == "0" { p += 1 } else { _ = digits() }
        var isFloat = false
        if p + 1 < chars.count, chars[p] == ".", ("0"..."9").contains(chars[p + 1]) {
            p += 1
            _ = digits()
            isFloat = true
        }
        if p < chars.count, chars[p] == "e" || chars[p] == "E" {
            var q = p + 1
            if q < chars.count, chars[q] == "+" || chars[q] == "-" { q += 1 }
            if q < chars.count, ("0"..."9").contains(chars[q]) {
                p = q
                _ = digits()
                isFloat = true
            }
        }
        pos = p
        let text = String(String.UnicodeScalarView(chars[start..<p]))
        if isFloat { return .float(Double(text) ?? .nan) }
        guard let i = Int(text) else { throw PyError(.overflowError, "int too large for nnrepl (more than 64 bits): \(text)") }
        return .int(i)
    }

    private mutating func parseString(start: Int) throws -> String {
        var out = String.UnicodeScalarView()
        while true {
            guard pos < chars.count else { throw error("Unterminated string starting at", at: start) }
            let c = chars[pos]
            if c == "\"" { pos += 1; return String(out) }
            if c.value < 0x20 { throw error("Invalid control character at", at: pos) }
            if c != "\\" { out.append(c); pos += 1; continue }
            guard pos + 1 < chars.count else { throw error("Unterminated string starting at", at: start) }
            let e = chars[pos + 1]
            switch e {
            case "\"": out.append("\"")
            case "\\": out.append("\\")
            case "/": out.append("/")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "u":
                var code = try hex4(at: pos + 2, escape: pos)
                pos += 6
                if (0xD800...0xDBFF).contains(code), starts(with: "\\u", at: pos),
                   let low = try? hex4(at: pos + 2, escape: pos), (0xDC00...0xDFFF).contains(low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    pos += 6
                }
                out.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                continue
            default:
                throw error("Invalid \\escape", at: pos)
            }
            pos += 2
        }
    }

    private func hex4(at p: Int, escape: Int) throws -> UInt32 {
        guard p + 4 <= chars.count, let v = UInt32(String(String.UnicodeScalarView(chars[p..<(p + 4)])), radix: 16) else {
            throw error("Invalid \\uXXXX escape", at: escape)
        }
        return v
    }

    private mutating func parseArray() throws -> Value {
        pos += 1
        var items: [Value] = []
        skipSpace()
        if pos < chars.count, chars[pos] == "]" { pos += 1; return ev.makeList(items) }
        while true {
            skipSpace()
            items.append(try parseValue())
            skipSpace()
            guard pos < chars.count else { throw error("Expecting ',' delimiter", at: pos) }
            if chars[pos] == "]" { pos += 1; return ev.makeList(items) }
            guard chars[pos] == "," else { throw error("Expecting ',' delimiter", at: pos) }
            pos += 1
        }
    }

    private mutating func parseObject() throws -> Value {
        pos += 1
        var pairs: [(Value, Value)] = []
        skipSpace()
        if pos < chars.count, chars[pos] == "}" { pos += 1; return try finish(pairs) }
        while true {
            skipSpace()
            guard pos < chars.count, chars[pos] == "\"" else {
                throw error("Expecting property name enclosed in double quotes", at: pos)
            }
            pos += 1
            let key = try parseString(start: pos - 1)
            skipSpace()
            guard pos < chars.count, chars[pos] == ":" else { throw error("Expecting ':' delimiter", at: pos) }
            pos += 1
            skipSpace()
            pairs.append((.str(key), try parseValue()))
            skipSpace()
            guard pos < chars.count else { throw error("Expecting ',' delimiter", at: pos) }
            if chars[pos] == "}" { pos += 1; return try finish(pairs) }
            guard chars[pos] == "," else { throw error("Expecting ',' delimiter", at: pos) }
            pos += 1
        }
    }

    /// A dict of the pairs (a later duplicate key wins, as in a dict display), through `object_hook`.
    private func finish(_ pairs: [(Value, Value)]) throws -> Value {
        let d = ev.makeDict(pairs, ordered: false)
        guard let objectHook else { return d }
        return try ev.call(objectHook, Arguments([d]))
    }
}
