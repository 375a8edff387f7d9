import TensorRuntime

/// A param-group option value (`lr`, `betas`, `foreach` …), kept as the script gave it so that
/// `0` prints `0` and `1e-3` prints `0.001`, as in PyTorch.
public typealias OptionValue = HyperValue

extension HyperValue {
    /// Python's `str(value)` (strings unquoted), as `Optimizer.__repr__` formats options.
    public var pythonStr: String {
        if case .string(let s) = self { return s }
        return description
    }

    /// The value as a number (ints, floats and bools), nil otherwise.
    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }
}

/// One entry of `optimizer.param_groups`: its parameters and its options, in dict order. A class,
/// so `param_groups[0]['lr'] = 0.01` from a script edits the live group.
public final class ParamGroup {
    public var params: [Tensor]
    public var options: OrderedDict<String, OptionValue>

    public init(params: [Tensor], options: OrderedDict<String, OptionValue>) {
        self.params = params
        self.options = options
    }

    /// A numeric option, with a TypeError if a script stored something else.
    public func number(_ key: String) throws -> Double {
        guard let v = options[key] else { throw TorchError(.keyError, key) }
        guard let d = v.number else {
            throw TorchError.type("param group option '\(key)' must be a number, got \(v)")
        }
        return d
    }

    /// A boolean option (None counts as False).
    public func flag(_ key: String) -> Bool {
        if case .bool(true)? = options[key] { return true }
        return false
    }

    /// A pair of numbers (`betas`).
    public func pair(_ key: String) throws -> (Double, Double) {
        guard case .tuple(let items)? = options[key], items.count == 2, let a = items[0].number, let b = items[1].number else {
            throw TorchError.type("param group option '\(key)' must be a pair of numbers")
        }
        return (a, b)
    }
}

/// A param group as given to an optimizer: `{'params': …, 'lr': …}`; options not given are filled
/// from the optimizer's defaults.
public struct ParamGroupSpec {
    public var params: [Tensor]
    public var options: [(String, OptionValue)]

    public init(params: [Tensor], options: [(String, OptionValue)] = []) {
        self.params = params
        self.options = options
    }
}

/// Per-parameter optimizer state (`optimizer.state[p]`): `step`, `exp_avg`, `momentum_buffer` ….
public final class ParamState {
    public var entries = OrderedDict<String, Tensor>()
    public init() {}
}

/// `optimizer.state_dict()`: state indexed by parameter number (numbered across groups in
/// order), and param groups whose `params` are those numbers.
public struct OptimizerStateDict {
    public var state: [(index: Int, entries: [(String, Tensor)])]
    public var paramGroups: [(options: [(String, OptionValue)], params: [Int])]

    public init(state: [(index: Int, entries: [(String, Tensor)])], paramGroups: [(options: [(String, OptionValue)], params: [Int])]) {
        self.state = state
        self.paramGroups = paramGroups
    }
}

/// `torch.optim.Optimizer`: param groups with defaults, per-parameter state, `zero_grad`, `step`,
/// `add_param_group`, `state_dict`/`load_state_dict`, and PyTorch's repr. Subclasses implement
/// `update(group:)` as one fused pass over each parameter's raw buffer.
open class Optimizer: CustomStringConvertible {
    public private(set) var paramGroups: [ParamGroup] = []
    /// The constructor's options, in PyTorch's `defaults` order.
    public let defaults: OrderedDict<String, OptionValue>
    /// `optimizer.state`, keyed by parameter identity; `stateOrder` keeps first-use order.
    public private(set) var state: [ObjectIdentifier: ParamState] = [:]
    private var stateOrder: [ObjectIdentifier] = []
    /// Whether a scheduler watches `step()` (PyTorch wraps `optimizer.step` once, for the first
    /// scheduler attached) and whether `step()` ran since (`_opt_called`): schedulers warn when
    /// they are stepped first.
    public private(set) var stepCallsTracked = false
    public internal(set) var stepCalledSinceTracking = false

    /// Starts tracking `step()` calls (a no-op when a scheduler already did).
    public func trackStepCalls() { stepCallsTracked = true }

    /// - Parameters:
    ///   - groups: one spec per param group (a plain parameter list is one group).
    ///   - defaults: every option with its default, in PyTorch's order.
    public init(groups: [ParamGroupSpec], defaults: OrderedDict<String, OptionValue>) throws {
        self.defaults = defaults
        guard !groups.isEmpty, !(groups.count == 1 && groups[0].params.isEmpty && groups[0].options.isEmpty) else {
            throw TorchError.value("optimizer got an empty parameter list")
        }
        for g in groups { try addParamGroup(g) }
    }

    /// The class name (`SGD`, `Adam`).
    open var typeName: String {
        let full = String(describing: type(of: self))
        return full.split(separator: ".").last.map(String.init) ?? full
    }

    /// `add_param_group(param_group)` with PyTorch's checks.
    public func addParamGroup(_ spec: ParamGroupSpec) throws {
        for p in spec.params where !(p.isLeaf || p.retainsGrad) {
            throw TorchError.value("can't optimize a non-leaf Tensor")
        }
        var options = OrderedDict<String, OptionValue>()
        for (k, v) in spec.options where k != "params" { options[k] = v }
        for (k, v) in defaults.items where !options.contains(k) { options[k] = v }
        try validate(options)
        if Set(spec.params.map(ObjectIdentifier.init)).count != spec.params.count {
            NNWarnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information")
        }
        let existing = Set(paramGroups.flatMap { $0.params.map(ObjectIdentifier.init) })
        if spec.params.contains(where: { existing.contains(ObjectIdentifier($0)) }) {
            throw TorchError.value("some parameters appear in more than one parameter group")
        }
        paramGroups.append(ParamGroup(params: spec.params, options: options))
    }

