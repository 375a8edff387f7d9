/// Python's `set` (and `frozenset` when `frozen`), in CPython's hash table (SetTable.swift), so
/// it iterates and prints in CPython's order; its operations build their results the way
/// CPython's do (which set is walked, which is probed), which decides that order.
public final class PySet: PyObject {
    /// The members by slot: nil in an empty slot (hash 0) or a dummy left by a removal (hash -1).
    var keys: [Value?] = [Value?](repeating: nil, count: 8)
    /// Each slot's `pythonHash`.
    var hashes: [Int] = [Int](repeating: 0, count: 8)
    /// The slot count minus one.
    var mask = 7
    /// Slots holding a member or a dummy.
    var fill = 0
    /// Members.
    var used = 0
    /// Where `pop` looks next.
    var finger = 0
    /// Bumped when the table is rebuilt or a member removed: a probe that ran a script's
    /// `__eq__` starts again when it changed, as CPython's does.
    var version = 0
    public let frozen: Bool

    /// The set of `items` added one by one (CPython's `set(iterable)` for a non-set iterable).
    public init(_ items: [Value] = [], frozen: Bool = false) throws {
        self.frozen = frozen
        super.init()
        for v in items { try add(v) }
    }

    /// A copy of `other` (CPython's `set(s)`, `s.copy()`: one merge).
    init(copying other: PySet, frozen: Bool) throws {
        self.frozen = frozen
        super.init()
        try merge(other)
    }

    deinit {
        if used > 0 { DeferredRelease.release(&keys, to: []) }
    }

    public override var typeName: String { frozen ? "frozenset" : "set" }

    /// The members in slot order (CPython's iteration order).
    public var items: [Value] {
        var out: [Value] = []
        out.reserveCapacity(used)
        for case let k? in keys { out.append(k) }
        return out
    }

    public var count: Int { used }

    @inline(__always)
    func add(_ v: Value) throws { try insert(v, try pythonHash(v)) }
    @inline(__always)
    func has(_ v: Value) throws -> Bool { try slot(of: v, try pythonHash(v)) >= 0 }
    @discardableResult
    func remove(_ v: Value) throws -> Bool { try discard(v, try pythonHash(v)) }

    /// CPython's hash of a frozenset (from its members' hashes).
    var frozensetHash: Int {
        NNLang.frozensetHash(of: zip(keys, hashes).lazy.filter { $0.0 != nil }.map { $0.1 }, count: used)
    }

    public override func length(_ ev: Evaluator) throws -> Int? { used }
    public override func iterate(_ ev: Evaluator) throws -> [Value]? { items }
    public override func truthiness(_ ev: Evaluator) throws -> Bool? { used > 0 }
    public override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? { try has(item) }

    public override func repr(_ ev: Evaluator) throws -> String {
        if used == 0 { return frozen ? "frozenset()" : "set()" }
        let body = "{" + (try items.map { try ev.repr($0) }).joined(separator: ", ") + "}"
        return frozen ? "frozenset(\(body))" : body
    }

