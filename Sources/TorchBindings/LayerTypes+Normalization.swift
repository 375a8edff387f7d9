import NNLang
import TensorRuntime
import NeuralNet

extension LayerTypes {
    /// The normalisation layers other than LayerNorm/RMSNorm: BatchNorm1d/2d, InstanceNorm1d/2d,
    /// GroupNorm, LocalResponseNorm.
    static func installNormalization(into nn: Namespace, moduleBase base: PyType) {
        typealias MakeNorm = (Int, Double, Double?, Bool, Bool, Bool) throws -> BatchNormBase
        let norms: [(String, Module.Type, String, String, MakeNorm)] = [
            ("BatchNorm1d", BatchNorm1d.self, "True", "Batch normalisation over (N, C) or (N, C, L) input; running statistics are used in eval mode.",
             { try BatchNorm1d($0, eps: $1, momentum: $2, affine: $3, trackRunningStats: $4, bias: $5) }),
            ("BatchNorm2d", BatchNorm2d.self, "True", "Batch normalisation over (N, C, H, W) input; running statistics are used in eval mode.",
             { try BatchNorm2d($0, eps: $1, momentum: $2, affine: $3, trackRunningStats: $4, bias: $5) }),
            ("InstanceNorm1d", InstanceNorm1d.self, "False", "Normalises each channel of each sample over its positions; (N, C, L) or (C, L) input.",
             { try InstanceNorm1d($0, eps: $1, momentum: $2, affine: $3, trackRunningStats: $4, bias: $5) }),
            ("InstanceNorm2d", InstanceNorm2d.self, "False", "Normalises each channel of each sample over its positions; (N, C, H, W) or (C, H, W) input.",
             { try InstanceNorm2d($0, eps: $1, momentum: $2, affine: $3, trackRunningStats: $4, bias: $5) }),
        ]
        for (name, cls, defaultOn, doc, make) in norms {
            add(nn, base, name, cls, "num_features, eps=1e-05, momentum=0.1, affine=\(defaultOn), track_running_stats=\(defaultOn), *, bias=True",
                doc, factory: true) { s, ev in
                let layer = try make(try s[0].asInt("num_features"), try Convert.optionalDouble(s[1], "eps") ?? 1e-5,
                                     try Convert.optionalDouble(s[2], "momentum"), try ev.truthy(s[3]), try ev.truthy(s[4]), try ev.truthy(s[7]))
                try write(s[1], "eps", ev, into: &layer.$eps)
                try write(s[2], "momentum", ev, into: &layer.$momentum)
                return layer
            }
        }
        add(nn, base, "GroupNorm", GroupNorm.self, "num_groups, num_channels, eps=1e-05, affine=True, *, bias=True",
            "Normalises groups of channels of each sample; per-channel weight and bias.", factory: true) { s, ev in
            let layer = try GroupNorm(numGroups: try s[0].asInt("num_groups"), numChannels: try s[1].asInt("num_channels"),
                                      eps: try Convert.optionalDouble(s[2], "eps") ?? 1e-5, affine: try ev.truthy(s[3]), bias: try ev.truthy(s[6]))
            try write(s[2], "eps", ev, into: &layer.$eps)
            return layer
        }
        add(nn, base, "LocalResponseNorm", LocalResponseNorm.self, "size, alpha=0.0001, beta=0.75, k=1.0",
            "Divides each element by a power of the mean square over neighbouring channels.") { s, ev in
            LocalResponseNorm(size: try s[0].asInt("size"), alpha: try number(s[1], "alpha", ev), beta: try number(s[2], "beta", ev),
                              k: try number(s[3], "k", ev))
        }
    }

    /// A float setting kept as given (an int stays an int in the repr).
    static func number(_ v: Value, _ what: String, _ ev: Evaluator) throws -> HyperValue {
        if case .int(let i) = v { return .int(i) }
        return .double(try v.asDouble(what))
    }

    /// Stores an argument the script gave (not None) as a layer's written setting (`layer.$eps`),
    /// so that the repr keeps an int where PyTorch does.
    static func write(_ v: Value?, _ what: String, _ ev: Evaluator, into setting: inout HyperValue) throws {
        if let v, !v.isNone { setting = try number(v, what, ev) }
    }
}

extension FunctionalNamespace {
    /// `F.group_norm`, `F.instance_norm`, `F.local_response_norm`.
    static func installNormalization(_ f: Namespace) {
        def(f, "group_norm", "input, num_groups, weight=None, bias=None, eps=1e-05",
            "Normalises groups of channels of each sample, then scales and shifts per channel.") { s, _ in
            .tensor(try Functional.groupNorm(try tensor(s[0], "input"), numGroups: try (s[1] ?? .none).asInt("num_groups"),
                                             weight: try LayerTypes.optionalTensor(s[2]), bias: try LayerTypes.optionalTensor(s[3]),
                                             eps: try Convert.optionalDouble(s[4], "eps") ?? 1e-5))
        }
        def(f, "instance_norm", "input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True, momentum=0.1, eps=1e-05",
            "Normalises each channel of each sample over its positions (running statistics updated when given).") { s, ev in
            .tensor(try Functional.instanceNorm(try tensor(s[0], "input"), runningMean: try LayerTypes.optionalTensor(s[1]),
                                                runningVar: try LayerTypes.optionalTensor(s[2]), weight: try LayerTypes.optionalTensor(s[3]),
                                                bias: try LayerTypes.optionalTensor(s[4]), useInputStats: try Convert.bool(s[5], default: true, ev),
                                                momentum: try Convert.optionalDouble(s[6], "momentum") ?? 0.1,
                                                eps: try Convert.optionalDouble(s[7], "eps") ?? 1e-5))
        }
        def(f, "local_response_norm", "input, size, alpha=0.0001, beta=0.75, k=1.0",
            "Divides each element by a power of the mean square over neighbouring channels.") { s, _ in
            .tensor(try Functional.localResponseNorm(try tensor(s[0], "input"), size: try (s[1] ?? .none).asInt("size"),
                                                     alpha: try Convert.optionalDouble(s[2], "alpha") ?? 1e-4,
                                                     beta: try Convert.optionalDouble(s[3], "beta") ?? 0.75,
                                                     k: try Convert.optionalDouble(s[4], "k") ?? 1))
        }
    }
}
