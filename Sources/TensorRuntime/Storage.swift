import Foundation

/// A flat, typed buffer that one or more tensors view. Freed when the last view goes away.
public final class Storage {
    public let dtype: DType
    /// Number of elements.
    public let count: Int
    /// Raw bytes; `count * dtype.itemSize` of them, 64-byte aligned when over 1 KiB (`alignment(forBytes:)`).
    public let data: UnsafeMutableRawPointer
    /// Bumped by every announced write to the elements: `Tensor.bumpVersion` (what in-place ops,
    /// `copy_`, the optimizers and `.data =` call) and the element setters `setDouble` / `set`.
    /// Unlike a tensor's `_version`, all aliases share it (`.data` and `detached()` tensors have
    /// their own version counters), so values derived from the elements and cached between calls
    /// (`TapWeightCache`) are keyed by it. Code writing through raw pointers into a tensor it did
    /// not just create must call `bumpVersion()`.
    public internal(set) var writeGeneration = 0
    /// Allocated under `torch.inference_mode()` (InferenceMode.swift).
    public let isInference = InferenceMode.isEnabled

    /// Largest single allocation allowed, in bytes; a larger request is a RuntimeError instead of an
    /// abort or OOM kill. Defaults to a quarter of what the process may use (`MemoryBudget`:
    /// the smallest of its rlimits, its memory cgroup's limit and physical RAM).
    nonisolated(unsafe) public static var allocationLimitBytes: Int = MemoryBudget.singleAllocationLimit

    /// Allocates `count` elements of `dtype`, zero-filled when `zeroed`.
    public init(count: Int, dtype: DType, zeroed: Bool = true) throws {
        guard count >= 0 else { throw TorchError.runtime("Trying to create tensor with negative dimension \(count)") }
        let bytes = try Storage.checkAllocation(count: count, itemSize: dtype.itemSize)
        _ = Storage.allocatorTuned
        self.dtype = dtype
        self.count = count
        self.data = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: Storage.alignment(forBytes: bytes))
        if zeroed { data.initializeMemory(as: UInt8.self, repeating: 0, count: max(bytes, 1)) }
    }

    deinit { data.deallocate() }

    /// The byte size of `count` items of `itemSize` bytes; throws the allocator's error when that
    /// overflows or exceeds `allocationLimitBytes`. Also for kernels' own big buffers.
    @discardableResult
    public static func checkAllocation(count: Int, itemSize: Int) throws -> Int {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: itemSize)
        guard !overflow, bytes <= allocationLimitBytes else {
            let shown = overflow ? "more than \(Int.max)" : "\(bytes)"
            throw TorchError.runtime("DefaultCPUAllocator: can't allocate memory: you tried to allocate \(shown) bytes. Error code 12 (Cannot allocate memory)")
        }
        return bytes
    }

    /// Keeps freed tensor buffers in the process instead of returning them to the kernel: glibc
    /// serves blocks over 128 KiB with fresh `mmap`s (and trims the heap top) by default, so a
    /// training loop that frees and reallocates the same activations every step would page-fault
    /// on every page it touches. Blocks up to 32 MiB come from the heap, and up to 256 MiB of free
    /// heap top is kept. Evaluated once, on the first allocation. (`mallopt` is looked up at run
    /// time: Swift's Glibc module doesn't export `<malloc.h>`.)
    private static let allocatorTuned: Bool = {
        #if os(Linux)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3   // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 32 << 20)
        _ = mallopt(trimThreshold, 256 << 20)
        #endif
        return true
    }()

    /// 64 bytes (a cache line, a 512-bit vector) for buffers over 1 KiB; malloc's own 16 for the
    /// small ones. glibc serves an over-aligned request by carving it out of a bigger chunk and
    /// freeing the ends, which bypasses its per-thread cache and makes every free consolidate
    /// fragments: about a quarter of the time of `a + b` on 4-element tensors. No kernel relies
    /// on more than the element alignment (vector loads are unaligned loads).
    @inline(__always)
    static func alignment(forBytes bytes: Int) -> Int { bytes <= 1024 ? 16 : 64 }

    public var byteCount: Int { count * dtype.itemSize }

    /// The buffer as typed elements. `T` must match `dtype` (Float, Double, Int64, Bool).
    @inline(__always)
    public func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        assert(MemoryLayout<T>.size == dtype.itemSize, "\(T.self) access to a \(dtype.name) buffer")
        return data.assumingMemoryBound(to: T.self)
    }
}

/// Multiplies dimension sizes, throwing instead of trapping on overflow or a negative size.
public func checkedElementCount(_ shape: [Int]) throws -> Int {
    var n = 1
    for d in shape {
        guard d >= 0 else {
            throw TorchError.runtime("Trying to create tensor with negative dimension \(d): \(shape)")
        }
        let (m, overflow) = n.multipliedReportingOverflow(by: d)
        guard !overflow else { throw TorchError.runtime("numel: integer multiplication overflow") }
        n = m
    }
    return n
}
