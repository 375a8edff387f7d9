import XCTest
@testable import TensorRuntime

/// batch_norm on tensors big enough for the channel-parallel kernel: float32 values and
/// gradients against a plain Double reference, and float64 gradients by finite differences.
final class BatchNormKernelTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    /// The reference: per channel, two-pass mean and biased variance, then x̂·w + b, and the
    /// gradients of Σ r·y.
    private func reference(_ x: [Double], _ r: [Double], n: Int, c: Int, s: Int, w: [Double], b: [Double], eps: Double)
        -> (y: [Double], gx: [Double], gw: [Double], gb: [Double]) {
        var y = x, gx = x, gw = w, gb = b
        let count = Double(n * s)
        for ch in 0..<c {
            var idx: [Int] = []
            for i in 0..<n {
                let start: Int = (i * c + ch) * s
                idx += Array(start..<(start + s))
            }
            var m = 0.0, v = 0.0
            for j in idx { m += x[j] }
            m /= count
            for j in idx { v += (x[j] - m) * (x[j] - m) }
            v /= count
            let inv = 1 / (v + eps).squareRoot()
            var sumG = 0.0, sumGX = 0.0
            for j in idx {
                y[j] = (x[j] - m) * inv * w[ch] + b[ch]
                sumG += r[j]; sumGX += r[j] * (x[j] - m) * inv
            }
            gw[ch] = sumGX; gb[ch] = sumG
            for j in idx { gx[j] = inv * w[ch] * (r[j] - sumG / count - (x[j] - m) * inv * sumGX / count) }
        }
        return (y, gx, gw, gb)
    }

    func testFloat32TrainingMatchesReference() throws {
        let (n, c, s) = (4, 16, 24 * 24)
        let x = try K.random([n, c, 24, 24], seed: 1, dtype: .float32, requiresGrad: true)
        let w = try K.random([c], seed: 2, dtype: .float32, requiresGrad: true)
        let b = try K.random([c], seed: 3, dtype: .float32, requiresGrad: true)
        let r = try K.random([n, c, 24, 24], seed: 4, dtype: .float32, requiresGrad: false)
        let y = try F.batchNorm(x, runningMean: nil, runningVar: nil, weight: w, bias: b, training: true)
        try y.mul(r).sum().backward()
        let ref = reference(x.toDoubles(), r.toDoubles(), n: n, c: c, s: s, w: w.toDoubles(), b: b.toDoubles(), eps: 1e-5)
        K.assertClose(y, ref.y, tol: 1e-5)
        K.assertClose(try XCTUnwrap(x.grad), ref.gx, tol: 1e-5)
        K.assertClose(try XCTUnwrap(w.grad), ref.gw, tol: 1e-2)
        K.assertClose(try XCTUnwrap(b.grad), ref.gb, tol: 1e-3)
    }

    func testFloat32EvalIsOneScaleAndShift() throws {
        let x = try K.random([2, 8, 48, 48], seed: 5, dtype: .float32, requiresGrad: false)
        let rm = try K.random([8], seed: 6, dtype: .float32, requiresGrad: false)
        let rv = try Tensor(doubles: (0..<8).map { 0.5 + Double($0) / 4 }, shape: [8], dtype: .float32)
        let w = try K.random([8], seed: 7, dtype: .float32, requiresGrad: false)
        let y = try F.batchNorm(x, runningMean: rm, runningVar: rv, weight: w, training: false)
        let xv = x.toDoubles(), m = rm.toDoubles(), v = rv.toDoubles(), wv = w.toDoubles()
        // ATen's linear terms in float32: alpha = invstd·w, beta = b − mean·alpha, y = x·alpha + beta.
        let expected = xv.indices.map { j -> Double in
            let ch = j / (48 * 48) % 8
            let alpha = 1 / (Float(v[ch]) + Float(1e-5)).squareRoot() * Float(wv[ch]), beta = 0 - Float(m[ch]) * alpha
            return Double(Float(xv[j]) * alpha + beta)
        }
        XCTAssertEqual(y.toDoubles(), expected)
        // Within a few float32 ulps of the exact value.
        for (j, got) in y.toDoubles().enumerated() {
            let ch = j / (48 * 48) % 8
            XCTAssertEqual(got, (xv[j] - m[ch]) / (v[ch] + 1e-5).squareRoot() * wv[ch], accuracy: 1e-6 * (1 + abs(got)))
        }
    }

    func testFloat64GradientsOnTheParallelPath() throws {
        let x = try K.random([3, 4, 60, 50], seed: 8), w = try K.random([4], seed: 9), b = try K.random([4], seed: 10)
        try K.gradCheck([w, b]) { try F.batchNorm(x, runningMean: nil, runningVar: nil, weight: $0[0], bias: $0[1], training: true) }
        let small = try K.random([2, 3, 3, 4], seed: 11)
        try K.gradCheck([small]) { try F.batchNorm($0[0], runningMean: nil, runningVar: nil, training: true) }
    }
}
