import TensorRuntime
import NeuralNet

// Calling values: script functions (argument binding, frames, recursion guard), classes
// (instantiation), modules (through Module.call and its hooks), host callables.
extension Interpreter {
    func callValue(_ callee: Value, _ args: Arguments) throws -> Value {
        switch callee {
        case .object(let o):
            if let pf = o as? PyFunction { return try callFunction(pf, args) }
            return try o.call(args, self)
        case .module(let m):
            return try callModule(m, args)
        default:
            throw PyError(.typeError, "'\(callee.typeName)' object is not callable")
        }
    }

    func callModule(_ m: Module, _ args: Arguments) throws -> Value {
        if let sm = m as? ScriptModule, let callFn = sm.cls.special(.call) {
            return try callValue(callFn, receiver: .module(m), args)
        }
        let result = try m.call(arguments: args.positional.map { $0 as Any },
                                keywords: args.keywords.map { ($0.name, $0.value as Any) })
        return Interpreter.valueFromAny(result)
    }

    func callFunction(_ fn: PyFunction, _ args: Arguments) throws -> Value {
        let frame = Frame.make(code: fn.code, function: fn, closure: fn.closure)
        try bindArguments(fn, args, frame)
        return try run(fn, consume frame)
    }

    /// A new frame for `fn` with its parameters bound to `receiver` (if any) followed by the
    /// values of `argNodes` evaluated in `f`, straight into the parameters' slots (CPython's
    /// `CALL_PY_EXACT_ARGS`: no argument array); nil, with nothing evaluated, unless `fn`'s
    /// parameters are plain positional locals, as many as the arguments or more with defaults
    /// for the rest (`def f(x, scale=1.0)` called `f(v)`: those slots take the defaults). Run it
    /// with `run`.
    func exactFrame(_ fn: PyFunction, receiver: Value?, _ argNodes: [ExprNode], _ f: Frame) throws -> Frame? {
        // `fn` (which the caller holds) owns its code, which owns its slot list: read unretained.
        try Unmanaged.passUnretained(fn.code)._withUnsafeGuaranteedRef { code in
            guard let slots = fn.entry.exactSlots else { return nil }
            let given = argNodes.count + (receiver == nil ? 0 : 1)
            if given != slots.count {
                return given < slots.count ? try frameWithDefaults(fn, code, slots, given, receiver, argNodes, f) : nil
            }
            let frame = Frame.make(code: code, function: fn, closure: fn.closure)
            try bindExact(frame, slots, receiver, argNodes, f)
            return frame
        }
    }

    /// `exactFrame` for fewer arguments than parameters: the rest take their defaults (nil,
    /// with nothing evaluated, when one has none). Kept apart so the exact case stays small
    /// enough to inline.
    @inline(never)
    private func frameWithDefaults(_ fn: PyFunction, _ code: FunctionCode, _ slots: [Int], _ given: Int,
                                   _ receiver: Value?, _ argNodes: [ExprNode], _ f: Frame) throws -> Frame? {
        let defaults = fn.defaults
        guard defaults.count == slots.count, !defaults[given...].contains(where: { $0 == nil }) else { return nil }
        let frame = Frame.make(code: code, function: fn, closure: fn.closure)
        for d in given..<slots.count { frame[local: slots[d]] = defaults[d] }
        try bindExact(frame, slots, receiver, argNodes, f)
        return frame
    }

    /// Stores `receiver` (if any) and the values of `argNodes` (evaluated in `f`) into the
    /// first `slots` of `frame`.
    @inline(__always)
    func bindExact(_ frame: Frame, _ slots: [Int], _ receiver: Value?, _ argNodes: [ExprNode], _ f: Frame) throws {
        var k = 0
        if let receiver {
            frame.bindParameter(slots[0], receiver)
            k = 1
        }
        try argNodes.forEachUnretained { node in
            // A local argument is read inline, without a recursive `eval` call.
            if case .local(let i) = node.fast, let v = f[local: i] {
                frame.bindParameter(slots[k], v)
            } else {
                frame.bindParameter(slots[k], try eval(node, f))
            }
            k += 1
        }
    }

