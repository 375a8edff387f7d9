/// im2col and col2im for small output planes, through a table of input offsets.
///
/// The row-by-row unfold (`im2col`) pays a few range computations and calls per output row; with
/// a ResNet's late layers (outputs of 2×2 to 8×8) that overhead is most of the copy: it took
/// 10% of a resnet18_train step once those layers ran on im2col. The table lists, for each tap
/// and output position, where in a channel's plane the input element lies (−1 for padding); it
/// is the same for every channel and sample, so one table serves the whole call, and each column
/// element becomes a load through the table. col2im adds back in the same order as the row path
/// (channel, tap, output position), so the sums are the same.
struct ColumnGather {
    /// `offsets[tap·L + p]`: the input offset within one plane read by output position `p` at
    /// tap `tap`, or −1 where it falls in the padding.
    private let offsets: [Int32]
    /// The valid entries of `offsets` only, tap by tap (tap `t`'s are `validStart[t]..<validStart[t+1]`):
    /// the output position and its input offset. fold walks these, with no test per element.
    private let validPosition: [Int32], validOffset: [Int32], validStart: [Int]
    private let taps, l, planeSize, channels: Int

    /// Widest output rows the table is used for: longer rows copy fast enough row by row.
    static let maxOutputWidth = 8

    /// The table for `g`, or nil when its rows are long (or the plane too big for 32-bit offsets).
    init?(_ g: ConvGeometry) {
        let taps = g.kh * g.kw
        guard g.ow <= ColumnGather.maxOutputWidth, g.h * g.w <= Int(Int32.max), taps * g.l <= 1 << 20 else { return nil }
        var offsets = [Int32](repeating: -1, count: taps * g.l)
        for ki in 0..<g.kh {
            for kj in 0..<g.kw {
                let row = (ki * g.kw + kj) * g.l
                for r in 0..<g.oh {
                    let ih = r * g.sh + ki * g.dh - g.ph
                    guard ih >= 0 && ih < g.h else { continue }
                    for c in 0..<g.ow {
                        let iw = c * g.sw + kj * g.dw - g.pw
                        if iw >= 0 && iw < g.w { offsets[row + r * g.ow + c] = Int32(ih * g.w + iw) }
                    }
                }
            }
        }
        var validPosition = [Int32](), validOffset = [Int32](), validStart = [0]
        for tap in 0..<taps {
            for p in 0..<g.l where offsets[tap * g.l + p] >= 0 {
                validPosition.append(Int32(p)); validOffset.append(offsets[tap * g.l + p])
            }
            validStart.append(validOffset.count)
        }
        self.offsets = offsets
        (self.validPosition, self.validOffset, self.validStart) = (validPosition, validOffset, validStart)
        (self.taps, l, planeSize, channels) = (taps, g.l, g.h * g.w, g.cg)
    }

    /// Unfolds the first `channels` planes of a sample-group into `col` `[channels·taps, L]`,
    /// rows `ld` apart.
    func unfold<T: KernelFloat>(_ x: UnsafeMutablePointer<T>, into col: UnsafeMutablePointer<T>, ld: Int, channels: Int) {
        offsets.withUnsafeBufferPointer { table in
            for ch in 0..<channels {
                let plane = x + ch * planeSize
                for tap in 0..<taps {
                    let dst = col + (ch * taps + tap) * ld, from = tap * l
                    for p in 0..<l {   // branch-free: padding reads the plane's first element, then selects 0
                        let o = Int(table[from + p]), v = plane[Swift.max(o, 0)]
                        dst[p] = o >= 0 ? v : 0
                    }
                }
            }
        }
    }

    /// Adds `col` `[C/g·taps, L]` (rows `ld` apart) back into one sample-group's input gradient.
    func fold<T: KernelFloat>(_ col: UnsafeMutablePointer<T>, into gx: UnsafeMutablePointer<T>, ld: Int) {
        validPosition.withUnsafeBufferPointer { positions in
            validOffset.withUnsafeBufferPointer { offsets in
                for ch in 0..<channels {
                    let plane = gx + ch * planeSize
                    for tap in 0..<taps {
                        let src = col + (ch * taps + tap) * ld
                        for e in validStart[tap]..<validStart[tap + 1] { plane[Int(offsets[e])] += src[Int(positions[e])] }
                    }
                }
            }
        }
    }
}
