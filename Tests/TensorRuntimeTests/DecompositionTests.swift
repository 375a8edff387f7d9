import XCTest
@testable import TensorRuntime

/// Decompositions.swift and MatrixFunctions.swift: factors that reconstruct their input, known
/// values, PyTorch's errors, and every gradient against float64 central differences.
final class DecompositionTests: XCTestCase {
    private func close(_ a: Tensor, _ b: Tensor, _ tol: Double = 1e-10, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, file: file, line: line)
        for (x, y) in zip(a.toDoubles(), b.toDoubles()) { XCTAssertEqual(x, y, accuracy: tol, file: file, line: line) }
    }

    private func matrix(_ rows: Int, _ columns: Int, seed: UInt64 = 3) throws -> Tensor {
        try GradCheck.leaf([rows, columns], seed: seed).detached()
    }

    /// A symmetric input built from a leaf, so finite differences see what eigh/cholesky read.
    private func symmetric(_ x: Tensor, shift: Double = 0) throws -> Tensor {
        let n = x.shape[x.dim - 1]
        return try x.add(try x.transposeLastTwo()).add(try Tensor.eye(n: n, dtype: .float64).mul(.double(shift)))
    }

    func testSvdReconstructsAndOrdersValues() throws {
        for (m, n) in [(4, 3), (3, 5), (4, 4)] {
            let a = try matrix(m, n)
            let (u, s, vh) = try a.linalgSvd(fullMatrices: false)
            close(try u.mul(try s.unsqueeze(-2)).matmul(vh), a)
            let values = s.toDoubles()
            XCTAssertEqual(values, values.sorted(by: >))
            close(try u.transposeLastTwo().matmul(u), try Tensor.eye(n: min(m, n), dtype: .float64))
            let full = try a.linalgSvd(fullMatrices: true)
            XCTAssertEqual(full.u.shape, [m, m]); XCTAssertEqual(full.vh.shape, [n, n])
            close(try a.linalgSvd(computeVectors: false).s, s)
        }
        // Known values: diag(3, 2) has singular values 3 and 2.
        let d = try Tensor(doubles: [0, 2, 3, 0], shape: [2, 2], dtype: .float64)
        XCTAssertEqual(try d.linalgSvd().s.toDoubles(), [3, 2])
        XCTAssertThrowsError(try Tensor(doubles: [1, 2], shape: [2], dtype: .float64).linalgSvd())
        XCTAssertThrowsError(try Tensor(doubles: [1, 2, 3, 4], shape: [2, 2], dtype: .int64).linalgSvd())
    }

    func testSvdGradients() throws {
        for shape in [[4, 3], [3, 5], [2, 3, 3]] {
            // Gauge-invariant uses of U and Vh: U diag(S) Vh and |U|² weights.
            try GradCheck.check([shape]) { xs in
                let (u, s, vh) = try xs[0].linalgSvd(fullMatrices: false)
                return try u.mul(u).sum(dims: [-1]).mul(.double(0.5)).sum().add(try s.sum()).add(try u.mul(try s.unsqueeze(-2)).matmul(vh).sum())
            }
            try GradCheck.check([shape]) { xs in try xs[0].linalgSvd(computeVectors: false).s }
            // The sign-fixed first singular vectors are differentiable as they are.
            try GradCheck.check([shape]) { xs in
                let (u, _, vh) = try xs[0].linalgSvd(fullMatrices: false)
                return try u.narrow(dim: -1, start: 0, length: 1).matmul(try vh.narrow(dim: -2, start: 0, length: 1))
            }
        }
    }

    func testEighValuesVectorsAndGradients() throws {
        let a = try Tensor(doubles: [2, 1, 1, 3], shape: [2, 2], dtype: .float64)
        let (l, v) = try a.linalgEigh()
        close(l, try Tensor(doubles: [(5 - 5.0.squareRoot()) / 2, (5 + 5.0.squareRoot()) / 2], shape: [2], dtype: .float64))
        close(try v.mul(try l.unsqueeze(-2)).matmul(try v.transposeLastTwo()), a)
        // UPLO: only the named triangle is read.
        let lower = try Tensor(doubles: [2, 99, 1, 3], shape: [2, 2], dtype: .float64)
        close(try lower.linalgEigh().values, l)
        close(try Tensor(doubles: [2, 1, 99, 3], shape: [2, 2], dtype: .float64).linalgEigh(upper: true).values, l)
        XCTAssertThrowsError(try Tensor(doubles: [1, 2, 3, 4, 5, 6], shape: [2, 3], dtype: .float64).linalgEigh())
        try GradCheck.check([[3, 3]]) { xs in try self.symmetric(xs[0]).linalgEigh(computeVectors: false).values }
        try GradCheck.check([[2, 3, 3]]) { xs in
            let (l, v) = try self.symmetric(xs[0]).linalgEigh()
            // v v-outer products are sign invariant.
            return try v.mul(v).add(try l.unsqueeze(-2))
        }
    }

    func testQrFactorsAndGradients() throws {
        for (m, n) in [(4, 3), (3, 3), (3, 5)] {
            let a = try matrix(m, n)
            let (q, r) = try a.linalgQr()
            close(try q.matmul(r), a)
            close(try r.tril(diagonal: -1), try Tensor.zeros(r.shape, dtype: .float64))
            let complete = try a.linalgQr(mode: "complete")
            XCTAssertEqual(complete.q.shape, [m, m])
            close(try complete.q.matmul(complete.r), a)
            XCTAssertEqual(try a.linalgQr(mode: "r").q.shape, [0])
            try GradCheck.check([[m, n]]) { xs in
                let (q, r) = try xs[0].linalgQr()
                return try q.sum().add(try r.mul(r).sum())
            }
        }
        XCTAssertThrowsError(try matrix(2, 2).linalgQr(mode: "full"))
    }

    func testCholeskyAndItsErrors() throws {
        let a = try Tensor(doubles: [4, 2, 2, 3], shape: [2, 2], dtype: .float64)
        let l = try a.linalgCholesky()
        close(l, try Tensor(doubles: [2, 0, 1, 2.0.squareRoot()], shape: [2, 2], dtype: .float64))
        close(try a.linalgCholesky(upper: true), try l.transposeLastTwo())
        let negative = try Tensor(doubles: [-1, 0, 0, -1], shape: [2, 2], dtype: .float64)
        XCTAssertThrowsError(try negative.linalgCholesky()) { error in
            XCTAssertEqual((error as? TorchError)?.message, "linalg.cholesky: The factorization could not be completed because the input is not positive-definite (the leading minor of order 1 is not positive-definite).")
        }
        try GradCheck.check([[3, 3]]) { xs in try self.symmetric(xs[0], shift: 4).linalgCholesky() }
        try GradCheck.check([[2, 3, 3]]) { xs in try self.symmetric(xs[0], shift: 4).linalgCholesky(upper: true) }
    }

    func testPinvRankLstsqSlogdetPower() throws {
        let a = try matrix(4, 3)
        let p = try a.linalgPinv()
        close(try a.matmul(p).matmul(a), a)
        XCTAssertEqual(try a.linalgMatrixRank().toDoubles(), [3])
        XCTAssertEqual(try Tensor.ones([3, 3], dtype: .float64).linalgMatrixRank().toDoubles(), [1])
        try GradCheck.check([[4, 3]]) { xs in try xs[0].linalgPinv() }
        try GradCheck.check([[2, 4]]) { xs in try xs[0].linalgPinv() }
        // lstsq agrees with the normal equations for a full-rank A.
        let b = try matrix(4, 2, seed: 9)
        let x = try Tensor.linalgLstsq(a, b, rcond: nil, withSingularValues: true)
        let normal = try Tensor.linalgSolve(try a.transposeLastTwo().matmul(a), try a.transposeLastTwo().matmul(b))
        close(x.solution, normal, 1e-9)
        let residual = try a.matmul(x.solution).sub(b)
        close(x.residuals, try residual.mul(residual).sum(dims: [0]), 1e-9)
        try GradCheck.check([[4, 3], [4, 2]]) { xs in try Tensor.linalgLstsq(xs[0], xs[1], rcond: nil, withSingularValues: false).solution }
        // slogdet of [[2, 1], [1, -3]]: det -7.
        let s = try Tensor(doubles: [2, 1, 1, -3], shape: [2, 2], dtype: .float64).linalgSlogdet()
        XCTAssertEqual(s.sign.toDoubles(), [-1]); XCTAssertEqual(s.logabsdet.toDoubles()[0], log(7), accuracy: 1e-14)
        try GradCheck.check([[3, 3]]) { xs in try xs[0].add(try Tensor.eye(n: 3, dtype: .float64).mul(.double(3))).linalgSlogdet().logabsdet }
        let m = try matrix(3, 3)
        close(try m.matrixPower(5), try m.matmul(m).matmul(m).matmul(m).matmul(m))
        close(try m.matrixPower(-2).matmul(try m.matrixPower(2)), try Tensor.eye(n: 3, dtype: .float64), 1e-8)
        close(try m.matrixPower(0), try Tensor.eye(n: 3, dtype: .float64))
    }
}
