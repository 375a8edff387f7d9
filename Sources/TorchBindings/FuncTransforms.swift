import NNLang
import TensorRuntime
import NeuralNet

/// `torch.func`'s transforms, built on the autograd engine rather than functorch's batching
/// rules: `grad(func, argnums=0, has_aux=False)` (one backward pass), `vmap(func, in_dims=0,
/// out_dims=0)` (calls `func` once per batch entry and stacks the results, so the values are
/// PyTorch's but random ops draw per entry), `jacrev` / `jacfwd` (both reverse mode, one backward
/// per output element, as `torch.autograd.functional.jacobian`), `hessian` (`jacfwd(jacrev)`),
/// and `stack_module_state(models)`. Arguments and results may be pytrees: tensors inside
/// tuples, lists and dicts (a parameter dict for `functional_call`). A transform inside another
/// keeps the graph (its inputs are views of the outer transform's inputs), so they compose.
enum FuncTransforms {
    static func install(_ ns: Namespace) {
        ns["grad"] = .object(NativeFunction("grad", "func, argnums=0, has_aux=False",
            doc: "A function computing the gradient of func (returning a scalar) with respect to its argnums arguments.") { b, ev in
            .object(gradient(of: b[0], argnums: b[1], hasAux: try b.bool(2, ev)))
        })
        ns["vmap"] = .object(NativeFunction("vmap", "func, in_dims=0, out_dims=0, randomness='error', *, chunk_size=None",
            doc: "func mapped over a batch dimension of its inputs (in_dims), results stacked along out_dims.") { b, ev in
            .object(vmap(b[0], inDims: b[1], outDims: try b[2].asInt("out_dims")))
        })
        for name in ["jacrev", "jacfwd"] {
            ns[name] = .object(NativeFunction(name, "func, argnums=0, has_aux=False",
                doc: "A function computing the Jacobian of func with respect to its argnums arguments.") { b, ev in
                .object(jacobian(name, of: b[0], argnums: b[1], hasAux: try b.bool(2, ev)))
            })
        }
        ns["hessian"] = .object(NativeFunction("hessian", "func, argnums=0",
            doc: "A function computing the Hessian of func (returning a scalar) with respect to its argnums arguments.") { b, _ in
            .object(jacobian("hessian", of: .object(jacobian("jacrev", of: b[0], argnums: b[1], hasAux: false)), argnums: b[1], hasAux: false))
        })
        ns["stack_module_state"] = .object(NativeFunction("stack_module_state", "models",
            doc: "(params, buffers): each model's parameters and buffers stacked along a new first dim, by name.") { b, ev in
            try stackModuleState(try ev.iterate(b[0]).map { try $0.asModule("models") }, ev)
        })
    }

    // MARK: pytrees

    /// The tensors of a pytree (a tensor, or tuples / lists / dicts of them), in order.
    static func leaves(_ v: Value, _ ev: Evaluator) -> [Tensor] {
        if case .tensor(let t) = v { return [t] }
        if let items = ev.sequenceItems(v) { return items.flatMap { leaves($0, ev) } }
        if let items = ev.mappingItems(v) { return items.flatMap { leaves($0.1, ev) } }
        return []
    }

    /// The pytree `v` with each tensor replaced by `f(tensor)`, in `leaves` order.
    static func mapLeaves(_ v: Value, _ ev: Evaluator, _ f: (Tensor) throws -> Value) throws -> Value {
        if case .tensor(let t) = v { return try f(t) }
        switch ev.builtinKind(v) {
        case .tuple?: return ev.makeTuple(try (ev.sequenceItems(v) ?? []).map { try mapLeaves($0, ev, f) })
        case .list?: return ev.makeList(try (ev.sequenceItems(v) ?? []).map { try mapLeaves($0, ev, f) })
        case .dict?, .orderedDict?:
            return ev.makeDict(try (ev.mappingItems(v) ?? []).map { ($0.0, try mapLeaves($0.1, ev, f)) },
                               ordered: ev.builtinKind(v) == .orderedDict)
        default: return v
        }
    }

    /// The pytree `v` with its tensors replaced, in order, by `replacements`.
    static func replacingLeaves(_ v: Value, with replacements: [Tensor], _ ev: Evaluator) throws -> Value {
        var next = replacements.makeIterator()
        return try mapLeaves(v, ev) { _ in
            guard let t = next.next() else { throw PyError(.runtimeError, "torch.func: the pytree changed shape") }
            return .tensor(t)
        }
    }

