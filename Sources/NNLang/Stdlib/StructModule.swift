/// Python's `struct`: `pack`, `unpack`, `calcsize`, `iter_unpack` and `unpack_from` for the
/// formats `x c b B ? h H i I l L q Q f d s` with repeat counts and the byte orders
/// `@ = < > !` (`@`, the default, native sizes with C alignment as on 64-bit Linux).
enum StructModule {
    /// One format item: its code, size and, for `s`, the string length.
    private struct Item {
        let code: Character
        let size: Int
        let count: Int
        let padding: Int
    }

    private struct Layout {
        var items: [Item] = []
        var littleEndian = true
        var size = 0
        /// How many values pack takes and unpack gives.
        var valueCount: Int { items.reduce(0) { $0 + ($1.code == "x" ? 0 : $1.code == "s" ? 1 : $1.count) } }
    }

    private static func error(_ message: String) -> PyError { PyError(.structError, message) }

    private static func layout(_ format: String) throws -> Layout {
        var chars = Array(format)
        var layout = Layout()
        var native = true
        if let first = chars.first, "@=<>!".contains(first) {
            native = first == "@"
            layout.littleEndian = first == "<" || first == "=" || first == "@"
            chars.removeFirst()
        }
        var i = 0
        while i < chars.count {
            if chars[i].isWhitespace { i += 1; continue }
            var count = 1
            if chars[i].isASCII, chars[i].isNumber {
                var n = 0
                while i < chars.count, chars[i].isASCII, let d = chars[i].wholeNumberValue {
                    n = n &* 10 &+ d
                    i += 1
                }
                guard i < chars.count else { throw error("repeat count given without format specifier") }
                count = n
            }
            let code = chars[i]
            let size: Int
            switch code {
            case "x", "c", "b", "B", "?", "s": size = 1
            case "h", "H": size = 2
            case "i", "I", "f": size = 4
            case "l", "L": size = native ? 8 : 4
            case "q", "Q", "d": size = 8
            default: throw error("bad char in struct format")
            }
            let align = native && code != "s" && code != "x" ? size : 1
            let padding = (align - layout.size % align) % align
            let total = code == "s" ? count : size * count
            layout.items.append(Item(code: code, size: size, count: count, padding: padding))
            layout.size += padding + total
            i += 1
        }
        return layout
    }

    private static func integerRange(_ code: Character, _ size: Int) -> (Int, UInt64) {
        let bits = 8 * size
        if code.isUppercase { return (0, bits == 64 ? UInt64.max : (1 << UInt64(bits)) - 1) }
        return (bits == 64 ? Int.min : -(1 << (bits - 1)), UInt64((1 << UInt64(bits - 1)) - 1))
    }

    private static func rangeError(_ code: Character, _ size: Int) -> PyError {
        let (lo, hi) = integerRange(code, size)
        switch code {
        case "b": return error("byte format requires -128 <= number <= 127")
        case "B": return error("ubyte format requires 0 <= number <= 255")
        case "h": return error("short format requires -32768 <= number <= 32767")
        case "H": return error("ushort format requires 0 <= number <= 65535")
        default: return error("'\(code)' format requires \(lo) <= number <= \(hi)")
        }
    }

    private static func pack(_ layout: Layout, _ values: [Value], _ ev: Evaluator) throws -> [UInt8] {
        guard values.count == layout.valueCount else {
            throw error("pack expected \(layout.valueCount) items for packing (got \(values.count))")
        }
        var out: [UInt8] = []
        var next = values.makeIterator()
        func append(_ bits: UInt64, _ size: Int) {
            let little = (0..<size).map { UInt8(truncatingIfNeeded: bits >> UInt64(8 * $0)) }
            out += layout.littleEndian ? little : little.reversed()
        }
        for item in layout.items {
            out += [UInt8](repeating: 0, count: item.padding)
            if item.code == "x" { out += [UInt8](repeating: 0, count: item.count); continue }
            if item.code == "s" {
                guard case .object(let o)? = next.next(), let data = (o as? PyBytes)?.data else {
                    throw error("argument for 's' must be a bytes object")
                }
                out += data.prefix(item.count) + [UInt8](repeating: 0, count: Swift.max(0, item.count - data.count))
                continue
            }
            for _ in 0..<item.count {
                let v = next.next() ?? .none
                switch item.code {
                case "c":
                    guard case .object(let o) = v, let b = o as? PyBytes, b.data.count == 1 else {
                        throw error("char format requires a bytes object of length 1")
                    }
                    out += b.data
                case "?":
                    out.append(try ev.truthy(v) ? 1 : 0)
                case "f", "d":
                    let d: Double
                    switch v {
                    case .float(let x): d = x
                    case .int(let n): d = Double(n)
                    case .bool(let b): d = b ? 1 : 0
                    default: throw error("required argument is not a float")
                    }
                    switch item.code {
                    case "f":
                        let f = Float(d)
                        if f.isInfinite && d.isFinite { throw PyError(.overflowError, "float too large to pack with f format") }
                        append(UInt64(f.bitPattern), 4)
                    default: append(d.bitPattern, 8)
                    }
                default:
                    let n: Int
                    switch v {
                    case .int(let x): n = x
                    case .bool(let b): n = b ? 1 : 0
                    default: throw error("required argument is not an integer")
                    }
                    let (lo, hi) = integerRange(item.code, item.size)
                    if item.code.isUppercase && n < 0 && item.size >= 4 { throw error("argument out of range") }
                    if n < lo || (n >= 0 && UInt64(n) > hi) { throw rangeError(item.code, item.size) }
                    append(UInt64(bitPattern: Int64(n)), item.size)
                }
            }
        }
        return out
    }

