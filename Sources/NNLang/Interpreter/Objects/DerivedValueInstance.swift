import TensorRuntime
import NeuralNet

/// An instance of a script class deriving from a built-in value type (`class Vocab(dict)`,
/// `class Stack(list)`, `class Point(tuple)`, `class Token(str)`, `class Counter2(Counter)`): a
/// script instance (its class's methods, an instance dict) that carries the built-in value it
/// is, `native`. The base type says how the value is made (`PyType.derivedValueLayout`): empty
/// by `__new__` and filled by `__init__` (`super().__init__(…)`, or the base's own when the class
/// has none), or whole by `__new__` (`super().__new__(cls, …)`).
///
/// Each protocol operation calls the class's dunder when a script class of its MRO defines one,
/// else runs the value's own: `len`, iteration, `in`, `[]` (on a dict, an absent key calls the
/// class's `__missing__`, as CPython's `dict_subscript`), `==` and ordering, operators (whose
/// result is the base type, `Stack([1]) + [2]` a list, as CPython's), hashing (immutable bases
/// hash as their value, so `Token('a')` finds the key `'a'`), `format`, repr (a list, dict, tuple,
/// str or number prints as its value; a set, Counter, OrderedDict, defaultdict or deque with the
/// class's name, as CPython's reprs use `type(self).__name__`). The base type's methods
/// (`append`, `get`, `upper`) run on `native` and, as CPython's C methods, ignore the class's
/// overrides (`d.get(k)` does not call `__getitem__`). The interpreter's paths for plain values
/// never see these instances: every case above sits where the plain types' paths have failed.
final class DerivedValueInstance: PyInstance, BuiltinValueCarrier {
    var native: Value
    var builtinValue: Value { native }

    init(cls: PyClass, native: Value) {
        self.native = native
        super.init(cls: cls)
    }

    /// `v`'s built-in value when it is such an instance, else `v`.
    static func unwrap(_ v: Value) -> Value {
        if case .object(let o) = v, let d = o as? DerivedValueInstance { return d.native }
        return v
    }

    /// Both operands with such instances replaced by their values; nil when neither is one.
    static func unwrapped(_ a: Value, _ b: Value) -> (Value, Value)? {
        let x = unwrap(a), y = unwrap(b)
        return identical(x, a) && identical(y, b) ? nil : (x, y)
    }

    // MARK: - Construction

    /// A new instance of `cls` (a class whose native root has a value layout) before `__init__`:
    /// its value made from `args` (`madeByNew`) or empty (`filledByInit`).
    static func make(_ cls: PyClass, _ args: Arguments, _ ev: Evaluator) throws -> DerivedValueInstance {
        guard let root = cls.nativeRoot, let layout = root.derivedValueLayout else {
            throw PyError(.typeError, "object.__new__(\(cls.name)) is not safe, use \(cls.nativeRoot?.name ?? "object").__new__()")
        }
        let value = try root.call(layout == .madeByNew ? args : Arguments([]), ev)
        return DerivedValueInstance(cls: cls, native: value)
    }

    /// The base type's `__init__` run on this instance: a mutable container's value is made again
    /// from `args` (a dict that already holds items is updated, as `dict.__init__` does); an
    /// immutable value's `__init__` is `object.__init__`, which takes what `__new__` took.
    func initialise(_ args: Arguments, _ ev: Evaluator) throws {
        guard let root = cls.nativeRoot, root.derivedValueLayout == .filledByInit else { return }
        let fresh = try root.call(args, ev)
        if case .object(let old as PyDict) = native, old.count > 0, case .object(let made as PyDict) = fresh {
            old.flavor = made.flavor
            for (k, v) in made.items { try old.set(k, v) }
        } else {
            native = fresh
        }
    }

    /// `T.__new__` of a built-in type `T` (`object.__new__(cls)`, `tuple.__new__(cls, items)`,
    /// what `super().__new__(cls, …)` reaches): an instance of the script class `cls` whose
    /// `__init__` has not run.
    static func newFunction(_ type: PyType) -> Value {
        .object(NativeFunction("\(type.name).__new__") { a, ev in
            guard let first = a.positional.first else {
                throw PyError(.typeError, "\(type.name).__new__(): not enough arguments")
            }
            guard case .object(let o) = first, let cls = o as? PyClass else {
                throw PyError(.typeError, "\(type.name).__new__(X): X is not a type object (\(first.typeName))")
            }
            guard cls.isSubclass(of: type) else {
                throw PyError(.typeError, "\(type.name).__new__(\(cls.name)): \(cls.name) is not a subtype of \(type.name)")
            }
            let rest = Arguments(Array(a.positional.dropFirst()), keywords: a.keywords)
            return try blankInstance(cls, rest, ev)
        })
    }

