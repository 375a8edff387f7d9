import XCTest
@testable import TensorRuntime

final class DropoutTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    func testDropout() throws {
        let x = try Tensor(doubles: [Double](repeating: 1, count: 1000), shape: [1000], dtype: .float32)
        let y = try F.dropout(x, p: 0.5)
        let v = y.toDoubles()
        XCTAssertTrue(v.allSatisfy { $0 == 0 || $0 == 2 })
        XCTAssertTrue((300...700).contains(v.filter { $0 == 0 }.count))
        XCTAssertTrue(try F.dropout(x, p: 0.5, training: false) === x)
        XCTAssertTrue(try F.dropout(x, p: 1).toDoubles().allSatisfy { $0 == 0 })
        Check.throwsError(.valueError, "dropout probability has to be between 0 and 1, but got 1.5") { try F.dropout(x, p: 1.5) }
        let g = try K.random([10], seed: 1)
        XCTAssertEqual(K.gradName(try F.dropout(g, p: 0.3)), "MulBackward0")
        // Gradient flows through the mask: d(Σ y)/dx = mask.
        let out = try F.dropout(g, p: 0.3)
        try out.backward(gradient: try Tensor(doubles: [Double](repeating: 1, count: 10), shape: [10], dtype: .float64))
        for (gi, (yi, xi)) in zip(g.grad?.toDoubles() ?? [], zip(out.toDoubles(), g.toDoubles())) {
            XCTAssertEqual(gi * xi, yi, accuracy: 1e-12)
        }
    }
}
