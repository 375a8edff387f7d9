import XCTest
@testable import TensorRuntime

/// Dropout consumes PyTorch's random stream exactly when PyTorch does: never for p = 0 or
/// p = 1 or in eval mode (issue 12: p = 0 drew a mask and shifted every later number).
final class DropoutStreamTests: XCTestCase {
    func testNoDrawsWithoutRandomness() throws {
        let x = try KernelTest.random([6], seed: 1)
        for (p, training) in [(0.0, true), (1.0, true), (0.5, false)] {
            TorchRandom.manualSeed(Int64(0))
            let y = try Functional.dropout(x, p: p, training: training)
            let next = try Tensor.rand([4]).toDoubles()
            TorchRandom.manualSeed(Int64(0))
            XCTAssertEqual(next, try Tensor.rand([4]).toDoubles(), "p=\(p) training=\(training)")
            if p == 0 || !training { XCTAssertTrue(y === x) }
        }
    }

    func testPZeroIsTheInputItself() throws {
        // PyTorch returns the input: no new grad_fn, same values.
        let x = try KernelTest.random([3, 2], seed: 2)
        let y = try Functional.dropout(x, p: 0)
        XCTAssertTrue(y === x)
        XCTAssertNil(y.gradFn)
    }
}
