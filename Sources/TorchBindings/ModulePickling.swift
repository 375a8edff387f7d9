import NNLang
import TensorRuntime
import NeuralNet
import Checkpoints

/// `torch.save(model)` and `torch.load(f, weights_only=False)` of whole modules, in PyTorch's
/// pickle layout: a module is its class (`torch.nn.modules.linear.Linear`, `__main__.Net`) and its
/// `__dict__` — `training`, `_parameters`, `_buffers`, `_non_persistent_buffers_set`, the hook
/// dicts `Module.__setstate__` expects, `_modules`, then the layer's own attributes (a built-in's
/// hyperparameters, a script class's plain attributes).
///
/// Loading constructs only what `PickleReader.isAllowedObjectClass` lets through: a built-in layer
/// is built by binding its declared constructor's parameter names to the `__dict__` entries of
/// those names (`bias` from whether `_parameters['bias']` is None), a script class is instantiated
/// without running its `__init__` (`Evaluator.makeScriptModule`); then parameters, buffers and
/// children are set from the file. Hooks are not saved (PyTorch would pickle the hook functions).
/// torchvision models save (PyTorch loads and runs them) but do not load yet.
enum ModulePickling {
    /// The module-state entries of a pickled `__dict__` before the layer's own attributes.
    static let hookDictNames = [
        "_backward_pre_hooks", "_backward_hooks", "_is_full_backward_hook", "_forward_hooks",
        "_forward_hooks_with_kwargs", "_forward_hooks_always_called", "_forward_pre_hooks",
        "_forward_pre_hooks_with_kwargs", "_state_dict_hooks", "_state_dict_pre_hooks",
        "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks",
    ]
    static let moduleStateNames: Set<String> = Set(["training", "_parameters", "_buffers", "_non_persistent_buffers_set", "_modules"] + hookDictNames)

    // MARK: - Saving

    /// Pickles modules once each: a module used twice in the tree is one object in the file.
    final class Saver {
        private var done: [ObjectIdentifier: CheckpointObject] = [:]

        /// `m` as a pickled object; `convert` pickles the values it holds (children, attributes).
        func object(_ m: Module, _ ev: Evaluator, convert: (Value) throws -> CheckpointValue) throws -> CheckpointObject {
            if let o = done[ObjectIdentifier(m)] { return o }
            let o = CheckpointObject(module: m.pythonModuleName, className: m.typeName, state: [])
            done[ObjectIdentifier(m)] = o
            var state: [(CheckpointValue, CheckpointValue)] = [(.string("training"), .bool(m.training))]
            func tensors(_ items: [(String, Tensor?)]) -> CheckpointValue {
                .dict(items.map { (.string($0.0), $0.1.map { .tensor($0) } ?? .none) })
            }
            state.append((.string("_parameters"), tensors(m.ownParameters.items)))
            state.append((.string("_buffers"), tensors(m.ownBuffers.items)))
            state.append((.string("_non_persistent_buffers_set"), .set(m.nonPersistentBuffers.sorted().map { .string($0) })))
            for name in hookDictNames {
                state.append((.string(name), name == "_is_full_backward_hook" ? .none : .orderedDict([])))
            }
            state.append((.string("_modules"), .dict(try m.ownModules.items.map { name, child in
                (.string(name), try child.map { .object(try object($0, ev, convert: convert)) } ?? .none)
            })))
            // A built-in layer's settings, also under a script class deriving from it (its
            // `__init__` set them before the script's own attributes).
            let scriptAttributes = ev.scriptModuleAttributes(m)
            if scriptAttributes == nil || (m as? ScriptModule)?.nativeBase != nil {
                for (name, value) in m.hyperparameters { state.append((.string(name), checkpointValue(value))) }
                if let padding = reversedPaddingRepeatedTwice(m) {
                    state.append((.string("_reversed_padding_repeated_twice"), .list(padding.map { .int(Int64($0)) })))
                }
            }
            for (name, value) in scriptAttributes ?? [] { state.append((.string(name), try convert(value))) }
            o.state = state
            return o
        }
    }

    static func checkpointValue(_ h: HyperValue) -> CheckpointValue {
        switch h {
        case .int(let i): return .int(Int64(i))
        case .double(let d): return .float(d)
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .tuple(let items): return .tuple(items.map(checkpointValue))
        case .none: return .none
        }
    }

    /// A convolution's `_reversed_padding_repeated_twice` (what its forward pads with when
    /// `padding_mode` is not zeros), from its `kernel_size`, `dilation` and `padding` as PyTorch's
    /// `_ConvNd.__init__` computes it; nil for layers without `padding_mode`.
    static func reversedPaddingRepeatedTwice(_ m: Module) -> [Int]? {
        guard m.hyperparameter("padding_mode") != nil, case .tuple(let kernel)? = m.hyperparameter("kernel_size"),
              case .tuple(let dilation)? = m.hyperparameter("dilation"), let padding = m.hyperparameter("padding") else { return nil }
        let k = kernel.compactMap { if case .int(let i) = $0 { return i } else { return nil } }
        let d = dilation.compactMap { if case .int(let i) = $0 { return i } else { return nil } }
        guard k.count == d.count else { return nil }
        var out = [Int](repeating: 0, count: 2 * k.count)
        switch padding {
        case .string("same"):
            for i in k.indices {
                let total = d[i] * (k[i] - 1), left = total / 2
                let slot = 2 * (k.count - 1 - i)
                out[slot] = left
                out[slot + 1] = total - left
            }
        case .tuple(let p):
            let ints = p.compactMap { if case .int(let i) = $0 { return i } else { return nil } }
            out = ints.reversed().flatMap { [$0, $0] }
        default: break // 'valid': no padding
        }
        return out
    }

