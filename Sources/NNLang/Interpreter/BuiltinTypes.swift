import TensorRuntime
import NeuralNet

/// A built-in type object (`int`, `list`, `dict` …): callable to convert/construct, and the
/// target of `isinstance`.
final class BuiltinType: PyType {
    let check: (Value) -> Bool
    let construct: ((Arguments, Interpreter) throws -> Value)?
    /// `construct`'s entry for one or two positional arguments (`str(x)`), if it has one.
    let direct: DirectEntry?
    let parent: BuiltinType?
    var classMethods: [String: (Arguments, Interpreter) throws -> Value] = [:]

    init(_ name: String, parent: BuiltinType? = nil, derivedLayout: DerivedValueLayout? = nil, check: @escaping (Value) -> Bool,
         construct: ((Arguments, Interpreter) throws -> Value)? = nil, direct: DirectEntry? = nil) {
        self.check = check
        self.construct = construct
        self.direct = direct
        self.parent = parent
        super.init(name: name)
        derivedValueLayout = derivedLayout
    }

    override var scriptsMayDerive: Bool { derivedValueLayout != nil }

    override func instanceAttribute(_ name: String, of instance: Value, _ ev: Evaluator) throws -> Value? {
        try DerivedValueInstance.baseAttribute(self, name, of: instance, ev)
    }

    /// `Sub.fromkeys(…)` / `Sub.from_bytes(…)` on a script class deriving from this type: CPython's
    /// alternate constructors make the subclass, `Sub()` filled through `__setitem__` for a dict,
    /// else `Sub(value)`.
    override func classAttribute(_ name: String, of subclass: PyType, _ ev: Evaluator) throws -> Value? {
        guard subclass !== self, let m = classMethods[name], let cls = subclass as? PyClass else { return try getAttribute(name, ev) }
        return builtinMethod(name) { a, ev in
            let interp = try Interpreter.of(ev)
            let made = try m(a, interp)
            guard let pairs = interp.mappingItems(made) else { return try interp.instantiate(cls, Arguments([made])) }
            let instance = try interp.instantiate(cls, Arguments())
            for (k, v) in pairs { try interp.setItem(instance, k, v) }
            return instance
        }
    }

    override func isInstance(_ value: Value) -> Bool { check(value) }

    override func isSubclass(of other: PyType) -> Bool {
        if other === self || other === BuiltinTypes.object { return true }
        return parent?.isSubclass(of: other) ?? false
    }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        guard let construct, let interp = interpreter(ev) else {
            throw PyError(.typeError, "cannot create '\(name)' instances")
        }
        return try construct(args, interp)
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__name__", "__qualname__": return .str(self.name)
        case "__module__": return .str("builtins")
        case "__new__": return DerivedValueInstance.newFunction(self)
        case "__dict__":
            // `vars(dict)`: the type's attributes by name (CPython's mappingproxy).
            return .object(try PyDict(try attributeNames().map { (.str($0), try getAttribute($0, ev) ?? .none) }))
        default:
            if let m = classMethods[name] {
                return builtinMethod(name) { a, ev in
                    guard let interp = ev as? Interpreter else { return .none }
                    return try m(a, interp)
                }
            }
            // Unbound methods: `str.upper(s)`, `list.append(l, x)`.
            return .object(BuiltinFunction("\(self.name).\(name)") { a, ev in
                guard let receiver = a.positional.first else {
                    throw PyError(.typeError, "unbound method \(self.name).\(name)() needs an argument")
                }
                // `object.__setattr__(self, k, v)` inside a class's own `__setattr__` must reach
                // object's method, not the instance's (which is the caller); so must
                // `dict.__setitem__(self, k, v)` in a dict subclass's `__setitem__`.
                let own = self === BuiltinTypes.object ? try (ev as? Interpreter)?.objectMethod(receiver, name)
                    : try self.instanceAttribute(name, of: receiver, ev)
                let bound = try own ?? ev.getAttribute(receiver, name)
                return try ev.call(bound, Arguments(Array(a.positional.dropFirst()), keywords: a.keywords))
            })
        }
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .object(let o) = other { return o === self }
        return false
    }

    override func attributeNames() -> [String] {
        var names = ["__class__", "__doc__", "__init__", "__name__", "__repr__", "__str__"] + classMethods.keys
        switch name {
        case "list": names += PyList.methods.keys
        case "dict": names += PyDict.methods.keys
        case "set", "frozenset": names += PySet.methods.keys
        case "str": names += Interpreter.stringMethodNames
        case "bytes": names += PyBytes.methods.keys
        case "tuple": names += ["count", "index"]
        default: break
        }
        return names.sorted()
    }
}

private func isObject<T>(_ v: Value, _ type: T.Type) -> Bool {
    if case .object(let o) = v { return o is T }
    return false
}

