/// Stride-1 convolutions on a "wide" layout that reads the input where it lies.
///
/// With stride 1, output position (r, c) reads input (r + ki·dh, c + kj·dw) for tap (ki, kj).
/// Numbering output positions on the (padded) input's grid, p = r·Wp + c — "wide" rows whose
/// columns c ≥ OW are junk — tap (ki, kj) reads input element p + ki·dh·Wp + kj·dw: for every tap
/// the same `[C, N]` matrix shifted, rows Hp·Wp apart. Three ways to use that:
///
/// - `.tapGemms`: one gemm per tap, straight from the shifted input, batched across samples
///   (ConvolutionTaps.swift). Used when C per group is large enough for K = C to keep OpenBLAS's
///   kernel busy (measured: K = 16 runs as fast as K = 144; K = 3 four times slower).
/// - `.sampleTaps`: the same per-tap gemms, one sample at a time, samples split over the cores
///   (here). For large planes with fewer than 64 channels: a sample's wide output stays in L2,
///   where a batched chunk's does not, and the per-thread weight gradients are small.
/// - `.wideColumns`: im2col on the wide layout, whose rows are the shifted input copied whole
///   (one contiguous copy per row instead of one per output row), then one gemm with
///   K = C·kH·kW; col2im likewise adds whole rows. For few input channels (a network's first layer).
///
/// Both compute the junk columns too (Wp/OW more arithmetic) and drop them when copying the wide
/// output into place. N = (OH−1)·Wp + OW columns, so the last tap's last read is element
/// Hp·Wp − 1: every access stays inside its sample's plane. Strided convolutions, and small planes
/// where the junk columns would be 40% or more of the work, use `.im2col`.
/// One difference from im2col: junk columns multiply zeros by real inputs and weights, so an
/// infinite input or weight turns a few more gradient entries into NaN (0·∞) than PyTorch's.
enum ConvAlgorithm { case im2col, wideColumns, tapGemms, sampleTaps }

/// Forces the algorithm of stride-1 convolutions (tests run all four); nil lets
/// `convAlgorithm` decide.
nonisolated(unsafe) var convAlgorithmOverride: ConvAlgorithm? = nil

/// The algorithm conv2d uses for `g`.
func convAlgorithm(_ g: ConvGeometry) -> ConvAlgorithm {
    guard g.sh == 1 && g.sw == 1 else { return .im2col }
    // The wide buffers (padded planes, wide rows, wide columns) must be allocatable; else
    // im2col runs and reports the error.
    let t = WideLayout(g, .wideColumns)
    guard (try? checkedElementCount([Swift.max(g.cg * g.kh * g.kw, g.og), t.hp, t.wp])) != nil else { return .im2col }
    if let forced = convAlgorithmOverride { return forced }
    guard g.cg >= 8 else { return .wideColumns }
    // Small planes: the wide layout computes Hp·Wp columns per sample for OH·OW outputs (a
    // ResNet's 2×2 layer4 output at 64×64 input: 16 for 4), while im2col's single gemm
    // (K = C·kH·kW, samples side by side) computes only the valid ones; its column copies cost
    // less than the junk once the padded plane is 1.4 times the output or more.
    if 5 * t.plane >= 7 * g.l { return .im2col }
    // `.tapGemms` batches samples so small planes get long gemms; a large plane with few channels
    // gains nothing from it and its wide output falls out of L2 (Conv2d(16, 32, 3) on 30×30:
    // 9.5–12 ms forward+backward for 32 samples, 6.5 as `.wideColumns`, 5.3-5.8 per sample; Zen 4).
    return g.cg < 64 && t.plane > 256 ? .sampleTaps : .tapGemms
}

/// The wide layout of one `.wideColumns` or `.sampleTaps` convolution (see `ConvAlgorithm`).
struct WideLayout {
    let g: ConvGeometry
    /// `.sampleTaps`: per-tap gemms on the padded planes instead of wide columns.
    let perTap: Bool
    /// Padded input extents.
    let hp, wp: Int
    var padded: Bool { g.ph > 0 || g.pw > 0 }
    var plane: Int { hp * wp }
    /// Wide output columns each gemm computes, and the row stride of wide output buffers.
    var n: Int { (g.oh - 1) * wp + g.ow }
    var wideRows: Int { g.oh * wp }
    var taps: Int { g.kh * g.kw }

    init(_ g: ConvGeometry, _ algorithm: ConvAlgorithm) {
        self.g = g
        perTap = algorithm == .sampleTaps
        (hp, wp) = (g.h + 2 * g.ph, g.w + 2 * g.pw)
    }

    /// Where tap `t` starts reading in a padded plane.
    func offset(tap t: Int) -> Int { (t / g.kw) * g.dh * wp + (t % g.kw) * g.dw }
    /// Per-tap weight `[taps, O, C/g]` index of (o, ch, tap).
    func packedIndex(_ o: Int, _ ch: Int, _ tap: Int) -> Int { (tap * g.o + o) * g.cg + ch }
}

