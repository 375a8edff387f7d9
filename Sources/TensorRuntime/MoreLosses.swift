import Foundation

/// The distance and margin losses, composed from differentiable ops as ATen composes them (so
/// values, gradients and grad_fn names follow), plus soft_margin_loss and multi_margin_loss,
/// which are native ATen kernels with their own backward.
extension Functional {
    /// `reduction` applied to elementwise losses ("mean" → MeanBackward0, "sum" → SumBackward0).
    static func reduced(_ loss: Tensor, _ reduction: String) throws -> Tensor {
        switch try LossReduction(reduction) {
        case .none: return loss
        case .mean: return try loss.mean()
        case .sum: return try loss.sum()
        }
    }

    /// `F.kl_div(input, target, reduction, log_target)`: `target·(log target − input)` pointwise
    /// (`exp(target)·(target − input)` with `log_target`); "batchmean" divides the sum by the
    /// batch size, "mean" (with PyTorch's warning, printed by the caller) by the element count.
    public static func klDiv(_ input: Tensor, target: Tensor, reduction: String = "mean", logTarget: Bool = false) throws -> Tensor {
        let pointwise: Tensor
        if logTarget {
            pointwise = try target.exp().mul(try target.sub(input))
        } else {
            // xlogy(t, t): 0 where t == 0.
            let xlogy = try Tensor.where(try target.eq(.int(0)), .double(0), try target.mul(try target.log()))
            pointwise = try xlogy.sub(try target.mul(input))
        }
        if reduction == "batchmean" {
            return input.dim == 0 ? try pointwise.sum() : try pointwise.sum().div(.int(Int64(input.shape[0])))
        }
        return try reduced(pointwise, reduction)
    }

    /// `F.hinge_embedding_loss(input, target, margin)`: `input` where target is 1,
    /// `max(0, margin − input)` where it is −1.
    public static func hingeEmbeddingLoss(_ input: Tensor, target: Tensor, margin: Double = 1, reduction: String = "mean") throws -> Tensor {
        let zeros = try Tensor.zerosLike(input)
        let marginClamp = try input.rsub(.double(margin)).clamp(min: .int(0))
        let outMargin = try Tensor.where(try target.ne(.int(1)), marginClamp, zeros)
        let outSelf = try Tensor.where(try target.ne(.int(-1)), input, zeros)
        return try reduced(try outMargin.add(outSelf), reduction)
    }

    /// `F.margin_ranking_loss(input1, input2, target, margin)`: `max(0, −target·(x1 − x2) + margin)`.
    public static func marginRankingLoss(_ x1: Tensor, _ x2: Tensor, target: Tensor, margin: Double = 0, reduction: String = "mean") throws -> Tensor {
        guard x1.dim == x2.dim && x1.dim == target.dim else {
            throw TorchError.runtime("margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: \(shapeDescription(x1.shape)), input2: \(shapeDescription(x2.shape)), target: \(shapeDescription(target.shape)) ")
        }
        return try reduced(try target.neg().mul(try x1.sub(x2)).add(.double(margin)).clamp(min: .int(0)), reduction)
    }

    /// `F.cosine_embedding_loss(input1, input2, target, margin)`: `1 − cos` where target is 1,
    /// `max(0, cos − margin)` where it is −1 (cos over dim 1, or 0 for 1-D inputs).
    public static func cosineEmbeddingLoss(_ x1: Tensor, _ x2: Tensor, target: Tensor, margin: Double = 0, reduction: String = "mean") throws -> Tensor {
        let targetDim = target.dim
        guard targetDim <= 1 else { throw TorchError.runtime("0D or 1D target tensor expected, multi-target not supported") }
        if targetDim == 1 {
            guard x1.dim == 2 && x2.dim == 2 else {
                throw TorchError.runtime("1D target tensor expects 2D input tensors, but found inputs with sizes \(shapeDescription(x1.shape)) and \(shapeDescription(x2.shape)).")
            }
        } else {
            guard x1.dim == 1 && x2.dim == 1 else {
                throw TorchError.runtime("0D target tensor expects 1D input tensors, but found inputs with sizes \(shapeDescription(x1.shape)) and \(shapeDescription(x2.shape)).")
            }
        }
        let dim = targetDim
        let eps = 1e-12
        let prodSum = try x1.mul(x2).sum(dims: [dim])
        let mag1 = try x1.mul(x1).sum(dims: [dim]).add(.double(eps)), mag2 = try x2.mul(x2).sum(dims: [dim]).add(.double(eps))
        let cos = try prodSum.div(try mag1.mul(mag2).sqrt())
        let zeros = try Tensor.zerosLike(cos)
        let pos = try cos.rsub(.int(1)), neg = try cos.sub(.double(margin)).clamp(min: .int(0))
        let out = try Tensor.where(try target.eq(.int(1)), pos, zeros).add(try Tensor.where(try target.eq(.int(-1)), neg, zeros))
        return try reduced(out, reduction)
    }

