import Foundation
import TensorRuntime

/// `torch.optim.ASGD(params, lr=0.01, lambd=0.0001, alpha=0.75, t0=1000000.0, weight_decay=0,
/// foreach=None, maximize=False, differentiable=False, capturable=False)`: SGD with a decaying
/// step `eta` and a running average `ax` of the parameters (kept in the state, not used by the
/// model). State `step`, `eta`, `mu`, `ax` (`_single_tensor_asgd`).
public final class ASGD: Optimizer {
    public static let defaultOptions: [(String, OptionValue)] = [
        ("lr", .double(0.01)), ("lambd", .double(0.0001)), ("alpha", .double(0.75)), ("t0", .double(1e6)),
        ("weight_decay", .int(0)), ("foreach", .none), ("maximize", .bool(false)), ("differentiable", .bool(false)),
        ("capturable", .bool(false)),
    ]

    public init(groups: [ParamGroupSpec], options: [(String, OptionValue)] = []) throws {
        try super.init(groups: groups, defaults: Optimizer.merging(ASGD.defaultOptions, options))
    }

    override public func validate(_ options: OrderedDict<String, OptionValue>) throws {
        try super.validate(options)
        try requireNonNegative(options, [("weight_decay", "weight_decay value")])
    }

    override public func update(group: ParamGroup) throws {
        let lr = try group.number("lr"), lambd = try group.number("lambd"), alpha = try group.number("alpha")
        let t0 = try group.number("t0")
        for p in group.params {
            guard let grad = p.grad else { continue }
            let s = try lazyState(for: p) { s in
                s.entries["step"] = try scalarState(0)
                s.entries["eta"] = try scalarState(lr)
                s.entries["mu"] = try scalarState(1)
                s.entries["ax"] = try Tensor.zerosLike(p)
            }
            let step = try advanceStep(s)
            let eta = try entry(s, "eta"), mu = try entry(s, "mu")
            let k = ASGDUpdate(eta: eta.storage.double(at: eta.storageOffset), lambd: lambd,
                               mu: mu.storage.double(at: mu.storageOffset), weightDecay: try group.number("weight_decay"),
                               maximize: group.flag("maximize"))
            try run(k, p, grad, [try entry(s, "ax")], paramWrites: 2)
            eta.storage.setDouble(lr / Foundation.pow(1 + lambd * lr * step, alpha), at: eta.storageOffset)
            mu.storage.setDouble(1 / Swift.max(1, step - t0), at: mu.storageOffset)
        }
    }
}

private struct ASGDUpdate: ElementwiseUpdate {
    let eta, lambd, mu, weightDecay: Double
    let maximize: Bool

    func apply<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                       _ state: [UnsafeMutablePointer<T>?], count: Int) {
        guard let ax = state[0] else { return }
        let decay = T(1 - lambd * eta), negEta = T(-eta), wd = T(weightDecay), m = T(mu)
        for i in 0..<count {
            var d = maximize ? -g[i] : g[i]
            if weightDecay != 0 { d = d + wd * p[i] }
            p[i] = p[i] * decay
            p[i] = p[i] + negEta * d
            ax[i] = mu != 1 ? ax[i] + (p[i] - ax[i]) * m : p[i]
        }
    }
}
