import TensorRuntime
import NeuralNet

/// Python's `dict` (insertion ordered); its `flavor` makes it a `collections.OrderedDict`,
/// `defaultdict` or `Counter` (Stdlib/CollectionsModule.swift).
public final class PyDict: PyObject {
    // CPython's compact dict: the entries in insertion order (a removed one leaves a nil hole
    // until `compact`), and an open-addressing table of positions into them, probed linearly
    // from the key's hash. A slot holds position + 1 (0: empty); a slot whose entry was removed
    // stays filled, so probes go past it, until the table is rebuilt.
    private(set) var keys: [Value?] = []
    private(set) var values: [Value?] = []
    /// Each entry's `HashKey.tableHash`: probes compare it before the keys, and a rebuild does
    /// not hash any key again.
    private var hashes: [Int] = []
    /// The table: a power-of-two count of slots (empty until the first insertion), at most two
    /// thirds filled.
    private var slots: [Int32] = []
    private var filledSlots = 0
    /// Entries whose key hashes by a script's `__hash__` (compared with `==`, which may run a
    /// script's `__eq__`).
    private var scriptedKeys = 0
    /// Bumped when the table is rebuilt or an entry removed (not on an insertion, which moves
    /// nothing): a probe that ran a script's `__eq__` starts again when it changed, as
    /// CPython's does when the keys table or the compared entry changed.
    private var layoutVersion = 0
    private var live = 0
    /// Set on the dict `obj.__dict__` returns: what is stored or removed under a str key is
    /// stored in or removed from the object's attributes too (`obj.__dict__.update(kw)`).
    var writeThrough: ((String, Value?) -> Void)?

    /// Which mapping type of Python's this dict is.
    public enum Flavor {
        case plain, ordered
        /// `defaultdict(factory)`: a missing key gets `factory()` (None: KeyError, as a dict).
        case defaultDict(Value)
        /// `Counter`: a missing key counts 0 (and is not inserted).
        case counter
    }
    public var flavor = Flavor.plain

    /// True for a `collections.OrderedDict`.
    public var ordered: Bool {
        get { if case .ordered = flavor { return true } else { return false } }
        set { flavor = newValue ? .ordered : .plain }
    }

    /// True for a `collections.Counter` (whose `|` is a count union, not a merge).
    var isCounter: Bool { if case .counter = flavor { return true } else { return false } }

    public override init() { super.init() }

    deinit {
        if !values.isEmpty {
            DeferredRelease.release(&values, to: [])
            DeferredRelease.release(&keys, to: [])
        }
    }

    public init(_ pairs: [(Value, Value)], ordered: Bool = false) throws {
        flavor = ordered ? .ordered : .plain
        super.init()
        for (k, v) in pairs { try set(k, v) }
    }

    public override var typeName: String {
        switch flavor {
        case .plain: return "dict"
        case .ordered: return "OrderedDict"
        case .defaultDict: return "defaultdict"
        case .counter: return "Counter"
        }
    }

    public var count: Int { live }

    /// The (key, value) pairs in insertion order.
    public var items: [(Value, Value)] {
        var out: [(Value, Value)] = []
        out.reserveCapacity(live)
        for i in keys.indices { if let k = keys[i], let v = values[i] { out.append((k, v)) } }
        return out
    }

    public var keyList: [Value] { keys.compactMap { $0 } }

    /// The first live entry at or after `position` and where it is (for live iteration).
    func entry(from position: Int) -> (Value, Value, Int)? {
        var i = position
        while i < keys.count {
            if let k = keys[i], let v = values[i] { return (k, v, i) }
            i += 1
        }
        return nil
    }

    public func get(_ key: Value) throws -> Value? {
        let (h, reduced) = try HashKey.tableHash(of: key)
        let (p, _) = try find(key, h, reduced)
        return p < 0 ? nil : values[p]
    }

    public func set(_ key: Value, _ value: Value) throws {
        // keys, values, hashes and the table: about four Values per entry.
        try MemoryLimit.checkGrowth(keys, itemsPerSlot: 4)
        let (h, reduced) = try HashKey.tableHash(of: key)
        var (p, slot) = try find(key, h, reduced)
        if let writeThrough, case .str(let name) = key { writeThrough(name, value) }
        if p >= 0 {
            values[p] = value
            return
        }
        if (filledSlots + 1) * 3 > slots.count * 2 {
            rebuild()
            slot = emptySlot(h)
        }
        // Positions fit an Int32: the memory limit stops a dict long before 2^31 entries.
        slots[slot] = Int32(truncatingIfNeeded: keys.count + 1)
        filledSlots += 1
        keys.append(key)
        values.append(value)
        hashes.append(h)
        live += 1
        if case .scripted? = reduced { scriptedKeys += 1 }
    }

