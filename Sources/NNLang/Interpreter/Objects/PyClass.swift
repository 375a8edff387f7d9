import NeuralNet

/// A class: a script `class` statement's result, or one of Python's built-in exception classes
/// (which scripts can subclass and raise). Single inheritance: `base` is another `PyClass`,
/// the `nn.Module` type (`ModuleBaseType`), or nil for `object`.
final class PyClass: PyType {
    let base: PyType?
    var dict: OrderedDict<String, Value>
    let moduleName: String

    init(name: String, base: PyType?, dict: OrderedDict<String, Value> = OrderedDict(), moduleName: String = "__main__") {
        self.base = base
        self.dict = dict
        self.moduleName = moduleName
        super.init(name: name)
    }

    var baseClass: PyClass? { base as? PyClass }

    /// The root of the chain that is not a script/exception class (nn.Module), if any.
    var nativeRoot: PyType? {
        var c: PyClass? = self
        while let k = c {
            if let b = k.base, !(b is PyClass) { return b }
            c = k.baseClass
        }
        return nil
    }

    var isModuleClass: Bool { nativeRoot is ModuleBaseType }
    var isExceptionClass: Bool { isSubclass(of: ExceptionClasses.baseException) }

    /// Looks `name` up along the class chain (starting at `self`).
    func lookup(_ name: String) -> Value? {
        var c: PyClass? = self
        while let k = c {
            if let v = k.dict[name] { return v }
            c = k.baseClass
        }
        return nil
    }

    /// Looks `name` up in the classes strictly above `self` (for `super()`).
    func lookupAbove(_ name: String) -> Value? { baseClass?.lookup(name) }

    override func isSubclass(of other: PyType) -> Bool {
        var c: PyType? = self
        while let k = c {
            if k === other { return true }
            c = (k as? PyClass)?.base
        }
        return false
    }

    override func isInstance(_ value: Value) -> Bool {
        guard let cls = classOf(value) else { return false }
        return cls.isSubclass(of: self)
    }

    override func repr(_ ev: Evaluator) throws -> String {
        moduleName == "builtins" ? "<class '\(name)'>" : "<class '\(moduleName).\(name)'>"
    }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        guard let interp = ev as? Interpreter else { throw PyError(.runtimeError, "no interpreter") }
        return try interp.instantiate(self, args)
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__name__", "__qualname__": return .str(self.name)
        case "__module__": return .str(moduleName)
        case "__bases__": return .object(PyTuple([base.map { .object($0) } ?? .object(BuiltinTypes.object)]))
        case "__base__": return base.map { .object($0) } ?? .object(BuiltinTypes.object)
        case "__dict__": return .object(try PyDict(dict.items.map { (.str($0.key), $0.value) }))
        case "__doc__": return dict["__doc__"] ?? Value.none
        case "mro", "__mro__":
            var chain: [Value] = []
            var c: PyType? = self
            while let k = c { chain.append(.object(k)); c = (k as? PyClass)?.base }
            chain.append(.object(BuiltinTypes.object))
            return name == "mro" ? builtinMethod(name) { _, _ in .object(PyList(chain)) } : .object(PyTuple(chain))
        default:
            if let v = lookup(name) {
                if case .object(let o) = v, let w = o as? MethodWrapper {
                    switch w.kind {
                    case .staticMethod: return w.function
                    case .classMethod: return .object(BoundMethod(function: w.function, receiver: .object(self)))
                    case .property: return v
                    }
                }
                return v
            }
            if let root = nativeRoot { return try root.getAttribute(name, ev) }
            return nil
        }
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        dict[name] = value
    }

    override func deleteAttribute(_ name: String, _ ev: Evaluator) throws {
        guard dict.removeValue(forKey: name) != nil else {
            throw PyError(.attributeError, "type object '\(self.name)' has no attribute '\(name)'")
        }
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .object(let o) = other { return o === self }
        return false
    }

    override func attributeNames() -> [String] {
        var names: [String] = []
        var c: PyClass? = self
        while let k = c { names += k.dict.keys; c = k.baseClass }
        return names + ["__name__", "__module__", "__dict__", "mro"]
    }
}

