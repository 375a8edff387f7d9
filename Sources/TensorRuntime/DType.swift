/// Element types a tensor can hold. float32 is the default, as in PyTorch.
///
/// The reduced types (uint8, int8, int16, int32, float16, bfloat16) are storage types: data
/// movement (copy, indexing, cat, views, printing, checkpoints) works on them directly, and
/// arithmetic converts to `computeType` (int64 or float32), computes there and converts the
/// result back — so integers wrap as PyTorch's do and halves round once per op.
public enum DType: Sendable, Hashable, CaseIterable {
    case bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .bool, .uint8, .int8: return 1
        case .int16, .float16, .bfloat16: return 2
        case .int32, .float32: return 4
        case .int64, .float64: return 8
        }
    }

    /// PyTorch's `is_floating_point`.
    public var isFloatingPoint: Bool { category == 2 }

    /// The type kernels compute in: int64 for the small integers, float32 for the 16-bit floats,
    /// the type itself otherwise.
    public var computeType: DType {
        switch self {
        case .uint8, .int8, .int16, .int32: return .int64
        case .float16, .bfloat16: return .float32
        default: return self
        }
    }

    /// float32 or float64: the types the float kernels (norms, softmax, pooling, losses …) are
    /// written for. They reject float16/bfloat16 with PyTorch's "not implemented for 'Half'".
    public var isComputeFloat: Bool { self == .float32 || self == .float64 }

    /// True for the storage-only types whose arithmetic goes through `computeType`.
    public var isReduced: Bool { computeType != self }

    /// The name PyTorch prints: `torch.float32`.
    public var name: String { "torch." + pythonName }

    /// The name after `torch.`: `float16`.
    public var pythonName: String {
        switch self {
        case .bool: return "bool"
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .float16: return "float16"
        case .bfloat16: return "bfloat16"
        case .float32: return "float32"
        case .float64: return "float64"
        }
    }

    /// ATen's scalar-type name, used in messages (`'Float'`, `'Long'`) and in legacy tensor type
    /// names (`torch.FloatTensor`) and checkpoint storage classes (`FloatStorage`).
    public var atenName: String {
        switch self {
        case .bool: return "Bool"
        case .uint8: return "Byte"
        case .int8: return "Char"
        case .int16: return "Short"
        case .int32: return "Int"
        case .int64: return "Long"
        case .float16: return "Half"
        case .bfloat16: return "BFloat16"
        case .float32: return "Float"
        case .float64: return "Double"
        }
    }

    /// The short C++ name PyTorch uses in kernel messages (same as `atenName`).
    public var shortName: String { atenName }

    /// The legacy tensor type name used in messages: `torch.FloatTensor`.
    public var legacyTypeName: String { "torch.\(atenName)Tensor" }

    /// The C type name ATen prints in dtype-mismatch messages: `float != double`.
    public var cTypeName: String {
        switch self {
        case .bool: return "bool"
        case .uint8: return "unsigned char"
        case .int8: return "signed char"
        case .int16: return "short int"
        case .int32: return "int"
        case .int64: return "long int"
        case .float16: return "c10::Half"
        case .bfloat16: return "c10::BFloat16"
        case .float32: return "float"
        case .float64: return "double"
        }
    }

    /// Ordering used for promotion within a category: wider wins.
    public var rank: Int {
        switch self {
        case .bool: return 0
        case .uint8, .int8: return 1
        case .int16: return 2
        case .int32: return 3
        case .int64: return 4
        case .float16, .bfloat16: return 5
        case .float32: return 6
        case .float64: return 7
        }
    }

    /// The category (bool, integer, floating) that PyTorch's promotion compares first.
    var category: Int {
        switch self {
        case .bool: return 0
        case .uint8, .int8, .int16, .int32, .int64: return 1
        case .float16, .bfloat16, .float32, .float64: return 2
        }
    }

    /// PyTorch's `canCast`: no floating type to an integer one, nothing but bool to bool.
    public func canCast(to other: DType) -> Bool {
        category <= other.category && (other != .bool || self == .bool)
    }

    /// PyTorch's `promoteTypes` for two dtypes: the higher category wins; within a category the
    /// wider type, except uint8 with int8 (→ int16) and float16 with bfloat16 (→ float32).
    public static func promote(_ a: DType, _ b: DType) -> DType {
        if a == b { return a }
        if a.category != b.category { return a.category > b.category ? a : b }
        switch (a, b) {
        case (.uint8, .int8), (.int8, .uint8): return .int16
        case (.float16, .bfloat16), (.bfloat16, .float16): return .float32
        default: return a.rank >= b.rank ? a : b
        }
    }
}

/// A Python number used as an operand (`x * 2`, `x + 0.5`). In PyTorch's promotion rules such
/// "wrapped numbers" only change a tensor's dtype when they are of a higher category (int → float).
public enum Scalar: Sendable, Equatable {
    case bool(Bool)
    case int(Int64)
    case double(Double)

    public var doubleValue: Double {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return Double(i)
        case .double(let d): return d
        }
    }

    /// The dtype a tensor made from this number gets (`torch.tensor(2.0)` → float32).
    public var defaultDType: DType {
        switch self {
        case .bool: return .bool
        case .int: return .int64
        case .double: return DType.defaultFloat
        }
    }
}