/// The built-in type objects.
enum BuiltinTypes {
    static let object = BuiltinType("object", check: { _ in true }, construct: { a, _ in
        _ = try a.bind("object", [])
        return .object(PlainObject())
    })
    static let int = BuiltinType("int", derivedLayout: .madeByNew, check: {
        if case .int = $0 { return true }
        if case .bool = $0 { return true }
        return false
    }, construct: { a, i in try i.makeInt(a) }, direct: .one { x, i in
        if case .int = x { return x }
        if case .float(let d) = x { return .int(try i.floatToInt(d)) }
        return try i.makeInt(Arguments([x]))
    })
    static let bool = BuiltinType("bool", parent: int, check: { if case .bool = $0 { return true } else { return false } },
                                  construct: { a, i in
        let s = try a.bind("bool", ["x"])
        return .bool(try s[0].map { try i.truthy($0) } ?? false)
    })
    static let float = BuiltinType("float", derivedLayout: .madeByNew, check: { if case .float = $0 { return true } else { return false } },
                                   construct: { a, i in try i.makeFloat(a) }, direct: .one { x, i in
        if case .float = x { return x }
        if case .int(let n) = x { return .float(Double(n)) }
        return try i.makeFloat(Arguments([x]))
    })
    static let str = BuiltinType("str", derivedLayout: .madeByNew, check: { if case .str = $0 { return true } else { return false } },
                                 construct: { a, i in
        if a.keywords.isEmpty, a.positional.count == 1 { return .str(try i.str(a.positional[0])) }
        let s = try a.bind("str", ["object"])
        return .str(try s[0].map { try i.str($0) } ?? "")
    }, direct: .one { x, i in .str(try i.str(x)) })
    static let list = BuiltinType("list", derivedLayout: .filledByInit, check: { isObject($0, PyList.self) }, construct: { a, i in
        let s = try a.bind("list", ["iterable"])
        return .object(PyList(try s[0].map { try i.iterate($0) } ?? []))
    })
    /// Namedtuples of both kinds are tuples too.
    static let tuple = BuiltinType("tuple", derivedLayout: .madeByNew, check: {
        if case .object(let o) = $0 { return o is PyTuple || o is NamedTupleValue || o is NamedTupleInstance }
        return false
    }, construct: { a, i in
        let s = try a.bind("tuple", ["iterable"])
        return .object(PyTuple(try s[0].map { try i.iterate($0) } ?? []))
    })
    static let dict = BuiltinType("dict", derivedLayout: .filledByInit, check: {
        if case .object(let o) = $0, let d = o as? PyDict { return !d.ordered || true }
        return false
    }, construct: { a, i in
        let d = PyDict()
        try d.update(from: a, i, function: "dict")
        return .object(d)
    })
    static let set = BuiltinType("set", derivedLayout: .filledByInit, check: {
        if case .object(let o) = $0, let s = o as? PySet { return !s.frozen }
        return false
    }, construct: { a, i in
        let s = try a.bind("set", ["iterable"])
        let result = try PySet()
        if let iterable = s[0] { try result.update(from: iterable, i) }
        return .object(result)
    })
    static let frozenset = BuiltinType("frozenset", derivedLayout: .madeByNew, check: {
        if case .object(let o) = $0, let s = o as? PySet { return s.frozen }
        return false
    }, construct: { a, i in
        let s = try a.bind("frozenset", ["iterable"])
        if case .object(let o as PySet)? = s[0], o.frozen { return .object(o) }
        let result = try PySet(frozen: true)
        if let iterable = s[0] { try result.update(from: iterable, i) }
        return .object(result)
    })
    static let range = BuiltinType("range", check: { isObject($0, PyRange.self) }, construct: { a, i in try i.makeRange(a) },
                                   direct: .one { stop, i in .object(PyRange(start: 0, stop: try i.rangeBound(stop), step: 1)) })
    static let slice = BuiltinType("slice", check: { isObject($0, PySlice.self) }, construct: { a, _ in
        switch a.positional.count {
        case 1: return .object(PySlice(.none, a.positional[0], .none))
        case 2: return .object(PySlice(a.positional[0], a.positional[1], .none))
        case 3: return .object(PySlice(a.positional[0], a.positional[1], a.positional[2]))
        default: throw PyError(.typeError, "slice expected at least 1 argument, got \(a.positional.count)")
        }
    })
    static let bytes = BuiltinType("bytes", check: { isObject($0, PyBytes.self) }, construct: { a, i in try PyBytes.construct(a, i) })
    static let noneType = BuiltinType("NoneType", check: { $0.isNone }, construct: { _, _ in .none })
    static let type = BuiltinType("type", check: { isObject($0, PyType.self) }, construct: { a, i in
        guard a.positional.count == 1 else {
            throw PyError(.notImplementedError, "type() with 3 arguments is not supported by nnrepl")
        }
        return .object(i.typeObject(a.positional[0]))
    })
    static let function = BuiltinType("function", check: { isObject($0, PyFunction.self) })
    static let method = BuiltinType("method", check: { isObject($0, BoundMethod.self) })
    static let builtinFunction = BuiltinType("builtin_function_or_method", check: { isObject($0, BuiltinFunction.self) })
    static let generator = BuiltinType("generator", check: {
        if case .object(let o) = $0 {
            if let a = o as? ArrayIterator { return a.kind == "generator" }
            return o is PyGenerator
        }
        return false
    })