    /// `fn(receiver?, args)` through `exactFrame` and `run`, its errors gaining `span`; nil, with
    /// nothing evaluated, when the arguments don't fit `fn`'s plain parameters.
    @inline(__always)
    func callExact(_ fn: PyFunction, receiver: Value?, _ argNodes: [ExprNode], _ span: SourceSpan,
                   _ f: Frame) throws -> Value? {
        guard let frame = try exactFrame(fn, receiver: receiver, argNodes, f) else { return nil }
        do { return try run(fn, consume frame) } catch { throw wrap(error, span, f) }
    }

    /// Runs `fn`'s body in `frame` (its arguments bound): the recursion limit, Ctrl-C, the
    /// generator a generator function returns instead.
    /// The frame is consumed: when nothing else holds it afterwards, its code keeps it for the
    /// next call (`Frame.recycle`).
    func run(_ fn: PyFunction, _ frame: consuming Frame) throws -> Value {
        try checkRecursion()
        try checkInterrupt()
        if fn.entry.isGenerator { return .object(makeGenerator(fn, frame)) }
        callDepth += 1
        let caller = currentFrameMark
        currentFrameMark = Unmanaged.passUnretained(frame)
        let result: Value
        do {
            if let e = fn.entry.expression {
                result = try eval(e, frame)
            } else if let (e, span) = fn.entry.returnValue {
                do { result = try eval(e, frame) } catch {
                    if isScriptError(error) { throw error }
                    throw wrap(error, span, frame)
                }
            } else if case .returned(let v) = try execBlock(fn.entry.body, frame) {
                result = v
            } else {
                result = .none
            }
        } catch {
            callDepth -= 1
            currentFrameMark = caller
            Frame.recycle(frame)
            throw error
        }
        callDepth -= 1
        currentFrameMark = caller
        Frame.recycle(frame)
        return result
    }

    private func bindArguments(_ fn: PyFunction, _ args: Arguments, _ frame: Frame) throws {
        let code = fn.code
        let params = code.positional
        if args.keywords.isEmpty, let slots = fn.entry.exactSlots, args.positional.count == slots.count {
            for (i, v) in zip(slots, args.positional) { frame[local: i] = v }
            return
        }
        if let slots = fn.entry.parameterSlots, try bindDirect(fn, slots, args, frame) { return }
        if args.keywords.isEmpty, code.varargs == nil, code.kwargs == nil, code.keywordOnly.isEmpty,
           args.positional.count == params.count {
            for (p, v) in zip(params, args.positional) { try store(p.slot, v, frame) }
            return
        }
        let name = fn.qualifiedName
        var slots = [Value?](filling: nil, count: params.count)
        let nPos = min(args.positional.count, params.count)
        for i in 0..<nPos { slots[i] = args.positional[i] }
        if let va = code.varargs {
            let surplus = args.positional.count > params.count ? PyTuple(Array(args.positional[params.count...])) : PyTuple.empty
            try store(va.slot, .object(surplus), frame)
        }
        var kwSlots = [Value?](filling: nil, count: code.keywordOnly.count)
        let extra = code.kwargs != nil ? PyDict() : nil
        for (key, value) in args.keywords {
            if let i = params.firstIndex(where: { $0.name == key }), i >= code.positionalOnlyCount {
                if slots[i] != nil { throw PyError(.typeError, "\(name)() got multiple values for argument '\(key)'") }
                slots[i] = value
            } else if let i = code.keywordOnly.firstIndex(where: { $0.name == key }) {
                kwSlots[i] = value
            } else if let extra {
                try extra.set(.str(key), value)
            } else if params.prefix(code.positionalOnlyCount).contains(where: { $0.name == key }) {
                throw PyError(.typeError, "\(name)() got some positional-only arguments passed as keyword arguments: '\(key)'")
            } else {
                throw PyError(.typeError, "\(name)() got an unexpected keyword argument '\(key)'")
            }
        }
        if args.positional.count > params.count, code.varargs == nil {
            throw tooManyPositional(fn, given: args.positional.count, keywordOnlyGiven: kwSlots.filter { $0 != nil }.count)
        }
        var missing: [String] = []
        for i in params.indices where slots[i] == nil {
            if let d = fn.defaults[i] { slots[i] = d } else { missing.append(params[i].name) }
        }
        if !missing.isEmpty { throw missingArguments(name, missing, "positional") }
        for i in code.keywordOnly.indices where kwSlots[i] == nil {
            if let d = fn.keywordDefaults[i] { kwSlots[i] = d } else { missing.append(code.keywordOnly[i].name) }
        }
        if !missing.isEmpty { throw missingArguments(name, missing, "keyword-only") }
        for (p, v) in zip(params, slots) { try store(p.slot, v ?? .none, frame) }
        for (p, v) in zip(code.keywordOnly, kwSlots) { try store(p.slot, v ?? .none, frame) }
        if let kw = code.kwargs, let extra { try store(kw.slot, .object(extra), frame) }
    }

