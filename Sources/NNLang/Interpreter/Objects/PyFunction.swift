/// A function defined by a script (`def` or `lambda`).
final class PyFunction: PyObject {
    let code: FunctionCode
    /// What a call reads from `code`, fixed when the function is made (see `FunctionCode.Entry`).
    let entry: FunctionCode.Entry
    /// Defaults of the positional parameters (nil = required), evaluated at `def` time.
    private(set) var defaults: [Value?]
    private(set) var keywordDefaults: [Value?]
    let closure: [Cell]
    var name: String
    var qualifiedName: String
    var attributes: [String: Value] = [:]
    /// The class whose body defined this function (for zero-argument `super()`, CPython's
    /// `__class__` cell). Strong, as CPython's cell is: a weak reference would put every class
    /// on Swift's slow reference-counting path (a side table), and a function may outlive the
    /// class statement's name. The class → dict → function → class cycle keeps a script class
    /// alive for the session.
    var definingClass: PyClass?
    /// The dict a script assigned to `__kwdefaults__` (read back as the same object, as
    /// CPython's; its later changes do not reach the defaults, which were read when assigned).
    private var assignedKeywordDefaults: Value?

    init(code: FunctionCode, defaults: [Value?], keywordDefaults: [Value?], closure: [Cell], qualifiedName: String) {
        self.code = code
        self.entry = code.entry
        self.defaults = defaults
        self.keywordDefaults = keywordDefaults
        self.closure = closure
        self.name = code.name
        self.qualifiedName = qualifiedName
        super.init()
    }

    deinit {
        if !defaults.isEmpty { DeferredRelease.release(&defaults, to: []) }
        if !keywordDefaults.isEmpty { DeferredRelease.release(&keywordDefaults, to: []) }
        if !attributes.isEmpty { DeferredRelease.release(&attributes, to: [:]) }
    }

    override var typeName: String { "function" }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        guard let interp = interpreter(ev) else { throw PyError(.runtimeError, "no interpreter") }
        return try interp.callFunction(self, args)
    }

    override func repr(_ ev: Evaluator) throws -> String { "<function \(qualifiedName) at \(addressString(self))>" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__name__": return .str(self.name)
        case "__qualname__": return .str(qualifiedName)
        case "__module__": return .str("__main__")
        case "__defaults__":
            let d = defaults.compactMap { $0 }
            return d.isEmpty ? Value.none : .object(PyTuple(d))
        case "__kwdefaults__":
            if let assigned = assignedKeywordDefaults { return assigned }
            var pairs: [(Value, Value)] = []
            for (param, d) in zip(code.keywordOnly, keywordDefaults) { if let d { pairs.append((.str(param.name), d)) } }
            return pairs.isEmpty ? Value.none : .object(try PyDict(pairs))
        case "__doc__": return attributes["__doc__"] ?? code.doc.map { .str($0) } ?? Value.none
        case "__annotations__":
            // Made empty on first use when the def has no annotations, as CPython's.
            if let a = attributes[name] { return a }
            let empty: Value = .object(PyDict())
            attributes[name] = empty
            return empty
        default: return attributes[name]
        }
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        switch name {
        case "__name__": self.name = try value.asString("__name__")
        case "__qualname__": qualifiedName = try value.asString("__qualname__")
        case "__defaults__": defaults = try positionalDefaults(value)
        case "__kwdefaults__":
            keywordDefaults = try keywordOnlyDefaults(value)
            assignedKeywordDefaults = value.isNone ? nil : value
        default: attributes[name] = value
        }
    }

    /// `f.__defaults__ = (v, ...)`: the values become the defaults of the last positional
    /// parameters (None: no defaults), as CPython's `func_set_defaults`.
    private func positionalDefaults(_ value: Value) throws -> [Value?] {
        let given: [Value]
        if value.isNone {
            given = []
        } else if case .object(let o) = value, let t = o as? PyTuple {
            given = t.items
        } else {
            throw PyError(.typeError, "__defaults__ must be set to a tuple object")
        }
        let count = code.positional.count
        let used = given.suffix(count)
        return [Value?](repeating: nil, count: count - used.count) + used.map { Optional($0) }
    }

    /// `f.__kwdefaults__ = {name: v}`: defaults of the keyword-only parameters named (None: none).
    private func keywordOnlyDefaults(_ value: Value) throws -> [Value?] {
        if value.isNone { return [Value?](repeating: nil, count: code.keywordOnly.count) }
        guard case .object(let o) = value, let d = o as? PyDict else {
            throw PyError(.typeError, "__kwdefaults__ must be set to a dict object")
        }
        return try code.keywordOnly.map { try d.get(.str($0.name)) }
    }

    override func attributeNames() -> [String] { ["__annotations__", "__name__", "__qualname__", "__module__", "__defaults__", "__kwdefaults__"] + attributes.keys.sorted() }
}

