/// Backward formulas of the matrix products written with recorded tensor ops, for backward
/// passes that build a graph (`create_graph=True`: grad mode is on while they run). The usual
/// path calls BLAS directly on raw buffers and records nothing.
enum RecordedBackward {
    /// Gradients of `a @ b` (matmul's 1-D and broadcasting rules) from the output gradient `g`:
    /// `g @ bᵀ` and `aᵀ @ g`, summed over broadcast batch dims.
    static func matmul(_ g: Tensor, _ a: Tensor, _ b: Tensor, needA: Bool, needB: Bool,
                       outMatrixShape: [Int]) throws -> [Tensor?] {
        let am = a.dim == 1 ? try a.unsqueeze(0) : a, bm = b.dim == 1 ? try b.unsqueeze(1) : b
        let gm = try g.reshape(outMatrixShape)
        let ga = needA ? try sumToShape(try gm.matmul(try bm.transposeLastTwo()), am.shape).reshape(a.shape) : nil
        let gb = needB ? try sumToShape(try am.transposeLastTwo().matmul(gm), bm.shape).reshape(b.shape) : nil
        return [ga, gb]
    }

    /// Gradients of linear's product node `(bias +) mat1 @ weightᵀ`, aligned with its inputs
    /// `(bias,) mat1, weightᵀ`: `g` summed to the bias's shape, `g @ weight`, `mat1ᵀ @ g`.
    static func linearProduct(_ g: Tensor, mat1: Tensor, weightT: Tensor, bias: Tensor?) throws -> [Tensor?] {
        let gMat1 = mat1.requiresGrad ? try g.mm(try weightT.t()) : nil
        let gWeightT = weightT.requiresGrad ? try mat1.t().mm(g) : nil
        guard let bias else { return [gMat1, gWeightT] }
        return [bias.requiresGrad ? try sumToShape(g, bias.shape) : nil, gMat1, gWeightT]
    }
}
