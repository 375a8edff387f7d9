/// Convolutions over 1 to 3 spatial dims (`F.conv1d`, `F.conv3d`) and transposed convolutions
/// (`F.conv_transpose1d/2d/3d`) by vol2col + gemm, with their backward (ConvolutionBackward0).
///
/// Both are the same linear map read in two directions. The "volume" side is the convolution's
/// input (the transposed convolution's output); the "columns" side is the convolution's output
/// (the transposed convolution's input). The weight is `[columnChannels, volumeChannels/groups,
/// k…]` in both cases, so three kernels cover every pass:
/// - `volumeToColumns`: `S_g = W_g · vol2col(V_g)` (conv forward, transposed input gradient);
/// - `columnsToVolume`: `V_g += col2vol(W_gᵀ · S_g)` (transposed forward, conv input gradient);
/// - `weightGradient`: `gW_g += S_g · vol2col(V_g)ᵀ` (both weight gradients).
/// `F.conv2d` keeps its own faster kernels (Convolution.swift); `F.unfold`/`F.fold` use vol2col
/// and col2vol directly.
extension Functional {
    /// `F.conv1d` / `F.conv3d` (`op` names it in errors): `x` `[N, C, …]` or unbatched `[C, …]`,
    /// `weight` `[O, C/groups, k…]`; one entry of `stride`/`padding`/`dilation` per spatial dim.
    public static func convolutionNd(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int], padding: [Int],
                                     dilation: [Int], groups: Int = 1, op: String) throws -> Tensor {
        let setup = try ConvolutionSetup(x, weight, bias, stride: stride, padding: padding, outputPadding: nil,
                                         dilation: dilation, groups: groups, op: op)
        return try setup.run()
    }

    /// `F.conv_transpose1d/2d/3d`: `x` `[N, Cin, …]` or unbatched, `weight` `[Cin, Cout/groups, k…]`;
    /// each output size is `(in - 1)·stride - 2·padding + dilation·(k - 1) + output_padding + 1`.
    public static func convTransposeNd(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int], padding: [Int],
                                       outputPadding: [Int], dilation: [Int], groups: Int = 1, op: String) throws -> Tensor {
        let setup = try ConvolutionSetup(x, weight, bias, stride: stride, padding: padding, outputPadding: outputPadding,
                                         dilation: dilation, groups: groups, op: op)
        return try setup.run()
    }
}

/// The sizes of one vol2col convolution, spatial dims padded to 3 with leading 1s (padding 0).
struct VolumeGeometry {
    let n, groups, volumeChannels, columnChannels: Int
    let volume, out, kernel, stride, padding, dilation: [Int]
    /// Channels per group on each side, kernel taps, rows and columns of one group's col matrix.
    let vcg, ccg, taps, k, l, volumeSize: Int

    init(n: Int, groups: Int, volumeChannels: Int, columnChannels: Int, volume: [Int], out: [Int], kernel: [Int],
         stride: [Int], padding: [Int], dilation: [Int]) {
        func three(_ a: [Int], _ fill: Int) -> [Int] { [Int](repeating: fill, count: 3 - a.count) + a }
        (self.n, self.groups, self.volumeChannels, self.columnChannels) = (n, groups, volumeChannels, columnChannels)
        (self.volume, self.out, self.kernel) = (three(volume, 1), three(out, 1), three(kernel, 1))
        (self.stride, self.padding, self.dilation) = (three(stride, 1), three(padding, 0), three(dilation, 1))
        vcg = volumeChannels / groups
        ccg = columnChannels / groups
        taps = self.kernel.reduce(1, *)
        k = vcg * taps
        l = self.out.reduce(1, *)
        volumeSize = self.volume.reduce(1, *)
    }
}

/// A checked call of `F.convNd` or `F.conv_transposeNd`: PyTorch's argument errors, the output
/// shape, and the run with its backward.
private struct ConvolutionSetup {
    let x, weight: Tensor
    let bias: Tensor?
    let transposed: Bool
    let geometry: VolumeGeometry
    let outShape: [Int]
    let unbatched: Bool

