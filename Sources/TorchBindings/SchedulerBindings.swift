import NNLang
import TensorRuntime
import NeuralNet

/// `torch.optim.lr_scheduler`: every scheduler declared once (PyTorch's `__init__` signature,
/// which binds each call and is what `help()`, `:help` and completion show; a one-line
/// description; how to build the NeuralNet scheduler), and the scheduler objects scripts hold.
enum SchedulerBindings {
    /// Builds a scheduler object from the bound arguments (one slot per parameter).
    typealias Make = ([Value], Evaluator) throws -> SchedulerObject

    static func make() -> Namespace {
        let ns = Namespace("torch.optim.lr_scheduler")
        let baseSignature = Signature("optimizer, last_epoch=-1")
        let makeBase: Make = { s, ev in
            try wrap(s[0]) { optimizer in
                let scheduler = LRScheduler(optimizer: optimizer)
                try scheduler.start(lastEpoch: try s[1].asInt("last_epoch"))
                return scheduler
            }
        }
        let base = HostType("LRScheduler", signature: baseSignature,
                            doc: "The base class of the schedulers: scripts derive from it and define get_lr().",
                            check: { v in
            if case .object(let o) = v { return o is SchedulerObject }
            return false
        }, construct: { a, ev in .object(try makeBase(try baseSignature.bind(a, "LRScheduler.__init__").values, ev)) })
        SchedulerSubclassing.allowDeriving(base, baseSignature, makeBase)
        ns["LRScheduler"] = .object(base)
        let legacy = HostType("_LRScheduler", parent: base, signature: baseSignature,
                              doc: "The former name of LRScheduler, kept for scripts that derive from it.",
                              check: { _ in false },
                              construct: { a, ev in .object(try makeBase(try baseSignature.bind(a, "_LRScheduler.__init__").values, ev)) })
        SchedulerSubclassing.allowDeriving(legacy, baseSignature, makeBase)
        ns["_LRScheduler"] = .object(legacy)
        declare(ns, base, "StepLR", StepLR.self, "optimizer, step_size, gamma=0.1, last_epoch=-1",
                "Multiplies the learning rate by gamma every step_size epochs.") { s, ev in
            try wrap(s[0]) { try StepLR($0, stepSize: try wholeNumber(s[1], "step_size"), gamma: try s[2].asDouble("gamma"),
                                        lastEpoch: try s[3].asInt("last_epoch")) }
        }
        declare(ns, base, "MultiStepLR", MultiStepLR.self, "optimizer, milestones, gamma=0.1, last_epoch=-1",
                "Multiplies the learning rate by gamma at each milestone epoch.") { s, ev in
            let milestones = try ev.iterate(s[1]).map { try $0.asInt("milestones") }
            return try wrap(s[0]) { try MultiStepLR($0, milestones: milestones, gamma: try s[2].asDouble("gamma"),
                                                    lastEpoch: try s[3].asInt("last_epoch")) }
        }
        declare(ns, base, "ExponentialLR", ExponentialLR.self, "optimizer, gamma, last_epoch=-1",
                "Multiplies the learning rate by gamma every epoch.") { s, ev in
            try wrap(s[0]) { try ExponentialLR($0, gamma: try s[1].asDouble("gamma"), lastEpoch: try s[2].asInt("last_epoch")) }
        }
        declare(ns, base, "CosineAnnealingLR", CosineAnnealingLR.self, "optimizer, T_max, eta_min=0.0, last_epoch=-1",
                "Anneals the learning rate along half a cosine to eta_min over T_max epochs.") { s, ev in
            try wrap(s[0]) { try CosineAnnealingLR($0, tMax: try s[1].asInt("T_max"), etaMin: try schedulerValue(s[2], ev),
                                                   lastEpoch: try s[3].asInt("last_epoch")) }
        }
        declare(ns, base, "CosineAnnealingWarmRestarts", CosineAnnealingWarmRestarts.self,
                "optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1",
                "Cosine annealing with warm restarts every T_i epochs (T_i grows by T_mult).") { s, ev in
            guard case .int(let t0) = s[1], t0 > 0 else { throw PyError(.valueError, "Expected positive integer T_0, but got \(try ev.str(s[1]))") }
            guard case .int(let tMult) = s[2], tMult >= 1 else { throw PyError(.valueError, "Expected integer T_mult >= 1, but got \(try ev.str(s[2]))") }
            return try wrap(s[0]) { try CosineAnnealingWarmRestarts($0, t0: t0, tMult: tMult, etaMin: try schedulerValue(s[3], ev),
                                                                    lastEpoch: try s[4].asInt("last_epoch")) }
        }
        declare(ns, base, "LambdaLR", LambdaLR.self, "optimizer, lr_lambda, last_epoch=-1",
                "Sets the learning rate to the base lr times lr_lambda(epoch).") { s, ev in
            try lambdaScheduler(s, ev, multiplicative: false)
        }
        declare(ns, base, "MultiplicativeLR", MultiplicativeLR.self, "optimizer, lr_lambda, last_epoch=-1",
                "Multiplies the learning rate by lr_lambda(epoch) every epoch.") { s, ev in
            try lambdaScheduler(s, ev, multiplicative: true)
        }
        declare(ns, base, "LinearLR", LinearLR.self,
                "optimizer, start_factor=0.3333333333333333, end_factor=1.0, total_iters=5, last_epoch=-1",
                "Scales the learning rate by a factor moving linearly from start_factor to end_factor.") { s, ev in
            try wrap(s[0]) { try LinearLR($0, startFactor: try s[1].asDouble("start_factor"), endFactor: try s[2].asDouble("end_factor"),
                                          totalIters: try s[3].asInt("total_iters"), lastEpoch: try s[4].asInt("last_epoch")) }
        }
        declare(ns, base, "ConstantLR", ConstantLR.self, "optimizer, factor=0.3333333333333333, total_iters=5, last_epoch=-1",
                "Scales the learning rate by factor until total_iters epochs.") { s, ev in
            try wrap(s[0]) { try ConstantLR($0, factor: try s[1].asDouble("factor"), totalIters: try s[2].asInt("total_iters"),
                                            lastEpoch: try s[3].asInt("last_epoch")) }
        }
        declare(ns, base, "PolynomialLR", PolynomialLR.self, "optimizer, total_iters=5, power=1.0, last_epoch=-1",
                "Decays the learning rate polynomially to zero over total_iters epochs.") { s, ev in
            try wrap(s[0]) { try PolynomialLR($0, totalIters: try s[1].asInt("total_iters"), power: try s[2].asDouble("power"),
                                              lastEpoch: try s[3].asInt("last_epoch")) }
        }
        declare(ns, base, "SequentialLR", SequentialLR.self, "optimizer, schedulers, milestones, last_epoch=-1",
                "Runs schedulers one after another, switching at the milestones.") { s, ev in
            let nested = try schedulerObjects(s[1], ev, owner: "SequentialLR")
            let milestones = try ev.iterate(s[2]).map { try $0.asInt("milestones") }
            let object = try wrap(s[0]) { try SequentialLR($0, schedulers: nested.map(\.scheduler), milestones: milestones,
                                                           lastEpoch: try s[3].asInt("last_epoch")) }
            object.nested = nested
            return object
        }
        declare(ns, base, "ChainedScheduler", ChainedScheduler.self, "schedulers, optimizer=None",
                "Steps several schedulers together every epoch.") { s, ev in
            let nested = try schedulerObjects(s[0], ev, owner: "ChainedScheduler")
            guard let first = nested.first else {
                throw PyError(.valueError, "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.")
            }
            let owner = s[1].isNone ? first.optimizerObject : try optimizerObject(s[1])
            let object = SchedulerObject(try ChainedScheduler(nested.map(\.scheduler), optimizer: owner.optimizer), optimizer: owner)
            object.nested = nested
            return object
        }
        declare(ns, base, "OneCycleLR", OneCycleLR.self,
                "optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3, anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85, max_momentum=0.95, div_factor=25.0, final_div_factor=10000.0, three_phase=False, last_epoch=-1",
                "The 1cycle policy: warm up to max_lr, then anneal far below the start (stepped per batch).") { s, ev in
            var o = OneCycleLR.Options()
            o.totalSteps = try Convert.optionalInt(s[2], "total_steps")
            o.epochs = try Convert.optionalInt(s[3], "epochs")
            o.stepsPerEpoch = try Convert.optionalInt(s[4], "steps_per_epoch")
            guard case .float(let pct) = s[5], pct >= 0, pct <= 1 else {
                throw PyError(.valueError, "Expected float between 0 and 1 pct_start, but got \(try ev.str(s[5]))")
            }
            o.pctStart = pct
            o.annealStrategy = try s[6].asString("anneal_strategy")
            o.cycleMomentum = try ev.truthy(s[7])
            o.baseMomentum = try schedulerValue(s[8], ev)
            o.maxMomentum = try schedulerValue(s[9], ev)
            o.divFactor = try s[10].asDouble("div_factor")
            o.finalDivFactor = try s[11].asDouble("final_div_factor")
            o.threePhase = try ev.truthy(s[12])
            o.lastEpoch = try s[13].asInt("last_epoch")
            let maxLR = try schedulerValue(s[1], ev)
            return try wrap(s[0]) { try OneCycleLR($0, maxLR: maxLR, o) }
        }
        declare(ns, base, "CyclicLR", CyclicLR.self,
                "optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode='triangular', gamma=1.0, scale_fn=None, scale_mode='cycle', cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1",
                "Cycles the learning rate between base_lr and max_lr (stepped per batch).") { s, ev in
            var o = CyclicLR.Options()
            o.stepSizeUp = try s[3].asDouble("step_size_up")
            o.stepSizeDown = try Convert.optionalDouble(s[4], "step_size_down")
            o.mode = try s[5].asString("mode")
            o.gamma = try s[6].asDouble("gamma")
            o.scaleMode = try s[8].asString("scale_mode")
            o.cycleMomentum = try ev.truthy(s[9])
            o.baseMomentum = try schedulerValue(s[10], ev)
            o.maxMomentum = try schedulerValue(s[11], ev)
            o.lastEpoch = try s[12].asInt("last_epoch")
            let scale: CyclicLR.Scale? = s[7].isNone ? nil : { x in try number(try ev.call(s[7], Arguments([.float(x)])), "scale_fn") }
            let baseLR = try schedulerValue(s[1], ev), maxLR = try schedulerValue(s[2], ev)
            return try wrap(s[0]) { try CyclicLR($0, baseLR: baseLR, maxLR: maxLR, scaleFn: scale, o) }
        }
        declare(ns, base, "ReduceLROnPlateau", ReduceLROnPlateau.self,
                "optimizer, mode='min', factor=0.1, patience=10, threshold=0.0001, threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-08",
                "Reduces the learning rate by factor when a metric stops improving for patience epochs.") { s, ev in
            var o = ReduceLROnPlateau.Options()
            o.mode = try s[1].asString("mode")
            o.factor = try s[2].asDouble("factor")
            o.patience = try s[3].asInt("patience")
            o.threshold = try s[4].asDouble("threshold")
            o.thresholdMode = try s[5].asString("threshold_mode")
            o.cooldown = try s[6].asInt("cooldown")
            o.minLR = try schedulerValue(s[7], ev)
            o.eps = try s[8].asDouble("eps")
            guard o.factor < 1.0 else { throw PyError(.valueError, "Factor should be < 1.0.") }
            return try wrap(s[0]) { try ReduceLROnPlateau($0, o) }
        }
        return ns
    }

