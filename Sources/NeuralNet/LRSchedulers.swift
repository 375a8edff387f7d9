import Foundation
import TensorRuntime

// The epoch-based schedulers of `torch.optim.lr_scheduler`, each PyTorch's `get_lr` (chainable
// form) and `_get_closed_form_lr` with the same floating-point operations in the same order, so
// printed learning rates match to the last digit.

/// `StepLR(optimizer, step_size, gamma=0.1, last_epoch=-1)`: lr × gamma every `step_size` epochs.
public final class StepLR: LRScheduler {
    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Double = 0.1, lastEpoch: Int = -1) throws {
        super.init(optimizer: optimizer)
        attributes["step_size"] = .int(stepSize)
        attributes["gamma"] = .double(gamma)
        try start(lastEpoch: lastEpoch)
    }

    override public func getLR() throws -> [SchedulerValue] {
        let e = lastEpoch, stepSize = try int("step_size")
        if e == 0 { return groupValues("lr") }
        if try pythonModulo(e, stepSize) != 0 { return groupValues("lr") }
        return try scaledGroupLRs(try number("gamma"))
    }

    override public func closedFormLR() throws -> [SchedulerValue]? {
        let gamma = try number("gamma"), k = try pythonFloorDivide(lastEpoch, try int("step_size"))
        return baseLRs.map { .double($0 * Foundation.pow(gamma, Double(k))) }
    }
}

/// `MultiStepLR(optimizer, milestones, gamma=0.1, last_epoch=-1)`: lr × gamma at each milestone
/// (a milestone listed twice decays twice: `milestones` is a Counter).
public final class MultiStepLR: LRScheduler {
    public init(_ optimizer: Optimizer, milestones: [Int], gamma: Double = 0.1, lastEpoch: Int = -1) throws {
        super.init(optimizer: optimizer)
        var counts: [(Int, Int)] = []
        for m in milestones {
            if let i = counts.firstIndex(where: { $0.0 == m }) { counts[i].1 += 1 } else { counts.append((m, 1)) }
        }
        attributes["milestones"] = .counter(counts)
        attributes["gamma"] = .double(gamma)
        try start(lastEpoch: lastEpoch)
    }

    private var milestones: [(Int, Int)] {
        if case .counter(let c)? = attributes["milestones"] { return c }
        return []
    }

    override public func getLR() throws -> [SchedulerValue] {
        guard let count = milestones.first(where: { $0.0 == lastEpoch })?.1 else { return groupValues("lr") }
        return try scaledGroupLRs(Foundation.pow(try number("gamma"), Double(count)))
    }

    override public func closedFormLR() throws -> [SchedulerValue]? {
        let passed = milestones.reduce(0) { $0 + ($1.0 <= lastEpoch ? $1.1 : 0) }
        let gamma = try number("gamma")
        return baseLRs.map { .double($0 * Foundation.pow(gamma, Double(passed))) }
    }
}

/// `ConstantLR(optimizer, factor=1/3, total_iters=5, last_epoch=-1)`: lr × factor until
/// `total_iters`, then the base lr.
public final class ConstantLR: LRScheduler {
    public init(_ optimizer: Optimizer, factor: Double = 1.0 / 3, totalIters: Int = 5, lastEpoch: Int = -1) throws {
        guard factor <= 1, factor >= 0 else { throw TorchError.value("Constant multiplicative factor expected to be between 0 and 1.") }
        super.init(optimizer: optimizer)
        attributes["factor"] = .double(factor)
        attributes["total_iters"] = .int(totalIters)
        try start(lastEpoch: lastEpoch)
    }

    override public func getLR() throws -> [SchedulerValue] {
        let factor = try number("factor")
        if lastEpoch == 0 { return try scaledGroupLRs(factor) }
        if lastEpoch != (try int("total_iters")) { return groupValues("lr") }
        return try scaledGroupLRs(1.0 / factor)
    }

