/// Functions of matrices built on the decompositions: `linalg.pinv` (LinalgPinvBackward0),
/// `matrix_rank`, `lstsq` (through the pseudo-inverse, LinalgLstsqBackward0), `slogdet`
/// (LinalgSlogdetBackward0) and `matrix_power` (ATen's sequence of matmuls).
extension Tensor {
    /// Machine epsilon of a float dtype (float32's for float32, else float64's).
    static func epsilon(_ dtype: DType) -> Double { dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne }

    /// The singular values (or |eigenvalues| when hermitian) and the cut-off below which they
    /// count as zero: max(atol, rtol·σ_max), rtol defaulting to eps·max(m, n) when neither is given
    /// and to 0 when only atol is.
    private func cutoff(atol: Double?, rtol: Double?, hermitian: Bool, _ op: String) throws -> (values: Tensor, tolerance: Tensor) {
        let values = try GradMode.withNoGrad {
            hermitian ? try linalgEigh(computeVectors: false).values.abs() : try linalgSvd(computeVectors: false).s
        }
        let m = shape[dim - 2], n = shape[dim - 1]
        let r = rtol ?? (atol == nil ? Tensor.epsilon(dtype) * Double(Swift.max(m, n)) : 0)
        let largest = values.numel == 0 ? try Tensor.zeros(Array(values.shape.dropLast()), dtype: dtype)
            : try values.amax(dims: [-1])
        let tolerance = try largest.mul(.double(r)).clamp(min: .double(atol ?? 0), max: nil)
        return (values, tolerance)
    }

    /// `torch.linalg.pinv(A, atol=None, rtol=None, hermitian=False)`: V diag(1/σ, σ > tol) Uᵀ.
    public func linalgPinv(atol: Double? = nil, rtol: Double? = nil, hermitian: Bool = false) throws -> Tensor {
        _ = try ColumnMajorBatch(self, "linalg.pinv")
        let result: Tensor = try GradMode.withNoGrad {
            let tolerance = try cutoff(atol: atol, rtol: rtol, hermitian: hermitian, "linalg.pinv").tolerance.unsqueeze(-1)
            if hermitian {
                let (l, v) = try linalgEigh()
                let inverse = try Tensor.where(try l.abs().gt(tolerance), try l.reciprocal(), .int(0))
                return try v.mul(try inverse.unsqueeze(-2)).matmul(try v.transposeLastTwo())
            }
            let (u, s, vh) = try linalgSvd(fullMatrices: false)
            let inverse = try Tensor.where(try s.gt(tolerance), try s.reciprocal(), .int(0))
            return try vh.transposeLastTwo().mul(try inverse.unsqueeze(-2)).matmul(try u.transposeLastTwo())
        }
        let input = SavedTensor(self), output = SavedTensor(output: result)
        return result.recordingGrad("LinalgPinvBackward0", inputs: [self]) { g in
            [try Tensor.pinvBackward(g, try output.get(), try input.get())]
        }
    }

    /// FunctionsManual's pinv_backward (real case), in the smaller of the two orientations.
    static func pinvBackward(_ g: Tensor, _ pinvA: Tensor, _ a: Tensor) throws -> Tensor {
        let m = a.shape[a.dim - 2], n = a.shape[a.dim - 1]
        let pinvAh = try pinvA.transposeLastTwo(), gh = try g.transposeLastTwo()
        if m <= n {
            let k = try gh.matmul(pinvA), kpinvAh = try k.matmul(pinvAh)
            return try pinvA.matmul(k).transposeLastTwo().neg().add(kpinvAh)
                .sub(try a.matmul(pinvA).matmul(kpinvAh))
                .add(try pinvAh.matmul(pinvA).matmul(try gh.sub(try k.matmul(a))))
        }
        let k = try pinvA.matmul(gh), pinvAhK = try pinvAh.matmul(k)
        return try k.matmul(pinvA).transposeLastTwo().neg().add(pinvAhK)
            .sub(try pinvAhK.matmul(pinvA).matmul(a))
            .add(try gh.sub(try a.matmul(k)).matmul(pinvA).matmul(pinvAh))
    }

    /// `torch.linalg.matrix_rank(A, atol=None, rtol=None, hermitian=False)`: int64 counts.
    public func linalgMatrixRank(atol: Double? = nil, rtol: Double? = nil, hermitian: Bool = false) throws -> Tensor {
        _ = try ColumnMajorBatch(self, "linalg.matrix_rank")
        let (values, tolerance) = try cutoff(atol: atol, rtol: rtol, hermitian: hermitian, "linalg.matrix_rank")
        return try values.gt(try tolerance.unsqueeze(-1)).sum(dims: [-1])
    }

