/// Python's `typing` module, for annotations: the special forms and generic aliases
/// (`List[int]`, `Optional[Tensor]`, `Callable[[int], str]`, `TypeVar('T')`) print as CPython's,
/// `Generic` and `Protocol` are classes scripts derive from (`class Box(Generic[T])`), `cast`,
/// `overload`, `get_origin`/`get_args` work; `NamedTuple` and `TypedDict` are bases of class
/// statements (TypingClasses.swift). Nothing is type-checked, as in CPython.
enum TypingModule {
    /// `typing.Generic`: a base class whose subscription (`Generic[T]`) stands for it in a class's bases.
    static let generic = PyClass(name: "Generic", base: nil, moduleName: "typing")
    /// `typing.Protocol`.
    static let protocolClass = PyClass(name: "Protocol", base: generic, moduleName: "typing")

    static func module() -> Namespace {
        let m = Namespace("typing")
        for name in ["Any", "NoReturn", "Never", "Self", "LiteralString", "Hashable", "Sized"] {
            m[name] = .object(TypingForm(name))
        }
        let aliases: [(String, Value?)] = [
            ("List", .object(BuiltinTypes.list)), ("Dict", .object(BuiltinTypes.dict)), ("Set", .object(BuiltinTypes.set)),
            ("FrozenSet", .object(BuiltinTypes.frozenset)), ("Tuple", .object(BuiltinTypes.tuple)),
            ("Type", .object(BuiltinTypes.type)), ("Callable", nil), ("Iterable", nil), ("Iterator", nil),
            ("Generator", nil), ("Sequence", nil), ("MutableSequence", nil), ("Mapping", nil), ("MutableMapping", nil),
            ("AbstractSet", nil), ("MutableSet", nil), ("Collection", nil), ("Container", nil), ("Reversible", nil),
            ("Awaitable", nil), ("Coroutine", nil), ("AsyncIterator", nil), ("AsyncIterable", nil),
            ("ItemsView", nil), ("KeysView", nil), ("ValuesView", nil), ("Deque", nil), ("DefaultDict", nil),
            ("OrderedDict", nil), ("Counter", nil), ("ChainMap", nil), ("Optional", nil), ("Union", nil),
            ("Literal", nil), ("Final", nil), ("ClassVar", nil), ("Annotated", nil), ("TypeGuard", nil),
            ("Concatenate", nil),
        ]
        for (name, origin) in aliases { m[name] = .object(TypingForm(name, origin: origin)) }
        m["Text"] = .object(BuiltinTypes.str)
        m["AnyStr"] = .object(TypingForm.typeVariable("AnyStr", variance: "~"))
        m["TYPE_CHECKING"] = .bool(false)
        m["Generic"] = .object(generic)
        m["Protocol"] = .object(protocolClass)
        m["TypeVar"] = .object(NativeFunction("TypeVar", "name, *constraints, bound=None, covariant=False, contravariant=False",
                                              doc: "A type variable for generic annotations, printed ~T.") { b, ev in
            let name = try b[0].asString("name")
            let variance = try ev.truthy(b[3]) ? "+" : try ev.truthy(b[4]) ? "-" : "~"
            return .object(TypingForm.typeVariable(name, variance: variance))
        })
        m["cast"] = .object(NativeFunction("cast", "typ, val", doc: "Returns val unchanged (a note for type checkers).") { b, _ in b[1] })
        let identity = { (name: String, doc: String) in
            NativeFunction(name, "arg", doc: doc) { b, _ in b[0] }
        }
        m["overload"] = .object(identity("overload", "Returns the function unchanged (type checkers read the overloads)."))
        m["final"] = .object(identity("final", "Returns the class or method unchanged."))
        m["no_type_check"] = .object(identity("no_type_check", "Returns the function unchanged."))
        m["runtime_checkable"] = .object(identity("runtime_checkable", "Returns the protocol class unchanged."))
        m["get_origin"] = .object(NativeFunction("get_origin", "tp", doc: "The unsubscripted form of a generic alias, or None.") { b, _ in
            guard case .object(let o) = b[0] else { return .none }
            if let form = o as? TypingForm, form.arguments != nil { return form.origin ?? .object(TypingForm(form.name)) }
            if let alias = o as? GenericAlias { return .object(alias.origin) }
            return .none
        })
        m["get_args"] = .object(NativeFunction("get_args", "tp", doc: "The arguments of a generic alias, as a tuple.") { b, ev in
            guard case .object(let o) = b[0] else { return ev.makeTuple([]) }
            if let form = o as? TypingForm { return ev.makeTuple(form.arguments ?? []) }
            if let alias = o as? GenericAlias {
                if case .object(let t as PyTuple) = alias.key { return ev.makeTuple(t.items) }
                return ev.makeTuple([alias.key])
            }
            return ev.makeTuple([])
        })
        m["NamedTuple"] = .object(TypingClasses.namedTuple)
        m["TypedDict"] = .object(TypingClasses.typedDict)
        return m
    }

