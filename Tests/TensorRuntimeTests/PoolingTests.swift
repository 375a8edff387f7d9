import XCTest
@testable import TensorRuntime

final class PoolingTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    private func arange(_ shape: [Int]) throws -> Tensor {
        try Tensor(doubles: (0..<shape.reduce(1, *)).map(Double.init), shape: shape, dtype: .float32)
    }

    func testValues() throws {
        let x = try arange([1, 1, 4, 4])
        K.assertClose(try F.maxPool2d(x, kernelSize: (2, 2)), [5, 7, 13, 15])
        K.assertClose(try F.avgPool2d(x, kernelSize: (2, 2)), [2.5, 4.5, 10.5, 12.5])
        K.assertClose(try F.adaptiveAvgPool2d(x, outputSize: (1, 1)), [7.5])
        let a = try F.adaptiveAvgPool2d(x, outputSize: (3, 3))
        XCTAssertEqual(a.shape, [1, 1, 3, 3])
        K.assertClose(a, [2.5, 3.5, 4.5, 6.5, 7.5, 8.5, 10.5, 11.5, 12.5])
        // ceil_mode keeps the partial last window; padding with count_include_pad.
        let m = try F.maxPool2d(try arange([1, 5, 5]), kernelSize: (2, 2), ceilMode: true)
        XCTAssertEqual(m.shape, [1, 3, 3])
        K.assertClose(m, [6, 8, 9, 16, 18, 19, 21, 23, 24])
        K.assertClose(try F.avgPool2d(x, kernelSize: (2, 2), padding: (1, 1)), [0, 0.75, 0.75, 3, 7.5, 4.5, 3, 6.75, 3.75])
        K.assertClose(try F.avgPool2d(x, kernelSize: (2, 2), padding: (1, 1), countIncludePad: false), [0, 1.5, 3, 6, 7.5, 9, 12, 13.5, 15])
        K.assertClose(try F.maxPool2d(x, kernelSize: (2, 2), stride: (1, 1), dilation: (2, 2)), [10, 11, 14, 15])
    }

    func testNamesAndErrors() throws {
        let x = try K.random([1, 2, 4, 4], seed: 1)
        XCTAssertEqual(K.gradName(try F.maxPool2d(x, kernelSize: (2, 2))), "MaxPool2DWithIndicesBackward0")
        XCTAssertEqual(K.gradName(try F.avgPool2d(x, kernelSize: (2, 2))), "AvgPool2DBackward0")
        XCTAssertEqual(K.gradName(try F.adaptiveAvgPool2d(x, outputSize: (2, 2))), "AdaptiveAvgPool2DBackward0")
        Check.throwsError(.runtimeError, "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1") {
            try F.maxPool2d(x, kernelSize: (2, 2), padding: (2, 2))
        }
        Check.throwsError(.runtimeError, "Given input size: (2x4x4). Calculated output size: (2x0x0). Output size is too small") {
            try F.maxPool2d(x, kernelSize: (5, 5))
        }
    }

    func testGradients() throws {
        let x = try K.random([2, 2, 5, 5], seed: 1)
        try K.gradCheck([x]) { try F.maxPool2d($0[0], kernelSize: (2, 2)) }
        try K.gradCheck([x]) { try F.maxPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true) }
        try K.gradCheck([x]) { try F.maxPool2d($0[0], kernelSize: (2, 2), stride: (1, 1), dilation: (2, 2)) }
        try K.gradCheck([x]) { try F.avgPool2d($0[0], kernelSize: (2, 2)) }
        try K.gradCheck([x]) { try F.avgPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true, countIncludePad: false) }
        try K.gradCheck([x]) { try F.adaptiveAvgPool2d($0[0], outputSize: (3, 2)) }
        try K.gradCheck([x]) { try F.adaptiveAvgPool2d($0[0], outputSize: (1, 1)) }
    }
}
