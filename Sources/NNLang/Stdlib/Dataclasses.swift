/// Python's `dataclasses`: `@dataclass` (fields from the class's annotations, defaults and
/// `field(default=…, default_factory=…, init=, repr=, compare=)`, inherited dataclass fields
/// first) writes `__init__` (CPython's argument errors, `__post_init__`), `__repr__` and `__eq__`
/// (and with `order=True` the four orderings) as native methods of the class, unless the class
/// defines them itself; `fields`, `asdict`, `astuple`, `replace`, `is_dataclass`, `MISSING`.
///
/// `frozen=True` adds `__setattr__` / `__delattr__` raising `FrozenInstanceError` (the generated
/// `__init__` stores past them, as CPython's uses `object.__setattr__`).
///
/// `slots=True` gives the class `__slots__` of its fields (in place: CPython makes a new class).
///
/// Differences: instances hash by identity (`eq=True` does not
/// make them unhashable); `typing.ClassVar`/`InitVar` and `kw_only` are not recognised.
enum Dataclasses {
    static func module() -> Namespace {
        let m = Namespace("dataclasses")
        let options = "cls=None, /, *, init=True, repr=True, eq=True, order=False, unsafe_hash=False, frozen=False, match_args=True, kw_only=False, slots=False, weakref_slot=False"
        m["dataclass"] = .object(NativeFunction("dataclass", options,
                                                doc: "Adds __init__, __repr__ and __eq__ built from the class's annotated fields.") { b, ev in
            let eq = try ev.truthy(b[3])
            let o = Options(makeInit: try ev.truthy(b[1]), repr: try ev.truthy(b[2]), eq: eq, order: try ev.truthy(b[4]),
                            hashed: try ev.truthy(b[5]) || (eq && ev.truthy(b[6])), frozen: try ev.truthy(b[6]),
                            slots: try ev.truthy(b[9]))
            if o.order && !o.eq { throw PyError(.valueError, "eq must be true if order is true") }
            if b[0].isNone {
                return .object(NativeFunction("wrap", "cls", doc: "Applies the dataclass options to cls.") { inner, ev in
                    try process(inner[0], o, ev)
                })
            }
            return try process(b[0], o, ev)
        })
        m["field"] = .object(NativeFunction("field", "*, default=None, default_factory=None, init=True, repr=True, hash=None, compare=True, metadata=None, kw_only=None",
                                            doc: "Describes one field: its default or default_factory, and whether __init__, __repr__ and __eq__ use it.") { b, ev in
            let f = DataclassField(default: b.given[0] ? b[0] : nil, factory: b.given[1] ? b[1] : nil)
            if f.defaultValue != nil, f.factory != nil { throw PyError(.valueError, "cannot specify both default and default_factory") }
            f.inInit = try ev.truthy(b[2])
            f.inRepr = try ev.truthy(b[3])
            f.hash = b[4]
            f.compared = try ev.truthy(b[5])
            f.metadata = b[6]
            return .object(f)
        })
        m["fields"] = .object(NativeFunction("fields", "class_or_instance", doc: "The fields of a dataclass or of one of its instances, as a tuple.") { b, ev in
            guard let fields = fieldsOf(b[0]) else {
                throw PyError(.typeError, "must be called with a dataclass type or instance")
            }
            return ev.makeTuple(fields.map { .object($0) })
        })
        m["is_dataclass"] = .object(NativeFunction("is_dataclass", "obj", doc: "True for a dataclass or an instance of one.") { b, _ in
            .bool(fieldsOf(b[0]) != nil)
        })
        m["asdict"] = .object(NativeFunction("asdict", "obj, *, dict_factory=dict", doc: "A dataclass instance as a dict of its fields, recursively (values deep-copied).") { b, ev in
            try requireInstance(b[0], "asdict")
            return try Converter(ev, asDict: true, factory: b.given[1] ? b[1] : nil).convert(b[0])
        })
        m["astuple"] = .object(NativeFunction("astuple", "obj, *, tuple_factory=tuple", doc: "A dataclass instance as a tuple of its fields, recursively (values deep-copied).") { b, ev in
            try requireInstance(b[0], "astuple")
            return try Converter(ev, asDict: false, factory: b.given[1] ? b[1] : nil).convert(b[0])
        })
        m["replace"] = .object(NativeFunction("replace", "obj, /, **changes", doc: "A new instance like obj with some fields changed.") { b, ev in
            guard case .object(let o) = b[0], let inst = o as? PyInstance, let fields = fieldsOf(b[0]) else {
                throw PyError(.typeError, "replace() should be called on dataclass instances")
            }
            var keywords: [(name: String, value: Value)] = []
            for f in fields where f.inInit {
                if let change = b.extraKeywords.first(where: { $0.name == f.name }) {
                    keywords.append(change)
                } else if let v = inst.dict[f.name] {
                    keywords.append((f.name, v))
                }
            }
            for change in b.extraKeywords where !fields.contains(where: { $0.name == change.name }) {
                keywords.append(change)
            }
            for f in fields where !f.inInit && b.extraKeywords.contains(where: { $0.name == f.name }) {
                throw PyError(.valueError, "field \(f.name) is declared with init=False, it cannot be specified with replace()")
            }
            return try ev.call(.object(inst.cls), Arguments([], keywords: keywords))
        })
        m["MISSING"] = .object(Missing.shared)
        m["FrozenInstanceError"] = .object(frozenInstanceError)
        return m
    }