    /// How CPython's typing prints a type inside brackets: `int`, `torch.Tensor`, `__main__.Box`,
    /// `...`, `[int, str]` for a Callable's parameters, and `NoneType` for None when `noneAsType`
    /// (typing converts None to its type; `list[None]` keeps it).
    static func typeRepr(_ v: Value, noneAsType: Bool, _ ev: Evaluator) throws -> String {
        switch v {
        case .none: return noneAsType ? "NoneType" : "None"
        case .object(let o):
            if o === PyEllipsis.shared { return "..." }
            if let l = o as? PyList {
                return "[" + (try l.items.map { try typeRepr($0, noneAsType: noneAsType, ev) }).joined(separator: ", ") + "]"
            }
            if let t = o as? PyType {
                let r = try t.repr(ev)
                if r.hasPrefix("<class '"), r.hasSuffix("'>") { return String(r.dropFirst(8).dropLast(2)) }
                return r
            }
            if let f = o as? PyFunction { return f.name }
        default: break
        }
        return try ev.repr(v)
    }
}

/// A `typing` special form, alias or type variable, bare (`typing.List`) or subscripted
/// (`typing.List[int]`, `arguments` set). `origin` is the built-in it stands for, if any.
final class TypingForm: PyObject {
    let name: String
    let origin: Value?
    let arguments: [Value]?
    /// `~`, `+` or `-` for a TypeVar (its repr prefix), nil for the other forms.
    let variance: String?

    init(_ name: String, origin: Value? = nil, arguments: [Value]? = nil, variance: String? = nil) {
        self.name = name
        self.origin = origin
        self.arguments = arguments
        self.variance = variance
        super.init()
    }

    static func typeVariable(_ name: String, variance: String) -> TypingForm { TypingForm(name, variance: variance) }

    override var typeName: String { variance != nil ? "TypeVar" : arguments == nil ? "_SpecialForm" : "_GenericAlias" }

    override func repr(_ ev: Evaluator) throws -> String {
        if let variance { return variance + name }
        guard let arguments else { return "typing." + name }
        if name == "Tuple", arguments.isEmpty { return "typing.Tuple[()]" }
        let shown = try arguments.map { try TypingModule.typeRepr($0, noneAsType: name != "Literal", ev) }
        if name == "Union", shown.count == 2, let none = shown.firstIndex(of: "NoneType") {
            return "typing.Optional[\(shown[1 - none])]"
        }
        return "typing.\(name)[" + shown.joined(separator: ", ") + "]"
    }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        guard variance == nil else { throw PyError(.typeError, "'TypeVar' object is not subscriptable") }
        guard arguments == nil else { throw PyError(.typeError, "\(try repr(ev)) is not a generic class") }
        var items: [Value]
        if case .object(let t as PyTuple) = key { items = t.items } else { items = [key] }
        switch name {
        case "Optional":
            guard items.count == 1 else { throw PyError(.typeError, "Optional[t] requires a single type.") }
            items = [items[0], .none]
            fallthrough
        case "Union":
            // Nested unions flatten, repeats drop, and a union of one type is that type.
            var flat: [Value] = []
            var seen: [String] = []
            for item in items {
                let parts: [Value]
                if case .object(let u as TypingForm) = item, u.name == "Union", let inner = u.arguments { parts = inner } else { parts = [item] }
                for p in parts {
                    let key = try TypingModule.typeRepr(p, noneAsType: true, ev)
                    if !seen.contains(key) { seen.append(key); flat.append(p) }
                }
            }
            if flat.count == 1 { return flat[0] }
            return .object(TypingForm("Union", arguments: flat))
        case "Tuple":
            if items.count == 1, case .object(let t as PyTuple) = items[0], t.items.isEmpty { items = [] }
        default: break
        }
        return .object(TypingForm(name, origin: origin, arguments: items))
    }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        if let origin, case .object(let o) = origin {
            throw PyError(.typeError, "Type \(name) cannot be instantiated; use \((o as? PyType)?.name ?? name.lowercased())() instead")
        }
        throw PyError(.typeError, "Cannot instantiate \(try repr(ev))")
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__name__": return .str(self.name)
        case "__origin__": return origin
        case "__args__": return arguments.map { ev.makeTuple($0) }
        default: return nil
        }
    }
}