    public override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .object(let o) = other, let s = o as? PySet, s.used == used else { return other.carriedValue == nil ? false : nil }
        return try isSubset(of: s)
    }

    func isSubset(of other: PySet) throws -> Bool {
        if used > other.used { return false }
        let ks = keys, hs = hashes
        for p in ks.indices { if let k = ks[p], try other.slot(of: k, hs[p]) < 0 { return false } }
        return true
    }

    /// Each member with its hash, in slot order (a snapshot: the set may change meanwhile).
    private func forEachMember(_ body: (Value, Int) throws -> Void) rethrows {
        let ks = keys, hs = hashes
        for p in ks.indices { if let k = ks[p] { try body(k, hs[p]) } }
    }

    // MARK: CPython's set algebra (the order of the result follows from these steps)

    /// `set_update_internal`: merges a set, adds an exact dict's keys after one resize, else
    /// adds the items of the iterable.
    func update(from v: Value, _ ev: Evaluator) throws {
        if case .object(let o) = v {
            if let s = o as? PySet { try merge(s); return }
            if let d = o as? PyDict, case .plain = d.flavor {
                if (fill &+ d.count) &* 5 >= mask &* 3 { try resize((used &+ d.count) &* 2) }
                for k in d.keyList { try add(k) }
                return
            }
        }
        for item in try ev.iterate(v) { try add(item) }
    }

    /// `set | other`, `set.union`: a copy of this set updated from `other`.
    func union(_ other: Value, _ ev: Evaluator) throws -> PySet {
        let result = try PySet(copying: self, frozen: frozen)
        if case .object(let o) = other, o === self { return result }
        try result.update(from: other, ev)
        return result
    }

    /// `set & other`: the members of the smaller set found in the larger (when `other` is a
    /// set), else the items of `other` found in this set.
    func intersection(_ other: Value, _ ev: Evaluator) throws -> PySet {
        if case .object(let o) = other, o === self { return try PySet(copying: self, frozen: frozen) }
        let result = try PySet(frozen: frozen)
        if case .object(let o) = other, let s = o as? PySet {
            let (walked, probed) = s.used > used ? (self, s) : (s, self)
            try walked.forEachMember { k, h in if try probed.slot(of: k, h) >= 0 { try result.insert(k, h) } }
            return result
        }
        for k in try ev.iterate(other) {
            let h = try pythonHash(k)
            if try slot(of: k, h) >= 0 { try result.insert(k, h) }
        }
        return result
    }

    /// `set - other`: this set's members not in `other`, or (when `other` is not a set or dict,
    /// or is much smaller) a copy with `other`'s items removed.
    func difference(_ other: Value, _ ev: Evaluator) throws -> PySet {
        var otherSet: PySet?, otherDict: PyDict?
        if case .object(let o) = other {
            otherSet = o as? PySet
            if let d = o as? PyDict, case .plain = d.flavor { otherDict = d }
        }
        guard let otherSize = otherSet?.used ?? otherDict?.count, (used >> 2) <= otherSize else {
            let result = try PySet(copying: self, frozen: frozen)
            try result.differenceUpdate(other, ev)
            return result
        }
        let result = try PySet(frozen: frozen)
        try forEachMember { k, h in
            let found = try otherSet.map { try $0.slot(of: k, h) >= 0 } ?? (try otherDict?.get(k) != nil)
            if !found { try result.insert(k, h) }
        }
        return result
    }

    /// `set -= other`, `difference_update`: removes `other`'s members (the intersection's, when
    /// `other` is more than 8 times larger), then drops the dummies when over a quarter of the
    /// table.
    func differenceUpdate(_ other: Value, _ ev: Evaluator) throws {
        if case .object(let o) = other, o === self { clear(); return }
        if case .object(let o) = other, let s = o as? PySet {
            let removed = (s.used >> 3) > used ? try intersection(other, ev) : s
            try removed.forEachMember { k, h in try discard(k, h) }
        } else {
            for k in try ev.iterate(other) { try remove(k) }
        }
        if fill &- used > mask / 4 { try resize(used > 50000 ? used &* 2 : used &* 4) }
    }

    /// `set ^= other`, `symmetric_difference_update`: each member of `other` removed when
    /// present, else added.
    func symmetricDifferenceUpdate(_ other: Value, _ ev: Evaluator) throws {
        if case .object(let o) = other, o === self { clear(); return }
        let toggled: PySet
        if case .object(let o) = other, let s = o as? PySet {
            toggled = s
        } else {
            if case .object(let o) = other, let d = o as? PyDict, case .plain = d.flavor {
                for k in d.keyList {
                    let h = try pythonHash(k)
                    if !(try discard(k, h)) { try insert(k, h) }
                }
                return
            }
            toggled = try PySet(frozen: frozen)
            try toggled.update(from: other, ev)
        }
        try toggled.forEachMember { k, h in if !(try discard(k, h)) { try insert(k, h) } }
    }

    /// `set ^ other`: a set made from `other`, toggled by this set's members.
    func symmetricDifference(_ other: Value, _ ev: Evaluator) throws -> PySet {
        let result = try PySet(frozen: frozen)
        try result.update(from: other, ev)
        try result.symmetricDifferenceUpdate(.object(self), ev)
        return result
    }

    /// `|`, `&`, `-`, `^` with another set.
    func combine(_ op: BinaryOperator, _ other: PySet, _ ev: Evaluator) throws -> PySet? {
        switch op {
        case .bitOr: return try union(.object(other), ev)
        case .bitAnd: return try intersection(.object(other), ev)
        case .sub: return try difference(.object(other), ev)
        case .bitXor: return try symmetricDifference(.object(other), ev)
        default: return nil
        }
    }

    /// `|=`, `&=`, `-=`, `^=` with another set, changing this (non-frozen) set; false for
    /// another operator.
    func combineInPlace(_ op: BinaryOperator, _ other: PySet, _ ev: Evaluator) throws -> Bool {
        switch op {
        case .bitOr: try update(from: .object(other), ev)
        case .bitAnd: takeTable(of: try intersection(.object(other), ev))
        case .sub: try differenceUpdate(.object(other), ev)
        case .bitXor: try symmetricDifferenceUpdate(.object(other), ev)
        default: return false
        }
        return true
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

    private static func mutating(_ s: PySet, _ name: String) throws {
        if s.frozen { throw PyError(.attributeError, "'frozenset' object has no attribute '\(name)'") }
    }

    /// `intersection(*others)`: a copy without arguments, else one intersection after another.
    private func intersectionMulti(_ a: Arguments, _ ev: Evaluator) throws -> PySet {
        if a.positional.isEmpty { return try PySet(copying: self, frozen: frozen) }
        var result = self
        for o in a.positional { result = try result.intersection(o, ev) }
        return result
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
            guard try s.remove(v[0] ?? .none) else { throw PyError(.keyError, args: [v[0] ?? .none]) }
            return .none
        },
        "discard": { s, a, _ in
            try mutating(s, "discard")
            let v = try a.bind("set.discard", ["object"], required: 1)
            try s.remove(v[0] ?? .none); return .none
        },
        "pop": { s, a, _ in
            try mutating(s, "pop")
            guard let first = s.popMember() else { throw PyError(.keyError, "pop from an empty set") }
            return first
        },
        "clear": { s, _, _ in try mutating(s, "clear"); s.clear(); return .none },
        "copy": { s, _, _ in .object(s.frozen ? s : try PySet(copying: s, frozen: s.frozen)) },
        "union": { s, a, ev in
            let result = try PySet(copying: s, frozen: s.frozen)
            for o in a.positional {
                if case .object(let x) = o, x === s { continue }
                try result.update(from: o, ev)
            }
            return .object(result)
        },
        "intersection": { s, a, ev in .object(try s.intersectionMulti(a, ev)) },
        "difference": { s, a, ev in
            guard let first = a.positional.first else { return .object(try PySet(copying: s, frozen: s.frozen)) }
            let result = try s.difference(first, ev)
            for o in a.positional.dropFirst() { try result.differenceUpdate(o, ev) }
            return .object(result)
        },
        "symmetric_difference": { s, a, ev in
            let other = try a.bind("symmetric_difference", ["other"], required: 1)[0] ?? .none
            return .object(try s.symmetricDifference(other, ev))
        },
        "update": { s, a, ev in
            try mutating(s, "update")
            for o in a.positional { try s.update(from: o, ev) }
            return .none
        },
        "intersection_update": { s, a, ev in
            try mutating(s, "intersection_update")
            s.takeTable(of: try s.intersectionMulti(a, ev))
            return .none
        },
        "symmetric_difference_update": { s, a, ev in
            try mutating(s, "symmetric_difference_update")
            let other = try a.bind("symmetric_difference_update", ["other"], required: 1)[0] ?? .none
            try s.symmetricDifferenceUpdate(other, ev)
            return .none
        },
        "difference_update": { s, a, ev in
            try mutating(s, "difference_update")
            for o in a.positional { try s.differenceUpdate(o, ev) }
            return .none
        },
        "issubset": { s, a, ev in
            let other = try a.bind("issubset", ["other"], required: 1)[0] ?? .none
            if case .object(let o) = other, let t = o as? PySet { return .bool(try s.isSubset(of: t)) }
            return .bool(try s.isSubset(of: try PySet(try ev.iterate(other))))
        },
        "issuperset": { s, a, ev in
            let other = try a.bind("issuperset", ["other"], required: 1)[0] ?? .none
            for v in try ev.iterate(other) where !(try s.has(v)) { return .bool(false) }
            return .bool(true)
        },
        "isdisjoint": { s, a, ev in
            let other = try a.bind("isdisjoint", ["other"], required: 1)[0] ?? .none
            for v in try ev.iterate(other) where try s.has(v) { return .bool(false) }
            return .bool(true)
        },
    ]
}
