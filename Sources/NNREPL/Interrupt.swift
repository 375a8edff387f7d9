import CEditLine
import NNLang
import NeuralNet
import TensorRuntime

/// Ctrl-C handling for the REPL and the interpreter.
///
/// A SIGINT handler (installed at REPL start, or before a script runs as the main
/// program: `ScriptRunner.runAsMain`) only sets a
/// `volatile sig_atomic_t` flag in the C shim; nothing else happens in signal
/// context. Consumers poll it:
///
/// - `LineEditor.readLine` clears it before reading and uses it to tell a
///   Ctrl-C at the prompt from Ctrl-D.
/// - The interpreter (target NNLang, which cannot import CEditLine) polls
///   through a plain closure hook at loop back-edges / per layer / per batch,
///   and NeuralNet's `ModuleCallCheck` at every module call,
///   (`Interrupt.attach(to:)`: it reads the flag at each check, then `check()`s), and
///   TensorRuntime's `KernelCancellation` between chunks of long kernels (conv, big gemms).
///   `check()` is test-and-clear, so one Ctrl-C raises one interruption.
/// - The REPL calls `Interrupt.clear()` before each evaluation.
///
/// Escape hatch: with `forceExitAfter: n` (> 0), `n` Ctrl-C presses that
/// nobody consumes (e.g. stuck in a long BLAS call that never polls) make the
/// process print a message and `_exit(130)` (scripts: die by SIGINT instead, see
/// `exitBySignal`).
public enum Interrupt {
    /// Install the flag-setting SIGINT handler (SA_RESTART). Idempotent.
    /// Returns false if `sigaction` failed.
    /// `exitBySignal`: the forced exit resets SIGINT to its default action and re-sends it
    /// (death by SIGINT, for scripts) instead of `_exit(130)` (the REPL).
    @discardableResult
    public static func install(forceExitAfter: Int = 3, exitBySignal: Bool = false) -> Bool {
        let limit = Int32(clamping: max(0, forceExitAfter))
        nnrepl_set_force_exit_by_signal(exitBySignal ? 1 : 0)
        return nnrepl_install_sigint_handler(limit) == 0
    }

    /// True if SIGINT is ignored (SIG_IGN inherited, e.g. `nnrepl x.nnrepl &` in a
    /// non-interactive shell). Python then leaves it ignored, and so do scripts.
    public static var isIgnored: Bool {
        nnrepl_sigint_is_ignored() != 0
    }

    /// Ends the process the way Python does after an uncaught KeyboardInterrupt: flushes
    /// stdio, resets SIGINT to its default action and raises it, so the parent sees death by
    /// SIGINT (status 130 in a shell). Returns 130 only if that did not end the process.
    public static func exitBySignal() -> Int32 {
        nnrepl_exit_by_sigint()
    }

    /// Restore the SIGINT disposition that was active before `install()`.
    public static func uninstall() {
        nnrepl_restore_sigint_handler()
    }

    /// Test-and-clear: true if Ctrl-C arrived since the last clear/check.
    /// Cheap (one atomic exchange); safe to call from any thread.
    public static func check() -> Bool {
        nnrepl_interrupt_requested() != 0
    }

    /// Makes `interpreter` raise KeyboardInterrupt at its next check after a Ctrl-C (it reads
    /// the flag at every check and consumes it with `check()`).
    /// Module calls check too (`ModuleCallCheck`): a long forward pass of built-in layers stops
    /// at the next layer.
    public static func attach(to interpreter: Interpreter) {
        interpreter.interruptCheck = Interrupt.check
        interpreter.interruptFlag = UnsafeMutablePointer(mutating: nnrepl_interrupt_flag())
        ModuleCallCheck.check = {
            if Interrupt.isPending, Interrupt.check() { throw PyError(.keyboardInterrupt, args: []) }
        }
        KernelCancellation.isPending = { Interrupt.isPending }
        KernelCancellation.interrupt = {
            _ = Interrupt.check()
            throw PyError(.keyboardInterrupt, args: [])
        }
    }

    /// True if Ctrl-C is pending; does not clear the flag.
    public static var isPending: Bool {
        nnrepl_interrupt_pending() != 0
    }

    /// Forget any pending Ctrl-C (call before starting an evaluation).
    public static func clear() {
        nnrepl_clear_interrupt()
    }

    /// Set the flag as if Ctrl-C had been pressed (tests, programmatic cancel).
    public static func request() {
        nnrepl_raise_interrupt_flag()
    }
}
