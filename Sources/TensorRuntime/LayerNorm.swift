extension Functional {
    /// `F.layer_norm(x, normalized_shape, weight, bias, eps)`: each row of the trailing
    /// `normalized_shape` elements becomes `(x - mean) / sqrt(var + eps) * weight + bias` (biased
    /// variance). One fused pass per row for the moments (accumulated in Double), one for the
    /// output in the element type as ATen writes it: `(x·rstd + (−mean·rstd))·w + b`. Rows are split
    /// over the cores for big inputs. Records NativeLayerNormBackward0.
    public static func layerNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                                 eps: Double = 1e-5) throws -> Tensor {
        try checkLayerNormShapes(x, normalizedShape, weight: weight, bias: bias)
        if x.isReducedFloat {
            return try x.inFloat32 {
                try layerNorm($0, normalizedShape: normalizedShape, weight: weight?.converted(to: .float32),
                              bias: bias?.converted(to: .float32), eps: eps)
            }
        }
        guard x.dtype.isComputeFloat else { throw notImplemented("LayerNormKernelImpl", x.dtype) }
        let n = normalizedShape.reduce(1, *), rows = n == 0 ? 0 : x.numel / n
        let xd = try x.dense(), wd = try weight?.converted(to: x.dtype).dense(), bd = try bias?.converted(to: x.dtype).dense()
        let out = try Tensor(shape: x.shape, dtype: x.dtype, zeroed: false)
        var mean = [Double](repeating: 0, count: rows), rstd = mean
        let rowsOf = RowLayout(rows: rows, n: n)
        if x.dtype == .float32 {
            rowsOf.forward(xd.elements(Float.self), wd?.elements(Float.self), bd?.elements(Float.self), out.elements(Float.self),
                           eps: eps, mean: &mean, rstd: &rstd)
        } else {
            rowsOf.forward(xd.elements(Double.self), wd?.elements(Double.self), bd?.elements(Double.self), out.elements(Double.self),
                           eps: eps, mean: &mean, rstd: &rstd)
        }
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let hasWeight = weight != nil, hasBias = bias != nil
        let needX = x.requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
        return out.recordingGrad("NativeLayerNormBackward0", inputs: inputs) { g in
            if GradMode.isEnabled {   // create_graph=True: the gradients in recorded ops
                let lead = x.dim - normalizedShape.count
                return try NormalizationBackward.gradients(g, x: x, weight: weight, bias: bias, dims: Array(lead..<x.dim),
                                                           affineShape: [Int](repeating: 1, count: lead) + normalizedShape, eps: eps,
                                                           fixed: nil, needX: needX, needW: needW, needB: needB)
            }
            let gd = try g.dense()
            let gx = needX ? try Tensor(shape: x.shape, dtype: x.dtype, zeroed: false) : nil
            var gw = [Double](repeating: 0, count: n), gb = gw
            if x.dtype == .float32 {
                rowsOf.backward(gd.elements(Float.self), xd.elements(Float.self), wd?.elements(Float.self), gx?.elements(Float.self),
                                mean: mean, rstd: rstd, needWeight: needW, needBias: needB, gradWeight: &gw, gradBias: &gb)
            } else {
                rowsOf.backward(gd.elements(Double.self), xd.elements(Double.self), wd?.elements(Double.self), gx?.elements(Double.self),
                                mean: mean, rstd: rstd, needWeight: needW, needBias: needB, gradWeight: &gw, gradBias: &gb)
            }
            var grads: [Tensor?] = [gx]
            if hasWeight, let weight { grads.append(needW ? try Tensor(doubles: gw, shape: weight.shape, dtype: weight.dtype) : nil) }
            if hasBias, let bias { grads.append(needB ? try Tensor(doubles: gb, shape: bias.shape, dtype: bias.dtype) : nil) }
            return grads
        }
    }

    /// `F.rms_norm(x, normalized_shape, weight, eps)`, composed as ATen composes it on the CPU
    /// (`x · rsqrt(mean(x², dims, keepdim) + eps)`, times weight: MulBackward0). `eps=None` is the
    /// dtype's machine epsilon.
    public static func rmsNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, eps: Double? = nil) throws -> Tensor {
        try checkLayerNormShapes(x, normalizedShape, weight: weight, bias: nil, separator: "")
        guard x.dtype.isComputeFloat else { throw notImplemented("pow", x.dtype) }
        let epsilon = eps ?? (x.dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne)
        let dims = Array((x.dim - normalizedShape.count)..<x.dim)
        let meanSquare = try x.pow(.int(2)).mean(dims: dims, keepdim: true).add(.double(epsilon))
        let normalized = try x.mul(try meanSquare.rsqrt())
        return try weight.map { try normalized.mul($0) } ?? normalized
    }

    /// PyTorch's shape checks shared by layer_norm and rms_norm (rms_norm prints `[*4]`).
    private static func checkLayerNormShapes(_ x: Tensor, _ normalizedShape: [Int], weight: Tensor?, bias: Tensor?,
                                             separator: String = ", ") throws {
        let shapeText = "[" + normalizedShape.map(String.init).joined(separator: ", ") + "]"
        guard !normalizedShape.isEmpty else {
            throw TorchError.runtime("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = \(shapeText)")
        }
        for (name, t) in [("weight", weight), ("bias", bias)] {
            if let t, t.shape != normalizedShape {
                throw TorchError.runtime("Expected \(name) to be of same shape as normalized_shape, but got \(name) of shape \(shapeDescription(t.shape)) and normalized_shape = \(shapeText)")
            }
        }
        let k = normalizedShape.count
        guard x.dim >= k, Array(x.shape.suffix(k)) == normalizedShape else {
            throw TorchError.runtime("Given normalized_shape=\(shapeText), expected input with shape [*\(separator)\(normalizedShape.map(String.init).joined(separator: ", "))], but got input of size\(shapeDescription(x.shape))")
        }
    }
}