    @discardableResult
    public func remove(_ key: Value) throws -> Value? {
        let (h, reduced) = try HashKey.tableHash(of: key)
        let (p, _) = try find(key, h, reduced)
        guard p >= 0 else { return nil }
        if let writeThrough, case .str(let name) = key { writeThrough(name, nil) }
        let old = values[p]
        if case .scripted? = reduced { scriptedKeys -= 1 }
        keys[p] = nil
        values[p] = nil
        live -= 1
        layoutVersion &+= 1
        if keys.count > 32 && live * 2 < keys.count { rebuild() }
        return old
    }

    /// The position of the entry whose key equals `key` (hash `h`, `reduced` its `HashKey` when
    /// it is neither int nor str), or -1 and the empty slot where the probe ended.
    @inline(__always)
    private func find(_ key: Value, _ h: Int, _ reduced: HashKey?) throws -> (Int, Int) {
        restart: while true {
            if slots.isEmpty { return (-1, 0) }
            let mask = slots.count &- 1
            var j = h & mask
            while true {
                let s = Int(slots[j])
                if s == 0 { return (-1, j) }
                let p = s &- 1
                if hashes[p] == h {
                    switch (keys[p], key) {
                    case (.int(let a)?, .int(let b)):
                        if a == b { return (p, j) }
                    case (.str(let a)?, .str(let b)):
                        if codePointsEqual(a, b) { return (p, j) }
                    case (let stored?, _):
                        let version = layoutVersion
                        let same = try equalKeys(stored, key, reduced)
                        // A script's `__eq__` changed the dict: probe it again, as CPython does.
                        if version != layoutVersion { continue restart }
                        if same { return (p, j) }
                    case (nil, _):
                        break
                    }
                }
                j = (j &+ 1) & mask
            }
        }
    }

    /// Key equality past the int/str fast path: identity, then `HashKey` equality, or `==`
    /// (possibly a script's `__eq__`) when either key hashes by a script's `__hash__`.
    private func equalKeys(_ stored: Value, _ key: Value, _ reduced: HashKey?) throws -> Bool {
        if case .object(let a) = stored, case .object(let b) = key, a === b { return true }
        var scripted = scriptedKeys > 0
        if case .scripted? = reduced { scripted = true }
        if scripted, let ev = ScriptKeys.evaluator { return try valuesEqual(stored, key, ev) }
        return try HashKey(stored) == (reduced ?? HashKey(key))
    }

    /// The first empty slot on `h`'s probe path.
    private func emptySlot(_ h: Int) -> Int {
        let mask = slots.count &- 1
        var j = h & mask
        while slots[j] != 0 { j = (j &+ 1) & mask }
        return j
    }

    /// Drops removed entries' holes and makes a new table sized for the live entries (no key
    /// is hashed again).
    private func rebuild() {
        if live < keys.count {
            var newKeys: [Value?] = [], newValues: [Value?] = [], newHashes: [Int] = []
            newKeys.reserveCapacity(live); newValues.reserveCapacity(live); newHashes.reserveCapacity(live)
            for i in keys.indices where keys[i] != nil {
                newKeys.append(keys[i]); newValues.append(values[i]); newHashes.append(hashes[i])
            }
            keys = newKeys
            values = newValues
            hashes = newHashes
        }
        var size = 8
        while size < (live &+ 1) &* 2 { size &*= 2 }
        slots = [Int32](repeating: 0, count: size)
        filledSlots = 0
        for p in hashes.indices {
            slots[emptySlot(hashes[p])] = Int32(truncatingIfNeeded: p + 1)
            filledSlots += 1
        }
        layoutVersion &+= 1
    }

    public func removeAll() {
        if let writeThrough {
            for case .str(let name)? in keys { writeThrough(name, nil) }
        }
        keys.removeAll(); values.removeAll(); hashes.removeAll(); slots.removeAll()
        filledSlots = 0; scriptedKeys = 0; live = 0
        layoutVersion &+= 1
    }

    public override func length(_ ev: Evaluator) throws -> Int? { live }
    public override func iterate(_ ev: Evaluator) throws -> [Value]? { keyList }
    public override func truthiness(_ ev: Evaluator) throws -> Bool? { live > 0 }
    public override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? { try get(item) != nil }

