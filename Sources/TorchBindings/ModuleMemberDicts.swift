import NNLang
import TensorRuntime
import NeuralNet

/// One of a module's own dicts: `_parameters`, `_buffers` or `_modules`, read and written
/// through the module (NeuralNet keeps them as ordered maps of optional values).
enum ModuleMember: String {
    case parameters = "_parameters", buffers = "_buffers", modules = "_modules"

    /// `(key, value)` in insertion order; a None entry is `Value.none`.
    func items(_ m: Module) -> [(key: String, value: Value)] {
        switch self {
        case .parameters: return m.ownParameters.items.map { ($0.key, $0.value.map { .tensor($0) } ?? Value.none) }
        case .buffers: return m.ownBuffers.items.map { ($0.key, $0.value.map { .tensor($0) } ?? Value.none) }
        case .modules: return m.ownModules.items.map { ($0.key, $0.value.map { .module($0) } ?? Value.none) }
        }
    }

    func keys(_ m: Module) -> [String] {
        switch self {
        case .parameters: return m.ownParameters.keys
        case .buffers: return m.ownBuffers.keys
        case .modules: return m.ownModules.keys
        }
    }

    func count(_ m: Module) -> Int {
        switch self {
        case .parameters: return m.ownParameters.count
        case .buffers: return m.ownBuffers.count
        case .modules: return m.ownModules.count
        }
    }

    func contains(_ m: Module, _ key: String) -> Bool {
        switch self {
        case .parameters: return m.ownParameters.contains(key)
        case .buffers: return m.ownBuffers.contains(key)
        case .modules: return m.ownModules.contains(key)
        }
    }

    /// The entry `key` (None for a None entry), nil when there is none.
    func value(_ m: Module, _ key: String) -> Value? {
        switch self {
        case .parameters: return m.ownParameters[key].map { $0.map { .tensor($0) } ?? Value.none }
        case .buffers: return m.ownBuffers[key].map { $0.map { .tensor($0) } ?? Value.none }
        case .modules: return m.ownModules[key].map { $0.map { .module($0) } ?? Value.none }
        }
    }

    /// `d[key] = value`, with `register_parameter` / `register_buffer` / `add_module`'s checks.
    func set(_ m: Module, _ key: Value, _ value: Value) throws {
        let name = ModuleValues.registrationName(key)
        let v = ModuleValues.attributeValue(value)
        switch self {
        case .parameters: try m.registerParameter(name, v)
        case .buffers: try m.setBufferEntry(name, v)
        case .modules: try m.addModule(name, v)
        }
    }

    /// `del d[key]`; false when there is no such entry.
    func remove(_ m: Module, _ key: String) -> Bool {
        switch self {
        case .parameters: return m.removeParameterEntry(key)
        case .buffers: return m.removeBufferEntry(key)
        case .modules: return m.removeModuleEntry(key)
        }
    }
}

/// `m._parameters`, `m._buffers`, `m._modules`: the module's own dicts, live as in PyTorch —
/// reads see the module's current entries and writes go through to it, so `named_parameters`,
/// `state_dict` and repr see them. It prints, iterates and compares like the `dict` it is in
/// PyTorch; `keys()`/`values()`/`items()` are live views. Stores are checked like
/// `register_parameter`/`register_buffer`/`add_module` (PyTorch's plain dict would accept a
/// plain tensor as a parameter and break later); the same object is returned each time while
/// a script holds it, so `m._parameters is m._parameters`.
final class ModuleMemberDict: PyObject {
    let module: Module
    let member: ModuleMember

    private init(_ module: Module, _ member: ModuleMember) {
        self.module = module
        self.member = member
        super.init()
    }

    private struct CacheKey: Hashable {
        let module: ObjectIdentifier
        let member: String
    }

    private final class WeakEntry {
        weak var dict: ModuleMemberDict?
        init(_ dict: ModuleMemberDict) { self.dict = dict }
    }

    /// Dicts a script still holds, by module (weak: a dict keeps its module alive, not the
    /// other way round, so an identifier cannot be reused while its entry is live).
    nonisolated(unsafe) private static var live: [CacheKey: WeakEntry] = [:]
    nonisolated(unsafe) private static var sweepAt = 64

    /// `m._parameters` etc.; nil before `Module.__init__` ran (AttributeError, as in PyTorch).
    static func of(_ m: Module, _ name: String) -> Value? {
        guard let member = ModuleMember(rawValue: name), m.isInitialised else { return nil }
        let key = CacheKey(module: ObjectIdentifier(m), member: name)
        if let d = live[key]?.dict, d.module === m { return .object(d) }
        let d = ModuleMemberDict(m, member)
        live[key] = WeakEntry(d)
        if live.count >= sweepAt {
            live = live.filter { $0.value.dict != nil }
            sweepAt = Swift.max(64, 2 * live.count)
        }
        return .object(d)
    }

