import NNLang
import TensorRuntime
import NeuralNet

/// `torch.nn.utils.weight_norm` / `remove_weight_norm` / `spectral_norm` / `remove_spectral_norm`
/// and `torch.nn.utils.prune` (NeuralNet's Reparametrizations.swift and Pruning.swift).
extension NNUtilsNamespace {
    static func installReparametrizations(_ ns: Namespace) {
        func def(_ target: Namespace, _ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            target[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        def(ns, "weight_norm", "module, name='weight', dim=0",
            "module.name recomputed as name_v * (name_g / ‖name_v‖) before every forward (norm over all dims but dim).") { b, _ in
            let m = try b[0].asModule("module")
            try m.applyWeightNorm(name: try b[1].asString("name"), dim: try Convert.optionalInt(b[2], "dim"))
            return b[0]
        }
        def(ns, "remove_weight_norm", "module, name='weight'", "Undoes weight_norm: the current weight becomes a parameter again.") { b, _ in
            try b[0].asModule("module").removeWeightNorm(name: try b[1].asString("name"))
            return b[0]
        }
        def(ns, "spectral_norm", "module, name='weight', n_power_iterations=1, eps=1e-12, dim=None",
            "module.name divided by its largest singular value (power iteration in training) before every forward.") { b, _ in
            try b[0].asModule("module").applySpectralNorm(name: try b[1].asString("name"), powerIterations: try b.int(2, "n_power_iterations"),
                                                          eps: try b.double(3, "eps"), dim: try Convert.optionalInt(b[4], "dim"))
            return b[0]
        }
        def(ns, "remove_spectral_norm", "module, name='weight'", "Undoes spectral_norm: the normalised weight becomes a parameter again.") { b, _ in
            try b[0].asModule("module").removeSpectralNorm(name: try b[1].asString("name"))
            return b[0]
        }
        ns["prune"] = .object(makePrune())
        let stateless = Namespace("torch.nn.utils.stateless")
        stateless["functional_call"] = .object(FuncNamespace.functionalCall)
        ns["stateless"] = .object(stateless)
        def(ns, "get_total_norm", "tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None",
            "The norm of the tensors' norms (a 0-dim tensor; 0. for none).") { b, ev in
            .tensor(try totalNorm(try tensors(b[0], ev), try b.double(1, "norm_type"), errorIfNonfinite: try b.bool(2, ev)))
        }
        def(ns, "clip_grads_with_norm_", "parameters, max_norm, total_norm, foreach=None",
            "Scales the parameters' gradients by min(1, max_norm / (total_norm + 1e-6)).") { b, ev in
            try scale(try tensors(b[0], ev).compactMap(\.grad), maxNorm: try b.double(1, "max_norm"),
                      total: try b.tensor(2, "total_norm").item().doubleValue)
            return .none
        }
    }

    /// `torch.nn.utils.prune`.
    static func makePrune() -> Namespace {
        let prune = Namespace("torch.nn.utils.prune")
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            prune[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        func amount(_ v: Value) throws -> PruningAmount {
            switch v {
            case .int(let n): return try PruningAmount.count(n).validated()
            case .float(let f): return try PruningAmount.fraction(f).validated()
            default: throw PyError(.typeError, "Invalid type for amount: \(v.typeName). Must be int or float.")
            }
        }
        func apply(_ b: Bound, _ method: PruningMethod, scoresAt i: Int? = nil) throws -> Value {
            let scores = try i.flatMap { i in b[i].isNone ? nil : try b.tensor(i, "importance_scores") }
            try b[0].asModule("module").applyPruning(try b[1].asString("name"), method, importanceScores: scores)
            return b[0]
        }
        def("identity", "module, name", "Prunes nothing (a mask of ones).") { b, _ in try apply(b, .identity) }
        def("l1_unstructured", "module, name, amount, importance_scores=None",
            "Zeroes the amount (count or fraction) of entries with the smallest |value|.") { b, _ in
            try apply(b, .l1Unstructured(try amount(b[2])), scoresAt: 3)
        }
        def("random_unstructured", "module, name, amount", "Zeroes the amount (count or fraction) of entries chosen at random.") { b, _ in
            try apply(b, .randomUnstructured(try amount(b[2])))
        }
        def("ln_structured", "module, name, amount, n, dim, importance_scores=None",
            "Zeroes the amount of channels along dim with the smallest n-norm.") { b, _ in
            var n = 2.0
            if case .str(let s) = b[3], s == "fro" {} else { n = try b.double(3, "n") }
            return try apply(b, .lnStructured(try amount(b[2]), n: n, dim: try b.int(4, "dim")), scoresAt: 5)
        }
        def("random_structured", "module, name, amount, dim",
            "Zeroes the amount (count or fraction) of channels along dim chosen at random.") { b, _ in
            try apply(b, .randomStructured(try amount(b[2]), dim: try b.int(3, "dim")))
        }
        def("custom_from_mask", "module, name, mask", "Prunes where mask is 0.") { b, _ in
            try apply(b, .customFromMask(try b.tensor(2, "mask")))
        }
        def("remove", "module, name", "Makes the pruning permanent: name becomes a parameter holding the pruned values.") { b, _ in
            try b[0].asModule("module").removePruning(try b[1].asString("name"))
            return b[0]
        }
        def("is_pruned", "module", "Whether the module or one of its submodules has a pruned parameter.") { b, _ in
            .bool(try b[0].asModule("module").isPruned)
        }
        let l1 = HostType("L1Unstructured", check: { _ in false }, construct: { _, _ in
            throw PyError(.typeError, "L1Unstructured is passed to prune.global_unstructured as pruning_method, not called")
        })
        let random = HostType("RandomUnstructured", check: { _ in false }, construct: { _, _ in
            throw PyError(.typeError, "RandomUnstructured is passed to prune.global_unstructured as pruning_method, not called")
        })
        prune["L1Unstructured"] = .object(l1)
        prune["RandomUnstructured"] = .object(random)
        prune["global_unstructured"] = .object(NativeFunction("global_unstructured",
            signature: Signature("parameters, pruning_method, importance_scores=None, **kwargs"),
            doc: "One mask over all the (module, name) pairs together, by L1Unstructured or RandomUnstructured.") { a, ev in
            let b = try Signature("parameters, pruning_method, importance_scores=None, **kwargs").bind(a, "global_unstructured")
            guard case .object(let kind) = b[1], kind === l1 || kind === random else {
                throw PyError(.typeError, "Only \"unstructured\" PRUNING_TYPE supported for the `pruning_method`. Found method \(b[1].typeName) of type \(b[1].typeName)")
            }
            guard let amountValue = b.extraKeywords.first(where: { $0.0 == "amount" })?.1 else {
                throw PyError(.typeError, "\(kind === l1 ? "L1Unstructured" : "RandomUnstructured").__init__() missing 1 required positional argument: 'amount'")
            }
            let pruningAmount = try amount(amountValue)
            var targets: [(Module, String)] = []
            for pair in try ev.iterate(b[0]) {
                let items = try ev.iterate(pair)
                guard items.count == 2 else { throw PyError(.valueError, "parameters must be (module, name) pairs") }
                targets.append((try items[0].asModule("module"), try items[1].asString("name")))
            }
            var scores = [Tensor?](repeating: nil, count: targets.count)
            for (key, value) in ev.mappingItems(b[2]) ?? [] {
                let parts = try ev.iterate(key)
                guard parts.count == 2, case .module(let km) = parts[0], case .str(let kn) = parts[1], case .tensor(let t) = value,
                      let k = targets.firstIndex(where: { $0.0 === km && $0.1 == kn }) else { continue }
                scores[k] = t
            }
            try Module.globalPruning(targets, kind === l1 ? .l1Unstructured(pruningAmount) : .randomUnstructured(pruningAmount),
                                     importanceScores: scores)
            return .none
        })
        return prune
    }
}
