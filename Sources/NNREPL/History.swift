#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Persistent REPL history in a plain text file.
///
/// File format (UTF-8, one entry per line, no header):
/// - each accepted entry is appended as one line as soon as it is accepted;
/// - inside an entry, `\` is written as `\\`, a newline as `\n` and a
///   carriage return as `\r`, so multi-line blocks stay one line and
///   round-trip exactly; every other character is written verbatim;
/// - on decoding, an unknown escape `\x` and a trailing lone `\` are kept
///   literally; empty lines are ignored.
///
/// Location: `$NNREPL_HISTORY` if set (an empty value disables history; a
/// leading `~/` is expanded), otherwise `~/.nnrepl_history`.
/// Several sessions may append at once (`O_APPEND`, one `write` per entry).
/// Loading keeps the newest `capacity` entries; a file that has grown past
/// twice the capacity is rewritten (temp file + rename) with just those.
public struct HistoryFile: Sendable, Equatable {
    /// Default number of entries kept (as Node's REPL).
    public static let defaultCapacity = 1000

    /// Path of the history file.
    public let path: String
    /// Maximum number of entries loaded.
    public let capacity: Int

    /// A history file at `path` keeping at most `capacity` entries.
    public init(path: String, capacity: Int = HistoryFile.defaultCapacity) {
        self.path = path
        self.capacity = max(1, capacity)
    }

    /// The history path selected by `environment` (`NNREPL_HISTORY`, then
    /// `HOME`), or nil when history is disabled or no home is known.
    public static func resolvePath(environment: [String: String]) -> String? {
        if let explicit = environment["NNREPL_HISTORY"] {
            if explicit.isEmpty { return nil }
            if explicit.hasPrefix("~/"), let home = environment["HOME"], !home.isEmpty {
                return home + explicit.dropFirst(1)
            }
            return explicit
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home.hasSuffix("/") ? home + ".nnrepl_history" : home + "/.nnrepl_history"
    }

    /// Encode one entry as a single line (without the terminating newline).
    public static func encode(_ entry: String) -> String {
        var out = ""
        out.reserveCapacity(entry.utf8.count)
        for scalar in entry.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Decode one line written by `encode`.
    public static func decode<S: StringProtocol>(_ line: S) -> String {
        var out = ""
        var escaping = false
        for scalar in line.unicodeScalars {
            if escaping {
                switch scalar {
                case "n": out += "\n"
                case "r": out += "\r"
                case "\\": out += "\\"
                default:
                    out += "\\"
                    out.unicodeScalars.append(scalar)
                }
                escaping = false
            } else if scalar == "\\" {
                escaping = true
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        if escaping { out += "\\" }
        return out
    }

    /// Decode a whole file's contents into entries (oldest first).
    public static func parse(_ contents: String) -> [String] {
        // "\r\n" is a single Character in Swift: split on both (tolerates CRLF files).
        contents.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { decode($0) }
    }

    /// Load the newest `capacity` entries (oldest first). A missing or
    /// unreadable file yields `[]`. Compacts an oversized file.
    public func load() -> [String] {
        guard let contents = readWholeFile() else { return [] }
        let all = HistoryFile.parse(contents)
        let kept = Array(all.suffix(capacity))
        if all.count > 2 * capacity {
            rewrite(kept)
        }
        return kept
    }

    /// Append one entry. Returns false if the file could not be written.
    @discardableResult
    public func append(_ entry: String) -> Bool {
        let line = HistoryFile.encode(entry) + "\n"
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return writeAll(fd, line)
    }

    // MARK: - File helpers

    private func readWholeFile() -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func rewrite(_ entries: [String]) {
        let tmp = path + ".tmp.\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let text = entries.map { HistoryFile.encode($0) + "\n" }.joined()
        let ok = writeAll(fd, text)
        close(fd)
        if ok {
            if rename(tmp, path) != 0 { unlink(tmp) }
        } else {
            unlink(tmp)
        }
    }

    private func writeAll(_ fd: Int32, _ text: String) -> Bool {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buf in
                write(fd, buf.baseAddress.map { $0 + offset }, buf.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }
}
