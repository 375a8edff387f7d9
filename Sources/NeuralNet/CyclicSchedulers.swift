import Foundation
import TensorRuntime

/// Sets a group's momentum as OneCycleLR/CyclicLR do: `betas[0]` for Adam-like optimizers,
/// `momentum` otherwise.
private func setMomentum(_ m: SchedulerValue, of group: ParamGroup, useBeta1: Bool) {
    if useBeta1 {
        var betas: [OptionValue] = []
        if case .tuple(let items)? = group.options["betas"] { betas = items }
        group.options["betas"] = .tuple([m.option ?? .none] + betas.dropFirst())
    } else {
        group.options["momentum"] = m.option ?? .none
    }
}

extension LRScheduler {
    /// OneCycleLR/CyclicLR's momentum set-up: records `use_beta1`, and (on a fresh start) writes
    /// each group's `max_momentum`, `base_momentum` and its cycled momentum. Returns the
    /// per-group (base, max) momentums.
    func startMomentumCycle(base: SchedulerValue, max: SchedulerValue, lastEpoch: Int) throws -> ([SchedulerValue], [SchedulerValue]) {
        let beta1 = try usesBeta1(optimizer)
        attributes["use_beta1"] = .bool(beta1)
        let baseMs = try perGroup("base_momentum", base), maxMs = try perGroup("max_momentum", max)
        if lastEpoch == -1 {
            for (g, (mx, b)) in zip(optimizer.paramGroups, zip(maxMs, baseMs)) {
                setMomentum(mx, of: g, useBeta1: beta1)
                g.options["max_momentum"] = mx.option ?? .none
                g.options["base_momentum"] = b.option ?? .none
            }
        }
        return (baseMs, maxMs)
    }
}

