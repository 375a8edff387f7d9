import NNLang
import TensorRuntime

/// `torch.no_grad()`, `torch.enable_grad()`, `torch.inference_mode(mode)` and
/// `torch.set_grad_enabled(mode)`: context managers (restoring the previous modes on exit) and
/// decorators (`@torch.no_grad()` runs the function under the mode). `set_grad_enabled` switches
/// when it is called, as PyTorch's does (`switchingAtCall`), and its `__exit__` restores the mode
/// from before the call.
final class GradModeContext: ModeContext {
    private let name: String
    private let enabled: Bool
    /// The inference mode it sets; nil leaves inference mode alone.
    private let inference: Bool?
    private var saved: [(grad: Bool, inference: Bool)] = []

    init(_ name: String, enabled: Bool, inference: Bool? = nil) {
        self.name = name
        self.enabled = enabled
        self.inference = inference
        super.init(name)
    }

    override func switchOn(_ ev: Evaluator) {
        saved.append((GradMode.isEnabled, InferenceMode.isEnabled))
        GradMode.isEnabled = enabled
        if let inference { InferenceMode.isEnabled = inference }
    }

    override func restore() {
        guard let (grad, inference) = saved.popLast() else { return }
        GradMode.isEnabled = grad
        InferenceMode.isEnabled = inference
    }

    /// Used as a decorator: `@torch.no_grad()` wraps a function.
    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        guard args.positional.count == 1, args.keywords.isEmpty else {
            throw PyError(.typeError, "\(name)() takes a function")
        }
        return .object(decorating(args.positional[0]))
    }

    /// The context itself, or (`@torch.no_grad` without parentheses, PyTorch's `orig_func`)
    /// `fn` decorated with it.
    func orDecorating(_ fn: Value) -> Value {
        fn.isNone ? .object(self) : .object(decorating(fn))
    }

    /// `fn` run under this context's modes (restored afterwards, also when it raises).
    func decorating(_ fn: Value) -> NativeFunction {
        NativeFunction("decorated") { a, ev in
            self.switchOn(ev)
            defer { self.restore() }
            return try ev.call(fn, a)
        }
    }
}