    /// `F.pairwise_distance(x1, x2, p, eps, keepdim)`: `‖x1 − x2 + eps‖_p` over the last dimension.
    public static func pairwiseDistance(_ x1: Tensor, _ x2: Tensor, p: Double = 2, eps: Double = 1e-6, keepdim: Bool = false) throws -> Tensor {
        let outputDim = Swift.max(x1.dim, x2.dim)
        let d = try x1.sub(x2).add(.double(eps))
        guard outputDim > 0 else { return try d.abs() }
        let dim = outputDim - 1
        // ATen's at::norm (NormBackward1) for finite p ≥ 1; other p through linalg's vector norm.
        guard p >= 1 && p.isFinite else { return try d.norm(p: p, dims: [dim], keepdim: keepdim) }
        let n = try GradMode.withNoGrad { try d.norm(p: p, dims: [dim], keepdim: true) }
        let out = keepdim ? n : try n.squeeze(dim: dim)
        return out.recordingGrad("NormBackward1", inputs: [d]) { g in
            let gk = keepdim ? g : try g.unsqueeze(dim)
            // d‖d‖_p/dd = sign(d)·|d|^(p−1) / ‖d‖^(p−1) (0 where the norm is 0).
            let scaled: Tensor
            if p == 1 {
                scaled = try d.sign()
            } else {
                let num = p == 2 ? d : try d.mul(try d.abs().pow(.double(p - 2)))
                let den = p == 2 ? n : try n.pow(.double(p - 1))
                scaled = try Tensor.where(try n.eq(.int(0)), .double(0), try num.div(den))
            }
            return [try scaled.mul(gk)]
        }
    }

    /// `F.cosine_similarity(x1, x2, dim, eps)`: `Σ (x1/‖x1‖)·(x2/‖x2‖)` along dim, each norm
    /// clamped to at least eps for its value only (ATen clamps under no_grad), SumBackward1.
    public static func cosineSimilarity(_ x1: Tensor, _ x2: Tensor, dim: Int = 1, eps: Double = 1e-8) throws -> Tensor {
        let shape = try broadcastShapes(x1.shape, x2.shape)
        let a = x1.dtype.isFloatingPoint ? x1 : try x1.cast(.float32), b = x2.dtype.isFloatingPoint ? x2 : try x2.cast(.float32)
        let xa = try a.expand(shape), xb = try b.expand(shape)
        let d = try xa.normalizeDim(dim)
        func clampedNorm(_ x: Tensor) throws -> Tensor {
            let n = try x.norm(p: 2, dims: [d], keepdim: true)
            let shift = try GradMode.withNoGrad { try n.clamp(min: .double(eps)).sub(n) }
            return try n.add(shift)
        }
        return try xa.div(try clampedNorm(xa)).mul(try xb.div(try clampedNorm(xb))).sum(dims: [d])
    }

    /// `F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap)`:
    /// `max(0, margin + d(a, p) − d(a, n))`, with `d(a, n)` replaced by `min(d(a, n), d(p, n))` when swapping.
    public static func tripletMarginLoss(_ anchor: Tensor, _ positive: Tensor, _ negative: Tensor, margin: Double = 1, p: Double = 2,
                                         eps: Double = 1e-6, swap: Bool = false, reduction: String = "mean") throws -> Tensor {
        let dims = [anchor.dim, positive.dim, negative.dim]
        guard dims.allSatisfy({ $0 == dims[0] }) else {
            throw TorchError.runtime("The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor \(dims[0])D, positive \(dims[1])D, and negative \(dims[2])D inputs")
        }
        let dPos = try pairwiseDistance(anchor, positive, p: p, eps: eps)
        var dNeg = try pairwiseDistance(anchor, negative, p: p, eps: eps)
        if swap { dNeg = try dNeg.minimum(try pairwiseDistance(positive, negative, p: p, eps: eps)) }
        return try reduced(try dPos.sub(dNeg).add(.double(margin)).clamp(min: .int(0)), reduction)
    }

