import NNLang
import TensorRuntime
import NeuralNet

extension LayerTypes {
    /// The margin, distance and likelihood losses, and the distance modules
    /// (`size_average`/`reduce` are PyTorch's deprecated arguments, accepted as None only).
    static func installMoreLosses(into nn: Namespace, moduleBase base: PyType) {
        func double(_ v: Value, _ what: String) throws -> Double { try v.asDouble(what) }
        add(nn, base, "KLDivLoss", KLDivLoss.self, "size_average=None, reduce=None, reduction='mean', log_target=False",
            "Kullback-Leibler divergence of target from input (input in log space).") { s, ev in
            try KLDivLoss(reduction: try reduction(s, deprecated: [0, 1], at: 2), logTarget: try ev.truthy(s[3]))
        }
        add(nn, base, "HingeEmbeddingLoss", HingeEmbeddingLoss.self, "margin=1.0, size_average=None, reduce=None, reduction='mean'",
            "input where target is 1, max(0, margin − input) where it is −1.") { s, _ in
            try HingeEmbeddingLoss(margin: try double(s[0], "margin"), reduction: try reduction(s, deprecated: [1, 2], at: 3))
        }
        add(nn, base, "MarginRankingLoss", MarginRankingLoss.self, "margin=0.0, size_average=None, reduce=None, reduction='mean'",
            "max(0, −target·(input1 − input2) + margin).") { s, _ in
            try MarginRankingLoss(margin: try double(s[0], "margin"), reduction: try reduction(s, deprecated: [1, 2], at: 3))
        }
        add(nn, base, "CosineEmbeddingLoss", CosineEmbeddingLoss.self, "margin=0.0, size_average=None, reduce=None, reduction='mean'",
            "1 − cos(x1, x2) where target is 1, max(0, cos − margin) where it is −1.") { s, _ in
            try CosineEmbeddingLoss(margin: try double(s[0], "margin"), reduction: try reduction(s, deprecated: [1, 2], at: 3))
        }
        add(nn, base, "TripletMarginLoss", TripletMarginLoss.self,
            "margin=1.0, p=2.0, eps=1e-06, swap=False, size_average=None, reduce=None, reduction='mean'",
            "max(0, margin + d(anchor, positive) − d(anchor, negative)) with the p-norm distance.") { s, ev in
            try TripletMarginLoss(margin: try double(s[0], "margin"), p: try double(s[1], "p"), eps: try double(s[2], "eps"),
                                  swap: try ev.truthy(s[3]), reduction: try reduction(s, deprecated: [4, 5], at: 6))
        }
        add(nn, base, "PoissonNLLLoss", PoissonNLLLoss.self, "log_input=True, full=False, size_average=None, eps=1e-08, reduce=None, reduction='mean'",
            "Negative log likelihood of a Poisson target (rate given as log or as is).") { s, ev in
            try PoissonNLLLoss(logInput: try ev.truthy(s[0]), full: try ev.truthy(s[1]), eps: try double(s[3], "eps"),
                               reduction: try reduction(s, deprecated: [2, 4], at: 5))
        }
        add(nn, base, "GaussianNLLLoss", GaussianNLLLoss.self, "*, full=False, eps=1e-06, reduction='mean'",
            "Negative log likelihood of a Gaussian target with predicted mean and variance.") { s, ev in
            try GaussianNLLLoss(full: try ev.truthy(s[0]), eps: try double(s[1], "eps"), reduction: try ModuleMethods.optionalString(s[2]) ?? "mean")
        }
        add(nn, base, "MultiLabelSoftMarginLoss", MultiLabelSoftMarginLoss.self, "weight=None, size_average=None, reduce=None, reduction='mean'",
            "Per-class logistic loss averaged over the classes.") { s, _ in
            try MultiLabelSoftMarginLoss(weight: try optionalTensor(s[0]), reduction: try reduction(s, deprecated: [1, 2], at: 3))
        }
        add(nn, base, "MultiLabelMarginLoss", MultiLabelMarginLoss.self, "size_average=None, reduce=None, reduction='mean'",
            "Multi-label hinge loss: Σ over targets y and other classes i of max(0, 1 − x[y] + x[i]) / C.") { s, _ in
            try MultiLabelMarginLoss(reduction: try reduction(s, deprecated: [0, 1], at: 2))
        }
        add(nn, base, "SoftMarginLoss", SoftMarginLoss.self, "size_average=None, reduce=None, reduction='mean'",
            "log(1 + exp(−target·input)).") { s, _ in
            try SoftMarginLoss(reduction: try reduction(s, deprecated: [0, 1], at: 2))
        }
        add(nn, base, "MultiMarginLoss", MultiMarginLoss.self, "p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction='mean'",
            "Multi-class hinge loss: Σ max(0, margin − x[y] + x[j])^p / C.") { s, _ in
            try MultiMarginLoss(p: try s[0].asInt("p"), margin: try double(s[1], "margin"), weight: try optionalTensor(s[2]),
                                reduction: try reduction(s, deprecated: [3, 4], at: 5))
        }
        add(nn, base, "CTCLoss", CTCLoss.self, "blank=0, reduction='mean', zero_infinity=False",
            "Connectionist temporal classification loss of (T, N, C) log-probabilities against unaligned targets.") { s, ev in
            CTCBindings.installBridge(ev)
            return try CTCLoss(blank: try s[0].asInt("blank"), reduction: try ModuleMethods.optionalString(s[1]) ?? "mean",
                               zeroInfinity: try ev.truthy(s[2]))
        }
        add(nn, base, "CosineSimilarity", CosineSimilarity.self, "dim=1, eps=1e-08", "Cosine of the angle between x1 and x2 along dim.") { s, _ in
            CosineSimilarity(dim: try s[0].asInt("dim"), eps: try double(s[1], "eps"))
        }
        add(nn, base, "PairwiseDistance", PairwiseDistance.self, "p=2.0, eps=1e-06, keepdim=False",
            "p-norm of x1 − x2 + eps over the last dimension.") { s, ev in
            PairwiseDistance(p: try double(s[0], "p"), eps: try double(s[1], "eps"), keepdim: try ev.truthy(s[2]))
        }
    }
}