    override public func closedFormLR() throws -> [SchedulerValue]? {
        let factor = try number("factor"), reached: Double = lastEpoch >= (try int("total_iters")) ? 1 : 0
        return baseLRs.map { .double($0 * (factor + reached * (1 - factor))) }
    }
}

/// `LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5, last_epoch=-1)`: the
/// factor moves linearly from `start_factor` to `end_factor` over `total_iters` epochs.
public final class LinearLR: LRScheduler {
    public init(_ optimizer: Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1.0, totalIters: Int = 5,
                lastEpoch: Int = -1) throws {
        guard startFactor <= 1, startFactor > 0 else {
            throw TorchError.value("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
        }
        guard endFactor <= 1, endFactor >= 0 else { throw TorchError.value("Ending multiplicative factor expected to be between 0 and 1.") }
        super.init(optimizer: optimizer)
        attributes["start_factor"] = .double(startFactor)
        attributes["end_factor"] = .double(endFactor)
        attributes["total_iters"] = .int(totalIters)
        try start(lastEpoch: lastEpoch)
    }

    override public func getLR() throws -> [SchedulerValue] {
        let start = try number("start_factor"), end = try number("end_factor"), total = try int("total_iters")
        if lastEpoch == 0 { return try scaledGroupLRs(start) }
        if isInitial || lastEpoch > total { return groupValues("lr") }
        let factor = 1.0 + (end - start) / (Double(total) * start + Double(lastEpoch - 1) * (end - start))
        return try scaledGroupLRs(factor)
    }

    override public func closedFormLR() throws -> [SchedulerValue]? {
        let start = try number("start_factor"), end = try number("end_factor"), total = try int("total_iters")
        guard total != 0 else { throw TorchError(.zeroDivisionError, "division by zero") }
        return baseLRs.map { .double($0 * (start + (end - start) * Double(Swift.min(total, lastEpoch)) / Double(total))) }
    }
}

/// `ExponentialLR(optimizer, gamma, last_epoch=-1)`: lr × gamma every epoch.
public final class ExponentialLR: LRScheduler {
    public init(_ optimizer: Optimizer, gamma: Double, lastEpoch: Int = -1) throws {
        super.init(optimizer: optimizer)
        attributes["gamma"] = .double(gamma)
        try start(lastEpoch: lastEpoch)
    }

    override public func getLR() throws -> [SchedulerValue] {
        if isInitial { return groupValues("lr") }
        return try scaledGroupLRs(try number("gamma"))
    }

    override public func closedFormLR() throws -> [SchedulerValue]? {
        let gamma = try number("gamma")
        return baseLRs.map { .double($0 * Foundation.pow(gamma, Double(lastEpoch))) }
    }
}

/// `PolynomialLR(optimizer, total_iters=5, power=1.0, last_epoch=-1)`: decays to 0 at
/// `total_iters` as `(1 - t/T)^power`.
public final class PolynomialLR: LRScheduler {
    public init(_ optimizer: Optimizer, totalIters: Int = 5, power: Double = 1.0, lastEpoch: Int = -1) throws {
        super.init(optimizer: optimizer)
        attributes["total_iters"] = .int(totalIters)
        attributes["power"] = .double(power)
        try start(lastEpoch: lastEpoch)
    }

    override public func getLR() throws -> [SchedulerValue] {
        let total = try int("total_iters"), power = try number("power")
        if isInitial || lastEpoch > total { return groupValues("lr") }
        let t = Double(total), e = Double(lastEpoch)
        let factor = Foundation.pow((1.0 - e / t) / (1.0 - (e - 1) / t), power)
        return try scaledGroupLRs(factor)
    }

