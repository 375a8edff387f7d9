import XCTest
@testable import TensorRuntime

/// `relu_()`'s direct path (a big contiguous float32 tensor without autograd, rewritten where it
/// lies) against the plain path (`relu()` then a copy back): the same values bit for bit (-0 and
/// NaN kept), the same tensor returned, one version bump, PyTorch's leaf error still raised.
final class ReluInPlaceTests: XCTestCase {
    typealias C = Check

    /// 5000 values (above the vector kernels' minimum) with -0, +0, NaN and infinities planted.
    private func input() throws -> Tensor {
        var values = (0..<5000).map { i in Double((i * 7919) % 2001) / 100 - 10 }
        values[3] = -0.0; values[4] = 0; values[5] = .nan; values[6] = -.infinity; values[7] = .infinity
        return try Tensor(doubles: values, shape: [50, 100], dtype: .float32)
    }

    func testDirectPathMatchesPlainPath() throws {
        let x = try input()
        let expected = try x.relu().toDoubles()
        let before = x.version
        let result = try GradMode.withNoGrad { try x.reluInPlace() }
        XCTAssertTrue(result === x)
        XCTAssertEqual(x.version, before + 1)
        let got = x.toDoubles()
        for (a, b) in zip(got, expected) {
            XCTAssertTrue(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN), "\(a) vs \(b)")
        }
        XCTAssertEqual(got[3].sign, .minus)   // relu(-0) = -0, as PyTorch's clamp_min
        XCTAssertTrue(got[5].isNaN)
        XCTAssertEqual(got[6], 0)
        // Grad mode on, no grad required: the direct path too.
        let y = try input()
        try y.reluInPlace()
        XCTAssertEqual(y.toDoubles().filter { !$0.isNaN }, got.filter { !$0.isNaN })
    }

    func testLeafRequiringGradStillRaises() throws {
        let w = try input()
        try w.setRequiresGrad(true)
        C.throwsError(.runtimeError, "a leaf Variable that requires grad is being used in an in-place operation.") {
            try w.reluInPlace()
        }
        // Allowed under no_grad (as PyTorch), values rewritten.
        try GradMode.withNoGrad { try w.reluInPlace() }
        XCTAssertEqual(w.toDoubles()[0], 0)
    }
}
