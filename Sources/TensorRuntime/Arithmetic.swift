/// Broadcasting arithmetic with PyTorch's promotion and gradients: add, sub, mul, div, remainder,
/// floor_divide, pow, maximum, minimum, and the reversed scalar forms (`2 - x`, `2 / x`, `2 ** x`).

struct AddOp: BinaryOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T { T.add(a, b) } }
struct SubOp: BinaryOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T { T.sub(a, b) } }
struct MulOp: BinaryOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T { T.mul(a, b) } }
struct DivOp: BinaryOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T { T.div(a, b) } }
struct FloorDivOp: BinaryOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T { T.floorDiv(a, b) } }
struct TruncDivOp: BinaryOp {
    @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T {
        let q = T.div(a, b)
        if let f = q as? Double { return T(converting: f.rounded(.towardZero)) }
        if let f = q as? Float { return T(converting: Double(f.rounded(.towardZero))) }
        return q
    }
}
struct RemainderOp: BinaryOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T { T.remainder(a, b) } }
struct SquareOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { x * x } }
struct CubeOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { x * x * x } }
struct InverseSquareOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { 1 / (x * x) } }
struct PowOp: BinaryOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T { T.power(a, b) } }
struct MaximumOp: BinaryOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T { T.maxPropagatingNaN(a, b) } }
struct MinimumOp: BinaryOp { @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T { T.minPropagatingNaN(a, b) } }
/// `a + alpha * b` (alpha converted to the element type).
struct AddScaledOp: BinaryOp {
    let alpha: Double
    @inline(__always) func apply<T: ArithElement>(_ a: T, _ b: T) -> T { T.add(a, T.mul(b, T(converting: alpha))) }
}

/// A tensor saved for backward with the version it had, so a later in-place change is reported
/// (PyTorch: "one of the variables needed for gradient computation has been modified by an inplace
/// operation"). An op's own output is saved through a detached alias plus a weak reference, so the
/// output does not keep its own node alive (no reference cycle).
struct SavedTensor {
    private let data: Tensor
    private weak var watched: Tensor?
    private let version: Int
    private let isOutput: Bool

    init(_ t: Tensor) { data = t; watched = t; version = t.version; isOutput = false }
    init(output t: Tensor) { data = t.detached(); watched = t; version = t.version; isOutput = true }

    /// Stands for ", which is output 0 of Exp," in the message until the engine, which knows the
    /// node that saved an output, fills it in (`SavedTensor.naming(_:producer:)`).
    static let producerMarker = "\u{1}producer\u{1}"

    func get() throws -> Tensor {
        if let w = watched, w.version != version {
            let producer = isOutput ? SavedTensor.producerMarker : w.gradFn.map { SavedTensor.outputOf($0.name) } ?? ""
            throw TorchError.runtime("one of the variables needed for gradient computation has been modified by an inplace operation: [\(w.dtype.legacyTypeName) \(shapeDescription(w.shape))]\(producer) is at version \(w.version); expected version \(version) instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
        }
        if isOutput && GradMode.isEnabled, let node = Node.running {
            // Differentiating a backward pass: the output stands for itself, attached to the node
            // that produced it (the one now running), as PyTorch unpacks a saved output.
            let attached = data.detached()
            attached.gradFn = node
            return attached
        }
        return data
    }

    /// `, which is output 0 of Exp,` for a node named `ExpBackward0`.
    static func outputOf(_ nodeName: String) -> String {
        var op = Substring(nodeName)
        while let last = op.last, last.isNumber { op = op.dropLast() }
        if op.hasSuffix("Backward") { op = op.dropLast("Backward".count) }
        return ", which is output 0 of \(op),"
    }

    /// The error with the producer marker replaced by the node that saved the output.
    static func naming(_ error: Error, producer nodeName: String) -> Error {
        guard let e = error as? TorchError, e.message.contains(producerMarker) else { return error }
        return TorchError(e.kind, e.message.replacing(producerMarker, with: outputOf(nodeName)))
    }
}

/// What a backward closure needs to know about an input without keeping its data alive.
struct GradTarget {
    let shape: [Int]
    let dtype: DType
    let needsGrad: Bool
    init(_ t: Tensor) { shape = t.shape; dtype = t.dtype; needsGrad = t.requiresGrad }

