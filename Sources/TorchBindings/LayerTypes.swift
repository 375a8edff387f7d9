import NNLang
import TensorRuntime
import NeuralNet

/// The built-in layer classes of `torch.nn` as type objects: each constructor has PyTorch's
/// signature and defaults, `isinstance(m, nn.ReLU)` checks the Swift class, and `type(m)` finds
/// the type through `ModuleTypes`.
enum LayerTypes {
    /// Builds a layer from its bound arguments (one slot per parameter name).
    typealias Make = ([Value], Evaluator) throws -> Module

    /// Declares `nn.<name>`: its constructor's PyTorch signature (the text is parsed once and binds
    /// every call, defaults included, and is what `help()` / `:help` print), a one-line description,
    /// and how to build it. `factory` appends PyTorch's `device=None, dtype=None` keywords (a float64
    /// dtype converts the new layer's parameters). `make` gets one slot per parameter, defaults filled in.
    static func add(_ ns: Namespace, _ moduleBase: PyType, _ name: String, _ cls: Module.Type,
                    _ signature: String, _ doc: String, factory: Bool = false, _ make: @escaping Make) {
        // device/dtype go before a keyword-only tail, as in PyTorch (`…, device=None, dtype=None, *, bias=True`).
        var text = signature
        if factory {
            let parts = signature.components(separatedBy: ", *, ")
            text = (parts[0].isEmpty ? "" : parts[0] + ", ") + "device=None, dtype=None"
                + (parts.count > 1 ? ", *, " + parts[1] : "")
        }
        let sig = Signature(text)
        let deviceSlot = sig.names.firstIndex(of: "device") ?? 0
        let type = HostType(name, parent: moduleBase, signature: sig, doc: doc, check: { v in
            if case .module(let m) = v { return isInstance(m, of: cls) }
            return false
        }, construct: { a, ev in
            let s = try sig.bind(a, "\(name).__init__").values
            let m = try make(s, ev)
            m.rebuild = { try make(s, ev) }
            if factory {
                try Convert.checkDevice(s[deviceSlot], ev)
                if let dt = try Convert.dtype(s[deviceSlot + 1]) {
                    guard dt.isFloatingPoint else {
                        throw PyError(.typeError, "nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=\(dt.name)")
                    }
                    try ModuleConversion.convert(m, to: dt)
                }
            }
            return .module(m)
        })
        ModuleTypes.register(cls, type)
        LayerSubclassing.allowDeriving(type)
        ns[name] = .object(type)
    }

    /// `isinstance` over the Swift class hierarchy.
    private static func isInstance(_ m: Module, of cls: Module.Type) -> Bool {
        var t: AnyClass? = Swift.type(of: m)
        while let c = t {
            if c == cls { return true }
            t = _getSuperclass(c)
        }
        return false
    }