    /// `argnums`: an int (the result is not a tuple) or a tuple of ints, each within `count`.
    private static func argumentNumbers(_ argnums: Value, count: Int, _ ev: Evaluator, _ name: String) throws -> (numbers: [Int], tuple: Bool) {
        let tuple = ev.builtinKind(argnums) == .tuple
        let numbers = try (tuple ? ev.iterate(argnums) : [argnums]).map { v -> Int in
            guard case .int(let n) = v else {
                throw PyError(.runtimeError, "\(name): Expected argnums to be int or Tuple[int, ...], got: \(v.typeName)")
            }
            let k = n < 0 ? n + count : n
            guard k >= 0 && k < count else {
                throw PyError(.runtimeError, "Got argnum=\(n), but only \(count) positional inputs")
            }
            return k
        }
        guard !numbers.isEmpty else { throw PyError(.runtimeError, "\(name): argnums must be non-empty") }
        return (numbers, tuple)
    }

    /// An input the transform differentiates with respect to: a view of `t` keeping its graph
    /// when an enclosing transform differentiates `t` too, else a fresh leaf.
    private static func differentiable(_ t: Tensor, keepingGraph: Bool) throws -> Tensor {
        keepingGraph && t.requiresGrad ? try t.view(t.shape) : try t.detached().requiresGradInPlace(true)
    }

    // MARK: grad

