import NNLang
import TensorRuntime
import NeuralNet

extension LayerTypes {
    /// The activation layers beyond ReLU/LeakyReLU/Sigmoid/Tanh/GELU/Softmax/LogSoftmax. Numeric
    /// settings keep the type they were given (`Softplus(beta=2)` prints `beta=2`).
    static func installActivations(into nn: Namespace, moduleBase base: PyType) {
        func flag(_ v: Value, _ ev: Evaluator) throws -> Bool { try ev.truthy(v) }
        add(nn, base, "ELU", ELU.self, "alpha=1.0, inplace=False", "x for x > 0, alpha·(exp(x) − 1) otherwise.") { s, ev in
            ELU(alpha: try number(s[0], "alpha", ev), inplace: try flag(s[1], ev))
        }
        add(nn, base, "RReLU", RReLU.self, "lower=0.125, upper=0.3333333333333333, inplace=False",
            "Leaky ReLU with random slopes from U(lower, upper) in training, their mean in eval.") { s, ev in
            RReLU(lower: try number(s[0], "lower", ev), upper: try number(s[1], "upper", ev), inplace: try flag(s[2], ev))
        }
        add(nn, base, "ChannelShuffle", ChannelShuffle.self, "groups", "Shuffles the channels of (N, C, …) input across groups.") { s, ev in
            ChannelShuffle(groups: .int(try s[0].asInt("groups")))
        }
        add(nn, base, "CELU", CELU.self, "alpha=1.0, inplace=False", "max(0, x) + min(0, alpha·(exp(x/alpha) − 1)).") { s, ev in
            CELU(alpha: try number(s[0], "alpha", ev), inplace: try flag(s[1], ev))
        }
        add(nn, base, "SELU", SELU.self, "inplace=False", "scale·elu(x, alpha) with the self-normalising constants.") { s, ev in
            SELU(inplace: try flag(s[0], ev))
        }
        add(nn, base, "SiLU", SiLU.self, "inplace=False", "x·sigmoid(x) (swish).") { s, ev in SiLU(inplace: try flag(s[0], ev)) }
        add(nn, base, "Mish", Mish.self, "inplace=False", "x·tanh(softplus(x)).") { s, ev in Mish(inplace: try flag(s[0], ev)) }
        add(nn, base, "Softplus", Softplus.self, "beta=1.0, threshold=20.0", "log(1 + exp(beta·x)) / beta (linear above threshold).") { s, ev in
            Softplus(beta: try number(s[0], "beta", ev), threshold: try number(s[1], "threshold", ev))
        }
        add(nn, base, "Hardtanh", Hardtanh.self, "min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None",
            "x clamped to [min_val, max_val].") { s, ev in
            var lo = s[0], hi = s[1]
            for (i, old, new) in [(3, "min_value", "min_val"), (4, "max_value", "max_val")] where !s[i].isNone {
                ev.warn("FutureWarning: keyword argument `\(old)` is deprecated and renamed to `\(new)`")
                if i == 3 { lo = s[i] } else { hi = s[i] }
            }
            return try Hardtanh(minVal: try number(lo, "min_val", ev), maxVal: try number(hi, "max_val", ev), inplace: try flag(s[2], ev))
        }
        add(nn, base, "ReLU6", ReLU6.self, "inplace=False", "min(max(0, x), 6).") { s, ev in try ReLU6(inplace: try flag(s[0], ev)) }
        add(nn, base, "Hardsigmoid", Hardsigmoid.self, "inplace=False", "relu6(x + 3) / 6.") { s, ev in
            Hardsigmoid(inplace: try flag(s[0], ev))
        }
        add(nn, base, "Hardswish", Hardswish.self, "inplace=False", "x·relu6(x + 3) / 6.") { s, ev in Hardswish(inplace: try flag(s[0], ev)) }
        add(nn, base, "Threshold", Threshold.self, "threshold, value, inplace=False", "x where x > threshold, value elsewhere.") { s, ev in
            Threshold(threshold: try number(s[0], "threshold", ev), value: try number(s[1], "value", ev), inplace: try flag(s[2], ev))
        }
        add(nn, base, "GLU", GLU.self, "dim=-1", "a·sigmoid(b) for the two halves a, b of dim.") { s, _ in GLU(dim: try s[0].asInt("dim")) }
        add(nn, base, "Softmin", Softmin.self, "dim=None", "softmax(−x) along dim.") { s, _ in Softmin(dim: try Convert.optionalInt(s[0], "dim")) }
        add(nn, base, "Softshrink", Softshrink.self, "lambd=0.5", "x − lambd above lambd, x + lambd below −lambd, 0 between.") { s, ev in
            Softshrink(lambd: try number(s[0], "lambd", ev))
        }
        add(nn, base, "Hardshrink", Hardshrink.self, "lambd=0.5", "x outside [−lambd, lambd], 0 inside.") { s, ev in
            Hardshrink(lambd: try number(s[0], "lambd", ev))
        }
        add(nn, base, "Softsign", Softsign.self, "*args, **kwargs", "x / (1 + |x|).") { _, _ in Softsign() }
        add(nn, base, "LogSigmoid", LogSigmoid.self, "*args, **kwargs", "log(sigmoid(x)), computed stably.") { _, _ in LogSigmoid() }
        add(nn, base, "Tanhshrink", Tanhshrink.self, "*args, **kwargs", "x − tanh(x).") { _, _ in Tanhshrink() }
        add(nn, base, "PReLU", PReLU.self, "num_parameters=1, init=0.25", "x for x ≥ 0, weight·x otherwise, with a learnable weight per channel.",
            factory: true) { s, ev in
            try PReLU(numParameters: try s[0].asInt("num_parameters"), initValue: try number(s[1], "init", ev))
        }
    }
}

