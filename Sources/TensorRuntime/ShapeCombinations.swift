/// `diff`, `rot90`, `block_diag`, `cartesian_prod`, `combinations`, `atleast_Nd`: shape utilities
/// composed from views, `cat`, `flip` and `index_select`, so autograd follows those ops.
extension Tensor {
    /// `torch.diff(input, n=1, dim=-1, prepend=None, append=None)`: the n-th forward difference
    /// along dim (`logical_xor` of neighbours for bool tensors).
    public func diff(n: Int = 1, dim d: Int = -1, prepend: Tensor? = nil, append: Tensor? = nil) throws -> Tensor {
        guard dim >= 1 else { throw TorchError.runtime("diff expects input to be at least one-dimensional") }
        guard n >= 0 else { throw TorchError.runtime("order must be non-negative but got \(n)") }
        let nd = try normalizeDim(d)
        var x = self
        let ends = [prepend, self, append].compactMap { $0 }
        if ends.count > 1 {
            for e in ends where e.dim != dim {
                throw TorchError.runtime("diff expects prepend or append to be the same dimension as input")
            }
            x = try Tensor.cat(ends, dim: nd)
        }
        for _ in 0..<n {
            let length = x.shape[nd]
            guard length > 0 else { break }
            let later = try x.narrow(dim: nd, start: 1, length: length - 1)
            let earlier = try x.narrow(dim: nd, start: 0, length: length - 1)
            x = x.dtype == .bool ? try later.logicalXor(earlier) : try later.sub(earlier)
        }
        return x
    }

    /// `torch.rot90(input, k=1, dims=[0, 1])`: rotated by 90° k times from the first dim toward the second.
    public func rot90(k: Int = 1, dims: [Int] = [0, 1]) throws -> Tensor {
        guard dims.count == 2 else { throw TorchError.runtime("expected total rotation dims == 2, but got dims = \(dims.count)") }
        guard dim >= 2 else { throw TorchError.runtime("expected total dims >= 2, but got total dims = \(dim)") }
        let d0 = try normalizeDim(dims[0]), d1 = try normalizeDim(dims[1])
        guard d0 != d1 else {
            throw TorchError.runtime("expected rotation dims to be different, but got dim0 = \(d0) and dim1 = \(d1)")
        }
        switch ((k % 4) + 4) % 4 {
        case 1: return try flip([d1]).transpose(d0, d1)
        case 2: return try flip([d0, d1])
        case 3: return try flip([d0]).transpose(d0, d1)
        default: return try cloned()
        }
    }

    /// `torch.block_diag(*tensors)`: the inputs (0-, 1- or 2-D, promoted to one dtype) along the
    /// diagonal of a matrix of zeros.
    public static func blockDiag(_ tensors: [Tensor]) throws -> Tensor {
        var dtype = DType.float32
        var blocks: [Tensor] = []
        for (i, t) in tensors.enumerated() {
            guard t.dim <= 2 else {
                throw TorchError.runtime("torch.block_diag: Input tensors must have 2 or fewer dimensions. Input \(i) has \(t.dim) dimensions")
            }
            dtype = i == 0 ? t.dtype : DType.promote(dtype, t.dtype)
            blocks.append(try t.reshape(t.dim == 2 ? t.shape : [1, t.numel]))
        }
        guard !blocks.isEmpty else { return try zeros([1, 0]) }
        let width = blocks.reduce(0) { $0 + $1.shape[1] }
        var rows: [Tensor] = [], left = 0
        for b in blocks {
            let (h, w) = (b.shape[0], b.shape[1])
            let row = try cat([try zeros([h, left], dtype: dtype), try b.cast(dtype),
                               try zeros([h, width - left - w], dtype: dtype)], dim: 1)
            rows.append(row)
            left += w
        }
        return try cat(rows, dim: 0)
    }

    /// `torch.cartesian_prod(*tensors)`: every combination of one element of each 1-D input, one row each.
    public static func cartesianProd(_ tensors: [Tensor]) throws -> Tensor {
        for t in tensors where t.dim != 1 {
            throw TorchError.runtime("Expect a 1D vector, but got shape \(shapeDescription(t.shape))")
        }
        guard let first = tensors.first else { throw TorchError.runtime("meshgrid expects a non-empty TensorList") }
        guard tensors.count > 1 else { return first }
        guard tensors.allSatisfy({ $0.dtype == first.dtype }) else {
            throw TorchError.runtime("meshgrid expects all tensors to have the same dtype")
        }
        let sizes = tensors.map { $0.shape[0] }
        let columns = try tensors.enumerated().map { i, t -> Tensor in
            var viewShape = [Int](repeating: 1, count: tensors.count)
            viewShape[i] = sizes[i]
            return try t.reshape(viewShape).expand(sizes).reshape([-1])
        }
        return try stack(columns, dim: 1)
    }

