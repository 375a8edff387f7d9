import Foundation

/// Python's `glob` (`glob`, `iglob`, `escape`, `has_magic`) and `fnmatch` (`fnmatch`,
/// `fnmatchcase`, `filter`), with CPython's rules: a pattern without wildcards names itself if it
/// exists, names starting with `.` match only a pattern starting with `.`, `**` with
/// `recursive=True` matches any depth (the directory itself included), the pattern's own
/// spelling of directories is kept. Each directory's entries are listed in sorted order
/// (CPython's follow the file system's order).
enum GlobModule {
    static func glob() -> Namespace {
        let m = Namespace("glob")
        for name in ["glob", "iglob"] {
            m[name] = .object(NativeFunction(name, "pathname, *, root_dir=None, dir_fd=None, recursive=False, include_hidden=False",
                                             doc: "The paths matching a pattern with * ? [seq] wildcards (** across directories when recursive).") { b, ev in
                let pattern = try b[0].asPath("pathname")
                let root = b[1].isNone ? nil : try b[1].asPath("root_dir")
                let recursive = try ev.truthy(b[3])
                var found = Matcher(root: root, recursive: recursive, hidden: try ev.truthy(b[4])).glob(pattern, directoriesOnly: false)
                // CPython skips the directory itself that a leading `**` yields first (as "").
                if recursive, pattern.hasPrefix("**"), found.first == "" { found.removeFirst() }
                let items = ev.makeList(found.map { .str($0) })
                return name == "glob" ? items : .object(ArrayIterator(ev.sequenceItems(items) ?? [], kind: "generator"))
            })
        }
        m["escape"] = .object(NativeFunction("escape", "pathname", doc: "The path with its wildcard characters made literal ([*], [?], [[]).") { b, _ in
            .str(String(try b[0].asPath("pathname").flatMap { "*?[".contains($0) ? "[\($0)]" : String($0) }))
        })
        m["has_magic"] = .object(NativeFunction("has_magic", "s", doc: "Whether s holds a wildcard (* ? [).") { b, _ in
            .bool(hasMagic(try b[0].asPath("s")))
        })
        return m
    }

    static func fnmatchModule() -> Namespace {
        let m = Namespace("fnmatch")
        for name in ["fnmatch", "fnmatchcase"] {
            m[name] = .object(NativeFunction(name, "name, pat", doc: "Whether name matches the shell pattern pat (* ? [seq] [!seq]).") { b, _ in
                .bool(matches(try b[0].asPath("name"), try b[1].asPath("pat")))
            })
        }
        m["filter"] = .object(NativeFunction("filter", "names, pat", doc: "The names that match pat.") { b, ev in
            let pattern = try b[1].asPath("pat")
            return ev.makeList(try ev.iterate(b[0]).filter { matches(try $0.asPath("names"), pattern) })
        })
        return m
    }

    static func hasMagic(_ s: String) -> Bool { s.contains { "*?[".contains($0) } }

    /// Shell-pattern match of a whole name (`/` and a leading `.` are ordinary characters).
    static func matches(_ name: String, _ pattern: String) -> Bool { fnmatch(pattern, name, 0) == 0 }

    /// One `glob` call's settings.
    struct Matcher {
        let root: String?
        let recursive: Bool
        let hidden: Bool
        private let fm = FileManager.default

        init(root: String?, recursive: Bool, hidden: Bool) {
            self.root = root
            self.recursive = recursive
            self.hidden = hidden
        }

        /// Where a path the pattern spells is on disk (relative to `root_dir` when given).
        private func real(_ p: String) -> String {
            guard let root, !p.hasPrefix("/") else { return p.isEmpty ? "." : p }
            return p.isEmpty ? root : root + "/" + p
        }

        private func exists(_ p: String) -> Bool { fm.fileExists(atPath: real(p)) || (try? fm.destinationOfSymbolicLink(atPath: real(p))) != nil }

        private func isDirectory(_ p: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: real(p), isDirectory: &d) && d.boolValue
        }

        private func join(_ a: String, _ b: String) -> String {
            if a.isEmpty { return b }
            return a.hasSuffix("/") ? a + b : a + "/" + b
        }

        private func list(_ directory: String, directoriesOnly: Bool) -> [String] {
            let names = ((try? fm.contentsOfDirectory(atPath: real(directory))) ?? []).sorted()
            return directoriesOnly ? names.filter { isDirectory(join(directory, $0)) } : names
        }

        /// CPython's `_iglob`.
        func glob(_ pattern: String, directoriesOnly: Bool) -> [String] {
            let (dirname, basename) = OSModule.split(pattern)
            if !hasMagic(pattern) {
                if basename.isEmpty { return isDirectory(dirname) ? [pattern] : [] }
                return exists(pattern) ? [pattern] : []
            }
            let directories = dirname != pattern && hasMagic(dirname) ? glob(dirname, directoriesOnly: true) : [dirname]
            var out: [String] = []
            for d in directories {
                for name in inDirectory(d, basename, directoriesOnly: directoriesOnly) {
                    out.append(d.isEmpty ? name : (name.isEmpty ? join(d, "") : join(d, name)))
                }
            }
            return out
        }

        /// The names in `directory` that `pattern` (one path component) matches.
        private func inDirectory(_ directory: String, _ pattern: String, directoriesOnly: Bool) -> [String] {
            if !hasMagic(pattern) {
                if pattern.isEmpty { return isDirectory(directory) ? [""] : [] }
                return exists(join(directory, pattern)) ? [pattern] : []
            }
            let visible: (String) -> Bool = { hidden || !$0.hasPrefix(".") || pattern.hasPrefix(".") }
            if recursive && pattern == "**" {
                var out = directory.isEmpty || isDirectory(directory) ? [""] : []
                func walk(_ relative: String) {
                    for name in list(join(directory, relative), directoriesOnly: false) where hidden || !name.hasPrefix(".") {
                        let path = relative.isEmpty ? name : relative + "/" + name
                        let isDir = isDirectory(join(directory, path))
                        if !directoriesOnly || isDir { out.append(path) }
                        if isDir { walk(path) }
                    }
                }
                walk("")
                return out
            }
            return list(directory, directoriesOnly: directoriesOnly).filter { visible($0) && matches($0, pattern) }
        }
    }
}