    /// Binds `args` to a function whose parameters are all plain locals (`slots`): positional
    /// arguments first (the surplus into `*args`), keywords by name (unknown ones into
    /// `**kwargs`), defaults for the rest, straight into the frame (no intermediate arrays).
    /// False when that fails (too many arguments, an unknown, repeated or positional-only
    /// keyword, a missing argument, more than 64 parameters of a kind): the general binder then
    /// overwrites every slot or raises the error.
    private func bindDirect(_ fn: PyFunction, _ slots: FunctionCode.ParameterSlots, _ args: Arguments,
                            _ frame: Frame) throws -> Bool {
        let code = fn.code, params = code.positional, given = args.positional.count
        let keywordOnly = code.keywordOnly
        guard params.count <= 64, keywordOnly.count <= 64, fn.defaults.count == params.count,
              fn.keywordDefaults.count == keywordOnly.count, given <= params.count || slots.varargs != nil
        else { return false }
        let nPos = Swift.min(given, params.count)
        var bound: UInt64 = nPos == 64 ? ~0 : (1 << UInt64(nPos)) &- 1
        for i in 0..<nPos { frame[local: slots.positional[i]] = args.positional[i] }
        if let va = slots.varargs {
            frame[local: va] = .object(given > params.count ? PyTuple(Array(args.positional[params.count...])) : PyTuple.empty)
        }
        var keywordBound: UInt64 = 0
        var extra: PyDict?
        for (key, value) in args.keywords {
            if let i = params.firstIndex(where: { $0.name == key }), i >= code.positionalOnlyCount {
                guard bound & (1 << UInt64(i)) == 0 else { return false }
                bound |= 1 << UInt64(i)
                frame[local: slots.positional[i]] = value
            } else if let i = keywordOnly.firstIndex(where: { $0.name == key }) {
                guard keywordBound & (1 << UInt64(i)) == 0 else { return false }
                keywordBound |= 1 << UInt64(i)
                frame[local: slots.keywordOnly[i]] = value
            } else if slots.kwargs != nil {
                let d = extra ?? PyDict()
                extra = d
                try d.set(.str(key), value)
            } else {
                return false
            }
        }
        for i in params.indices where bound & (1 << UInt64(i)) == 0 {
            guard let d = fn.defaults[i] else { return false }
            frame[local: slots.positional[i]] = d
        }
        for i in keywordOnly.indices where keywordBound & (1 << UInt64(i)) == 0 {
            guard let d = fn.keywordDefaults[i] else { return false }
            frame[local: slots.keywordOnly[i]] = d
        }
        if let kw = slots.kwargs { frame[local: kw] = .object(extra ?? PyDict()) }
        return true
    }

    /// CPython's `too_many_positional` TypeError.
    private func tooManyPositional(_ fn: PyFunction, given: Int, keywordOnlyGiven: Int) -> PyError {
        let params = fn.code.positional.count, required = fn.defaults.filter { $0 == nil }.count
        let takes = required == params ? "\(params)" : "from \(required) to \(params)"
        let plural = params == 1 && required == params ? "" : "s"
        let keywordOnly = keywordOnlyGiven == 0 ? ""
            : " positional argument\(given == 1 ? "" : "s") (and \(keywordOnlyGiven) keyword-only argument\(keywordOnlyGiven == 1 ? "" : "s"))"
        let verb = given == 1 && keywordOnlyGiven == 0 ? "was" : "were"
        return PyError(.typeError, "\(fn.qualifiedName)() takes \(takes) positional argument\(plural) but \(given)\(keywordOnly) \(verb) given")
    }

