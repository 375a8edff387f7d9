import XCTest
@testable import TensorRuntime

/// The im2col and per-tap backward kernels write the weight gradient (and the per-tap one the
/// input gradient) whole, so those start unzeroed: the first chunk's gemm has beta 0. Checked
/// against the wide-columns kernel (which adds into zeros) over several chunks, groups and both
/// float types (each run after others, so freed gradient memory may come back to the new
/// gradients); an empty batch gives zeros.
final class ConvolutionUnzeroedGradientTests: XCTestCase {
    typealias K = KernelTest

    /// Gradients of Σ r·conv2d(x, w) for x, w under `algorithm`.
    private func gradients(_ algorithm: ConvAlgorithm, dtype: DType, groups: Int, chunk: Int?) throws -> [Double] {
        let (savedAlgorithm, savedChunk) = (convAlgorithmOverride, tapChunkOverride)
        defer { (convAlgorithmOverride, tapChunkOverride) = (savedAlgorithm, savedChunk) }
        (convAlgorithmOverride, tapChunkOverride) = (algorithm, chunk)
        let x = try K.random([5, 4, 7, 6], seed: 1, dtype: dtype), w = try K.random([6, 4 / groups, 3, 3], seed: 2, dtype: dtype)
        let y = try Functional.conv2d(x, weight: w, padding: (1, 1), groups: groups)
        try y.mul(try K.random(y.shape, seed: 3, dtype: dtype, requiresGrad: false)).sum().backward()
        return try XCTUnwrap(w.grad).toDoubles() + (try XCTUnwrap(x.grad).toDoubles())
    }

    func testWrittenGradientsMatchTheAccumulatingKernel() throws {
        for dtype in [DType.float32, .float64] {
            for groups in [1, 2] {
                for chunk in [nil, 2] as [Int?] {
                    let reference = try gradients(.wideColumns, dtype: dtype, groups: groups, chunk: chunk)
                    for algorithm in [ConvAlgorithm.im2col, .tapGemms] {
                        let got = try gradients(algorithm, dtype: dtype, groups: groups, chunk: chunk)
                        XCTAssertEqual(got.count, reference.count)
                        for (a, e) in zip(got, reference) {
                            XCTAssertEqual(a, e, accuracy: dtype == .float32 ? 1e-4 : 1e-10, "\(algorithm) \(dtype) groups \(groups) chunk \(chunk ?? 0)")
                        }
                    }
                }
            }
        }
    }

    func testEmptyBatchGivesZeroWeightGradient() throws {
        let saved = convAlgorithmOverride
        defer { convAlgorithmOverride = saved }
        for algorithm in [ConvAlgorithm.im2col, .tapGemms, .wideColumns] {
            convAlgorithmOverride = algorithm
            let x = try K.random([0, 3, 5, 5], seed: 4, dtype: .float32), w = try K.random([2, 3, 3, 3], seed: 5, dtype: .float32)
            try Functional.conv2d(x, weight: w, padding: (1, 1)).sum().backward()
            XCTAssertEqual(try XCTUnwrap(w.grad).toDoubles(), [Double](repeating: 0, count: 54), "\(algorithm)")
        }
    }
}
