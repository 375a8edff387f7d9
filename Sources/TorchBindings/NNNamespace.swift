import NNLang
import TensorRuntime
import NeuralNet

/// The `torch.nn` module: `nn.Module` (the interpreter's base type object), `nn.Parameter`,
/// `nn.Buffer`, the containers, every built-in layer (LayerTypes.swift), and the `functional`,
/// `init` and `utils` submodules.
enum NNNamespace {
    /// - Parameters:
    ///   - tensorType: the `torch.Tensor` type object (`nn.Parameter` and `nn.Buffer` derive from it).
    ///   - moduleBase: the interpreter's `nn.Module` type object (`Interpreter.moduleBaseType`).
    static func make(tensorType: PyType?, moduleBase: PyType = Interpreter.moduleBaseType) -> Namespace {
        let nn = Namespace("torch.nn")
        nn["Module"] = .object(moduleBase)
        nn["Parameter"] = .object(HostType("Parameter", parent: tensorType, signature: Signature("data=None, requires_grad=True"),
                                            doc: "A tensor that a module registers as a learnable parameter when assigned as an attribute.", check: { v in
            if case .tensor(let t) = v { return t.isParameter }
            return false
        }, construct: { a, ev in
            let s = try a.bind("Parameter.__new__", ["data", "requires_grad"])
            return .tensor(try parameter(s[0], requiresGrad: try Convert.bool(s[1], default: true, ev)))
        }))
        nn["Buffer"] = .object(HostType("Buffer", parent: tensorType, signature: Signature("data=None, *, persistent=True"),
                                         doc: "A tensor that a module registers as a buffer (saved in state_dict unless persistent=False) when assigned as an attribute.", check: { v in
            if case .object(let o) = v { return o is BufferValue }
            return false
        }, construct: { a, ev in
            let s = try a.bind("Buffer.__new__", ["data", "persistent"], positionalLimit: 1)
            let data = try LayerTypes.optionalTensor(s[0]) ?? Tensor.zeros([0])
            return .object(BufferValue(data.detached(), persistent: try Convert.bool(s[1], default: true, ev)))
        }))
        installContainers(into: nn, moduleBase: moduleBase)
        LayerTypes.install(into: nn, moduleBase: moduleBase)
        nn["functional"] = .object(FunctionalNamespace.make())
        nn["init"] = .object(InitNamespace.make())
        nn["utils"] = .object(NNUtilsNamespace.make(moduleBase: moduleBase))
        return nn
    }

    /// `nn.Parameter(data=None, requires_grad=True)`: a new leaf tensor object sharing `data`'s
    /// storage (as `Tensor._make_subclass` does), marked as a parameter.
    static func parameter(_ data: Value?, requiresGrad: Bool) throws -> Tensor {
        let source = try LayerTypes.optionalTensor(data) ?? Tensor.zeros([0])
        let p = source.detached()
        p.isParameter = true
        try p.setRequiresGrad(requiresGrad)
        return p
    }

    /// `nn.Sequential(*modules)` or `nn.Sequential(OrderedDict)`, `nn.ModuleList(modules=None)`,
    /// `nn.ModuleDict(modules=None)`; items go through `add_module`, so non-modules fail with
    /// PyTorch's `int is not a Module subclass`.
    private static func installContainers(into nn: Namespace, moduleBase base: PyType) {
        let sequential = HostType("Sequential", parent: base, signature: Signature("*args"),
                                  doc: "Chains modules: forward passes the input through each child in order.", check: { v in
            if case .module(let m) = v { return m is Sequential }
            return false
        }, construct: { a, ev in
            guard a.keywords.isEmpty else {
                throw PyError(.typeError, "Sequential.__init__() got an unexpected keyword argument '\(a.keywords[0].name)'")
            }
            let seq = Sequential([])
            if a.positional.count == 1, let named = ev.mappingItems(a.positional[0]) {
                for (k, m) in named { try seq.addModule(ModuleValues.registrationName(k), ModuleValues.attributeValue(m)) }
            } else {
                for (i, m) in a.positional.enumerated() { try seq.addModule(.string(String(i)), ModuleValues.attributeValue(m)) }
            }
            return .module(seq)
        })
        let moduleList = HostType("ModuleList", parent: base, signature: Signature("modules=None"),
                                  doc: "A list of submodules, registered so their parameters are found (no forward of its own).", check: { v in
            if case .module(let m) = v { return m is ModuleList }
            return false
        }, construct: { a, ev in
            let list = ModuleList()
            if let items = try a.bind("ModuleList.__init__", ["modules"])[0], !items.isNone {
                let values: [Value]
                if case .module(let c) = items, c is IndexedModuleContainer { values = try ModuleContainerBindings.iterate(c) } else { values = try ev.iterate(items) }
                for m in values { try list.addModule(.string(String(list.count)), ModuleValues.attributeValue(m)) }
            }
            return .module(list)
        })
        let moduleDict = HostType("ModuleDict", parent: base, signature: Signature("modules=None"),
                                  doc: "A dict of submodules, registered so their parameters are found (no forward of its own).", check: { v in
            if case .module(let m) = v { return m is ModuleDict }
            return false
        }, construct: { a, ev in
            let dict = try ModuleDict()
            if let items = try a.bind("ModuleDict.__init__", ["modules"])[0], !items.isNone,
               let update = ModuleContainerBindings.methods(for: dict)["update"] {
                _ = try update(dict, Arguments([items]), ev)
            }
            return .module(dict)
        })
        for (name, type, cls) in [("Sequential", sequential, Sequential.self), ("ModuleList", moduleList, ModuleList.self),
                                  ("ModuleDict", moduleDict, ModuleDict.self)] as [(String, HostType, Module.Type)] {
            ModuleTypes.register(cls, type)
            LayerSubclassing.allowDeriving(type)
            nn[name] = .object(type)
        }
    }
}