    /// `g` summed to this input's shape and converted to its dtype; nil when no gradient is needed.
    func reduce(_ g: @autoclosure () throws -> Tensor) throws -> Tensor? {
        guard needsGrad else { return nil }
        return try sumToShape(try g(), shape).cast(dtype)
    }
}

extension Tensor {
    // MARK: - Helpers

    /// The dtype an integer `alpha` or float `alpha` is allowed with (PyTorch's checks).
    private func checkAlpha(_ alpha: Scalar, _ dtype: DType) throws {
        if case .double = alpha, !dtype.isFloatingPoint {
            throw TorchError.runtime("For integral input tensors, argument alpha must not be a floating point number.")
        }
        if case .bool = alpha, dtype != .bool {
            throw TorchError.runtime("Boolean alpha only supported for Boolean results.")
        }
    }

    private func checkSubtraction(_ otherDType: DType) throws {
        if dtype == .bool && otherDType == .bool {
            throw TorchError(.notImplementedError, "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.")
        }
        if dtype == .bool || otherDType == .bool {
            throw TorchError(.notImplementedError, "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        }
    }

    /// Rejects integer division by zero (PyTorch raises `ZeroDivisionError` as a RuntimeError).
    private static func checkIntegerDivisor(_ b: Tensor, _ dtype: DType) throws {
        guard dtype == .int64 || dtype == .bool else { return }
        let zero = try computeCompare(EqOp(), b, try Tensor(scalar: .int(0), dtype: b.dtype), dtype: b.dtype)
        if try zero.anyTrue() { throw TorchError.runtime("ZeroDivisionError") }
    }

    /// A 0-dim tensor holding a Python number, converted to `dtype`.
    @inline(__always)
    static func wrap(_ s: Scalar, _ dtype: DType) throws -> Tensor { try Tensor(scalar: s, dtype: dtype) }

    // MARK: - add / sub

    /// `self + alpha * other` with broadcasting (`torch.add`).
    public func add(_ other: Tensor, alpha: Scalar = .int(1)) throws -> Tensor {
        let dt = TypePromotion.resultType(self, other)
        let out = try addCore(other, alpha: alpha, dtype: dt)
        if !(GradMode.isEnabled && (requiresGrad || other.requiresGrad)) { return out }
        let ta = GradTarget(self), tb = GradTarget(other), a = alpha.doubleValue
        return out.recordingGrad("AddBackward0", inputs: [self, other], savesTensors: false) { g in
            [try ta.reduce(g), try tb.reduce(a == 1 ? g : try g.mul(.double(a)))]
        }
    }

    /// `self + alpha * s` (`x + 2`).
    public func add(_ s: Scalar, alpha: Scalar = .int(1)) throws -> Tensor {
        let dt = TypePromotion.resultType(self, s)
        let out = try addCore(try Tensor.wrap(s, dt), alpha: alpha, dtype: dt)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let ta = GradTarget(self)
        return out.recordingGrad("AddBackward0", inputs: [self], savesTensors: false, numberOperand: true) { g in [try ta.reduce(g)] }
    }

    private func addCore(_ other: Tensor, alpha: Scalar, dtype: DType) throws -> Tensor {
        if alpha == .int(1) { return try computeBinary(AddOp(), self, other, dtype: dtype) }
        try checkAlpha(alpha, dtype)
        return try computeBinary(AddScaledOp(alpha: alpha.doubleValue), self, other, dtype: dtype)
    }

    /// `self - alpha * other` (`torch.sub`).
    public func sub(_ other: Tensor, alpha: Scalar = .int(1)) throws -> Tensor {
        try checkSubtraction(other.dtype)
        let dt = TypePromotion.resultType(self, other)
        let out = alpha == .int(1) ? try computeBinary(SubOp(), self, other, dtype: dt)
                                   : try addCore(other, alpha: .double(-alpha.doubleValue), dtype: dt)
        if !(GradMode.isEnabled && (requiresGrad || other.requiresGrad)) { return out }
        let ta = GradTarget(self), tb = GradTarget(other), a = alpha.doubleValue
        return out.recordingGrad("SubBackward0", inputs: [self, other], savesTensors: false) { g in
            [try ta.reduce(g), try tb.reduce(try g.mul(.double(-a)))]
        }
    }

    /// `self - alpha * s` (`x - 2`).
    public func sub(_ s: Scalar, alpha: Scalar = .int(1)) throws -> Tensor {
        if case .bool = s { try checkSubtraction(.bool) } else if dtype == .bool { try checkSubtraction(.int64) }
        let dt = TypePromotion.resultType(self, s)
        try checkAlpha(alpha, dt)
        let out = try computeBinary(SubOp(), self, try Tensor.wrap(alpha == .int(1) ? s : .double(s.doubleValue * alpha.doubleValue), dt), dtype: dt)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let ta = GradTarget(self)
        return out.recordingGrad("SubBackward0", inputs: [self], savesTensors: false, numberOperand: true) { g in [try ta.reduce(g)] }
    }

    /// `s - alpha * self` (`2 - x`, `torch.rsub`).
    public func rsub(_ s: Scalar, alpha: Scalar = .int(1)) throws -> Tensor {
        if dtype == .bool { try checkSubtraction(.bool) }
        let dt = TypePromotion.resultType(self, s)
        let scaled = alpha == .int(1) ? self : try GradMode.withNoGrad { try self.mul(alpha) }
        let out = try computeBinary(SubOp(), try Tensor.wrap(s, dt), scaled, dtype: dt)
        let ta = GradTarget(self), a = alpha.doubleValue
        return out.recordingGrad("RsubBackward1", inputs: [self], savesTensors: false) { g in [try ta.reduce(try g.mul(.double(-a)))] }
    }

    // MARK: - mul / div

    /// `self * other` (`torch.mul`).
    public func mul(_ other: Tensor) throws -> Tensor {
        let dt = TypePromotion.resultType(self, other)
        let out = try computeBinary(MulOp(), self, other, dtype: dt)
        if !(GradMode.isEnabled && (requiresGrad || other.requiresGrad)) { return out }
        let ta = GradTarget(self), tb = GradTarget(other)
        let sa = SavedTensor(self), sb = SavedTensor(other)
        return out.recordingGrad("MulBackward0", inputs: [self, other]) { g in
            [try ta.reduce(try g.mul(try sb.get())), try tb.reduce(try g.mul(try sa.get()))]
        }
    }

    /// `self * s` (`x * 2`).
    public func mul(_ s: Scalar) throws -> Tensor {
        let dt = TypePromotion.resultType(self, s)
        let out = try computeBinary(MulOp(), self, try Tensor.wrap(s, dt), dtype: dt)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let ta = GradTarget(self)
        return out.recordingGrad("MulBackward0", inputs: [self], savesTensors: false, numberOperand: true) { g in [try ta.reduce(try g.mul(s))] }
    }

    /// `self / other` (`torch.div`); `roundingMode` nil (true division, integers give float32),
    /// "trunc" or "floor".
    public func div(_ other: Tensor, roundingMode: String? = nil) throws -> Tensor {
        var dt = TypePromotion.resultType(self, other)
        if let mode = roundingMode {
            let out = try roundedDivision(other, mode: mode, dtype: dt)
            let ta = GradTarget(self), tb = GradTarget(other)
            return out.recordingGrad("DivBackward2", inputs: [self, other], savesTensors: false) { g in
                [try ta.reduce(try g.mul(.int(0))), try tb.reduce(try g.mul(.int(0)))]
            }
        }
        if !dt.isFloatingPoint { dt = DType.defaultFloat }
        let out = try computeBinary(DivOp(), self, other, dtype: dt)
        if !(GradMode.isEnabled && (requiresGrad || other.requiresGrad)) { return out }
        let ta = GradTarget(self), tb = GradTarget(other)
        let sa = SavedTensor(self), sb = SavedTensor(other)
        return out.recordingGrad("DivBackward0", inputs: [self, other]) { g in
            let b = try sb.get()
            let gb: Tensor? = try tb.reduce(try g.mul(try sa.get()).div(try b.mul(b)).neg())
            return [try ta.reduce(try g.div(b)), gb]
        }
    }

    /// `self / s` (`x / 2`).
    public func div(_ s: Scalar, roundingMode: String? = nil) throws -> Tensor {
        var dt = TypePromotion.resultType(self, s)
        if let mode = roundingMode {
            let out = try roundedDivision(try Tensor.wrap(s, dt), mode: mode, dtype: dt)
            let ta = GradTarget(self)
            return out.recordingGrad("DivBackward3", inputs: [self], savesTensors: false) { g in [try ta.reduce(try g.mul(.int(0)))] }
        }
        if !dt.isFloatingPoint { dt = DType.defaultFloat }
        let out = try computeBinary(DivOp(), self, try Tensor.wrap(s, dt), dtype: dt)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let ta = GradTarget(self)
        return out.recordingGrad("DivBackward0", inputs: [self], savesTensors: false, numberOperand: true) { g in [try ta.reduce(try g.div(s))] }
    }

    private func roundedDivision(_ other: Tensor, mode: String, dtype: DType) throws -> Tensor {
        guard mode == "trunc" || mode == "floor" else {
            throw TorchError.runtime("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '\(mode)'")
        }
        try Tensor.checkIntegerDivisor(other, dtype)
        return mode == "trunc" ? try computeBinary(TruncDivOp(), self, other, dtype: dtype)
                               : try computeBinary(FloorDivOp(), self, other, dtype: dtype)
    }

    /// `s / self` (`2 / x`): PyTorch computes `self.reciprocal() * s` (grad_fn MulBackward0).
    public func rdiv(_ s: Scalar) throws -> Tensor {
        try reciprocal().mul(s)
    }

    /// `self // other` (`torch.floor_divide`); not differentiable.
    public func floorDivide(_ other: Tensor) throws -> Tensor {
        let dt = TypePromotion.resultType(self, other)
        try Tensor.checkIntegerDivisor(other, dt)
        return try computeBinary(FloorDivOp(), self, other, dtype: dt)
    }

    public func floorDivide(_ s: Scalar) throws -> Tensor {
        try floorDivide(try Tensor.wrap(s, TypePromotion.resultType(self, s)))
    }

    /// `self % other` with Python's sign rule (`torch.remainder`).
    public func remainder(_ other: Tensor) throws -> Tensor {
        let dt = TypePromotion.resultType(self, other)
        try Tensor.checkIntegerDivisor(other, dt)
        let out = try computeBinary(RemainderOp(), self, other, dtype: dt)
        if !(GradMode.isEnabled && (requiresGrad || other.requiresGrad)) { return out }
        let ta = GradTarget(self), tb = GradTarget(other)
        let sa = SavedTensor(self), sb = SavedTensor(other)
        return out.recordingGrad("RemainderBackward1", inputs: [self, other]) { g in
            return [try ta.reduce(g), try tb.reduce(try g.mul(try sa.get().div(try sb.get(), roundingMode: "floor")).neg())]
        }
    }

    public func remainder(_ s: Scalar) throws -> Tensor {
        let dt = TypePromotion.resultType(self, s)
        let b = try Tensor.wrap(s, dt)
        try Tensor.checkIntegerDivisor(b, dt)
        let out = try computeBinary(RemainderOp(), self, b, dtype: dt)
        let ta = GradTarget(self)
        return out.recordingGrad("RemainderBackward0", inputs: [self], savesTensors: false) { g in [try ta.reduce(g)] }
    }

    // MARK: - pow

    /// `self ** exponent` for a number (`PowBackward0`).
    public func pow(_ exponent: Scalar) throws -> Tensor {
        let dt = TypePromotion.resultType(self, exponent)
        if !dt.isFloatingPoint, exponent.doubleValue < 0 {
            throw TorchError.runtime("Integers to negative integer powers are not allowed.")
        }
        let out = try powWithoutPow(exponent.doubleValue, dt) ?? computeBinary(PowOp(), self, try Tensor.wrap(exponent, dt), dtype: dt)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let ta = GradTarget(self), sa = SavedTensor(self), e = exponent.doubleValue
        return out.recordingGrad("PowBackward0", inputs: [self]) { g in
            if e == 0 { return [try ta.reduce(try g.mul(.int(0)))] }
            let d = try sa.get().pow(.double(e - 1)).mul(.double(e))
            return [try ta.reduce(try g.mul(d))]
        }
    }

    /// The exponents ATen computes without `pow` (pow_tensor_scalar_optimized_kernel): x·x, x·x·x,
    /// 1/x, 1/(x·x), sqrt and rsqrt, rounded as PyTorch rounds them (`x ** 3` is not `powf(x, 3)`).
    private func powWithoutPow(_ e: Double, _ dt: DType) throws -> Tensor? {
        guard dt.isFloatingPoint, dtype == dt else { return nil }
        switch e {
        case 2: return try computeFloatUnary(SquareOp(), self)
        case 3: return try computeFloatUnary(CubeOp(), self)
        case -1: return try computeFloatUnary(ReciprocalOp(), self)
        case -2: return try computeFloatUnary(InverseSquareOp(), self)
        case 0.5: return try computeFloatUnary(SqrtOp(), self)
        case -0.5: return try computeFloatUnary(RsqrtOp(), self)
        default: return nil
        }
    }

    /// `self ** exponent` elementwise (`PowBackward1`).
    public func pow(_ exponent: Tensor) throws -> Tensor {
        let dt = TypePromotion.resultType(self, exponent)
        let out = try computeBinary(PowOp(), self, exponent, dtype: dt)
        if !(GradMode.isEnabled && (requiresGrad || exponent.requiresGrad)) { return out }
        let ta = GradTarget(self), tb = GradTarget(exponent)
        let sa = SavedTensor(self), sb = SavedTensor(exponent), so = SavedTensor(output: out)
        return out.recordingGrad("PowBackward1", inputs: [self, exponent]) { g in
            let a = try sa.get(), b = try sb.get()
            var ga: Tensor? = nil, gb: Tensor? = nil
            if ta.needsGrad {
                // exponent * self^(exponent-1), zero where exponent == 0.
                let d = try b.mul(try a.pow(try b.sub(.int(1))))
                ga = try ta.reduce(try g.mul(try Tensor.where(try b.eq(.int(0)), try Tensor.zerosLike(d), d)))
            }
            if tb.needsGrad {
                // result * log(self), zero where self == 0 and exponent >= 0.
                let d = try so.get().mul(try a.log())
                let mask = try a.eq(.int(0)).logicalAnd(try b.ge(.int(0)))
                gb = try tb.reduce(try g.mul(try Tensor.where(mask, try Tensor.zerosLike(d), d)))
            }
            return [ga, gb]
        }
    }

    /// `base ** self` for a number base (`2 ** x`, `PowBackward2`).
    public func rpow(_ base: Scalar) throws -> Tensor {
        let dt = TypePromotion.resultType(self, base)
        let out = try computeBinary(PowOp(), try Tensor.wrap(base, dt), self, dtype: dt)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let ta = GradTarget(self), so = SavedTensor(output: out), b = base.doubleValue
        return out.recordingGrad("PowBackward2", inputs: [self]) { g in
            if b == 0 { return [try ta.reduce(try g.mul(.int(0)))] }
            return [try ta.reduce(try g.mul(try so.get().mul(.double(Foundation.log(b)))))]
        }
    }

    // MARK: - maximum / minimum

    /// Elementwise maximum with NaN propagation (`torch.maximum`); ties split the gradient.
    public func maximum(_ other: Tensor) throws -> Tensor { try extremum(other, MaximumOp(), "MaximumBackward0", selfWins: { try $0.gt($1) }) }
    /// Elementwise minimum (`torch.minimum`).
    public func minimum(_ other: Tensor) throws -> Tensor { try extremum(other, MinimumOp(), "MinimumBackward0", selfWins: { try $0.lt($1) }) }

    private func extremum<Op: BinaryOp>(_ other: Tensor, _ op: Op, _ name: String,
                                        selfWins: @escaping (Tensor, Tensor) throws -> Tensor) throws -> Tensor {
        let dt = TypePromotion.resultType(self, other)
        let out = try computeBinary(op, self, other, dtype: dt)
        if !(GradMode.isEnabled && (requiresGrad || other.requiresGrad)) { return out }
        let ta = GradTarget(self), tb = GradTarget(other), sa = SavedTensor(self), sb = SavedTensor(other)
        return out.recordingGrad(name, inputs: [self, other]) { g in
            let a = try sa.get(), b = try sb.get()
            let wins = try selfWins(a, b).cast(g.dtype), ties = try a.eq(b).cast(g.dtype)
            let wa = try wins.add(try ties.mul(.double(0.5)))
            return [try ta.reduce(try g.mul(wa)), try tb.reduce(try g.mul(try wa.rsub(.int(1))))]
        }
    }
}

import Foundation