    override public func closedFormLR() throws -> [SchedulerValue]? {
        let total = try int("total_iters"), power = try number("power")
        return baseLRs.map { .double($0 * Foundation.pow(1.0 - Double(Swift.min(total, lastEpoch)) / Double(total), power)) }
    }
}

/// `CosineAnnealingLR(optimizer, T_max, eta_min=0.0, last_epoch=-1)`: half a cosine from the
/// base lr down to `eta_min` over `T_max` epochs (PyTorch's recursive form while stepping).
public final class CosineAnnealingLR: LRScheduler {
    public init(_ optimizer: Optimizer, tMax: Int, etaMin: SchedulerValue = .double(0), lastEpoch: Int = -1) throws {
        super.init(optimizer: optimizer)
        attributes["T_max"] = .int(tMax)
        attributes["eta_min"] = etaMin
        try start(lastEpoch: lastEpoch)
    }

    override public func getLR() throws -> [SchedulerValue] {
        let tMax = try int("T_max"), etaMin = try number("eta_min"), e = lastEpoch, t = Double(tMax)
        if isInitial { return groupValues("lr") }
        if stepCount == 1 && e > 0 {
            return baseLRs.map { .double(etaMin + ($0 - etaMin) * (1 + Foundation.cos(Double(e) * Double.pi / t)) / 2) }
        }
        if try pythonModulo(e - 1 - tMax, 2 * tMax) == 0 {
            return try zip(baseLRs, groupLRs()).map { base, lr in
                .double(lr + (base - etaMin) * (1 - Foundation.cos(Double.pi / t)) / 2)
            }
        }
        return try groupLRs().map { lr in
            .double((1 + Foundation.cos(Double.pi * Double(e) / t)) / (1 + Foundation.cos(Double.pi * Double(e - 1) / t))
                    * (lr - etaMin) + etaMin)
        }
    }

    override public func closedFormLR() throws -> [SchedulerValue]? {
        let t = Double(try int("T_max")), etaMin = try number("eta_min"), e = Double(lastEpoch)
        return baseLRs.map { .double(etaMin + ($0 - etaMin) * (1 + Foundation.cos(Double.pi * e / t)) / 2) }
    }
}

/// What LambdaLR and MultiplicativeLR share: one script callable per group, from epoch to
/// factor; `lr_lambdas` is saved as `[None, …]` (functions are not saved).
public class LambdaScheduler: LRScheduler {
    /// A script callable from epoch to factor.
    public typealias Factor = (Int) throws -> Double
    public let lambdas: [Factor]

    /// `lambdas`: one per param group, or one for all.
    public init(_ optimizer: Optimizer, lambdas: [Factor], lastEpoch: Int = -1) throws {
        let n = optimizer.paramGroups.count
        var all = lambdas
        if lambdas.count == 1 && n > 1 { all = Array(repeating: lambdas[0], count: n) }
        guard all.count == n else { throw TorchError.value("Expected \(n) lr_lambdas, but got \(lambdas.count)") }
        self.lambdas = all
        super.init(optimizer: optimizer)
        try start(lastEpoch: lastEpoch)
    }

    override public func stateDict() -> [(String, SchedulerValue)] {
        super.stateDict() + [("lr_lambdas", .list(Array(repeating: .none, count: lambdas.count)))]
    }

