import XCTest
@testable import TensorRuntime

/// Second derivatives through losses and softmax (`create_graph=True`, as MAML's inner loop and
/// PINN residuals take them): the gradient of ‖∂L/∂w‖² with respect to w, against float64 finite
/// differences of that squared norm. Before session 15 these gradients had no graph (treated as
/// constants), so the outer gradients were silently wrong.
final class LossDoubleBackwardTests: XCTestCase {
    private let x = try! KernelTest.random([5, 3], seed: 11, requiresGrad: false)
    private let probabilities = try! KernelTest.random([5, 3], seed: 12, requiresGrad: false).sigmoid()
    private let classes = try! Tensor(doubles: [0, 2, 1, 1, 0], shape: [5], dtype: .int64)

    /// ‖∂loss(x·w)/∂w‖², recording the backward pass when `createGraph`.
    private func gradientNorm(_ w: Tensor, createGraph: Bool, _ loss: (Tensor) throws -> Tensor) throws -> Tensor {
        let g = try XCTUnwrap(Autograd.grad(outputs: [try loss(try x.matmul(w))], inputs: [w], createGraph: createGraph)[0])
        return try g.mul(g).sum()
    }

    private func check(_ name: String, _ loss: (Tensor) throws -> Tensor, file: StaticString = #filePath, line: UInt = #line) throws {
        let start = try KernelTest.random([3, 3], seed: 13, requiresGrad: false).toDoubles()
        let w = try Tensor(doubles: start, shape: [3, 3], dtype: .float64).requiresGradInPlace(true)
        let norm = try gradientNorm(w, createGraph: true, loss)
        XCTAssertTrue(norm.requiresGrad, "\(name): the gradient has no graph", file: file, line: line)
        let analytic = try XCTUnwrap(Autograd.grad(outputs: [norm], inputs: [w])[0]).toDoubles()
        func at(_ v: [Double]) throws -> Double {
            try gradientNorm(try Tensor(doubles: v, shape: [3, 3], dtype: .float64).requiresGradInPlace(true), createGraph: false, loss).item().doubleValue
        }
        let eps = 1e-6
        for i in start.indices {
            var plus = start, minus = start
            plus[i] += eps; minus[i] -= eps
            XCTAssertEqual(analytic[i], (try at(plus) - at(minus)) / (2 * eps), accuracy: 1e-5, "\(name) d/dw\(i)", file: file, line: line)
        }
    }

    func testPointwiseLosses() throws {
        let y = probabilities
        try check("mse mean") { try Functional.mseLoss($0, target: y) }
        try check("mse sum") { try Functional.mseLoss($0, target: y, reduction: "sum") }
        try check("mse none") { try Functional.mseLoss($0, target: y, reduction: "none").mul($0).sum() }
        try check("smooth_l1") { try Functional.smoothL1Loss($0, target: y, beta: 0.5).mul(try $0.sum()) }
        try check("huber") { try Functional.huberLoss($0, target: y, delta: 0.7).mul(try $0.sum()) }
        try check("bce") { try Functional.binaryCrossEntropy($0.sigmoid(), target: y) }
    }

    /// Activations whose backward was a fused kernel until session 16 (WGAN-GP penalties and
    /// MAML through smooth nets need their second derivatives), and bce_with_logits.
    func testActivationsAndLogitLosses() throws {
        let y = probabilities
        for (name, f) in [("softplus", { try $0.softplus(beta: 2, threshold: 1) }), ("gelu", { try $0.gelu() }),
                          ("gelu tanh", { try $0.gelu(approximate: "tanh") }), ("silu", { try $0.silu() }),
                          ("mish", { try $0.mish() }), ("elu", { try $0.elu(alpha: 0.7) }), ("selu", { try $0.selu() }),
                          ("celu", { try $0.celu(alpha: 0.5) }), ("logsigmoid", { try $0.logSigmoid() }),
                          ("hardswish", { try $0.hardswish() }), ("hardtanh", { try $0.hardtanh(min: -0.3, max: 0.4) })]
            as [(String, (Tensor) throws -> Tensor)] {
            try check(name) { try f($0).pow(.int(2)).sum() }
        }
        let pw = try Tensor(doubles: [2, 0.5, 1], shape: [3], dtype: .float64)
        try check("bce_with_logits") { try Functional.binaryCrossEntropyWithLogits($0, target: y) }
        try check("bce_with_logits pos_weight, weight") {
            try Functional.binaryCrossEntropyWithLogits($0, target: y, weight: try Tensor(doubles: [1, 3, 0.5], shape: [3], dtype: .float64),
                                                        posWeight: pw, reduction: "sum")
        }
    }

    func testSoftmaxAndCrossEntropy() throws {
        let t = classes
        try check("log_softmax") { try $0.logSoftmax(dim: 1).mul(try $0.tanh()).sum() }
        try check("softmax") { try $0.softmax(dim: 0).pow(.int(2)).sum() }
        try check("cross_entropy") { try Functional.crossEntropy($0, target: t) }
        try check("cross_entropy weighted, smoothed") {
            try Functional.crossEntropy($0, target: t, weight: try Tensor(doubles: [1, 2, 0.5], shape: [3], dtype: .float64), labelSmoothing: 0.1)
        }
        try check("nll none") { try Functional.nllLoss($0.logSoftmax(dim: 1), target: t, reduction: "none").mul(try $0.select(dim: 1, index: 0)).sum() }
    }
}
