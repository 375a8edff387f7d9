extension Functional {
    /// `F.conv2d(x, weight, bias, stride, padding, dilation, groups)` for `x` `[N, C, H, W]` (or
    /// unbatched `[C, H, W]`) and `weight` `[O, C/groups, kH, kW]`, samples spread over the cores.
    /// Stride-1 convolutions run on the wide layout of ConvolutionWide.swift (per-tap gemms batched
    /// across samples, ConvolutionTaps.swift, per-tap gemms per sample, or wide columns:
    /// `convAlgorithm`); strided ones, and stride-1 ones on small planes, by im2col of a chunk of
    /// samples side by side into a reused buffer (through a table for short output rows,
    /// ConvolutionGather.swift), then one gemm `W_g · cols`, the rows copied out with the bias.
    /// Backward: `gW += gOut · colᵀ`, `gCol = W_gᵀ · gOut` scattered back with col2im,
    /// `gb = Σ gOut` (ConvolutionBackward0).
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                              padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1) throws -> Tensor {
        try convolution(x, weight, bias, stride, padding, dilation, groups, fusingReLU: false)
    }

    /// `relu(conv2d(...))` in one pass (what `nn.Sequential` runs for a Conv2d followed by a
    /// ReLU): the convolution's own output is never stored. The graph is the unfused one,
    /// ReluBackward0 → ConvolutionBackward0, with the same values and errors; the ReLU node checks
    /// its saved output and passes the gradient on, and the convolution applies the ReLU's mask
    /// where it reads its output gradient.
    public static func conv2dReLU(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                                  padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1) throws -> Tensor {
        try convolution(x, weight, bias, stride, padding, dilation, groups, fusingReLU: true)
    }

    private static func convolution(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ stride: (Int, Int), _ padding: (Int, Int),
                                    _ dilation: (Int, Int), _ groups: Int, fusingReLU relu: Bool) throws -> Tensor {
        let unbatched = x.dim == 3
        let geo = try ConvGeometry(x, weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
        let x4 = try (unbatched ? x.aliased(shape: [1] + x.shape, strides: [0] + x.strides) : x).dense()
        let w = try weight.dense()
        let out = try Tensor(shape: [geo.n, geo.o, geo.oh, geo.ow], dtype: x.dtype, zeroed: false)
        let algorithm = convAlgorithm(geo)
        let recording = GradMode.isEnabled && ([x, weight] + (bias.map { [$0] } ?? [])).contains(where: { $0.requiresGrad })
        let columns = recording && weight.requiresGrad ? try keptColumns(geo, algorithm, dtype: x.dtype) : nil
        try KernelCancellation.cancellable {
            switch (x.dtype, algorithm) {
            case (.float32, .im2col): try convForward(Float.self, geo, x4, w, bias, out, relu: relu, keeping: columns)
            case (.float32, .tapGemms): try tapConvForward(Float.self, geo, x4, w, bias, out, relu: relu)
            case (.float32, .wideColumns), (.float32, .sampleTaps): try wideConvForward(Float.self, geo, algorithm, x4, w, bias, out, relu: relu)
            case (.float64, .im2col): try convForward(Double.self, geo, x4, w, bias, out, relu: relu, keeping: columns)
            case (.float64, .tapGemms): try tapConvForward(Double.self, geo, x4, w, bias, out, relu: relu)
            case (.float64, .wideColumns), (.float64, .sampleTaps): try wideConvForward(Double.self, geo, algorithm, x4, w, bias, out, relu: relu)
            default: throw notImplemented("slow_conv2d_cpu", x.dtype)
            }
        }
        // channels_last when the input or the weight is (PyTorch's conv memory-format rule).
        if !unbatched { try out.adoptLayout(following: x.isContiguous ? weight : x) }
        let result = unbatched ? out.aliased(shape: Array(out.shape.dropFirst())) : out
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        guard recording else { return result }
        let needX = x.requiresGrad, needW = weight.requiresGrad, needB = bias?.requiresGrad ?? false
        let hasBias = bias != nil
        // The ReLU's mask: its output, held as a detached alias (no reference cycle through the graph).
        let mask = relu ? out.detached() : nil
        let biasShape = bias?.shape
        let backward: (Tensor) throws -> [Tensor?] = { g in
            if GradMode.isEnabled {   // create_graph=True: the gradients in recorded ops
                let masked = try mask.map { try g.mul(try $0.gt(.int(0)).converted(to: g.dtype)) } ?? g
                return try ConvolutionBilinear.gradients(geo.volumeGeometry, transposed: false, unbatched: unbatched, masked, x: x, weight: weight,
                                                         needX: needX, needW: needW, bias: biasShape.map { ($0, needB) })
            }
            var gOut = try g.dense()
            if let mask, algorithm == .im2col { gOut = try computeBinary(ReluGradOp(), gOut, mask, dtype: gOut.dtype) }
            let wideMask = algorithm == .im2col ? nil : mask
            // Gradients the kernels write whole start unzeroed (a resnet18 step zeroed 45 MB of
            // weight gradients only to add into them): im2col's weight gradient (its first chunk's
            // gemm has beta 0) and the per-tap kernels' (a transpose of their own buffer) and input
            // gradient (copied out of the padded buffer). col2im and the wide kernels add into theirs.
            let written = geo.n > 0
            let gx: Tensor? = needX ? try Tensor(shape: x.shape, dtype: x.dtype, zeroed: !(written && algorithm == .tapGemms)) : nil
            let gw: Tensor? = needW ? try Tensor(shape: weight.shape, dtype: weight.dtype,
                                                 zeroed: !(written && (algorithm == .im2col || algorithm == .tapGemms))) : nil
            let gb: Tensor? = needB ? try Tensor(shape: [geo.o], dtype: x.dtype, zeroed: true) : nil
            try KernelCancellation.cancellable {
                switch x.dtype {
                case .float32: try convBackward(Float.self, geo, x4, w, gOut, wideMask, gx, gw, gb, algorithm, columns: columns)
                default: try convBackward(Double.self, geo, x4, w, gOut, wideMask, gx, gw, gb, algorithm, columns: columns)
                }
            }
            return [gx, gw] + (hasBias ? [gb] : [])
        }
        let convName = unbatched ? "SqueezeBackward1" : "ConvolutionBackward0"
        guard relu else { return result.recordingGrad(convName, inputs: inputs, backward: backward) }
        let convNode = Node(name: convName, next: inputs.map { $0.requiresGrad ? $0.gradEdge : nil }, savesTensors: true, backward: backward)
        let saved = SavedTensor(output: result)
        result.gradFn = Node(name: "ReluBackward0", next: [convNode], savesTensors: true) { g in
            _ = try saved.get()   // PyTorch's error when the output was changed in place
            return [g]
        }
        return result
    }
}

