import NNLang
import TensorRuntime
import NeuralNet

/// Ops that rearrange, pick, scatter or summarise elements, declared once each (see TensorOp).
extension TensorOpCatalog {
    static let rearranging: [TensorOp] = [
        TensorOp("roll", "input, shifts, dims=None", "Elements shifted cyclically along dims (the flattened tensor without dims).",
                 [.function]) { t, b, ev in
            .tensor(try t.roll(shifts: try Convert.ints(b[0], ev, "shifts"), dims: try b.dims(1, ev) ?? []))
        },
        TensorOp("tile", "input, dims", "The tensor repeated dims times along each dim (dims padded with leading 1s).", [.function]) { t, b, ev in
            .tensor(try t.tile(try Convert.ints(b[0], ev, "dims")))
        },
        TensorOp("unflatten", "input, dim, sizes", "Splits dim into the given sizes (one of them may be -1).", [.function]) { t, b, ev in
            switch b[1] {
            case .none: return .tensor(try t.unflatten(dim: try b.int(0, "dim"), sizes: []))   // PyTorch reads None as no sizes
            case .int, .float, .bool, .str:
                throw PyError(.typeError, "unflatten(): argument 'sizes' (position 2) must be tuple of ints, not \(b[1].typeName)")
            default: return .tensor(try t.unflatten(dim: try b.int(0, "dim"), sizes: try Convert.ints(b[1], ev, "sizes")))
            }
        },
        TensorOp("repeat_interleave", "input, repeats, dim=None, *, output_size=None",
                 "Each element (slice along dim) repeated in place, repeats times each.", [.function]) { t, b, ev in
            let repeats: [Int]
            if case .tensor(let r) = b[0] { repeats = r.toDoubles().map { Int($0) } } else { repeats = [try b.int(0, "repeats")] }
            return .tensor(try t.repeatInterleave(repeats, dim: try b.optionalInt(1, "dim")))
        },
        TensorOp("diag", "input, diagonal=0", "A 1-D tensor as a diagonal matrix, or a matrix's diagonal.", [.function]) { t, b, _ in
            .tensor(try t.diag(diagonal: try b.int(0, "diagonal")))
        },
        TensorOp("diagonal", "input, offset=0, dim1=0, dim2=1",
                 "A view of the offset-th diagonal of the dim1 x dim2 planes, as a last dim.", [.function]) { t, b, _ in
            .tensor(try t.diagonal(offset: try b.int(0, "offset"), dim1: try b.int(1, "dim1"), dim2: try b.int(2, "dim2")))
        },
        TensorOp("trace", "input", "The sum of a matrix's main diagonal.", [.function]) { t, _, _ in .tensor(try t.trace()) },
        TensorOp("masked_select", "input, mask", "The elements where mask is True, as a 1-D tensor.", [.function]) { t, b, _ in
            .tensor(try t.maskedSelect(try b.tensor(0, "mask")))
        },
        TensorOp("argwhere", "input", "The indices of the nonzero elements, one row each.", [.function]) { t, _, _ in .tensor(try t.nonzero()) },
        TensorOp("scatter", "input, dim, index, src=None, value=None, *, reduce=None",
                 "input with src's values (or value) written at index along dim.", [.function, .inPlace]) { t, b, _ in
            let d = try b.int(0, "dim"), index = try b.tensor(1, "index")
            guard b[4].isNone else { throw PyError(.notImplementedError, "scatter(reduce=...) is not supported by nnrepl") }
            let src: Tensor
            if case .tensor(let s) = b[2] { src = s } else {
                let v = try Convert.requiredScalar(b[2].isNone ? b[3] : b[2])
                src = try Tensor.full(index.shape, value: v, dtype: t.dtype)
            }
            return .tensor(try t.scatter(dim: d, index: index, src: src))
        },
        TensorOp("scatter_add", "input, dim, index, src", "input with src added at index along dim.", [.function, .inPlace]) { t, b, _ in
            .tensor(try t.scatterAdd(dim: try b.int(0, "dim"), index: try b.tensor(1, "index"), src: try b.tensor(2, "src")))
        },
        TensorOp("index_add", "input, dim, index, source, *, alpha=1", "input with alpha * source's slices added at index along dim.",
                 [.function, .inPlace]) { t, b, _ in
            let d = try t.normalizeDim(try b.int(0, "dim")), index = try b.tensor(1, "index")
            var source = try b.tensor(2, "source")
            guard index.dim <= 1 else { throw PyError(.indexError, "index_add_(): Index is supposed to be a vector") }
            if let alpha = try Convert.scalar(b[3]), alpha != .int(1) { source = try source.mul(alpha) }
            return .tensor(try t.scatterAdd(dim: d, index: try spread(index, over: source, dim: d), src: source))
        },
        TensorOp("index_reduce", "input, dim, index, source, reduce, *, include_self=True",
                 "source's slices combined into input at index along dim by 'prod', 'mean', 'amax' or 'amin'.",
                 [.function, .inPlace]) { t, b, ev in
            let d = try t.normalizeDim(try b.int(0, "dim")), index = try b.tensor(1, "index"), source = try b.tensor(2, "source")
            let name = try b[3].asString("reduce")
            guard name != "sum", let reduce = Tensor.ScatterReduction(rawValue: name) else {
                throw PyError(.runtimeError, "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got \(name).")
            }
            guard index.dim <= 1 else {
                throw PyError(.indexError, "index_reduce_(): Index is supposed to be a vector, but got dim: \(index.dim) with type: \(index.dtype.atenName) and size: \(index.shape)")
            }
            if !betaWarningShown { betaWarningShown = true; NNWarnings.warn("index_reduce() is in beta and the API may change at any time. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorAdvancedIndexing.cpp:1522.)") }
            return .tensor(try t.scatterReduce(dim: d, index: try spread(index, over: source, dim: d), src: source, reduce: reduce,
                                               includeSelf: try b.bool(4, ev), gradName: "IndexReduceBackward0"))
        },
        TensorOp("logsumexp", "input, dim, keepdim=False", "log(sum(exp(x))) over dim, computed stably.", [.function]) { t, b, ev in
            .tensor(try t.logsumexp(dims: try b.dims(0, ev) ?? [], keepdim: try b.bool(1, ev)))
        },
        TensorOp("amax", "input, dim=(), keepdim=False", "The largest values over dim (all dims by default); gradient shared by ties.",
                 [.function]) { t, b, ev in
            let dims = try b.dims(0, ev) ?? []
            return .tensor(try t.amax(dims: dims.isEmpty ? nil : dims, keepdim: try b.bool(1, ev)))
        },
        TensorOp("amin", "input, dim=(), keepdim=False", "The smallest values over dim (all dims by default); gradient shared by ties.",
                 [.function]) { t, b, ev in
            let dims = try b.dims(0, ev) ?? []
            return .tensor(try t.amin(dims: dims.isEmpty ? nil : dims, keepdim: try b.bool(1, ev)))
        },
        TensorOp("median", "input, dim=None, keepdim=False", "The lower median of all elements; with dim, (values, indices) along it.",
                 [.function]) { t, b, ev in
            guard let d = try b.optionalInt(0, "dim") else { return .tensor(try t.median()) }
            let (v, i) = try t.median(dim: d, keepdim: try b.bool(1, ev))
            return SortingBindings.valuesIndices("median", v, i)
        },
        TensorOp("kthvalue", "input, k, dim=-1, keepdim=False", "The k-th smallest value along dim and its index.", [.function]) { t, b, ev in
            let (v, i) = try t.kthValue(try b.int(0, "k"), dim: try b.int(1, "dim"), keepdim: try b.bool(2, ev))
            return SortingBindings.valuesIndices("kthvalue", v, i)
        },
        TensorOp("lerp", "input, end, weight", "input + weight * (end - input).", [.function, .inPlace]) { t, b, _ in
            let end = try b.tensor(0, "end")
            let weight = try Operand(b[1]).orThrow().tensor(like: t)
            return .tensor(try t.lerp(end, weight: weight))
        },
        TensorOp("isclose", "input, other, rtol=1e-05, atol=1e-08, equal_nan=False",
                 "Elementwise |input - other| <= atol + rtol * |other|.", [.function]) { t, b, ev in
            .tensor(try t.isclose(try b.tensor(0, "other"), rtol: try b.double(1, "rtol"), atol: try b.double(2, "atol"),
                                  equalNaN: try b.bool(3, ev)))
        },
        TensorOp("nan_to_num", "input, nan=0.0, posinf=None, neginf=None, *, out=None",
                 "NaN, +inf and -inf replaced by nan, posinf and neginf (the dtype's extremes by default).", [.function, .inPlace]) { t, b, _ in
            .tensor(try t.nanToNum(nan: try b.double(0, "nan"), posinf: try b.optionalDouble(1, "posinf"), neginf: try b.optionalDouble(2, "neginf")))
        },
        TensorOp("addmm", "input, mat1, mat2, *, beta=1, alpha=1", "beta * input + alpha * (mat1 @ mat2).", [.function]) { t, b, _ in
            .tensor(try Functional.addmm(t, try b.tensor(0, "mat1"), try b.tensor(1, "mat2"),
                                         beta: try Convert.requiredScalar(b[2]), alpha: try Convert.requiredScalar(b[3])))
        },
        TensorOp("baddbmm", "input, batch1, batch2, *, beta=1, alpha=1", "beta * input + alpha * (batch1 @ batch2), batched.",
                 [.function]) { t, b, _ in
            .tensor(try Functional.baddbmm(t, try b.tensor(0, "batch1"), try b.tensor(1, "batch2"),
                                           beta: try Convert.requiredScalar(b[2]), alpha: try Convert.requiredScalar(b[3])))
        },
    ]

    /// index_reduce's beta warning is TORCH_WARN_ONCE: once per process.
    nonisolated(unsafe) private static var betaWarningShown = false

    /// A vector `index` along `dim` spread over `source`'s shape (index_add / index_reduce as a scatter).
    private static func spread(_ index: Tensor, over source: Tensor, dim d: Int) throws -> Tensor {
        var viewShape = [Int](repeating: 1, count: source.dim)
        if !viewShape.isEmpty { viewShape[d] = -1 }
        return try index.reshape(viewShape.isEmpty ? [] : viewShape).expand(source.shape)
    }
}
