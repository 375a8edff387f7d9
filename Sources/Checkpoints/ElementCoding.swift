import TensorRuntime

/// An element type as stored in a checkpoint file. The four nnrepl dtypes are read as they are;
/// other PyTorch types are widened when loading (half/bfloat16 → float32, smaller integers → int64),
/// since nnrepl tensors have no such dtypes.
enum FileElementType: Sendable {
    case float32, float64, int64, bool
    case float16, bfloat16, int32, int16, int8, uint8

    /// Bytes per element in the file.
    var itemSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .bool, .int8, .uint8: return 1
        }
    }

    /// The nnrepl dtype a loaded tensor gets.
    var dtype: DType {
        switch self {
        case .float32, .float16, .bfloat16: return .float32
        case .float64: return .float64
        case .int64, .int32, .int16, .int8, .uint8: return .int64
        case .bool: return .bool
        }
    }

    init(_ dtype: DType) {
        switch dtype {
        case .float32: self = .float32
        case .float64: self = .float64
        case .int64: self = .int64
        case .bool: self = .bool
        }
    }

    /// PyTorch's legacy storage class name (`torch.FloatStorage` → `FloatStorage`).
    var storageClassName: String {
        switch self {
        case .float32: return "FloatStorage"
        case .float64: return "DoubleStorage"
        case .int64: return "LongStorage"
        case .bool: return "BoolStorage"
        case .float16: return "HalfStorage"
        case .bfloat16: return "BFloat16Storage"
        case .int32: return "IntStorage"
        case .int16: return "ShortStorage"
        case .int8: return "CharStorage"
        case .uint8: return "ByteStorage"
        }
    }

    init?(storageClassName name: String) {
        let all: [FileElementType] = [.float32, .float64, .int64, .bool, .float16, .bfloat16, .int32, .int16, .int8, .uint8]
        guard let t = all.first(where: { $0.storageClassName == name }) else { return nil }
        self = t
    }

    /// The safetensors dtype tag (`F32`, `I64` …).
    var safetensorsName: String {
        switch self {
        case .float32: return "F32"
        case .float64: return "F64"
        case .int64: return "I64"
        case .bool: return "BOOL"
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        case .int32: return "I32"
        case .int16: return "I16"
        case .int8: return "I8"
        case .uint8: return "U8"
        }
    }

    init?(safetensorsName name: String) {
        let all: [FileElementType] = [.float32, .float64, .int64, .bool, .float16, .bfloat16, .int32, .int16, .int8, .uint8]
        guard let t = all.first(where: { $0.safetensorsName == name }) else { return nil }
        self = t
    }

    /// Fills `storage` (of `dtype`, `count` elements) from little-endian file bytes
    /// (`count * itemSize` of them), converting and normalising bools to 0/1.
    func decode(_ bytes: UnsafeRawBufferPointer, into storage: Storage) {
        let n = storage.count
        guard bytes.count >= n * itemSize, let src = bytes.baseAddress else { return }
        switch self {
        case .float32, .float64, .int64:
            storage.data.copyMemory(from: src, byteCount: n * itemSize)
        case .bool:
            let out = storage.data.assumingMemoryBound(to: UInt8.self)
            for i in 0..<n { out[i] = bytes[i] != 0 ? 1 : 0 }
        case .float16:
            let out = storage.pointer(Float.self)
            for i in 0..<n { out[i] = halfToFloat(UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8) }
        case .bfloat16:
            let out = storage.pointer(Float.self)
            for i in 0..<n {
                let bits = UInt32(bytes[2 * i]) << 16 | UInt32(bytes[2 * i + 1]) << 24
                out[i] = Float(bitPattern: bits)
            }
        case .int32:
            let out = storage.pointer(Int64.self)
            for i in 0..<n { out[i] = Int64(Int32(bitPattern: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian)) }
        case .int16:
            let out = storage.pointer(Int64.self)
            for i in 0..<n { out[i] = Int64(Int16(bitPattern: UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8)) }
        case .int8:
            let out = storage.pointer(Int64.self)
            for i in 0..<n { out[i] = Int64(Int8(bitPattern: bytes[i])) }
        case .uint8:
            let out = storage.pointer(Int64.self)
            for i in 0..<n { out[i] = Int64(bytes[i]) }
        }
    }
}

/// IEEE half-precision bits to Float (subnormals, infinities and NaN included).
func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h >> 15) << 31
    let exp = Int((h >> 10) & 0x1f)
    let frac = UInt32(h & 0x3ff)
    if exp == 0 {
        let magnitude = Float(frac) * Float(sign: .plus, exponent: -24, significand: 1)
        return sign != 0 ? -magnitude : magnitude
    }
    if exp == 31 { return Float(bitPattern: sign | 0x7f80_0000 | frac << 13) }
    return Float(bitPattern: sign | UInt32(exp + 112) << 23 | frac << 13)
}

/// A new storage of `count` elements of `type`'s nnrepl dtype, filled from file bytes.
func makeStorage(_ type: FileElementType, count: Int, bytes: UnsafeRawBufferPointer) throws -> Storage {
    let storage = try Storage(count: count, dtype: type.dtype, zeroed: false)
    type.decode(bytes, into: storage)
    return storage
}
