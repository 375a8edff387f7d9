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
        guard x.dtype.isComputeFloat else { throw notImplemented("batch_norm", x.dtype) }
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
        let layout = ChannelLayout(n: n, c: c, spatial: spatial)
        // Per-channel mean and inverse std (batch or running), in Double.
        var mean = [Double](repeating: 0, count: c), invStd = mean
        if useBatchStats {
            var variance = mean
            switch x.dtype {
            case .float32: layout.moments(xd.elements(Float.self), mean: &mean, variance: &variance)
            default: layout.moments(xd.elements(Double.self), mean: &mean, variance: &variance)
            }
            for ch in 0..<c { invStd[ch] = 1 / (variance[ch] + eps).squareRoot() }
            if let rm = runningMean, let rv = runningVar {
                let unbias = count > 1 ? Double(count) / Double(count - 1) : .nan
                updateInPlace(rm) { ch, old in (1 - momentum) * old + momentum * mean[ch] }
                updateInPlace(rv) { ch, old in (1 - momentum) * old + momentum * variance[ch] * unbias }
            } else if let rm = runningMean {
                updateInPlace(rm) { ch, old in (1 - momentum) * old + momentum * mean[ch] }
            }
        } else if let rm = runningMean, let rv = runningVar {
            mean = rm.toDoubles()
            // ATen's 1 / sqrt(running_var + eps), in the input's precision.
            invStd = x.dtype == .float32 ? rv.toDoubles().map { Double(1 / (Float($0) + Float(eps)).squareRoot()) }
                                         : rv.toDoubles().map { 1 / ($0 + eps).squareRoot() }
        }
        let w = weight?.toDoubles(), b = bias?.toDoubles()
        let out = try Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        switch x.dtype {
        case .float32: layout.normalize(xd.elements(Float.self), into: out.elements(Float.self), mean: mean, invStd: invStd, weight: w, bias: b)
        default: layout.normalize(xd.elements(Double.self), into: out.elements(Double.self), mean: mean, invStd: invStd, weight: w, bias: b)
        }
        try out.adoptLayout(following: x)
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let hasWeight = weight != nil, hasBias = bias != nil
        let needX = x.requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
        return out.recordingGrad("NativeBatchNormBackward0", inputs: inputs) { g in
            if GradMode.isEnabled {   // create_graph=True: the gradients in recorded ops
                let affineShape = [1, c] + [Int](repeating: 1, count: x.dim - 2)
                let fixed = useBatchStats ? nil : (try Tensor(doubles: mean, shape: affineShape, dtype: x.dtype),
                                                   try Tensor(doubles: invStd, shape: affineShape, dtype: x.dtype))
                return try NormalizationBackward.gradients(g, x: x, weight: weight, bias: bias, dims: [0] + Array(2..<x.dim),
                                                           affineShape: affineShape, eps: eps, fixed: fixed,
                                                           needX: needX, needW: needW, needB: needB)
            }
            let gd = try g.dense()
            var gw = [Double](repeating: 0, count: c), gb = gw
            let gx = needX ? try Tensor(shape: x.shape, dtype: x.dtype, zeroed: false) : nil
            let k = (0..<c).map { invStd[$0] * (w?[$0] ?? 1) }
            switch x.dtype {
            case .float32:
                layout.backward(gd.elements(Float.self), xd.elements(Float.self), gx?.elements(Float.self), mean: mean, invStd: invStd,
                                k: k, batchStats: useBatchStats, sumGX: &gw, sumG: &gb)
            default:
                layout.backward(gd.elements(Double.self), xd.elements(Double.self), gx?.elements(Double.self), mean: mean, invStd: invStd,
                                k: k, batchStats: useBatchStats, sumGX: &gw, sumG: &gb)
            }
            var grads: [Tensor?] = [gx]
            if hasWeight, let weight { grads.append(needW ? try Tensor(doubles: gw, shape: weight.shape, dtype: weight.dtype) : nil) }
            if hasBias, let bias { grads.append(needB ? try Tensor(doubles: gb, shape: bias.shape, dtype: bias.dtype) : nil) }
            return grads
        }
    }
}

/// A batch-norm input `[N, C, spatial]` seen channel by channel: N rows of `spatial` contiguous
/// elements each. Statistics accumulate in Double; the forward's elements are ATen's one
/// scale-and-shift pass in the input's precision, the backward's computed in Double and rounded
/// once; channels run in parallel.
private struct ChannelLayout {
    let n, c, spatial: Int
    var count: Int { n * spatial }

    /// Runs `body(ch)` for every channel, split over the cores when the tensor is big.
    func forEachChannel(_ body: (Int) -> Void) {
        let parts = n * c * spatial >= 1 << 15 ? Swift.min(kernelThreads, c) : 1
        parallelParts(parts) { p in for ch in partRange(p, of: parts, count: c) { body(ch) } }
    }

    /// Σ over channel `ch` of `f(x)`, four partial sums per row.
    @inline(__always)
    func channelSum<T: KernelFloat>(_ x: UnsafeMutablePointer<T>, _ ch: Int, _ f: (Double) -> Double) -> Double {
        var total = 0.0
        for i in 0..<n {
            let row = x + (i * c + ch) * spatial
            var s = SIMD4<Double>(repeating: 0)
            var j = 0
            while j + 4 <= spatial {
                s += SIMD4(f(Double(row[j])), f(Double(row[j + 1])), f(Double(row[j + 2])), f(Double(row[j + 3])))
                j += 4
            }
            var rest = 0.0
            while j < spatial { rest += f(Double(row[j])); j += 1 }
            total += s.sum() + rest
        }
        return total
    }

