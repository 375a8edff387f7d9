import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Errors raised by `PTYSession`.
enum PTYError: Error, CustomStringConvertible {
    case openFailed(String)
    case spawnFailed(Int32)
    case timeout(expected: String, output: String)
    case closed(expected: String, output: String)

    var description: String {
        switch self {
        case .openFailed(let why): return "pty: cannot open: \(why)"
        case .spawnFailed(let code): return "pty: posix_spawn failed: \(code)"
        case .timeout(let expected, let output):
            return "pty: timed out waiting for \(expected.debugDescription); unconsumed output: \(output.debugDescription)"
        case .closed(let expected, let output):
            return "pty: child closed the terminal before \(expected.debugDescription); unconsumed output: \(output.debugDescription)"
        }
    }
}

/// A pseudo-terminal for driving interactive programs in tests.
///
/// `spawn` runs a program as a session leader whose controlling terminal is
/// the pty slave (so Ctrl-C written to the master raises SIGINT in it, as on a
/// real terminal). `openPair` only opens the pty (the test keeps the slave fd
/// and may hand it to in-process code). Output is read from the master with
/// `expect`, which waits (with a timeout) for a substring and consumes the
/// output up to the end of it. Escape sequences and `\r` are stripped before
/// matching unless `raw: true`. The child is killed on `close()`/deinit.
///
/// Linux only: uses `/dev/ptmx` with the TIOCSPTLCK/TIOCGPTN ioctls (the
/// posix_openpt family is not exported by Swift's Glibc module) and
/// glibc's `POSIX_SPAWN_SETSID`; no `fork` in Swift.
final class PTYSession {
    static let ctrlC = "\u{03}"
    static let ctrlD = "\u{04}"
    static let ctrlR = "\u{12}"
    static let tab = "\t"
    static let enter = "\r"
    static let up = "\u{1B}[A"

    private(set) var masterFD: Int32
    /// Slave fd held by this process (`openPair` only; -1 otherwise).
    private(set) var slaveFD: Int32 = -1
    let slavePath: String
    private(set) var pid: pid_t = 0
    /// Everything read so far (raw bytes, lossily decoded).
    private(set) var transcript = ""
    private var pending: [UInt8] = []
    private var eof = false

    private init(master: Int32, slavePath: String) {
        self.masterFD = master
        self.slavePath = slavePath
    }

    deinit { close() }

    // MARK: - Creation

