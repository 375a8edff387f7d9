/// Python's `set` (and `frozenset` when `frozen`), kept in insertion order.
public final class PySet: PyObject {
    let storage = PyDict()
    public let frozen: Bool

    public init(_ items: [Value] = [], frozen: Bool = false) throws {
        self.frozen = frozen
        super.init()
        for v in items { try storage.set(v, .none) }
    }

    public override var typeName: String { frozen ? "frozenset" : "set" }
    public var items: [Value] { storage.keyList }

    func add(_ v: Value) throws { try storage.set(v, .none) }
    func has(_ v: Value) throws -> Bool { try storage.get(v) != nil }

    public override func length(_ ev: Evaluator) throws -> Int? { storage.count }
    public override func iterate(_ ev: Evaluator) throws -> [Value]? { displayOrder }
    public override func truthiness(_ ev: Evaluator) throws -> Bool? { storage.count > 0 }
    public override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? { try has(item) }

    /// CPython stores small non-negative ints at their own hash slot, so such sets iterate sorted.
    var displayOrder: [Value] {
        let values = items
        var ints: [Int] = []
        for v in values {
            guard case .int(let i) = v, i >= 0 else { return values }
            ints.append(i)
        }
        return ints.sorted().map { .int($0) }
    }

    public override func repr(_ ev: Evaluator) throws -> String {
        if storage.count == 0 { return frozen ? "frozenset()" : "set()" }
        let body = "{" + (try displayOrder.map { try ev.repr($0) }).joined(separator: ", ") + "}"
        return frozen ? "frozenset(\(body))" : body
    }

    public override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .object(let o) = other, let s = o as? PySet, s.storage.count == storage.count else { return false }
        for v in items where !(try s.has(v)) { return false }
        return true
    }

    func isSubset(of other: PySet) throws -> Bool {
        for v in items where !(try other.has(v)) { return false }
        return true
    }

    /// `|`, `&`, `-`, `^` with another set.
    func combine(_ op: BinaryOperator, _ other: PySet) throws -> PySet? {
        switch op {
        case .bitOr: return try PySet(items + other.items, frozen: frozen)
        case .bitAnd: return try PySet(items.filter { try other.has($0) }, frozen: frozen)
        case .sub: return try PySet(items.filter { !(try other.has($0)) }, frozen: frozen)
        case .bitXor:
            return try PySet(items.filter { !(try other.has($0)) } + other.items.filter { !(try has($0)) }, frozen: frozen)
        default: return nil
        }
    }

    public override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        guard let body = PySet.methods[name] else { return nil }
        return builtinMethod(name) { a, ev in try body(self, a, ev) }
    }

    public override func callMethod(_ name: String, _ args: Arguments, _ ev: Evaluator) throws -> Value? {
        guard let body = PySet.methods[name] else { return nil }
        return try body(self, args, ev)
    }

    public override func attributeNames() -> [String] { PySet.methods.keys.sorted() }

    private static func others(_ a: Arguments, _ ev: Evaluator) throws -> [PySet] {
        try a.positional.map { v in
            if case .object(let o) = v, let s = o as? PySet { return s }
            return try PySet(try ev.iterate(v))
        }
    }

    private static func mutating(_ s: PySet, _ name: String) throws {
        if s.frozen { throw PyError(.attributeError, "'frozenset' object has no attribute '\(name)'") }
    }

    static let methods: [String: (PySet, Arguments, Evaluator) throws -> Value] = [
        "add": { s, a, _ in
            try mutating(s, "add")
            let v = try a.bind("set.add", ["object"], required: 1)
            try s.add(v[0] ?? .none); return .none
        },
        "remove": { s, a, ev in
            try mutating(s, "remove")
            let v = try a.bind("set.remove", ["object"], required: 1)
            guard try s.storage.remove(v[0] ?? .none) != nil else { throw PyError(.keyError, args: [v[0] ?? .none]) }
            return .none
        },
        "discard": { s, a, _ in
            try mutating(s, "discard")
            let v = try a.bind("set.discard", ["object"], required: 1)
            try s.storage.remove(v[0] ?? .none); return .none
        },
        "pop": { s, a, _ in
            try mutating(s, "pop")
            guard let first = s.displayOrder.first else { throw PyError(.keyError, "pop from an empty set") }
            try s.storage.remove(first); return first
        },
        "clear": { s, _, _ in try mutating(s, "clear"); s.storage.removeAll(); return .none },
        "copy": { s, _, _ in .object(try PySet(s.items, frozen: s.frozen)) },
        "union": { s, a, ev in .object(try others(a, ev).reduce(s) { try $0.combine(.bitOr, $1) ?? $0 }) },
        "intersection": { s, a, ev in .object(try others(a, ev).reduce(s) { try $0.combine(.bitAnd, $1) ?? $0 }) },
        "difference": { s, a, ev in .object(try others(a, ev).reduce(s) { try $0.combine(.sub, $1) ?? $0 }) },
        "symmetric_difference": { s, a, ev in .object(try others(a, ev).reduce(s) { try $0.combine(.bitXor, $1) ?? $0 }) },
        "update": { s, a, ev in
            try mutating(s, "update")
            for o in try others(a, ev) { for v in o.items { try s.add(v) } }
            return .none
        },
        "intersection_update": { s, a, ev in
            try mutating(s, "intersection_update")
            let r = try others(a, ev).reduce(s) { try $0.combine(.bitAnd, $1) ?? $0 }
            let keep = r.items
            s.storage.removeAll()
            for v in keep { try s.add(v) }
            return .none
        },
        "symmetric_difference_update": { s, a, ev in
            try mutating(s, "symmetric_difference_update")
            let other = try a.bind("symmetric_difference_update", ["other"], required: 1)[0] ?? .none
            for v in try others(Arguments([other]), ev)[0].items {
                if try s.has(v) { try s.storage.remove(v) } else { try s.add(v) }
            }
            return .none
        },
        "difference_update": { s, a, ev in
            try mutating(s, "difference_update")
            for o in try others(a, ev) { for v in o.items { try s.storage.remove(v) } }
            return .none
        },
        "issubset": { s, a, ev in .bool(try s.isSubset(of: try others(a, ev).first ?? PySet())) },
        "issuperset": { s, a, ev in .bool(try (try others(a, ev).first ?? PySet()).isSubset(of: s)) },
        "isdisjoint": { s, a, ev in .bool(try (s.combine(.bitAnd, try others(a, ev).first ?? PySet()))?.items.isEmpty ?? true) },
    ]
}