    struct Options {
        var makeInit: Bool, repr: Bool, eq: Bool, order: Bool
        /// Adds `__hash__` (of the compared fields): `unsafe_hash=True`, or `eq` with `frozen=True`.
        /// Otherwise an `eq` class is unhashable, as its `__eq__` without `__hash__` makes it.
        var hashed: Bool
        /// Assignments and deletions of attributes raise `FrozenInstanceError`.
        var frozen: Bool
        /// `slots=True`: the fields become the class's `__slots__` (instances have no `__dict__`).
        var slots: Bool
    }

    /// `dataclasses.FrozenInstanceError`, an AttributeError.
    static let frozenInstanceError = PyClass(name: "FrozenInstanceError", base: ExceptionClasses.forKind(.attributeError),
                                             moduleName: "dataclasses")

    /// `@dataclass` applied to `value` (a script class): collects the fields and adds the methods.
    static func process(_ value: Value, _ options: Options, _ ev: Evaluator) throws -> Value {
        guard case .object(let o) = value, let cls = o as? PyClass else {
            throw PyError(.typeError, "dataclass() should be called on a class, not \(value.typeName)")
        }
        var fields: [DataclassField] = []
        for base in cls.ancestors.reversed() {
            guard let k = base as? PyClass, case .object(let d)? = k.dict["__dataclass_fields__"], let inherited = d as? PyDict else { continue }
            for case .object(let fo) in inherited.items.map(\.1) {
                guard let f = fo as? DataclassField else { continue }
                fields.removeAll { $0.name == f.name }
                fields.append(f)
            }
        }
        if case .object(let a)? = cls.dict["__annotations__"], let annotations = ev.mappingItems(.object(a)) {
            for (key, type) in annotations {
                guard case .str(let name) = key else { continue }
                let f: DataclassField
                if case .object(let given)? = cls.dict[name], let declared = given as? DataclassField {
                    f = declared
                    if let d = f.defaultValue { try cls.setAttribute(name, d, ev) } else { _ = cls.dict.removeValue(forKey: name) }
                } else {
                    f = DataclassField(default: cls.dict[name], factory: nil)
                }
                f.name = name
                f.type = type
                if let d = f.defaultValue, let kind = ev.builtinKind(d), [.list, .dict, .set].contains(kind) {
                    throw PyError(.valueError, "mutable default <class '\(d.typeName)'> for field \(name) is not allowed: use default_factory")
                }
                if let i = fields.firstIndex(where: { $0.name == name }) { fields[i] = f } else { fields.append(f) }
            }
        }
        var seenDefault = false
        for f in fields where f.inInit {
            if f.hasDefault { seenDefault = true } else if seenDefault {
                throw PyError(.typeError, "non-default argument '\(f.name)' follows default argument")
            }
        }
        try cls.setAttribute("__dataclass_fields__", .object(try PyDict(fields.map { (.str($0.name), .object($0)) })), ev)
        try cls.setAttribute("__match_args__", ev.makeTuple(fields.filter(\.inInit).map { .str($0.name) }), ev)
        func add(_ name: String, _ body: @escaping (PyInstance, Arguments, Evaluator) throws -> Value) throws {
            guard cls.dict[name] == nil else { return }
            try cls.setAttribute(name, .object(NativeMethod(name) { receiver, a, ev in
                guard case .object(let ro) = receiver, let inst = ro as? PyInstance else {
                    throw PyError(.typeError, "descriptor '\(name)' requires a '\(cls.name)' object but received a '\(receiver.typeName)'")
                }
                return try body(inst, a, ev)
            }), ev)
        }
        if options.slots {
            if cls.dict["__slots__"] != nil { throw PyError(.typeError, "\(cls.name) already specifies __slots__") }
            let inherited = cls.bases.compactMap { ($0 as? PyClass)?.slots?.names }.reduce(into: Set<String>()) { $0.formUnion($1) }
            let names = fields.map(\.name).filter { !inherited.contains($0) }
            try cls.setAttribute("__slots__", ev.makeTuple(names.map { .str($0) }), ev)
            cls.layOutSlots(declared: names)
        }
        if options.makeInit {
            try add("__init__") { inst, a, ev in
                try initialise(inst, fields, qualname: "\(cls.name).__init__", frozen: options.frozen, a, ev)
                return .none
            }
        }
        if options.frozen {
            for (name, verb) in [("__setattr__", "assign to"), ("__delattr__", "delete")] {
                try add(name) { _, a, ev in
                    let field = try ev.repr(a.positional.first ?? .none)
                    throw ScriptError(exception: PyExceptionObject(cls: frozenInstanceError, args: [.str("cannot \(verb) field \(field)")]))
                }
            }
        }
        if options.repr {
            try add("__repr__") { inst, _, ev in
                let parts = try fields.filter(\.inRepr).map { f in "\(f.name)=\(try ev.repr(try fieldValue(inst, f, ev)))" }
                return .str("\(inst.cls.name)(\(parts.joined(separator: ", ")))")
            }
        }
        if options.eq {
            try add("__eq__") { inst, a, ev in
                guard let other = try sameClassTuple(inst, a, fields, ev) else { return .object(NotImplemented.shared) }
                return .bool(try valuesEqual(try comparedTuple(inst, fields, ev), other, ev))
            }
        }
        if options.hashed {
            try add("__hash__") { inst, _, ev in .int(try pythonHash(try comparedTuple(inst, fields, ev))) }
        }
        if options.order {
            for (name, op) in [("__lt__", ComparisonOperator.lt), ("__le__", .le), ("__gt__", .gt), ("__ge__", .ge)] {
                try add(name) { inst, a, ev in
                    guard let other = try sameClassTuple(inst, a, fields, ev), let interp = interpreter(ev) else {
                        return .object(NotImplemented.shared)
                    }
                    return .bool(try interp.ordered(op, try comparedTuple(inst, fields, ev), other))
                }
            }
        }
        return value
    }

