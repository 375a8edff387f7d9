/// `__slots__`: a class whose body declares `__slots__` (a string or an iterable of strings),
/// and whose script bases all do too, gives its instances only those attributes and no
/// `__dict__`. Assigning another name is CPython's AttributeError (`'P' object has no attribute
/// 'z'`, or `... attribute 'k' is read-only` for a class attribute), deleting an unset slot is
/// `AttributeError: x`. A `'__dict__'` entry (or a base without `__slots__`) keeps the instance
/// dict, which then shows the other attributes only. The slot values live in the instance's
/// `NameTable` like any attribute (CPython's member descriptors are not made: `P.x` is not a
/// `member` object).
struct SlotLayout {
    /// The slot names the class and its bases declare (without `__dict__` / `__weakref__`), each
    /// once. An array: a handful of short names are found faster by comparing than by hashing
    /// (`admits`, asked by every new attribute of a slotted instance).
    let names: [String]
    /// Whether instances also have a `__dict__` for other names.
    let hasDict: Bool

    /// Whether an instance may gain the attribute `name`.
    func admits(_ name: String) -> Bool { hasDict || names.contains(name) }

    /// `obj.__dict__` of an instance: absent without a dict (nil: AttributeError), else the
    /// attributes that are not slots.
    func instanceDict(_ receiver: Value, _ dict: NameTable) throws -> Value? {
        guard hasDict else { return nil }
        var rest = NameTable()
        for (k, v) in dict.items where !names.contains(k) { rest[k] = v }
        return .object(try attributeDict(receiver, rest))
    }
}

extension PyClass {
    /// Reads the class body's `__slots__` and sets `slots` (a ValueError when a slot name is
    /// also a class attribute, as in CPython).
    func adoptSlots(_ ev: Evaluator) throws {
        guard let declared = dict["__slots__"] else {
            layOutSlots(declared: nil)
            return
        }
        var names: [String] = []
        if case .str(let s) = declared {
            names = [s]
        } else {
            for item in try ev.iterate(declared) {
                guard case .str(let s) = item else {
                    throw PyError(.typeError, "__slots__ items must be strings, not '\(item.typeName)'")
                }
                names.append(s)
            }
        }
        names = names.map(mangledSlotName)
        for n in names where n != "__dict__" && n != "__weakref__" && dict[n] != nil {
            throw PyError(.valueError, "'\(n)' in __slots__ conflicts with class variable")
        }
        layOutSlots(declared: names)
    }

    /// Sets `slots` from the class's own slot names (nil: it declares no `__slots__`) and its
    /// bases'. Exception and module classes keep their dicts and get none.
    func layOutSlots(declared: [String]?) {
        guard !isExceptionClass, nativeRoot == nil else { return }
        var names = Set(declared ?? [])
        var hasDict = declared == nil || names.contains("__dict__")
        for b in bases where b !== BuiltinTypes.object {
            guard let inherited = (b as? PyClass)?.slots else {
                hasDict = true
                continue
            }
            names.formUnion(inherited.names)
            hasDict = hasDict || inherited.hasDict
        }
        names.subtract(["__dict__", "__weakref__"])
        slots = declared == nil && names.isEmpty ? nil : SlotLayout(names: Array(names), hasDict: hasDict)
    }

    /// Whether an instance may gain the attribute `name`: always without `__slots__` or with a
    /// `__dict__`, else only a slot's name (`checkSlot` raises the error for the rest).
    @inline(__always)
    func admitsAttribute(_ name: String) -> Bool {
        slots?.admits(name) ?? true
    }

    /// `__x` in `class P`'s slots is stored as `_P__x` (private name mangling).
    private func mangledSlotName(_ n: String) -> String {
        guard n.hasPrefix("__"), !n.hasSuffix("__") else { return n }
        let stripped = name.drop { $0 == "_" }
        return stripped.isEmpty ? n : "_\(stripped)\(n)"
    }
}

extension PyInstance {
    /// Throws CPython's AttributeError when the class's `__slots__` has no place for `name`.
    @inline(__always)
    final func checkSlot(_ name: String) throws {
        guard let slots = cls.slots, !slots.admits(name) else { return }
        if cls.lookup(name) != nil {
            throw PyError(.attributeError, "'\(cls.name)' object attribute '\(name)' is read-only")
        }
        throw PyError(.attributeError, "'\(cls.name)' object has no attribute '\(name)'")
    }
}
