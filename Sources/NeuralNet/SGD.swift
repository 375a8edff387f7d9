import TensorRuntime

/// `torch.optim.SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
/// maximize=False, foreach=None, differentiable=False, fused=None)`. Per parameter with a grad:
/// `g = ±grad (+ wd·p)`; with momentum `buf = g` (first step) or `buf·μ + (1-τ)·g`, then
/// `g = g + μ·buf` (nesterov) or `buf`; `p -= lr·g`. State: `momentum_buffer`.
public final class SGD: Optimizer {
    /// PyTorch's defaults in order.
    public static let defaultOptions: [(String, OptionValue)] = [
        ("lr", .double(1e-3)), ("momentum", .int(0)), ("dampening", .int(0)), ("weight_decay", .int(0)),
        ("nesterov", .bool(false)), ("maximize", .bool(false)), ("foreach", .none), ("differentiable", .bool(false)),
        ("fused", .none),
    ]

    /// Script form: options as given (`lr=0.1` → `.double(0.1)`) override the defaults.
    public init(groups: [ParamGroupSpec], options: [(String, OptionValue)] = []) throws {
        try super.init(groups: groups, defaults: Optimizer.merging(SGD.defaultOptions, options))
    }

    /// Swift form; only non-default values are recorded as given.
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                            weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) throws {
        var options: [(String, OptionValue)] = [("lr", .double(lr))]
        if momentum != 0 { options.append(("momentum", .double(momentum))) }
        if dampening != 0 { options.append(("dampening", .double(dampening))) }
        if weightDecay != 0 { options.append(("weight_decay", .double(weightDecay))) }
        if nesterov { options.append(("nesterov", .bool(true))) }
        if maximize { options.append(("maximize", .bool(true))) }
        try self.init(groups: [ParamGroupSpec(params: params)], options: options)
    }

    override public func validate(_ options: OrderedDict<String, OptionValue>) throws {
        try super.validate(options)
        if let m = options["momentum"], let v = m.number, v < 0 { throw TorchError.value("Invalid momentum value: \(m.pythonStr)") }
        if let w = options["weight_decay"], let v = w.number, v < 0 { throw TorchError.value("Invalid weight_decay value: \(w.pythonStr)") }
        if case .bool(true)? = options["nesterov"] {
            let momentum = options["momentum"]?.number ?? 0, dampening = options["dampening"]?.number ?? 0
            if momentum <= 0 || dampening != 0 { throw TorchError.value("Nesterov momentum requires a momentum and zero dampening") }
        }
    }

    override public func update(group: ParamGroup) throws {
        let lr = try group.number("lr"), momentum = try group.number("momentum")
        let dampening = try group.number("dampening"), wd = try group.number("weight_decay")
        let nesterov = group.flag("nesterov"), maximize = group.flag("maximize")
        // Contiguous float32 parameters with float32 gradients are updated together, in one
        // parallel pass (`SGDBatch`); any other parameter flushes the batch first, so updates
        // happen in parameter order.
        var batch = SGDBatch()
        for p in group.params {
            guard let grad = p.grad else { continue }
            if p.dtype == .float32, grad.dtype == .float32, p.isContiguous, grad.isContiguous, grad.shape == p.shape {
                let (buffer, first) = try momentumBuffer(p, momentum) { try Tensor(shape: p.shape, dtype: p.dtype) }
                let step = SGDStep(lr: lr, momentum: momentum, dampening: dampening, weightDecay: wd, first: first,
                                   nesterov: nesterov, maximize: maximize)
                batch.append(p, grad, buffer, step)
                continue
            }
            batch.run()
            try withFlatBuffers(p, grad) { b in
                let (buffer, first) = try momentumBuffer(p, momentum) { try b.zeros() }
                try sgdUpdate(b, buffer, first, lr, momentum, dampening, wd, nesterov, maximize)
            }
        }
        batch.run()
    }

    /// The parameter's momentum buffer (nil without momentum), made by `fresh` on its first step
    /// (then `first` is true: the buffer starts as the gradient).
    private func momentumBuffer(_ p: Tensor, _ momentum: Double, _ fresh: () throws -> Tensor) throws -> (Tensor?, Bool) {
        guard momentum != 0 else { return (nil, false) }
        let s = state(for: p)
        if let existing = s.entries["momentum_buffer"] { return (existing, false) }
        let buffer = try fresh()
        s.entries["momentum_buffer"] = buffer
        return (buffer, true)
    }
}

