import NNLang
import NeuralNet

/// Script classes deriving from the LR schedulers (`class Warmup(LRScheduler)` with its own
/// `get_lr`, `class MyStep(StepLR)`), as PyTorch's pure-Python schedulers allow.
///
/// As in PyTorch, the instance's `__dict__` holds every attribute (`optimizer`, `base_lrs`,
/// `last_epoch`, the script's own), so `state_dict()` is `__dict__` without `optimizer`. The
/// host's `__init__` builds the NeuralNet scheduler of the class behind the instance; each host
/// method first copies the attributes that scheduler knows from the instance (the script may
/// have changed them), runs, and copies them back. The script's `get_lr`, when it defines one,
/// replaces the scheduler's own in every step (the constructor's first step too).
enum SchedulerSubclassing {
    /// Lets scripts derive from `type`, whose `__init__` takes `signature` and builds with `make`.
    static func allowDeriving(_ type: HostType, _ signature: Signature, _ make: @escaping SchedulerBindings.Make) {
        let typeName = type.name
        type.module = "torch.optim.lr_scheduler"
        type.instanceMembers = { name, instance, ev in
            guard case .object(let owner) = instance else { return nil }
            if name == "__init__" {
                return method(name) { a, ev in
                    try ScriptScheduler.build(owner, signature, try signature.bind(a, "\(typeName).__init__"), make, ev)
                    return .none
                }
            }
            return try ScriptScheduler.of(owner)?.member(name, ev)
        }
    }
}

/// The NeuralNet scheduler behind one script scheduler instance, and the copying of attributes
/// between the two.
final class ScriptScheduler: LRSchedulerScript {
    /// The script instance (weak: the registry must not keep it alive).
    private weak var owner: PyObject?
    /// Set at the scheduler's first step, inside its constructor.
    private var scheduler: LRScheduler?
    /// The optimizer argument, stored as `self.optimizer` just before `base_lrs` (PyTorch's order).
    private let optimizer: Value
    private var optimizerStored = false
    /// Script-valued attributes of the built scheduler (LambdaLR's `lr_lambdas`).
    private var extras: [(String, Value)] = []

    /// The scheduler of each live script instance, by object identity.
    nonisolated(unsafe) private static var registry: [ObjectIdentifier: ScriptScheduler] = [:]

    private init(owner: PyObject, optimizer: Value) {
        self.owner = owner
        self.optimizer = optimizer
    }

    /// The scheduler behind `owner`, nil before its `__init__` ran.
    static func of(_ owner: PyObject) -> ScriptScheduler? {
        guard let s = registry[ObjectIdentifier(owner)], s.owner === owner, s.scheduler != nil else { return nil }
        return s
    }

    /// `Base.__init__(self, …)`: builds the scheduler (running the script's `get_lr` for its first
    /// step) and stores its attributes in the instance.
    static func build(_ owner: PyObject, _ signature: Signature, _ bound: Bound, _ make: SchedulerBindings.Make,
                      _ ev: Evaluator) throws {
        let optimizerIndex = signature.names.firstIndex(of: "optimizer")
        let state = ScriptScheduler(owner: owner, optimizer: optimizerIndex.map { bound.values[$0] } ?? .none)
        registry = registry.filter { $0.value.owner != nil }
        registry[ObjectIdentifier(owner)] = state
        state.evaluator = ev
        let object = try LRScheduler.building(for: state) { try make(bound.values, ev) }
        state.scheduler = object.scheduler
        state.extras = object.extras
        try state.store(ev)
    }

    /// The evaluator that built the scheduler, for the calls the scheduler makes back into the script.
    private weak var evaluator: Evaluator?

    /// The script class's own method `name` (bound to the instance), nil when only the host has it.
    private func scriptMethod(_ name: String, _ ev: Evaluator) throws -> Value? {
        guard let owner, let m = try owner.getAttribute(name, ev) else { return nil }
        if case .object(let o) = m, o is NativeFunction { return nil }
        return m
    }