    init(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: [Int], padding: [Int], outputPadding: [Int]?,
         dilation: [Int], groups: Int, op: String) throws {
        let nd = stride.count
        guard x.dim == nd + 1 || x.dim == nd + 2 else {
            throw TorchError.runtime("Expected \(nd + 1)D (unbatched) or \(nd + 2)D (batched) input to \(op), but got input of size: \(shapeDescription(x.shape))")
        }
        guard weight.dim == nd + 2 else {
            throw TorchError.runtime(weight.dim < 3 ? "weight should have at least three dimensions"
                                     : "Expected \(weight.dim - 1)D (unbatched) or \(weight.dim)D (batched) input to \(op), but got input of size: \(shapeDescription(x.shape))")
        }
        guard x.dtype == weight.dtype else {
            throw TorchError.runtime("Input type (\(x.dtype.legacyTypeName)) and weight type (\(weight.dtype.legacyTypeName)) should be the same")
        }
        if let b = bias, b.dtype != x.dtype {
            throw TorchError.runtime("Input type (\(x.dtype.legacyTypeName)) and bias type (\(b.dtype.legacyTypeName)) should be the same")
        }
        try ConvolutionArguments.validate(stride: stride, padding: padding, dilation: dilation, outputPadding: outputPadding,
                                          groups: groups, weightShape: weight.shape)
        guard [stride, padding, dilation, outputPadding ?? []].allSatisfy({ $0.allSatisfy { abs($0) < 1 << 30 } }) else {
            throw TorchError.runtime("\(op): arguments are too large")
        }
        let transposed = outputPadding != nil
        let batchedShape = x.dim == nd + 2 ? x.shape : [1] + x.shape
        let n = batchedShape[0], c = batchedShape[1], spatial = Array(batchedShape.dropFirst(2))
        let kernel = Array(weight.shape.dropFirst(2))
        let ws = shapeDescription(weight.shape), xs = shapeDescription(batchedShape)
        let prefix = transposed ? "Given transposed=1, " : "Given "
        guard weight.shape[0] % groups == 0 else {
            let shown = transposed ? "[\(ws)]" : ws
            throw TorchError.runtime("Given groups=\(groups), expected weight to be divisible by \(groups) at dimension 0, but got weight of size \(shown) instead")
        }
        let expectedC = transposed ? weight.shape[0] : weight.shape[1] * groups
        guard c == expectedC else {
            throw TorchError.runtime("\(transposed ? prefix : "Given groups=\(groups), ")weight of size \(ws), expected input\(xs) to have \(expectedC) channels, but got \(c) channels instead")
        }
        let outChannels = transposed ? weight.shape[1] * groups : weight.shape[0]
        if let b = bias, b.dim != 1 || b.shape[0] != outChannels {
            throw TorchError.runtime("\(prefix)weight of size \(ws), expected bias to be 1-dimensional with \(outChannels) elements, but got bias of size \(shapeDescription(b.shape)) instead")
        }
        guard kernel.allSatisfy({ $0 < 1 << 30 }), spatial.allSatisfy({ $0 < 1 << 40 }) else {
            throw TorchError.runtime("\(op): arguments are too large")
        }
        let extent = (0..<nd).map { dilation[$0] * (kernel[$0] - 1) + 1 }
        var outSpatial: [Int]
        if let outputPadding {
            let axes = ["depth", "height", "width"].suffix(nd)
            if zip(outputPadding.indices, outputPadding).contains(where: { i, p in p < 0 || (p >= stride[i] && p >= dilation[i]) }) {
                func list(_ name: String, _ v: [Int]) -> String { zip(axes, v).map { "\(name)_\($0): \($1)" }.joined(separator: " ") }
                throw TorchError.runtime("output padding must be smaller than either stride or dilation, but got \(list("output_padding", outputPadding)) \(list("stride", stride)) \(list("dilation", dilation))")
            }
            outSpatial = (0..<nd).map { (spatial[$0] - 1) * stride[$0] - 2 * padding[$0] + extent[$0] + outputPadding[$0] }
            guard outSpatial.allSatisfy({ $0 > 0 }) else {
                // ATen runs a 1-d transposed convolution as a 2-d one of height 1, and says so.
                let shown = { (sizes: [Int]) in ((nd == 1 ? [1] : []) + sizes).map(String.init).joined(separator: " x ") }
                throw TorchError.runtime("Given input size per channel: (\(shown(spatial))). Calculated output size per channel: (\(shown(outSpatial))). Output size is too small")
            }
        } else {
            let padded = (0..<nd).map { spatial[$0] + 2 * padding[$0] }
            guard (0..<nd).allSatisfy({ extent[$0] <= padded[$0] }) else {
                throw TorchError.runtime("Calculated padded input size per channel: (\(padded.map(String.init).joined(separator: " x "))). Kernel size: (\(extent.map(String.init).joined(separator: " x "))). Kernel size can't be greater than actual input size")
            }
            outSpatial = (0..<nd).map { (padded[$0] - extent[$0]) / stride[$0] + 1 }
        }
        // The volume side is the convolution's input or the transposed convolution's output.
        let volume = transposed ? outSpatial : spatial, columns = transposed ? spatial : outSpatial
        geometry = VolumeGeometry(n: n, groups: groups, volumeChannels: transposed ? outChannels : c,
                                  columnChannels: transposed ? c : outChannels, volume: volume, out: columns, kernel: kernel,
                                  stride: stride, padding: padding, dilation: dilation)
        _ = try checkedElementCount([geometry.k, geometry.l])
        outShape = [n, outChannels] + outSpatial
        (self.x, self.weight, self.bias, self.transposed, unbatched) = (x, weight, bias, transposed, x.dim == nd + 1)
    }

