import NNLang
import TensorRuntime
import NeuralNet

/// The Python face of `nn.Module` for every module (built-in layers and script modules): attribute
/// reads (`__getattr__` over parameters/buffers/children, hyperparameters, `training`, the
/// nn.Module methods), attribute writes on built-in layers, and `type(m)`. Container indexing is
/// in ModuleContainerBindings.swift, hooks in ModuleHookBindings.swift, state dicts in
/// ModuleStateBindings.swift.
public enum ModuleMethods {
    typealias Method = (Module, Arguments, Evaluator) throws -> Value

    /// Makes values crossing `Module.call` script `Value`s: layers unwrap `.tensor` arguments and
    /// box their tensor results as `.tensor`. TorchHost calls this once at start-up.
    public static func installBridges() {
        ModuleValueBridge.unwrap = { any in
            if let v = any as? Value {
                if case .tensor(let t) = v { return t }
                return nil
            }
            return any as? Tensor
        }
        ModuleValueBridge.box = { Value.tensor($0) }
    }

    /// `m.name` after the interpreter's own lookup (instance dict and script class) failed: nil
    /// means no such attribute (the caller raises `'Linear' object has no attribute 'name'`).
    static func attribute(_ m: Module, _ name: String, _ ev: Evaluator) throws -> Value? {
        if let t = try m.parametrizedValue(name) { return .tensor(t) }
        if let found = m.lookupAttribute(name) {
            switch found {
            case .parameter(let t), .buffer(let t): return t.map { .tensor($0) } ?? Value.none
            case .module(let child): return child.map { .module($0) } ?? Value.none
            }
        }
        if let v = m.instanceAttributes[name] as? Value { return v }
        if name == "training" { return .bool(m.training) }
        if let h = m.hyperparameter(name) { return ModuleValues.value(h, ev) }
        if let body = methods[name] { return method(name) { a, ev in try body(m, a, ev) } }
        let native = LayerSubclassing.native(m)
        if let body = ModuleContainerBindings.methods(for: native)[name] {
            return method(name) { a, ev in try LayerSubclassing.onNative(m, name) { try body($0, a, ev) } }
        }
        // Static methods of the layer's class (`transformer.generate_square_subsequent_mask(n)`).
        if let v = (type(of: native) as? HostType)?.classMembers[name] { return v }
        switch name {
        case "_parameters", "_buffers", "_modules": return ModuleMemberDict.of(m, name)
        case "_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks": return ModuleHookDict.of(m, name)
        case "__class__": return type(of: m).map { .object($0) }
        case "__dict__": return try instanceDict(m, ev)
        default:
            // `OptimizedModule.__getattr__`: what the wrapper lacks is the compiled model's.
            if let compiled = m as? OptimizedModule, let original = compiled.original { return try ev.getAttribute(.module(original), name) }
            return nil
        }
    }

    /// `m.name = value` for a built-in layer (script modules keep their own `__dict__`):
    /// `Module.__setattr__`'s table, then `training`, then a settable hyperparameter
    /// (`relu.inplace = True`), else a plain attribute.
    static func setAttribute(_ m: Module, _ name: String, _ value: Value, _ ev: Evaluator) throws {
        if case .tensor(let t) = value, try m.assignParametrized(name, t) { return }
        guard try m.setAttribute(name, ModuleValues.attributeValue(value)) == .plainAttribute else { return }
        if name == "training" {
            m.training = try ev.truthy(value)
            return
        }
        if m.hyperparameter(name) != nil, let h = ModuleValues.hyperValue(value, ev), try m.setHyperparameter(name, h) {
            return
        }
        m.instanceAttributes[name] = value
    }

    /// `vars(layer)` / `layer.__dict__` of a built-in layer, in PyTorch's order (the module state
    /// `Module.__init__` sets, then the layer's settings, then plain attributes). A snapshot: the
    /// `_parameters`/`_buffers`/`_modules` and hook dicts in it are the module's live views.
    static func instanceDict(_ m: Module, _ ev: Evaluator) throws -> Value {
        var items: [(Value, Value)] = [(.str("training"), .bool(m.training))]
        func add(_ name: String, _ v: Value?) {
            let emptyOrdered = PyDict()
            emptyOrdered.flavor = .ordered
            items.append((.str(name), v ?? .object(emptyOrdered)))
        }
        add("_parameters", ModuleMemberDict.of(m, "_parameters"))
        add("_buffers", ModuleMemberDict.of(m, "_buffers"))
        add("_non_persistent_buffers_set", .object(try PySet(m.nonPersistentBuffers.sorted().map { .str($0) }, frozen: false)))
        for name in ModulePickling.hookDictNames {
            add(name, name == "_is_full_backward_hook" ? Value.none : ModuleHookDict.of(m, name))
        }
        add("_modules", ModuleMemberDict.of(m, "_modules"))
        for (name, h) in m.hyperparameters { add(name, ModuleValues.value(h, ev)) }
        if let padding = ModulePickling.reversedPaddingRepeatedTwice(m) {
            add("_reversed_padding_repeated_twice", .object(PyList(padding.map { .int($0) })))
        }
        for (name, v) in m.instanceAttributes.items { if let v = v as? Value { add(name, v) } }
        return .object(try PyDict(items))
    }

