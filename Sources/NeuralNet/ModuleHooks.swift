import TensorRuntime

/// A Python tuple as hooks see and return it: `args` for pre-hooks and forward hooks. A pre-hook
/// returning a `HookTuple` replaces the arguments; any other non-nil value `v` means `(v,)`.
public struct HookTuple {
    public var items: [Any]
    public init(_ items: [Any]) { self.items = items }
}

/// `register_forward_pre_hook(hook, with_kwargs=…)`. Returning nil (Python None) keeps the arguments.
public enum ForwardPreHook {
    /// `hook(module, args)`; a non-`HookTuple` result `r` becomes `(r,)`.
    case positional((Module, HookTuple) throws -> Any?)
    /// `hook(module, args, kwargs)`, returning None or `(new_args, new_kwargs)`.
    case withKeywords((Module, HookTuple, [(String, Any)]) throws -> (HookTuple, [(String, Any)])?)
}

/// `register_forward_hook(hook, with_kwargs=…)`. A non-nil result replaces the output, and later
/// hooks see the replaced value. The output is nil only for `always_call` hooks run after
/// `forward` raised (PyTorch passes `result=None` then).
public enum ForwardHook {
    /// `hook(module, args, output)`.
    case positional((Module, HookTuple, Any?) throws -> Any?)
    /// `hook(module, args, kwargs, output)`.
    case withKeywords((Module, HookTuple, [(String, Any)], Any?) throws -> Any?)
}

/// The handle `register_forward_hook` returns; `remove()` is safe to call any number of times.
public final class RemovableHandle {
    enum Kind { case preHook, hook }
    private weak var module: Module?
    let id: Int
    let kind: Kind

    init(module: Module, id: Int, kind: Kind) {
        self.module = module
        self.id = id
        self.kind = kind
    }

    public func remove() {
        guard let module else { return }
        module.hookCallables.removeValue(forKey: id)
        switch kind {
        case .preHook: module.forwardPreHooks.removeAll { $0.id == id }
        case .hook:
            module.forwardHooks.removeAll { $0.id == id }
            module.alwaysCalledHooks.remove(id)
        }
    }
}

/// Monotonic ids for hooks from 0 (PyTorch's `RemovableHandle.next_id`).
enum HookIDs {
    nonisolated(unsafe) static var next = 0
    static func make() -> Int { defer { next += 1 }; return next }
}

extension Module {
    /// `register_forward_pre_hook(hook, prepend=False, with_kwargs=False)`.
    @discardableResult
    public func registerForwardPreHook(_ hook: ForwardPreHook, prepend: Bool = false, callable: Any? = nil) -> RemovableHandle {
        let id = HookIDs.make()
        if let callable { hookCallables[id] = callable }
        if prepend { forwardPreHooks.insert((id, hook), at: 0) } else { forwardPreHooks.append((id, hook)) }
        return RemovableHandle(module: self, id: id, kind: .preHook)
    }

    /// `register_forward_hook(hook, prepend=False, with_kwargs=False, always_call=False)`.
    @discardableResult
    public func registerForwardHook(_ hook: ForwardHook, prepend: Bool = false, alwaysCall: Bool = false,
                                    callable: Any? = nil) -> RemovableHandle {
        let id = HookIDs.make()
        if let callable { hookCallables[id] = callable }
        if prepend { forwardHooks.insert((id, hook), at: 0) } else { forwardHooks.append((id, hook)) }
        if alwaysCall { alwaysCalledHooks.insert(id) }
        return RemovableHandle(module: self, id: id, kind: .hook)
    }

    /// `module(*args, **kwargs)`: forward pre-hooks, `forward(arguments:keywords:)`, forward hooks
    /// (PyTorch's `_call_impl`). Hooks fire only here, never through `forward` itself.
    public func call(arguments: [Any], keywords: [(String, Any)] = []) throws -> Any {
        try ModuleCallCheck.check?()
        var args = arguments
        var kwargs = keywords
        for (_, hook) in forwardPreHooks {
            switch hook {
            case .positional(let fn):
                if let r = try fn(self, HookTuple(args)) {
                    args = (r as? HookTuple)?.items ?? [r]
                }
            case .withKeywords(let fn):
                if let (newArgs, newKwargs) = try fn(self, HookTuple(args), kwargs) {
                    args = newArgs.items
                    kwargs = newKwargs
                }
            }
        }
        var result: Any
        do {
            result = try forward(arguments: args, keywords: kwargs)
        } catch {
            ModuleCallFailure.unwinding(through: self)
            // always_call hooks still run (their own errors are swallowed, as PyTorch warns), then re-raise.
            var partial: Any? = nil
            for (id, hook) in forwardHooks where alwaysCalledHooks.contains(id) {
                if let r = try? runForwardHook(hook, args, kwargs, partial) { partial = r }
            }
            throw error
        }
        for (_, hook) in forwardHooks {
            if let r = try runForwardHook(hook, args, kwargs, result) { result = r }
        }
        return result
    }

    private func runForwardHook(_ hook: ForwardHook, _ args: [Any], _ kwargs: [(String, Any)], _ output: Any?) throws -> Any? {
        switch hook {
        case .positional(let fn): return try fn(self, HookTuple(args), output)
        case .withKeywords(let fn): return try fn(self, HookTuple(args), kwargs, output)
        }
    }

    /// `module(x)` for Swift callers: goes through hooks and the dynamic forward, and requires a
    /// tensor result.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let out = try call(arguments: [ModuleValueBridge.wrap(x)])
        guard let t = ModuleValueBridge.tensor(from: out) else {
            throw TorchError.type("\(typeName) returned a non-tensor value where a tensor was expected")
        }
        return t
    }

    /// The hooks registered with a callable (`register_forward_pre_hook` / `register_forward_hook`
    /// from a script), in call order: the entries of `_forward_pre_hooks` / `_forward_hooks`.
    public func hookEntries(pre: Bool) -> [(id: Int, callable: Any)] {
        let ids = pre ? forwardPreHooks.map(\.id) : forwardHooks.map(\.id)
        return ids.compactMap { id in hookCallables[id].map { (id, $0) } }
    }

    /// Removes the forward (pre-)hook `id` (`del m._forward_hooks[id]`); false when there is none.
    @discardableResult
    public func removeHook(id: Int, pre: Bool) -> Bool {
        guard hookCallables.removeValue(forKey: id) != nil else { return false }
        if pre { forwardPreHooks.removeAll { $0.id == id } } else { forwardHooks.removeAll { $0.id == id }; alwaysCalledHooks.remove(id) }
        return true
    }

    /// Number of registered forward pre-hooks and forward hooks (for tests and `:who`).
    public var hookCounts: (preHooks: Int, hooks: Int) { (forwardPreHooks.count, forwardHooks.count) }
}
