import XCTest
@testable import TensorRuntime

final class AttentionTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    func testScaledDotProductAttentionGradients() throws {
        let q = try K.random([2, 3, 4], seed: 1), k = try K.random([2, 5, 4], seed: 2), v = try K.random([2, 5, 3], seed: 3)
        try K.gradCheck([q, k, v]) { try F.scaledDotProductAttention($0[0], $0[1], $0[2]) }
        try K.gradCheck([q, k, v]) { try F.scaledDotProductAttention($0[0], $0[1], $0[2], isCausal: true, scale: 0.7) }
        let mask = try K.random([3, 5], seed: 4, requiresGrad: true)
        try K.gradCheck([q, k, v, mask]) { try F.scaledDotProductAttention($0[0], $0[1], $0[2], attnMask: $0[3]) }
    }

    /// `F.scaled_dot_product_attention` of PyTorch 2.15 on the same inputs (a bool mask keeps True).
    func testValuesMatchPyTorch() throws {
        let q = try Tensor(doubles: [0.5, -1, 2, 0.25], shape: [2, 2], dtype: .float32)
        let k = try Tensor(doubles: [1, 0, 0, 1, -1, 1], shape: [3, 2], dtype: .float32)
        let v = try Tensor(doubles: [1, 2, 3, 4, 5, 6], shape: [3, 2], dtype: .float32)
        K.assertClose(try F.scaledDotProductAttention(q, k, v), [2.0476, 3.0476, 1.6338, 2.6338], tol: 1e-4)
        K.assertClose(try F.scaledDotProductAttention(q, k, v, isCausal: true), [1, 2, 1.4498, 2.4498], tol: 1e-4)
        let keep = try Tensor(doubles: [1, 0, 1, 0, 1, 1], shape: [2, 3], dtype: .bool)
        K.assertClose(try F.scaledDotProductAttention(q, k, v, attnMask: keep), [1.7823, 2.7823, 3.3911, 4.3911], tol: 1e-4)
    }

    /// Attention-sized batches of products run side by side on the cores: each equals its own mm,
    /// for transposed operands and a broadcast batch too.
    func testManySmallBatchedProductsMatchOneByOne() throws {
        let a = try K.random([4, 8, 64, 32], seed: 1, dtype: .float32, requiresGrad: false)
        let b = try K.random([4, 8, 64, 32], seed: 2, dtype: .float32, requiresGrad: false)
        let shared = try K.random([64, 64], seed: 3, dtype: .float32, requiresGrad: false)
        let scores = try a.matmul(try b.transposeLastTwo())
        let mixed = try shared.matmul(a)
        for (i, j) in [(0, 0), (1, 5), (3, 7)] {
            let ai = try a.select(dim: 0, index: i).select(dim: 0, index: j), bi = try b.select(dim: 0, index: i).select(dim: 0, index: j)
            XCTAssertEqual(try scores.select(dim: 0, index: i).select(dim: 0, index: j).toDoubles(), try ai.mm(try bi.t()).toDoubles())
            XCTAssertEqual(try mixed.select(dim: 0, index: i).select(dim: 0, index: j).toDoubles(), try shared.mm(ai).toDoubles())
        }
    }
}