extension FunctionalNamespace {
    /// The activation functions of `F` beyond relu/leaky_relu/gelu/sigmoid/tanh/softmax.
    static func installActivations(_ f: Namespace) {
        /// `F.name(input, …, inplace=False)`: the op, written into the input when `inplace` is true.
        func activation(_ name: String, _ signature: String, _ doc: String, inplaceSlot: Int?,
                        _ op: @escaping (Tensor, [Value?]) throws -> Tensor) {
            def(f, name, signature, doc) { s, ev in
                let x = try tensor(s[0], "input")
                if let i = inplaceSlot, try Convert.bool(s[i], default: false, ev) {
                    return .tensor(try x.applyInPlace { t, _ in try op(t, s) })
                }
                return .tensor(try op(x, s))
            }
        }
        func double(_ v: Value?, _ what: String, _ d: Double) throws -> Double { try Convert.optionalDouble(v, what) ?? d }
        activation("elu", "input, alpha=1.0, inplace=False", "x for x > 0, alpha·(exp(x) − 1) otherwise.", inplaceSlot: 2) { x, s in
            try x.elu(alpha: try double(s[1], "alpha", 1))
        }
        activation("selu", "input, inplace=False", "scale·elu(x, alpha) with the self-normalising constants.", inplaceSlot: 1) { x, _ in try x.selu() }
        activation("celu", "input, alpha=1.0, inplace=False", "max(0, x) + min(0, alpha·(exp(x/alpha) − 1)).", inplaceSlot: 2) { x, s in
            try x.celu(alpha: try double(s[1], "alpha", 1))
        }
        activation("silu", "input, inplace=False", "x·sigmoid(x) (swish).", inplaceSlot: 1) { x, _ in try x.silu() }
        activation("mish", "input, inplace=False", "x·tanh(softplus(x)).", inplaceSlot: 1) { x, _ in try x.mish() }
        activation("softplus", "input, beta=1, threshold=20", "log(1 + exp(beta·x)) / beta (linear above threshold).", inplaceSlot: nil) { x, s in
            try x.softplus(beta: try double(s[1], "beta", 1), threshold: try double(s[2], "threshold", 20))
        }
        activation("softsign", "input", "x / (1 + |x|).", inplaceSlot: nil) { x, _ in try x.softsign() }
        activation("hardtanh", "input, min_val=-1.0, max_val=1.0, inplace=False", "x clamped to [min_val, max_val].", inplaceSlot: 3) { x, s in
            try x.hardtanh(min: try double(s[1], "min_val", -1), max: try double(s[2], "max_val", 1))
        }
        activation("relu6", "input, inplace=False", "min(max(0, x), 6).", inplaceSlot: 1) { x, _ in try x.hardtanh(min: 0, max: 6) }
        activation("hardsigmoid", "input, inplace=False", "relu6(x + 3) / 6.", inplaceSlot: 1) { x, _ in try x.hardsigmoid() }
        activation("hardswish", "input, inplace=False", "x·relu6(x + 3) / 6.", inplaceSlot: 1) { x, _ in try x.hardswish() }
        activation("threshold", "input, threshold, value, inplace=False", "x where x > threshold, value elsewhere.", inplaceSlot: 3) { x, s in
            try x.threshold(try (s[1] ?? .none).asDouble("threshold"), value: try (s[2] ?? .none).asDouble("value"))
        }
        activation("logsigmoid", "input", "log(sigmoid(x)), computed stably.", inplaceSlot: nil) { x, _ in try x.logSigmoid() }
        activation("tanhshrink", "input", "x − tanh(x).", inplaceSlot: nil) { x, _ in try x.tanhshrink() }
        activation("softshrink", "input, lambd=0.5", "x − lambd above lambd, x + lambd below −lambd, 0 between.", inplaceSlot: nil) { x, s in
            try x.softshrink(lambda: try double(s[1], "lambd", 0.5))
        }
        activation("hardshrink", "input, lambd=0.5", "x outside [−lambd, lambd], 0 inside.", inplaceSlot: nil) { x, s in
            try x.hardshrink(lambda: try double(s[1], "lambd", 0.5))
        }
        activation("glu", "input, dim=-1", "a·sigmoid(b) for the two halves a, b of dim.", inplaceSlot: nil) { x, s in
            try Functional.glu(x, dim: try Convert.optionalInt(s[1], "dim") ?? -1)
        }
        activation("prelu", "input, weight", "x for x ≥ 0, weight·x otherwise (one weight per channel or one shared).", inplaceSlot: nil) { x, s in
            try Functional.prelu(x, weight: try tensor(s[1], "weight"))
        }
        def(f, "softmin", "input, dim=None, _stacklevel=3, dtype=None", "softmax(−x) along dim.") { s, ev in
            var x = try tensor(s[0], "input")
            if let dt = try Convert.dtype(s[3]) { x = try x.converted(to: dt) }
            return .tensor(try Functional.softmax(try x.neg(), dim: try softmaxDim(s[1], x, "softmin", ev)))
        }
        // The in-place spellings F.elu_, F.selu_, F.celu_, F.hardtanh_, F.threshold_.
        for name in ["elu", "selu", "celu", "hardtanh", "threshold"] {
            guard case .object(let fn as NativeFunction)? = f[name], let sig = fn.signature else { continue }
            let text = sig.text.replacingOccurrences(of: ", inplace=False", with: "")
            def(f, name + "_", text, "The in-place form of F.\(name).") { s, ev in
                try ev.call(.object(fn), Arguments(s.map { $0 ?? .none }, keywords: [("inplace", .bool(true))]))
            }
        }
    }
}