    // MARK: - Loading

    /// Builds modules from pickled objects once each, so shared submodules stay shared.
    final class Loader {
        private var done: [ObjectIdentifier: Module] = [:]

        /// The module `o` describes; `convert` turns the values it holds into script values.
        func module(_ o: CheckpointObject, _ ev: Evaluator, convert: (CheckpointValue) throws -> Value) throws -> Module {
            if let m = done[ObjectIdentifier(o)] { return m }
            var attributes: [(String, Value)] = []
            for (key, value) in o.state {
                guard case .string(let name) = key else {
                    throw PyError(.unpicklingError, "the __dict__ of a pickled \(o.qualifiedName) has a key of type \(key.typeName)")
                }
                if !moduleStateNames.contains(name) { attributes.append((name, try convert(value))) }
            }
            let m: Module
            if o.module == "__main__" {
                m = try ev.makeScriptModule(className: o.className, attributes: attributes)
                if let sm = m as? ScriptModule, let layer = sm.nativeLayerType {
                    // The built-in layer its class derives from, configured from the same `__dict__`.
                    let base = try construct(layer, o, attributes, ev)
                    sm.adoptNativeBase(base)
                    for (name, _) in attributes where base.hyperparameter(name) != nil || name == "_reversed_padding_repeated_twice" {
                        sm.removePlainAttribute(name)
                    }
                }
            } else {
                m = try builtin(o, attributes, ev)
            }
            done[ObjectIdentifier(o)] = m
            try fill(m, from: o, ev, convert: convert)
            return m
        }

        /// A built-in layer configured from its pickled attributes (random initialisation skipped:
        /// the file's tensors replace the layer's).
        private func builtin(_ o: CheckpointObject, _ attributes: [(String, Value)], _ ev: Evaluator) throws -> Module {
            if o.module.hasPrefix("torchvision.") {
                throw PyError(.unpicklingError, "nnrepl cannot load a whole torchvision model (\(o.qualifiedName)) yet: save and load its state_dict() instead")
            }
            let missing = PyError(.attributeError, "Can't get attribute '\(o.className)' on <module '\(o.module)'>")
            guard let type = ModuleTypes.type(named: o.className) else { throw missing }
            let m = try construct(type, o, attributes, ev)
            guard m.pythonModuleName == o.module else { throw missing }
            return m
        }

        /// A layer of `type` built by binding its constructor's parameter names to `o`'s pickled
        /// attributes of those names.
        private func construct(_ type: PyType, _ o: CheckpointObject, _ attributes: [(String, Value)], _ ev: Evaluator) throws -> Module {
            let names = (type as? HostType)?.signature?.names ?? []
            var keywords: [(name: String, value: Value)] = []
            for name in names where name != "device" && name != "dtype" {
                if let v = attributes.first(where: { $0.0 == name })?.1 {
                    keywords.append((name, v))
                } else if name == "bias", case .dict(let params)? = o["_parameters"],
                          let bias = params.first(where: { if case .string("bias") = $0.0 { return true } else { return false } }) {
                    if case .none = bias.1 { keywords.append((name, .bool(false))) } else { keywords.append((name, .bool(true))) }
                }
            }
            let saved = Init.randomFillsDisabled
            Init.randomFillsDisabled = true
            defer { Init.randomFillsDisabled = saved }
            guard case .module(let m) = try type.call(Arguments([], keywords: keywords), ev) else {
                throw PyError(.unpicklingError, "\(type.name)() did not make a module")
            }
            return m
        }

        private func fill(_ m: Module, from o: CheckpointObject, _ ev: Evaluator, convert: (CheckpointValue) throws -> Value) throws {
            if case .bool(let training)? = o["training"] { m.training = training }
            var nonPersistent = Set<String>()
            if case .set(let names)? = o["_non_persistent_buffers_set"] {
                for case .string(let s) in names { nonPersistent.insert(s) }
            }
            for (name, value) in try entries(o, "_parameters") { try m.registerParameter(name, try tensor(value, o, name)) }
            for (name, value) in try entries(o, "_buffers") {
                try m.registerBuffer(name, try tensor(value, o, name), persistent: !nonPersistent.contains(name))
            }
            for (name, value) in try entries(o, "_modules") {
                switch value {
                case .none: try m.addModule(name, nil)
                case .object(let child): try m.addModule(name, try module(child, ev, convert: convert))
                default: throw PyError(.unpicklingError, "_modules['\(name)'] of a pickled \(o.qualifiedName) is a \(value.typeName), not a module")
                }
            }
        }

        private func entries(_ o: CheckpointObject, _ key: String) throws -> [(String, CheckpointValue)] {
            switch o[key] {
            case nil: return []
            case .dict(let pairs)?, .orderedDict(let pairs)?:
                return try pairs.map { k, v in
                    guard case .string(let name) = k else { throw PyError(.unpicklingError, "\(key) of a pickled \(o.qualifiedName) has a key of type \(k.typeName)") }
                    return (name, v)
                }
            case let other?: throw PyError(.unpicklingError, "\(key) of a pickled \(o.qualifiedName) is a \(other.typeName), not a dict")
            }
        }

        private func tensor(_ v: CheckpointValue, _ o: CheckpointObject, _ name: String) throws -> Tensor? {
            switch v {
            case .none: return nil
            case .tensor(let t): return t
            default: throw PyError(.unpicklingError, "'\(name)' of a pickled \(o.qualifiedName) is a \(v.typeName), not a tensor")
            }
        }
    }
}
