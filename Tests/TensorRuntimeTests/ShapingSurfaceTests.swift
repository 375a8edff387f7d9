import XCTest
@testable import TensorRuntime

/// Values and float64 finite-difference gradients of diff, rot90, block_diag, cartesian_prod,
/// combinations, take, index_fill, index_put (with accumulate) and the unfold view.
final class ShapingSurfaceTests: XCTestCase {
    private func ints(_ values: [Double], _ shape: [Int]) throws -> Tensor { try Tensor(doubles: values, shape: shape, dtype: .int64) }

    func testShapeCombinationValues() throws {
        let x = try Tensor(doubles: [1, 4, 9, 16], shape: [4], dtype: .int64)
        XCTAssertEqual(try x.diff().toDoubles(), [3, 5, 7])
        XCTAssertEqual(try x.diff(n: 2).toDoubles(), [2, 2])
        XCTAssertEqual(try x.diff(n: 9).shape, [0])
        let m = try Tensor(doubles: [0, 1, 2, 3], shape: [2, 2], dtype: .int64)
        XCTAssertEqual(try m.rot90().toDoubles(), [1, 3, 0, 2])
        XCTAssertEqual(try m.rot90(k: -1).toDoubles(), [2, 0, 3, 1])
        XCTAssertEqual(try m.rot90(k: 6).toDoubles(), [3, 2, 1, 0])
        XCTAssertThrowsError(try m.rot90(dims: [0, 0]))
        let block = try Tensor.blockDiag([try Tensor.ones([1, 1]), try Tensor.full([2, 2], value: .int(2))])
        XCTAssertEqual(block.toDoubles(), [1, 0, 0, 0, 2, 2, 0, 2, 2])
        XCTAssertEqual(try Tensor.blockDiag([]).shape, [1, 0])
        let prod = try Tensor.cartesianProd([try ints([1, 2], [2]), try ints([3, 4, 5], [3])])
        XCTAssertEqual(prod.shape, [6, 2])
        XCTAssertEqual(prod.toDoubles(), [1, 3, 1, 4, 1, 5, 2, 3, 2, 4, 2, 5])
        let three = try ints([1, 2, 3], [3])
        XCTAssertEqual(try three.combinations().toDoubles(), [1, 2, 1, 3, 2, 3])
        XCTAssertEqual(try three.combinations(r: 2, withReplacement: true).toDoubles(), [1, 1, 1, 2, 1, 3, 2, 2, 2, 3, 3, 3])
        XCTAssertEqual(try three.combinations(r: 4).shape, [0, 4])
        XCTAssertEqual(try three.combinations(r: 0).shape, [0])
        XCTAssertThrowsError(try three.combinations(r: Int.max, withReplacement: true))
        XCTAssertEqual(try Tensor(scalar: .double(1)).atLeast(3).shape, [1, 1, 1])
        XCTAssertEqual(try three.atLeast(3).shape, [1, 3, 1])
        XCTAssertEqual(try m.atLeast(3).shape, [2, 2, 1])
        let seven = try Tensor(doubles: (0..<7).map(Double.init), shape: [7], dtype: .int64)
        XCTAssertEqual(try seven.tensorSplit(sections: 3).map(\.shape), [[3], [2], [2]])
        XCTAssertEqual(try seven.tensorSplit(indices: [2, -1, 9]).map { $0.toDoubles() }, [[0, 1], [2, 3, 4, 5], [6], []])
        XCTAssertThrowsError(try seven.tensorSplit(sections: 0))
        XCTAssertThrowsError(try Tensor(scalar: .int(1)).tensorSplit(sections: 2))
    }

    func testIndexWriteValues() throws {
        let x = try Tensor(doubles: (0..<12).map(Double.init), shape: [3, 4], dtype: .float32)
        XCTAssertEqual(try x.take(try ints([0, -1, 5], [3])).toDoubles(), [0, 11, 5])
        XCTAssertThrowsError(try x.take(try ints([12], [1])))
        XCTAssertEqual(try x.indexFill(dim: 1, index: try ints([0, -1], [2]), value: .double(-1)).toDoubles(),
                       [-1, 1, 2, -1, -1, 5, 6, -1, -1, 9, 10, -1])
        let z = try Tensor.zeros([2, 3])
        let put = try z.indexPut(indices: [try ints([1, 1], [2])], values: try Tensor([1, 2, 3], shape: [3]), accumulate: true)
        XCTAssertEqual(put.toDoubles(), [0, 0, 0, 2, 4, 6])
        let pairs = try z.indexPut(indices: [try ints([0, 0], [2]), try ints([2, 2], [2])], values: try Tensor([1, 5], shape: [2]), accumulate: true)
        XCTAssertEqual(pairs.toDoubles(), [0, 0, 6, 0, 0, 0])
        XCTAssertEqual(z.toDoubles(), [0, 0, 0, 0, 0, 0], "index_put leaves its input alone")
        let windows = try x.unfoldWindows(dim: 1, size: 2, step: 1)
        XCTAssertEqual(windows.shape, [3, 3, 2])
        XCTAssertEqual(windows.strides, [4, 1, 1])
        XCTAssertEqual(try windows.select(dim: 0, index: 1).toDoubles(), [4, 5, 5, 6, 6, 7])
        XCTAssertTrue(windows.storage === x.storage, "unfold is a view")
        XCTAssertThrowsError(try x.unfoldWindows(dim: 1, size: 5, step: 1))
        XCTAssertThrowsError(try x.unfoldWindows(dim: 1, size: 2, step: 0))
        XCTAssertEqual(try x.select(dim: 0, index: 1).dataPointer - x.dataPointer, 16)
    }

