import Foundation

/// Python's `secrets`, from the system's random generator: `token_hex`, `token_urlsafe`,
/// `choice`, `randbelow`, `randbits`, `compare_digest` (of strs). No `token_bytes` (nnrepl has
/// no bytes).
enum SecretsModule {
    static func module() -> Namespace {
        let m = Namespace("secrets")
        func bytes(_ v: Value) throws -> [UInt8] {
            let n = v.isNone ? 32 : try v.asInt("nbytes")
            guard n >= 0 else { throw PyError(.valueError, "negative argument not allowed") }
            try MemoryLimit.checkValues(n)
            var g = SystemRandomNumberGenerator()
            return (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) }
        }
        m["token_hex"] = .object(NativeFunction("token_hex", "nbytes=None", doc: "A random text of 2*nbytes hex digits (32 bytes by default).") { b, _ in
            .str(try bytes(b[0]).map { String(format: "%02x", $0) }.joined())
        })
        m["token_urlsafe"] = .object(NativeFunction("token_urlsafe", "nbytes=None", doc: "nbytes random bytes in URL-safe base64 without padding.") { b, _ in
            var text = Data(try bytes(b[0])).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            while text.hasSuffix("=") { text.removeLast() }
            return .str(text)
        })
        m["choice"] = .object(NativeFunction("choice", "seq", doc: "A random element of a non-empty sequence.") { b, ev in
            let items = try ev.iterate(b[0])
            guard !items.isEmpty else { throw PyError(.indexError, "Cannot choose from an empty sequence") }
            var g = SystemRandomNumberGenerator()
            return items[Int.random(in: 0..<items.count, using: &g)]
        })
        m["randbelow"] = .object(NativeFunction("randbelow", "exclusive_upper_bound", doc: "A random int in [0, n).") { b, _ in
            let n = try b[0].asInt("exclusive_upper_bound")
            guard n > 0 else { throw PyError(.valueError, "Upper bound must be positive.") }
            var g = SystemRandomNumberGenerator()
            return .int(Int.random(in: 0..<n, using: &g))
        })
        m["randbits"] = .object(NativeFunction("randbits", "k", doc: "A random int of k bits (k < 64).") { b, _ in
            let k = try b[0].asInt("k")
            guard k >= 0 else { throw PyError(.valueError, "number of bits must be non-negative") }
            guard k < 64 else { throw PyError(.overflowError, "randbits: nnrepl's ints hold at most 63 bits") }
            var g = SystemRandomNumberGenerator()
            return .int(k == 0 ? 0 : Int(g.next() >> UInt64(64 - k)))
        })
        m["compare_digest"] = .object(NativeFunction("compare_digest", "a, b", doc: "a == b, in time independent of where they differ.") { b, _ in
            let x = Array(try b[0].asString("a").utf8), y = Array(try b[1].asString("b").utf8)
            var diff = x.count ^ y.count
            for i in 0..<Swift.min(x.count, y.count) { diff |= Int(x[i] ^ y[i]) }
            return .bool(diff == 0)
        })
        return m
    }
}
