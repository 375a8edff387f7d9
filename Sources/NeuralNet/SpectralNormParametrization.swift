import TensorRuntime

/// `torch.nn.utils.parametrizations.spectral_norm`'s module `_SpectralNorm`: `forward(W)` is
/// `W / σ` with σ = uᵀ·W_mat·v estimated by power iteration on `W_mat` (W with `dim` moved
/// first, flattened to a matrix); `_u` and `_v` are buffers drawn from N(0, 1) at construction
/// (u first, as PyTorch draws them), normalised and refined by 15 iterations, then by
/// `n_power_iterations` more at each forward in training mode. 1-d weights are just normalised.
public final class SpectralNormParametrization: Module {
    public let dim: Int
    public let powerIterations: Int
    public let eps: Double

    public init(weight: Tensor, powerIterations: Int = 1, dim: Int = 0, eps: Double = 1e-12) throws {
        let rank = weight.dim
        guard dim < rank && dim >= -rank else {
            throw TorchError.index("Dimension out of range (expected to be in range of [-\(rank), \(rank - 1)] but got \(dim))")
        }
        guard powerIterations > 0 else {
            throw TorchError.value("Expected n_power_iterations to be positive, but got n_power_iterations=\(powerIterations)")
        }
        self.dim = dim >= 0 ? dim : dim + rank
        self.powerIterations = powerIterations
        self.eps = eps
        super.init()
        if rank > 1 {
            let matrix = try self.matrix(weight.detached())
            let u = try Tensor.randn([matrix.shape[0]], dtype: weight.dtype), v = try Tensor.randn([matrix.shape[1]], dtype: weight.dtype)
            try registerBuffer("_u", try Functional.normalize(u, dims: [0], eps: eps))
            try registerBuffer("_v", try Functional.normalize(v, dims: [0], eps: eps))
            try powerMethod(matrix, iterations: 15)
        }
    }

    override public var typeName: String { "_SpectralNorm" }
    override public var pythonModuleName: String { "torch.nn.utils.parametrizations" }

    /// The weight with `dim` first, flattened to `[size(dim), rest]`.
    private func matrix(_ weight: Tensor) throws -> Tensor {
        let moved = dim == 0 ? weight : try weight.permute([dim] + (0..<weight.dim).filter { $0 != dim })
        return try moved.flatten(startDim: 1)
    }

    /// `u ← normalize(W v)`, `v ← normalize(Wᵀ u)`, written into the buffers, `iterations` times.
    private func powerMethod(_ matrix: Tensor, iterations: Int) throws {
        guard let u = buffer("_u"), let v = buffer("_v") else { return }
        try GradMode.withNoGrad {
            for _ in 0..<iterations {
                _ = try u.copyInPlace(from: try Functional.normalize(try matrix.matmul(v), dims: [0], eps: eps))
                _ = try v.copyInPlace(from: try Functional.normalize(try matrix.t().matmul(u), dims: [0], eps: eps))
            }
        }
    }

    override public func forward(_ weight: Tensor) throws -> Tensor {
        if weight.dim == 1 { return try Functional.normalize(weight, dims: [0], eps: eps) }
        let matrix = try self.matrix(weight)
        if training { try powerMethod(matrix, iterations: powerIterations) }
        guard let u = buffer("_u"), let v = buffer("_v") else { return weight }
        let sigma = try u.cloned().vdot(try matrix.matmul(try v.cloned()))
        return try weight.div(sigma)
    }
}