/// An instance of a script class (not deriving from nn.Module or an exception class).
class PyInstance: PyObject {
    let cls: PyClass
    var dict = OrderedDict<String, Value>()

    init(cls: PyClass) {
        self.cls = cls
        super.init()
    }

    override var typeName: String { cls.name }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        try instanceAttribute(.object(self), cls: cls, dict: dict, name, ev) {
            try (ev as? Interpreter)?.objectMethod(.object(self), name)
        }
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        if try setViaProperty(.object(self), cls: cls, name, value, ev) { return }
        dict[name] = value
    }

    override func deleteAttribute(_ name: String, _ ev: Evaluator) throws {
        guard dict.removeValue(forKey: name) != nil else {
            throw PyError(.attributeError, "'\(typeName)' object has no attribute '\(name)'")
        }
    }

    override func attributeNames() -> [String] { dict.keys + cls.attributeNames().filter { !$0.hasPrefix("__") } }

    // Dunder protocol: each operation calls the class's method when it defines one.

    private func dunder(_ name: String, _ args: [Value], _ ev: Evaluator) throws -> Value? {
        guard let f = cls.lookup(name) else { return nil }
        if case .object(let o) = f, o is NativeMethod { return nil }
        return try ev.call(f, Arguments([.object(self)] + args))
    }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        guard let f = cls.lookup("__call__") else { return try super.call(args, ev) }
        var a = args
        a.positional.insert(.object(self), at: 0)
        return try ev.call(f, a)
    }

    override func repr(_ ev: Evaluator) throws -> String {
        if let r = try dunder("__repr__", [], ev) { return try dunderString(r, "__repr__") }
        return "<\(cls.moduleName).\(cls.name) object at \(addressString(self))>"
    }

    override func str(_ ev: Evaluator) throws -> String {
        if let r = try dunder("__str__", [], ev) { return try dunderString(r, "__str__") }
        return try repr(ev)
    }

    override func truthiness(_ ev: Evaluator) throws -> Bool? {
        if let r = try dunder("__bool__", [], ev) {
            guard case .bool(let b) = r else { throw PyError(.typeError, "__bool__ should return bool, returned \(r.typeName)") }
            return b
        }
        if let n = try length(ev) { return n != 0 }
        return true
    }

    override func length(_ ev: Evaluator) throws -> Int? {
        guard let r = try dunder("__len__", [], ev) else { return nil }
        guard case .int(let n) = r else { throw PyError(.typeError, "'\(r.typeName)' object cannot be interpreted as an integer") }
        if n < 0 { throw PyError(.valueError, "__len__() should return >= 0") }
        return n
    }

    override func iterate(_ ev: Evaluator) throws -> [Value]? {
        if let it = try dunder("__iter__", [], ev) {
            if case .object(let o) = it, o === self {
                guard let next = try getAttribute("__next__", ev) else {
                    throw PyError(.typeError, "iter() returned non-iterator of type '\(typeName)'")
                }
                return try ProtocolIterator(nextMethod: next).iterate(ev)
            }
            return try ev.iterate(it)
        }
        if cls.lookup("__getitem__") != nil {
            var out: [Value] = []
            var i = 0
            while true {
                do { out.append(try getItem(.int(i), ev) ?? .none) } catch let e as ScriptError where e.exception.cls.isSubclass(of: ExceptionClasses.named["IndexError"] ?? ExceptionClasses.exception) {
                    return out
                }
                i += 1
            }
        }
        return nil
    }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? { try dunder("__getitem__", [key], ev) }

    override func setItem(_ key: Value, _ value: Value, _ ev: Evaluator) throws -> Bool {
        try dunder("__setitem__", [key, value], ev) != nil
    }

    override func deleteItem(_ key: Value, _ ev: Evaluator) throws -> Bool {
        try dunder("__delitem__", [key], ev) != nil
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard let r = try dunder("__eq__", [other], ev) else { return nil }
        if case .object(let o) = r, o === NotImplemented.shared { return nil }
        return try ev.truthy(r)
    }

    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        guard let r = try dunder("__contains__", [item], ev) else { return nil }
        return try ev.truthy(r)
    }
}

