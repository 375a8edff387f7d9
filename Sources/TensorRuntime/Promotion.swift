/// PyTorch's type promotion (`torch.result_type`). Operands fall in three priority classes —
/// dimensioned tensors, 0-dim tensors, Python numbers ("wrapped numbers") — and a lower class
/// only changes the result when it is of a higher category (bool < integer < floating):
/// `int64[2] * 2.5 → float32`, `float32[2] + float64 0-dim → float32`, `int64[2] + float64 0-dim → float64`.
public struct TypePromotion {
    private var dimResult: DType?
    private var zeroDimResult: DType?
    private var wrappedResult: DType?

    public init() {}

    /// Adds a tensor operand.
    public mutating func add(_ t: Tensor) {
        if t.dim == 0 {
            zeroDimResult = TypePromotion.promote(zeroDimResult, t.dtype)
        } else {
            dimResult = TypePromotion.promote(dimResult, t.dtype)
        }
    }

    /// Adds a Python number operand (a float number counts as the default dtype, float32).
    public mutating func add(_ s: Scalar) {
        wrappedResult = TypePromotion.promote(wrappedResult, s.defaultDType)
    }

    /// The result dtype (float32 if there were no operands).
    public var result: DType {
        TypePromotion.combine(dimResult, TypePromotion.combine(zeroDimResult, wrappedResult)) ?? DType.defaultFloat
    }

    private static func promote(_ a: DType?, _ b: DType) -> DType {
        guard let a else { return b }
        return DType.promote(a, b)
    }

    /// PyTorch's `combine_categories(higher, lower)`.
    private static func combine(_ higher: DType?, _ lower: DType?) -> DType? {
        guard let higher else { return lower }
        guard let lower else { return higher }
        if higher.isFloatingPoint { return higher }
        if higher == .bool || lower.isFloatingPoint { return DType.promote(higher, lower) }
        return higher
    }

    /// Result dtype of a binary op between two tensors.
    @inline(__always)
    public static func resultType(_ a: Tensor, _ b: Tensor) -> DType {
        if a.dtype == b.dtype { return a.dtype }
        var p = TypePromotion()
        p.add(a)
        p.add(b)
        return p.result
    }

    /// Result dtype of a binary op between a tensor and a Python number.
    @inline(__always)
    public static func resultType(_ a: Tensor, _ s: Scalar) -> DType {
        switch s {
        case .double: if a.dtype.isFloatingPoint { return a.dtype }
        case .int: if a.dtype != .bool { return a.dtype }
        case .bool: return a.dtype
        }
        var p = TypePromotion()
        p.add(a)
        p.add(s)
        return p.result
    }
}

/// `torch.result_type(a, b)` for two tensors.
public func resultType(_ a: Tensor, _ b: Tensor) -> DType { TypePromotion.resultType(a, b) }
