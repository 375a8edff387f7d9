/// Python's `hashlib`: `md5`, `sha1`, `sha256`, `sha512` and `new(name)`, each a hash object
/// with `update`, `digest`, `hexdigest`, `copy`, `name`, `digest_size` and `block_size`.
enum HashlibModule {
    /// An algorithm: its name, digest and block sizes, and the digest of a whole message.
    struct Algorithm {
        let name: String
        let digestSize: Int
        let blockSize: Int
        let digest: ([UInt8]) -> [UInt8]
    }

    static let algorithms: [Algorithm] = [
        Algorithm(name: "md5", digestSize: 16, blockSize: 64, digest: Digests.md5),
        Algorithm(name: "sha1", digestSize: 20, blockSize: 64, digest: Digests.sha1),
        Algorithm(name: "sha256", digestSize: 32, blockSize: 64, digest: Digests.sha256),
        Algorithm(name: "sha512", digestSize: 64, blockSize: 128, digest: SHA512.digest),
    ]

    static func module() -> Namespace {
        let m = Namespace("hashlib")
        for algorithm in algorithms {
            m[algorithm.name] = .object(NativeFunction(algorithm.name, signature: Signature("string=None, *, usedforsecurity=True"),
                                                       doc: "A new \(algorithm.name) hash object.") { a, _ in
                let s = try a.bind(algorithm.name, ["string", "usedforsecurity"], positionalLimit: 1)
                return .object(try HashObject(algorithm, s[0]))
            })
        }
        m["new"] = .object(NativeFunction("new", signature: Signature("name, data=None, *, usedforsecurity=True"), doc: "A new hash object for the algorithm `name`.") { a, _ in
            let s = try a.bind("new", ["name", "data", "usedforsecurity"], required: 1, positionalLimit: 2)
            let name = try (s[0] ?? .none).asString("new() argument 'name'")
            guard let algorithm = algorithms.first(where: { $0.name == name.lowercased() }) else {
                throw PyError(.valueError, "unsupported hash type \(name)")
            }
            return .object(try HashObject(algorithm, s[1]))
        })
        return m
    }
}

/// A `hashlib` hash object: the bytes fed so far (digests are computed over all of them).
final class HashObject: PyObject {
    let algorithm: HashlibModule.Algorithm
    private var message: [UInt8] = []

    init(_ algorithm: HashlibModule.Algorithm, _ data: Value?) throws {
        self.algorithm = algorithm
        super.init()
        if let data, !data.isNone { try update(data) }
    }

    private func update(_ data: Value) throws {
        if case .str = data { throw PyError(.typeError, "Strings must be encoded before hashing") }
        message += try PyBytes.bytesLike(data)
    }

    override var typeName: String { "_hashlib.HASH" }

    override func repr(_ ev: Evaluator) throws -> String { "<\(algorithm.name) _hashlib.HASH object @ \(addressString(self))>" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "name": return .str(algorithm.name)
        case "digest_size": return .int(algorithm.digestSize)
        case "block_size": return .int(algorithm.blockSize)
        case "update":
            return method(name) { a, _ in
                try self.update(try a.bind("update", ["obj"], required: 1)[0] ?? .none)
                return .none
            }
        case "digest": return method(name) { _, _ in .object(PyBytes(self.algorithm.digest(self.message))) }
        case "hexdigest": return method(name) { _, _ in .str(self.algorithm.digest(self.message).map(PyBytes.hexDigits).joined()) }
        case "copy":
            return method(name) { _, _ in
                let c = try HashObject(self.algorithm, nil)
                c.message = self.message
                return .object(c)
            }
        default: return nil
        }
    }

    override func attributeNames() -> [String] { ["block_size", "copy", "digest", "digest_size", "hexdigest", "name", "update"] }
}
