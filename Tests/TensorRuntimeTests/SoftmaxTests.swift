import XCTest
@testable import TensorRuntime

final class SoftmaxTests: XCTestCase {
    typealias K = KernelTest

    func testValues() throws {
        let x = try Tensor(doubles: [1, 2, 3], shape: [3], dtype: .float32)
        K.assertClose(try x.softmax(dim: 0), [0.0900306, 0.2447285, 0.6652410])
        K.assertClose(try x.logSoftmax(dim: -1), [-2.4076059, -1.4076059, -0.4076059])
        // Stable for large inputs.
        let big = try Tensor(doubles: [1000, 1001], shape: [2], dtype: .float32)
        K.assertClose(try big.softmax(dim: 0), [0.2689414, 0.7310586])
        // dim 0 of a matrix.
        let m = try Tensor(doubles: [0, 0, 1, 2], shape: [2, 2], dtype: .float64)
        K.assertClose(try m.softmax(dim: 0), [0.2689414, 0.1192029, 0.7310586, 0.8807971])
    }

    func testNamesAndErrors() throws {
        let x = try K.random([2, 3], seed: 1)
        XCTAssertEqual(K.gradName(try x.softmax(dim: 1)), "SoftmaxBackward0")
        XCTAssertEqual(K.gradName(try x.logSoftmax(dim: 1)), "LogSoftmaxBackward0")
        Check.throwsError(.indexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)") { try x.softmax(dim: 2) }
        let i = try Tensor(doubles: [1, 2], shape: [2], dtype: .int64)
        Check.throwsError(.notImplementedError, "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'") { try i.softmax(dim: 0) }
    }

    func testGradients() throws {
        let x = try K.random([2, 3, 4], seed: 1)
        for d in 0..<3 {
            try K.gradCheck([x]) { try $0[0].softmax(dim: d) }
            try K.gradCheck([x]) { try $0[0].logSoftmax(dim: d) }
        }
    }
}