    public override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        if let v = try get(key) { return v }
        switch flavor {
        case .defaultDict(let factory) where !factory.isNone:
            let v = try ev.call(factory, Arguments([]))
            try set(key, v)
            return v
        case .counter: return .int(0)
        default: throw PyError(.keyError, args: [key])
        }
    }

    public override func setItem(_ key: Value, _ value: Value, _ ev: Evaluator) throws -> Bool {
        try set(key, value)
        return true
    }

    public override func deleteItem(_ key: Value, _ ev: Evaluator) throws -> Bool {
        guard try remove(key) != nil else { throw PyError(.keyError, args: [key]) }
        return true
    }

    public override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if isCounter, case .object(let o as PyDict) = other, o.isCounter { return try counterEquals(o, ev) }
        // A dict subclass's instance answers itself (nil: `==` asks it).
        guard case .object(let o) = other, let d = o as? PyDict, d.count == count else { return other.carriedValue == nil ? false : nil }
        for (k, v) in items {
            guard let w = try d.get(k), try valuesEqual(v, w, ev) else { return false }
        }
        return true
    }

    public override func repr(_ ev: Evaluator) throws -> String {
        let parts = try reprGuarded(self, ev) { try items.map { "\(try ev.repr($0.0)): \(try ev.repr($0.1))" } }
        guard let parts else { return "{...}" }
        switch flavor {
        case .defaultDict(let factory): return "defaultdict(\(try ev.repr(factory)), {" + parts.joined(separator: ", ") + "})"
        case .counter: return try counterRepr(ev)
        default: break
        }
        if ordered {
            let pairs = try items.map { "(\(try ev.repr($0.0)), \(try ev.repr($0.1)))" }
            return pairs.isEmpty ? "OrderedDict()" : "OrderedDict([" + pairs.joined(separator: ", ") + "])"
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    public override func binary(_ op: BinaryOperator, _ other: Value, reflected: Bool, _ ev: Evaluator) throws -> Value? {
        try counterBinary(op, other, reflected: reflected, ev)
    }

    public override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        if let v = try flavorAttribute(name, ev) { return v }
        guard let body = PyDict.methods[name] else { return nil }
        return builtinMethod(name) { a, ev in try body(self, a, ev) }
    }

    public override func callMethod(_ name: String, _ args: Arguments, _ ev: Evaluator) throws -> Value? {
        if case .plain = flavor {} else if let m = try flavorAttribute(name, ev) { return try ev.call(m, args) }
        guard let body = PyDict.methods[name] else { return nil }
        return try body(self, args, ev)
    }

    public override func attributeNames() -> [String] { PyDict.methods.keys.sorted() }

    /// `d.update(other, **kw)` semantics, shared with `dict(...)`.
    func update(from a: Arguments, _ ev: Evaluator, function: String) throws {
        guard a.positional.count <= 1 else {
            throw PyError(.typeError, "\(function) expected at most 1 argument, got \(a.positional.count)")
        }
        if let src = a.positional.first {
            if case .object(let o) = src, let d = o as? PyDict {
                for (k, v) in d.items { try set(k, v) }
            } else if let pairs = try (ev as? Interpreter)?.mappingProtocolItems(src) ?? ev.mappingItems(src) {
                for (k, v) in pairs { try set(k, v) }
            } else {
                for (n, item) in try ev.iterate(src).enumerated() {
                    let kv: [Value]
                    do {
                        kv = try ev.iterate(item)
                    } catch let e as PyError where e.kind == .typeError {
                        throw PyError(.typeError, "cannot convert dictionary update sequence element #\(n) to a sequence")
                    }
                    guard kv.count == 2 else {
                        throw PyError(.valueError, "dictionary update sequence element #\(n) has length \(kv.count); 2 is required")
                    }
                    try set(kv[0], kv[1])
                }
            }
        }
        for (k, v) in a.keywords { try set(.str(k), v) }
    }

    static let methods: [String: (PyDict, Arguments, Evaluator) throws -> Value] = [
        "keys": { d, a, _ in _ = try a.bind("keys", []); return .object(PyDictView(d, .keys)) },
        "values": { d, a, _ in _ = try a.bind("values", []); return .object(PyDictView(d, .values)) },
        "items": { d, a, _ in _ = try a.bind("items", []); return .object(PyDictView(d, .items)) },
        "get": { d, a, _ in
            // CPython's positional-only `dict.get(key, default=None, /)` and its messages.
            guard a.keywords.isEmpty else { throw PyError(.typeError, "dict.get() takes no keyword arguments") }
            guard let key = a.positional.first else { throw PyError(.typeError, "get expected at least 1 argument, got 0") }
            guard a.positional.count <= 2 else {
                throw PyError(.typeError, "get expected at most 2 arguments, got \(a.positional.count)")
            }
            return try d.get(key) ?? (a.positional.count == 2 ? a.positional[1] : .none)
        },
        "pop": { d, a, ev in
            let s = try a.bind("pop", ["key", "default"], required: 1)
            if let v = try d.remove(s[0] ?? .none) { return v }
            if let dflt = s[1] { return dflt }
            throw PyError(.keyError, args: [s[0] ?? .none])
        },
        "popitem": { d, a, ev in
            // OrderedDict's takes `last` (False: the first item).
            let s = try a.bind("popitem", d.ordered ? ["last"] : [])
            let fromEnd = try d.ordered ? ev.truthy(s[0] ?? .bool(true)) : true
            guard let item = fromEnd ? d.items.last : d.items.first else {
                throw PyError(.keyError, d.ordered ? "dictionary is empty" : "popitem(): dictionary is empty")
            }
            try d.remove(item.0)
            return .object(PyTuple([item.0, item.1]))
        },
        "setdefault": { d, a, _ in
            let s = try a.bind("setdefault", ["key", "default"], required: 1)
            if let v = try d.get(s[0] ?? .none) { return v }
            try d.set(s[0] ?? .none, s[1] ?? .none)
            return s[1] ?? .none
        },
        "update": { d, a, ev in try d.update(from: a, ev, function: "update"); return .none },
        "copy": { d, a, _ in
            _ = try a.bind("copy", [])
            let c = try PyDict(d.items)
            c.flavor = d.flavor
            return .object(c)
        },
        "clear": { d, a, _ in _ = try a.bind("clear", []); d.removeAll(); return .none },
        "move_to_end": { d, a, ev in
            let s = try a.bind("move_to_end", ["key", "last"], required: 1)
            let key = s[0] ?? .none
            guard let v = try d.remove(key) else { throw PyError(.keyError, args: [key]) }
            if try ev.truthy(s[1] ?? .bool(true)) { try d.set(key, v); return .none }
            let rest = d.items
            d.removeAll()
            try d.set(key, v)
            for (k, w) in rest { try d.set(k, w) }
            return .none
        },
    ]
}

