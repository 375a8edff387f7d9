import CKernels

/// `.tapGemms`: stride-1 convolutions with many input channels as one gemm per kernel tap on the
/// wide layout of ConvolutionWide.swift, batched across samples.
///
/// A chunk of S samples of one group is copied once into zero-bordered planes laid out
/// channel-major, `Xpad [C/g, S·Hp·Wp]` (sample s at columns s·Hp·Wp…), so each tap's input
/// matrix `X_tap` is `Xpad` shifted by the tap's offset, across all S samples at once. With the
/// weights rearranged per tap (`W_tap = weight[:, :, ki, kj]`, `[O/g, C/g]`):
///
///     out_wide  = Σ_taps W_tap · X_tap            [O/g, S·Hp·Wp]
///     gW_tap   += gOut_wide · X_tapᵀ               (k = S·Hp·Wp: the minibatch summed inside the gemm)
///     gXpad_tap += W_tapᵀ · gOut_wide              (into the shifted input gradient)
///
/// gOut_wide is gOut with zero junk columns and rows. Columns run to (S−1)·Hp·Wp + (OH−1)·Wp + OW,
/// so the last tap's last read is column S·Hp·Wp − 1. Small planes (a ResNet's last layers: a 2×2
/// output is 6 columns per sample) thus get gemms with hundreds of columns, and the weight gradient
/// needs no per-thread partial buffers: each thread owns rows (or columns) of every `gW_tap`.
/// One parallel region per step; samples are chunked so the chunk's buffers stay near
/// `tapChunkElements`. On AVX2 CPUs the float32 forward sums all taps at once in registers
/// (`nn_tap_conv_f32`, CKernels/tap_conv.c, weights packed once per weight version in
/// `TapWeightCache`) instead of one OpenBLAS call per tap (`useTapConvKernel`).
/// Elements the buffers of one chunk of samples may take (inputs, outputs and their gradients).
let tapChunkElements = 1 << 22

/// Forces the samples per chunk of `.tapGemms` (tests exercise several chunks); nil: by size.
nonisolated(unsafe) var tapChunkOverride: Int? = nil

/// The batched wide layout of one `.tapGemms` convolution.
struct TapLayout {
    /// One sample's padded planes and tap offsets.
    let wide: WideLayout
    /// Samples per chunk.
    let chunk: Int
    var g: ConvGeometry { wide.g }
    var hp: Int { wide.hp }
    var wp: Int { wide.wp }
    var plane: Int { wide.plane }
    var taps: Int { wide.taps }

    init(_ g: ConvGeometry, backward: Bool) {
        wide = WideLayout(g, .tapGemms)
        let perSample = (backward ? 2 * g.cg + g.og : g.cg + g.og) * wide.plane
        chunk = Swift.max(1, Swift.min(g.n, tapChunkOverride ?? (tapChunkElements / Swift.max(perSample, 1))))
    }

    /// Where tap `t` starts reading in a sample's padded plane.
    func offset(tap t: Int) -> Int { wide.offset(tap: t) }
    /// Row stride of a chunk's buffers (`s` samples).
    func ld(_ s: Int) -> Int { s * plane }
    /// Wide columns the gemms compute for `s` samples.
    func columns(_ s: Int) -> Int { (s - 1) * plane + (g.oh - 1) * wp + g.ow }
    /// Weight `[taps, O, C/g]` index of (o, ch, tap).
    func packedIndex(_ o: Int, _ ch: Int, _ tap: Int) -> Int { wide.packedIndex(o, ch, tap) }
}

/// A row-major `[rows, cols]` block with row stride `ld`.
func matrixBlock<T>(_ p: UnsafeMutablePointer<T>, _ rows: Int, _ cols: Int, ld: Int) -> StridedMatrices<T> {
    StridedMatrices(base: p, batchStrides: [], rows: rows, cols: cols, rowStride: ld, colStride: 1)
}

/// `dst[t·rows + i] = src[i·taps + t]`: `[rows, taps]` to `[taps, rows]` (the conv weight
/// `[O, C, kH, kW]` to per-tap matrices), or back when `inverse`. Tiles of 16 rows, so each tap's
/// side is a whole cache line; rows split over the cores when big.
func transposeTaps<T>(_ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, rows: Int, taps: Int, inverse: Bool = false) {
    let parts = rows * taps >= 1 << 18 ? kernelThreads : 1
    parallelParts(parts) { p in
        let r = partRange(p, of: parts, count: rows, align: 16)
        var tile = r.lowerBound
        while tile < r.upperBound {
            let end = Swift.min(tile + 16, r.upperBound)
            for t in 0..<taps {
                if inverse {
                    for i in tile..<end { dst[i * taps + t] = src[t * rows + i] }
                } else {
                    for i in tile..<end { dst[t * rows + i] = src[i * taps + t] }
                }
            }
            tile = end
        }
    }
}

