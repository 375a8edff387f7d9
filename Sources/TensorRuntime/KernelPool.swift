import Foundation
import Synchronization
#if canImport(CKernels)
import CKernels
#endif

/// The worker threads behind `parallelParts`: `kernelThreads - 1` threads that, after finishing a
/// job, spin for a short while (`spinWindow`) watching for the next one before they park.
///
/// Why not GCD: on the 2-vCPU virtual machines nnrepl is measured on, waking a parked GCD worker
/// took 20-40 µs and the caller parked again while waiting for it, so a 2 × 150 µs job took
/// 180-230 µs and a training step's dozen parallel sections lost a fifth of the MLP step. A
/// training loop issues its parallel sections at most a few hundred microseconds apart, so a
/// worker that spins briefly is there when the next one comes; unlike OpenBLAS's pool (which
/// spins for ~0.1 s) it parks 2 ms after work stops, so an idle REPL costs nothing. The spin
/// loop runs the CPU's `pause` hint between reads (so a spinning worker gives up execution
/// resources and memory bandwidth to whatever shares its core), and `withWorkersParked` stops
/// the spinning altogether while the caller keeps the cores busy by other means (OpenBLAS's own
/// threads).
///
/// Each call publishes a fresh `Job`; the caller runs parts too, then waits until every claimed
/// part has finished. A worker reads the job's body only after claiming a part that is still
/// unfinished, so the body (a non-escaping closure) is never touched after the call returns.
/// Nested or concurrent calls each get their own job and stay correct (the caller can always
/// finish its own job's unclaimed parts).
final class KernelPool: @unchecked Sendable {
    /// One `parallelParts` call.
    final class Job: @unchecked Sendable {
        let parts: Int
        /// The caller's closure; cleared by the caller once every part has finished.
        var body: ((Int) -> Void)?
        let nextPart = Atomic<Int>(0)
        let finished = Atomic<Int>(0)

        init(parts: Int, body: @escaping (Int) -> Void) {
            self.parts = parts
            self.body = body
        }

        /// Claims and runs parts until none is left.
        func run() {
            while true {
                let p = nextPart.wrappingAdd(1, ordering: .relaxed).oldValue
                guard p < parts else { return }
                do {
                    // Safe to read: this part is claimed and unfinished, so the caller is still waiting.
                    guard let body else { return }
                    body(p)
                }
                finished.wrappingAdd(1, ordering: .releasing)
            }
        }
    }

    static let shared = KernelPool(workers: kernelThreads - 1)

    /// How long an idle worker keeps watching for the next job before it parks. 2 ms rather than
    /// the 300 µs it was: a resnet18 training step has serial stretches of 0.3-0.5 ms between
    /// parallel sections (a ReLU or residual add over a million elements), after which a parked
    /// worker had to be woken and started its part late while the caller waited for it.
    /// Alternating runs (AMD EPYC Zen 4, 2 vCPUs): resnet18_train's step 2.5-4.5% faster in 4 of
    /// 4 pairs; small_ops and mlp_train unchanged.
    static let spinWindow: Double = 2e-3

    private let generation = Atomic<Int>(0)
    /// Open `withWorkersParked` calls: while positive, idle workers park instead of spinning.
    private let parkRequests = Atomic<Int>(0)
    /// Workers waiting on `condition` (or about to): a new job wakes them only when positive.
    private let parkedWorkers = Atomic<Int>(0)
    private let condition = NSCondition()
    /// The latest job (guarded by `condition`). A finished job may stay here until the next one:
    /// a worker that reads it finds no part left.
    private var current: Job?

    private init(workers: Int) {
        // Signals (Ctrl-C's SIGINT above all) must reach the main thread, whose blocking read they
        // interrupt: the workers are started with every signal blocked (threads inherit the mask).
        var all = sigset_t(), saved = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        for i in 0..<workers {
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.name = "nnrepl-kernel-\(i + 1)"
            thread.start()
        }
    }

    /// Runs `body(part)` for `part` in `0..<parts` on the caller and the workers; returns when all
    /// parts have finished.
    func run(parts: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            let job = Job(parts: parts, body: body)
            // The lock is released before the generation moves: a spinning worker that sees the
            // new generation then takes an uncontended lock. (Holding it across the bump made the
            // worker block in the mutex's futex and wait to be woken — on the 2-vCPU VMs that
            // made it start its part late and the caller wait for it, 7-10% of the caller's
            // time in a resnet18 training step.) Parked workers are woken under the lock.
            condition.lock()
            current = job
            condition.unlock()
            generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
            if parkedWorkers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
            job.run()
            var spins = 0
            while job.finished.load(ordering: .acquiring) < parts {
                spins += 1
                if spins >= 20_000 { sched_yield() } else { cpuRelax() }
            }
            job.body = nil
        }
    }

    /// Runs `body` with the idle workers parked rather than spinning (a job published meanwhile
    /// still wakes them): for work that occupies every core itself, such as OpenBLAS running
    /// multi-threaded, whose threads a spinning worker would compete with.
    func withWorkersParked<T>(_ body: () throws -> T) rethrows -> T {
        parkRequests.wrappingAdd(1, ordering: .releasing)
        defer { parkRequests.wrappingSubtract(1, ordering: .releasing) }
        return try body()
    }

    private func workerLoop() {
        var seen = 0
        while true {
            var spins = 0, spinStart = 0.0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                cpuRelax()
                if spins & 15 != 0 { continue }   // re-read the atomic; check the clock every 16th time
                let t = monotonicSeconds()
                if spinStart == 0 { spinStart = t; continue }
                if t - spinStart < KernelPool.spinWindow && parkRequests.load(ordering: .relaxed) == 0 { continue }
                // Counted before the generation is read again, so a caller that bumps the
                // generation either is seen here or sees this worker and broadcasts.
                condition.lock()
                parkedWorkers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen { condition.wait() }
                parkedWorkers.wrappingSubtract(1, ordering: .relaxed)
                condition.unlock()
            }
            condition.lock()
            seen = generation.load(ordering: .acquiring)
            let job = current
            condition.unlock()
            job?.run()
        }
    }
}

/// The CPU's spin-wait hint (x86 `pause`, CKernels/cpu_relax.h): yields the core's shared
/// resources for a few dozen cycles without giving up the thread. (scripts/tsan compiles this
/// file without CKernels: no hint there.)
@inline(__always)
private func cpuRelax() {
    #if canImport(CKernels)
    nn_cpu_relax()
    #endif
}

private func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
