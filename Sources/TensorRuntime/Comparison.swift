/// Comparisons (bool results), logical and bitwise ops, `where`, NaN tests, `equal`, `allclose`.

struct EqOp: CompareOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> Bool { T.equal(a, b) } }
struct NeOp: CompareOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> Bool { !T.equal(a, b) } }
struct LtOp: CompareOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> Bool { T.lessThan(a, b) } }
struct LeOp: CompareOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> Bool { T.lessThan(a, b) || T.equal(a, b) } }
struct GtOp: CompareOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> Bool { T.lessThan(b, a) } }
struct GeOp: CompareOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> Bool { T.lessThan(b, a) || T.equal(a, b) } }
struct LogicalAndOp: CompareOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> Bool { !T.equal(a, .zero) && !T.equal(b, .zero) } }
struct LogicalOrOp: CompareOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> Bool { !T.equal(a, .zero) || !T.equal(b, .zero) } }
struct LogicalXorOp: CompareOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> Bool { T.equal(a, .zero) != T.equal(b, .zero) } }
struct BitAndOp: BinaryOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T { T.bitAnd(a, b) } }
struct BitOrOp: BinaryOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T { T.bitOr(a, b) } }
struct BitXorOp: BinaryOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T { T.bitXor(a, b) } }
struct BitNotOp: UnaryOp { @inline(__always) func apply<T: ArithElement>(_ x: T) -> T { T.bitNot(x) } }
struct IsNaNOp: PredicateOp { @inline(__always) func apply<T: ArithElement>(_ x: T) -> Bool { x.isNaNValue } }
struct IsInfOp: PredicateOp {
    @inline(__always) func apply<T: ArithElement>(_ x: T) -> Bool { let d = x.doubleValue; return d.isInfinite }
}
struct IsFiniteOp: PredicateOp {
    @inline(__always) func apply<T: ArithElement>(_ x: T) -> Bool { x.doubleValue.isFinite }
}
struct LogicalNotOp: PredicateOp { @inline(__always) func apply<T: ArithElement>(_ x: T) -> Bool { T.equal(x, .zero) } }

extension Tensor {
    private func compare<Op: CompareOp>(_ op: Op, _ other: Tensor) throws -> Tensor {
        try computeCompare(op, self, other, dtype: TypePromotion.resultType(self, other))
    }
    private func compare<Op: CompareOp>(_ op: Op, _ s: Scalar) throws -> Tensor {
        let dt = TypePromotion.resultType(self, s)
        return try computeCompare(op, self, try Tensor(scalar: s, dtype: dt), dtype: dt)
    }

    /// `self == other` elementwise (bool tensor).
    public func eq(_ other: Tensor) throws -> Tensor { try compare(EqOp(), other) }
    public func eq(_ s: Scalar) throws -> Tensor { try compare(EqOp(), s) }
    public func ne(_ other: Tensor) throws -> Tensor { try compare(NeOp(), other) }
    public func ne(_ s: Scalar) throws -> Tensor { try compare(NeOp(), s) }
    public func lt(_ other: Tensor) throws -> Tensor { try compare(LtOp(), other) }
    public func lt(_ s: Scalar) throws -> Tensor { try compare(LtOp(), s) }
    public func le(_ other: Tensor) throws -> Tensor { try compare(LeOp(), other) }
    public func le(_ s: Scalar) throws -> Tensor { try compare(LeOp(), s) }
    public func gt(_ other: Tensor) throws -> Tensor { try compare(GtOp(), other) }
    public func gt(_ s: Scalar) throws -> Tensor { try compare(GtOp(), s) }
    public func ge(_ other: Tensor) throws -> Tensor { try compare(GeOp(), other) }
    public func ge(_ s: Scalar) throws -> Tensor { try compare(GeOp(), s) }

    /// `torch.logical_and` etc.: nonzero is true; bool result.
    public func logicalAnd(_ other: Tensor) throws -> Tensor { try compare(LogicalAndOp(), other) }
    public func logicalOr(_ other: Tensor) throws -> Tensor { try compare(LogicalOrOp(), other) }
    public func logicalXor(_ other: Tensor) throws -> Tensor { try compare(LogicalXorOp(), other) }
    public func logicalNot() throws -> Tensor { try computePredicate(LogicalNotOp(), self) }

    private func bitwise<Op: BinaryOp>(_ op: Op, _ other: Tensor, _ name: String) throws -> Tensor {
        let dt = TypePromotion.resultType(self, other)
        guard !dt.isFloatingPoint else { throw notImplemented("\(name)_cpu", dt) }
        return try computeBinary(op, self, other, dtype: dt)
    }

    /// `&`, `|`, `^` for bool and integer tensors.
    public func bitwiseAnd(_ other: Tensor) throws -> Tensor { try bitwise(BitAndOp(), other, "bitwise_and") }
    public func bitwiseOr(_ other: Tensor) throws -> Tensor { try bitwise(BitOrOp(), other, "bitwise_or") }
    public func bitwiseXor(_ other: Tensor) throws -> Tensor { try bitwise(BitXorOp(), other, "bitwise_xor") }
    public func bitwiseAnd(_ s: Scalar) throws -> Tensor { try bitwiseAnd(try Tensor(scalar: s, dtype: TypePromotion.resultType(self, s))) }
    public func bitwiseOr(_ s: Scalar) throws -> Tensor { try bitwiseOr(try Tensor(scalar: s, dtype: TypePromotion.resultType(self, s))) }
    public func bitwiseXor(_ s: Scalar) throws -> Tensor { try bitwiseXor(try Tensor(scalar: s, dtype: TypePromotion.resultType(self, s))) }
    /// `~x`: logical not for bool, bitwise not for integers.
    public func bitwiseNot() throws -> Tensor {
        guard !dtype.isFloatingPoint else { throw notImplemented("bitwise_not_cpu", dtype) }
        return try computeUnary(BitNotOp(), self)
    }