    override var typeName: String { "dict" }

    private func key(_ v: Value, _ ev: Evaluator) throws -> String {
        if case .str(let s) = v { return s }
        throw PyError.missingKey(v, ev)
    }

    private func missing(_ key: String) -> TorchError { TorchError(.keyError, key) }

    override func repr(_ ev: Evaluator) throws -> String {
        let parts = try member.items(module).map { pythonStringRepr($0.key) + ": " + (try ev.repr($0.value)) }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    override func length(_ ev: Evaluator) throws -> Int? { member.count(module) }
    override func truthiness(_ ev: Evaluator) throws -> Bool? { member.count(module) > 0 }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { member.keys(module).map { .str($0) } }

    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .str(let k) = item else { return false }
        return member.contains(module, k)
    }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        let k = try self.key(key, ev)
        guard let v = member.value(module, k) else { throw missing(k) }
        return v
    }

    override func setItem(_ key: Value, _ value: Value, _ ev: Evaluator) throws -> Bool {
        try member.set(module, key, value)
        return true
    }

    override func deleteItem(_ key: Value, _ ev: Evaluator) throws -> Bool {
        let k = try self.key(key, ev)
        guard member.remove(module, k) else { throw missing(k) }
        return true
    }

    /// `==` with another dict: same keys, and the same objects (tensors compare by identity here).
    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        let theirs: [(Value, Value)]
        if case .object(let o) = other, let d = o as? ModuleMemberDict {
            theirs = d.member.items(d.module).map { (.str($0.key), $0.value) }
        } else if let items = ev.mappingItems(other) {
            theirs = items
        } else {
            return false
        }
        let mine = member.items(module)
        guard mine.count == theirs.count else { return false }
        for (k, v) in theirs {
            guard case .str(let key) = k, let own = member.value(module, key) else { return false }
            if identical(own, v) { continue }
            switch (own, v) {
            case (.none, .none): continue
            default: return false
            }
        }
        return true
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        let m = module, member = member
        switch name {
        case "keys", "values", "items":
            let kind = ModuleDictView.Kind(method: name)
            return method(name) { a, _ in
                _ = try a.bind("dict.\(name)", [])
                return .object(ModuleDictView(m, kind, member: member))
            }
        case "get":
            return method(name) { a, _ in
                let s = try a.bind("get", ["key", "default"], required: 1)
                guard case .str(let k)? = s[0] else { return s[1] ?? .none }
                return member.value(m, k) ?? s[1] ?? .none
            }
        case "pop":
            return method(name) { [self] a, ev in
                let s = try a.bind("pop", ["key", "default"], required: 1)
                let k = try self.key(s[0] ?? .none, ev)
                guard let v = member.value(m, k) else {
                    if let d = s[1] { return d }
                    throw missing(k)
                }
                member.remove(m, k)
                return v
            }
        case "setdefault":
            return method(name) { a, _ in
                let s = try a.bind("setdefault", ["key", "default"], required: 1)
                if case .str(let k)? = s[0], let v = member.value(m, k) { return v }
                try member.set(m, s[0] ?? .none, s[1] ?? .none)
                return s[1] ?? .none
            }
        case "update":
            return method(name) { a, ev in
                guard a.positional.count <= 1 else {
                    throw PyError(.typeError, "update expected at most 1 argument, got \(a.positional.count)")
                }
                var pairs: [(Value, Value)] = []
                if let other = a.positional.first {
                    if case .object(let o) = other, let d = o as? ModuleMemberDict {
                        pairs = d.member.items(d.module).map { (.str($0.key), $0.value) }
                    } else if let items = ev.mappingItems(other) {
                        pairs = items
                    } else {
                        pairs = try ev.iterate(other).enumerated().map { i, item in
                            guard let kv = ev.sequenceItems(item), kv.count == 2 else {
                                throw PyError(.valueError, "dictionary update sequence element #\(i) has length \(ev.sequenceItems(item)?.count ?? 1); 2 is required")
                            }
                            return (kv[0], kv[1])
                        }
                    }
                }
                pairs += a.keywords.map { (.str($0.name), $0.value) }
                for (k, v) in pairs { try member.set(m, k, v) }
                return .none
            }
        case "clear":
            return method(name) { a, _ in
                _ = try a.bind("clear", [])
                for k in member.keys(m) { member.remove(m, k) }
                return .none
            }
        case "copy":
            return method(name) { a, ev in
                _ = try a.bind("copy", [])
                return ev.makeDict(member.items(m).map { (.str($0.key), $0.value) }, ordered: false)
            }
        default:
            return nil
        }
    }

    override func attributeNames() -> [String] {
        ["clear", "copy", "get", "items", "keys", "pop", "setdefault", "update", "values"]
    }
}
