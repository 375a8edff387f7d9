/// `io.BytesIO`: an in-memory binary file for `torch.save(obj, buffer)` / `torch.load(buffer)`
/// (TorchBindings reads and writes through `write(_:)` / `readToEnd()`) and for scripts:
/// `read`, `readline`, `write`, `getvalue`, `seek`, `tell`, `close` and `with` behave as
/// CPython's; `getbuffer` (a memoryview) raises NotImplementedError.
public final class BytesIO: PyObject {
    /// The buffer's contents.
    public private(set) var bytes: [UInt8]
    /// The stream position (may be past the end, as after `seek(100)`).
    public private(set) var position = 0
    private var closed = false

    public init(_ initial: [UInt8] = []) {
        bytes = initial
        super.init()
    }

    override public var typeName: String { "_io.BytesIO" }

    override public func repr(_ ev: Evaluator) throws -> String { "<_io.BytesIO object at \(addressString(self))>" }

    private func checkOpen() throws {
        if closed { throw PyError(.valueError, "I/O operation on closed file.") }
    }

    /// Writes `data` at the position (zero-filling a gap past the end) and moves past it.
    public func write(_ data: [UInt8]) throws {
        try checkOpen()
        if position > bytes.count {
            try MemoryLimit.checkValues(position - bytes.count)
            bytes += [UInt8](repeating: 0, count: position - bytes.count)
        }
        bytes.replaceSubrange(position..<Swift.min(bytes.count, position + data.count), with: data)
        position += data.count
    }

    /// The bytes from the position to the end; the position moves to the end.
    public func readToEnd() throws -> [UInt8] {
        try checkOpen()
        let start = Swift.min(position, bytes.count)
        position = Swift.max(position, bytes.count)
        return Array(bytes[start...])
    }

    override public func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "closed": return .bool(closed)
        case "seek":
            return method(name) { a, _ in
                try self.checkOpen()
                let (pos, whence) = try IOModule.seekArguments(a)
                switch whence {
                case 0:
                    if pos < 0 { throw PyError(.valueError, "negative seek value \(pos)") }
                    self.position = pos
                case 1: self.position = Swift.max(0, self.position + pos)
                case 2: self.position = Swift.max(0, self.bytes.count + pos)
                default: throw PyError(.valueError, "invalid whence (\(whence), should be 0, 1 or 2)")
                }
                return .int(self.position)
            }
        case "tell": return method(name) { _, _ in try self.checkOpen(); return .int(self.position) }
        case "flush": return method(name) { _, _ in try self.checkOpen(); return .none }
        case "readable", "writable", "seekable": return method(name) { _, _ in try self.checkOpen(); return .bool(true) }
        case "close", "__exit__": return method(name) { _, _ in self.closed = true; return .none }
        case "__enter__": return method(name) { _, _ in try self.checkOpen(); return .object(self) }
        case "write":
            return method(name) { a, _ in
                let data = try PyBytes.bytesLike(try a.bind("write", ["b"], required: 1)[0] ?? .none)
                try self.write(data)
                return .int(data.count)
            }
        case "getvalue": return method(name) { _, _ in try self.checkOpen(); return .object(PyBytes(self.bytes)) }
        case "read":
            return method(name) { a, _ in
                let size = try Convert.optionalInt(try a.bind("read", ["size"])[0] ?? Value.none, "size") ?? -1
                guard size >= 0 else { return .object(PyBytes(try self.readToEnd())) }
                try self.checkOpen()
                let start = Swift.min(self.position, self.bytes.count), end = Swift.min(self.bytes.count, start + size)
                self.position = Swift.max(self.position, end)
                return .object(PyBytes(Array(self.bytes[start..<end])))
            }
        case "readline":
            return method(name) { _, _ in
                try self.checkOpen()
                let start = Swift.min(self.position, self.bytes.count)
                let end = self.bytes[start...].firstIndex(of: 10).map { $0 + 1 } ?? self.bytes.count
                self.position = Swift.max(self.position, end)
                return .object(PyBytes(Array(self.bytes[start..<end])))
            }
        case "getbuffer", "readlines":
            return method(name) { _, _ in
                throw PyError(.notImplementedError, "BytesIO.\(name)() is not supported by nnrepl")
            }
        default: return nil
        }
    }

    override public func attributeNames() -> [String] {
        ["close", "closed", "flush", "getbuffer", "getvalue", "read", "readable", "readline", "readlines", "seek", "seekable",
         "tell", "writable", "write"]
    }
}