/// Copies one sample-group `[C/g, H, W]` into the zero-bordered `[C/g, Hp, Wp]` buffer `dst`.
private func padPlanes<T: KernelFloat>(_ src: UnsafeMutablePointer<T>, _ t: WideLayout, _ dst: UnsafeMutablePointer<T>) {
    let g = t.g
    dst.update(repeating: 0, count: g.cg * t.plane)
    for ch in 0..<g.cg {
        for r in 0..<g.h {
            (dst + ch * t.plane + (r + g.ph) * t.wp + g.pw).update(from: src + (ch * g.h + r) * g.w, count: g.w)
        }
    }
}

/// Reserves the calling thread's buffers for `t` (threads of a parallel split then get theirs
/// without failing: the sizes were checked here). `forward` reserves the forward pass's.
private func reserveScratch<T>(_ t: WideLayout, _: T.Type, needX: Bool, needW: Bool) throws {
    let g = t.g, cache = ScratchCache.current
    _ = try cache.buffer(.wideOutput, count: g.og * t.wideRows, of: T.self)
    if t.padded && needW { _ = try cache.buffer(.paddedInput, count: g.cg * t.plane, of: T.self) }
    if t.padded && needX { _ = try cache.buffer(.paddedInputGrad, count: g.cg * t.plane, of: T.self) }
    if !t.perTap && needW { _ = try cache.buffer(.columns, count: g.k * t.n, of: T.self) }
    if !t.perTap && needX { _ = try cache.buffer(.columnGrad, count: g.k * t.n, of: T.self) }
}

/// The gemms' weights: `[taps, O, C/g]` (each tap's matrix contiguous, from `TapWeightCache`:
/// hold the returned entry while reading) for `.sampleTaps`, else the weight itself.
private func gemmWeights<T: KernelFloat>(_ w: Tensor, _ t: WideLayout) throws -> (UnsafeMutablePointer<T>, TapWeightCache.Entry?) {
    guard t.perTap else { return (w.elements(T.self), nil) }
    let packed = try TapWeightCache.shared.weights(w, taps: t.taps, of: T.self)
    return (packed.pointer(T.self), packed)
}

/// Per-thread state of a wide convolution: the thread's scratch buffers and where a
/// sample-group's planes are.
private struct WideWorker<T: KernelFloat> {
    let t: WideLayout
    let wide: UnsafeMutablePointer<T>
    let xpad, gxpad, cols, gcols: UnsafeMutablePointer<T>?

    init?(_ t: WideLayout, needX: Bool, needW: Bool) {
        let g = t.g
        guard let wide = scratch(.wideOutput, g.og * t.wideRows, T.self) else { return nil }
        self.t = t
        self.wide = wide
        xpad = t.padded && needW ? scratch(.paddedInput, g.cg * t.plane, T.self) : nil
        gxpad = t.padded && needX ? scratch(.paddedInputGrad, g.cg * t.plane, T.self) : nil
        cols = !t.perTap && needW ? scratch(.columns, g.k * t.n, T.self) : nil
        gcols = !t.perTap && needX ? scratch(.columnGrad, g.k * t.n, T.self) : nil
    }

    /// The sample-group's input planes as the gemms read them (padded when needed).
    func input(_ src: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
        guard let xpad else { return src }
        padPlanes(src, t, xpad)
        return xpad
    }

    /// The wide column matrix `[C/g·kH·kW, N]` of `planes`: row (ch, tap) is the plane shifted.
    func columns(_ planes: UnsafeMutablePointer<T>, into cols: UnsafeMutablePointer<T>) {
        for ch in 0..<t.g.cg {
            for tap in 0..<t.taps {
                (cols + (ch * t.taps + tap) * t.n).update(from: planes + ch * t.plane + t.offset(tap: tap), count: t.n)
            }
        }
    }
}

