import NNLang
import TensorRuntime
import NeuralNet

/// `register_forward_hook` / `register_forward_pre_hook` with script callables: arguments reach
/// the hook as a Python tuple, keyword arguments as a dict, and results map back to NeuralNet's
/// hook conventions (None keeps, a tuple replaces the arguments, anything else replaces the output).
enum ModuleHookBindings {
    /// `register_forward_pre_hook(hook, *, prepend=False, with_kwargs=False)`.
    static func registerForwardPreHook(_ m: Module, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try ModuleMethods.bind(a, "register_forward_pre_hook", ["hook", "prepend", "with_kwargs"], required: 1, positionalLimit: 1)
        let hook = s[0]!
        weak var weakEv = ev
        let preHook: ForwardPreHook
        if try Convert.bool(s[2], default: false, ev) {
            preHook = .withKeywords { module, args, kwargs in
                let ev = try live(weakEv)
                let r = try ev.call(hook, Arguments([.module(module), ModuleValues.value(args, ev), keywordDict(kwargs, ev)]))
                if r.isNone { return nil }
                guard ev.builtinKind(r) == .tuple, let pair = ev.sequenceItems(r), pair.count == 2,
                      let newKwargs = ev.mappingItems(pair[1]) else {
                    throw PyError(.runtimeError, "forward pre-hook must return None or a tuple of (new_args, new_kwargs), but got \(try ev.repr(r)).")
                }
                return (hookTuple(pair[0], ev), try newKwargs.map { (try $0.0.asString("keyword"), $0.1 as Any) })
            }
        } else {
            preHook = .positional { module, args in
                let ev = try live(weakEv)
                let r = try ev.call(hook, Arguments([.module(module), ModuleValues.value(args, ev)]))
                if r.isNone { return nil }
                return ev.builtinKind(r) == .tuple ? hookTuple(r, ev) : r
            }
        }
        return .object(HookHandleObject(m.registerForwardPreHook(preHook, prepend: try Convert.bool(s[1], default: false, ev), callable: hook)))
    }

    /// `register_forward_hook(hook, *, prepend=False, with_kwargs=False, always_call=False)`.
    static func registerForwardHook(_ m: Module, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try ModuleMethods.bind(a, "register_forward_hook", ["hook", "prepend", "with_kwargs", "always_call"], required: 1, positionalLimit: 1)
        let hook = s[0]!
        weak var weakEv = ev
        let forwardHook: ForwardHook
        if try Convert.bool(s[2], default: false, ev) {
            forwardHook = .withKeywords { module, args, kwargs, output in
                let ev = try live(weakEv)
                let r = try ev.call(hook, Arguments([.module(module), ModuleValues.value(args, ev), keywordDict(kwargs, ev),
                                                     ModuleValues.value(output, ev)]))
                return r.isNone ? nil : r
            }
        } else {
            forwardHook = .positional { module, args, output in
                let ev = try live(weakEv)
                let r = try ev.call(hook, Arguments([.module(module), ModuleValues.value(args, ev), ModuleValues.value(output, ev)]))
                return r.isNone ? nil : r
            }
        }
        let handle = m.registerForwardHook(forwardHook, prepend: try Convert.bool(s[1], default: false, ev),
                                           alwaysCall: try Convert.bool(s[3], default: false, ev), callable: hook)
        return .object(HookHandleObject(handle))
    }

    /// The evaluator a hook was registered with (it outlives every module it created).
    private static func live(_ ev: Evaluator?) throws -> Evaluator {
        guard let ev else { throw PyError(.runtimeError, "hook called after its interpreter was closed") }
        return ev
    }

    /// A Python tuple (or any sequence) as hook arguments.
    private static func hookTuple(_ v: Value, _ ev: Evaluator) -> HookTuple {
        HookTuple((ev.sequenceItems(v) ?? [v]).map { $0 as Any })
    }

    private static func keywordDict(_ kwargs: [(String, Any)], _ ev: Evaluator) -> Value {
        ev.makeDict(kwargs.map { (.str($0.0), ModuleValues.value($0.1, ev)) }, ordered: false)
    }
}

/// `torch.utils.hooks.RemovableHandle`: `.remove()` (idempotent), usable as a context manager.
final class HookHandleObject: PyObject {
    private let removal: () -> Void
    convenience init(_ handle: RemovableHandle) { self.init(removal: { handle.remove() }) }
    /// A handle over any removal (tensor hooks).
    init(removal: @escaping () -> Void) { self.removal = removal }

    override var typeName: String { "RemovableHandle" }
    override func repr(_ ev: Evaluator) throws -> String {
        "<torch.utils.hooks.RemovableHandle object at 0x7f3a\(String(UInt(bitPattern: ObjectIdentifier(self).hashValue) & 0xffffff, radix: 16))>"
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "remove", "__exit__":
            return method(name) { _, _ in
                self.removal()
                return name == "__exit__" ? .bool(false) : .none
            }
        case "__enter__": return method(name) { _, _ in .object(self) }
        default: return nil
        }
    }
    override func attributeNames() -> [String] { ["remove"] }
}
