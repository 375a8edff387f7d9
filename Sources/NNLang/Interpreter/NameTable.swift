/// An insertion-ordered `String → Value` table for the namespaces the interpreter reads on every
/// attribute access: instance `__dict__`s, class dicts, class bodies being built, script-module
/// attributes. Python's dict semantics (assigning to an existing name keeps its position, a new
/// name is appended, removal closes the gap).
///
/// Performance: these tables are small (a handful of attributes), and hashing a `String` with
/// Swift's SipHash costs more than comparing it against every key: up to `linearLimit` names are
/// found by a linear scan (short names are compared as 16-byte immediates); a larger table keeps
/// a name → position index. Being a non-generic type of this module, every call is specialised
/// and inlined (NeuralNet's generic `OrderedDict` is not, across the module boundary).
struct NameTable {
    private(set) var keys: [String] = []
    private(set) var values: [Value] = []
    /// Positions by name, kept only while the table has more than `linearLimit` names.
    private var index: [String: Int]?
    private static let linearLimit = 12

    init() {}

    init(_ pairs: [(String, Value)]) {
        for (k, v) in pairs { self[k] = v }
    }

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

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

    /// The position of `key`, trying `hint` (where an attribute site last found it) first.
    @inline(__always)
    func position(of key: String, hint: Int) -> Int? {
        if hint < keys.count, keys[hint] == key { return hint }
        return position(of: key)
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
            keys.append(key)
            values.append(v)
            if index != nil {
                index?[key] = keys.count - 1
            } else if keys.count > NameTable.linearLimit {
                rebuildIndex()
            }
        }
    }

    /// Removes `key`, returning its value if it was present.
    @discardableResult
    mutating func removeValue(forKey key: String) -> Value? {
        guard let i = position(of: key) else { return nil }
        keys.remove(at: i)
        let old = values.remove(at: i)
        if index != nil { rebuildIndex() }
        return old
    }

    /// `(key, value)` pairs in insertion order.
    var items: [(key: String, value: Value)] {
        zip(keys, values).map { (key: $0, value: $1) }
    }

    private mutating func rebuildIndex() {
        guard keys.count > NameTable.linearLimit else {
            index = nil
            return
        }
        var d = [String: Int](minimumCapacity: keys.count)
        for (i, k) in keys.enumerated() { d[k] = i }
        index = d
    }
}
