/// `x[...]` and `x[...] = v`: basic indexing (ints, slices, None, ...) gives views; tensor indices
/// (int64 or bool masks) gather copies (IndexBackward0). Also gather, scatter, index_select, masked_fill.

/// One item of a subscript: `x[0, 1:3, None, ..., idx]`.
public enum TensorIndex {
    case int(Int)
    case slice(start: Int?, stop: Int?, step: Int?)
    case none
    case ellipsis
    /// A bool mask or an integer index tensor.
    case tensor(Tensor)
}

/// The result of the basic part of a subscript: a view plus the advanced (tensor) indices left to apply.
private struct BasicIndexing {
    var view: Tensor
    /// (dimension of `view`, int64 index tensor)
    var advanced: [(dim: Int, index: Tensor)] = []
}

extension Tensor {
    /// Applies ints, slices, None and ... as views; collects tensor indices.
    private func applyBasic(_ items: [TensorIndex]) throws -> BasicIndexing {
        var consumed = 0, ellipses = 0
        for item in items {
            switch item {
            case .int, .slice: consumed += 1
            case .tensor(let t): consumed += t.dtype == .bool ? t.dim : 1
            case .none: break
            case .ellipsis: ellipses += 1
            }
        }
        guard ellipses <= 1 else { throw TorchError.index("an index can only have a single ellipsis ('...')") }
        if dim == 0, items.count == 1, case .int = items[0] {
            throw TorchError.index("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        }
        guard consumed <= dim else { throw TorchError.index("too many indices for tensor of dimension \(dim)") }
        var r = BasicIndexing(view: self)
        var d = 0, realDim = 0  // realDim: the dimension of self an index applies to (for messages)
        for item in items {
            if case .none = item {} else if case .ellipsis = item { realDim += dim - consumed } else { realDim += 1 }
            switch item {
            case .int(let i):
                let size = r.view.shape[d]
                guard i >= -size && i < size else {
                    throw TorchError.index("index \(i) is out of bounds for dimension \(realDim - 1) with size \(size)")
                }
                r.view = try r.view.selectUnchecked(d, i < 0 ? i + size : i, name: "SelectBackward0")
            case .slice(let start, let stop, let step):
                let st = step ?? 1
                guard st > 0 else { throw TorchError.value("step must be greater than zero") }
                let size = r.view.shape[d]
                let full = (start ?? 0) == 0 && (stop.map { $0 >= size } ?? true) && st == 1
                if !full { r.view = try r.view.slice(dim: d, start: start, end: stop, step: st) }
                d += 1
            case .none:
                r.view = try r.view.unsqueeze(d)
                d += 1
            case .ellipsis:
                d += dim - consumed
            case .tensor(let t):
                if t.dtype == .bool {
                    if t.dim == 0 {
                        r.view = try r.view.unsqueeze(d)
                        let hit = try t.anyTrue()
                        r.advanced.append((d, try Tensor.zeros([hit ? 1 : 0], dtype: .int64)))
                        d += 1
                        continue
                    }
                    for j in 0..<t.dim where t.shape[j] != r.view.shape[d + j] {
                        throw TorchError.index("The shape of the mask \(shapeDescription(t.shape)) at index \(j) does not match the shape of the indexed tensor \(shapeDescription(r.view.shape)) at index \(d + j)")
                    }
                    let coords = try t.nonzeroColumns()
                    for (j, c) in coords.enumerated() { r.advanced.append((d + j, c)) }
                    d += t.dim
                } else if t.dtype == .int64 {
                    r.advanced.append((d, t))
                    d += 1
                } else {
                    throw TorchError.index("tensors used as indices must be long, int, byte or bool tensors")
                }
            }
        }
        return r
    }

    /// Indices of nonzero elements, one int64 column per dimension (`nonzero(as_tuple=True)`).
    public func nonzeroColumns() throws -> [Tensor] {
        let b = try cast(.bool).contiguous()
        let p = elementPointer(b, Bool.self)
        var hits = [Int]()
        for i in 0..<b.numel where p[i] { hits.append(i) }
        let strides = Tensor.contiguousStrides(shape)
        return try (0..<dim).map { d in
            let col = try Tensor(shape: [hits.count], dtype: .int64, zeroed: false)
            let pc = col.storage.pointer(Int64.self)
            for (k, h) in hits.enumerated() { pc[k] = Int64((h / strides[d]) % shape[d]) }
            return col
        }
    }

    /// `nonzero()`: [n, dim] int64 coordinates of nonzero elements.
    public func nonzero() throws -> Tensor {
        let cols = try nonzeroColumns()
        if cols.isEmpty { return try Tensor.zeros([try anyTrue() ? 1 : 0, 0], dtype: .int64) }
        return try Tensor.stack(cols, dim: 1)
    }

    /// `x[items]`.
    public func index(_ items: [TensorIndex]) throws -> Tensor {
        let basic = try applyBasic(items)
        if basic.advanced.isEmpty {
            // `x[...]` / `x[:]` still return a new view object, as PyTorch does.
            return basic.view === self ? makeView(shape, strides, storageOffset).recordingAlias(of: self) : basic.view
        }
        let plan = try AdvancedPlan(basic.view, basic.advanced)
        let out = try Tensor.uninitialized(plan.gatheredShape, dtype)
        try dispatch(dtype, AdvancedIndexKernel(plan: plan, data: basic.view, values: out, mode: .gather))
        let result = try plan.finish(out)
        let src = basic.view
        guard GradMode.isEnabled && src.requiresGrad else { return result }
        let t = GradTarget(src), advanced = basic.advanced
        return result.recordingGrad("IndexBackward0", inputs: [src]) { g in
            let z = try Tensor.zeros(t.shape, dtype: g.dtype)
            let zPlan = try AdvancedPlan(z, advanced)
            let vals = try zPlan.unfinish(g).contiguous()
            try dispatch(g.dtype, AdvancedIndexKernel(plan: zPlan, data: z, values: vals, mode: .accumulate))
            return [try t.reduce(z)]
        }
    }

    /// An alias view recording AliasBackward0 (for `x[...]`).
    private func recordingAlias(of src: Tensor) -> Tensor {
        recordingGrad("AliasBackward0", inputs: [src], savesTensors: false) { g in [g] }
    }

    /// `x[items] = value` (in place; value broadcast and converted). As PyTorch: basic indices
    /// select a view that is written with `copy_` (so a tracked base gets `CopySlices`), a trivial
    /// subscript (`x[...]`, `x[:]`) writes into self; tensor indices put into that view or self.
    public func indexPut(_ items: [TensorIndex], _ value: Tensor) throws {
        try indexPut(items, value, isNumber: false)
    }

    /// `x[items] = number` (`fill_` of the selected view: FillBackward2, IndexFillBackward0, MaskedFillBackward0).
    public func indexPut(_ items: [TensorIndex], _ value: Scalar) throws {
        try indexPut(items, try Tensor(scalar: value, dtype: dtype), isNumber: true)
    }

    private func indexPut(_ items: [TensorIndex], _ value: Tensor, isNumber: Bool) throws {
        let basic = try applyBasic(items)
        let target = basic.view
        try target.checkInPlace(others: [value])
        let tracking = GradMode.isEnabled && (target.requiresGrad || value.requiresGrad)
        let valueShape = value.shape, valueType = value.dtype, valueNeedsGrad = value.requiresGrad
        /// The gradient for `value` from the gradient of the positions it was broadcast to.
        func valueGrad(_ g: Tensor) throws -> Tensor? {
            guard valueNeedsGrad else { return nil }
            var squeezed = valueShape
            while squeezed.count > g.dim, squeezed.first == 1 { squeezed.removeFirst() }
            return try sumToShape(g, squeezed).reshape(valueShape).cast(valueType)
        }
        if basic.advanced.isEmpty {
            if !isNumber {
                try target.checkNoInternalOverlap()
                try target.checkNoPartialOverlap(value)
            }
            let v = try broadcastValue(value, to: target.shape, basic: true)
            let previous = tracking ? target.historyStandIn() : nil
            try copyElements(from: v.cast(dtype), to: target)
            target.bumpVersion()
            guard let previous else { return }
            if isNumber {
                try target.recordOverwrite("FillBackward2", previous)
            } else {
                try target.recordInPlace("CopyBackwards", inputs: [previous, value]) { g in
                    [try Tensor.zerosLike(g), try valueGrad(g)]
                }
            }
            return
        }
        let plan = try AdvancedPlan(target, basic.advanced)
        let v = try broadcastValue(value, to: plan.resultShape, basic: false)
        let vals = try plan.unfinish(try v.cast(dtype)).contiguous()
        let previous = tracking ? target.historyStandIn() : nil
        try dispatch(dtype, AdvancedIndexKernel(plan: plan, data: target, values: vals, mode: .put))
        target.bumpVersion()
        guard let previous else { return }
        let advanced = basic.advanced
        // With one index tensor, PyTorch fills its positions with a number (index_fill_ / masked_fill_).
        var name = "IndexPutBackward0", inputs = [previous, value]
        let indexTensors = items.compactMap { item -> Tensor? in if case .tensor(let t) = item { return t } else { return nil } }
        if isNumber, indexTensors.count == 1 {
            name = indexTensors[0].dtype == .bool ? "MaskedFillBackward0" : "IndexFillBackward0"
            inputs = [previous]
        }
        try target.recordInPlace(name, inputs: inputs) { g in
            let gTarget = try g.cloned()
            let gPlan = try AdvancedPlan(gTarget, advanced)
            let zeros = try Tensor.zeros(gPlan.gatheredShape, dtype: g.dtype)
            try dispatch(g.dtype, AdvancedIndexKernel(plan: gPlan, data: gTarget, values: zeros, mode: .put))
            guard valueNeedsGrad else { return [gTarget] }
            let readPlan = try AdvancedPlan(g, advanced)
            let gathered = try Tensor.uninitialized(readPlan.gatheredShape, g.dtype)
            try dispatch(g.dtype, AdvancedIndexKernel(plan: readPlan, data: g, values: gathered, mode: .gather))
            return [gTarget, try valueGrad(try readPlan.finish(gathered))]
        }
    }

    private func broadcastValue(_ value: Tensor, to shape: [Int], basic: Bool) throws -> Tensor {
        // Leading size-1 dims of the value may be dropped (PyTorch allows x[0] = v[None]).
        var v = value.detached()
        while v.dim > shape.count, v.shape[0] == 1 { v = try v.squeeze(dim: 0) }
        guard let s = try? broadcastShapes(v.shape, shape), s == shape else {
            if basic { _ = try v.expand(shape) }  // PyTorch's copy_ reports the expand error
            throw TorchError.runtime("shape mismatch: value tensor of shape \(shapeDescription(value.shape)) cannot be broadcast to indexing result of shape \(shapeDescription(shape))")
        }
        return Tensor(storage: v.storage, shape: shape, strides: broadcastStrides(v, to: shape), storageOffset: v.storageOffset)
    }

    // MARK: - index_select / gather / scatter / masked_fill

    /// `index_select(dim, index)` with a 1-D int64 index (IndexSelectBackward0).
    public func indexSelect(dim d: Int, index: Tensor) throws -> Tensor {
        guard index.dtype == .int64 else { throw TorchError.runtime("index_select(): Expected dtype int32/int64 for index but got: \(index.dtype.name)") }
        guard index.dim <= 1 else { throw TorchError.index("index_select(): Index is supposed to be a vector") }
        let nd = try normalizeDim(d)
        let size = dim == 0 ? 1 : shape[nd]
        for v in index.toDoubles() where v < 0 || Int(v) >= size {
            throw TorchError.index("index out of range in self")
        }
        var items = [TensorIndex](repeating: .slice(start: nil, stop: nil, step: nil), count: nd)
        items.append(.tensor(try index.reshape([-1])))
        let out = try GradMode.withNoGrad { try (dim == 0 ? self.reshape([1]) : self).index(items) }
        let result = dim == 0 ? try out.reshape(index.dim == 0 ? [] : [index.numel]) : out
        guard GradMode.isEnabled && requiresGrad else { return result }
        let t = GradTarget(self), flatShape = dim == 0 ? [index.numel] : result.shape
        return result.recordingGrad("IndexSelectBackward0", inputs: [self]) { g in
            let z = try Tensor.zeros(t.shape.isEmpty ? [1] : t.shape, dtype: g.dtype)
            try z.indexAddRaw(items, try g.reshape(flatShape))
            return [try t.reduce(try z.reshape(t.shape))]
        }
    }

    /// Accumulating put of `values` at `items` (no autograd).
    private func indexAddRaw(_ items: [TensorIndex], _ values: Tensor) throws {
        let basic = try applyBasic(items)
        let plan = try AdvancedPlan(basic.view, basic.advanced)
        let vals = try plan.unfinish(try values.cast(dtype)).contiguous()
        try dispatch(dtype, AdvancedIndexKernel(plan: plan, data: basic.view, values: vals, mode: .accumulate))
    }

    /// `gather(dim, index)`: out[i][j] = self[index[i][j]][j] for dim 0 (GatherBackward0).
    public func gather(dim d: Int, index: Tensor) throws -> Tensor {
        let nd = try checkScatterGather(d, index, "gather")
        let out = try Tensor.uninitialized(index.shape, dtype)
        try dispatch(dtype, ScatterGatherKernel(data: self, index: index, other: out, dim: nd, mode: .gather))
        guard GradMode.isEnabled && requiresGrad else { return out }
        let t = GradTarget(self)
        return out.recordingGrad("GatherBackward0", inputs: [self]) { g in
            let z = try Tensor.zeros(t.shape, dtype: g.dtype)
            try z.scatterRaw(dim: nd, index: index, source: g, accumulate: true)
            return [try t.reduce(z)]
        }
    }

    /// `scatter_(dim, index, src)` / `scatter_add_` without autograd (used by gradients).
    func scatterRaw(dim nd: Int, index: Tensor, source: Tensor, accumulate: Bool) throws {
        _ = try checkScatterGather(nd, index, accumulate ? "scatter_add" : "scatter")
        let src = try source.cast(dtype)
        try dispatch(dtype, ScatterGatherKernel(data: self, index: index, other: src, dim: nd, mode: accumulate ? .accumulate : .put))
    }

    /// `scatter(dim, index, src)` out of place (ScatterBackward0 for self).
    public func scatter(dim d: Int, index: Tensor, src: Tensor) throws -> Tensor {
        let out = try GradMode.withNoGrad { try self.cloned() }
        try out.scatterRaw(dim: try normalizeDim(d), index: index, source: src, accumulate: false)
        return out
    }

    /// `scatter_add(dim, index, src)` out of place.
    public func scatterAdd(dim d: Int, index: Tensor, src: Tensor) throws -> Tensor {
        let nd = try normalizeDim(d)
        let out = try GradMode.withNoGrad { try self.cloned() }
        try out.scatterRaw(dim: nd, index: index, source: src, accumulate: true)
        guard GradMode.isEnabled && (requiresGrad || src.requiresGrad) else { return out }
        let ta = GradTarget(self), tb = GradTarget(src)
        return out.recordingGrad("ScatterAddBackward0", inputs: [self, src]) { g in
            [try ta.reduce(g), try tb.reduce(try g.gather(dim: nd, index: index))]
        }
    }

    private func checkScatterGather(_ d: Int, _ index: Tensor, _ op: String) throws -> Int {
        let nd = try normalizeDim(d)
        guard index.dtype == .int64 else { throw TorchError.runtime("\(op)(): Expected dtype int64 for index") }
        guard index.dim == dim || (index.dim <= 1 && dim <= 1) else {
            throw TorchError.runtime("Index tensor must have the same number of dimensions as \(op == "gather" ? "input" : "self") tensor")
        }
        for i in 0..<index.dim where i != nd && index.shape[i] > shape[i] {
            throw TorchError.runtime("Size does not match at dimension \(i) expected index \(shapeDescription(index.shape)) to be smaller than self \(shapeDescription(shape)) apart from dimension \(nd)")
        }
        return nd
    }

    /// `masked_fill(mask, value)` (MaskedFillBackward0).
    public func maskedFill(_ mask: Tensor, _ value: Scalar) throws -> Tensor {
        guard mask.dtype == .bool else {
            throw TorchError.runtime("masked_fill_ only supports boolean masks, but got mask with dtype \(mask.dtype.name)")
        }
        let out = try Tensor.where(mask, try Tensor(scalar: value, dtype: dtype), self.detached())
        guard GradMode.isEnabled && requiresGrad else { return out }
        let t = GradTarget(self)
        return out.recordingGrad("MaskedFillBackward0", inputs: [self]) { g in
            [try t.reduce(try Tensor.where(mask, try Tensor.zeros([], dtype: g.dtype), g))]
        }
    }

    /// `masked_fill(mask, value)` with a 0-dim tensor value.
    public func maskedFill(_ mask: Tensor, _ value: Tensor) throws -> Tensor {
        guard value.dim == 0 else {
            throw TorchError.runtime("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with \(value.dim) dimension(s).")
        }
        return try maskedFill(mask, try value.item())
    }
}

/// Geometry of an advanced-indexing gather/put: the indexed dims of `view`, the broadcast index
/// shape B, the remaining dims, and where B lands in the result.
private struct AdvancedPlan {
    /// Element offsets (relative to the view's first element) for each position of B, row-major.
    let offsets: [Int]
    let indexShape: [Int]
    let restShape: [Int]
    let restStrides: [Int]
    /// Shape of the gathered block: B + rest.
    let gatheredShape: [Int]
    /// Where B goes in the final result (0 unless the indexed dims are adjacent and not first).
    let insertAt: Int
    let resultShape: [Int]

    init(_ view: Tensor, _ advanced: [(dim: Int, index: Tensor)]) throws {
        var b: [Int] = []
        for (_, idx) in advanced {
            guard let s = try? broadcastShapes(b, idx.shape) else {
                throw TorchError.index("shape mismatch: indexing tensors could not be broadcast together with shapes " + advanced.map { shapeDescription($0.index.shape) }.joined(separator: ", "))
            }
            b = s
        }
        let dims = advanced.map { $0.dim }
        let count = try checkedElementCount(b)
        var offsets = [Int](repeating: 0, count: count)
        for (d, idx) in advanced {
            let size = view.shape[d], stride = view.strides[d]
            let e = Tensor(storage: idx.storage, shape: b, strides: broadcastStrides(idx, to: b), storageOffset: idx.storageOffset)
            var k = 0
            var bad: Int64? = nil
            let p = idx.storage.pointer(Int64.self)
            e.forEachStorageIndex { si in
                var v = p[si]
                if v < 0 { v += Int64(size) }
                if v < 0 || v >= Int64(size) { if bad == nil { bad = p[si] } } else { offsets[k] += Int(v) * stride }
                k += 1
            }
            if let bad { throw TorchError.index("index \(bad) is out of bounds for dimension \(d) with size \(size)") }
        }
        var rs = [Int](), rst = [Int]()
        for i in 0..<view.dim where !dims.contains(i) { rs.append(view.shape[i]); rst.append(view.strides[i]) }
        let sorted = dims.sorted()
        let adjacent = sorted == dims && (sorted.last ?? 0) - (sorted.first ?? 0) == dims.count - 1
        self.offsets = offsets
        indexShape = b
        restShape = rs
        restStrides = rst
        gatheredShape = b + rs
        insertAt = adjacent ? (dims.first ?? 0) : 0
        resultShape = Array(rs[..<insertAt]) + b + Array(rs[insertAt...])
    }

    /// Moves B from the front of a gathered block to its result position.
    func finish(_ gathered: Tensor) throws -> Tensor {
        if insertAt == 0 { return gathered }
        let nb = indexShape.count, nr = restShape.count
        let perm = Array(nb..<(nb + insertAt)) + Array(0..<nb) + Array((nb + insertAt)..<(nb + nr))
        return try gathered.permute(perm)
    }

    /// Inverse of `finish`: a result-shaped tensor to B-first order.
    func unfinish(_ result: Tensor) throws -> Tensor {
        if insertAt == 0 { return result }
        let nb = indexShape.count, nr = restShape.count
        let perm = Array(insertAt..<(insertAt + nb)) + Array(0..<insertAt) + Array((insertAt + nb)..<(nb + nr))
        return try result.permute(perm)
    }
}

private enum MoveMode { case gather, put, accumulate }

/// Copies between `data` (strided view) at the plan's positions and `values` (contiguous, B + rest).
private struct AdvancedIndexKernel: ElementKernel {
    let plan: AdvancedPlan, data: Tensor, values: Tensor, mode: MoveMode
    func run<T: TensorElement>(_: T.Type) {
        let pd = elementPointer(data, T.self), pv = elementPointer(values, T.self)
        let restCount = plan.restShape.reduce(1, *)
        if restCount == 0 { return }
        let geo = StridedGeometry(shape: plan.restShape, [plan.restStrides, Tensor.contiguousStrides(plan.restShape)])
        for (bi, base) in plan.offsets.enumerated() {
            let vb = bi * restCount
            geo.forEachRow { o, count, s in
                var id = base + o.0, iv = vb + o.1
                for _ in 0..<count {
                    switch mode {
                    case .gather: pv[iv] = pd[id]
                    case .put: pd[id] = pv[iv]
                    case .accumulate: pd[id] = T(converting: pd[id].doubleValue + pv[iv].doubleValue)
                    }
                    id += s.0; iv += s.1
                }
            }
        }
    }
}

/// gather (other = out) and scatter (other = source) along `dim` over the index's shape.
private struct ScatterGatherKernel: ElementKernel {
    let data: Tensor, index: Tensor, other: Tensor, dim: Int, mode: MoveMode
    func run<T: TensorElement>(_: T.Type) throws {
        if index.numel == 0 { return }
        let pd = elementPointer(data, T.self), po = elementPointer(other, T.self), pi = elementPointer(index, Int64.self)
        let ds = data.dim == 0 ? [0] : data.strides
        var dataStrides = [Int](repeating: 0, count: index.dim)
        for i in 0..<index.dim where i < ds.count && i != dim { dataStrides[i] = ds[i] }
        let size = data.dim == 0 ? 1 : data.shape[dim], dStride = data.dim == 0 ? 0 : data.strides[dim]
        let otherStrides = index.dim == other.dim ? other.strides : Tensor.contiguousStrides(index.shape)
        var bad: Int64? = nil
        let geo = StridedGeometry(shape: index.shape, [index.strides, dataStrides, otherStrides])
        geo.forEachRow { o, count, s in
            var ii = o.0, id = o.1, io = o.2
            for _ in 0..<count {
                let k = pi[ii]
                if k < 0 || k >= Int64(size) {
                    if bad == nil { bad = k }
                } else {
                    let at = id + Int(k) * dStride
                    switch mode {
                    case .gather: po[io] = pd[at]
                    case .put: pd[at] = po[io]
                    case .accumulate: pd[at] = T(converting: pd[at].doubleValue + po[io].doubleValue)
                    }
                }
                ii += s.0; id += s.1; io += s.2
            }
        }
        if let bad { throw TorchError.runtime("index \(bad) is out of bounds for dimension \(dim) with size \(size)") }
    }
}
