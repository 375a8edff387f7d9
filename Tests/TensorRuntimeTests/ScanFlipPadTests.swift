import XCTest
@testable import TensorRuntime

/// cumsum, flip, constant padding and F.normalize: values, dtypes, errors and gradients.
final class ScanFlipPadTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    func testCumsum() throws {
        let x = try Check.tensor([0, 1, 2, 3, 4, 5], [2, 3])
        Check.values(try x.cumsum(dim: 0), [0, 1, 2, 3, 5, 7])
        Check.values(try x.cumsum(dim: -1), [0, 1, 3, 3, 7, 12])
        let ints = try Tensor(doubles: [5, 3, 9, 2, 2, 7], shape: [2, 3], dtype: .int64).cumsum(dim: 1)
        XCTAssertEqual(ints.dtype, .int64)
        Check.values(ints, [5, 8, 17, 2, 4, 11])
        let bools = try Tensor(doubles: [1, 0, 1], shape: [3], dtype: .bool).cumsum(dim: 0)
        XCTAssertEqual(bools.dtype, .int64)
        Check.values(bools, [1, 1, 2])
        let promoted = try Tensor(doubles: [1, 2], shape: [2], dtype: .int64).cumsum(dim: 0, dtype: .float64)
        XCTAssertEqual(promoted.dtype, .float64)
        Check.values(promoted, [1, 3])
        // int64 wraps as in PyTorch instead of trapping.
        let big = try Tensor(doubles: [0x1p62, 0x1p62], shape: [2], dtype: .int64).cumsum(dim: 0)
        XCTAssertEqual(big.toScalars(), [.int(1 << 62), .int(Int64.min)])
        XCTAssertEqual(try Tensor(scalar: .double(3)).cumsum(dim: 0).shape, [])
        Check.throwsError(.indexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)") { try x.cumsum(dim: 2) }
    }

    func testFlip() throws {
        let x = try Check.tensor([0, 1, 2, 3, 4, 5], [2, 3])
        Check.values(try x.flip([0]), [3, 4, 5, 0, 1, 2])
        Check.values(try x.flip([-1]), [2, 1, 0, 5, 4, 3])
        Check.values(try x.flip([0, 1]), [5, 4, 3, 2, 1, 0])
        Check.values(try x.flip([]), [0, 1, 2, 3, 4, 5])
        Check.values(try x.t().flip([0]), [2, 5, 1, 4, 0, 3])
        let f = try x.flip([1])
        XCTAssertTrue(f.isContiguous)
        XCTAssertFalse(Check.sharesStorage(f, x))
        Check.throwsError(.runtimeError, "dim 0 appears multiple times in the list of dims") { try x.flip([0, -2]) }
        Check.throwsError(.indexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)") { try x.flip([2]) }
        Check.throwsError(.runtimeError, "dim 0 appears multiple times in the list of dims") { try Tensor(scalar: .int(1)).flip([0, -1]) }
    }

    func testPad() throws {
        let x = try Check.tensor([0, 1, 2, 3, 4, 5], [2, 3])
        let p = try F.pad(x, [1, -1, 2, 0], value: .int(9))
        XCTAssertEqual(p.shape, [4, 3])
        Check.values(p, [9, 9, 9, 9, 9, 9, 9, 0, 1, 9, 3, 4])
        Check.values(try F.pad(x, [-1, 1]), [1, 2, 0, 4, 5, 0])
        XCTAssertEqual(try F.pad(x, [-2, -1]).shape, [2, 0])
        XCTAssertEqual(try F.pad(x, []).shape, [2, 3])
        let ints = try F.pad(try Tensor(doubles: [1, 2], shape: [2], dtype: .int64), [1, 1], value: .double(2.5))
        XCTAssertEqual(ints.toScalars(), [.int(2), .int(1), .int(2), .int(2)])
        Check.throwsError(.runtimeError, "Padding length must be divisible by 2") { try F.pad(x, [1]) }
        Check.throwsError(.runtimeError, "Padding length should be less than or equal to two times the input dimension but got padding length 6 and input of dimension 2") {
            try F.pad(x, [1, 1, 1, 1, 1, 1])
        }
        Check.throwsError(.runtimeError, "narrow(): length must be non-negative.") { try F.pad(x, [-2, -2]) }
        Check.throwsError(.runtimeError, "narrow(): length must be non-negative.") { try F.pad(x, [-4, 2]) }
        Check.throwsError(.runtimeError, "The input size 3, plus negative padding 4611686018427387904 and 4611686018427387904 resulted in a negative output size, which is invalid. Check dimension 1 of your input.") {
            try F.pad(x, [1 << 62, 1 << 62])
        }
        Check.throwsError(.notImplementedError, "Unrecognised padding mode bogus") { try F.pad(x, [1, 1], mode: "bogus") }
        Check.values(try F.pad(x, [1, 1], mode: "reflect"), [1, 0, 1, 2, 1, 4, 3, 4, 5, 4])
    }

    func testNormalize() throws {
        let x = try Check.tensor([3, 4, 1, 0], [2, 2])
        Check.values(try F.normalize(x), [0.6, 0.8, 1, 0])
        Check.values(try F.normalize(x, p: 1, dims: [0]), [0.75, 1, 0.25, 0])
        Check.values(try F.normalize(try Tensor.zeros([2, 2])), [0, 0, 0, 0])
        Check.throwsError(.indexError, "Dimension out of range (expected to be in range of [-1, 0], but got 1)") {
            try F.normalize(try Check.tensor([3, 4]))
        }
    }

    func testGradients() throws {
        let x = try K.random([2, 3], seed: 3)
        XCTAssertEqual(K.gradName(try x.cumsum(dim: 0)), "CumsumBackward0")
        XCTAssertEqual(K.gradName(try x.flip([0])), "FlipBackward0")
        XCTAssertEqual(K.gradName(try F.pad(x, [1, 1])), "ConstantPadNdBackward0")
        XCTAssertEqual(K.gradName(try F.normalize(x)), "DivBackward0")
        try GradCheck.check([[3, 4]]) { xs in try xs[0].cumsum(dim: 1) }
        try GradCheck.check([[3, 4]], layout: .transposed) { xs in try xs[0].cumsum(dim: 0) }
        try GradCheck.check([[2, 3, 4]]) { xs in try xs[0].flip([0, 2]) }
        try GradCheck.check([[3, 4]], layout: .strided) { xs in try xs[0].flip([1]) }
        try GradCheck.check([[2, 3, 4]]) { xs in try F.pad(xs[0], [1, -1, -1, 2]) }
        try GradCheck.check([[3, 4]], layout: .transposed) { xs in try F.pad(xs[0], [2, 0, 0, 1], value: .double(0.5)) }
        try GradCheck.check([[3, 4]]) { xs in try F.normalize(xs[0]) }
        try GradCheck.check([[3, 4]], range: 0.2...1) { xs in try F.normalize(xs[0], p: 3, dims: [0]) }
    }
}
