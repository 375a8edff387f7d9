/// Ops that rearrange or pick elements, composed from differentiable primitives (narrow, cat,
/// repeat, index_select, multiply by a constant mask), so their gradients come for free:
/// `roll`, `tile`, `repeat_interleave`, `diag`, `trace`, `masked_select`.
extension Tensor {
    /// `roll(shifts, dims)`: elements shifted cyclically along each dim (over the flattened tensor
    /// when `dims` is empty, keeping the shape).
    public func roll(shifts: [Int], dims: [Int]) throws -> Tensor {
        if dims.isEmpty {
            guard shifts.count == 1 else {
                throw TorchError.runtime("roll: shifts and dimensions must align. shifts: \(shifts.count), dims:0")
            }
            return try flatten().roll(shifts: shifts, dims: [0]).reshape(shape)
        }
        guard shifts.count == dims.count else {
            throw TorchError.runtime("roll: shifts and dimensions must align. shifts: \(shifts.count), dims:\(dims.count)")
        }
        var out = self
        for (shift, d) in zip(shifts, dims) {
            let nd = try normalizeDim(d)
            let n = shape[nd]
            guard n > 0 else { continue }
            let s = ((shift % n) + n) % n
            guard s != 0 else { continue }
            out = try Tensor.cat([out.narrow(dim: nd, start: n - s, length: s), out.narrow(dim: nd, start: 0, length: n - s)], dim: nd)
        }
        return out
    }

    /// `tile(dims)`: `repeat` with `dims` padded with leading 1s to the tensor's rank (or the
    /// tensor given leading size-1 dims when `dims` is longer).
    public func tile(_ reps: [Int]) throws -> Tensor {
        var r = reps
        var t = self
        if r.count < dim { r = [Int](repeating: 1, count: dim - r.count) + r }
        while t.dim < r.count { t = try t.unsqueeze(0) }
        return try t.repeated(r)
    }

    /// `repeat_interleave(repeats, dim=None)`: each element (each slice along `dim`) repeated
    /// `repeats[i]` times in place; without `dim` the flattened tensor.
    public func repeatInterleave(_ repeats: [Int], dim d: Int?) throws -> Tensor {
        let source = d == nil ? try flatten() : self
        let nd = try source.normalizeDim(d ?? 0)
        let n = source.shape.isEmpty ? 1 : source.shape[nd]
        let counts = repeats.count == 1 ? [Int](repeating: repeats[0], count: n) : repeats
        guard counts.count == n else {
            throw TorchError.runtime("repeats must have the same size as input along dim, but got repeats.size(0) = \(repeats.count) and input.size(\(nd)) = \(n)")
        }
        guard counts.allSatisfy({ $0 >= 0 }) else { throw TorchError.runtime("repeats can not be negative") }
        var index: [Double] = []
        for (i, c) in counts.enumerated() { index.append(contentsOf: repeatElement(Double(i), count: c)) }
        return try source.indexSelect(dim: nd, index: try Tensor(doubles: index, shape: [index.count], dtype: .int64))
    }

    /// `diag(diagonal=0)`: a 1-D tensor becomes the square matrix with it on the `diagonal`-th
    /// diagonal; a matrix gives its `diagonal`-th diagonal.
    public func diag(diagonal k: Int = 0) throws -> Tensor {
        switch dim {
        case 1:
            let m = shape[0], n = m + Swift.abs(k)
            // rows i of a (m x n) band: column i + max(k, 0); the |k| zero rows go below (k >= 0) or above.
            var band = [Double](repeating: 0, count: m * n)
            for i in 0..<m { band[i * n + i + Swift.max(k, 0)] = 1 }
            let rows = try unsqueeze(1).mul(try Tensor(doubles: band, shape: [m, n], dtype: dtype))
            let zeros = try Tensor.zeros([Swift.abs(k), n], dtype: dtype)
            return k == 0 ? rows : try Tensor.cat(k > 0 ? [rows, zeros] : [zeros, rows], dim: 0)
        case 2:
            let (r, c) = (shape[0], shape[1])
            let start = k >= 0 ? (0, k) : (-k, 0)
            let length = Swift.max(0, Swift.min(r - start.0, c - start.1))
            let index = (0..<length).map { Double(($0 + start.0) * c + $0 + start.1) }
            return try reshape([-1]).indexSelect(dim: 0, index: try Tensor(doubles: index, shape: [length], dtype: .int64))
        default:
            throw TorchError.runtime("diag(): Supports 1D or 2D tensors. Got \(dim)D")
        }
    }

    /// `trace()`: the sum of a matrix's main diagonal.
    public func trace() throws -> Tensor {
        guard dim == 2 else { throw TorchError.runtime("trace: expected a matrix, but got tensor with dim \(dim)") }
        return try diag().sum()
    }

    /// `masked_select(mask)`: the elements where the (broadcast) bool mask is true, as a 1-D tensor.
    public func maskedSelect(_ mask: Tensor) throws -> Tensor {
        guard mask.dtype == .bool else {
            throw TorchError.runtime("masked_select: expected BoolTensor for mask")
        }
        let shape = try broadcastShapes(self.shape, mask.shape)
        return try expand(shape).index([.tensor(try mask.expand(shape))])
    }
}