/// `out [O/g, n]` (rows `ldo` apart) = Σ over the taps and channels of one group's weights
/// (`packed`: its `rowBlocks` entry) times the input `x` (channel rows `ldx` apart, tap t read
/// at `offsets[t]`), by `nn_tap_conv_f32`, split over the cores (rows at multiples of its 6-row
/// blocks, or columns).
func summedTaps(_ g: ConvGeometry, packed: UnsafeMutablePointer<Float>, offsets: [Int], x: UnsafeMutablePointer<Float>, ldx: Int,
                out: UnsafeMutablePointer<Float>, ldo: Int, n: Int) {
    let taps = offsets.count, block = Int(nn_tap_conv_block_floats(g.cg, taps))
    forEachBlock(m: g.og, n: n, work: g.og * g.cg * n * taps, rowAlign: 6) { rows, range in
        offsets.withUnsafeBufferPointer {
            nn_tap_conv_f32(packed + rows.lowerBound / 6 * block, rows.count, g.cg, taps, $0.baseAddress, x + range.lowerBound, ldx,
                            out + rows.lowerBound * ldo + range.lowerBound, ldo, range.count)
        }
    }
}

/// Splits an `[m, n]` result into `kernelThreads` blocks of rows (boundaries at multiples of
/// `rowAlign`) or of columns (when `n` is the larger) when the work is big enough;
/// `body(rows, cols)` runs once per block, in parallel.
private func forEachBlock(m: Int, n: Int, work: Int, canSplitColumns: Bool = true, rowAlign: Int = 8,
                          _ body: (Range<Int>, Range<Int>) -> Void) {
    let byRows = m >= n || !canSplitColumns
    let parts = work >= 1 << 20 ? Swift.min(kernelThreads, Swift.max(1, (byRows ? m : n) / 16)) : 1
    parallelParts(parts) { p in
        if byRows { body(partRange(p, of: parts, count: m, align: rowAlign), 0..<n) } else { body(0..<m, partRange(p, of: parts, count: n, align: 16)) }
    }
}

/// Whether `.tapGemms`' float32 forward sums its taps with `nn_tap_conv_f32` instead of one
/// OpenBLAS call per tap: on AVX2 CPUs without AVX-512, where its 8-float blocks run at
/// OpenBLAS's speed or better and it skips OpenBLAS's packing and per-tap stores (on AVX-512,
/// OpenBLAS's 16-float kernels are faster). Tests set it to compare both paths.
nonisolated(unsafe) var useTapConvKernel = CPUInfo.vectorLevel == 1

/// The row stride of the padded input `nn_tap_conv_f32` reads: `ld` rounded up to 16 floats, and
/// to an odd multiple of them, so consecutive channel rows start 64 bytes apart modulo 4 KB
/// instead of in the same few L1 sets (14×14 planes, 256 floats a row: 83 → 96 GFLOP/s on one
/// core of an AMD EPYC with AVX2).
func kernelRowStride(_ ld: Int) -> Int {
    let rounded = (ld + 15) / 16 * 16
    return (rounded / 16) % 2 == 0 ? rounded + 16 : rounded
}

/// Copies samples `samples` of group `grp` of `x` `[N, C, H, W]` into `xpad` `[C/g, S·Hp·Wp]`
/// (rows `ld` apart: `t.ld(S)` unless given), zero borders; channels split over the cores.
private func padChunk<T: KernelFloat>(_ t: TapLayout, _ x: UnsafeMutablePointer<T>, _ samples: Range<Int>, _ grp: Int,
                                      _ xpad: UnsafeMutablePointer<T>, ld rowStride: Int? = nil) {
    let g = t.g, ld = rowStride ?? t.ld(samples.count), padded = g.ph > 0 || g.pw > 0
    let parts = g.cg * ld >= 1 << 16 ? kernelThreads : 1
    parallelParts(parts) { p in
        for ch in partRange(p, of: parts, count: g.cg) {
            let row = xpad + ch * ld
            if padded { row.update(repeating: 0, count: ld) }
            for (si, s) in samples.enumerated() {
                let src = x + ((s * g.c + grp * g.cg + ch) * g.h) * g.w
                for r in 0..<g.h {
                    (row + si * t.plane + (r + g.ph) * t.wp + g.pw).update(from: src + r * g.w, count: g.w)
                }
            }
        }
    }
}

