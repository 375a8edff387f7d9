import NNLang
import TensorRuntime

/// `torch.Generator`: a random engine of its own (`torch.Generator().manual_seed(42)`), or the
/// default one (`torch.default_generator`, what `torch.manual_seed` returns).
final class GeneratorObject: PyObject {
    /// The engine; the default generator's is `TorchRandom.generator`, reseeded in place.
    let engine: RandomGenerator

    init(engine: RandomGenerator) {
        self.engine = engine
        super.init()
    }

    /// `torch.default_generator`.
    static let defaultGenerator = GeneratorObject(engine: TorchRandom.generator)

    /// `torch.Generator(device='cpu')`: a new engine with PyTorch's default seed.
    static let type = HostType("Generator", signature: Signature("device='cpu'"), doc: "A random number generator.",
                               check: { v in
        if case .object(let o) = v { return o is GeneratorObject }
        return false
    }, construct: { a, ev in
        let b = try Signature("device='cpu'").bind(a, "Generator")
        try Convert.checkDevice(b[0], ev)
        return .object(GeneratorObject(engine: RandomGenerator(seed: TorchRandom.defaultSeed)))
    })

    /// Runs `body` with `generator` (a `torch.Generator` value, or None for the default one) as the
    /// engine the tensor factories draw from.
    static func using<T>(_ generator: Value, _ body: () throws -> T) throws -> T {
        if generator.isNone { return try body() }
        guard case .object(let o) = generator, let g = o as? GeneratorObject else {
            throw PyError(.typeError, "expected a torch.Generator, got \(generator.typeName)")
        }
        return try drawing(from: g.engine, body)
    }

    /// Runs `body` with `engine` as the engine the tensor factories draw from.
    static func drawing<T>(from engine: RandomGenerator, _ body: () throws -> T) rethrows -> T {
        let saved = TorchRandom.generator
        TorchRandom.generator = engine
        defer { TorchRandom.generator = saved }
        return try body()
    }

    /// A seed as `torch.empty((), dtype=torch.int64).random_(generator=g)` draws it: 64 random bits
    /// modulo 2^63 (what DataLoader and RandomSampler take from a generator).
    static func drawSeed(_ engine: RandomGenerator) -> UInt64 { engine.random64() % (1 << 63) }

    override var typeName: String { "Generator" }
    override func repr(_ ev: Evaluator) throws -> String { "<torch._C.Generator object at 0x7f0000000000>" }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "initial_seed": return method(name) { _, _ in .int(Int(truncatingIfNeeded: self.engine.seed)) }
        case "manual_seed": return method(name) { a, _ in
            self.engine.reseed(UInt64(bitPattern: Int64(try a.bind("manual_seed", ["seed"], required: 1)[0]!.asInt())))
            return .object(self)
        }
        case "seed": return method(name) { _, _ in
            var system = SystemRandomNumberGenerator()
            let s = system.next() & ((1 << 63) - 1)
            self.engine.reseed(s)
            return .int(Int(s))
        }
        case "get_state": return method(name) { a, _ in
            _ = try a.bind("get_state", [])
            return .tensor(try self.engine.stateTensor())
        }
        case "set_state": return method(name) { a, _ in
            let state = try TorchNamespace.stateTensor(try a.bind("set_state", ["new_state"], required: 1)[0] ?? .none)
            try self.engine.setState(state)
            return .object(self)
        }
        case "device": return .object(DeviceObject.cpu)
        default: return nil
        }
    }
}