    private func missingArguments(_ name: String, _ missing: [String], _ kind: String) -> PyError {
        let quoted = missing.map { "'\($0)'" }
        let list = quoted.count == 1 ? quoted[0]
            : quoted.dropLast().joined(separator: ", ") + " and " + (quoted.last ?? "")
        return PyError(.typeError, "\(name)() missing \(missing.count) required \(kind) argument\(missing.count == 1 ? "" : "s"): \(list)")
    }

    // MARK: - Classes

    func makeClass(_ code: ClassCode, _ bases: [Value], _ keywords: [(name: String, value: Value)], _ span: SourceSpan, _ f: Frame) throws -> PyClass {
        var types: [PyType] = [], mixins: [PyType] = []
        for var b in bases {
            // A subscripted class (`Generic[T]`) stands for the class, as CPython's `__mro_entries__`.
            if case .object(let alias as GenericAlias) = b { b = .object(alias.origin) }
            guard case .object(let o) = b, let t = o as? PyType else {
                throw wrap(PyError(.typeError, "bases must be types"), span, f)
            }
            if NativeMetaclass.isMixin(t, among: bases) { mixins.append(t); continue }
            guard t === BuiltinTypes.object || t is PyClass || t is ModuleBaseType || t.scriptsMayDerive else {
                throw wrap(PyError(.notImplementedError, "nnrepl classes can derive only from object, nn.Module, exception classes or other script classes, not '\(t.name)'"), span, f)
            }
            types.append(t)
        }
        let frame = Frame.make(code: code, function: f.function, closure: code.freeSources.map { $0 < f.cells.count ? f.cells[$0] : Cell() })
        frame.namespace = NameTable()
        frame.namespace?["__module__"] = .str("__main__")
        frame.namespace?["__qualname__"] = .str(code.name)
        _ = try execBlock(code.body, frame)
        // As in Python, the body runs before the bases are checked for a consistent MRO.
        let cls: PyClass
        var namespace = frame.namespace ?? NameTable()
        if let doc = code.doc, namespace["__doc__"] == nil { namespace["__doc__"] = .str(doc) }
        Interpreter.wrapImplicitClassMethods(&namespace)
        do { cls = try PyClass.make(name: code.name, bases: types, dict: namespace) } catch {
            throw wrap(error, span, f)
        }
        if cls.metaclass == nil, cls.nativeRoot?.derivedValueLayout != nil { cls.metaclass = DerivedValueClass.shared }
        do { try cls.adoptSlots(self) } catch { throw wrap(error, span, f) }
        cls.abstractMethods = AbcModule.abstractMethods(of: cls)
        cls.mixinBases = mixins
        for v in cls.dict.values {
            if case .object(let o) = v {
                if let pf = o as? PyFunction { pf.definingClass = cls }
                if let w = o as? MethodWrapper {
                    for inner in [w.function, w.setter ?? .none, w.deleter ?? .none] {
                        if case .object(let io) = inner, let pf = io as? PyFunction { pf.definingClass = cls }
                    }
                }
            }
        }
        do { try runClassCreationHooks(cls, keywords) } catch { throw wrap(error, span, f) }
        do { try cls.metaclass?.classCreated(cls, self) } catch { throw wrap(error, span, f) }
        return cls
    }

