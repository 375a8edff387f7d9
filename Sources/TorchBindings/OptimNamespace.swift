import NNLang
import TensorRuntime
import NeuralNet

/// `torch.optim`: SGD, Adam and AdamW over NeuralNet's optimizers, the `Optimizer` base type, and
/// `torch.optim.lr_scheduler.StepLR`. Optimizer objects are in OptimizerObjects.swift.
enum OptimNamespace {
    /// An optimizer class: its options in PyTorch's signature order (`positional` of them may be
    /// passed positionally after `params`) and how to build it.
    private struct Signature {
        let name: String
        let options: [String]
        let positional: Int
        let make: ([ParamGroupSpec], [(String, OptionValue)]) throws -> Optimizer
        let check: (Optimizer) -> Bool
    }

    static func make() -> Namespace {
        let optim = Namespace("torch.optim")
        let base = HostType("Optimizer", check: { v in
            if case .object(let o) = v { return o is OptimizerObject }
            return false
        })
        optim["Optimizer"] = .object(base)
        let adamOptions = ["lr", "betas", "eps", "weight_decay", "amsgrad", "foreach", "maximize", "capturable", "differentiable",
                           "fused", "decoupled_weight_decay"]
        let signatures = [
            Signature(name: "SGD", options: ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach",
                                             "differentiable", "fused"], positional: 5,
                      make: { try SGD(groups: $0, options: $1) }, check: { $0 is SGD }),
            Signature(name: "Adam", options: adamOptions, positional: 5,
                      make: { try Adam(groups: $0, options: $1) }, check: { $0 is Adam }),
            Signature(name: "AdamW", options: adamOptions.filter { $0 != "decoupled_weight_decay" }, positional: 5,
                      make: { try AdamW(groups: $0, options: $1) }, check: { $0 is AdamW }),
        ]
        for sig in signatures {
            optim[sig.name] = .object(HostType(sig.name, parent: base, check: { v in
                if case .object(let o as OptimizerObject) = v { return sig.check(o.optimizer) }
                return false
            }, construct: { a, ev in
                let s = try a.bind("\(sig.name).__init__", ["params"] + sig.options, required: 1, positionalLimit: 1 + sig.positional)
                var options: [(String, OptionValue)] = []
                for (name, v) in zip(sig.options, s.dropFirst()) {
                    guard let v else { continue }
                    options.append((name, try optionValue(v, name, ev)))
                }
                return .object(OptimizerObject(try sig.make(try paramGroups(s[0]!, ev), options)))
            }))
        }
        optim["lr_scheduler"] = .object(lrScheduler())
        return optim
    }

    /// `torch.optim.lr_scheduler` (StepLR).
    private static func lrScheduler() -> Namespace {
        let ns = Namespace("torch.optim.lr_scheduler")
        ns["StepLR"] = .object(HostType("StepLR", check: { v in
            if case .object(let o) = v { return o is StepLRObject }
            return false
        }, construct: { a, _ in
            let s = try a.bind("StepLR.__init__", ["optimizer", "step_size", "gamma", "last_epoch", "verbose"], required: 2)
            guard case .object(let o as OptimizerObject) = s[0]! else {
                throw PyError(.typeError, "\(s[0]!.typeName) is not an Optimizer")
            }
            if let e = try Convert.optionalInt(s[3], "last_epoch"), e != -1 {
                throw PyError(.notImplementedError, "StepLR(last_epoch=…) is not supported by nnrepl")
            }
            let scheduler = try StepLR(o.optimizer, stepSize: try s[1]!.asInt("step_size"),
                                       gamma: try Convert.optionalDouble(s[2], "gamma") ?? 0.1)
            return .object(StepLRObject(scheduler, optimizer: o))
        }))
        return ns
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