    /// Declares `lr_scheduler.<name>` with its signature, description and constructor.
    static func declare(_ ns: Namespace, _ base: PyType, _ name: String, _ cls: LRScheduler.Type,
                                _ signature: String, _ doc: String, _ make: @escaping Make) {
        let sig = Signature(signature)
        let type = HostType(name, parent: base, signature: sig, doc: doc, check: { v in
            guard case .object(let o as SchedulerObject) = v else { return false }
            return OptimNamespace.isInstance(o.scheduler, of: cls)
        }, construct: { a, ev in
            .object(try make(try sig.bind(a, "\(name).__init__").values, ev))
        })
        SchedulerSubclassing.allowDeriving(type, sig, make)
        ns[name] = .object(type)
    }

    /// The optimizer object a scheduler is built on; TypeError as PyTorch's for anything else.
    static func optimizerObject(_ v: Value) throws -> OptimizerObject {
        guard case .object(let o as OptimizerObject) = v else { throw PyError(.typeError, "\(v.typeName) is not an Optimizer") }
        return o
    }

    /// Builds a scheduler on the optimizer in `v` and wraps it.
    /// An int, or a float with a whole value (PyTorch's `StepLR(opt, 1.0)` runs: it only takes `%` and `//`).
    private static func wholeNumber(_ v: Value, _ what: String) throws -> Int {
        if case .float(let f) = v, f.rounded() == f, abs(f) < 1e15 { return Int(f) }
        return try v.asInt(what)
    }