    /// What `object.__new__(cls)` / the base type's `__new__` makes for a script class `cls`.
    static func blankInstance(_ cls: PyClass, _ args: Arguments, _ ev: Evaluator) throws -> Value {
        if cls.nativeRoot?.derivedValueLayout != nil { return .object(try make(cls, args, ev)) }
        guard !cls.isModuleClass, !cls.isExceptionClass else {
            throw PyError(.notImplementedError, "__new__ of \(cls.name) is not supported by nnrepl")
        }
        return .object(PyInstance(cls: cls))
    }

    // MARK: - The base type's attributes

    /// `obj.name` (or `super().name`, `T.name(obj, …)`) of the base type `type` for an instance
    /// `obj` of a class deriving from it: the value's own attribute bound to the value, and the
    /// dunders that act on the instance (`__init__`, `__new__`, `__repr__`, `__eq__` …). nil when
    /// `instance` is not such an instance (or the value has no such attribute).
    static func baseAttribute(_ type: PyType, _ name: String, of instance: Value, _ ev: Evaluator) throws -> Value? {
        if name == "__new__" { return newFunction(type) }
        guard case .object(let o) = instance, let d = o as? DerivedValueInstance, type.isInstance(d.native) else { return nil }
        let interp = try Interpreter.of(ev)
        switch name {
        case "__init__":
            return builtinMethod(name) { a, ev in
                try d.initialise(a, ev)
                return .none
            }
        case "__repr__": return builtinMethod(name) { _, ev in .str(try d.nativeRepr(ev)) }
        case "__str__": return builtinMethod(name) { _, ev in .str(try ev.str(d.native)) }
        case "__eq__", "__ne__":
            return builtinMethod(name) { a, ev in
                let other = try a.bind(name, ["value"], required: 1)[0] ?? .none
                let eq = try valuesEqual(d.native, unwrap(other), ev)
                return .bool(name == "__eq__" ? eq : !eq)
            }
        case "__hash__": return builtinMethod(name) { _, _ in .int(try pythonHash(d.native)) }
        default: return try interp.attributeIfPresent(d.native, name)
        }
    }

    // MARK: - Protocols

    /// The value `hash()` and dict keys see: the immutable value itself; a mutable container's
    /// instance is unhashable, as its base (TypeError naming the class).
    func hashableValue() throws -> Value {
        if case .object(let o) = native, o is PyList || o is PyDict || (o as? PySet)?.frozen == false || o is PyDeque {
            throw PyError(.typeError, "unhashable type: '\(cls.name)'")
        }
        return native
    }

    /// The value's repr as CPython prints it for a subclass instance: a set, Counter,
    /// OrderedDict, defaultdict or deque names the class (`Bag({1, 2})`, `Bag()`).
    func nativeRepr(_ ev: Evaluator) throws -> String {
        let text = try ev.repr(native)
        guard case .object(let o) = native else { return text }
        if let s = o as? PySet, !s.frozen, s.count > 0 { return "\(cls.name)(\(text))" }
        let prefix = o.typeName + "("
        return text.hasPrefix(prefix) ? cls.name + "(" + text.dropFirst(prefix.count) : text
    }

    override func repr(_ ev: Evaluator) throws -> String {
        if cls.special(.repr) != nil { return try super.repr(ev) }
        return try nativeRepr(ev)
    }

    override func str(_ ev: Evaluator) throws -> String {
        if cls.special(.str) == nil, case .str(let s) = native { return s }
        return try super.str(ev)
    }

    override func truthiness(_ ev: Evaluator) throws -> Bool? {
        if cls.special(.bool) != nil || cls.special(.len) != nil { return try super.truthiness(ev) }
        return try ev.truthy(native)
    }