    func run() throws -> Tensor {
        let g = geometry
        let xd = try x.dense(), w = try weight.dense(), b = try bias?.dense()
        let out = try Tensor(shape: outShape, dtype: x.dtype, zeroed: transposed)
        switch x.dtype {
        case .float32: try KernelCancellation.cancellable { try forward(Float.self, xd, w, b, out) }
        case .float64: try KernelCancellation.cancellable { try forward(Double.self, xd, w, b, out) }
        default: throw notImplemented(transposed ? "slow_conv_transpose2d_cpu" : "slow_conv2d_cpu", x.dtype)
        }
        if !unbatched { try out.adoptLayout(following: x.isContiguous ? weight : x) }
        let result = unbatched ? out.aliased(shape: Array(outShape.dropFirst())) : out
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return result }
        let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
        let (xShape, wShape, dtype, transposed) = (x.shape, weight.shape, x.dtype, transposed)
        let (x, weight, unbatched, biasShape) = (x, weight, unbatched, bias?.shape)
        return result.recordingGrad("ConvolutionBackward0", inputs: inputs) { gOut in
            if GradMode.isEnabled {   // create_graph=True
                return try ConvolutionBilinear.gradients(g, transposed: transposed, unbatched: unbatched, gOut, x: x, weight: weight,
                                                         needX: needX, needW: needW, bias: biasShape.map { ($0, needB) })
            }
            let gd = try gOut.dense()
            let gx = needX ? try Tensor(shape: xShape, dtype: dtype, zeroed: true) : nil
            let gw = needW ? try Tensor(shape: wShape, dtype: dtype, zeroed: true) : nil
            let gb = needB ? try Tensor(shape: [wShape[transposed ? 1 : 0] * (transposed ? g.groups : 1)], dtype: dtype, zeroed: true) : nil
            func backward<T: KernelFloat>(_: T.Type) throws {
                // Transposed: the output gradient is the volume, x the columns; else the reverse.
                let (volume, columns) = transposed ? (gd, xd) : (xd, gd)
                if let gx {
                    if transposed { try volumeToColumns(T.self, g, gd, w, gx) } else { try columnsToVolume(T.self, g, gd, w, gx) }
                }
                if let gw { try weightGradient(T.self, g, volume, columns, gw) }
                if let gb {
                    let per = transposed ? g.volumeSize : g.l
                    let gp = gd.elements(T.self), bp = gb.elements(T.self), channels = gb.shape[0]
                    for s in 0..<g.n { for ch in 0..<channels { bp[ch] += sumRow(gp + (s * channels + ch) * per, per) } }
                }
            }
            try KernelCancellation.cancellable { if dtype == .float32 { try backward(Float.self) } else { try backward(Double.self) } }
            return [gx, gw] + (bias != nil ? [gb] : [])
        }
    }

    private func forward<T: KernelFloat>(_: T.Type, _ x: Tensor, _ w: Tensor, _ b: Tensor?, _ out: Tensor) throws {
        let g = geometry
        if transposed { try columnsToVolume(T.self, g, x, w, out) } else { try volumeToColumns(T.self, g, x, w, out) }
        guard let b else { return }
        let per = transposed ? g.volumeSize : g.l, channels = outShape[1]
        let op = out.elements(T.self), bp = b.elements(T.self)
        for s in 0..<g.n {
            for ch in 0..<channels {
                let row = op + (s * channels + ch) * per, v = bp[ch]
                for i in 0..<per { row[i] += v }
            }
        }
    }
}

