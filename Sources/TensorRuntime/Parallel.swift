import Dispatch

/// Runs `body(i)` for `i` in `0..<count`, spread over the cores when there is enough work
/// (`work` ≈ elements touched per item). Items must write disjoint memory.
func parallelFor(_ count: Int, work: Int, _ body: (Int) -> Void) {
    if count > 1 && count * work >= 1 << 16 {
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    } else {
        for i in 0..<count { body(i) }
    }
}
