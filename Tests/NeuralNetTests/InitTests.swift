import XCTest
@testable import NeuralNet
import TensorRuntime

/// torch.nn.init formulas and errors.
final class InitTests: XCTestCase {
    func testGainsAndFans() throws {
        XCTAssertEqual(try Init.calculateGain("relu"), 2.0.squareRoot())
        XCTAssertEqual(try Init.calculateGain("tanh"), 5.0 / 3)
        XCTAssertEqual(try Init.calculateGain("leaky_relu", param: 5.0.squareRoot()), (1.0 / 3).squareRoot(), accuracy: 1e-12)
        assertTorchError(.valueError, "Unsupported nonlinearity foo") { _ = try Init.calculateGain("foo") }
        let w = try Tensor.zeros([8, 3, 3, 3])
        XCTAssertEqual(try Init.fanInAndFanOut(w).fanIn, 27)
        XCTAssertEqual(try Init.fanInAndFanOut(w).fanOut, 72)
        assertTorchError(.valueError, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions") {
            _ = try Init.fanInAndFanOut(try Tensor.zeros([3]))
        }
        assertTorchError(.valueError, "Mode fan not supported, please use one of ['fan_in', 'fan_out']") {
            try Init.kaimingUniform_(w, mode: "fan")
        }
    }

    func testDistributions() throws {
        let w = try Tensor.zeros([200, 100])
        try Init.kaimingNormal_(w, mode: "fan_out", nonlinearity: "relu")
        let values = w.toDoubles()
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        XCTAssertEqual(std, (2.0 / 20_000 * 100).squareRoot(), accuracy: 0.01)
        try Init.xavierUniform_(w)
        let a = (6.0 / 300).squareRoot()
        XCTAssertTrue(w.toDoubles().allSatisfy { abs($0) <= a })
        try Init.constant_(w, 0.5)
        XCTAssertTrue(w.toDoubles().allSatisfy { $0 == 0.5 })
        Init.zeros_(w)
        XCTAssertTrue(w.toDoubles().allSatisfy { $0 == 0 })
    }

    func testSeededLinearIsReproducible() throws {
        TorchRandom.manualSeed(Int64(42))
        let a = try Linear(4, 3).stateDict().flatMap { $0.1.toDoubles() }
        TorchRandom.manualSeed(Int64(42))
        let b = try Linear(4, 3).stateDict().flatMap { $0.1.toDoubles() }
        XCTAssertEqual(a, b)
    }
}
