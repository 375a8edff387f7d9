import Foundation

/// Unary math with gradients: neg, abs, exp, log, sqrt, trig, activations (relu, leaky_relu,
/// sigmoid, tanh, gelu), clamp, rounding, reciprocal, square, erf.

struct NegOp: UnaryOp { @inline(__always) func apply<T: ArithElement>(_ x: T) -> T { T.negate(x) } }
struct AbsOp: UnaryOp { @inline(__always) func apply<T: ArithElement>(_ x: T) -> T { T.absolute(x) } }
struct SignOp: UnaryOp {
    @inline(__always) func apply<T: ArithElement>(_ x: T) -> T {
        if x.isNaNValue { return x }
        if T.lessThan(T.zero, x) { return T.one }
        if T.lessThan(x, T.zero) { return T.negate(T.one) }
        return T.zero
    }
}
/// `x < 0 ? 0 : x`: -0 and NaN pass unchanged, as PyTorch's clamp_min(x, 0).
struct ReluOp: UnaryOp {
    @inline(__always) func apply<T: ArithElement>(_ x: T) -> T { T.lessThan(x, T.zero) ? T.zero : x }
}
/// `min(max(x, lo), hi)` with NaN propagation; absent bounds are skipped.
struct ClampOp: UnaryOp {
    let lo: Double?, hi: Double?
    @inline(__always) func apply<T: ArithElement>(_ x: T) -> T {
        var r = x
        if let lo { r = T.maxPropagatingNaN(r, T(converting: lo)) }
        if let hi { r = T.minPropagatingNaN(r, T(converting: hi)) }
        return r
    }
}
struct ExpOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { T.expF(x) } }
struct LogOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { T.logF(x) } }
struct Log1pOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { T.log1pF(x) } }
struct Expm1Op: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { T.expm1F(x) } }
struct SqrtOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { x.squareRoot() } }
struct RsqrtOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { 1 / x.squareRoot() } }
struct SinOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { T.sinF(x) } }
struct CosOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { T.cosF(x) } }
struct TanOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { T.tanF(x) } }
/// tanh rounded once from Double: torch.tanh's float32 kernel is MKL's VML (vsTanh, high accuracy), whose
/// bits this matches far more often than libm's tanhf (3 in 20000 N(0,1) inputs differ, against 6545).
struct TanhOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { T(Foundation.tanh(Double(x))) } }
/// erf rounded once from Double, for the same reason as `TanhOp` (MKL's vsErf: 281 in 20000 differ, against 1038).
struct ErfOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { T(Foundation.erf(Double(x))) } }
struct ReciprocalOp: FloatUnaryOp { @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { 1 / x } }
/// ATen's scalar sigmoid, `1 / (1 + exp(-x))` (exp overflowing to inf gives 0, as there);
/// contiguous float32 tensors take `AtenSigmoid`'s vector kernel.
struct SigmoidOp: FloatUnaryOp {
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { 1 / (1 + T.expF(-x)) }
}
struct LeakyReluOp: FloatUnaryOp {
    let slope: Double
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { x > 0 ? x : x * T(slope) }
}
struct GeluOp: FloatUnaryOp {
    let tanhForm: Bool
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T {
        if tanhForm {
            // ATen's scalar path as GCC compiles it: x + kappa * x^3 is one fused multiply-add.
            let inner = T(geluTanhBetaDouble) * x.addingProduct(T(0.044715), x * x * x)
            return T(0.5) * x * (1 + T.tanhF(inner))
        }
        return x * T(0.5) * (1 + T.erfF(x * T(0.7071067811865476)))
    }
}
struct RoundingOp: FloatUnaryOp {
    let rule: FloatingPointRoundingRule
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { x.rounded(rule) }
}

