import XCTest
@testable import TensorRuntime

/// `F.linear` on inputs whose leading dimensions are not laid out as one row stride (issue 12:
/// a transposed 3-D input went to BLAS with the wrong row stride and read past its storage).
/// Inputs and weights are small multiples of 1/4, so every product is exact whatever the
/// summation order; the expected values were printed by PyTorch 2.15.
final class LinearLayoutTests: XCTestCase {
    /// ((7·i mod 11) - 5) / 4 for i in 0..<n, shaped.
    private func values(_ n: Int, _ shape: [Int], _ dtype: DType = .float32) throws -> Tensor {
        try Tensor(doubles: (0..<n).map { Double((7 * $0) % 11 - 5) / 4 }, shape: shape, dtype: dtype)
    }

    private func weight(_ dtype: DType = .float32) throws -> Tensor {
        try Tensor(doubles: (0..<12).map { Double((3 * $0) % 5 - 2) / 2 }, shape: [3, 4], dtype: dtype)
    }

    private let bias: [Double] = [0.5, -1, 2]

    func testTransposedSizeOneBatch() throws {
        // torch.randn(1, 5, 4).transpose(0, 1): shape [5, 1, 4], strides [4, 20, 1].
        let x = try values(20, [1, 5, 4]).transpose(0, 1)
        let y = try Functional.linear(x, weight: try weight(), bias: try Check.tensor(bias, [3]))
        XCTAssertEqual(y.shape, [5, 1, 3])
        XCTAssertEqual(y.toDoubles(), [3.5, -2.375, 1.875, -0.625, 0.25, 1.25, 0.75, -1.25, 0.625, -0.625, 0.0, 1.375, 0.75, -1.5, 0.75])
    }

    func testTransposedBatchThatCannotMerge() throws {
        let x = try values(40, [5, 2, 4]).transpose(0, 1)
        let w = try weight()
        XCTAssertEqual(try Functional.linear(x, weight: w, bias: try Check.tensor(bias, [3])).toDoubles(),
                       [3.5, -2.375, 1.875, 0.75, -1.25, 0.625, 0.75, -1.5, 0.75, 0.75, -1.75, 0.875, -0.625, 0.75, 1.0,
                        -0.625, 0.25, 1.25, -0.625, 0.0, 1.375, 0.75, -1.625, 4.25, 0.75, -1.875, 4.375, 0.75, -2.125, 4.5])
        XCTAssertEqual(try Functional.linear(x, weight: w).toDoubles(),
                       [3.0, -1.375, -0.125, 0.25, -0.25, -1.375, 0.25, -0.5, -1.25, 0.25, -0.75, -1.125, -1.125, 1.75, -1.0,
                        -1.125, 1.25, -0.75, -1.125, 1.0, -0.625, 0.25, -0.625, 2.25, 0.25, -0.875, 2.375, 0.25, -1.125, 2.5])
    }

    func testEveryLayoutMatchesTheContiguousCopy() throws {
        let w = try weight(), b = try Check.tensor(bias, [3])
        let layouts: [Tensor] = [
            try values(20, [1, 5, 4]).transpose(0, 1),                       // size-1 dim with a big stride
            try values(40, [5, 2, 4]).transpose(0, 1),                       // needs a copy
            try values(60, [3, 5, 4]).slice(dim: 1, start: 1, end: 4),       // rows merge with a gap
            try values(120, [2, 3, 5, 4]).permute([1, 0, 2, 3]),             // 4-D
            try values(40, [2, 4, 5]).transpose(1, 2),                       // feature dim strided
            try values(16, [1, 4, 4]).expand([3, 4, 4]),                     // broadcast batch
            try values(8, [4, 1, 2]).slice(dim: 2, start: 0, end: 1).expand([4, 2, 4]).transpose(0, 1),
            try values(32, [2, 4, 4]).slice(dim: 1, start: 0, end: 0),       // no rows
        ]
        for (i, x) in layouts.enumerated() {
            for withBias in [true, false] {
                let got = try Functional.linear(x, weight: w, bias: withBias ? b : nil)
                let expected = try Functional.linear(try x.contiguous(), weight: w, bias: withBias ? b : nil)
                XCTAssertEqual(got.shape, expected.shape, "layout \(i)")
                XCTAssertEqual(got.toDoubles(), expected.toDoubles(), "layout \(i) bias \(withBias)")
            }
        }
    }

    func testGradientsOfStridedInputs() throws {
        let w = try KernelTest.random([3, 4], seed: 2), b = try KernelTest.random([3], seed: 3)
        for (i, shape) in [[1, 5, 4], [5, 2, 4], [2, 3, 2, 4]].enumerated() {
            let base = try KernelTest.random(shape, seed: UInt64(10 + i))
            try GradCheck.check(inputs: [base, w, b]) { xs in
                try Functional.linear(try xs[0].transpose(0, 1), weight: xs[1], bias: xs[2])
            }
            try GradCheck.check(inputs: [base, w]) { xs in try Functional.linear(try xs[0].transpose(0, 1), weight: xs[1]) }
        }
    }

    /// grad_fn names as PyTorch 2.15 prints them.
    func testGradFnNames() throws {
        let w = try KernelTest.random([3, 4], seed: 2), b = try KernelTest.random([3], seed: 3)
        func name(_ x: Tensor, _ bias: Tensor?) throws -> String? {
            try Functional.linear(x, weight: w, bias: bias).gradFn?.name
        }
        XCTAssertEqual(try name(try values(24, [2, 3, 4], .float64), b), "UnsafeViewBackward0")
        XCTAssertEqual(try name(try values(48, [2, 2, 3, 4], .float64), b), "UnsafeViewBackward0")
        XCTAssertEqual(try name(try values(4, [4], .float64), b), "UnsafeViewBackward0")
        XCTAssertEqual(try name(try values(24, [3, 2, 4], .float64).transpose(0, 1), b), "AddBackward0")
        XCTAssertEqual(try name(try values(24, [2, 3, 4], .float64), try KernelTest.random([], seed: 4)), "AddBackward0")
        XCTAssertEqual(try name(try values(24, [2, 3, 4], .float64), nil), "UnsafeViewBackward0")
        XCTAssertEqual(try name(try values(8, [2, 4], .float64), b), "AddmmBackward0")
    }
}
