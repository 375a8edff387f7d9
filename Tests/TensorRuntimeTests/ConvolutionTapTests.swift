import XCTest
@testable import TensorRuntime

/// `.tapGemms` batched across samples: chunks of any size, groups, fused ReLU and only some
/// gradients give what im2col gives, and finite differences agree.
final class ConvolutionTapTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    /// Runs `body` with `.tapGemms` forced and `chunk` samples per chunk, then with im2col.
    private func tapAndIm2col(chunk: Int?, _ body: () throws -> [Double]) throws -> (taps: [Double], im2col: [Double]) {
        let (savedAlgorithm, savedChunk) = (convAlgorithmOverride, tapChunkOverride)
        defer { (convAlgorithmOverride, tapChunkOverride) = (savedAlgorithm, savedChunk) }
        (convAlgorithmOverride, tapChunkOverride) = (.tapGemms, chunk)
        let taps = try body()
        convAlgorithmOverride = .im2col
        return (taps, try body())
    }

    func testChunksGroupsAndReLUMatchIm2col() throws {
        let cases: [(x: [Int], w: [Int], pad: (Int, Int), dil: (Int, Int), groups: Int)] = [
            ([5, 8, 6, 5], [6, 8, 3, 3], (1, 1), (1, 1), 1),
            ([4, 8, 7, 6], [4, 4, 3, 2], (2, 0), (1, 2), 2),
            ([3, 16, 2, 2], [8, 16, 3, 3], (1, 1), (1, 1), 1),
            ([2, 8, 5, 5], [3, 8, 1, 1], (0, 0), (1, 1), 1),
        ]
        for (i, c) in cases.enumerated() {
            let x = try K.random(c.x, seed: UInt64(40 + i)), w = try K.random(c.w, seed: UInt64(50 + i))
            let b = try K.random([c.w[0]], seed: UInt64(60 + i))
            for chunk in [nil, 1, 2, c.x[0]] {
                for relu in [false, true] {
                    let (taps, reference) = try tapAndIm2col(chunk: chunk) {
                        let y = relu ? try F.conv2dReLU(x, weight: w, bias: b, padding: c.pad, dilation: c.dil, groups: c.groups)
                                     : try F.conv2d(x, weight: w, bias: b, padding: c.pad, dilation: c.dil, groups: c.groups)
                        let upstream = try K.random(y.shape, seed: 98, requiresGrad: false)
                        try y.mul(upstream).sum().backward()
                        defer { x.grad = nil; w.grad = nil; b.grad = nil }
                        return y.toDoubles() + (x.grad?.toDoubles() ?? []) + (w.grad?.toDoubles() ?? []) + (b.grad?.toDoubles() ?? [])
                    }
                    XCTAssertEqual(taps.count, reference.count)
                    for (a, e) in zip(taps, reference) { XCTAssertEqual(a, e, accuracy: 1e-10, "case \(i), chunk \(chunk ?? 0), relu \(relu)") }
                }
            }
        }
    }

    func testGradientsAcrossChunks() throws {
        let (savedAlgorithm, savedChunk) = (convAlgorithmOverride, tapChunkOverride)
        defer { (convAlgorithmOverride, tapChunkOverride) = (savedAlgorithm, savedChunk) }
        (convAlgorithmOverride, tapChunkOverride) = (.tapGemms, 2)
        let x = try K.random([3, 8, 4, 5], seed: 1), w = try K.random([4, 8, 3, 3], seed: 2), b = try K.random([4], seed: 3)
        try K.gradCheck([x, w, b]) { try F.conv2d($0[0], weight: $0[1], bias: $0[2], padding: (1, 1)) }
        let wFixed = try K.random([4, 8, 3, 3], seed: 4, requiresGrad: false)
        let xFixed = try K.random([3, 8, 4, 5], seed: 5, requiresGrad: false)
        try K.gradCheck([x]) { try F.conv2d($0[0], weight: wFixed, padding: (1, 1)) }
        try K.gradCheck([w]) { try F.conv2d(xFixed, weight: $0[0], padding: (0, 1)) }
    }

    func testFloat32MatchesIm2col() throws {
        let x = try K.random([6, 32, 9, 9], seed: 7, dtype: .float32, requiresGrad: true)
        let w = try K.random([32, 32, 3, 3], seed: 8, dtype: .float32, requiresGrad: true)
        let (taps, reference) = try tapAndIm2col(chunk: 4) {
            let y = try F.conv2d(x, weight: w, padding: (1, 1))
            try y.sum().backward()
            defer { x.grad = nil; w.grad = nil }
            return y.toDoubles() + (x.grad?.toDoubles() ?? []) + (w.grad?.toDoubles() ?? [])
        }
        for (a, e) in zip(taps, reference) { XCTAssertEqual(a, e, accuracy: 1e-3 * Swift.max(1, abs(e))) }
    }

    func testTapTransposeRoundTrips() {
        let rows = 37, taps = 9
        let src = (0..<(rows * taps)).map { Float($0) }
        var packed = [Float](repeating: 0, count: src.count), back = packed
        src.withUnsafeBufferPointer { s in packed.withUnsafeMutableBufferPointer { transposeTaps(s.baseAddress!, $0.baseAddress!, rows: rows, taps: taps) } }
        XCTAssertEqual(packed[2 * rows + 5], src[5 * taps + 2])
        packed.withUnsafeBufferPointer { s in back.withUnsafeMutableBufferPointer { transposeTaps(s.baseAddress!, $0.baseAddress!, rows: rows, taps: taps, inverse: true) } }
        XCTAssertEqual(back, src)
    }
}

/// Strided (im2col) convolutions batched across samples: any chunk size gives the same values,
/// and gradients agree with finite differences across chunks.
final class ConvolutionIm2colChunkTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    func testChunksAgreeAndGradientsHold() throws {
        let saved = tapChunkOverride
        defer { tapChunkOverride = saved }
        let x = try K.random([5, 4, 7, 6], seed: 31), w = try K.random([6, 2, 3, 3], seed: 32), b = try K.random([6], seed: 33)
        var results: [[Double]] = []
        for chunk in [1, 2, 5] {
            tapChunkOverride = chunk
            let y = try F.conv2d(x, weight: w, bias: b, stride: (2, 2), padding: (1, 1), groups: 2)
            try y.mul(try K.random(y.shape, seed: 34, requiresGrad: false)).sum().backward()
            results.append(y.toDoubles() + (x.grad?.toDoubles() ?? []) + (w.grad?.toDoubles() ?? []) + (b.grad?.toDoubles() ?? []))
            x.grad = nil; w.grad = nil; b.grad = nil
        }
        for r in results.dropFirst() {
            for (a, e) in zip(r, results[0]) { XCTAssertEqual(a, e, accuracy: 1e-10) }
        }
        tapChunkOverride = 2
        let small = try K.random([3, 3, 5, 5], seed: 35), ws = try K.random([4, 3, 2, 2], seed: 36)
        try K.gradCheck([small, ws]) { try F.conv2d($0[0], weight: $0[1], stride: (2, 1), padding: (1, 0)) }
        try K.gradCheck([small]) { try F.conv2dReLU($0[0], weight: ws.detached(), stride: (2, 2)) }
    }
}