/// Runs `body(samples, serial, scratch)` over contiguous sample ranges, in parallel when the
/// work is big enough (`serial`: the range runs beside others, so its gemms stay on one core);
/// each range gets its own scratch buffer of `scratchCount` elements. `finish(parts, buffer)`
/// runs after every range, before the scratch is freed.
private func forEachSampleRange<T: KernelFloat>(_ g: VolumeGeometry, scratchCount: Int, _: T.Type,
                                                _ body: (Range<Int>, Bool, UnsafeMutablePointer<T>) -> Void,
                                                finish: (Int, UnsafeMutablePointer<T>) -> Void = { _, _ in }) throws {
    let work = g.n * g.k * g.l * Swift.max(g.ccg, 1)
    let parts = work >= 1 << 20 && kernelThreads > 1 ? Swift.min(g.n, kernelThreads) : 1
    let per = Swift.max(scratchCount, 1), total = try checkedElementCount([parts, per])
    _ = try Storage.checkAllocation(count: total, itemSize: MemoryLayout<T>.stride)
    let buffer = UnsafeMutablePointer<T>.allocate(capacity: total)
    defer { buffer.deallocate() }
    parallelParts(parts) { p in body(partRange(p, of: parts, count: g.n), parts > 1, buffer + p * per) }
    finish(parts, buffer)
}

/// `S_g = W_g · vol2col(V_g)` for every sample and group; `s` is overwritten.
func volumeToColumns<T: KernelFloat>(_: T.Type, _ g: VolumeGeometry, _ v: Tensor, _ w: Tensor, _ s: Tensor) throws {
    let vp = v.elements(T.self), wp = w.elements(T.self), sp = s.elements(T.self)
    try forEachSampleRange(g, scratchCount: g.k * g.l, T.self) { samples, serial, col in
        for n in samples where !KernelCancellation.shouldStop {
            for grp in 0..<g.groups {
                vol2col(vp + (n * g.volumeChannels + grp * g.vcg) * g.volumeSize, g, col)
                gemm(matrixBlock(wp + grp * g.ccg * g.k, g.ccg, g.k, ld: g.k), matrixBlock(col, g.k, g.l, ld: g.l),
                     matrixBlock(sp + (n * g.columnChannels + grp * g.ccg) * g.l, g.ccg, g.l, ld: g.l), beta: 0, serial: serial)
            }
        }
    }
}

/// `V_g += col2vol(W_gᵀ · S_g)` for every sample and group.
func columnsToVolume<T: KernelFloat>(_: T.Type, _ g: VolumeGeometry, _ s: Tensor, _ w: Tensor, _ v: Tensor) throws {
    let vp = v.elements(T.self), wp = w.elements(T.self), sp = s.elements(T.self)
    try forEachSampleRange(g, scratchCount: g.k * g.l, T.self) { samples, serial, col in
        for n in samples where !KernelCancellation.shouldStop {
            for grp in 0..<g.groups {
                gemm(matrixBlock(wp + grp * g.ccg * g.k, g.ccg, g.k, ld: g.k).transposed,
                     matrixBlock(sp + (n * g.columnChannels + grp * g.ccg) * g.l, g.ccg, g.l, ld: g.l),
                     matrixBlock(col, g.k, g.l, ld: g.l), beta: 0, serial: serial)
                col2vol(col, g, vp + (n * g.volumeChannels + grp * g.vcg) * g.volumeSize)
            }
        }
    }
}

