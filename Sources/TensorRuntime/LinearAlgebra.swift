import Foundation

/// `torch.linalg.inv`, `det` and `solve` on batches of square matrices (`…, n, n`): LU
/// factorisation with partial pivoting per matrix, in Double and rounded once to the input's
/// dtype (PyTorch calls LAPACK's getrf/getrs in the input's precision, so the last bits of a
/// float32 result may differ). Backward through matmuls, as PyTorch's formulas:
/// inv `-A⁻ᵀ g A⁻ᵀ`, det `g·det·A⁻ᵀ`, solve `g_B = A⁻ᵀ g`, `g_A = -g_B Xᵀ`.
extension Tensor {
    /// `linalg.inv(A)` (LinalgInvExBackward0); RuntimeError for a singular matrix, as PyTorch's.
    public func linalgInv() throws -> Tensor {
        let (batch, n) = try squareBatch("linalg.inv")
        let values = toDoubles()
        var out = [Double](repeating: 0, count: values.count)
        for b in 0..<batch {
            let lu = LUFactors(Array(values[(b * n * n)..<((b + 1) * n * n)]), n)
            if let k = lu.zeroPivot {
                throw TorchError.runtime("linalg.inv: \(batch > 1 ? "(Batch element \(b)): " : "")The diagonal element \(k + 1) is zero, the inversion could not be completed because the input matrix is singular.")
            }
            var identity = [Double](repeating: 0, count: n * n)
            for i in 0..<n { identity[i * n + i] = 1 }
            let inv = lu.solve(identity, columns: n)
            for i in 0..<(n * n) { out[b * n * n + i] = inv[i] }
        }
        let result = try Tensor(doubles: out, shape: shape, dtype: dtype)
        let saved = SavedTensor(output: result)
        return result.recordingGrad("LinalgInvExBackward0", inputs: [self]) { g in
            let inv = try saved.get().transposeLastTwo()
            return [try inv.matmul(g).matmul(inv).neg()]
        }
    }

    /// `linalg.det(A)` (LinalgDetBackward0): the product of U's diagonal with the permutation's sign.
    public func linalgDet() throws -> Tensor {
        let (batch, n) = try squareBatch("linalg.det")
        let values = toDoubles()
        let dets = (0..<batch).map { b -> Double in
            let lu = LUFactors(Array(values[(b * n * n)..<((b + 1) * n * n)]), n)
            return (0..<n).reduce(lu.sign) { $0 * lu.lu[$1 * n + $1] }
        }
        let result = try Tensor(doubles: dets, shape: Array(shape.dropLast(2)), dtype: dtype)
        let input = SavedTensor(self), saved = SavedTensor(output: result)
        return result.recordingGrad("LinalgDetBackward0", inputs: [self]) { g in
            let scale = try g.mul(try saved.get()).unsqueeze(-1).unsqueeze(-1)
            return [try scale.mul(try input.get().linalgInv().transposeLastTwo())]
        }
    }

    /// `linalg.solve(A, B)` (LinalgSolveExBackward0): X with `A X = B`; B is a batch of matrices
    /// (`…, n, k`) or of vectors (`…, n`, when its shape is A's without the last dim, or 1-D).
    /// Batch dims broadcast.
    public static func linalgSolve(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        _ = try a.squareBatch("linalg.solve")
        guard b.dtype == a.dtype else {
            throw TorchError.runtime("linalg.solve: Expected A and B to have the same dtype, but found A of type \(a.dtype.atenName) and B of type \(b.dtype.atenName) instead")
        }
        let n = a.shape[a.dim - 1]
        let vectorCase = b.dim == 1 || (b.dim == a.dim - 1 && Array(b.shape) == Array(a.shape.dropLast()))
        let bm = vectorCase ? try b.unsqueeze(-1) : b
        guard bm.dim >= 2, bm.shape[bm.dim - 2] == n else {
            throw TorchError.runtime("linalg.solve: Incompatible shapes of A and B for the equation AX = B (\(shapeDescription(a.shape).dropFirst().dropLast()) and \(shapeDescription(b.shape).dropFirst().dropLast()))")
        }
        let k = bm.shape[bm.dim - 1]
        let batchShape = try broadcastShapes(Array(a.shape.dropLast(2)), Array(bm.shape.dropLast(2)))
        let av = try a.expand(batchShape + [n, n]).toDoubles(), bv = try bm.expand(batchShape + [n, k]).toDoubles()
        let batch = batchShape.reduce(1, *)
        var out = [Double](repeating: 0, count: batch * n * k)
        for i in 0..<batch {
            let lu = LUFactors(Array(av[(i * n * n)..<((i + 1) * n * n)]), n)
            if lu.zeroPivot != nil {
                throw TorchError.runtime("torch.linalg.solve: The solver failed because the input matrix is singular.")
            }
            let x = lu.solve(Array(bv[(i * n * k)..<((i + 1) * n * k)]), columns: k)
            for j in 0..<(n * k) { out[i * n * k + j] = x[j] }
        }
        let xm = try Tensor(doubles: out, shape: batchShape + [n, k], dtype: a.dtype)
        let result = vectorCase ? try xm.squeeze(dim: xm.dim - 1) : xm
        let ta = GradTarget(a), tb = GradTarget(b), sa = SavedTensor(a), sx = SavedTensor(output: xm)
        return result.recordingGrad("LinalgSolveExBackward0", inputs: [a, b]) { g in
            let gm = vectorCase ? try g.unsqueeze(-1) : g
            let gb = try linalgSolve(try sa.get().transposeLastTwo(), gm)
            let ga = try gb.matmul(try sx.get().transposeLastTwo()).neg()
            return [try ta.reduce(ga), try tb.reduce(vectorCase ? try gb.squeeze(dim: gb.dim - 1) : gb)]
        }
    }