    static let all: [BuiltinType] = [object, int, bool, float, str, bytes, list, tuple, dict, set, frozenset, range, slice, type]

    /// The built-in types of interpreter objects, for `type(x)`: the first whose check accepts x.
    static let objectTypes: [BuiltinType] = [list, tuple, set, frozenset, range, slice, type, function, method, builtinFunction, generator, bytes]
}

/// `object()`: a featureless instance.
final class PlainObject: PyObject {
    override var typeName: String { "object" }
    override func repr(_ ev: Evaluator) throws -> String { "<object object at \(addressString(self))>" }
}

extension Interpreter {
    /// `type(v)`.
    func typeObject(_ v: Value) -> PyType {
        switch v {
        case .none: return BuiltinTypes.noneType
        case .bool: return BuiltinTypes.bool
        case .int: return BuiltinTypes.int
        case .float: return BuiltinTypes.float
        case .str: return BuiltinTypes.str
        case .tensor(let t):
            if let torch = try? host.importModule(t.isParameter ? "torch.nn" : "torch", self),
               let tv = try? lookupAttribute(torch, t.isParameter ? "Parameter" : "Tensor"),
               case .object(let o) = tv, let type = o as? PyType {
                return type
            }
            let isParameter = t.isParameter
            return syntheticType(isParameter ? "Parameter" : "Tensor", key: isParameter ? "Parameter" : "Tensor") {
                if case .tensor(let x) = $0 { return x.isParameter == isParameter } else { return false }
            }
        case .module(let m):
            if let sm = m as? ScriptModule { return sm.cls }
            return host.moduleType(m) ?? ModuleBaseType.shared
        case .object(let o):
            if let inst = o as? PyInstance { return inst.cls }
            if let tuple = o as? NamedTupleValue { return tuple.type }
            if o is PyClass || o is BuiltinType || o is ModuleBaseType { return BuiltinTypes.type }
            if let d = o as? PyDict, case .plain = d.flavor { return BuiltinTypes.dict }
            if let builtin = BuiltinTypes.objectTypes.first(where: { $0.check(v) }) { return builtin }
            if let declared = host.objectType(v) { return declared }
            if let io = [IOModule.stringIO, IOModule.bytesIO].first(where: { $0.isInstance(v) }) { return io }
            // Other objects: one type per Swift class (and per name within a class that has
            // several, such as PyDict's OrderedDict/defaultdict/Counter), checked by class identity.
            let cls = type(of: o), name = o.typeName
            return syntheticType(name, key: "\(ObjectIdentifier(cls)) \(name)") {
                if case .object(let x) = $0 { return type(of: x) == cls && x.typeName == name } else { return false }
            }
        }
    }

    private func syntheticType(_ name: String, key: String, check: @escaping (Value) -> Bool) -> PyType {
        if let t = Interpreter.synthetic[key] { return t }
        let t = BuiltinType(name, check: check)
        Interpreter.synthetic[key] = t
        return t
    }

    nonisolated(unsafe) private static var synthetic: [String: BuiltinType] = [:]

