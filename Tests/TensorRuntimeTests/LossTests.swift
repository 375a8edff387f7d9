import XCTest
@testable import TensorRuntime

final class LossTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    private func long(_ v: [Int], _ shape: [Int]) throws -> Tensor {
        try Tensor(doubles: v.map(Double.init), shape: shape, dtype: .int64)
    }

    func testCrossEntropyValues() throws {
        let x = try Tensor(doubles: [1, 2, 3, 1, 2, 3], shape: [2, 3], dtype: .float32)
        let y = try long([0, 2], [2])
        K.assertClose(try F.crossEntropy(x, target: y), [1.4076059])
        K.assertClose(try F.crossEntropy(x, target: y, reduction: "sum"), [2.8152118])
        K.assertClose(try F.crossEntropy(x, target: y, reduction: "none"), [2.4076059, 0.4076059])
        K.assertClose(try F.crossEntropy(x, target: y, ignoreIndex: 0), [0.4076059])
        let w = try Tensor(doubles: [1, 1, 3], shape: [3], dtype: .float32)
        K.assertClose(try F.crossEntropy(x, target: y, weight: w), [(2.4076059 + 3 * 0.4076059) / 4])
        let one = try Tensor(doubles: [1, 2, 3], shape: [1, 3], dtype: .float32)
        K.assertClose(try F.crossEntropy(one, target: try long([2], [1]), labelSmoothing: 0.1), [0.5076059])
        // Probability targets.
        let p = try Tensor(doubles: [0, 0, 1, 1, 0, 0], shape: [2, 3], dtype: .float32)
        K.assertClose(try F.crossEntropy(x, target: p), [1.4076059])
        // 1-D input with a 0-dim target.
        K.assertClose(try F.crossEntropy(try Tensor(doubles: [1, 2, 3], shape: [3], dtype: .float32), target: try long([2], [])), [0.4076059])
    }

    func testNamesAndErrors() throws {
        let x = try K.random([3, 4], seed: 1)
        let y = try long([0, 1, 3], [3])
        XCTAssertEqual(K.gradName(try F.crossEntropy(x, target: y)), "NllLossBackward0")
        XCTAssertEqual(K.gradName(try F.mseLoss(x, target: x.detached())), "MseLossBackward0")
        XCTAssertEqual(K.gradName(try F.binaryCrossEntropyWithLogits(x, target: x.detached())), "BinaryCrossEntropyWithLogitsBackward0")
        XCTAssertEqual(K.gradName(try F.l1Loss(x, target: x.detached())), "MeanBackward0")
        Check.throwsError(.indexError, "Target 5 is out of bounds.") { try F.crossEntropy(x, target: try self.long([0, 5, 1], [3])) }
        Check.throwsError(.valueError, "Expected input batch_size (3) to match target batch_size (2).") {
            try F.crossEntropy(x, target: try self.long([0, 1], [2]))
        }
        Check.throwsError(.valueError, "bad is not a valid value for reduction") { try F.mseLoss(x, target: x, reduction: "bad") }
    }

    func testOtherLossValues() throws {
        let a = try Tensor(doubles: [1, 2, 3], shape: [3], dtype: .float32)
        let b = try Tensor(doubles: [1, 1, 1], shape: [3], dtype: .float32)
        K.assertClose(try F.mseLoss(a, target: b), [5.0 / 3])
        K.assertClose(try F.mseLoss(a, target: b, reduction: "none"), [0, 1, 4])
        K.assertClose(try F.l1Loss(a, target: b, reduction: "sum"), [3])
        let c = try Tensor(doubles: [1, 1.5, 3], shape: [3], dtype: .float32)
        K.assertClose(try F.smoothL1Loss(c, target: b), [(0 + 0.125 + 1.5) / 3])
        let z = try Tensor(doubles: [0, 0], shape: [2], dtype: .float32)
        let t = try Tensor(doubles: [1, 0], shape: [2], dtype: .float32)
        K.assertClose(try F.binaryCrossEntropyWithLogits(z, target: t), [0.6931472])
        let h = try Tensor(doubles: [0.5, 0.5], shape: [2], dtype: .float32)
        K.assertClose(try F.binaryCrossEntropy(h, target: t), [0.6931472])
        let pw = try Tensor(doubles: [2], shape: [1], dtype: .float32)
        K.assertClose(try F.binaryCrossEntropyWithLogits(z, target: t, posWeight: pw, reduction: "sum"), [3 * 0.6931472])
    }

    func testGradients() throws {
        let x = try K.random([3, 4], seed: 1)
        let y = try long([0, 1, 3], [3])
        let w = try K.random([4], seed: 2, requiresGrad: false)
        for red in ["mean", "sum", "none"] {
            try K.gradCheck([x]) { try F.crossEntropy($0[0], target: y, reduction: red) }
            try K.gradCheck([x]) { try F.crossEntropy($0[0], target: y, weight: w, ignoreIndex: 1, reduction: red, labelSmoothing: 0.2) }
            try K.gradCheck([x]) { try F.nllLoss($0[0], target: y, weight: w, reduction: red) }
        }
        let img = try K.random([2, 3, 2, 2], seed: 3)
        let yImg = try long([0, 1, 2, 0, 1, 2, 2, 1], [2, 2, 2])
        try K.gradCheck([img]) { try F.crossEntropy($0[0], target: yImg) }
        let probs = try K.random([3, 4], seed: 4)
        try K.gradCheck([x, probs]) { try F.crossEntropy($0[0], target: $0[1], labelSmoothing: 0.1) }
        let t = try K.random([3, 4], seed: 5)
        for red in ["mean", "sum", "none"] {
            try K.gradCheck([x, t]) { try F.mseLoss($0[0], target: $0[1], reduction: red) }
            try K.gradCheck([x, t]) { try F.l1Loss($0[0], target: $0[1], reduction: red) }
            try K.gradCheck([x, t]) { try F.smoothL1Loss($0[0], target: $0[1], reduction: red, beta: 0.5) }
            try K.gradCheck([x, t]) { try F.huberLoss($0[0], target: $0[1], reduction: red, delta: 0.5) }
            try K.gradCheck([x, t]) { try F.binaryCrossEntropyWithLogits($0[0], target: $0[1], weight: w, posWeight: w, reduction: red) }
        }
        let p = try Tensor(doubles: [0.2, 0.7, 0.4, 0.9], shape: [4], dtype: .float64)
        try p.setRequiresGrad(true)
        // Targets must be probabilities too (PyTorch: "all elements of target should be between 0 and 1").
        let q = try Tensor(doubles: [0.1, 0.5, 0.95, 0.3], shape: [4], dtype: .float64)
        try q.setRequiresGrad(true)
        try K.gradCheck([p, q]) { try F.binaryCrossEntropy($0[0], target: $0[1]) }
    }
}
