/// A small insertion-ordered dictionary (Python's `dict` / `OrderedDict` semantics): assigning
/// to an existing key keeps its position, a new key is appended, removal closes the gap.
/// Lookups are O(1); removal and positional insertion are O(n), fine for module-sized maps.
public struct OrderedDict<Key: Hashable, Value> {
    public private(set) var keys: [Key] = []
    private var storage: [Key: Value] = [:]

    public init() {}

    public init(_ pairs: [(Key, Value)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public func contains(_ key: Key) -> Bool { storage[key] != nil }

    /// Get, insert (appended) or replace (position kept); assigning nil removes the key.
    public subscript(key: Key) -> Value? {
        get { storage[key] }
        set {
            if let v = newValue {
                if storage.updateValue(v, forKey: key) == nil { keys.append(key) }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Removes `key`, returning its value if it was present.
    @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? {
        guard let old = storage.removeValue(forKey: key) else { return nil }
        if let i = keys.firstIndex(of: key) { keys.remove(at: i) }
        return old
    }

    /// Inserts a new key at `position` (clamped), or replaces an existing key's value in place.
    public mutating func insert(_ value: Value, forKey key: Key, at position: Int) {
        if storage.updateValue(value, forKey: key) == nil {
            keys.insert(key, at: Swift.max(0, Swift.min(position, keys.count)))
        }
    }

    public mutating func removeAll() {
        keys.removeAll()
        storage.removeAll()
    }

    public var values: [Value] { keys.compactMap { storage[$0] } }

    /// `(key, value)` pairs in insertion order.
    public var items: [(key: Key, value: Value)] {
        keys.compactMap { k in storage[k].map { (key: k, value: $0) } }
    }

    public func index(of key: Key) -> Int? { keys.firstIndex(of: key) }
}