    /// `F.poisson_nll_loss(input, target, log_input, full, eps)`: `exp(input) − target·input`
    /// (or `input − target·log(input + eps)`), plus Stirling's term for targets above 1 when `full`.
    public static func poissonNLLLoss(_ input: Tensor, target: Tensor, logInput: Bool = true, full: Bool = false, eps: Double = 1e-8,
                                      reduction: String = "mean") throws -> Tensor {
        var loss = logInput ? try input.exp().sub(try target.mul(input))
                            : try input.sub(try target.mul(try input.add(.double(eps)).log()))
        if full {
            let stirling = try target.mul(try target.log()).sub(target).add(try target.mul(.double(2 * Double.pi)).log().mul(.double(0.5)))
            loss = try loss.add(try stirling.maskedFill(try target.le(.int(1)), .int(0)))
        }
        return try reduced(loss, reduction)
    }

    /// `F.gaussian_nll_loss(input, target, var, full, eps)`: `0.5·(log var + (input − target)²/var)`
    /// with var clamped to at least eps (value only), plus `0.5·log 2π` when `full`.
    public static func gaussianNLLLoss(_ input: Tensor, target: Tensor, variance: Tensor, full: Bool = false, eps: Double = 1e-6,
                                       reduction: String = "mean") throws -> Tensor {
        var v = variance
        if v.shape != input.shape {
            if Array(input.shape.dropLast()) == v.shape {
                v = try v.unsqueeze(-1)
            } else if input.dim == v.dim, zip(input.shape, v.shape).filter({ $0 != $1 }).map(\.1).reduce(0, +) == 1 {
                // Homoscedastic along the one mismatched dimension.
            } else {
                throw TorchError.value("var is of incorrect size")
            }
        }
        guard ["none", "mean", "sum"].contains(reduction) else { throw TorchError.value("\(reduction) is not valid") }
        if try v.lt(.int(0)).any().item().doubleValue != 0 { throw TorchError.value("var has negative entry/entries") }
        let shift = try GradMode.withNoGrad { try v.clamp(min: .double(eps)).sub(v) }
        let clamped = try v.add(shift)
        var loss = try clamped.log().add(try input.sub(target).pow(.int(2)).div(clamped)).mul(.double(0.5))
        if full { loss = try loss.add(.double(0.5 * Foundation.log(2 * Double.pi))) }
        return try reduced(loss, reduction)
    }

    /// `F.multilabel_soft_margin_loss(input, target, weight)`: the per-class binary logistic loss
    /// averaged over the classes (last dim), then reduced.
    public static func multilabelSoftMarginLoss(_ input: Tensor, target: Tensor, weight: Tensor? = nil, reduction: String = "mean") throws -> Tensor {
        var loss = try target.mul(try input.logSigmoid()).add(try target.rsub(.int(1)).mul(try input.neg().logSigmoid())).neg()
        if let weight { loss = try loss.mul(weight) }
        let classDim = input.dim - 1
        let classes = input.dim == 0 ? 1 : input.shape[classDim]
        loss = try loss.sum(dims: input.dim == 0 ? nil : [classDim]).div(.int(Int64(classes)))
        return try reduced(loss, reduction)
    }

    /// `F.soft_margin_loss(input, target)`: `log(1 + exp(−target·input))` (SoftMarginLossBackward0).
    public static func softMarginLoss(_ input: Tensor, target: Tensor, reduction: String = "mean") throws -> Tensor {
        let red = try LossReduction(reduction)
        let (out, z) = try GradMode.withNoGrad { () -> (Tensor, Tensor) in
            let z = try target.mul(input).neg()
            return (try reduced(try z.exp().log1p(), reduction), z)
        }
        let count = Double(Swift.max(input.numel, 1)), shape = input.shape
        return out.recordingGrad("SoftMarginLossBackward0", inputs: [input]) { g in
            // d/dx log(1 + exp(−y·x)) = −y·sigmoid(−y·x).
            var gx = try target.neg().mul(try z.sigmoid()).mul(g)
            if red == .mean { gx = try gx.div(.double(count)) }
            return [try gx.expand(shape).contiguous()]
        }
    }

