/// Ops the PyTorch tutorials reach for that are compositions of existing ones (so autograd comes
/// from their parts): `diagflat`, `vdot`, `addmv`, `addr`, `ldexp`, `renorm`, `nanmedian`,
/// `pdist`; and `frexp`, a kernel of its own (no gradient, as in PyTorch).
extension Tensor {
    /// `torch.diagflat(input, offset)`: the flattened input on the offset-th diagonal of a square matrix.
    public func diagflat(offset: Int = 0) throws -> Tensor {
        try flatten().diag(diagonal: offset)
    }

    /// `torch.vdot(a, b)`: the inner product of two 1-D tensors (real dtypes: `dot`).
    public func vdot(_ other: Tensor) throws -> Tensor {
        guard dim == 1, other.dim == 1 else {
            throw TorchError.runtime("1D tensors expected, but got \(dim)D and \(other.dim)D tensors")
        }
        return try dot(other)
    }

    /// `torch.ldexp(input, other)`: `input * 2 ** other` (a float result for integer inputs).
    public func ldexp(_ other: Tensor) throws -> Tensor {
        let exponent = other.dtype.isFloatingPoint ? other : try other.converted(to: DType.defaultFloat)
        let powers = try Tensor(scalar: .double(2), dtype: exponent.dtype).pow(exponent)
        return try mul(powers)
    }

    /// `Tensor.renorm(p, dim, maxnorm)`: every slice along `dim` whose p-norm exceeds `maxnorm`
    /// scaled down to norm `maxnorm` (ATen's factor `maxnorm / (norm + 1e-7)`).
    public func renorm(p: Double, dim d: Int, maxnorm: Double) throws -> Tensor {
        guard p > 0 else { throw TorchError.runtime("renorm: non-positive-norm not supported") }
        guard maxnorm >= 0 else { throw TorchError.runtime("renorm: expected maxnorm to be >= 0 but got \(formatNumber(maxnorm))") }
        guard dtype.isFloatingPoint else { throw TorchError.runtime("renorm: expected a floating point tensor, got \(dtype.atenName)") }
        guard dim > 1 else { throw TorchError.runtime("renorm: input needs at least 2 dimensions, got \(dim) dimensions") }
        let kept = try normalizeDim(d)
        let others = (0..<dim).filter { $0 != kept }
        let norms = try norm(p: p, dims: others, keepdim: true)
        let factor = try Tensor.where(try norms.gt(.double(maxnorm)),
                                      try norms.add(.double(1e-7)).reciprocal().mul(.double(maxnorm)), .double(1))
        return try mul(factor)
    }

    /// `torch.nanmedian(input)`: the lower median of the non-NaN elements (NaN when all are).
    public func nanmedian() throws -> Tensor {
        guard numel > 0 else { throw TorchError.runtime("nanmedian() input tensor cannot be empty") }
        let flat = try flatten()
        let count = numel - (try flat.isnan().toDoubles().reduce(0) { $0 + ($1 != 0 ? 1 : 0) })
        let sorted = try flat.sort().values
        return try sorted.select(dim: 0, index: Swift.max(0, (count - 1) / 2))
    }

    /// `torch.nanmedian(input, dim, keepdim)`: per slice along `dim`, the lower median of its
    /// non-NaN values and its index.
    public func nanmedian(dim d: Int, keepdim: Bool) throws -> (values: Tensor, indices: Tensor) {
        try middleAlong(d, keepdim: keepdim, "nanmedian") { counts, _ in
            try counts.sub(.int(1)).div(.int(2), roundingMode: "floor").clamp(min: .int(0))
        }
    }

    /// `median(dim, keepdim)`: per slice along `dim`, the lower median and its index, or the
    /// slice's first NaN when it has one (as PyTorch).
    public func median(dim d: Int, keepdim: Bool) throws -> (values: Tensor, indices: Tensor) {
        try middleAlong(d, keepdim: keepdim, "median") { counts, n in
            let middle = try Tensor(scalar: .int(Int64((n - 1) / 2)), dtype: .int64)
            return try Tensor.where(try counts.lt(.int(Int64(n))), counts, middle)
        }
    }

