import NNLang
import TensorRuntime

/// `torch.autograd.functional.vjp`, `jvp`, `vhp` and `hvp`: each returns `(func_output, product)`
/// with the outputs and the product detached unless `create_graph=True`; tuples in and out nest
/// as PyTorch's. `jvp` multiplies the Jacobian (one backward pass per output element) by `v`;
/// `vhp`/`hvp` differentiate the gradient once more against `v` (the Hessian is symmetric, so
/// both are that product).
extension AutogradNamespace {
    static func installProducts(_ functional: Namespace) {
        functional["vjp"] = .object(NativeFunction("vjp", "func, inputs, v=None, create_graph=False, strict=False",
                                                   doc: "(func(inputs), v·J): the vector-Jacobian product at inputs.") { b, ev in
            let (inputs, inputsTuple) = try tensors(b[1], ev, "inputs")
            let createGraph = try ev.truthy(b[3])
            let xs = try differentiable(inputs, createGraph: createGraph)
            let (outs, outputsTuple) = try withGrad { try tensors(try ev.call(b[0], Arguments(xs.map(Value.tensor))), ev, "outputs of the user-provided function") }
            let vs = try vector(b[2], like: outs, ev, "the user-provided function returns")
            let grads = try gradients(of: outs, at: xs, weights: vs, createGraph: createGraph)
            return ev.makeTuple([nest([result(outs, createGraph)], outer: false, inner: outputsTuple, ev),
                                 nest([result(grads, createGraph)], outer: false, inner: inputsTuple, ev)])
        })
        functional["jvp"] = .object(NativeFunction("jvp", "func, inputs, v=None, create_graph=False, strict=False",
                                                   doc: "(func(inputs), J·v): the Jacobian-vector product at inputs.") { b, ev in
            let (inputs, inputsTuple) = try tensors(b[1], ev, "inputs")
            let createGraph = try ev.truthy(b[3])
            let vs = try vector(b[2], like: inputs, ev, "the input to the user-provided function is")
            var outs: [Tensor] = [], outputsTuple = false
            let jac = try jacobian(inputs, createGraph: createGraph) { xs in
                (outs, outputsTuple) = try tensors(try ev.call(b[0], Arguments(xs.map(Value.tensor))), ev, "outputs of the user-provided function")
                return outs
            }
            let products = try zip(outs, jac).map { out, row in
                var total: Tensor? = nil
                for (j, v) in zip(row, vs) {
                    let term = try j.reshape([out.numel, v.numel]).matmul(try v.reshape([v.numel])).reshape(out.shape)
                    total = try total.map { try $0.add(term) } ?? term
                }
                return try total ?? Tensor.zerosLike(out)
            }
            return ev.makeTuple([nest([result(outs, createGraph)], outer: false, inner: outputsTuple, ev),
                                 nest([products], outer: false, inner: outputsTuple, ev)])
        })
        for name in ["vhp", "hvp"] {
            functional[name] = .object(NativeFunction(name, "func, inputs, v=None, create_graph=False, strict=False",
                                                      doc: name == "vhp" ? "(func(inputs), v·H): the vector-Hessian product at inputs."
                                                                         : "(func(inputs), H·v): the Hessian-vector product at inputs.") { b, ev in
                let (inputs, inputsTuple) = try tensors(b[1], ev, "inputs")
                let createGraph = try ev.truthy(b[3])
                let vs = try vector(b[2], like: inputs, ev, "the input to the user-provided function is")
                let xs = try differentiable(inputs, createGraph: createGraph)
                let (out, products) = try withGrad { () -> (Tensor, [Tensor]) in
                    let out = try ev.call(b[0], Arguments(xs.map(Value.tensor)))
                    guard case .tensor(let t) = out else {
                        throw PyError(.runtimeError, "The function given to \(name) should return a single Tensor")
                    }
                    guard t.numel == 1 else {
                        throw PyError(.runtimeError, "The Tensor returned by the function given to \(name) should contain a single element")
                    }
                    let grads = try gradients(of: [t], at: xs, weights: [try Tensor.onesLike(t)], createGraph: true)
                    return (t, try gradients(of: grads, at: xs, weights: vs, createGraph: createGraph))
                }
                return ev.makeTuple([.tensor(createGraph ? out : out.detached()),
                                     nest([result(products, createGraph)], outer: false, inner: inputsTuple, ev)])
            })
        }
    }

    /// `body` with grad mode on (`with torch.enable_grad():`).
    private static func withGrad<T>(_ body: () throws -> T) rethrows -> T {
        let saved = GradMode.isEnabled
        GradMode.isEnabled = true
        defer { GradMode.isEnabled = saved }
        return try body()
    }

    /// `v` as tensors matching `like` in count and shapes; None only for one single-element tensor.
    private static func vector(_ v: Value, like: [Tensor], _ ev: Evaluator, _ what: String) throws -> [Tensor] {
        if v.isNone {
            guard like.count == 1, like[0].numel == 1 else {
                throw PyError(.runtimeError, "The vector v can only be None if \(what) a single Tensor with a single element.")
            }
            return [try Tensor.onesLike(like[0])]
        }
        let (vs, _) = try tensors(v, ev, "v")
        guard vs.count == like.count else {
            throw PyError(.runtimeError, "v is a tuple of invalid length: should be \(like.count) but got \(vs.count).")
        }
        for (x, t) in zip(vs, like) where x.shape != t.shape {
            throw PyError(.runtimeError, "Mismatch in shape: grad_output[0] has a shape of torch.Size(\(shapeDescription(x.shape))) and output[0] has a shape of torch.Size(\(shapeDescription(t.shape))).")
        }
        return vs
    }

    /// Σ weights·d outputs / d inputs, zeros for inputs the outputs do not depend on.
    private static func gradients(of outs: [Tensor], at xs: [Tensor], weights: [Tensor], createGraph: Bool) throws -> [Tensor] {
        let pairs = zip(outs, weights).filter { $0.0.requiresGrad }
        let grads: [Tensor?] = pairs.isEmpty ? Array(repeating: nil, count: xs.count)
            : try Autograd.grad(outputs: pairs.map(\.0), inputs: xs, gradOutputs: pairs.map(\.1), retainGraph: true,
                                createGraph: createGraph, allowUnused: true)
        return try zip(grads, xs).map { g, x in try g ?? Tensor.zerosLike(x) }
    }

    private static func result(_ ts: [Tensor], _ createGraph: Bool) -> [Tensor] { createGraph ? ts : ts.map { $0.detached() } }
}
