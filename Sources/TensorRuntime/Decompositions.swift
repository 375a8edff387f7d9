import CKernels

/// `torch.linalg.svd` / `svdvals`, `eigh` / `eigvalsh`, `qr` and `cholesky` on batches of
/// matrices (`…, m, n`), through OpenBLAS's LAPACK (dgesdd, dsyevd, dgeqrf + dorgqr, dpotrf) in
/// Double, each result rounded once to the input's dtype. PyTorch's CPU build calls LAPACK in
/// the input's precision (MKL), so float32 results can differ in the last bits, and singular or
/// eigen vectors of repeated values may be chosen differently. Backward passes are PyTorch's
/// formulas (FunctionsManual: svd_backward, linalg_eig_backward, linalg_qr_backward,
/// cholesky_backward), written with tensor ops so they record a graph under create_graph.
extension Tensor {
    // MARK: - Batches of column-major matrices

    /// Each matrix of a `(…, m, n)` tensor as a column-major Double buffer.
    struct ColumnMajorBatch {
        let batchShape: [Int], rows: Int, columns: Int
        var matrices: [[Double]]

        init(_ t: Tensor, _ op: String) throws {
            guard t.dim >= 2 else { throw TorchError.runtime("\(op): The input tensor A must have at least 2 dimensions.") }
            guard t.dtype == .float32 || t.dtype == .float64 else {
                throw TorchError(.notImplementedError, "\(op): Expected a floating point or complex tensor as input. Got \(t.dtype.shortName)")
            }
            batchShape = Array(t.shape.dropLast(2))
            rows = t.shape[t.dim - 2]
            columns = t.shape[t.dim - 1]
            let values = t.toDoubles(), m = rows, n = columns
            matrices = stride(from: 0, to: values.count, by: Swift.max(m * n, 1)).map { start in
                var a = [Double](repeating: 0, count: m * n)
                for i in 0..<m { for j in 0..<n { a[j * m + i] = values[start + i * n + j] } }
                return a
            }
            if m * n == 0 { matrices = [[Double]](repeating: [], count: batchShape.reduce(1, *)) }
        }
    }

    /// A `(batch…, rows, columns)` tensor from column-major buffers (one per batch element).
    static func fromColumnMajor(_ buffers: [[Double]], batchShape: [Int], rows: Int, columns: Int, dtype: DType) throws -> Tensor {
        var out = [Double](repeating: 0, count: buffers.count * rows * columns)
        for (b, a) in buffers.enumerated() {
            let base = b * rows * columns
            for i in 0..<rows { for j in 0..<columns { out[base + i * columns + j] = a[j * rows + i] } }
        }
        return try Tensor(doubles: out, shape: batchShape + [rows, columns], dtype: dtype)
    }

    /// "(Batch element k): " for batched inputs, as PyTorch's LAPACK error messages.
    private static func batchPrefix(_ batch: [Int], _ k: Int) -> String { batch.isEmpty ? "" : "(Batch element \(k)): " }

    // MARK: - SVD

