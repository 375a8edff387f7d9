import Foundation
import TensorRuntime

/// `open(file, mode='r', encoding=None, …)` for text files (UTF-8): `read`, `readline`,
/// `readlines`, iteration by lines, `write`, `writelines`, `close`, `with`. Writes go to the
/// file at once (no buffering to lose); a read-mode file is read whole when opened. Binary
/// modes raise NotImplementedError (checkpoints go through torch.save/torch.load).
final class TextFile: PyObject {
    let path: String
    let mode: String
    private var handle: FileHandle?
    private var content: [Unicode.Scalar] = []
    private var position = 0
    private(set) var closed = false

    static func open(_ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try a.bind("open", ["file", "mode", "buffering", "encoding", "errors", "newline", "closefd", "opener"], required: 1)
        guard let path = try? (s[0] ?? .none).asPath() else {
            throw PyError(.typeError, "expected str, bytes or os.PathLike object, not \((s[0] ?? .none).typeName)")
        }
        var mode = "r"
        if let m = s[1] {
            guard case .str(let text) = m else { throw PyError(.typeError, "open() argument 'mode' must be str, not \(m.typeName)") }
            mode = text
        }
        return .object(try TextFile(path: path, mode: mode))
    }

    private init(path: String, mode: String) throws {
        self.path = path
        self.mode = mode
        super.init()
        let kinds = mode.filter { "rwax".contains($0) }
        guard kinds.count == 1, mode.allSatisfy({ "rwaxt+b".contains($0) }) else {
            throw PyError(.valueError, "invalid mode: '\(mode)'")
        }
        if mode.contains("b") {
            throw PyError(.notImplementedError, "open() in binary mode is not supported by nnrepl: use torch.save/torch.load for files")
        }
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && isDirectory.boolValue { throw PyError(.osError, "[Errno 21] Is a directory: '\(path)'") }
        switch kinds {
        case "r":
            guard exists else { throw PyError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(path)'") }
            guard let data = fm.contents(atPath: path) else { throw PyError(.osError, "[Errno 13] Permission denied: '\(path)'") }
            // Universal newlines, as Python's text mode reads them.
            let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
            content = Array(text.replacingOccurrences(of: "\r", with: "\n").unicodeScalars)
        case "x" where exists:
            throw PyError(.osError, "[Errno 17] File exists: '\(path)'")
        default:
            if kinds != "a" || !exists {
                guard fm.createFile(atPath: path, contents: nil) else {
                    throw PyError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(path)'")
                }
            }
            guard let h = FileHandle(forWritingAtPath: path) else { throw PyError(.osError, "[Errno 13] Permission denied: '\(path)'") }
            if kinds == "a" { h.seekToEndOfFile() }
            handle = h
        }
    }

    deinit { try? handle?.close() }

    override var typeName: String { "TextIOWrapper" }

    override func repr(_ ev: Evaluator) throws -> String {
        "<_io.TextIOWrapper name=\(try ev.repr(.str(path))) mode=\(try ev.repr(.str(mode))) encoding='UTF-8'>"
    }

    private func checkOpen() throws {
        if closed { throw PyError(.valueError, "I/O operation on closed file.") }
    }

    private func checkReadable() throws {
        try checkOpen()
        if handle != nil { throw PyError(.osError, "not readable") }
    }

    /// The next line (with its newline), or "" at the end.
    private func readLine() -> String {
        guard position < content.count else { return "" }
        var end = position
        while end < content.count, content[end] != "\n" { end += 1 }
        if end < content.count { end += 1 }
        defer { position = end }
        return Self.text(content[position..<end])
    }

    private static func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        String(String.UnicodeScalarView(scalars))
    }

    override func iterate(_ ev: Evaluator) throws -> [Value]? {
        try checkReadable()
        var lines: [Value] = []
        while case let line = readLine(), !line.isEmpty { lines.append(.str(line)) }
        return lines
    }

    func close() {
        try? handle?.close()
        handle = nil
        closed = true
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "name": return .str(path)
        case "mode": return .str(mode)
        case "closed": return .bool(closed)
        case "read":
            return method(name) { a, _ in
                try self.checkReadable()
                let size = try Convert.optionalInt(try a.bind("read", ["size"])[0] ?? .none, "size") ?? -1
                let end = size < 0 ? self.content.count : min(self.content.count, self.position + size)
                defer { self.position = end }
                return .str(Self.text(self.content[self.position..<end]))
            }
        case "readline":
            return method(name) { _, _ in
                try self.checkReadable()
                return .str(self.readLine())
            }
        case "readlines":
            return method(name) { _, ev in ev.makeList(try self.iterate(ev) ?? []) }
        case "write":
            return method(name) { a, _ in
                try self.checkOpen()
                guard let handle = self.handle else { throw PyError(.osError, "not writable") }
                guard case .str(let text) = try a.bind("write", ["s"], required: 1)[0] ?? .none else {
                    throw PyError(.typeError, "write() argument must be str, not \((a.positional.first ?? .none).typeName)")
                }
                handle.write(Data(text.utf8))
                return .int(text.unicodeScalars.count)
            }
        case "writelines":
            return method(name) { a, ev in
                let lines = try ev.iterate(try a.bind("writelines", ["lines"], required: 1)[0] ?? .none)
                let write = try ev.getAttribute(.object(self), "write")
                for line in lines { _ = try ev.call(write, Arguments([line])) }
                return .none
            }
        case "flush": return method(name) { _, _ in try self.checkOpen(); return .none }
        case "close": return method(name) { _, _ in self.close(); return .none }
        case "__enter__":
            return method(name) { _, _ in try self.checkOpen(); return .object(self) }
        case "__exit__": return method(name) { _, _ in self.close(); return .none }
        case "__iter__": return method(name) { _, _ in try self.checkReadable(); return .object(self) }
        case "__next__":
            return method(name) { _, _ in
                try self.checkReadable()
                let line = self.readLine()
                if line.isEmpty { throw PyError(.stopIteration, "") }
                return .str(line)
            }
        default: return nil
        }
    }

    override func attributeNames() -> [String] {
        ["close", "closed", "flush", "mode", "name", "read", "readline", "readlines", "write", "writelines"]
    }
}
