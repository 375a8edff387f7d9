import NNLang
import TensorRuntime
import NeuralNet

/// `torch.utils.checkpoint`: `checkpoint(function, *args, use_reentrant=None, **kwargs)` and
/// `checkpoint_sequential(functions, segments, input, use_reentrant=None)`. nnrepl keeps every
/// activation (nothing is recomputed), so values and gradients are those of the plain call; what
/// stays PyTorch's: with the reentrant variant (the default, after PyTorch's warning) an output
/// whose tensor inputs all have requires_grad=False does not require grad, so the parameters
/// inside get no gradient. The reentrant output's grad_fn is the function's own, not
/// CheckpointFunctionBackward.
enum CheckpointNamespace {
    static func make() -> Namespace {
        let ns = Namespace("torch.utils.checkpoint")
        ns["checkpoint"] = .object(NativeFunction("checkpoint",
            signature: Signature("function, *args, use_reentrant=None, context_fn=None, determinism_check='default', debug=False, preserve_rng_state=True, **kwargs"),
            doc: "function(*args, **kwargs), its activations recomputed in backward by PyTorch (kept here).") { a, ev in
            let b = try Signature("function, *args, use_reentrant=None, context_fn=None, determinism_check='default', debug=False, preserve_rng_state=True, **kwargs")
                .bind(a, "checkpoint")
            let reentrant = try reentrantMode(b[2], ev)  // b[1] is *args
            return try run(reentrant: reentrant, inputs: b.extraPositional, ev) {
                try ev.call(b[0], Arguments(b.extraPositional, keywords: b.extraKeywords))
            }
        })
        ns["checkpoint_sequential"] = .object(NativeFunction("checkpoint_sequential",
            "functions, segments, input, use_reentrant=None, **kwargs",
            doc: "A Sequential (or list of modules) run segment by segment with checkpoints.") { b, ev in
            let reentrant = try reentrantMode(b[3], ev)
            let functions: [Value]
            if case .module(let m) = b[0] { functions = m.ownModules.values.compactMap { $0 }.map { .module($0) } } else { functions = try ev.iterate(b[0]) }
            let segments = try b.int(1, "segments")
            guard segments != 0 else { throw PyError(.zeroDivisionError, "integer division or modulo by zero") }
            let size = Int((Double(functions.count) / Double(segments)).rounded(.down))
            guard size != 0 else { throw PyError(.valueError, "range() arg 3 must not be zero") }
            func chain(_ part: ArraySlice<Value>, _ input: Value) throws -> Value {
                try part.reduce(input) { v, f in try ev.call(f, Arguments([v])) }
            }
            // PyTorch checkpoints segments - 1 segments of `size` functions, then runs the rest plainly.
            var x = b[2], end = -1
            for start in stride(from: 0, to: size * (segments - 1), by: size) {
                end = start + size - 1
                let input = x
                x = try run(reentrant: reentrant, inputs: [input], ev) { try chain(functions[start...end], input) }
            }
            return try chain(functions[(end + 1)...], x)
        })
        return ns
    }

    /// `use_reentrant`: None warns (PyTorch's text) and means True.
    private static func reentrantMode(_ v: Value, _ ev: Evaluator) throws -> Bool {
        guard !v.isNone else {
            ev.warn("UserWarning: torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. In a future release, calling checkpoint without use_reentrant will raise an exception. use_reentrant=False is recommended, but if you need to preserve the current default behavior, you can pass use_reentrant=True. Refer to docs for more details on the differences between the two variants.")
            return true
        }
        return try ev.truthy(v)
    }

    /// The call; the reentrant variant runs without a graph when no tensor input requires grad.
    private static func run(reentrant: Bool, inputs: [Value], _ ev: Evaluator, _ body: () throws -> Value) throws -> Value {
        let anyRequiresGrad = inputs.contains { if case .tensor(let t) = $0 { return t.requiresGrad } else { return false } }
        guard reentrant, GradMode.isEnabled, !anyRequiresGrad else { return try body() }
        ev.warn("UserWarning: None of the inputs have requires_grad=True. Gradients will be None")
        return try GradMode.withNoGrad { try body() }
    }
}