    /// The generated `__init__`: CPython's argument binding and errors, defaults and factories,
    /// then `__post_init__()` when the class has one.
    private static func initialise(_ inst: PyInstance, _ fields: [DataclassField], qualname: String, frozen: Bool,
                                   _ a: Arguments, _ ev: Evaluator) throws {
        func store(_ name: String, _ v: Value) throws {
            if frozen { inst.dict[name] = v } else { try inst.setAttribute(name, v, ev) }
        }
        let params = fields.filter(\.inInit)
        guard a.positional.count <= params.count else {
            let least = params.filter { !$0.hasDefault }.count + 1, most = params.count + 1
            let takes = least == most ? "\(most) positional argument\(most == 1 ? "" : "s")" : "from \(least) to \(most) positional arguments"
            throw PyError(.typeError, "\(qualname)() takes \(takes) but \(a.positional.count + 1) were given")
        }
        var values: [Value?] = a.positional.map { $0 } + [Value?](filling: nil, count: params.count - a.positional.count)
        for (name, v) in a.keywords {
            guard let i = params.firstIndex(where: { $0.name == name }) else {
                throw PyError(.typeError, "\(qualname)() got an unexpected keyword argument '\(name)'")
            }
            if values[i] != nil { throw PyError(.typeError, "\(qualname)() got multiple values for argument '\(name)'") }
            values[i] = v
        }
        let missing = params.indices.filter { values[$0] == nil && !params[$0].hasDefault }.map { "'\(params[$0].name)'" }
        if !missing.isEmpty {
            let list = missing.count == 1 ? missing[0] : missing.dropLast().joined(separator: ", ") + " and " + (missing.last ?? "")
            throw PyError(.typeError, "\(qualname)() missing \(missing.count) required positional argument\(missing.count == 1 ? "" : "s"): \(list)")
        }
        for f in fields {
            let given = params.firstIndex { $0 === f }.flatMap { values[$0] }
            if let v = given ?? f.defaultValue {
                try store(f.name, v)
            } else if let factory = f.factory {
                try store(f.name, try ev.call(factory, Arguments([])))
            }
        }
        if inst.cls.lookup("__post_init__") != nil, let post = try inst.getAttribute("__post_init__", ev) {
            _ = try ev.call(post, Arguments([]))
        }
    }

    private static func fieldValue(_ inst: PyInstance, _ f: DataclassField, _ ev: Evaluator) throws -> Value {
        guard let v = try inst.getAttribute(f.name, ev) else {
            throw PyError(.attributeError, "'\(inst.cls.name)' object has no attribute '\(f.name)'")
        }
        return v
    }

    /// The compared fields of `inst` as a tuple (what `__eq__` and the orderings compare).
    private static func comparedTuple(_ inst: PyInstance, _ fields: [DataclassField], _ ev: Evaluator) throws -> Value {
        .object(PyTuple(try fields.filter(\.compared).map { try fieldValue(inst, $0, ev) }))
    }

