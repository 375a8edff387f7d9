import XCTest
@testable import TensorRuntime

/// relu keeps -0 and NaN (PyTorch's clamp_min(x, 0)) and its backward is ATen's
/// threshold_backward (`y <= 0 ? 0 : g`: a NaN output passes its gradient) on all three paths:
/// the Swift loops (small or float64 tensors), the C vector kernel (float32, 4096+ elements) and
/// the rows of a convolution fused with its ReLU. Expected values from PyTorch 2.15:
/// `torch.relu(torch.tensor([-0., 0., nan, -1., 2., -inf, inf]))` and its gradient for
/// `g = [1, 2, 3, 4, 5, 6, nan]`.
final class ReluSignedZeroTests: XCTestCase {
    private let inputs: [Double] = [-0.0, 0, .nan, -1, 2, -.infinity, .infinity]
    private let upstream: [Double] = [1, 2, 3, 4, 5, 6, .nan]
    private let torchValues: [Double] = [-0.0, 0, .nan, 0, 2, 0, .infinity]
    private let torchGradient: [Double] = [0, 0, 3, 0, 5, 0, .nan]

    /// Bit equality of two value lists (NaNs equal to NaNs; -0 distinct from +0).
    private func assertSameBits(_ got: [Double], _ expected: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, expected.count, what, file: file, line: line)
        for (i, (a, e)) in zip(got, expected).enumerated() where !(a.isNaN && e.isNaN) && a.bitPattern != e.bitPattern {
            return XCTFail("\(what) element \(i): \(a) vs \(e)", file: file, line: line)
        }
    }

    /// relu and its gradient of `inputs` repeated `copies` times, with the gradient `upstream`.
    private func reluAndGradient(dtype: DType, copies: Int) throws -> (values: [Double], gradient: [Double]) {
        let x = try Tensor(doubles: Array(repeating: inputs, count: copies).flatMap { $0 }, shape: [copies * inputs.count], dtype: dtype)
        try x.setRequiresGrad(true)
        let y = try x.relu()
        let g = try Tensor(doubles: Array(repeating: upstream, count: copies).flatMap { $0 }, shape: y.shape, dtype: dtype)
        try y.backward(gradient: g)
        return (y.toDoubles(), try XCTUnwrap(x.grad).toDoubles())
    }

    func testSwiftAndVectorPathsMatchPyTorch() throws {
        // 1 copy: the Swift loops; 700 copies (4900 elements): the C kernel for float32.
        for dtype in [DType.float32, .float64] {
            for copies in [1, 700] {
                let (values, gradient) = try reluAndGradient(dtype: dtype, copies: copies)
                let what = "\(dtype) x\(copies)"
                assertSameBits(values, Array(repeating: torchValues, count: copies).flatMap { $0 }, "relu \(what)")
                assertSameBits(gradient, Array(repeating: torchGradient, count: copies).flatMap { $0 }, "relu gradient \(what)")
            }
        }
    }

    func testInPlaceAndDoubleBackwardKeepTheRule() throws {
        let x = try Tensor(doubles: inputs, shape: [inputs.count], dtype: .float32)
        _ = try x.reluInPlace()
        assertSameBits(x.toDoubles(), torchValues, "relu_")
        // With a graph built for the gradient (create_graph), the same mask.
        let leaf = try Tensor(doubles: inputs, shape: [inputs.count], dtype: .float64)
        try leaf.setRequiresGrad(true)
        let y = try leaf.relu()
        let g = try Tensor(doubles: [1, 2, 3, 4, 5, 6, 7], shape: [inputs.count], dtype: .float64)
        let grads = try Autograd.grad(outputs: [y], inputs: [leaf], gradOutputs: [g], createGraph: true)
        assertSameBits(try XCTUnwrap(grads.first ?? nil).toDoubles(), [0, 0, 3, 0, 5, 0, 7], "relu gradient with create_graph")
    }

    func testFusedConvolutionReLUPassesNaNGradients() throws {
        // A NaN input gives NaN outputs; the fused rows keep them and pass their gradient, as
        // relu(conv2d(...)) does, on every convolution algorithm.
        let saved = convAlgorithmOverride
        defer { convAlgorithmOverride = saved }
        var xv: [Double] = (0..<(2 * 3 * 6 * 6)).map { (i: Int) -> Double in Double((i * 37) % 11) - 5 }
        xv[14] = .nan
        for algorithm in [ConvAlgorithm.im2col, .wideColumns, .tapGemms, .sampleTaps] {
            convAlgorithmOverride = algorithm
            var results: [[Double]] = []
            for fused in [true, false] {
                let x = try Tensor(doubles: xv, shape: [2, 3, 6, 6], dtype: .float32)
                let w = try KernelTest.random([4, 3, 3, 3], seed: 5, dtype: .float32)
                try x.setRequiresGrad(true)
                let y = fused ? try Functional.conv2dReLU(x, weight: w, padding: (1, 1))
                              : try Functional.conv2d(x, weight: w, padding: (1, 1)).relu()
                try y.sum().backward()
                let wGrad = try XCTUnwrap(w.grad).toDoubles(), xGrad = try XCTUnwrap(x.grad).toDoubles()
                results.append(y.toDoubles() + wGrad + xGrad)
            }
            XCTAssertTrue(results[0].contains { $0.isNaN }, "\(algorithm): NaN outputs and gradients expected")
            assertSameBits(results[0], results[1], "fused vs relu(conv2d) \(algorithm)")
        }
    }
}
