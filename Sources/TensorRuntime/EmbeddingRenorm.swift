extension Functional {
    /// `torch.embedding_renorm_(weight, indices, max_norm, norm_type)`: every row of `weight`
    /// that `indices` selects and whose p-norm exceeds `maxNorm` is scaled in place by
    /// `maxNorm / (norm + 1e-7)`, outside autograd (as `F.embedding(max_norm=)` does first).
    public static func embeddingRenorm(_ weight: Tensor, indices: Tensor, maxNorm: Double, normType: Double) throws {
        guard indices.dtype == .int64 else {
            throw TorchError.runtime("Expected tensor for argument #2 'indices' to have one of the following scalar types: Long, Int; but got \(indices.dtype.legacyTypeName) instead (while checking arguments for embedding_renorm_)")
        }
        guard weight.dim == 2 else { throw TorchError.runtime("'weight' must be 2-D") }
        let rows = weight.shape[0]
        var seen = Set<Int>()
        for s in indices.toScalars() {
            let r = Int(s.doubleValue)
            guard r >= 0 && r < rows else { throw TorchError.index("index out of range in self") }
            seen.insert(r)
        }
        try GradMode.withNoGrad {
            for r in seen.sorted() {
                let row = try weight.select(dim: 0, index: r)
                let norm = try row.norm(p: normType).item().doubleValue
                if norm > maxNorm { _ = try row.mulInPlace(.double(maxNorm / (norm + 1e-7))) }
            }
        }
    }
}
