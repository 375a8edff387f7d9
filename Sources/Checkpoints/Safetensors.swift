import Foundation
import TensorRuntime

/// The safetensors format: an 8-byte little-endian header length, a JSON header
/// `{name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}`
/// (padded with spaces to a multiple of 8), then the raw little-endian tensor bytes. Holds a flat
/// name → tensor mapping only. Like the `safetensors` library, tensors are written ordered by
/// dtype size (largest first) then name, and loaded in header order (what `load_file` returns).
enum Safetensors {
    /// Largest header accepted (the safetensors library's own limit).
    static let maxHeaderSize = 100_000_000

    // MARK: - Writing

    /// Writes `value` to `path`; messages name `displayPath` (the destination the user gave).
    static func write(_ value: CheckpointValue, to path: String, displayPath: String? = nil) throws {
        let pairs: [(CheckpointValue, CheckpointValue)]
        switch value {
        case .dict(let p), .orderedDict(let p): pairs = p
        default:
            throw TorchError.type("safetensors files hold a flat dict of str → tensor, got \(value.typeName)")
        }
        var tensors: [(String, Tensor)] = []
        var seen = Set<String>()
        for (k, v) in pairs {
            guard case .string(let name) = k else {
                throw TorchError.type("safetensors files hold a flat dict of str → tensor; key of type \(k.typeName) is not a str")
            }
            guard case .tensor(let t) = v else {
                throw TorchError.type("safetensors files hold a flat dict of str → tensor; '\(name)' is a \(v.typeName)")
            }
            guard seen.insert(name).inserted else { throw TorchError.value("duplicate tensor name '\(name)'") }
            tensors.append((name, t))
        }
        tensors.sort { a, b in
            let sa = a.1.dtype.itemSize, sb = b.1.dtype.itemSize
            return sa != sb ? sa > sb : a.0 < b.0
        }
        var header = "{"
        var offset = 0
        var blobs: [Tensor] = []
        for (i, (name, t)) in tensors.enumerated() {
            let c = try t.contiguous().detached()
            let end = offset + c.numel * c.dtype.itemSize
            if i > 0 { header += "," }
            header += "\(jsonString(name)):{\"dtype\":\"\(c.dtype.safetensorsName)\",\"shape\":[\(c.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
            blobs.append(c)
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        let file = try OutputFile(path: path, displayPath: displayPath ?? path)
        let length = UInt64(headerBytes.count)
        try file.write((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) })
        try file.write(headerBytes)
        for t in blobs {
            try file.write(t.storage.data + t.storageOffset * t.dtype.itemSize, count: t.numel * t.dtype.itemSize)
        }
        try file.close()
    }

    /// A JSON string literal.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    // MARK: - Reading

    static func read(from path: String, fileSize: UInt64) throws -> CheckpointValue {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TorchError(.osError, "[Errno 13] Permission denied: '\(path)'")
        }
        defer { try? handle.close() }
        func readExactly(_ n: Int) throws -> Data {
            let d = try handle.read(upToCount: n) ?? Data()
            guard d.count == n else { throw TorchError.runtime("Error while deserializing header: file is truncated") }
            return d
        }
        guard fileSize >= 8 else { throw TorchError.runtime("Error while deserializing header: HeaderTooSmall") }
        let lengthBytes = try readExactly(8)
        let headerLength = lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(maxHeaderSize) else { throw TorchError.runtime("Error while deserializing header: HeaderTooLarge") }
        guard headerLength <= fileSize - 8 else {
            throw TorchError.runtime("Error while deserializing header: InvalidHeaderLength (header says \(headerLength) bytes, file has \(fileSize - 8) after the length)")
        }
        let headerData = try readExactly(Int(headerLength))
        var parser = JSONParser(Array(headerData))
        guard case .object(let fields) = try parser.parseDocument() else {
            throw TorchError.runtime("Error while deserializing header: the header is not a JSON object")
        }
        let dataStart = 8 + headerLength
        let dataSize = fileSize - dataStart

        struct Info { let name: String; let type: FileElementType; let shape: [Int]; let begin: Int; let end: Int }
        var infos: [Info] = []
        var names = Set<String>()
        for (name, field) in fields where name != "__metadata__" {
            guard names.insert(name).inserted else { throw invalid(name, "duplicate tensor name") }
            guard case .object(let props) = field else { throw invalid(name, "entry is not an object") }
            func prop(_ k: String) -> JSONValue? { props.first(where: { $0.0 == k })?.1 }
            guard case .string(let dt)? = prop("dtype") else { throw invalid(name, "missing dtype") }
            guard let type = FileElementType(safetensorsName: dt) else {
                throw TorchError.runtime("Error while deserializing header: tensor '\(name)' has dtype \(dt), which nnrepl cannot load")
            }
            guard case .array(let shapeItems)? = prop("shape"), case .array(let offs)? = prop("data_offsets"), offs.count == 2 else {
                throw invalid(name, "missing shape or data_offsets")
            }
            let shape = try shapeItems.map { item -> Int in
                guard case .int(let v) = item, v >= 0 else { throw invalid(name, "shape entries must be non-negative integers") }
                return v
            }
            guard case .int(let begin) = offs[0], case .int(let end) = offs[1], begin >= 0, begin <= end, UInt64(end) <= dataSize else {
                throw invalid(name, "data_offsets lie outside the file's data (\(dataSize) bytes)")
            }
            let count = try checkedElementCount(shape)
            let (bytes, overflow) = count.multipliedReportingOverflow(by: type.itemSize)
            guard !overflow, bytes == end - begin else {
                throw invalid(name, "data_offsets span \(end - begin) bytes but shape \(shapeDescription(shape)) of \(dt) needs \(overflow ? "more" : String(bytes))")
            }
            infos.append(Info(name: name, type: type, shape: shape, begin: begin, end: end))
        }
        // As the safetensors library: taken in offset order, the tensors tile the data exactly
        // (no overlap, no gap, nothing after the last one).
        var expectedBegin = 0
        for info in infos.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard info.begin == expectedBegin else {
                throw TorchError.runtime("Error while deserializing header: InvalidOffset(\(jsonString(info.name)))")
            }
            expectedBegin = info.end
        }
        guard UInt64(expectedBegin) == dataSize else {
            throw TorchError.runtime("Error while deserializing header: MetadataIncompleteBuffer")
        }

        var pairs: [(CheckpointValue, CheckpointValue)] = []
        for info in infos {
            try handle.seek(toOffset: dataStart + UInt64(info.begin))
            let raw = try readExactly(info.end - info.begin)
            let count = info.type.itemSize == 0 ? 0 : (info.end - info.begin) / info.type.itemSize
            let storage = try raw.withUnsafeBytes { try makeStorage(info.type, count: count, bytes: $0) }
            let t = Tensor(storage: storage, shape: info.shape, strides: Tensor.contiguousStrides(info.shape))
            pairs.append((.string(info.name), .tensor(t)))
        }
        return .dict(pairs)
    }

    private static func invalid(_ name: String, _ what: String) -> TorchError {
        TorchError.runtime("Error while deserializing header: tensor '\(name)': \(what)")
    }
}