    /// The batch size and n of a `(…, n, n)` tensor, with PyTorch's errors.
    func squareBatch(_ op: String) throws -> (Int, Int) {
        guard dim >= 2 else {
            throw TorchError.runtime("\(op): The input tensor A must have at least 2 dimensions.")
        }
        guard dtype == .float32 || dtype == .float64 else {
            throw TorchError.runtime("\(op): Expected a floating point or complex tensor as input. Got \(dtype.shortName)")
        }
        let rows = shape[dim - 2], cols = shape[dim - 1]
        guard rows == cols else {
            throw TorchError.runtime("\(op): A must be batches of square matrices, but they are \(rows) by \(cols) matrices")
        }
        return (shape.dropLast(2).reduce(1, *), rows)
    }
}

/// `P A = L U` of one n×n row-major matrix (Doolittle, partial pivoting: the row with the
/// largest |value| in each column, as LAPACK's getrf).
private struct LUFactors {
    /// L below the diagonal (unit diagonal implied) and U on and above it.
    var lu: [Double]
    /// Row i of the factored matrix is row `perm[i]` of A.
    var perm: [Int]
    /// The permutation's sign.
    var sign: Double = 1
    /// The first column whose pivot is exactly zero (a singular matrix).
    var zeroPivot: Int?
    let n: Int

    init(_ a: [Double], _ n: Int) {
        self.n = n
        lu = a
        perm = Array(0..<n)
        for c in 0..<n {
            var best = c
            for r in (c + 1)..<Swift.max(c + 1, n) where Swift.abs(lu[r * n + c]) > Swift.abs(lu[best * n + c]) { best = r }
            if best != c {
                for j in 0..<n { lu.swapAt(c * n + j, best * n + j) }
                perm.swapAt(c, best)
                sign = -sign
            }
            let pivot = lu[c * n + c]
            if pivot == 0 {
                if zeroPivot == nil { zeroPivot = c }
                continue
            }
            for r in (c + 1)..<Swift.max(c + 1, n) {
                let f = lu[r * n + c] / pivot
                lu[r * n + c] = f
                if f != 0 { for j in (c + 1)..<n { lu[r * n + j] -= f * lu[c * n + j] } }
            }
        }
    }

    /// X with `A X = B` for an n×columns row-major B (the factors must be non-singular).
    func solve(_ b: [Double], columns k: Int) -> [Double] {
        var x = [Double](repeating: 0, count: n * k)
        for i in 0..<n { for j in 0..<k { x[i * k + j] = b[perm[i] * k + j] } }
        for i in 0..<n {
            for r in 0..<i where lu[i * n + r] != 0 { for j in 0..<k { x[i * k + j] -= lu[i * n + r] * x[r * k + j] } }
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for r in (i + 1)..<Swift.max(i + 1, n) where lu[i * n + r] != 0 { for j in 0..<k { x[i * k + j] -= lu[i * n + r] * x[r * k + j] } }
            for j in 0..<k { x[i * k + j] /= lu[i * n + i] }
        }
        return x
    }
}
