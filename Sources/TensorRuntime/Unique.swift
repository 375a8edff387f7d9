/// `unique` and `mode`: values found by sorting, as PyTorch's CPU kernels do.
extension Tensor {
    /// `unique(sorted=True, return_inverse=False, return_counts=False, dim=None)` over all
    /// elements: the distinct values in ascending order (PyTorch's CPU kernel sorts even when
    /// `sorted=False`), each element's position among them (`inverse`, the input's shape) and how
    /// often each occurs. NaNs are never equal, so each one is its own entry (at the end). The
    /// result records no gradient, as PyTorch's.
    public func unique() throws -> (values: Tensor, inverse: Tensor, counts: Tensor) {
        // Storage-only dtypes (int32, float16, …) are counted in their compute type.
        let flat = try GradMode.withNoGrad { try self.cast(dtype.computeType).dense() }
        let (values, inverse, counts) = try dispatchArith(flat.dtype, UniqueKernel(input: flat))
        return (try values.cast(dtype), try inverse.reshape(shape), counts)
    }

    /// `mode(dim=-1, keepdim=False)`: the most frequent value along `dim` (the smallest among
    /// ties) and an index of it. The index is the one PyTorch's CPU kernel reports: the last of
    /// the value's run after libstdc++'s `std::sort` of (value, index) pairs by value
    /// (ModeBackward0 sends the gradient to that index).
    public func mode(dim d: Int = -1, keepdim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let nd = try normalizeDim(d)
        let size = dim == 0 ? 1 : shape[nd]
        guard size > 0 else { throw TorchError.index("mode(): Expected reduction dim \(nd) to have non-zero size.") }
        let (outer, _, inner) = splitAround(shape, nd)
        var outShape = shape
        if dim > 0 { if keepdim { outShape[nd] = 1 } else { outShape.remove(at: nd) } }
        let x = try GradMode.withNoGrad { try self.cast(dtype.computeType).dense() }
        let (computed, indices) = try dispatchArith(x.dtype, ModeKernel(input: x, outer: outer, size: size, inner: inner, shape: outShape))
        let values = try computed.cast(dtype)
        guard GradMode.isEnabled && requiresGrad else { return (values, indices) }
        let t = GradTarget(self), kept = keepdim || dim == 0
        values.recordingGrad("ModeBackward0", inputs: [self]) { g in
            if t.shape.isEmpty { return [try t.reduce(try g.reshape([]))] }
            let z = try Tensor.zeros(t.shape, dtype: g.dtype)
            let gi = kept ? g : try g.unsqueeze(nd), ii = kept ? indices : try indices.unsqueeze(nd)
            try z.scatterRaw(dim: nd, index: try ii.contiguous(), source: try gi.contiguous(), accumulate: false)
            return [try t.reduce(z)]
        }
        return (values, indices)
    }
}

/// Distinct values, inverse indices and counts of a contiguous input.
private struct UniqueKernel: ArithKernel {
    let input: Tensor

    func run<T: ArithElement>(_: T.Type) throws -> (Tensor, Tensor, Tensor) {
        let n = input.numel
        let src = input.elements(T.self)
        // NaN sorts last; ties keep input order (Swift's sort is stable).
        let order = (0..<n).sorted { i, j in
            let a = src[i], b = src[j]
            return (!a.isNaNValue && b.isNaNValue) || T.lessThan(a, b)
        }
        return try equalRuns(src, in: order, count: n)
    }
}

/// The runs of equal values met when `src` (`count` elements) is read in `order`: each run's
/// first value, each element's run number (at its own position) and each run's length. `unique`
/// reads in sorted order, `unique_consecutive` in place. NaNs are never equal.
func equalRuns<T: ArithElement>(_ src: UnsafeMutablePointer<T>, in order: some Sequence<Int>,
                                count: Int) throws -> (Tensor, Tensor, Tensor) {
    var firsts: [T] = [], counts: [Int64] = []
    var inverse = [Int64](repeating: 0, count: count)
    for i in order {
        if let last = firsts.last, T.equal(last, src[i]) {
            counts[counts.count - 1] += 1
        } else {
            firsts.append(src[i])
            counts.append(1)
        }
        inverse[i] = Int64(firsts.count - 1)
    }
    let values = try Tensor.uninitialized([firsts.count], T.dtype)
    let pv = values.elements(T.self)
    for (k, v) in firsts.enumerated() { pv[k] = v }
    return (values, try int64Tensor(inverse), try int64Tensor(counts))
}

/// A 1-D int64 tensor holding `elements`.
private func int64Tensor(_ elements: [Int64]) throws -> Tensor {
    let t = try Tensor.uninitialized([elements.count], .int64)
    let p = t.elements(Int64.self)
    for (k, v) in elements.enumerated() { p[k] = v }
    return t
}

/// The mode of each row of a contiguous `[outer, size, inner]` input.
private struct ModeKernel: ArithKernel {
    let input: Tensor
    let outer: Int, size: Int, inner: Int
    let shape: [Int]

    func run<T: ArithElement>(_: T.Type) throws -> (Tensor, Tensor) {
        let values = try Tensor.uninitialized(shape, T.dtype), indices = try Tensor.uninitialized(shape, .int64)
        guard values.numel > 0 else { return (values, indices) }
        let src = input.elements(T.self), pv = values.elements(T.self), pi = indices.elements(Int64.self)
        var row = [T](repeating: T.zero, count: size)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * size * inner + i
                for j in 0..<size { row[j] = src[base + j * inner] }
                var sorter = StdSorter(row, less: { T.lessThan($0, $1) })
                sorter.sort(0, size)
                var mode = T.zero, modeIndex: Int64 = 0, run = 0, best = 0
                for k in 0..<size {
                    run += 1
                    if k == size - 1 || !T.equal(sorter.keys[k], sorter.keys[k + 1]) {
                        if run > best { mode = sorter.keys[k]; modeIndex = sorter.indices[k]; best = run }
                        run = 0
                    }
                }
                pv[o * inner + i] = mode
                pi[o * inner + i] = modeIndex
            }
        }
        return (values, indices)
    }
}