/// The validated shapes of one conv2d call (input always seen as batched).
struct ConvGeometry {
    let n, c, h, w: Int
    let o, kh, kw: Int
    let sh, sw, ph, pw, dh, dw: Int
    let groups: Int
    let oh, ow: Int
    /// The same convolution for the vol2col kernels (ConvolutionNd.swift).
    var volumeGeometry: VolumeGeometry {
        VolumeGeometry(n: n, groups: groups, volumeChannels: c, columnChannels: o, volume: [h, w], out: [oh, ow], kernel: [kh, kw],
                       stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw])
    }
    var cg: Int { c / groups }
    var og: Int { o / groups }
    /// Rows of a group's column matrix (C/g·kH·kW) and its columns (output positions).
    var k: Int { cg * kh * kw }
    var l: Int { oh * ow }

    init(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: (Int, Int), padding: (Int, Int),
         dilation: (Int, Int), groups: Int) throws {
        guard x.dim == 3 || x.dim == 4 else {
            throw TorchError.runtime("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: \(shapeDescription(x.shape))")
        }
        guard weight.dim == 4 else {
            throw TorchError.runtime("weight should have at least three dimensions")
        }
        guard x.dtype == weight.dtype else {
            throw TorchError.runtime("Input type (\(x.dtype.legacyTypeName)) and weight type (\(weight.dtype.legacyTypeName)) should be the same")
        }
        if let b = bias, b.dtype != x.dtype {
            throw TorchError.runtime("Input type (\(x.dtype.legacyTypeName)) and bias type (\(b.dtype.legacyTypeName)) should be the same")
        }
        try ConvolutionArguments.validate(stride: [stride.0, stride.1], padding: [padding.0, padding.1],
                                          dilation: [dilation.0, dilation.1], outputPadding: nil, groups: groups,
                                          weightShape: weight.shape)
        let batched = x.dim == 4 ? x.shape : [1] + x.shape
        (n, c, h, w) = (batched[0], batched[1], batched[2], batched[3])
        (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        (sh, sw, ph, pw, dh, dw) = (stride.0, stride.1, padding.0, padding.1, dilation.0, dilation.1)
        self.groups = groups
        guard o % groups == 0 else {
            throw TorchError.runtime("Given groups=\(groups), expected weight to be divisible by \(groups) at dimension 0, but got weight of size \(shapeDescription(weight.shape)) instead")
        }
        guard c == weight.shape[1] * groups else {
            throw TorchError.runtime("Given groups=\(groups), weight of size \(shapeDescription(weight.shape)), expected input\(shapeDescription(x.shape)) to have \(weight.shape[1] * groups) channels, but got \(c) channels instead")
        }
        if let b = bias, b.dim != 1 || b.shape[0] != o {
            throw TorchError.runtime("Given weight of size \(shapeDescription(weight.shape)), expected bias to be 1-dimensional with \(o) elements, but got bias of size \(shapeDescription(b.shape)) instead")
        }
        // Overflow-safe extents: padded input and dilated kernel.
        let (ph2, o1) = (2 &* padding.0).addingReportingOverflow(h)
        let (pw2, o2) = (2 &* padding.1).addingReportingOverflow(w)
        let (ekh, o3) = (kh - 1).multipliedReportingOverflow(by: dilation.0)
        let (ekw, o4) = (kw - 1).multipliedReportingOverflow(by: dilation.1)
        guard !(o1 || o2 || o3 || o4), padding.0 < Int.max / 4, padding.1 < Int.max / 4 else {
            throw TorchError.runtime("conv2d: arguments are too large")
        }
        guard ekh + 1 <= ph2 && ekw + 1 <= pw2 else {
            throw TorchError.runtime("Calculated padded input size per channel: (\(ph2) x \(pw2)). Kernel size: (\(ekh + 1) x \(ekw + 1)). Kernel size can't be greater than actual input size")
        }
        oh = (ph2 - ekh - 1) / sh + 1
        ow = (pw2 - ekw - 1) / sw + 1
        // The output and the column buffer must be allocatable; Storage checks the output.
        _ = try checkedElementCount([k, l])
    }
}

