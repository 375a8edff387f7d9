import Foundation

// The elementwise framework: element protocols with the arithmetic primitives kernels need, op
// protocols whose `apply` is a generic *method* (specialised per element type by the compiler, so hot
// loops contain no closure calls or dynamic dispatch), and the strided loops that run them.

// MARK: - Element protocols

/// Arithmetic every element type provides, for generic kernels. Bool follows PyTorch
/// (`add` = or, `mul` = and); integer ops wrap instead of trapping; division by zero on integers is
/// rejected by callers before a kernel runs.
public protocol ArithElement: TensorElement {
    static var zero: Self { get }
    static var one: Self { get }
    static func add(_ a: Self, _ b: Self) -> Self
    static func sub(_ a: Self, _ b: Self) -> Self
    static func mul(_ a: Self, _ b: Self) -> Self
    /// Float: true division. Integer: truncating division (callers guarantee b != 0).
    static func div(_ a: Self, _ b: Self) -> Self
    /// Python's `//` (floor division).
    static func floorDiv(_ a: Self, _ b: Self) -> Self
    /// Python's `%` (result has the sign of the divisor).
    static func remainder(_ a: Self, _ b: Self) -> Self
    static func power(_ a: Self, _ b: Self) -> Self
    static func lessThan(_ a: Self, _ b: Self) -> Bool
    static func equal(_ a: Self, _ b: Self) -> Bool
    static func negate(_ a: Self) -> Self
    static func absolute(_ a: Self) -> Self
    /// True for floating-point NaN.
    var isNaNValue: Bool { get }
    /// Bitwise ops for integers and bool (never called for floats: callers reject them first).
    static func bitAnd(_ a: Self, _ b: Self) -> Self
    static func bitOr(_ a: Self, _ b: Self) -> Self
    static func bitXor(_ a: Self, _ b: Self) -> Self
    static func bitNot(_ a: Self) -> Self
}

extension ArithElement {
    /// NaN-propagating maximum (PyTorch's `maximum`, `max`).
    @inline(__always) static func maxPropagatingNaN(_ a: Self, _ b: Self) -> Self {
        if a.isNaNValue { return a }
        if b.isNaNValue { return b }
        return lessThan(a, b) ? b : a
    }
    @inline(__always) static func minPropagatingNaN(_ a: Self, _ b: Self) -> Self {
        if a.isNaNValue { return a }
        if b.isNaNValue { return b }
        return lessThan(b, a) ? b : a
    }
}

/// Float and Double: the transcendental functions float-only kernels need.
public protocol FloatElement: ArithElement, BinaryFloatingPoint {
    static func expF(_ x: Self) -> Self
    static func logF(_ x: Self) -> Self
    static func log1pF(_ x: Self) -> Self
    static func expm1F(_ x: Self) -> Self
    static func sinF(_ x: Self) -> Self
    static func cosF(_ x: Self) -> Self
    static func tanF(_ x: Self) -> Self
    static func tanhF(_ x: Self) -> Self
    static func erfF(_ x: Self) -> Self
    static func powF(_ x: Self, _ y: Self) -> Self
}

extension ArithElement where Self: BinaryFloatingPoint {
    public static var one: Self { 1 }
    @inline(__always) public static func add(_ a: Self, _ b: Self) -> Self { a + b }
    @inline(__always) public static func sub(_ a: Self, _ b: Self) -> Self { a - b }
    @inline(__always) public static func mul(_ a: Self, _ b: Self) -> Self { a * b }
    @inline(__always) public static func div(_ a: Self, _ b: Self) -> Self { a / b }
    @inline(__always) public static func floorDiv(_ a: Self, _ b: Self) -> Self { (a / b).rounded(.down) }
    @inline(__always) public static func remainder(_ a: Self, _ b: Self) -> Self {
        let r = a.truncatingRemainder(dividingBy: b)
        return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r
    }
    @inline(__always) public static func lessThan(_ a: Self, _ b: Self) -> Bool { a < b }
    @inline(__always) public static func equal(_ a: Self, _ b: Self) -> Bool { a == b }
    @inline(__always) public static func negate(_ a: Self) -> Self { -a }
    @inline(__always) public static func absolute(_ a: Self) -> Self { Swift.abs(a) }
    @inline(__always) public var isNaNValue: Bool { isNaN }
    @inline(__always) public static func bitAnd(_ a: Self, _ b: Self) -> Self { a }
    @inline(__always) public static func bitOr(_ a: Self, _ b: Self) -> Self { a }
    @inline(__always) public static func bitXor(_ a: Self, _ b: Self) -> Self { a }
    @inline(__always) public static func bitNot(_ a: Self) -> Self { a }
}

