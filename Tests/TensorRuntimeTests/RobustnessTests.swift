import XCTest
@testable import TensorRuntime

/// Geometry from user input that used to trap on Int overflow now throws (or just works).
final class RobustnessTests: XCTestCase {
    func testHugeRepeatCountsThrowInsteadOfOverflowing() throws {
        let x = try Tensor.ones([2, 3])
        Check.throwsError(.runtimeError, "numel: integer multiplication overflow") {
            try x.repeated([1 << 62, 1 << 62])
        }
        XCTAssertEqual(try x.repeated([2, 1]).shape, [4, 3])
    }

    func testChunkAndSliceWithHugeCountsAndSteps() throws {
        let x = try Tensor.ones([2, 3])
        XCTAssertEqual(try x.chunk(Int.max).map(\.shape), [[1, 3], [1, 3]])
        XCTAssertEqual(try x.slice(dim: 0, step: Int.max).shape, [1, 3])
        XCTAssertEqual(try x.slice(dim: 1, start: Int.min, end: Int.max, step: 1 << 62).shape, [2, 1])
        XCTAssertEqual(try x.slice(dim: 1, step: 2).shape, [2, 2])
        XCTAssertEqual(try x.slice(dim: 1, start: 2, end: 1).shape, [2, 0])
    }

    func testAdaptivePoolWithHugeOutputSizeThrows() throws {
        let x = try Tensor.ones([1, 1, 4, 4])
        XCTAssertThrowsError(try Functional.adaptiveAvgPool2d(x, outputSize: (1 << 40, 1 << 40)))
        XCTAssertThrowsError(try Functional.adaptiveAvgPool2d(x, outputSize: (1 << 30, 1 << 30)))
    }

    func testAllocationLimitIsARuntimeError() {
        XCTAssertThrowsError(try Storage.checkAllocation(count: Int.max, itemSize: 8)) { e in
            XCTAssertEqual((e as? TorchError)?.kind, .runtimeError)
        }
        XCTAssertThrowsError(try Tensor.zeros([1 << 31, 1 << 31]))
        XCTAssertEqual(try Storage.checkAllocation(count: 3, itemSize: 4), 12)
    }
}
