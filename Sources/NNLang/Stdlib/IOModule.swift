/// Python's `io`: `StringIO` (an in-memory text file), `BytesIO` (an in-memory binary file for
/// torch.save / torch.load; BytesIO.swift) and `open`.
enum IOModule {
    /// `io.StringIO`.
    static let stringIO: HostType = {
        let t = HostType("StringIO", signature: Signature("initial_value='', newline='\\n'"),
                         doc: "An in-memory text file: write, read, seek and getvalue.", check: {
            if case .object(let o) = $0 { return o is StringIO }
            return false
        }, construct: { a, _ in
            let s = try a.bind("StringIO", ["initial_value", "newline"])
            let initial = s[0] ?? .none
            guard initial.isNone || { if case .str = initial { return true }; return false }() else {
                throw PyError(.typeError, "initial_value must be str or None, not \(initial.typeName)")
            }
            return .object(StringIO(initial.isNone ? "" : try initial.asString()))
        })
        t.module = "_io"
        return t
    }()

    /// `io.BytesIO(initial_bytes=None)`.
    static let bytesIO: HostType = {
        let t = HostType("BytesIO", signature: Signature("initial_bytes=None"),
                         doc: "An in-memory binary file: torch.save writes into it, torch.load reads from it.", check: {
            if case .object(let o) = $0 { return o is BytesIO }
            return false
        }, construct: { a, _ in
            let initial = try a.bind("BytesIO", ["initial_bytes"])[0] ?? .none
            return .object(BytesIO(initial.isNone ? [] : try PyBytes.bytesLike(initial)))
        })
        t.module = "_io"
        return t
    }()

    /// `seek(pos, whence=0)`'s arguments, for StringIO and BytesIO.
    static func seekArguments(_ a: Arguments) throws -> (pos: Int, whence: Int) {
        let s = try a.bind("seek", ["pos", "whence"], required: 1)
        return (try (s[0] ?? .none).asInt("pos"), try Convert.optionalInt(s[1] ?? .none, "whence") ?? 0)
    }

    static func module() -> Namespace {
        let m = Namespace("io")
        m["StringIO"] = .object(stringIO)
        m["BytesIO"] = .object(bytesIO)
        m["open"] = .object(NativeFunction("open", doc: "open(file, mode='r', encoding=None): a text file.") { a, ev in try TextFile.open(a, ev) })
        m["SEEK_SET"] = .int(0)
        m["SEEK_CUR"] = .int(1)
        m["SEEK_END"] = .int(2)
        return m
    }
}

/// `io.StringIO`: text kept as code points with a position; writes overwrite from the position
/// (padding with NULs past the end, as CPython), reads and `readline` advance it.
final class StringIO: PyObject {
    private var buffer: [Unicode.Scalar]
    private var position = 0
    private var closed = false

    init(_ initial: String) {
        buffer = Array(initial.unicodeScalars)
        super.init()
    }

    override var typeName: String { "_io.StringIO" }

    override func repr(_ ev: Evaluator) throws -> String { "<_io.StringIO object at \(addressString(self))>" }

    private func checkOpen() throws {
        if closed { throw PyError(.valueError, "I/O operation on closed file") }
    }

