import NNLang
import TensorRuntime

/// `torch.utils.data.DataLoader`, single-process. Over a map-style dataset: index lists from the
/// batch sampler (`batch_sampler=`, or `BatchSampler(sampler, batch_size, drop_last)` over
/// `sampler=`, `RandomSampler(dataset, generator=)` with `shuffle=True`, or `SequentialSampler`),
/// each sample fetched with `dataset[i]` and the batch merged by `collate_fn` (`default_collate`
/// by default). Over an `IterableDataset`: the dataset's own items, grouped by `batch_size`.
/// Iteration is lazy, as PyTorch's: `iter(loader)` takes a base seed (`random_()` on an int64)
/// from the loader's generator, and each step fetches one batch, so random draws, prints and
/// errors in `__getitem__` happen when PyTorch's would.
final class DataLoader: PyObject {
    static let signature = Signature("dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0, "
        + "collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None, multiprocessing_context=None, "
        + "generator=None, *, prefetch_factor=None, persistent_workers=False, pin_memory_device='', in_order=True")

    let dataset: Value
    let batchSize: Int?
    let dropLast: Bool
    /// The sampler of indices (None over an iterable dataset).
    let sampler: Value
    /// The sampler of index lists (None without automatic batching or over an iterable dataset).
    let batchSampler: Value
    let collateFn: Value
    let generator: Value
    let numWorkers: Int
    /// The dataset is an `IterableDataset`: no sampler, no len unless the dataset has one.
    let iterableStyle: Bool

    init(_ b: Bound, _ ev: Evaluator) throws {
        dataset = b[0]
        let shuffle = b[2].isNone ? false : try ev.truthy(b[2])
        numWorkers = try b.int(5, "num_workers")
        collateFn = b[6]
        dropLast = try ev.truthy(b[8])
        generator = b[12]
        if !b[12].isNone { try GeneratorObject.using(b[12]) {} }
        guard numWorkers >= 0 else {
            throw PyError(.valueError, "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        }
        iterableStyle = IterableDatasetType.contains(dataset, ev)
        if iterableStyle {
            for (name, option, given) in [("shuffle", b[2], shuffle), ("sampler", b[3], !b[3].isNone), ("batch_sampler", b[4], !b[4].isNone)] where given {
                throw PyError(.valueError, "DataLoader with IterableDataset: expected unspecified \(name) option, but got \(name)=\(try ev.str(option))")
            }
        }
        if !b[3].isNone && shuffle { throw PyError(.valueError, "sampler option is mutually exclusive with shuffle") }
        if !b[4].isNone {
            if !Self.isOne(b[1]) || shuffle || !b[3].isNone || dropLast {
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
        if iterableStyle {
            sampler = .none
        } else if !b[3].isNone {
            sampler = b[3]
        } else if shuffle {
            let n = try DatasetAccess.length(dataset, ev)
            guard n > 0 else { throw PyError(.valueError, "num_samples should be a positive integer value, but got num_samples=\(n)") }
            sampler = .object(RandomSampler(dataSource: dataset, generator: generator))
        } else {
            sampler = .object(SequentialSampler(dataset))
        }
        if !b[4].isNone {
            batchSampler = b[4]
        } else if let size = batchSize, !iterableStyle {
            batchSampler = .object(BatchSampler(sampler: sampler, batchSize: size, dropLast: dropLast))
        } else {
            batchSampler = .none
        }
        super.init()
    }

    private static func isOne(_ v: Value) -> Bool {
        if case .int(1) = v { return true }
        return false
    }

    override var typeName: String { "DataLoader" }

    override func repr(_ ev: Evaluator) throws -> String {
        "<torch.utils.data.dataloader.DataLoader object at 0x\(String(UInt(bitPattern: ObjectIdentifier(self).hashValue), radix: 16))>"
    }

    override func length(_ ev: Evaluator) throws -> Int? {
        if iterableStyle {
            let n = try DatasetAccess.length(dataset, ev)
            guard let size = batchSize else { return n }
            return dropLast ? n / size : (n + size - 1) / size
        }
        return try DatasetAccess.length(batchSampler.isNone ? sampler : batchSampler, ev)
    }

    override func lazyIterator(_ ev: Evaluator) throws -> (() throws -> Value?)? {
        _ = GeneratorObject.drawSeed(try GeneratorObject.using(generator) { TorchRandom.generator })   // the iterator's `_base_seed`
        if iterableStyle {
            let next = try ev.iterator(dataset)
            guard let size = batchSize else { return { try next().map { try self.convert($0, ev) } } }
            return { [self] in
                var samples: [Value] = []
                while samples.count < size, let sample = try next() { samples.append(sample) }
                if samples.isEmpty || (dropLast && samples.count < size) { return nil }
                return try collate(samples, ev)
            }
        }
        guard !batchSampler.isNone else {
            let next = try ev.iterator(sampler)
            return { [self] in try next().map { try convert(try DatasetAccess.item(dataset, $0, ev), ev) } }
        }
        let next = try ev.iterator(batchSampler)
        return { [self] in
            guard let indices = try next() else { return nil }
            return try collate(try ev.iterate(indices).map { try DatasetAccess.item(dataset, $0, ev) }, ev)
        }
    }

    /// A batch of samples merged by the collate function.
    private func collate(_ samples: [Value], _ ev: Evaluator) throws -> Value {
        if collateFn.isNone { return try Collate.collate(samples, ev) }
        return try ev.call(collateFn, Arguments([ev.makeList(samples)]))
    }

    /// One sample without automatic batching: `default_convert`, or `collate_fn(sample)`.
    private func convert(_ sample: Value, _ ev: Evaluator) throws -> Value {
        collateFn.isNone ? try Collate.convert(sample, ev) : try ev.call(collateFn, Arguments([sample]))
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "dataset": return dataset
        case "batch_size": return batchSize.map { .int($0) } ?? .none
        case "drop_last": return .bool(dropLast)
        case "num_workers": return .int(numWorkers)
        case "generator": return generator
        case "sampler": return sampler
        case "batch_sampler": return batchSampler
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

    /// `transposed`: `batch` is one field of a batch of tuples (`zip(*batch)`), so strings stay a tuple.
    static func collate(_ batch: [Value], _ ev: Evaluator, transposed: Bool = false) throws -> Value {
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
            return transposed ? ev.makeTuple(batch) : ev.makeList(batch)
        default: break
        }
        if let items = ev.mappingItems(first) {
            let merged = try items.map { key, _ in
                (key, try collate(try batch.map { try DatasetAccess.item($0, key, ev) }, ev))
            }
            return ev.makeDict(merged, ordered: ev.builtinKind(first) == .orderedDict)
        }
        let namedTuple = NamedTuples.parts(first)
        if let elements = namedTuple?.items ?? ev.sequenceItems(first) {
            let samples = try batch.map { v -> [Value] in
                guard let s = NamedTuples.parts(v)?.items ?? ev.sequenceItems(v), s.count == elements.count else {
                    throw PyError(.runtimeError, "each element in list of batch should be of equal size")
                }
                return s
            }
            let fields = try (0..<elements.count).map { j in try collate(samples.map { $0[j] }, ev, transposed: true) }
            // A namedtuple batch is one namedtuple of batches (`elem_type(*fields)`).
            if let type = namedTuple?.type { return try ev.call(type, Arguments(fields)) }
            return ev.makeList(fields)
        }
        throw PyError(.typeError, "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found <class '\(first.typeName)'>")
    }
}
