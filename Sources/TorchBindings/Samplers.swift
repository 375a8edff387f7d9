import NNLang
import TensorRuntime

/// `torch.utils.data.Sampler` (a base scripts derive from) and the built-in samplers. Each pass
/// is lazy and draws its random numbers when PyTorch's generator-function `__iter__` would: at
/// the first index, not when the pass starts.
final class SamplerType: DerivableDataType {
    static let shared = SamplerType()

    private init() { super.init(name: "Sampler", module: "sampler") }

    override func isInstance(_ value: Value) -> Bool {
        if case .object(let o) = value { return o is HostSampler }
        return false
    }
    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        _ = try Signature("data_source=None").bind(args, "Sampler")
        return .object(HostSampler())
    }
}

class HostSampler: PyObject {
    /// `torch.utils.data.sampler.NAME` in reprs.
    var className: String { "Sampler" }
    override var typeName: String { className }

    override func repr(_ ev: Evaluator) throws -> String {
        "<torch.utils.data.sampler.\(className) object at 0x\(String(UInt(bitPattern: ObjectIdentifier(self).hashValue), radix: 16))>"
    }

    /// One pass: the function giving the next index (nil at the end).
    func pass(_ ev: Evaluator) throws -> () throws -> Value? { throw PyError(.notImplementedError, "") }

    override func lazyIterator(_ ev: Evaluator) throws -> (() throws -> Value?)? { try pass(ev) }

    /// The declared sampler classes: constructed from their signatures, instances of `Sampler`.
    static func types() -> [(String, HostType)] {
        func type(_ name: String, _ signature: String, _ doc: String, _ make: @escaping (Bound, Evaluator) throws -> HostSampler,
                  is check: @escaping (PyObject) -> Bool) -> (String, HostType) {
            let sig = Signature(signature)
            return (name, HostType(name, parent: SamplerType.shared, signature: sig, doc: doc, check: { v in
                if case .object(let o) = v { return check(o) }
                return false
            }, construct: { a, ev in .object(try make(try sig.bind(a, name), ev)) }))
        }
        return [
            type("SequentialSampler", "data_source", "Indices 0, 1, …, len(data_source) - 1 in order.",
                 { b, _ in SequentialSampler(b[0]) }, is: { $0 is SequentialSampler }),
            type("RandomSampler", "data_source, replacement=False, num_samples=None, generator=None",
                 "A random permutation of the indices (or num_samples draws with replacement).",
                 { b, ev in try RandomSampler(b, ev) }, is: { $0 is RandomSampler }),
            type("SubsetRandomSampler", "indices, generator=None", "The given indices in a random order.",
                 { b, ev in try SubsetRandomSampler(b, ev) }, is: { $0 is SubsetRandomSampler }),
            type("WeightedRandomSampler", "weights, num_samples, replacement=True, generator=None",
                 "num_samples indices drawn with the given (unnormalised) probabilities.",
                 { b, ev in try WeightedRandomSampler(b, ev) }, is: { $0 is WeightedRandomSampler }),
            type("BatchSampler", "sampler, batch_size, drop_last", "Lists of batch_size indices from another sampler.",
                 { b, ev in try BatchSampler(b, ev) }, is: { $0 is BatchSampler }),
        ]
    }

    /// A value that must be a bool (PyTorch's samplers reject 0/1; RandomSampler with a TypeError).
    static func flag(_ v: Value, _ name: String, _ ev: Evaluator, kind: ExceptionKind = .valueError) throws -> Bool {
        guard case .bool(let b) = v else { throw PyError(kind, "\(name) should be a boolean value, but got \(name)=\(try ev.str(v))") }
        return b
    }

    /// A value that must be a positive int (a bool is refused: `.bool` is not `.int`).
    static func positive(_ v: Value, _ name: String, _ ev: Evaluator) throws -> Int {
        guard case .int(let n) = v, n > 0 else {
            throw PyError(.valueError, "\(name) should be a positive integer value, but got \(name)=\(try ev.str(v))")
        }
        return n
    }

