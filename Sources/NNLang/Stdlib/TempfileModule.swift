import Foundation

/// Python's `tempfile`, the parts scripts use for scratch checkpoints: `TemporaryDirectory`
/// (removed with its contents on exit or `cleanup()`), `mkdtemp`, `gettempdir`.
enum TempfileModule {
    static func module() -> Namespace {
        let m = Namespace("tempfile")
        m["gettempdir"] = .object(NativeFunction("gettempdir", "", doc: "The directory temporary files go in ($TMPDIR or /tmp).") { _, _ in
            .str(tempDirectory)
        })
        m["mkdtemp"] = .object(NativeFunction("mkdtemp", "suffix=None, prefix=None, dir=None", doc: "Creates a new private directory and returns its path.") { b, _ in
            .str(try makeDirectory(b))
        })
        m["TemporaryDirectory"] = .object(NativeFunction("TemporaryDirectory", "suffix=None, prefix=None, dir=None, ignore_cleanup_errors=False",
                                                         doc: "A new directory, removed with its contents on exit from `with` (which binds its path) or by cleanup().") { b, _ in
            .object(TemporaryDirectory(path: try makeDirectory(b)))
        })
        return m
    }

    static var tempDirectory: String {
        let env = ProcessInfo.processInfo.environment["TMPDIR"] ?? ""
        return env.isEmpty ? "/tmp" : (env.hasSuffix("/") && env.count > 1 ? String(env.dropLast()) : env)
    }

    /// mkdir(2) of `dir/prefix + 8 random characters + suffix`, retried on a name clash, mode 0700.
    private static func makeDirectory(_ b: Bound) throws -> String {
        let suffix = b[0].isNone ? "" : try b[0].asString("suffix")
        let prefix = b[1].isNone ? "tmp" : try b[1].asString("prefix")
        let parent = b[2].isNone ? tempDirectory : try b[2].asString("dir")
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789_")
        for _ in 0..<100 {
            let name = String((0..<8).map { _ in letters[Int.random(in: 0..<letters.count)] })
            let path = "\(parent)/\(prefix)\(name)\(suffix)"
            if mkdir(path, 0o700) == 0 { return path }
            if errno != EEXIST {
                let code = errno
                throw PyError(code == ENOENT ? .fileNotFoundError : .osError, "[Errno \(code)] \(String(cString: strerror(code))): '\(path)'")
            }
        }
        throw PyError(.fileExistsError, "No usable temporary directory name found")
    }
}

/// `tempfile.TemporaryDirectory()`.
final class TemporaryDirectory: PyObject {
    let path: String
    private var removed = false

    init(path: String) {
        self.path = path
        super.init()
    }

    deinit { cleanup() }

    func cleanup() {
        guard !removed else { return }
        removed = true
        try? FileManager.default.removeItem(atPath: path)
    }

    override var typeName: String { "TemporaryDirectory" }
    override func repr(_ ev: Evaluator) throws -> String { "<TemporaryDirectory \(try ev.repr(.str(path)))>" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "name": return .str(path)
        case "__enter__": return builtinMethod(name) { _, _ in .str(self.path) }
        case "__exit__", "cleanup": return builtinMethod(name) { _, _ in self.cleanup(); return .none }
        default: return nil
        }
    }
}