/// Forward of `.wideColumns` and `.sampleTaps`: per sample-group, the wide columns and one gemm,
/// or one gemm per tap.
func wideConvForward<T: KernelFloat>(_: T.Type, _ g: ConvGeometry, _ algorithm: ConvAlgorithm, _ x: Tensor, _ w: Tensor,
                                     _ bias: Tensor?, _ out: Tensor, relu: Bool) throws {
    let t = WideLayout(g, algorithm)
    let (wp, packed): (UnsafeMutablePointer<T>, _) = try gemmWeights(w, t)
    defer { withExtendedLifetime(packed) {} }
    try reserveScratch(t, T.self, needX: false, needW: true)
    let xp = x.elements(T.self), op = out.elements(T.self)
    let bp = try bias?.dense().elements(T.self)
    let parts = sampleParts(g)
    forEachSampleRange(g.n, parts: parts) { samples, _ in
        guard let worker = WideWorker<T>(t, needX: false, needW: true) else { return }
        let wide = worker.wide
        let c = matrixBlock(wide, g.og, t.n, ld: t.wideRows)
        for s in samples where !KernelCancellation.shouldStop {
            for grp in 0..<g.groups {
                let src = worker.input(xp + (s * g.c + grp * g.cg) * g.h * g.w)
                if let cols = worker.cols {
                    worker.columns(src, into: cols)
                    gemm(matrixBlock(wp + grp * g.og * g.k, g.og, g.k, ld: g.k), matrixBlock(cols, g.k, t.n, ld: t.n), c, beta: 0, serial: parts > 1)
                } else {
                    for tap in 0..<t.taps {
                        gemm(matrixBlock(wp + t.packedIndex(grp * g.og, 0, tap), g.og, g.cg, ld: g.cg),
                             matrixBlock(src + t.offset(tap: tap), g.cg, t.n, ld: t.plane), c, beta: tap == 0 ? 0 : 1, serial: parts > 1)
                    }
                }
                // Keep the valid columns of each wide row, adding the bias (and applying a fused ReLU).
                let dst = op + (s * g.o + grp * g.og) * g.l
                for r in 0..<g.og {
                    let b = bp.map { $0[grp * g.og + r] }
                    for row in 0..<g.oh {
                        let from = wide + r * t.wideRows + row * t.wp, to = dst + r * g.l + row * g.ow
                        if relu { biasReLURow(to, from, b, g.ow) } else { biasRow(to, from, b, g.ow) }
                    }
                }
            }
        }
    }
}

/// Backward of `wideConvForward` for `gx`, `gw` and `gb`. Per sample-group, gOut is widened
/// (zero junk columns) once, masked by a fused ReLU's output `mask` (`0 < y ? g : 0`) and summed
/// into the bias gradient on the way; then `gW += gOut_wide · colsᵀ` and `gX += Wᵀ · gOut_wide`
/// through the wide columns, or per tap. Weight and bias gradients are summed per part (these are
/// layers with few input channels: small weights), then added up at the end.
func wideConvBackward<T: KernelFloat>(_: T.Type, _ g: ConvGeometry, _ algorithm: ConvAlgorithm, _ x: Tensor, _ w: Tensor,
                                      _ gOut: Tensor, _ mask: Tensor?, _ gx: Tensor?, _ gw: Tensor?, _ gb: Tensor?) throws {
    let t = WideLayout(g, algorithm)
    let needX = gx != nil, needW = gw != nil
    let (wp, packed): (UnsafeMutablePointer<T>, _) = try gemmWeights(w, t)
    defer { withExtendedLifetime(packed) {} }
    try reserveScratch(t, T.self, needX: needX, needW: needW)
    let parts = sampleParts(g)
    // Per-thread weight gradients (in the gemms' weight layout) followed by bias gradients.
    let wSize = needW ? g.o * g.k : 0, partSize = wSize + (gb != nil ? g.o : 0)
    let partials = partSize > 0 ? try Tensor(shape: [parts, partSize], dtype: w.dtype, zeroed: true) : nil
    let xp = x.elements(T.self), gop = gOut.elements(T.self), maskp = mask?.elements(T.self)
    let gxp = gx?.elements(T.self), pp = partials?.elements(T.self)
    forEachSampleRange(g.n, parts: parts) { samples, part in
        guard let worker = WideWorker<T>(t, needX: needX, needW: needW) else { return }
        let wide = worker.wide
        let gWide = matrixBlock(wide, g.og, t.n, ld: t.wideRows)
        let biasPart = gb != nil ? pp.map { $0 + part * partSize + wSize } : nil
        for s in samples where !KernelCancellation.shouldStop {
            for grp in 0..<g.groups {
                let rowsStart = (s * g.o + grp * g.og) * g.l
                for r in 0..<g.og {
                    var rowSum: T = 0
                    for row in 0..<g.oh {
                        let to = wide + r * t.wideRows + row * t.wp, from = gop + rowsStart + r * g.l + row * g.ow
                        if let maskp {
                            reluGradRow(to, from, maskp + rowsStart + r * g.l + row * g.ow, g.ow)
                        } else {
                            to.update(from: from, count: g.ow)
                        }
                        (to + g.ow).update(repeating: 0, count: t.wp - g.ow)
                        if biasPart != nil { rowSum += sumRow(to, g.ow) }
                    }
                    biasPart?[grp * g.og + r] += rowSum
                }
                let planeStart = (s * g.c + grp * g.cg) * g.h * g.w
                if needW, let pp {
                    let src = worker.input(xp + planeStart), gwPart = pp + part * partSize
                    if let cols = worker.cols {
                        worker.columns(src, into: cols)
                        gemm(gWide, matrixBlock(cols, g.k, t.n, ld: t.n).transposed,
                             matrixBlock(gwPart + grp * g.og * g.k, g.og, g.k, ld: g.k), beta: 1, serial: parts > 1)
                    } else {
                        for tap in 0..<t.taps {
                            gemm(gWide, matrixBlock(src + t.offset(tap: tap), g.cg, t.n, ld: t.plane).transposed,
                                 matrixBlock(gwPart + t.packedIndex(grp * g.og, 0, tap), g.og, g.cg, ld: g.cg), beta: 1, serial: parts > 1)
                        }
                    }
                }
                if let gxp {
                    let dst = worker.gxpad ?? (gxp + planeStart)
                    if let gxpad = worker.gxpad { gxpad.update(repeating: 0, count: g.cg * t.plane) }
                    if let gcols = worker.gcols {
                        gemm(matrixBlock(wp + grp * g.og * g.k, g.og, g.k, ld: g.k).transposed, gWide,
                             matrixBlock(gcols, g.k, t.n, ld: t.n), beta: 0, serial: parts > 1)
                        for ch in 0..<g.cg {
                            for tap in 0..<t.taps {
                                accumulateRow(dst + ch * t.plane + t.offset(tap: tap), gcols + (ch * t.taps + tap) * t.n, t.n)
                            }
                        }
                    } else {
                        for tap in 0..<t.taps {
                            gemm(matrixBlock(wp + t.packedIndex(grp * g.og, 0, tap), g.og, g.cg, ld: g.cg).transposed, gWide,
                                 matrixBlock(dst + t.offset(tap: tap), g.cg, t.n, ld: t.plane), beta: 1, serial: parts > 1)
                        }
                    }
                    if let gxpad = worker.gxpad {
                        for ch in 0..<g.cg {
                            for r in 0..<g.h {
                                (gxp + planeStart + (ch * g.h + r) * g.w)
                                    .update(from: gxpad + ch * t.plane + (r + g.ph) * t.wp + g.pw, count: g.w)
                            }
                        }
                    }
                }
            }
        }
    }
    guard let pp else { return }
    if let gw {
        let gwp = gw.elements(T.self)
        if t.perTap {
            for part in 1..<Swift.max(parts, 1) { accumulateRow(pp, pp + part * partSize, wSize) }
            transposeTaps(pp, gwp, rows: g.o * g.cg, taps: t.taps, inverse: true)
        } else {
            for part in 0..<parts { accumulateRow(gwp, pp + part * partSize, wSize) }
        }
    }
    if let gb {
        let bp = gb.elements(T.self)
        for part in 0..<parts { for r in 0..<g.o { bp[r] += pp[part * partSize + wSize + r] } }
    }
}