    /// `randperm(n, generator=engine).tolist()` as ints.
    static func permutation(_ n: Int, _ engine: RandomGenerator) throws -> [Int] {
        try ints(try GeneratorObject.drawing(from: engine) { try Tensor.randperm(n) })
    }

    /// An int64 tensor's elements (`tolist()`).
    static func ints(_ t: Tensor) throws -> [Int] {
        let c = try t.contiguous()
        let p = c.storage.pointer(Int64.self) + c.storageOffset
        return (0..<c.numel).map { Int(p[$0]) }
    }

    /// A pass over `items`, made by `start` when the first item is asked for.
    static func deferred(_ start: @escaping () throws -> [Value]) -> () throws -> Value? {
        var items: [Value]? = nil, position = 0
        return {
            if items == nil { items = try start() }
            guard let all = items, position < all.count else { return nil }
            defer { position += 1 }
            return all[position]
        }
    }

    /// The engine of a `generator=` value (None: the default generator).
    static func engine(_ generator: Value) throws -> RandomGenerator {
        try GeneratorObject.using(generator) { TorchRandom.generator }
    }
}

/// `SequentialSampler(data_source)`.
final class SequentialSampler: HostSampler {
    let dataSource: Value
    init(_ dataSource: Value) { self.dataSource = dataSource }
    override var className: String { "SequentialSampler" }
    override func length(_ ev: Evaluator) throws -> Int? { try DatasetAccess.length(dataSource, ev) }
    override func pass(_ ev: Evaluator) throws -> () throws -> Value? {
        let n = try DatasetAccess.length(dataSource, ev)
        var i = 0
        return {
            guard i < n else { return nil }
            defer { i += 1 }
            return .int(i)
        }
    }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? { name == "data_source" ? dataSource : nil }
}

/// `RandomSampler(data_source, replacement=False, num_samples=None, generator=None)`: without a
/// generator each pass seeds a fresh one from the default generator (one 63-bit draw); then
/// `randperm(n)` per full pass over the data (plus one more, cut to `num_samples % n`), or
/// `randint(n, (32,))` chunks with replacement — PyTorch's stream exactly.
final class RandomSampler: HostSampler {
    let dataSource: Value, replacement: Bool, requestedSamples: Int?, generator: Value

    init(_ b: Bound, _ ev: Evaluator) throws {
        dataSource = b[0]
        replacement = try HostSampler.flag(b[1], "replacement", ev, kind: .typeError)
        requestedSamples = b[2].isNone ? nil : try HostSampler.positive(b[2], "num_samples", ev)
        generator = b[3]
        super.init()
        if requestedSamples == nil { _ = try HostSampler.positive(.int(try numSamples(ev)), "num_samples", ev) }
    }

    /// For `DataLoader(shuffle=True)`: `RandomSampler(dataset, generator=loader.generator)`.
    init(dataSource: Value, generator: Value) {
        self.dataSource = dataSource
        replacement = false
        requestedSamples = nil
        self.generator = generator
    }

    override var className: String { "RandomSampler" }

    func numSamples(_ ev: Evaluator) throws -> Int { try requestedSamples ?? DatasetAccess.length(dataSource, ev) }
    override func length(_ ev: Evaluator) throws -> Int? { try numSamples(ev) }

    override func pass(_ ev: Evaluator) throws -> () throws -> Value? {
        HostSampler.deferred { [self] in
            let n = try DatasetAccess.length(dataSource, ev), count = try numSamples(ev)
            let engine = generator.isNone ? RandomGenerator(seed: GeneratorObject.drawSeed(TorchRandom.generator))
                                          : try HostSampler.engine(generator)
            var indices: [Int] = []
            if replacement {
                for size in Array(repeating: 32, count: count / 32) + [count % 32] {
                    indices += try HostSampler.ints(try GeneratorObject.drawing(from: engine) {
                        try Tensor.randint(high: n, shape: [size], dtype: .int64)
                    })
                }
            } else {
                guard n > 0 else { return [] }
                for _ in 0..<(count / n) { indices += try HostSampler.permutation(n, engine) }
                indices += try HostSampler.permutation(n, engine).prefix(count % n)
            }
            return indices.map { .int($0) }
        }
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "data_source": return dataSource
        case "replacement": return .bool(replacement)
        case "num_samples": return .int(try numSamples(ev))
        case "generator": return generator
        default: return nil
        }
    }
}

