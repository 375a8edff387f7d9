import NNLang
import TensorRuntime
import NeuralNet

/// Python's container protocol for `nn.ParameterList` and `nn.ParameterDict` (PyTorch's
/// container.py): indexing, `len`, iteration, and their list/dict methods. Entries are stored as
/// PyTorch's `setattr` stores them: tensors become parameters, modules children, the rest plain
/// attributes.
enum ParameterContainerBindings {
    /// Declares `nn.ParameterList` and `nn.ParameterDict`.
    static func install(into nn: Namespace, moduleBase base: PyType) {
        ParameterContainer.objectTypeName = { ($0 as? Value)?.typeName ?? "NoneType" }
        ModuleValueBridge.isNone = { ($0 as? Value)?.isNone ?? false }
        LayerTypes.add(nn, base, "ParameterList", ParameterList.self, "values=None",
                       "A list of parameters registered under keys 0, 1, … (tensors become nn.Parameter).") { s, ev in
            let list = ParameterList()
            if !s[0].isNone { for v in try ev.iterate(s[0]) { try list.append(entry(v)) } }
            return list
        }
        LayerTypes.add(nn, base, "ParameterDict", ParameterDict.self, "parameters=None",
                       "A dict of parameters registered under their keys (tensors become nn.Parameter).") { s, ev in
            let dict = ParameterDict()
            if !s[0].isNone { try update(dict, s[0], ev) }
            return dict
        }
    }

    // MARK: - Container protocol (called by ModuleContainerBindings)

    static func getItem(_ m: ParameterContainer, _ key: Value, _ ev: Evaluator) throws -> Value {
        if let d = m as? ParameterDict { return value(try d.item(try dictKey(key))) }
        guard let list = m as? ParameterList else { return .none }
        if let b = try ev.sliceBounds(key) {
            let out = ParameterList()
            let all = list.entries
            for p in try pythonSlicePositions(count: all.count, start: b.start, stop: b.stop, step: b.step) { try out.append(all[p]) }
            return .module(out)
        }
        return value(try list.item(at: try ModuleContainerBindings.index(key)))
    }

    static func setItem(_ m: ParameterContainer, _ key: Value, _ v: Value) throws {
        if let d = m as? ParameterDict { return try d.setItem(try dictKey(key), entry(v)) }
        try (m as? ParameterList)?.setItem(at: try ModuleContainerBindings.index(key), entry(v))
    }

    static func deleteItem(_ m: ParameterContainer, _ key: Value, _ ev: Evaluator) throws {
        guard let d = m as? ParameterDict else {
            throw PyError(.typeError, "'\(m.typeName)' object doesn't support item deletion")
        }
        guard case .str(let k) = key, d.contains(k) else { throw PyError.missingKey(key, ev) }
        try d.deleteItem(k)
    }

    static func length(_ m: ParameterContainer) -> Int {
        (m as? ParameterDict)?.count ?? (m as? ParameterList)?.count ?? 0
    }

    /// `iter(self)`: a list's entries, a dict's keys.
    static func iterate(_ m: ParameterContainer) -> [Value] {
        if let d = m as? ParameterDict { return d.keys.map { .str($0) } }
        return ((m as? ParameterList)?.entries ?? []).map(value)
    }

    static func methods(for m: ParameterContainer) -> [String: ModuleMethods.Method] {
        m is ParameterDict ? dictMethods : listMethods
    }

    // MARK: - Values

    /// A script value as an entry (PyTorch's `__setitem__` wraps tensors as Parameters).
    static func entry(_ v: Value) -> ParameterContainerEntry {
        switch v {
        case .tensor(let t): return .parameter(t)
        case .module(let m): return .module(m)
        case .none: return .none
        default: return .object(v)
        }
    }

    static func value(_ e: ParameterContainerEntry) -> Value {
        switch e {
        case .parameter(let t): return .tensor(t)
        case .module(let m): return .module(m)
        case .object(let v): return v as? Value ?? .none
        case .none: return .none
        }
    }

    /// A ParameterDict key: anything but a string is PyTorch's TypeError.
    private static func dictKey(_ key: Value) throws -> String {
        guard case .str(let s) = key else {
            throw PyError(.typeError, "Index given to ParameterDict cannot be used as a key as it is not a string (type is '\(key.typeName)'). Open an issue on github if you need non-string keys.")
        }
        return s
    }

