import Foundation

/// Per-thread scratch memory that kernels reuse across calls (the im2col matrices of conv2d),
/// so a training loop doesn't allocate and free megabytes every step. A slot grows to the
/// largest size asked for and is kept for the thread's lifetime.
final class ScratchCache {
    enum Slot: Int, CaseIterable {
        /// im2col's column matrix and its gradient.
        case columns, columnGrad
        /// The tap-gemm convolution's rearranged weight gradient, wide output rows, zero-bordered
        /// input and input gradient (ConvolutionTaps.swift, ConvolutionWide.swift; its rearranged
        /// weights are in `TapWeightCache`).
        case tapWeightGrad, wideOutput, paddedInput, paddedInputGrad
    }

    private var buffers: [UnsafeMutableRawPointer?] = Array(repeating: nil, count: Slot.allCases.count)
    private var capacities: [Int] = Array(repeating: 0, count: Slot.allCases.count)

    private static let key = "nnrepl.ScratchCache"

    /// The calling thread's cache.
    static var current: ScratchCache {
        let dict = Thread.current.threadDictionary
        if let cache = dict[key] as? ScratchCache { return cache }
        let cache = ScratchCache()
        dict[key] = cache
        return cache
    }

    /// At least `count` elements of `T` in `slot` (contents undefined). Throws the allocator's
    /// error instead of trapping when the request overflows or exceeds the allocation limit.
    func buffer<T>(_ slot: Slot, count: Int, of _: T.Type) throws -> UnsafeMutablePointer<T> {
        let bytes = try Storage.checkAllocation(count: Swift.max(count, 1), itemSize: MemoryLayout<T>.stride)
        let i = slot.rawValue
        if capacities[i] >= bytes, let existing = buffers[i] { return existing.assumingMemoryBound(to: T.self) }
        buffers[i]?.deallocate()
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        buffers[i] = fresh
        capacities[i] = bytes
        return fresh.assumingMemoryBound(to: T.self)
    }

    deinit {
        for b in buffers { b?.deallocate() }
    }
}
