import NNLang
import TensorRuntime

/// Indexing, shape and creation methods tutorials reach for: `new_*`, `take`, `index_fill`,
/// `index_put`, `scatter_reduce`, `unfold`, `diff`, `rot90`, `combinations`, `data_ptr` (see TensorOp).
extension TensorOpCatalog {
    /// `new_zeros` / `new_ones` / `new_empty(*size, dtype=None, device=None, requires_grad=False)`.
    private static func newFilled(_ name: String, _ doc: String, _ make: @escaping ([Int], DType) throws -> Tensor) -> TensorOp {
        TensorOp(name, "input, *size, dtype=None, device=None, requires_grad=False", doc) { t, b, ev in
            let shape = try Convert.shape(b.extraPositional, ev, function: name, argument: "size")
            return try newTensor(try make(shape, try b.dtype(1) ?? t.dtype), device: b[2], requiresGrad: b[3], ev)
        }
    }

    /// A `new_*` result with `device=` checked and `requires_grad=` applied.
    private static func newTensor(_ t: Tensor, device: Value, requiresGrad: Value, _ ev: Evaluator) throws -> Value {
        try Convert.checkDevice(device, ev)
        if try ev.truthy(requiresGrad) { try factoryRequiresGrad(t) }
        return .tensor(t)
    }

    /// `tensor_split`'s pieces as a tuple: an int (or 0-dim tensor) is a section count, a sequence
    /// (or 1-D tensor) split indices.
    private static func splitPieces(_ t: Tensor, _ spec: Value, dim: Int, _ ev: Evaluator) throws -> Value {
        let pieces: [Tensor]
        if case .tensor(let s) = spec, s.dim == 0 { pieces = try t.tensorSplit(sections: Int(try s.item().doubleValue), dim: dim) }
        else if case .tensor(let s) = spec { pieces = try t.tensorSplit(indices: s.toDoubles().map { Int($0) }, dim: dim) }
        else if case .int(let n) = spec { pieces = try t.tensorSplit(sections: n, dim: dim) }
        else { pieces = try t.tensorSplit(indices: try Convert.ints(spec, ev, "indices_or_sections"), dim: dim) }
        return ev.makeTuple(pieces.map { .tensor($0) })
    }

    /// `hsplit` / `vsplit` / `dsplit`: tensor_split along a fixed dim, an int dividing that dim exactly.
    private static func directionalSplit(_ name: String, minimumRank: Int, _ axis: @escaping (Tensor) -> Int) -> TensorOp {
        TensorOp(name, "input, indices_or_sections", "tensor_split along dim \(minimumRank == 1 ? "1 (0 for 1-D input)" : "\(minimumRank - 1)").",
                 [.function]) { t, b, ev in
            guard t.dim >= minimumRank else {
                throw PyError(.runtimeError, "torch.\(name) requires a tensor with at least \(minimumRank) dimension, but got a tensor with \(t.dim) dimensions!")
            }
            let d = axis(t)
            if case .int(let n) = b[0], n != 0, t.shape[d] % n != 0 {
                throw PyError(.runtimeError, "torch.\(name) attempted to split along dimension \(d), but the size of the dimension \(t.shape[d]) is not divisible by the split_size \(n)!")
            }
            return try splitPieces(t, b[0], dim: d, ev)
        }
    }

