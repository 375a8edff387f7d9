import XCTest
@testable import TensorRuntime

final class MatmulTests: XCTestCase {
    typealias K = KernelTest

    private func t(_ v: [Double], _ shape: [Int], _ dtype: DType = .float32) throws -> Tensor {
        try Tensor(doubles: v, shape: shape, dtype: dtype)
    }

    /// `x.t()` as a strided view (no copy).
    private func transposed(_ x: Tensor) -> Tensor {
        x.aliased(shape: [x.shape[1], x.shape[0]], strides: [x.strides[1], x.strides[0]])
    }

    func testMMValues() throws {
        let a = try t([1, 2, 3, 4, 5, 6], [2, 3]), b = try t([1, 0, 0, 1, 1, 1], [3, 2])
        K.assertClose(try a.matmul(b), [4, 5, 10, 11])
        K.assertClose(try a.mm(b), [4, 5, 10, 11])
        // aᵀ @ a through a transposed view: [[17,22,27],[22,29,36],[27,36,45]]
        K.assertClose(try transposed(a).matmul(a), [17, 22, 27, 22, 29, 36, 27, 36, 45])
        K.assertClose(try a.matmul(transposed(a)), [14, 32, 32, 77])
    }

    func testVectorCases() throws {
        let v = try t([1, 2, 3], [3]), m = try t([1, 2, 3, 4, 5, 6], [2, 3])
        let d = try v.matmul(v)
        XCTAssertEqual(d.shape, [])
        K.assertClose(d, [14])
        K.assertClose(try m.matmul(v), [14, 32])
        XCTAssertEqual(try m.matmul(v).shape, [2])
        let w = try t([1, 2], [2])
        XCTAssertEqual(try w.matmul(m).shape, [3])
        K.assertClose(try w.matmul(m), [9, 12, 15])
    }

    func testBatchedBroadcast() throws {
        let a = try K.random([2, 1, 3, 4], seed: 1, requiresGrad: false)
        let b = try K.random([5, 4, 2], seed: 2, requiresGrad: false)
        let c = try a.matmul(b)
        XCTAssertEqual(c.shape, [2, 5, 3, 2])
        let av = a.toDoubles(), bv = b.toDoubles(), cv = c.toDoubles()
        for i in 0..<2 { for j in 0..<5 { for r in 0..<3 { for q in 0..<2 {
            var s = 0.0
            for k in 0..<4 { s += av[(i * 3 + r) * 4 + k] * bv[(j * 4 + k) * 2 + q] }
            XCTAssertEqual(cv[((i * 5 + j) * 3 + r) * 2 + q], s, accuracy: 1e-12)
        } } } }
    }

    func testInt64() throws {
        let a = try t([1, 2, 3, 4], [2, 2], .int64)
        let c = try a.matmul(a)
        XCTAssertEqual(c.dtype, .int64)
        K.assertClose(c, [7, 10, 15, 22])
    }

    func testErrors() throws {
        let a = try t([Double](repeating: 1, count: 6), [2, 3]), b = try t([Double](repeating: 1, count: 50), [10, 5])
        Check.throwsError(.runtimeError, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 10x5)") { try a.matmul(b) }
        Check.throwsError(.runtimeError, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 10x5)") { try a.mm(b) }
        let x = try t([Double](repeating: 1, count: 24), [2, 3, 4]), y = try t([Double](repeating: 1, count: 30), [2, 5, 3])
        Check.throwsError(.runtimeError, "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5].") { try x.bmm(y) }
        Check.throwsError(.runtimeError, "both arguments to matmul need to be at least 1D, but they are 0D and 2D") {
            try Tensor(scalar: .double(1)).matmul(a)
        }
        let v3 = try t([1, 2, 3], [3]), v4 = try t([1, 2, 3, 4], [4])
        Check.throwsError(.runtimeError, "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively") { try v3.matmul(v4) }
        Check.throwsError(.runtimeError, "size mismatch, got input (2), mat (2x3), vec (4)") { try a.matmul(v4) }
        let d = try t([1, 2, 3, 4, 5, 6], [3, 2], .float64)
        Check.throwsError(.runtimeError, "expected m1 and m2 to have the same dtype, but got: float != double") { try a.matmul(d) }
    }

