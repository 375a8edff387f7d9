import XCTest
@testable import TensorRuntime

final class ConvolutionTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    private func arange(_ shape: [Int], _ dtype: DType = .float32) throws -> Tensor {
        try Tensor(doubles: (0..<shape.reduce(1, *)).map(Double.init), shape: shape, dtype: dtype)
    }

    func testValues() throws {
        let x = try arange([1, 1, 4, 4]), w = try Tensor(doubles: [1, 1, 1, 1], shape: [1, 1, 2, 2], dtype: .float32)
        K.assertClose(try F.conv2d(x, weight: w), [10, 14, 18, 26, 30, 34, 42, 46, 50])
        let y = try F.conv2d(x, weight: w, stride: (2, 2), padding: (1, 1))
        XCTAssertEqual(y.shape, [1, 1, 3, 3])
        K.assertClose(y, [0, 3, 3, 12, 30, 18, 12, 27, 15])
        let b = try Tensor(doubles: [100], shape: [1], dtype: .float32)
        K.assertClose(try F.conv2d(x, weight: w, bias: b, dilation: (2, 2)), [120, 124, 136, 140])
        // Unbatched input.
        let u = try F.conv2d(try arange([1, 4, 4]), weight: w)
        XCTAssertEqual(u.shape, [1, 3, 3])
        K.assertClose(u, [10, 14, 18, 26, 30, 34, 42, 46, 50])
    }

    func testErrors() throws {
        let x = try K.random([2, 4, 8, 8], seed: 1, dtype: .float32, requiresGrad: false)
        let w = try K.random([8, 3, 3, 3], seed: 2, dtype: .float32, requiresGrad: false)
        Check.throwsError(.runtimeError, "Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 4, 8, 8] to have 3 channels, but got 4 channels instead") {
            try F.conv2d(x, weight: w)
        }
        let small = try K.random([1, 3, 2, 2], seed: 3, dtype: .float32, requiresGrad: false)
        Check.throwsError(.runtimeError, "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size") {
            try F.conv2d(small, weight: w)
        }
        Check.throwsError(.runtimeError, "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]") {
            try F.conv2d(try self.arange([2, 3]), weight: w)
        }
        let w2 = try K.random([3, 2, 3, 3], seed: 4, dtype: .float32, requiresGrad: false)
        Check.throwsError(.runtimeError, "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size [3, 2, 3, 3] instead") {
            try F.conv2d(x, weight: w2, groups: 2)
        }
        Check.throwsError(.runtimeError, "non-positive stride is not supported") { try F.conv2d(x, weight: w, stride: (0, 1)) }
    }

    func testGradients() throws {
        let x = try K.random([2, 2, 5, 5], seed: 1), w = try K.random([3, 2, 3, 3], seed: 2), b = try K.random([3], seed: 3)
        XCTAssertEqual(K.gradName(try F.conv2d(x, weight: w, bias: b)), "ConvolutionBackward0")
        try K.gradCheck([x, w, b]) { try F.conv2d($0[0], weight: $0[1], bias: $0[2]) }
        try K.gradCheck([x, w, b]) { try F.conv2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 1), padding: (1, 2)) }
        try K.gradCheck([x, w]) { try F.conv2d($0[0], weight: $0[1], padding: (2, 2), dilation: (2, 1)) }
        let xg = try K.random([1, 4, 4, 4], seed: 4), wg = try K.random([6, 2, 2, 2], seed: 5), bg = try K.random([6], seed: 6)
        try K.gradCheck([xg, wg, bg]) { try F.conv2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1), groups: 2) }
        let xu = try K.random([2, 4, 4], seed: 7)
        try K.gradCheck([xu, w]) { try F.conv2d($0[0], weight: $0[1]) }
    }

    func testSampleRangesInParallel() throws {
        // The batch split into one, two and three parallel sample ranges gives the same results.
        let saved = convPartsOverride
        defer { convPartsOverride = saved }
        let x = try K.random([3, 4, 4, 4], seed: 1), w = try K.random([4, 2, 2, 2], seed: 2), b = try K.random([4], seed: 3)
        convPartsOverride = 1
        let whole = try F.conv2d(x, weight: w, bias: b, padding: (1, 1), groups: 2).toDoubles()
        for parts in [1, 2, 3] {
            convPartsOverride = parts
            K.assertClose(try F.conv2d(x, weight: w, bias: b, padding: (1, 1), groups: 2), whole, tol: 1e-12)
            try K.gradCheck([x, w, b]) { try F.conv2d($0[0], weight: $0[1], bias: $0[2], padding: (1, 1), groups: 2) }
        }
    }

    /// Runs `body` once per conv algorithm (stride-1 convolutions have four).
    private func withEachAlgorithm(_ body: (ConvAlgorithm) throws -> Void) rethrows {
        let saved = convAlgorithmOverride
        defer { convAlgorithmOverride = saved }
        for algorithm in [ConvAlgorithm.im2col, .wideColumns, .tapGemms, .sampleTaps] {
            convAlgorithmOverride = algorithm
            try body(algorithm)
        }
    }

    func testWideAlgorithmsMatchIm2col() throws {
        // Padding, dilation, groups, bias, unbatched input and one- and multi-part batches:
        // the wide-layout algorithms give what im2col gives, forward and backward.
        let savedParts = convPartsOverride
        defer { convPartsOverride = savedParts }
        let cases: [(x: [Int], w: [Int], pad: (Int, Int), dil: (Int, Int), groups: Int)] = [
            ([2, 4, 7, 6], [3, 4, 3, 3], (0, 0), (1, 1), 1),
            ([3, 4, 6, 7], [4, 2, 3, 2], (1, 2), (1, 1), 2),
            ([2, 3, 9, 8], [2, 3, 2, 3], (2, 1), (2, 3), 1),
            ([4, 5, 5], [2, 4, 1, 1], (0, 0), (1, 1), 1),
            ([1, 2, 3, 3], [2, 2, 3, 3], (1, 1), (1, 1), 1),
        ]
        for (i, c) in cases.enumerated() {
            let x = try K.random(c.x, seed: UInt64(10 + i)), w = try K.random(c.w, seed: UInt64(20 + i))
            let b = try K.random([c.w[0]], seed: UInt64(30 + i))
            for parts in [1, 2] {
                convPartsOverride = parts
                var results: [[Double]] = []
                try withEachAlgorithm { _ in
                    let y = try F.conv2d(x, weight: w, bias: b, padding: c.pad, dilation: c.dil, groups: c.groups)
                    let upstream = try K.random(y.shape, seed: 99, requiresGrad: false)
                    try y.mul(upstream).sum().backward()
                    results.append(try y.toDoubles() + (x.grad?.toDoubles() ?? []) + (w.grad?.toDoubles() ?? []) + (b.grad?.toDoubles() ?? []))
                    x.grad = nil; w.grad = nil; b.grad = nil
                }
                for r in results.dropFirst() {
                    XCTAssertEqual(r.count, results[0].count, "case \(i)")
                    for (a, e) in zip(r, results[0]) { XCTAssertEqual(a, e, accuracy: 1e-10, "case \(i), parts \(parts)") }
                }
            }
        }
    }

    func testWideAlgorithmGradients() throws {
        let x = try K.random([2, 4, 5, 6], seed: 1), w = try K.random([4, 2, 3, 2], seed: 2), b = try K.random([4], seed: 3)
        let xOnly = try K.random([1, 4, 5, 5], seed: 4), wFixed = try K.random([2, 4, 3, 3], seed: 5, requiresGrad: false)
        let xFixed = try K.random([1, 4, 5, 5], seed: 6, requiresGrad: false), wOnly = try K.random([2, 4, 3, 3], seed: 7)
        let bOnly = try K.random([2], seed: 8)
        try withEachAlgorithm { _ in
            try K.gradCheck([x, w, b]) { try F.conv2d($0[0], weight: $0[1], bias: $0[2], padding: (1, 2), dilation: (1, 2), groups: 2) }
            try K.gradCheck([x, w]) { try F.conv2d($0[0], weight: $0[1], groups: 2) }
            // Only the input, or only the weight, needing a gradient.
            try K.gradCheck([xOnly]) { try F.conv2d($0[0], weight: wFixed, padding: (1, 1)) }
            try K.gradCheck([xOnly, bOnly]) { try F.conv2d($0[0], weight: wFixed, bias: $0[1], padding: (1, 1)) }
            try K.gradCheck([bOnly]) { try F.conv2d(xFixed, weight: wFixed, bias: $0[0]) }
            try K.gradCheck([wOnly]) { try F.conv2d(xFixed, weight: $0[0], padding: (1, 1)) }
        }
    }

    func testFusedReLUMatchesConvThenReLU() throws {
        // Every algorithm (stride 2 always runs im2col), batched and unbatched: the same values,
        // gradients and graph as relu(conv2d(...)).
        for (xShape, stride) in [([2, 4, 6, 7], 1), ([2, 4, 7, 7], 2), ([4, 5, 6], 1)] {
            let x = try K.random(xShape, seed: 1), w = try K.random([3, 4, 3, 3], seed: 2), b = try K.random([3], seed: 3)
            try withEachAlgorithm { algorithm in
                x.grad = nil; w.grad = nil; b.grad = nil   // gradCheck below leaves gradients behind
                let fused = try F.conv2dReLU(x, weight: w, bias: b, stride: (stride, stride), padding: (1, 0))
                let plain = try F.conv2d(x, weight: w, bias: b, stride: (stride, stride), padding: (1, 0)).relu()
                XCTAssertEqual(fused.toDoubles(), plain.toDoubles(), "\(algorithm)")
                XCTAssertEqual(K.gradName(fused), "ReluBackward0")
                XCTAssertEqual(fused.gradFn?.nextFunctions.map { $0?.name }, [xShape.count == 3 ? "SqueezeBackward1" : "ConvolutionBackward0"])
                let upstream = try K.random(fused.shape, seed: 9, requiresGrad: false)
                var grads: [[Double]] = []
                for y in [fused, plain] {
                    try y.mul(upstream).sum().backward()
                    grads.append(try x.grad!.toDoubles() + w.grad!.toDoubles() + b.grad!.toDoubles())
                    x.grad = nil; w.grad = nil; b.grad = nil
                }
                for (a, e) in zip(grads[0], grads[1]) { XCTAssertEqual(a, e, accuracy: 1e-12, "\(algorithm) \(xShape) \(stride)") }
                try K.gradCheck([x, w, b]) { try F.conv2dReLU($0[0], weight: $0[1], bias: $0[2], stride: (stride, stride), padding: (1, 0)) }
            }
        }
    }

    func testFusedReLUKeepsNaNAndZeroesNegatives() throws {
        let x = try Tensor(doubles: [.nan, 0, 0, 0, -1, 0, 0, 0, 2], shape: [1, 1, 3, 3], dtype: .float32)
        let w = try Tensor(doubles: [1, 1, 1, 1], shape: [1, 1, 2, 2], dtype: .float32)
        try withEachAlgorithm { algorithm in
            let y = try F.conv2dReLU(x, weight: w).toDoubles()
            XCTAssertTrue(y[0].isNaN, "\(algorithm)")
            XCTAssertEqual(Array(y.dropFirst()), [0, 0, 1], "\(algorithm)")
        }
    }

    func testFusedReLUOutputChangedInPlaceFailsBackward() throws {
        let x = try K.random([1, 2, 4, 4], seed: 1), w = try K.random([2, 2, 3, 3], seed: 2)
        let y = try F.conv2dReLU(x, weight: w)
        _ = try y.addInPlace(try Tensor(doubles: [1], shape: [], dtype: .float64))
        XCTAssertThrowsError(try y.sum().backward()) { error in
            XCTAssertTrue("\(error)".contains("modified by an inplace operation"), "\(error)")
        }
    }

    func testAlgorithmChoice() throws {
        func geometry(_ x: [Int], _ w: [Int], stride: Int = 1, padding: Int = 0) throws -> ConvGeometry {
            try ConvGeometry(try Tensor(shape: x, dtype: .float32), try Tensor(shape: w, dtype: .float32), nil,
                             stride: (stride, stride), padding: (padding, padding), dilation: (1, 1), groups: 1)
        }
        XCTAssertEqual(convAlgorithm(try geometry([1, 16, 16, 16], [4, 16, 3, 3])), .tapGemms)
        XCTAssertEqual(convAlgorithm(try geometry([1, 3, 8, 8], [4, 3, 3, 3])), .wideColumns)
        XCTAssertEqual(convAlgorithm(try geometry([1, 16, 8, 8], [4, 16, 3, 3], stride: 2)), .im2col)
        // Few channels on a large plane: per sample (a batched chunk's output falls out of L2).
        XCTAssertEqual(convAlgorithm(try geometry([32, 16, 32, 32], [32, 16, 3, 3])), .sampleTaps)
        XCTAssertEqual(convAlgorithm(try geometry([32, 64, 32, 32], [64, 64, 3, 3])), .tapGemms)
        // resnet18's 3×3 convolutions: the wide layout while the padded plane is under 1.4 times
        // the output (batch 1 at 224×224: 58² vs 56², 16² vs 14²), im2col on smaller planes
        // (9² vs 7²; at 64×64 input 10² vs 8², 6² vs 4², 4² vs 2²).
        XCTAssertEqual(convAlgorithm(try geometry([1, 64, 56, 56], [64, 64, 3, 3], padding: 1)), .tapGemms)
        XCTAssertEqual(convAlgorithm(try geometry([1, 256, 14, 14], [256, 256, 3, 3], padding: 1)), .tapGemms)
        XCTAssertEqual(convAlgorithm(try geometry([1, 512, 7, 7], [512, 512, 3, 3], padding: 1)), .im2col)
        XCTAssertEqual(convAlgorithm(try geometry([16, 64, 16, 16], [64, 64, 3, 3], padding: 1)), .tapGemms)
        for (c, hw) in [(128, 8), (256, 4), (512, 2)] {
            XCTAssertEqual(convAlgorithm(try geometry([16, c, hw, hw], [c, c, 3, 3], padding: 1)), .im2col, "\(c) channels, \(hw)²")
        }
    }

    func testScratchBufferIsReused() throws {
        let x = try K.random([2, 3, 8, 8], seed: 1, dtype: .float32, requiresGrad: false)
        let w = try K.random([4, 3, 3, 3], seed: 2, dtype: .float32, requiresGrad: false)
        _ = try F.conv2d(x, weight: w)
        let first = try ScratchCache.current.buffer(.columns, count: 1, of: Float.self)
        _ = try F.conv2d(x, weight: w)
        XCTAssertEqual(try ScratchCache.current.buffer(.columns, count: 1, of: Float.self), first)
    }
}
