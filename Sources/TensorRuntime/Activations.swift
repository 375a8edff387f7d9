/// The activation functions of `torch.nn.functional` beyond relu/sigmoid/tanh/gelu: one
/// elementwise kernel and one gradient kernel each, with ATen's formulas and grad_fn names.

/// ATen's ELU family: `x > 0 ? x·scale : (exp(x·inputScale) − 1)·alpha·scale` (elu, selu, celu).
struct EluOp: FloatUnaryOp {
    let negCoef, posCoef, inputScale: Double
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T {
        x > 0 ? x * T(posCoef) : T.expm1F(x * T(inputScale)) * T(negCoef)
    }
}
struct EluGradOp: FloatBinaryOp {
    let negCoef, posCoef, inputScale: Double
    @inline(__always) func apply<T: FloatElement>(_ g: T, _ x: T) -> T {
        x > 0 ? g * T(posCoef) : g * T(inputScale) * T(negCoef) * T.expF(x * T(inputScale))
    }
}
struct SiluOp: FloatUnaryOp {
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { x / (1 + T.expF(-x)) }
}
struct SiluGradOp: FloatBinaryOp {
    @inline(__always) func apply<T: FloatElement>(_ g: T, _ x: T) -> T {
        let s = 1 / (1 + T.expF(-x))
        return g * s * (1 + x * (1 - s))
    }
}
struct MishOp: FloatUnaryOp {
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { x * T.tanhF(T.log1pF(T.expF(x))) }
}
struct MishGradOp: FloatBinaryOp {
    @inline(__always) func apply<T: FloatElement>(_ g: T, _ x: T) -> T {
        let s = 1 / (1 + T.expF(-x)), t = T.tanhF(T.log1pF(T.expF(x)))
        return g * (t + x * s * (1 - t * t))
    }
}
/// `x·beta > threshold ? x : log1p(exp(x·beta)) / beta`.
struct SoftplusOp: FloatUnaryOp {
    let beta, threshold: Double
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T {
        x * T(beta) > T(threshold) ? x : T.log1pF(T.expF(x * T(beta))) / T(beta)
    }
}
struct SoftplusGradOp: FloatBinaryOp {
    let beta, threshold: Double
    @inline(__always) func apply<T: FloatElement>(_ g: T, _ x: T) -> T {
        let z = T.expF(x * T(beta))
        return x * T(beta) > T(threshold) ? g : g * z / (z + 1)
    }
}
/// `min(max(x, lo), hi)` with NaN passed through (hardtanh, relu6).
struct HardtanhOp: FloatUnaryOp {
    let lo, hi: Double
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T {
        x.isNaN ? x : Swift.min(Swift.max(x, T(lo)), T(hi))
    }
}
struct HardtanhGradOp: FloatBinaryOp {
    let lo, hi: Double
    @inline(__always) func apply<T: FloatElement>(_ g: T, _ x: T) -> T { x <= T(lo) || x >= T(hi) ? 0 : g }
}
struct HardsigmoidOp: FloatUnaryOp {
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { Swift.min(Swift.max(x + 3, 0), 6) / 6 }
}
struct HardsigmoidGradOp: FloatBinaryOp {
    @inline(__always) func apply<T: FloatElement>(_ g: T, _ x: T) -> T { x > -3 && x < 3 ? g / 6 : 0 }
}
struct HardswishOp: FloatUnaryOp {
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { x * Swift.min(Swift.max(x + 3, 0), 6) / 6 }
}
struct HardswishGradOp: FloatBinaryOp {
    @inline(__always) func apply<T: FloatElement>(_ g: T, _ x: T) -> T {
        x <= -3 ? 0 : (x < 3 ? g * (x / 3 + T(0.5)) : g)
    }
}
/// `x <= threshold ? value : x`.
struct ThresholdOp: FloatUnaryOp {
    let threshold, value: Double
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { x <= T(threshold) ? T(value) : x }
}
struct ThresholdGradOp: FloatBinaryOp {
    let threshold: Double
    @inline(__always) func apply<T: FloatElement>(_ g: T, _ x: T) -> T { x <= T(threshold) ? 0 : g }
}
/// `min(x, 0) − log1p(exp(−|x|))`, stable for large |x|.
struct LogSigmoidOp: FloatUnaryOp {
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { Swift.min(x, 0) - T.log1pF(T.expF(-Swift.abs(x))) }
}
struct LogSigmoidGradOp: FloatBinaryOp {
    @inline(__always) func apply<T: FloatElement>(_ g: T, _ x: T) -> T {
        let z = T.expF(-Swift.abs(x))
        return x < 0 ? g * (1 - z / (1 + z)) : g * (z / (1 + z))
    }
}
/// `x > λ ? x − λ : x < −λ ? x + λ : x·0` (a signed zero, as ATen).
struct SoftshrinkOp: FloatUnaryOp {
    let lambda: Double
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T {
        x > T(lambda) ? x - T(lambda) : (x < -T(lambda) ? x + T(lambda) : x * 0)
    }
}
/// `|x| <= λ ? 0 : x`.
struct HardshrinkOp: FloatUnaryOp {
    let lambda: Double
    @inline(__always) func apply<T: FloatElement>(_ x: T) -> T { x >= -T(lambda) && x <= T(lambda) ? 0 : x }
}
/// The gradient of softshrink and hardshrink: zero inside [−λ, λ].
struct ShrinkGradOp: FloatBinaryOp {
    let lambda: Double
    @inline(__always) func apply<T: FloatElement>(_ g: T, _ x: T) -> T { x >= -T(lambda) && x <= T(lambda) ? 0 : g }
}