    /// `torch.linalg.lstsq(A, B, rcond)`: the least-squares solution pinv(A)·B (a vector B when it
    /// has one dim fewer than A), with the rank; residuals and singular values as the gelsd driver
    /// reports them when `withSingularValues` (gelsy, the default, leaves both empty).
    public static func linalgLstsq(_ a: Tensor, _ b: Tensor, rcond: Double?, withSingularValues: Bool)
        throws -> (solution: Tensor, residuals: Tensor, rank: Tensor, singularValues: Tensor) {
        _ = try ColumnMajorBatch(a, "torch.linalg.lstsq")
        guard a.dim >= b.dim, a.dim - b.dim <= 1 else {
            throw TorchError.runtime("torch.linalg.lstsq: input.dim() must be greater or equal to other.dim() and (input.dim() - other.dim()) <= 1")
        }
        guard a.dtype == b.dtype else {
            throw TorchError.runtime("torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's dtype \(a.dtype.atenName) and other's dtype \(b.dtype.atenName)")
        }
        let vector = b.dim == a.dim - 1
        let bm = vector ? try b.unsqueeze(-1) : b
        let m = a.shape[a.dim - 2], n = a.shape[a.dim - 1]
        guard bm.shape[bm.dim - 2] == m else {
            throw TorchError.runtime("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
        }
        let rtol = rcond ?? Tensor.epsilon(a.dtype) * Double(Swift.max(m, n))
        let pinvA = try GradMode.withNoGrad { try a.linalgPinv(rtol: rtol) }
        let solutionMatrix = try GradMode.withNoGrad { try pinvA.matmul(bm) }
        let solution = vector ? try solutionMatrix.squeeze(dim: -1) : solutionMatrix
        let rank = try a.linalgMatrixRank(rtol: rtol)
        var residuals = try Tensor(shape: [0], dtype: a.dtype), singular = try Tensor(shape: [0], dtype: a.dtype)
        if withSingularValues {
            singular = try GradMode.withNoGrad { try a.linalgSvd(computeVectors: false).s }
            if m > n, !(try rank.ne(.int(Int64(n))).anyTrue()) {
                let difference = try GradMode.withNoGrad { try a.matmul(solutionMatrix).sub(bm) }
                residuals = try difference.mul(difference).sum(dims: [-2])
                if vector { residuals = try residuals.squeeze(dim: -1) }
            }
        }
        let ta = GradTarget(a), tb = GradTarget(b), sa = SavedTensor(a), sb = SavedTensor(bm), sp = SavedTensor(pinvA)
        let recorded = solution.recordingGrad("LinalgLstsqBackward0", inputs: [a, b]) { g in
            let gX = vector ? try g.unsqueeze(-1) : g, pinvA = try sp.get()
            let gA = ta.needsGrad ? try pinvBackward(try gX.matmul(try sb.get().transposeLastTwo()), pinvA, try sa.get()) : nil
            var gB: Tensor? = nil
            if tb.needsGrad {
                let full = try pinvA.transposeLastTwo().matmul(gX)
                gB = try tb.reduce(vector ? try full.squeeze(dim: -1) : full)
            }
            return [try gA.map { try ta.reduce($0) } ?? nil, gB]
        }
        return (recorded, residuals, rank, singular)
    }

    /// `torch.linalg.slogdet(A)`: (sign, log|det|) (LinalgSlogdetBackward0 on log|det|: g·A⁻ᵀ).
    public func linalgSlogdet() throws -> (sign: Tensor, logabsdet: Tensor) {
        _ = try squareBatch("linalg.slogdet")
        let det = try GradMode.withNoGrad { try linalgDet() }
        let sign = try det.sign()
        let logabsdet = try det.abs().log()
        let input = SavedTensor(self)
        let recorded = logabsdet.recordingGrad("LinalgSlogdetBackward0", inputs: [self]) { g in
            [try g.unsqueeze(-1).unsqueeze(-1).mul(try input.get().linalgInv().transposeLastTwo())]
        }
        return (sign, recorded)
    }

    /// `torch.linalg.matrix_power(A, n)`: ATen's products (n = 0 the identity, n < 0 powers of the
    /// inverse, 2 and 3 direct, larger n by binary decomposition).
    public func matrixPower(_ power: Int) throws -> Tensor {
        _ = try squareBatch("linalg.matrix_power")
        let n = shape[dim - 1]
        if power == 0 { return try Tensor.eye(n: n, dtype: dtype).expand(shape).contiguous() }
        let a = power < 0 ? try linalgInv() : self
        var k = power.magnitude
        if k == 1 { return try a.cloned() }
        if k == 2 { return try a.matmul(a) }
        if k == 3 { return try a.matmul(a).matmul(a) }
        var z: Tensor? = nil, result: Tensor? = nil
        while k > 0 {
            let bit = k % 2
            k /= 2
            let square = try z.map { try $0.matmul($0) } ?? a
            z = square
            if bit == 1 { result = try result.map { try $0.matmul(square) } ?? square }
        }
        return result ?? a
    }
}
