extension Functional {
    /// `F.dropout(x, p, training)`: in training, multiplies by a mask of Bernoulli(1-p) draws
    /// scaled by 1/(1-p) (p = 1 gives zeros), recording MulBackward0 as PyTorch's CPU path
    /// does; in eval, or with p = 0, returns `x` itself without drawing random numbers (as
    /// ATen's `_dropout_impl`), so the random stream stays PyTorch's.
    public static func dropout(_ x: Tensor, p: Double = 0.5, training: Bool = true) throws -> Tensor {
        guard p >= 0 && p <= 1 else {
            throw TorchError.value("dropout probability has to be between 0 and 1, but got \(formatNumber(p))")
        }
        if !training || p == 0 || x.numel == 0 { return x }
        guard x.dtype.isComputeFloat else { throw notImplemented("bernoulli_scalar_cpu_", x.dtype) }
        // The mask is Bernoulli(1-p) scaled by 1/(1-p) (all zeros for p = 1, no draws), as PyTorch.
        let mask = try Tensor(shape: x.shape, dtype: x.dtype, zeroed: p >= 1)
        let xd = try x.dense()
        let out = try Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        func apply<T: KernelFloat>(_: T.Type) {
            let m = mask.elements(T.self), xp = xd.elements(T.self), o = out.elements(T.self)
            if p < 1 { TorchRandom.generator.fillBernoulli(m, count: x.numel, p: 1 - p, value: T(1 / (1 - p))) }
            for i in 0..<x.numel { o[i] = xp[i] * m[i] }
        }
        if x.dtype == .float32 { apply(Float.self) } else { apply(Double.self) }
        // Inputs as PyTorch's MulBackward0 (x, scaled mask): next_functions ((x's node), None).
        return out.recordingGrad("MulBackward0", inputs: [x, mask]) { g in
            let gd = try g.dense()
            let gx = try Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
            func scale<T: KernelFloat>(_: T.Type) {
                let m = mask.elements(T.self), gp = gd.elements(T.self), o = gx.elements(T.self)
                for i in 0..<x.numel { o[i] = gp[i] * m[i] }
            }
            if x.dtype == .float32 { scale(Float.self) } else { scale(Double.self) }
            return [gx, nil]
        }
    }
}