// Gradient kernels: (g, saved) -> input gradient.
/// ATen's threshold_backward(g, y, 0): `y <= 0 ? 0 : g`, so a NaN output passes its gradient.
struct ReluGradOp: BinaryOp {
    @inline(__always) func apply<T: ArithElement>(_ g: T, _ y: T) -> T { (T.lessThan(T.zero, y) || y.isNaNValue) ? g : T.zero }
}
/// ATen's sigmoid_backward: `g * (1 - y) * y`, in that order (its bits).
struct SigmoidGradOp: FloatBinaryOp { @inline(__always) func apply<T: FloatElement>(_ g: T, _ y: T) -> T { g * (1 - y) * y } }
struct TanhGradOp: FloatBinaryOp { @inline(__always) func apply<T: FloatElement>(_ g: T, _ y: T) -> T { g * (1 - y * y) } }
struct LeakyReluGradOp: FloatBinaryOp {
    let slope: Double
    @inline(__always) func apply<T: FloatElement>(_ g: T, _ x: T) -> T { x > 0 ? g : g * T(slope) }
}
struct GeluGradOp: FloatBinaryOp {
    let tanhForm: Bool
    @inline(__always) func apply<T: FloatElement>(_ g: T, _ x: T) -> T {
        if tanhForm {
            // ATen's scalar path with GCC's fused multiply-adds (see geluTanhGradElement).
            let k = T(geluTanhBetaDouble), c = T(0.044715)
            let t = T.tanhF(k * x.addingProduct(c, x * x * x))
            let dInner = k * T(1).addingProduct(T(3) * c, x * x)
            let right = (T(0.5) * x * T(1).addingProduct(-t, t)) * dInner
            return g * right.addingProduct(T(0.5), 1 + t)
        }
        let cdf = T(0.5) * (1 + T.erfF(x * T(0.7071067811865476)))
        let pdf = T.expF(-T(0.5) * x * x) * T(0.3989422804014327)
        return g * (cdf + x * pdf)
    }
}
/// Passes the gradient where `lo <= x <= hi` (clamp's backward).
struct ClampGradOp: FloatBinaryOp {
    let lo: Double?, hi: Double?
    @inline(__always) func apply<T: FloatElement>(_ g: T, _ x: T) -> T {
        if let lo, !(x >= T(lo)) { return 0 }
        if let hi, !(x <= T(hi)) { return 0 }
        return g
    }
}

extension Tensor {
    /// Runs a float unary op and records `name` whose backward gets (g, input, output).
    /// `output`, when given, is the op's result computed by a special kernel.
    func floatUnary<Op: FloatUnaryOp>(_ op: Op, _ name: String, saveInput: Bool = false, saveOutput: Bool = false,
                                              output: Tensor? = nil,
                                              _ backward: @escaping (Tensor, Tensor?, Tensor?) throws -> Tensor) throws -> Tensor {
        let out = try output ?? computeFloatUnary(op, self)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let t = GradTarget(self)
        let sx = saveInput ? SavedTensor(self) : nil, sy = saveOutput ? SavedTensor(output: out) : nil
        return out.recordingGrad(name, inputs: [self], savesTensors: saveInput || saveOutput) { g in
            [try t.reduce(try backward(g, try sx?.get(), try sy?.get()))]
        }
    }

    /// A zero gradient of `g`'s shape (ops whose derivative is zero almost everywhere).
    private static func zeroGrad(_ g: Tensor, _: Tensor?, _: Tensor?) throws -> Tensor { try Tensor.zerosLike(g) }

    /// Missing saved tensor (cannot happen: callers ask for what they save).
    static func need(_ t: Tensor?) throws -> Tensor {
        guard let t else { throw TorchError.runtime("internal error: saved tensor missing") }
        return t
    }