/// Forces how many sample ranges conv2d runs in parallel (tests set it to exercise the split).
nonisolated(unsafe) var convPartsOverride: Int? = nil

/// How many contiguous sample ranges to run in parallel when the batch has enough work: a few
/// per core, so a core that gets descheduled on a busy machine doesn't hold up the others (the pool
/// hands out ranges as threads become free). Else one (the gemms then split over the cores).
func sampleParts(_ g: ConvGeometry) -> Int {
    if let forced = convPartsOverride { return Swift.max(1, Swift.min(g.n, forced)) }
    return g.n * g.o * g.k * g.l >= 1 << 21 && kernelThreads > 1 ? Swift.min(g.n, 4 * kernelThreads) : 1
}

/// Runs `body(samples, part)` for `parts` contiguous ranges of `0..<n`, in parallel when `parts > 1`.
func forEachSampleRange(_ n: Int, parts: Int, _ body: (Range<Int>, Int) -> Void) {
    parallelParts(parts) { p in body(partRange(p, of: parts, count: n), p) }
}

/// The calling thread's scratch buffer; `ensureScratch` checked the size beforehand on the
/// calling thread, so the request can't fail here.
func scratch<T>(_ slot: ScratchCache.Slot, _ count: Int, _: T.Type) -> UnsafeMutablePointer<T>? {
    try? ScratchCache.current.buffer(slot, count: count, of: T.self)
}

