import NNLang
import TensorRuntime
import NeuralNet

/// Python's container protocol for `nn.Sequential`, `nn.ModuleList` and `nn.ModuleDict`
/// (`nn.ParameterList`/`nn.ParameterDict`: ParameterContainerBindings.swift):
/// `c[i]` (negative indices, slices → a new container), `c[i] = m`, `del c[i]`, `len(c)`,
/// `iter(c)`, and their list/dict methods (`append`, `extend`, `insert`, `pop`, `keys` …).
enum ModuleContainerBindings {
    static func getItem(_ m: Module, _ key: Value, _ ev: Evaluator) throws -> Value {
        if let p = m as? ParameterContainer { return try ParameterContainerBindings.getItem(p, key, ev) }
        if let d = m as? ModuleDict { return wrap(try d.item(try dictKey(key, ev))) }
        guard let c = m as? IndexedModuleContainer else { throw notSubscriptable(m) }
        if let b = try ev.sliceBounds(key) {
            if let seq = m as? Sequential { return .module(try seq.slice(start: b.start, stop: b.stop, step: b.step)) }
            if let list = m as? ModuleList { return .module(try list.slice(start: b.start, stop: b.stop, step: b.step)) }
        }
        return wrap(try c.item(at: try index(key)))
    }

    static func setItem(_ m: Module, _ key: Value, _ value: Value, _ ev: Evaluator) throws {
        if let p = m as? ParameterContainer { return try ParameterContainerBindings.setItem(p, key, value) }
        if let d = m as? ModuleDict {
            try d.addModule(ModuleValues.registrationName(key), ModuleValues.attributeValue(value))
            return
        }
        guard let c = m as? IndexedModuleContainer else {
            throw PyError(.typeError, "'\(m.typeName)' object does not support item assignment")
        }
        // `setattr(self, key, module)`: a non-module value gets __setattr__'s TypeError.
        let position = try position(try index(key), count: c.count)
        try m.setAttribute(m.ownModules.keys[position], ModuleValues.attributeValue(value))
    }

    static func deleteItem(_ m: Module, _ key: Value, _ ev: Evaluator) throws {
        if let p = m as? ParameterContainer { return try ParameterContainerBindings.deleteItem(p, key, ev) }
        if let d = m as? ModuleDict {
            try d.deleteItem(try dictKey(key, ev))
            return
        }
        guard let c = m as? IndexedModuleContainer else {
            throw PyError(.typeError, "'\(m.typeName)' object does not support item deletion")
        }
        if let b = try ev.sliceBounds(key) {
            try c.deleteItems(start: b.start, stop: b.stop, step: b.step)
        } else {
            try c.deleteItem(at: try index(key))
        }
    }

    static func length(_ m: Module) throws -> Int {
        if let p = m as? ParameterContainer { return ParameterContainerBindings.length(p) }
        if let d = m as? ModuleDict { return d.count }
        if let c = m as? IndexedModuleContainer { return c.count }
        throw PyError(.typeError, "object of type '\(m.typeName)' has no len()")
    }

    /// `iter(c)`: the children of a Sequential/ModuleList, the keys of a ModuleDict.
    static func iterate(_ m: Module) throws -> [Value] {
        if let p = m as? ParameterContainer { return ParameterContainerBindings.iterate(p) }
        if let d = m as? ModuleDict { return d.keys.map { .str($0) } }
        if m is IndexedModuleContainer { return m.ownModules.values.map(wrap) }
        throw PyError(.typeError, "'\(m.typeName)' object is not iterable")
    }

    /// The container methods of `m`'s class (empty for other modules).
    static func methods(for m: Module) -> [String: ModuleMethods.Method] {
        if let p = m as? ParameterContainer { return ParameterContainerBindings.methods(for: p) }
        if m is ModuleDict { return dictMethods }
        if m is IndexedModuleContainer { return listMethods }
        if m is RNNBase { return RecurrentBindings.methods }
        if m is AveragedModel { return SWAUtilsBindings.averagedModelMethods }
        return [:]
    }

    // MARK: - Helpers

    private static func wrap(_ m: Module?) -> Value { m.map { .module($0) } ?? Value.none }

    private static func notSubscriptable(_ m: Module) -> PyError {
        PyError(.typeError, "'\(m.typeName)' object is not subscriptable")
    }

    /// `operator.index(key)`.
    static func index(_ key: Value) throws -> Int {
        switch key {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        case .tensor(let t) where t.numel == 1 && !t.dtype.isFloatingPoint: return try key.asInt()
        default: throw PyError(.typeError, "'\(key.typeName)' object cannot be interpreted as an integer")
        }
    }

    /// A position in `0..<count` for a possibly negative index (`IndexError: index 5 is out of range`).
    private static func position(_ i: Int, count: Int) throws -> Int {
        guard i >= -count && i < count else { throw PyError(.indexError, "index \(i) is out of range") }
        return i < 0 ? i + count : i
    }

    /// A ModuleDict key: a missing non-string key is a KeyError too.
    private static func dictKey(_ key: Value, _ ev: Evaluator) throws -> String {
        if case .str(let s) = key { return s }
        throw PyError.missingKey(key, ev)
    }

    /// The modules of `modules=` arguments (`extend`, `update`), with add_module's type errors.
    private static func moduleList(_ v: Value, _ ev: Evaluator) throws -> [Value] {
        if case .module(let m) = v, m is IndexedModuleContainer { return m.ownModules.values.map(wrap) }
        return try ev.iterate(v)
    }

