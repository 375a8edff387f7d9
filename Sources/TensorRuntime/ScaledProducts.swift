extension Functional {
    /// `torch.addmm(input, mat1, mat2, beta=1, alpha=1)`: `beta·input + alpha·(mat1 @ mat2)`,
    /// recorded as PyTorch's one `AddmmBackward0` node over (input, mat1, mat2).
    public static func addmm(_ input: Tensor, _ mat1: Tensor, _ mat2: Tensor,
                             beta: Scalar = .int(1), alpha: Scalar = .int(1)) throws -> Tensor {
        try scaledProductSum(input, mat1, mat2, beta: beta, alpha: alpha, "AddmmBackward0") { try $0.mm($1) }
    }

    /// `torch.baddbmm(input, batch1, batch2, beta=1, alpha=1)`: the batched form
    /// (`BaddbmmBackward0`).
    public static func baddbmm(_ input: Tensor, _ batch1: Tensor, _ batch2: Tensor,
                               beta: Scalar = .int(1), alpha: Scalar = .int(1)) throws -> Tensor {
        try scaledProductSum(input, batch1, batch2, beta: beta, alpha: alpha, "BaddbmmBackward0") { try $0.bmm($1) }
    }

    /// `beta·input + alpha·product(a, b)` computed with the plain ops (a beta of 0 ignores
    /// input's values, NaNs included, as PyTorch), with one node whose gradients are
    /// `beta·g` (summed to input's shape), `alpha·g·bᵀ` and `alpha·aᵀ·g`.
    private static func scaledProductSum(_ input: Tensor, _ a: Tensor, _ b: Tensor, beta: Scalar, alpha: Scalar,
                                         _ name: String, _ product: @escaping (Tensor, Tensor) throws -> Tensor) throws -> Tensor {
        let one = Scalar.int(1)
        let ignoresInput = beta.doubleValue == 0
        let out = try GradMode.withNoGrad { () -> Tensor in
            let p = try product(a, b)
            let scaled = alpha == one ? p : try p.mul(alpha)
            if ignoresInput { return try scaled.add(try Tensor.zeros(input.shape, dtype: input.dtype)) }
            return try scaled.add(beta == one ? input : try input.mul(beta))
        }
        let target = GradTarget(input), needA = a.requiresGrad, needB = b.requiresGrad
        return out.recordingGrad(name, inputs: [input, a, b]) { g in
            func scaled(_ t: Tensor, _ s: Scalar) throws -> Tensor { s == one ? t : try t.mul(s) }
            let gi = try target.reduce(try scaled(g, beta))
            let ga = needA ? try scaled(try product(g, try b.transpose(-1, -2)), alpha) : nil
            let gb = needB ? try scaled(try product(try a.transpose(-1, -2), g), alpha) : nil
            return [gi, ga, gb]
        }
    }
}
