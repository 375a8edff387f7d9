import XCTest
@testable import TensorRuntime

/// The block-wise Bernoulli mask (RandomBernoulliMask.swift) against the per-draw definition
/// `uniformDouble() < p`: same values, same stream position afterwards, for odd lengths and
/// lengths across the generator's chunks; dropout and `bernoulli_` built on it.
final class BernoulliMaskTests: XCTestCase {
    private let lengths = [1, 7, 311, 2496, 2499, 5001]

    /// The reference draws from a generator seeded with `seed`, and the draw that follows them.
    private func referenceDraws(_ count: Int, p: Double, seed: UInt64) -> (draws: [Bool], next: UInt32) {
        let g = RandomGenerator(seed: seed)
        let draws = (0..<count).map { _ in g.uniformDouble() < p }
        return (draws, g.random())
    }

    func testFillMatchesPerDrawDefinition() {
        for n in lengths {
            for p in [0.0, 1e-300, 0.1, 0.5, 0.9, 0.9999999, 1.0] {
                let (draws, next) = referenceDraws(n, p: p, seed: 7)
                let g = RandomGenerator(seed: 7)
                let out = UnsafeMutablePointer<Float>.allocate(capacity: n)
                defer { out.deallocate() }
                g.fillBernoulli(out, count: n, p: p, value: 2.5)
                XCTAssertEqual((0..<n).map { out[$0] }, draws.map { $0 ? 2.5 : 0 }, "n=\(n) p=\(p)")
                XCTAssertEqual(g.random(), next, "stream position after n=\(n) p=\(p)")
            }
        }
    }

    func testFillAfterPartlyUsedState() {
        // Start mid-block: 3 single draws first, so the mask's words straddle a state refill.
        let ref = RandomGenerator(seed: 11), g = RandomGenerator(seed: 11)
        for _ in 0..<3 { _ = ref.random(); _ = g.random() }
        let n = 700
        let expected = (0..<n).map { _ in ref.uniformDouble() < 0.3 ? 1.0 : 0.0 }
        let out = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { out.deallocate() }
        g.fillBernoulli(out, count: n, p: 0.3, value: 1)
        XCTAssertEqual((0..<n).map { out[$0] }, expected)
        XCTAssertEqual(g.random(), ref.random())
    }

    func testBernoulliInPlaceContiguousAndStrided() throws {
        for dtype in [DType.float32, .float64] {
            TorchRandom.manualSeed(UInt64(3))
            let t = try Tensor.zeros([37, 5], dtype: dtype).bernoulliInPlace(p: 0.4)
            XCTAssertEqual(t.toDoubles(), referenceDraws(185, p: 0.4, seed: 3).draws.map { $0 ? 1 : 0 }, "\(dtype)")
            // A transposed tensor (the plain path) draws in storage order, as TensorIterator.
            TorchRandom.manualSeed(UInt64(3))
            let base = try Tensor.zeros([5, 37], dtype: dtype)
            _ = try base.t().bernoulliInPlace(p: 0.4)
            XCTAssertEqual(base.toDoubles(), referenceDraws(185, p: 0.4, seed: 3).draws.map { $0 ? 1 : 0 }, "\(dtype) strided")
        }
    }

    func testDropoutValuesWithNaNAndInfinity() throws {
        for dtype in [DType.float32, .float64] {
            for n in lengths {
                var values = (0..<n).map { Double($0 % 13) - 6.5 }
                values[0] = .nan
                if n > 2 { values[1] = .infinity; values[2] = -.infinity }
                let x = try Tensor(doubles: values, shape: [n], dtype: dtype)
                let p = 0.3
                TorchRandom.manualSeed(UInt64(5))
                let y = try Functional.dropout(x, p: p, training: true)
                let (draws, next) = referenceDraws(n, p: 1 - p, seed: 5)
                let expected: [Double] = zip(values, draws).map { v, kept in
                    dtype == .float32 ? Double(Float(v) * (kept ? Float(1 / (1 - p)) : 0)) : v * (kept ? 1 / (1 - p) : 0)
                }
                let got = y.toDoubles()
                for i in 0..<n where !(got[i] == expected[i] || got[i].isNaN && expected[i].isNaN) {
                    XCTFail("\(dtype) n=\(n) element \(i): \(got[i]) vs \(expected[i])")
                    break
                }
                XCTAssertEqual(TorchRandom.generator.random(), next, "stream position \(dtype) n=\(n)")
            }
        }
    }

    func testDropoutNonContiguousInput() throws {
        let x = try KernelTest.random([6, 9], seed: 9, requiresGrad: false)
        let xt = try x.t()
        TorchRandom.manualSeed(UInt64(8))
        let y = try Functional.dropout(xt, p: 0.5, training: true)
        TorchRandom.manualSeed(UInt64(8))
        let yDense = try Functional.dropout(try xt.contiguous(), p: 0.5, training: true)
        XCTAssertEqual(y.toDoubles(), yDense.toDoubles())
    }

    func testDropoutGradientByFiniteDifferences() throws {
        try GradCheck.check([[4, 7]]) { xs in
            TorchRandom.manualSeed(UInt64(2))
            return try Functional.dropout(xs[0], p: 0.4, training: true)
        }
    }
}