    override public func loadStateDict(_ entries: [(String, SchedulerValue)]) throws {
        try super.loadStateDict(entries.filter { $0.0 != "lr_lambdas" })
    }
}

/// `LambdaLR(optimizer, lr_lambda, last_epoch=-1)`: base lr × `lr_lambda(epoch)`.
public final class LambdaLR: LambdaScheduler {
    override public func getLR() throws -> [SchedulerValue] {
        try zip(lambdas, baseLRs).map { f, base in .double(base * (try f(lastEpoch))) }
    }
}

/// `MultiplicativeLR(optimizer, lr_lambda, last_epoch=-1)`: the current lr × `lr_lambda(epoch)`.
public final class MultiplicativeLR: LambdaScheduler {
    override public func getLR() throws -> [SchedulerValue] {
        if isInitial { return groupValues("lr") }
        return try zip(lambdas, groupLRs()).map { f, lr in .double(lr * (try f(lastEpoch))) }
    }
}

/// `CosineAnnealingWarmRestarts(optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1)`: cosine
/// annealing restarted every `T_i` epochs, `T_i` growing by `T_mult`. Accepts fractional epochs.
public final class CosineAnnealingWarmRestarts: LRScheduler {
    public init(_ optimizer: Optimizer, t0: Int, tMult: Int = 1, etaMin: SchedulerValue = .double(0), lastEpoch: Int = -1) throws {
        guard t0 > 0 else { throw TorchError.value("Expected positive integer T_0, but got \(t0)") }
        guard tMult >= 1 else { throw TorchError.value("Expected integer T_mult >= 1, but got \(tMult)") }
        super.init(optimizer: optimizer)
        attributes["T_0"] = .int(t0)
        attributes["T_i"] = .int(t0)
        attributes["T_mult"] = .int(tMult)
        attributes["eta_min"] = etaMin
        attributes["T_cur"] = .int(lastEpoch)
        try start(lastEpoch: lastEpoch)
    }

    override public func getLR() throws -> [SchedulerValue] {
        let etaMin = try number("eta_min"), tCur = try number("T_cur"), tI = try number("T_i")
        return baseLRs.map { .double(etaMin + ($0 - etaMin) * (1 + Foundation.cos(Double.pi * tCur / tI)) / 2) }
    }

    override public func step(epoch given: SchedulerValue?) throws {
        var epoch = given
        if epoch == nil && lastEpoch < 0 { epoch = .int(0) }
        let t0 = try int("T_0"), tMult = try int("T_mult")
        if let epoch {
            guard let e = epoch.number else { throw TorchError.type("epoch must be a number") }
            guard e >= 0 else { throw TorchError.value("Expected non-negative epoch, but got \(epoch.pythonRepr)") }
            if e >= Double(t0) {
                if tMult == 1 {
                    if case .int(let i) = epoch { attributes["T_cur"] = .int(try pythonModulo(i, t0)) } else {
                        let r = Foundation.fmod(e, Double(t0))
                        attributes["T_cur"] = .double(r)
                    }
                } else {
                    let m = Double(tMult)
                    let n = Int(Foundation.log(e / Double(t0) * (m - 1) + 1) / Foundation.log(m))
                    let grown = Foundation.pow(m, Double(n))
                    attributes["T_cur"] = .double(e - Double(t0) * (grown - 1) / (m - 1))
                    attributes["T_i"] = .int(t0 * Int(grown))
                }
            } else {
                attributes["T_i"] = .int(t0)
                attributes["T_cur"] = epoch
            }
            lastEpoch = Int(e.rounded(.down))
        } else {
            let tI = try int("T_i")
            var tCur: SchedulerValue
            switch attributes["T_cur"] {
            case .double(let d)?: tCur = .double(d + 1)
            default: tCur = .int(try int("T_cur") + 1)
            }
            if let c = tCur.number, c >= Double(tI) {
                if case .int(let i) = tCur { tCur = .int(try pythonModulo(i, tI)) } else {
                    let r = Foundation.fmod(c, Double(tI))
                    tCur = .double(r < 0 ? r + Double(tI) : r)
                }
                attributes["T_i"] = .int(tI * tMult)
            }
            attributes["T_cur"] = tCur
            lastEpoch += 1
        }
        let values: [SchedulerValue]
        do {
            attributes["_get_lr_called_within_step"] = .bool(true)
            defer { attributes["_get_lr_called_within_step"] = .bool(false) }
            values = try currentGetLR()
        }
        try setGroupLRs(values)
    }
}

extension SchedulerValue {
    /// Python's repr for the scalar cases (used in messages).
    var pythonRepr: String {
        switch self {
        case .int(let i): return String(i)
        case .double(let d): return pythonFloatRepr(d)
        case .bool(let b): return b ? "True" : "False"
        case .string(let s): return "'\(s)'"
        case .none: return "None"
        default: return "..."
        }
    }
}
