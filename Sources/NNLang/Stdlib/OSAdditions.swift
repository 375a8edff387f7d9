import Foundation

/// More of `os` (session 10): `cpu_count`, `getpid`, `walk` (top-down with pruning through
/// `dirnames`, or bottom-up), `mkdir`, `rmdir`, `rename`, `replace`, `unlink`, the path
/// constants, and `os.path.isabs/expanduser/normpath/relpath/realpath/getmtime/islink/
/// commonprefix`; and `multiprocessing.cpu_count`.
extension OSModule {
    static func addProcessAndTreeFunctions(_ os: Namespace) {
        let fm = FileManager.default
        func def(_ ns: Namespace, _ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            ns[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        func missing(_ p: String) -> PyError { PyError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(p)'") }
        func isDirectory(_ p: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: p, isDirectory: &d) && d.boolValue
        }
        os["linesep"] = .str("\n")
        os["devnull"] = .str("/dev/null")
        os["curdir"] = .str(".")
        os["pardir"] = .str("..")
        os["pathsep"] = .str(":")
        os["unlink"] = os["remove"]
        def(os, "cpu_count", "", "The number of logical CPUs.") { _, _ in .int(ProcessInfo.processInfo.processorCount) }
        def(os, "getpid", "", "The process id.") { _, _ in .int(Int(Foundation.getpid())) }
        def(os, "mkdir", "path, mode=511, *, dir_fd=None", "Creates one directory.") { b, _ in
            let p = try b[0].asPath("path")
            if fm.fileExists(atPath: p) { throw PyError(.fileExistsError, "[Errno 17] File exists: '\(p)'") }
            do { try fm.createDirectory(atPath: p, withIntermediateDirectories: false) } catch { throw missing(p) }
            return .none
        }
        def(os, "rmdir", "path, *, dir_fd=None", "Removes an empty directory.") { b, _ in
            let p = try b[0].asPath("path")
            guard fm.fileExists(atPath: p) else { throw missing(p) }
            guard isDirectory(p) else { throw PyError(.osError, "[Errno 20] Not a directory: '\(p)'") }
            guard (try? fm.contentsOfDirectory(atPath: p))?.isEmpty ?? false else { throw PyError(.osError, "[Errno 39] Directory not empty: '\(p)'") }
            try? fm.removeItem(atPath: p)
            return .none
        }
        for name in ["rename", "replace"] {
            def(os, name, "src, dst, *, src_dir_fd=None, dst_dir_fd=None", "Renames a file or directory (replacing a file at dst).") { b, _ in
                let src = try b[0].asPath("src"), dst = try b[1].asPath("dst")
                guard Foundation.rename(src, dst) == 0 else {
                    throw errno == ENOENT ? PyError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(src)' -> '\(dst)'")
                        : PyError(.osError, "[Errno \(errno)] \(String(cString: strerror(errno))): '\(src)' -> '\(dst)'")
                }
                return .none
            }
        }
        def(os, "walk", "top, topdown=True, onerror=None, followlinks=False", "(dirpath, dirnames, filenames) for each directory of a tree; names sorted.") { b, ev in
            let top = try b[0].asPath("top")
            func entries(_ dir: String) -> (PyList, PyList)? {
                guard let names = try? fm.contentsOfDirectory(atPath: dir) else { return nil }
                let sorted = names.sorted()
                let join = { (n: String) in dir.hasSuffix("/") ? dir + n : dir + "/" + n }
                return (PyList(sorted.filter { isDirectory(join($0)) }.map { .str($0) }),
                        PyList(sorted.filter { !isDirectory(join($0)) }.map { .str($0) }))
            }
            func child(_ dir: String, _ name: Value) -> String? {
                guard case .str(let n) = name else { return nil }
                return dir.hasSuffix("/") ? dir + n : dir + "/" + n
            }
            if try !ev.truthy(b[1]) {
                // Bottom-up: a directory after everything below it.
                var out: [Value] = []
                func visit(_ dir: String) {
                    guard let (dirs, files) = entries(dir) else { return }
                    for d in dirs.items { if let c = child(dir, d), (try? fm.destinationOfSymbolicLink(atPath: c)) == nil { visit(c) } }
                    out.append(ev.makeTuple([.str(dir), .object(dirs), .object(files)]))
                }
                visit(top)
                return .object(ArrayIterator(out, kind: "generator"))
            }
            // Top-down: a directory's subdirectories are read from its `dirnames` list when the
            // next item is asked for, so a loop that removes names from it prunes the walk.
            var stack = [top]
            var last: (String, PyList)?
            return .object(LazyIterator(kind: "generator") {
                if let (dir, dirs) = last {
                    // Symbolic links to directories are listed but not entered (followlinks=False).
                    stack += dirs.items.compactMap { child(dir, $0) }.filter { (try? fm.destinationOfSymbolicLink(atPath: $0)) == nil }.reversed()
                    last = nil
                }
                while let dir = stack.popLast() {
                    guard let (dirs, files) = entries(dir) else { continue }
                    last = (dir, dirs)
                    return ev.makeTuple([.str(dir), .object(dirs), .object(files)])
                }
                return nil
            })
        }
        guard case .object(let po)? = os["path"], let path = po as? Namespace else { return }
        def(path, "isabs", "s", "Whether the path starts at the root.") { b, _ in .bool(try b[0].asPath("s").hasPrefix("/")) }
        def(path, "islink", "path", "Whether the path is a symbolic link.") { b, _ in
            .bool((try? fm.destinationOfSymbolicLink(atPath: try b[0].asPath("path"))) != nil)
        }
        def(path, "expanduser", "path", "~ and ~/… made the home directory's.") { b, _ in
            let p = try b[0].asPath("path")
            guard p == "~" || p.hasPrefix("~/") else { return .str(p) }
            let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
            return .str(home + p.dropFirst())
        }
        def(path, "normpath", "path", "The path with '.', '..' and repeated slashes resolved as text.") { b, _ in .str(normalise(try b[0].asPath("path"))) }
        def(path, "realpath", "path, *, strict=False", "The absolute path with symbolic links resolved.") { b, _ in
            let p = try b[0].asPath("path")
            let full = p.hasPrefix("/") ? p : fm.currentDirectoryPath + "/" + p
            return .str(normalise(URL(fileURLWithPath: full).resolvingSymlinksInPath().path))
        }
        def(path, "relpath", "path, start=None", "The path relative to start (the current directory).") { b, _ in
            func absolute(_ p: String) -> [Substring] {
                normalise(p.hasPrefix("/") ? p : fm.currentDirectoryPath + "/" + p).split(separator: "/")
            }
            let target = absolute(try b[0].asPath("path"))
            let start = absolute(b[1].isNone ? "." : try b[1].asPath("start"))
            let common = zip(target, start).prefix { $0 == $1 }.count
            let parts = Array(repeating: "..", count: start.count - common) + target[common...].map(String.init)
            return .str(parts.isEmpty ? "." : parts.joined(separator: "/"))
        }
        def(path, "getmtime", "filename", "The last modification time, in seconds since the epoch.") { b, _ in
            let p = try b[0].asPath("filename")
            guard let date = (try? fm.attributesOfItem(atPath: p))?[.modificationDate] as? Date else { throw missing(p) }
            return .float(date.timeIntervalSince1970)
        }
        def(path, "commonprefix", "m", "The longest string every path starts with (character by character).") { b, ev in
            let items = try ev.iterate(b[0]).map { try $0.asPath("m") }
            guard var prefix = items.first else { return .str("") }
            for s in items.dropFirst() { prefix = String(zip(prefix, s).prefix { $0 == $1 }.map(\.0)) }
            return .str(prefix)
        }
    }

    /// `os.path.normpath`.
    static func normalise(_ p: String) -> String {
        if p.isEmpty { return "." }
        let slashes = p.hasPrefix("//") && !p.hasPrefix("///") ? "//" : (p.hasPrefix("/") ? "/" : "")
        var parts: [Substring] = []
        for part in p.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." { parts.removeLast() }
            else if part == "..", !slashes.isEmpty { continue }
            else { parts.append(part) }
        }
        let joined = slashes + parts.joined(separator: "/")
        return joined.isEmpty ? "." : joined
    }

    static func multiprocessing() -> Namespace {
        let m = Namespace("multiprocessing")
        m["cpu_count"] = .object(NativeFunction("cpu_count", "", doc: "The number of logical CPUs.") { _, _ in .int(ProcessInfo.processInfo.processorCount) })
        return m
    }
}
