/// Layer-norm and batch-norm gradients that are differentiable again (`create_graph=True`:
/// gradient penalties through normalised critics, MAML): the backward formulas written with
/// recorded ops, the statistics recomputed from the input so that their dependence on it is in
/// the graph. Only backward passes run while grad mode is on take this path; the usual backward
/// is the fused kernel.
enum NormalizationBackward {
    /// The gradients `[gx, (gw), (gb)]` of `(x - mean) · rstd · w + b`, the statistics taken over
    /// `dims` of `x` (layer norm: the normalised trailing dims; batch norm in training: all but
    /// dim 1). `affineShape` is how `w` and `b` broadcast against `x`; `fixed` gives eval-mode
    /// batch norm's running mean and inverse std (constants, shaped like `affineShape`) instead.
    static func gradients(_ g: Tensor, x: Tensor, weight: Tensor?, bias: Tensor?, dims: [Int], affineShape: [Int], eps: Double,
                          fixed: (mean: Tensor, invStd: Tensor)?, needX: Bool, needW: Bool, needB: Bool) throws -> [Tensor?] {
        let mean = try fixed?.mean ?? x.mean(dims: dims, keepdim: true)
        let centered = try x.sub(mean)
        let rstd = try fixed?.invStd ?? centered.mul(centered).mean(dims: dims, keepdim: true).add(.double(eps)).rsqrt()
        let xhat = try centered.mul(rstd)
        let w = try weight?.reshape(affineShape)
        // The affine parameters' gradients sum over every dim they broadcast along.
        let affineDims = affineShape.indices.filter { affineShape[$0] == 1 }
        func reduced(_ t: Tensor, like p: Tensor) throws -> Tensor { try t.sum(dims: affineDims, keepdim: true).reshape(p.shape) }
        var gx: Tensor?
        if needX {
            let gxhat = try w.map { try g.mul($0) } ?? g
            if fixed != nil {
                gx = try gxhat.mul(rstd)
            } else {
                let a = try gxhat.mean(dims: dims, keepdim: true)
                let b = try gxhat.mul(xhat).mean(dims: dims, keepdim: true)
                gx = try gxhat.sub(a).sub(try xhat.mul(b)).mul(rstd)
            }
        }
        var grads: [Tensor?] = [gx]
        if let weight { grads.append(needW ? try reduced(try g.mul(xhat), like: weight) : nil) }
        if let bias { grads.append(needB ? try reduced(g, like: bias) : nil) }
        return grads
    }
}
