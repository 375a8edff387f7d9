import TensorRuntime
import NeuralNet

// Attribute access, subscripts, len, repr and str for every kind of value.
extension Interpreter {
    public func getAttribute(_ v: Value, _ name: String) throws -> Value {
        try getAttribute(v, name, cache: nil)
    }

    /// `getattr(v, name)`; `cache` is the attribute site's class-lookup cache, if any.
    func getAttribute(_ v: Value, _ name: String, cache: AttributeSiteCache?) throws -> Value {
        if let r = try lookupAttribute(v, name, cache: cache) { return r }
        // Every value has `__class__` (`type(v)`); values whose own lookup knows it answered above.
        if name == "__class__" { return .object(typeObject(v)) }
        if let m = containerDunder(v, name) { return m }
        var e: PyError
        if case .object(let o) = v, let cls = o as? PyType {
            e = PyError(.attributeError, "type object '\(cls.name)' has no attribute '\(name)'")
        } else if case .object(let o) = v, let module = o as? Namespace {
            let modName = module.name
            e = PyError(.attributeError, "module '\(modName)' has no attribute '\(name)'")
        } else {
            e = PyError(.attributeError, "'\(v.typeName)' object has no attribute '\(name)'")
        }
        e.suggestion = { [unowned self] in Suggestions.closest(to: name, among: Array(Set(self.attributeNames(of: v))).sorted()) }
        throw e
    }

    /// `getattr(v, name)`, or nil where that raises AttributeError (`hasattr`, `getattr` with a
    /// default, class patterns). A plain missing attribute is answered without making the
    /// error (its message and suggestion); one raised by a property or `__getattr__` is caught.
    func attributeIfPresent(_ v: Value, _ name: String) throws -> Value? {
        do {
            if let found = try lookupAttribute(v, name) { return found }
            if name == "__class__" { return .object(typeObject(v)) }
            return containerDunder(v, name)
        } catch let e as PyError where e.kind == .attributeError {
            return nil
        } catch let e as TorchError where e.kind == .attributeError {
            return nil
        } catch let e as ScriptError where e.exception.cls.isSubclass(of: ExceptionClasses.forKind(.attributeError)) {
            return nil
        }
    }

    /// Attribute lookup; nil when there is no such attribute.
    func lookupAttribute(_ v: Value, _ name: String, cache: AttributeSiteCache? = nil) throws -> Value? {
        switch v {
        case .object(let o):
            if let cache {
                if type(of: o) == PyInstance.self {
                    return try unsafeDowncast(o, to: PyInstance.self).attribute(name, self, cache: cache)
                }
                if type(of: o) == Namespace.self { return unsafeDowncast(o, to: Namespace.self).member(name, cache: cache) }
            }
            return try o.getAttribute(name, self)
        case .tensor(let t):
            return try host.tensorAttribute(t, name, self)
        case .module(let m):
            if let sm = m as? ScriptModule {
                return try instanceAttribute(v, cls: sm.cls, dict: sm.dict, name, self, cache: cache) {
                    if let found = sm.lookupAttribute(name) { return self.registeredValue(found) }
                    if name == "training" { return .bool(m.training) }
                    return try self.host.moduleAttribute(m, name, self)
                }
            }
            if let found = m.lookupAttribute(name) { return registeredValue(found) }
            return try host.moduleAttribute(m, name, self)
        case .str(let s):
            return stringMethod(s, name)
        case .int(let i):
            return intAttribute(i, name)
        case .float(let d):
            return floatAttribute(d, name)
        case .bool(let b):
            return intAttribute(b ? 1 : 0, name)
        case .none:
            return nil
        }
    }

    func setAttribute(_ target: Value, _ name: String, _ value: Value, cache: AttributeSiteCache? = nil) throws {
        switch target {
        case .object(let o):
            if cache != nil, type(of: o) == PyInstance.self {
                return try unsafeDowncast(o, to: PyInstance.self).setAttribute(name, value, self, cache: cache)
            }
            try o.setAttribute(name, value, self)
        case .tensor(let t): try host.setTensorAttribute(t, name, value, self)
        case .module(let m):
            if let sm = m as? ScriptModule {
                if try setViaProperty(target, cls: sm.cls, name, value, self, cache: cache) { return }
                if let fn = sm.cls.lookup("__setattr__"), case .object(let fo) = fn, fo is PyFunction {
                    _ = try callValue(fn, Arguments([target, .str(name), value]))
                    return
                }
                try setModuleAttribute(sm, name, value)
                return
            }
            try host.setModuleAttribute(m, name, value, self)
        default:
            throw PyError(.attributeError, "'\(target.typeName)' object has no attribute '\(name)' and no __dict__ for setting new attributes")
        }
    }

