import TensorRuntime

/// `torch.optim.Rprop(params, lr=0.01, etas=(0.5, 1.2), step_sizes=(1e-06, 50), *, capturable=False,
/// foreach=None, maximize=False, differentiable=False)`: resilient backpropagation — only the
/// gradient's sign is used; each element's step size grows by etaplus while the sign holds and
/// shrinks by etaminus when it flips (that step is skipped). State `step`, `prev`, `step_size`
/// (`_single_tensor_rprop`).
public final class Rprop: Optimizer {
    public static let defaultOptions: [(String, OptionValue)] = [
        ("lr", .double(0.01)), ("etas", .tuple([.double(0.5), .double(1.2)])), ("step_sizes", .tuple([.double(1e-6), .int(50)])),
        ("foreach", .none), ("maximize", .bool(false)), ("differentiable", .bool(false)), ("capturable", .bool(false)),
    ]

    public init(groups: [ParamGroupSpec], options: [(String, OptionValue)] = []) throws {
        try super.init(groups: groups, defaults: Optimizer.merging(Rprop.defaultOptions, options))
    }

    override public func validate(_ options: OrderedDict<String, OptionValue>) throws {
        try super.validate(options)
        if case .tuple(let etas)? = options["etas"], etas.count == 2, let minus = etas[0].number, let plus = etas[1].number,
           !(0 < minus && minus < 1 && 1 < plus) {
            throw TorchError.value("Invalid eta values: \(etas[0].pythonStr), \(etas[1].pythonStr)")
        }
    }

    override public func update(group: ParamGroup) throws {
        let lr = try group.number("lr"), (etaMinus, etaPlus) = try group.pair("etas")
        let (minSize, maxSize) = try group.pair("step_sizes")
        for p in group.params {
            guard let grad = p.grad else { continue }
            let s = try lazyState(for: p) { s in
                s.entries["step"] = try scalarState(0)
                s.entries["prev"] = try Tensor.zerosLike(p)
                s.entries["step_size"] = try Tensor.fullLike(p, value: .double(lr))
            }
            _ = try advanceStep(s)
            let k = RpropUpdate(etaMinus: etaMinus, etaPlus: etaPlus, minSize: minSize, maxSize: maxSize, maximize: group.flag("maximize"))
            try run(k, p, grad, [try entry(s, "prev"), try entry(s, "step_size")])
        }
    }
}

private struct RpropUpdate: ElementwiseUpdate {
    let etaMinus, etaPlus, minSize, maxSize: Double
    let maximize: Bool

    func apply<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                       _ state: [UnsafeMutablePointer<T>?], count: Int) {
        guard let prev = state[0], let size = state[1] else { return }
        let minus = T(etaMinus), plus = T(etaPlus), lo = T(minSize), hi = T(maxSize)
        for i in 0..<count {
            var d = maximize ? -g[i] : g[i]
            let product = d * prev[i]
            let factor: T = product > 0 ? plus : product < 0 ? minus : product == 0 ? 1 : product
            let scaled = size[i] * factor
            size[i] = scaled.isNaN ? scaled : Swift.min(Swift.max(scaled, lo), hi)
            if product < 0 { d = 0 }   // `grad[sign.eq(etaminus)] = 0`: no step where the sign flipped
            let sign: T = d > 0 ? 1 : d < 0 ? -1 : d
            p[i] = p[i] - sign * size[i]
            prev[i] = d
        }
    }
}
