import CEditLine

/// Ctrl-C handling for the REPL and the interpreter.
///
/// A SIGINT handler (installed once, at REPL start) only sets a
/// `volatile sig_atomic_t` flag in the C shim; nothing else happens in signal
/// context. Consumers poll it:
///
/// - `LineEditor.readLine` clears it before reading and uses it to tell a
///   Ctrl-C at the prompt from Ctrl-D.
/// - The interpreter (target NNLang, which cannot import CEditLine) polls
///   through a plain closure hook at loop back-edges / per layer / per batch,
///   e.g. `interpreter.interruptCheck = Interrupt.check`.
///   `check()` is test-and-clear, so one Ctrl-C raises one interruption.
/// - The REPL calls `Interrupt.clear()` before each evaluation.
///
/// Escape hatch: with `forceExitAfter: n` (> 0), `n` Ctrl-C presses that
/// nobody consumes (e.g. stuck in a long BLAS call that never polls) make the
/// process print a message and `_exit(130)`.
public enum Interrupt {
    /// Install the flag-setting SIGINT handler (SA_RESTART). Idempotent.
    /// Returns false if `sigaction` failed.
    @discardableResult
    public static func install(forceExitAfter: Int = 3) -> Bool {
        let limit = Int32(clamping: max(0, forceExitAfter))
        return nnrepl_install_sigint_handler(limit) == 0
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
