/// `take`, `index_fill`, `index_put` (with `accumulate`), `unfold` (the sliding-window view) and
/// `data_ptr`: composed from `index`, `masked_fill`, `scatter_add` and strided views, so their
/// gradients follow those ops.
extension Tensor {
    /// `take(index)`: elements of the flattened tensor at index (negative counts from the end), shaped as index.
    public func take(_ index: Tensor) throws -> Tensor {
        guard index.dtype == .int64 else {
            throw TorchError.runtime("take(): Expected a long tensor for index, but got \(index.dtype.atenName)")
        }
        let n = numel
        let wrapped = try index.toDoubles().map { v -> Double in
            guard v >= Double(-n), v < Double(n) else {
                throw TorchError.index("out of range: tried to access index \(Int(v)) on a tensor of \(n) elements.")
            }
            return v < 0 ? v + Double(n) : v
        }
        let flatIndex = try Tensor(doubles: wrapped, shape: [wrapped.count], dtype: .int64)
        let result = try GradMode.withNoGrad { try reshape([-1]).index([.tensor(flatIndex)]).reshape(index.shape) }
        guard GradMode.isEnabled && requiresGrad else { return result }
        let inputShape = shape
        return result.recordingGrad("TakeBackward0", inputs: [self]) { g in
            [try Tensor.zeros([n], dtype: g.dtype).indexPut(indices: [flatIndex], values: try g.reshape([-1]), accumulate: true)
                .reshape(inputShape)]
        }
    }

    /// `index_fill(dim, index, value)`: the slices at index along dim set to value (MaskedFill's gradient).
    public func indexFill(dim d: Int, index: Tensor, value: Scalar) throws -> Tensor {
        let nd = try normalizeDim(d)
        guard index.dtype == .int64 else { throw TorchError.index("index_fill_(): Expected dtype int64 for index.") }
        guard index.dim <= 1 else { throw TorchError.runtime("Index has to be a vector/scalar") }
        let size = dim == 0 ? 1 : shape[nd]
        var selected = [Double](repeating: 0, count: size)
        for v in index.toDoubles() {
            guard v >= Double(-size), v < Double(size) else {
                throw TorchError.index("index \(Int(v)) is out of bounds for dimension \(nd) with size \(size)")
            }
            selected[Int(v < 0 ? v + Double(size) : v)] = 1
        }
        var maskShape = [Int](repeating: 1, count: dim)
        if dim > 0 { maskShape[nd] = size }
        let mask = try Tensor(doubles: selected, shape: maskShape, dtype: .bool)
        let result = try GradMode.withNoGrad { try maskedFill(mask, try Tensor(scalar: value, dtype: dtype).item()) }
        guard GradMode.isEnabled && requiresGrad else { return result }
        return result.recordingGrad("IndexFillBackward0", inputs: [self]) { g in [try g.maskedFill(mask, .int(0))] }
    }

    /// `index_put(indices, values, accumulate=False)`: `x[indices] = values` on a copy; with
    /// accumulate, values at repeated positions are all added.
    public func indexPut(indices: [Tensor], values: Tensor, accumulate: Bool) throws -> Tensor {
        guard values.dtype == dtype else {
            throw TorchError.runtime("Index put requires the source and destination dtypes match, got \(dtype.atenName) for the destination and \(values.dtype.atenName) for the source.")
        }
        guard accumulate else {
            let out = try cloned()
            try out.indexPut(indices.map { .tensor($0) }, values)
            return out
        }
        // Bool masks become their nonzero positions; then one linear index over the leading dims.
        var columns: [Tensor] = []
        for i in indices {
            if i.dtype == .bool { columns += try i.nonzeroColumns() } else { columns.append(i) }
        }
        guard columns.count <= dim else { throw TorchError.index("too many indices for tensor of dimension \(dim)") }
        var indexShape: [Int] = []
        for c in columns {
            guard c.dtype == .int64 else {
                throw TorchError.index("tensors used as indices must be long, int, byte or bool tensors")
            }
            indexShape = try broadcastShapes(indexShape, c.shape)
        }
        let lead = Array(shape[..<columns.count]), rest = Array(shape[columns.count...])
        var linear = [Double](repeating: 0, count: indexShape.reduce(1, *))
        var place = 1
        for (k, c) in columns.enumerated().reversed() {
            let size = lead[k]
            let values = try c.expand(indexShape).contiguous().toDoubles()
            for (j, v) in values.enumerated() {
                guard v >= Double(-size), v < Double(size) else {
                    throw TorchError.index("index \(Int(v)) is out of bounds for dimension \(k) with size \(size)")
                }
                linear[j] += (v < 0 ? v + Double(size) : v) * Double(place)
            }
            place *= size
        }
        let result = try GradMode.withNoGrad {
            let rows = try reshape([place] + rest)
            let spreadValues = try values.expand(indexShape + rest).reshape([linear.count] + rest)
            let spread = try Tensor(doubles: linear, shape: [linear.count] + rest.map { _ in 1 }, dtype: .int64)
                .expand(spreadValues.shape)
            return try rows.scatterAdd(dim: 0, index: spread, src: spreadValues).reshape(shape)
        }
        guard GradMode.isEnabled && (requiresGrad || values.requiresGrad) else { return result }
        let target = GradTarget(self), source = GradTarget(values), items = columns.map { TensorIndex.tensor($0) }
        return result.recordingGrad("IndexPutBackward0", inputs: [self, values]) { g in
            [try target.reduce(g), try source.reduce(try g.index(items))]
        }
    }