    private static func unpack(_ layout: Layout, _ data: ArraySlice<UInt8>) throws -> [Value] {
        var values: [Value] = []
        var at = data.startIndex
        func read(_ size: Int) -> UInt64 {
            let bytes = data[at..<(at + size)]
            at += size
            return (layout.littleEndian ? Array(bytes.reversed()) : Array(bytes)).reduce(0) { $0 << 8 | UInt64($1) }
        }
        for item in layout.items {
            at += item.padding
            switch item.code {
            case "x": at += item.count; continue
            case "s":
                values.append(.object(PyBytes(Array(data[at..<(at + item.count)]))))
                at += item.count
                continue
            default: break
            }
            for _ in 0..<item.count {
                let bits = read(item.size)
                switch item.code {
                case "c": values.append(.object(PyBytes([UInt8(bits)])))
                case "?": values.append(.bool(bits != 0))
                case "f": values.append(.float(Double(Float(bitPattern: UInt32(bits)))))
                case "d": values.append(.float(Double(bitPattern: bits)))
                default:
                    if item.code.isUppercase {
                        guard bits <= UInt64(Int.max) else { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
                        values.append(.int(Int(bits)))
                    } else {
                        let shift = UInt64(64 - 8 * item.size)
                        values.append(.int(Int(Int64(bitPattern: bits << shift) >> Int64(shift))))
                    }
                }
            }
        }
        return values
    }

    private static func format(_ v: Value?) throws -> Layout {
        switch v ?? .none {
        case .str(let s): return try layout(s)
        case .object(let o as PyBytes): return try layout(String(decoding: o.data, as: UTF8.self))
        case let other: throw PyError(.typeError, "Struct() argument 1 must be a str or bytes object, not \(other.typeName)")
        }
    }

    static func module() -> Namespace {
        let m = Namespace("struct")
        m["error"] = .object(ExceptionClasses.forKind(.structError))
        m["calcsize"] = .object(NativeFunction("calcsize", signature: Signature("format"), doc: "The size in bytes of the struct the format describes.") { a, _ in
            .int(try format(try a.bind("calcsize", ["format"], required: 1)[0]).size)
        })
        m["pack"] = .object(NativeFunction("pack", signature: Signature("format, *values"), doc: "The values packed into bytes as the format says.") { a, ev in
            guard let first = a.positional.first else { throw PyError(.typeError, "pack expected at least 1 argument, got 0") }
            return .object(PyBytes(try pack(try format(first), Array(a.positional.dropFirst()), ev)))
        })
        m["unpack"] = .object(NativeFunction("unpack", signature: Signature("format, buffer, /"), doc: "The tuple of values packed in the buffer.") { a, _ in
            let s = try a.bind("unpack", ["format", "buffer"], required: 2)
            let layout = try format(s[0])
            let data = try PyBytes.bytesLike(s[1] ?? .none)
            guard data.count == layout.size else { throw error("unpack requires a buffer of \(layout.size) bytes") }
            return .object(PyTuple(try unpack(layout, data[...])))
        })
        m["unpack_from"] = .object(NativeFunction("unpack_from", signature: Signature("format, /, buffer, offset=0"), doc: "The values packed in the buffer from offset on.") { a, _ in
            let s = try a.bind("unpack_from", ["format", "buffer", "offset"], required: 2)
            let layout = try format(s[0])
            let data = try PyBytes.bytesLike(s[1] ?? .none)
            var offset = try (s[2] ?? .int(0)).asInt()
            if offset < 0 { offset += data.count }
            guard offset >= 0, offset <= data.count, data.count - offset >= layout.size else {
                throw error("unpack_from requires a buffer of at least \(layout.size + Swift.max(offset, 0)) bytes for unpacking \(layout.size) bytes at offset \(Swift.max(offset, 0)) (actual buffer size is \(data.count))")
            }
            return .object(PyTuple(try unpack(layout, data[offset..<(offset + layout.size)])))
        })
        m["iter_unpack"] = .object(NativeFunction("iter_unpack", signature: Signature("format, buffer, /"), doc: "The tuples of values in each struct-sized chunk of the buffer.") { a, _ in
            let s = try a.bind("iter_unpack", ["format", "buffer"], required: 2)
            let layout = try format(s[0])
            let data = try PyBytes.bytesLike(s[1] ?? .none)
            guard layout.size > 0 else { throw error("cannot iteratively unpack with a struct of length 0") }
            guard data.count % layout.size == 0 else {
                throw error("iterative unpacking requires a buffer of a multiple of \(layout.size) bytes")
            }
            let tuples = try stride(from: 0, to: data.count, by: layout.size).map { Value.object(PyTuple(try unpack(layout, data[$0..<($0 + layout.size)]))) }
            return .object(ArrayIterator(tuples, kind: "unpack_iterator"))
        })
        return m
    }
}
