import Foundation

/// Writing to the process's stdout and stderr as Python's `sys.stdout`/`sys.stderr` do: every
/// byte of the text (a NUL character does not end it, as it would with `fputs`), and a failed
/// write (a full disk, `/dev/full`, a closed pipe's reader) is remembered so the script ends
/// with an error and status 1 instead of losing output silently.
public enum StandardOutput {
    /// Writes `text`'s UTF-8 bytes to `stream`.
    public static func write(_ text: String, to stream: UnsafeMutablePointer<FILE>) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            _ = fwrite(base, 1, bytes.count, stream)
        }
    }

    /// Flushes stdout; if any write to it failed, prints CPython's message for a failed flush
    /// of `sys.stdout` at exit on `interpreter`'s error output and returns true.
    public static func reportFailedWrites(_ interpreter: Interpreter) -> Bool {
        let flushFailed = fflush(stdout) != 0
        let code = errno
        guard flushFailed || ferror(stdout) != 0 else { return false }
        let reason = String(cString: strerror(flushFailed ? code : EIO))
        interpreter.errorOutput("Exception ignored in: <_io.TextIOWrapper name='<stdout>' mode='w' encoding='utf-8'>\n"
                                + "OSError: [Errno \(flushFailed ? code : EIO)] \(reason)\n")
        clearerr(stdout)
        return true
    }
}
