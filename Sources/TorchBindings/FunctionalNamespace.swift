import NNLang
import TensorRuntime
import NeuralNet

/// `torch.nn.functional` (imported as `F`): thin wrappers over TensorRuntime's `Functional`
/// kernels and tensor methods, with PyTorch's signatures and defaults.
enum FunctionalNamespace {
    typealias Body = ([Value?], Evaluator) throws -> Value  // one slot per parameter, defaults filled in

    static func make() -> Namespace {
        let f = Namespace("torch.nn.functional")
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping Body) {
            FunctionalNamespace.def(f, name, signature, doc, body)
        }

        // Activations.
        def("relu", "input, inplace=False", "max(0, x) elementwise (in place with inplace=True).") { s, ev in
            let x = try tensor(s[0], "input")
            return .tensor(try Convert.bool(s[1], default: false, ev) ? try x.reluInPlace() : try x.relu())
        }
        def("leaky_relu", "input, negative_slope=0.01, inplace=False", "x for x >= 0, negative_slope * x otherwise.") { s, _ in
            .tensor(try tensor(s[0], "input").leakyRelu(negativeSlope: try Convert.optionalDouble(s[1], "negative_slope") ?? 0.01))
        }
        def("sigmoid", "input", "1 / (1 + exp(-x)) elementwise.") { s, _ in .tensor(try tensor(s[0], "input").sigmoid()) }
        def("tanh", "input", "Hyperbolic tangent elementwise.") { s, _ in .tensor(try tensor(s[0], "input").tanh()) }
        def("gelu", "input, approximate='none'", "Gaussian error linear unit (exact, or the tanh approximation).") { s, _ in
            .tensor(try tensor(s[0], "input").gelu(approximate: try ModuleMethods.optionalString(s[1]) ?? "none"))
        }
        for (name, isLog) in [("softmax", false), ("log_softmax", true)] {
            def(name, "input, dim=None, _stacklevel=3, dtype=None",
                isLog ? "log(softmax(x)) along dim, computed stably." : "Exponentials normalised to sum to 1 along dim.") { s, ev in
                var x = try tensor(s[0], "input")
                if let dt = try Convert.dtype(s[3]) { x = try x.converted(to: dt) }
                let dim = try softmaxDim(s[1], x, name, ev)
                return .tensor(isLog ? try Functional.logSoftmax(x, dim: dim) : try Functional.softmax(x, dim: dim))
            }
        }