/// `gW_g += S_g · vol2col(V_g)ᵀ` summed over the samples: each range into its own
/// accumulator, added into `gw` at the end.
func weightGradient<T: KernelFloat>(_: T.Type, _ g: VolumeGeometry, _ v: Tensor, _ s: Tensor, _ gw: Tensor) throws {
    let vp = v.elements(T.self), sp = s.elements(T.self), gwp = gw.elements(T.self)
    let colCount = g.k * g.l, wCount = g.columnChannels * g.k
    try forEachSampleRange(g, scratchCount: colCount + wCount, T.self, { samples, serial, scratch in
        let col = scratch, acc = scratch + colCount
        acc.update(repeating: 0, count: wCount)
        for n in samples where !KernelCancellation.shouldStop {
            for grp in 0..<g.groups {
                vol2col(vp + (n * g.volumeChannels + grp * g.vcg) * g.volumeSize, g, col)
                gemm(matrixBlock(sp + (n * g.columnChannels + grp * g.ccg) * g.l, g.ccg, g.l, ld: g.l),
                     matrixBlock(col, g.k, g.l, ld: g.l).transposed,
                     matrixBlock(acc + grp * g.ccg * g.k, g.ccg, g.k, ld: g.k), beta: 1, serial: serial)
            }
        }
    }, finish: { parts, buffer in
        for p in 0..<parts { accumulateRow(gwp, buffer + p * (colCount + wCount) + colCount, wCount) }
    })
}

/// Unfolds one sample-group of the volume `[C/g, D, H, W]` into `col` `[C/g·kD·kH·kW, L]`
/// (zeros where the kernel reads padding).
func vol2col<T: KernelFloat>(_ v: UnsafePointer<T>, _ g: VolumeGeometry, _ col: UnsafeMutablePointer<T>) {
    var row = col
    forEachKernelRow(g) { plane, kernelOffset in
        var dst = row
        forEachOutputRow(g, kernelOffset) { inputRow, columnOffset in
            guard let inputRow else { dst.update(repeating: 0, count: g.out[2]); dst += g.out[2]; return }
            let src = v + plane * g.volumeSize + inputRow
            for ow in 0..<g.out[2] {
                let iw = ow * g.stride[2] + columnOffset
                dst[ow] = iw >= 0 && iw < g.volume[2] ? src[iw] : 0
            }
            dst += g.out[2]
        }
        row += g.l
    }
}

/// Adds `col` `[C/g·kD·kH·kW, L]` back into one sample-group of the volume (vol2col's adjoint).
func col2vol<T: KernelFloat>(_ col: UnsafePointer<T>, _ g: VolumeGeometry, _ v: UnsafeMutablePointer<T>) {
    var row = col
    forEachKernelRow(g) { plane, kernelOffset in
        var src = row
        forEachOutputRow(g, kernelOffset) { inputRow, columnOffset in
            defer { src += g.out[2] }
            guard let inputRow else { return }
            let dst = v + plane * g.volumeSize + inputRow
            for ow in 0..<g.out[2] {
                let iw = ow * g.stride[2] + columnOffset
                if iw >= 0 && iw < g.volume[2] { dst[iw] += src[ow] }
            }
        }
        row += g.l
    }
}

/// Calls `body(channel, (kd, kh, kw))` for every row of a col matrix, in row order.
@inline(__always)
private func forEachKernelRow(_ g: VolumeGeometry, _ body: (Int, (Int, Int, Int)) -> Void) {
    for ch in 0..<g.vcg {
        for kd in 0..<g.kernel[0] { for kh in 0..<g.kernel[1] { for kw in 0..<g.kernel[2] { body(ch, (kd, kh, kw)) } } }
    }
}

/// Calls `body(inputRow, columnOffset)` for every (od, oh) of one col row, in order:
/// `inputRow` is the offset of the input row `(id, ih)` in a plane, or nil when it falls in the
/// padding; the input column of output column `ow` is `ow·stride + columnOffset`.
@inline(__always)
private func forEachOutputRow(_ g: VolumeGeometry, _ k: (Int, Int, Int), _ body: (Int?, Int) -> Void) {
    let columnOffset = k.2 * g.dilation[2] - g.padding[2]
    for od in 0..<g.out[0] {
        let id = od * g.stride[0] - g.padding[0] + k.0 * g.dilation[0]
        for oh in 0..<g.out[1] {
            let ih = oh * g.stride[1] - g.padding[1] + k.1 * g.dilation[1]
            let inside = id >= 0 && id < g.volume[0] && ih >= 0 && ih < g.volume[1]
            body(inside ? (id * g.volume[1] + ih) * g.volume[2] : nil, columnOffset)
        }
    }
}
