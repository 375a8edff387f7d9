import Synchronization

/// Check points inside long kernels, so that Ctrl-C stops one long convolution or matrix product
/// within milliseconds instead of at its end (one resnet18 convolution on a 16×3×224×224 batch
/// runs ~0.5 s).
///
/// The front end installs two hooks (NNREPL's `Interrupt.attach`): `isPending` says whether a
/// Ctrl-C is waiting, without consuming it, and `interrupt` consumes it and throws the error it
/// stands for (Python's KeyboardInterrupt). Without them nothing is ever cancelled.
///
/// Only ops whose kernels write fresh outputs arm the check points, by running their kernels inside
/// `cancellable`; a kernel polls `shouldStop` between chunks of samples or blocks of a gemm and
/// skips its remaining work when it says so. `cancellable` then drops the partial result by
/// throwing, so no half-computed value reaches user-visible state (in-place ops never arm them;
/// the autograd engine applies `.grad` updates only once a backward pass has finished).
public enum KernelCancellation {
    /// Set by the front end: true while a cancellation is pending. Must not consume it; called
    /// from any thread (kernel workers poll too).
    nonisolated(unsafe) public static var isPending: (@Sendable () -> Bool)?
    /// Set by the front end: consumes the pending cancellation and throws its error.
    nonisolated(unsafe) public static var interrupt: (() throws -> Void)?

    /// Nesting depth of `cancellable` (ops run on one thread; workers only read it).
    nonisolated(unsafe) private static var depth = 0
    /// Set when a check point stopped a kernel of the current outermost `cancellable`.
    private static let stopped = Atomic<Bool>(false)

    /// True inside `cancellable` with the hooks installed: kernels may then cut big work into
    /// pieces with check points between them.
    static var isArmed: Bool { depth > 0 }

    /// A check point: true when the kernel running inside `cancellable` should skip the rest of its
    /// work. Cheap (one load when nothing is armed); safe on any thread.
    static var shouldStop: Bool {
        guard depth > 0, let isPending, isPending() else { return false }
        stopped.store(true, ordering: .relaxed)
        return true
    }

    /// Runs `body` (an op's kernels, writing only outputs the op allocated) with its check points
    /// armed. When a check point stopped it, the result is incomplete: this consumes the request
    /// and throws (the front end's KeyboardInterrupt; TorchError `.keyboardInterrupt` without one).
    /// Nested calls run their body unchanged: the outermost one throws.
    static func cancellable<R>(_ body: () throws -> R) throws -> R {
        guard depth == 0 else { return try body() }
        guard isPending != nil else { return try body() }
        depth = 1
        stopped.store(false, ordering: .relaxed)
        defer { depth = 0 }
        let result = try body()
        guard stopped.load(ordering: .relaxed) else { return result }
        try interrupt?()
        throw TorchError(.keyboardInterrupt, "")
    }
}
