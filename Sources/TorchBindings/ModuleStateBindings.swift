import NNLang
import TensorRuntime
import NeuralNet

/// `state_dict()` (an OrderedDict of detached tensors) and `load_state_dict()` (returning
/// `_IncompatibleKeys`), with PyTorch's argument handling and messages.
enum ModuleStateBindings {
    /// `state_dict(destination=None, prefix='', keep_vars=False)`; a given destination dict is
    /// not filled in place — the new OrderedDict is returned.
    static func stateDict(_ m: Module, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try ModuleMethods.bind(a, "state_dict", ["destination", "prefix", "keep_vars"])
        let entries = m.stateDict(prefix: try ModuleMethods.optionalString(s[1]) ?? "",
                                  keepVars: try Convert.bool(s[2], default: false, ev))
        return ev.makeDict(entries.map { (.str($0.0), .tensor($0.1)) }, ordered: true)
    }

    /// `load_state_dict(state_dict, strict=True, assign=False)`.
    static func loadStateDict(_ m: Module, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try ModuleMethods.bind(a, "load_state_dict", ["state_dict", "strict", "assign"], required: 1)
        let sd = s[0]!
        guard let items = ev.mappingItems(sd) else {
            throw PyError(.typeError, "Expected state_dict to be dict-like, got \(ModuleValues.typeRepr(sd)).")
        }
        var entries: [(String, StateValue)] = []
        for (k, v) in items {
            guard case .str(let key) = k else { continue }
            if case .tensor(let t) = v { entries.append((key, .tensor(t))) } else { entries.append((key, .other(pythonTypeRepr: ModuleValues.typeRepr(v)))) }
        }
        let result = try m.loadStateDict(entries, strict: try Convert.bool(s[1], default: true, ev))
        return .object(IncompatibleKeysObject(result))
    }
}

/// `_IncompatibleKeys(missing_keys=[...], unexpected_keys=[...])`, the named tuple
/// `load_state_dict` returns; prints `<All keys matched successfully>` when both are empty.
final class IncompatibleKeysObject: PyObject {
    let keys: IncompatibleKeys
    init(_ keys: IncompatibleKeys) { self.keys = keys }

    override var typeName: String { "_IncompatibleKeys" }
    override func repr(_ ev: Evaluator) throws -> String { keys.description }

    private func fields(_ ev: Evaluator) -> [Value] {
        [ev.makeList(keys.missingKeys.map { .str($0) }), ev.makeList(keys.unexpectedKeys.map { .str($0) })]
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "missing_keys": return fields(ev)[0]
        case "unexpected_keys": return fields(ev)[1]
        default: return nil
        }
    }

    override func length(_ ev: Evaluator) throws -> Int? { 2 }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { fields(ev) }
    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        let i = try key.asInt("tuple indices")
        guard i >= -2 && i < 2 else { throw PyError(.indexError, "tuple index out of range") }
        return fields(ev)[i < 0 ? i + 2 : i]
    }
    override func attributeNames() -> [String] { ["missing_keys", "unexpected_keys"] }
}
