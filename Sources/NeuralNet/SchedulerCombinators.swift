import Foundation
import TensorRuntime

/// The schedulers a SequentialLR or ChainedScheduler drives, checked as PyTorch checks them.
private func checkSchedulers(_ schedulers: [LRScheduler], _ optimizer: Optimizer, _ owner: String, what: String) throws {
    guard !schedulers.isEmpty else { throw TorchError.value("\(owner) expects at least one scheduler\(what), but got no scheduler.") }
    for (i, s) in schedulers.enumerated() {
        if s is ReduceLROnPlateau {
            throw TorchError.value("\(owner) does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs to be specified when calling `step`, but got one at index \(i) in the given schedulers sequence.")
        }
        if s.optimizer !== optimizer {
            throw TorchError.value("\(owner) expects all schedulers to belong to the same optimizer, but got scheduler \(s.typeName) at index \(i) has \(s.optimizer), which is different from \(optimizer.typeName).")
        }
    }
}

/// `SequentialLR(optimizer, schedulers, milestones, last_epoch=-1)`: runs `schedulers[i]` between
/// milestones; at a milestone the next one restarts from its closed form at epoch 0.
public final class SequentialLR: LRScheduler {
    public let schedulers: [LRScheduler]

    public init(_ optimizer: Optimizer, schedulers: [LRScheduler], milestones: [Int], lastEpoch: Int = -1) throws {
        try checkSchedulers(schedulers, optimizer, "SequentialLR", what: "")
        guard milestones.count == schedulers.count - 1 else {
            throw TorchError.value("Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers \(schedulers.count) and the number of milestones to be equal to \(milestones.count)")
        }
        self.schedulers = schedulers
        super.init(optimizer: optimizer)
        attributes["_milestones"] = .list(milestones.map { .int($0) })
        attributes["last_epoch"] = .int(lastEpoch + 1)
        for g in optimizer.paramGroups {
            guard let initial = g.options["initial_lr"] else { throw TorchError(.keyError, "'initial_lr'") }
            g.options["lr"] = initial
        }
        SequentialLR.undo(schedulers)
        let first = schedulers[bisectRight(milestones, 0)]
        try first.initialStep()
        attributes["_last_lr"] = first.getLastLR()
    }

    /// `recursive_undo`: every nested scheduler's `last_epoch` goes back one.
    private static func undo(_ schedulers: [LRScheduler]) {
        for s in schedulers {
            if let nested = s.nestedSchedulers { undo(nested) } else { s.lastEpoch -= 1 }
        }
    }

    private var milestones: [Int] {
        (attributes["_milestones"]?.items ?? []).compactMap { if case .int(let i) = $0 { return i } else { return nil } }
    }

    override public func step(epoch: SchedulerValue?) throws {
        lastEpoch += 1
        let ms = milestones, idx = bisectRight(ms, lastEpoch)
        let scheduler = schedulers[idx]
        if idx > 0 && ms[idx - 1] == lastEpoch {
            try scheduler.updateLR(epoch: .int(0))
        } else {
            try scheduler.step(epoch: nil)
        }
        attributes["_last_lr"] = scheduler.getLastLR()
    }

    override public var nestedSchedulers: [LRScheduler]? { schedulers }

    override public func stateDict() -> [(String, SchedulerValue)] {
        super.stateDict() + [("_schedulers", .list(schedulers.map { .dict($0.stateDict()) }))]
    }

    override public func loadStateDict(_ entries: [(String, SchedulerValue)]) throws {
        try loadNested(entries, into: schedulers)
    }
}

/// `ChainedScheduler(schedulers, optimizer=None)`: steps every scheduler in turn each epoch.
public final class ChainedScheduler: LRScheduler {
    public let schedulers: [LRScheduler]

    public init(_ schedulers: [LRScheduler], optimizer: Optimizer? = nil) throws {
        guard let first = schedulers.first else {
            throw TorchError.value("ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.")
        }
        let opt = optimizer ?? first.optimizer
        try checkSchedulers(schedulers, opt, "ChainedScheduler", what: " to be chained")
        self.schedulers = schedulers
        super.init(optimizer: opt)
        attributes["_last_lr"] = .list(schedulers[schedulers.count - 1].groupValues("lr"))
    }

    override public func step(epoch: SchedulerValue?) throws {
        for s in schedulers { try s.step(epoch: nil) }
        attributes["_last_lr"] = .list(schedulers[schedulers.count - 1].groupValues("lr"))
    }

    override public var nestedSchedulers: [LRScheduler]? { schedulers }

    override public func stateDict() -> [(String, SchedulerValue)] {
        super.stateDict() + [("_schedulers", .list(schedulers.map { .dict($0.stateDict()) }))]
    }

    override public func loadStateDict(_ entries: [(String, SchedulerValue)]) throws {
        try loadNested(entries, into: schedulers)
    }
}

extension LRScheduler {
    /// `load_state_dict` of a combinator: its own entries, then each nested scheduler's dict.
    func loadNested(_ entries: [(String, SchedulerValue)], into schedulers: [LRScheduler]) throws {
        for (k, v) in entries where k != "_schedulers" { attributes[k] = v }
        guard let nested = entries.first(where: { $0.0 == "_schedulers" })?.1.items else { return }
        for (s, d) in zip(schedulers, nested) {
            guard case .dict(let inner) = d else { throw TorchError.type("each scheduler state must be a dict") }
            try s.loadStateDict(inner)
        }
    }
}

/// Python's `bisect.bisect_right`.
func bisectRight(_ sorted: [Int], _ x: Int) -> Int {
    var lo = 0, hi = sorted.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if x < sorted[mid] { hi = mid } else { lo = mid + 1 }
    }
    return lo
}

