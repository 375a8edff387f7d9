extension Functional {
    /// `F.group_norm(x, num_groups, weight, bias, eps)` for `x` `[N, C, *]`: each sample's channels
    /// are split into `numGroups` groups, each group normalised over its channels and positions
    /// (biased variance), then scaled and shifted per channel. Records NativeGroupNormBackward0.
    public static func groupNorm(_ x: Tensor, numGroups: Int, weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) throws -> Tensor {
        guard x.dim >= 2 else {
            throw TorchError.runtime("Expected at least 2 dimensions for input tensor but received \(x.dim)")
        }
        let n = x.shape[0], c = x.shape[1]
        guard numGroups > 0, c % numGroups == 0 else {
            throw TorchError.runtime("Expected number of channels in input to be divisible by num_groups, but got input of shape \(x.shape) and num_groups=\(numGroups)")
        }
        for (name, t) in [("weight", weight), ("bias", bias)] {
            if let t, t.dim != 1 || t.numel != c {
                throw TorchError.runtime("Expected \(name) to be a vector of size equal to the number of channels in input, but got \(name) of shape \(t.shape) and input of shape \(x.shape)")
            }
        }
        let hw = x.shape.dropFirst(2).reduce(1, *)
        guard hw > 0 else { throw TorchError.runtime("Expected HxW to be greater than 0, got \(hw)") }
        guard x.dtype.isComputeFloat else { throw notImplemented("native_group_norm", x.dtype) }
        let layout = GroupLayout(n: n, c: c, groups: numGroups, spatial: hw)
        let xd = try x.dense()
        var mean = [Double](repeating: 0, count: n * numGroups), rstd = mean
        let w = weight?.toDoubles(), b = bias?.toDoubles()
        let out = try Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        switch x.dtype {
        case .float32: layout.forward(xd.elements(Float.self), out.elements(Float.self), w, b, eps, &mean, &rstd)
        default: layout.forward(xd.elements(Double.self), out.elements(Double.self), w, b, eps, &mean, &rstd)
        }
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let needX = x.requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
        return out.recordingGrad("NativeGroupNormBackward0", inputs: inputs) { g in
            if GradMode.isEnabled {   // create_graph=True
                return try composedGradients(g, inputs: inputs) { t in
                    try groupNormComposed(t[0], numGroups: numGroups, weight: weight != nil ? t[1] : nil,
                                          bias: bias != nil ? t[t.count - 1] : nil, eps: eps)
                }
            }
            let gd = try g.cast(x.dtype).dense()
            let gx = needX ? try Tensor(shape: x.shape, dtype: x.dtype, zeroed: false) : nil
            var gw = [Double](repeating: 0, count: c), gb = gw
            switch x.dtype {
            case .float32:
                layout.backward(gd.elements(Float.self), xd.elements(Float.self), gx?.elements(Float.self), w, mean, rstd, &gw, &gb)
            default:
                layout.backward(gd.elements(Double.self), xd.elements(Double.self), gx?.elements(Double.self), w, mean, rstd, &gw, &gb)
            }
            var grads: [Tensor?] = [gx]
            if let weight { grads.append(needW ? try Tensor(doubles: gw, shape: weight.shape, dtype: weight.dtype) : nil) }
            if let bias { grads.append(needB ? try Tensor(doubles: gb, shape: bias.shape, dtype: bias.dtype) : nil) }
            return grads
        }
    }
}

extension Functional {
    /// Group norm written with recorded ops, for gradients that are differentiable again.
    private static func groupNormComposed(_ x: Tensor, numGroups: Int, weight: Tensor?, bias: Tensor?, eps: Double) throws -> Tensor {
        let groups = try x.reshape([x.shape[0], numGroups, -1])
        let centered = try groups.sub(try groups.mean(dims: [2], keepdim: true))
        let rstd = try centered.mul(centered).mean(dims: [2], keepdim: true).add(.double(eps)).rsqrt()
        var y = try centered.mul(rstd).reshape(x.shape)
        let affineShape = [1, x.shape[1]] + [Int](repeating: 1, count: x.dim - 2)
        if let weight { y = try y.mul(try weight.reshape(affineShape)) }
        if let bias { y = try y.add(try bias.reshape(affineShape)) }
        return y
    }
}

/// A group-norm input `[N, C, spatial]`: row `(i, g)` is the `C/G · spatial` contiguous elements
/// of sample i's group g. Statistics are accumulated in Double; the elementwise passes use
/// per-(sample, channel) coefficients computed in Double and applied in the element type, as
/// ATen's kernel does (`y = x·scale + shift`). Rows run in parallel on big tensors.
private struct GroupLayout {
    let n, c, groups, spatial: Int
    var perGroup: Int { c / groups }
    var rowLength: Int { perGroup * spatial }

    private func forEachRow(_ body: (Int) -> Void) {
        let rows = n * groups
        let parts = n * c * spatial >= 1 << 15 ? Swift.min(kernelThreads, rows) : 1
        parallelParts(parts) { p in for r in partRange(p, of: parts, count: rows) { body(r) } }
    }

