import XCTest
@testable import TensorRuntime

/// Stride-2 im2col copies eight columns at a time from sixteen loaded neighbours
/// (`copyEvenElements`): a 7×7 stride-2 convolution (a ResNet stem) on planes of several widths,
/// float32 and float64, against a direct convolution in Double; gradients by finite differences.
final class ConvolutionStridedUnfoldTests: XCTestCase {
    typealias K = KernelTest

    /// `Σ x·w` over each window, zero padding, no bias.
    private func direct(_ x: [Double], _ w: [Double], n: Int, c: Int, h: Int, wd: Int, o: Int, k: Int, stride s: Int, pad p: Int) -> [Double] {
        let oh = (h + 2 * p - k) / s + 1, ow = (wd + 2 * p - k) / s + 1
        var out = [Double](repeating: 0, count: n * o * oh * ow)
        for b in 0..<n {
            for oc in 0..<o {
                for i in 0..<oh {
                    for j in 0..<ow {
                        var sum = 0.0
                        for ch in 0..<c {
                            for a in 0..<k {
                                let r = i * s - p + a
                                guard r >= 0 && r < h else { continue }
                                for bb in 0..<k {
                                    let col = j * s - p + bb
                                    guard col >= 0 && col < wd else { continue }
                                    sum += x[((b * c + ch) * h + r) * wd + col] * w[((oc * c + ch) * k + a) * k + bb]
                                }
                            }
                        }
                        out[((b * o + oc) * oh + i) * ow + j] = sum
                    }
                }
            }
        }
        return out
    }

    func testStemConvolutionMatchesDirectSums() throws {
        for dtype in [DType.float32, .float64] {
            for width in [17, 18, 31, 40, 53] {
                let x = try K.random([2, 3, 11, width], seed: UInt64(width), dtype: dtype, requiresGrad: false)
                let w = try K.random([4, 3, 7, 7], seed: 7, dtype: dtype, requiresGrad: false)
                let y = try Functional.conv2d(x, weight: w, stride: (2, 2), padding: (3, 3))
                let expected = direct(x.toDoubles(), w.toDoubles(), n: 2, c: 3, h: 11, wd: width, o: 4, k: 7, stride: 2, pad: 3)
                XCTAssertEqual(y.numel, expected.count)
                for (a, e) in zip(y.toDoubles(), expected) {
                    XCTAssertEqual(a, e, accuracy: dtype == .float32 ? 1e-4 : 1e-12, "\(dtype) width \(width)")
                }
            }
        }
        let x = try K.random([1, 2, 5, 19], seed: 3), w = try K.random([2, 2, 7, 7], seed: 4)
        try K.gradCheck([x, w]) { try Functional.conv2d($0[0], weight: $0[1], stride: (2, 2), padding: (3, 3)) }
    }
}
