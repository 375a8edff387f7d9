/// `typing.NamedTuple` and `typing.TypedDict` as bases of class statements, as CPython 3.11
/// makes them: `class Point(NamedTuple): x: float; y: float = 0.0` is a tuple class whose fields
/// are its annotations (defaults from the class body; methods and properties work), and
/// `class Sample(TypedDict): text: str` is a class whose call makes a plain dict.
enum TypingClasses {
    /// `typing.NamedTuple`: a base class; called directly (`NamedTuple('P', [('x', int)])`) it
    /// makes a `collections.namedtuple` class.
    static let namedTuple: PyClass = {
        let c = PyClass(name: "NamedTuple", base: nil, moduleName: "typing")
        c.metaclass = NamedTupleMeta()
        return c
    }()

    /// `typing.TypedDict`: a base class; called directly (`TypedDict('S', {'x': int})`) it makes one.
    static let typedDict: PyClass = {
        let c = PyClass(name: "TypedDict", base: nil, moduleName: "typing")
        c.metaclass = TypedDictMeta()
        return c
    }()

    /// The names in a class body's own `__annotations__`, in order.
    static func annotatedNames(_ cls: PyClass) -> [String] {
        guard case .object(let d as PyDict)? = cls.dict["__annotations__"] else { return [] }
        return d.keyList.compactMap { if case .str(let s) = $0 { return s }; return nil }
    }
}

/// The metaclass of `typing.NamedTuple` classes.
final class NamedTupleMeta: NativeMetaclass {
    override func classCreated(_ cls: PyClass, _ ev: Evaluator) throws {
        guard cls.bases.contains(where: { $0 === TypingClasses.namedTuple }) else { return }
        let fields = TypingClasses.annotatedNames(cls)
        var defaults: [(Value, Value)] = [], defaultNames: [String] = []
        for f in fields {
            if let v = cls.dict[f] {
                defaults.append((.str(f), v))
                defaultNames.append(f)
            } else if !defaults.isEmpty {
                throw PyError(.typeError, "Non-default namedtuple field \(f) cannot follow default field\(defaults.count > 1 ? "s" : "") "
                              + defaultNames.joined(separator: ", "))
            }
        }
        cls.dict["_fields"] = ev.makeTuple(fields.map { .str($0) })
        cls.dict["_field_defaults"] = ev.makeDict(defaults, ordered: false)
        cls.dict["_make"] = .object(NativeFunction("_make", "iterable", doc: "A new instance from an iterable of field values.") { b, ev in
            try self.instance(cls, Arguments(try ev.iterate(b[0])), ev)
        })
        cls.dict["_asdict"] = .object(NativeMethod("_asdict") { receiver, _, ev in
            guard case .object(let o as NamedTupleInstance) = receiver else { return .none }
            return ev.makeDict(zip(fields, o.items).map { (.str($0), $1) }, ordered: false)
        })
        cls.dict["_replace"] = .object(NativeMethod("_replace") { receiver, a, ev in
            guard case .object(let o as NamedTupleInstance) = receiver else { return .none }
            var items = o.items
            for (k, v) in a.keywords {
                guard let i = fields.firstIndex(of: k) else { throw PyError(.valueError, "Got unexpected field names: ['\(k)']") }
                items[i] = v
            }
            return .object(NamedTupleInstance(cls: o.cls, fields: fields, items: items))
        })
    }

    override func call(_ cls: PyClass, _ args: Arguments, _ ev: Evaluator) throws -> Value? {
        if cls === TypingClasses.namedTuple {
            let b = try Signature("typename, fields=None").bind(args, "NamedTuple")
            let fields = b[1].isNone ? [] : try ev.iterate(b[1]).map { pair -> Value in
                guard let items = ev.sequenceItems(pair), items.count == 2 else {
                    throw PyError(.typeError, "NamedTuple('Name', [(f0, t0), (f1, t1), ...]); each t must be a type")
                }
                return items[0]
            }
            return try NamedTupleType.make(typename: try b[0].asString("typename"), fields: ev.makeList(fields), ev)
        }
        return try instance(cls, args, ev)
    }

    /// `cls(*args, **kwargs)`: the fields bound as `__new__(x, y=default)` binds them.
    private func instance(_ cls: PyClass, _ args: Arguments, _ ev: Evaluator) throws -> Value {
        let fields = try cls.lookup("_fields").map { try ev.iterate($0).map { try $0.asString("field") } } ?? []
        var defaults: [String: Value] = [:]
        if case .object(let d as PyDict)? = cls.lookup("_field_defaults") {
            for case (.str(let k), let v) in d.items { defaults[k] = v }
        }
        let parameters = fields.map { f in defaults[f] != nil ? "\(f)=None" : f }
        let b = try Signature(parameters.joined(separator: ", ")).bind(args, "\(cls.name).__new__")
        let items = fields.indices.map { i in b.given[i] ? b[i] : defaults[fields[i]] ?? b[i] }
        return .object(NamedTupleInstance(cls: cls, fields: fields, items: items))
    }
}

/// An instance of a `typing.NamedTuple` class: a tuple (length, items, indexing, equality and
/// order as a tuple's) whose fields are also attributes and whose class's methods apply.
final class NamedTupleInstance: PyInstance {
    let items: [Value]
    private let fields: [String]

    init(cls: PyClass, fields: [String], items: [Value]) {
        self.items = items
        self.fields = fields
        super.init(cls: cls)
        for (f, v) in zip(fields, items) { dict[f] = v }
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        if fields.contains(name) { throw PyError(.attributeError, "can't set attribute") }
        try super.setAttribute(name, value, ev)
    }

    override func repr(_ ev: Evaluator) throws -> String {
        if cls.special(.repr) != nil { return try super.repr(ev) }
        return "\(cls.name)(" + (try zip(fields, items).map { "\($0)=\(try ev.repr($1))" }).joined(separator: ", ") + ")"
    }

    override func length(_ ev: Evaluator) throws -> Int? { items.count }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { items }
    override func truthiness(_ ev: Evaluator) throws -> Bool? { !items.isEmpty }
    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? { try PyTuple(items).getItem(key, ev) }
    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? { try PyTuple(items).contains(item, ev) }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .object(let o as NamedTupleInstance) = other { return try PyTuple(items).equals(.object(PyTuple(o.items)), ev) }
        return try PyTuple(items).equals(other, ev)
    }

    override func order(comparedTo other: Value, _ ev: Evaluator) throws -> Int? { try tupleOrder(items, other, ev) }
}

/// The metaclass of `typing.TypedDict` classes: calling one makes a plain dict.
final class TypedDictMeta: NativeMetaclass {
    override func call(_ cls: PyClass, _ args: Arguments, _ ev: Evaluator) throws -> Value? {
        if cls === TypingClasses.typedDict {
            let b = try Signature("typename, fields=None, /").bind(args, "TypedDict")
            let made = PyClass(name: try b[0].asString("typename"), base: cls)
            if !b[1].isNone { made.dict["__annotations__"] = b[1] }
            return .object(made)
        }
        let d = PyDict()
        try d.update(from: args, ev, function: "dict")
        return .object(d)
    }
}
