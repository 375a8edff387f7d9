import NNLang
import TensorRuntime

/// The tensor methods `sort`, `argsort`, `topk`, `cumsum` and `flip` (the `torch.` functions
/// of the same names forward to them), with PyTorch's signatures and named-tuple results.
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

    /// `sort(dim=-1, descending=False, *, stable=False)`.
    static func sort(_ t: Tensor, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try a.bind("sort", ["dim", "descending", "stable"], positionalLimit: 2)
        let (v, i) = try t.sort(dim: try Convert.optionalInt(s[0], "dim") ?? -1, descending: try Convert.bool(s[1], default: false, ev),
                                stable: try Convert.bool(s[2], default: false, ev))
        return valuesIndices("sort", v, i)
    }

    /// `argsort(dim=-1, descending=False, *, stable=False)`.
    static func argsort(_ t: Tensor, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try a.bind("argsort", ["dim", "descending", "stable"], positionalLimit: 2)
        return .tensor(try t.argsort(dim: try Convert.optionalInt(s[0], "dim") ?? -1, descending: try Convert.bool(s[1], default: false, ev),
                                     stable: try Convert.bool(s[2], default: false, ev)))
    }

    /// `topk(k, dim=-1, largest=True, sorted=True)`.
    static func topk(_ t: Tensor, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try a.bind("topk", ["k", "dim", "largest", "sorted"])
        guard let k = s[0] else { throw missing("topk", "k") }
        guard case .int = k else { throw PyError(.typeError, "topk(): argument 'k' must be int, not \(k.typeName)") }
        let (v, i) = try t.topk(try k.asInt("k"), dim: try Convert.optionalInt(s[1], "dim") ?? -1,
                                largest: try Convert.bool(s[2], default: true, ev), sorted: try Convert.bool(s[3], default: true, ev))
        return valuesIndices("topk", v, i)
    }

    /// `cumsum(dim, *, dtype=None)`.
    static func cumsum(_ t: Tensor, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try a.bind("cumsum", ["dim", "dtype"], positionalLimit: 1)
        guard let d = s[0] else { throw missing("cumsum", "dim") }
        guard !d.isNone else { throw PyError(.typeError, "cumsum(): argument 'dim' (position 1) must be int, not NoneType") }
        return .tensor(try t.cumsum(dim: try d.asInt("dim"), dtype: try Convert.dtype(s[1])))
    }

    /// `x.flip(*dims)` or `x.flip(dims)`.
    static func flipMethod(_ t: Tensor, _ a: Arguments, _ ev: Evaluator) throws -> Value {
        var positional = a.positional
        for (k, v) in a.keywords {
            guard k == "dims" else { throw PyError(.typeError, "flip() got an unexpected keyword argument '\(k)'") }
            positional.append(v)
        }
        guard !positional.isEmpty else { throw missing("flip", "dims") }
        return .tensor(try t.flip(try Convert.shape(positional, ev)))
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