/// Samples per chunk of the batched im2col path: its buffers (columns, their gradient, the
/// output rows) stay near `tapChunkElements`.
private func im2colChunkSize(_ g: ConvGeometry) -> Int {
    let perSample = (2 * g.k + g.og) * g.l
    return Swift.max(1, Swift.min(g.n, tapChunkOverride ?? (tapChunkElements / Swift.max(perSample, 1))))
}

/// The whole batch's im2col columns `[K, N·L]`, kept from the forward for the weight gradient
/// (which otherwise unfolds the input again), when the convolution runs im2col in one group and
/// the columns take at most `keptColumnsElements`; nil otherwise.
private func keptColumns(_ g: ConvGeometry, _ algorithm: ConvAlgorithm, dtype: DType) throws -> Tensor? {
    guard algorithm == .im2col, g.groups == 1, g.k * g.n * g.l <= keptColumnsElements else { return nil }
    return try Tensor(shape: [g.k, g.n * g.l], dtype: dtype, zeroed: false)
}

/// The most column elements a convolution keeps for its backward (32 MB of float32: a
/// resnet18 training step at batch 16, 64×64, keeps ~40 MB in all). Tests set 0 to recompute.
nonisolated(unsafe) var keptColumnsElements = 1 << 23

/// im2col of samples `samples` of group `grp` into `cols` `[K, S·L]` (sample si at columns
/// si·L…, rows `ld` apart), samples split over the cores — or, with fewer samples than cores
/// (batch 1), each sample's channels; through `gather`'s table when there is one.
private func im2colChunk<T: KernelFloat>(_ g: ConvGeometry, _ x: UnsafeMutablePointer<T>, _ samples: Range<Int>, _ grp: Int,
                                         _ cols: UnsafeMutablePointer<T>, _ gather: ColumnGather?, ld: Int) {
    let threads = g.k * ld >= 1 << 15 ? kernelThreads : 1
    let channelParts = samples.count < threads ? Swift.min(g.cg, threads) : 1
    let parts = channelParts > 1 ? channelParts : Swift.min(threads, samples.count)
    let taps = g.kh * g.kw
    parallelParts(parts) { p in
        let sampleRange = channelParts > 1 ? 0..<samples.count : partRange(p, of: parts, count: samples.count)
        let channels = channelParts > 1 ? partRange(p, of: parts, count: g.cg) : 0..<g.cg
        for si in sampleRange {
            let planes = x + ((samples.lowerBound + si) * g.c + grp * g.cg + channels.lowerBound) * g.h * g.w
            let to = cols + si * g.l + channels.lowerBound * taps * ld
            if let gather { gather.unfold(planes, into: to, ld: ld, channels: channels.count) } else { im2col(planes, g, to, ld: ld, channels: channels.count) }
        }
    }
}