/// Python's `NotImplemented` singleton (returned by binary dunders).
final class NotImplemented: PyObject {
    static let shared = NotImplemented()
    override var typeName: String { "NotImplementedType" }
    override func repr(_ ev: Evaluator) throws -> String { "NotImplemented" }
}

func dunderString(_ v: Value, _ name: String) throws -> String {
    guard case .str(let s) = v else { throw PyError(.typeError, "\(name) returned non-string (type \(v.typeName))") }
    return s
}

/// The script class of a value, when it has one.
func classOf(_ value: Value) -> PyClass? {
    switch value {
    case .object(let o): return (o as? PyInstance)?.cls
    case .module(let m): return (m as? ScriptModule)?.cls
    default: return nil
    }
}

/// Attribute lookup on a script object: properties, the instance dict, class attributes
/// (functions bind to the receiver), then `__getattr__`. nil when not found.
func instanceAttribute(_ receiver: Value, cls: PyClass, dict: OrderedDict<String, Value>, _ name: String,
                       _ ev: Evaluator, fallback: (() throws -> Value?)? = nil) throws -> Value? {
    if name == "__class__" { return .object(cls) }
    if name == "__dict__" { return .object(try PyDict(dict.items.map { (.str($0.key), $0.value) })) }
    let classValue = cls.lookup(name)
    if let cv = classValue, case .object(let o) = cv, let w = o as? MethodWrapper, w.kind == .property {
        return try ev.call(w.function, Arguments([receiver]))
    }
    if let v = dict[name] { return v }
    if let cv = classValue { return bindClassAttribute(cv, to: receiver, cls: cls) }
    if let v = try fallback?() { return v }
    if let getattr = cls.lookup("__getattr__") {
        return try ev.call(getattr, Arguments([receiver, .str(name)]))
    }
    return nil
}

/// A class attribute as seen through an instance: functions become bound methods.
func bindClassAttribute(_ v: Value, to receiver: Value, cls: PyClass) -> Value {
    guard case .object(let o) = v else { return v }
    if o is PyFunction { return .object(BoundMethod(function: v, receiver: receiver)) }
    if let n = o as? NativeMethod { return n.bind(receiver) }
    if let w = o as? MethodWrapper {
        switch w.kind {
        case .staticMethod: return w.function
        case .classMethod: return .object(BoundMethod(function: w.function, receiver: .object(cls)))
        case .property: return v
        }
    }
    return v
}

/// Runs a property setter if `name` is a property of `cls`; true when it handled the assignment.
func setViaProperty(_ receiver: Value, cls: PyClass, _ name: String, _ value: Value, _ ev: Evaluator) throws -> Bool {
    guard let cv = cls.lookup(name), case .object(let o) = cv, let w = o as? MethodWrapper, w.kind == .property else {
        return false
    }
    guard let setter = w.setter else { throw PyError(.attributeError, "property '\(name)' of '\(cls.name)' object has no setter") }
    _ = try ev.call(setter, Arguments([receiver, value]))
    return true
}

/// `super()` / `super(Cls, obj)`: attribute lookup starting above `cls`, bound to `receiver`.
final class PySuper: PyObject {
    let cls: PyClass
    let receiver: Value

    init(cls: PyClass, receiver: Value) {
        self.cls = cls
        self.receiver = receiver
        super.init()
    }

    override var typeName: String { "super" }

    override func repr(_ ev: Evaluator) throws -> String { "<super: <class '\(cls.name)'>, <\(receiver.typeName) object>>" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        if let v = cls.lookupAbove(name) { return bindClassAttribute(v, to: receiver, cls: cls) }
        guard let interp = ev as? Interpreter else { return nil }
        return try interp.nativeBaseAttribute(of: cls, receiver: receiver, name)
    }
}
