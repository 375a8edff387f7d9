import Foundation
import TensorRuntime

/// A scheduler attribute as Python holds it (`last_epoch` an int, `base_lrs` a list of floats,
/// `milestones` a Counter, `_schedulers` a list of state dicts), so `state_dict()` prints and
/// round-trips as PyTorch's `__dict__` does.
public indirect enum SchedulerValue {
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([SchedulerValue])
    case tuple([SchedulerValue])
    /// A dict with string keys (`_schedule_phases` entries, nested state dicts).
    case dict([(String, SchedulerValue)])
    /// `collections.Counter` of ints (MultiStepLR's `milestones`), in insertion order.
    case counter([(Int, Int)])

    /// A param-group option as a scheduler value (tuples stay tuples).
    public init(_ option: OptionValue?) {
        switch option {
        case .int(let i)?: self = .int(i)
        case .double(let d)?: self = .double(d)
        case .bool(let b)?: self = .bool(b)
        case .string(let s)?: self = .string(s)
        case .tuple(let items)?: self = .tuple(items.map { SchedulerValue($0) })
        case .none?, nil: self = .none
        }
    }

    /// The value as a param-group option (lists become tuples), nil for dicts and Counters.
    public var option: OptionValue? {
        switch self {
        case .none: return OptionValue.none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .list(let items), .tuple(let items):
            let converted = items.compactMap(\.option)
            return converted.count == items.count ? .tuple(converted) : nil
        case .dict, .counter: return nil
        }
    }

    /// The value as a Python number (bools count), nil otherwise.
    public var number: Double? { option?.number }

    /// The items of a list or tuple, nil otherwise.
    public var items: [SchedulerValue]? {
        switch self {
        case .list(let v), .tuple(let v): return v
        default: return nil
        }
    }
}

/// Python's `%` on ints (the result takes the divisor's sign), ZeroDivisionError on 0.
func pythonModulo(_ a: Int, _ b: Int) throws -> Int {
    guard b != 0 else { throw TorchError(.zeroDivisionError, "integer modulo by zero") }
    let r = a % b
    return r != 0 && (r < 0) != (b < 0) ? r + b : r
}

