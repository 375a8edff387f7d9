import XCTest
@testable import TensorRuntime

/// An im2col convolution whose weight needs a gradient keeps the forward's columns for the
/// weight gradient: the gradients (and outputs) must be those of the path that unfolds the
/// input again, bit for bit, with one chunk of samples or several, strided or not.
final class ConvolutionKeptColumnsTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    private func run(_ x: Tensor, _ w: Tensor, _ b: Tensor, stride: (Int, Int), padding: (Int, Int), keeping: Bool,
                     chunk: Int?) throws -> [[Double]] {
        let (savedLimit, savedChunk, savedAlgorithm, savedKernel) = (keptColumnsElements, tapChunkOverride, convAlgorithmOverride, useTapConvKernel)
        defer { (keptColumnsElements, tapChunkOverride, convAlgorithmOverride, useTapConvKernel) = (savedLimit, savedChunk, savedAlgorithm, savedKernel) }
        keptColumnsElements = keeping ? 1 << 23 : 0
        useTapConvKernel = false   // im2col's forward both ways (without kept columns a stride-2 forward would take the phases)
        tapChunkOverride = chunk
        convAlgorithmOverride = .im2col
        let xs = x.detached(), ws = w.detached(), bs = b.detached()
        for t in [xs, ws, bs] { try t.setRequiresGrad(true) }
        let y = try F.conv2d(xs, weight: ws, bias: bs, stride: stride, padding: padding)
        let r = try K.random(y.shape, seed: 5, dtype: x.dtype, requiresGrad: false)
        try y.mul(r).sum().backward()
        return [y.toDoubles()] + (try [xs, ws, bs].map { try XCTUnwrap($0.grad).toDoubles() })
    }

    func testKeptColumnsGiveTheRecomputedGradients() throws {
        let shapes: [(x: [Int], w: [Int], stride: (Int, Int), padding: (Int, Int))] = [
            ([7, 8, 6, 6], [16, 8, 3, 3], (1, 1), (1, 1)),    // small plane: the table gather
            ([5, 3, 20, 20], [8, 3, 7, 7], (2, 2), (3, 3)),   // strided 7×7: row-by-row im2col
            ([6, 16, 8, 8], [32, 16, 1, 1], (2, 2), (0, 0)),  // 1×1 downsample
        ]
        for dtype in [DType.float32, .float64] {
            for (i, c) in shapes.enumerated() {
                let x = try K.random(c.x, seed: UInt64(10 + i), dtype: dtype, requiresGrad: false)
                let w = try K.random(c.w, seed: UInt64(20 + i), dtype: dtype, requiresGrad: false)
                let b = try K.random([c.w[0]], seed: UInt64(30 + i), dtype: dtype, requiresGrad: false)
                for chunk in [nil, 2] as [Int?] {
                    let recomputed = try run(x, w, b, stride: c.stride, padding: c.padding, keeping: false, chunk: chunk)
                    let kept = try run(x, w, b, stride: c.stride, padding: c.padding, keeping: true, chunk: chunk)
                    XCTAssertEqual(kept, recomputed, "\(dtype) case \(i) chunk \(String(describing: chunk))")
                }
            }
        }
    }

    /// Finite differences in float64 through the kept columns, several chunks.
    func testGradCheckWithKeptColumns() throws {
        let (savedChunk, savedAlgorithm) = (tapChunkOverride, convAlgorithmOverride)
        defer { (tapChunkOverride, convAlgorithmOverride) = (savedChunk, savedAlgorithm) }
        tapChunkOverride = 2
        convAlgorithmOverride = .im2col
        let x = try K.random([3, 2, 5, 5], seed: 1), w = try K.random([3, 2, 3, 3], seed: 2), b = try K.random([3], seed: 3)
        try K.gradCheck([x, w, b]) { try F.conv2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 1), padding: (1, 1)) }
    }
}
