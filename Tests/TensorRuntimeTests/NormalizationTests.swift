import XCTest
@testable import TensorRuntime

final class NormalizationTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    func testTrainingUpdatesRunningStats() throws {
        let x = try Tensor(doubles: [1, 2, 3, 6, 5, 10], shape: [3, 2], dtype: .float32)
        let rm = try Tensor(doubles: [0, 0], shape: [2], dtype: .float32), rv = try Tensor(doubles: [1, 1], shape: [2], dtype: .float32)
        let y = try F.batchNorm(x, runningMean: rm, runningVar: rv, training: true, momentum: 0.1, eps: 1e-5)
        K.assertClose(rm, [0.3, 0.6])
        K.assertClose(rv, [1.3, 2.5])
        K.assertClose(y, [-1.2247426, -1.2247441, 0, 0, 1.2247426, 1.2247441])
        // Eval uses the running stats.
        let e = try F.batchNorm(x, runningMean: rm, runningVar: rv, training: false)
        K.assertClose(e, [(1 - 0.3) / (1.3 + 1e-5).squareRoot(), (2 - 0.6) / (2.5 + 1e-5).squareRoot(),
                          (3 - 0.3) / (1.3 + 1e-5).squareRoot(), (6 - 0.6) / (2.5 + 1e-5).squareRoot(),
                          (5 - 0.3) / (1.3 + 1e-5).squareRoot(), (10 - 0.6) / (2.5 + 1e-5).squareRoot()])
        K.assertClose(rm, [0.3, 0.6])
    }

    func testErrorsAndName() throws {
        let one = try Tensor(doubles: [1, 2], shape: [1, 2], dtype: .float32)
        Check.throwsError(.valueError, "Expected more than 1 value per channel when training, got input size torch.Size([1, 2])") {
            try F.batchNorm(one, runningMean: nil, runningVar: nil, training: true)
        }
        let x = try K.random([4, 3], seed: 1), w = try K.random([3], seed: 2)
        XCTAssertEqual(K.gradName(try F.batchNorm(x, runningMean: nil, runningVar: nil, weight: w, training: true)), "NativeBatchNormBackward0")
    }

    func testGradients() throws {
        let x = try K.random([4, 3, 2, 2], seed: 1), w = try K.random([3], seed: 2), b = try K.random([3], seed: 3)
        try K.gradCheck([x, w, b]) { try F.batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true) }
        let x2 = try K.random([5, 3], seed: 4)
        try K.gradCheck([x2, w, b]) { try F.batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true) }
        try K.gradCheck([x2]) { try F.batchNorm($0[0], runningMean: nil, runningVar: nil, training: true) }
        let rm = try K.random([3], seed: 5, requiresGrad: false)
        let rv = try Tensor(doubles: [0.5, 1, 2], shape: [3], dtype: .float64)
        try K.gradCheck([x, w, b]) { try F.batchNorm($0[0], runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: false) }
    }
}

final class EmbeddingTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    func testEmbedding() throws {
        let w = try K.random([5, 3], seed: 1)
        let idx = try Tensor(doubles: [4, 0, 4, 2], shape: [2, 2], dtype: .int64)
        let e = try F.embedding(idx, weight: w)
        XCTAssertEqual(e.shape, [2, 2, 3])
        XCTAssertEqual(Array(e.toDoubles()[0..<3]), Array(w.toDoubles()[12..<15]))
        XCTAssertEqual(K.gradName(e), "EmbeddingBackward0")
        try K.gradCheck([w]) { try F.embedding(idx, weight: $0[0]) }
        // padding_idx rows are gathered but get no gradient.
        w.grad = nil
        try F.embedding(idx, weight: w, paddingIdx: 4).backward(gradient: try Tensor(doubles: [Double](repeating: 1, count: 12), shape: [2, 2, 3], dtype: .float64))
        XCTAssertEqual(w.grad?.toDoubles(), [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
        Check.throwsError(.indexError, "index out of range in self") {
            try F.embedding(try Tensor(doubles: [5], shape: [1], dtype: .int64), weight: w)
        }
    }
}