    /// `Cls(args)`.
    func instantiate(_ cls: PyClass, _ args: Arguments) throws -> Value {
        if let meta = cls.metaclass, let made = try meta.call(cls, args, self) { return made }
        if !cls.abstractMethods.isEmpty { throw AbcModule.instantiationError(cls) }
        let instance: Value
        if cls.isModuleClass {
            instance = .module(ScriptModule(cls: cls, interpreter: self))
        } else if cls.isExceptionClass {
            instance = .object(PyExceptionObject(cls: ExceptionClasses.constructed(cls, args.positional), args: args.positional))
        } else {
            if cls.special(.constructor) != nil { return try instantiateThroughNew(cls, args) }
            instance = .object(PyInstance(cls: cls))
        }
        if cls.isExceptionClass, ExceptionClasses.keepsBaseInitializer(cls) {
            guard args.keywords.isEmpty else { throw PyError(.typeError, "\(cls.name)() takes no keyword arguments") }
            return instance
        }
        if let initFn = cls.special(.initializer) {
            try checkInitResult(try callValue(initFn, receiver: instance, args))
        } else if !cls.isExceptionClass, let root = cls.nativeRoot, let hostInit = try root.instanceAttribute("__init__", of: instance, self) {
            try checkInitResult(try callValue(hostInit, args))
        } else if cls.isModuleClass {
            if case .module(let m) = instance {
                _ = try args.bind("Module.__init__", [])
                m.initialiseModuleState()
            }
        } else if !cls.isExceptionClass, !(args.positional.isEmpty && args.keywords.isEmpty) {
            throw PyError(.typeError, "\(cls.name)() takes no arguments")
        }
        return instance
    }

    /// `Cls(args)` for the common shape, a plain script class whose `__init__` is a script
    /// function taking exactly these positional arguments: the arguments are evaluated straight
    /// into `__init__`'s frame (`exactFrame`). nil, with nothing evaluated, for any other class
    /// or call (then `instantiate(_:_:)` runs). Errors of `__init__` gain the call's `span`.
    func instantiate(_ cls: PyClass, _ argNodes: [ExprNode], _ f: Frame, _ span: SourceSpan) throws -> Value? {
        guard !cls.isModuleClass, cls.abstractMethods.isEmpty, cls.metaclass == nil else { return nil }
        if cls.isExceptionClass { return try instantiateException(cls, argNodes, f) }
        guard let initFn = cls.specialFunction(.initializer) else { return nil }
        if case .object(let o)? = cls.special(.constructor), o is PyFunction { return nil }
        let instance = Value.object(PyInstance(cls: cls))
        guard let frame = try exactFrame(initFn, receiver: instance, argNodes, f) else { return nil }
        do { try checkInitResult(try run(initFn, consume frame)) } catch { throw wrap(error, span, f) }
        return instance
    }

    /// `raise ValueError(msg)`: an exception class whose `__init__` is BaseException's, which
    /// would only store the arguments the instance is made with, is made directly from the
    /// values of `argNodes`. nil, with nothing evaluated, for a class with its own `__init__`.
    private func instantiateException(_ cls: PyClass, _ argNodes: [ExprNode], _ f: Frame) throws -> Value? {
        guard ExceptionClasses.keepsBaseInitializer(cls) else { return nil }
        var args: [Value] = []
        args.reserveCapacity(argNodes.count)
        try argNodes.forEachUnretained { args.append(try eval($0, f)) }
        return .object(PyExceptionObject(cls: ExceptionClasses.constructed(cls, args), args: args))
    }

    private func checkInitResult(_ r: Value) throws {
        guard r.isNone else { throw PyError(.typeError, "__init__() should return None, not '\(r.typeName)'") }
    }

    /// `nn.Module`'s own attribute `name` bound to the module `receiver` (what `super().name`
    /// finds when it reaches `nn.Module` in the MRO); nil when `receiver` is not a module or
    /// `nn.Module` has no such attribute.
    func moduleBaseAttribute(_ receiver: Value, _ name: String) throws -> Value? {
        guard case .module(let m) = receiver else { return nil }
        if name == "__init__" {
            return builtinMethod(name) { a, _ in
                _ = try a.bind("Module.__init__", [])
                m.initialiseModuleState()
                return .none
            }
        }
        if name == "__setattr__" {
            return builtinMethod(name) { a, ev in
                let s = try a.bind("__setattr__", ["name", "value"], required: 2)
                try (ev as? Interpreter)?.setAttribute(receiver, try (s[0] ?? .none).asString(), s[1] ?? .none)
                return .none
            }
        }
        if name == "__repr__" { return builtinMethod(name) { _, _ in .str(m.reprString()) } }
        return nativeModuleAttribute(receiver, name)
    }