    private func text(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(buffer[range])) }

    private func write(_ s: String) throws {
        let scalars = Array(s.unicodeScalars)
        if position > buffer.count {
            try MemoryLimit.checkValues(position - buffer.count)
            buffer += [Unicode.Scalar](repeating: "\0", count: position - buffer.count)
        }
        let end = Swift.min(buffer.count, position + scalars.count)
        buffer.replaceSubrange(position..<end, with: scalars)
        position += scalars.count
    }

    private func readLine(limit: Int = -1) -> String {
        let start = Swift.min(position, buffer.count)
        var end = start
        while end < buffer.count, limit < 0 || end - start < limit {
            end += 1
            if buffer[end - 1] == "\n" { break }
        }
        position = end
        return text(start..<end)
    }

    override func iterate(_ ev: Evaluator) throws -> [Value]? {
        try checkOpen()
        var lines: [Value] = []
        while case let line = readLine(), !line.isEmpty { lines.append(.str(line)) }
        return lines
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "closed": return .bool(closed)
        case "getvalue":
            return method(name) { _, _ in try self.checkOpen(); return .str(self.text(0..<self.buffer.count)) }
        case "write":
            return method(name) { a, _ in
                try self.checkOpen()
                let v = try a.bind("write", ["s"], required: 1)[0] ?? .none
                guard case .str(let s) = v else { throw PyError(.typeError, "string argument expected, got '\(v.typeName)'") }
                try self.write(s)
                return .int(s.unicodeScalars.count)
            }
        case "writelines":
            return method(name) { a, ev in
                try self.checkOpen()
                for line in try ev.iterate(try a.bind("writelines", ["lines"], required: 1)[0] ?? .none) {
                    guard case .str(let s) = line else { throw PyError(.typeError, "string argument expected, got '\(line.typeName)'") }
                    try self.write(s)
                }
                return .none
            }
        case "read":
            return method(name) { a, _ in
                try self.checkOpen()
                let size = try Convert.optionalInt(try a.bind("read", ["size"])[0] ?? .none, "size") ?? -1
                let start = Swift.min(self.position, self.buffer.count)
                let end = size < 0 ? self.buffer.count : Swift.min(self.buffer.count, start + size)
                self.position = end
                return .str(self.text(start..<end))
            }
        case "readline":
            return method(name) { a, _ in
                try self.checkOpen()
                let size = try Convert.optionalInt(try a.bind("readline", ["size"])[0] ?? .none, "size") ?? -1
                return .str(self.readLine(limit: size))
            }
        case "readlines":
            return method(name) { _, ev in ev.makeList(try self.iterate(ev) ?? []) }
        case "seek":
            return method(name) { a, _ in
                try self.checkOpen()
                let (pos, whence) = try IOModule.seekArguments(a)
                switch whence {
                case 0:
                    if pos < 0 { throw PyError(.valueError, "Negative seek position \(pos)") }
                    self.position = pos
                case 1, 2:
                    if pos != 0 { throw PyError(.osError, "Can't do nonzero cur-relative seeks") }
                    if whence == 2 { self.position = self.buffer.count }
                default:
                    throw PyError(.valueError, "Invalid whence (\(whence), should be 0, 1 or 2)")
                }
                return .int(self.position)
            }
        case "tell": return method(name) { _, _ in try self.checkOpen(); return .int(self.position) }
        case "truncate":
            return method(name) { a, _ in
                try self.checkOpen()
                let size = try Convert.optionalInt(try a.bind("truncate", ["pos"])[0] ?? .none, "pos") ?? self.position
                if size < 0 { throw PyError(.valueError, "Negative size value \(size)") }
                if size < self.buffer.count { self.buffer.removeSubrange(size...) }
                return .int(size)
            }
        case "flush": return method(name) { _, _ in try self.checkOpen(); return .none }
        case "readable", "writable", "seekable": return method(name) { _, _ in try self.checkOpen(); return .bool(true) }
        case "close": return method(name) { _, _ in self.closed = true; return .none }
        case "__enter__": return method(name) { _, _ in try self.checkOpen(); return .object(self) }
        case "__exit__": return method(name) { _, _ in self.closed = true; return .none }
        case "__iter__": return method(name) { _, _ in try self.checkOpen(); return .object(self) }
        case "__next__":
            return method(name) { _, _ in
                try self.checkOpen()
                let line = self.readLine()
                if line.isEmpty { throw PyError(.stopIteration, "") }
                return .str(line)
            }
        default: return nil
        }
    }

    override func attributeNames() -> [String] {
        ["close", "closed", "flush", "getvalue", "read", "readable", "readline", "readlines", "seek", "seekable", "tell",
         "truncate", "writable", "write", "writelines"]
    }
}