/// `dst[i] = src[i] + b`, or a plain copy without a bias (adding 0 would turn -0 into +0).
@inline(__always)
func biasRow<T: KernelFloat>(_ dst: UnsafeMutablePointer<T>, _ src: UnsafeMutablePointer<T>, _ b: T?, _ n: Int) {
    guard let b else { return dst.update(from: src, count: n) }
    for i in 0..<n { dst[i] = src[i] + b }
}

/// `dst[i] = relu(src[i] + b)` (`relu(src[i])` without a bias, so -0 stays -0; NaN kept, as
/// `ReluOp`), four lanes at a time without branches: a data-dependent branch per element
/// mispredicts about half the time.
@inline(__always)
func biasReLURow<T: KernelFloat>(_ dst: UnsafeMutablePointer<T>, _ src: UnsafeMutablePointer<T>, _ b: T?, _ n: Int) {
    let add = b ?? 0, hasBias = b != nil
    var i = 0
    while i + 4 <= n {
        let loaded = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD4<T>.self)
        let v = hasBias ? loaded + add : loaded
        // Zero where v < 0; -0, NaN and positive values stay.
        UnsafeMutableRawPointer(dst + i).storeBytes(of: v.replacing(with: 0, where: v .< 0), as: SIMD4<T>.self)
        i += 4
    }
    while i < n { dst[i] = ReluOp().apply(hasBias ? src[i] + add : src[i]); i += 1 }
}

/// `dst[i] = y[i] <= 0 ? 0 : g[i]` (ReLU's backward given its output `y`, as `ReluGradOp`: a
/// NaN output passes its gradient), four lanes at a time without branches.
@inline(__always)
func reluGradRow<T: KernelFloat>(_ dst: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
    var i = 0
    while i + 4 <= n {
        let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD4<T>.self), yv = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD4<T>.self)
        UnsafeMutableRawPointer(dst + i).storeBytes(of: gv.replacing(with: 0, where: yv .<= 0), as: SIMD4<T>.self)
        i += 4
    }
    while i < n { dst[i] = y[i] <= 0 ? 0 : g[i]; i += 1 }
}
