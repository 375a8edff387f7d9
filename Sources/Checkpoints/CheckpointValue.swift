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