    /// `F.multi_margin_loss(input, target, p, margin, weight)`: for each sample,
    /// `Σ_{j≠y} max(0, margin − x[y] + x[j])^p · w[y] / C` (MultiMarginLossBackward0).
    public static func multiMarginLoss(_ input: Tensor, target: Tensor, p: Int = 1, margin: Double = 1, weight: Tensor? = nil,
                                       reduction: String = "mean") throws -> Tensor {
        guard p == 1 || p == 2 else { throw TorchError.value("only p == 1 and p == 2 supported") }
        let red = try LossReduction(reduction)
        guard input.dim <= 2, input.numel > 0 || input.dim == 2 else {
            throw TorchError.runtime("Expected non-empty vector or matrix with optional 0-dim batch size, but got: \(shapeDescription(input.shape))")
        }
        let n = input.dim == 2 ? input.shape[0] : 1, c = input.dim == 0 ? 1 : input.shape[input.dim - 1]
        guard target.numel == n, target.dim <= 1 else {
            throw TorchError.runtime("inconsistent target size, expected \(n) but got \(shapeDescription(target.shape))")
        }
        if let weight, weight.numel != c { throw TorchError.runtime("inconsistent weight size, expected \(c) but got \(shapeDescription(weight.shape))") }
        let y = target.toScalars().map { Int($0.doubleValue) }
        for t in y where t < 0 || t >= c { throw TorchError.runtime("target out of range") }
        let x = try input.dense().toDoubles(), w = weight?.toDoubles()
        let (losses, grad) = input.dtype == .float32
            ? multiMargin(Float.self, x, y, w, n: n, c: c, p: p, margin: margin)
            : multiMargin(Double.self, x, y, w, n: n, c: c, p: p, margin: margin)
        return try reducedPerSampleLoss(losses, gradient: grad, of: input, reduction: red, gradName: "MultiMarginLossBackward0")
    }

    /// A per-sample loss of an (N, C) or (C) input as a tensor reduced as asked, recording
    /// `gradName` whose backward scales `gradient` (that of the losses' sum, one row per sample)
    /// by the incoming gradient (multi_margin_loss, multilabel_margin_loss).
    static func reducedPerSampleLoss(_ losses: [Double], gradient: [Double], of input: Tensor, reduction red: LossReduction,
                                     gradName: String) throws -> Tensor {
        let n = losses.count, c = n == 0 ? 0 : gradient.count / n
        let out: Tensor
        switch red {
        case .none: out = try Tensor(doubles: losses, shape: input.dim == 2 ? [n] : [], dtype: input.dtype)
        case .sum: out = try Tensor(doubles: [losses.reduce(0, +)], shape: [], dtype: input.dtype)
        case .mean: out = try Tensor(doubles: [losses.reduce(0, +) / Double(n)], shape: [], dtype: input.dtype)
        }
        let shape = input.shape, dtype = input.dtype
        return out.recordingGrad(gradName, inputs: [input]) { g in
            let gv = g.toDoubles()
            var gx = gradient
            for i in 0..<n {
                let scale = red == .none ? gv[i] : red == .mean ? gv[0] / Double(n) : gv[0]
                for j in 0..<c { gx[i * c + j] *= scale }
            }
            return [try Tensor(doubles: gx, shape: shape, dtype: dtype)]
        }
    }
}

/// multi_margin_loss per sample in the input's precision `T` (ATen accumulates in scalar_t):
/// the losses and the gradient of their sum.
private func multiMargin<T: BinaryFloatingPoint>(_: T.Type, _ x: [Double], _ y: [Int], _ w: [Double]?, n: Int, c: Int, p: Int,
                                                 margin: Double) -> ([Double], [Double]) {
    var losses = [Double](repeating: 0, count: n), grad = [Double](repeating: 0, count: x.count)
    let tm = T(margin), count = T(c)
    for i in 0..<n {
        let row = i * c, t = y[i], wt = T(w?[t] ?? 1)
        var sum: T = 0
        for j in 0..<c where j != t {
            let z = tm - T(x[row + t]) + T(x[row + j])
            guard z > 0 else { continue }
            sum += (p == 1 ? z : z * z) * wt
            let d = Double((p == 1 ? 1 : 2 * z) * wt / count)
            grad[row + j] += d
            grad[row + t] -= d
        }
        losses[i] = Double(sum / count)
    }
    return (losses, grad)
}