/// `dict.keys()` / `values()` / `items()`: live views printed as `dict_keys([...])`.
final class PyDictView: PyObject {
    enum Kind: String { case keys, values, items }
    let dict: PyDict
    let kind: Kind

    init(_ dict: PyDict, _ kind: Kind) {
        self.dict = dict
        self.kind = kind
        super.init()
    }

    override var typeName: String { (dict.ordered ? "odict_" : "dict_") + kind.rawValue }

    var elements: [Value] {
        switch kind {
        case .keys: return dict.keyList
        case .values: return dict.items.map(\.1)
        case .items: return dict.items.map { .object(PyTuple([$0.0, $0.1])) }
        }
    }

    override func length(_ ev: Evaluator) throws -> Int? { dict.count }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { elements }
    override func repr(_ ev: Evaluator) throws -> String {
        "\(typeName)([" + (try elements.map { try ev.repr($0) }).joined(separator: ", ") + "])"
    }
    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        if kind == .keys { return try dict.get(item) != nil }
        return try sequenceContains(elements, item, ev)
    }
    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        let theirs: [Value]
        switch other {
        case .object(let v as PyDictView) where v.kind == kind:
            if kind == .values { return v === self }
            theirs = v.elements
        case .object(let s as PySet) where kind != .values: theirs = s.items
        default: return false
        }
        let mine = try Set(elements.map { try HashKey($0) })
        return try mine == Set(theirs.map { try HashKey($0) })
    }

    /// keys() and items() are set-like: `& | - ^` with any iterable make a set, built as
    /// CPython's `dictviews_*` build it (which decides its order): the left operand made a set,
    /// updated by the right; `&` keeps the items of the smaller side found in the other.
    override func binary(_ op: BinaryOperator, _ other: Value, reflected: Bool, _ ev: Evaluator) throws -> Value? {
        guard kind != .values, [.bitAnd, .bitOr, .sub, .bitXor].contains(op) else { return nil }
        if case .object(let o) = other, !(o is PySet), (try? ev.iterate(other)) == nil { return nil }
        if op == .bitAnd { return .object(try intersection(other, ev)) }
        let result = try PySet()
        try result.update(from: reflected ? other : setSource, ev)
        let right = reflected ? setSource : other
        switch op {
        case .bitOr: try result.update(from: right, ev)
        case .sub: try result.differenceUpdate(right, ev)
        default: try result.symmetricDifferenceUpdate(right, ev)
        }
        return .object(result)
    }

    /// What CPython makes a set of: the dict itself for keys(), else this view.
    private var setSource: Value { kind == .keys ? .object(dict) : .object(self) }

    /// CPython's `_PyDictView_Intersect`: a set larger than this view intersects with it;
    /// else the items of the smaller side that the larger holds, in the smaller's order.
    private func intersection(_ other: Value, _ ev: Evaluator) throws -> PySet {
        if case .object(let s as PySet) = other, !s.frozen, dict.count <= s.count {
            return try s.intersection(.object(self), ev)
        }
        var larger = self, walked = other
        if case .object(let v as PyDictView) = other, v.kind != .values, v.dict.count > dict.count {
            larger = v
            walked = .object(self)
        }
        let result = try PySet()
        for item in try ev.iterate(walked) where try larger.contains(item, ev) == true { try result.add(item) }
        return result
    }
}
