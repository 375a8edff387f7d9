import XCTest
@testable import TensorRuntime

/// Backward closures must own what they read: a target or index tensor that was a temporary
/// (`F.cross_entropy(x, torch.randint(...))`, `criterion(pred, y[idx])`) is gone by the time
/// `backward()` runs (issue 12: cross-entropy read freed memory and died with SIGILL).
final class BackwardLifetimeTests: XCTestCase {
    /// Allocates and fills buffers so freed blocks are reused with garbage before backward.
    private func scribble() throws {
        for _ in 0..<8 {
            let junk = try Tensor(doubles: [Double](repeating: 123_456_789, count: 64), shape: [64], dtype: .int64)
            XCTAssertEqual(junk.numel, 64)
        }
    }

    /// A strided (so densified into a temporary) int64 target.
    private func temporaryTarget(_ classes: [Double]) throws -> Tensor {
        let doubled: [Double] = classes.flatMap { c -> [Double] in [c, 0] }
        return try Tensor(doubles: doubled, shape: [doubled.count], dtype: .int64).slice(dim: 0, start: 0, end: nil, step: 2)
    }

    func testCrossEntropyWithTemporaryTarget() throws {
        let classes: [Double] = [3, 1, 0, 2, 2, 1, 0, 3]
        let x = try KernelTest.random([8, 4], seed: 7)
        let loss = try Functional.crossEntropy(x, target: try temporaryTarget(classes))
        try scribble()
        try loss.backward()
        let expectedInput = try KernelTest.random([8, 4], seed: 7)
        let reference = try Functional.crossEntropy(expectedInput, target: try Tensor(doubles: classes, shape: [8], dtype: .int64))
        try reference.backward()
        XCTAssertEqual(x.grad?.toDoubles(), expectedInput.grad?.toDoubles())
        XCTAssertEqual(loss.toDoubles(), reference.toDoubles())
        try GradCheck.check(inputs: [try KernelTest.random([8, 4], seed: 8)]) { xs in
            try Functional.crossEntropy(xs[0], target: try self.temporaryTarget(classes), reduction: "sum")
        }
        try GradCheck.check(inputs: [try KernelTest.random([8, 4], seed: 9)]) { xs in
            try Functional.crossEntropy(xs[0], target: try self.temporaryTarget(classes), labelSmoothing: 0.1)
        }
    }

    func testEmbeddingWithTemporaryIndices() throws {
        let rows: [Double] = [4, 0, 4, 2]
        let w = try KernelTest.random([5, 3], seed: 3)
        let y = try Functional.embedding(try temporaryTarget(rows), weight: w)
        try scribble()
        try y.sum().backward()
        XCTAssertEqual(w.grad?.toDoubles(), [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 2, 2, 2])
    }
}
