import TensorRuntime
import NeuralNet

/// A Python value reduced to what `hash()`/`==` see, for dict keys and set members: numbers
/// compare across int/float/bool, tuples structurally, tensors/modules/objects by identity,
/// instances of a script class with `__hash__` (and tuples holding one) by that hash and `==`.
enum HashKey: Hashable {
    case none
    case int(Int)
    case float(Double)
    case str(String)
    case tuple([HashKey])
    case identity(ObjectIdentifier)
    /// A key hashed by a script's `__hash__` and compared with `==` (ScriptKeys.swift); `PyDict`
    /// keeps these out of its `Dictionary`.
    case scripted(Int)

    /// The key of `v`, or TypeError `unhashable type: 'list'`.
    init(_ v: Value) throws {
        switch v {
        case .none: self = .none
        case .bool(let b): self = .int(b ? 1 : 0)
        case .int(let i): self = .int(i)
        case .float(let d):
            if d == d.rounded(), abs(d) < 9.2e18 { self = .int(Int(d)) } else { self = .float(d) }
        case .str(let s): self = .str(s)
        case .tensor(let t): self = .identity(ObjectIdentifier(t))
        case .module(let m): self = .identity(ObjectIdentifier(m))
        case .object(let o):
            if let t = o as? PyTuple {
                let items = try t.items.map { try HashKey($0) }
                let scripted = items.contains { if case .scripted = $0 { return true } else { return false } }
                self = scripted ? .scripted(HashKey.tuple(items).hashValue) : .tuple(items)
                return
            }
            if let inst = o as? PyInstance, let h = try ScriptKeys.hash(inst) { self = .scripted(h); return }
            if o is PyList || o is PyDict || o is PyDictView {
                throw PyError(.typeError, "unhashable type: '\(o.typeName)'")
            }
            if let s = o as? PySet {
                guard s.frozen else { throw PyError(.typeError, "unhashable type: 'set'") }
                self = .tuple(try s.items.map { try HashKey($0) }.sorted { "\($0)" < "\($1)" })
                return
            }
            self = .identity(ObjectIdentifier(o))
        }
    }
}