    override func length(_ ev: Evaluator) throws -> Int? {
        if cls.special(.len) != nil { return try super.length(ev) }
        switch native {
        case .str(let s): return s.codePointCount
        case .object(let o): return try o.length(ev)
        default: return nil
        }
    }

    override func iterate(_ ev: Evaluator) throws -> [Value]? {
        if cls.special(.iter) != nil { return try super.iterate(ev) }
        switch native {
        case .str, .object: return try ev.iterate(native)
        default: return nil
        }
    }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        if cls.special(.getitem) != nil { return try super.getItem(key, ev) }
        switch native {
        case .object(let o):
            if let d = o as? PyDict {
                if let v = try d.get(key) { return v }
                if let missing = cls.lookup("__missing__") { return try callSpecial(ev, missing, .object(self), key) }
            }
            return try (ev as? Interpreter)?.getItem(native, key)
        case .str: return try (ev as? Interpreter)?.getItem(native, key)
        default: return nil
        }
    }

    override func setItem(_ key: Value, _ value: Value, _ ev: Evaluator) throws -> Bool {
        if cls.special(.setitem) != nil { return try super.setItem(key, value, ev) }
        guard case .object(let o) = native else { return false }
        return try o.setItem(key, value, ev)
    }

    override func deleteItem(_ key: Value, _ ev: Evaluator) throws -> Bool {
        if cls.special(.delitem) != nil { return try super.deleteItem(key, ev) }
        guard case .object(let o) = native else { return false }
        return try o.deleteItem(key, ev)
    }

    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        if cls.special(.contains) != nil { return try super.contains(item, ev) }
        switch native {
        case .str, .object: return try (ev as? Interpreter)?.contains(native, item)
        default: return nil
        }
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if cls.special(.eq) != nil { return try super.equals(other, ev) }
        return try valuesEqual(native, DerivedValueInstance.unwrap(other), ev)
    }

    override func order(comparedTo other: Value, _ ev: Evaluator) throws -> Int? {
        // The class's own `__lt__` … come first (`ordered` asks them after this).
        for m in [SpecialMethod.lt, .le, .gt, .ge] where cls.special(m) != nil { return nil }
        guard let interp = ev as? Interpreter else { return nil }
        let o = DerivedValueInstance.unwrap(other)
        if try interp.ordered(.lt, native, o) { return -1 }
        return try interp.ordered(.gt, native, o) ? 1 : 0
    }

    override func binary(_ op: BinaryOperator, _ other: Value, reflected: Bool, _ ev: Evaluator) throws -> Value? {
        guard let interp = ev as? Interpreter else { return nil }
        let o = DerivedValueInstance.unwrap(other)
        return try reflected ? interp.binary(op, o, native) : interp.binary(op, native, o)
    }
}

/// The class statement's side: a class whose native root is a built-in value type is made by
/// this metaclass (`Cls(args)` runs `__new__` and `__init__` as `type.__call__` does).
final class DerivedValueClass: NativeMetaclass {
    static let shared = DerivedValueClass()

    override func call(_ cls: PyClass, _ args: Arguments, _ ev: Evaluator) throws -> Value? {
        try Interpreter.of(ev).instantiateThroughNew(cls, args)
    }
}

extension Interpreter {
    /// `type.__call__` for a class with a `__new__` (its own, or a built-in value base's): the
    /// instance `__new__(cls, *args)` returns, then, when it is an instance of `cls`, its
    /// `__init__(*args)` (the base's when no script class defines one).
    func instantiateThroughNew(_ cls: PyClass, _ args: Arguments) throws -> Value {
        let instance: Value
        if var new = cls.special(.constructor) {
            // `__new__` is a static method whether or not the class says so.
            if case .object(let o) = new, let w = o as? MethodWrapper, w.kind == .staticMethod { new = w.function }
            instance = try callValue(new, Arguments([.object(cls)] + args.positional, keywords: args.keywords))
            guard cls.isInstance(instance) else { return instance }
        } else {
            instance = try DerivedValueInstance.blankInstance(cls, args, self)
        }
        if let initFn = cls.special(.initializer) {
            let r = try callValue(initFn, receiver: instance, args)
            guard r.isNone else { throw PyError(.typeError, "__init__() should return None, not '\(r.typeName)'") }
        } else if case .object(let o) = instance, let d = o as? DerivedValueInstance {
            try d.initialise(args, self)
        }
        return instance
    }
}
