import Foundation

/// An object that stands for a file system path (`os.PathLike`): `pathlib.Path`. Every function
/// taking a file name (`open`, `os.path.*`, `torch.save`) accepts one through `Value.asPath`.
public protocol PathLike: AnyObject {
    /// The path as a string (`os.fspath(p)`).
    var fspath: String { get }
}

extension Value {
    /// A path argument: a str or a path object (`pathlib.Path`), as Python's `os.fspath`.
    public func asPath(_ what: String = "path") throws -> String {
        if case .str(let s) = self { return s }
        if case .object(let o) = self, let p = o as? PathLike { return p.fspath }
        throw PyError(.typeError, "\(what) should be string, bytes or os.PathLike, not \(typeName)")
    }
}

/// Python's `pathlib`: `Path` (a `PosixPath`) with the pure path operations (`/`, `name`, `stem`,
/// `suffix`, `parent`, `parts`, `with_suffix`, …, normalised as CPython: repeated slashes and `.`
/// parts dropped) and the file system ones scripts use around checkpoints and datasets
/// (`exists`, `mkdir`, `iterdir`, `glob`, `read_text`, `write_text`, `unlink`, …).
enum PathlibModule {
    static let pathType: HostType = {
        let type = HostType("Path", doc: "A file system path: Path('models') / 'net.pt'.",
                            check: { if case .object(let o) = $0 { return o is PyPath } else { return false } },
                            construct: { a, _ in .object(try PyPath(joining: a.positional)) })
        type.module = "pathlib"
        type.classMembers["cwd"] = .object(NativeFunction("cwd", "", doc: "The current directory.") { _, _ in
            .object(PyPath(FileManager.default.currentDirectoryPath))
        })
        type.classMembers["home"] = .object(NativeFunction("home", "", doc: "The home directory.") { _, _ in
            .object(PyPath(NSHomeDirectory()))
        })
        return type
    }()

    static func module() -> Namespace {
        let m = Namespace("pathlib")
        m["Path"] = .object(pathType)
        m["PosixPath"] = .object(pathType)
        m["PurePath"] = .object(pathType)
        m["PurePosixPath"] = .object(pathType)
        return m
    }
}

/// A `pathlib.PosixPath`: a root ("/" or none) and its parts.
final class PyPath: PyObject, PathLike {
    let root: String
    let parts: [String]

    init(_ text: String) {
        root = text.hasPrefix("/") ? "/" : ""
        parts = text.split(separator: "/").map(String.init).filter { $0 != "." }
        super.init()
    }

    private init(root: String, parts: [String]) {
        self.root = root
        self.parts = parts
        super.init()
    }

    /// `Path(*segments)`: each str or path joined in turn (an absolute one restarts).
    convenience init(joining segments: [Value]) throws {
        var text = ""
        for s in segments {
            let piece = try s.asPath("argument")
            text = piece.hasPrefix("/") || text.isEmpty ? piece : text + "/" + piece
        }
        self.init(text)
    }

