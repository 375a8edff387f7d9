/// Stride-2 convolutions' float32 forward without im2col where `nn_tap_conv_f32` runs
/// (`useTapConvKernel`): the zero-bordered input is split into its four phases (even or odd
/// rows × even or odd columns, each `[C, Hq, Wq]`, Hq = ⌈Hp/2⌉), so tap (ki, kj) reads phase
/// (ki mod 2, kj mod 2) shifted by (⌊ki/2⌋, ⌊kj/2⌋): a stride-1 tap on planes of Wq-wide rows.
/// The kernel sums every tap in registers into wide rows `[O, OH·Wq]` (each row's last
/// Wq − OW columns are junk), and the valid columns are copied out with the bias. Taken when
/// no columns are kept for a weight gradient (inference; a training step's im2col keeps them
/// for its backward), for one group, no dilation and kernels larger than 1×1 (a 1×1 kernel
/// reads one phase of four: slower than im2col); a batch runs sample by sample. At batch 1 it
/// replaces im2col's unfold plus OpenBLAS's packing of the columns and the weights: resnet18's
/// 7×7 stem 2.06-2.49 → 1.44-1.51 ms, its 3×3 stride-2 convolutions unchanged within noise.
struct PhaseLayout {
    let g: ConvGeometry
    /// A phase plane's extents.
    let hq, wq: Int
    /// Row stride of a phase channel (`kernelRowStride`).
    let ldx: Int
    var taps: Int { g.kh * g.kw }
    /// Wide columns per output channel.
    var n: Int { (g.oh - 1) * wq + g.ow }

    init?(_ g: ConvGeometry) {
        guard g.sh == 2, g.sw == 2, g.dh == 1, g.dw == 1, g.groups == 1, g.kh * g.kw > 1 else { return nil }
        self.g = g
        hq = (g.h + 2 * g.ph + 1) / 2
        wq = (g.w + 2 * g.pw + 1) / 2
        ldx = kernelRowStride(hq * wq)
    }

    /// Where tap `t` starts reading in the phase buffer `[4, C, ldx]`.
    func offset(tap t: Int) -> Int {
        let ki = t / g.kw, kj = t % g.kw
        return ((ki % 2) * 2 + kj % 2) * g.c * ldx + (ki / 2) * wq + kj / 2
    }

    /// Writes sample `planes` `[C, H, W]` into `phases` `[4, C, ldx]`: phase (a, b) row r
    /// column q holds the padded input at (2r + a, 2q + b), zero outside the input.
    func split(_ planes: UnsafeMutablePointer<Float>, into phases: UnsafeMutablePointer<Float>) {
        let parts = g.c * hq * wq * 4 >= 1 << 15 ? Swift.min(kernelThreads, g.c) : 1
        parallelParts(parts) { p in
            for ch in partRange(p, of: parts, count: g.c) {
                let src = planes + ch * g.h * g.w
                for phase in 0..<4 {
                    let a = phase / 2, b = phase % 2
                    // Columns q whose input column 2q + b − pw lies in 0..<W.
                    let qLo = Swift.min(wq, Swift.max(0, (g.pw - b + 1) / 2))
                    let qHi = Swift.max(qLo, Swift.min(wq, (g.w + g.pw - b + 1) / 2))
                    for r in 0..<hq {
                        let dst = phases + (phase * g.c + ch) * ldx + r * wq
                        let y = 2 * r + a - g.ph
                        guard y >= 0 && y < g.h else { dst.update(repeating: 0, count: wq); continue }
                        let row = src + y * g.w + b - g.pw
                        dst.update(repeating: 0, count: qLo)
                        for q in qLo..<qHi { dst[q] = row[2 * q] }
                        (dst + qHi).update(repeating: 0, count: wq - qHi)
                    }
                }
            }
        }
    }
}

/// The phase forward of `t` into `out` `[N, O, OH, OW]` (bias added, ReLU applied when fused).
func phaseConvForward(_ t: PhaseLayout, _ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ out: Tensor, relu: Bool) throws {
    let g = t.g, cache = ScratchCache.current
    let packed = try TapWeightCache.shared.weights(w, taps: t.taps, of: Float.self, layout: .rowBlocks(groups: 1))
    defer { withExtendedLifetime(packed) {} }
    // nn_tap_conv_f32 reads up to 15 elements past the last tap's last column.
    let phases = try cache.buffer(.paddedInput, count: 4 * g.c * t.ldx + 16, of: Float.self)
    let ldo = t.hq * t.wq
    let wide = try cache.buffer(.wideOutput, count: g.o * ldo, of: Float.self)
    let xp = x.elements(Float.self), op = out.elements(Float.self)
    let bp = try bias?.dense().elements(Float.self)
    let offsets = (0..<t.taps).map { t.offset(tap: $0) }
    for s in 0..<g.n where !KernelCancellation.shouldStop {
        t.split(xp + s * g.c * g.h * g.w, into: phases)
        summedTaps(g, packed: packed.pointer(Float.self), offsets: offsets, x: phases, ldx: t.ldx, out: wide, ldo: ldo, n: t.n)
        let parts = g.o * ldo >= 1 << 16 ? Swift.min(kernelThreads, g.o) : 1
        parallelParts(parts) { p in
            for r in partRange(p, of: parts, count: g.o) {
                let b = bp.map { $0[r] }
                for row in 0..<g.oh {
                    let from = wide + r * ldo + row * t.wq, to = op + ((s * g.o + r) * g.oh + row) * g.ow
                    if relu { biasReLURow(to, from, b, g.ow) } else { biasRow(to, from, b, g.ow) }
                }
            }
        }
    }
}