/// `ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=10, threshold=1e-4,
/// threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8)`: lr × factor once the metric passed to
/// `step(metrics)` has not improved for more than `patience` epochs.
public final class ReduceLROnPlateau: LRScheduler {
    public struct Options {
        public var mode = "min", factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = "rel", cooldown = 0
        public var minLR: SchedulerValue = .int(0)
        public var eps = 1e-8
        public init() {}
    }

    public init(_ optimizer: Optimizer, _ o: Options) throws {
        guard o.factor < 1.0 else { throw TorchError.value("Factor should be < 1.0.") }
        super.init(optimizer: optimizer)
        attributes["factor"] = .double(o.factor)
        let n = optimizer.paramGroups.count
        if let items = o.minLR.items {
            guard items.count == n else { throw TorchError.value("expected \(n) min_lrs, got \(items.count)") }
            attributes["default_min_lr"] = SchedulerValue.none
            attributes["min_lrs"] = .list(items)
        } else {
            attributes["default_min_lr"] = o.minLR
            attributes["min_lrs"] = .list(Array(repeating: o.minLR, count: n))
        }
        attributes["patience"] = .int(o.patience)
        attributes["cooldown"] = .int(o.cooldown)
        attributes["eps"] = .double(o.eps)
        attributes["last_epoch"] = .int(0)
        attributes["_last_lr"] = .list(groupValues("lr"))
        try initIsBetter(mode: o.mode, threshold: o.threshold, thresholdMode: o.thresholdMode)
        attributes["best"] = attributes["mode_worse"]
        attributes["cooldown_counter"] = .int(0)
        attributes["num_bad_epochs"] = .int(0)
    }

    private func initIsBetter(mode: String, threshold: Double, thresholdMode: String) throws {
        guard mode == "min" || mode == "max" else { throw TorchError.value("mode \(mode) is unknown!") }
        guard thresholdMode == "rel" || thresholdMode == "abs" else {
            throw TorchError.value("threshold mode \(thresholdMode) is unknown!")
        }
        attributes["mode_worse"] = .double(mode == "min" ? Double.infinity : -Double.infinity)
        attributes["mode"] = .string(mode)
        attributes["threshold"] = .double(threshold)
        attributes["threshold_mode"] = .string(thresholdMode)
    }

    private func string(_ key: String) -> String {
        if case .string(let s)? = attributes[key] { return s }
        return ""
    }

    /// `is_better(a, best)`.
    public func isBetter(_ a: Double, _ best: Double) throws -> Bool {
        let t = try number("threshold")
        switch (string("mode"), string("threshold_mode")) {
        case ("min", "rel"): return a < best * (1.0 - t)
        case ("min", _): return a < best - t
        case (_, "rel"): return a > best * (t + 1.0)
        default: return a > best + t
        }
    }

    public var inCooldown: Bool { ((try? int("cooldown_counter")) ?? 0) > 0 }

    /// `step(metrics, epoch=None)`.
    public func step(metrics current: Double, epoch: SchedulerValue?) throws {
        if let epoch {
            NNWarnings.warn(LRScheduler.epochDeprecation)
            attributes["last_epoch"] = epoch
        } else {
            lastEpoch += 1
        }
        if try isBetter(current, try number("best")) {
            attributes["best"] = .double(current)
            attributes["num_bad_epochs"] = .int(0)
        } else {
            attributes["num_bad_epochs"] = .int(try int("num_bad_epochs") + 1)
        }
        if inCooldown {
            attributes["cooldown_counter"] = .int(try int("cooldown_counter") - 1)
            attributes["num_bad_epochs"] = .int(0)
        }
        if try int("num_bad_epochs") > (try int("patience")) {
            try reduceLR()
            attributes["cooldown_counter"] = attributes["cooldown"]
            attributes["num_bad_epochs"] = .int(0)
        }
        attributes["_last_lr"] = .list(groupValues("lr"))
    }

    override public func step(epoch: SchedulerValue?) throws {
        throw TorchError.type("ReduceLROnPlateau.step() missing 1 required positional argument: 'metrics'")
    }

    private func reduceLR() throws {
        let groups = optimizer.paramGroups
        var minLRs = attributes["min_lrs"]?.items ?? []
        if minLRs.count != groups.count {
            guard let d = attributes["default_min_lr"], d.number != nil else {
                throw TorchError.runtime("The number of param groups in the `optimizer` (\(groups.count)) differs from when `ReduceLROnPlateau` was initialized (\(minLRs.count)), usually due to a new param group being added to the optimizer. Please modify the `min_lrs` field to match the length of the `optimizer` param groups.")
            }
            minLRs = Array(repeating: d, count: groups.count)
            attributes["min_lrs"] = .list(minLRs)
        }
        let factor = try number("factor"), eps = try number("eps")
        for (g, minLR) in zip(groups, minLRs) {
            let old = try g.number("lr"), reduced = old * factor
            guard let floor = minLR.number else { throw TorchError.type("min_lr must be a number") }
            // Python's max(a, b) keeps the first when neither is larger.
            let new: SchedulerValue = reduced < floor ? minLR : .double(reduced)
            if old - (new.number ?? reduced) > eps { g.options["lr"] = new.option ?? .none }
        }
    }

    override public func loadStateDict(_ entries: [(String, SchedulerValue)]) throws {
        try super.loadStateDict(entries)
        try initIsBetter(mode: string("mode"), threshold: try number("threshold"), thresholdMode: string("threshold_mode"))
    }
}