extension FunctionalNamespace {
    /// The activations PyTorch also has as `torch.` functions without a tensor method:
    /// `torch.selu`, `torch.celu`, `torch.threshold` and their in-place `_` forms.
    static func installTorchActivations(_ torch: Namespace) {
        let ops: [(String, String, String, (Tensor, Bound) throws -> Tensor)] = [
            ("selu", "input", "scale·elu(x, alpha) with the self-normalising constants.", { x, _ in try x.selu() }),
            ("celu", "input, alpha=1.0", "max(0, x) + min(0, alpha·(exp(x/alpha) − 1)).", { x, b in try x.celu(alpha: try b[1].asDouble("alpha")) }),
            ("threshold", "input, threshold, value", "x where x > threshold, value elsewhere.", { x, b in
                try x.threshold(try b[1].asDouble("threshold"), value: try b[2].asDouble("value"))
            }),
        ]
        for (name, signature, doc, op) in ops {
            let sig = Signature(signature, style: .torch)
            for inPlace in [false, true] {
                let spelled = inPlace ? name + "_" : name
                torch[spelled] = .object(NativeFunction(spelled, signature: sig, doc: inPlace ? doc + " In place." : doc) { a, ev in
                    let b = try sig.bind(a, spelled)
                    let x = try b[0].asTensor("input")
                    return .tensor(inPlace ? try x.applyInPlace { t, _ in try op(t, b) } : try op(x, b))
                })
            }
        }
    }
}