    /// The other operand's compared tuple when it is of exactly the same class, else nil.
    private static func sameClassTuple(_ inst: PyInstance, _ a: Arguments, _ fields: [DataclassField], _ ev: Evaluator) throws -> Value? {
        guard let other = a.positional.first, case .object(let o) = other, let oi = o as? PyInstance, oi.cls === inst.cls else { return nil }
        return try comparedTuple(oi, fields, ev)
    }

    /// The fields of a dataclass or of an instance of one, nil for anything else.
    static func fieldsOf(_ v: Value) -> [DataclassField]? {
        guard case .object(let o) = v else { return nil }
        let cls = (o as? PyClass) ?? (o as? PyInstance)?.cls
        guard let cls, case .object(let d)? = cls.lookup("__dataclass_fields__"), let dict = d as? PyDict else { return nil }
        return dict.items.compactMap { if case .object(let f) = $0.1 { return f as? DataclassField } else { return nil } }
    }

    private static func requireInstance(_ v: Value, _ name: String) throws {
        guard case .object(let o) = v, o is PyInstance, fieldsOf(v) != nil else {
            throw PyError(.typeError, "\(name)() should be called on dataclass instances")
        }
    }

    /// `asdict` / `astuple`: dataclass instances become dicts or tuples of their fields, lists,
    /// tuples and dicts are rebuilt with converted items, anything else is deep-copied.
    private struct Converter {
        let ev: Evaluator
        let asDict: Bool
        let factory: Value?

        init(_ ev: Evaluator, asDict: Bool, factory: Value?) {
            self.ev = ev
            self.asDict = asDict
            self.factory = factory
        }

        func convert(_ v: Value) throws -> Value {
            if case .object(let o) = v, let inst = o as? PyInstance, let fields = fieldsOf(v) {
                let values = try fields.map { try convert(try fieldValue(inst, $0, ev)) }
                if asDict {
                    let pairs = zip(fields, values).map { (Value.str($0.name), $1) }
                    if let factory { return try ev.call(factory, Arguments([ev.makeList(pairs.map { ev.makeTuple([$0.0, $0.1]) })])) }
                    return .object(try PyDict(pairs))
                }
                if let factory { return try ev.call(factory, Arguments([ev.makeList(values)])) }
                return ev.makeTuple(values)
            }
            switch ev.builtinKind(v) {
            case .list?: return ev.makeList(try ev.iterate(v).map(convert))
            case .tuple?: return ev.makeTuple(try ev.iterate(v).map(convert))
            case .dict?:
                return .object(try PyDict(try (ev.mappingItems(v) ?? []).map { (try convert($0.0), try convert($0.1)) }))
            default: return try DeepCopier(ev).copy(v)
            }
        }
    }
}

/// `dataclasses.Field`: one field's name, type, default or factory and options.
final class DataclassField: PyObject {
    var name = ""
    var type: Value = .none
    /// The default value, nil when there is none (`MISSING`).
    let defaultValue: Value?
    /// `default_factory`, nil when there is none.
    let factory: Value?
    var inInit = true
    var inRepr = true
    var compared = true
    var hash: Value = .none
    var metadata: Value = .none

    init(default: Value?, factory: Value?) {
        self.defaultValue = `default`
        self.factory = factory
        super.init()
    }

    var hasDefault: Bool { defaultValue != nil || factory != nil }

    override var typeName: String { "Field" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "name": return .str(self.name)
        case "type": return type
        case "default": return defaultValue ?? .object(Missing.shared)
        case "default_factory": return factory ?? .object(Missing.shared)
        case "init": return .bool(inInit)
        case "repr": return .bool(inRepr)
        case "compare": return .bool(compared)
        case "hash": return hash
        case "metadata": return metadata.isNone ? ev.makeDict([], ordered: false) : metadata
        case "kw_only": return .bool(false)
        default: return nil
        }
    }

    override func repr(_ ev: Evaluator) throws -> String {
        let parts = try ["name=\(try ev.repr(.str(name)))", "type=\(try ev.repr(type))",
                         "default=\(try ev.repr(defaultValue ?? .object(Missing.shared)))",
                         "default_factory=\(try ev.repr(factory ?? .object(Missing.shared)))",
                         "init=\(inInit ? "True" : "False")", "repr=\(inRepr ? "True" : "False")",
                         "hash=\(try ev.repr(hash))", "compare=\(compared ? "True" : "False")"]
        return "Field(" + parts.joined(separator: ",") + ")"
    }
}

/// `dataclasses.MISSING`: the marker for "no default".
final class Missing: PyObject {
    static let shared = Missing()
    override var typeName: String { "_MISSING_TYPE" }
    override func repr(_ ev: Evaluator) throws -> String { "<dataclasses._MISSING_TYPE object at \(addressString(self))>" }
}
