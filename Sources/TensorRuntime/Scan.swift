/// Cumulative operations along one dim: `cumsum` (CumsumBackward0).
extension Tensor {
    /// `cumsum(dim, dtype=None)`: integer and bool inputs give int64 (as PyTorch), floats keep
    /// their dtype; float32 sums accumulate in double as PyTorch's CPU kernel does. The gradient
    /// is the reversed cumulative sum of the output gradient.
    public func cumsum(dim d: Int, dtype requested: DType? = nil) throws -> Tensor {
        let nd = try normalizeDim(d)
        let outType = requested ?? (dtype.isFloatingPoint ? dtype : .int64), ct = outType.computeType
        let x = try GradMode.withNoGrad { try self.cast(ct).dense() }
        let (outer, size, inner) = splitAround(shape, nd)
        let sums = try Tensor.uninitialized(shape, ct)
        try dispatchArith(ct, CumsumKernel(input: x, out: sums, outer: outer, size: size, inner: inner))
        let out = try sums.cast(outType)
        guard GradMode.isEnabled && requiresGrad else { return out }
        let t = GradTarget(self)
        return out.recordingGrad("CumsumBackward0", inputs: [self], savesTensors: false) { g in
            guard !t.shape.isEmpty else { return [try t.reduce(g)] }
            return [try t.reduce(try g.flip([nd]).cumsum(dim: nd).flip([nd]))]
        }
    }
}

/// Running sums over rows of a contiguous `[outer, size, inner]` input.
private struct CumsumKernel: ArithKernel {
    let input: Tensor, out: Tensor
    let outer: Int, size: Int, inner: Int

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
                var acc = A.zero
                var k = o * size * inner + i
                for _ in 0..<size {
                    acc = A.add(acc, toAcc(src[k]))
                    dst[k] = fromAcc(acc)
                    k += inner
                }
            }
        }
    }
}