    /// `torch.combinations(input, r=2, with_replacement=False)`: the r-length combinations of a
    /// 1-D tensor's elements in lexicographic order of position, one row each.
    public func combinations(r: Int = 2, withReplacement: Bool = false) throws -> Tensor {
        guard dim == 1 else { throw TorchError.runtime("Expect a 1D vector, but got shape \(shapeDescription(shape))") }
        guard r >= 0 else { throw TorchError.runtime("Expect a non-negative number, but got \(r)") }
        guard r > 0 else { return try Tensor.zeros([0], dtype: dtype) }
        let n = shape[0]
        // C(n, r), or C(n + r - 1, r) with replacement, checked against the allocation limit first
        // (the count saturates once it is past any allocation).
        let (pool, poolOverflow) = withReplacement ? n.addingReportingOverflow(r - 1) : (n, false)
        var count = poolOverflow || pool >= r ? 1 : 0
        var i = 0
        while i < r, count > 0, count < Storage.allocationLimitBytes {
            let (p, o) = count.multipliedReportingOverflow(by: poolOverflow ? Int.max : pool - i)
            count = o ? Int.max : p / (i + 1)
            i += 1
        }
        guard count > 0 else { return try Tensor.zeros([0, r], dtype: dtype) }
        let (total, overflow) = count.multipliedReportingOverflow(by: r)
        _ = try Storage.checkAllocation(count: overflow ? Int.max : total, itemSize: 8)
        var picks: [[Double]] = Array(repeating: [], count: r)
        // The next combination: raise the rightmost index that can still grow, reset those after it.
        var current = (0..<r).map { withReplacement ? 0 : $0 }
        while true {
            for (i, c) in current.enumerated() { picks[i].append(Double(c)) }
            guard let i = current.indices.last(where: { current[$0] < (withReplacement ? n - 1 : n - r + $0) }) else { break }
            current[i] += 1
            for j in (i + 1)..<r { current[j] = withReplacement ? current[i] : current[j - 1] + 1 }
        }
        let columns = try picks.map { column in
            try indexSelect(dim: 0, index: try Tensor(doubles: column, shape: [picks[0].count], dtype: .int64))
        }
        return try Tensor.stack(columns, dim: 1)
    }

    /// `torch.atleast_1d/2d/3d`: a view with at least `rank` dims (PyTorch's placement of the new ones).
    public func atLeast(_ rank: Int) throws -> Tensor {
        switch (rank, dim) {
        case (_, let d) where d >= rank: return self
        case (_, 0): return try reshape([Int](repeating: 1, count: rank))
        case (2, 1), (3, 1): return try unsqueeze(0).atLeast(rank)
        default: return try unsqueeze(-1)   // 2-D to 3-D: a trailing dim
        }
    }

    /// `tensor_split(sections, dim)`: `sections` views along dim, the first `size % sections` one longer.
    public func tensorSplit(sections: Int, dim d: Int = 0) throws -> [Tensor] {
        guard dim > 0 else { throw TorchError.runtime("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims") }
        guard sections > 0 else { throw TorchError.runtime("number of sections must be larger than 0, got \(sections)") }
        let nd = try normalizeDim(d), size = shape[nd]
        let (base, extra) = (size / sections, size % sections)
        return try tensorSplit(indices: (1..<sections).map { i in i * base + Swift.min(i, extra) }, dim: nd)
    }

    /// `tensor_split(indices, dim)`: views between consecutive indices along dim (clamped to the size).
    public func tensorSplit(indices: [Int], dim d: Int = 0) throws -> [Tensor] {
        guard dim > 0 else { throw TorchError.runtime("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims") }
        let nd = try normalizeDim(d), size = shape[nd]
        let bounds = [0] + indices.map { Swift.min(Swift.max($0 < 0 ? $0 + size : $0, 0), size) } + [size]
        return try zip(bounds, bounds.dropFirst()).map { start, end in
            try narrow(dim: nd, start: start, length: Swift.max(end - start, 0))
        }
    }
}