/// Python's `//` on ints (rounds toward negative infinity), ZeroDivisionError on 0.
func pythonFloorDivide(_ a: Int, _ b: Int) throws -> Int {
    guard b != 0 else { throw TorchError(.zeroDivisionError, "integer division or modulo by zero") }
    let q = a / b
    return (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q
}

/// A script class deriving from a scheduler: its own `step()` and `get_lr()`, when it defines
/// them, which the built-in scheduler calls where PyTorch's `self.step()` / `self.get_lr()` would.
public protocol LRSchedulerScript: AnyObject {
    /// Runs the script's `step()`; false when the script class does not define one.
    func step(_ scheduler: LRScheduler) throws -> Bool
    /// The script's `get_lr()`, nil when the script class does not define one.
    func getLR(_ scheduler: LRScheduler) throws -> [SchedulerValue]?
}

/// `torch.optim.lr_scheduler.LRScheduler`: PyTorch's base class, step for step. Every attribute
/// a PyTorch scheduler keeps in its `__dict__` is an entry of `attributes`, in the same order,
/// so `state_dict()` is `attributes` (as PyTorch's is `__dict__` minus `optimizer`) and
/// `load_state_dict()` updates it. Subclasses compute `getLR()` (PyTorch's chainable form) and,
/// where PyTorch has one, `closedFormLR()` (used when `step(epoch)` is given an epoch).
open class LRScheduler {
    public let optimizer: Optimizer
    /// PyTorch's `__dict__` without `optimizer` (and without callables such as `lr_lambdas`).
    public var attributes = OrderedDict<String, SchedulerValue>()

    /// The script subclass this scheduler is the built-in part of (`class Warmup(LRScheduler)`),
    /// whose methods replace the class's own; weak, the script side owns the scheduler.
    public private(set) weak var script: LRSchedulerScript?

    /// The `script` of the scheduler being built by `building(for:_:)`.
    nonisolated(unsafe) private static var pendingScript: LRSchedulerScript?

    public init(optimizer: Optimizer) {
        self.optimizer = optimizer
        script = LRScheduler.pendingScript
        LRScheduler.pendingScript = nil
    }

    /// Builds a scheduler (in `body`) as the built-in part of `script`. It has to be in place
    /// before the constructor returns: PyTorch's `__init__` already steps once, through the
    /// subclass's `step` and `get_lr`.
    public static func building<T>(for script: LRSchedulerScript, _ body: () throws -> T) rethrows -> T {
        pendingScript = script
        defer { pendingScript = nil }
        return try body()
    }

    /// The class name (`StepLR`).
    open var typeName: String {
        let full = String(describing: type(of: self))
        return full.split(separator: ".").last.map(String.init) ?? full
    }

    /// The rest of `LRScheduler.__init__`, run after a subclass has set its own attributes:
    /// records `initial_lr`, `base_lrs` and `last_epoch`, starts tracking `optimizer.step()`
    /// calls and performs the initial step.
    public func start(lastEpoch: Int) throws {
        if lastEpoch == -1 {
            for g in optimizer.paramGroups where !g.options.contains("initial_lr") {
                g.options["initial_lr"] = g.options["lr"] ?? OptionValue.none
            }
        } else {
            for (i, g) in optimizer.paramGroups.enumerated() where !g.options.contains("initial_lr") {
                throw TorchError(.keyError, "param 'initial_lr' is not specified in param_groups[\(i)] when resuming scheduler with last_epoch >= 0.\nThis typically happens when:\n1. You're trying to resume training from a checkpoint but haven't properly loaded the optimizer state\n2. You're using last_epoch >= 0 for a fresh training run (not recommended)")
            }
        }
        attributes["base_lrs"] = .list(optimizer.paramGroups.map { SchedulerValue($0.options["initial_lr"]) })
        attributes["last_epoch"] = .int(lastEpoch)
        optimizer.trackStepCalls()
        try initialStep()
    }

    /// `_initial_step()`: `_step_count = 0`, then one step in initial mode.
    public func initialStep() throws {
        attributes["_step_count"] = .int(0)
        attributes["_is_initial"] = .bool(true)
        defer { attributes["_is_initial"] = .bool(false) }
        if let script, try script.step(self) { return }
        try step(epoch: nil)
    }

    // MARK: Attributes

    /// An int attribute (a float one is truncated as `int()` would).
    public func int(_ key: String) throws -> Int {
        switch attributes[key] {
        case .int(let i)?: return i
        case .bool(let b)?: return b ? 1 : 0
        case .double(let d)? where d.isFinite && Swift.abs(d) < 9e18: return Int(d)
        default: throw TorchError(.attributeError, "'\(typeName)' object has no int attribute '\(key)'")
        }
    }

    /// A numeric attribute.
    public func number(_ key: String) throws -> Double {
        guard let d = attributes[key]?.number else {
            throw TorchError(.attributeError, "'\(typeName)' object has no numeric attribute '\(key)'")
        }
        return d
    }

    /// A list-of-numbers attribute (`base_lrs`, `max_lrs`).
    public func numbers(_ key: String) throws -> [Double] {
        guard let items = attributes[key]?.items else {
            throw TorchError(.attributeError, "'\(typeName)' object has no list attribute '\(key)'")
        }
        return try items.map { v in
            guard let d = v.number else { throw TorchError.type("unsupported operand type(s) in '\(key)'") }
            return d
        }
    }

    public func flag(_ key: String) -> Bool {
        if case .bool(true)? = attributes[key] { return true }
        return false
    }

    public var lastEpoch: Int {
        get { (try? int("last_epoch")) ?? 0 }
        set { attributes["last_epoch"] = .int(newValue) }
    }

    public var stepCount: Int { (try? int("_step_count")) ?? 0 }
    public var isInitial: Bool { flag("_is_initial") }

    /// `base_lrs` as numbers.
    public var baseLRs: [Double] { (try? numbers("base_lrs")) ?? [] }

    /// `get_last_lr()`: the group learning rates the last step left.
    public func getLastLR() -> SchedulerValue { attributes["_last_lr"] ?? .list([]) }

    /// `get_last_lr()` as numbers.
    public var lastLRs: [Double] { (attributes["_last_lr"]?.items ?? []).compactMap(\.number) }

    /// `step()`.
    public func step() throws { try step(epoch: nil) }

    /// `_param_groups_val_list(optimizer, key)`: each group's value as it is stored.
    public func groupValues(_ key: String) -> [SchedulerValue] {
        optimizer.paramGroups.map { SchedulerValue($0.options[key]) }
    }

    /// Each group's learning rate as a number.
    public func groupLRs() throws -> [Double] { try optimizer.paramGroups.map { try $0.number("lr") } }

    /// `[group['lr'] * factor for group in param_groups]`.
    func scaledGroupLRs(_ factor: Double) throws -> [SchedulerValue] {
        try groupLRs().map { .double($0 * factor) }
    }

    // MARK: Stepping

    /// `get_lr()`: the chainable form; subclasses override.
    open func getLR() throws -> [SchedulerValue] {
        throw TorchError(.notImplementedError, "")
    }

    /// `_get_closed_form_lr()`, nil for schedulers without one.
    open func closedFormLR() throws -> [SchedulerValue]? { nil }

    /// `step(epoch=None)` with PyTorch's warnings (scheduler stepped before the optimizer; the
    /// deprecated `epoch` argument).
    open func step(epoch: SchedulerValue?) throws {
        if stepCount == 1 && !optimizer.stepCalledSinceTracking {
            NNWarnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first value of the learning rate schedule. See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate")
        }
        attributes["_step_count"] = .int(stepCount + 1)
        if epoch != nil { NNWarnings.warn(LRScheduler.epochDeprecation) }
        try updateLR(epoch: epoch)
    }

    static let epochDeprecation = "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from None, the closed form is used instead of the new chainable form, where available. Please open an issue if you are unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose."

    /// `_update_lr(epoch)`: computes the new rates (chainable form, or the closed form at a given
    /// epoch), writes them into the groups and records `_last_lr`.
    public func updateLR(epoch: SchedulerValue?) throws {
        let values: [SchedulerValue]
        do {
            attributes["_get_lr_called_within_step"] = .bool(true)
            defer { attributes["_get_lr_called_within_step"] = .bool(false) }
            if let epoch {
                attributes["last_epoch"] = epoch
                values = try closedFormLR() ?? currentGetLR()
            } else {
                lastEpoch += 1
                values = try currentGetLR()
            }
        }
        try setGroupLRs(values)
    }

    /// Writes one learning rate per group (zip(strict=True)) and records `_last_lr`.
    public func setGroupLRs(_ values: [SchedulerValue]) throws {
        let groups = optimizer.paramGroups
        guard values.count == groups.count else {
            throw TorchError.value("zip() argument 2 is \(values.count < groups.count ? "shorter" : "longer") than argument 1")
        }
        for (g, v) in zip(groups, values) { g.options["lr"] = v.option ?? OptionValue.none }
        attributes["_last_lr"] = .list(groupValues("lr"))
    }

    /// `self.get_lr()` as `step()` calls it: a script subclass's, else the class's own.
    func currentGetLR() throws -> [SchedulerValue] {
        if let script, let values = try script.getLR(self) { return values }
        return try getLR()
    }

    /// `get_lr()` called by a script: warns outside `step()` as PyTorch does.
    public func getLRFromScript() throws -> [SchedulerValue] {
        if !flag("_get_lr_called_within_step") {
            NNWarnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.")
        }
        return try getLR()
    }

    /// The schedulers a SequentialLR / ChainedScheduler holds (`_schedulers`), nil for others.
    open var nestedSchedulers: [LRScheduler]? { nil }

    // MARK: State

    /// `state_dict()`: the attributes in `__dict__` order.
    open func stateDict() -> [(String, SchedulerValue)] { attributes.items.map { ($0.key, $0.value) } }

    /// `load_state_dict(state_dict)`: `__dict__.update(state_dict)`.
    open func loadStateDict(_ entries: [(String, SchedulerValue)]) throws {
        for (k, v) in entries { attributes[k] = v }
    }

    /// `_format_param(name, optimizer, param)`: one value per param group.
    func perGroup(_ name: String, _ value: SchedulerValue) throws -> [SchedulerValue] {
        let n = optimizer.paramGroups.count
        if let items = value.items {
            guard items.count == n else {
                throw TorchError.value("\(name) must have the same length as optimizer.param_groups. \(name) has \(items.count) values, param_groups has \(n).")
            }
            return items
        }
        return Array(repeating: value, count: n)
    }
}
