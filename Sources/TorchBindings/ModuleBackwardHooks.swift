import NNLang
import TensorRuntime
import NeuralNet

/// `Module.register_full_backward_hook(hook)` and `register_full_backward_pre_hook(hook)`, as
/// PyTorch's `BackwardHook` does them: while hooks are registered, each call's tensor inputs and
/// outputs pass through identity nodes named `BackwardHookFunctionBackward`. The output side
/// runs the pre-hooks on `grad_output` (they may replace it); the input side calls
/// `hook(module, grad_input, grad_output)` once every input's gradient has arrived (it may
/// return a replacement `grad_input`). A call whose inputs need no gradient calls the hooks with
/// `grad_input` all None when `grad_output` arrives.
final class ModuleBackwardHooks {
    private var hooks: [(id: Int, fn: Value)] = []
    private var preHooks: [(id: Int, fn: Value)] = []
    private weak var ev: Evaluator?
    private var nextID = 0

    private final class WeakEntry {
        weak var hooks: ModuleBackwardHooks?
        weak var module: Module?
    }
    nonisolated(unsafe) private static var byModule: [ObjectIdentifier: WeakEntry] = [:]

    /// The hook set of `m`, installing its forward pre-hook and forward hook on first use.
    private static func of(_ m: Module, _ ev: Evaluator) -> ModuleBackwardHooks {
        if let e = byModule[ObjectIdentifier(m)], e.module === m, let h = e.hooks { return h }
        let set = ModuleBackwardHooks()
        set.ev = ev
        byModule = byModule.filter { $0.value.module != nil }
        let entry = WeakEntry()
        entry.hooks = set
        entry.module = m
        byModule[ObjectIdentifier(m)] = entry
        let call = CallState()
        m.registerForwardPreHook(.positional { module, args in set.wrapInputs(module, args, call) })
        m.registerForwardHook(.positional { module, _, output in try set.wrapOutputs(module, output, call) })
        return set
    }

    /// `register_full_backward_hook(hook, prepend=False)`.
    static func register(_ m: Module, _ a: Arguments, _ ev: Evaluator, pre: Bool) throws -> Value {
        let b = try Signature("hook, prepend=False").bind(a, pre ? "register_full_backward_pre_hook" : "register_full_backward_hook")
        let set = of(m, ev)
        set.nextID += 1
        let id = set.nextID
        let prepend = try ev.truthy(b[1])
        if pre {
            if prepend { set.preHooks.insert((id, b[0]), at: 0) } else { set.preHooks.append((id, b[0])) }
        } else {
            if prepend { set.hooks.insert((id, b[0]), at: 0) } else { set.hooks.append((id, b[0])) }
        }
        return .object(HookHandleObject(removal: { [weak set] in
            set?.hooks.removeAll { $0.id == id }
            set?.preHooks.removeAll { $0.id == id }
        }))
    }

    /// `m._backward_hooks` / `m._backward_pre_hooks`: (id, hook) in call order.
    static func entries(of m: Module, pre: Bool) -> [(id: Int, fn: Value)] {
        guard let e = byModule[ObjectIdentifier(m)], e.module === m, let set = e.hooks else { return [] }
        return pre ? set.preHooks : set.hooks
    }

    /// `del m._backward_hooks[id]`; false when there is no such hook.
    static func remove(from m: Module, id: Int, pre: Bool) -> Bool {
        guard let e = byModule[ObjectIdentifier(m)], e.module === m, let set = e.hooks else { return false }
        let before = pre ? set.preHooks.count : set.hooks.count
        if pre { set.preHooks.removeAll { $0.id == id } } else { set.hooks.removeAll { $0.id == id } }
        return (pre ? set.preHooks.count : set.hooks.count) != before
    }

    /// What one call's backward needs: the wrapped inputs' count, the gradients seen so far.
    private final class CallState {
        var inputSlots: [Int] = []
        var inputCount = 0
        var gradInputs: [Tensor?] = []
        var received = 0
        var gradOutputs: [Tensor?] = []
    }

    private var active: Bool { !(hooks.isEmpty && preHooks.isEmpty) }

    private func wrapInputs(_ module: Module, _ args: HookTuple, _ call: CallState) -> Any? {
        call.inputSlots = []
        call.inputCount = args.items.count
        call.gradInputs = Array(repeating: nil, count: args.items.count)
        call.received = 0
        guard active, GradMode.isEnabled else { return nil }
        var items = args.items
        for (i, item) in items.enumerated() {
            guard let t = ModuleValueBridge.tensor(from: item), t.requiresGrad else { continue }
            call.inputSlots.append(i)
            let alias = t.detached()
            alias.recordingGrad("BackwardHookFunctionBackward", inputs: [t], savesTensors: false) { [weak self] g in
                guard let self else { return [g] }
                call.gradInputs[i] = g
                call.received += 1
                guard call.received == call.inputSlots.count else { return [call.gradInputs[i]] }
                let replaced = try self.runHooks(module, call)
                return [replaced[i]]
            }
            items[i] = ModuleValueBridge.wrap(alias)
        }
        return HookTuple(items)
    }

    private func wrapOutputs(_ module: Module, _ output: Any?, _ call: CallState) throws -> Any? {
        guard active, GradMode.isEnabled, let output, let t = ModuleValueBridge.tensor(from: output), t.requiresGrad else { return nil }
        let alias = t.detached()
        alias.recordingGrad("BackwardHookFunctionBackward", inputs: [t], savesTensors: false) { [weak self] g in
            guard let self, let ev = self.ev else { return [g] }
            var gradOutput: Tensor? = g
            for (_, fn) in self.preHooks {
                let r = try ev.call(fn, Arguments([.module(module), ev.makeTuple([gradOutput.map(Value.tensor) ?? .none])]))
                if !r.isNone { gradOutput = try Self.tensors(r, ev).first ?? nil }
            }
            call.gradOutputs = [gradOutput]
            if call.inputSlots.isEmpty && !self.hooks.isEmpty {
                NNWarnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.")
                _ = try self.runHooks(module, call)
            }
            return [gradOutput]
        }
        return ModuleValueBridge.wrap(alias)
    }

    /// Calls every `hook(module, grad_input, grad_output)`; returns the (possibly replaced) input gradients.
    private func runHooks(_ module: Module, _ call: CallState) throws -> [Tensor?] {
        guard let ev else { return call.gradInputs }
        var gradInputs = call.gradInputs
        for (_, fn) in hooks {
            let r = try ev.call(fn, Arguments([.module(module), ev.makeTuple(gradInputs.map { $0.map(Value.tensor) ?? .none }),
                                               ev.makeTuple(call.gradOutputs.map { $0.map(Value.tensor) ?? .none })]))
            if !r.isNone {
                let replaced = try Self.tensors(r, ev)
                guard replaced.count == gradInputs.count else {
                    throw PyError(.runtimeError, "Backward hook returned an invalid number of grad_input, got \(replaced.count), but expected \(gradInputs.count)")
                }
                gradInputs = replaced
            }
        }
        return gradInputs
    }

    /// A tuple/list of tensors and Nones (or a single tensor).
    private static func tensors(_ v: Value, _ ev: Evaluator) throws -> [Tensor?] {
        if case .tensor(let t) = v { return [t] }
        return try ev.iterate(v).map { item in
            if item.isNone { return nil }
            return try item.asTensor("grad")
        }
    }
}