    private static func openMaster(rows: UInt16, cols: UInt16) throws -> (Int32, String) {
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw PTYError.openFailed("/dev/ptmx: errno \(errno)") }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        // TIOCSPTLCK = _IOW('T', 0x31, int); TIOCGPTN = _IOR('T', 0x30, unsigned int)
        guard ioctl(master, UInt(0x4004_5431), &unlock) == 0,
              ioctl(master, UInt(0x8004_5430), &number) == 0 else {
            let e = errno
            Glibc.close(master)
            throw PTYError.openFailed("unlock/ptsname: errno \(e)")
        }
        var ws = winsize(ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &ws)
        return (master, "/dev/pts/\(number)")
    }

    /// Open a pty; the slave is opened in this process (no controlling tty).
    static func openPair(rows: UInt16 = 24, cols: UInt16 = 80) throws -> PTYSession {
        let (master, path) = try openMaster(rows: rows, cols: cols)
        let session = PTYSession(master: master, slavePath: path)
        let slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard slave >= 0 else { throw PTYError.openFailed("\(path): errno \(errno)") }
        session.slaveFD = slave
        return session
    }

    /// Spawn `path` with `arguments` (argv[1...]) under a new pty.
    /// `environment` replaces the child's environment entirely.
    static func spawn(_ path: String, arguments: [String] = [], environment: [String: String],
                      rows: UInt16 = 24, cols: UInt16 = 80) throws -> PTYSession {
        let (master, slavePath) = try openMaster(rows: rows, cols: cols)
        let session = PTYSession(master: master, slavePath: slavePath)

        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        // glibc applies SETSID before the file actions, so opening the slave
        // (without O_NOCTTY) makes it the child's controlling terminal.
        let POSIX_SPAWN_SETSID: Int16 = 0x80
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF) | POSIX_SPAWN_SETSID)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] =
            environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw PTYError.spawnFailed(rc) }
        session.pid = child
        return session
    }

    /// A minimal environment for children: PATH, HOME, TERM=xterm, LANG=C.UTF-8, plus the
    /// sanitizer settings the tests run under (`scripts/test --asan`: without them an ASan'd
    /// child reports leaks at exit and ends with status 1).
    static func baseEnvironment(home: String) -> [String: String] {
        var env = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "TERM": "xterm", "LANG": "C.UTF-8"]
        for name in ["ASAN_OPTIONS", "SWIFT_BACKTRACE"] { env[name] = ProcessInfo.processInfo.environment[name] }
        return env
    }

    // MARK: - I/O

    /// Write `text` (keystrokes) to the terminal.
    func send(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buf in
                Glibc.write(masterFD, buf.baseAddress.map { $0 + offset }, buf.count - offset)
            }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            offset += n
        }
    }

    /// Read whatever arrives within `timeout` seconds (returns at the first
    /// chunk, or when nothing came). Returns false on EOF/EIO (child gone).
    @discardableResult
    private func pump(timeout: Double) -> Bool {
        guard !eof, masterFD >= 0 else { return false }
        var pfd = pollfd(fd: masterFD, events: Int16(POLLIN), revents: 0)
        let ms = Int32(max(0, min(timeout, 3600)) * 1000)
        let ready = poll(&pfd, 1, ms)
        if ready <= 0 { return true }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { Glibc.read(masterFD, $0.baseAddress, $0.count) }
        if n <= 0 {
            if n < 0 && (errno == EINTR || errno == EAGAIN) { return true }
            eof = true  // EIO: all slave fds closed
            return false
        }
        let got = chunk[0..<n]
        pending.append(contentsOf: got)
        transcript += String(decoding: got, as: UTF8.self)
        return true
    }

    /// Wait until `needle` appears in the unconsumed output; consume and
    /// return the output up to and including it (cleaned unless `raw`).
    @discardableResult
    func expect(_ needle: String, timeout: Double = 5, raw: Bool = false) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let consumed = consume(upTo: needle, raw: raw) { return consumed }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { throw PTYError.timeout(expected: needle, output: unconsumed(raw: raw)) }
            if !pump(timeout: min(left, 0.2)), consume(upTo: needle, raw: raw) == nil {
                if eof { throw PTYError.closed(expected: needle, output: unconsumed(raw: raw)) }
            }
        }
    }

    /// Collect output for `seconds` and return it (cleaned unless `raw`), consuming it.
    func drain(for seconds: Double, raw: Bool = false) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while deadline.timeIntervalSinceNow > 0, pump(timeout: deadline.timeIntervalSinceNow) {}
        let text = unconsumed(raw: raw)
        pending.removeAll()
        return text
    }

    /// Unconsumed output so far.
    func unconsumed(raw: Bool = false) -> String {
        let text = String(decoding: pending, as: UTF8.self)
        return raw ? text : PTYSession.clean(text)
    }

    private func consume(upTo needle: String, raw: Bool) -> String? {
        // Search progressively growing prefixes of `pending` in cleaned form;
        // consume the shortest raw prefix whose cleaned text contains needle.
        let text = String(decoding: pending, as: UTF8.self)
        let view = raw ? text : PTYSession.clean(text)
        guard view.contains(needle) else { return nil }
        var cut = pending.count
        var lo = 0, hi = pending.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let prefix = String(decoding: pending[0..<mid], as: UTF8.self)
            if (raw ? prefix : PTYSession.clean(prefix)).contains(needle) { hi = mid } else { lo = mid + 1 }
        }
        cut = lo
        let prefix = String(decoding: pending[0..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return raw ? prefix : PTYSession.clean(prefix)
    }

    /// Remove ANSI escape sequences (CSI, OSC, two-byte ESC x), `\r` and BEL.
    static func clean(_ text: String) -> String {
        var out = ""
        var it = Array(text.unicodeScalars)[...]
        while let s = it.popFirst() {
            switch s {
            case "\u{1B}":
                guard let next = it.popFirst() else { break }
                if next == "[" {
                    while let c = it.popFirst(), !(0x40...0x7E).contains(c.value) {}
                } else if next == "]" {
                    while let c = it.popFirst(), c != "\u{07}" {
                        if c == "\u{1B}" { _ = it.popFirst(); break }
                    }
                } else if next == "(" || next == ")" {
                    _ = it.popFirst()
                }
            case "\r", "\u{07}", "\u{01}":
                continue
            default:
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    // MARK: - Process control

    /// Wait up to `timeout` seconds for the child to exit (draining output
    /// meanwhile). Returns the exit status (128+signal if killed) or nil.
    func waitForExit(timeout: Double = 5) -> Int32? {
        guard pid > 0 else { return nil }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                pid = 0
                let sig = status & 0x7F
                return sig == 0 ? (status >> 8) & 0xFF : 128 + sig
            }
            if r < 0 { pid = 0; return nil }
            if deadline.timeIntervalSinceNow <= 0 { return nil }
            if !pump(timeout: 0.05) { usleep(20_000) }
        }
    }

    /// Kill the child (if any) and close the pty.
    func close() {
        if pid > 0 {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            pid = 0
        }
        if slaveFD >= 0 { Glibc.close(slaveFD); slaveFD = -1 }
        if masterFD >= 0 { Glibc.close(masterFD); masterFD = -1 }
    }
}

extension XCTestCase {
    /// Open a pty session or skip the test when the machine has no ptys.
    func spawnOrSkip(_ path: String, arguments: [String] = [], environment: [String: String]) throws -> PTYSession {
        do {
            return try PTYSession.spawn(path, arguments: arguments, environment: environment)
        } catch PTYError.openFailed(let why) {
            throw XCTSkip("no pseudo-terminal available: \(why)")
        }
    }
}