extension Float: ArithElement, FloatElement {
    @inline(__always) public static func power(_ a: Float, _ b: Float) -> Float { Foundation.powf(a, b) }
    @inline(__always) public static func expF(_ x: Float) -> Float { Foundation.expf(x) }
    @inline(__always) public static func logF(_ x: Float) -> Float { Foundation.logf(x) }
    @inline(__always) public static func log1pF(_ x: Float) -> Float { Foundation.log1pf(x) }
    @inline(__always) public static func expm1F(_ x: Float) -> Float { Foundation.expm1f(x) }
    @inline(__always) public static func sinF(_ x: Float) -> Float { Foundation.sinf(x) }
    @inline(__always) public static func cosF(_ x: Float) -> Float { Foundation.cosf(x) }
    @inline(__always) public static func tanF(_ x: Float) -> Float { Foundation.tanf(x) }
    @inline(__always) public static func tanhF(_ x: Float) -> Float { Foundation.tanhf(x) }
    @inline(__always) public static func erfF(_ x: Float) -> Float { Foundation.erff(x) }
    @inline(__always) public static func powF(_ x: Float, _ y: Float) -> Float { Foundation.powf(x, y) }
}

extension Double: ArithElement, FloatElement {
    @inline(__always) public static func power(_ a: Double, _ b: Double) -> Double { Foundation.pow(a, b) }
    @inline(__always) public static func expF(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) public static func logF(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) public static func log1pF(_ x: Double) -> Double { Foundation.log1p(x) }
    @inline(__always) public static func expm1F(_ x: Double) -> Double { Foundation.expm1(x) }
    @inline(__always) public static func sinF(_ x: Double) -> Double { Foundation.sin(x) }
    @inline(__always) public static func cosF(_ x: Double) -> Double { Foundation.cos(x) }
    @inline(__always) public static func tanF(_ x: Double) -> Double { Foundation.tan(x) }
    @inline(__always) public static func tanhF(_ x: Double) -> Double { Foundation.tanh(x) }
    @inline(__always) public static func erfF(_ x: Double) -> Double { Foundation.erf(x) }
    @inline(__always) public static func powF(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}

extension Int64: ArithElement {
    public static var one: Int64 { 1 }
    @inline(__always) public static func add(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
    @inline(__always) public static func sub(_ a: Int64, _ b: Int64) -> Int64 { a &- b }
    @inline(__always) public static func mul(_ a: Int64, _ b: Int64) -> Int64 { a &* b }
    @inline(__always) public static func div(_ a: Int64, _ b: Int64) -> Int64 {
        if b == 0 { return 0 }
        return a.dividedReportingOverflow(by: b).partialValue
    }
    @inline(__always) public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        if b == 0 { return 0 }
        let q = a.dividedReportingOverflow(by: b).partialValue
        let r = a.remainderReportingOverflow(dividingBy: b).partialValue
        return (r != 0 && ((r < 0) != (b < 0))) ? q &- 1 : q
    }
    @inline(__always) public static func remainder(_ a: Int64, _ b: Int64) -> Int64 {
        if b == 0 { return 0 }
        let r = a.remainderReportingOverflow(dividingBy: b).partialValue
        return (r != 0 && ((r < 0) != (b < 0))) ? r &+ b : r
    }
    /// Integer power by squaring, wrapping; negative exponents give 0 except for bases ±1.
    @inline(__always) public static func power(_ a: Int64, _ b: Int64) -> Int64 {
        if b < 0 { return a == 1 ? 1 : (a == -1 ? (b & 1 == 0 ? 1 : -1) : 0) }
        var result: Int64 = 1, base = a, e = b
        while e > 0 {
            if e & 1 == 1 { result = result &* base }
            base = base &* base
            e >>= 1
        }
        return result
    }
    @inline(__always) public static func lessThan(_ a: Int64, _ b: Int64) -> Bool { a < b }
    @inline(__always) public static func equal(_ a: Int64, _ b: Int64) -> Bool { a == b }
    @inline(__always) public static func negate(_ a: Int64) -> Int64 { 0 &- a }
    @inline(__always) public static func absolute(_ a: Int64) -> Int64 { a < 0 ? 0 &- a : a }
    @inline(__always) public var isNaNValue: Bool { false }
    @inline(__always) public static func bitAnd(_ a: Int64, _ b: Int64) -> Int64 { a & b }
    @inline(__always) public static func bitOr(_ a: Int64, _ b: Int64) -> Int64 { a | b }
    @inline(__always) public static func bitXor(_ a: Int64, _ b: Int64) -> Int64 { a ^ b }
    @inline(__always) public static func bitNot(_ a: Int64) -> Int64 { ~a }
}

extension Bool: ArithElement {
    public static var zero: Bool { false }
    public static var one: Bool { true }
    @inline(__always) public static func add(_ a: Bool, _ b: Bool) -> Bool { a || b }
    @inline(__always) public static func sub(_ a: Bool, _ b: Bool) -> Bool { a != b }
    @inline(__always) public static func mul(_ a: Bool, _ b: Bool) -> Bool { a && b }
    @inline(__always) public static func div(_ a: Bool, _ b: Bool) -> Bool { a && b }
    @inline(__always) public static func floorDiv(_ a: Bool, _ b: Bool) -> Bool { a && b }
    @inline(__always) public static func remainder(_ a: Bool, _ b: Bool) -> Bool { false }
    @inline(__always) public static func power(_ a: Bool, _ b: Bool) -> Bool { a || !b }
    @inline(__always) public static func lessThan(_ a: Bool, _ b: Bool) -> Bool { !a && b }
    @inline(__always) public static func equal(_ a: Bool, _ b: Bool) -> Bool { a == b }
    @inline(__always) public static func negate(_ a: Bool) -> Bool { a }
    @inline(__always) public static func absolute(_ a: Bool) -> Bool { a }
    @inline(__always) public var isNaNValue: Bool { false }
    @inline(__always) public static func bitAnd(_ a: Bool, _ b: Bool) -> Bool { a && b }
    @inline(__always) public static func bitOr(_ a: Bool, _ b: Bool) -> Bool { a || b }
    @inline(__always) public static func bitXor(_ a: Bool, _ b: Bool) -> Bool { a != b }
    @inline(__always) public static func bitNot(_ a: Bool) -> Bool { !a }
}

// MARK: - Dispatch over the richer protocols

/// Like `ElementKernel`, for kernels that need `ArithElement` operations.
public protocol ArithKernel {
    associatedtype Result
    func run<T: ArithElement>(_ type: T.Type) throws -> Result
}

@inline(__always)
public func dispatchArith<K: ArithKernel>(_ dtype: DType, _ kernel: K) throws -> K.Result {
    switch dtype {
    case .float32: return try kernel.run(Float.self)
    case .float64: return try kernel.run(Double.self)
    case .int64: return try kernel.run(Int64.self)
    case .bool: return try kernel.run(Bool.self)
    case .uint8, .int8, .int16, .int32, .float16, .bfloat16: throw notImplemented("cpu", dtype)
    }
}

/// Like `ElementKernel`, for float-only kernels (callers convert integer inputs first).
public protocol FloatKernel {
    associatedtype Result
    func run<T: FloatElement>(_ type: T.Type) throws -> Result
}

@inline(__always)
public func dispatchFloat<K: FloatKernel>(_ dtype: DType, _ kernel: K) throws -> K.Result {
    switch dtype {
    case .float32: return try kernel.run(Float.self)
    case .float64: return try kernel.run(Double.self)
    case .float16, .bfloat16: throw notImplemented("cpu", dtype)
    default: throw TorchError.runtime("expected a floating point tensor but got \(dtype.name)")
    }
}

// MARK: - Op protocols

/// A binary op on one element type, e.g. `AddOp`. Instances may carry parameters (alpha …).
public protocol BinaryOp { func apply<T: ArithElement>(_ a: T, _ b: T) -> T }
/// A binary op defined only for floats (gradient formulas, true division …).
public protocol FloatBinaryOp { func apply<T: FloatElement>(_ a: T, _ b: T) -> T }
/// A comparison: two elements of one type to Bool.
public protocol CompareOp { func apply<T: ArithElement>(_ a: T, _ b: T) -> Bool }
/// A unary op for every element type (neg, abs, clamp …).
public protocol UnaryOp { func apply<T: ArithElement>(_ x: T) -> T }
/// A unary float op (exp, log, sigmoid …).
public protocol FloatUnaryOp { func apply<T: FloatElement>(_ x: T) -> T }
/// A unary predicate (isnan …), any type to Bool.
public protocol PredicateOp { func apply<T: ArithElement>(_ x: T) -> Bool }

/// A concrete per-element function the loops call; adapters below bind an op to an element type.
public protocol BinaryFunctor {
    associatedtype A
    associatedtype B
    associatedtype Out
    func callAsFunction(_ a: A, _ b: B) -> Out
}

public protocol UnaryFunctor {
    associatedtype A
    associatedtype Out
    func callAsFunction(_ a: A) -> Out
}

struct BinaryAdapter<Op: BinaryOp, T: ArithElement>: BinaryFunctor {
    let op: Op
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> T { op.apply(a, b) }
}
struct FloatBinaryAdapter<Op: FloatBinaryOp, T: FloatElement>: BinaryFunctor {
    let op: Op
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> T { op.apply(a, b) }
}
struct CompareAdapter<Op: CompareOp, T: ArithElement>: BinaryFunctor {
    let op: Op
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> Bool { op.apply(a, b) }
}
struct UnaryAdapter<Op: UnaryOp, T: ArithElement>: UnaryFunctor {
    let op: Op
    @inline(__always) func callAsFunction(_ a: T) -> T { op.apply(a) }
}
struct FloatUnaryAdapter<Op: FloatUnaryOp, T: FloatElement>: UnaryFunctor {
    let op: Op
    @inline(__always) func callAsFunction(_ a: T) -> T { op.apply(a) }
}
struct PredicateAdapter<Op: PredicateOp, T: ArithElement>: UnaryFunctor {
    let op: Op
    @inline(__always) func callAsFunction(_ a: T) -> Bool { op.apply(a) }
}

// MARK: - Loops

/// Typed pointer to element [0, …] of `t` (the element type must match its dtype).
@inline(__always)
func elementPointer<T>(_ t: Tensor, _: T.Type) -> UnsafeMutablePointer<T> {
    t.storage.pointer(T.self) + t.storageOffset
}

/// `out[i] = f(a[i], b[i])` with broadcasting; `out` is a fresh contiguous tensor of the broadcast
/// shape whose element type is `F.Out`; `a`, `b` hold `F.A`, `F.B`.
@inline(__always)
func binaryLoop<F: BinaryFunctor>(_ f: F, _ a: Tensor, _ b: Tensor, _ out: Tensor) {
    let n = out.numel
    if n == 0 { return }
    let pa = elementPointer(a, F.A.self), pb = elementPointer(b, F.B.self), po = elementPointer(out, F.Out.self)
    let aFull = a.shape == out.shape && a.isContiguous
    let bFull = b.shape == out.shape && b.isContiguous
    if aFull && bFull {
        for i in 0..<n { po[i] = f(pa[i], pb[i]) }
        return
    }
    if aFull && b.numel == 1 {
        let bv = pb[0]
        for i in 0..<n { po[i] = f(pa[i], bv) }
        return
    }
    if bFull && a.numel == 1 {
        let av = pa[0]
        for i in 0..<n { po[i] = f(av, pb[i]) }
        return
    }
    let geo = StridedGeometry(shape: out.shape, [broadcastStrides(a, to: out.shape), broadcastStrides(b, to: out.shape), out.strides])
    geo.forEachRow { offsets, count, strides in
        var ia = offsets.0, ib = offsets.1, io = offsets.2
        let sa = strides.0, sb = strides.1, so = strides.2
        // Unit-stride rows (the common broadcast cases) get loops the compiler can vectorise.
        if so == 1 && sa == 1 && sb == 1 {
            let ra = pa + ia, rb = pb + ib, ro = po + io
            for k in 0..<count { ro[k] = f(ra[k], rb[k]) }
        } else if so == 1 && sa == 1 && sb == 0 {
            let ra = pa + ia, bv = pb[ib], ro = po + io
            for k in 0..<count { ro[k] = f(ra[k], bv) }
        } else if so == 1 && sa == 0 && sb == 1 {
            let av = pa[ia], rb = pb + ib, ro = po + io
            for k in 0..<count { ro[k] = f(av, rb[k]) }
        } else {
            for _ in 0..<count {
                po[io] = f(pa[ia], pb[ib])
                ia += sa; ib += sb; io += so
            }
        }
    }
}

/// `out[i] = f(a[i])`; `out` is a fresh contiguous tensor of `a`'s shape.
@inline(__always)
func unaryLoop<F: UnaryFunctor>(_ f: F, _ a: Tensor, _ out: Tensor) {
    let n = out.numel
    if n == 0 { return }
    let pa = elementPointer(a, F.A.self), po = elementPointer(out, F.Out.self)
    if a.isContiguous {
        for i in 0..<n { po[i] = f(pa[i]) }
        return
    }
    let geo = StridedGeometry(shape: out.shape, [a.strides, out.strides, out.strides])
    geo.forEachRow { offsets, count, strides in
        var ia = offsets.0, io = offsets.1
        let sa = strides.0, so = strides.1
        for _ in 0..<count {
            po[io] = f(pa[ia])
            ia += sa; io += so
        }
    }
}

// MARK: - Runners: bind an op to the dtype chosen at run time

struct BinaryRunner<Op: BinaryOp>: ArithKernel {
    let op: Op, a: Tensor, b: Tensor, out: Tensor
    func run<T: ArithElement>(_: T.Type) {
        // Big float32 operands take the vector kernels (same bits); everything else these loops.
        if T.self == Float.self, out.numel >= VectorElementwise.minimumCount, let v = op as? any VectorBinaryOp,
           VectorElementwise.binary(v, a, b, out) { return }
        binaryLoop(BinaryAdapter<Op, T>(op: op), a, b, out)
    }
}
struct FloatBinaryRunner<Op: FloatBinaryOp>: FloatKernel {
    let op: Op, a: Tensor, b: Tensor, out: Tensor
    func run<T: FloatElement>(_: T.Type) { binaryLoop(FloatBinaryAdapter<Op, T>(op: op), a, b, out) }
}
struct CompareRunner<Op: CompareOp>: ArithKernel {
    let op: Op, a: Tensor, b: Tensor, out: Tensor
    func run<T: ArithElement>(_: T.Type) { binaryLoop(CompareAdapter<Op, T>(op: op), a, b, out) }
}
struct UnaryRunner<Op: UnaryOp>: ArithKernel {
    let op: Op, a: Tensor, out: Tensor
    func run<T: ArithElement>(_: T.Type) {
        if T.self == Float.self, out.numel >= VectorElementwise.minimumCount, op is ReluOp, VectorElementwise.relu(a, out) { return }
        unaryLoop(UnaryAdapter<Op, T>(op: op), a, out)
    }
}
struct FloatUnaryRunner<Op: FloatUnaryOp>: FloatKernel {
    let op: Op, a: Tensor, out: Tensor
    func run<T: FloatElement>(_: T.Type) { unaryLoop(FloatUnaryAdapter<Op, T>(op: op), a, out) }
}
struct PredicateRunner<Op: PredicateOp>: ArithKernel {
    let op: Op, a: Tensor, out: Tensor
    func run<T: ArithElement>(_: T.Type) { unaryLoop(PredicateAdapter<Op, T>(op: op), a, out) }
}

// MARK: - Entry points (no autograd: ops record their own backward)

extension Tensor {
    /// Self if already of `dtype`, else a converted copy that records no graph.
    @inline(__always)
    func cast(_ dtype: DType) throws -> Tensor {
        if self.dtype == dtype { return self }
        let out = try Tensor(shape: shape, dtype: dtype, zeroed: false)
        try copyElements(from: self, to: out)
        return out
    }

