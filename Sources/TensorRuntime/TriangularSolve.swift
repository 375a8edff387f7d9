/// `torch.linalg.solve_triangular(A, B, *, upper, left=True, unitriangular=False)`: X with
/// A X = B (or X A = B when `left` is false) for triangular A, by substitution in Double, each
/// result rounded once to the dtype (PyTorch calls BLAS trsm in the input's precision, so float32
/// results can differ in the last bits). Batch dims broadcast. Backward is PyTorch's
/// (linalg_solve_triangular_backward): gB = A⁻ᴴ gX by another triangular solve, gA = −gB Xᴴ
/// restricted to A's triangle (strictly, when unitriangular).
extension Tensor {
    public static func linalgSolveTriangular(_ a: Tensor, _ b: Tensor, upper: Bool, left: Bool = true,
                                             unitriangular: Bool = false) throws -> Tensor {
        guard a.dim >= 2, b.dim >= 2 else {
            throw TorchError.runtime("linalg.solve_triangular: The input tensor \(a.dim < 2 ? "A" : "B") must have at least 2 dimensions.")
        }
        guard a.shape[a.dim - 1] == a.shape[a.dim - 2] else {
            throw TorchError.runtime("linalg.solve_triangular: A must be batches of square matrices, but they are \(a.shape[a.dim - 2]) by \(a.shape[a.dim - 1]) matrices")
        }
        guard a.dtype == b.dtype else {
            throw TorchError.runtime("linalg.solve_triangular: Expected A and B to have the same dtype, but found A of type \(a.dtype.shortName) and B of type \(b.dtype.shortName) instead")
        }
        if !left {
            // X A = B  ⇔  Aᵀ Xᵀ = Bᵀ.
            return try linalgSolveTriangular(try a.transposeLastTwo(), try b.transposeLastTwo(), upper: !upper,
                                             unitriangular: unitriangular).transposeLastTwo()
        }
        let n = a.shape[a.dim - 1]
        guard b.shape[b.dim - 2] == n else {
            throw TorchError.runtime("Incompatible matrix sizes for linalg.solve_triangular: each A matrix is \(n) by \(n) but each B matrix is \(b.shape[b.dim - 2]) by \(b.shape[b.dim - 1])")
        }
        let batch = try broadcastShapes(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)))
        let ea = try a.expand(batch + [n, n]), eb = try b.expand(batch + Array(b.shape.suffix(2)))
        let x = try GradMode.withNoGrad { try substitute(ea, eb, upper: upper, unit: unitriangular) }
        let saved = SavedTensor(output: x), targetA = GradTarget(a), targetB = GradTarget(b)
        return x.recordingGrad("LinalgSolveTriangularBackward0", inputs: [a, b]) { g in
            let x = try saved.get()
            let gB = try linalgSolveTriangular(try ea.transposeLastTwo(), g, upper: !upper, unitriangular: unitriangular)
            let full = try gB.matmul(try x.transposeLastTwo()).neg()
            let offset = unitriangular ? 1 : 0
            return [try targetA.reduce(upper ? try full.triu(diagonal: offset) : try full.tril(diagonal: -offset)),
                    try targetB.reduce(gB)]
        }
    }

    /// Forward (lower) or back (upper) substitution for each matrix of the batch.
    private static func substitute(_ a: Tensor, _ b: Tensor, upper: Bool, unit: Bool) throws -> Tensor {
        let n = a.shape[a.dim - 1], k = b.shape[b.dim - 1]
        let av = a.toDoubles(), bv = b.toDoubles()
        var out = [Double](repeating: 0, count: bv.count)
        let count = n * k == 0 ? 0 : bv.count / (n * k)
        for m in 0..<count {
            let ab = m * n * n, bb = m * n * k
            for c in 0..<k {
                for step in 0..<n {
                    let i = upper ? n - 1 - step : step
                    var s = bv[bb + i * k + c]
                    let others = upper ? Array((i + 1)..<n) : Array(0..<i)
                    for j in others { s -= av[ab + i * n + j] * out[bb + j * k + c] }
                    out[bb + i * k + c] = unit ? s : s / av[ab + i * n + i]
                }
            }
        }
        return try Tensor(doubles: out, shape: b.shape, dtype: b.dtype)
    }
}
