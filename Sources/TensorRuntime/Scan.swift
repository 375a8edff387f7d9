/// Cumulative operations along one dim: `cumsum` (CumsumBackward0) and `cumprod` (CumprodBackward0).
extension Tensor {
    /// `cumsum(dim, dtype=None)`: integer and bool inputs give int64 (as PyTorch), floats keep
    /// their dtype; float32 sums accumulate in double as PyTorch's CPU kernel does. The gradient
    /// is the reversed cumulative sum of the output gradient.
    public func cumsum(dim d: Int, dtype requested: DType? = nil) throws -> Tensor {
        let nd = try normalizeDim(d)
        let out = try scan(dim: nd, dtype: requested, product: false)
        guard GradMode.isEnabled && requiresGrad else { return out }
        let t = GradTarget(self)
        return out.recordingGrad("CumsumBackward0", inputs: [self], savesTensors: false) { g in
            guard !t.shape.isEmpty else { return [try t.reduce(g)] }
            return [try t.reduce(try g.flip([nd]).cumsum(dim: nd).flip([nd]))]
        }
    }

    /// `cumprod(dim, dtype=None)`: running products, with cumsum's dtype rules and float32
    /// accumulation in double (PyTorch's CPU kernel). The gradient is computed without dividing
    /// by the input, so zeros get their exact gradient (see `CumprodGradKernel`).
    public func cumprod(dim d: Int, dtype requested: DType? = nil) throws -> Tensor {
        let nd = try normalizeDim(d)
        let out = try scan(dim: nd, dtype: requested, product: true)
        guard GradMode.isEnabled && requiresGrad else { return out }
        let t = GradTarget(self), saved = SavedTensor(self)
        let (outer, size, inner) = splitAround(shape, nd)
        return out.recordingGrad("CumprodBackward0", inputs: [self]) { g in
            let x = try saved.get().detached().cast(g.dtype).dense(), gd = try g.dense()
            let grad = try Tensor.uninitialized(x.shape, g.dtype)
            try dispatchFloat(g.dtype, CumprodGradKernel(input: x, grad: gd, out: grad, outer: outer, size: size, inner: inner))
            return [try t.reduce(grad)]
        }
    }

    /// The running sums or products of `self` along `nd`, in `requested` or the scan's default dtype.
    private func scan(dim nd: Int, dtype requested: DType?, product: Bool) throws -> Tensor {
        let outType = requested ?? (dtype.isFloatingPoint ? dtype : .int64), ct = outType.computeType
        let x = try GradMode.withNoGrad { try self.cast(ct).dense() }
        let (outer, size, inner) = splitAround(shape, nd)
        let out = try Tensor.uninitialized(shape, ct)
        try dispatchArith(ct, ScanKernel(input: x, out: out, outer: outer, size: size, inner: inner, product: product))
        return try out.cast(outType)
    }
}

/// Running sums or products over rows of a contiguous `[outer, size, inner]` input.
private struct ScanKernel: ArithKernel {
    let input: Tensor, out: Tensor
    let outer: Int, size: Int, inner: Int
    let product: Bool

    func run<T: ArithElement>(_: T.Type) {
        guard out.numel > 0 else { return }
        if T.self == Float.self {
            scan(Float.self, Double.self, toAcc: { Double($0) }, fromAcc: { Float($0) })
        } else {
            scan(T.self, T.self, toAcc: { $0 }, fromAcc: { $0 })
        }
    }

    private func scan<E: ArithElement, A: ArithElement>(_: E.Type, _: A.Type, toAcc: (E) -> A, fromAcc: (A) -> E) {
        let src = input.elements(E.self), dst = out.elements(E.self)
        for o in 0..<outer {
            for i in 0..<inner {
                var acc = product ? A.one : A.zero
                var k = o * size * inner + i
                for _ in 0..<size {
                    acc = product ? A.mul(acc, toAcc(src[k])) : A.add(acc, toAcc(src[k]))
                    dst[k] = fromAcc(acc)
                    k += inner
                }
            }
        }
    }
}

/// The gradient of `cumprod` along rows of contiguous `[outer, size, inner]` tensors, without
/// division: for y_j = x_0 ⋯ x_j, dL/dx_k = (x_0 ⋯ x_{k-1}) · S_k with
/// S_k = g_k + x_{k+1} · S_{k+1}, so zeros in the input need no special case.
private struct CumprodGradKernel: FloatKernel {
    let input: Tensor, grad: Tensor, out: Tensor
    let outer: Int, size: Int, inner: Int

    func run<T: FloatElement>(_: T.Type) {
        guard out.numel > 0 else { return }
        let x = input.elements(T.self), g = grad.elements(T.self), dst = out.elements(T.self)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * size * inner + i
                var tail = 0.0
                for k in stride(from: size - 1, through: 0, by: -1) {
                    let at = base + k * inner
                    tail = Double(g[at]) + (k + 1 < size ? Double(x[at + inner]) * tail : 0)
                    dst[at] = T(tail)
                }
                var prefix = 1.0
                for k in 0..<size {
                    let at = base + k * inner
                    dst[at] = T(prefix * Double(dst[at]))
                    prefix *= Double(x[at])
                }
            }
        }
    }
}
