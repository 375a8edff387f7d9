// ParallelTests' scenarios for KernelPool (Sources/TensorRuntime/KernelPool.swift), as a program
// that scripts/tsan compiles together with KernelPool.swift under ThreadSanitizer: every part
// runs exactly once, for 1-17 parts, back to back, nested, and after the workers have parked.
// (Compiled alone, without OpenBLAS: `kernelThreads` is defined here.)
import Foundation

let kernelThreads = 3

/// Runs `KernelPool.shared.run(parts)` (nested `nested` deep) and returns how often each part ran.
func counts(_ parts: Int, nested: Int = 0) -> [Int] {
    var runs = [Int](repeating: 0, count: parts * max(nested, 1))
    runs.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        KernelPool.shared.run(parts: parts) { p in
            if nested > 0 {
                KernelPool.shared.run(parts: nested) { q in base[p * nested + q] += 1 }
            } else {
                base[p] += 1
            }
        }
    }
    return runs
}

@main
enum KernelPoolStress {
    static func main() {
        var failures = 0
        func expectOnce(_ runs: [Int], _ what: String) {
            if runs.contains(where: { $0 != 1 }) {
                failures += 1
                print("FAIL \(what): \(runs)")
            }
        }
        for parts in 1...17 {
            for _ in 0..<50 { expectOnce(counts(parts), "\(parts) parts") }
        }
        for _ in 0..<50 { expectOnce(counts(4, nested: 3), "nested") }
        for _ in 0..<5 {
            usleep(UInt32(KernelPool.spinWindow * 3e6))
            expectOnce(counts(8), "after parking")
        }
        print(failures == 0 ? "KernelPool: all scenarios ran every part once" : "KernelPool: \(failures) failures")
        exit(failures == 0 ? 0 : 1)
    }
}
