/// `collections.ChainMap(*maps)`: one view over several mappings. Lookups search `maps` in
/// order; writes and deletions go to the first; its keys are those of every map (the last map's
/// first, as CPython orders them).
final class PyChainMap: PyObject {
    /// `cm.maps`, the list itself (appending to it changes the chain, as in CPython).
    let maps: PyList

    init(_ maps: [Value]) {
        self.maps = PyList(maps.isEmpty ? [.object(PyDict())] : maps)
        super.init()
    }

    static let type = HostType("ChainMap", signature: Signature("*maps"),
                               doc: "Several mappings searched in order as one: writes go to the first.",
                               check: { v in if case .object(let o) = v { return o is PyChainMap }; return false },
                               construct: { a, _ in .object(PyChainMap(a.positional)) })

    override var typeName: String { "ChainMap" }

    private func lookup(_ key: Value, _ ev: Evaluator) throws -> Value? {
        for m in maps.items where try ev.truthy(try Interpreter.of(ev).compare(.in, key, m)) {
            return try Interpreter.of(ev).getItem(m, key)
        }
        return nil
    }

    /// The keys of every map, without repeats: the last map's first.
    private func keys(_ ev: Evaluator) throws -> [Value] {
        let merged = PyDict()
        for m in maps.items.reversed() { for k in try ev.iterate(m) where try merged.get(k) == nil { try merged.set(k, .none) } }
        return merged.keyList
    }

    private func merged(_ ev: Evaluator) throws -> PyDict {
        let d = PyDict()
        for k in try keys(ev) { try d.set(k, try lookup(k, ev) ?? .none) }
        return d
    }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        guard let v = try lookup(key, ev) else { throw PyError(.keyError, args: [key]) }
        return v
    }

    override func setItem(_ key: Value, _ value: Value, _ ev: Evaluator) throws -> Bool {
        try Interpreter.of(ev).setItem(maps.items.first ?? .none, key, value)
        return true
    }

    override func deleteItem(_ key: Value, _ ev: Evaluator) throws -> Bool {
        let first = maps.items.first ?? .none
        guard try ev.truthy(try Interpreter.of(ev).compare(.in, key, first)) else {
            throw PyError(.keyError, "Key not found in the first mapping: \(try ev.repr(key))")
        }
        try Interpreter.of(ev).deleteItem(first, key)
        return true
    }

    override func length(_ ev: Evaluator) throws -> Int? { try keys(ev).count }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { try keys(ev) }
    override func truthiness(_ ev: Evaluator) throws -> Bool? { try !keys(ev).isEmpty }
    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? { try lookup(item, ev) != nil }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        let theirs: PyDict
        switch other {
        case .object(let c as PyChainMap): theirs = try c.merged(ev)
        case .object(let d as PyDict): theirs = d
        default: return false
        }
        return try merged(ev).equals(.object(theirs), ev)
    }

    override func repr(_ ev: Evaluator) throws -> String {
        "ChainMap(" + (try maps.items.map { try ev.repr($0) }).joined(separator: ", ") + ")"
    }

    override func attributeNames() -> [String] { ["clear", "copy", "get", "items", "keys", "maps", "new_child", "parents", "pop", "values"] }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        func method(_ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) -> Value {
            .object(NativeFunction(name, signature, doc: doc, body))
        }
        switch name {
        case "maps": return .object(maps)
        case "parents": return .object(PyChainMap(Array(maps.items.dropFirst())))
        case "new_child": return method("m=None, **kwargs", "A ChainMap with m (a new dict by default) in front of these maps.") { b, ev in
            let front = b[0].isNone ? .object(try PyDict(b.extraKeywords.map { (.str($0.name), $0.value) })) : b[0]
            return .object(PyChainMap([front] + self.maps.items))
        }
        case "get": return method("key, default=None", "The first map's value for key, or default.") { b, ev in try self.lookup(b[0], ev) ?? b[1] }
        case "keys", "values", "items":
            return method("", "A view of the merged mapping.") { _, ev in try ev.call(try ev.getAttribute(.object(try self.merged(ev)), name), Arguments()) }
        case "copy": return method("", "A ChainMap with a copy of the first map and the others shared.") { _, ev in
            let first = try ev.call(try ev.getAttribute(self.maps.items.first ?? .none, "copy"), Arguments())
            return .object(PyChainMap([first] + self.maps.items.dropFirst()))
        }
        case "pop": return method("key, *default", "Removes key from the first map and returns its value.") { b, ev in
            try ev.call(try ev.getAttribute(self.maps.items.first ?? .none, "pop"), Arguments([b[0]] + b.extraPositional))
        }
        case "clear": return method("", "Empties the first map.") { _, ev in
            try ev.call(try ev.getAttribute(self.maps.items.first ?? .none, "clear"), Arguments())
        }
        default: return nil
        }
    }
}
