/// Python's `collections.abc`: the abstract container types, for `isinstance` checks in
/// utility code (`isinstance(batch, collections.abc.Mapping)` in a collate function). Each is a
/// type whose check says which built-in, host and script values CPython counts as instances
/// (script classes by the special methods they define, as CPython's `__subclasshook__`s).
enum CollectionsAbc {
    /// One module, whether reached as `collections.abc` or imported by that name, so its types are
    /// the same objects either way.
    static let shared = module()

    private static func module() -> Namespace {
        let m = Namespace("collections.abc")
        func kind(_ name: String, _ check: @escaping (Value) -> Bool) {
            let type = HostType(name, doc: "collections.abc.\(name)", check: check)
            type.module = "collections.abc"
            m[name] = .object(type)
        }
        func object(_ v: Value) -> PyObject? { if case .object(let o) = v { return o } else { return nil } }
        /// A script instance whose class defines every one of `methods`.
        func defines(_ v: Value, _ methods: [String]) -> Bool {
            guard case .object(let inst as PyInstance) = v else { return false }
            return methods.allSatisfy { inst.cls.lookup($0).map { !$0.isNone } ?? false }
        }
        func isMapping(_ v: Value) -> Bool { object(v) is PyDict }
        func isSet(_ v: Value) -> Bool {
            guard let o = object(v) else { return false }
            if o is PySet { return true }
            if let view = o as? PyDictView { return view.kind != .values }
            return false
        }
        func isSequence(_ v: Value) -> Bool {
            if case .str = v { return true }
            guard let o = object(v) else { return false }
            return o is PyList || o is PyTuple || o is PyRange || o is NamedTupleValue || o is PyDeque
        }
        func isIterable(_ v: Value) -> Bool {
            switch v {
            case .str, .tensor, .module: return true
            case .object(let o):
                if isSequence(v) || isMapping(v) || isSet(v) || o is PyIterator || o is PyDictView { return true }
                return defines(v, ["__iter__"])
            default: return false
            }
        }
        kind("Iterable", isIterable)
        kind("Iterator") { v in object(v) is PyIterator || defines(v, ["__iter__", "__next__"]) }
        kind("Generator") { v in object(v) is PyGenerator }
        kind("Reversible") { v in isSequence(v) || isMapping(v) || object(v) is PyDictView || defines(v, ["__reversed__", "__iter__"]) }
        kind("Sized") { v in
            if case .str = v { return true }
            if case .tensor = v { return true }
            return isSequence(v) || isMapping(v) || isSet(v) || object(v) is PyDictView || defines(v, ["__len__"])
        }
        kind("Container") { v in
            if case .str = v { return true }
            return isSequence(v) || isMapping(v) || isSet(v) || object(v) is PyDictView || defines(v, ["__contains__"])
        }
        kind("Collection") { v in
            if case .str = v { return true }
            return isSequence(v) || isMapping(v) || isSet(v) || object(v) is PyDictView || defines(v, ["__len__", "__iter__", "__contains__"])
        }
        kind("Callable") { v in CollectionsModule.isCallable(v) }
        kind("Hashable") { v in
            guard let o = object(v) else { return true }
            // Values views hash by identity; keys and items views are sets, unhashable.
            if o is PyList || o is PyDict || o is PyDeque { return false }
            if let view = o as? PyDictView { return view.kind == .values }
            if let s = o as? PySet { return s.frozen }
            if case .object(let inst as PyInstance) = v, case .none? = inst.cls.lookup("__hash__") { return false }
            return true
        }
        kind("Sequence", isSequence)
        kind("MutableSequence") { v in object(v) is PyList || object(v) is PyDeque }
        kind("Mapping", isMapping)
        kind("MutableMapping", isMapping)
        kind("Set", isSet)
        kind("MutableSet") { v in (object(v) as? PySet).map { !$0.frozen } ?? false }
        kind("MappingView") { v in object(v) is PyDictView }
        for (name, viewKind) in [("KeysView", PyDictView.Kind.keys), ("ValuesView", .values), ("ItemsView", .items)] {
            kind(name) { v in (object(v) as? PyDictView)?.kind == viewKind }
        }
        return m
    }
}
