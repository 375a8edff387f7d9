import NNLang
import TensorRuntime
import NeuralNet

extension TensorOpCatalog {
    /// `x.register_hook(hook)`: `hook(grad)` runs when the gradient for `x` is computed and may
    /// return a replacement (None keeps it); returns a handle whose `remove()` drops the hook.
    static let autogradHooks: [TensorOp] = [
        TensorOp("register_hook", "input, hook", "Registers hook(grad) to run on this tensor's gradient; returns a removable handle.") { t, b, ev in
            let hook = b[0]
            weak var weakEv = ev
            let registered = try GradHook.register(on: t) { grad in
                guard let ev = weakEv else { return nil }
                let r = try ev.call(hook, Arguments([.tensor(grad)]))
                switch r {
                case .none: return nil
                case .tensor(let replaced): return replaced
                default: throw PyError(.typeError, "expected Tensor or None (got \(r.typeName))")
                }
            }
            return .object(HookHandleObject(removal: { registered.remove(from: t) }))
        },
    ]
}

extension NNUtilsNamespace {
    /// `vector_to_parameters(vec, parameters)`: slices of `vec` become the parameters' data.
    static func installVectorToParameters(_ ns: Namespace) {
        let signature = Signature("vec, parameters")
        ns["vector_to_parameters"] = .object(NativeFunction("vector_to_parameters", signature: signature,
                                                            doc: "Copies slices of a flat vector into the parameters (their .data).",
                                                            kind: "function") { a, ev in
            let b = try signature.bind(a, "vector_to_parameters")
            guard case .tensor(let vec) = b[0] else { throw PyError(.typeError, "expected torch.Tensor, but got: \(b[0].typeName)") }
            let flat = try vec.reshape([-1])
            var offset = 0
            for p in try tensors(b[1], ev) {
                guard offset + p.numel <= flat.numel else {
                    throw PyError(.runtimeError, "shape '\(shapeDescription(p.shape))' is invalid for input of size \(max(0, flat.numel - offset))")
                }
                try p.setData(try flat.narrow(dim: 0, start: offset, length: p.numel).reshape(p.shape))
                offset += p.numel
            }
            return .none
        })
    }
}
