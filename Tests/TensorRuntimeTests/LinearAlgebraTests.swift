import XCTest
@testable import TensorRuntime

/// linalg.inv / det / solve: values of known matrices, and gradients against finite differences.
final class LinearAlgebraTests: XCTestCase {
    func testKnownValues() throws {
        // [[0, 2], [3, 4]] needs a row swap; det = -6.
        let a = try Tensor(doubles: [0, 2, 3, 4], shape: [2, 2], dtype: .float64)
        XCTAssertEqual(try a.linalgDet().toDoubles(), [-6])
        XCTAssertEqual(try a.linalgInv().toDoubles(), [-4.0 / 6, 2.0 / 6, 0.5, 0])
        let x = try Tensor.linalgSolve(a, try Tensor(doubles: [2, 7], shape: [2], dtype: .float64))
        XCTAssertEqual(x.shape, [2])
        XCTAssertEqual(x.toDoubles(), [1, 1])
        let singular = try Tensor(doubles: [1, 2, 2, 4], shape: [2, 2], dtype: .float64)
        XCTAssertEqual(try singular.linalgDet().toDoubles(), [0])
        XCTAssertThrowsError(try singular.linalgInv())
        XCTAssertThrowsError(try Tensor(doubles: [1, 2, 3], shape: [1, 3], dtype: .float64).linalgDet())
    }

    func testGradients() throws {
        try GradCheck.check([[2, 3, 3]], seed: 3, range: 0.5...2) { xs in try xs[0].linalgInv() }
        try GradCheck.check([[3, 3]], seed: 4) { xs in try xs[0].linalgDet() }
        try GradCheck.check([[3, 3], [2, 3, 2]], seed: 5) { xs in try Tensor.linalgSolve(xs[0], xs[1]) }
        try GradCheck.check([[3, 3], [3]], seed: 6) { xs in try Tensor.linalgSolve(xs[0], xs[1]) }
    }
}