    /// The element at a position of each slice along `d` sorted (stably, NaN last), the
    /// position chosen from the slice's count of non-NaN values and its length.
    private func middleAlong(_ d: Int, keepdim: Bool, _ name: String,
                             _ position: (_ counts: Tensor, _ length: Int) throws -> Tensor) throws -> (values: Tensor, indices: Tensor) {
        if dim == 0 {
            _ = try normalizeDim(d)
            return try unsqueeze(0).middleAlong(0, keepdim: false, name, position)
        }
        let axis = try normalizeDim(d)
        guard shape[axis] > 0 else { throw TorchError.index("\(name)(): Expected reduction dim \(axis) to have non-zero size.") }
        let (values, indices) = try sort(dim: axis, stable: true)
        let counts = try isnan().logicalNot().sum(dims: [axis], keepdim: true)
        let at = try position(counts, shape[axis])
        var v = try values.gather(dim: axis, index: at), i = try indices.gather(dim: axis, index: at)
        if !keepdim { v = try v.squeeze(dim: axis); i = try i.squeeze(dim: axis) }
        return (v, i)
    }

    /// `torch.pdist(input, p)`: the p-norm distances between every pair of rows i < j, in row order.
    public func pdist(p: Double = 2) throws -> Tensor {
        guard dim == 2 else { throw TorchError.runtime("pdist only supports 2D tensors, got: \(dim)D") }
        guard dtype.isFloatingPoint else { throw TorchError.runtime("pdist only supports floating-point dtypes") }
        guard p >= 0 else { throw TorchError.runtime("pdist only supports non-negative p values") }
        let n = shape[0]
        var first: [Double] = [], second: [Double] = []
        for i in 0..<n { for j in (i + 1)..<Swift.max(i + 1, n) { first.append(Double(i)); second.append(Double(j)) } }
        let a = try indexSelect(dim: 0, index: try Tensor(doubles: first, shape: [first.count], dtype: .int64))
        let b = try indexSelect(dim: 0, index: try Tensor(doubles: second, shape: [second.count], dtype: .int64))
        return try a.sub(b).norm(p: p, dims: [1])
    }

    /// `torch.frexp(input)`: (mantissa, exponent) with `input = mantissa * 2 ** exponent`,
    /// |mantissa| in [0.5, 1) (0 for 0; infinities and NaN kept, exponent 0); exponent int32.
    public func frexp() throws -> (mantissa: Tensor, exponent: Tensor) {
        guard dtype.isFloatingPoint else { throw TorchError.runtime("torch.frexp() only supports floating-point dtypes") }
        let values = toDoubles()
        var mantissas = [Double](repeating: 0, count: values.count), exponents = mantissas
        for (k, x) in values.enumerated() {
            guard x.isFinite && x != 0 else { mantissas[k] = x; continue }
            mantissas[k] = Double(sign: x.sign, exponent: -1, significand: x.significand)
            exponents[k] = Double(x.exponent + 1)
        }
        return (try Tensor(doubles: mantissas, shape: shape, dtype: dtype),
                try Tensor(doubles: exponents, shape: shape, dtype: .int32))
    }
}

extension Functional {
    /// `torch.addmv(input, mat, vec, beta, alpha)`: `beta·input + alpha·(mat @ vec)` (addmm on a
    /// one-column matrix).
    public static func addmv(_ input: Tensor, _ mat: Tensor, _ vec: Tensor, beta: Scalar, alpha: Scalar) throws -> Tensor {
        guard mat.dim == 2, vec.dim == 1, input.dim <= 1 else {
            throw TorchError.runtime("vector + matrix @ vector expected, got \(input.dim), \(mat.dim), \(vec.dim)")
        }
        guard mat.shape[1] == vec.shape[0], input.dim == 0 || input.shape[0] == mat.shape[0] || input.shape[0] == 1 else {
            throw TorchError.runtime("size mismatch, got input (\(input.dim == 0 ? 1 : input.shape[0])), mat (\(mat.shape[0])x\(mat.shape[1])), vec (\(vec.shape[0]))")
        }
        let column = input.dim == 0 ? try input.reshape([1, 1]) : try input.unsqueeze(1)
        return try addmm(column, mat, try vec.unsqueeze(1), beta: beta, alpha: alpha).squeeze(dim: 1)
    }

    /// `torch.addr(input, vec1, vec2, beta, alpha)`: `beta·input + alpha·outer(vec1, vec2)`.
    public static func addr(_ input: Tensor, _ vec1: Tensor, _ vec2: Tensor, beta: Scalar, alpha: Scalar) throws -> Tensor {
        guard vec1.dim == 1 else { throw TorchError.runtime("addr: Expected 1-D argument vec1, but got \(vec1.dim)-D") }
        guard vec2.dim == 1 else { throw TorchError.runtime("addr: Expected 1-D argument vec2, but got \(vec2.dim)-D") }
        return try addmm(input, try vec1.unsqueeze(1), try vec2.unsqueeze(0), beta: beta, alpha: alpha)
    }
}