    public func isnan() throws -> Tensor { try computePredicate(IsNaNOp(), self) }
    public func isinf() throws -> Tensor { try computePredicate(IsInfOp(), self) }
    public func isfinite() throws -> Tensor { try computePredicate(IsFiniteOp(), self) }

    /// True if any element is nonzero (no autograd; used for checks).
    func anyTrue() throws -> Bool {
        let b = try cast(.bool).contiguous()
        let p = elementPointer(b, Bool.self)
        for i in 0..<b.numel where p[i] { return true }
        return false
    }

    /// `torch.equal`: same shape and equal elements.
    public func equal(_ other: Tensor) throws -> Bool {
        guard shape == other.shape else { return false }
        return try !ne(other).anyTrue()
    }

    /// `torch.allclose`: |self - other| <= atol + rtol * |other| everywhere (broadcasting).
    public func allclose(_ other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8, equalNan: Bool = false) throws -> Bool {
        try GradMode.withNoGrad {
            let dt = TypePromotion.resultType(self, other)
            let ft: DType = dt == .float64 ? .float64 : (dt.isFloatingPoint ? dt : .float64)
            let a = try cast(ft), b = try other.cast(ft)
            let close = try a.sub(b).abs().le(try b.abs().mul(.double(rtol)).add(.double(atol)))
            let bothInf = try a.eq(b)
            var ok = try close.logicalOr(bothInf)
            if equalNan { ok = try ok.logicalOr(try a.isnan().logicalAnd(try b.isnan())) }
            return try !ok.logicalNot().anyTrue()
        }
    }

    // MARK: - where

    /// `torch.where(cond, a, b)`: elements of `a` where `cond`, else of `b` (broadcasting, promotion).
    public static func `where`(_ cond: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try whereCore(cond, a, b, dtype: TypePromotion.resultType(a, b))
    }

    /// `torch.where(cond, a, 0.0)`: the number is a wrapped scalar for promotion.
    public static func `where`(_ cond: Tensor, _ a: Tensor, _ b: Scalar) throws -> Tensor {
        let dt = TypePromotion.resultType(a, b)
        return try whereCore(cond, a, try Tensor(scalar: b, dtype: dt), dtype: dt)
    }

    public static func `where`(_ cond: Tensor, _ a: Scalar, _ b: Tensor) throws -> Tensor {
        let dt = TypePromotion.resultType(b, a)
        return try whereCore(cond, try Tensor(scalar: a, dtype: dt), b, dtype: dt)
    }

    public static func `where`(_ cond: Tensor, _ a: Scalar, _ b: Scalar) throws -> Tensor {
        var p = TypePromotion()
        p.add(a); p.add(b)
        let dt = p.result
        return try whereCore(cond, try Tensor(scalar: a, dtype: dt), try Tensor(scalar: b, dtype: dt), dtype: dt)
    }

    private static func whereCore(_ cond: Tensor, _ a: Tensor, _ b: Tensor, dtype: DType) throws -> Tensor {
        guard cond.dtype == .bool else {
            throw TorchError.runtime("where expected condition to be a boolean tensor, but got a tensor with dtype \(cond.dtype.shortName)")
        }
        if dtype.isReduced {
            // A selection: exact in the compute type; autograd goes through the conversions.
            let ct = dtype.computeType
            return try whereCore(cond, a.converted(to: ct), b.converted(to: ct), dtype: ct).converted(to: dtype)
        }
        let shape = try broadcastShapes(try broadcastShapes(cond.shape, a.shape), b.shape)
        let out = try Tensor.uninitialized(shape, dtype)
        let ac = try a.cast(dtype)
        try copyElements(from: Tensor(storage: ac.storage, shape: shape, strides: broadcastStrides(ac, to: shape), storageOffset: ac.storageOffset), to: out)
        try dispatchArith(dtype, WhereKernel(cond: cond, b: try b.cast(dtype), out: out))
        try out.adoptLayout(of: cond.shape == shape ? cond : a, b)
        if !(GradMode.isEnabled && (a.requiresGrad || b.requiresGrad)) { return out }
        let ta = GradTarget(a), tb = GradTarget(b)
        return out.recordingGrad("WhereBackward0", inputs: [a, b], savesTensors: true) { g in
            let zero = try Tensor.zeros([], dtype: g.dtype)
            return [try ta.reduce(try Tensor.where(cond, g, zero)), try tb.reduce(try Tensor.where(cond, zero, g))]
        }
    }
}

/// `out = cond ? out : b` over broadcast layouts (`out` already holds the expanded `a`).
private struct WhereKernel: ArithKernel {
    let cond: Tensor, b: Tensor, out: Tensor
    func run<T: ArithElement>(_: T.Type) {
        let pc = elementPointer(cond, Bool.self), pb = elementPointer(b, T.self), po = elementPointer(out, T.self)
        let geo = StridedGeometry(shape: out.shape, [broadcastStrides(cond, to: out.shape), broadcastStrides(b, to: out.shape), out.strides])
        geo.forEachRow { o, count, s in
            var ic = o.0, ib = o.1, io = o.2
            for _ in 0..<count {
                if !pc[ic] { po[io] = pb[ib] }
                ic += s.0; ib += s.1; io += s.2
            }
        }
    }
}
