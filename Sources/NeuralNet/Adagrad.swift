import Foundation
import TensorRuntime

/// `torch.optim.Adagrad(params, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
/// eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None)`. State `step`
/// and `sum`, created when the optimizer is built (as PyTorch does), updated as
/// `_single_tensor_adagrad`.
public final class Adagrad: Optimizer {
    public static let defaultOptions: [(String, OptionValue)] = [
        ("lr", .double(0.01)), ("lr_decay", .int(0)), ("eps", .double(1e-10)), ("weight_decay", .int(0)),
        ("initial_accumulator_value", .int(0)), ("foreach", .none), ("maximize", .bool(false)),
        ("differentiable", .bool(false)), ("fused", .none),
    ]

    public init(groups: [ParamGroupSpec], options: [(String, OptionValue)] = []) throws {
        try super.init(groups: groups, defaults: Optimizer.merging(Adagrad.defaultOptions, options))
        for g in paramGroups {
            let initial = try g.number("initial_accumulator_value")
            for p in g.params { _ = try initialState(p, initial) }
        }
    }

    private func initialState(_ p: Tensor, _ initial: Double) throws -> ParamState {
        try lazyState(for: p) { s in
            s.entries["step"] = try scalarState(0)
            s.entries["sum"] = try Tensor.fullLike(p, value: .double(initial))
        }
    }

    override public func validate(_ options: OrderedDict<String, OptionValue>) throws {
        try super.validate(options)
        try requireNonNegative(options, [("lr_decay", "lr_decay value"), ("weight_decay", "weight_decay value"),
                                         ("initial_accumulator_value", "initial_accumulator_value value"),
                                         ("eps", "epsilon value")])
    }

    override public func update(group: ParamGroup) throws {
        let lr = try group.number("lr"), lrDecay = try group.number("lr_decay")
        for p in group.params {
            guard let grad = p.grad else { continue }
            let s = try initialState(p, try group.number("initial_accumulator_value"))
            let step = try advanceStep(s)
            let k = AdagradUpdate(clr: lr / (1 + (step - 1) * lrDecay), eps: try group.number("eps"),
                                  weightDecay: try group.number("weight_decay"), maximize: group.flag("maximize"))
            try run(k, p, grad, [try entry(s, "sum")])
        }
    }
}

private struct AdagradUpdate: ElementwiseUpdate {
    let clr, eps, weightDecay: Double
    let maximize: Bool

    func apply<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                       _ state: [UnsafeMutablePointer<T>?], count: Int) {
        guard let sum = state[0] else { return }
        let e = T(eps), wd = T(weightDecay), negCLR = T(-clr)
        for i in 0..<count {
            var d = maximize ? -g[i] : g[i]
            if weightDecay != 0 { d = d + wd * p[i] }
            sum[i] = sum[i] + 1 * d * d
            let std = sum[i].squareRoot() + e
            p[i] = p[i] + negCLR * d / std
        }
    }
}

/// `torch.optim.Adadelta(params, lr=1.0, rho=0.9, eps=1e-06, weight_decay=0, foreach=None, *,
/// capturable=False, maximize=False, differentiable=False)`. State `step`, `square_avg`,
/// `acc_delta`, updated as `_single_tensor_adadelta`.
public final class Adadelta: Optimizer {
    public static let defaultOptions: [(String, OptionValue)] = [
        ("lr", .double(1.0)), ("rho", .double(0.9)), ("eps", .double(1e-6)), ("weight_decay", .int(0)),
        ("maximize", .bool(false)), ("capturable", .bool(false)), ("foreach", .none), ("differentiable", .bool(false)),
    ]

    public init(groups: [ParamGroupSpec], options: [(String, OptionValue)] = []) throws {
        try super.init(groups: groups, defaults: Optimizer.merging(Adadelta.defaultOptions, options))
    }

    override public func validate(_ options: OrderedDict<String, OptionValue>) throws {
        try super.validate(options)
        if let r = options["rho"], let v = r.number, !(v >= 0 && v <= 1) { throw TorchError.value("Invalid rho value: \(r.pythonStr)") }
        try requireNonNegative(options, [("eps", "epsilon value"), ("weight_decay", "weight_decay value")])
    }

    override public func update(group: ParamGroup) throws {
        let k = AdadeltaUpdate(lr: try group.number("lr"), rho: try group.number("rho"), eps: try group.number("eps"),
                               weightDecay: try group.number("weight_decay"), maximize: group.flag("maximize"))
        for p in group.params {
            guard let grad = p.grad else { continue }
            let s = try lazyState(for: p) { s in
                s.entries["step"] = try scalarState(0)
                s.entries["square_avg"] = try Tensor.zerosLike(p)
                s.entries["acc_delta"] = try Tensor.zerosLike(p)
            }
            _ = try advanceStep(s)
            try run(k, p, grad, [try entry(s, "square_avg"), try entry(s, "acc_delta")])
        }
    }
}

private struct AdadeltaUpdate: ElementwiseUpdate {
    let lr, rho, eps, weightDecay: Double
    let maximize: Bool

    func apply<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                       _ state: [UnsafeMutablePointer<T>?], count: Int) {
        guard let square = state[0], let acc = state[1] else { return }
        let r = T(rho), oneMinusR = T(1 - rho), e = T(eps), wd = T(weightDecay), negLR = T(-lr)
        for i in 0..<count {
            var d = maximize ? -g[i] : g[i]
            if weightDecay != 0 { d = d + wd * p[i] }
            square[i] = square[i] * r + oneMinusR * d * d
            let std = (square[i] + e).squareRoot()
            var delta = (acc[i] + e).squareRoot()
            delta = delta / std
            delta = delta * d
            acc[i] = acc[i] * r + oneMinusR * delta * delta
            p[i] = p[i] + negLR * delta
        }
    }
}