        // Layers.
        def("linear", "input, weight, bias=None", "x @ weight.T + bias on the last dimension.") { s, _ in
            .tensor(try Functional.linear(try tensor(s[0], "input"), weight: try tensor(s[1], "weight"), bias: try LayerTypes.optionalTensor(s[2])))
        }
        def("conv2d", "input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1", "2-D convolution of an (N, C, H, W) or (C, H, W) input.") { s, ev in
            let w = try tensor(s[1], "weight")
            let dilation = try LayerTypes.intPair(s[5], ev)?.pair ?? (1, 1)
            return .tensor(try Functional.conv2d(try tensor(s[0], "input"), weight: w, bias: try LayerTypes.optionalTensor(s[2]),
                                                 stride: try LayerTypes.intPair(s[3], ev)?.pair ?? (1, 1),
                                                 padding: try convPadding(s[4], weight: w, dilation: dilation, ev),
                                                 dilation: dilation, groups: try Convert.optionalInt(s[6], "groups") ?? 1))
        }
        def("max_pool2d", "input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False", "2-D max pooling (stride defaults to kernel_size).") { s, ev in
            let (x, kernel) = (try tensor(s[0], "input"), try LayerTypes.requiredPair(s[1], ev, "kernel_size").pair)
            let (stride, padding) = (try LayerTypes.intPair(s[2], ev)?.pair, try LayerTypes.intPair(s[3], ev)?.pair ?? (0, 0))
            let (dilation, ceil) = (try LayerTypes.intPair(s[4], ev)?.pair ?? (1, 1), try Convert.bool(s[5], default: false, ev))
            guard try Convert.bool(s[6], default: false, ev) else {
                return .tensor(try Functional.maxPool2d(x, kernelSize: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceil))
            }
            let (v, i) = try Functional.maxPool2dWithIndices(x, kernelSize: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceil)
            return withIndices(v, i, ev)
        }
        def("avg_pool2d", "input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None", "2-D average pooling (stride defaults to kernel_size).") { s, ev in
            .tensor(try Functional.avgPool2d(try tensor(s[0], "input"), kernelSize: try LayerTypes.requiredPair(s[1], ev, "kernel_size").pair,
                                             stride: try LayerTypes.intPair(s[2], ev)?.pair,
                                             padding: try LayerTypes.intPair(s[3], ev)?.pair ?? (0, 0),
                                             ceilMode: try Convert.bool(s[4], default: false, ev),
                                             countIncludePad: try Convert.bool(s[5], default: true, ev),
                                             divisorOverride: try Convert.optionalInt(s[6], "divisor_override")))
        }
        def("adaptive_avg_pool2d", "input, output_size", "2-D average pooling to a fixed output size.") { s, ev in
            .tensor(try Functional.adaptiveAvgPool2d(try tensor(s[0], "input"), outputSize: try optionalPair(s[1]!, ev)))
        }
        def("batch_norm", "input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05", "Batch normalisation with the given statistics (updated when training).") { s, ev in
            .tensor(try Functional.batchNorm(try tensor(s[0], "input"), runningMean: try LayerTypes.optionalTensor(s[1]),
                                             runningVar: try LayerTypes.optionalTensor(s[2]), weight: try LayerTypes.optionalTensor(s[3]),
                                             bias: try LayerTypes.optionalTensor(s[4]), training: try Convert.bool(s[5], default: false, ev),
                                             momentum: try Convert.optionalDouble(s[6], "momentum") ?? 0.1,
                                             eps: try Convert.optionalDouble(s[7], "eps") ?? 1e-5))
        }
        def("pad", "input, pad, mode='constant', value=None", "Pads the last dimensions by the (left, right, top, bottom, …) amounts in pad.") { s, ev in
            let x = try tensor(s[0], "input")
            let pad = s[1] ?? Value.none
            switch pad {
            case .none, .int, .bool, .float:
                throw PyError(.typeError, "pad(): argument 'pad' (position 2) must be tuple of ints, not \(pad.typeName)")
            default:
                return .tensor(try Functional.pad(x, try Convert.ints(pad, ev, "pad(): argument 'pad' (position 2)"),
                                                  mode: try ModuleMethods.optionalString(s[2]) ?? "constant",
                                                  value: try Convert.scalar(s[3]) ?? .int(0)))
            }
        }
        def("normalize", "input, p=2.0, dim=1, eps=1e-12, out=None", "Divides by the p-norm along dim (at least eps).") { s, ev in
            if let o = s[4], !o.isNone { throw PyError(.notImplementedError, "normalize(out=...) is not supported by nnrepl") }
            return .tensor(try Functional.normalize(try tensor(s[0], "input"), p: try Convert.optionalDouble(s[1], "p") ?? 2,
                                                    dims: try Convert.dims(s[2], ev) ?? [1], eps: try Convert.optionalDouble(s[3], "eps") ?? 1e-12))
        }
        def("one_hot", "tensor, num_classes=-1", "Class indices as one-hot int64 rows.") { s, _ in
            .tensor(try oneHot(try tensor(s[0], "tensor"), numClasses: try Convert.optionalInt(s[1], "num_classes") ?? -1))
        }

