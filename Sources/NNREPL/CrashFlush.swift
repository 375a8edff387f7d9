import CEditLine

/// Output printed before a crash is not lost: stdout into a pipe or a file is block-buffered,
/// and a process killed by SIGSEGV, SIGILL (a Swift trap), SIGABRT, SIGTERM … never flushes
/// it. The
/// handlers write the buffered bytes with write(2) (async-signal-safe, unlike fflush), then
/// let the signal take its course (the previous handler, or the default action and its core
/// dump). See `nnrepl_install_crash_flush` in the CEditLine shim.
public enum CrashFlush {
    /// Installs the handlers (idempotent). Returns false if `sigaction` failed.
    @discardableResult
    public static func install() -> Bool {
        nnrepl_install_crash_flush() == 0
    }
}
