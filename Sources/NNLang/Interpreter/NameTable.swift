/// An insertion-ordered `String → Value` table for the namespaces the interpreter reads on every
/// attribute access: instance `__dict__`s, class dicts, class bodies being built, script-module
/// attributes. Python's dict semantics (assigning to an existing name keeps its position, a new
/// name is appended, removal closes the gap).
///
/// The names live in a `NameShape` shared by every table that gained the same names in the same
/// order (CPython's shared-key dicts, V8's hidden classes): the instances one `__init__` fills
/// have one shape, so an attribute site that remembers (shape, position) finds `self.x` by
/// comparing one pointer (`position(of:cache:)`), and a method call knows the instance does not
/// shadow the method the same way.
///
/// Performance: these tables are small (a handful of attributes), and hashing a `String` with
/// Swift's SipHash costs more than comparing it against every key: up to `linearLimit` names are
/// found by a linear scan (short names are compared as 16-byte immediates); a larger shape keeps
/// a name → position index. Being a non-generic type of this module, every call is specialised
/// and inlined (NeuralNet's generic `OrderedDict` is not, across the module boundary).
struct NameTable {
    private(set) var shape = NameShape.empty
    private(set) var values: [Value] = []

    init() {}

    init(_ pairs: [(String, Value)]) {
        for (k, v) in pairs { self[k] = v }
    }

    var keys: [String] { shape.keys }
    var count: Int { values.count }
    var isEmpty: Bool { values.isEmpty }

    /// The position of `key`, if present.
    @inline(__always)
    func position(of key: String) -> Int? { shape.position(of: key) }

    /// The position of `key` as an attribute site sees it: answered from `cache` when the
    /// table has the shape the site saw last (a shared shape's names never change), else
    /// looked up and remembered.
    @inline(__always)
    func position(of key: String, cache: AttributeSiteCache) -> Int? {
        if shape === cache.shape { return cache.slot }
        let i = shape.position(of: key)
        if shape.isShared {
            cache.shape = shape
            cache.slot = i
        }
        return i
    }

    /// The value at position `i` (from `position(of:)`).
    func value(at i: Int) -> Value { values[i] }

    /// Replaces the value at position `i` (from `position(of:)`).
    mutating func setValue(_ v: Value, at i: Int) { values[i] = v }

    func contains(_ key: String) -> Bool { position(of: key) != nil }

    /// Get, insert (appended) or replace (position kept); assigning nil removes the name.
    subscript(key: String) -> Value? {
        @inline(__always) get {
            guard let i = position(of: key) else { return nil }
            return values[i]
        }
        set {
            guard let v = newValue else {
                removeValue(forKey: key)
                return
            }
            if let i = position(of: key) {
                values[i] = v
                return
            }
            append(key, v)
        }
    }

    /// Adds `key`, which the table does not have, with value `v` at the end.
    mutating func append(_ key: String, _ v: Value) {
        if shape.isShared {
            shape = shape.adding(key)
        } else {
            if !isKnownUniquelyReferenced(&shape) { shape = shape.privateCopy() }
            shape.append(key)
        }
        appendValue(v)
    }

    /// `append` as an attribute site does it (`self.x = v` in an `__init__`, the name not yet
    /// there): a table with the shape the site last grew from takes the site's remembered next
    /// shape, without searching the shape's transitions by name.
    mutating func append(_ key: String, _ v: Value, cache: AttributeSiteCache) {
        if let from = cache.grownFrom, from === shape, let to = cache.grownTo {
            append(v, growingTo: to)
            return
        }
        let from = shape
        append(key, v)
        if from.isShared, shape.isShared {
            cache.grownFrom = from
            cache.grownTo = shape
        }
    }

    /// Appends `v` under the last name of `to`, the shared shape adding that name to this
    /// table's shape makes (an attribute site's `grownTo` for this table's shape).
    @inline(__always)
    mutating func append(_ v: Value, growingTo to: NameShape) {
        shape = to
        appendValue(v)
    }

    /// Appends to `values`; the first value reserves room for a few more (the attributes an
    /// `__init__` sets), so a small instance's dict grows once rather than at 1, 2 and 4.
    @inline(__always)
    private mutating func appendValue(_ v: Value) {
        if values.isEmpty { values.reserveCapacity(4) }
        values.append(v)
    }

    /// Removes `key`, returning its value if it was present. The table's names become its own
    /// (a shape no other table shares).
    @discardableResult
    mutating func removeValue(forKey key: String) -> Value? {
        guard let i = position(of: key) else { return nil }
        var names = shape.keys
        names.remove(at: i)
        shape = NameShape(privateKeys: names)
        return values.remove(at: i)
    }

    /// `(key, value)` pairs in insertion order.
    var items: [(key: String, value: Value)] {
        zip(shape.keys, values).map { (key: $0, value: $1) }
    }
}

/// The names of a `NameTable`, in order. Shared shapes form a tree from `empty`: adding a name
/// to a table follows (or makes) the transition for that name, so tables filled alike share one
/// shape, and a shared shape never changes (attribute sites compare shapes by identity). Shapes
/// past `sharedLimit` names, and the names of a table a removal changed, are private to one
/// table and grow in place (copied first when the table was copied).
final class NameShape {
    private(set) var keys: [String]
    /// Positions by name, kept only while the shape has more than `linearLimit` names.
    private var index: [String: Int]?
    /// Shapes reached from this shared one by adding one name.
    private var transitions: [(key: String, shape: NameShape)] = []
    let isShared: Bool

    private static let linearLimit = 12
    /// Longer key lists are not shared: a table gaining names one by one without bound would
    /// otherwise leave a shape per length behind.
    private static let sharedLimit = 24
    /// Past this many ways of growing, a shape's further children are not kept (each table then
    /// gets its own), which bounds the tree.
    private static let transitionLimit = 32

    nonisolated(unsafe) static let empty = NameShape(keys: [], shared: true)

    private init(keys: [String], shared: Bool) {
        self.keys = keys
        isShared = shared
        if keys.count > NameShape.linearLimit { rebuildIndex() }
    }

    /// A shape owned by one table.
    convenience init(privateKeys: [String]) { self.init(keys: privateKeys, shared: false) }

    /// The position of `key`, if present.
    @inline(__always)
    func position(of key: String) -> Int? {
        if let index { return index[key] }
        // Lengths first: unequal names mostly differ in length, and comparing the count is
        // inline while a failed `==` is a call.
        let length = key.utf8.count
        var i = 0
        let n = keys.count
        while i < n {
            if keys[i].utf8.count == length, keys[i] == key { return i }
            i += 1
        }
        return nil
    }

    /// The shape with `key` appended: the shared child for `key` (made on first use), or a
    /// private shape past the limits.
    func adding(_ key: String) -> NameShape {
        for t in transitions where t.key == key { return t.shape }
        let shareable = keys.count < NameShape.sharedLimit && transitions.count < NameShape.transitionLimit
        let child = NameShape(keys: keys + [key], shared: shareable)
        if shareable { transitions.append((key, child)) }
        return child
    }

    /// An unshared copy (for a table about to grow a private shape it shares with a copy of itself).
    func privateCopy() -> NameShape { NameShape(keys: keys, shared: false) }

    /// Appends `key` to a private shape.
    func append(_ key: String) {
        keys.append(key)
        if index != nil {
            index?[key] = keys.count - 1
        } else if keys.count > NameShape.linearLimit {
            rebuildIndex()
        }
    }

    private func rebuildIndex() {
        var d = [String: Int](minimumCapacity: keys.count)
        for (i, k) in keys.enumerated() { d[k] = i }
        index = d
    }
}