    func testGradNames() throws {
        let a = try K.random([2, 3], seed: 1), b = try K.random([3, 4], seed: 2)
        let v = try K.random([3], seed: 3)
        XCTAssertEqual(K.gradName(try a.matmul(b)), "MmBackward0")
        XCTAssertEqual(K.gradName(try a.matmul(v)), "MvBackward0")
        XCTAssertEqual(K.gradName(try v.matmul(v)), "DotBackward0")
        XCTAssertEqual(K.gradName(try v.matmul(b)), "SqueezeBackward4")
        let a3 = try K.random([2, 2, 3], seed: 4), b3 = try K.random([2, 3, 4], seed: 5)
        XCTAssertEqual(K.gradName(try a3.matmul(b)), "UnsafeViewBackward0")
        XCTAssertEqual(K.gradName(try a3.matmul(b3)), "UnsafeViewBackward0")
        XCTAssertEqual(K.gradName(try a3.bmm(b3)), "BmmBackward0")
        XCTAssertEqual(K.gradName(try a.matmul(b3)), "CloneBackward0")
    }

    func testGradients() throws {
        let a = try K.random([2, 3], seed: 1), b = try K.random([3, 4], seed: 2)
        try K.gradCheck([a, b]) { try $0[0].matmul($0[1]) }
        try K.gradCheck([a, b]) { try $0[0].mm($0[1]) }
        // Transposed views on both sides: (aᵀ)ᵀ-style strides reach BLAS as flags.
        let at = try K.transposedLeaf([2, 3], seed: 3), bt = try K.transposedLeaf([3, 4], seed: 4)
        XCTAssertFalse(at.isContiguous)
        try K.gradCheck([at, bt]) { try $0[0].matmul($0[1]) }
        let v = try K.random([3], seed: 5), w = try K.random([2], seed: 6)
        try K.gradCheck([a, v]) { try $0[0].matmul($0[1]) }
        try K.gradCheck([w, a]) { try $0[0].matmul($0[1]) }
        try K.gradCheck([v, v]) { try $0[0].matmul($0[1]) }
    }

    func testBatchedGradients() throws {
        let a = try K.random([2, 3, 4], seed: 1), b = try K.random([2, 4, 2], seed: 2)
        try K.gradCheck([a, b]) { try $0[0].bmm($0[1]) }
        try K.gradCheck([a, b]) { try $0[0].matmul($0[1]) }
        // Broadcast batch dims: gradients summed over the broadcast.
        let c = try K.random([3, 1, 2, 3], seed: 3), d = try K.random([2, 3, 2], seed: 4)
        try K.gradCheck([c, d]) { try $0[0].matmul($0[1]) }
        // N-D @ 2-D (fold), 2-D @ N-D, 1-D @ N-D, N-D @ 1-D.
        let m = try K.random([4, 2], seed: 5), v = try K.random([4], seed: 6), u = try K.random([3], seed: 7)
        try K.gradCheck([a, m]) { try $0[0].matmul($0[1]) }
        let l = try K.random([5, 3], seed: 8)
        try K.gradCheck([l, a]) { try $0[0].matmul($0[1]) }
        try K.gradCheck([u, a]) { try $0[0].matmul($0[1]) }
        try K.gradCheck([a, v]) { try $0[0].matmul($0[1]) }
        // A batch of transposed matrices (strides [12, 1, 3]).
        let e = try K.random([2, 4, 3], seed: 9, requiresGrad: false)
        let ev = Tensor(storage: e.storage, shape: [2, 3, 4], strides: [12, 1, 3])
        try ev.setRequiresGrad(true)
        try K.gradCheck([ev, b]) { try $0[0].matmul($0[1]) }
    }

