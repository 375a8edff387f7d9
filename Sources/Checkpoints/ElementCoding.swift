import TensorRuntime

/// An element type as stored in a checkpoint file: every nnrepl dtype has PyTorch's file layout
/// (little-endian, the same item size), so a file's type is the tensor's dtype.
typealias FileElementType = DType

extension DType {
    /// PyTorch's legacy storage class name (`torch.FloatStorage` → `FloatStorage`, `HalfStorage`).
    var storageClassName: String { atenName + "Storage" }

    init?(storageClassName name: String) {
        guard let t = DType.allCases.first(where: { $0.storageClassName == name }) else { return nil }
        self = t
    }

    /// The safetensors dtype tag (`F32`, `I64`, `BF16` …).
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
        guard let t = DType.allCases.first(where: { $0.safetensorsName == name }) else { return nil }
        self = t
    }

    /// Fills `storage` (of this dtype, `count` elements) from little-endian file bytes
    /// (`count * itemSize` of them), normalising bools to 0/1.
    func decode(_ bytes: UnsafeRawBufferPointer, into storage: Storage) {
        let n = storage.count
        guard bytes.count >= n * itemSize, let src = bytes.baseAddress else { return }
        if self == .bool {
            let out = storage.data.assumingMemoryBound(to: UInt8.self)
            for i in 0..<n { out[i] = bytes[i] != 0 ? 1 : 0 }
        } else {
            storage.data.copyMemory(from: src, byteCount: n * itemSize)
        }
    }
}

/// A new storage of `count` elements of `type`, filled from file bytes.
func makeStorage(_ type: DType, count: Int, bytes: UnsafeRawBufferPointer) throws -> Storage {
    let storage = try Storage(count: count, dtype: type, zeroed: false)
    type.decode(bytes, into: storage)
    return storage
}
