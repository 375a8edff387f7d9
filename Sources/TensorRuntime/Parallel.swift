import CBLAS
import Dispatch
import Foundation

/// How many threads the kernels split big work over: OpenBLAS's own thread count (the cores, or
/// `OPENBLAS_NUM_THREADS`), read once. OpenBLAS itself is then set to one thread: its workers
/// busy-wait between calls for ~0.1 s, which starves the calling thread when the machine is
/// loaded, while `KernelPool`'s workers park soon after work stops. `gemm` splits big products over this many threads instead, and conv2d
/// splits the batch.
///
/// OpenBLAS's worker threads are also stopped here: the pthreads build starts them when the
/// library loads and they spin on `sched_yield` for ~2^28 cycles (~0.1 s) before sleeping, taking
/// a core from the kernels at the start of every run (7-10% of a short conv training loop on two
/// cores). With one BLAS thread they are never used; OpenBLAS restarts its pool if it ever needs it.
/// OpenBLAS's kernel is chosen first (`BLASKernelSelection`): every product reads this value
/// before it calls BLAS.
public let kernelThreads: Int = {
    _ = BLASKernelSelection.applied
    let blas = Int(openblas_get_num_threads())
    singleThreadedBLAS()
    return Swift.max(1, Swift.min(blas, ProcessInfo.processInfo.activeProcessorCount))
}()

/// Sets OpenBLAS to one thread and stops its worker pool.
private func singleThreadedBLAS() {
    openblas_set_num_threads(1)
    #if os(Linux)
    // `blas_thread_shutdown_` isn't in cblas.h and may be absent (other BLAS builds): looked up at run time.
    typealias Shutdown = @convention(c) () -> Int32
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "blas_thread_shutdown_") {
        _ = unsafeBitCast(symbol, to: Shutdown.self)()
    }
    #endif
}

/// Runs `body` with OpenBLAS's own threading on `kernelThreads` threads, then back to one thread
/// (for benchmarks that compare against plain multi-threaded OpenBLAS, or products that want
/// OpenBLAS's threads). `KernelPool`'s idle workers stay parked meanwhile, leaving the cores to
/// OpenBLAS's threads.
public func withMultithreadedBLAS<T>(_ body: () throws -> T) rethrows -> T {
    openblas_set_num_threads(Int32(kernelThreads))
    defer { singleThreadedBLAS() }
    return try KernelPool.shared.withWorkersParked(body)
}

/// Runs `body(part)` for `part` in `0..<parts`, concurrently when `parts > 1` (on the calling
/// thread and `KernelPool`'s workers). Parts must write disjoint memory.
public func parallelParts(_ parts: Int, _ body: (Int) -> Void) {
    if parts <= 1 || kernelThreads <= 1 || IntraOpThreads.requested == 1 {
        for p in 0..<Swift.max(parts, 1) { body(p) }
    } else {
        KernelPool.shared.run(parts: parts, body)
    }
}

/// The `part`-th of `parts` near-equal contiguous pieces of `0..<count`, boundaries rounded to
/// multiples of `align`.
@inlinable
public func partRange(_ part: Int, of parts: Int, count: Int, align: Int = 1) -> Range<Int> {
    func bound(_ p: Int) -> Int { p >= parts ? count : Swift.min(count, (p * count / parts) / align * align) }
    return bound(part)..<bound(part + 1)
}