/// SELU's constants (Klambauer et al.), as ATen spells them.
public let seluAlpha = 1.6732632423543772848170429916717
public let seluScale = 1.0507009873554804934193349852946

extension Tensor {
    /// An activation whose gradient is `gradOp(g, x)` (the input is saved); `aten` names PyTorch's
    /// float32 kernel when it has a SLEEF one (`AtenUnaryFloat`). Under create_graph=True the
    /// gradient is `g · derivative(x)` in recorded ops (`activationDerivative`), so it can be
    /// differentiated again.
    private func activation<Op: FloatUnaryOp, Grad: FloatBinaryOp>(_ op: Op, _ grad: Grad, _ name: String,
                                                                   aten: AtenUnaryFloat? = nil,
                                                                   derivative: ((Tensor) throws -> Tensor)? = nil) throws -> Tensor {
        try floatUnary(op, name, saveInput: true, output: try aten.flatMap { try atenUnaryFloat32($0) }) { g, x, _ in
            let x = try Tensor.need(x).cast(g.dtype)
            if GradMode.isEnabled { return try g.mul(try Tensor.activationDerivative(x, grad, derivative)) }
            return try computeFloatBinary(grad, g, x, dtype: g.dtype)
        }
    }

    /// f'(x) for differentiating an activation's backward: `derivative(x)` in recorded ops, or
    /// (piecewise-linear activations, whose second derivative is zero) the gradient kernel at
    /// g = 1 as a constant.
    static func activationDerivative<Grad: FloatBinaryOp>(_ x: Tensor, _ grad: Grad,
                                                          _ derivative: ((Tensor) throws -> Tensor)?) throws -> Tensor {
        if let derivative { return try derivative(x) }
        return try GradMode.withNoGrad { try computeFloatBinary(grad, try Tensor.onesLike(x), x, dtype: x.dtype) }
    }

    /// d/dx of the ELU family: `x > 0 ? posCoef : negCoef·inputScale·exp(x·inputScale)`.
    private static func eluDerivative(negCoef: Double, posCoef: Double, inputScale: Double) -> (Tensor) throws -> Tensor {
        { x in try Tensor.where(try x.gt(.int(0)), .double(posCoef), try x.mul(.double(inputScale)).exp().mul(.double(negCoef * inputScale))) }
    }

