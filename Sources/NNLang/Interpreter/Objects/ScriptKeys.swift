/// Dict keys and set members whose hash and equality come from a script class's `__hash__` and
/// `__eq__` (CPython calls both; a class defining `__eq__` without `__hash__` is unhashable).
/// Such a key is `HashKey.scripted(hash)`: a `PyDict` probe that meets an entry of the same hash
/// compares the two with `==` (which may run the script's `__eq__`) and starts again if that
/// rebuilt the table or removed the entry, as CPython's does.
enum ScriptKeys {
    /// The interpreter whose scripts `__hash__` runs in: the latest one created (the REPL has
    /// one; tests make them one after another). `PyDict.get`/`set` take no evaluator, as host
    /// code calls them too.
    nonisolated(unsafe) static var evaluatorReference: InterpreterReference?
    static var evaluator: Interpreter? { evaluatorReference?.interpreter }

    /// How a script class hashes its instances.
    private enum Rule {
        case identity
        case unhashable
        case method(Value)
    }

    /// The last class asked about, its rule and the class-dict version it holds for (keys are
    /// usually instances of one class).
    nonisolated(unsafe) private static var memo: (cls: ObjectIdentifier, version: Int, rule: Rule)?

    /// The hash of `inst` from its class's `__hash__`; nil when the class hashes by identity
    /// (no script class in its MRO defines `__hash__` or `__eq__`). TypeError `unhashable type: 'C'`
    /// when the nearest definition is `__hash__ = None` or an `__eq__` without `__hash__`.
    static func hash(_ inst: PyInstance) throws -> Int? {
        switch rule(inst.cls) {
        case .identity: return nil
        case .unhashable: throw PyError(.typeError, "unhashable type: '\(inst.typeName)'")
        case .method(let fn):
            guard let ev = evaluator else { return nil }
            let r = try ev.callDirect(fn, .object(inst))
            switch r {
            case .int(let i): return i
            case .bool(let b): return b ? 1 : 0
            default: throw PyError(.typeError, "__hash__ method should return an integer")
            }
        }
    }

    private static func rule(_ cls: PyClass) -> Rule {
        let id = ObjectIdentifier(cls)
        if let m = memo, m.cls == id, m.version == cls.lookupVersion { return m.rule }
        var found = Rule.identity
        for case let k as PyClass in cls.mro {
            if let h = k.dict["__hash__"] {
                found = h.isNone ? .unhashable : .method(h)
                break
            }
            if k.dict["__eq__"] != nil {
                found = .unhashable
                break
            }
        }
        memo = (id, cls.lookupVersion, found)
        return found
    }
}
