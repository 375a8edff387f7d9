/// Reductions built on the primitive ones: `logsumexp`, `std_mean` / `var_mean`, `median`,
/// `kthvalue`, and the elementwise `lerp`, `isclose`, `nan_to_num`, composed so autograd follows.
extension Tensor {
    /// `logsumexp(dim, keepdim=False)`: log(sum(exp(x))) computed stably (the max subtracted first;
    /// infinite maxima are left out of the shift, as PyTorch does).
    public func logsumexp(dims: [Int], keepdim: Bool = false) throws -> Tensor {
        guard dtype.isFloatingPoint else { return try converted(to: .float32).logsumexp(dims: dims, keepdim: keepdim) }
        let m = try GradMode.withNoGrad { () -> Tensor in
            let raw = try amax(dims: dims, keepdim: true)
            return try raw.maskedFill(try raw.isinf(), .double(0))
        }.detached()
        let out = try sub(m).exp().sum(dims: dims, keepdim: true).log().add(m)
        guard !keepdim else { return out }
        let normalized = try Set(dims.map { try normalizeDim($0) })
        return try out.reshape(shape.enumerated().filter { !normalized.contains($0.offset) }.map { $0.element })
    }

    /// `median()`: the lower of the two middle values of all elements; NaN (the first one) when
    /// there is one, as PyTorch (`nanmedian` skips them).
    public func median() throws -> Tensor {
        let flat = try reshape([-1])
        guard flat.numel > 0 else { throw TorchError.runtime("median() input tensor cannot be empty") }
        let nans = try flat.isnan().toDoubles().reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        let sorted = try flat.sort(stable: true).values
        return try sorted.select(dim: 0, index: nans > 0 ? flat.numel - nans : (flat.numel - 1) / 2)
    }

    /// `median(dim, keepdim)` / `kthvalue(k, dim, keepdim)`: the k-th smallest value along `dim`
    /// (the median is k = (n + 1) / 2) and its index.
    public func kthValue(_ k: Int, dim d: Int = -1, keepdim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let nd = try normalizeDim(d)
        let n = dim == 0 ? 1 : shape[nd]
        guard k >= 1 && k <= n else { throw TorchError.runtime("kthvalue(): selected number k out of range for dimension \(nd)") }
        let (values, indices) = try sort(dim: nd, stable: true)
        var v = try values.narrow(dim: nd, start: k - 1, length: 1), i = try indices.narrow(dim: nd, start: k - 1, length: 1)
        if !keepdim && dim > 0 { v = try v.squeeze(dim: nd); i = try i.squeeze(dim: nd) }
        return (v, i)
    }

    /// `lerp(end, weight)`: self + weight * (end - self).
    public func lerp(_ end: Tensor, weight: Tensor) throws -> Tensor {
        try add(try weight.mul(try end.sub(self)))
    }

    /// `isclose(other, rtol, atol, equal_nan)`: |self - other| <= atol + rtol * |other|, elementwise
    /// (equal infinities are close; NaNs only with `equalNaN`).
    public func isclose(_ other: Tensor, rtol: Double = 1e-05, atol: Double = 1e-08, equalNaN: Bool = false) throws -> Tensor {
        guard dtype == other.dtype else {
            throw TorchError.runtime("\(dtype.atenName) did not match \(other.dtype.atenName)")
        }
        return try GradMode.withNoGrad {
            if !dtype.isFloatingPoint { return try eq(other) }
            let tolerance = try other.abs().mul(.double(rtol)).add(.double(atol))
            var close = try eq(other).logicalOr(try sub(other).abs().le(tolerance))
            if equalNaN { close = try close.logicalOr(try isnan().logicalAnd(try other.isnan())) }
            return close
        }
    }

    /// `nan_to_num(nan=0.0, posinf=None, neginf=None)`: NaN and the infinities replaced (by the
    /// dtype's largest and lowest finite values unless given).
    public func nanToNum(nan: Double = 0, posinf: Double? = nil, neginf: Double? = nil) throws -> Tensor {
        guard dtype.isFloatingPoint else { return try cloned() }
        let big = dtype == .float32 ? Double(Float.greatestFiniteMagnitude) : Double.greatestFiniteMagnitude
        let inf = try isinf()
        let positive = try inf.logicalAnd(try gt(.double(0))), negative = try inf.logicalAnd(try lt(.double(0)))
        return try maskedFill(try isnan(), .double(nan)).maskedFill(positive, .double(posinf ?? big)).maskedFill(negative, .double(neginf ?? -big))
    }
}
