import Foundation

/// Python's `uuid`: `uuid4()` (random), `uuid1()` (time-based, a random node), `UUID(hex)`,
/// with `str`, `repr`, `hex`, `version`, `urn`, equality and ordering by value (a dict key by
/// identity). No name-based `uuid3`/`uuid5` (they need MD5/SHA-1) and no `.int` (128 bits).
enum UuidModule {
    static func module() -> Namespace {
        let m = Namespace("uuid")
        let t = HostType("UUID", signature: Signature("hex"), doc: "A 128-bit universally unique identifier.", check: {
            if case .object(let o) = $0 { return o is PyUUID }
            return false
        }, construct: { a, _ in
            let text = try (try a.bind("UUID", ["hex"], required: 1)[0] ?? .none).asString("hex")
            var hex = text.replacingOccurrences(of: "urn:", with: "").replacingOccurrences(of: "uuid:", with: "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "{}")).replacingOccurrences(of: "-", with: "").lowercased()
            guard hex.count == 32, hex.allSatisfy(\.isHexDigit) else { throw PyError(.valueError, "badly formed hexadecimal UUID string") }
            var bytes: [UInt8] = []
            while !hex.isEmpty {
                bytes.append(UInt8(hex.prefix(2), radix: 16) ?? 0)
                hex.removeFirst(2)
            }
            return .object(PyUUID(bytes))
        })
        t.module = "uuid"
        m["UUID"] = .object(t)
        m["uuid4"] = .object(NativeFunction("uuid4", "", doc: "A random UUID (version 4).") { _, _ in
            var bytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
            bytes[6] = bytes[6] & 0x0F | 0x40
            bytes[8] = bytes[8] & 0x3F | 0x80
            return .object(PyUUID(bytes))
        })
        m["uuid1"] = .object(NativeFunction("uuid1", "node=None, clock_seq=None", doc: "A UUID from the time (version 1), with a random node.") { _, _ in
            // 100-ns intervals since 1582-10-15.
            let ticks = UInt64((Date().timeIntervalSince1970 * 1e7).rounded()) &+ 0x01B2_1DD2_1381_4000
            let low = UInt32(truncatingIfNeeded: ticks), mid = UInt16(truncatingIfNeeded: ticks >> 32)
            let high = UInt16(truncatingIfNeeded: ticks >> 48) & 0x0FFF | 0x1000
            var bytes = withUnsafeBytes(of: low.bigEndian, Array.init) + withUnsafeBytes(of: mid.bigEndian, Array.init)
                + withUnsafeBytes(of: high.bigEndian, Array.init)
            bytes += [UInt8.random(in: 0...0x3F) | 0x80, UInt8.random(in: 0...255)]
            bytes += (0..<6).map { i in UInt8.random(in: 0...255) | (i == 0 ? 1 : 0) }
            return .object(PyUUID(bytes))
        })
        return m
    }
}

/// A `uuid.UUID`.
final class PyUUID: PyObject {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        super.init()
    }

    var hex: String { bytes.map { String(format: "%02x", $0) }.joined() }

    override var typeName: String { "UUID" }

    override func str(_ ev: Evaluator) throws -> String {
        let h = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(h[$0]) }.joined(separator: "-")
    }

    override func repr(_ ev: Evaluator) throws -> String { "UUID('\(try str(ev))')" }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .object(let o) = other, let u = o as? PyUUID else { return false }
        return u.bytes == bytes
    }

    override func order(comparedTo other: Value, _ ev: Evaluator) throws -> Int? {
        guard case .object(let o) = other, let u = o as? PyUUID else { return nil }
        return compareBytes(bytes, u.bytes)
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "hex": return .str(hex)
        case "version": return .int(Int(bytes[6] >> 4))
        case "urn": return .str("urn:uuid:" + (try str(ev)))
        default: return nil
        }
    }
}