    /// `int(x)`, `int(s, base)`.
    func makeInt(_ a: Arguments) throws -> Value {
        let s = try a.bind("int", ["x", "base"])
        guard let x = s[0] else { return .int(0) }
        if let baseValue = s[1] {
            let base = try baseValue.asInt()
            guard case .str(let text) = x else { throw PyError(.typeError, "int() can't convert non-string with explicit base") }
            return .int(try parseInt(text, base: base))
        }
        switch x {
        case .int: return x
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d): return .int(try floatToInt(d))
        case .str(let text): return .int(try parseInt(text, base: 10))
        case .tensor(let t):
            guard t.numel == 1 else { throw PyError(.valueError, "only one element tensors can be converted to Python scalars") }
            let d = try t.item().doubleValue
            return .int(try floatToInt(d))
        default:
            if let cls = classOf(x), let fn = cls.lookup("__int__") { return try callValue(fn, Arguments([x])) }
            if let v = x.carriedValue { return try makeInt(Arguments([v])) }
            throw PyError(.typeError, "int() argument must be a string, a bytes-like object or a real number, not '\(x.typeName)'")
        }
    }

    func floatToInt(_ d: Double) throws -> Int {
        if d.isNaN { throw PyError(.valueError, "cannot convert float NaN to integer") }
        if d.isInfinite { throw PyError(.overflowError, "cannot convert float infinity to integer") }
        let t = d.rounded(.towardZero)
        guard t >= -9.223372036854775808e18 && t < 9.223372036854775808e18 else {
            throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit")
        }
        return Int(t)
    }

    private func parseInt(_ text: String, base: Int) throws -> Int {
        // `int("12")`: a plain decimal literal (sign and ASCII digits) in range, without
        // Foundation's trimming and replacing below.
        if base == 10, let n = Int(text) { return n }
        var invalid: PyError { PyError(.valueError, "invalid literal for int() with base \(base): \(pythonStringRepr(text))") }
        var s = text.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "_", with: "")
        var negative = false
        if s.hasPrefix("-") { negative = true; s.removeFirst() } else if s.hasPrefix("+") { s.removeFirst() }
        var b = base
        let lower = s.lowercased()
        if (b == 16 || b == 0) && lower.hasPrefix("0x") { s.removeFirst(2); b = 16 }
        else if (b == 8 || b == 0) && lower.hasPrefix("0o") { s.removeFirst(2); b = 8 }
        else if (b == 2 || b == 0) && lower.hasPrefix("0b") { s.removeFirst(2); b = 2 }
        if b == 0 { b = 10 }
        guard b >= 2 && b <= 36 else { throw PyError(.valueError, "int() base must be >= 2 and <= 36, or 0") }
        guard !s.isEmpty, let magnitude = UInt(s, radix: b) else { throw invalid }
        if negative {
            guard magnitude <= UInt(Int.max) + 1 else { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
            return magnitude == UInt(Int.max) + 1 ? Int.min : -Int(magnitude)
        }
        guard magnitude <= UInt(Int.max) else { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
        return Int(magnitude)
    }

    /// `float(x)`.
    func makeFloat(_ a: Arguments) throws -> Value {
        let s = try a.bind("float", ["x"])
        guard let x = s[0] else { return .float(0) }
        switch x {
        case .float: return x
        case .int(let i): return .float(Double(i))
        case .bool(let b): return .float(b ? 1 : 0)
        case .str(let text):
            // `float("0.5")`: digits, signs, a point and exponents only (Swift reads those as
            // Python does), without Foundation's trimming and replacing below.
            if text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 43 || $0 == 45 || $0 == 46 || $0 == 101 || $0 == 69 }),
               let d = Double(text) {
                return .float(d)
            }
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().replacingOccurrences(of: "_", with: "")
            switch t {
            case "inf", "+inf", "infinity", "+infinity": return .float(.infinity)
            case "-inf", "-infinity": return .float(-.infinity)
            case "nan", "+nan", "-nan": return .float(.nan)
            default:
                if let d = Double(t), !t.contains("x"), !t.isEmpty { return .float(d) }
                throw PyError(.valueError, "could not convert string to float: \(pythonStringRepr(text))")
            }
        case .tensor(let t):
            guard t.numel == 1 else { throw PyError(.valueError, "only one element tensors can be converted to Python scalars") }
            return .float(try t.item().doubleValue)
        default:
            if let cls = classOf(x), let fn = cls.lookup("__float__") { return try callValue(fn, Arguments([x])) }
            if let v = x.carriedValue { return try makeFloat(Arguments([v])) }
            throw PyError(.typeError, "float() argument must be a string or a real number, not '\(x.typeName)'")
        }
    }

    /// `range(stop)`, `range(start, stop[, step])`.
    /// One of `range`'s arguments as an int.
    func rangeBound(_ v: Value) throws -> Int {
        switch v {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        case .tensor: return try v.asInt()
        default: throw PyError(.typeError, "'\(v.typeName)' object cannot be interpreted as an integer")
        }
    }

    func makeRange(_ a: Arguments) throws -> Value {
        guard a.keywords.isEmpty else { throw PyError(.typeError, "range() takes no keyword arguments") }
        let ints = try a.positional.map { try rangeBound($0) }
        switch ints.count {
        case 1: return .object(PyRange(start: 0, stop: ints[0], step: 1))
        case 2: return .object(PyRange(start: ints[0], stop: ints[1], step: 1))
        case 3:
            if ints[2] == 0 { throw PyError(.valueError, "range() arg 3 must not be zero") }
            return .object(PyRange(start: ints[0], stop: ints[1], step: ints[2]))
        case 0: throw PyError(.typeError, "range expected at least 1 argument, got 0")
        default: throw PyError(.typeError, "range expected at most 3 arguments, got \(ints.count)")
        }
    }
}
