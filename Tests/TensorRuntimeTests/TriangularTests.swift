import XCTest
@testable import TensorRuntime

/// `tril` / `triu` values and gradients, and `multinomial`'s draws against PyTorch's.
final class TriangularTests: XCTestCase {
    func testTrilTriuValuesOnABatch() throws {
        let x = try Tensor.arange(start: .int(1), end: .int(25), step: .int(1), dtype: .float32).reshape([2, 3, 4])
        XCTAssertEqual(try x.tril(diagonal: 0).toDoubles(),
                       [1, 0, 0, 0, 5, 6, 0, 0, 9, 10, 11, 0, 13, 0, 0, 0, 17, 18, 0, 0, 21, 22, 23, 0])
        XCTAssertEqual(try x.triu(diagonal: 1).toDoubles(),
                       [0, 2, 3, 4, 0, 0, 7, 8, 0, 0, 0, 12, 0, 14, 15, 16, 0, 0, 19, 20, 0, 0, 0, 24])
        XCTAssertEqual(try x.tril(diagonal: -5).toDoubles(), [Double](repeating: 0, count: 24))
        XCTAssertEqual(try x.triu(diagonal: Int.min).toDoubles(), x.toDoubles())
        XCTAssertThrowsError(try Tensor.ones([3]).tril())
    }

    func testTrilTriuGradientsByFiniteDifferences() throws {
        for d in [-1, 0, 2] {
            try GradCheck.check([[3, 4]]) { xs in try xs[0].tril(diagonal: d).mul(xs[0]) }
            try GradCheck.check([[2, 4, 3]], layout: .transposed) { xs in try xs[0].triu(diagonal: d).mul(xs[0]) }
        }
    }

    func testMultinomialMatchesPyTorchsStream() throws {
        // torch.manual_seed(0); p = torch.rand(3, 5); multinomial(p, 3); multinomial(p, 7, replacement=True)
        TorchRandom.manualSeed(UInt64(0))
        let p = try Tensor.rand([3, 5])
        XCTAssertEqual(try p.multinomial(numSamples: 3).toDoubles(), [0, 1, 3, 4, 1, 0, 0, 4, 1])
        XCTAssertEqual(try p.multinomial(numSamples: 7, replacement: true).toDoubles(),
                       [4, 1, 4, 4, 1, 1, 4, 4, 2, 1, 2, 4, 4, 2, 1, 1, 1, 1, 1, 0, 1])
        XCTAssertThrowsError(try p.multinomial(numSamples: 6))
        XCTAssertThrowsError(try Tensor.zeros([2]).multinomial(numSamples: 1))
    }
}
