import XCTest
@testable import TensorRuntime

/// smooth_l1 / huber / binary_cross_entropy: values from PyTorch, promotion, broadcasting,
/// messages and finite-difference gradients.
final class PointwiseLossTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    private let x: [Double] = [0.1, 1.5, -2.0, 0.3]
    private let y: [Double] = [0, 0, 0, 1]

    func testSmoothL1AndHuberValues() throws {
        let a = try Check.tensor(x), b = try Check.tensor(y)
        Check.values(try F.smoothL1Loss(a, target: b, reduction: "none", beta: 0.5), [0.01, 1.25, 1.75, 0.45])
        Check.values(try F.huberLoss(a, target: b, reduction: "none", delta: 0.5), [0.005, 0.625, 0.875, 0.225])
        Check.values(try F.huberLoss(a, target: b, delta: 2), [0.84375])
        // Broadcasting (PyTorch warns, then broadcasts) and promotion.
        let wide = try F.smoothL1Loss(try Check.tensor([1, 2]), target: try Check.tensor([1, 0], [2, 1]), reduction: "none")
        XCTAssertEqual(wide.shape, [2, 2])
        Check.values(wide, [0, 0.5, 0.5, 1.5])
        let mixed = try F.smoothL1Loss(try Check.tensor([1, 2]), target: try Tensor(doubles: [1, 0], shape: [2], dtype: .int64))
        XCTAssertEqual(mixed.dtype, .float32)
        Check.values(mixed, [0.75])
        XCTAssertEqual(try F.smoothL1Loss(try Check.tensor([1, 2]), target: try Check.tensor([1, 0], nil, .float64)).dtype, .float64)
        // huber_loss keeps the input's dtype.
        XCTAssertEqual(try F.huberLoss(try Check.tensor([1, 2]), target: try Check.tensor([1, 0], nil, .float64)).dtype, .float32)
        // beta = 0 is l1_loss, composed.
        XCTAssertEqual(K.gradName(try F.smoothL1Loss(try K.random([3], seed: 2), target: try Check.tensor([0, 0, 0], nil, .float64), beta: 0)), "MeanBackward0")
    }

    func testSmoothL1AndHuberErrors() throws {
        let ints = try Tensor(doubles: [1, 2], shape: [2], dtype: .int64)
        Check.throwsError(.notImplementedError, "\"smooth_l1_cpu\" not implemented for 'Long'") { try F.smoothL1Loss(ints, target: ints) }
        Check.throwsError(.notImplementedError, "\"huber_cpu\" not implemented for 'Long'") { try F.huberLoss(ints, target: ints) }
        Check.throwsError(.runtimeError, "result type Float can't be cast to the desired output type Long") {
            try F.huberLoss(ints, target: try Check.tensor([1, 0]))
        }
        let a = try Check.tensor([1, 2])
        Check.throwsError(.runtimeError, "smooth_l1_loss does not support negative values for beta.") { try F.smoothL1Loss(a, target: a, beta: -1) }
        Check.throwsError(.runtimeError, "huber_loss does not support non-positive values for delta.") { try F.huberLoss(a, target: a, delta: 0) }
        Check.throwsError(.runtimeError, "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0") {
            try F.smoothL1Loss(a, target: try Check.tensor([1, 0, 1]))
        }
        Check.throwsError(.valueError, "bad is not a valid value for reduction") { try F.huberLoss(a, target: a, reduction: "bad") }
    }

    func testBinaryCrossEntropy() throws {
        let p = try Check.tensor([0.1, 0.8, 0, 1]), t = try Check.tensor([0, 1, 1, 1])
        Check.values(try F.binaryCrossEntropy(p, target: t, reduction: "none"), [0.1053605, 0.2231436, 100, 0])
        Check.values(try F.binaryCrossEntropy(p, target: t, weight: try Check.tensor([1, 2, 0.5, 1])), [12.637941])
        Check.values(try F.binaryCrossEntropy(p, target: t, reduction: "sum"), [100.32850])
        let m = try Check.tensor([0.5, 0.5, 0.5, 0.5], [2, 2]), mt = try Check.tensor([1, 0, 1, 1], [2, 2])
        Check.values(try F.binaryCrossEntropy(m, target: mt, weight: try Check.tensor([2, 1], [2, 1])), [1.0397208])
    }

    func testBinaryCrossEntropyErrors() throws {
        let p = try Check.tensor([0.5, 0.5])
        Check.throwsError(.runtimeError, "all elements of input should be between 0 and 1") {
            try F.binaryCrossEntropy(try Check.tensor([1.5, 0.5]), target: p)
        }
        Check.throwsError(.runtimeError, "all elements of input should be between 0 and 1") {
            try F.binaryCrossEntropy(try Check.tensor([.nan, 0.5]), target: p)
        }
        Check.throwsError(.runtimeError, "all elements of target should be between 0 and 1") {
            try F.binaryCrossEntropy(p, target: try Check.tensor([2, -1]))
        }
        Check.throwsError(.runtimeError, "Found dtype Long but expected Float") {
            try F.binaryCrossEntropy(p, target: try Tensor(doubles: [1, 0], shape: [2], dtype: .int64))
        }
        Check.throwsError(.runtimeError, "Found dtype Float but expected Double") {
            try F.binaryCrossEntropy(try Check.tensor([0.5, 0.5], nil, .float64), target: p)
        }
        Check.throwsError(.valueError, "Using a target size (torch.Size([3])) that is different to the input size (torch.Size([2])) is deprecated. Please ensure they have the same size.") {
            try F.binaryCrossEntropy(p, target: try Check.tensor([1, 0, 1]))
        }
        let m = try Check.tensor([0.5, 0.5, 0.5, 0.5], [2, 2])
        Check.throwsError(.runtimeError, "Attempting to broadcast a dimension of length 3 at -1! Mismatching argument at index 1 had torch.Size([1, 3]); but expected shape should be broadcastable to [2, 2]") {
            try F.binaryCrossEntropy(m, target: m, weight: try Check.tensor([2, 1, 1], [1, 3]))
        }
        let row = try Check.tensor([0.5, 0.5], [1, 2])
        Check.throwsError(.runtimeError, "output with shape [1, 2] doesn't match the broadcast shape [2, 2]") {
            try F.binaryCrossEntropy(row, target: row, weight: try Check.tensor([2, 1], [2, 1]))
        }
        let w = try K.random([2], seed: 5)
        Check.throwsError(.runtimeError, "The function 'binary_cross_entropy' is not differentiable with respect to argument 'weight'. This input cannot have requires_grad True.") {
            try F.binaryCrossEntropy(p, target: p, weight: w)
        }
    }

    func testGradients() throws {
        let a = try K.random([4], seed: 1)
        XCTAssertEqual(K.gradName(try F.smoothL1Loss(a, target: a.detached())), "SmoothL1LossBackward0")
        XCTAssertEqual(K.gradName(try F.huberLoss(a, target: a.detached(), reduction: "sum")), "HuberLossBackward0")
        for red in ["mean", "sum", "none"] {
            try GradCheck.check([[3, 4], [3, 4]], range: -2...2) { xs in try F.smoothL1Loss(xs[0], target: xs[1], reduction: red, beta: 0.7) }
            try GradCheck.check([[3, 4], [3, 4]], range: -2...2) { xs in try F.huberLoss(xs[0], target: xs[1], reduction: red, delta: 0.6) }
            try GradCheck.check([[3, 4], [3, 4]], range: 0.05...0.95) { xs in try F.binaryCrossEntropy(xs[0], target: xs[1], reduction: red) }
        }
        // Broadcast target: the gradient is summed back to each operand's shape.
        try GradCheck.check([[3, 4], [4]], range: -2...2) { xs in try F.smoothL1Loss(xs[0], target: xs[1]) }
        try GradCheck.check([[2, 3]], range: -2...2) { xs in try F.smoothL1Loss(xs[0], target: try Check.tensor([0, 1, 0], [3], .float64), beta: 0) }
        let w = try Check.tensor([1, 2, 0.5], [3], .float64)
        try GradCheck.check([[2, 3]], range: 0.05...0.95) { xs in
            try F.binaryCrossEntropy(xs[0], target: try Check.tensor([0, 1, 0.3, 1, 0, 0.6], [2, 3], .float64), weight: w)
        }
    }
}