/// A layer-norm input seen as `rows` contiguous rows of `n` elements.
private struct RowLayout {
    let rows, n: Int

    /// How many parts the rows are split into: the cores for big tensors, else one.
    var parts: Int { rows * n >= 1 << 15 ? Swift.min(kernelThreads, rows) : 1 }

    /// Runs `body(part, range of rows)` for each of `parts` near-equal row ranges, concurrently.
    func forEachRowRange(_ body: (Int, Range<Int>) -> Void) {
        let parts = self.parts
        parallelParts(parts) { p in body(p, partRange(p, of: parts, count: rows)) }
    }

    func forward<T: KernelFloat>(_ x: UnsafeMutablePointer<T>, _ w: UnsafeMutablePointer<T>?, _ b: UnsafeMutablePointer<T>?,
                                 _ y: UnsafeMutablePointer<T>, eps: Double, mean: inout [Double], rstd: inout [Double]) {
        let n = self.n
        mean.withUnsafeMutableBufferPointer { meanp in
            rstd.withUnsafeMutableBufferPointer { rstdp in
                forEachRowRange { _, range in
                    for r in range {
                        let row = x + r * n, out = y + r * n
                        let (m, v) = rowMoments(row, n)
                        let inv = 1 / (Swift.max(v, 0) + eps).squareRoot()
                        meanp[r] = m; rstdp[r] = inv
                        let scale = T(inv), shift = T(-m * inv)
                        switch (w, b) {
                        case let (w?, b?): for j in 0..<n { out[j] = (row[j] * scale + shift) * w[j] + b[j] }
                        case let (w?, nil): for j in 0..<n { out[j] = (row[j] * scale + shift) * w[j] }
                        case let (nil, b?): for j in 0..<n { out[j] = (row[j] * scale + shift) + b[j] }
                        case (nil, nil): for j in 0..<n { out[j] = row[j] * scale + shift }
                        }
                    }
                }
            }
        }
    }