    func testLongInnerDimensionIsSplitAcrossThreads() throws {
        // [3, 90000] · [90000, 5]: too few rows and columns to split, so the inner dimension is
        // cut into parallel ranges whose partial products are added; with a bias (beta = 1) too.
        let k = 90_000
        let av = (0..<(3 * k)).map { Double(($0 * 7) % 13) - 6 }, bv = (0..<(k * 5)).map { Double(($0 * 5) % 11) - 5 }
        let a = try t(av, [3, k], .float64), b = try t(bv, [k, 5], .float64)
        var expected = [Double](repeating: 0, count: 15)
        for i in 0..<3 { for j in 0..<5 { for p in 0..<k { expected[i * 5 + j] += av[i * k + p] * bv[p * 5 + j] } } }
        K.assertClose(try a.matmul(b), expected, tol: 1e-9)
        let bias = try t([1, 2, 3, 4, 5], [5], .float64)
        let y = try Functional.linear(a, weight: try b.transpose(0, 1).contiguous(), bias: bias)
        K.assertClose(y, (0..<15).map { expected[$0] + Double($0 % 5 + 1) }, tol: 1e-9)
    }

    func testTransposedOperandIsNotCopied() throws {
        // A 2-D operand with strides (1, rows) must be handed to BLAS as transposed.
        let a = try K.random([3, 2], seed: 1, dtype: .float32, requiresGrad: false)
        let view = StridedMatrices(base: a.elements(Float.self), batchStrides: [], rows: 2, cols: 3, rowStride: 1, colStride: 2)
        XCTAssertEqual(view.blasLayout?.trans, true)
        XCTAssertEqual(view.blasLayout?.ld, 2)
    }
}

final class LinearTests: XCTestCase {
    typealias K = KernelTest

    func testValuesAndNames() throws {
        let x = try Tensor(doubles: [1, 2, 3, 4, 5, 6], shape: [2, 3], dtype: .float32)
        let w = try Tensor(doubles: [1, 0, 1, 0, 1, 0], shape: [2, 3], dtype: .float32)
        let b = try Tensor(doubles: [10, 20], shape: [2], dtype: .float32)
        try w.setRequiresGrad(true)
        let y = try Functional.linear(x, weight: w, bias: b)
        K.assertClose(y, [14, 22, 20, 25])
        XCTAssertEqual(K.gradName(y), "AddmmBackward0")
        XCTAssertEqual(K.gradName(try Functional.linear(x, weight: w)), "MmBackward0")
        let x3 = try K.random([2, 2, 3], seed: 1, dtype: .float32, requiresGrad: false)
        XCTAssertEqual(K.gradName(try Functional.linear(x3, weight: w, bias: b)), "UnsafeViewBackward0")
        XCTAssertEqual(try Functional.linear(x3, weight: w, bias: b).shape, [2, 2, 2])
    }

    func testErrors() throws {
        let x = try K.random([2, 3], seed: 1, dtype: .float32), w = try K.random([5, 10], seed: 2, dtype: .float32)
        let b = try K.random([5], seed: 3, dtype: .float32)
        Check.throwsError(.runtimeError, "addmm: mat1 and mat2 shapes cannot be multiplied (2x3 and 10x5)") {
            try Functional.linear(x, weight: w, bias: b)
        }
        Check.throwsError(.runtimeError, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 10x5)") { try Functional.linear(x, weight: w) }
    }

    func testGradients() throws {
        let x = try K.random([4, 3], seed: 1), w = try K.random([2, 3], seed: 2), b = try K.random([2], seed: 3)
        try K.gradCheck([x, w, b]) { try Functional.linear($0[0], weight: $0[1], bias: $0[2]) }
        try K.gradCheck([x, w]) { try Functional.linear($0[0], weight: $0[1]) }
        let x3 = try K.random([2, 2, 3], seed: 4)
        try K.gradCheck([x3, w, b]) { try Functional.linear($0[0], weight: $0[1], bias: $0[2]) }
        let x1 = try K.random([3], seed: 5)
        try K.gradCheck([x1, w, b]) { try Functional.linear($0[0], weight: $0[1], bias: $0[2]) }
        // A transposed (non-contiguous) weight.
        let wt = try K.transposedLeaf([2, 3], seed: 6)
        try K.gradCheck([x, wt, b]) { try Functional.linear($0[0], weight: $0[1], bias: $0[2]) }
    }
}