    private static let listMethods: [String: ModuleMethods.Method] = [
        "append": { m, a, _ in
            let s = try a.bind("\(m.typeName).append", ["module"], required: 1)
            try m.addModule(.string(String(m.ownModules.count)), ModuleValues.attributeValue(s[0]!))
            return .module(m)
        },
        "extend": { m, a, ev in
            let s = try a.bind("\(m.typeName).extend", ["modules"], required: 1)
            for item in try moduleList(s[0]!, ev) {
                try m.addModule(.string(String(m.ownModules.count)), ModuleValues.attributeValue(item))
            }
            return .module(m)
        },
        "insert": { m, a, _ in
            let s = try a.bind("\(m.typeName).insert", ["index", "module"], required: 2)
            guard case .module(let module) = s[1]!, let c = m as? IndexedModuleContainer else {
                throw PyError(.assertionError, "module should be of type: <class 'torch.nn.modules.module.Module'>")
            }
            try c.insert(module, at: try index(s[0]!))
            return m is Sequential ? .module(m) : .none
        },
        "pop": { m, a, _ in
            let s = try a.bind("\(m.typeName).pop", ["key"], required: 1)
            guard let c = m as? IndexedModuleContainer else { return .none }
            let i = try index(s[0]!)
            let item = try c.item(at: i)
            try c.deleteItem(at: i)
            return wrap(item)
        },
    ]

    private static let dictMethods: [String: ModuleMethods.Method] = [
        "keys": { m, a, _ in
            _ = try a.bind("ModuleDict.keys", [])
            return .object(ModuleDictView(m, .keys))
        },
        "values": { m, a, _ in
            _ = try a.bind("ModuleDict.values", [])
            return .object(ModuleDictView(m, .values))
        },
        "items": { m, a, _ in
            _ = try a.bind("ModuleDict.items", [])
            return .object(ModuleDictView(m, .items))
        },
        "pop": { m, a, ev in
            let key = try dictKey(try a.bind("ModuleDict.pop", ["key"], required: 1)[0]!, ev)
            guard let d = m as? ModuleDict else { return .none }
            return wrap(try d.pop(key))
        },
        "clear": { m, _, _ in
            (m as? ModuleDict)?.clear()
            return .none
        },
        "update": { m, a, ev in
            let v = try a.bind("ModuleDict.update", ["modules"], required: 1)[0]!
            let pairs: [(Value, Value)]
            if case .module(let d) = v, d is ModuleDict {
                pairs = d.ownModules.items.map { (.str($0.key), wrap($0.value)) }
            } else if let items = ev.mappingItems(v) {
                pairs = items
            } else {
                pairs = try ev.iterate(v).enumerated().map { i, item in
                    guard let kv = ev.sequenceItems(item), kv.count == 2 else {
                        throw PyError(.valueError, "ModuleDict update sequence element #\(i) has length \(ev.sequenceItems(item)?.count ?? 1); 2 is required")
                    }
                    return (kv[0], kv[1])
                }
            }
            for (k, module) in pairs { try m.addModule(ModuleValues.registrationName(k), ModuleValues.attributeValue(module)) }
            return .none
        },
    ]
}

/// What `ModuleDict.keys()` / `values()` / `items()` return, and `keys()` … of a module's
/// `_parameters` / `_buffers` / `_modules` dict. In PyTorch they are views of the module's
/// dict, so they print as `dict_keys(['a'])`, `dict_values([ReLU()])`,
/// `dict_items([('a', ReLU())])` and follow later changes to the module (live: every
/// operation reads the module's current entries).
final class ModuleDictView: PyObject {
    enum Kind: String {
        case keys = "dict_keys", values = "dict_values", items = "dict_items"

        /// The view the dict method `name` (`keys`, `values`, `items`) returns.
        init(method name: String) {
            switch name {
            case "values": self = .values
            case "items": self = .items
            default: self = .keys
            }
        }
    }

    let module: Module
    let kind: Kind
    let member: ModuleMember

    init(_ module: Module, _ kind: Kind, member: ModuleMember = .modules) {
        self.module = module
        self.kind = kind
        self.member = member
        super.init()
    }

    override var typeName: String { kind.rawValue }

    private func current(_ ev: Evaluator) -> [Value] {
        let entries = member.items(module)
        switch kind {
        case .keys: return entries.map { .str($0.key) }
        case .values: return entries.map { $0.value }
        case .items: return entries.map { ev.makeTuple([.str($0.key), $0.value]) }
        }
    }

    override func repr(_ ev: Evaluator) throws -> String {
        "\(kind.rawValue)([\(try current(ev).map { try ev.repr($0) }.joined(separator: ", "))])"
    }

    override func iterate(_ ev: Evaluator) throws -> [Value]? { current(ev) }

    override func length(_ ev: Evaluator) throws -> Int? { member.count(module) }

    override func truthiness(_ ev: Evaluator) throws -> Bool? { member.count(module) > 0 }

    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        switch kind {
        case .keys:
            guard case .str(let key) = item else { return false }
            return member.contains(module, key)
        case .values:
            return current(ev).contains { identical($0, item) }
        case .items:
            guard let pair = ev.sequenceItems(item), pair.count == 2, case .str(let key) = pair[0],
                  let value = member.value(module, key) else { return false }
            return identical(value, pair[1])
        }
    }
}
