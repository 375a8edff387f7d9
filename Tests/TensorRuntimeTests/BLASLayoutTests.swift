import XCTest
@testable import TensorRuntime

/// Every op that hands strides to BLAS, on operands laid out every way a view can lay them out
/// (transposed, sliced with steps, size-1 dims with arbitrary strides, expanded, empty): the
/// result must equal the one on contiguous copies (issue 12: linear read past its storage for
/// a transposed 3-D input). float64, so BLAS's own reordering stays far below the tolerance.
final class BLASLayoutTests: XCTestCase {
    /// Views of a fresh random tensor with `shape`, each with the same values.
    private func layouts(_ shape: [Int], seed: UInt64) throws -> [Tensor] {
        let base = try KernelTest.random(shape, seed: seed, requiresGrad: false)
        var views = [base]
        let n = shape.count
        if n >= 2 {
            // Stored transposed: the last two dims swapped in memory.
            var swapped = shape
            swapped.swapAt(n - 1, n - 2)
            views.append(try base.transpose(-1, -2).contiguous().transpose(-1, -2))
            // Every other element of a twice-as-wide buffer.
            let wide = try KernelTest.random(Array(shape.dropLast()) + [2 * shape[n - 1]], seed: seed, requiresGrad: false)
            let strided = try wide.slice(dim: n - 1, start: 0, end: nil, step: 2)
            try GradMode.withNoGrad { try copyElements(from: base, to: strided) }
            views.append(strided)
        }
        if n >= 3 {
            // Batch dim stored innermost-but-one: permuted storage.
            views.append(try base.permute([1, 0] + Array(2..<n)).contiguous().permute([1, 0] + Array(2..<n)))
        }
        if shape.contains(1) {
            // Size-1 dims with a stride no other dim has (never used to address an element).
            let strides = zip(shape, base.strides).map { $0.0 == 1 ? 977 : $0.1 }
            views.append(Tensor(storage: base.storage, shape: shape, strides: strides, storageOffset: 0))
        }
        return views
    }

    private func assertSame(_ a: Tensor, _ b: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, label, file: file, line: line)
        for (x, y) in zip(a.toDoubles(), b.toDoubles()) where Swift.abs(x - y) > 1e-12 * Swift.max(1, Swift.abs(y)) {
            XCTFail("\(label): \(x) vs \(y)", file: file, line: line)
            return
        }
    }

    func testMatmulFamily() throws {
        let pairs: [([Int], [Int])] = [
            ([3, 4], [4, 5]), ([1, 4], [4, 1]), ([4], [4, 3]), ([3, 4], [4]), ([2, 3, 4], [4, 5]), ([2, 3, 4], [2, 4, 5]),
            ([2, 1, 3, 4], [5, 4, 2]), ([5, 4], [2, 4, 3]), ([1, 3, 4], [6, 4, 2]), ([2, 3, 0], [2, 0, 4]), ([4], [2, 4, 1]),
        ]
        for (i, (sa, sb)) in pairs.enumerated() {
            for a in try layouts(sa, seed: UInt64(2 * i + 1)) {
                for b in try layouts(sb, seed: UInt64(2 * i + 2)) {
                    let expected = try a.contiguous().matmul(try b.contiguous())
                    assertSame(try a.matmul(b), expected, "matmul \(sa) \(a.strides) @ \(sb) \(b.strides)")
                    if sa.count == 2 && sb.count == 2 { assertSame(try a.mm(b), expected, "mm \(sa) @ \(sb)") }
                    if sa.count == 3 && sb.count == 3 && sa[0] == sb[0] { assertSame(try a.bmm(b), expected, "bmm \(sa) @ \(sb)") }
                }
            }
        }
    }

    func testLinear() throws {
        for (i, shape) in [[5, 4], [4], [2, 3, 4], [3, 1, 4], [1, 5, 4], [2, 2, 3, 4], [0, 4]].enumerated() {
            for x in try layouts(shape, seed: UInt64(40 + i)) {
                for w in try layouts([3, 4], seed: 7) {
                    let b = try KernelTest.random([3], seed: 8, requiresGrad: false)
                    let expected = try Functional.linear(try x.contiguous(), weight: try w.contiguous(), bias: b)
                    assertSame(try Functional.linear(x, weight: w, bias: b), expected, "linear \(shape) \(x.strides) w \(w.strides)")
                    assertSame(try Functional.linear(x, weight: w), try Functional.linear(try x.contiguous(), weight: try w.contiguous()),
                               "linear no bias \(shape) \(x.strides)")
                }
            }
        }
    }

    func testConv2d() throws {
        for x in try layouts([2, 3, 6, 5], seed: 60) {
            for w in try layouts([4, 3, 3, 2], seed: 61) {
                for stride in [(1, 1), (2, 1)] {
                    let expected = try Functional.conv2d(try x.contiguous(), weight: try w.contiguous(), stride: stride)
                    assertSame(try Functional.conv2d(x, weight: w, stride: stride), expected, "conv2d x \(x.strides) w \(w.strides) stride \(stride)")
                }
            }
        }
    }
}