    /// `Module.__setattr__` for a script module: registration rules, else a plain attribute.
    func setModuleAttribute(_ sm: ScriptModule, _ name: String, _ value: Value) throws {
        if name == "training" {
            sm.training = try truthy(value)
            return
        }
        let outcome = try sm.setAttribute(name, attributeValue(value))
        if outcome == .plainAttribute {
            // A built-in layer's setting (`self.stride = 2` in a Conv2d subclass) is the layer's.
            if let base = sm.nativeBase, base.hyperparameter(name) != nil {
                return try sm.withNativeBase { try host.setModuleAttribute($0, name, value, self) }
            }
            sm.dict[name] = value
        } else {
            sm.dict.removeValue(forKey: name)
        }
    }

    /// How `Module.__setattr__` classifies a value.
    func attributeValue(_ v: Value) -> AttributeValue {
        switch v {
        case .tensor(let t): return t.isParameter ? .parameter(t) : .tensor(t)
        case .module(let m): return .module(m)
        case .none: return .none
        default: return .other(typeName: qualifiedTypeName(v))
        }
    }

    /// `torch.typename(v)` for non-tensor values (`int`, `list`, `__main__.Foo`).
    func qualifiedTypeName(_ v: Value) -> String {
        if let cls = classOf(v) { return cls.moduleName == "builtins" ? cls.name : "\(cls.moduleName).\(cls.name)" }
        return v.typeName
    }

    func registeredValue(_ found: AttributeLookup) -> Value {
        switch found {
        case .parameter(let t), .buffer(let t): return t.map { .tensor($0) } ?? .none
        case .module(let m): return m.map { .module($0) } ?? .none
        }
    }

    func deleteAttribute(_ target: Value, _ name: String) throws {
        switch target {
        case .object(let o): try o.deleteAttribute(name, self)
        case .module(let m): try m.deleteAttribute(name)
        default: throw PyError(.attributeError, "'\(target.typeName)' object has no attribute '\(name)'")
        }
    }

    // MARK: - Subscripts

    func getItem(_ v: Value, _ key: Value) throws -> Value {
        switch v {
        case .object(let o):
            // `xs[i]` on a list or tuple with an int in range (CPython's `BINARY_SUBSCR_LIST_INT`);
            // everything else (slices, negative wrap-around, errors) through the object.
            if case .int(let i) = key {
                if type(of: o) == PyList.self {
                    let items = unsafeDowncast(o, to: PyList.self).items
                    if let j = Interpreter.position(i, count: items.count) { return items[j] }
                } else if type(of: o) == PyTuple.self {
                    let items = unsafeDowncast(o, to: PyTuple.self).items
                    if let j = Interpreter.position(i, count: items.count) { return items[j] }
                }
            }
            // `d[k]` on a dict holding `k` (a missing key: the flavour's rule or KeyError below).
            if type(of: o) == PyDict.self, let r = try unsafeDowncast(o, to: PyDict.self).get(key) { return r }
            if let r = try o.getItem(key, self) { return r }
            if let cls = o as? PyClass, let hook = cls.lookup("__class_getitem__") {
                return try callImplicitClassMethod(hook, cls, [key])
            }
            if let cls = o as? PyType { return .object(GenericAlias(origin: cls, key: key)) }
        case .tensor(let t): return try host.tensorGetItem(t, key, self)
        case .str(let s): return try stringSubscript(s, key)
        case .module(let m):
            if let sm = m as? ScriptModule, let fn = sm.cls.lookup("__getitem__") {
                return try callValue(fn, Arguments([v, key]))
            }
            return try host.moduleGetItem(m, key, self)
        default: break
        }
        throw PyError(.typeError, "'\(v.typeName)' object is not subscriptable")
    }

    /// Where index `i` (negative: from the end) falls in a sequence of `count` items; nil when
    /// outside (the object's own path then raises IndexError).
    @inline(__always)
    static func position(_ i: Int, count: Int) -> Int? {
        let j = i < 0 ? i &+ count : i
        return j >= 0 && j < count ? j : nil
    }

    func setItem(_ v: Value, _ key: Value, _ value: Value) throws {
        switch v {
        case .object(let o):
            // `xs[i] = v` on a list with an int in range (CPython's `STORE_SUBSCR_LIST_INT`).
            if case .int(let i) = key, type(of: o) == PyList.self {
                let list = unsafeDowncast(o, to: PyList.self)
                if let j = Interpreter.position(i, count: list.items.count) {
                    list.items[j] = value
                    return
                }
            }
            if try o.setItem(key, value, self) { return }
        case .tensor(let t): return try host.tensorSetItem(t, key, value, self)
        case .module(let m):
            if let sm = m as? ScriptModule, let fn = sm.cls.lookup("__setitem__") {
                _ = try callValue(fn, Arguments([v, key, value]))
                return
            }
            return try host.moduleSetItem(m, key, value, self)
        default: break
        }
        throw PyError(.typeError, "'\(v.typeName)' object does not support item assignment")
    }

