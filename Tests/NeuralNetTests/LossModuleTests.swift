import XCTest
@testable import NeuralNet
import TensorRuntime

/// nn.BCELoss, nn.SmoothL1Loss, nn.HuberLoss: repr, buffers, hyperparameters, values from
/// PyTorch, grad_fn names and call errors.
final class LossModuleTests: XCTestCase {
    private func t(_ v: [Float]) throws -> Tensor { try Tensor(v, shape: [v.count]) }

    func testReprAndState() throws {
        XCTAssertEqual(try BCELoss().description, "BCELoss()")
        XCTAssertEqual(try BCELoss(weight: try t([1, 2]), reduction: "sum").description, "BCELoss()")
        XCTAssertEqual(try SmoothL1Loss(beta: 0.5).description, "SmoothL1Loss()")
        XCTAssertEqual(try HuberLoss(reduction: "none", delta: 2).description, "HuberLoss()")
        XCTAssertEqual(try BCELoss(weight: try t([1, 2])).stateDict().map { $0.0 }, ["weight"])
        XCTAssertEqual(try BCELoss().stateDict().count, 0)
        XCTAssertNil(try BCELoss().buffer("weight"))
        XCTAssertEqual(try SmoothL1Loss(beta: 0.5).hyperparameterNames, ["reduction", "beta"])
        XCTAssertEqual(try HuberLoss().hyperparameterNames, ["reduction", "delta"])
        XCTAssertEqual(try HuberLoss().pythonModuleName, "torch.nn.modules.loss")
    }

    func testValues() throws {
        let x = try t([0.2, 0.7, 0.9]), y = try t([0, 1, 1])
        XCTAssertEqual(try BCELoss(weight: try t([1, 2, 3]))(x, y).toDoubles()[0], 0.417525053024292, accuracy: 1e-6)
        let none = try BCELoss(reduction: "none")(x, y).toDoubles()
        for (a, b) in zip(none, [0.2231435626745224, 0.3566749691963196, 0.10536054521799088]) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        let d = try t([0.1, 1.5, -2.0]), z = try t([0, 0, 0])
        XCTAssertEqual(try SmoothL1Loss(beta: 0.5)(d, z).toDoubles()[0], 1.003333330154419, accuracy: 1e-6)
        XCTAssertEqual(try HuberLoss(reduction: "sum", delta: 0.5)(d, z).toDoubles()[0], 1.5049999952316284, accuracy: 1e-6)
    }

    func testGradFnNamesAndBackward() throws {
        let p = try t([0.2, 0.7, 0.9])
        try p.setRequiresGrad(true)
        let y = try t([0, 1, 1])
        let bce = try BCELoss()(p, y)
        XCTAssertEqual(bce.gradFn?.name, "BinaryCrossEntropyBackward0")
        XCTAssertEqual(try SmoothL1Loss()(p, y).gradFn?.name, "SmoothL1LossBackward0")
        XCTAssertEqual(try SmoothL1Loss(beta: 0)(p, y).gradFn?.name, "MeanBackward0")
        XCTAssertEqual(try HuberLoss()(p, y).gradFn?.name, "HuberLossBackward0")
        try bce.backward()
        // d/dp mean(-(y log p + (1-y) log(1-p))) = (p - y) / (p (1-p)) / n
        let expected = [0.2 / 0.16 / 3, -0.3 / 0.21 / 3, -0.1 / 0.09 / 3]
        for (a, b) in zip(p.grad?.toDoubles() ?? [], expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testErrors() throws {
        let x = try t([0.5]), y = try t([1])
        assertTorchError(.typeError, "BCELoss.forward() takes 3 positional arguments but 4 were given") {
            _ = try BCELoss().call(arguments: [x, y, x])
        }
        assertTorchError(.typeError, "HuberLoss.forward() missing 1 required positional argument: 'target'") {
            _ = try HuberLoss().call(arguments: [x])
        }
        assertTorchError(.valueError, "bad is not a valid value for reduction") { _ = try SmoothL1Loss(reduction: "bad")(x, y) }
        assertTorchError(.runtimeError, "all elements of input should be between 0 and 1") { _ = try BCELoss()(try self.t([2]), y) }
        assertTorchError(.runtimeError, "huber_loss does not support non-positive values for delta.") { _ = try HuberLoss(delta: -1)(x, y) }
    }
}