    /// `torch.linalg.svd(A, full_matrices)`: U `(…, m, m|k)`, S `(…, k)` descending, Vh `(…, n|k, n)`
    /// (LinalgSvdBackward0 on each). `computeVectors: false` gives S alone (svdvals).
    public func linalgSvd(fullMatrices: Bool = true, computeVectors: Bool = true) throws -> (u: Tensor, s: Tensor, vh: Tensor) {
        let batch = try ColumnMajorBatch(self, computeVectors ? "linalg.svd" : "linalg.svdvals")
        let m = batch.rows, n = batch.columns, k = Swift.min(m, n)
        let uColumns = fullMatrices ? m : k, vRows = fullMatrices ? n : k
        var us = [[Double]](), ss = [Double](), vs = [[Double]]()
        for (index, matrix) in batch.matrices.enumerated() {
            var a = matrix
            var s = [Double](repeating: 0, count: k)
            var u = [Double](repeating: 0, count: Swift.max(m * uColumns, 1)), vt = [Double](repeating: 0, count: Swift.max(vRows * n, 1))
            if k > 0 {
                var jobz: CChar = computeVectors ? (fullMatrices ? 65 : 83) : 78  // 'A', 'S', 'N'
                var mm = Int32(m), nn = Int32(n), lda = Int32(m), ldu = Int32(Swift.max(m, 1)), ldvt = Int32(Swift.max(vRows, 1))
                var iwork = [Int32](repeating: 0, count: 8 * k), info: Int32 = 0, lwork: Int32 = -1, query = 0.0
                dgesdd_(&jobz, &mm, &nn, &a, &lda, &s, &u, &ldu, &vt, &ldvt, &query, &lwork, &iwork, &info, 1)
                lwork = Int32(query)
                var work = [Double](repeating: 0, count: Swift.max(Int(query), 1))
                dgesdd_(&jobz, &mm, &nn, &a, &lda, &s, &u, &ldu, &vt, &ldvt, &work, &lwork, &iwork, &info, 1)
                guard info == 0 else {
                    throw TorchError.runtime("linalg.svd: \(Tensor.batchPrefix(batch.batchShape, index))The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated singular values (error code: \(info)).")
                }
            } else if computeVectors && fullMatrices {
                for i in 0..<m { u[i * m + i] = 1 }
                for i in 0..<n { vt[i * n + i] = 1 }
            }
            us.append(u); ss += s; vs.append(vt)
        }
        let sTensor = try Tensor(doubles: ss, shape: batch.batchShape + [k], dtype: dtype)
        guard computeVectors else {
            // svdvals: vectors are needed for the gradient only.
            let input = SavedTensor(self)
            return (self, sTensor.recordingGrad("LinalgSvdBackward0", inputs: [self]) { g in
                let (u, _, vh) = try GradMode.withNoGrad { try input.get().linalgSvd(fullMatrices: false) }
                return [try u.mul(try g.unsqueeze(-2)).matmul(vh)]
            }, self)
        }
        let u = try Tensor.fromColumnMajor(us, batchShape: batch.batchShape, rows: m, columns: uColumns, dtype: dtype)
        let vh = try Tensor.fromColumnMajor(vs, batchShape: batch.batchShape, rows: vRows, columns: n, dtype: dtype)
        let outputs = try Tensor.recordingJointly("LinalgSvdBackward0", input: self, outputs: [u, sTensor, vh]) { g in
            try Tensor.svdBackward(g[0], g[1], g[2], u, sTensor, vh, k: k)
        }
        return (outputs[0], outputs[1], outputs[2])
    }

    /// FunctionsManual's svd_backward (real case); full_matrices outputs are narrowed to k.
    static func svdBackward(_ gU0: Tensor, _ gS: Tensor, _ gVh0: Tensor, _ u0: Tensor, _ s: Tensor, _ vh0: Tensor, k: Int) throws -> Tensor {
        let u = try u0.narrow(dim: -1, start: 0, length: k), vh = try vh0.narrow(dim: -2, start: 0, length: k)
        let gU = try gU0.narrow(dim: -1, start: 0, length: k), gVh = try gVh0.narrow(dim: -2, start: 0, length: k)
        let m = u.shape[u.dim - 2], n = vh.shape[vh.dim - 1]
        func skew(_ a: Tensor) throws -> Tensor { try a.sub(try a.transposeLastTwo()) }
        let uhgU = try skew(try u.transposeLastTwo().matmul(gU)), vhgV = try skew(try vh.matmul(try gVh.transposeLastTwo()))
        let s2 = try s.mul(s)
        let e = try s2.unsqueeze(-2).sub(try s2.unsqueeze(-1)).add(try Tensor.eye(n: k, dtype: s.dtype))
        var gA = try uhgU.mul(try s.unsqueeze(-2)).add(try s.unsqueeze(-1).mul(vhgV)).div(e)
        gA = try gA.add(try Tensor.diagonalMatrices(gS))
        if m > n {
            gA = try u.matmul(gA)
            let gUSinv = try gU.div(try s.unsqueeze(-2))
            gA = try gA.add(gUSinv).sub(try u.matmul(try u.transposeLastTwo().matmul(gUSinv)))
            return try gA.matmul(vh)
        }
        if m < n {
            gA = try gA.matmul(vh)
            let sinvgVh = try gVh.div(try s.unsqueeze(-1))
            gA = try gA.add(sinvgVh).sub(try sinvgVh.matmul(try vh.transposeLastTwo()).matmul(vh))
            return try u.matmul(gA)
        }
        return try u.matmul(try gA.matmul(vh))
    }

    /// `(…, k)` → `(…, k, k)` with the values on the diagonals.
    static func diagonalMatrices(_ d: Tensor) throws -> Tensor {
        let k = d.shape.last ?? 1
        return try d.unsqueeze(-1).mul(try Tensor.eye(n: k, dtype: d.dtype))
    }