    /// ATen's LayerNormBackwardKernel: per row `ds = Σ g·w·x`, `db = Σ g·w`,
    /// `gx = rstd·g·w + b·x + c` with `b = (db·mean − ds)·rstd³/n`, `c = −b·mean − db·rstd/n`;
    /// `gradWeight = Σ_rows g·(x − mean)·rstd`, `gradBias = Σ_rows g`, summed in Double per part
    /// of the rows (in the same pass), then the parts in order.
    func backward<T: KernelFloat>(_ g: UnsafeMutablePointer<T>, _ x: UnsafeMutablePointer<T>, _ w: UnsafeMutablePointer<T>?,
                                  _ gx: UnsafeMutablePointer<T>?, mean: [Double], rstd: [Double], needWeight: Bool, needBias: Bool,
                                  gradWeight: inout [Double], gradBias: inout [Double]) {
        let n = self.n, parts = self.parts
        var partialWeight = [Double](repeating: 0, count: needWeight ? parts * n : 0)
        var partialBias = [Double](repeating: 0, count: needBias ? parts * n : 0)
        mean.withUnsafeBufferPointer { mean in
            rstd.withUnsafeBufferPointer { rstd in
                partialWeight.withUnsafeMutableBufferPointer { pw in
                    partialBias.withUnsafeMutableBufferPointer { pb in
                        forEachRowRange { part, range in
                            for r in range {
                                let gr = g + r * n, xr = x + r * n
                                if let out = gx.map({ $0 + r * n }) { inputGradientRow(gr, xr, w, out, mean: mean[r], rstd: rstd[r]) }
                                if needWeight, let sums = pw.baseAddress.map({ $0 + part * n }) {
                                    let m = mean[r], a = rstd[r]
                                    for j in 0..<n { sums[j] += Double(gr[j]) * (Double(xr[j]) - m) * a }
                                }
                                if needBias, let sums = pb.baseAddress.map({ $0 + part * n }) { for j in 0..<n { sums[j] += Double(gr[j]) } }
                            }
                        }
                    }
                }
            }
        }
        for p in 0..<parts {
            if needWeight { for j in 0..<n { gradWeight[j] += partialWeight[p * n + j] } }
            if needBias { for j in 0..<n { gradBias[j] += partialBias[p * n + j] } }
        }
    }

    /// One row of the input gradient (see `backward`); the weight is tested once per row, not
    /// per element, so the loops vectorise.
    @inline(__always)
    private func inputGradientRow<T: KernelFloat>(_ gr: UnsafeMutablePointer<T>, _ xr: UnsafeMutablePointer<T>, _ w: UnsafeMutablePointer<T>?,
                                                  _ out: UnsafeMutablePointer<T>, mean m: Double, rstd a: Double) {
        var ds = 0.0, db = 0.0
        if let w {
            for j in 0..<n { let gw = Double(gr[j]) * Double(w[j]); ds += gw * Double(xr[j]); db += gw }
        } else {
            for j in 0..<n { let gw = Double(gr[j]); ds += gw * Double(xr[j]); db += gw }
        }
        let scale = 1 / Double(n)
        let bb = (db * m - ds) * a * a * a * scale
        let c = -bb * m - db * a * scale
        if let w {
            for j in 0..<n { out[j] = T(a * (Double(gr[j]) * Double(w[j])) + bb * Double(xr[j]) + c) }
        } else {
            for j in 0..<n { out[j] = T(a * Double(gr[j]) + bb * Double(xr[j]) + c) }
        }
    }
}

/// Mean and biased variance of a contiguous row, in Double (sum and sum of squared deviations,
/// four lanes each).
@inline(__always)
private func rowMoments<T: KernelFloat>(_ row: UnsafeMutablePointer<T>, _ n: Int) -> (Double, Double) {
    guard n > 0 else { return (.nan, .nan) }
    var s = SIMD4<Double>(repeating: 0)
    var j = 0
    while j + 4 <= n {
        s += SIMD4(Double(row[j]), Double(row[j + 1]), Double(row[j + 2]), Double(row[j + 3]))
        j += 4
    }
    var total = s.sum()
    while j < n { total += Double(row[j]); j += 1 }
    let m = total / Double(n)
    var q = SIMD4<Double>(repeating: 0)
    j = 0
    while j + 4 <= n {
        let d = SIMD4(Double(row[j]), Double(row[j + 1]), Double(row[j + 2]), Double(row[j + 3])) - SIMD4(repeating: m)
        q += d * d
        j += 4
    }
    var sq = q.sum()
    while j < n { let d = Double(row[j]) - m; sq += d * d; j += 1 }
    return (m, sq / Double(n))
}
