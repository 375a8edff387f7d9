import NNLang
import TensorRuntime

/// `torch.utils.data.DataLoader` over a map-style dataset, single-process: batches of
/// `batch_size` indices from the sampler (sequential, or PyTorch's `RandomSampler` stream with
/// `shuffle=True`), each sample fetched with `dataset[i]` and the batch merged by `collate_fn`
/// (`default_collate` by default). Random draws follow PyTorch's: every iteration takes a base
/// seed (`random_()` on an int64) from the loader's generator, then `RandomSampler` seeds a fresh
/// generator from the default one (or uses the loader's) and shuffles with `randperm`. Iterating
/// computes the whole epoch's batches when the iteration starts.
final class DataLoader: PyObject {
    static let signature = Signature("dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0, "
        + "collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None, multiprocessing_context=None, "
        + "generator=None, *, prefetch_factor=None, persistent_workers=False, pin_memory_device='', in_order=True")

    let dataset: Value
    let batchSize: Int?
    let shuffle: Bool
    let dropLast: Bool
    let sampler: Value
    let batchSampler: Value
    let collateFn: Value
    let generator: Value
    let numWorkers: Int

    init(_ b: Bound, _ ev: Evaluator) throws {
        dataset = b[0]
        shuffle = b[2].isNone ? false : try ev.truthy(b[2])
        sampler = b[3]
        batchSampler = b[4]
        numWorkers = try b.int(5, "num_workers")
        collateFn = b[6]
        dropLast = try ev.truthy(b[8])
        generator = b[12]
        if !b[12].isNone { try GeneratorObject.using(b[12]) {} }
        guard numWorkers >= 0 else {
            throw PyError(.valueError, "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        }
        if !sampler.isNone && shuffle { throw PyError(.valueError, "sampler option is mutually exclusive with shuffle") }
        if !batchSampler.isNone {
            if !Self.isOne(b[1]) || shuffle || !sampler.isNone || dropLast {
                throw PyError(.valueError, "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last")
            }
            batchSize = nil
        } else if b[1].isNone {
            if dropLast {
                throw PyError(.valueError, "batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
            }
            batchSize = nil
        } else {
            guard case .int(let size) = b[1], size > 0 else {
                throw PyError(.valueError, "batch_size should be a positive integer value, but got batch_size=\(try ev.repr(b[1]))")
            }
            batchSize = size
        }
        if shuffle {
            let n = try DatasetAccess.length(dataset, ev)
            guard n > 0 else { throw PyError(.valueError, "num_samples should be a positive integer value, but got num_samples=\(n)") }
        }
        super.init()
    }

    private static func isOne(_ v: Value) -> Bool {
        if case .int(1) = v { return true }
        return false
    }

    /// Whether samples are grouped into batches (`batch_size` or `batch_sampler` given).
    private var autoCollation: Bool { batchSize != nil || !batchSampler.isNone }

    override var typeName: String { "DataLoader" }

    override func repr(_ ev: Evaluator) throws -> String {
        "<torch.utils.data.dataloader.DataLoader object at 0x\(String(UInt(bitPattern: ObjectIdentifier(self).hashValue), radix: 16))>"
    }

    override func length(_ ev: Evaluator) throws -> Int? {
        if !batchSampler.isNone { return try DatasetAccess.length(batchSampler, ev) }
        let samples = sampler.isNone ? try DatasetAccess.length(dataset, ev) : try DatasetAccess.length(sampler, ev)
        guard let size = batchSize else { return samples }
        return dropLast ? samples / size : (samples + size - 1) / size
    }

    override func iterate(_ ev: Evaluator) throws -> [Value]? {
        let loaderEngine = try engine(of: generator)
        _ = GeneratorObject.drawSeed(loaderEngine)   // the iterator's `_base_seed`
        var batches: [Value] = []
        if !batchSampler.isNone {
            for indices in try ev.iterate(batchSampler) {
                batches.append(try fetch(try DatasetAccess.indices(indices, ev).map { .int($0) }, ev))
            }
            return batches
        }
        let next = try indexStream(loaderEngine, ev)
        guard let size = batchSize else {
            while let i = try next() {
                let sample = try DatasetAccess.item(dataset, .int(i), ev)
                batches.append(collateFn.isNone ? try Collate.convert(sample, ev) : try ev.call(collateFn, Arguments([sample])))
            }
            return batches
        }
        // BatchSampler: islice-style groups, or zip-style full groups only with drop_last.
        while true {
            var batch: [Value] = []
            while batch.count < size, let i = try next() { batch.append(.int(i)) }
            if batch.isEmpty || (dropLast && batch.count < size) { return batches }
            batches.append(try fetch(batch, ev))
        }
    }

    /// The samples at `indices`, merged by the collate function.
    private func fetch(_ indices: [Value], _ ev: Evaluator) throws -> Value {
        let samples = try indices.map { try DatasetAccess.item(dataset, $0, ev) }
        if collateFn.isNone { return try Collate.collate(samples, ev) }
        return try ev.call(collateFn, Arguments([ev.makeList(samples)]))
    }

    private func engine(of generator: Value) throws -> RandomGenerator {
        try GeneratorObject.using(generator) { TorchRandom.generator }
    }

    /// The sampler's indices one at a time (nil at the end), drawn as PyTorch's samplers draw them.
    private func indexStream(_ loaderEngine: RandomGenerator, _ ev: Evaluator) throws -> () throws -> Int? {
        if !sampler.isNone {
            let indices = try DatasetAccess.indices(sampler, ev)
            var position = 0
            return {
                guard position < indices.count else { return nil }
                defer { position += 1 }
                return indices[position]
            }
        }
        let n = try DatasetAccess.length(dataset, ev)
        var position = 0
        guard shuffle else {
            return {
                guard position < n else { return nil }
                defer { position += 1 }
                return position
            }
        }
        // RandomSampler.__iter__: on the first index, a generator seeded from the default one (or
        // the loader's own), then `randperm(n)`; when exhausted, a second `randperm(n)` whose
        // first `num_samples % n` (none) items are taken.
        let ownGenerator = !generator.isNone
        var shuffler: RandomGenerator?
        var permutation: [Int] = []
        var finished = false
        func randperm(_ g: RandomGenerator) throws -> [Int] {
            let p = try GeneratorObject.drawing(from: g) { try Tensor.randperm(n) }
            let q = p.storage.pointer(Int64.self) + p.storageOffset
            return (0..<n).map { Int(q[$0]) }
        }
        return {
            if shuffler == nil {
                let g = ownGenerator ? loaderEngine : RandomGenerator(seed: GeneratorObject.drawSeed(TorchRandom.generator))
                shuffler = g
                permutation = try randperm(g)
            }
            if position < permutation.count {
                defer { position += 1 }
                return permutation[position]
            }
            if !finished, let g = shuffler {
                finished = true
                _ = try randperm(g)
            }
            return nil
        }
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "dataset": return dataset
        case "batch_size": return batchSize.map { .int($0) } ?? .none
        case "drop_last": return .bool(dropLast)
        case "num_workers": return .int(numWorkers)
        case "generator": return generator
        case "collate_fn": return collateFn.isNone ? DataNamespace.defaultCollate : collateFn
        case "__len__": return method(name) { _, ev in .int(try self.length(ev) ?? 0) }
        default: return nil
        }
    }
}

/// `torch.utils.data.default_collate`: a list of samples merged into one batch, by the type of
/// the first sample: tensors stacked, floats into a float64 tensor, ints (and bools) into a
/// tensor, strings kept as a list, dicts by key, tuples and lists element by element (a list
/// of batches). `convert` is `default_convert`, what a loader without batching yields.
enum Collate {
    /// `default_convert`: a sample as it is, but tuples and lists become lists and dicts are
    /// rebuilt, recursively.
    static func convert(_ sample: Value, _ ev: Evaluator) throws -> Value {
        if let items = ev.mappingItems(sample) {
            return ev.makeDict(try items.map { ($0.0, try convert($0.1, ev)) }, ordered: ev.builtinKind(sample) == .orderedDict)
        }
        if let elements = ev.sequenceItems(sample) { return ev.makeList(try elements.map { try convert($0, ev) }) }
        return sample
    }

    static func collate(_ batch: [Value], _ ev: Evaluator) throws -> Value {
        guard let first = batch.first else { throw PyError(.indexError, "list index out of range") }
        switch first {
        case .tensor:
            let tensors = try batch.enumerated().map { i, v -> Tensor in
                guard case .tensor(let t) = v else {
                    throw PyError(.typeError, "expected Tensor as element \(i) in argument 0, but got \(v.typeName)")
                }
                return t
            }
            return .tensor(try Tensor.stack(tensors, dim: 0))
        case .float:
            return .tensor(try TensorFactory.tensor(from: ev.makeList(batch), dtype: .float64, ev))
        case .int, .bool:
            return .tensor(try TensorFactory.tensor(from: ev.makeList(batch), dtype: nil, ev))
        case .str:
            return ev.makeList(batch)
        default: break
        }
        if let items = ev.mappingItems(first) {
            let merged = try items.map { key, _ in
                (key, try collate(try batch.map { try DatasetAccess.item($0, key, ev) }, ev))
            }
            return ev.makeDict(merged, ordered: ev.builtinKind(first) == .orderedDict)
        }
        if let elements = ev.sequenceItems(first) {
            let samples = try batch.map { v -> [Value] in
                guard let s = ev.sequenceItems(v), s.count == elements.count else {
                    throw PyError(.runtimeError, "each element in list of batch should be of equal size")
                }
                return s
            }
            return ev.makeList(try (0..<elements.count).map { j in try collate(samples.map { $0[j] }, ev) })
        }
        throw PyError(.typeError, "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found <class '\(first.typeName)'>")
    }
}