    static let shaping: [TensorOp] = [
        newFilled("new_zeros", "Zeros of the given size with this tensor's dtype (or dtype).") { try Tensor.zeros($0, dtype: $1) },
        newFilled("new_ones", "Ones of the given size with this tensor's dtype (or dtype).") { try Tensor.ones($0, dtype: $1) },
        newFilled("new_empty", "An uninitialised tensor of the given size with this tensor's dtype (or dtype); nnrepl fills it with zeros.") {
            try Tensor.empty($0, dtype: $1)
        },
        TensorOp("new_full", "input, size, fill_value, *, dtype=None, device=None, requires_grad=False",
                 "fill_value in every element of the given size, with this tensor's dtype (or dtype).") { t, b, ev in
            if case .int = b[0] {
                throw PyError(.typeError, "new_full(): argument 'size' (position 1) must be tuple of ints, not int")
            }
            let full = try Tensor.full(try Convert.ints(b[0], ev, "size"), value: try Convert.requiredScalar(b[1], "fill_value"),
                                       dtype: try b.dtype(2) ?? t.dtype)
            return try newTensor(full, device: b[3], requiresGrad: b[4], ev)
        },
        TensorOp("new_tensor", "input, data, *, dtype=None, device=None, requires_grad=False",
                 "A new tensor copied from data with this tensor's dtype (or dtype).") { t, b, ev in
            let made = try TensorFactory.tensor(from: b[0], dtype: try b.dtype(1) ?? t.dtype, ev)
            return try newTensor(made.requiresGrad ? made.detached() : made, device: b[2], requiresGrad: b[3], ev)
        },
        TensorOp("take", "input, index", "Elements of the flattened tensor at index, shaped as index.", [.function]) { t, b, _ in
            .tensor(try t.take(try b.tensor(0, "index")))
        },
        TensorOp("index_fill", "input, dim, index, value", "The slices at index along dim set to value.", [.function, .inPlace]) { t, b, _ in
            let value: Scalar
            if case .tensor(let v) = b[2] {
                guard v.dim == 0 else {
                    throw PyError(.runtimeError, "index_fill_ only supports a 0-dimensional value tensor, but got tensor with \(v.dim) dimension(s).")
                }
                value = try v.item()
            } else { value = try Convert.requiredScalar(b[2]) }
            return .tensor(try t.indexFill(dim: try b.int(0, "dim"), index: try b.tensor(1, "index"), value: value))
        },
        TensorOp("index_put", "input, indices, values, accumulate=False",
                 "x[indices] = values on a copy (indices a tuple of index tensors); accumulate adds at repeated positions.",
                 [.function, .inPlace]) { t, b, ev in
            guard case .object = b[0], let items = ev.sequenceItems(b[0]) else {
                throw PyError(.typeError, "index_put(): argument 'indices' (position 1) must be tuple of Tensors, not \(b[0].typeName)")
            }
            let indices = try items.map { try $0.asTensor("indices") }
            return .tensor(try t.indexPut(indices: indices, values: try b.tensor(1, "values"), accumulate: try b.bool(2, ev)))
        },
        TensorOp("unfold", "input, dimension, size, step", "A view of every size-long window along dimension, step apart, as a new last dim.") { t, b, _ in
            .tensor(try t.unfoldWindows(dim: try b.int(0, "dimension"), size: try b.int(1, "size"), step: try b.int(2, "step")))
        },
        TensorOp("diff", "input, n=1, dim=-1, prepend=None, append=None", "The n-th forward difference along dim (after joining prepend and append).",
                 [.function]) { t, b, _ in
            func end(_ i: Int, _ name: String) throws -> Tensor? {
                if b[i].isNone { return nil }
                guard case .tensor(let e) = b[i] else { throw PyError(.typeError, "diff(): argument '\(name)' must be Tensor, not \(b[i].typeName)") }
                return e
            }
            return .tensor(try t.diff(n: try b.int(0, "n"), dim: try b.int(1, "dim"), prepend: try end(2, "prepend"), append: try end(3, "append")))
        },
        TensorOp("rot90", "input, k=1, dims=(0, 1)", "Rotated by 90 degrees k times, from the first of dims toward the second.", [.function]) { t, b, ev in
            .tensor(try t.rot90(k: try b.int(0, "k"), dims: try Convert.ints(b[1], ev, "dims")))
        },
        TensorOp("combinations", "input, r=2, with_replacement=False",
                 "The r-length combinations of a 1-D tensor's elements, one row each.", [.function]) { t, b, ev in
            .tensor(try t.combinations(r: try b.int(0, "r"), withReplacement: try b.bool(1, ev)))
        },
        TensorOp("scatter_reduce", "input, dim, index, src, reduce, *, include_self=True",
                 "src's values combined into input at index along dim by 'sum', 'prod', 'mean', 'amax' or 'amin'.",
                 [.function, .inPlace]) { t, b, ev in
            let name = try b[3].asString("reduce")
            guard let reduce = Tensor.ScatterReduction(rawValue: ["max": "amax", "min": "amin"][name] ?? name) else {
                throw PyError(.runtimeError, "reduce argument must be either sum, prod, mean, amax or amin, got \(name)")
            }
            return .tensor(try t.scatterReduce(dim: try b.int(0, "dim"), index: try b.tensor(1, "index"), src: try b.tensor(2, "src"),
                                               reduce: reduce, includeSelf: try b.bool(4, ev)))
        },
        TensorOp("tensor_split", "input, indices_or_sections, dim=0",
                 "Views along dim: n nearly equal sections for an int, or the pieces between the given indices.", [.function]) { t, b, ev in
            try splitPieces(t, b[0], dim: try b.int(1, "dim"), ev)
        },
        directionalSplit("hsplit", minimumRank: 1) { $0.dim == 1 ? 0 : 1 },
        directionalSplit("vsplit", minimumRank: 2) { _ in 0 },
        directionalSplit("dsplit", minimumRank: 3) { _ in 2 },
        TensorOp("masked_scatter", "input, mask, source", "Where mask is True, source's elements in order.", [.function, .inPlace]) { t, b, _ in
            .tensor(try t.maskedScatter(try b.tensor(0, "mask"), try b.tensor(1, "source")))
        },
        TensorOp("data_ptr", "input", "The address of the tensor's first element.") { t, _, _ in .int(t.dataPointer) },
    ]
}