/// Per chunk of samples and group: im2col of every sample side by side into `cols` `[K, S·L]`,
/// one gemm `W_g · cols` (small outputs, such as a ResNet's strided convolutions at 2×2, get
/// S·L columns instead of L), then the rows copied into place with the bias. With `kept`
/// (`[K, N·L]`), the columns go there, each chunk at its samples' columns, for the backward.
private func convForward<T: KernelFloat>(_: T.Type, _ g: ConvGeometry, _ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ out: Tensor,
                                         relu: Bool, keeping kept: Tensor?) throws {
    if kept == nil && T.self == Float.self && useTapConvKernel, let phases = PhaseLayout(g) {
        return try phaseConvForward(phases, x, w, bias, out, relu: relu)
    }
    let chunk = im2colChunkSize(g), cache = ScratchCache.current, gather = ColumnGather(g)
    let columnBase = try kept?.elements(T.self) ?? cache.buffer(.columns, count: g.k * chunk * g.l, of: T.self)
    let rows = try cache.buffer(.wideOutput, count: g.og * chunk * g.l, of: T.self)
    let xp = x.elements(T.self), wp = w.elements(T.self), op = out.elements(T.self)
    let bp = try bias?.dense().elements(T.self)
    let l = g.l
    for start in stride(from: 0, to: g.n, by: chunk) where !KernelCancellation.shouldStop {
        let samples = start..<Swift.min(g.n, start + chunk), ld = samples.count * l
        let (cols, colsLD) = kept != nil ? (columnBase + start * l, g.n * l) : (columnBase, ld)
        for grp in 0..<g.groups {
            im2colChunk(g, xp, samples, grp, cols, gather, ld: colsLD)
            gemm(matrixBlock(wp + grp * g.og * g.k, g.og, g.k, ld: g.k), matrixBlock(cols, g.k, ld, ld: colsLD),
                 matrixBlock(rows, g.og, ld, ld: ld), beta: 0)
            let parts = g.og * ld >= 1 << 15 ? kernelThreads : 1
            parallelParts(parts) { p in
                for r in partRange(p, of: parts, count: g.og) {
                    let b = bp.map { $0[grp * g.og + r] }
                    for (si, s) in samples.enumerated() {
                        let to = op + (s * g.o + grp * g.og + r) * l, from = rows + r * ld + si * l
                        if relu { biasReLURow(to, from, b, l) } else { biasRow(to, from, b, l) }
                    }
                }
            }
        }
    }
}

/// `gb = Σ gOut`; per chunk of samples and group: gOut's rows side by side `[O/g, S·L]`, then
/// `gW_g += gOut · colsᵀ` (the minibatch summed inside the gemm; the forward's kept `columns`,
/// else recomputed) and `gCols = W_gᵀ · gOut`, scattered back by col2im.
private func convBackward<T: KernelFloat>(_: T.Type, _ g: ConvGeometry, _ x: Tensor, _ w: Tensor, _ gOut: Tensor, _ mask: Tensor?,
                                          _ gx: Tensor?, _ gw: Tensor?, _ gb: Tensor?, _ algorithm: ConvAlgorithm,
                                          columns kept: Tensor?) throws {
    let l = g.l
    let xp = x.elements(T.self), wp = w.elements(T.self), gop = gOut.elements(T.self)
    if algorithm == .tapGemms && (gw != nil || gx != nil || mask != nil) {
        return try tapConvBackward(T.self, g, x, w, gOut, mask, gx, gw, gb)
    }
    if (algorithm == .wideColumns || algorithm == .sampleTaps) && (gw != nil || gx != nil || mask != nil) {
        return try wideConvBackward(T.self, g, algorithm, x, w, gOut, mask, gx, gw, gb)
    }
    if let gb {
        let bp = gb.elements(T.self)
        for s in 0..<g.n { for r in 0..<g.o { bp[r] += sumRow(gop + (s * g.o + r) * l, l) } }
    }
    if gw == nil && gx == nil { return }
    let chunk = im2colChunkSize(g), cache = ScratchCache.current, gather = ColumnGather(g)
    let columnBase = gw == nil ? nil : try kept?.elements(T.self) ?? cache.buffer(.columns, count: g.k * chunk * l, of: T.self)
    let gcols = gx != nil ? try cache.buffer(.columnGrad, count: g.k * chunk * l, of: T.self) : nil
    let rows = try cache.buffer(.wideOutput, count: g.og * chunk * l, of: T.self)
    let gxp = gx?.elements(T.self), gwp = gw?.elements(T.self)
    for start in stride(from: 0, to: g.n, by: chunk) where !KernelCancellation.shouldStop {
        let samples = start..<Swift.min(g.n, start + chunk), ld = samples.count * l
        for grp in 0..<g.groups {
            let copyParts = g.og * ld >= 1 << 15 ? Swift.min(kernelThreads, g.og) : 1
            parallelParts(copyParts) { p in
                for r in partRange(p, of: copyParts, count: g.og) {
                    for (si, s) in samples.enumerated() { copyRow(rows + r * ld + si * l, gop + (s * g.o + grp * g.og + r) * l, l) }
                }
            }
            let gRows = matrixBlock(rows, g.og, ld, ld: ld)
            if let gwp, let columnBase {
                let cols = kept != nil ? matrixBlock(columnBase + start * l, g.k, ld, ld: g.n * l) : matrixBlock(columnBase, g.k, ld, ld: ld)
                if kept == nil { im2colChunk(g, xp, samples, grp, columnBase, gather, ld: ld) }
                gemm(gRows, cols.transposed, matrixBlock(gwp + grp * g.og * g.k, g.og, g.k, ld: g.k), beta: start == 0 ? 0 : 1)
            }
            if let gxp, let gcols {
                gemm(matrixBlock(wp + grp * g.og * g.k, g.og, g.k, ld: g.k).transposed, gRows, matrixBlock(gcols, g.k, ld, ld: ld), beta: 0)
                let parts = g.k * ld >= 1 << 15 ? Swift.min(kernelThreads, samples.count) : 1
                parallelParts(parts) { p in
                    for si in partRange(p, of: parts, count: samples.count) {
                        let planes = gxp + ((samples.lowerBound + si) * g.c + grp * g.cg) * g.h * g.w
                        if let gather { gather.fold(gcols + si * l, into: planes, ld: ld) } else { col2im(gcols + si * l, g, planes, ld: ld) }
                    }
                }
            }
        }
    }
}

