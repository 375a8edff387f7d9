import XCTest
@testable import TensorRuntime

/// `.tapGemms`' float32 forward through `nn_tap_conv_f32` (all taps summed in registers, weights
/// packed in 6-row blocks) against the same convolution with one OpenBLAS product per tap: the
/// outputs agree to float32 rounding and the gradients (whose path is shared) are the same bits.
final class ConvolutionTapKernelTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    /// `body` run with the kernel, then with the per-tap products, `.tapGemms` forced.
    private func kernelAndGemms(chunk: Int?, _ body: () throws -> (out: [Double], grads: [Double])) throws
        -> (kernel: (out: [Double], grads: [Double]), gemms: (out: [Double], grads: [Double])) {
        let saved = (convAlgorithmOverride, tapChunkOverride, useTapConvKernel)
        defer { (convAlgorithmOverride, tapChunkOverride, useTapConvKernel) = saved }
        (convAlgorithmOverride, tapChunkOverride, useTapConvKernel) = (.tapGemms, chunk, true)
        TapWeightCache.shared.removeAll()
        let kernel = try body()
        useTapConvKernel = false
        return (kernel, try body())
    }

    func testMatchesPerTapProducts() throws {
        // Odd row counts (blocks of 6 plus 1-5), channels past one 64-channel block, more than
        // 256 wide columns (two column chunks), groups, dilation, padding, a 1×1 kernel, fused
        // ReLU, several sample chunks and shapes big enough to split over the cores.
        let cases: [(x: [Int], w: [Int], pad: (Int, Int), dil: (Int, Int), groups: Int, relu: Bool, chunk: Int?)] = [
            ([2, 8, 6, 5], [13, 8, 3, 3], (1, 1), (1, 1), 1, false, nil),
            ([3, 70, 9, 11], [7, 70, 3, 3], (1, 1), (1, 1), 1, true, 2),
            ([1, 16, 20, 21], [12, 16, 3, 3], (1, 1), (1, 1), 1, false, nil),
            ([2, 12, 8, 7], [10, 6, 3, 2], (2, 0), (1, 2), 2, true, 1),
            ([2, 9, 5, 5], [5, 9, 1, 1], (0, 0), (1, 1), 1, false, nil),
            ([4, 64, 16, 16], [64, 64, 3, 3], (1, 1), (1, 1), 1, true, nil),
            ([1, 128, 6, 6], [130, 128, 3, 3], (1, 1), (1, 1), 1, false, nil),
        ]
        for (i, c) in cases.enumerated() {
            let x = try K.random(c.x, seed: UInt64(70 + i), dtype: .float32)
            let w = try K.random(c.w, seed: UInt64(80 + i), dtype: .float32)
            let b = try K.random([c.w[0]], seed: UInt64(90 + i), dtype: .float32)
            let (kernel, gemms) = try kernelAndGemms(chunk: c.chunk) {
                let y = c.relu ? try F.conv2dReLU(x, weight: w, bias: b, padding: c.pad, dilation: c.dil, groups: c.groups)
                               : try F.conv2d(x, weight: w, bias: b, padding: c.pad, dilation: c.dil, groups: c.groups)
                // The same upstream gradient in both runs; a fused ReLU's masks could differ only
                // where an output is within rounding of zero, which these seeds avoid.
                try y.mul(K.random(y.shape, seed: 99, dtype: .float32, requiresGrad: false)).sum().backward()
                defer { x.grad = nil; w.grad = nil; b.grad = nil }
                return (y.toDoubles(), (x.grad?.toDoubles() ?? []) + (w.grad?.toDoubles() ?? []) + (b.grad?.toDoubles() ?? []))
            }
            XCTAssertEqual(kernel.out.count, gemms.out.count)
            let scale = gemms.out.map(abs).max() ?? 1
            for (a, e) in zip(kernel.out, gemms.out) { XCTAssertEqual(a, e, accuracy: 2e-6 * Swift.max(1, scale), "case \(i)") }
            XCTAssertEqual(kernel.grads, gemms.grads, "case \(i)")
        }
    }

    /// Stride-2 convolutions without kept columns (inference) through the input's four phases
    /// and the kernel, against im2col with OpenBLAS: odd and even sizes, paddings 0-3, kernels
    /// 2-7 (square or not), bias, fused ReLU, a batch; the input gradient (weights fixed, so no
    /// columns are kept) is the same bits.
    func testStrideTwoPhasesMatchIm2col() throws {
        let saved = useTapConvKernel
        defer { useTapConvKernel = saved }
        let cases: [(x: [Int], w: [Int], pad: (Int, Int), relu: Bool)] = [
            ([1, 3, 17, 16], [8, 3, 7, 7], (3, 3), true),
            ([2, 16, 14, 15], [13, 16, 3, 3], (1, 1), false),
            ([1, 70, 9, 9], [20, 70, 3, 3], (1, 1), true),
            ([1, 8, 10, 11], [7, 8, 5, 5], (2, 2), false),
            ([1, 8, 10, 11], [7, 8, 1, 1], (0, 0), false),   // im2col both ways (one phase of four)
            ([2, 5, 8, 9], [6, 5, 2, 3], (0, 2), true),
            ([1, 4, 6, 6], [3, 4, 4, 4], (2, 1), false),
        ]
        for (i, c) in cases.enumerated() {
            let x = try K.random(c.x, seed: UInt64(110 + i), dtype: .float32)
            let w = try K.random(c.w, seed: UInt64(120 + i), dtype: .float32, requiresGrad: false)
            let b = try K.random([c.w[0]], seed: UInt64(130 + i), dtype: .float32, requiresGrad: false)
            var results: [(out: [Double], grad: [Double])] = []
            for kernel in [true, false] {
                useTapConvKernel = kernel
                TapWeightCache.shared.removeAll()
                let y = c.relu ? try F.conv2dReLU(x, weight: w, bias: b, stride: (2, 2), padding: c.pad)
                               : try F.conv2d(x, weight: w, bias: b, stride: (2, 2), padding: c.pad)
                try y.mul(K.random(y.shape, seed: 97, dtype: .float32, requiresGrad: false)).sum().backward()
                results.append((y.toDoubles(), x.grad?.toDoubles() ?? []))
                x.grad = nil
            }
            XCTAssertEqual(results[0].out.count, results[1].out.count)
            let scale = results[1].out.map(abs).max() ?? 1
            for (a, e) in zip(results[0].out, results[1].out) { XCTAssertEqual(a, e, accuracy: 2e-6 * Swift.max(1, scale), "case \(i)") }
            XCTAssertEqual(results[0].grad, results[1].grad, "case \(i)")
        }
    }

    /// The packed weights follow writes to the weight (the cache entry is keyed by the
    /// storage's write generation, per layout).
    func testPackedWeightsFollowWrites() throws {
        let saved = (convAlgorithmOverride, useTapConvKernel)
        defer { (convAlgorithmOverride, useTapConvKernel) = saved }
        (convAlgorithmOverride, useTapConvKernel) = (.tapGemms, true)
        let x = try K.random([1, 8, 5, 5], seed: 1, dtype: .float32, requiresGrad: false)
        let w = try K.random([7, 8, 3, 3], seed: 2, dtype: .float32, requiresGrad: false)
        let before = try F.conv2d(x, weight: w, padding: (1, 1)).toDoubles()
        try w.mulInPlace(.double(2))
        let after = try F.conv2d(x, weight: w, padding: (1, 1)).toDoubles()
        for (a, e) in zip(after, before) { XCTAssertEqual(a, 2 * e, accuracy: 1e-5 * Swift.max(1, abs(e))) }
    }
}
