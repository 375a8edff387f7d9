import NNLang
import TensorRuntime

/// `torch.autograd.functional.jacobian` and `hessian` (reverse mode, one backward pass per
/// output element, as PyTorch's default `vectorize=False`): inputs are detached copies that
/// require grad (views of themselves with `create_graph=True`), outputs that do not depend on an
/// input give zeros, and tuples in and out nest as PyTorch's (`jac[i][k]` has shape
/// `outputs[i].shape + inputs[k].shape`).
extension AutogradNamespace {
    static func installFunctional(_ ns: Namespace) {
        let functional = Namespace("torch.autograd.functional")
        functional["jacobian"] = .object(NativeFunction("jacobian", "func, inputs, create_graph=False, strict=False, vectorize=False, strategy='reverse-mode'",
                                                        doc: "The Jacobian of func at inputs (a tensor or a tuple of tensors).") { b, ev in
            let (inputs, inputsTuple) = try tensors(b[1], ev, "inputs")
            var outputsTuple = false
            let jac = try jacobian(inputs, createGraph: try ev.truthy(b[2])) { xs in
                let (outs, isTuple) = try tensors(try ev.call(b[0], Arguments(xs.map(Value.tensor))), ev, "outputs of the user-provided function")
                outputsTuple = isTuple
                return outs
            }
            return nest(jac, outer: outputsTuple, inner: inputsTuple, ev)
        })
        functional["hessian"] = .object(NativeFunction("hessian", "func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy='reverse-mode'",
                                                       doc: "The Hessian of func (a function returning one element) at inputs.") { b, ev in
            let (inputs, inputsTuple) = try tensors(b[1], ev, "inputs")
            let hess = try jacobian(inputs, createGraph: try ev.truthy(b[2])) { xs in
                try jacobian(xs, createGraph: true) { ys in
                    let out = try ev.call(b[0], Arguments(ys.map(Value.tensor)))
                    guard case .tensor(let t) = out else {
                        throw PyError(.runtimeError, "The function given to hessian should return a single Tensor")
                    }
                    guard t.numel == 1 else {
                        throw PyError(.runtimeError, "The Tensor returned by the function given to hessian should contain a single element")
                    }
                    return [try t.reshape([])]
                }[0]
            }
            return nest(hess, outer: inputsTuple, inner: inputsTuple, ev)
        })
        installProducts(functional)
        ns["functional"] = .object(functional)
    }

    /// `_as_tuple`: a tensor, or a tuple of tensors (flagged as a tuple).
    static func tensors(_ v: Value, _ ev: Evaluator, _ what: String) throws -> ([Tensor], Bool) {
        if case .tensor(let t) = v { return ([t], false) }
        guard ev.builtinKind(v) == .tuple else {
            throw PyError(.typeError, "The \(what) given to jacobian must be either a Tensor or a tuple of Tensors but the given \(what) has type <class '\(v.typeName)'>.")
        }
        return (try ev.iterate(v).map { try $0.asTensor(what) }, true)
    }

    /// `jac[i][k]` = d outputs[i] / d inputs[k], shaped `outputs[i].shape + inputs[k].shape`.
    static func jacobian(_ inputs: [Tensor], createGraph: Bool, _ f: ([Tensor]) throws -> [Tensor]) throws -> [[Tensor]] {
        let xs = try differentiable(inputs, createGraph: createGraph)
        let saved = GradMode.isEnabled
        GradMode.isEnabled = true   // `with torch.enable_grad():`
        defer { GradMode.isEnabled = saved }
        let outputs = try f(xs)
        return try outputs.map { out in
            let flat = try out.reshape([-1])
            var rows = [[Tensor]](repeating: [], count: xs.count)
            for j in 0..<flat.numel {
                let grads: [Tensor?] = out.requiresGrad
                    ? try Autograd.grad(outputs: [try flat.select(dim: 0, index: j)], inputs: xs, retainGraph: true,
                                        createGraph: createGraph, allowUnused: true)
                    : Array(repeating: nil, count: xs.count)
                for (k, g) in grads.enumerated() { rows[k].append(try g ?? Tensor.zerosLike(xs[k])) }
            }
            return try xs.indices.map { k in
                let stacked = rows[k].isEmpty ? try Tensor.zeros([0] + xs[k].shape, dtype: xs[k].dtype) : try Tensor.stack(rows[k])
                let jac = try stacked.reshape(out.shape + xs[k].shape)
                return createGraph ? jac : jac.detached()
            }
        }
    }

    /// `_grad_preprocess`: detached copies that require grad (views of themselves with `create_graph=True`).
    static func differentiable(_ inputs: [Tensor], createGraph: Bool) throws -> [Tensor] {
        try inputs.map { x in
            createGraph && x.requiresGrad ? try x.reshape(x.shape) : try x.detached().requiresGradInPlace(true)
        }
    }

    /// `_tuple_postprocess`: tuples where the function's outputs / inputs were tuples.
    static func nest(_ jac: [[Tensor]], outer: Bool, inner: Bool, _ ev: Evaluator) -> Value {
        func row(_ r: [Tensor]) -> Value { inner ? ev.makeTuple(r.map(Value.tensor)) : .tensor(r[0]) }
        return outer ? ev.makeTuple(jac.map(row)) : row(jac[0])
    }
}