/// `dst[i] = src[i]` for `n` elements, four lanes at a time: im2col's rows are short, and a
/// `memmove` call per row costs more than the copy.
@inline(__always)
private func copyRow<T: KernelFloat>(_ dst: UnsafeMutablePointer<T>, _ src: UnsafeMutablePointer<T>, _ n: Int) {
    var i = 0
    while i + 4 <= n {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD4<T>.self), as: SIMD4<T>.self)
        i += 4
    }
    while i < n { dst[i] = src[i]; i += 1 }
}

/// `dst[c] = src[2c]` for `c` in `range`, eight at a time from sixteen loaded neighbours (a
/// stride-2 convolution's unfold); the last element alone, so nothing past `src[2·(upper−1)]` is
/// read.
@inline(__always)
private func copyEvenElements<T: KernelFloat>(_ dst: UnsafeMutablePointer<T>, _ src: UnsafeMutablePointer<T>, _ range: Range<Int>) {
    var c = range.lowerBound
    while c + 8 < range.upperBound {
        UnsafeMutableRawPointer(dst + c).storeBytes(of: UnsafeRawPointer(src + 2 * c).loadUnaligned(as: SIMD16<T>.self).evenHalf, as: SIMD8<T>.self)
        c += 8
    }
    while c < range.upperBound { dst[c] = src[2 * c]; c += 1 }
}

/// `dst[i] += src[i]` for `n` elements, four lanes at a time.
@inline(__always)
func accumulateRow<T: KernelFloat>(_ dst: UnsafeMutablePointer<T>, _ src: UnsafeMutablePointer<T>, _ n: Int) {
    var i = 0
    while i + 4 <= n {
        let v = UnsafeRawPointer(dst + i).loadUnaligned(as: SIMD4<T>.self) + UnsafeRawPointer(src + i).loadUnaligned(as: SIMD4<T>.self)
        UnsafeMutableRawPointer(dst + i).storeBytes(of: v, as: SIMD4<T>.self)
        i += 4
    }
    while i < n { dst[i] += src[i]; i += 1 }
}

