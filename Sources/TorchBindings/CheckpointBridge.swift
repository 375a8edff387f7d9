import NNLang
import TensorRuntime
import NeuralNet
import Checkpoints

/// `torch.save` / `torch.load`: converts script values to and from Checkpoints' `CheckpointValue`
/// tree (dicts, OrderedDicts — `state_dict()` results stay OrderedDicts — lists, tuples, str,
/// int, float, bool, None and tensors) and whole modules (`ModulePickling`). Anything else is a
/// TypeError naming its type; errors of `CheckpointIO` (missing files, bad archives, refused
/// pickle globals) pass through.
enum CheckpointBridge {
    static func save(_ obj: Value, path: String, _ ev: Evaluator) throws {
        try CheckpointIO.save(try checkpointValue(obj, ev, depth: 0, modules: ModulePickling.Saver()), to: path)
    }

    /// `weightsOnly: false` also loads whole modules.
    static func load(path: String, weightsOnly: Bool = true, _ ev: Evaluator) throws -> Value {
        try value(try CheckpointIO.load(from: path, allowsObjects: !weightsOnly), ev)
    }

    /// `torch.save(obj, buffer)` for an `io.BytesIO`: written at the buffer's position.
    static func save(_ obj: Value, to buffer: BytesIO, _ ev: Evaluator) throws {
        try buffer.write(try CheckpointIO.serialize(try checkpointValue(obj, ev, depth: 0, modules: ModulePickling.Saver())))
    }

    /// `torch.load(buffer)` for an `io.BytesIO`: read from the buffer's position to its end.
    static func load(from buffer: BytesIO, weightsOnly: Bool = true, _ ev: Evaluator) throws -> Value {
        try value(try CheckpointIO.load(bytes: try buffer.readToEnd(), allowsObjects: !weightsOnly), ev)
    }

    /// Python's recursion limit is of the same order; deeper (or cyclic) structures are refused.
    private static let maxDepth = 900

    static func checkpointValue(_ v: Value, _ ev: Evaluator, depth: Int, modules: ModulePickling.Saver) throws -> CheckpointValue {
        guard depth < maxDepth else {
            throw PyError(.recursionError, "maximum recursion depth exceeded while pickling an object")
        }
        switch v {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .float(let d): return .float(d)
        case .str(let s): return .string(s)
        case .tensor(let t): return .tensor(t)
        case .object(let b as BufferValue): return .tensor(b.tensor)
        case .object(let size as TorchSize): return .tuple(size.dims.map { .int(Int64($0)) })
        case .module(let m):
            return .object(try modules.object(m, ev) { try checkpointValue($0, ev, depth: depth + 1, modules: modules) })
        case .object:
            func convert(_ items: [Value]) throws -> [CheckpointValue] {
                try items.map { try checkpointValue($0, ev, depth: depth + 1, modules: modules) }
            }
            switch ev.builtinKind(v) {
            case .list: return .list(try convert(ev.sequenceItems(v) ?? []))
            case .tuple: return .tuple(try convert(ev.sequenceItems(v) ?? []))
            case .dict, .orderedDict:
                let pairs = try (ev.mappingItems(v) ?? []).map {
                    (try checkpointValue($0.0, ev, depth: depth + 1, modules: modules), try checkpointValue($0.1, ev, depth: depth + 1, modules: modules))
                }
                return ev.builtinKind(v) == .dict ? .dict(pairs) : .orderedDict(pairs)
            case .set, .frozenset, nil:
                throw PyError(.typeError, "cannot save object of type '\(v.typeName)' (torch.save in nnrepl takes tensors, dicts, lists, tuples, str, int, float, bool and None)")
            }
        }
    }

    /// A loaded checkpoint as script values. A container the pickle shares (through its memo) becomes
    /// one shared list/tuple/dict, as Python's unpickler makes it, so a "billion laughs" file costs its
    /// size, not 2^depth.
    static func value(_ c: CheckpointValue, _ ev: Evaluator, modules: ModulePickling.Loader = ModulePickling.Loader()) throws -> Value {
        try c.mapSharing(leaf: { leaf in
            switch leaf {
            case .none: return Value.none
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(Int(i))
            case .float(let d): return .float(d)
            case .string(let s): return .str(s)
            case .bytes(let bytes): return ev.makeList(bytes.map { .int(Int($0)) })
            case .tensor(let t): return .tensor(t)
            case .object(let o): return .module(try modules.module(o, ev) { try value($0, ev, modules: modules) })
            case .set: throw PyError(.unpicklingError, "nnrepl's torch.load does not load set values (only as a module's _non_persistent_buffers_set)")
            case .list, .tuple, .dict, .orderedDict: return Value.none  // containers never reach leaf
            }
        }, list: { ev.makeList($0) }, tuple: { ev.makeTuple($0) }, dict: { ev.makeDict($0, ordered: $1) })
    }
}
