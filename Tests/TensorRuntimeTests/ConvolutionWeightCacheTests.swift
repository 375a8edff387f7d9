import XCTest
@testable import TensorRuntime

/// `TapWeightCache`: conv weights rearranged per tap are reused while the weight's storage is
/// unwritten and recomputed after any announced write (through the tensor, an alias, a view or
/// an element setter); results always equal im2col's, which reads the weight directly.
final class ConvolutionWeightCacheTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    private var savedAlgorithm: ConvAlgorithm?

    override func setUp() {
        savedAlgorithm = convAlgorithmOverride
        TapWeightCache.shared.removeAll()
    }

    override func tearDown() {
        convAlgorithmOverride = savedAlgorithm
        TapWeightCache.shared.removeAll()
    }

    /// `conv2d(x, w)` under `algorithm`, and under im2col (no cache) for reference.
    private func both(_ algorithm: ConvAlgorithm, _ x: Tensor, _ w: Tensor) throws -> (cached: [Double], plain: [Double]) {
        convAlgorithmOverride = algorithm
        let cached = try GradMode.withNoGrad { try F.conv2d(x, weight: w, padding: (1, 1)).toDoubles() }
        convAlgorithmOverride = .im2col
        let plain = try GradMode.withNoGrad { try F.conv2d(x, weight: w, padding: (1, 1)).toDoubles() }
        return (cached, plain)
    }

    private func assertMatches(_ algorithm: ConvAlgorithm, _ x: Tensor, _ w: Tensor, _ label: String,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let (cached, plain) = try both(algorithm, x, w)
        XCTAssertEqual(cached.count, plain.count, label, file: file, line: line)
        for (a, e) in zip(cached, plain) { XCTAssertEqual(a, e, accuracy: 1e-12, label, file: file, line: line) }
    }

    func testEveryWriterInvalidates() throws {
        for algorithm in [ConvAlgorithm.tapGemms, .sampleTaps] {
            let x = try K.random([2, 8, 5, 6], seed: 1, requiresGrad: false)
            let w = try K.random([6, 8, 3, 3], seed: 2, requiresGrad: false)
            try assertMatches(algorithm, x, w, "first")
            XCTAssertEqual(TapWeightCache.shared.count, 1)
            try assertMatches(algorithm, x, w, "hit")
            XCTAssertEqual(TapWeightCache.shared.count, 1)
            _ = try w.mulInPlace(.double(2))
            try assertMatches(algorithm, x, w, "mul_")
            _ = try w.detached().addInPlace(.double(0.5))
            try assertMatches(algorithm, x, w, "alias add_ (.data)")
            _ = try w.detach().addInPlace(.double(-0.25))
            try assertMatches(algorithm, x, w, "detach add_")
            _ = try w.view([6, 72]).select(dim: 0, index: 3).mulInPlace(.double(-1))
            try assertMatches(algorithm, x, w, "view mul_")
            w.storage.setDouble(7, at: 5)
            try assertMatches(algorithm, x, w, "setDouble")
            _ = try w.copyInPlace(from: try K.random([6, 8, 3, 3], seed: 3, requiresGrad: false))
            try assertMatches(algorithm, x, w, "copy_")
            try copyElements(from: try K.random([6, 8, 3, 3], seed: 5, requiresGrad: false), to: w)
            try assertMatches(algorithm, x, w, "copyElements (load_state_dict)")
            _ = try w.fillInPlace(.double(0.125))
            try assertMatches(algorithm, x, w, "fill_")
            try w.setData(try K.random([6, 8, 3, 3], seed: 4, requiresGrad: false))
            try assertMatches(algorithm, x, w, ".data =")
            TapWeightCache.shared.removeAll()
        }
    }

    func testTrainingStepReusesForwardWeightsAndBuffer() throws {
        convAlgorithmOverride = .tapGemms
        let x = try K.random([3, 8, 4, 4], seed: 5), w = try K.random([8, 8, 3, 3], seed: 6)
        for step in 0..<3 {
            let y = try F.conv2d(x, weight: w, padding: (1, 1))
            try y.sum().backward()
            XCTAssertEqual(TapWeightCache.shared.count, 1, "step \(step)")
            let gx = try XCTUnwrap(x.grad).toDoubles(), gw = try XCTUnwrap(w.grad)
            // The reference: im2col, which reads the weight itself.
            convAlgorithmOverride = .im2col
            x.grad = nil
            try F.conv2d(x, weight: w, padding: (1, 1)).sum().backward()
            for (a, e) in zip(gx, try XCTUnwrap(x.grad).toDoubles()) { XCTAssertEqual(a, e, accuracy: 1e-12) }
            convAlgorithmOverride = .tapGemms
            // An optimizer-like update: raw writes, then bumpVersion.
            let p = w.storage.pointer(Double.self), g = gw.storage.pointer(Double.self)
            for i in 0..<w.numel { p[i] -= 0.1 * g[i] }
            w.bumpVersion()
            x.grad = nil; w.grad = nil
        }
        try K.gradCheck([x, w]) { try F.conv2d($0[0], weight: $0[1], padding: (1, 1)) }
    }

    func testFreedWeightsAndTheByteLimit() throws {
        convAlgorithmOverride = .tapGemms
        let x = try K.random([1, 8, 4, 4], seed: 7, requiresGrad: false)
        let saved = TapWeightCache.byteLimit
        defer { TapWeightCache.byteLimit = saved }
        TapWeightCache.byteLimit = 2 * 8 * 8 * 9 * 8   // two float64 weights
        var keep: [Tensor] = []
        for seed in 0..<4 {
            let w = try K.random([8, 8, 3, 3], seed: UInt64(10 + seed), requiresGrad: false)
            try assertMatches(.tapGemms, x, w, "weight \(seed)")
            keep.append(w)
        }
        XCTAssertEqual(TapWeightCache.shared.count, 2, "least recently used entries evicted")
        try assertMatches(.tapGemms, x, keep[0], "evicted weight recomputed")
        keep.removeAll()
        let w = try K.random([8, 8, 3, 3], seed: 20, requiresGrad: false)
        try assertMatches(.tapGemms, x, w, "after freeing")
        XCTAssertEqual(TapWeightCache.shared.count, 1, "entries of freed storages dropped")
    }
}