    /// A fresh contiguous tensor for an op result (shares `shape` when it needs no broadcasting).
    @inline(__always)
    static func uninitialized(_ shape: [Int], _ dtype: DType) throws -> Tensor {
        try Tensor(shape: shape, dtype: dtype, zeroed: false)
    }
}

/// Output shape of a binary op (fast when shapes are equal).
@inline(__always)
func binaryShape(_ a: Tensor, _ b: Tensor) throws -> [Int] {
    if a.shape == b.shape { return a.shape }
    return try broadcastShapes(a.shape, b.shape)
}

/// `op(a, b)` computed in `dtype` (inputs converted), no autograd.
func computeBinary<Op: BinaryOp>(_ op: Op, _ a: Tensor, _ b: Tensor, dtype: DType) throws -> Tensor {
    if dtype.isReduced { return try computeBinary(op, a, b, dtype: dtype.computeType).cast(dtype) }
    let shape = try binaryShape(a, b), a0 = a, b0 = b
    let a = try a.cast(dtype), b = try b.cast(dtype)
    let out = try Tensor.uninitialized(shape, dtype)
    try dispatchArith(dtype, BinaryRunner(op: op, a: a, b: b, out: out))
    try out.adoptLayout(of: a0, b0)
    return out
}

/// Float-only `op(a, b)` computed in `dtype` (a float dtype), no autograd.
func computeFloatBinary<Op: FloatBinaryOp>(_ op: Op, _ a: Tensor, _ b: Tensor, dtype: DType) throws -> Tensor {
    if dtype.isReduced { return try computeFloatBinary(op, a, b, dtype: dtype.computeType).cast(dtype) }
    let shape = try binaryShape(a, b), a0 = a, b0 = b
    let a = try a.cast(dtype), b = try b.cast(dtype)
    let out = try Tensor.uninitialized(shape, dtype)
    try dispatchFloat(dtype, FloatBinaryRunner(op: op, a: a, b: b, out: out))
    try out.adoptLayout(of: a0, b0)
    return out
}

/// Comparison `op(a, b)` computed in `dtype`, bool result, no autograd.
func computeCompare<Op: CompareOp>(_ op: Op, _ a: Tensor, _ b: Tensor, dtype: DType) throws -> Tensor {
    let shape = try binaryShape(a, b), dtype = dtype.computeType, a0 = a, b0 = b
    let a = try a.cast(dtype), b = try b.cast(dtype)
    let out = try Tensor.uninitialized(shape, .bool)
    try dispatchArith(dtype, CompareRunner(op: op, a: a, b: b, out: out))
    try out.adoptLayout(of: a0, b0)
    return out
}

/// `op(a)` in a's dtype, no autograd.
func computeUnary<Op: UnaryOp>(_ op: Op, _ a: Tensor) throws -> Tensor {
    if a.dtype.isReduced { return try computeUnary(op, a.cast(a.dtype.computeType)).cast(a.dtype) }
    let out = try Tensor.uninitialized(a.shape, a.dtype)
    try dispatchArith(a.dtype, UnaryRunner(op: op, a: a, out: out))
    try out.adoptLayout(following: a)
    return out
}

/// Float `op(a)`; integer and bool inputs are converted to float32 first (as `torch.exp(int_tensor)`).
func computeFloatUnary<Op: FloatUnaryOp>(_ op: Op, _ a: Tensor) throws -> Tensor {
    if a.dtype.isReduced && a.dtype.isFloatingPoint { return try computeFloatUnary(op, a.cast(.float32)).cast(a.dtype) }
    let a = a.dtype.isFloatingPoint ? a : try a.cast(DType.defaultFloat)
    let out = try Tensor.uninitialized(a.shape, a.dtype)
    try dispatchFloat(a.dtype, FloatUnaryRunner(op: op, a: a, out: out))
    try out.adoptLayout(following: a)
    return out
}

/// Predicate `op(a)` → bool tensor, no autograd.
func computePredicate<Op: PredicateOp>(_ op: Op, _ a: Tensor) throws -> Tensor {
    let a = try a.cast(a.dtype.computeType)
    let out = try Tensor.uninitialized(a.shape, .bool)
    try dispatchArith(a.dtype, PredicateRunner(op: op, a: a, out: out))
    try out.adoptLayout(following: a)
    return out
}