/// A function bound to an instance (`obj.method`).
final class BoundMethod: PyObject {
    private(set) var function: Value
    private(set) var receiver: Value

    init(function: Value, receiver: Value) {
        self.function = function
        self.receiver = receiver
        super.init()
    }

    deinit {
        DeferredRelease.release(&function, to: .none)
        DeferredRelease.release(&receiver, to: .none)
    }

    override var typeName: String { "method" }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        try callWithReceiver(ev, function, receiver, args)
    }

    override func repr(_ ev: Evaluator) throws -> String {
        var name = "?"
        if case .object(let o) = function, let f = o as? PyFunction { name = f.qualifiedName }
        return "<bound method \(name) of \(try ev.repr(receiver))>"
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__self__": return receiver
        case "__func__": return function
        default: return try ev.getAttribute(function, name)
        }
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .object(let o) = other, let m = o as? BoundMethod else { return false }
        return identical(m.function, function) && identical(m.receiver, receiver)
    }
}

/// A function implemented in Swift (builtins and methods of built-in objects).
final class BuiltinFunction: PyObject {
    let name: String
    let body: (Arguments, Evaluator) throws -> Value
    /// The entry for one or two positional arguments, if the function has one (a `let`: a call
    /// reads it in place, without copying it).
    let direct: DirectEntry?

    init(_ name: String, direct: DirectEntry? = nil, _ body: @escaping (Arguments, Evaluator) throws -> Value) {
        self.name = name
        self.body = body
        self.direct = direct
        super.init()
    }

    override var typeName: String { "builtin_function_or_method" }
    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value { try body(args, ev) }
    override func repr(_ ev: Evaluator) throws -> String { "<built-in function \(name)>" }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        name == "__name__" || name == "__qualname__" ? .str(self.name) : nil
    }
}

/// A method implemented in Swift that lives in a class (`BaseException.__init__`,
/// `object.__repr__` …); binds its receiver like a script function.
final class NativeMethod: PyObject {
    let name: String
    let body: (Value, Arguments, Evaluator) throws -> Value

    init(_ name: String, _ body: @escaping (Value, Arguments, Evaluator) throws -> Value) {
        self.name = name
        self.body = body
        super.init()
    }

    override var typeName: String { "method_descriptor" }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        guard let receiver = args.positional.first else {
            throw PyError(.typeError, "descriptor '\(name)' needs an argument")
        }
        return try body(receiver, Arguments(Array(args.positional.dropFirst()), keywords: args.keywords), ev)
    }

    func bind(_ receiver: Value) -> Value {
        .object(BuiltinFunction(name) { a, ev in try self.body(receiver, a, ev) })
    }

    override func repr(_ ev: Evaluator) throws -> String { "<method '\(name)' of 'object' objects>" }
}

/// `staticmethod(f)`, `classmethod(f)` and `property(fget, fset, fdel)` wrappers stored in class bodies.
final class MethodWrapper: PyObject {
    enum Kind { case staticMethod, classMethod, property }
    let kind: Kind
    let function: Value
    var setter: Value?
    /// A property's `fdel` (`@x.deleter`), run by `del obj.x`.
    var deleter: Value?

    init(_ kind: Kind, _ function: Value, setter: Value? = nil, deleter: Value? = nil) {
        self.kind = kind
        self.function = function
        self.setter = setter
        self.deleter = deleter
        super.init()
    }

    override var typeName: String {
        switch kind {
        case .staticMethod: return "staticmethod"
        case .classMethod: return "classmethod"
        case .property: return "property"
        }
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch (kind, name) {
        case (.property, "setter"):
            return builtinMethod(name) { a, _ in
                let s = try a.bind("setter", ["fset"], required: 1)
                return .object(MethodWrapper(.property, self.function, setter: s[0], deleter: self.deleter))
            }
        case (.property, "deleter"):
            return builtinMethod(name) { a, _ in
                let s = try a.bind("deleter", ["fdel"], required: 1)
                return .object(MethodWrapper(.property, self.function, setter: self.setter, deleter: s[0]))
            }
        case (.property, "fset"): return setter ?? .none
        case (.property, "fdel"): return deleter ?? .none
        case (.property, "fget"), (_, "__func__"): return function
        default: return nil
        }
    }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        guard kind == .staticMethod else { return try super.call(args, ev) }
        return try ev.call(function, args)
    }
}

/// Whether two values are the same object (Python's `is`).
public func identical(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.none, .none): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern
    case (.str(let x), .str(let y)): return codePointsEqual(x, y)
    case (.tensor(let x), .tensor(let y)): return x === y
    case (.module(let x), .module(let y)): return x === y
    case (.object(let x), .object(let y)): return x === y
    default: return false
    }
}