extension HashKey {
    /// Python's key equality: strings by code points (the synthesised `==` would use Swift's
    /// canonical equivalence, making "é" and "e\u{301}" one key).
    static func == (a: HashKey, b: HashKey) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.str(let x), .str(let y)): return codePointsEqual(x, y)
        case (.tuple(let x), .tuple(let y)): return x == y
        case (.identity(let x), .identity(let y)): return x == y
        case (.scripted(let x), .scripted(let y)): return x == y
        default: return false
        }
    }

    /// Feeds what `==` compares: a string's UTF-8 bytes (not Swift's normalised form).
    func hash(into hasher: inout Hasher) {
        switch self {
        case .none: hasher.combine(0)
        case .int(let i): hasher.combine(i)
        case .float(let d): hasher.combine(d)
        case .str(let s): hasher.combine(HashKey.stringHash(s, seed: 0))
        case .tuple(let items):
            hasher.combine(items.count)
            for item in items { item.hash(into: &hasher) }
        case .identity(let o): hasher.combine(o)
        case .scripted(let h): hasher.combine(h)
        }
    }

    /// The hash `Dictionary` and `Set` use (their `_rawHashValue(seed:)` hook), without SipHash
    /// for the hot keys: an int is mixed in a few instructions, a string hashed over its UTF-8
    /// bytes (FNV-1a, then mixed). Dict keys need no flooding resistance here, and SipHash of every
    /// key cost more than the rest of a dict lookup. Other keys go through `Hasher`.
    func _rawHashValue(seed: Int) -> Int {
        switch self {
        case .int(let i):
            return HashKey.mix(UInt64(bitPattern: Int64(i)) &+ UInt64(bitPattern: Int64(seed)))
        case .str(let s):
            return HashKey.stringHash(s, seed: seed)
        default:
            var hasher = Hasher()
            hasher.combine(seed)
            hash(into: &hasher)
            return hasher.finalize()
        }
    }

    /// FNV-1a over the UTF-8 bytes of `s`, then mixed.
    private static func stringHash(_ s: String, seed: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bitPattern: Int64(seed))
        // The contiguous-storage view is about half the cost of `withUTF8` (which builds a
        // `UTF8Span`) for the short keys dicts mostly hold; the byte loop is the fallback.
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { bytes in
            for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        }
        if done == nil {
            for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        }
        return mix(h)
    }

    /// A 64-bit finaliser (MurmurHash3's): spreads every input bit over the whole word.
    private static func mix(_ x: UInt64) -> Int {
        var z = x
        z = (z ^ (z >> 33)) &* 0xff51_afd7_ed55_8ccd
        z = (z ^ (z >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return Int(bitPattern: UInt(z ^ (z >> 33)))
    }
}

/// Python's `dict` (insertion ordered); its `flavor` makes it a `collections.OrderedDict`,
/// `defaultdict` or `Counter` (Stdlib/CollectionsModule.swift).
public final class PyDict: PyObject {
    private(set) var keys: [Value?] = []
    private(set) var values: [Value?] = []
    private var index: [HashKey: Int] = [:]
    /// The positions of `.scripted` keys by their hash (see `scriptedPosition`).
    private var scripted: [Int: [Int]] = [:]
    private var live = 0

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
        let hk = try HashKey(key)
        if case .scripted(let h) = hk { return try scriptedPosition(key, h).map { values[$0] } ?? nil }
        guard let i = index[hk] else { return nil }
        return values[i]
    }

    public func set(_ key: Value, _ value: Value) throws {
        // One hash: the defaulted subscript's in-place access inserts the new position if absent.
        func claim(_ slot: inout Int, _ next: Int) -> Int {
            if slot < 0 { slot = next; return -1 }
            return slot
        }
        // keys, values and the index: about four Values per entry.
        try MemoryLimit.checkGrowth(keys, itemsPerSlot: 4)
        let hk = try HashKey(key)
        let i: Int
        if case .scripted(let h) = hk {
            i = try scriptedPosition(key, h) ?? -1
            if i < 0 { scripted[h, default: []].append(keys.count) }
        } else {
            i = claim(&index[hk, default: -1], keys.count)
        }
        if i >= 0 {
            values[i] = value
        } else {
            keys.append(key)
            values.append(value)
            live += 1
        }
    }

    @discardableResult
    public func remove(_ key: Value) throws -> Value? {
        let hk = try HashKey(key)
        let found: Int?
        if case .scripted(let h) = hk {
            found = try scriptedPosition(key, h)
            if let found { scripted[h]?.removeAll { $0 == found } }
        } else {
            found = index.removeValue(forKey: hk)
        }
        guard let i = found else { return nil }
        let old = values[i]
        keys[i] = nil
        values[i] = nil
        live -= 1
        if keys.count > 32 && live * 2 < keys.count { compact() }
        return old
    }

    /// Where the key equal to `key` (a `.scripted(hash)` key) is: identity, then `==` (which may
    /// run a script's `__eq__`) against the keys of the same hash, as CPython probes.
    private func scriptedPosition(_ key: Value, _ hash: Int) throws -> Int? {
        guard let candidates = scripted[hash], let ev = ScriptKeys.evaluator else { return nil }
        for p in candidates {
            // `__eq__` may have changed the dict: read each candidate afresh.
            guard p < keys.count, let k = keys[p] else { continue }
            if case .object(let a) = k, case .object(let b) = key, a === b { return p }
            if try valuesEqual(k, key, ev), p < keys.count, keys[p] != nil { return p }
        }
        return nil
    }

    public func removeAll() {
        keys.removeAll(); values.removeAll(); index.removeAll(); scripted.removeAll(); live = 0
    }

    /// Drops the removed entries' holes, moving the positions the indexes hold (no key is hashed again).
    private func compact() {
        var moved = [Int](repeating: -1, count: keys.count)
        var newKeys: [Value?] = [], newValues: [Value?] = []
        newKeys.reserveCapacity(live); newValues.reserveCapacity(live)
        for i in keys.indices where keys[i] != nil {
            moved[i] = newKeys.count
            newKeys.append(keys[i]); newValues.append(values[i])
        }
        keys = newKeys
        values = newValues
        index = index.mapValues { moved[$0] }
        scripted = scripted.mapValues { $0.map { moved[$0] } }
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
        guard case .object(let o) = other, let d = o as? PyDict, d.count == count else { return false }
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
        "popitem": { d, a, _ in
            _ = try a.bind("popitem", [])
            guard let last = d.items.last else { throw PyError(.keyError, "popitem(): dictionary is empty") }
            try d.remove(last.0)
            return .object(PyTuple([last.0, last.1]))
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
        "move_to_end": { d, a, _ in
            let s = try a.bind("move_to_end", ["key", "last"], required: 1)
            guard let v = try d.remove(s[0] ?? .none) else { throw PyError(.keyError, "key not found") }
            try d.set(s[0] ?? .none, v); return .none
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
        guard case .object(let o) = other, let v = o as? PyDictView, v.kind == kind else { return false }
        if kind == .values { return v === self }
        let mine = try Set(elements.map { try HashKey($0) })
        return try mine == Set(v.elements.map { try HashKey($0) })
    }
}