/// Forward of `.tapGemms` into `out` `[N, O, OH, OW]` (bias added, ReLU applied when fused).
func tapConvForward<T: KernelFloat>(_: T.Type, _ g: ConvGeometry, _ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ out: Tensor,
                                    relu: Bool) throws {
    let t = TapLayout(g, backward: false)
    let cache = ScratchCache.current
    let summed = T.self == Float.self && useTapConvKernel
    let packed = try TapWeightCache.shared.weights(w, taps: t.taps, of: T.self, layout: summed ? .rowBlocks(groups: g.groups) : .perTap)
    defer { withExtendedLifetime(packed) {} }
    let wp = packed.pointer(T.self)
    // nn_tap_conv_f32 reads up to 15 elements past the last tap's last column.
    let xpad = try cache.buffer(.paddedInput, count: g.cg * kernelRowStride(t.ld(t.chunk)) + 16, of: T.self)
    let wide = try cache.buffer(.wideOutput, count: g.og * t.ld(t.chunk), of: T.self)
    let xp = x.elements(T.self), op = out.elements(T.self)
    let bp = try bias?.dense().elements(T.self)
    let offsets = (0..<t.taps).map { t.offset(tap: $0) }
    let groupFloats = TapWeightCache.Layout.groupFloats(outputs: g.og, channels: g.cg, taps: t.taps)
    for start in stride(from: 0, to: g.n, by: t.chunk) where !KernelCancellation.shouldStop {
        let samples = start..<Swift.min(g.n, start + t.chunk)
        let ld = t.ld(samples.count), cols = t.columns(samples.count)
        for grp in 0..<g.groups {
            let ldx = summed ? kernelRowStride(ld) : ld
            padChunk(t, xp, samples, grp, xpad, ld: ldx)
            if summed {
                summedTaps(g, packed: floats(wp) + grp * groupFloats, offsets: offsets, x: floats(xpad), ldx: ldx,
                           out: floats(wide), ldo: ld, n: cols)
            } else {
                forEachBlock(m: g.og, n: cols, work: g.og * g.cg * cols * t.taps) { rows, range in
                    for tap in 0..<t.taps {
                        gemm(matrixBlock(wp + t.packedIndex(grp * g.og + rows.lowerBound, 0, tap), rows.count, g.cg, ld: g.cg),
                             matrixBlock(xpad + t.offset(tap: tap) + range.lowerBound, g.cg, range.count, ld: ld),
                             matrixBlock(wide + rows.lowerBound * ld + range.lowerBound, rows.count, range.count, ld: ld),
                             beta: tap == 0 ? 0 : 1, serial: true)
                    }
                }
            }
            // The valid columns of each wide row, plus the bias (and a fused ReLU).
            let parts = g.og * ld >= 1 << 16 ? kernelThreads : 1
            parallelParts(parts) { p in
                for r in partRange(p, of: parts, count: g.og) {
                    let b = bp.map { $0[grp * g.og + r] }
                    for (si, s) in samples.enumerated() {
                        let dst = op + (s * g.o + grp * g.og + r) * g.l
                        for row in 0..<g.oh {
                            let from = wide + r * ld + si * t.plane + row * t.wp, to = dst + row * g.ow
                            if relu { biasReLURow(to, from, b, g.ow) } else { biasRow(to, from, b, g.ow) }
                        }
                    }
                }
            }
        }
    }
}

