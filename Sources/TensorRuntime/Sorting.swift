/// `sort`, `argsort` and `topk` along one dim, with PyTorch's CPU orders (NaN counts as the
/// largest value; ties come out as libstdc++'s algorithms leave them, see StdSort.swift) and
/// gradients (SortBackward0 / TopkBackward0 scatter the gradient back to the source positions).
extension Tensor {
    /// `sort(dim=-1, descending=False, stable=False)` → (values, indices int64).
    public func sort(dim d: Int = -1, descending: Bool = false, stable: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        if dtype.isReduced { return try selectingInComputeType { try $0.sort(dim: d, descending: descending, stable: stable) } }
        let nd = try normalizeDim(d)
        let (outer, size, inner) = splitAround(shape, nd)
        // PyTorch leaves an expanded (stride 0) dim untouched: all values are equal.
        let untouched = dim > 0 && strides[nd] == 0
        // Large 1-D ascending integer sorts go through FBGEMM's (stable) radix sort.
        let radix = dim == 1 && dtype == .int64 && !descending && numel >= 32768
        let job = RowSelection(input: try dense(), outer: outer, size: size, inner: inner,
                               mode: .sort(descending: descending, stable: stable || radix, untouched: untouched))
        let (values, indices) = try dispatchArith(dtype, SelectionKernel(job: job, shape: shape))
        recordSelectionGrad(values, indices, dim: nd, name: "SortBackward0")
        return (values, indices)
    }

    /// `argsort(dim=-1, descending=False, stable=False)`: the indices of `sort`.
    public func argsort(dim d: Int = -1, descending: Bool = false, stable: Bool = false) throws -> Tensor {
        try GradMode.withNoGrad { try sort(dim: d, descending: descending, stable: stable).indices }
    }

    /// `topk(k, dim=-1, largest=True, sorted=True)` → (values, indices int64).
    public func topk(_ k: Int, dim d: Int = -1, largest: Bool = true, sorted: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        if dtype.isReduced { return try selectingInComputeType { try $0.topk(k, dim: d, largest: largest, sorted: sorted) } }
        let nd = try normalizeDim(d)
        let (outer, size, inner) = splitAround(shape, nd)
        guard k >= 0 && k <= size else { throw TorchError.runtime("selected index k out of range") }
        guard dtype != .bool else { throw TorchError(.notImplementedError, "topk does not support bool dtypes on CPU") }
        var outShape = shape
        if dim > 0 { outShape[nd] = k }
        let job = RowSelection(input: try dense(), outer: outer, size: size, inner: inner,
                               mode: .topk(k: dim == 0 ? 1 : k, largest: largest, sorted: sorted))
        let (values, indices) = try dispatchArith(dtype, SelectionKernel(job: job, shape: outShape))
        recordSelectionGrad(values, indices, dim: nd, name: "TopkBackward0")
        return (values, indices)
    }

    /// A selection (sort, topk) of a storage-type tensor made in its compute type, where the values
    /// are exact; autograd goes through the conversions.
    private func selectingInComputeType(_ select: (Tensor) throws -> (values: Tensor, indices: Tensor)) throws -> (values: Tensor, indices: Tensor) {
        let (values, indices) = try select(try converted(to: dtype.computeType))
        return (try values.converted(to: dtype), indices)
    }

    /// The gradient of selected values: scattered back to the positions `indices` name.
    private func recordSelectionGrad(_ values: Tensor, _ indices: Tensor, dim nd: Int, name: String) {
        guard GradMode.isEnabled && requiresGrad else { return }
        let t = GradTarget(self)
        values.recordingGrad(name, inputs: [self]) { g in
            if t.shape.isEmpty { return [try t.reduce(try g.reshape([]))] }
            let z = try Tensor.zeros(t.shape, dtype: g.dtype)
            try z.scatterRaw(dim: nd, index: indices, source: try g.contiguous(), accumulate: false)
            return [try t.reduce(z)]
        }
    }
}

/// What to do with each row (the elements along the chosen dim) of a contiguous input viewed as
/// `[outer, size, inner]`.
private struct RowSelection {
    enum Mode {
        case sort(descending: Bool, stable: Bool, untouched: Bool)
        case topk(k: Int, largest: Bool, sorted: Bool)
    }
    let input: Tensor
    let outer: Int, size: Int, inner: Int
    let mode: Mode

    /// Elements kept per row.
    var kept: Int {
        switch mode {
        case .sort: return size
        case .topk(let k, _, _): return k
        }
    }
}

/// Runs a `RowSelection` for one element type; results are contiguous in `shape`.
private struct SelectionKernel: ArithKernel {
    let job: RowSelection
    let shape: [Int]

    func run<T: ArithElement>(_: T.Type) throws -> (Tensor, Tensor) {
        let values = try Tensor.uninitialized(shape, T.dtype)
        let indices = try Tensor.uninitialized(shape, .int64)
        let kept = job.kept, size = job.size, inner = job.inner
        guard values.numel > 0 else { return (values, indices) }
        let src = job.input.elements(T.self)
        let pv = values.elements(T.self), pi = indices.elements(Int64.self)
        // NaN is larger than every number and equal to itself.
        let ascending: (T, T) -> Bool = { a, b in (!a.isNaNValue && b.isNaNValue) || T.lessThan(a, b) }
        let descending: (T, T) -> Bool = { a, b in (a.isNaNValue && !b.isNaNValue) || T.lessThan(b, a) }
        var row = [T](repeating: T.zero, count: size)
        for o in 0..<job.outer {
            for i in 0..<inner {
                let base = o * size * inner + i
                for j in 0..<size { row[j] = src[base + j * inner] }
                var sorter: StdSorter<T>
                switch job.mode {
                case .sort(let desc, let stable, let untouched):
                    sorter = StdSorter(row, less: desc ? descending : ascending)
                    if untouched { break }
                    if stable { sorter.stableSort() } else { sorter.sort(0, size) }
                case .topk(let k, let largest, let sorted):
                    sorter = StdSorter(row, less: largest ? descending : ascending)
                    if k == 0 { break }
                    if k * 64 <= size {
                        sorter.partialSort(0, k, size)
                    } else {
                        sorter.nthElement(0, k - 1, size)
                        if sorted { sorter.sort(0, k - 1) }
                    }
                }
                let outBase = o * kept * inner + i
                for j in 0..<kept {
                    pv[outBase + j * inner] = sorter.keys[j]
                    pi[outBase + j * inner] = sorter.indices[j]
                }
            }
        }
        return (values, indices)
    }
}
