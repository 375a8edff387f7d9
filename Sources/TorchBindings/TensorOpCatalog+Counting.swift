import NNLang
import TensorRuntime

/// Ops that count, find and rank values (`unique`, `unique_consecutive`, `nonzero`, `mode`), running products and the two-argument
/// arctangent, declared once each (see TensorOp).
extension TensorOpCatalog {
    static let counting: [TensorOp] = [
        TensorOp("unique", "input, sorted=True, return_inverse=False, return_counts=False, dim=None",
                 "The distinct elements (sorted), with each element's index among them and their counts on request.",
                 [.function]) { t, b, ev in
            _ = try b.bool(0, ev)
            let inverse = try b.bool(1, ev), counts = try b.bool(2, ev)
            let u = b[3].isNone ? try t.unique() : try t.unique(dim: try b.int(3, "dim"))
            return uniqueResult(u, inverse: inverse, counts: counts, ev)
        },
        TensorOp("unique_consecutive", "input, return_inverse=False, return_counts=False, dim=None",
                 "Each run of equal neighbours (elements, or slices along dim) collapsed to one, with run numbers and lengths on request.",
                 [.function]) { t, b, ev in
            let inverse = try b.bool(0, ev), counts = try b.bool(1, ev)
            let u = b[2].isNone ? try t.uniqueConsecutive() : try t.uniqueConsecutive(dim: try b.int(2, "dim"))
            return uniqueResult(u, inverse: inverse, counts: counts, ev)
        },
        TensorOp("nonzero", "input, *, out=None, as_tuple=False",
                 "The indices of the nonzero elements: one row each, or (as_tuple) one index tensor per dim.", [.function]) { t, b, ev in
            let rows = try t.nonzero()
            guard try b.bool(1, ev) else { return .tensor(rows) }
            if t.dim == 0 { return ev.makeTuple([.tensor(try Tensor.zeros([rows.shape[0]], dtype: .int64))]) }
            return ev.makeTuple(try (0..<t.dim).map { .tensor(try rows.select(dim: 1, index: $0).contiguous()) })
        },
        TensorOp("mode", "input, dim=-1, keepdim=False", "The most frequent value along dim (the smallest among ties) and its index.",
                 [.function]) { t, b, ev in
            let (v, i) = try t.mode(dim: try b.int(0, "dim"), keepdim: try b.bool(1, ev))
            return SortingBindings.valuesIndices("mode", v, i)
        },
        TensorOp("cumprod", "input, dim, *, dtype=None", "Running product along dim.", [.function, .inPlace]) { t, b, _ in
            guard !b[0].isNone else { throw PyError(.typeError, "cumprod(): argument 'dim' (position 1) must be int, not NoneType") }
            return .tensor(try t.cumprod(dim: try b.int(0, "dim"), dtype: try b.dtype(1)))
        },
        TensorOp("atan2", "input, other", "The angle of the point (other, input) in radians, elementwise.",
                 [.function, .inPlace], aliases: ["arctan2"]) { t, b, _ in
            guard case .tensor(let other) = b[0] else {
                throw PyError(.typeError, "atan2(): argument 'other' must be Tensor, not \(b[0].typeName)")
            }
            return .tensor(try t.atan2(other))
        },
    ]
}

extension TensorOpCatalog {
    /// What `unique` / `unique_consecutive` return: the values alone, or a tuple with the
    /// inverse indices and counts asked for.
    static func uniqueResult(_ u: (values: Tensor, inverse: Tensor, counts: Tensor), inverse: Bool, counts: Bool, _ ev: Evaluator) -> Value {
        guard inverse || counts else { return .tensor(u.values) }
        var items: [Value] = [.tensor(u.values)]
        if inverse { items.append(.tensor(u.inverse)) }
        if counts { items.append(.tensor(u.counts)) }
        return ev.makeTuple(items)
    }

    /// `clamp(min=tensor, max=tensor)`: both bounds tensors (or None), as PyTorch's overloads
    /// demand; a tensor with a number is PyTorch's "invalid combination" TypeError.
    static func clampByTensors(_ t: Tensor, _ lo: Value, _ hi: Value) throws -> Value {
        func bound(_ v: Value) -> Tensor?? {
            if case .tensor(let x) = v { return .some(x) }
            return v.isNone ? .some(nil) : nil
        }
        guard let l = bound(lo), let h = bound(hi) else {
            let given = ["Tensor"] + [lo, hi].filter { !$0.isNone }.map { $0.typeName }
            throw PyError(.typeError, "clamp() received an invalid combination of arguments - got (\(given.joined(separator: ", "))), but expected one of:\n"
                + " * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
                + " * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n")
        }
        return .tensor(try t.clamp(minTensor: l, maxTensor: h))
    }
}
