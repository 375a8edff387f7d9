import XCTest
@testable import TensorRuntime

/// max_pool2d without a gradient to record takes the values-only kernel: same values (NaN
/// included) as the kernel that keeps indices, for padding, dilation, ceil mode and big inputs.
final class MaxPoolKernelTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    func testValuesOnlyMatchesIndexedKernel() throws {
        let cases: [(shape: [Int], k: (Int, Int), s: (Int, Int), p: (Int, Int), d: (Int, Int), ceil: Bool)] = [
            ([2, 3, 9, 8], (3, 3), (2, 2), (1, 1), (1, 1), false),
            ([1, 2, 7, 7], (2, 3), (2, 1), (1, 0), (2, 2), true),
            ([4, 16, 56, 56], (3, 3), (2, 2), (1, 1), (1, 1), false),
            ([3, 5, 6], (2, 2), (2, 2), (0, 0), (1, 1), true),
        ]
        for (i, c) in cases.enumerated() {
            let x = try K.random(c.shape, seed: UInt64(70 + i), dtype: .float32, requiresGrad: true)
            let xp = x.storage.pointer(Float.self)
            xp[5] = .nan; xp[x.numel / 2] = -.infinity
            let indexed = try F.maxPool2d(x, kernelSize: c.k, stride: c.s, padding: c.p, dilation: c.d, ceilMode: c.ceil)
            XCTAssertNotNil(indexed.gradFn)
            let plain = try F.maxPool2d(x.detached(), kernelSize: c.k, stride: c.s, padding: c.p, dilation: c.d, ceilMode: c.ceil)
            XCTAssertNil(plain.gradFn)
            let a = indexed.toDoubles(), b = plain.toDoubles()
            XCTAssertEqual(a.count, b.count)
            for (u, v) in zip(a, b) { XCTAssertTrue(u == v || (u.isNaN && v.isNaN), "case \(i): \(u) vs \(v)") }
        }
    }

    /// On the plane-parallel path, the gradient of Σ max_pool2d counts how many windows chose
    /// each input (a plain first-maximum reference).
    func testGradientOnTheParallelPath() throws {
        let (planes, h, w) = (64, 24, 24)
        let x = try K.random([2, planes / 2, h, w], seed: 9, dtype: .float32, requiresGrad: true)
        try F.maxPool2d(x, kernelSize: (3, 3), stride: (2, 2), padding: (1, 1)).sum().backward()
        let xv = x.toDoubles()
        var expected = [Double](repeating: 0, count: xv.count)
        for plane in 0..<planes {
            for i in 0..<12 {
                for j in 0..<12 {
                    var best = -Double.infinity, at = -1
                    for r in (2 * i - 1)...(2 * i + 1) where r >= 0 && r < h {
                        for c in (2 * j - 1)...(2 * j + 1) where c >= 0 && c < w {
                            let k = plane * h * w + r * w + c
                            if xv[k] > best || at < 0 { best = xv[k]; at = k }
                        }
                    }
                    expected[at] += 1
                }
            }
        }
        XCTAssertEqual(try XCTUnwrap(x.grad).toDoubles(), expected)
    }
}
