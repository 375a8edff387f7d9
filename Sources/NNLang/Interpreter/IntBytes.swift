/// `int.to_bytes` and `int.from_bytes` (CPython 3.11's defaults: one byte, big-endian,
/// unsigned), on nnrepl's 64-bit ints: a longer byte string is sign- or zero-extended, and
/// reading back a value beyond 64 bits is an OverflowError.
enum IntBytes {
    private static func bigEndian(_ order: Value?) throws -> Bool {
        switch try (order ?? .str("big")).asString("to_bytes() argument 'byteorder'") {
        case "big": return true
        case "little": return false
        default: throw PyError(.valueError, "byteorder must be either 'little' or 'big'")
        }
    }

    /// `i.to_bytes(length=1, byteorder='big', *, signed=False)`.
    static func toBytes(_ i: Int, _ a: Arguments) throws -> Value {
        let s = try a.bind("to_bytes", ["length", "byteorder", "signed"], positionalLimit: 2)
        let length = try (s[0] ?? .int(1)).asInt("'length'")
        let big = try bigEndian(s[1])
        let signed = try (s[2] ?? .bool(false)).asBool("'signed'")
        if length < 0 { throw PyError(.valueError, "length argument must be non-negative") }
        if !signed && i < 0 { throw PyError(.overflowError, "can't convert negative int to unsigned") }
        if length < 8 {
            let bits = 8 * length
            let fits = signed ? (i >= -(1 << Swift.max(bits - 1, 0)) && i < (bits == 0 ? 1 : 1 << (bits - 1)))
                : i < 1 << bits
            if !fits || (bits == 0 && i != 0) { throw PyError(.overflowError, "int too big to convert") }
        }
        try MemoryLimit.check(count: length, itemBytes: 1)
        let little = (0..<length).map { k in UInt8(truncatingIfNeeded: i >> Swift.min(8 * k, 63)) }
        return .object(PyBytes(big ? little.reversed() : little))
    }

    /// `int.from_bytes(bytes, byteorder='big', *, signed=False)`.
    static func fromBytes(_ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try a.bind("from_bytes", ["bytes", "byteorder", "signed"], required: 1, positionalLimit: 2)
        guard let source = s[0] else { return .int(0) }
        let data: [UInt8]
        if case .object(let o) = source, let b = o as? PyBytes { data = b.data } else {
            if case .str = source { throw PyError(.typeError, "cannot convert 'str' object to bytes") }
            data = try ev.iterate(source).map(PyBytes.byte)
        }
        var bytes = try bigEndian(s[1]) ? data : data.reversed()
        let signed = try (s[2] ?? .bool(false)).asBool("'signed'")
        let negative = signed && (bytes.first ?? 0) >= 0x80
        // Leading bytes that only extend the sign carry no value.
        let fill: UInt8 = negative ? 0xFF : 0
        while bytes.count > 8, bytes[0] == fill, (bytes[1] >= 0x80) == negative { bytes.removeFirst() }
        let overflow = PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit")
        if bytes.count > 8 || (!negative && bytes.count == 8 && bytes[0] >= 0x80) { throw overflow }
        var value: UInt64 = negative ? UInt64.max : 0
        for b in bytes { value = value << 8 | UInt64(b) }
        return .int(Int(bitPattern: UInt(value)))
    }
}
