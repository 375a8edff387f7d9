/// Element types a tensor can hold. float32 is the default, as in PyTorch.
public enum DType: Sendable, Hashable, CaseIterable {
    case bool, int64, float32, float64

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .bool: return 1
        case .int64, .float64: return 8
        case .float32: return 4
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// The name PyTorch prints: `torch.float32`.
    public var name: String {
        switch self {
        case .bool: return "torch.bool"
        case .int64: return "torch.int64"
        case .float32: return "torch.float32"
        case .float64: return "torch.float64"
        }
    }

    /// The legacy tensor type name used in messages: `torch.FloatTensor`.
    public var legacyTypeName: String {
        switch self {
        case .bool: return "torch.BoolTensor"
        case .int64: return "torch.LongTensor"
        case .float32: return "torch.FloatTensor"
        case .float64: return "torch.DoubleTensor"
        }
    }

    /// Ordering used for promotion: bool < int64 < float32 < float64.
    public var rank: Int {
        switch self {
        case .bool: return 0
        case .int64: return 1
        case .float32: return 2
        case .float64: return 3
        }
    }

    /// The category (bool, integer, floating) that PyTorch's promotion compares first.
    var category: Int {
        switch self {
        case .bool: return 0
        case .int64: return 1
        case .float32, .float64: return 2
        }
    }

    /// Promotion of two tensor dtypes of the same priority (both dimensioned, or both 0-dim).
    public static func promote(_ a: DType, _ b: DType) -> DType { a.rank >= b.rank ? a : b }
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
        case .double: return .float32
        }
    }
}
