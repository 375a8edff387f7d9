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
        for p in group.params {
            guard let grad = p.grad else { continue }
            try withFlatBuffers(p, grad) { b in
                var buffer: Tensor? = nil
                var first = false
                if momentum != 0 {
                    let s = state(for: p)
                    if let existing = s.entries["momentum_buffer"] { buffer = existing } else {
                        let fresh = try b.zeros()
                        s.entries["momentum_buffer"] = fresh
                        buffer = fresh
                        first = true
                    }
                }
                try sgdUpdate(b, buffer, first, lr, momentum, dampening, wd, nesterov, maximize)
            }
        }
    }
}

/// The options of one SGD update, in the parameter's float type.
private struct SGDConstants<T: BinaryFloatingPoint> {
    let negLR, mu, oneMinusDamp, decay: T
    let first, nesterov, maximize, hasDecay: Bool
}

/// One fused pass of SGD over `range` of a parameter. ATen's vectorised add-with-alpha is a fused
/// multiply-add; here it is a multiply and an add (Swift's `addingProduct` calls libm `fmaf` per
/// lane on the baseline x86-64 target), so results differ from PyTorch's in the last bits.
@inline(__always)
private func sgdKernel<T: BinaryFloatingPoint>(_ b: FlatBuffers, _ buffer: Tensor?, _ c: SGDConstants<T>, _ range: Range<Int>) {
    let p = b.pointer(b.param, T.self), g = b.pointer(b.grad, T.self)
    let buf = buffer.map { b.pointer($0, T.self) }
    for i in range {
        var d = c.maximize ? -g[i] : g[i]
        if c.hasDecay { d = d + c.decay * p[i] }
        if let buf {
            buf[i] = c.first ? d : buf[i] * c.mu + c.oneMinusDamp * d
            d = c.nesterov ? d + c.mu * buf[i] : buf[i]
        }
        p[i] = p[i] + c.negLR * d
    }
}

/// `sgdKernel` for float32 four elements at a time (same operations per element); returns how
/// many leading elements of `range` it updated.
private func sgdLanes(_ b: FlatBuffers, _ buffer: Tensor?, _ c: SGDConstants<Float>, _ range: Range<Int>) -> Int {
    let p = b.pointer(b.param, Float.self), g = b.pointer(b.grad, Float.self)
    let buf = buffer.map { b.pointer($0, Float.self) }
    let end = range.upperBound
    var i = range.lowerBound
    while i + 4 <= end {
        var d = loadLanes(g, i)
        let pi = loadLanes(p, i)
        if c.maximize { d = -d }
        if c.hasDecay { d = d + c.decay * pi }
        if let buf {
            let bi = c.first ? d : loadLanes(buf, i) * c.mu + c.oneMinusDamp * d
            storeLanes(bi, buf, i)
            d = c.nesterov ? d + c.mu * bi : bi
        }
        storeLanes(pi + c.negLR * d, p, i)
        i += 4
    }
    return i - range.lowerBound
}

/// The float32 or float64 update over the whole parameter (big float32 ones split over the cores).
private func sgdUpdate(_ b: FlatBuffers, _ buffer: Tensor?, _ first: Bool, _ lr: Double, _ momentum: Double,
                       _ dampening: Double, _ wd: Double, _ nesterov: Bool, _ maximize: Bool) throws {
    func constants<T: BinaryFloatingPoint>(_: T.Type) -> SGDConstants<T> {
        SGDConstants(negLR: T(-lr), mu: T(momentum), oneMinusDamp: T(1 - dampening), decay: T(wd),
                     first: first, nesterov: nesterov, maximize: maximize, hasDecay: wd != 0)
    }
    switch b.dtype {
    case .float32:
        let c = constants(Float.self), n = b.count, parts = n >= 1 << 16 ? kernelThreads : 1
        parallelParts(parts) { part in
            let r = partRange(part, of: parts, count: n, align: 4)
            sgdKernel(b, buffer, c, r.lowerBound + sgdLanes(b, buffer, c, r)..<r.upperBound)
        }
    case .float64: sgdKernel(b, buffer, constants(Double.self), 0..<b.count)
    default: throw TorchError.runtime("SGD: only floating point parameters can be optimized")
    }
}