    public func neg() throws -> Tensor {
        if dtype == .bool {
            throw TorchError(.notImplementedError, "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        }
        let out = try computeUnary(NegOp(), self)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let t = GradTarget(self)
        return out.recordingGrad("NegBackward0", inputs: [self], savesTensors: false) { g in [try t.reduce(try g.neg())] }
    }

    public func abs() throws -> Tensor {
        let out = try computeUnary(AbsOp(), self)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let t = GradTarget(self), sx = SavedTensor(self)
        return out.recordingGrad("AbsBackward0", inputs: [self]) { g in [try t.reduce(try g.mul(try sx.get().sign()))] }
    }

    public func sign() throws -> Tensor {
        let out = try computeUnary(SignOp(), self)
        let t = GradTarget(self)
        return out.recordingGrad("SignBackward0", inputs: [self], savesTensors: false) { g in [try t.reduce(try Tensor.zerosLike(g))] }
    }

    public func exp() throws -> Tensor {
        try floatUnary(ExpOp(), "ExpBackward0", saveOutput: true) { g, _, y in try g.mul(try Tensor.need(y)) }
    }
    public func log() throws -> Tensor {
        try floatUnary(LogOp(), "LogBackward0", saveInput: true) { g, x, _ in try g.div(try Tensor.need(x)) }
    }
    public func log1p() throws -> Tensor {
        try floatUnary(Log1pOp(), "Log1PBackward0", saveInput: true, output: try atenUnaryFloat32(.log1p)) { g, x, _ in try g.div(try Tensor.need(x).add(.int(1))) }
    }
    public func expm1() throws -> Tensor {
        try floatUnary(Expm1Op(), "Expm1Backward0", saveOutput: true, output: try atenUnaryFloat32(.expm1)) { g, _, y in try g.mul(try Tensor.need(y).add(.int(1))) }
    }
    public func sqrt() throws -> Tensor {
        try floatUnary(SqrtOp(), "SqrtBackward0", saveOutput: true) { g, _, y in try g.div(try Tensor.need(y).mul(.int(2))) }
    }
    public func rsqrt() throws -> Tensor {
        try floatUnary(RsqrtOp(), "RsqrtBackward0", saveOutput: true) { g, _, y in
            let y = try Tensor.need(y)
            return try g.mul(try y.mul(y).mul(y)).mul(.double(-0.5))
        }
    }
    public func sin() throws -> Tensor {
        try floatUnary(SinOp(), "SinBackward0", saveInput: true) { g, x, _ in try g.mul(try Tensor.need(x).cos()) }
    }
    public func cos() throws -> Tensor {
        try floatUnary(CosOp(), "CosBackward0", saveInput: true) { g, x, _ in try g.mul(try Tensor.need(x).sin()).neg() }
    }
    public func tan() throws -> Tensor {
        try floatUnary(TanOp(), "TanBackward0", saveOutput: true) { g, _, y in
            let y = try Tensor.need(y)
            return try g.mul(try y.mul(y).add(.int(1)))
        }
    }
    public func tanh() throws -> Tensor {
        try floatUnary(TanhOp(), "TanhBackward0", saveOutput: true) { g, _, y in
            let y = try Tensor.need(y)
            // Under create_graph the formula is composed of recorded ops (g · (1 − y²)).
            if GradMode.isEnabled { return try g.mul(try y.mul(y).rsub(.int(1))) }
            return try computeFloatBinary(TanhGradOp(), g, y, dtype: g.dtype)
        }
    }
    public func sigmoid() throws -> Tensor {
        try floatUnary(SigmoidOp(), "SigmoidBackward0", saveOutput: true, output: try atenSigmoidFloat32()) { g, _, y in
            let y = try Tensor.need(y)
            if GradMode.isEnabled { return try g.mul(try y.rsub(.int(1))).mul(y) }
            return try computeFloatBinary(SigmoidGradOp(), g, y, dtype: g.dtype)
        }
    }
    public func erf() throws -> Tensor {
        try floatUnary(ErfOp(), "ErfBackward0", saveInput: true) { g, x, _ in
            let x = try Tensor.need(x)
            return try g.mul(try x.mul(x).neg().exp().mul(.double(2 / Double.pi.squareRoot())))
        }
    }
    public func reciprocal() throws -> Tensor {
        try floatUnary(ReciprocalOp(), "ReciprocalBackward0", saveOutput: true) { g, _, y in
            let y = try Tensor.need(y)
            return try g.mul(try y.mul(y)).neg()
        }
    }
    /// `x * x` (PyTorch records it as `pow(x, 2)`: PowBackward0).
    public func square() throws -> Tensor { try pow(.int(2)) }

    public func floor() throws -> Tensor { try rounding(.down, "FloorBackward0") }
    public func ceil() throws -> Tensor { try rounding(.up, "CeilBackward0") }
    /// Round half to even, as `torch.round`.
    public func round() throws -> Tensor { try rounding(.toNearestOrEven, "RoundBackward0") }
    public func trunc() throws -> Tensor { try rounding(.towardZero, "TruncBackward0") }

    private func rounding(_ rule: FloatingPointRoundingRule, _ name: String) throws -> Tensor {
        if !dtype.isFloatingPoint { return try cloned() }
        return try floatUnary(RoundingOp(rule: rule), name, Tensor.zeroGrad)
    }

    // MARK: - Activations

    public func relu() throws -> Tensor {
        if dtype == .bool { throw notImplemented("clamp_min_cpu", .bool) }
        let out = try computeUnary(ReluOp(), self)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let t = GradTarget(self), sy = SavedTensor(output: out)
        return out.recordingGrad("ReluBackward0", inputs: [self]) { g in
            let y = try sy.get()
            if GradMode.isEnabled { return [try t.reduce(try g.mul(try y.gt(.int(0)).logicalOr(try y.isnan()).cast(g.dtype)))] }
            return [try t.reduce(try computeBinary(ReluGradOp(), g, y, dtype: g.dtype))]
        }
    }

    /// `F.leaky_relu(x, negative_slope)`.
    public func leakyRelu(negativeSlope: Double = 0.01) throws -> Tensor {
        try floatUnary(LeakyReluOp(slope: negativeSlope), "LeakyReluBackward0", saveInput: true) { g, x, _ in
            let x = try Tensor.need(x)
            if GradMode.isEnabled {
                return try g.mul(try Tensor.where(try x.gt(.int(0)), .double(1), .double(negativeSlope)).cast(g.dtype))
            }
            return try computeFloatBinary(LeakyReluGradOp(slope: negativeSlope), g, x.cast(g.dtype), dtype: g.dtype)
        }
    }

    /// `F.gelu(x, approximate=)`: "none" (erf form) or "tanh". Float32 runs PyTorch's own kernels
    /// (GeluMath.swift): oneDNN's for the erf form of a contiguous tensor of 2+ elements, ATen's with
    /// SLEEF's tanh for the tanh form.
    public func gelu(approximate: String = "none") throws -> Tensor {
        guard approximate == "none" || approximate == "tanh" else {
            throw TorchError.runtime("approximate argument must be either none or tanh.")
        }
        let tanhForm = approximate == "tanh"
        let special = tanhForm ? try geluTanhATenForward() : try geluOneDNNForward()
        return try floatUnary(GeluOp(tanhForm: tanhForm), "GeluBackward0", saveInput: true, output: special) { g, x, _ in
            let x = try Tensor.need(x)
            if GradMode.isEnabled { return try g.mul(try x.cast(g.dtype).geluDerivative(tanhForm: tanhForm)) }
            if let gx = tanhForm ? try x.geluTanhATenBackward(g) : try x.geluOneDNNBackward(g) { return gx }
            return try computeFloatBinary(GeluGradOp(tanhForm: tanhForm), g, try x.cast(g.dtype), dtype: g.dtype)
        }
    }

    /// GELU's derivative in recorded ops (for create_graph=True): Φ(x) + x·φ(x), or for the tanh
    /// form with u = √(2/π)(x + 0.044715x³), t = tanh(u): ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²).
    private func geluDerivative(tanhForm: Bool) throws -> Tensor {
        let x2 = try mul(self)
        if tanhForm {
            let k = (2 / Double.pi).squareRoot(), c = 0.044715
            let t = try add(try x2.mul(self).mul(.double(c))).mul(.double(k)).tanh()
            let du = try x2.mul(.double(3 * c)).add(.int(1)).mul(.double(k))
            return try t.add(.int(1)).mul(.double(0.5)).add(try mul(try t.mul(t).rsub(.int(1))).mul(du).mul(.double(0.5)))
        }
        let cdf = try mul(.double(1 / 2.0.squareRoot())).erf().add(.int(1)).mul(.double(0.5))
        return try cdf.add(try mul(try x2.mul(.double(-0.5)).exp()).mul(.double(1 / (2 * Double.pi).squareRoot())))
    }

    /// `torch.clamp(x, min, max)` (ClampBackward1); the result dtype follows promotion with the bounds.
    public func clamp(min lo: Scalar? = nil, max hi: Scalar? = nil) throws -> Tensor {
        guard lo != nil || hi != nil else {
            throw TorchError.runtime("torch.clamp: At least one of 'min' or 'max' must not be None")
        }
        var p = TypePromotion()
        p.add(self)
        if let lo { p.add(lo) }
        if let hi { p.add(hi) }
        let dt = p.result
        let x = try cast(dt)
        let op = ClampOp(lo: lo?.doubleValue, hi: hi?.doubleValue)
        let out = try computeUnary(op, x)
        if !(GradMode.isEnabled && requiresGrad) { return out }
        let t = GradTarget(self), sx = SavedTensor(self)
        return out.recordingGrad("ClampBackward1", inputs: [self]) { g in
            [try t.reduce(try computeFloatBinary(ClampGradOp(lo: op.lo, hi: op.hi), g, try sx.get().cast(g.dtype), dtype: g.dtype))]
        }
    }
}
