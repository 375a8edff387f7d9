import XCTest
@testable import TensorRuntime

/// The recurrent step product's panel kernel (CKernels/row_panel_gemm.c; AVX-512 CPUs only, BLAS
/// elsewhere) against a float64 reference on every shape class it handles: full 6-row blocks and row remainders, 64-column
/// strips, 16-column strips and single leftover columns, with and without accumulation; and the
/// plain BLAS path (float64, big batches) on the same operands.
final class RecurrentProductTests: XCTestCase {
    private func values(_ n: Int, seed: UInt64) -> [Double] {
        var v = GradCheck.Values(seed)
        return (0..<n).map { _ in v.next() }
    }

    /// `a·b (+ c)` in float64 from the float32 operands.
    private func reference(_ a: [Float], _ b: [Float], _ c: [Float], m: Int, n: Int, k: Int, accumulate: Bool) -> [Double] {
        var out = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(a[i * k + p]) * Double(b[p * n + j]) }
                out[i * n + j] = s + (accumulate ? Double(c[i * n + j]) : 0)
            }
        }
        return out
    }

    private func check(m: Int, n: Int, k: Int, accumulate: Bool, file: StaticString = #filePath, line: UInt = #line) {
        var a = values(m * k, seed: 1).map { Float($0) }, b = values(k * n, seed: 2).map { Float($0) }
        var c = values(m * n, seed: 3).map { Float($0) }
        let expected = reference(a, b, c, m: m, n: n, k: k, accumulate: accumulate)
        XCTAssertEqual(RecurrentStepProduct<Float>.usesPanel(rows: m), CPUInfo.vectorLevel >= 2)
        a.withUnsafeMutableBufferPointer { ap in b.withUnsafeMutableBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            RecurrentStepProduct(b: bp.baseAddress!, k: k, n: n).apply(ap.baseAddress!, rows: m, into: cp.baseAddress!, accumulate: accumulate)
        } } }
        let tol = 1e-6 * Double(k).squareRoot() * 4
        for i in 0..<(m * n) where Swift.abs(Double(c[i]) - expected[i]) > tol * Swift.max(1, Swift.abs(expected[i])) {
            XCTFail("m\(m) n\(n) k\(k) acc \(accumulate): [\(i)] \(c[i]) vs \(expected[i])", file: file, line: line)
            return
        }
    }

    func testPanelShapes() {
        for m in [1, 2, 5, 6, 7, 13, 32] {
            for n in [1, 15, 16, 17, 64, 80, 100, 129] {
                for k in [1, 9, 64] { check(m: m, n: n, k: k, accumulate: m % 2 == 0) }
            }
        }
    }

    func testSplitOverCoresAndAccumulate() {
        // Big enough to be split by columns over the cores.
        check(m: 32, n: 1024, k: 256, accumulate: true)
        check(m: 32, n: 256, k: 1024, accumulate: false)
    }

    func testBigBatchesAndDoublesUseBLAS() {
        XCTAssertFalse(RecurrentStepProduct<Float>.usesPanel(rows: RecurrentStepProduct<Float>.maxPanelRows + 1))
        XCTAssertFalse(RecurrentStepProduct<Double>.usesPanel(rows: 4))
        let m = 3, n = 5, k = 4
        var a = values(m * k, seed: 4), b = values(k * n, seed: 5), c = values(m * n, seed: 6)
        let start = c
        a.withUnsafeMutableBufferPointer { ap in b.withUnsafeMutableBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            RecurrentStepProduct(b: bp.baseAddress!, k: k, n: n).apply(ap.baseAddress!, rows: m, into: cp.baseAddress!, accumulate: true)
        } } }
        for i in 0..<m {
            for j in 0..<n {
                var s = start[i * n + j]
                for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
                XCTAssertEqual(c[i * n + j], s, accuracy: 1e-12)
            }
        }
    }
}