    /// `unfold(dimension, size, step)`: a view of every size-long window along dim, step apart,
    /// as a new last dim (UnfoldBackward0 adds overlapping windows' gradients).
    public func unfoldWindows(dim d: Int, size: Int, step: Int) throws -> Tensor {
        let nd = try normalizeDim(d)
        let length = dim == 0 ? 1 : shape[nd], stride0 = dim == 0 ? 1 : strides[nd]
        guard size <= length else { throw TorchError.runtime("maximum size for tensor at dimension \(nd) is \(length) but size is \(size)") }
        guard size >= 0 else { throw TorchError.runtime("size is \(size) but must be >= 0") }
        guard step > 0 else { throw TorchError.runtime("step is \(step) but must be > 0") }
        let windows = (length - size) / step + 1
        var newShape = shape, newStrides = strides
        if dim > 0 {
            newShape[nd] = windows
            newStrides[nd] = stride0 * step
        }
        let v = makeView(newShape + [size], newStrides + [stride0], storageOffset)
        guard GradMode.isEnabled && requiresGrad else { return v }
        let inputShape = shape, rank = dim
        return v.recordingGrad("UnfoldBackward0", inputs: [self], savesTensors: false) { g in
            let z = try Tensor.zeros(inputShape, dtype: g.dtype)
            try GradMode.withNoGrad {
                guard rank > 0 else {
                    if g.numel == 1 { _ = try z.copyInPlace(from: g.reshape([])) }
                    return
                }
                // The window's own dim goes back to where dim was.
                let order = Array(0..<nd) + [rank - 1] + Array(nd..<(rank - 1))
                for w in 0..<windows {
                    let window = try g.select(dim: nd, index: w).permute(order)
                    _ = try z.narrow(dim: nd, start: w * step, length: size).addInPlace(window)
                }
            }
            return [z]
        }
    }

    /// `masked_scatter(mask, source)`: where mask (broadcast to self) is True, source's elements in
    /// order; composed from `index_put` on the flattened tensor, so both get gradients.
    public func maskedScatter(_ mask: Tensor, _ source: Tensor) throws -> Tensor {
        guard mask.dtype == .bool else {
            throw TorchError.runtime("masked_scatter_ only supports boolean masks, but got mask with dtype \(mask.dtype.atenName)")
        }
        guard source.dtype == dtype else {
            throw TorchError.runtime("masked_scatter: expected self and source to have same dtypes but got\(dtype.atenName) and \(source.dtype.atenName)")
        }
        let positions = try mask.expand(shape).contiguous().reshape([-1]).nonzeroColumns()[0]
        guard positions.numel <= source.numel else { throw TorchError.runtime("Number of elements of source < number of ones in mask") }
        let taken = try source.reshape([-1]).narrow(dim: 0, start: 0, length: positions.numel)
        return try reshape([-1]).indexPut(indices: [positions], values: taken, accumulate: false).reshape(shape)
    }

    /// `data_ptr()`: the address of the first element.
    public var dataPointer: Int {
        Int(bitPattern: storage.data) + storageOffset * dtype.itemSize
    }
}