    /// `F.elu(x, alpha)` (EluBackward0).
    public func elu(alpha: Double = 1) throws -> Tensor {
        try activation(EluOp(negCoef: alpha, posCoef: 1, inputScale: 1), EluGradOp(negCoef: alpha, posCoef: 1, inputScale: 1), "EluBackward0",
                       aten: .elu(negative: Float(alpha), inputScale: 1, positive: 1),
                       derivative: Tensor.eluDerivative(negCoef: alpha, posCoef: 1, inputScale: 1))
    }
    /// `F.selu(x)`: scale·elu(x, alpha) with SELU's constants (EluBackward0).
    public func selu() throws -> Tensor {
        let neg = seluAlpha * seluScale
        return try activation(EluOp(negCoef: neg, posCoef: seluScale, inputScale: 1),
                              EluGradOp(negCoef: neg, posCoef: seluScale, inputScale: 1), "EluBackward0",
                              aten: .elu(negative: Float(seluAlpha) * Float(seluScale), inputScale: 1, positive: Float(seluScale)),
                              derivative: Tensor.eluDerivative(negCoef: neg, posCoef: seluScale, inputScale: 1))
    }
    /// `F.celu(x, alpha)`: `max(0, x) + min(0, alpha·(exp(x/alpha) − 1))` (CeluBackward0).
    public func celu(alpha: Double = 1) throws -> Tensor {
        guard alpha != 0 else { throw TorchError.runtime("ZeroDivisionError") }
        return try activation(EluOp(negCoef: alpha, posCoef: 1, inputScale: 1 / alpha),
                              EluGradOp(negCoef: alpha, posCoef: 1, inputScale: 1 / alpha), "CeluBackward0",
                              aten: .elu(negative: Float(alpha), inputScale: Float(1 / alpha), positive: 1),
                              derivative: Tensor.eluDerivative(negCoef: alpha, posCoef: 1, inputScale: 1 / alpha))
    }
    /// `F.silu(x)`: x·sigmoid(x) (SiluBackward0).
    public func silu() throws -> Tensor {
        try activation(SiluOp(), SiluGradOp(), "SiluBackward0", aten: .silu) { x in
            let s = try x.sigmoid()
            return try s.mul(try x.mul(try s.rsub(.int(1))).add(.int(1)))
        }
    }
    /// `F.mish(x)`: x·tanh(softplus(x)) (MishBackward0).
    public func mish() throws -> Tensor {
        try activation(MishOp(), MishGradOp(), "MishBackward0", aten: .mish) { x in
            let t = try x.softplus().tanh()
            return try t.add(try x.mul(try x.sigmoid()).mul(try t.mul(t).rsub(.int(1))))
        }
    }
    /// `F.softplus(x, beta, threshold)` (SoftplusBackward0).
    public func softplus(beta: Double = 1, threshold: Double = 20) throws -> Tensor {
        try activation(SoftplusOp(beta: beta, threshold: threshold), SoftplusGradOp(beta: beta, threshold: threshold), "SoftplusBackward0",
                       aten: .softplus(beta: Float(beta), threshold: Float(threshold))) { x in
            let bx = try x.mul(.double(beta))
            return try Tensor.where(try bx.gt(.double(threshold)), .int(1), try bx.sigmoid())
        }
    }
    /// `F.hardtanh(x, min_val, max_val)` (HardtanhBackward0; `F.relu6` is hardtanh(0, 6)).
    public func hardtanh(min lo: Double = -1, max hi: Double = 1) throws -> Tensor {
        try activation(HardtanhOp(lo: lo, hi: hi), HardtanhGradOp(lo: lo, hi: hi), "HardtanhBackward0")
    }
    /// `F.hardsigmoid(x)`: relu6(x + 3) / 6 (HardsigmoidBackward0).
    public func hardsigmoid() throws -> Tensor { try activation(HardsigmoidOp(), HardsigmoidGradOp(), "HardsigmoidBackward0") }
    /// `F.hardswish(x)`: x·relu6(x + 3) / 6 (HardswishBackward0).
    public func hardswish() throws -> Tensor {
        try activation(HardswishOp(), HardswishGradOp(), "HardswishBackward0") { x in
            let middle = try Tensor.where(try x.lt(.int(3)), try x.div(.int(3)).add(.double(0.5)), .int(1))
            return try Tensor.where(try x.le(.int(-3)), .int(0), middle)
        }
    }
    /// `F.threshold(x, threshold, value)`: x where x > threshold, else value (ThresholdBackward0).
    public func threshold(_ threshold: Double, value: Double) throws -> Tensor {
        try activation(ThresholdOp(threshold: threshold, value: value), ThresholdGradOp(threshold: threshold), "ThresholdBackward0")
    }
    /// `F.logsigmoid(x)`: log(sigmoid(x)) computed stably (LogSigmoidBackward0).
    public func logSigmoid() throws -> Tensor {
        try activation(LogSigmoidOp(), LogSigmoidGradOp(), "LogSigmoidBackward0", aten: .logSigmoid) { x in try x.neg().sigmoid() }
    }
    /// `F.softshrink(x, lambd)` (SoftshrinkBackward0).
    public func softshrink(lambda: Double = 0.5) throws -> Tensor {
        guard lambda >= 0 else {
            throw TorchError.runtime("lambda must be greater or equal to 0, but found to be \(lambda).")
        }
        return try activation(SoftshrinkOp(lambda: lambda), ShrinkGradOp(lambda: lambda), "SoftshrinkBackward0")
    }
    /// `F.hardshrink(x, lambd)` (HardshrinkBackward0).
    public func hardshrink(lambda: Double = 0.5) throws -> Tensor {
        try activation(HardshrinkOp(lambda: lambda), ShrinkGradOp(lambda: lambda), "HardshrinkBackward0")
    }
    /// `F.softsign(x)`: x / (|x| + 1), composed as PyTorch composes it (DivBackward0).
    public func softsign() throws -> Tensor { try div(try abs().add(.int(1))) }
    /// `F.tanhshrink(x)`: x − tanh(x) (SubBackward0).
    public func tanhshrink() throws -> Tensor { try sub(try tanh()) }
}