    /// Calls the script's `name()` with the instance up to date before and the scheduler after.
    private func callScript(_ name: String, _ scheduler: LRScheduler) throws -> Value? {
        guard let ev = evaluator else { return nil }
        self.scheduler = scheduler
        guard let m = try scriptMethod(name, ev) else { return nil }
        try store(ev)
        let result = try ev.call(m, Arguments([]))
        try load(ev)
        return result
    }

    func step(_ scheduler: LRScheduler) throws -> Bool { try callScript("step", scheduler) != nil }

    func getLR(_ scheduler: LRScheduler) throws -> [SchedulerValue]? {
        guard let ev = evaluator, let result = try callScript("get_lr", scheduler) else { return nil }
        return try ev.iterate(result).map { try SchedulerBindings.schedulerValue($0, ev) }
    }

    /// The host's member `name` bound to the instance, nil for names the host does not define.
    func member(_ name: String, _ ev: Evaluator) throws -> Value? {
        guard let scheduler else { return nil }
        switch name {
        case "step":
            return synced(name) { a, ev in try SchedulerObject.step(scheduler, nested: scheduler.nestedSchedulers != nil, a, ev) }
        case "get_last_lr":
            return synced(name) { a, ev in
                _ = try Signature("").bind(a, name)
                return SchedulerBindings.value(scheduler.getLastLR(), ev)
            }
        case "get_lr":
            return synced(name) { a, ev in
                _ = try Signature("").bind(a, name)
                return ev.makeList(try scheduler.getLRFromScript().map { SchedulerBindings.value($0, ev) })
            }
        case "state_dict":
            return method(name) { [weak self] a, ev in
                _ = try Signature("").bind(a, name)
                guard let owner = self?.owner, let dict = try owner.getAttribute("__dict__", ev),
                      let items = ev.mappingItems(dict) else { return ev.makeDict([], ordered: false) }
                return ev.makeDict(items.filter { if case .str("optimizer") = $0.0 { return false } else { return true } }, ordered: false)
            }
        case "load_state_dict":
            return method(name) { [weak self] a, ev in
                let sd = try Signature("state_dict").bind(a, name)[0]
                guard let pairs = ev.mappingItems(sd) else { throw PyError(.typeError, "state_dict must be a dict, not \(sd.typeName)") }
                guard let owner = self?.owner else { return .none }
                for (k, v) in pairs { try owner.setAttribute(try k.asString("attribute name"), v, ev) }
                return .none
            }
        default: return nil
        }
    }

    /// A host method that reads the instance's attributes into the scheduler before it runs and
    /// writes them back after.
    private func synced(_ name: String, _ body: @escaping NativeFunction.Body) -> Value {
        method(name) { [weak self] a, ev in
            guard let self else { return .none }
            try self.load(ev)
            let result = try body(a, ev)
            try self.store(ev)
            return result
        }
    }

    /// Instance → scheduler: every attribute the scheduler keeps, where the instance's value is
    /// one a scheduler can hold.
    private func load(_ ev: Evaluator) throws {
        guard let owner, let scheduler else { return }
        for key in scheduler.attributes.keys {
            guard let v = try? owner.getAttribute(key, ev), let converted = try? SchedulerBindings.schedulerValue(v, ev) else { continue }
            scheduler.attributes[key] = converted
        }
    }

    /// Scheduler → instance: its attributes in its order, `optimizer` just before `base_lrs`.
    private func store(_ ev: Evaluator) throws {
        guard let owner, let scheduler else { return }
        for (key, v) in scheduler.attributes.items.map({ ($0.key, $0.value) }) {
            if key == "base_lrs", !optimizerStored {
                try owner.setAttribute("optimizer", optimizer, ev)
                optimizerStored = true
            }
            try owner.setAttribute(key, SchedulerBindings.value(v, ev), ev)
        }
        for (key, v) in extras { try owner.setAttribute(key, v, ev) }
        extras = []
    }
}