/// Backward of `.tapGemms` for `gx`, `gw` and `gb` (each optional); `mask` is a fused ReLU's
/// output (`0 < y ? g : 0`).
func tapConvBackward<T: KernelFloat>(_: T.Type, _ g: ConvGeometry, _ x: Tensor, _ w: Tensor, _ gOut: Tensor, _ mask: Tensor?,
                                     _ gx: Tensor?, _ gw: Tensor?, _ gb: Tensor?) throws {
    let t = TapLayout(g, backward: true)
    let cache = ScratchCache.current
    let wSize = t.taps * g.o * g.cg
    let packed = gx != nil ? try TapWeightCache.shared.weights(w, taps: t.taps, of: T.self) : nil
    defer { withExtendedLifetime(packed) {} }
    let wp = packed?.pointer(T.self)
    let gwPacked = gw != nil ? try cache.buffer(.tapWeightGrad, count: wSize, of: T.self) : nil
    let xpad = gw != nil ? try cache.buffer(.paddedInput, count: g.cg * t.ld(t.chunk), of: T.self) : nil
    let gxpad = gx != nil ? try cache.buffer(.paddedInputGrad, count: g.cg * t.ld(t.chunk), of: T.self) : nil
    let gWide = try cache.buffer(.wideOutput, count: g.og * t.ld(t.chunk), of: T.self)
    let xp = x.elements(T.self), gop = gOut.elements(T.self), maskp = mask?.elements(T.self)
    let gxp = gx?.elements(T.self), gbp = gb?.elements(T.self)
    for start in stride(from: 0, to: g.n, by: t.chunk) where !KernelCancellation.shouldStop {
        let samples = start..<Swift.min(g.n, start + t.chunk)
        let ld = t.ld(samples.count), cols = t.columns(samples.count)
        for grp in 0..<g.groups {
            // gOut widened (zero junk), masked by a fused ReLU, summed into the bias gradient.
            let parts = g.og * ld >= 1 << 16 ? kernelThreads : 1
            parallelParts(parts) { p in
                for r in partRange(p, of: parts, count: g.og) {
                    var sum: T = 0
                    let row0 = gWide + r * ld
                    for (si, s) in samples.enumerated() {
                        let start = (s * g.o + grp * g.og + r) * g.l
                        for row in 0..<t.hp {
                            let to = row0 + si * t.plane + row * t.wp
                            guard row < g.oh else { to.update(repeating: 0, count: t.wp); continue }
                            let from = gop + start + row * g.ow
                            if let maskp { reluGradRow(to, from, maskp + start + row * g.ow, g.ow) } else { to.update(from: from, count: g.ow) }
                            (to + g.ow).update(repeating: 0, count: t.wp - g.ow)
                            if gbp != nil { sum += sumRow(to, g.ow) }
                        }
                    }
                    gbp?[grp * g.og + r] += sum
                }
            }
            if let gwPacked, let xpad {
                padChunk(t, xp, samples, grp, xpad)
                let beta: T = start == 0 ? 0 : 1
                forEachBlock(m: g.og, n: g.cg, work: g.og * g.cg * cols * t.taps) { rows, chans in
                    for tap in 0..<t.taps {
                        gemm(matrixBlock(gWide + rows.lowerBound * ld, rows.count, cols, ld: ld),
                             matrixBlock(xpad + chans.lowerBound * ld + t.offset(tap: tap), chans.count, cols, ld: ld).transposed,
                             matrixBlock(gwPacked + t.packedIndex(grp * g.og + rows.lowerBound, chans.lowerBound, tap), rows.count, chans.count, ld: g.cg),
                             beta: beta, serial: true)
                    }
                }
            }
            if let gxpad, let gxp, let wp {
                forEachBlock(m: g.cg, n: cols, work: g.og * g.cg * cols * t.taps, canSplitColumns: false) { chans, _ in
                    (gxpad + chans.lowerBound * ld).update(repeating: 0, count: chans.count * ld)
                    for tap in 0..<t.taps {
                        gemm(matrixBlock(wp + t.packedIndex(grp * g.og, chans.lowerBound, tap), g.og, chans.count, ld: g.cg).transposed,
                             matrixBlock(gWide, g.og, cols, ld: ld),
                             matrixBlock(gxpad + chans.lowerBound * ld + t.offset(tap: tap), chans.count, cols, ld: ld),
                             beta: 1, serial: true)
                    }
                    for ch in chans {
                        for (si, s) in samples.enumerated() {
                            let dst = gxp + ((s * g.c + grp * g.cg + ch) * g.h) * g.w
                            for r in 0..<g.h {
                                (dst + r * g.w).update(from: gxpad + ch * ld + si * t.plane + (r + g.ph) * t.wp + g.pw, count: g.w)
                            }
                        }
                    }
                }
            }
        }
    }
    if let gw, let gwPacked, g.n > 0 {   // an empty batch leaves gw's zeros
        transposeTaps(gwPacked, gw.elements(T.self), rows: g.o * g.cg, taps: t.taps, inverse: true)
    }
}