    static func wrap(_ v: Value, _ build: (Optimizer) throws -> LRScheduler) throws -> SchedulerObject {
        let owner = try optimizerObject(v)
        return SchedulerObject(try build(owner.optimizer), optimizer: owner)
    }

    /// LambdaLR / MultiplicativeLR: one script callable (or a list, one per group).
    private static func lambdaScheduler(_ s: [Value], _ ev: Evaluator, multiplicative: Bool) throws -> SchedulerObject {
        let owner = try optimizerObject(s[0])
        let kind = ev.builtinKind(s[1])
        let callables = kind == .list || kind == .tuple ? try ev.iterate(s[1]) : [s[1]]
        let groups = owner.optimizer.paramGroups.count
        if kind == .list || kind == .tuple, callables.count != groups {
            throw PyError(.valueError, "Expected \(groups) lr_lambdas, but got \(callables.count)")
        }
        let all = callables.count == 1 ? Array(repeating: callables[0], count: groups) : callables
        let lambdas: [LambdaScheduler.Factor] = all.map { f in
            { epoch in try number(try ev.call(f, Arguments([.int(epoch)])), "lr_lambda") }
        }
        let lastEpoch = try s[2].asInt("last_epoch")
        let scheduler = multiplicative
            ? try MultiplicativeLR(owner.optimizer, lambdas: lambdas, lastEpoch: lastEpoch)
            : try LambdaLR(owner.optimizer, lambdas: lambdas, lastEpoch: lastEpoch)
        let object = SchedulerObject(scheduler, optimizer: owner)
        object.extras.append(("lr_lambdas", ev.makeList(all)))
        return object
    }