    func deleteItem(_ v: Value, _ key: Value) throws {
        switch v {
        case .object(let o): if try o.deleteItem(key, self) { return }
        case .module(let m): return try host.moduleDeleteItem(m, key, self)
        default: break
        }
        throw PyError(.typeError, "'\(v.typeName)' object doesn't support item deletion")
    }

    func length(_ v: Value) throws -> Int {
        switch v {
        case .str(let s): return s.codePointCount
        case .object(let o): if let n = try o.length(self) { return n }
        case .tensor(let t): return try host.tensorLength(t)
        case .module(let m):
            if let sm = m as? ScriptModule, let fn = sm.cls.lookup("__len__") {
                return try callValue(fn, Arguments([v])).asInt()
            }
            return try host.moduleLength(m)
        default: break
        }
        throw PyError(.typeError, "object of type '\(v.typeName)' has no len()")
    }

    // MARK: - repr / str

    public func repr(_ v: Value) throws -> String {
        switch v {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return decimalString(i)
        case .float(let d): return TensorRuntime.pythonFloatRepr(d)
        case .str(let s): return pythonStringRepr(s)
        case .tensor(let t):
            try TensorPrintDepth.check(t)
            return host.tensorRepr(t)
        case .module(let m):
            if let sm = m as? ScriptModule, let fn = sm.cls.lookup("__repr__") {
                return try dunderString(try callValue(fn, Arguments([v])), "__repr__")
            }
            return m.reprString()
        case .object(let o): return try o.repr(self)
        }
    }

    public func str(_ v: Value) throws -> String {
        switch v {
        case .str(let s): return s
        case .module(let m):
            if let sm = m as? ScriptModule, let fn = sm.cls.lookup("__str__") {
                return try dunderString(try callValue(fn, Arguments([v])), "__str__")
            }
            return try repr(v)
        case .object(let o): return try o.str(self)
        default: return try repr(v)
        }
    }

    // MARK: - Numbers' attributes

    private func intAttribute(_ i: Int, _ name: String) -> Value? {
        switch name {
        case "real", "numerator": return .int(i)
        case "imag": return .int(0)
        case "denominator": return .int(1)
        case "bit_length": return builtinMethod(name) { _, _ in .int(i == 0 ? 0 : Int.bitWidth - i.magnitude.leadingZeroBitCount) }
        case "is_integer": return builtinMethod(name) { _, _ in .bool(true) }
        case "conjugate": return builtinMethod(name) { _, _ in .int(i) }
        case "bit_count": return builtinMethod(name) { _, _ in .int(i.magnitude.nonzeroBitCount) }
        case "as_integer_ratio": return builtinMethod(name) { _, _ in .object(PyTuple([.int(i), .int(1)])) }
        case "to_bytes": return builtinMethod(name) { a, _ in try IntBytes.toBytes(i, a) }
        default: return nil
        }
    }

    private func floatAttribute(_ d: Double, _ name: String) -> Value? {
        switch name {
        case "real": return .float(d)
        case "imag": return .float(0)
        case "is_integer": return builtinMethod(name) { _, _ in .bool(d.isFinite && d == d.rounded()) }
        case "conjugate": return builtinMethod(name) { _, _ in .float(d) }
        case "hex": return builtinMethod(name) { _, _ in .str(FloatHex.hex(d)) }
        case "as_integer_ratio":
            return builtinMethod(name) { _, _ in
                let (num, den) = try FloatHex.integerRatio(d)
                return .object(PyTuple([.int(num), .int(den)]))
            }
        default: return nil
        }
    }
}

/// `list[int]`-style subscripted types (annotations only).
final class GenericAlias: PyObject {
    let origin: PyType
    let key: Value
    init(origin: PyType, key: Value) {
        self.origin = origin
        self.key = key
        super.init()
    }
    override var typeName: String { "types.GenericAlias" }
    override func repr(_ ev: Evaluator) throws -> String {
        let items: [Value]
        if case .object(let t as PyTuple) = key { items = t.items } else { items = [key] }
        let shown = try items.map { try TypingModule.typeRepr($0, noneAsType: false, ev) }
        return try TypingModule.typeRepr(.object(origin), noneAsType: false, ev) + "[" + shown.joined(separator: ", ") + "]"
    }
    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value { try origin.call(args, ev) }
}
