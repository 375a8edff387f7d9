import Foundation
import TensorRuntime

/// `torch.optim.Adamax(params, lr=0.002, betas=(0.9, 0.999), eps=1e-08, weight_decay=0,
/// foreach=None, *, maximize=False, differentiable=False, capturable=False)`: Adam with the
/// infinity norm. State `step`, `exp_avg`, `exp_inf` (`_single_tensor_adamax`).
public final class Adamax: Optimizer {
    public static let defaultOptions: [(String, OptionValue)] = [
        ("lr", .double(0.002)), ("betas", .tuple([.double(0.9), .double(0.999)])), ("eps", .double(1e-8)),
        ("weight_decay", .int(0)), ("foreach", .none), ("maximize", .bool(false)), ("differentiable", .bool(false)),
        ("capturable", .bool(false)),
    ]

    public init(groups: [ParamGroupSpec], options: [(String, OptionValue)] = []) throws {
        try super.init(groups: groups, defaults: Optimizer.merging(Adamax.defaultOptions, options))
    }

    override public func validate(_ options: OrderedDict<String, OptionValue>) throws {
        try super.validate(options)
        try requireAdamOptions(options)
    }

    override public func update(group: ParamGroup) throws {
        let lr = try group.number("lr"), (beta1, beta2) = try group.pair("betas")
        for p in group.params {
            guard let grad = p.grad else { continue }
            let s = try lazyState(for: p) { s in
                s.entries["step"] = try scalarState(0)
                s.entries["exp_avg"] = try Tensor.zerosLike(p)
                s.entries["exp_inf"] = try Tensor.zerosLike(p)
            }
            let step = try advanceStep(s)
            let k = AdamaxUpdate(clr: lr / (1 - Foundation.pow(beta1, step)), beta1: beta1, beta2: beta2,
                                 eps: try group.number("eps"), weightDecay: try group.number("weight_decay"),
                                 maximize: group.flag("maximize"))
            try run(k, p, grad, [try entry(s, "exp_avg"), try entry(s, "exp_inf")])
        }
    }
}

private struct AdamaxUpdate: ElementwiseUpdate {
    let clr, beta1, beta2, eps, weightDecay: Double
    let maximize: Bool

    func apply<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                       _ state: [UnsafeMutablePointer<T>?], count: Int) {
        guard let m = state[0], let u = state[1] else { return }
        let w = T(1 - beta1), b2 = T(beta2), e = T(eps), wd = T(weightDecay), negCLR = T(-clr)
        for i in 0..<count {
            var d = maximize ? -g[i] : g[i]
            if weightDecay != 0 { d = d + wd * p[i] }
            m[i] = lerp(m[i], d, w)
            let decayed = u[i] * b2, bound = Swift.abs(d) + e
            u[i] = decayed.isNaN || bound.isNaN ? T.nan : Swift.max(decayed, bound)
            p[i] = p[i] + negCLR * m[i] / u[i]
        }
    }
}

/// `torch.optim.NAdam(params, lr=0.002, betas=(0.9, 0.999), eps=1e-08, weight_decay=0,
/// momentum_decay=0.004, decoupled_weight_decay=False, *, foreach=None, maximize=False,
/// capturable=False, differentiable=False)`: Adam with Nesterov momentum. State `step`,
/// `mu_product`, `exp_avg`, `exp_avg_sq` (`_single_tensor_nadam`).
public final class NAdam: Optimizer {
    public static let defaultOptions: [(String, OptionValue)] = [
        ("lr", .double(0.002)), ("betas", .tuple([.double(0.9), .double(0.999)])), ("eps", .double(1e-8)),
        ("weight_decay", .int(0)), ("momentum_decay", .double(0.004)), ("decoupled_weight_decay", .bool(false)),
        ("maximize", .bool(false)), ("foreach", .none), ("capturable", .bool(false)), ("differentiable", .bool(false)),
    ]

    public init(groups: [ParamGroupSpec], options: [(String, OptionValue)] = []) throws {
        try super.init(groups: groups, defaults: Optimizer.merging(NAdam.defaultOptions, options))
    }

    override public func validate(_ options: OrderedDict<String, OptionValue>) throws {
        try super.validate(options)
        try requireAdamOptions(options)
        try requireNonNegative(options, [("momentum_decay", "momentum_decay value")])
    }

    override public func update(group: ParamGroup) throws {
        let lr = try group.number("lr"), (beta1, beta2) = try group.pair("betas")
        let wd = try group.number("weight_decay"), decay = try group.number("momentum_decay")
        for p in group.params {
            guard let grad = p.grad else { continue }
            let s = try lazyState(for: p) { s in
                s.entries["step"] = try scalarState(0)
                s.entries["mu_product"] = try scalarState(1)
                s.entries["exp_avg"] = try Tensor.zerosLike(p)
                s.entries["exp_avg_sq"] = try Tensor.zerosLike(p)
            }
            let step = try advanceStep(s)
            let bc2 = 1 - Foundation.pow(beta2, step)
            let mu = beta1 * (1.0 - 0.5 * Foundation.pow(0.96, step * decay))
            let muNext = beta1 * (1.0 - 0.5 * Foundation.pow(0.96, (step + 1) * decay))
            let muProductTensor = try entry(s, "mu_product")
            let muProduct = Double(Float(muProductTensor.storage.double(at: muProductTensor.storageOffset)) * Float(mu))
            muProductTensor.storage.setDouble(muProduct, at: muProductTensor.storageOffset)
            let muProductNext = muProduct * muNext
            let k = NAdamUpdate(beta1: beta1, beta2: beta2, bc2: bc2, eps: try group.number("eps"), weightDecay: wd,
                                decoupled: group.flag("decoupled_weight_decay"), decayFactor: 1 - lr * wd,
                                gradScale: -lr * (1.0 - mu) / (1.0 - muProduct),
                                avgScale: (-lr * muNext) / (1.0 - muProductNext), maximize: group.flag("maximize"))
            // PyTorch: two addcdiv_, and a mul_ for decoupled weight decay.
            try run(k, p, grad, [try entry(s, "exp_avg"), try entry(s, "exp_avg_sq")],
                    paramWrites: k.decoupled && wd != 0 ? 3 : 2)
        }
    }
}

