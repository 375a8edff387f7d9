import XCTest
@testable import TensorRuntime

/// max_pool2d's index kernel (eight float32 outputs at a time inside the plane, scalar at the
/// edges and for float64) against the plain branchy reference: the first maximum
/// of each window wins ties, the first NaN wins and stays; with padding, dilation, ceil mode,
/// ties from rounding and NaN/-inf planted in the input, in float32 and float64.
final class MaxPoolIndicesTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    /// The reference: per window, taps in row-major order, the first maximum (a NaN at once).
    private func reference(_ x: [Double], planes: Int, h: Int, w: Int, k: (Int, Int), s: (Int, Int), p: (Int, Int),
                           d: (Int, Int), oh: Int, ow: Int) -> (values: [Double], indices: [Int]) {
        var values = [Double](), indices = [Int]()
        for plane in 0..<planes {
            for i in 0..<oh {
                for j in 0..<ow {
                    var best = -Double.infinity, at = -1
                    search: for a in 0..<k.0 {
                        let r = i * s.0 - p.0 + a * d.0
                        guard r >= 0 && r < h else { continue }
                        for b in 0..<k.1 {
                            let c = j * s.1 - p.1 + b * d.1
                            guard c >= 0 && c < w else { continue }
                            let v = x[plane * h * w + r * w + c]
                            if at < 0 || v > best || v.isNaN { best = v; at = r * w + c }
                            if v.isNaN { break search }
                        }
                    }
                    values.append(best); indices.append(Swift.max(at, 0))
                }
            }
        }
        return (values, indices)
    }

    private let cases: [(shape: [Int], k: (Int, Int), s: (Int, Int), p: (Int, Int), d: (Int, Int), ceil: Bool)] = [
            ([2, 3, 9, 8], (3, 3), (2, 2), (1, 1), (1, 1), false),
            ([1, 2, 7, 7], (2, 3), (2, 1), (1, 0), (2, 2), true),
            ([4, 16, 32, 32], (3, 3), (2, 2), (1, 1), (1, 1), false),
            ([3, 5, 6], (2, 2), (2, 2), (0, 0), (1, 1), true),
            ([2, 2, 10, 10], (4, 2), (3, 3), (2, 1), (1, 3), true),
            ([2, 3, 12, 20], (3, 2), (1, 1), (1, 1), (1, 2), false),   // stride 1: contiguous lane loads
            ([1, 2, 9, 40], (2, 3), (2, 3), (0, 1), (2, 1), true),
            ([2, 1, 5, 21], (3, 3), (2, 2), (0, 0), (1, 1), false),   // stride 2: the last lanes end at the plane's end
            ([1, 3, 16, 35], (3, 3), (2, 2), (1, 1), (1, 1), true),
        ]

    /// Planted NaN/-inf values and ties for case `i`.
    private func input(_ i: Int, _ shape: [Int]) throws -> [Double] {
        let raw = try K.random(shape, seed: UInt64(40 + i), dtype: .float64, requiresGrad: false).toDoubles()
        var values = raw.map { ($0 * 3).rounded() }
        values[5] = .nan; values[values.count / 2] = -.infinity; values[values.count / 3] = .nan
        values[values.count / 3 + 1] = .nan
        return values
    }

    func testIndicesMatchTheFirstMaximumReference() throws {
        for dtype in [DType.float32, .float64] {
            for (i, c) in cases.enumerated() {
                // Values rounded to a few levels, so windows hold ties.
                let values = try input(i, c.shape)
                let x = try Tensor(doubles: values, shape: c.shape, dtype: dtype)
                let (out, idx) = try F.maxPool2dWithIndices(x, kernelSize: c.k, stride: c.s, padding: c.p, dilation: c.d, ceilMode: c.ceil)
                let (h, w) = (c.shape[c.shape.count - 2], c.shape[c.shape.count - 1])
                let (oh, ow) = (out.shape[out.dim - 2], out.shape[out.dim - 1])
                let ref = reference(values, planes: values.count / (h * w), h: h, w: w, k: c.k, s: c.s, p: c.p, d: c.d, oh: oh, ow: ow)
                XCTAssertEqual(idx.toDoubles().map { Int($0) }, ref.indices, "\(dtype) case \(i)")
                for (u, v) in zip(out.toDoubles(), ref.values) {
                    XCTAssertTrue(u == v || (u.isNaN && v.isNaN), "\(dtype) case \(i): \(u) vs \(v)")
                }
            }
        }
    }

    /// Without a gradient no indices are written: the same lanes give the same values.
    func testValuesWithoutIndicesMatchTheReference() throws {
        for dtype in [DType.float32, .float64] {
            for (i, c) in cases.enumerated() {
                let values = try input(i, c.shape)
                let out = try F.maxPool2d(try Tensor(doubles: values, shape: c.shape, dtype: dtype), kernelSize: c.k, stride: c.s,
                                          padding: c.p, dilation: c.d, ceilMode: c.ceil)
                let (h, w) = (c.shape[c.shape.count - 2], c.shape[c.shape.count - 1])
                let ref = reference(values, planes: values.count / (h * w), h: h, w: w, k: c.k, s: c.s, p: c.p, d: c.d,
                                    oh: out.shape[out.dim - 2], ow: out.shape[out.dim - 1])
                for (u, v) in zip(out.toDoubles(), ref.values) {
                    XCTAssertTrue(u.bitPattern == v.bitPattern || (u.isNaN && v.isNaN), "\(dtype) case \(i): \(u) vs \(v)")
                }
            }
        }
    }

    /// The backward scatters at those indices, planes split over the cores: Σ over windows.
    func testGradientScattersAtTheIndices() throws {
        let x = try K.random([4, 16, 20, 20], seed: 3, dtype: .float64, requiresGrad: true)
        let (out, idx) = try F.maxPool2dWithIndices(x, kernelSize: (3, 3), stride: (2, 2), padding: (1, 1))
        let r = try K.random(out.shape, seed: 4, dtype: .float64, requiresGrad: false)
        try out.mul(r).sum().backward()
        var expected = [Double](repeating: 0, count: x.numel)
        let outPlane = out.shape[2] * out.shape[3], rv = r.toDoubles()
        for (o, at) in idx.toDoubles().enumerated() { expected[o / outPlane * 400 + Int(at)] += rv[o] }
        XCTAssertEqual(try XCTUnwrap(x.grad).toDoubles(), expected)
    }
}
