import XCTest
@testable import TensorRuntime

/// sort / argsort / topk: values, PyTorch's tie and NaN orders, errors and gradients.
final class SortingTests: XCTestCase {
    typealias K = KernelTest

    private func long(_ v: [Double], _ shape: [Int]) throws -> Tensor { try Tensor(doubles: v, shape: shape, dtype: .int64) }
    private let sample: [Double] = [3, 1, 2, 1, 0.5, .nan, -1, 0.5]

    func testSortValuesAndTies() throws {
        let x = try Check.tensor(sample, [2, 4])
        let asc = try x.sort(dim: 1)
        Check.values(asc.values, [1, 1, 2, 3, -1, 0.5, 0.5, .nan])
        Check.values(asc.indices, [1, 3, 2, 0, 2, 0, 3, 1])
        XCTAssertEqual(asc.indices.dtype, .int64)
        let desc = try x.sort(dim: 1, descending: true)
        Check.values(desc.values, [3, 2, 1, 1, .nan, 0.5, 0.5, -1])
        Check.values(desc.indices, [0, 2, 1, 3, 1, 0, 3, 2])
        let cols = try x.sort(dim: 0)
        Check.values(cols.values, [0.5, 1, -1, 0.5, 3, .nan, 2, 1])
        Check.values(cols.indices, [1, 0, 1, 1, 0, 1, 0, 0])
        Check.values(try x.argsort(dim: 0), [1, 0, 1, 1, 0, 1, 0, 0])
        let ints = try long([5, 3, 9, 2, 2, 7], [2, 3]).sort(dim: 0, descending: true)
        XCTAssertEqual(ints.values.dtype, .int64)
        Check.values(ints.values, [5, 3, 9, 2, 2, 7])
        Check.values(try Tensor(doubles: [1, 0, 1], shape: [3], dtype: .bool).sort().values, [0, 1, 1])
    }

    /// Unstable sorts leave ties exactly as libstdc++'s introsort (PyTorch's `std::sort`) does.
    func testUnstableTieOrderMatchesPyTorch() throws {
        let v: [Double] = [0, 3, 1, 0, 3, 3, 3, 3, 1, 3, 1, 2, 0, 3, 2, 0, 0, 0, 2, 1, 2, 3, 3, 2, 0, 1, 1, 1, 1, 0, 1, 0, 3, 0, 3, 1, 2, 3, 3, 0]
        let a = try long(v, [40])
        Check.values(try a.sort().indices, [29, 24, 0, 17, 16, 15, 12, 31, 33, 3, 39, 8, 30, 10, 28, 27, 35, 26, 19, 2,
                                            25, 20, 36, 18, 14, 11, 23, 7, 1, 38, 37, 4, 5, 34, 6, 32, 9, 13, 21, 22])
        Check.values(try a.sort(stable: true).indices, [0, 3, 12, 15, 16, 17, 24, 29, 31, 33, 39, 2, 8, 10, 19, 25, 26, 27, 28, 30,
                                                        35, 11, 14, 18, 20, 23, 36, 1, 4, 5, 6, 7, 9, 13, 21, 22, 32, 34, 37, 38])
        Check.values(try a.argsort(descending: true), [1, 38, 37, 4, 5, 6, 7, 9, 34, 32, 21, 13, 22, 18, 20, 23, 36, 14, 11, 19,
                                                       2, 8, 35, 25, 26, 27, 28, 10, 30, 39, 17, 3, 33, 31, 29, 24, 12, 15, 0, 16])
        let topk = try a.topk(3)
        Check.values(topk.values, [3, 3, 3])
        Check.values(topk.indices, [34, 32, 21])
        Check.values(try a.converted(to: .float32).topk(5, sorted: false).indices, [21, 9, 34, 32, 7])
        Check.values(try long([2, 1, 2, 1, 2], [5]).topk(3).indices, [2, 4, 0])
    }

    func testTopk() throws {
        let x = try Check.tensor(sample, [2, 4])
        let top = try x.topk(2)
        Check.values(top.values, [3, 2, .nan, 0.5])
        Check.values(top.indices, [0, 2, 1, 3])
        let low = try x.topk(2, dim: 1, largest: false)
        Check.values(low.values, [1, 1, -1, 0.5])
        Check.values(low.indices, [1, 3, 2, 3])
        let rows = try x.topk(1, dim: 0)
        XCTAssertEqual(rows.values.shape, [1, 4])
        Check.values(rows.indices, [0, 1, 0, 0])
        XCTAssertEqual(try x.topk(0).values.shape, [2, 0])
        let scalar = try Tensor(scalar: .double(3)).topk(1)
        XCTAssertEqual(scalar.values.shape, [])
        Check.values(scalar.indices, [0])
    }

    func testErrors() throws {
        let x = try Check.tensor(sample, [2, 4])
        Check.throwsError(.indexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)") { try x.sort(dim: 2) }
        Check.throwsError(.indexError, "Dimension out of range (expected to be in range of [-2, 1], but got -3)") { try x.topk(1, dim: -3) }
        Check.throwsError(.runtimeError, "selected index k out of range") { try x.topk(5) }
        Check.throwsError(.runtimeError, "selected index k out of range") { try x.topk(-1) }
        Check.throwsError(.runtimeError, "selected index k out of range") { try Tensor(scalar: .double(1)).topk(2) }
        Check.throwsError(.notImplementedError, "topk does not support bool dtypes on CPU") {
            try Tensor(doubles: [1, 0], shape: [2], dtype: .bool).topk(1)
        }
    }

    func testEmptyAndExpanded() throws {
        let e = try Tensor.zeros([2, 0])
        XCTAssertEqual(try e.sort().indices.shape, [2, 0])
        XCTAssertEqual(try e.topk(0).values.shape, [2, 0])
        // An expanded (stride 0) dim keeps its order, as PyTorch.
        let x = try Tensor(scalar: .double(1)).expand([20])
        Check.values(try x.sort().indices, (0..<20).map(Double.init))
    }

    func testGradients() throws {
        let x = try K.random([3, 5], seed: 1)
        XCTAssertEqual(K.gradName(try x.sort().values), "SortBackward0")
        XCTAssertEqual(K.gradName(try x.topk(2).values), "TopkBackward0")
        XCTAssertFalse(try x.sort().indices.requiresGrad)
        XCTAssertFalse(try x.argsort().requiresGrad)
        try GradCheck.check([[3, 5]]) { xs in try xs[0].sort(dim: 1, descending: true).values }
        try GradCheck.check([[3, 5]], layout: .transposed) { xs in try xs[0].sort(dim: 0).values }
        try GradCheck.check([[4, 6]]) { xs in try xs[0].topk(3, dim: 1).values }
        try GradCheck.check([[4, 6]], layout: .strided) { xs in try xs[0].topk(2, dim: 0, largest: false, sorted: false).values }
        try GradCheck.check([[]]) { xs in try xs[0].topk(1).values }
    }
}