    /// Σ `f(x[j])` over `count` elements, four Double lanes.
    @inline(__always)
    private func sum<T: KernelFloat>(_ x: UnsafeMutablePointer<T>, _ count: Int, _ f: (Double) -> Double) -> Double {
        var s = SIMD4<Double>(repeating: 0)
        var j = 0
        while j + 4 <= count {
            s += SIMD4(f(Double(x[j])), f(Double(x[j + 1])), f(Double(x[j + 2])), f(Double(x[j + 3])))
            j += 4
        }
        var rest = 0.0
        while j < count { rest += f(Double(x[j])); j += 1 }
        return s.sum() + rest
    }

    func forward<T: KernelFloat>(_ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, _ w: [Double]?, _ b: [Double]?,
                                 _ eps: Double, _ mean: inout [Double], _ rstd: inout [Double]) {
        let d = rowLength, count = Double(rowLength)
        mean.withUnsafeMutableBufferPointer { meanp in
            rstd.withUnsafeMutableBufferPointer { rstdp in
                forEachRow { r in
                    let row = x + r * d
                    let m = d == 0 ? .nan : sum(row, d) { $0 } / count
                    let v = d == 0 ? .nan : sum(row, d) { ($0 - m) * ($0 - m) } / count
                    let inv = 1 / (v + eps).squareRoot()
                    meanp[r] = m
                    rstdp[r] = inv
                    let g = r % groups
                    for k in 0..<perGroup {
                        let ch = g * perGroup + k
                        let scale = inv * (w?[ch] ?? 1), shift = (b?[ch] ?? 0) - m * scale
                        let a = T(scale), s = T(shift)
                        let src = row + k * spatial, dst = y + r * d + k * spatial
                        for j in 0..<spatial { dst[j] = src[j] * a + s }
                    }
                }
            }
        }
    }

    /// ATen's group-norm backward: per (sample, channel) `ds = Σ g·x`, `db = Σ g`; per row
    /// `c2 = (Σ_c db·w · mean − Σ_c ds·w)·rstd³/D`, `c3 = −c2·mean − Σ_c db·w·rstd/D`, and
    /// `gx = rstd·w·g + c2·x + c3`; `gw = Σ_n (ds − db·mean)·rstd`, `gb = Σ_n db`.
    func backward<T: KernelFloat>(_ g: UnsafeMutablePointer<T>, _ x: UnsafeMutablePointer<T>, _ gx: UnsafeMutablePointer<T>?,
                                  _ w: [Double]?, _ mean: [Double], _ rstd: [Double], _ gw: inout [Double], _ gb: inout [Double]) {
        let d = rowLength
        var ds = [Double](repeating: 0, count: n * c), db = ds
        ds.withUnsafeMutableBufferPointer { dsp in
            db.withUnsafeMutableBufferPointer { dbp in
                forEachRow { r in
                    let grp = r % groups, i = r / groups
                    var sumDS = 0.0, sumDB = 0.0
                    for k in 0..<perGroup {
                        let ch = grp * perGroup + k, at = r * d + k * spatial
                        var a = SIMD4<Double>(repeating: 0), bsum = SIMD4<Double>(repeating: 0)
                        var j = 0
                        while j + 4 <= spatial {
                            let gv = SIMD4(Double(g[at + j]), Double(g[at + j + 1]), Double(g[at + j + 2]), Double(g[at + j + 3]))
                            let xv = SIMD4(Double(x[at + j]), Double(x[at + j + 1]), Double(x[at + j + 2]), Double(x[at + j + 3]))
                            a += gv * xv
                            bsum += gv
                            j += 4
                        }
                        var sa = a.sum(), sb = bsum.sum()
                        while j < spatial { sa += Double(g[at + j]) * Double(x[at + j]); sb += Double(g[at + j]); j += 1 }
                        dsp[i * c + ch] = sa
                        dbp[i * c + ch] = sb
                        let wc = w?[ch] ?? 1
                        sumDS += sa * wc
                        sumDB += sb * wc
                    }
                    guard let gx else { return }
                    let m = mean[r], inv = rstd[r], count = Double(d)
                    let c2 = (sumDB * m - sumDS) * inv * inv * inv / count
                    let c3 = -c2 * m - sumDB * inv / count
                    let tc2 = T(c2), tc3 = T(c3)
                    for k in 0..<perGroup {
                        let ch = grp * perGroup + k, at = r * d + k * spatial
                        let c1 = T(inv * (w?[ch] ?? 1))
                        for j in at..<(at + spatial) { gx[j] = c1 * g[j] + tc2 * x[j] + tc3 }
                    }
                }
            }
        }
        for i in 0..<n {
            for ch in 0..<c {
                let r = i * groups + ch / perGroup
                gw[ch] += (ds[i * c + ch] - db[i * c + ch] * mean[r]) * rstd[r]
                gb[ch] += db[i * c + ch]
            }
        }
    }
}
