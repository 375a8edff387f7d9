import NNLang
import TensorRuntime
import NeuralNet

/// `torch.nn.utils.parametrize` (register_parametrization, remove_parametrizations,
/// is_parametrized, cached) and `torch.nn.utils.parametrizations.weight_norm`, over NeuralNet's
/// Parametrize.swift.
extension NNUtilsNamespace {
    static func installParametrize(_ ns: Namespace, moduleBase: PyType) {
        let parametrize = Namespace("torch.nn.utils.parametrize")
        func def(_ target: Namespace, _ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            target[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        def(parametrize, "register_parametrization", "module, tensor_name, parametrization, *, unsafe=False",
            "module.tensor_name becomes parametrization(original), computed on every access; original is what right_inverse makes of the tensor.") { b, ev in
            let m = try b[0].asModule("module")
            installScriptRightInverse(ev)
            try m.registerParametrization(try b[1].asString("tensor_name"), try b[2].asModule("parametrization"), unsafe: try b.bool(3, ev))
            return b[0]
        }
        def(parametrize, "remove_parametrizations", "module, tensor_name, leave_parametrized=True",
            "Drops the parametrizations of module.tensor_name: it becomes a plain parameter holding the current (or the original) value.") { b, ev in
            try b[0].asModule("module").removeParametrizations(try b[1].asString("tensor_name"), leaveParametrized: try b.bool(2, ev))
            return b[0]
        }
        def(parametrize, "is_parametrized", "module, tensor_name=None",
            "Whether module (or its tensor tensor_name) has a parametrization.") { b, _ in
            let name: String?
            if case .none = b[1] { name = nil } else { name = try b[1].asString("tensor_name") }
            return .bool(try b[0].asModule("module").isParametrized(name))
        }
        def(parametrize, "cached", "", "A context manager in which each parametrized tensor is computed once and reused.") { _, _ in
            .object(ParametrizeCacheContext("cached"))
        }
        // A subclass of nn.ModuleList, as in PyTorch (isinstance, __mro__).
        LayerTypes.add(parametrize, ModuleTypes.registered(ModuleList.self) ?? moduleBase, "ParametrizationList", ParametrizationList.self, "modules, original, unsafe=False",
                       "The parametrizations of one tensor and the original(s) they start from.") { s, ev in
            let modules = try ev.iterate(s[0]).map { try $0.asModule("modules") }
            let original = try s[1].asTensor("original")
            return try ParametrizationList(modules, original: original, isBuffer: !original.isParameter, unsafe: try Convert.bool(s[2], default: false, ev))
        }
        ns["parametrize"] = .object(parametrize)

        let parametrizations = Namespace("torch.nn.utils.parametrizations")
        def(parametrizations, "weight_norm", "module, name='weight', dim=0",
            "module.name parametrized as g * v / ‖v‖ (norm over every dim but dim) from original0 = g and original1 = v.") { b, _ in
            let m = try b[0].asModule("module")
            try m.registerParametrization(try b[1].asString("name"), WeightNormParametrization(dim: try Convert.optionalInt(b[2], "dim")), unsafe: true)
            return b[0]
        }
        LayerTypes.add(parametrizations, moduleBase, "_WeightNorm", WeightNormParametrization.self, "dim=0",
                       "weight_norm's parametrization: forward(g, v) = g * v / ‖v‖, right_inverse(w) = (‖w‖, w).") { s, _ in
            WeightNormParametrization(dim: try Convert.optionalInt(s[0], "dim"))
        }
        def(parametrizations, "spectral_norm", "module, name='weight', n_power_iterations=1, eps=1e-12, dim=None",
            "module.name divided by its spectral norm, estimated by power iteration (buffers _u, _v).") { b, _ in
            let m = try b[0].asModule("module"), name = try b[1].asString("name")
            guard let weight = try m.parametrizedValue(name) ?? m.parameter(name) ?? m.buffer(name) else {
                throw PyError(.attributeError, "'\(m.typeName)' object has no attribute '\(name)'")
            }
            let dim = try Convert.optionalInt(b[4], "dim") ?? (m is ConvTransposeLayer ? 1 : 0)
            let sn = try SpectralNormParametrization(weight: weight, powerIterations: try b[2].asInt("n_power_iterations"),
                                                     dim: dim, eps: try b[3].asDouble("eps"))
            try m.registerParametrization(name, sn, unsafe: false)
            return b[0]
        }
        LayerTypes.add(parametrizations, moduleBase, "_SpectralNorm", SpectralNormParametrization.self,
                       "weight, n_power_iterations=1, dim=0, eps=1e-12",
                       "spectral_norm's parametrization: forward(W) = W / σ(W), σ by power iteration.") { s, _ in
            try SpectralNormParametrization(weight: try s[0].asTensor("weight"), powerIterations: try s[1].asInt("n_power_iterations"),
                                            dim: try s[2].asInt("dim"), eps: try s[3].asDouble("eps"))
        }
        def(parametrizations, "orthogonal", "module, name='weight', orthogonal_map=None, *, use_trivialization=True",
            "module.name constrained to orthonormal columns (rows), by matrix_exp, cayley or householder; starts at the QR-orthogonalised tensor (buffer base).") { b, ev in
            let m = try b[0].asModule("module"), name = try b[1].asString("name")
            guard let weight = try m.parametrizedValue(name) ?? m.parameter(name) ?? m.buffer(name) else {
                throw PyError(.valueError, "Module '\(m.reprString())' has no parameter or buffer with name '\(name)'")
            }
            guard weight.dim >= 2 else {
                throw PyError(.valueError, "Expected a matrix or batch of matrices. Got a tensor of \(weight.dim) dimensions.")
            }
            let mapName = b[2].isNone ? (weight.shape[weight.dim - 2] == weight.shape[weight.dim - 1] ? "matrix_exp" : "householder")
                : try b[2].asString("orthogonal_map")
            guard let map = OrthogonalParametrization.Map(rawValue: mapName) else {
                throw PyError(.valueError, "orthogonal_map has to be one of \"matrix_exp\", \"cayley\", \"householder\". Got: \(mapName)")
            }
            let trivialization = try ev.truthy(b[3])
            guard trivialization || map != .householder else {
                throw PyError(.notImplementedError, "nnrepl's orthogonal supports use_trivialization=False with orthogonal_map='matrix_exp' or 'cayley' only")
            }
            try m.registerParametrization(name, try OrthogonalParametrization(weight: weight, map: map, useTrivialization: trivialization),
                                          unsafe: true)
            return b[0]
        }
        ns["parametrizations"] = .object(parametrizations)
    }

    /// Lets NeuralNet call a script parametrization's `right_inverse` (nil when it has none; its
    /// NotImplementedError reaches NeuralNet as a TorchError of that kind).
    private static func installScriptRightInverse(_ ev: Evaluator) {
        ParametrizationList.scriptRightInverse = { [weak ev] m, value in
            guard let ev else { return nil }
            let method: Value
            do {
                method = try ev.getAttribute(.module(m), "right_inverse")
            } catch let e as PyError where e.kind == .attributeError {
                return nil
            }
            let result: Value
            do {
                result = try ev.call(method, Arguments([.tensor(value)]))
            } catch let e as PyError where e.kind == .notImplementedError {
                throw TorchError(.notImplementedError, e.message)
            }
            if case .tensor(let t) = result { return .tensor(t) }
            guard let items = ev.sequenceItems(result) else {
                throw PyError(.valueError, "'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). Got \(result.typeName)")
            }
            return .tensors(try items.map { item in
                guard case .tensor(let t) = item else {
                    throw PyError(.valueError, "'right_inverse' must return a sequence of tensors. Got element of type \(item.typeName)")
                }
                return t
            })
        }
    }
}

/// `with parametrize.cached():`.
final class ParametrizeCacheContext: ModeContext {
    override func switchOn(_ ev: Evaluator) { ParametrizeCache.enter() }
    override func restore() { ParametrizeCache.exit() }
}

/// `type(m)` of a parametrized built-in layer: `torch.nn.utils.parametrize.ParametrizedLinear`, a
/// subclass of the layer's type (one per layer type here; PyTorch makes one per registration).
enum ParametrizedTypes {
    nonisolated(unsafe) private static var made: [ObjectIdentifier: HostType] = [:]

    static func type(deriving base: PyType) -> PyType {
        if let t = made[ObjectIdentifier(base)] { return t }
        let t = HostType("Parametrized" + base.name, parent: base, check: { v in
            if case .module(let m) = v { return m.isParametrized() && base.isInstance(v) }
            return false
        })
        t.module = "torch.nn.utils.parametrize"
        made[ObjectIdentifier(base)] = t
        return t
    }
}