    /// Every layer of nnrepl's `torch.nn`.
    static func install(into nn: Namespace, moduleBase base: PyType) {
        add(nn, base, "Linear", Linear.self, "in_features, out_features, bias=True",
            "Affine map y = x @ weight.T + bias on the last dimension.", factory: true) { s, ev in
            // PyTorch allocates torch.empty((out_features, in_features)): a non-int fails there.
            let shape = try Convert.sizes(ev.makeTuple([s[1] ?? .none, s[0] ?? .none]), function: "empty")
            return try Linear(shape[1], shape[0], bias: try Convert.bool(s[2], default: true, ev))
        }
        add(nn, base, "Identity", Identity.self, "*args, **kwargs",
            "Returns its input unchanged (arguments are ignored).") { _, _ in Identity() }
        add(nn, base, "Conv2d", Conv2d.self, "in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, padding_mode='zeros'",
            "2-D convolution over an (N, C, H, W) or (C, H, W) input.", factory: true) { s, ev in
            try Conv2d(try s[0].asInt("in_channels"), try s[1].asInt("out_channels"), kernelSize: try requiredPair(s[2], ev, "kernel_size"),
                       stride: try intPair(s[3], ev) ?? .single(1), padding: try convPadding(s[4], ev),
                       dilation: try intPair(s[5], ev) ?? .single(1), groups: try Convert.optionalInt(s[6], "groups") ?? 1,
                       bias: try Convert.bool(s[7], default: true, ev), paddingMode: try ModuleMethods.optionalString(s[8]) ?? "zeros")
        }
        add(nn, base, "ReLU", ReLU.self, "inplace=False",
            "max(0, x) elementwise.") { s, ev in ReLU(inplace: try Convert.bool(s[0], default: false, ev)) }
        add(nn, base, "LeakyReLU", LeakyReLU.self, "negative_slope=0.01, inplace=False",
            "x for x >= 0, negative_slope * x otherwise.") { s, ev in
            let layer = LeakyReLU(negativeSlope: try Convert.optionalDouble(s[0], "negative_slope") ?? 0.01, inplace: try Convert.bool(s[1], default: false, ev))
            try write(s[0], "negative_slope", ev, into: &layer.$negativeSlope)
            return layer
        }
        add(nn, base, "Sigmoid", Sigmoid.self, "",
            "1 / (1 + exp(-x)) elementwise.") { _, _ in Sigmoid() }
        add(nn, base, "Tanh", Tanh.self, "",
            "Hyperbolic tangent elementwise.") { _, _ in Tanh() }
        add(nn, base, "GELU", GELU.self, "approximate='none'",
            "Gaussian error linear unit (exact, or the tanh approximation).") { s, _ in
            let approximate = try ModuleMethods.optionalString(s[0]) ?? "none"
            guard approximate == "none" || approximate == "tanh" else {
                throw PyError(.runtimeError, "approximate argument must be either none or tanh.")
            }
            return GELU(approximate: approximate)
        }
        add(nn, base, "Softmax", Softmax.self, "dim=None",
            "Exponentials normalised to sum to 1 along dim.") { s, _ in Softmax(dim: try Convert.optionalInt(s[0], "dim")) }
        add(nn, base, "LogSoftmax", LogSoftmax.self, "dim=None",
            "log(softmax(x)) along dim, computed stably.") { s, _ in LogSoftmax(dim: try Convert.optionalInt(s[0], "dim")) }
        add(nn, base, "Dropout", Dropout.self, "p=0.5, inplace=False",
            "In training mode zeroes elements with probability p and scales the rest by 1/(1-p); identity in eval mode.") { s, ev in
            try withWrittenP(try Dropout(p: try dropoutProbability(s[0], ev), inplace: try Convert.bool(s[1], default: false, ev)), s[0], ev)
        }
        add(nn, base, "Flatten", Flatten.self, "start_dim=1, end_dim=-1",
            "Flattens dimensions start_dim..end_dim into one.") { s, _ in
            Flatten(startDim: try Convert.optionalInt(s[0], "start_dim") ?? 1, endDim: try Convert.optionalInt(s[1], "end_dim") ?? -1)
        }
        add(nn, base, "MaxPool2d", MaxPool2d.self, "kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False",
            "2-D max pooling (stride defaults to kernel_size).") { s, ev in
            MaxPool2d(kernelSize: try requiredPair(s[0], ev, "kernel_size"), stride: try intPair(s[1], ev), padding: try intPair(s[2], ev) ?? .single(0),
                      dilation: try intPair(s[3], ev) ?? .single(1), returnIndices: try Convert.bool(s[4], default: false, ev),
                      ceilMode: try Convert.bool(s[5], default: false, ev))
        }
        add(nn, base, "AvgPool2d", AvgPool2d.self, "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None",
            "2-D average pooling (stride defaults to kernel_size).") { s, ev in
            if !s[5].isNone { throw PyError(.notImplementedError, "AvgPool2d(divisor_override=…) is not supported by nnrepl") }
            return AvgPool2d(kernelSize: try requiredPair(s[0], ev, "kernel_size"), stride: try intPair(s[1], ev), padding: try intPair(s[2], ev) ?? .single(0),
                             ceilMode: try Convert.bool(s[3], default: false, ev), countIncludePad: try Convert.bool(s[4], default: true, ev))
        }
        add(nn, base, "AdaptiveAvgPool2d", AdaptiveAvgPool2d.self, "output_size",
            "2-D average pooling to a fixed output size, whatever the input size.") { s, ev in
            AdaptiveAvgPool2d(outputSize: try requiredPair(s[0], ev, "output_size"))
        }
        installLosses(into: nn, moduleBase: base)
        installTransformer(into: nn, moduleBase: base)
        installRecurrent(into: nn, moduleBase: base)
        installConvolution(into: nn, moduleBase: base)
        ParameterContainerBindings.install(into: nn, moduleBase: base)
        installNormalization(into: nn, moduleBase: base)
        installActivations(into: nn, moduleBase: base)
        installMoreLosses(into: nn, moduleBase: base)
        installOther(into: nn, moduleBase: base)
        installLPPool(into: nn, moduleBase: base)
    }

