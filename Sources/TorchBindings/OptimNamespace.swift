import NNLang
import TensorRuntime
import NeuralNet

/// `torch.optim`: every optimizer declared once (PyTorch's `__init__` signature, which binds each
/// call and is what `help()`, `:help` and completion show; a one-line description; the NeuralNet
/// class), the `Optimizer` base type, and `lr_scheduler` (SchedulerBindings.swift). Optimizer
/// objects are in OptimizerObjects.swift.
enum OptimNamespace {
    /// Builds an optimizer from its param groups and the options the call bound.
    typealias Make = ([ParamGroupSpec], [(String, OptionValue)]) throws -> Optimizer

    static func make() -> Namespace {
        let optim = Namespace("torch.optim")
        let base = HostType("Optimizer", check: { v in
            if case .object(let o) = v { return o is OptimizerObject }
            return false
        })
        optim["Optimizer"] = .object(base)
        declare(optim, base, "SGD", SGD.self,
                "params, lr=0.001, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False, foreach=None, differentiable=False, fused=None",
                "Stochastic gradient descent, with optional (Nesterov) momentum.") { try SGD(groups: $0, options: $1) }
        declare(optim, base, "Adam", Adam.self,
                "params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=False, *, foreach=None, maximize=False, capturable=False, differentiable=False, fused=None, decoupled_weight_decay=False",
                "Adam: adaptive moment estimation (amsgrad variant optional).") { try Adam(groups: $0, options: $1) }
        declare(optim, base, "AdamW", AdamW.self,
                "params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, amsgrad=False, *, maximize=False, foreach=None, capturable=False, differentiable=False, fused=None",
                "Adam with decoupled weight decay.") { try AdamW(groups: $0, options: $1) }
        declare(optim, base, "RMSprop", RMSprop.self,
                "params, lr=0.01, alpha=0.99, eps=1e-08, weight_decay=0, momentum=0, centered=False, capturable=False, foreach=None, maximize=False, differentiable=False",
                "RMSprop: divides the gradient by a running root mean square.") { try RMSprop(groups: $0, options: $1) }
        declare(optim, base, "Adagrad", Adagrad.self,
                "params, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None",
                "Adagrad: per-element learning rates from accumulated squared gradients.") { try Adagrad(groups: $0, options: $1) }
        declare(optim, base, "Adadelta", Adadelta.self,
                "params, lr=1.0, rho=0.9, eps=1e-06, weight_decay=0, foreach=None, *, capturable=False, maximize=False, differentiable=False",
                "Adadelta: step sizes from running averages of squared gradients and updates.") { try Adadelta(groups: $0, options: $1) }
        declare(optim, base, "Adamax", Adamax.self,
                "params, lr=0.002, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, foreach=None, *, maximize=False, differentiable=False, capturable=False",
                "Adamax: Adam with the infinity norm.") { try Adamax(groups: $0, options: $1) }
        declare(optim, base, "NAdam", NAdam.self,
                "params, lr=0.002, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, momentum_decay=0.004, decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False, differentiable=False",
                "NAdam: Adam with Nesterov momentum.") { try NAdam(groups: $0, options: $1) }
        declare(optim, base, "RAdam", RAdam.self,
                "params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False, differentiable=False",
                "RAdam: Adam with a rectified adaptive learning rate.") { try RAdam(groups: $0, options: $1) }
        declare(optim, base, "Rprop", Rprop.self,
                "params, lr=0.01, etas=(0.5, 1.2), step_sizes=(1e-06, 50), *, capturable=False, foreach=None, maximize=False, differentiable=False",
                "Rprop: per-element step sizes adapted from the gradient's sign.") { try Rprop(groups: $0, options: $1) }
        declare(optim, base, "ASGD", ASGD.self,
                "params, lr=0.01, lambd=0.0001, alpha=0.75, t0=1000000.0, weight_decay=0, foreach=None, maximize=False, differentiable=False, capturable=False",
                "Averaged SGD: a decaying step size and a running average of the parameters.") { try ASGD(groups: $0, options: $1) }
        declare(optim, base, "LBFGS", LBFGS.self,
                "params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-07, tolerance_change=1e-09, history_size=100, line_search_fn=None, *, maximize=False",
                "L-BFGS: quasi-Newton steps from a short history of gradients; step(closure) re-evaluates the model.") { try LBFGS(groups: $0, options: $1) }
        let schedulers = SchedulerBindings.make()
        optim["lr_scheduler"] = .object(schedulers)
        if case .object(let schedulerBase as PyType)? = schedulers["LRScheduler"] {
            optim["swa_utils"] = .object(SWAUtilsBindings.make(moduleBase: Interpreter.moduleBaseType, schedulerBase: schedulerBase))
        }
        return optim
    }

