import Foundation
import TensorRuntime

/// A file being written by `torch.save`: buffered writes whose every failure (a full disk, a
/// quota, an I/O error) is an `OSError` naming `displayPath`, as Python reports it. `close()`
/// flushes and syncs; a device or FIFO that cannot be synced is not an error.
final class OutputFile {
    private var file: UnsafeMutablePointer<FILE>?
    /// The path messages name (the one the user gave, not a temporary file).
    let displayPath: String

    init(path: String, displayPath: String) throws {
        self.displayPath = displayPath
        guard let f = fopen(path, "wb") else { throw OutputFile.osError(displayPath) }
        file = f
    }

    deinit { if let f = file { fclose(f) } }

    func write(_ pointer: UnsafeRawPointer, count: Int) throws {
        guard count > 0 else { return }
        guard let f = file, fwrite(pointer, 1, count, f) == count else { throw OutputFile.osError(displayPath) }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { if let b = $0.baseAddress { try write(b, count: $0.count) } }
    }

    /// Flushes, syncs to disk and closes; the first failure is thrown.
    func close() throws {
        guard let f = file else { return }
        file = nil
        var failure: Int32 = 0
        if fflush(f) != 0 { failure = errno }
        // EINVAL/ENOTSUP/EROFS: fsync on /dev/null, a FIFO or a terminal; nothing to sync.
        if failure == 0, fsync(fileno(f)) != 0, errno != EINVAL, errno != ENOTSUP, errno != EROFS { failure = errno }
        if fclose(f) != 0, failure == 0 { failure = errno }
        guard failure == 0 else { errno = failure; throw OutputFile.osError(displayPath) }
    }

    /// `[Errno N] strerror: 'path'` for the current `errno`.
    static func osError(_ path: String) -> TorchError {
        let code = errno
        return TorchError(.osError, "[Errno \(code)] \(String(cString: strerror(code))): '\(path)'")
    }
}
