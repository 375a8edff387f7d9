/// One attribute site's memory of its last class lookup (CPython's `LOAD_ATTR` inline cache):
/// the class the receiver had and what `PyClass.lookup(name)` found along its MRO (and the same
/// for up to three classes it saw before). It stays
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
    /// `value == nil`, kept apart so a check of it copies no value.
    var classLacksName = false
    /// `value` when it is a script function (what a method call site calls).
    var function: PyFunction?
    var shape: NameShape?
    var slot: Int?
    /// The last shape an assignment at this site grew by its name, and the shape that made
    /// (`NameTable.append(_:_:cache:)`); shared shapes never change, so the pair stays true.
    var grownFrom: NameShape?
    var grownTo: NameShape?
    /// The class whose instance last gained the site's name by an assignment here: its
    /// `__slots__` (fixed when the class is made) admit the name.
    var admittedBy: PyClass?
    /// Earlier lookups for other classes (at most `earlierCapacity`; a polymorphic site), and
    /// which of them the next one replaces once it is full.
    var earlier: [EarlierClassLookup] = []
    var nextEarlier = 0
    /// The host module (`math`, `torch`) the site last read from, its `version` then and the
    /// member it found (nil: none): `math.sqrt` hashes its name once per module change.
    var namespace: Namespace?
    var namespaceVersion = 0
    var namespaceMember: Value?
    /// The `str` method of that name, once a call at this site has looked it up.
    var stringMethod: StringMethod?
    /// The attribute name of the site.
    let name: String
    let isDunder: Bool
    /// The native method a call at this site may run directly (`MethodShortcut`).
    let shortcut: MethodShortcut?

    init(name: String) {
        self.name = name
        isDunder = name.hasPrefix("__")
        shortcut = MethodShortcut(name: name)
    }
}

/// A class lookup an attribute site saw before its latest one (`AttributeSiteCache.earlier`).
struct EarlierClassLookup {
    let cls: PyClass
    let version: Int
    let value: Value?
    let function: PyFunction?
}

extension AttributeSiteCache {
    /// How many earlier class lookups a site keeps besides its latest: `s.area()` over a list of
    /// shapes of three classes finds each class's answer without walking an MRO.
    static let earlierCapacity = 3
}

extension PyClass {
    /// `lookup(name)`, answered from `cache` when it was filled for this class since the last
    /// change to its dict or an ancestor's (the latest lookup first, then the earlier ones).
    @inline(__always)
    func lookup(_ name: String, cache: AttributeSiteCache?) -> Value? {
        guard let cache else { return lookup(name) }
        if cache.cls === self, cache.version == lookupVersion { return cache.value }
        return lookupMissingLatest(name, cache).value
    }

    /// Whether `lookup(name)` finds nothing, answered from `cache` like `lookup(_:cache:)`
    /// without copying what it found (what `self.x` on a plain instance asks first).
    @inline(__always)
    func lacks(_ name: String, cache: AttributeSiteCache) -> Bool {
        if cache.cls === self, cache.version == lookupVersion { return cache.classLacksName }
        return lookupMissingLatest(name, cache).value == nil
    }

    /// The script function `lookup(name)` finds, nil when it finds something else or nothing;
    /// answered from `cache` like `lookup(_:cache:)`.
    @inline(__always)
    func lookupFunction(_ name: String, cache: AttributeSiteCache) -> PyFunction? {
        if cache.cls === self, cache.version == lookupVersion { return cache.function }
        return lookupMissingLatest(name, cache).function
    }

    /// `lookupFunction`, unretained: the site's cache holds it until its next lookup at this
    /// site (or the class's dict changes), so the caller must hold it before running any code.
    @inline(__always)
    func unretainedFunction(_ name: String, cache: AttributeSiteCache) -> Unmanaged<PyFunction>? {
        if cache.cls === self, cache.version == lookupVersion {
            return cache.function.map { Unmanaged.passUnretained($0) }
        }
        return lookupMissingLatest(name, cache).function.map { Unmanaged.passUnretained($0) }
    }

    /// `lookup` when the site's latest lookup was for another class or is stale: an earlier
    /// lookup for this class still valid, else a walk of the MRO, which becomes the latest (the
    /// latest before it joins the earlier ones, replacing the oldest).
    private func lookupMissingLatest(_ name: String, _ cache: AttributeSiteCache) -> (value: Value?, function: PyFunction?) {
        for e in cache.earlier where e.cls === self && e.version == lookupVersion { return (e.value, e.function) }
        let v = lookup(name)
        if let previous = cache.cls, cache.version == previous.lookupVersion {
            let entry = EarlierClassLookup(cls: previous, version: cache.version, value: cache.value, function: cache.function)
            if cache.earlier.count < AttributeSiteCache.earlierCapacity {
                cache.earlier.append(entry)
            } else {
                cache.earlier[cache.nextEarlier] = entry
                cache.nextEarlier = (cache.nextEarlier + 1) % AttributeSiteCache.earlierCapacity
            }
        }
        cache.cls = self
        cache.version = lookupVersion
        cache.value = v
        cache.classLacksName = v == nil
        if case .object(let o)? = v { cache.function = o as? PyFunction } else { cache.function = nil }
        return (v, cache.function)
    }
}

extension Namespace {
    /// `member(name)`, answered from `cache` when it last read this module at its current version.
    @inline(__always)
    func member(_ name: String, cache: AttributeSiteCache) -> Value? {
        if cache.namespace === self, cache.namespaceVersion == version { return cache.namespaceMember }
        let found = member(name)
        cache.namespace = self
        cache.namespaceVersion = version
        cache.namespaceMember = found
        return found
    }
}