        // Losses (`size_average`/`reduce` are deprecated and must be None).
        def("cross_entropy", "input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean', label_smoothing=0.0", "Cross entropy between logits and class indices (or class probabilities).") { s, _ in
            .tensor(try Functional.crossEntropy(try tensor(s[0], "input"), target: try tensor(s[1], "target"),
                                                weight: try LayerTypes.optionalTensor(s[2]),
                                                ignoreIndex: try Convert.optionalInt(s[4], "ignore_index") ?? -100,
                                                reduction: try reduction(s, [3, 5], 6),
                                                labelSmoothing: try Convert.optionalDouble(s[7], "label_smoothing") ?? 0))
        }
        def("nll_loss", "input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'", "Negative log likelihood of log-probabilities at the target classes.") { s, _ in
            .tensor(try Functional.nllLoss(try tensor(s[0], "input"), target: try tensor(s[1], "target"),
                                           weight: try LayerTypes.optionalTensor(s[2]),
                                           ignoreIndex: try Convert.optionalInt(s[4], "ignore_index") ?? -100,
                                           reduction: try reduction(s, [3, 5], 6)))
        }
        def("mse_loss", "input, target, size_average=None, reduce=None, reduction='mean'", "Mean squared error.") { s, _ in
            let (x, y) = (try tensor(s[0], "input"), try tensor(s[1], "target"))
            warnIfTargetSizeDiffers(x, y)
            return .tensor(try Functional.mseLoss(x, target: y, reduction: try reduction(s, [2, 3], 4)))
        }
        def("l1_loss", "input, target, size_average=None, reduce=None, reduction='mean'", "Mean absolute error.") { s, _ in
            let (x, y) = (try tensor(s[0], "input"), try tensor(s[1], "target"))
            warnIfTargetSizeDiffers(x, y)
            return .tensor(try Functional.l1Loss(x, target: y, reduction: try reduction(s, [2, 3], 4)))
        }
        def("smooth_l1_loss", "input, target, size_average=None, reduce=None, reduction='mean', beta=1.0", "Squared error (scaled by 1/beta) below beta, absolute error minus beta/2 above it.") { s, _ in
            let x = try tensor(s[0], "input"), y = try tensor(s[1], "target")
            let red = try reduction(s, [2, 3], 4)
            warnIfTargetSizeDiffers(x, y)
            return .tensor(try Functional.smoothL1Loss(x, target: y, reduction: red, beta: try Convert.optionalDouble(s[5], "beta") ?? 1))
        }
        def("huber_loss", "input, target, reduction='mean', delta=1.0, weight=None", "Squared error below delta, delta-scaled absolute error above it.") { s, _ in
            if let w = s[4], !w.isNone { throw PyError(.notImplementedError, "huber_loss(weight=...) is not supported by nnrepl") }
            let x = try tensor(s[0], "input"), y = try tensor(s[1], "target")
            let red = try ModuleMethods.optionalString(s[2]) ?? "mean"
            warnIfTargetSizeDiffers(x, y)
            return .tensor(try Functional.huberLoss(x, target: y, reduction: red, delta: try Convert.optionalDouble(s[3], "delta") ?? 1))
        }
        def("binary_cross_entropy", "input, target, weight=None, size_average=None, reduce=None, reduction='mean'", "Binary cross entropy between probabilities and targets.") { s, _ in
            .tensor(try Functional.binaryCrossEntropy(try tensor(s[0], "input"), target: try tensor(s[1], "target"),
                                                      weight: try LayerTypes.optionalTensor(s[2]), reduction: try reduction(s, [3, 4], 5)))
        }
        def("binary_cross_entropy_with_logits", "input, target, weight=None, size_average=None, reduce=None, reduction='mean', pos_weight=None", "Binary cross entropy on logits (sigmoid built in).") { s, _ in
            .tensor(try Functional.binaryCrossEntropyWithLogits(try tensor(s[0], "input"), target: try tensor(s[1], "target"),
                                                                weight: try LayerTypes.optionalTensor(s[2]),
                                                                posWeight: try LayerTypes.optionalTensor(s[6]),
                                                                reduction: try reduction(s, [3, 4], 5)))
        }
        installTransformer(f)
        installConvolution(f)
        installNormalization(f)
        installActivations(f)
        installMoreLosses(f)
        installOther(f)
        installLPPool(f)
        installSampling(f)
        installTutorial(f)
        return f
    }

    /// Declares `F.<name>` once: PyTorch's signature (binds the call, defaults filled in; what
    /// `help(F.name)` and completion show), a one-line description, the body. Families of `F.`
    /// functions declared in other files call this with the namespace `make()` builds.
    static func def(_ f: Namespace, _ name: String, _ signature: String, _ doc: String, _ body: @escaping Body) {
        f[name] = .object(NativeFunction(name, signature, doc: doc) { b, ev in try body(b.values, ev) })
    }

    /// A bound tensor argument (`what` names it in the TypeError).
    static func tensor(_ v: Value?, _ what: String) throws -> Tensor { try (v ?? Value.none).asTensor(what) }

    /// `softmax(dim=None)`: PyTorch's implicit choice (0 for 0-, 1- and 3-d inputs, else 1), with its warning.
    static func softmaxDim(_ v: Value?, _ x: Tensor, _ name: String, _ ev: Evaluator) throws -> Int {
        if let d = try Convert.optionalInt(v, "dim") { return d }
        ev.warn("UserWarning: Implicit dimension choice for \(name) has been deprecated. Change the call to include dim=X as an argument.")
        return [0, 1, 3].contains(x.dim) ? 0 : 1
    }

    /// `F.conv2d` padding: ints, a pair, `'valid'`, or `'same'` (symmetric only).
    private static func convPadding(_ v: Value?, weight: Tensor, dilation: (Int, Int), _ ev: Evaluator) throws -> (Int, Int) {
        guard case .str(let mode)? = v else { return try LayerTypes.intPair(v, ev)?.pair ?? (0, 0) }
        switch mode {
        case "valid": return (0, 0)
        case "same":
            guard weight.dim == 4 else { return (0, 0) }
            let (t0, o0) = dilation.0.multipliedReportingOverflow(by: weight.shape[2] - 1)
            let (t1, o1) = dilation.1.multipliedReportingOverflow(by: weight.shape[3] - 1)
            guard !o0 && !o1 else { throw PyError(.runtimeError, "conv2d: arguments are too large") }
            let total = (t0, t1)
            guard total.0 % 2 == 0 && total.1 % 2 == 0 else {
                throw PyError(.notImplementedError, "padding='same' with an even kernel size needs asymmetric padding, which nnrepl does not support")
            }
            return (total.0 / 2, total.1 / 2)
        default:
            throw PyError(.runtimeError, "Invalid padding string '\(mode)', should be one of {'valid', 'same'}")
        }
    }

    /// `output_size` of adaptive pooling: an int, or a pair whose entries may be None.
    static func optionalPair(_ v: Value, _ ev: Evaluator) throws -> (Int?, Int?) {
        if case .int(let i) = v { return (i, i) }
        guard let items = ev.sequenceItems(v), items.count == 2 else {
            let xs = try Convert.ints(v, ev)
            guard xs.count == 1 else { throw PyError(.valueError, "output_size must be an int or a pair") }
            return (xs[0], xs[0])
        }
        return (try Convert.optionalInt(items[0], "output_size"), try Convert.optionalInt(items[1], "output_size"))
    }

    /// The `reduction=` string; the deprecated `size_average`/`reduce` slots must be None.
    static func reduction(_ s: [Value?], _ deprecated: [Int], _ index: Int) throws -> String {
        for i in deprecated where s[i].map({ !$0.isNone }) == true {
            throw PyError(.notImplementedError, "size_average and reduce are deprecated; use reduction='mean'|'sum'|'none'")
        }
        return try ModuleMethods.optionalString(s[index]) ?? "mean"
    }

    /// `F.one_hot(tensor, num_classes=-1)`: int64 indices → an int64 tensor with a new last dim.
    static func oneHot(_ t: Tensor, numClasses: Int) throws -> Tensor {
        guard t.dtype == .int64 else {
            throw PyError(.runtimeError, "one_hot is only applicable to index tensor of type LongTensor.")
        }
        let indices = t.toScalars().map { s -> Int in
            if case .int(let i) = s { return Int(i) }
            return 0
        }
        if indices.contains(where: { $0 < 0 }) { throw PyError(.runtimeError, "Class values must be non-negative.") }
        let classes = numClasses == -1 ? (indices.max() ?? -1) + 1 : numClasses
        guard classes >= 0, !indices.contains(where: { $0 >= classes }) else {
            throw PyError(.runtimeError, "Class values must be smaller than num_classes.")
        }
        guard classes > 0 || indices.isEmpty else {
            throw PyError(.runtimeError, "Can not infer total number of classes from empty tensor.")
        }
        let (count, overflow) = indices.count.multipliedReportingOverflow(by: classes)
        guard !overflow, count <= 1 << 31 else { throw PyError(.runtimeError, "one_hot: the result would have too many elements") }
        var values = [Double](repeating: 0, count: count)
        for (i, c) in indices.enumerated() { values[i * classes + c] = 1 }
        return try Tensor(doubles: values, shape: t.shape + [classes], dtype: .int64)
    }
}
