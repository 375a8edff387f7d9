import Foundation

/// A size or scale argument of `F.interpolate`: one value for every spatial dim, or one each.
public enum SpatialArgument<T: Equatable>: Equatable {
    case all(T)
    case each([T])

    /// The values for `dims` spatial dims (`each` must have exactly that many, checked by the caller).
    func values(_ dims: Int) -> [T] {
        switch self {
        case .all(let v): return [T](repeating: v, count: dims)
        case .each(let vs): return vs
        }
    }
}

/// `F.interpolate`'s modes that nnrepl implements.
public enum InterpolationMode: String, CaseIterable {
    case nearest, nearestExact = "nearest-exact", linear, bilinear, trilinear, area

    /// How many spatial dims a linear mode needs (linear 1, bilinear 2, trilinear 3).
    var linearDims: Int? {
        switch self {
        case .linear: return 1
        case .bilinear: return 2
        case .trilinear: return 3
        default: return nil
        }
    }
}

extension Functional {
    /// `F.interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,
    /// recompute_scale_factor=None)` for 3-D, 4-D and 5-D inputs `[N, C, …]`, with PyTorch's
    /// argument checks. Output sizes are `floor(in · scale)`; a given scale (unless recomputed) is
    /// what the kernel maps coordinates with, as in PyTorch. `written` is how the caller wrote a
    /// size or scale sequence (Python's repr, a tuple or a list), for the wrong-length errors.
    public static func interpolate(_ x: Tensor, size: SpatialArgument<Int>? = nil, scaleFactor: SpatialArgument<Double>? = nil,
                                   mode modeName: String = "nearest", alignCorners: Bool? = nil,
                                   recomputeScaleFactor: Bool? = nil, written: (size: String?, scale: String?) = (nil, nil)) throws -> Tensor {
        let dims = x.dim - 2
        let modeList = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
        guard let mode = InterpolationMode(rawValue: modeName) else {
            if modeName == "bicubic" { throw TorchError(.notImplementedError, "F.interpolate(mode='bicubic') is not supported by nnrepl") }
            throw TorchError(.notImplementedError, "Input Error: Only 3D, 4D and 5D input Tensors supported (got \(x.dim)D) for the modes: \(modeList) (got \(modeName))")
        }
        if [.nearest, .area, .nearestExact].contains(mode) {
            if alignCorners != nil {
                throw TorchError.value("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear")
            }
        }
        if size != nil && scaleFactor != nil { throw TorchError.value("only one of size or scale_factor should be defined") }
        var outSize: [Int]
        var scales: [Double?] = [Double?](repeating: nil, count: Swift.max(dims, 0))
        if let size {
            if case .each(let vs) = size, vs.count != dims {
                throw TorchError.value("Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of \(shapeDescription(Array(x.shape.dropFirst(2)))) and output size of \(written.size ?? shapeDescription(vs)). Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
            }
            if recomputeScaleFactor == true {
                throw TorchError.value("recompute_scale_factor is not meaningful with an explicit size.")
            }
            outSize = size.values(Swift.max(dims, 0))
        } else if let scaleFactor {
            if case .each(let vs) = scaleFactor, vs.count != dims {
                throw TorchError.value("Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of \(shapeDescription(Array(x.shape.dropFirst(2)))) and scale_factor of shape \(written.scale ?? "\(vs.map(pythonFloat))"). Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            }
            let factors = scaleFactor.values(Swift.max(dims, 0))
            outSize = try zip(x.shape.dropFirst(2), factors).map { n, s in
                let v = (Double(n) * s).rounded(.down)
                guard v.isFinite, Swift.abs(v) < 1e15 else { throw TorchError.runtime("upsample: the output size is too large") }
                return Int(v)
            }
            if recomputeScaleFactor != true { scales = factors }
        } else {
            throw TorchError.value("either size or scale_factor should be defined")
        }
        guard (1...3).contains(dims) else {
            throw TorchError(.notImplementedError, "Input Error: Only 3D, 4D and 5D input Tensors supported (got \(x.dim)D) for the modes: \(modeList) (got \(modeName))")
        }
        if let needed = mode.linearDims, needed != dims {
            throw TorchError(.notImplementedError, "Got \(x.dim)D input, but \(modeName) mode needs \(needed + 2)D input")
        }
        guard outSize.allSatisfy({ $0 > 0 }), !x.shape.dropFirst(2).contains(0) else {
            // ATen's upsample_*d wording: "(W: 4) and output (W: 0)" in 1-d, "(H: 4, W: 4) output (H: 0, W: 0)" in 2-d and 3-d.
            let axes = Array(["D", "H", "W"].suffix(dims))
            let labelled = { (sizes: [Int]) in zip(axes, sizes).map { "\($0): \($1)" }.joined(separator: ", ") }
            throw TorchError.runtime("Input and output sizes should be greater than 0, but got input (\(labelled(Array(x.shape.dropFirst(2)))))\(dims == 1 ? " and" : "") output (\(labelled(outSize)))")
        }
        switch mode {
        case .area:
            guard dims <= 2 else { throw TorchError(.notImplementedError, "F.interpolate(mode='area') on 5-D input is not supported by nnrepl") }
            if dims == 2 { return try adaptiveAvgPool2d(x, outputSize: (outSize[0], outSize[1])) }
            return try x.unsqueeze(2).applying { try adaptiveAvgPool2d($0, outputSize: (1, outSize[0])) }.squeeze(dim: 2)
        case .nearest, .nearestExact:
            return try resample(x, outSize, axisTaps: (0..<dims).map { d in
                nearestTaps(input: x.shape[d + 2], output: outSize[d], scale: scales[d], exact: mode == .nearestExact)
            }, backwardTaps: nil, combined: false, name: "Upsample\(mode == .nearest ? "Nearest" : "NearestExact")\(dims)DBackward0")
        case .linear, .bilinear, .trilinear:
            let align = alignCorners ?? false
            let names = ["Linear1D", "Bilinear2D", "Trilinear3D"]
            // ATen's forward kernel computes coordinates with compute_indices_weights_linear; its
            // channels-last kernel (used for small bilinear outputs) and every backward with
            // compute_source_index_and_lambda.
            let taps = { (style: LinearTapStyle) in (0..<dims).map { d in
                linearTaps(input: x.shape[d + 2], output: outSize[d], scale: scales[d], alignCorners: align, dtype: x.dtype, style: style)
            } }
            let sourceTaps = taps(.sourceIndexAndLambda)
            let combined = mode == .bilinear && outSize[0] + outSize[1] <= 128
            return try resample(x, outSize, axisTaps: combined ? sourceTaps : taps(.indicesWeights), backwardTaps: sourceTaps,
                                combined: combined, name: "Upsample\(names[dims - 1])Backward0")
        }
    }
}

private func pythonFloat(_ d: Double) -> String { d == d.rounded() && Swift.abs(d) < 1e16 ? "\(Int(d)).0" : "\(d)" }

private extension Tensor {
    func applying(_ f: (Tensor) throws -> Tensor) rethrows -> Tensor { try f(self) }
}

/// Where each output index of one axis reads: one input index (nearest) or two with weights
/// (linear), as PyTorch computes them (weights rounded to the tensor's precision).
struct AxisTaps {
    var index0: [Int], index1: [Int]
    var lambda0: [Double], lambda1: [Double]
    let linear: Bool
}

/// PyTorch's `compute_scales_value`: 1/scale when given, else in/out (in float).
private func scaleValue(_ scale: Double?, _ input: Int, _ output: Int) -> Float {
    if let scale, scale > 0 { return Float(1.0 / scale) }
    return Float(input) / Float(output)
}

/// `nearest_idx` / `nearest_exact_idx`: floor(o·scale) or floor((o + 0.5)·scale), clamped.
private func nearestTaps(input: Int, output: Int, scale: Double?, exact: Bool) -> AxisTaps {
    let s = scaleValue(scale, input, output)
    let idx: [Int] = (0..<output).map { o in
        if !exact {
            if output == input { return o }
            if output == 2 * input { return o >> 1 }
            return Swift.min(Int((Float(o) * s).rounded(.down)), input - 1)
        }
        return Swift.min(Int(Float((Double(o) + 0.5) * Double(s)).rounded(.down)), input - 1)
    }
    return AxisTaps(index0: idx, index1: idx, lambda0: [], lambda1: [], linear: false)
}

/// Which of ATen's two coordinate helpers a linear kernel uses.
enum LinearTapStyle {
    /// `compute_indices_weights_linear`: `scale·(o + 0.5) - 0.5` as two roundings.
    case indicesWeights
    /// `compute_source_index_and_lambda`: the same contracted to one fma, and an output as large
    /// as the input copied straight through.
    case sourceIndexAndLambda
}

/// The source coordinate `scale·o` (align_corners) or `max(scale·(o + 0.5) - 0.5, 0)` of each
/// output index, its floor and the two weights, in float for float32 (PyTorch's opmath).
private func linearTaps(input: Int, output: Int, scale: Double?, alignCorners: Bool, dtype: DType, style: LinearTapStyle) -> AxisTaps {
    var taps = AxisTaps(index0: [], index1: [], lambda0: [], lambda1: [], linear: true)
    if style == .sourceIndexAndLambda && input == output {
        let all = Array(0..<output)
        return AxisTaps(index0: all, index1: all, lambda0: [Double](repeating: 1, count: output),
                        lambda1: [Double](repeating: 0, count: output), linear: true)
    }
    func compute<T: BinaryFloatingPoint>(_: T.Type) {
        let s: T
        if alignCorners {
            s = output > 1 ? T(input - 1) / T(output - 1) : 0
        } else if let scale, scale > 0 {
            s = T(1.0 / scale)
        } else {
            s = T(input) / T(output)
        }
        for o in 0..<output {
            var real: T
            if alignCorners {
                real = s * T(o)
            } else if style == .indicesWeights {
                real = s * (T(o) + 0.5) - 0.5
            } else {
                real = (-0.5 as T).addingProduct(s, T(o) + 0.5)
            }
            if real < 0 { real = 0 }
            let i0 = Swift.min(Int(real.rounded(.down)), input - 1)
            let l1 = Swift.min(Swift.max(real - T(i0), 0), 1)
            taps.index0.append(i0)
            taps.index1.append(i0 + (i0 < input - 1 ? 1 : 0))
            taps.lambda0.append(Double(1 - l1))
            taps.lambda1.append(Double(l1))
        }
    }
    if dtype == .float64 { compute(Double.self) } else { compute(Float.self) }
    return taps
}

/// Resamples the spatial dims of `x` `[N, C, …]` to `outSize`: one axis at a time from the
/// last, each `fma(t0, w0, t1·w1)` as GCC compiles PyTorch's `t0 * w0 + t1 * w1` (checked to the bit
/// against PyTorch), and the backward adds
/// each output gradient times the product of its weights into every corner it read.
private func resample(_ x: Tensor, _ outSize: [Int], axisTaps: [AxisTaps], backwardTaps: [AxisTaps]?, combined: Bool,
                      name: String) throws -> Tensor {
    let dims = outSize.count, planes = x.shape[0] * x.shape[1]
    let inSize = Array(x.shape.dropFirst(2))
    let outShape = Array(x.shape.prefix(2)) + outSize
    _ = try checkedElementCount(outShape)
    var current = try x.dense()
    if combined {
        let next = try Tensor(shape: outShape, dtype: x.dtype, zeroed: false)
        switch x.dtype {
        case .float32: bilinearChannelsLast(Float.self, current, next, x.shape[0], x.shape[1], inSize, outSize, axisTaps)
        case .float64: bilinearChannelsLast(Double.self, current, next, x.shape[0], x.shape[1], inSize, outSize, axisTaps)
        default: throw notImplemented("upsample_bilinear2d_channels_last", x.dtype)
        }
        current = next
    }
    // Axis d from the last: [planes · in[0..<d], in[d], out[d+1...]] → out[d].
    for d in stride(from: dims - 1, through: 0, by: -1) where !combined {
        let outer = planes * inSize[..<d].reduce(1, *), inner = outSize[(d + 1)...].reduce(1, *)
        let next = try Tensor(shape: [outer, outSize[d], inner], dtype: x.dtype, zeroed: false)
        switch x.dtype {
        case .float32: resampleAxis(Float.self, current, next, outer, inSize[d], outSize[d], inner, axisTaps[d])
        case .float64: resampleAxis(Double.self, current, next, outer, inSize[d], outSize[d], inner, axisTaps[d])
        default: throw notImplemented("upsample", x.dtype)
        }
        current = next
    }
    let out = current.aliased(shape: outShape)
    try out.adoptLayout(following: x)
    guard GradMode.isEnabled && x.requiresGrad else { return out }
    let xShape = x.shape, dtype = x.dtype, backwardTaps = backwardTaps ?? axisTaps
    return out.recordingGrad(name, inputs: [x], savesTensors: false) { g in
        let gd = try g.dense()
        let gx = try Tensor(shape: xShape, dtype: dtype, zeroed: true)
        if dtype == .float32 { resampleBackward(Float.self, gd, gx, planes, inSize, outSize, backwardTaps) } else {
            resampleBackward(Double.self, gd, gx, planes, inSize, outSize, backwardTaps)
        }
        return [gx.recordedAsAdjoint(of: g, opName: name) { u in
            try resample(u, outSize, axisTaps: backwardTaps, backwardTaps: nil, combined: false, name: name)
        }]
    }
}

private func resampleAxis<T: KernelFloat>(_: T.Type, _ src: Tensor, _ dst: Tensor, _ outer: Int, _ n: Int, _ m: Int, _ inner: Int,
                                          _ taps: AxisTaps) {
    let sp = src.elements(T.self), dp = dst.elements(T.self)
    let w0 = taps.lambda0.map { T($0) }, w1 = taps.lambda1.map { T($0) }
    for o in 0..<outer {
        let from = sp + o * n * inner, to = dp + o * m * inner
        for j in 0..<m {
            let r0 = from + taps.index0[j] * inner, row = to + j * inner
            if taps.linear {
                let r1 = from + taps.index1[j] * inner, a = w0[j], b = w1[j]
                for i in 0..<inner { row[i] = (r1[i] * b).addingProduct(r0[i], a) }
            } else {
                row.update(from: r0, count: inner)
            }
        }
    }
}

/// ATen's `cpu_upsample_linear_channels_last` (which PyTorch runs for bilinear outputs with
/// H + W ≤ 128 whatever the layout): per output pixel the four corners with weights
/// `h·w`, channels in 64-byte vectors as `x00·w00 + (x01·w01 + (x10·w10 + x11·w11))` and the
/// remaining channels left to right, with the fmas GCC forms (checked to the bit against PyTorch).
private func bilinearChannelsLast<T: KernelFloat>(_: T.Type, _ src: Tensor, _ dst: Tensor, _ n: Int, _ channels: Int, _ inSize: [Int],
                                                  _ outSize: [Int], _ taps: [AxisTaps]) {
    let sp = src.elements(T.self), dp = dst.elements(T.self)
    let (ih, iw, oh, ow) = (inSize[0], inSize[1], outSize[0], outSize[1])
    let vectorChannels = channels - channels % (64 / MemoryLayout<T>.size)
    let hl = (taps[0].lambda0.map { T($0) }, taps[0].lambda1.map { T($0) }), wl = (taps[1].lambda0.map { T($0) }, taps[1].lambda1.map { T($0) })
    for b in 0..<n {
        for i in 0..<oh {
            for j in 0..<ow {
                let (h0, h1, w0, w1) = (taps[0].index0[i], taps[0].index1[i], taps[1].index0[j], taps[1].index1[j])
                let (w00, w01) = (hl.0[i] * wl.0[j], hl.0[i] * wl.1[j]), (w10, w11) = (hl.1[i] * wl.0[j], hl.1[i] * wl.1[j])
                for c in 0..<channels {
                    let plane = sp + (b * channels + c) * ih * iw
                    let (x00, x01, x10, x11) = (plane[h0 * iw + w0], plane[h0 * iw + w1], plane[h1 * iw + w0], plane[h1 * iw + w1])
                    let v = c < vectorChannels
                        ? (((x10 * w10).addingProduct(x11, w11)).addingProduct(x01, w01)).addingProduct(x00, w00)
                        : (((x01 * w01).addingProduct(x00, w00)).addingProduct(x10, w10)).addingProduct(x11, w11)
                    dp[((b * channels + c) * oh + i) * ow + j] = v
                }
            }
        }
    }
}

private func resampleBackward<T: KernelFloat>(_: T.Type, _ g: Tensor, _ gx: Tensor, _ planes: Int, _ inSize: [Int], _ outSize: [Int],
                                              _ taps: [AxisTaps]) {
    let gp = g.elements(T.self), xp = gx.elements(T.self)
    let dims = outSize.count, inPlane = inSize.reduce(1, *), outPlane = outSize.reduce(1, *)
    let weights = taps.map { ($0.lambda0.map { T($0) }, $0.lambda1.map { T($0) }) }
    let linear = taps.first?.linear ?? false
    var position = [Int](repeating: 0, count: dims)
    for o in 0..<outPlane {
        var rest = o
        for d in stride(from: dims - 1, through: 0, by: -1) { position[d] = rest % outSize[d]; rest /= outSize[d] }
        // Every corner: a bit per axis picks index0/lambda0 or index1/lambda1, the outer axis first.
        for corner in 0..<(linear ? 1 << dims : 1) {
            var offset = 0, w: T = 1
            for d in 0..<dims {
                let second = corner >> (dims - 1 - d) & 1 == 1, j = position[d]
                offset = offset * inSize[d] + (second ? taps[d].index1[j] : taps[d].index0[j])
                if linear { w = d == 0 ? (second ? weights[d].1[j] : weights[d].0[j]) : w * (second ? weights[d].1[j] : weights[d].0[j]) }
            }
            for p in 0..<planes {
                let v = gp[p * outPlane + o]
                xp[p * inPlane + offset] += linear ? w * v : v
            }
        }
    }
}
