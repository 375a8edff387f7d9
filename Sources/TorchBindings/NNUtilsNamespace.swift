import NNLang
import TensorRuntime
import NeuralNet

/// `torch.nn.utils`: gradient clipping (`clip_grad_norm_`, `clip_grad_value_`) and
/// `parameters_to_vector`.
enum NNUtilsNamespace {
    static func make() -> Namespace {
        let ns = Namespace("torch.nn.utils")
        ns.function("clip_grad_norm_") { a, ev in
            let s = try a.bind("clip_grad_norm_", ["parameters", "max_norm", "norm_type", "error_if_nonfinite", "foreach"], required: 2)
            let grads = try tensors(s[0]!, ev).compactMap(\.grad)
            let maxNorm = try s[1]!.asDouble("max_norm")
            let p = try Convert.optionalDouble(s[2], "norm_type") ?? 2
            guard !grads.isEmpty else { return .tensor(try Tensor(scalar: .double(0))) }
            return .tensor(try GradMode.withNoGrad {
                let total = try Tensor.stack(try grads.map { try $0.norm(p: p) }).norm(p: p)
                let totalValue = try total.item().doubleValue
                if try Convert.bool(s[3], default: false, ev) && !totalValue.isFinite {
                    throw PyError(.runtimeError, "The total norm of order \(TensorRuntime.pythonFloatRepr(p)) for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
                }
                let coefficient = Swift.min(maxNorm / (totalValue + 1e-6), 1)
                for g in grads { try copyElements(from: try g.mul(.double(coefficient)), to: g) }
                return total
            })
        }
        ns.function("clip_grad_value_") { a, ev in
            let s = try a.bind("clip_grad_value_", ["parameters", "clip_value", "foreach"], required: 2)
            let limit = try s[1]!.asDouble("clip_value")
            try GradMode.withNoGrad {
                for g in try tensors(s[0]!, ev).compactMap(\.grad) {
                    try copyElements(from: try g.maximum(try Tensor(scalar: .double(-limit), dtype: g.dtype))
                                         .minimum(try Tensor(scalar: .double(limit), dtype: g.dtype)), to: g)
                }
            }
            return .none
        }
        ns.function("parameters_to_vector") { a, ev in
            let s = try a.bind("parameters_to_vector", ["parameters"], required: 1)
            return .tensor(try Tensor.cat(try tensors(s[0]!, ev).map { try $0.reshape([-1]) }))
        }
        return ns
    }

    /// A tensor or an iterable of tensors (`model.parameters()`).
    static func tensors(_ v: Value, _ ev: Evaluator) throws -> [Tensor] {
        if case .tensor(let t) = v { return [t] }
        return try ev.iterate(v).map { try $0.asTensor("parameters") }
    }
}
