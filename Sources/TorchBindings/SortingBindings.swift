import NNLang
import TensorRuntime

/// What the sorting-family ops share (declared in `TensorOpCatalog`): PyTorch's missing-argument
/// message, the `(values, indices)` named tuples, and `torch.flip`'s sequence-only `dims`.
enum SortingBindings {
    /// PyTorch's argument-parser text for a missing required argument.
    static func missing(_ function: String, _ argument: String) -> PyError {
        PyError(.typeError, "\(function)() missing 1 required positional arguments: \"\(argument)\"")
    }

    /// `torch.return_types.NAME(values=..., indices=...)`.
    static func valuesIndices(_ name: String, _ values: Tensor, _ indices: Tensor) -> Value {
        .object(NamedTupleObject(typeName: "torch.return_types.\(name)", fields: ["values", "indices"],
                                 values: [.tensor(values), .tensor(indices)]))
    }

    /// `torch.flip(input, dims)`: `dims` must be a sequence.
    static func flipFunction(_ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try a.bind("flip", ["input", "dims"])
        guard let x = s[0] else { throw missing("flip", "input") }
        guard let dims = s[1] else { throw missing("flip", "dims") }
        if dims.isNone || { if case .int = dims { return true }; return false }() {
            let position = a.positional.count >= 2 ? " (position 2)" : ""
            throw PyError(.typeError, "flip(): argument 'dims'\(position) must be tuple of ints, not \(dims.typeName)")
        }
        return .tensor(try x.asTensor("input").flip(try Convert.ints(dims, ev, "dims")))
    }
}