    func testGradients() throws {
        try GradCheck.check([[3, 5]], layout: .transposed) { xs in try xs[0].diff(n: 2, dim: 1) }
        try GradCheck.check([[3, 4], [1, 4]]) { xs in try xs[0].diff(dim: 0, prepend: xs[1], append: xs[1]) }
        try GradCheck.check([[2, 3, 4]]) { xs in try xs[0].rot90(k: 3, dims: [2, 0]) }
        try GradCheck.check([[2, 2], [3], [1, 2]]) { xs in try Tensor.blockDiag(xs) }
        try GradCheck.check([[3], [2]]) { xs in try Tensor.cartesianProd(xs) }
        try GradCheck.check([[4]]) { xs in try xs[0].combinations(r: 3) }
        try GradCheck.check([[3, 4]], layout: .strided) { xs in try xs[0].take(try ints([0, 5, 5, -1], [2, 2])) }
        try GradCheck.check([[3, 4]]) { xs in try xs[0].indexFill(dim: 0, index: try ints([1], [1]), value: .double(2)) }
        try GradCheck.check([[4, 3], [2, 3]]) { xs in
            try xs[0].indexPut(indices: [try ints([2, 2], [2])], values: xs[1], accumulate: true)
        }
        try GradCheck.check([[4, 3], [3]]) { xs in
            try xs[0].indexPut(indices: [try ints([0, 3], [2]), try ints([1, 1], [2])], values: xs[1].narrow(dim: 0, start: 0, length: 2), accumulate: false)
        }
        try GradCheck.check([[3, 7]], layout: .transposed) { xs in try xs[0].unfoldWindows(dim: 1, size: 3, step: 2) }
        try GradCheck.check([[5, 2]]) { xs in try xs[0].unfoldWindows(dim: 0, size: 3, step: 1).mul(xs[0].sum()) }
        let mask = try Tensor(doubles: [1, 0, 1, 1, 0, 0], shape: [2, 3], dtype: .bool)
        try GradCheck.check([[2, 3], [5]]) { xs in try xs[0].maskedScatter(mask, xs[1]) }
        try GradCheck.check([[2, 7]]) { xs in try Tensor.cat(try xs[0].tensorSplit(sections: 3, dim: 1).map { try $0.mul($0) }, dim: 1) }
    }

    func testScatterReduce() throws {
        let index = try ints([0, 0, 2], [3])
        let src = try Tensor([1, 2, 3], shape: [3])
        XCTAssertEqual(try Tensor.zeros([3]).scatterReduce(dim: 0, index: index, src: src, reduce: .amax, includeSelf: true).toDoubles(), [2, 0, 3])
        XCTAssertEqual(try Tensor.ones([3]).scatterReduce(dim: 0, index: index, src: src, reduce: .mean, includeSelf: false).toDoubles(), [1.5, 1, 3])
        XCTAssertEqual(try Tensor.ones([3]).scatterReduce(dim: 0, index: index, src: src, reduce: .prod, includeSelf: true).toDoubles(), [2, 1, 3])
        XCTAssertThrowsError(try Tensor.ones([3]).scatterReduce(dim: 0, index: try ints([5], [1]), src: src, reduce: .sum, includeSelf: true))
        let spread = try ints([0, 1, 0, 2, 2, 0], [2, 3])
        for reduce in [Tensor.ScatterReduction.sum, .mean, .prod, .amax, .amin] {
            for includeSelf in [true, false] {
                try GradCheck.check([[3, 3], [2, 4]], range: 0.5...2) { xs in
                    try xs[0].scatterReduce(dim: 0, index: spread, src: xs[1], reduce: reduce, includeSelf: includeSelf)
                }
            }
        }
    }
}
