/// One attribute site's memory of its last class lookup (CPython's `LOAD_ATTR` inline cache):
/// the class the receiver had and what `PyClass.lookup(name)` found along its MRO. It stays
/// valid while neither that class's dict nor an ancestor's has changed (`PyClass.lookupVersion`),
/// so a method call or
/// `self.x` on a script instance walks the MRO once per site instead of once per execution.
///
/// It also remembers where the name is in namespaces of the shape it saw last (`shape`, `slot`:
/// nil when absent; see `NameTable.position(of:cache:)`), and whether the name is a dunder (only
/// dunders can be `__class__` / `__dict__`).
final class AttributeSiteCache {
    var cls: PyClass?
    var version = -1
    var value: Value?
    /// `value` when it is a script function (what a method call site calls).
    var function: PyFunction?
    var shape: NameShape?
    var slot: Int?
    /// The attribute name of the site.
    let name: String
    let isDunder: Bool

    init(name: String) {
        self.name = name
        isDunder = name.hasPrefix("__")
    }
}

extension PyClass {
    /// `lookup(name)`, answered from `cache` when it was filled for this class since the last
    /// change to its dict or an ancestor's.
    @inline(__always)
    func lookup(_ name: String, cache: AttributeSiteCache?) -> Value? {
        guard let cache else { return lookup(name) }
        if cache.cls === self, cache.version == lookupVersion { return cache.value }
        let v = lookup(name)
        cache.cls = self
        cache.version = lookupVersion
        cache.value = v
        if case .object(let o)? = v { cache.function = o as? PyFunction } else { cache.function = nil }
        return v
    }

    /// The script function `lookup(name)` finds, nil when it finds something else or nothing;
    /// answered from `cache` like `lookup(_:cache:)`.
    @inline(__always)
    func lookupFunction(_ name: String, cache: AttributeSiteCache) -> PyFunction? {
        if cache.cls === self, cache.version == lookupVersion { return cache.function }
        _ = lookup(name, cache: cache)
        return cache.function
    }
}