    /// `ParameterDict.update(parameters)`: a ParameterDict or OrderedDict in order, a plain dict
    /// sorted by key, else an iterable of (key, value) pairs.
    static func update(_ d: ParameterDict, _ v: Value, _ ev: Evaluator) throws {
        if case .module(let other as ParameterDict) = v {
            for k in other.keys { try d.setItem(k, try other.item(k)) }
            return
        }
        if let items = ev.mappingItems(v) {
            var pairs = items
            if ev.builtinKind(v) == .dict {
                pairs = try items.sorted { a, b in
                    guard case .str(let x) = a.0, case .str(let y) = b.0 else {
                        throw PyError(.typeError, "'<' not supported between instances of '\(a.0.typeName)' and '\(b.0.typeName)'")
                    }
                    return x < y
                }
            }
            for (k, value) in pairs { try d.setItem(try dictKey(k), entry(value)) }
            return
        }
        let elements: [Value]
        do { elements = try ev.iterate(v) } catch {
            throw PyError(.typeError, "ParametersDict.update should be called with an iterable of key/value pairs, but got \(v.typeName)")
        }
        for (j, p) in elements.enumerated() {
            guard let kv = ev.sequenceItems(p) else {
                throw PyError(.typeError, "ParameterDict update sequence element #\(j) should be Iterable; is\(p.typeName)")
            }
            guard kv.count == 2 else {
                throw PyError(.valueError, "ParameterDict update sequence element #\(j) has length \(kv.count); 2 is required")
            }
            try d.setItem(try dictKey(kv[0]), entry(kv[1]))
        }
    }

    // MARK: - Methods

    private static func list(_ m: Module) -> ParameterList { m as? ParameterList ?? ParameterList() }
    private static func dict(_ m: Module) -> ParameterDict { m as? ParameterDict ?? ParameterDict() }

    private static let listMethods: [String: ModuleMethods.Method] = [
        "append": { m, a, _ in
            let s = try a.bind("ParameterList.append", ["value"], required: 1)
            try list(m).append(entry(s[0]!))
            return .module(m)
        },
        "extend": { m, a, ev in
            let s = try a.bind("ParameterList.extend", ["values"], required: 1)
            let items: [Value]
            if case .module(let other as ParameterList) = s[0]! { items = other.entries.map(value) } else { items = try ev.iterate(s[0]!) }
            for v in items { try list(m).append(entry(v)) }
            return .module(m)
        },
    ]

    private static let dictMethods: [String: ModuleMethods.Method] = [
        "keys": { m, a, ev in
            _ = try a.bind("ParameterDict.keys", [])
            let d = ev.makeDict(dict(m).keys.map { (.str($0), Value.none) }, ordered: false)
            return try ev.call(try ev.getAttribute(d, "keys"), Arguments())
        },
        "values": { m, a, _ in
            _ = try a.bind("ParameterDict.values", [])
            let d = dict(m)
            return .object(HostIterator("ParameterDict.values.<locals>.<genexpr>", try d.keys.map { value(try d.item($0)) }))
        },
        "items": { m, a, ev in
            _ = try a.bind("ParameterDict.items", [])
            let d = dict(m)
            return .object(HostIterator("ParameterDict.items.<locals>.<genexpr>",
                                        try d.keys.map { ev.makeTuple([.str($0), value(try d.item($0))]) }))
        },
        "get": { m, a, _ in
            let s = try a.bind("ParameterDict.get", ["key", "default"], required: 1)
            if case .str(let k) = s[0]!, dict(m).contains(k) { return value(try dict(m).item(k)) }
            return s[1] ?? .none
        },
        "pop": { m, a, ev in
            let key = try a.bind("ParameterDict.pop", ["key"], required: 1)[0]!
            let v = try getItem(dict(m), key, ev)
            try deleteItem(dict(m), key, ev)
            return v
        },
        "popitem": { m, a, ev in
            _ = try a.bind("ParameterDict.popitem", [])
            let d = dict(m)
            guard let k = d.keys.last else { throw PyError(.keyError, "'popitem(): dictionary is empty'") }
            let v = value(try d.item(k))
            try d.deleteItem(k)
            return ev.makeTuple([.str(k), v])
        },
        "clear": { m, a, _ in
            _ = try a.bind("ParameterDict.clear", [])
            dict(m).clear()
            return .none
        },
        "update": { m, a, ev in
            try update(dict(m), try a.bind("ParameterDict.update", ["parameters"], required: 1)[0]!, ev)
            return .none
        },
        "copy": { m, a, _ in
            _ = try a.bind("ParameterDict.copy", [])
            let d = dict(m), out = ParameterDict()
            for k in d.keys { try out.setItem(k, try d.item(k)) }
            return .module(out)
        },
        "setdefault": { m, a, _ in
            let s = try a.bind("ParameterDict.setdefault", ["key", "default"], required: 1)
            let k = try dictKey(s[0]!)
            if !dict(m).contains(k) { try dict(m).setItem(k, entry(s[1] ?? .none)) }
            return value(try dict(m).item(k))
        },
        "fromkeys": { m, a, ev in
            let s = try a.bind("ParameterDict.fromkeys", ["keys", "default"], required: 1)
            let out = ParameterDict()
            for k in try ev.iterate(s[0]!) { try out.setItem(try dictKey(k), entry(s[1] ?? .none)) }
            return .module(out)
        },
    ]
}
