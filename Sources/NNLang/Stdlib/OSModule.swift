import Foundation

/// Python's `os` and `os.path`, the parts scripts use around checkpoints and data files.
enum OSModule {
    static func module() -> Namespace {
        let os = Namespace("os")
        func def(_ ns: Namespace, _ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            ns[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        let fm = FileManager.default
        let path = Namespace("os.path")
        def(path, "join", "a, *p", "Joins path parts with '/', restarting at an absolute part.") { b, _ in
            var out = try b[0].asPath("path")
            for part in b.extraPositional {
                let p = try part.asPath("path")
                if p.hasPrefix("/") { out = p } else if out.isEmpty || out.hasSuffix("/") { out += p } else { out += "/" + p }
            }
            return .str(out)
        }
        def(path, "exists", "path", "True if the path names an existing file or directory.") { b, _ in
            guard let p = try? b[0].asPath() else { return .bool(false) }
            return .bool(fm.fileExists(atPath: p))
        }
        for (name, wantDirectory) in [("isfile", false), ("isdir", true)] {
            def(path, name, "path", wantDirectory ? "True for an existing directory." : "True for an existing regular file.") { b, _ in
                guard let p = try? b[0].asPath() else { return .bool(false) }
                var isDirectory: ObjCBool = false
                return .bool(fm.fileExists(atPath: p, isDirectory: &isDirectory) && isDirectory.boolValue == wantDirectory)
            }
        }
        def(path, "basename", "p", "The final component of a path.") { b, _ in
            let p = try b[0].asPath("p")
            return .str(p.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? "")
        }
        def(path, "dirname", "p", "The path without its final component.") { b, _ in .str(split(try b[0].asPath("p")).0) }
        def(path, "split", "p", "(dirname, basename).") { b, ev in
            let (head, tail) = split(try b[0].asPath("p"))
            return ev.makeTuple([.str(head), .str(tail)])
        }
        def(path, "splitext", "p", "(root, extension), the extension starting at the last dot of the last component.") { b, ev in
            let p = try b[0].asPath("p")
            let (_, tail) = split(p)
            let trimmed = tail.drop { $0 == "." }
            guard let dot = trimmed.lastIndex(of: ".") else { return ev.makeTuple([.str(p), .str("")]) }
            let ext = String(trimmed[dot...])
            return ev.makeTuple([.str(String(p.dropLast(ext.count))), .str(ext)])
        }
        def(path, "abspath", "path", "The absolute, normalised path.") { b, _ in
            let p = try b[0].asPath("path")
            let full = p.hasPrefix("/") ? p : fm.currentDirectoryPath + "/" + p
            return .str(URL(fileURLWithPath: full).standardizedFileURL.path)
        }
        def(path, "getsize", "filename", "The size of a file in bytes.") { b, _ in
            let p = try b[0].asPath("filename")
            guard let size = (try? fm.attributesOfItem(atPath: p))?[.size] as? Int else {
                throw PyError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(p)'")
            }
            return .int(size)
        }
        path["sep"] = .str("/")
        os["path"] = .object(path)
        os["sep"] = .str("/")
        os["name"] = .str("posix")
        let environ = PyDict()
        for (k, v) in ProcessInfo.processInfo.environment.sorted(by: { $0.key < $1.key }) { try? environ.set(.str(k), .str(v)) }
        os["environ"] = .object(environ)
        def(os, "getcwd", "", "The current working directory.") { _, _ in .str(fm.currentDirectoryPath) }
        def(os, "chdir", "path", "Makes path the current working directory.") { b, _ in
            let p = try b[0].asPath("path")
            guard fm.changeCurrentDirectoryPath(p) else {
                var d: ObjCBool = false
                throw fm.fileExists(atPath: p, isDirectory: &d)
                    ? PyError(.osError, "[Errno 20] Not a directory: '\(p)'")
                    : PyError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(p)'")
            }
            return .none
        }
        def(os, "fspath", "path", "The str a path object (pathlib.Path) stands for; a str unchanged.") { b, _ in .str(try b[0].asPath("path")) }
        def(os, "listdir", "path='.'", "The names in a directory (in no particular order, as Python's).") { b, ev in
            let p = try b[0].asPath("path")
            guard let names = try? fm.contentsOfDirectory(atPath: p) else {
                throw PyError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(p)'")
            }
            return ev.makeList(names.sorted().map { .str($0) })
        }
        def(os, "makedirs", "name, mode=511, exist_ok=False", "Creates a directory and any missing parents.") { b, ev in
            let p = try b[0].asPath("name")
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: p, isDirectory: &isDirectory) {
                if try ev.truthy(b[2]) && isDirectory.boolValue { return .none }
                throw PyError(.fileExistsError, "[Errno 17] File exists: '\(p)'")
            }
            do { try fm.createDirectory(atPath: p, withIntermediateDirectories: true) } catch {
                throw PyError(.osError, "cannot create directory '\(p)'")
            }
            return .none
        }
        def(os, "remove", "path", "Deletes a file.") { b, _ in
            let p = try b[0].asPath("path")
            guard fm.fileExists(atPath: p) else { throw PyError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(p)'") }
            do { try fm.removeItem(atPath: p) } catch { throw PyError(.osError, "cannot remove '\(p)'") }
            return .none
        }
        def(os, "getenv", "key, default=None", "An environment variable, or default.") { b, _ in
            ProcessInfo.processInfo.environment[try b[0].asString("key")].map { .str($0) } ?? b[1]
        }
        addProcessAndTreeFunctions(os)
        return os
    }

    /// Python's `os.path.split`: (everything up to the last '/', what follows), the head without
    /// trailing slashes unless it is all slashes.
    static func split(_ p: String) -> (String, String) {
        guard let slash = p.lastIndex(of: "/") else { return ("", p) }
        var head = String(p[...slash])
        let tail = String(p[p.index(after: slash)...])
        if head.contains(where: { $0 != "/" }) { while head.hasSuffix("/") { head.removeLast() } }
        return (head, tail)
    }
}