    /// Biased batch mean and variance of each channel (two passes; NaN for an empty batch).
    func moments<T: KernelFloat>(_ x: UnsafeMutablePointer<T>, mean: inout [Double], variance: inout [Double]) {
        let count = Double(self.count), empty = self.count == 0
        mean.withUnsafeMutableBufferPointer { meanp in
            variance.withUnsafeMutableBufferPointer { varp in
                forEachChannel { ch in
                    let m = empty ? .nan : channelSum(x, ch) { $0 } / count
                    meanp[ch] = m
                    varp[ch] = empty ? .nan : channelSum(x, ch) { ($0 - m) * ($0 - m) } / count
                }
            }
        }
    }

    /// `y = x·alpha + beta` per channel with ATen's linear terms in `T`: `alpha = invStd·w`,
    /// `beta = b − mean·alpha` (batch_norm_cpu_collect_linear_and_constant_terms), eight lanes at
    /// a time, multiply and add rounded separately as ATen's vector loop.
    func normalize<T: KernelFloat>(_ x: UnsafeMutablePointer<T>, into y: UnsafeMutablePointer<T>, mean: [Double], invStd: [Double],
                                   weight: [Double]?, bias: [Double]?) {
        forEachChannel { ch in
            let alpha = T(invStd[ch]) * T(weight?[ch] ?? 1)
            let beta = T(bias?[ch] ?? 0) - T(mean[ch]) * alpha
            for i in 0..<n {
                let at = (i * c + ch) * spatial
                var j = at
                while j + 8 <= at + spatial {
                    let v = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<T>.self) * alpha + beta
                    UnsafeMutableRawPointer(y + j).storeBytes(of: v, as: SIMD8<T>.self)
                    j += 8
                }
                while j < at + spatial { y[j] = x[j] * alpha + beta; j += 1 }
            }
        }
    }

    /// NativeBatchNormBackward0: `sumG = Σ g` and `sumGX = Σ g·x̂` per channel (the bias and
    /// weight gradients); with `gx`, `gx = k·(g − sumG/count − x̂·sumGX/count)` under batch
    /// statistics, `k·g` under running ones (`k = invStd·w`).
    func backward<T: KernelFloat>(_ g: UnsafeMutablePointer<T>, _ x: UnsafeMutablePointer<T>, _ gx: UnsafeMutablePointer<T>?,
                                  mean: [Double], invStd: [Double], k: [Double], batchStats: Bool,
                                  sumGX: inout [Double], sumG: inout [Double]) {
        let count = Double(self.count)
        sumGX.withUnsafeMutableBufferPointer { sgx in
            sumG.withUnsafeMutableBufferPointer { sg in
                forEachChannel { ch in
                    let m = mean[ch], inv = invStd[ch]
                    // Four partial sums per row: one running sum was a chain of dependent adds.
                    var a = 0.0, b = 0.0
                    for i in 0..<n {
                        let at = (i * c + ch) * spatial
                        var a4 = SIMD4<Double>(repeating: 0), b4 = a4
                        var j = at
                        while j + 4 <= at + spatial {
                            let g4 = SIMD4(Double(g[j]), Double(g[j + 1]), Double(g[j + 2]), Double(g[j + 3]))
                            let x4 = SIMD4(Double(x[j]), Double(x[j + 1]), Double(x[j + 2]), Double(x[j + 3]))
                            a4 += g4; b4 += g4 * ((x4 - m) * inv)
                            j += 4
                        }
                        var aRest = 0.0, bRest = 0.0
                        while j < at + spatial {
                            let gj = Double(g[j])
                            aRest += gj; bRest += gj * ((Double(x[j]) - m) * inv)
                            j += 1
                        }
                        a += a4.sum() + aRest; b += b4.sum() + bRest
                    }
                    sg[ch] = a; sgx[ch] = b
                    guard let gx else { return }
                    let kc = k[ch], meanG = a / count, meanGX = b / count
                    for i in 0..<n {
                        let at = (i * c + ch) * spatial
                        if batchStats {
                            inputGradientRow(gx + at, g + at, x + at, spatial, kc: kc, mean: m, invStd: inv, meanG: meanG, meanGX: meanGX)
                        } else {
                            for j in at..<(at + spatial) { gx[j] = T(kc * Double(g[j])) }
                        }
                    }
                }
            }
        }
    }
}

/// `gx = k·(g − meanG − x̂·meanGX)` with `x̂ = (x − mean)·invStd` over `count` elements, in
/// Double and rounded once; eight lanes at a time (the same operations per element as the
/// scalar tail, so the same bits).
@inline(__always)
private func inputGradientRow<T: KernelFloat>(_ gx: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>, _ x: UnsafeMutablePointer<T>,
                                              _ count: Int, kc: Double, mean: Double, invStd: Double, meanG: Double, meanGX: Double) {
    var j = 0
    while j + 8 <= count {
        let x8 = SIMD8<Double>(UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<T>.self))
        let g8 = SIMD8<Double>(UnsafeRawPointer(g + j).loadUnaligned(as: SIMD8<T>.self))
        let xhat = (x8 - mean) * invStd
        let r = kc * (g8 - meanG - xhat * meanGX)
        UnsafeMutableRawPointer(gx + j).storeBytes(of: SIMD8<T>(r), as: SIMD8<T>.self)
        j += 8
    }
    while j < count {
        let xhat = (Double(x[j]) - mean) * invStd
        gx[j] = T(kc * (Double(g[j]) - meanG - xhat * meanGX))
        j += 1
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