    /// Declares `torch.optim.<name>`: every bound argument after `params` is passed as an
    /// option (defaults included, as PyTorch's `defaults` dict holds them).
    private static func declare(_ ns: Namespace, _ base: PyType, _ name: String, _ cls: Optimizer.Type,
                                _ signature: String, _ doc: String, _ make: @escaping Make) {
        let sig = Signature(signature)
        ns[name] = .object(HostType(name, parent: base, signature: sig, doc: doc, check: { v in
            if case .object(let o as OptimizerObject) = v { return isInstance(o.optimizer, of: cls) }
            return false
        }, construct: { a, ev in
            let s = try sig.bind(a, "\(name).__init__").values
            var options: [(String, OptionValue)] = []
            for (param, v) in zip(sig.names, s).dropFirst() {
                options.append((param, try optionValue(v, param, ev)))
            }
            return .object(OptimizerObject(try make(try paramGroups(s[0], ev), options)))
        }))
    }

    /// `isinstance` over the Swift class hierarchy (AdamW is an Adam, as in PyTorch).
    static func isInstance(_ object: AnyObject, of cls: AnyClass) -> Bool {
        var t: AnyClass? = type(of: object)
        while let c = t {
            if c == cls { return true }
            t = _getSuperclass(c)
        }
        return false
    }

    /// `params`: an iterable of tensors (one group) or of dicts (`{'params': …, 'lr': …}`).
    static func paramGroups(_ params: Value, _ ev: Evaluator) throws -> [ParamGroupSpec] {
        if case .tensor(let t) = params {
            throw PyError(.typeError, "params argument given to the optimizer should be an iterable of Tensors or dicts, but got \(t.dtype.legacyTypeName)")
        }
        let items = try ev.iterate(params)
        if let first = items.first, ev.mappingItems(first) != nil {
            return try items.map { try paramGroup($0, ev) }
        }
        return [ParamGroupSpec(params: try tensors(items))]
    }

    /// One `{'params': …, option: value}` dict.
    static func paramGroup(_ v: Value, _ ev: Evaluator) throws -> ParamGroupSpec {
        guard let pairs = ev.mappingItems(v) else {
            throw PyError(.typeError, "param_group must be a dict, but got \(v.typeName)")
        }
        var spec = ParamGroupSpec(params: [])
        var sawParams = false
        for (k, value) in pairs {
            let key = try k.asString("param group key")
            if key == "params" {
                sawParams = true
                if case .tensor(let t) = value { spec.params = [t] } else {
                    if ev.builtinKind(value) == .set {
                        throw PyError(.typeError, "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.")
                    }
                    spec.params = try tensors(try ev.iterate(value))
                }
            } else {
                spec.options.append((key, try optionValue(value, key, ev)))
            }
        }
        guard sawParams else { throw PyError(.keyError, "params") }
        return spec
    }

    private static func tensors(_ items: [Value]) throws -> [Tensor] {
        try items.map { v in
            guard case .tensor(let t) = v else {
                throw PyError(.typeError, "optimizer can only optimize Tensors, but one of the params is \(v.typeName)")
            }
            guard t.isLeaf || t.retainsGrad else { throw PyError(.valueError, "can't optimize a non-leaf Tensor") }
            return t
        }
    }

    /// An option value as the script gave it (`0.001`, `(0.9, 0.999)`, `True`, `None`).
    static func optionValue(_ v: Value, _ name: String, _ ev: Evaluator) throws -> OptionValue {
        if case .tensor(let t) = v, t.numel == 1 { return .double(try t.item().doubleValue) }
        guard let h = ModuleValues.hyperValue(v, ev) else {
            throw PyError(.typeError, "unsupported value for optimizer option '\(name)': \(v.typeName)")
        }
        return h
    }
}
