import XCTest
@testable import TensorRuntime

/// `F.multilabel_margin_loss`: values printed by PyTorch 2.15 and float64 finite differences.
final class MultilabelMarginLossTests: XCTestCase {
    private typealias K = KernelTest
    private typealias F = Functional

    func testValuesAndGradientAgainstPyTorch() throws {
        let x = try Tensor(doubles: [0.1, 0.2, 0.4, 0.8, 0.5, -0.3, 0.2, 0.0], shape: [2, 4], dtype: .float32)
        _ = try x.requiresGradInPlace(true)
        let y = try Tensor(doubles: [3, 0, -1, 1, 1, 2, -1, 0], shape: [2, 4], dtype: .int64)
        let none = try F.multilabelMarginLoss(x, target: y, reduction: "none")
        XCTAssertEqual(none.toDoubles().map { ($0 * 1e4).rounded() / 1e4 }, [0.85, 1.3])
        XCTAssertEqual(none.gradFn?.name, "MultilabelMarginLossBackward0")
        try none.sum().backward()
        XCTAssertEqual(x.grad?.toDoubles(), [-0.5, 0.5, 0.5, -0.5, 0.5, -0.5, -0.5, 0.5])
        let mean = try F.multilabelMarginLoss(try Tensor(doubles: [0.1, 0.2, 0.4, 0.8], shape: [4], dtype: .float32),
                                              target: try Tensor(doubles: [3, 0, -1, 1], shape: [4], dtype: .int64))
        XCTAssertEqual(mean.shape, [Int]())
        XCTAssertEqual(try mean.item().doubleValue, 0.85, accuracy: 1e-6)
    }

    func testGradientsByFiniteDifferences() throws {
        let y = try Tensor(doubles: [0, 2, -1, 1, 3, 1, 0, -1, 2, -1, 0, 0], shape: [3, 4], dtype: .int64)
        for reduction in ["mean", "sum", "none"] {
            let x = try K.random([3, 4], seed: 31)
            try K.gradCheck([x]) { try F.multilabelMarginLoss($0[0], target: y, reduction: reduction) }
        }
    }

    func testErrors() throws {
        assertThrows(try F.multilabelMarginLoss(try Tensor.zeros([2, 4]), target: try Tensor.zeros([2, 4])),
                     .runtimeError, "expected scalar type Long but found Float")
        assertThrows(try F.multilabelMarginLoss(try Tensor.zeros([2, 4]), target: try Tensor.zeros([2, 3], dtype: .int64)),
                     .runtimeError, "inconsistent target size: [2, 3] for input of size: [2, 4]")
        assertThrows(try F.multilabelMarginLoss(try Tensor.zeros([2, 4]), target: try Tensor.full([2, 4], value: .int(4), dtype: .int64)),
                     .runtimeError, "target out of range")
    }
}
