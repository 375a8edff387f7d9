import TensorRuntime

/// A value `torch.save` can write and `torch.load` gives back: Python's plain data (None, bool,
/// int, float, str, bytes, list, tuple, dict, `collections.OrderedDict`) with tensors as leaves.
/// Dicts keep insertion order, as Python's do; keys may be any value (usually strings).
/// The same `Tensor` object may appear more than once (it is saved once and loaded as one object),
/// and tensors that view one `Storage` stay sharing it across a save/load round trip.
public indirect enum CheckpointValue {
    case none
    case bool(Bool)
    /// Python ints; values beyond 64 bits are refused when loading.
    case int(Int64)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list([CheckpointValue])
    case tuple([CheckpointValue])
    /// A plain `dict`, in insertion order.
    case dict([(CheckpointValue, CheckpointValue)])
    /// A `collections.OrderedDict` (what `state_dict()` returns), in insertion order.
    case orderedDict([(CheckpointValue, CheckpointValue)])
    case tensor(Tensor)
    /// A `set` (of hashable plain values), as a pickled module's `_non_persistent_buffers_set`.
    case set([CheckpointValue])
    /// An instance of a class (an `nn.Module`), pickled by reference to its class; see `CheckpointObject`.
    case object(CheckpointObject)

    /// The Python type name (`'dict'`, `'OrderedDict'`, `'Tensor'` …), for messages.
    public var typeName: String {
        switch self {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .orderedDict: return "OrderedDict"
        case .tensor: return "Tensor"
        case .set: return "set"
        case .object(let o): return o.className
        }
    }

    /// The value for a string key of a dict or OrderedDict (first match), nil otherwise.
    public subscript(key: String) -> CheckpointValue? {
        switch self {
        case .dict(let items), .orderedDict(let items):
            for (k, v) in items { if case .string(let s) = k, s == key { return v } }
            return nil
        default:
            return nil
        }
    }
}

/// Deepest nesting of containers accepted when saving or loading (Python's default recursion
/// limit is of the same order); deeper or cyclic structures are refused instead of overflowing the stack.
let maxCheckpointNesting = 1000

extension CheckpointValue {
    /// Converts the tree into another representation (a script's values, say) bottom-up, and
    /// converts a container shared within the tree once: `torch.load` gives a container the pickle
    /// references twice (through its memo) as one array, so `list`/`tuple`/`dict` run once for it
    /// and its result is reused, as Python's unpickler returns one object. A "billion laughs"
    /// pickle (each level holding the previous one twice) thus costs its size, not 2^depth.
    /// Sharing is recognised by array identity; empty containers are never shared.
    public func mapSharing<T>(leaf: (CheckpointValue) throws -> T, list: ([T]) throws -> T,
                              tuple: ([T]) throws -> T, dict: (_ pairs: [(T, T)], _ ordered: Bool) throws -> T) rethrows -> T {
        var done: [SharedContainer: T] = [:]
        func map(_ v: CheckpointValue) throws -> T {
            switch v {
            case .list(let items): return try mapItems(items, .list, list)
            case .tuple(let items): return try mapItems(items, .tuple, tuple)
            case .dict(let pairs): return try mapPairs(pairs, ordered: false)
            case .orderedDict(let pairs): return try mapPairs(pairs, ordered: true)
            default: return try leaf(v)
            }
        }
        func mapItems(_ items: [CheckpointValue], _ kind: SharedContainer.Kind, _ make: ([T]) throws -> T) throws -> T {
            let key = SharedContainer(kind, items)
            if let k = key, let t = done[k] { return t }
            let t = try make(try items.map(map))
            if let k = key { done[k] = t }
            return t
        }
        func mapPairs(_ pairs: [(CheckpointValue, CheckpointValue)], ordered: Bool) throws -> T {
            let key = SharedContainer(ordered ? .orderedDict : .dict, pairs)
            if let k = key, let t = done[k] { return t }
            let t = try dict(try pairs.map { (try map($0.0), try map($0.1)) }, ordered)
            if let k = key { done[k] = t }
            return t
        }
        return try map(self)
    }
}

/// A non-empty container of a `CheckpointValue` tree, identified by its array's storage (arrays
/// share storage only when one was copied from the other, i.e. when the value is shared).
private struct SharedContainer: Hashable {
    enum Kind { case list, tuple, dict, orderedDict }
    let kind: Kind
    let address: UInt

    init?<Element>(_ kind: Kind, _ items: [Element]) {
        guard !items.isEmpty, let base = items.withUnsafeBufferPointer({ $0.baseAddress }) else { return nil }
        self.kind = kind
        self.address = UInt(bitPattern: base)
    }
}
