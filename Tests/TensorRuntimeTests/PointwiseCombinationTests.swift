import XCTest
@testable import TensorRuntime

/// PointwiseCombinations.swift and CumulativeExtremes.swift: values, dtypes and float64
/// finite-difference gradients.
final class PointwiseCombinationTests: XCTestCase {
    private func doubles(_ v: [Double], _ shape: [Int], _ dtype: DType = .float64) throws -> Tensor {
        try Tensor(doubles: v, shape: shape, dtype: dtype)
    }

    func testAddcmulAddcdivValuesAndGradients() throws {
        let x = try doubles([1, 2, 3], [3]), a = try doubles([2, 4, 6], [3]), b = try doubles([1, 2, 4], [3])
        XCTAssertEqual(try Tensor.addcmul(x, a, b, value: .double(0.5)).toDoubles(), [2, 6, 15])
        XCTAssertEqual(try Tensor.addcdiv(x, a, b, value: .int(2)).toDoubles(), [5, 6, 6])
        // Integer inputs: value is cast to an integer; addcdiv refuses integer division.
        let i = try doubles([1, 1], [2], .int64)
        XCTAssertEqual(try Tensor.addcmul(i, i, i, value: .double(0.5)).toDoubles(), [1, 1])
        XCTAssertThrowsError(try Tensor.addcdiv(i, i, i))
        try GradCheck.check([[2, 3], [3], [2, 1]]) { xs in try Tensor.addcmul(xs[0], xs[1], xs[2], value: .double(1.5)) }
        try GradCheck.check([[2, 3], [3], [2, 1]], range: 0.5...2) { xs in try Tensor.addcdiv(xs[0], xs[1], xs[2], value: .double(-2)) }
    }

    func testCopysignSgnSignbitGcd() throws {
        let x = try doubles([1.5, -2, 0, -0.0], [4])
        XCTAssertEqual(try Tensor.copysign(x, try doubles([-1, 1, -1, 1], [4])).toDoubles(), [-1.5, 2, -0.0, 0])
        XCTAssertEqual(try x.signbit().toDoubles(), [0, 1, 0, 1])
        XCTAssertEqual(try x.sgn().toDoubles(), [1, -1, 0, 0])
        XCTAssertEqual(try Tensor.copysign(try doubles([1, 2], [2], .int64), try doubles([-1], [1], .int64)).dtype, .float32)
        try GradCheck.check([[2, 3], [3]]) { xs in try Tensor.copysign(xs[0], xs[1]) }
        let a = try doubles([12, -18, 0, 7], [4], .int64), b = try doubles([8, 12, 5, 0], [4], .int64)
        XCTAssertEqual(try Tensor.gcd(a, b).toDoubles(), [4, 6, 5, 7])
        XCTAssertEqual(try Tensor.gcd(a, b, lcm: true).toDoubles(), [24, 36, 0, 0])
        XCTAssertThrowsError(try Tensor.gcd(x, x))
    }

    func testCrossProduct() throws {
        let e1 = try doubles([1, 0, 0], [3]), e2 = try doubles([0, 1, 0], [3])
        XCTAssertEqual(try Tensor.cross(e1, e2, dim: -1).toDoubles(), [0, 0, 1])
        XCTAssertThrowsError(try Tensor.cross(try doubles([1, 2], [2]), try doubles([1, 2], [2]), dim: 0))
        try GradCheck.check([[2, 3], [2, 3]]) { xs in try Tensor.cross(xs[0], xs[1], dim: 1) }
        try GradCheck.check([[3, 2], [3, 1]]) { xs in try Tensor.cross(xs[0], xs[1], dim: 0) }
    }

    func testCumulativeExtremes() throws {
        let x = try doubles([1, 3, 2, 3, .nan, 0], [6])
        let (values, indices) = try x.cumulativeExtreme(dim: 0, isMax: true)
        XCTAssertEqual(Array(values.toDoubles().prefix(4)), [1, 3, 3, 3])
        XCTAssertTrue(values.toDoubles()[4].isNaN && values.toDoubles()[5].isNaN)
        XCTAssertEqual(indices.toDoubles(), [0, 1, 1, 3, 4, 4])
        XCTAssertEqual(try doubles([2, 1, 1, 3], [4]).cumulativeExtreme(dim: 0, isMax: false).indices.toDoubles(), [0, 1, 2, 2])
        try GradCheck.check([[3, 4]]) { xs in try xs[0].cumulativeExtreme(dim: 1, isMax: true).values }
        try GradCheck.check([[3, 4]]) { xs in try xs[0].cumulativeExtreme(dim: 0, isMax: false).values }
    }

    func testLogcumsumexp() throws {
        let x = try doubles([0, 0, 1000, 1000], [4])
        let r = try x.logcumsumexp(dim: 0).toDoubles()
        XCTAssertEqual(r[1], log(2), accuracy: 1e-15)
        XCTAssertEqual(r[3], 1000 + log(2), accuracy: 1e-12)
        try GradCheck.check([[3, 4]]) { xs in try xs[0].logcumsumexp(dim: 1) }
        try GradCheck.check([[3, 4]], range: -30...30) { xs in try xs[0].logcumsumexp(dim: 0) }
    }
}
