import NNLang
import TensorRuntime

/// A map-style dataset as `DataLoader`, `Subset` and `random_split` read it: `len(dataset)` and
/// `dataset[i]` of any value (a host dataset, a script `Dataset` subclass with `__len__` and
/// `__getitem__`, a list, a tensor), with Python's errors.
enum DatasetAccess {
    static func length(_ dataset: Value, _ ev: Evaluator) throws -> Int {
        switch dataset {
        case .tensor(let t): return try TensorOperators.length(t)
        case .object(let o): if let n = try o.length(ev) { return n }
        default: break
        }
        throw PyError(.typeError, "object of type '\(dataset.typeName)' has no len()")
    }

    static func item(_ dataset: Value, _ index: Value, _ ev: Evaluator) throws -> Value {
        switch dataset {
        case .tensor(let t): return try TensorOperators.getItem(t, index, ev)
        case .object(let o): if let v = try o.getItem(index, ev) { return v }
        default: break
        }
        throw PyError(.typeError, "'\(dataset.typeName)' object is not subscriptable")
    }

    /// The indices a sampler or an index list holds, as ints.
    static func indices(_ v: Value, _ ev: Evaluator) throws -> [Int] {
        try ev.iterate(v).map { i in
            if case .tensor(let t) = i, t.numel == 1, case .int(let n) = try t.item() { return Int(n) }
            return try i.asInt("index")
        }
    }
}

/// A `torch.utils.data` base class scripts derive from (`Dataset`, `IterableDataset`,
/// `Sampler`): its repr names PyTorch's module, and it has `__name__` and an `__init__` that
/// does nothing.
class DerivableDataType: PyType {
    /// PyTorch's module below `torch.utils.data` (`dataset`, `sampler`), for the repr.
    private let module: String

    init(name: String, module: String) {
        self.module = module
        super.init(name: name)
    }

    override var scriptsMayDerive: Bool { true }
    override func repr(_ ev: Evaluator) throws -> String { "<class 'torch.utils.data.\(module).\(name)'>" }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__name__": return .str(self.name)
        case "__init__": return method(name) { _, _ in .none }
        default: return nil
        }
    }
}

/// `torch.utils.data.Dataset`: the base class of map-style datasets. Script classes derive from
/// it and define `__len__` and `__getitem__`; `Dataset()` itself has neither.
final class DatasetType: DerivableDataType {
    static let shared = DatasetType()

    private init() { super.init(name: "Dataset", module: "dataset") }

    override func isInstance(_ value: Value) -> Bool {
        if case .object(let o) = value { return o is HostDataset }
        return false
    }
    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        _ = try Signature("").bind(args, "Dataset")
        return .object(HostDataset())
    }
}

/// `torch.utils.data.IterableDataset`: the base of datasets that give their samples by
/// iteration (`__iter__`) instead of by index; DataLoader batches what they yield.
final class IterableDatasetType: DerivableDataType {
    static let shared = IterableDatasetType()

    private init() { super.init(name: "IterableDataset", module: "dataset") }

    override func isSubclass(of other: PyType) -> Bool { other === self || other === DatasetType.shared }
    /// So script subclasses are `Dataset`s too (their MRO lists both, as PyTorch's does).
    override var hostBase: PyType? { DatasetType.shared }

    /// Whether `v` is an instance of a script class deriving from `IterableDataset`.
    static func contains(_ v: Value, _ ev: Evaluator) -> Bool {
        guard case .object = v, case .object(let c)? = try? ev.getAttribute(v, "__class__"), let type = c as? PyType else {
            return false
        }
        return type !== shared && type.isSubclass(of: shared)
    }
}

/// The built-in datasets (`TensorDataset`, `Subset`, `ConcatDataset`) and `Dataset()` itself.
class HostDataset: PyObject {
    /// `torch.utils.data.dataset.NAME` in reprs.
    var className: String { "Dataset" }
    override var typeName: String { className }

    override func repr(_ ev: Evaluator) throws -> String {
        "<torch.utils.data.dataset.\(className) object at 0x\(String(UInt(bitPattern: ObjectIdentifier(self).hashValue), radix: 16))>"
    }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        throw PyError(.notImplementedError, "Subclasses of Dataset should implement __getitem__.")
    }

    /// `iter(ds)`: Python's sequence protocol, `ds[0]`, `ds[1]`, … until an IndexError.
    override func iterate(_ ev: Evaluator) throws -> [Value]? {
        var items: [Value] = []
        while true {
            do {
                guard let item = try getItem(.int(items.count), ev) else { return items }
                items.append(item)
            } catch let e as PyError where e.kind == .indexError {
                return items
            } catch let e as TorchError where e.kind == .indexError {
                return items
            }
        }
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__getitem__": return method(name) { a, ev in
            try self.getItem(try a.bind("__getitem__", ["index"], required: 1)[0]!, ev) ?? .none
        }
        default: return nil
        }
    }
}

/// `TensorDataset(*tensors)`: sample i is the tuple of each tensor's row i (any index a tensor
/// takes works: `ds[0:3]` is a tuple of 3-row slices).
final class TensorDataset: HostDataset {
    let tensors: [Tensor]

    init(_ tensors: [Tensor]) throws {
        if let first = tensors.first, tensors.contains(where: { ($0.shape.first ?? -1) != (first.shape.first ?? -1) }) {
            throw PyError(.assertionError, "Size mismatch between tensors")
        }
        guard tensors.allSatisfy({ $0.dim > 0 }) || tensors.isEmpty else {
            throw PyError(.indexError, "Dimension specified as 0 but tensor has no dimensions")
        }
        self.tensors = tensors
        super.init()
    }

