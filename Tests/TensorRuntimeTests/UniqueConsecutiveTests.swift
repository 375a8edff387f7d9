import XCTest
@testable import TensorRuntime

/// unique_consecutive: runs over all elements and along a dim (values printed by PyTorch 2.15),
/// NaN runs, empty inputs, errors and the node without a derivative.
final class UniqueConsecutiveTests: XCTestCase {
    func testFlattenedRuns() throws {
        let x = try Check.tensor([1, 1, 2, 3, 1, 1], [2, 3], .int64)
        let u = try x.uniqueConsecutive()
        XCTAssertEqual(u.values.dtype, .int64)
        Check.values(u.values, [1, 2, 3, 1])
        XCTAssertEqual(u.inverse.shape, [2, 3])
        Check.values(u.inverse, [0, 0, 1, 2, 3, 3])
        Check.values(u.counts, [2, 1, 1, 2])
        // NaNs are never equal: each is a run of its own.
        Check.values(try Check.tensor([.nan, .nan, 1, 1]).uniqueConsecutive().values, [.nan, .nan, 1])
        let scalar = try Check.tensor([5], []).uniqueConsecutive()
        XCTAssertEqual(scalar.values.shape, [1])
        XCTAssertEqual(scalar.inverse.shape, [])
        let empty = try Check.tensor([]).uniqueConsecutive()
        XCTAssertEqual(empty.values.shape, [0])
        XCTAssertEqual(empty.counts.shape, [0])
    }

    func testRunsAlongDim() throws {
        let x = try Check.tensor([1, 1, 1, 1, 2, 3, 1, 1], [4, 2], .int64)
        let rows = try x.uniqueConsecutive(dim: 0)
        XCTAssertEqual(rows.values.shape, [3, 2])
        Check.values(rows.values, [1, 1, 2, 3, 1, 1])
        Check.values(rows.inverse, [0, 0, 1, 2])
        Check.values(rows.counts, [2, 1, 1])
        let cols = try Check.tensor([1, 1, 2, 3, 3, 2], [2, 3]).uniqueConsecutive(dim: -1)
        XCTAssertEqual(cols.values.shape, [2, 2])
        Check.values(cols.values, [1, 2, 3, 2])
        Check.values(cols.counts, [2, 1])
        let emptyRows = try Tensor.zeros([0, 2]).uniqueConsecutive(dim: 0)
        XCTAssertEqual(emptyRows.values.shape, [0, 2])
        Check.throwsError(.runtimeError, "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied") {
            try Tensor.zeros([2, 0]).uniqueConsecutive(dim: 0)
        }
        Check.throwsError(.indexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)") {
            try Tensor.zeros([2, 2]).uniqueConsecutive(dim: 2)
        }
    }

    func testNoDerivative() throws {
        let x = try Check.tensor([1, 1, 2], [3], .float64)
        try x.setRequiresGrad(true)
        let u = try x.uniqueConsecutive().values
        XCTAssertEqual(u.gradFn?.name, "UniqueConsecutiveBackward0")
        Check.throwsError(.notImplementedError, "the derivative for 'unique_consecutive' is not implemented.") {
            try u.sum().backward()
        }
        XCTAssertNil(try GradMode.withNoGrad { try x.uniqueConsecutive().values }.gradFn)
    }
}