private struct NAdamUpdate: ElementwiseUpdate {
    let beta1, beta2, bc2, eps, weightDecay: Double
    let decoupled: Bool
    let decayFactor, gradScale, avgScale: Double
    let maximize: Bool

    func apply<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                       _ state: [UnsafeMutablePointer<T>?], count: Int) {
        guard let m = state[0], let v = state[1] else { return }
        let w = T(1 - beta1), b2 = T(beta2), oneMinusB2 = T(1 - beta2), c2 = T(bc2), e = T(eps), wd = T(weightDecay)
        let factor = T(decayFactor), gs = T(gradScale), ms = T(avgScale)
        for i in 0..<count {
            var d = maximize ? -g[i] : g[i]
            if weightDecay != 0 {
                if decoupled { p[i] = p[i] * factor } else { d = d + wd * p[i] }
            }
            m[i] = lerp(m[i], d, w)
            v[i] = v[i] * b2 + oneMinusB2 * d * d
            let denom = (v[i] / c2).squareRoot() + e
            p[i] = p[i] + gs * d / denom
            p[i] = p[i] + ms * m[i] / denom
        }
    }
}

/// `torch.optim.RAdam(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0,
/// decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
/// differentiable=False)`: rectified Adam. State `step`, `exp_avg`, `exp_avg_sq`
/// (`_single_tensor_radam`).
public final class RAdam: Optimizer {
    public static let defaultOptions: [(String, OptionValue)] = [
        ("lr", .double(0.001)), ("betas", .tuple([.double(0.9), .double(0.999)])), ("eps", .double(1e-8)),
        ("weight_decay", .int(0)), ("maximize", .bool(false)), ("foreach", .none), ("capturable", .bool(false)),
        ("decoupled_weight_decay", .bool(false)), ("differentiable", .bool(false)),
    ]

    public init(groups: [ParamGroupSpec], options: [(String, OptionValue)] = []) throws {
        try super.init(groups: groups, defaults: Optimizer.merging(RAdam.defaultOptions, options))
    }

    override public func validate(_ options: OrderedDict<String, OptionValue>) throws {
        try super.validate(options)
        try requireAdamOptions(options)
    }

    override public func update(group: ParamGroup) throws {
        let lr = try group.number("lr"), (beta1, beta2) = try group.pair("betas"), wd = try group.number("weight_decay")
        for p in group.params {
            guard let grad = p.grad else { continue }
            let s = try lazyState(for: p) { s in
                s.entries["step"] = try scalarState(0)
                s.entries["exp_avg"] = try Tensor.zerosLike(p)
                s.entries["exp_avg_sq"] = try Tensor.zerosLike(p)
            }
            let step = try advanceStep(s)
            let bc1 = 1 - Foundation.pow(beta1, step), bc2 = 1 - Foundation.pow(beta2, step)
            let rhoInf = 2 / (1 - beta2) - 1
            let rhoT = rhoInf - 2 * step * Foundation.pow(beta2, step) / bc2
            let rect = rhoT > 5.0 ? Foundation.pow((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT), 0.5) : nil
            let k = RAdamUpdate(lr: lr, beta1: beta1, beta2: beta2, bc1: bc1, bc2Sqrt: Foundation.pow(bc2, 0.5), rect: rect,
                                eps: try group.number("eps"), weightDecay: wd, decoupled: group.flag("decoupled_weight_decay"),
                                decayFactor: 1 - lr * wd, maximize: group.flag("maximize"))
            try run(k, p, grad, [try entry(s, "exp_avg"), try entry(s, "exp_avg_sq")], paramWrites: k.decoupled && wd != 0 ? 2 : 1)
        }
    }
}

private struct RAdamUpdate: ElementwiseUpdate {
    let lr, beta1, beta2, bc1, bc2Sqrt: Double
    /// The rectification term, nil while the variance is not yet tractable (rho_t <= 5).
    let rect: Double?
    let eps, weightDecay: Double
    let decoupled: Bool
    let decayFactor: Double
    let maximize: Bool

    func apply<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                       _ state: [UnsafeMutablePointer<T>?], count: Int) {
        guard let m = state[0], let v = state[1] else { return }
        let w = T(1 - beta1), b2 = T(beta2), oneMinusB2 = T(1 - beta2), c1 = T(bc1), e = T(eps), wd = T(weightDecay)
        let factor = T(decayFactor), rate = T(lr), root = T(bc2Sqrt), r = rect.map { T($0) }
        for i in 0..<count {
            var d = maximize ? -g[i] : g[i]
            if weightDecay != 0 {
                if decoupled { p[i] = p[i] * factor } else { d = d + wd * p[i] }
            }
            m[i] = lerp(m[i], d, w)
            v[i] = v[i] * b2 + oneMinusB2 * d * d
            let corrected = m[i] / c1
            if let r {
                let adaptive = root / (v[i].squareRoot() + e)
                p[i] = p[i] + -1 * (corrected * rate * adaptive * r)
            } else {
                p[i] = p[i] + -1 * (corrected * rate)
            }
        }
    }
}