    /// `object`'s own methods bound to `receiver`.
    func objectMethod(_ receiver: Value, _ name: String) throws -> Value? {
        // All of them are dunders: a plain name (every missing attribute of an instance ends
        // here) is answered without comparing it against each.
        guard name.utf8.first == UInt8(ascii: "_") else { return nil }
        switch name {
        case "__init__": return builtinMethod(name) { _, _ in .none }
        case "__repr__": return builtinMethod(name) { _, ev in .str(try self.defaultRepr(receiver)) }
        case "__str__": return builtinMethod(name) { _, ev in .str(try ev.repr(receiver)) }
        case "__eq__": return builtinMethod(name) { a, _ in .bool(a.positional.first.map { identical($0, receiver) } ?? false) }
        case "__ne__": return builtinMethod(name) { a, _ in .bool(!(a.positional.first.map { identical($0, receiver) } ?? false)) }
        case "__hash__": return builtinMethod(name) { _, _ in .int(try pythonHash(receiver)) }
        case "__setattr__":
            return builtinMethod(name) { a, ev in
                let s = try a.bind("__setattr__", ["name", "value"], required: 2)
                let key = try (s[0] ?? .none).asString()
                if case .object(let o) = receiver, let inst = o as? PyInstance {
                    // object.__setattr__: a property's setter, else the instance dict (not the
                    // class's own __setattr__, which is usually the caller).
                    let value = s[1] ?? Value.none
                    if try !setViaProperty(receiver, cls: inst.cls, key, value, ev, cache: nil) { try inst.storeOwnAttribute(key, value) }
                } else { try (ev as? Interpreter)?.setAttribute(receiver, key, s[1] ?? .none) }
                return .none
            }
        case "__delattr__":
            return builtinMethod(name) { a, ev in
                let key = try (try a.bind("__delattr__", ["name"], required: 1)[0] ?? .none).asString()
                if case .object(let o) = receiver, let inst = o as? PyInstance { try inst.deleteOwnAttribute(key) }
                else { try (ev as? Interpreter)?.deleteAttribute(receiver, key) }
                return .none
            }
        case "__getattribute__":
            return builtinMethod(name) { a, ev in try ev.getAttribute(receiver, try (a.positional.first ?? .none).asString()) }
        case "__init_subclass__":
            // Reached through `super()` from a class's own hook: the receiver is that class.
            return builtinMethod(name) { a, _ in
                let owner: String
                if case .object(let o) = receiver, let t = o as? PyType { owner = t.name } else { owner = "object" }
                guard a.keywords.isEmpty else { throw PyError(.typeError, "\(owner).__init_subclass__() takes no keyword arguments") }
                guard a.positional.isEmpty else {
                    throw PyError(.typeError, "\(owner).__init_subclass__() takes no arguments (\(a.positional.count) given)")
                }
                return .none
            }
        default: return nil
        }
    }

    /// `<__main__.Foo object at 0x…>` for script instances; the module repr for modules.
    func defaultRepr(_ v: Value) throws -> String {
        switch v {
        case .module(let m): return m.reprString()
        case .object(let o):
            if let inst = o as? PyInstance { return "<\(inst.cls.moduleName).\(inst.cls.name) object at \(addressString(inst))>" }
            return try o.repr(self)
        default: return try repr(v)
        }
    }

    /// A built-in `nn.Module` attribute (method or property) of a module value via the host.
    func nativeModuleAttribute(_ receiver: Value, _ name: String) -> Value? {
        guard case .module(let m) = receiver else { return nil }
        if name == "training" { return .bool(m.training) }
        return try? host.moduleAttribute(m, name, self)
    }

    /// `super()` with no arguments: the class defining the running method and its first argument.
    func zeroArgumentSuper() throws -> Value {
        guard let frame = currentFrame, let fn = frame.function, let cls = fn.definingClass,
              let first = fn.code.positional.first else {
            throw PyError(.runtimeError, "super(): no arguments")
        }
        let receiver: Value?
        switch first.slot.kind {
        case .local(let i, _): receiver = frame[local: i]
        case .cell(let i, _): receiver = frame.cells[i].value
        default: receiver = nil
        }
        guard let r = receiver else { throw PyError(.runtimeError, "super(): arg[0] deleted") }
        return .object(try PySuper(cls: cls, receiver: r))
    }
}