    // MARK: - Symmetric eigendecomposition

    /// `torch.linalg.eigh(A, UPLO)`: ascending eigenvalues and orthonormal eigenvectors (columns)
    /// of the symmetric matrices whose `UPLO` triangle A holds (LinalgEighBackward0).
    public func linalgEigh(upper: Bool = false, computeVectors: Bool = true) throws -> (values: Tensor, vectors: Tensor) {
        let op = computeVectors ? "linalg.eigh" : "linalg.eigvalsh"
        guard dtype == .float32 || dtype == .float64 || dim < 2 else {
            throw TorchError(.notImplementedError, "\"linalg_eigh_cpu\" not implemented for '\(dtype.shortName)'")
        }
        let batch = try ColumnMajorBatch(self, op)
        guard batch.rows == batch.columns else {
            throw TorchError.runtime("\(op): A must be batches of square matrices, but they are \(batch.rows) by \(batch.columns) matrices")
        }
        let n = batch.rows
        var values = [Double](), vectors = [[Double]]()
        for (index, matrix) in batch.matrices.enumerated() {
            var a = matrix, w = [Double](repeating: 0, count: n)
            if n > 0 {
                var jobz: CChar = 86, uplo: CChar = upper ? 85 : 76  // 'V'; 'U' / 'L'
                var nn = Int32(n), lda = Int32(n), info: Int32 = 0, lwork: Int32 = -1, liwork: Int32 = -1
                var query = 0.0, iquery: Int32 = 0
                dsyevd_(&jobz, &uplo, &nn, &a, &lda, &w, &query, &lwork, &iquery, &liwork, &info, 1, 1)
                lwork = Int32(query); liwork = iquery
                var work = [Double](repeating: 0, count: Swift.max(Int(query), 1)), iwork = [Int32](repeating: 0, count: Swift.max(Int(iquery), 1))
                dsyevd_(&jobz, &uplo, &nn, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
                guard info == 0 else {
                    throw TorchError.runtime("\(op): \(Tensor.batchPrefix(batch.batchShape, index))The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated eigenvalues (error code: \(info)).")
                }
            }
            values += w; vectors.append(a)
        }
        let l = try Tensor(doubles: values, shape: batch.batchShape + [n], dtype: dtype)
        let v = try Tensor.fromColumnMajor(vectors, batchShape: batch.batchShape, rows: n, columns: n, dtype: dtype)
        guard computeVectors else {
            let saved = SavedTensor(v)
            return (l.recordingGrad("LinalgEighBackward0", inputs: [self]) { g in
                let v = try saved.get()
                return [try v.mul(try g.unsqueeze(-2)).matmul(try v.transposeLastTwo())]
            }, v)
        }
        let outputs = try Tensor.recordingJointly("LinalgEighBackward0", input: self, outputs: [l, v]) { g in
            // gA = V (skew(VᵀgV)/2 ⊘ E, diagonal gL) Vᵀ with E[i][j] = L[j] − L[i].
            let vhgV = try v.transposeLastTwo().matmul(g[1])
            let e = try l.unsqueeze(-2).sub(try l.unsqueeze(-1)).add(try Tensor.eye(n: n, dtype: l.dtype))
            let offDiagonal = try vhgV.sub(try vhgV.transposeLastTwo()).mul(.double(0.5)).div(e)
            let inner = try offDiagonal.add(try Tensor.diagonalMatrices(g[0]))
            return try v.matmul(inner).matmul(try v.transposeLastTwo())
        }
        return (outputs[0], outputs[1])
    }

    // MARK: - QR

    /// `torch.linalg.qr(A, mode)`: mode "reduced" (Q `m×k`, R `k×n`), "complete" (Q `m×m`,
    /// R `m×n`) or "r" (Q empty). LinalgQrBackward0 (not for "r", nor "complete" with m > n).
    public func linalgQr(mode: String = "reduced") throws -> (q: Tensor, r: Tensor) {
        guard ["reduced", "complete", "r"].contains(mode) else {
            throw TorchError.runtime("qr received unrecognized mode '\(mode)' but expected one of 'reduced' (default), 'r', or 'complete'")
        }
        let batch = try ColumnMajorBatch(self, "linalg.qr")
        let m = batch.rows, n = batch.columns, k = Swift.min(m, n)
        let qColumns = mode == "complete" ? m : k, rRows = mode == "complete" ? m : k
        var qs = [[Double]](), rs = [[Double]]()
        for matrix in batch.matrices {
            var a = matrix, tau = [Double](repeating: 0, count: Swift.max(k, 1))
            var mm = Int32(m), nn = Int32(n), lda = Int32(Swift.max(m, 1)), info: Int32 = 0, lwork: Int32 = -1, query = 0.0
            if k > 0 {
                dgeqrf_(&mm, &nn, &a, &lda, &tau, &query, &lwork, &info)
                lwork = Int32(query)
                var work = [Double](repeating: 0, count: Swift.max(Int(query), 1))
                dgeqrf_(&mm, &nn, &a, &lda, &tau, &work, &lwork, &info)
            }
            var r = [Double](repeating: 0, count: rRows * n)
            for j in 0..<n { for i in 0..<Swift.min(j + 1, rRows) where i < m { r[j * rRows + i] = a[j * m + i] } }
            rs.append(r)
            guard mode != "r" else { continue }
            var q = [Double](repeating: 0, count: m * qColumns)
            for j in 0..<Swift.min(n, qColumns) { for i in 0..<m { q[j * m + i] = a[j * m + i] } }
            if k > 0 {
                var qc = Int32(qColumns), kk = Int32(k)
                lwork = -1
                dorgqr_(&mm, &qc, &kk, &q, &lda, &tau, &query, &lwork, &info)
                lwork = Int32(query)
                var work = [Double](repeating: 0, count: Swift.max(Int(query), 1))
                dorgqr_(&mm, &qc, &kk, &q, &lda, &tau, &work, &lwork, &info)
            } else {
                for i in 0..<Swift.min(m, qColumns) { q[i * m + i] = 1 }
            }
            qs.append(q)
        }
        let r = try Tensor.fromColumnMajor(rs, batchShape: batch.batchShape, rows: rRows, columns: n, dtype: dtype)
        guard mode != "r" else {
            let empty = try Tensor(shape: [0], dtype: dtype)
            let saved = SavedTensor(self)
            return (empty, r.recordingGrad("LinalgQrBackward0", inputs: [self]) { _ in
                _ = saved
                throw TorchError.runtime("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
            })
        }
        let q = try Tensor.fromColumnMajor(qs, batchShape: batch.batchShape, rows: m, columns: qColumns, dtype: dtype)
        let outputs = try Tensor.recordingJointly("LinalgQrBackward0", input: self, outputs: [q, r]) { g in
            guard mode == "reduced" || m <= n else {
                throw TorchError.runtime("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
            }
            return try Tensor.qrBackward(g[0], g[1], q, r)
        }
        return (outputs[0], outputs[1])
    }

    /// The QR gradient. m ≥ n: gA = (gQ + Q·copyltu(M))·R⁻ᵀ with M = R gRᵀ − gQᵀ Q. m < n: A = Q[X|Y],
    /// the square case for X with gQ + Y gR_Yᵀ, and gY = Q gR_Y.
    static func qrBackward(_ gQ: Tensor, _ gR: Tensor, _ q: Tensor, _ r: Tensor) throws -> Tensor {
        let m = q.shape[q.dim - 2], n = r.shape[r.dim - 1]
        func square(_ gQ: Tensor, _ gR: Tensor, _ r: Tensor) throws -> Tensor {
            let mMatrix = try r.matmul(try gR.transposeLastTwo()).sub(try gQ.transposeLastTwo().matmul(q))
            let lower = try mMatrix.tril(diagonal: -1)
            let copyltu = try lower.add(try lower.transposeLastTwo()).add(try Tensor.diagonalMatrices(try mMatrix.diagonalOfMatrices()))
            let b = try gQ.add(try q.matmul(copyltu))
            // b · R⁻ᵀ: solve R X̃ = bᵀ, X = X̃ᵀ.
            return try Tensor.linalgSolve(r, try b.transposeLastTwo()).transposeLastTwo()
        }
        if m >= n { return try square(gQ, gR, r) }
        let x = try r.narrow(dim: -1, start: 0, length: m), gRx = try gR.narrow(dim: -1, start: 0, length: m)
        let rY = try r.narrow(dim: -1, start: m, length: n - m), gRy = try gR.narrow(dim: -1, start: m, length: n - m)
        // R_Y = Qᵀ Y: Y's gradient is Q gR_Y, and Q gets Y gR_Yᵀ (Y = Q R_Y).
        let y = try q.matmul(rY)
        let gX = try square(try gQ.add(try y.matmul(try gRy.transposeLastTwo())), gRx, x)
        return try Tensor.cat([gX, try q.matmul(gRy)], dim: -1)
    }

    /// The main diagonals of a batch of square matrices, `(…, n)`.
    public func diagonalOfMatrices() throws -> Tensor {
        let n = shape[dim - 1]
        return try mul(try Tensor.eye(n: n, dtype: dtype)).sum(dims: [dim - 1])
    }

    // MARK: - Cholesky

    /// `torch.linalg.cholesky(A, upper)`: L with A = L Lᵀ (or U = Lᵀ), LinalgCholeskyExBackward0.
    public func linalgCholesky(upper: Bool = false) throws -> Tensor {
        let batch = try ColumnMajorBatch(self, "linalg.cholesky")
        let n = batch.rows
        guard n == batch.columns else {
            throw TorchError.runtime("linalg.cholesky: A must be batches of square matrices, but they are \(batch.rows) by \(batch.columns) matrices")
        }
        var factors = [[Double]]()
        for (index, matrix) in batch.matrices.enumerated() {
            var a = matrix
            if n > 0 {
                var uplo: CChar = 76, nn = Int32(n), lda = Int32(n), info: Int32 = 0
                dpotrf_(&uplo, &nn, &a, &lda, &info, 1)
                guard info == 0 else {
                    throw TorchError.runtime("linalg.cholesky: \(Tensor.batchPrefix(batch.batchShape, index))The factorization could not be completed because the input is not positive-definite (the leading minor of order \(info) is not positive-definite).")
                }
            }
            for j in 0..<n { for i in 0..<j { a[j * n + i] = 0 } }
            factors.append(a)
        }
        let l = try Tensor.fromColumnMajor(factors, batchShape: batch.batchShape, rows: n, columns: n, dtype: dtype)
        let result = upper ? try l.transposeLastTwo().contiguous() : l
        let saved = SavedTensor(output: l)
        return result.recordingGrad("LinalgCholeskyExBackward0", inputs: [self]) { g in
            // cholesky_backward: L⁻ᵀ Φ(Lᵀ gL) L⁻¹, symmetrised; Φ takes the lower triangle, diagonal halved.
            let l = try saved.get(), gL = upper ? try g.transposeLastTwo() : g
            let lInverse = try l.linalgInv()
            let product = try l.transposeLastTwo().matmul(gL)
            let phi = try product.tril().sub(try Tensor.diagonalMatrices(try product.diagonalOfMatrices()).mul(.double(0.5)))
            let gA = try lInverse.transposeLastTwo().matmul(phi).matmul(lInverse)
            return [try gA.add(try gA.transposeLastTwo()).mul(.double(0.5))]
        }
    }

    // MARK: - Several outputs, one node

    /// Records one backward node named `name` for several outputs of one decomposition: the
    /// outputs share a hidden node (its output the outputs flattened end to end), and each output
    /// gets a node of the same name feeding its part of that gradient in. `backward` receives one
    /// gradient per output (zeros for the outputs that received none).
    static func recordingJointly(_ name: String, input: Tensor, outputs: [Tensor],
                                 _ backward: @escaping ([Tensor]) throws -> Tensor) throws -> [Tensor] {
        guard GradMode.isEnabled, input.requiresGrad else { return outputs }
        let shapes = outputs.map(\.shape), sizes = outputs.map(\.numel), dtype = input.dtype
        let packed = try GradMode.withNoGrad { try Tensor.cat(try outputs.map { try $0.reshape([-1]) }, dim: 0) }
        packed.recordingGrad(name, inputs: [input]) { g in
            var start = 0
            let parts = try zip(shapes, sizes).map { shape, size -> Tensor in
                defer { start += size }
                return try g.narrow(dim: 0, start: start, length: size).reshape(shape)
            }
            return [try backward(parts)]
        }
        let total = sizes.reduce(0, +)
        var offset = 0
        return try outputs.enumerated().map { i, out in
            let before = offset, size = sizes[i]
            offset += size
            let r = try GradMode.withNoGrad { try out.cloned() }
            return r.recordingGrad(name, inputs: [packed]) { g in
                let pieces = [try Tensor.zeros([before], dtype: dtype), try g.reshape([-1]), try Tensor.zeros([total - before - size], dtype: dtype)]
                return [try Tensor.cat(pieces, dim: 0)]
            }
        }
    }
}
