import XCTest
@testable import TensorRuntime

/// `parallelParts` on the kernel pool: every part runs exactly once, also when calls nest, come
/// back to back, or come after the workers have parked.
final class ParallelTests: XCTestCase {
    /// Runs `parallelParts(parts)` and returns how many times each part ran.
    private func counts(_ parts: Int, nested: Int = 0) -> [Int] {
        var runs = [Int](repeating: 0, count: parts * Swift.max(nested, 1))
        runs.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            parallelParts(parts) { p in
                if nested > 0 {
                    parallelParts(nested) { q in base[p * nested + q] += 1 }
                } else {
                    base[p] += 1
                }
            }
        }
        return runs
    }

    func testEveryPartRunsOnce() {
        for parts in 1...17 {
            for _ in 0..<50 { XCTAssertEqual(counts(parts), [Int](repeating: 1, count: parts), "\(parts) parts") }
        }
    }

    func testNestedCalls() {
        for _ in 0..<50 { XCTAssertEqual(counts(4, nested: 3), [Int](repeating: 1, count: 12)) }
    }

    func testAfterWorkersPark() {
        for _ in 0..<5 {
            usleep(UInt32(KernelPool.spinWindow * 3e6))
            XCTAssertEqual(counts(8), [Int](repeating: 1, count: 8))
        }
    }

    /// Runs `jobs` calls of `parallelParts(8)` whose parts each busy-wait `partSeconds`, after
    /// `before()`; returns how many parts ran off the calling thread.
    private func partsOffCaller(jobs: Int, partSeconds: Double, before: () -> Void = {}) -> Int {
        let caller = Thread.current
        var offCaller = 0
        let lock = NSLock()
        for _ in 0..<jobs {
            before()
            parallelParts(8) { _ in
                let start = Date()
                while Date().timeIntervalSince(start) < partSeconds {}
                if Thread.current != caller { lock.lock(); offCaller += 1; lock.unlock() }
            }
        }
        return offCaller
    }

    /// A job published after the workers have parked wakes them (the caller broadcasts only when
    /// it sees a parked worker): some parts of slow jobs run off the calling thread.
    func testParkedWorkersWakeForTheNextJob() throws {
        try XCTSkipIf(kernelThreads < 2, "one core")
        XCTAssertGreaterThan(partsOffCaller(jobs: 5, partSeconds: 0.002) { usleep(UInt32(KernelPool.spinWindow * 3e6)) }, 0)
    }

    func testPartsRunOnSeveralThreadsWhenThereAreCores() throws {
        try XCTSkipIf(kernelThreads < 2, "one core")
        // Parts that take a while: some must run off the calling thread.
        XCTAssertGreaterThan(partsOffCaller(jobs: 20, partSeconds: 0.0005), 0)
    }
}
