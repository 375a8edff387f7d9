import NNLang
import TensorRuntime

/// The `out=` keyword every `torch.NAME(...)` function form takes (`torch.matmul(a, b, out=y)`,
/// as PyTorch's tensors tutorial writes it): the result is computed as usual, then written into
/// `out`, which is returned. As in PyTorch: `out` is resized when its shape differs (with
/// PyTorch's deprecation warning unless it was empty), the result is cast to `out`'s dtype when
/// PyTorch's `can_cast` allows it, and no graph is recorded — an argument that requires grad is
/// an error.
enum OutArgument {
    /// Removes `out=` from `arguments`' keywords; the tensor, or nil when absent or None.
    static func take(from arguments: inout Arguments, _ function: String) throws -> Tensor? {
        guard let i = arguments.keywords.firstIndex(where: { $0.name == "out" }) else { return nil }
        let value = arguments.keywords.remove(at: i).value
        switch value {
        case .none: return nil
        case .tensor(let t): return t
        default:
            throw PyError(.typeError, "\(function)(): argument 'out' must be Tensor, not \(value.typeName)")
        }
    }

    /// Writes `result` into `out` and returns `out`.
    static func store(_ result: Value, into out: Tensor, _ function: String, _ ev: Evaluator) throws -> Value {
        guard case .tensor(let r) = result else {
            throw PyError(.typeError, "\(function)(): argument 'out' is not supported for this function")
        }
        if GradMode.isEnabled && (r.requiresGrad || out.requiresGrad) {
            throw PyError(.runtimeError, "\(function)(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.")
        }
        guard r.dtype.canCast(to: out.dtype) else {
            throw PyError(.runtimeError, "result type \(r.dtype.shortName) can't be cast to the desired output type \(out.dtype.shortName)")
        }
        if out.shape != r.shape {
            if out.numel > 0 {
                ev.warn("UserWarning: An output with one or more elements was resized since it had shape \(shapeList(out.shape)), which does not match the required output shape \(shapeList(r.shape)). This behavior is deprecated, and in a future PyTorch release outputs will not be resized unless they have zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).")
            }
            try out.setData(try Tensor.zeros(r.shape, dtype: out.dtype))
        }
        try GradMode.withNoGrad { _ = try out.copyInPlace(from: r) }
        return .tensor(out)
    }

    private static func shapeList(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
}