    var fspath: String { parts.isEmpty ? (root.isEmpty ? "." : root) : root + parts.joined(separator: "/") }
    var name: String { parts.last ?? "" }
    var suffix: String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex, name.index(after: dot) != name.endIndex else { return "" }
        return String(name[dot...])
    }
    var stem: String { suffix.isEmpty ? name : String(name.dropLast(suffix.count)) }

    func joined(_ other: Value) throws -> PyPath {
        let piece = try other.asPath("argument")
        return piece.hasPrefix("/") ? PyPath(piece) : PyPath(fspath == "." ? piece : fspath + "/" + piece)
    }

    override var typeName: String { "PosixPath" }
    override func repr(_ ev: Evaluator) throws -> String { "PosixPath(\(try ev.repr(.str(fspath))))" }
    override func str(_ ev: Evaluator) throws -> String { fspath }
    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .object(let o as PyPath) = other { return o.fspath == fspath }
        return false
    }

    /// Paths sort by their parts (the root first), as CPython's PurePosixPath.
    override func order(comparedTo other: Value, _ ev: Evaluator) throws -> Int? {
        guard case .object(let o as PyPath) = other else { return nil }
        let mine = (root.isEmpty ? [] : [root]) + parts, theirs = (o.root.isEmpty ? [] : [o.root]) + o.parts
        for (x, y) in zip(mine, theirs) where x != y { return codePointOrder(x, y) }
        return mine.count - theirs.count
    }

    override func binary(_ op: BinaryOperator, _ other: Value, reflected: Bool, _ ev: Evaluator) throws -> Value? {
        guard op == .div else { return nil }
        if case .object(let o) = other, !(o is PathLike) { return nil }
        if !reflected { return .object(try joined(other)) }
        guard case .str(let s) = other else { return nil }
        return .object(try PyPath(s).joined(.object(self)))
    }

    override func attributeNames() -> [String] {
        ["absolute", "as_posix", "exists", "glob", "is_absolute", "is_dir", "is_file", "iterdir", "joinpath", "mkdir", "name",
         "open", "parent", "parents", "parts", "read_text", "relative_to", "rename", "resolve", "rglob", "rmdir", "stat", "stem",
         "suffix", "suffixes", "touch", "unlink", "with_name", "with_stem", "with_suffix", "write_text"]
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        let fm = FileManager.default
        let path = fspath
        func def(_ signature: String, _ body: @escaping (Bound, Evaluator) throws -> Value) -> Value {
            .object(NativeFunction(name, signature, doc: "Path.\(name)", body))
        }
        func isDirectory() -> Bool {
            var dir: ObjCBool = false
            return fm.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
        }
        func missing() -> PyError { PyError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(path)'") }
        switch name {
        case "name": return .str(self.name)
        case "stem": return .str(stem)
        case "suffix": return .str(suffix)
        case "suffixes":
            let pieces = self.name.split(separator: ".", omittingEmptySubsequences: false).dropFirst()
            return self.name.hasSuffix(".") ? ev.makeList([]) : ev.makeList(pieces.map { .str("." + $0) })
        case "parent": return .object(parts.isEmpty ? self : PyPath(root: root, parts: Array(parts.dropLast())))
        case "parents":
            return ev.makeTuple(parts.indices.reversed().map { .object(PyPath(root: root, parts: Array(parts[..<$0]))) })
        case "parts": return ev.makeTuple((root.isEmpty ? [] : [Value.str(root)]) + parts.map { .str($0) })
        case "__fspath__", "as_posix": return def("") { _, _ in .str(path) }
        case "is_absolute": return def("") { _, _ in .bool(!self.root.isEmpty) }
        case "joinpath": return def("*pathsegments") { b, _ in .object(try b.extraPositional.reduce(self) { try $0.joined($1) }) }
        case "with_suffix":
            return def("suffix") { b, _ in
                let s = try b[0].asString("suffix")
                guard s.isEmpty || (s.hasPrefix(".") && s.count > 1 && !s.contains("/")) else { throw PyError(.valueError, "Invalid suffix '\(s)'") }
                guard !self.name.isEmpty else { throw PyError(.valueError, "PosixPath('\(path)') has an empty name") }
                return .object(PyPath(root: self.root, parts: Array(self.parts.dropLast()) + [self.stem + s]))
            }
        case "with_name", "with_stem":
            return def(name == "with_name" ? "name" : "stem") { b, _ in
                let s = try b[0].asString(name == "with_name" ? "name" : "stem")
                guard !self.name.isEmpty else { throw PyError(.valueError, "PosixPath('\(path)') has an empty name") }
                guard !s.isEmpty, !s.contains("/") else { throw PyError(.valueError, "Invalid name '\(s)'") }
                let last = name == "with_name" ? s : s + self.suffix
                return .object(PyPath(root: self.root, parts: Array(self.parts.dropLast()) + [last]))
            }
        case "relative_to":
            return def("*other") { b, _ in
                let base = try PyPath(joining: b.extraPositional)
                guard base.root == self.root, base.parts.count <= self.parts.count,
                      Array(self.parts.prefix(base.parts.count)) == base.parts else {
                    throw PyError(.valueError, "'\(path)' is not in the subpath of '\(base.fspath)' OR one path is relative and the other is absolute.")
                }
                return .object(PyPath(root: "", parts: Array(self.parts.dropFirst(base.parts.count))))
            }
        case "absolute", "resolve":
            return def(name == "resolve" ? "strict=False" : "") { _, _ in
                let full = self.root.isEmpty ? fm.currentDirectoryPath + "/" + path : path
                return .object(PyPath(name == "resolve" ? URL(fileURLWithPath: full).standardizedFileURL.path : full))
            }
        case "exists": return def("") { _, _ in .bool(fm.fileExists(atPath: path)) }
        case "is_dir": return def("") { _, _ in .bool(isDirectory()) }
        case "is_file": return def("") { _, _ in .bool(fm.fileExists(atPath: path) && !isDirectory()) }
        case "mkdir":
            return def("mode=511, parents=False, exist_ok=False") { b, ev in
                if fm.fileExists(atPath: path) {
                    if try ev.truthy(b[2]), isDirectory() { return .none }
                    throw PyError(.fileExistsError, "[Errno 17] File exists: '\(path)'")
                }
                let parents = try ev.truthy(b[1])
                if !parents, !self.parts.isEmpty {
                    let parent = PyPath(root: self.root, parts: Array(self.parts.dropLast())).fspath
                    guard fm.fileExists(atPath: parent) else { throw missing() }
                }
                do { try fm.createDirectory(atPath: path, withIntermediateDirectories: parents) } catch { throw missing() }
                return .none
            }
        case "iterdir":
            return def("") { _, ev in
                guard let names = try? fm.contentsOfDirectory(atPath: path) else { throw missing() }
                return ev.makeList(names.sorted().map { .object(PyPath(path == "." ? $0 : path + "/" + $0)) })
            }
        case "glob", "rglob":
            return def("pattern") { b, ev in
                let pattern = try b[0].asString("pattern")
                let recursive = name == "rglob" || pattern.hasPrefix("**/")
                let leaf = pattern.hasPrefix("**/") ? String(pattern.dropFirst(3)) : pattern
                let candidates = recursive ? (fm.subpaths(atPath: path) ?? []) : ((try? fm.contentsOfDirectory(atPath: path)) ?? [])
                let matched = candidates.filter { fnmatch(leaf, String($0.split(separator: "/").last ?? ""), 0) == 0 }
                return ev.makeList(matched.sorted().map { .object(PyPath(path == "." ? $0 : path + "/" + $0)) })
            }
        case "read_text":
            return def("encoding=None, errors=None") { _, _ in
                guard let data = fm.contents(atPath: path) else { throw missing() }
                return .str(String(decoding: data, as: UTF8.self))
            }
        case "write_text":
            return def("data, encoding=None, errors=None, newline=None") { b, _ in
                let text = try b[0].asString("data")
                guard fm.createFile(atPath: path, contents: Data(text.utf8)) else { throw missing() }
                return .int(text.unicodeScalars.count)
            }
        case "touch":
            return def("mode=438, exist_ok=True") { b, ev in
                if fm.fileExists(atPath: path) {
                    guard try ev.truthy(b[1]) else { throw PyError(.fileExistsError, "[Errno 17] File exists: '\(path)'") }
                    return .none
                }
                guard fm.createFile(atPath: path, contents: nil) else { throw missing() }
                return .none
            }
        case "unlink":
            return def("missing_ok=False") { b, ev in
                guard fm.fileExists(atPath: path) else {
                    if try ev.truthy(b[0]) { return .none }
                    throw missing()
                }
                guard unlink(path) == 0 else { throw PyError(.osError, "[Errno \(errno)] \(String(cString: strerror(errno))): '\(path)'") }
                return .none
            }
        case "rmdir":
            return def("") { _, _ in
                guard rmdir(path) == 0 else {
                    let code = errno
                    throw PyError(code == ENOENT ? .fileNotFoundError : .osError, "[Errno \(code)] \(String(cString: strerror(code))): '\(path)'")
                }
                return .none
            }
        case "rename", "replace":
            return def("target") { b, _ in
                let target = try b[0].asPath("target")
                guard Foundation.rename(path, target) == 0 else { throw missing() }
                return .object(PyPath(target))
            }
        case "stat":
            return def("") { _, ev in
                guard let attributes = try? fm.attributesOfItem(atPath: path) else { throw missing() }
                let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
                let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                return .object(StatResult(size: size, modified: modified))
            }
        case "open":
            return def("mode='r', buffering=-1, encoding=None, errors=None, newline=None") { b, ev in
                try TextFile.open(Arguments([.str(path), b[0]]), ev)
            }
        default: return nil
        }
    }
}

/// What `Path.stat()` returns: `st_size` and `st_mtime`.
final class StatResult: PyObject {
    let size: Int
    let modified: Double

    init(size: Int, modified: Double) {
        self.size = size
        self.modified = modified
        super.init()
    }

    override var typeName: String { "os.stat_result" }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "st_size": return .int(size)
        case "st_mtime": return .float(modified)
        default: return nil
        }
    }
}