    /// The loss classes (`size_average`/`reduce` are PyTorch's deprecated arguments, accepted as None only).
    private static func installLosses(into nn: Namespace, moduleBase base: PyType) {
        add(nn, base, "MSELoss", MSELoss.self, "size_average=None, reduce=None, reduction='mean'",
            "Mean squared error between input and target.") { s, _ in
            try MSELoss(reduction: try reduction(s, deprecated: [0, 1], at: 2))
        }
        add(nn, base, "L1Loss", L1Loss.self, "size_average=None, reduce=None, reduction='mean'",
            "Mean absolute error between input and target.") { s, _ in
            try L1Loss(reduction: try reduction(s, deprecated: [0, 1], at: 2))
        }
        add(nn, base, "CrossEntropyLoss", CrossEntropyLoss.self,
            "weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean', label_smoothing=0.0",
            "Cross entropy between logits and class indices (or class probabilities).") { s, _ in
            try CrossEntropyLoss(weight: try optionalTensor(s[0]), ignoreIndex: try Convert.optionalInt(s[2], "ignore_index") ?? -100,
                                 reduction: try reduction(s, deprecated: [1, 3], at: 4),
                                 labelSmoothing: try Convert.optionalDouble(s[5], "label_smoothing") ?? 0)
        }
        add(nn, base, "NLLLoss", NLLLoss.self, "weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'",
            "Negative log likelihood of log-probabilities at the target classes.") { s, _ in
            try NLLLoss(weight: try optionalTensor(s[0]), ignoreIndex: try Convert.optionalInt(s[2], "ignore_index") ?? -100,
                        reduction: try reduction(s, deprecated: [1, 3], at: 4))
        }
        add(nn, base, "BCELoss", BCELoss.self, "weight=None, size_average=None, reduce=None, reduction='mean'",
            "Binary cross entropy between probabilities and targets (log clamped at -100).") { s, _ in
            try BCELoss(weight: try optionalTensor(s[0]), reduction: try reduction(s, deprecated: [1, 2], at: 3))
        }
        add(nn, base, "SmoothL1Loss", SmoothL1Loss.self, "size_average=None, reduce=None, reduction='mean', beta=1.0",
            "Squared error (scaled by 1/beta) below beta, absolute error minus beta/2 above it.") { s, _ in
            try SmoothL1Loss(reduction: try reduction(s, deprecated: [0, 1], at: 2), beta: try Convert.optionalDouble(s[3], "beta") ?? 1)
        }
        add(nn, base, "HuberLoss", HuberLoss.self, "reduction='mean', delta=1.0",
            "Squared error below delta, delta-scaled absolute error above it.") { s, _ in
            try HuberLoss(reduction: try ModuleMethods.optionalString(s[0]) ?? "mean", delta: try Convert.optionalDouble(s[1], "delta") ?? 1)
        }
        add(nn, base, "BCEWithLogitsLoss", BCEWithLogitsLoss.self, "weight=None, size_average=None, reduce=None, reduction='mean', pos_weight=None",
            "Binary cross entropy on logits (sigmoid built in, numerically stable).") { s, _ in
            try BCEWithLogitsLoss(weight: try optionalTensor(s[0]), reduction: try reduction(s, deprecated: [1, 2], at: 3),
                                  posWeight: try optionalTensor(s[4]))
        }
    }

    // MARK: - Argument converters

    /// `kernel_size=3` or `(3, 3)`; nil when not given (or None).
    static func intPair(_ v: Value?, _ ev: Evaluator) throws -> IntPair? {
        guard let v, !v.isNone else { return nil }
        if case .int(let i) = v { return .single(i) }
        let xs = try Convert.ints(v, ev)
        if xs.count == 1 { return .single(xs[0]) }
        guard xs.count == 2 else { throw PyError(.valueError, "expected an int or a pair of ints, got \(xs.count) values") }
        return .pair(xs[0], xs[1])
    }

    /// A size argument that must be given (`kernel_size`): None is a TypeError.
    static func requiredPair(_ v: Value?, _ ev: Evaluator, _ name: String) throws -> IntPair {
        guard let p = try intPair(v, ev) else { throw PyError(.typeError, "\(name) must be an int or a tuple of ints, not NoneType") }
        return p
    }

    /// Conv2d's `padding`: an int, a pair, `'same'` or `'valid'`.
    static func convPadding(_ v: Value?, _ ev: Evaluator) throws -> Conv2dPadding {
        if case .str(let s)? = v {
            switch s {
            case "same": return .same
            case "valid": return .valid
            default: throw PyError(.valueError, "Invalid padding string '\(s)', should be one of {'valid', 'same'}")
            }
        }
        let p = try intPair(v, ev)?.pair ?? (0, 0)
        return .explicit(p.0, p.1)
    }

    static func optionalTensor(_ v: Value?) throws -> Tensor? {
        guard let v, !v.isNone else { return nil }
        return try v.asTensor()
    }

    /// The `reduction=` string; the deprecated `size_average`/`reduce` flags must be left as None.
    static func reduction(_ s: [Value], deprecated: [Int], at index: Int) throws -> String {
        for i in deprecated where !s[i].isNone {
            throw PyError(.notImplementedError, "size_average and reduce are deprecated; use reduction='mean'|'sum'|'none'")
        }
        return try ModuleMethods.optionalString(s[index]) ?? "mean"
    }
}
