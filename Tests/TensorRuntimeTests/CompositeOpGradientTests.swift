import XCTest
@testable import TensorRuntime

/// Gradients of the composed ops (roll, tile, repeat_interleave, diag, trace, masked_select,
/// logsumexp, kthvalue, lerp, einsum, the diagonal view) against float64 finite differences, on plain and
/// transposed inputs.
final class CompositeOpGradientTests: XCTestCase {
    func testRearrangingOps() throws {
        try GradCheck.check([[3, 4]], layout: .transposed) { xs in try xs[0].roll(shifts: [1, -2], dims: [0, 1]).mul(xs[0]) }
        try GradCheck.check([[2, 3]]) { xs in try xs[0].roll(shifts: [4], dims: []).mul(xs[0]) }
        try GradCheck.check([[2, 3]]) { xs in try xs[0].tile([2, 1, 2]) }
        try GradCheck.check([[3, 2]]) { xs in try xs[0].repeatInterleave([1, 0, 3], dim: 0) }
        try GradCheck.check([[4]]) { xs in try xs[0].diag(diagonal: -1).mul(Scalar.double(2)) }
        try GradCheck.check([[3, 4]], layout: .transposed) { xs in try xs[0].diag(diagonal: 1) }
        try GradCheck.check([[3, 3]]) { xs in try xs[0].trace().mul(xs[0].sum()) }
        try GradCheck.check([[2, 3, 4]], layout: .transposed) { xs in try xs[0].diagonal(offset: 1, dim1: 1, dim2: 2).mul(xs[0].sum()) }
        try GradCheck.check([[3, 4]]) { xs in try xs[0].diagonal(offset: -1, dim1: -1, dim2: 0).mul(Scalar.double(3)) }
        try GradCheck.check([[3, 3]]) { xs in try xs[0].maskedSelect(try xs[0].gt(.double(0))) }
    }

    func testReductionVariants() throws {
        try GradCheck.check([[3, 4]], layout: .strided) { xs in try xs[0].logsumexp(dims: [1]) }
        try GradCheck.check([[2, 3, 2]]) { xs in try xs[0].logsumexp(dims: [0, 2], keepdim: true) }
        try GradCheck.check([[3, 5]]) { xs in try xs[0].kthValue(2, dim: 1).values }
        try GradCheck.check([[2, 3], [2, 3], [2, 3]]) { xs in try xs[0].lerp(xs[1], weight: xs[2]) }
    }

    func testEinsumMatchesMatmulAndItsGradients() throws {
        let a = try GradCheck.leaf([2, 3, 4], seed: 3), b = try GradCheck.leaf([2, 4, 5], seed: 4)
        let viaEinsum = try Einsum.evaluate("bij,bjk->bik", [a, b]).toDoubles()
        let viaBmm = try a.bmm(b).toDoubles()
        for (x, y) in zip(viaEinsum, viaBmm) { XCTAssertEqual(x, y, accuracy: 1e-12) }
        try GradCheck.check([[2, 3, 4], [2, 5, 4]]) { xs in try Einsum.evaluate("bqd,bkd->bqk", xs) }
        try GradCheck.check([[3, 3]]) { xs in try Einsum.evaluate("ii->i", xs) }
        try GradCheck.check([[2, 3], [3, 4], [4, 2]]) { xs in try Einsum.evaluate("ij,jk,kl->li", xs) }
        XCTAssertThrowsError(try Einsum.evaluate("ij,jk->ik", [a]))
    }
}