/// A parsed JSON value; objects keep their key order.
enum JSONValue {
    case null, bool(Bool), int(Int), double(Double), string(String)
    case array([JSONValue]), object([(String, JSONValue)])
}

/// A small, bounded JSON parser (depth-limited, every index checked) for safetensors headers.
struct JSONParser {
    private let b: [UInt8]
    private var i = 0
    init(_ bytes: [UInt8]) { b = bytes }

    mutating func parseDocument() throws -> JSONValue {
        let v = try value(depth: 0)
        skipSpace()
        guard i == b.count else { throw fail("trailing characters") }
        return v
    }

    private func fail(_ what: String) -> TorchError {
        TorchError.runtime("Error while deserializing header: invalid JSON in header (\(what) at byte \(i))")
    }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0a || b[i] == 0x0d || b[i] == 0x09 { i += 1 }
    }

    private mutating func expect(_ c: UInt8) throws {
        skipSpace()
        guard i < b.count, b[i] == c else { throw fail("expected '\(Character(Unicode.Scalar(c)))'") }
        i += 1
    }

    private mutating func value(depth: Int) throws -> JSONValue {
        guard depth < 64 else { throw fail("nesting too deep") }
        skipSpace()
        guard i < b.count else { throw fail("unexpected end") }
        switch b[i] {
        case 0x7b: // {
            i += 1
            var fields: [(String, JSONValue)] = []
            skipSpace()
            if i < b.count, b[i] == 0x7d { i += 1; return .object(fields) }
            while true {
                skipSpace()
                let key = try string()
                try expect(0x3a)
                fields.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard i < b.count else { throw fail("unexpected end") }
                if b[i] == 0x2c { i += 1; continue }
                if b[i] == 0x7d { i += 1; return .object(fields) }
                throw fail("expected ',' or '}'")
            }
        case 0x5b: // [
            i += 1
            var items: [JSONValue] = []
            skipSpace()
            if i < b.count, b[i] == 0x5d { i += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < b.count else { throw fail("unexpected end") }
                if b[i] == 0x2c { i += 1; continue }
                if b[i] == 0x5d { i += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        case 0x22: return .string(try string())
        case 0x74: try literal("true"); return .bool(true)
        case 0x66: try literal("false"); return .bool(false)
        case 0x6e: try literal("null"); return .null
        default: return try number()
        }
    }

    private mutating func literal(_ word: String) throws {
        for c in word.utf8 {
            guard i < b.count, b[i] == c else { throw fail("invalid literal") }
            i += 1
        }
    }

    private mutating func number() throws -> JSONValue {
        let start = i
        while i < b.count, (0x30...0x39).contains(b[i]) || b[i] == 0x2d || b[i] == 0x2b || b[i] == 0x2e || b[i] == 0x65 || b[i] == 0x45 { i += 1 }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        if let v = Int(text) { return .int(v) }
        if let d = Double(text), !text.isEmpty { return .double(d) }
        throw fail("invalid number")
    }

    private mutating func string() throws -> String {
        guard i < b.count, b[i] == 0x22 else { throw fail("expected a string") }
        i += 1
        var out = [UInt8]()
        while true {
            guard i < b.count else { throw fail("unterminated string") }
            let c = b[i]; i += 1
            if c == 0x22 { break }
            if c != 0x5c { out.append(c); continue }
            guard i < b.count else { throw fail("unterminated string") }
            let e = b[i]; i += 1
            switch e {
            case 0x22, 0x5c, 0x2f: out.append(e)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0c)
            case 0x6e: out.append(0x0a)
            case 0x72: out.append(0x0d)
            case 0x74: out.append(0x09)
            case 0x75:
                var code = try hex4()
                if (0xd800..<0xdc00).contains(code), i + 1 < b.count, b[i] == 0x5c, b[i + 1] == 0x75 {
                    i += 2
                    let low = try hex4()
                    guard (0xdc00..<0xe000).contains(low) else { throw fail("invalid surrogate pair") }
                    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
                out += Array(String(Character(scalar)).utf8)
            default: throw fail("invalid escape")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8") }
        return s
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count, let v = UInt32(String(decoding: b[i..<(i + 4)], as: UTF8.self), radix: 16) else {
            throw fail("invalid \\u escape")
        }
        i += 4
        return v
    }
}