/// `SubsetRandomSampler(indices, generator=None)`: `indices[i] for i in randperm(len(indices))`.
final class SubsetRandomSampler: HostSampler {
    let indices: Value, generator: Value
    init(_ b: Bound, _ ev: Evaluator) throws {
        indices = b[0]
        generator = b[1]
        super.init()
    }
    override var className: String { "SubsetRandomSampler" }
    override func length(_ ev: Evaluator) throws -> Int? { try DatasetAccess.length(indices, ev) }
    override func pass(_ ev: Evaluator) throws -> () throws -> Value? {
        HostSampler.deferred { [self] in
            let items = try ev.iterate(indices)
            return try HostSampler.permutation(items.count, try HostSampler.engine(generator)).map { items[$0] }
        }
    }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "indices": return indices
        case "generator": return generator
        default: return nil
        }
    }
}

/// `WeightedRandomSampler(weights, num_samples, replacement=True, generator=None)`:
/// `multinomial(weights (float64), num_samples, replacement)` per pass.
final class WeightedRandomSampler: HostSampler {
    let weights: Tensor, numSamples: Int, replacement: Bool, generator: Value
    init(_ b: Bound, _ ev: Evaluator) throws {
        numSamples = try HostSampler.positive(b[1], "num_samples", ev)
        replacement = try HostSampler.flag(b[2], "replacement", ev)
        let w = try TensorFactory.tensor(from: b[0], dtype: .float64, ev)
        guard w.dim == 1 else {
            throw PyError(.valueError, "weights should be a 1d sequence but given weights have shape \(try ev.repr(ev.makeTuple(w.shape.map { .int($0) })))")
        }
        weights = w
        generator = b[3]
        super.init()
    }
    override var className: String { "WeightedRandomSampler" }
    override func length(_ ev: Evaluator) throws -> Int? { numSamples }
    override func pass(_ ev: Evaluator) throws -> () throws -> Value? {
        HostSampler.deferred { [self] in
            try HostSampler.ints(try GeneratorObject.drawing(from: try HostSampler.engine(generator)) {
                try weights.multinomial(numSamples: numSamples, replacement: replacement)
            }).map { .int($0) }
        }
    }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "weights": return .tensor(weights)
        case "num_samples": return .int(numSamples)
        case "replacement": return .bool(replacement)
        case "generator": return generator
        default: return nil
        }
    }
}

/// `BatchSampler(sampler, batch_size, drop_last)`: lists of `batch_size` indices taken lazily
/// from `sampler` (any iterable: a built-in sampler, a script one, a list); the last short list
/// is kept unless `drop_last`.
final class BatchSampler: HostSampler {
    let sampler: Value, batchSize: Int, dropLast: Bool
    init(_ b: Bound, _ ev: Evaluator) throws {
        sampler = b[0]
        batchSize = try HostSampler.positive(b[1], "batch_size", ev)
        dropLast = try HostSampler.flag(b[2], "drop_last", ev)
        super.init()
    }
    init(sampler: Value, batchSize: Int, dropLast: Bool) {
        self.sampler = sampler
        self.batchSize = batchSize
        self.dropLast = dropLast
    }
    override var className: String { "BatchSampler" }
    override func length(_ ev: Evaluator) throws -> Int? {
        let n = try DatasetAccess.length(sampler, ev)
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize
    }
    override func pass(_ ev: Evaluator) throws -> () throws -> Value? {
        let next = try ev.iterator(sampler)
        return { [self] in
            var batch: [Value] = []
            while batch.count < batchSize, let i = try next() { batch.append(i) }
            if batch.isEmpty || (dropLast && batch.count < batchSize) { return nil }
            return ev.makeList(batch)
        }
    }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "sampler": return sampler
        case "batch_size": return .int(batchSize)
        case "drop_last": return .bool(dropLast)
        default: return nil
        }
    }
}