    override var className: String { "TensorDataset" }

    override func length(_ ev: Evaluator) throws -> Int? {
        guard let first = tensors.first else { throw PyError(.indexError, "tuple index out of range") }
        return first.shape[0]
    }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        ev.makeTuple(try tensors.map { try TensorOperators.getItem($0, key, ev) })
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        if name == "tensors" { return ev.makeTuple(tensors.map { .tensor($0) }) }
        return try super.getAttribute(name, ev)
    }
}

/// `Subset(dataset, indices)`: the samples of `dataset` at `indices`.
final class Subset: HostDataset {
    let dataset: Value
    let indices: Value
    private let positions: [Int]

    init(_ dataset: Value, _ indices: Value, _ ev: Evaluator) throws {
        self.dataset = dataset
        self.indices = indices
        positions = try DatasetAccess.indices(indices, ev)
        super.init()
    }

    override var className: String { "Subset" }
    override func length(_ ev: Evaluator) throws -> Int? { positions.count }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        if ev.builtinKind(key) == .list {
            return try DatasetAccess.item(dataset, ev.makeList(try DatasetAccess.indices(key, ev).map { .int(try position($0)) }), ev)
        }
        return try DatasetAccess.item(dataset, .int(try position(try key.asInt("index"))), ev)
    }

    private func position(_ i: Int) throws -> Int {
        let j = i < 0 ? i + positions.count : i
        guard j >= 0 && j < positions.count else { throw PyError(.indexError, "list index out of range") }
        return positions[j]
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "dataset": return dataset
        case "indices": return indices
        default: return try super.getAttribute(name, ev)
        }
    }
}

/// `ConcatDataset(datasets)`: the datasets one after another.
final class ConcatDataset: HostDataset {
    let datasets: [Value]
    /// Running totals of the datasets' lengths (`cumulative_sizes`).
    let cumulativeSizes: [Int]

    init(_ datasets: [Value], _ ev: Evaluator) throws {
        guard !datasets.isEmpty else { throw PyError(.assertionError, "datasets should not be an empty iterable") }
        var total = 0
        var sizes: [Int] = []
        for d in datasets {
            total += try DatasetAccess.length(d, ev)
            sizes.append(total)
        }
        self.datasets = datasets
        cumulativeSizes = sizes
        super.init()
    }

    override var className: String { "ConcatDataset" }
    override func length(_ ev: Evaluator) throws -> Int? { cumulativeSizes.last ?? 0 }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        var i = try key.asInt("index")
        let n = cumulativeSizes.last ?? 0
        if i < 0 {
            guard -i <= n else { throw PyError(.valueError, "absolute value of index should not exceed dataset length") }
            i += n
        }
        // bisect_right: the first dataset whose running total exceeds i.
        guard let which = cumulativeSizes.firstIndex(where: { $0 > i }) else {
            throw PyError(.indexError, "list index out of range")
        }
        let start = which == 0 ? 0 : cumulativeSizes[which - 1]
        return try DatasetAccess.item(datasets[which], .int(i - start), ev)
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "datasets": return ev.makeList(datasets)
        case "cumulative_sizes": return ev.makeList(cumulativeSizes.map { .int($0) })
        default: return try super.getAttribute(name, ev)
        }
    }
}

/// `random_split(dataset, lengths, generator=default_generator)`: `Subset`s over one random
/// permutation, lengths given as counts or as fractions summing to 1 (PyTorch's rounding).
enum RandomSplit {
    static func split(_ dataset: Value, _ lengthsValue: Value, generator: Value, _ ev: Evaluator) throws -> Value {
        let n = try DatasetAccess.length(dataset, ev)
        let given = try ev.iterate(lengthsValue)
        let numbers = try given.map { try $0.asDouble("length") }
        let total = numbers.reduce(0, +)
        var lengths: [Int]
        if Swift.abs(total - 1) <= 1e-9 * Swift.max(1, Swift.abs(total)) && total <= 1 {
            lengths = []
            for (i, frac) in numbers.enumerated() {
                guard frac >= 0 && frac <= 1 else { throw PyError(.valueError, "Fraction at index \(i) is not between 0 and 1") }
                lengths.append(Int((Double(n) * frac).rounded(.down)))
            }
            let remainder = n - lengths.reduce(0, +)
            if !lengths.isEmpty {
                for i in 0..<Swift.max(remainder, 0) { lengths[i % lengths.count] += 1 }
            }
            for (i, length) in lengths.enumerated() where length == 0 {
                ev.warn("UserWarning: Length of split at index \(i) is 0. This might result in an empty dataset.")
            }
        } else {
            lengths = try given.map { try $0.asInt("length") }
        }
        guard lengths.allSatisfy({ $0 >= 0 }) else { throw PyError(.valueError, "random_split: lengths must be non-negative") }
        guard lengths.reduce(0, +) == n else {
            throw PyError(.valueError, "Sum of input lengths does not equal the length of the input dataset!")
        }
        let perm = try GeneratorObject.using(generator) { try Tensor.randperm(n) }
        let order = try perm.contiguous()
        let p = order.storage.pointer(Int64.self) + order.storageOffset
        var subsets: [Value] = []
        var offset = 0
        for length in lengths {
            let part: [Value] = (offset..<(offset + length)).map { .int(Int(p[$0])) }
            subsets.append(.object(try Subset(dataset, ev.makeList(part), ev)))
            offset += length
        }
        return ev.makeList(subsets)
    }
}
