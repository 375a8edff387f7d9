extension Functional {
    /// `F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)` for
    /// `x` `[N, C, *]`, normalising each channel (dim 1) over all other dims.
    ///
    /// Training: uses the biased batch variance, and (when running stats are given) updates them
    /// in place, outside autograd: `rm = (1-m)·rm + m·mean`, `rv = (1-m)·rv + m·var·n/(n-1)`.
    /// Eval: normalises with the running stats. Records NativeBatchNormBackward0.
    public static func batchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil, bias: Tensor? = nil,
                                 training: Bool, momentum: Double = 0.1, eps: Double = 1e-5) throws -> Tensor {
        guard x.dim >= 2 else {
            throw TorchError.value("expected 2D or 3D input (got \(x.dim)D input)")
        }
        guard x.dtype.isFloatingPoint else { throw notImplemented("batch_norm", x.dtype) }
        let n = x.shape[0], c = x.shape[1], spatial = x.shape.dropFirst(2).reduce(1, *)
        let count = n * spatial
        for (name, t) in [("running_mean", runningMean), ("running_var", runningVar), ("weight", weight), ("bias", bias)] {
            if let t, t.numel != c {
                throw TorchError.runtime("\(name) should contain \(c) elements not \(t.numel)")
            }
        }
        if training && count == 1 {
            throw TorchError.value("Expected more than 1 value per channel when training, got input size torch.Size(\(shapeDescription(x.shape)))")
        }
        let useBatchStats = training || runningMean == nil || runningVar == nil
        if !training && useBatchStats {
            throw TorchError.runtime("running_mean and running_var must be defined in evaluation mode")
        }
        let xd = try x.dense()
        let xv = xd.toDoubles()
        // Per-channel mean and inverse std (batch or running).
        var mean = [Double](repeating: 0, count: c), invStd = mean
        if useBatchStats {
            var variance = mean
            for ch in 0..<c {
                var s = 0.0
                for i in 0..<n { let base = (i * c + ch) * spatial; for j in 0..<spatial { s += xv[base + j] } }
                let m = count > 0 ? s / Double(count) : .nan
                var q = 0.0
                for i in 0..<n { let base = (i * c + ch) * spatial; for j in 0..<spatial { let d = xv[base + j] - m; q += d * d } }
                mean[ch] = m
                variance[ch] = count > 0 ? q / Double(count) : .nan
                invStd[ch] = 1 / (variance[ch] + eps).squareRoot()
            }
            if let rm = runningMean, let rv = runningVar {
                let unbias = count > 1 ? Double(count) / Double(count - 1) : .nan
                updateInPlace(rm) { ch, old in (1 - momentum) * old + momentum * mean[ch] }
                updateInPlace(rv) { ch, old in (1 - momentum) * old + momentum * variance[ch] * unbias }
            } else if let rm = runningMean {
                updateInPlace(rm) { ch, old in (1 - momentum) * old + momentum * mean[ch] }
            }
        } else if let rm = runningMean, let rv = runningVar {
            mean = rm.toDoubles()
            invStd = rv.toDoubles().map { 1 / ($0 + eps).squareRoot() }
        }
        let w = weight?.toDoubles(), b = bias?.toDoubles()
        var y = [Double](repeating: 0, count: xv.count)
        for i in 0..<n {
            for ch in 0..<c {
                let base = (i * c + ch) * spatial
                let scale = invStd[ch] * (w?[ch] ?? 1), shift = b?[ch] ?? 0, m = mean[ch]
                for j in 0..<spatial { y[base + j] = (xv[base + j] - m) * scale + shift }
            }
        }
        let out = try Tensor(doubles: y, shape: x.shape, dtype: x.dtype)
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let hasWeight = weight != nil, hasBias = bias != nil
        let needX = x.requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
        return out.recordingGrad("NativeBatchNormBackward0", inputs: inputs) { g in
            let gv = try g.dense().toDoubles()
            var gx = [Double](repeating: 0, count: xv.count)
            var gw = [Double](repeating: 0, count: c), gb = gw
            for ch in 0..<c {
                var sumG = 0.0, sumGX = 0.0
                for i in 0..<n {
                    let base = (i * c + ch) * spatial
                    for j in 0..<spatial {
                        let xhat = (xv[base + j] - mean[ch]) * invStd[ch]
                        sumG += gv[base + j]; sumGX += gv[base + j] * xhat
                    }
                }
                gw[ch] = sumGX; gb[ch] = sumG
                guard needX else { continue }
                let wc = w?[ch] ?? 1, k = invStd[ch] * wc
                for i in 0..<n {
                    let base = (i * c + ch) * spatial
                    for j in 0..<spatial {
                        if useBatchStats {
                            let xhat = (xv[base + j] - mean[ch]) * invStd[ch]
                            gx[base + j] = k * (gv[base + j] - sumG / Double(count) - xhat * sumGX / Double(count))
                        } else {
                            gx[base + j] = k * gv[base + j]
                        }
                    }
                }
            }
            var grads: [Tensor?] = [needX ? try Tensor(doubles: gx, shape: x.shape, dtype: x.dtype) : nil]
            if hasWeight, let weight { grads.append(needW ? try Tensor(doubles: gw, shape: weight.shape, dtype: weight.dtype) : nil) }
            if hasBias, let bias { grads.append(needB ? try Tensor(doubles: gb, shape: bias.shape, dtype: bias.dtype) : nil) }
            return grads
        }
    }
}

/// Rewrites each element of a 1-D buffer tensor in place (no autograd), bumping its version.
private func updateInPlace(_ t: Tensor, _ f: (Int, Double) -> Double) {
    var ch = 0
    t.forEachStorageIndex { s in
        t.storage.setDouble(f(ch, t.storage.double(at: s)), at: s)
        ch += 1
    }
    t.bumpVersion()
}

extension Functional {
    /// `F.normalize(x, p=2, dim=1, eps=1e-12)`: `x / max(‖x‖_p, eps)` along `dims`, composed as
    /// PyTorch composes it (norm, clamp_min, expand_as, div: DivBackward0).
    public static func normalize(_ x: Tensor, p: Double = 2, dims: [Int] = [1], eps: Double = 1e-12) throws -> Tensor {
        let denom = try x.norm(p: p, dims: dims, keepdim: true).clamp(min: .double(eps)).expand(x.shape)
        return try x.div(denom)
    }
}