/// Σ src[0..<n] with four partial sums.
@inline(__always)
func sumRow<T: KernelFloat>(_ src: UnsafeMutablePointer<T>, _ n: Int) -> T {
    var acc = SIMD4<T>(repeating: 0)
    var i = 0
    while i + 4 <= n { acc += UnsafeRawPointer(src + i).loadUnaligned(as: SIMD4<T>.self); i += 4 }
    var s = acc.sum()
    while i < n { s += src[i]; i += 1 }
    return s
}

/// The valid output columns `lo..<hi` for kernel offset `off` along one axis: positions
/// `o·stride + off` that fall inside `0..<size`.
@inline(__always)
private func validRange(offset off: Int, stride: Int, size: Int, outSize: Int) -> (Int, Int) {
    // smallest o with o·stride + off >= 0, and first o with o·stride + off >= size
    let lo = off >= 0 ? 0 : (-off + stride - 1) / stride
    let hi = size - off <= 0 ? 0 : (size - off + stride - 1) / stride
    return (Swift.min(lo, outSize), Swift.max(Swift.min(hi, outSize), Swift.min(lo, outSize)))
}

/// Unfolds the first `channels` planes `[channels, H, W]` of a sample-group into `col`
/// `[channels·kH·kW, OH·OW]` whose rows are `ld` apart (zeros for padding).
func im2col<T: KernelFloat>(_ x: UnsafeMutablePointer<T>, _ g: ConvGeometry, _ col: UnsafeMutablePointer<T>, ld: Int, channels: Int) {
    let oh = g.oh, ow = g.ow, hw = g.h * g.w
    var row = col
    for ch in 0..<channels {
        let plane = x + ch * hw
        for ki in 0..<g.kh {
            let offH = ki * g.dh - g.ph
            let (hLo, hHi) = validRange(offset: offH, stride: g.sh, size: g.h, outSize: oh)
            for kj in 0..<g.kw {
                let offW = kj * g.dw - g.pw
                let (wLo, wHi) = validRange(offset: offW, stride: g.sw, size: g.w, outSize: ow)
                for r in 0..<oh {
                    let dst = row + r * ow
                    guard r >= hLo && r < hHi else {
                        dst.update(repeating: 0, count: ow)
                        continue
                    }
                    let src = plane + (r * g.sh + offH) * g.w + offW
                    if wLo > 0 { dst.update(repeating: 0, count: wLo) }
                    if g.sw == 1 {
                        copyRow(dst + wLo, src + wLo, wHi - wLo)
                    } else if g.sw == 2 {
                        copyEvenElements(dst, src, wLo..<wHi)
                    } else {
                        for c in wLo..<wHi { dst[c] = src[c * g.sw] }
                    }
                    if wHi < ow { (dst + wHi).update(repeating: 0, count: ow - wHi) }
                }
                row += ld
            }
        }
    }
}

/// Adds the columns `col` `[C/g·kH·kW, OH·OW]` (rows `ld` apart) back into a sample-group's
/// input gradient.
func col2im<T: KernelFloat>(_ col: UnsafeMutablePointer<T>, _ g: ConvGeometry, _ gx: UnsafeMutablePointer<T>, ld: Int) {
    let oh = g.oh, ow = g.ow, hw = g.h * g.w
    var row = col
    for ch in 0..<g.cg {
        let plane = gx + ch * hw
        for ki in 0..<g.kh {
            let offH = ki * g.dh - g.ph
            let (hLo, hHi) = validRange(offset: offH, stride: g.sh, size: g.h, outSize: oh)
            for kj in 0..<g.kw {
                let offW = kj * g.dw - g.pw
                let (wLo, wHi) = validRange(offset: offW, stride: g.sw, size: g.w, outSize: ow)
                for r in hLo..<hHi {
                    let src = row + r * ow
                    let dst = plane + (r * g.sh + offH) * g.w + offW
                    if g.sw == 1 {
                        accumulateRow(dst + wLo, src + wLo, wHi - wLo)
                    } else {
                        for c in wLo..<wHi { dst[c * g.sw] += src[c] }
                    }
                }
                row += ld
            }
        }
    }
}