    /// `type(m)` for a built-in layer; nil for script modules (the interpreter knows their class).
    static func type(of m: Module) -> PyType? {
        guard let base = ModuleTypes.type(of: m) else { return nil }
        return m.isParametrized() ? ParametrizedTypes.type(deriving: base) : base
    }

    /// Names for `dir(m)` and Tab completion.
    static func attributeNames(_ m: Module) -> [String] {
        m.ownParameters.keys + m.ownBuffers.keys + m.ownModules.keys + m.hyperparameterNames + ["training"]
            + methods.keys.sorted() + ModuleContainerBindings.methods(for: LayerSubclassing.native(m)).keys.sorted()
            + ((type(of: LayerSubclassing.native(m)) as? HostType)?.classMembers.keys.sorted() ?? [])
    }

    // MARK: - Methods

    /// Binds `a` to `Module.<name>(parameters…)`.
    static func bind(_ a: Arguments, _ name: String, _ parameters: [String], required: Int = 0,
                     positionalLimit: Int? = nil) throws -> [Value?] {
        try a.bind("Module.\(name)", parameters, required: required, positionalLimit: positionalLimit)
    }

    /// A single-use generator of `Module.<name>` over the given items.
    static func generator(_ name: String, _ items: [Value]) -> Value {
        .object(HostIterator("Module.\(name)", items))
    }

    /// `(name, value)` tuples.
    static func pairs<T>(_ items: [(String, T)], _ ev: Evaluator, _ wrap: (T) -> Value) -> [Value] {
        items.map { ev.makeTuple([.str($0.0), wrap($0.1)]) }
    }

    /// `parameters(recurse=True)` / `buffers(recurse=True)`: a generator of tensors.
    private static func tensors(_ name: String, _ get: @escaping (Module, Bool) -> [Tensor]) -> Method {
        { m, a, ev in
            let s = try bind(a, name, ["recurse"])
            return generator(name, get(m, try Convert.bool(s[0], default: true, ev)).map { .tensor($0) })
        }
    }

    /// `named_parameters(prefix='', recurse=True, remove_duplicate=True)` / `named_buffers(…)`:
    /// a generator of `(name, tensor)` tuples.
    private static func namedTensors(_ name: String, _ get: @escaping (Module, String, Bool, Bool) -> [(String, Tensor)]) -> Method {
        { m, a, ev in
            let s = try bind(a, name, ["prefix", "recurse", "remove_duplicate"])
            let items = get(m, try optionalString(s[0]) ?? "", try Convert.bool(s[1], default: true, ev), try Convert.bool(s[2], default: true, ev))
            return generator(name, pairs(items, ev) { .tensor($0) })
        }
    }

