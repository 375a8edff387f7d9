import Foundation

/// Conv weights rearranged per tap (`[O, C/g, kH, kW]` → `[taps, O, C/g]`, `transposeTaps`) kept
/// between calls, so an inference loop rearranges each layer's weights once and a training step
/// once instead of twice (forward, then the input gradient).
///
/// An entry belongs to one weight storage (held weakly: it goes when the storage goes) and is
/// valid while the storage's `writeGeneration` is unchanged — every alias of a parameter (`.data`,
/// `detach()`, views) bumps that one counter when it writes (in-place ops, `copy_`, optimizers,
/// `nn.init`, setters), while a tensor's own `_version` misses writes through `.data`. Entries
/// are also keyed by the element offset, shape and dtype. At most `byteLimit` bytes are kept; the
/// least recently used entries go first.
final class TapWeightCache: @unchecked Sendable {
    /// One rearranged weight; the buffer lives as long as the entry (callers hold it while they
    /// read).
    final class Entry {
        weak var storage: Storage?
        let offset: Int, shape: [Int], dtype: DType
        /// The storage's `writeGeneration` the buffer was computed at.
        var generation: Int
        let buffer: UnsafeMutableRawPointer
        let bytes: Int
        var lastUse = 0

        init(_ w: Tensor, bytes: Int) {
            storage = w.storage
            (offset, shape, dtype) = (w.storageOffset, w.shape, w.dtype)
            generation = w.storage.writeGeneration
            self.bytes = bytes
            buffer = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(bytes, 1), alignment: 64)
        }

        /// Whether this entry is for `w`'s elements (current or not).
        func holds(_ w: Tensor) -> Bool {
            storage === w.storage && offset == w.storageOffset && shape == w.shape && dtype == w.dtype
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

    /// The per-tap weights of contiguous `w` `[O, C/g, kH, kW]`: the cached entry when `w`'s
    /// storage has not been written since, else rearranged again (into the entry's own buffer
    /// when `w` has one, so a training loop reuses its pages). Hold the entry while reading its
    /// buffer. Conv calls on one weight are assumed not to run on two threads at once.
    func weights<T>(_ w: Tensor, taps: Int, of _: T.Type) throws -> Entry {
        lock.lock()
        defer { lock.unlock() }
        clock += 1
        entries.removeAll { $0.storage == nil }
        let rows = w.numel / Swift.max(taps, 1)
        if let e = entries.first(where: { $0.holds(w) }) {
            if e.generation != w.storage.writeGeneration {
                transposeTaps(w.elements(T.self), e.pointer(T.self), rows: rows, taps: taps)
                e.generation = w.storage.writeGeneration
            }
            e.lastUse = clock
            return e
        }
        let entry = Entry(w, bytes: try Storage.checkAllocation(count: w.numel, itemSize: MemoryLayout<T>.stride))
        transposeTaps(w.elements(T.self), entry.pointer(T.self), rows: rows, taps: taps)
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

    /// Drops every entry (tests; memory pressure).
    func removeAll() {
        lock.withLock { entries = [] }
    }

    /// Entries held (tests).
    var count: Int { lock.withLock { entries.count } }
}
