import Foundation
import TensorRuntime

/// `torch.optim.RMSprop(params, lr=0.01, alpha=0.99, eps=1e-08, weight_decay=0, momentum=0,
/// centered=False, capturable=False, foreach=None, maximize=False, differentiable=False)`.
/// State per parameter: `step`, `square_avg` (+ `momentum_buffer` with momentum, `grad_avg` when
/// centered), updated as PyTorch's `_single_tensor_rmsprop`.
public final class RMSprop: Optimizer {
    /// PyTorch's `defaults`, in its order.
    public static let defaultOptions: [(String, OptionValue)] = [
        ("lr", .double(0.01)), ("momentum", .int(0)), ("alpha", .double(0.99)), ("eps", .double(1e-8)),
        ("centered", .bool(false)), ("weight_decay", .int(0)), ("capturable", .bool(false)), ("foreach", .none),
        ("maximize", .bool(false)), ("differentiable", .bool(false)),
    ]

    public init(groups: [ParamGroupSpec], options: [(String, OptionValue)] = []) throws {
        try super.init(groups: groups, defaults: Optimizer.merging(RMSprop.defaultOptions, options))
    }

    override public func validate(_ options: OrderedDict<String, OptionValue>) throws {
        try super.validate(options)
        try requireNonNegative(options, [("eps", "epsilon value"), ("momentum", "momentum value"),
                                         ("weight_decay", "weight_decay value"), ("alpha", "alpha value")])
    }

    override public func update(group: ParamGroup) throws {
        let momentum = try group.number("momentum"), centered = group.flag("centered")
        let k = RMSpropUpdate(lr: try group.number("lr"), alpha: try group.number("alpha"), eps: try group.number("eps"),
                              weightDecay: try group.number("weight_decay"), momentum: momentum,
                              maximize: group.flag("maximize"))
        for p in group.params {
            guard let grad = p.grad else { continue }
            let s = try lazyState(for: p) { s in
                s.entries["step"] = try scalarState(0)
                s.entries["square_avg"] = try Tensor.zerosLike(p)
                if momentum > 0 { s.entries["momentum_buffer"] = try Tensor.zerosLike(p) }
                if centered { s.entries["grad_avg"] = try Tensor.zerosLike(p) }
            }
            _ = try advanceStep(s)
            try run(k, p, grad, [try entry(s, "square_avg"), momentum > 0 ? try entry(s, "momentum_buffer") : nil,
                                 centered ? try entry(s, "grad_avg") : nil])
        }
    }
}

private struct RMSpropUpdate: ElementwiseUpdate {
    let lr, alpha, eps, weightDecay, momentum: Double
    let maximize: Bool

    func apply<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                       _ state: [UnsafeMutablePointer<T>?], count: Int) {
        guard let square = state[0] else { return }
        let buffer = state[1], gradAvg = state[2]
        let a = T(alpha), oneMinusA = T(1 - alpha), e = T(eps), wd = T(weightDecay), mu = T(momentum), negLR = T(-lr)
        for i in 0..<count {
            var d = maximize ? -g[i] : g[i]
            if weightDecay != 0 { d = d + wd * p[i] }
            square[i] = square[i] * a + oneMinusA * d * d
            var avg: T
            if let gradAvg {
                gradAvg[i] = lerp(gradAvg[i], d, oneMinusA)
                avg = (square[i] + -1 * gradAvg[i] * gradAvg[i]).squareRoot()
            } else {
                avg = square[i].squareRoot()
            }
            avg = avg + e
            if let buffer {
                buffer[i] = buffer[i] * mu + d / avg
                p[i] = p[i] + negLR * buffer[i]
            } else {
                p[i] = p[i] + negLR * d / avg
            }
        }
    }
}