extension FunctionalNamespace {
    /// `F.kl_div` and the margin, distance and likelihood losses; `F.cosine_similarity`, `F.pairwise_distance`.
    static func installMoreLosses(_ f: Namespace) {
        func double(_ v: Value?, _ what: String, _ d: Double) throws -> Double { try Convert.optionalDouble(v, what) ?? d }
        def(f, "kl_div", "input, target, size_average=None, reduce=None, reduction='mean', log_target=False",
            "Kullback-Leibler divergence of target from input (input in log space).") { s, ev in
            let red = try reduction(s, [2, 3], 4)
            if red == "mean" { ev.warn("UserWarning: " + KLDivLoss.meanWarning) }
            return .tensor(try Functional.klDiv(try tensor(s[0], "input"), target: try tensor(s[1], "target"), reduction: red,
                                                logTarget: try Convert.bool(s[5], default: false, ev)))
        }
        def(f, "hinge_embedding_loss", "input, target, margin=1.0, size_average=None, reduce=None, reduction='mean'",
            "input where target is 1, max(0, margin − input) where it is −1.") { s, _ in
            .tensor(try Functional.hingeEmbeddingLoss(try tensor(s[0], "input"), target: try tensor(s[1], "target"),
                                                      margin: try double(s[2], "margin", 1), reduction: try reduction(s, [3, 4], 5)))
        }
        def(f, "margin_ranking_loss", "input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'",
            "max(0, −target·(input1 − input2) + margin).") { s, _ in
            .tensor(try Functional.marginRankingLoss(try tensor(s[0], "input1"), try tensor(s[1], "input2"), target: try tensor(s[2], "target"),
                                                     margin: try double(s[3], "margin", 0), reduction: try reduction(s, [4, 5], 6)))
        }
        def(f, "cosine_embedding_loss", "input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'",
            "1 − cos(x1, x2) where target is 1, max(0, cos − margin) where it is −1.") { s, _ in
            .tensor(try Functional.cosineEmbeddingLoss(try tensor(s[0], "input1"), try tensor(s[1], "input2"), target: try tensor(s[2], "target"),
                                                       margin: try double(s[3], "margin", 0), reduction: try reduction(s, [4, 5], 6)))
        }
        def(f, "triplet_margin_loss",
            "anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False, size_average=None, reduce=None, reduction='mean'",
            "max(0, margin + d(anchor, positive) − d(anchor, negative)) with the p-norm distance.") { s, ev in
            .tensor(try Functional.tripletMarginLoss(try tensor(s[0], "anchor"), try tensor(s[1], "positive"), try tensor(s[2], "negative"),
                                                     margin: try double(s[3], "margin", 1), p: try double(s[4], "p", 2),
                                                     eps: try double(s[5], "eps", 1e-6), swap: try Convert.bool(s[6], default: false, ev),
                                                     reduction: try reduction(s, [7, 8], 9)))
        }
        def(f, "poisson_nll_loss", "input, target, log_input=True, full=False, size_average=None, eps=1e-08, reduce=None, reduction='mean'",
            "Negative log likelihood of a Poisson target (rate given as log or as is).") { s, ev in
            .tensor(try Functional.poissonNLLLoss(try tensor(s[0], "input"), target: try tensor(s[1], "target"),
                                                  logInput: try Convert.bool(s[2], default: true, ev), full: try Convert.bool(s[3], default: false, ev),
                                                  eps: try double(s[5], "eps", 1e-8), reduction: try reduction(s, [4, 6], 7)))
        }
        def(f, "gaussian_nll_loss", "input, target, var, full=False, eps=1e-06, reduction='mean'",
            "Negative log likelihood of a Gaussian target with predicted mean and variance.") { s, ev in
            let x = try tensor(s[0], "input")
            let variance: Tensor
            if case .float(let v)? = s[2] {
                guard v >= 0 else { throw PyError(.valueError, "var has negative entry/entries") }
                variance = try Tensor.onesLike(x).mul(.double(v))
            } else {
                variance = try tensor(s[2], "var")
            }
            return .tensor(try Functional.gaussianNLLLoss(x, target: try tensor(s[1], "target"), variance: variance,
                                                          full: try Convert.bool(s[3], default: false, ev), eps: try double(s[4], "eps", 1e-6),
                                                          reduction: try ModuleMethods.optionalString(s[5]) ?? "mean"))
        }
        def(f, "multilabel_soft_margin_loss", "input, target, weight=None, size_average=None, reduce=None, reduction='mean'",
            "Per-class logistic loss averaged over the classes.") { s, _ in
            .tensor(try Functional.multilabelSoftMarginLoss(try tensor(s[0], "input"), target: try tensor(s[1], "target"),
                                                            weight: try LayerTypes.optionalTensor(s[2]), reduction: try reduction(s, [3, 4], 5)))
        }
        def(f, "multilabel_margin_loss", "input, target, size_average=None, reduce=None, reduction='mean'",
            "Multi-label hinge loss: Σ over targets y and other classes i of max(0, 1 − x[y] + x[i]) / C.") { s, _ in
            .tensor(try Functional.multilabelMarginLoss(try tensor(s[0], "input"), target: try tensor(s[1], "target"), reduction: try reduction(s, [2, 3], 4)))
        }
        def(f, "soft_margin_loss", "input, target, size_average=None, reduce=None, reduction='mean'", "log(1 + exp(−target·input)).") { s, _ in
            .tensor(try Functional.softMarginLoss(try tensor(s[0], "input"), target: try tensor(s[1], "target"), reduction: try reduction(s, [2, 3], 4)))
        }
        def(f, "multi_margin_loss", "input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction='mean'",
            "Multi-class hinge loss: Σ max(0, margin − x[y] + x[j])^p / C.") { s, _ in
            .tensor(try Functional.multiMarginLoss(try tensor(s[0], "input"), target: try tensor(s[1], "target"),
                                                   p: try Convert.optionalInt(s[2], "p") ?? 1, margin: try double(s[3], "margin", 1),
                                                   weight: try LayerTypes.optionalTensor(s[4]), reduction: try reduction(s, [5, 6], 7)))
        }
        def(f, "ctc_loss", "log_probs, targets, input_lengths, target_lengths, blank=0, reduction='mean', zero_infinity=False",
            "Connectionist temporal classification loss of (T, N, C) log-probabilities against unaligned targets.") { s, ev in
            .tensor(try Functional.ctcLoss(try tensor(s[0], "log_probs"), targets: try tensor(s[1], "targets"),
                                           inputLengths: try CTCBindings.lengths(s[2], "input_lengths", ev),
                                           targetLengths: try CTCBindings.lengths(s[3], "target_lengths", ev),
                                           blank: try Convert.optionalInt(s[4], "blank") ?? 0,
                                           reduction: try ModuleMethods.optionalString(s[5] ?? .none) ?? "mean",
                                           zeroInfinity: try Convert.bool(s[6], default: false, ev)))
        }
        def(f, "cosine_similarity", "x1, x2, dim=1, eps=1e-08", "Cosine of the angle between x1 and x2 along dim.") { s, _ in
            .tensor(try Functional.cosineSimilarity(try tensor(s[0], "x1"), try tensor(s[1], "x2"), dim: try Convert.optionalInt(s[2], "dim") ?? 1,
                                                    eps: try double(s[3], "eps", 1e-8)))
        }
        def(f, "pairwise_distance", "x1, x2, p=2.0, eps=1e-06, keepdim=False", "p-norm of x1 − x2 + eps over the last dimension.") { s, ev in
            .tensor(try Functional.pairwiseDistance(try tensor(s[0], "x1"), try tensor(s[1], "x2"), p: try double(s[2], "p", 2),
                                                    eps: try double(s[3], "eps", 1e-6), keepdim: try Convert.bool(s[4], default: false, ev)))
        }
    }
}

/// How CTC lengths are read: a tensor, an int, or a tuple/list of ints.
enum CTCBindings {
    /// The evaluator `ModuleValueBridge.intSequence` reads lists with (the interpreter that built the loss).
    nonisolated(unsafe) private static weak var evaluator: Evaluator?

    static func installBridge(_ ev: Evaluator) {
        guard evaluator !== ev else { return }
        evaluator = ev
        ModuleValueBridge.intSequence = { any in
            guard let v = any as? Value, let ev = evaluator else { return any as? [Int] }
            return try? lengths(v, "lengths", ev)
        }
    }

    static func lengths(_ v: Value?, _ what: String, _ ev: Evaluator) throws -> [Int] {
        let value = v ?? .none
        if case .tensor(let t) = value { return t.toScalars().map { Int($0.doubleValue) } }
        return try Convert.ints(value, ev, what)
    }
}
