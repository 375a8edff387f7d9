import XCTest
@testable import TensorRuntime

/// `Functional.ctcLoss` against finite differences in float64. ATen's gradient with respect to the
/// log-probabilities is the gradient through a log_softmax (it carries an `exp(lp)` term), so the
/// checks differentiate `ctc_loss(log_softmax(x))` with respect to the logits `x`.
final class CTCLossTests: XCTestCase {
    private func padded() throws -> Tensor { try Tensor(doubles: [1, 2, 2, 3, 1, 0], shape: [2, 3], dtype: .int64) }

    func testGradientMatchesFiniteDifferencesForEachReduction() throws {
        for reduction in ["mean", "sum", "none"] {
            try GradCheck.check([[6, 2, 4]], seed: 3) { xs in
                try Functional.ctcLoss(try Functional.logSoftmax(xs[0], dim: 2), targets: try padded(), inputLengths: [6, 5],
                                       targetLengths: [3, 2], reduction: reduction)
            }
        }
    }

    func testConcatenatedTargetsRepeatedLabelsAndBlankLast() throws {
        let targets = try Tensor(doubles: [0, 0, 1, 2], shape: [4], dtype: .int64)
        try GradCheck.check([[7, 2, 4]], seed: 5) { xs in
            try Functional.ctcLoss(try Functional.logSoftmax(xs[0], dim: 2), targets: targets, inputLengths: [7, 4],
                                   targetLengths: [2, 2], blank: 3, reduction: "sum")
        }
    }

    func testUnbatchedInput() throws {
        let targets = try Tensor(doubles: [2, 1], shape: [2], dtype: .int64)
        try GradCheck.check([[5, 3]], seed: 7) { xs in
            try Functional.ctcLoss(try Functional.logSoftmax(xs[0], dim: 1), targets: targets, inputLengths: [5], targetLengths: [2],
                                   reduction: "none")
        }
    }

    /// A target longer than its input has no alignment: the loss is inf, and zero_infinity makes
    /// it 0 with a zero gradient for that sample only.
    func testZeroInfinity() throws {
        let x = try GradCheck.leaf([2, 2, 3], seed: 9)
        let targets = try Tensor(doubles: [1, 2, 1, 1, 0, 0], shape: [2, 3], dtype: .int64)
        let loss = try Functional.ctcLoss(x, targets: targets, inputLengths: [2, 2], targetLengths: [3, 1], reduction: "none")
        XCTAssertEqual(loss.toDoubles()[0], .infinity)
        let zeroed = try Functional.ctcLoss(x, targets: targets, inputLengths: [2, 2], targetLengths: [3, 1], reduction: "sum",
                                            zeroInfinity: true)
        XCTAssertEqual(zeroed.toDoubles()[0], loss.toDoubles()[1], accuracy: 1e-12)
        try zeroed.backward()
        let g = try XCTUnwrap(x.grad).toDoubles()
        for t in 0..<2 { for k in 0..<3 { XCTAssertEqual(g[(t * 2) * 3 + k], 0) } }
        XCTAssertTrue((0..<2).contains { t in (0..<3).contains { k in g[(t * 2 + 1) * 3 + k] != 0 } })
    }

    func testErrors() throws {
        let lp = try Tensor.zeros([5, 2, 4], dtype: .float32)
        XCTAssertThrowsError(try Functional.ctcLoss(lp, targets: try padded(), inputLengths: [5, 5], targetLengths: [2, 2], blank: 4)) {
            XCTAssertEqual(($0 as? TorchError)?.message, "blank must be in label range")
        }
        XCTAssertThrowsError(try Functional.ctcLoss(lp, targets: try padded(), inputLengths: [6, 5], targetLengths: [2, 2])) {
            XCTAssertEqual(($0 as? TorchError)?.message,
                           "Expected input_lengths to have value at most 5, but got value 6 (while checking arguments for ctc_loss_allocate_outputs)")
        }
        XCTAssertThrowsError(try Functional.ctcLoss(lp, targets: try padded(), inputLengths: [5, 5], targetLengths: [2, 4]))
        let outOfRange = try Tensor(doubles: [1, 9, 1, 1, 0, 0], shape: [2, 3], dtype: .int64)
        XCTAssertThrowsError(try Functional.ctcLoss(lp, targets: outOfRange, inputLengths: [5, 5], targetLengths: [2, 2]))
    }
}