    static func gradient(of fn: Value, argnums: Value, hasAux: Bool) -> NativeFunction {
        NativeFunction("grad") { a, ev in
            let (numbers, tuple) = try argumentNumbers(argnums, count: a.positional.count, ev, "grad")
            let outer = GradMode.isEnabled
            GradMode.isEnabled = true
            defer { GradMode.isEnabled = outer }
            var positional = a.positional
            var inputs: [[Tensor]] = []
            for n in numbers {
                var made: [Tensor] = []
                positional[n] = try mapLeaves(positional[n], ev) { t in
                    let x = try differentiable(t, keepingGraph: outer)
                    made.append(x)
                    return .tensor(x)
                }
                inputs.append(made)
            }
            var output = try ev.call(fn, Arguments(positional, keywords: a.keywords))
            var aux = Value.none
            if hasAux {
                guard ev.builtinKind(output) == .tuple, let pair = ev.sequenceItems(output), pair.count == 2 else {
                    throw PyError(.runtimeError, "grad_and_value(f)(*args): output of function f should be a tuple: (output, aux) if has_aux is True")
                }
                (output, aux) = (pair[0], pair[1])
            }
            guard case .tensor(let out) = output else {
                throw PyError(.runtimeError, "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got \(output.typeName)")
            }
            guard out.dim == 0 else {
                throw PyError(.runtimeError, "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor with \(out.dim) dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
            }
            let flat = inputs.flatMap { $0 }
            let createGraph = outer && a.positional.contains { leaves($0, ev).contains { $0.requiresGrad } }
            let grads = out.requiresGrad
                ? try Autograd.grad(outputs: [out], inputs: flat, retainGraph: createGraph, createGraph: createGraph, allowUnused: true)
                : Array(repeating: nil, count: flat.count)
            var filled = try zip(grads, flat).map { g, x in try g ?? Tensor.zerosLike(x) }
            if !createGraph { filled = filled.map { $0.detached() } }
            var results: [Value] = []
            for (n, made) in zip(numbers, inputs) {
                results.append(try replacingLeaves(a.positional[n], with: Array(filled.prefix(made.count)), ev))
                filled.removeFirst(made.count)
            }
            let g = tuple ? ev.makeTuple(results) : results[0]
            return hasAux ? ev.makeTuple([g, aux]) : g
        }
    }

    // MARK: vmap

    static func vmap(_ fn: Value, inDims: Value, outDims: Int) -> NativeFunction {
        NativeFunction("vmap") { a, ev in
            let args = a.positional
            let dims: [Value]
            if ev.builtinKind(inDims) == .tuple {
                dims = try ev.iterate(inDims)
                guard dims.count == args.count else {
                    throw PyError(.valueError, "vmap(\(try ev.repr(fn)), in_dims=\(try ev.repr(inDims)), ...)(<inputs>): in_dims is not compatible with the structure of `inputs`. in_dims has structure TreeSpec(tuple, None, [\(dims.map { _ in "*" }.joined(separator: ", "))]) but inputs has structure TreeSpec(tuple, None, [\(args.map { _ in "*" }.joined(separator: ", "))]).")
                }
            } else {
                dims = Array(repeating: inDims, count: args.count)
            }
            // Each mapped argument's batch dim (normalised), and the batch size they agree on.
            var batch: Int?
            var mapped: [Int?] = []
            for (arg, d) in zip(args, dims) {
                guard case .int(let dim) = d else { mapped.append(nil); continue }
                for t in leaves(arg, ev) {
                    let k = dim < 0 ? dim + t.dim : dim
                    guard k >= 0 && k < t.dim else {
                        throw PyError(.valueError, "vmap(\(try ev.repr(fn)), in_dims=\(try ev.repr(inDims)), ...)(<inputs>): Got in_dim=\(dim) for an input but the input is of type \(t.dim == 0 ? "Tensor with 0 dims" : "a Tensor with \(t.dim) dims"). We cannot vmap over non-Tensor arguments or dims outside the Tensor's range.")
                    }
                    if let b = batch, b != t.shape[k] {
                        throw PyError(.valueError, "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes [\(b), \(t.shape[k])] for the mapped dimension")
                    }
                    batch = t.shape[k]
                }
                mapped.append(dim)
            }
            guard let size = batch else {
                throw PyError(.valueError, "vmap: Expected at least one Tensor to vmap over")
            }
            var results: [Value] = []
            for i in 0..<size {
                let slices = try zip(args, mapped).map { arg, dim -> Value in
                    guard let dim else { return arg }
                    return try mapLeaves(arg, ev) { t in .tensor(try t.select(dim: dim < 0 ? dim + t.dim : dim, index: i)) }
                }
                results.append(try ev.call(fn, Arguments(slices, keywords: a.keywords)))
            }
            guard let first = results.first else {
                throw PyError(.valueError, "vmap: the mapped dimension has size 0")
            }
            let columns = results.map { leaves($0, ev) }
            var stacked: [Tensor] = []
            for k in columns[0].indices {
                let column = try columns.map { row -> Tensor in
                    guard k < row.count else { throw PyError(.valueError, "vmap: the function returned differently structured outputs") }
                    return row[k]
                }
                let dim = outDims < 0 ? outDims + column[0].dim + 1 : outDims
                stacked.append(try Tensor.stack(column, dim: dim))
            }
            if case .tensor = first { return .tensor(stacked[0]) }
            guard !columns[0].isEmpty else {
                throw PyError(.valueError, "vmap(\(try ev.repr(fn)), ...): `\(try ev.repr(fn))` must only return Tensors, got type \(first.typeName). Did you mean to set out_dims= to None for output?")
            }
            return try replacingLeaves(first, with: stacked, ev)
        }
    }

    // MARK: jacrev / jacfwd / hessian

    static func jacobian(_ name: String, of fn: Value, argnums: Value, hasAux: Bool) -> NativeFunction {
        NativeFunction(name) { a, ev in
            let (numbers, tuple) = try argumentNumbers(argnums, count: a.positional.count, ev, name)
            let inputs = try numbers.map { n -> Tensor in
                guard case .tensor(let t) = a.positional[n] else {
                    throw PyError(.runtimeError, "\(name): Expected argument \(n) to be a Tensor, got \(a.positional[n].typeName)")
                }
                return t
            }
            let keepGraph = GradMode.isEnabled && inputs.contains { $0.requiresGrad }
            var outputIsTuple = false
            var aux = Value.none
            let jac = try AutogradNamespace.jacobian(inputs, createGraph: keepGraph) { xs in
                var positional = a.positional
                for (n, x) in zip(numbers, xs) { positional[n] = .tensor(x) }
                var output = try ev.call(fn, Arguments(positional, keywords: a.keywords))
                if hasAux, let pair = ev.sequenceItems(output), pair.count == 2 { (output, aux) = (pair[0], pair[1]) }
                if case .tensor(let t) = output { return [t] }
                outputIsTuple = true
                return try ev.iterate(output).map { try $0.asTensor("output") }
            }
            func perInput(_ row: [Tensor]) -> Value { tuple ? ev.makeTuple(row.map(Value.tensor)) : .tensor(row[0]) }
            let result = outputIsTuple ? ev.makeTuple(jac.map(perInput)) : perInput(jac[0])
            return hasAux ? ev.makeTuple([result, aux]) : result
        }
    }

    // MARK: stack_module_state

    static func stackModuleState(_ models: [Module], _ ev: Evaluator) throws -> Value {
        guard let first = models.first else {
            throw PyError(.runtimeError, "stack_module_state: Expected at least one model, got 0.")
        }
        func stacked(_ named: (Module) -> [(String, Tensor)], parameters: Bool) throws -> Value {
            let names = named(first).map(\.0)
            let items = try names.map { name -> (Value, Value) in
                let tensors = try models.map { m -> Tensor in
                    guard let t = named(m).first(where: { $0.0 == name })?.1 else {
                        throw PyError(.runtimeError, "stack_module_state: Expected all models to have the same parameters and buffers")
                    }
                    return t
                }
                let s = try GradMode.withNoGrad { try Tensor.stack(tensors) }
                let leaf = parameters && tensors[0].requiresGrad ? try s.requiresGradInPlace(true) : s
                return (.str(name), .tensor(leaf))
            }
            return ev.makeDict(items, ordered: false)
        }
        return ev.makeTuple([try stacked({ $0.namedParameters() }, parameters: true),
                             try stacked({ $0.namedBuffers() }, parameters: false)])
    }
}