    /// The scheduler objects of a SequentialLR / ChainedScheduler.
    private static func schedulerObjects(_ v: Value, _ ev: Evaluator, owner: String) throws -> [SchedulerObject] {
        try ev.iterate(v).enumerated().map { i, item in
            guard case .object(let o as SchedulerObject) = item else {
                throw PyError(.typeError, "\(owner) at index \(i) should have `optimizer` as its attribute.")
            }
            return o
        }
    }

    /// A number returned by a script callable (a one-element tensor counts).
    static func number(_ v: Value, _ what: String) throws -> Double { try v.asDouble(what) }

    // MARK: Values

    /// A script value as a scheduler attribute.
    static func schedulerValue(_ v: Value, _ ev: Evaluator) throws -> SchedulerValue {
        switch v {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d): return .double(d)
        case .str(let s): return .string(s)
        case .tensor(let t) where t.numel == 1: return .double(try t.item().doubleValue)
        default:
            if let items = ev.sequenceItems(v) {
                let converted = try items.map { try schedulerValue($0, ev) }
                return ev.builtinKind(v) == .tuple ? .tuple(converted) : .list(converted)
            }
            if let pairs = ev.mappingItems(v) {
                if pairs.allSatisfy({ if case .int = $0.0, case .int = $0.1 { return true } else { return false } }), !pairs.isEmpty {
                    return .counter(try pairs.map { (try $0.0.asInt(), try $0.1.asInt()) })
                }
                return .dict(try pairs.map { (try $0.0.asString("state_dict key"), try schedulerValue($0.1, ev)) })
            }
            throw PyError(.typeError, "unsupported scheduler attribute value: \(v.typeName)")
        }
    }

    /// A scheduler attribute as a script value.
    static func value(_ s: SchedulerValue, _ ev: Evaluator) -> Value {
        switch s {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .string(let str): return .str(str)
        case .list(let items): return ev.makeList(items.map { value($0, ev) })
        case .tuple(let items): return ev.makeTuple(items.map { value($0, ev) })
        case .dict(let pairs): return ev.makeDict(pairs.map { (.str($0.0), value($0.1, ev)) }, ordered: false)
        case .counter(let counts): return counter(ev.makeDict(counts.map { (.int($0.0), .int($0.1)) }, ordered: false), ev)
        }
    }

    /// `collections.Counter(dict)`, what PyTorch keeps as `MultiStepLR.milestones`.
    private static func counter(_ dict: Value, _ ev: Evaluator) -> Value {
        guard let collections = PythonStdlib.module("collections", ev),
              let type = try? ev.getAttribute(collections, "Counter"),
              let made = try? ev.call(type, Arguments([dict])) else { return dict }
        return made
    }
}

