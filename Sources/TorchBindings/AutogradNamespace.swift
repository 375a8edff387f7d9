import NNLang
import TensorRuntime
import NeuralNet

/// `torch.autograd`: `grad`, `backward` and `Function` (custom autograd functions,
/// AutogradFunction.swift).
enum AutogradNamespace {
    static func make() -> Namespace {
        let ns = Namespace("torch.autograd")
        ns["Function"] = .object(AutogradFunctionType.shared)
        let function = Namespace("torch.autograd.function")
        function["Function"] = .object(AutogradFunctionType.shared)
        function["once_differentiable"] = .object(NativeFunction("once_differentiable", "fn",
                                                                 doc: "Marks a backward as not twice differentiable (returns fn).") { b, _ in b[0] })
        ns["function"] = .object(function)
        ns["Variable"] = .object(variableType)
        AnomalyModeContext.install(autograd: ns)
        installGradcheck(ns)
        installFunctional(ns)
        ns.function("grad") { a, ev in
            let s = try a.bind("grad", ["outputs", "inputs", "grad_outputs", "retain_graph", "create_graph",
                                        "only_inputs", "allow_unused", "is_grads_batched", "materialize_grads"],
                               required: 2)
            let outputs = try tensorSequence(s[0]!, ev)
            let inputs = try tensorSequence(s[1]!, ev)
            if try Convert.bool(s[7], default: false, ev) {
                throw PyError(.notImplementedError, "torch.autograd.grad(is_grads_batched=True) is not supported by nnrepl")
            }
            let grads = try Autograd.grad(
                outputs: outputs, inputs: inputs,
                gradOutputs: try gradientSequence(s[2], count: outputs.count, ev),
                retainGraph: try optionalBool(s[3], ev),
                createGraph: try Convert.bool(s[4], default: false, ev),
                allowUnused: try optionalBool(s[6], ev),
                materializeGrads: try Convert.bool(s[8], default: false, ev))
            return ev.makeTuple(grads.map { $0.map(Value.tensor) ?? .none })
        }
        ns.function("backward") { a, ev in
            let s = try a.bind("backward", ["tensors", "grad_tensors", "retain_graph", "create_graph",
                                            "grad_variables", "inputs"], required: 1)
            let outputs = try tensorSequence(s[0]!, ev)
            try backward(outputs, gradients: try gradientSequence(s[1], count: outputs.count, ev),
                         retainGraph: s[2], createGraph: s[3], inputs: s[5], ev)
            return .none
        }
        return ns
    }

    /// The shared tail of `torch.autograd.backward` and `Tensor.backward`.
    static func backward(_ outputs: [Tensor], gradients: [Tensor?]?, retainGraph: Value?, createGraph: Value?,
                         inputs: Value?, _ ev: Evaluator) throws {
        let create = try Convert.bool(createGraph, default: false, ev)
        var inputTensors: [Tensor]? = nil
        if let inputs, !inputs.isNone { inputTensors = try tensorSequence(inputs, ev) }
        try Autograd.backward(outputs, gradients: gradients ?? [Tensor?](repeating: nil, count: outputs.count),
                              retainGraph: try optionalBool(retainGraph, ev) ?? create, createGraph: create, inputs: inputTensors)
    }

    /// A tensor or a sequence of tensors (PyTorch's `_tensor_or_tensors_to_tuple`).
    static func tensorSequence(_ v: Value, _ ev: Evaluator) throws -> [Tensor] {
        if case .tensor(let t) = v { return [t] }
        return try ev.iterate(v).map { item in
            guard case .tensor(let t) = item else {
                throw PyError(.typeError, "expected Tensor as element 0 in argument 0, but got \(item.typeName)")
            }
            return t
        }
    }

    /// `grad_outputs` / `grad_tensors`: None, a tensor, or a sequence of tensors and Nones.
    static func gradientSequence(_ v: Value?, count: Int, _ ev: Evaluator) throws -> [Tensor?]? {
        guard let v, !v.isNone else { return nil }
        if case .tensor(let t) = v { return [t] }
        return try ev.iterate(v).map { item in
            if item.isNone { return nil }
            guard case .tensor(let t) = item else {
                throw PyError(.typeError, "gradients can be either Tensors or None, but got \(item.typeName)")
            }
            return t
        }
    }

    static func optionalBool(_ v: Value?, _ ev: Evaluator) throws -> Bool? {
        guard let v, !v.isNone else { return nil }
        return try ev.truthy(v)
    }

    /// `torch.autograd.Variable`: the pre-0.4 wrapper. Every tensor is one (`isinstance`), and
    /// `Variable(t, requires_grad=False)` is `t.detach()` with requires_grad set, as in PyTorch.
    static let variableType = HostType("Variable", signature: Signature("data, requires_grad=False, volatile=False"),
                                       doc: "A tensor detached from its graph (the legacy Variable constructor).", check: { v in
        if case .tensor = v { return true }
        return false
    }, construct: { a, ev in
        let b = try Signature("data, requires_grad=False, volatile=False").bind(a, "Variable")
        guard case .tensor(let t) = b[0] else {
            throw PyError(.typeError, "Variable data has to be a tensor, but got \(b[0].typeName)")
        }
        let v = t.detach()
        if try b.bool(1, ev) { try v.setRequiresGrad(true) }
        return .tensor(v)
    })
}