/// Contiguous float32 parameters updated together: `run` splits their elements, all parameters
/// end to end, into one piece per core (one parallel region per optimizer step instead of one per
/// big parameter and a serial loop over the small ones, such as a ResNet's 40 BatchNorm vectors).
/// Each element gets the same operations as `SGDStep.apply` alone, so the same bits.
private struct SGDBatch {
    private var items: [(param: Tensor, grad: Tensor, buffer: Tensor?, step: SGDStep)] = []
    private var total = 0

    mutating func append(_ param: Tensor, _ grad: Tensor, _ buffer: Tensor?, _ step: SGDStep) {
        items.append((param, grad, buffer, step))
        total += param.numel
    }

    /// Updates every parameter appended since the last run (each a version bump) and empties the batch.
    mutating func run() {
        guard !items.isEmpty else { return }
        let views = items.map { item in
            (p: floats(item.param), g: floats(item.grad), b: item.buffer.map(floats), step: item.step)
        }
        let starts = items.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.param.numel) }
        let count = total, parts = count >= 1 << 16 ? kernelThreads : 1
        withExtendedLifetime(items) {
            parallelParts(parts) { part in
                let range = partRange(part, of: parts, count: count, align: 16)
                var i = 0
                while i < views.count && starts[i + 1] <= range.lowerBound { i += 1 }
                while i < views.count && starts[i] < range.upperBound {
                    let lo = Swift.max(range.lowerBound, starts[i]) - starts[i], hi = Swift.min(range.upperBound, starts[i + 1]) - starts[i]
                    let v = views[i]
                    if hi > lo { v.step.apply(v.p + lo, v.g + lo, v.b.map { $0 + lo }, count: hi - lo) }
                    i += 1
                }
            }
        }
        for item in items { item.param.bumpVersion() }
        items.removeAll(keepingCapacity: true)
        total = 0
    }

    private func floats(_ t: Tensor) -> UnsafeMutablePointer<Float> { t.storage.pointer(Float.self) + t.storageOffset }
}
/// The float32 or float64 update over the whole parameter (big float32 ones split over the cores),
/// with PyTorch's fused multiply-adds (`SGDStep`).
private func sgdUpdate(_ b: FlatBuffers, _ buffer: Tensor?, _ first: Bool, _ lr: Double, _ momentum: Double,
                       _ dampening: Double, _ wd: Double, _ nesterov: Bool, _ maximize: Bool) throws {
    let step = SGDStep(lr: lr, momentum: momentum, dampening: dampening, weightDecay: wd, first: first, nesterov: nesterov, maximize: maximize)
    switch b.dtype {
    case .float32:
        let p = b.pointer(b.param, Float.self), g = b.pointer(b.grad, Float.self), buf = buffer.map { b.pointer($0, Float.self) }
        let n = b.count, parts = n >= 1 << 16 ? kernelThreads : 1
        parallelParts(parts) { part in
            let r = partRange(part, of: parts, count: n, align: 4)
            step.apply(p + r.lowerBound, g + r.lowerBound, buf.map { $0 + r.lowerBound }, count: r.count)
        }
    case .float64:
        step.apply(b.pointer(b.param, Double.self), b.pointer(b.grad, Double.self), buffer.map { b.pointer($0, Double.self) }, count: b.count)
    default: throw TorchError.runtime("SGD: only floating point parameters can be optimized")
    }
}