    /// Checks a group's options (learning rate etc.) with the subclass's messages.
    open func validate(_ options: OrderedDict<String, OptionValue>) throws {
        if let lr = options["lr"]?.number, lr < 0 {
            throw TorchError.value("Invalid learning rate: \(options["lr"]!.pythonStr)")
        }
    }

    /// `zero_grad(set_to_none=True)`.
    public func zeroGrad(setToNone: Bool = true) {
        clearGradients(of: paramGroups.flatMap(\.params), setToNone: setToNone)
    }

    /// `step()`: updates every parameter that has a gradient, under no_grad.
    public func step() throws {
        if stepCallsTracked { stepCalledSinceTracking = true }
        try GradMode.withNoGrad {
            for group in paramGroups { try update(group: group) }
        }
    }

    /// One group's update; subclasses override.
    open func update(group: ParamGroup) throws {}

    /// The state of `p`, created empty on first use.
    public func state(for p: Tensor) -> ParamState {
        let id = ObjectIdentifier(p)
        if let s = state[id] { return s }
        let s = ParamState()
        state[id] = s
        stateOrder.append(id)
        return s
    }

    /// `repr(optimizer)`: `SGD (\nParameter Group 0\n    dampening: 0\n …)`, keys sorted.
    public var description: String {
        var s = typeName + " ("
        for (i, group) in paramGroups.enumerated() {
            s += "\nParameter Group \(i)\n"
            for key in group.options.keys.sorted() where key != "params" {
                s += "    \(key): \(group.options[key]?.pythonStr ?? "None")\n"
            }
        }
        return s + ")"
    }

    /// `state_dict()`: PyTorch's packed structure.
    public func stateDict() -> OptimizerStateDict {
        var index: [ObjectIdentifier: Int] = [:]
        var groups: [(options: [(String, OptionValue)], params: [Int])] = []
        var next = 0
        for g in paramGroups {
            var ids: [Int] = []
            for p in g.params {
                let id = ObjectIdentifier(p)
                if index[id] == nil { index[id] = next; next += 1 }
                ids.append(index[id]!)
            }
            groups.append((g.options.items.map { ($0.key, $0.value) }, ids))
        }
        let packed = stateOrder.compactMap { id -> (index: Int, entries: [(String, Tensor)])? in
            guard let i = index[id], let s = state[id] else { return nil }
            return (i, s.entries.items.map { ($0.key, $0.value) })
        }
        return OptimizerStateDict(state: packed, paramGroups: groups)
    }

    /// `load_state_dict(state_dict)`: group counts and sizes must match; state tensors are cloned
    /// (converted to the parameter's dtype, except `step`), options replace the groups' options.
    public func loadStateDict(_ dict: OptimizerStateDict) throws {
        guard dict.paramGroups.count == paramGroups.count else {
            throw TorchError.value("loaded state dict has a different number of parameter groups")
        }
        for (saved, group) in zip(dict.paramGroups, paramGroups) where saved.params.count != group.params.count {
            throw TorchError.value("loaded state dict contains a parameter group that doesn't match the size of optimizer's group")
        }
        var byIndex: [Int: Tensor] = [:]
        for (saved, group) in zip(dict.paramGroups, paramGroups) {
            for (i, p) in zip(saved.params, group.params) { byIndex[i] = p }
        }
        var newState: [(ObjectIdentifier, ParamState)] = []
        for (i, entries) in dict.state {
            guard let p = byIndex[i] else { continue }
            let s = ParamState()
            for (k, v) in entries {
                let converted = k == "step" || !p.dtype.isFloatingPoint ? v : try v.converted(to: p.dtype)
                s.entries[k] = try converted.detached().cloned()
            }
            newState.append((ObjectIdentifier(p), s))
        }
        state = [:]
        stateOrder = []
        for (id, s) in newState { state[id] = s; stateOrder.append(id) }
        for (saved, group) in zip(dict.paramGroups, paramGroups) {
            group.options = OrderedDict(saved.options.filter { $0.0 != "params" })
        }
    }
}

/// Runs `body` over the parameter's and gradient's elements as flat float buffers of the same
/// type (contiguous fast path; otherwise contiguous copies written back afterwards), then bumps
/// the parameter's version once, as PyTorch's in-place update (`add_`, `addcdiv_`) does.
func withFlatBuffers(_ param: Tensor, _ grad: Tensor, _ body: (FlatBuffers) throws -> Void) throws {
    guard grad.shape == param.shape || grad.numel == param.numel else {
        throw TorchError.runtime("The size of tensor a (\(param.numel)) must match the size of tensor b (\(grad.numel))")
    }
    let g = grad.dtype == param.dtype && grad.isContiguous ? grad : try grad.detached().converted(to: param.dtype).contiguous()
    if param.isContiguous {
        try body(FlatBuffers(param: param, grad: g))
    } else {
        let work = try param.detached().cloned()
        try body(FlatBuffers(param: work, grad: g))
        try copyElements(from: work, to: param)
    }
    param.bumpVersion()
}

/// Raw element access for fused optimizer kernels (float32 or float64 parameters).
struct FlatBuffers {
    let param: Tensor
    let grad: Tensor
    var count: Int { param.numel }
    var dtype: DType { param.dtype }

    func pointer<T>(_ t: Tensor, _: T.Type) -> UnsafeMutablePointer<T> {
        t.storage.pointer(T.self) + t.storageOffset
    }

    /// A zero-filled contiguous state tensor shaped like the parameter.
    func zeros() throws -> Tensor { try Tensor(shape: param.shape, dtype: param.dtype) }
}
