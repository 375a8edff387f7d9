import Foundation

/// Python's `shutil`, the file operations scripts use around data and checkpoints: `copy`,
/// `copyfile`, `copy2`, `copytree`, `rmtree`, `move`, `which`, `disk_usage`,
/// `get_terminal_size`, with CPython's return values and errors.
enum ShutilModule {
    static func module() -> Namespace {
        let m = Namespace("shutil")
        let fm = FileManager.default
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            m[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        func isDirectory(_ p: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: p, isDirectory: &d) && d.boolValue
        }
        func missing(_ p: String) -> PyError { PyError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(p)'") }
        /// Copies one file's bytes to `dst` (replacing it); `dst` inside a directory when it is one.
        func copyFile(_ src: String, _ dst: String, intoDirectory: Bool) throws -> String {
            guard fm.fileExists(atPath: src) else { throw missing(src) }
            if isDirectory(src) { throw PyError(.osError, "[Errno 21] Is a directory: '\(src)'") }
            let target = intoDirectory && isDirectory(dst) ? (dst.hasSuffix("/") ? dst : dst + "/") + (src as NSString).lastPathComponent : dst
            guard let data = fm.contents(atPath: src) else { throw PyError(.osError, "[Errno 13] Permission denied: '\(src)'") }
            if isDirectory(target) { throw PyError(.osError, "[Errno 21] Is a directory: '\(target)'") }
            guard fm.createFile(atPath: target, contents: data) else { throw missing(target) }
            return target
        }
        def("copyfile", "src, dst, *, follow_symlinks=True", "Copies a file's contents to dst; returns dst.") { b, _ in
            .str(try copyFile(try b[0].asPath("src"), try b[1].asPath("dst"), intoDirectory: false))
        }
        for name in ["copy", "copy2"] {
            def(name, "src, dst, *, follow_symlinks=True", "Copies a file to dst (a file or a directory to copy into); returns the new file's path.") { b, _ in
                .str(try copyFile(try b[0].asPath("src"), try b[1].asPath("dst"), intoDirectory: true))
            }
        }
        def("copytree", "src, dst, symlinks=False, ignore=None, copy_function=None, ignore_dangling_symlinks=False, dirs_exist_ok=False",
            "Copies a directory tree to dst; returns dst.") { b, ev in
            let src = try b[0].asPath("src"), dst = try b[1].asPath("dst")
            guard isDirectory(src) else { throw missing(src) }
            if fm.fileExists(atPath: dst), !(try ev.truthy(b[6])) { throw PyError(.fileExistsError, "[Errno 17] File exists: '\(dst)'") }
            try? fm.createDirectory(atPath: dst, withIntermediateDirectories: true)
            for relative in (fm.subpaths(atPath: src) ?? []).sorted() {
                let from = src + "/" + relative, to = dst + "/" + relative
                if isDirectory(from) { try? fm.createDirectory(atPath: to, withIntermediateDirectories: true) }
                else { _ = try copyFile(from, to, intoDirectory: false) }
            }
            return .str(dst)
        }
        def("rmtree", "path, ignore_errors=False, onerror=None", "Removes a directory and everything in it.") { b, ev in
            let p = try b[0].asPath("path")
            let ignore = try ev.truthy(b[1])
            guard fm.fileExists(atPath: p) else {
                if ignore { return .none }
                throw missing(p)
            }
            guard isDirectory(p) else {
                if ignore { return .none }
                throw PyError(.osError, "[Errno 20] Not a directory: '\(p)'")
            }
            do { try fm.removeItem(atPath: p) } catch { if !ignore { throw PyError(.osError, "[Errno 39] Directory not empty: '\(p)'") } }
            return .none
        }
        def("move", "src, dst, copy_function=None", "Moves a file or directory (into dst when it is a directory); returns the new path.") { b, _ in
            let src = try b[0].asPath("src"), dst = try b[1].asPath("dst")
            guard fm.fileExists(atPath: src) else { throw missing(src) }
            var target = dst
            if isDirectory(dst) {
                target = (dst.hasSuffix("/") ? dst : dst + "/") + (src as NSString).lastPathComponent
                if fm.fileExists(atPath: target) { throw PyError(.osError, "Destination path '\(target)' already exists") }
            } else if fm.fileExists(atPath: target) {
                try? fm.removeItem(atPath: target)
            }
            do { try fm.moveItem(atPath: src, toPath: target) } catch { throw missing(target) }
            return .str(target)
        }
        def("which", "cmd, mode=1, path=None", "The full path of an executable on $PATH, or None.") { b, _ in
            let cmd = try b[0].asPath("cmd")
            if cmd.contains("/") { return fm.isExecutableFile(atPath: cmd) ? .str(cmd) : .none }
            let search = b[2].isNone ? (ProcessInfo.processInfo.environment["PATH"] ?? "") : try b[2].asString("path")
            for dir in search.split(separator: ":") where fm.isExecutableFile(atPath: "\(dir)/\(cmd)") && !isDirectory("\(dir)/\(cmd)") {
                return .str("\(dir)/\(cmd)")
            }
            return .none
        }
        def("disk_usage", "path", "(total, used, free) in bytes.") { b, ev in
            let p = try b[0].asPath("path")
            var s = statvfs()
            guard statvfs(p, &s) == 0 else { throw missing(p) }
            let block = Int(s.f_frsize)
            let total = Int(s.f_blocks) * block, free = Int(s.f_bavail) * block
            return try namedTuple("usage", ["total", "used", "free"], [.int(total), .int(total - Int(s.f_bfree) * block), .int(free)], ev)
        }
        def("get_terminal_size", "fallback=(80, 24)", "(columns, lines) from $COLUMNS/$LINES, else the fallback.") { b, ev in
            let fallback = try ev.iterate(b[0]).map { try $0.asInt() }
            let env = ProcessInfo.processInfo.environment
            let columns = env["COLUMNS"].flatMap { Int($0) } ?? fallback.first ?? 80
            let lines = env["LINES"].flatMap { Int($0) } ?? (fallback.count > 1 ? fallback[1] : 24)
            return try namedTuple("terminal_size", ["columns", "lines"], [.int(columns), .int(lines)], ev)
        }
        return m
    }

    /// A `collections.namedtuple` instance (`usage(total=…, used=…, free=…)`).
    static func namedTuple(_ name: String, _ fields: [String], _ values: [Value], _ ev: Evaluator) throws -> Value {
        let factory = CollectionsModule.module()["namedtuple"] ?? .none
        let cls = try ev.call(factory, Arguments([.str(name), ev.makeList(fields.map { .str($0) })]))
        return try ev.call(cls, Arguments(values))
    }
}
