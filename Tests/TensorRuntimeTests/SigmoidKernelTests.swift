import XCTest
@testable import TensorRuntime

/// The float32 sigmoid vector kernel (CKernels/sigmoid.c, `AtenSigmoid`) against the plain path
/// and a float64 reference: lengths around the vector blocks and the thread chunks, NaN and
/// infinities, non-contiguous inputs, gradients by finite differences. (Its bits against
/// PyTorch's are the golden vector_kernels.)
final class SigmoidKernelTests: XCTestCase {
    private func inputs(_ n: Int, seed: UInt64) throws -> Tensor {
        var v = GradCheck.Values(seed)
        return try Tensor(doubles: (0..<n).map { _ in v.next(-12, 12) }, shape: [n], dtype: .float32)
    }

    /// 1 / (1 + exp(-x)) in float64 for each float32 input.
    private func reference(_ x: Tensor) -> [Double] { x.toDoubles().map { 1 / (1 + Foundation.exp(-$0)) } }

    func testCloseToFloat64AtEveryLength() throws {
        for n in [1, 7, 15, 16, 17, 31, 32, 33, 63, 65, 1000, 32_768, 32_769, 70_001] {
            let x = try inputs(n, seed: UInt64(n))
            let y = try x.sigmoid().toDoubles(), expected = reference(x)
            var worst = 0.0
            for (a, b) in zip(y, expected) { worst = Swift.max(worst, abs(a - b) / Swift.max(b, 1e-30)) }
            XCTAssertLessThan(worst, 4e-7, "n=\(n)")
        }
    }

    func testTailsArePlainPath() throws {
        // Elements past the last whole block (and whole tensors shorter than one) are the plain
        // path's `1 / (1 + expf(-x))` bit for bit.
        let n = 37, x = try inputs(n, seed: 3)
        let y = try x.sigmoid().toDoubles(), block = AtenSigmoid.block
        let scalarFrom = block > 0 ? n - n % block : 0
        for i in scalarFrom..<n {
            let v = Float(x.toDoubles()[i])
            XCTAssertEqual(Float(y[i]).bitPattern, (1 / (1 + Foundation.expf(-v))).bitPattern, "element \(i)")
        }
    }

    func testSpecialValues() throws {
        let specials: [Double] = [.nan, .infinity, -.infinity, -104.5, -88, 88, 100.5, 0, -0.0]
        let x = try Tensor(doubles: Array(repeating: specials, count: 8).flatMap { $0 }, shape: [72], dtype: .float32)
        let y = try x.sigmoid().toDoubles()
        for (i, v) in y.enumerated() {
            switch i % specials.count {
            case 0: XCTAssertTrue(v.isNaN)
            case 1, 5, 6: XCTAssertEqual(v, 1)
            case 2, 3: XCTAssertEqual(v, 0)
            case 4: XCTAssertEqual(v, 1 / (1 + Foundation.exp(88)), accuracy: 1e-44)
            default: XCTAssertEqual(v, 0.5)
            }
        }
    }

    func testNonContiguousMatchesFloat64() throws {
        let base = try inputs(40 * 30, seed: 9).reshape([40, 30])
        for view in [try base.t(), try base.t().slice(dim: 0, start: 0, end: 30, step: 2)] {
            let y = try view.sigmoid(), expected = reference(view)
            XCTAssertEqual(y.shape, view.shape)
            for (a, b) in zip(y.toDoubles(), expected) { XCTAssertEqual(a, b, accuracy: 4e-7 * b) }
        }
    }

    func testGradients() throws {
        try GradCheck.check([[67]]) { try $0[0].sigmoid() }
        try GradCheck.check([[5, 7]], layout: .transposed) { try $0[0].sigmoid() }
        // float32 backward is ATen's g·(1 − y)·y on the vector kernel's output.
        let x = try inputs(50, seed: 5)
        try x.setRequiresGrad(true)
        try x.sigmoid().sum().backward()
        let y = try GradMode.withNoGrad { try x.sigmoid() }.toDoubles().map { Float($0) }
        for (g, s) in zip(try XCTUnwrap(x.grad).toDoubles(), y) { XCTAssertEqual(Float(g).bitPattern, ((1 - s) * s).bitPattern) }
    }
}