extension Functional {
    /// `F.glu(x, dim)`: `a·sigmoid(b)` for the two halves a, b of `dim` (GluBackward0).
    public static func glu(_ x: Tensor, dim: Int = -1) throws -> Tensor {
        guard x.dim > 0 else { throw TorchError.runtime("glu does not support scalars because halving size must be even") }
        let d = try x.normalizeDim(dim)
        guard x.shape[d] % 2 == 0 else {
            throw TorchError.runtime("Halving dimension must be even, but dimension \(d) is size \(x.shape[d])")
        }
        let half = x.shape[d] / 2
        let (out, a, s) = try GradMode.withNoGrad { () -> (Tensor, Tensor, Tensor) in
            let a = try x.narrow(dim: d, start: 0, length: half), s = try x.narrow(dim: d, start: half, length: half).sigmoid()
            return (try a.mul(s), a, s)
        }
        return out.recordingGrad("GluBackward0", inputs: [x]) { g in
            // d/da = sigmoid(b); d/db = a·sigmoid(b)·(1 − sigmoid(b)).
            let ga = try g.mul(s), gb = try g.mul(a).mul(s).mul(try s.rsub(.int(1)))
            return [try Tensor.cat([ga, gb], dim: d)]
        }
    }

    /// `F.prelu(x, weight)`: x where x > 0, else weight·x, with one weight per channel (dim 1)
    /// or a single shared one (PreluKernelBackward0).
    public static func prelu(_ x: Tensor, weight: Tensor) throws -> Tensor {
        let channels = x.dim >= 2 ? x.shape[1] : 1
        guard weight.numel == 1 || weight.numel == channels else {
            throw TorchError.runtime("Mismatch of parameter numbers and input channel size. Found parameter numbers = \(weight.numel) and channel size = \(channels).")
        }
        guard weight.dim <= 1 else { throw TorchError.runtime("prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = \(weight.dim)") }
        // The weight broadcast along dim 1 (a single weight broadcasts everywhere).
        var shape = [Int](repeating: 1, count: x.dim)
        if weight.numel > 1 { shape[1] = channels }
        let (out, positive, w) = try GradMode.withNoGrad { () -> (Tensor, Tensor, Tensor) in
            let w = try weight.reshape(shape), positive = try x.gt(.int(0))
            return (try Tensor.where(positive, x, try x.mul(w)), positive, w)
        }
        let wShape = weight.shape
        return out.recordingGrad("PreluKernelBackward0", inputs: [x, weight]) { g in
            let gx = try Tensor.where(positive, g, try g.mul(w))
            let gwFull = try Tensor.where(positive, .double(0), try g.mul(x))
            var reduce = Array(0..<x.dim)
            if weight.numel > 1 { reduce.remove(at: 1) }
            let gw = reduce.isEmpty ? gwFull : try gwFull.sum(dims: reduce)
            return [gx, try gw.reshape(wShape)]
        }
    }
}