/// Whether the optimizer cycles `betas[0]` (it has `betas`) or `momentum`; ValueError if neither.
private func usesBeta1(_ optimizer: Optimizer) throws -> Bool {
    guard optimizer.defaults.contains("momentum") || optimizer.defaults.contains("betas") else {
        throw TorchError.value("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
    }
    return optimizer.defaults.contains("betas")
}

/// `OneCycleLR(optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
/// pct_start=0.3, anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85,
/// max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False, last_epoch=-1)`:
/// the 1cycle policy, stepped once per batch. Phase boundaries and rates live in the param
/// groups (`initial_lr`, `max_lr`, `min_lr`, `max_momentum`, `base_momentum`) as in PyTorch.
public final class OneCycleLR: LRScheduler {
    public struct Options {
        public var totalSteps: Int?, epochs: Int?, stepsPerEpoch: Int?
        public var pctStart = 0.3
        public var annealStrategy = "cos"
        public var cycleMomentum = true
        public var baseMomentum: SchedulerValue = .double(0.85), maxMomentum: SchedulerValue = .double(0.95)
        public var divFactor = 25.0, finalDivFactor = 1e4
        public var threePhase = false
        public var lastEpoch = -1
        public init() {}
    }

    public init(_ optimizer: Optimizer, maxLR: SchedulerValue, _ o: Options) throws {
        super.init(optimizer: optimizer)
        let total: Int
        if let t = o.totalSteps {
            guard t > 0 else { throw TorchError.value("Expected positive integer total_steps, but got \(t)") }
            total = t
        } else if let epochs = o.epochs, let perEpoch = o.stepsPerEpoch {
            guard epochs > 0 else { throw TorchError.value("Expected positive integer epochs, but got \(epochs)") }
            guard perEpoch > 0 else { throw TorchError.value("Expected positive integer steps_per_epoch, but got \(perEpoch)") }
            total = epochs * perEpoch
        } else {
            throw TorchError.value("You must define either total_steps OR (epochs AND steps_per_epoch)")
        }
        attributes["total_steps"] = .int(total)
        func phase(_ end: SchedulerValue, _ startLR: String, _ endLR: String, _ startM: String, _ endM: String) -> SchedulerValue {
            .dict([("end_step", end), ("start_lr", .string(startLR)), ("end_lr", .string(endLR)),
                   ("start_momentum", .string(startM)), ("end_momentum", .string(endM))])
        }
        let firstEnd = SchedulerValue.double(o.pctStart * Double(total) - 1)
        if o.threePhase {
            attributes["_schedule_phases"] = .list([
                phase(firstEnd, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                phase(.double(2 * o.pctStart * Double(total) - 2), "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                phase(.int(total - 1), "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ])
        } else {
            attributes["_schedule_phases"] = .list([
                phase(firstEnd, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                phase(.int(total - 1), "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ])
        }
        guard o.pctStart >= 0, o.pctStart <= 1 else {
            throw TorchError.value("Expected float between 0 and 1 pct_start, but got \(pythonFloatRepr(o.pctStart))")
        }
        guard o.annealStrategy == "cos" || o.annealStrategy == "linear" else {
            throw TorchError.value("anneal_strategy must be one of 'cos' or 'linear', instead got \(o.annealStrategy)")
        }
        attributes["_anneal_func_type"] = .string(o.annealStrategy)
        let maxLRs = try perGroup("max_lr", maxLR)
        if o.lastEpoch == -1 {
            for (g, m) in zip(optimizer.paramGroups, maxLRs) {
                guard let mx = m.number else { throw TorchError.type("max_lr must be a number") }
                let initial = mx / o.divFactor
                g.options["initial_lr"] = .double(initial)
                g.options["max_lr"] = m.option ?? .none
                g.options["min_lr"] = .double(initial / o.finalDivFactor)
            }
        }
        attributes["cycle_momentum"] = .bool(o.cycleMomentum)
        if o.cycleMomentum {
            _ = try startMomentumCycle(base: o.baseMomentum, max: o.maxMomentum, lastEpoch: o.lastEpoch)
        }
        try start(lastEpoch: o.lastEpoch)
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) throws -> Double {
        if case .string("linear")? = attributes["_anneal_func_type"] { return (end - start) * pct + start }
        let cosOut = Foundation.cos(Double.pi * pct) + 1
        return end + (start - end) / 2.0 * cosOut
    }

    override public func getLR() throws -> [SchedulerValue] {
        let stepNum = lastEpoch, total = try int("total_steps")
        if stepNum > total {
            throw TorchError.value("Tried to step \(stepNum) times. The specified number of total steps is \(total)")
        }
        guard let phases = attributes["_schedule_phases"]?.items else { return [] }
        let cycle = flag("cycle_momentum"), beta1 = flag("use_beta1")
        var lrs: [SchedulerValue] = []
        for group in optimizer.paramGroups {
            var startStep = 0.0
            for (i, phase) in phases.enumerated() {
                guard case .dict(let fields) = phase else { continue }
                func field(_ k: String) -> SchedulerValue? { fields.first { $0.0 == k }?.1 }
                func groupValue(_ k: String) throws -> Double {
                    guard case .string(let key)? = field(k) else { throw TorchError(.keyError, k) }
                    return try group.number(key)
                }
                let endStep = field("end_step")?.number ?? 0
                if Double(stepNum) <= endStep || i == phases.count - 1 {
                    let pct = (Double(stepNum) - startStep) / (endStep - startStep)
                    lrs.append(.double(try anneal(try groupValue("start_lr"), try groupValue("end_lr"), pct)))
                    if cycle {
                        let m = try anneal(try groupValue("start_momentum"), try groupValue("end_momentum"), pct)
                        setMomentum(.double(m), of: group, useBeta1: beta1)
                    }
                    break
                }
                startStep = endStep
            }
        }
        return lrs
    }
}

/// `CyclicLR(optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
/// mode='triangular', gamma=1.0, scale_fn=None, scale_mode='cycle', cycle_momentum=True,
/// base_momentum=0.8, max_momentum=0.9, last_epoch=-1)`: the cyclical learning-rate policy.
public final class CyclicLR: LRScheduler {
    /// A script callable scaling the amplitude (`scale_fn`).
    public typealias Scale = (Double) throws -> Double
    private let customScale: Scale?

    public struct Options {
        public var stepSizeUp: Double = 2000, stepSizeDown: Double?
        public var mode = "triangular"
        public var gamma = 1.0
        public var scaleMode = "cycle"
        public var cycleMomentum = true
        public var baseMomentum: SchedulerValue = .double(0.8), maxMomentum: SchedulerValue = .double(0.9)
        public var lastEpoch = -1
        public init() {}
    }

    public init(_ optimizer: Optimizer, baseLR: SchedulerValue, maxLR: SchedulerValue, scaleFn: Scale?, _ o: Options) throws {
        customScale = scaleFn
        super.init(optimizer: optimizer)
        let baseLRs = try perGroup("base_lr", baseLR)
        if o.lastEpoch == -1 {
            for (g, lr) in zip(optimizer.paramGroups, baseLRs) { g.options["lr"] = lr.option ?? .none }
        }
        attributes["max_lrs"] = .list(try perGroup("max_lr", maxLR))
        let down = o.stepSizeDown ?? o.stepSizeUp
        attributes["total_size"] = .double(o.stepSizeUp + down)
        attributes["step_ratio"] = .double(o.stepSizeUp / (o.stepSizeUp + down))
        guard ["triangular", "triangular2", "exp_range"].contains(o.mode) || scaleFn != nil else {
            throw TorchError.value("mode is invalid and scale_fn is None")
        }
        attributes["mode"] = .string(o.mode)
        attributes["gamma"] = .double(o.gamma)
        attributes["scale_mode"] = .string(o.scaleMode)
        initScaleMode()
        attributes["cycle_momentum"] = .bool(o.cycleMomentum)
        if o.cycleMomentum {
            let (baseMs, maxMs) = try startMomentumCycle(base: o.baseMomentum, max: o.maxMomentum, lastEpoch: o.lastEpoch)
            attributes["base_momentums"] = .list(baseMs)
            attributes["max_momentums"] = .list(maxMs)
        }
        try start(lastEpoch: o.lastEpoch)
        attributes["base_lrs"] = .list(baseLRs)
    }

    /// `_init_scale_fn`: the built-in modes fix `scale_mode`.
    private func initScaleMode() {
        guard customScale == nil, case .string(let mode)? = attributes["mode"] else { return }
        switch mode {
        case "triangular", "triangular2": attributes["scale_mode"] = .string("cycle")
        case "exp_range": attributes["scale_mode"] = .string("iterations")
        default: break
        }
    }

    private func scale(_ x: Double) throws -> Double {
        if let customScale { return try customScale(x) }
        switch attributes["mode"] {
        case .string("triangular2")?: return 1 / Foundation.pow(2.0, x - 1)
        case .string("exp_range")?: return Foundation.pow(try number("gamma"), x)
        default: return 1.0
        }
    }

    override public func getLR() throws -> [SchedulerValue] {
        let total = try number("total_size"), ratio = try number("step_ratio"), e = Double(lastEpoch)
        let cycle = (1 + e / total).rounded(.down)
        let x = 1.0 + e / total - cycle
        let scaleFactor = x <= ratio ? x / ratio : (x - 1) / (ratio - 1)
        let byCycle: Bool
        if case .string("cycle")? = attributes["scale_mode"] { byCycle = true } else { byCycle = false }
        let s = try scale(byCycle ? cycle : e)
        let lrs: [SchedulerValue] = try zip(baseLRs, numbers("max_lrs")).map { base, mx in
            .double(base + (mx - base) * scaleFactor * s)
        }
        if flag("cycle_momentum") {
            let beta1 = flag("use_beta1")
            for (g, (base, mx)) in zip(optimizer.paramGroups, zip(try numbers("base_momentums"), try numbers("max_momentums"))) {
                setMomentum(.double(mx - (mx - base) * scaleFactor * s), of: g, useBeta1: beta1)
            }
        }
        return lrs
    }

    /// `_scale_fn_custom` is saved last, as None (functions are not saved).
    override public func stateDict() -> [(String, SchedulerValue)] {
        super.stateDict() + [("_scale_fn_custom", .none)]
    }

    override public func loadStateDict(_ entries: [(String, SchedulerValue)]) throws {
        try super.loadStateDict(entries.filter { $0.0 != "_scale_fn_custom" })
        initScaleMode()
    }
}
