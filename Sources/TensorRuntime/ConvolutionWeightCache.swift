import CKernels
import Foundation

/// Conv weights rearranged per tap (`[O, C/g, kH, kW]` → `[taps, O, C/g]`, `transposeTaps`) or
/// packed for `nn_tap_conv_f32` (`Layout`) kept between calls, so an inference loop rearranges
/// each layer's weights once and a training step once instead of twice (forward, then the input
/// gradient).
///
/// An entry belongs to one weight storage (held weakly: it goes when the storage goes) and is
/// valid while the storage's `writeGeneration` is unchanged — every alias of a parameter (`.data`,
/// `detach()`, views) bumps that one counter when it writes (in-place ops, `copy_`, optimizers,
/// `nn.init`, setters), while a tensor's own `_version` misses writes through `.data`. Entries
/// are also keyed by the element offset, shape and dtype. At most `byteLimit` bytes are kept; the
/// least recently used entries go first.
final class TapWeightCache: @unchecked Sendable {
    /// How the weights are laid out.
    enum Layout: Equatable {
        /// `[taps, O, C/g]`: one matrix per tap (the tap gemms).
        case perTap
        /// Each group's `[O/g, C/g, taps]` packed by `nn_tap_conv_pack_f32` (float32 only), the
        /// groups one after another (`groupFloats` apart).
        case rowBlocks(groups: Int)

        /// Floats of one group's packed weights for `rowBlocks`.
        static func groupFloats(outputs: Int, channels: Int, taps: Int) -> Int {
            nn_tap_conv_packed_floats(outputs, channels, taps)
        }
    }

    /// One rearranged weight; the buffer lives as long as the entry (callers hold it while they
    /// read).
    final class Entry {
        weak var storage: Storage?
        let offset: Int, shape: [Int], dtype: DType, layout: Layout
        /// The storage's `writeGeneration` the buffer was computed at.
        var generation: Int
        let buffer: UnsafeMutableRawPointer
        let bytes: Int
        var lastUse = 0

        init(_ w: Tensor, _ layout: Layout, bytes: Int) {
            storage = w.storage
            (offset, shape, dtype, self.layout) = (w.storageOffset, w.shape, w.dtype, layout)
            generation = w.storage.writeGeneration
            self.bytes = bytes
            buffer = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(bytes, 1), alignment: 64)
        }

        /// Whether this entry is for `w`'s elements (current or not) in `layout`.
        func holds(_ w: Tensor, _ layout: Layout) -> Bool {
            storage === w.storage && offset == w.storageOffset && shape == w.shape && dtype == w.dtype && self.layout == layout
        }

        func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> { buffer.assumingMemoryBound(to: T.self) }

        deinit { buffer.deallocate() }
    }

    static let shared = TapWeightCache()

    /// Bytes of rearranged weights kept at most (a ResNet-50's convolutions take ~100 MB).
    nonisolated(unsafe) static var byteLimit = 256 << 20

    private let lock = NSLock()
    /// Guarded by `lock`.
    private var entries: [Entry] = []
    private var clock = 0

    /// The weights of contiguous `w` `[O, C/g, kH, kW]` in `layout`: the cached entry when `w`'s
    /// storage has not been written since, else rearranged again (into the entry's own buffer
    /// when `w` has one, so a training loop reuses its pages). Hold the entry while reading its
    /// buffer. Conv calls on one weight are assumed not to run on two threads at once.
    func weights<T>(_ w: Tensor, taps: Int, of _: T.Type, layout: Layout = .perTap) throws -> Entry {
        lock.lock()
        defer { lock.unlock() }
        clock += 1
        entries.removeAll { $0.storage == nil }
        if let e = entries.first(where: { $0.holds(w, layout) }) {
            if e.generation != w.storage.writeGeneration {
                TapWeightCache.rearrange(w, taps: taps, layout, into: e.pointer(T.self))
                e.generation = w.storage.writeGeneration
            }
            e.lastUse = clock
            return e
        }
        let count: Int
        switch layout {
        case .perTap: count = w.numel
        case .rowBlocks(let groups):
            count = groups * Layout.groupFloats(outputs: w.shape[0] / groups, channels: w.numel / Swift.max(w.shape[0] * taps, 1), taps: taps)
        }
        let entry = Entry(w, layout, bytes: try Storage.checkAllocation(count: count, itemSize: MemoryLayout<T>.stride))
        TapWeightCache.rearrange(w, taps: taps, layout, into: entry.pointer(T.self))
        entry.lastUse = clock
        entries.append(entry)
        var bytes = entries.reduce(0) { $0 + $1.bytes }
        while bytes > TapWeightCache.byteLimit, entries.count > 1,
              let oldest = entries.indices.min(by: { entries[$0].lastUse < entries[$1].lastUse }) {
            bytes -= entries[oldest].bytes
            entries.remove(at: oldest)
        }
        return entry
    }

    /// Writes `w`'s elements into `buffer` in `layout` (`rowBlocks`: float32).
    private static func rearrange<T>(_ w: Tensor, taps: Int, _ layout: Layout, into buffer: UnsafeMutablePointer<T>) {
        switch layout {
        case .perTap:
            transposeTaps(w.elements(T.self), buffer, rows: w.numel / Swift.max(taps, 1), taps: taps)
        case .rowBlocks(let groups):
            let outputs = w.shape[0] / groups, channels = w.numel / Swift.max(w.shape[0] * taps, 1)
            let src = w.elements(Float.self), dst = UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: Float.self)
            let groupFloats = Layout.groupFloats(outputs: outputs, channels: channels, taps: taps)
            for grp in 0..<groups {
                nn_tap_conv_pack_f32(src + grp * outputs * channels * taps, outputs, channels, taps, dst + grp * groupFloats)
            }
        }
    }

    /// Drops every entry (tests; memory pressure).
    func removeAll() {
        lock.withLock { entries = [] }
    }

    /// Entries held (tests).
    var count: Int { lock.withLock { entries.count } }
}