/// A `torch.optim.lr_scheduler` scheduler as a script object: `step()`, `get_last_lr()`,
/// `get_lr()`, `state_dict()` / `load_state_dict()`, `optimizer`, and every attribute PyTorch
/// keeps (`last_epoch`, `base_lrs`, `T_max` …), readable and assignable.
final class SchedulerObject: PyObject {
    let scheduler: LRScheduler
    let optimizerObject: OptimizerObject
    /// The scheduler objects a SequentialLR / ChainedScheduler drives (`_schedulers`).
    var nested: [SchedulerObject] = []
    /// Attributes holding script values (`lr_lambdas`, or anything a script assigns).
    var extras: [(String, Value)] = []

    init(_ scheduler: LRScheduler, optimizer: OptimizerObject) {
        self.scheduler = scheduler
        self.optimizerObject = optimizer
    }

    override var typeName: String { scheduler.typeName }
    override func repr(_ ev: Evaluator) throws -> String {
        "<torch.optim.lr_scheduler.\(scheduler.typeName) object at 0x\(String(UInt(bitPattern: ObjectIdentifier(self).hashValue), radix: 16))>"
    }

    private var methods: [String] {
        ["get_last_lr", "get_lr", "load_state_dict", "state_dict", "step"]
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        let s = scheduler
        switch name {
        case "optimizer": return .object(optimizerObject)
        case "step": return method(name) { a, ev in try self.step(a, ev) }
        case "get_last_lr":
            return method(name) { a, ev in
                _ = try Signature("").bind(a, "get_last_lr")
                return SchedulerBindings.value(s.getLastLR(), ev)
            }
        case "get_lr":
            return method(name) { a, ev in
                _ = try Signature("").bind(a, "get_lr")
                return ev.makeList(try s.getLRFromScript().map { SchedulerBindings.value($0, ev) })
            }
        case "state_dict":
            return method(name) { a, ev in
                _ = try Signature("").bind(a, "state_dict")
                return ev.makeDict(s.stateDict().map { (.str($0.0), SchedulerBindings.value($0.1, ev)) }, ordered: false)
            }
        case "load_state_dict":
            return method(name) { a, ev in
                let sd = try Signature("state_dict").bind(a, "load_state_dict")[0]
                guard let pairs = ev.mappingItems(sd) else { throw PyError(.typeError, "state_dict must be a dict, not \(sd.typeName)") }
                try s.loadStateDict(try pairs.map { (try $0.0.asString("state_dict key"), try SchedulerBindings.schedulerValue($0.1, ev)) })
                return .none
            }
        case "_schedulers" where !nested.isEmpty: return ev.makeList(nested.map { .object($0) })
        case "in_cooldown": if let p = s as? ReduceLROnPlateau { return .bool(p.inCooldown) }
        case "is_better":
            if let p = s as? ReduceLROnPlateau {
                return method(name) { a, _ in
                    let b = try Signature("a, best").bind(a, "is_better")
                    return .bool(try p.isBetter(try b[0].asDouble("a"), try b[1].asDouble("best")))
                }
            }
        default: break
        }
        if let extra = extras.last(where: { $0.0 == name }) { return extra.1 }
        return s.attributes[name].map { SchedulerBindings.value($0, ev) }
    }

    private func step(_ a: Arguments, _ ev: Evaluator) throws -> Value {
        try SchedulerObject.step(scheduler, nested: !nested.isEmpty, a, ev)
    }

    /// `step(epoch=None)`, or ReduceLROnPlateau's `step(metrics, epoch=None)`; SequentialLR and
    /// ChainedScheduler (`nested`) take no argument.
    static func step(_ scheduler: LRScheduler, nested: Bool, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        let name = "\(scheduler.typeName).step"
        if let plateau = scheduler as? ReduceLROnPlateau {
            let b = try Signature("metrics, epoch=None").bind(a, name)
            let epoch = b[1].isNone ? nil : try SchedulerBindings.schedulerValue(b[1], ev)
            try plateau.step(metrics: try b[0].asDouble("metrics"), epoch: epoch)
        } else if nested {
            _ = try Signature("").bind(a, name)
            try scheduler.step(epoch: nil)
        } else {
            let b = try Signature("epoch=None").bind(a, name)
            try scheduler.step(epoch: b[0].isNone ? nil : try SchedulerBindings.schedulerValue(b[0], ev))
        }
        return .none
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        if let converted = try? SchedulerBindings.schedulerValue(value, ev), extras.allSatisfy({ $0.0 != name }) {
            scheduler.attributes[name] = converted
        } else {
            extras.removeAll { $0.0 == name }
            extras.append((name, value))
        }
    }

    override func attributeNames() -> [String] {
        (methods + ["optimizer"] + scheduler.attributes.keys + extras.map(\.0)).sorted()
    }
}