    static let methods: [String: Method] = [
        "parameters": tensors("parameters") { $0.parameters(recurse: $1) },
        "named_parameters": namedTensors("named_parameters") { $0.namedParameters(prefix: $1, recurse: $2, removeDuplicate: $3) },
        "buffers": tensors("buffers") { $0.buffers(recurse: $1) },
        "named_buffers": namedTensors("named_buffers") { $0.namedBuffers(prefix: $1, recurse: $2, removeDuplicate: $3) },
        "children": { m, a, _ in
            _ = try bind(a, "children", [])
            return generator("children", m.children().map { .module($0) })
        },
        "named_children": { m, a, ev in
            _ = try bind(a, "named_children", [])
            return generator("named_children", pairs(m.namedChildren(), ev) { .module($0) })
        },
        "modules": { m, a, _ in
            _ = try bind(a, "modules", [])
            return generator("modules", m.modules().map { .module($0) })
        },
        "named_modules": { m, a, ev in
            let s = try bind(a, "named_modules", ["memo", "prefix", "remove_duplicate"])
            let items = m.namedModules(prefix: try optionalString(s[1]) ?? "", removeDuplicate: try Convert.bool(s[2], default: true, ev))
            return generator("named_modules", pairs(items, ev) { .module($0) })
        },
        "train": { m, a, _ in
            let s = try bind(a, "train", ["mode"])
            var mode = true
            if let v = s[0] {
                guard case .bool(let b) = v else { throw PyError(.valueError, "training mode is expected to be boolean") }
                mode = b
            }
            return .module(m.train(mode))
        },
        "eval": { m, a, _ in
            _ = try bind(a, "eval", [])
            return .module(m.eval())
        },
        "requires_grad_": { m, a, ev in
            let s = try bind(a, "requires_grad_", ["requires_grad"])
            return .module(try m.requiresGrad_(try Convert.bool(s[0], default: true, ev)))
        },
        "zero_grad": { m, a, ev in
            let s = try bind(a, "zero_grad", ["set_to_none"])
            m.zeroGrad(setToNone: try Convert.bool(s[0], default: true, ev))
            return .none
        },
        "apply": { m, a, ev in
            let fn = try bind(a, "apply", ["fn"], required: 1)[0]!
            try m.apply { child in _ = try ev.call(fn, Arguments([.module(child)])) }
            return .module(m)
        },
        "add_module": { m, a, _ in try addModule(m, a, "add_module") },
        "register_module": { m, a, _ in try addModule(m, a, "register_module") },
        "register_parameter": { m, a, _ in
            let s = try bind(a, "register_parameter", ["name", "param"], required: 2)
            try m.registerParameter(ModuleValues.registrationName(s[0]!), ModuleValues.attributeValue(s[1]!))
            return .none
        },
        "register_buffer": { m, a, ev in
            let s = try bind(a, "register_buffer", ["name", "tensor", "persistent"], required: 2)
            var value = ModuleValues.attributeValue(s[1]!)
            if case .buffer(let t, _) = value { value = .tensor(t) }
            try m.registerBuffer(ModuleValues.registrationName(s[0]!), value, persistent: try Convert.bool(s[2], default: true, ev))
            return .none
        },
        "get_submodule": { m, a, _ in
            let target = try bind(a, "get_submodule", ["target"], required: 1)[0]!.asString("target")
            return .module(try m.getSubmodule(target))
        },
        "get_parameter": { m, a, _ in
            let target = try bind(a, "get_parameter", ["target"], required: 1)[0]!.asString("target")
            let (owner, name) = try splitTarget(m, target)
            guard case .parameter(let p?)? = owner.lookupAttribute(name) else {
                throw PyError(.attributeError, "`\(name)` is not an nn.Parameter")
            }
            return .tensor(p)
        },
        "get_buffer": { m, a, _ in
            let target = try bind(a, "get_buffer", ["target"], required: 1)[0]!.asString("target")
            let (owner, name) = try splitTarget(m, target)
            guard case .buffer(let b?)? = owner.lookupAttribute(name) else {
                throw PyError(.attributeError, "`\(name)` is not a buffer")
            }
            return .tensor(b)
        },
        "state_dict": { m, a, ev in try ModuleStateBindings.stateDict(m, a, ev) },
        "load_state_dict": { m, a, ev in try ModuleStateBindings.loadStateDict(m, a, ev) },
        "register_forward_hook": { m, a, ev in try ModuleHookBindings.registerForwardHook(m, a, ev) },
        "register_forward_pre_hook": { m, a, ev in try ModuleHookBindings.registerForwardPreHook(m, a, ev) },
        "register_full_backward_hook": { m, a, ev in try ModuleBackwardHooks.register(m, a, ev, pre: false) },
        "register_full_backward_pre_hook": { m, a, ev in try ModuleBackwardHooks.register(m, a, ev, pre: true) },
        "to": { m, a, ev in try ModuleConversion.to(m, a, ev) },
        "cpu": { m, _, _ in .module(m) },
        "cuda": { _, _, _ in throw PyError(.assertionError, "Torch not compiled with CUDA enabled") },
        "float": { m, _, _ in try ModuleConversion.convert(m, to: .float32); return .module(m) },
        "double": { m, _, _ in try ModuleConversion.convert(m, to: .float64); return .module(m) },
        "half": { m, _, _ in try ModuleConversion.convert(m, to: .float16); return .module(m) },
        "bfloat16": { m, _, _ in try ModuleConversion.convert(m, to: .bfloat16); return .module(m) },
        "extra_repr": { m, _, _ in .str(m.extraRepr()) },
        "_get_name": { m, _, _ in .str(m.typeName) },
        "forward": { m, a, ev in
            ModuleValues.value(try m.forward(arguments: a.positional, keywords: a.keywords.map { ($0.name, $0.value) }), ev)
        },
        "__call__": { m, a, ev in
            ModuleValues.value(try m.call(arguments: a.positional, keywords: a.keywords.map { ($0.name, $0.value) }), ev)
        },
    ]

    /// `add_module(name, module)` / `register_module`.
    private static func addModule(_ m: Module, _ a: Arguments, _ name: String) throws -> Value {
        let s = try bind(a, name, ["name", "module"], required: 2)
        try m.addModule(ModuleValues.registrationName(s[0]!), ModuleValues.attributeValue(s[1]!))
        return .none
    }

    /// `get_parameter`/`get_buffer`: the owning submodule of a dotted target and the last name,
    /// with PyTorch's ``Linear has no attribute `x` `` error.
    private static func splitTarget(_ m: Module, _ target: String) throws -> (Module, String) {
        var path = ""
        var name = target
        if let dot = target.lastIndex(of: ".") {
            path = String(target[..<dot])
            name = String(target[target.index(after: dot)...])
        }
        let owner = try m.getSubmodule(path)
        guard owner.hasAttribute(name) else {
            throw PyError(.attributeError, "\(owner.typeName) has no attribute `\(name)`")
        }
        return (owner, name)
    }

    /// An optional string argument (None → nil).
    static func optionalString(_ v: Value?) throws -> String? {
        guard let v, !v.isNone else { return nil }
        return try v.asString()
    }
}
