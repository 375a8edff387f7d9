import XCTest
@testable import TensorRuntime

/// `Functional.packedSelfAttention` (q, k, v read in place from one in-projection, gradient
/// written into the projection's) against the composed chain it replaces: linear, view,
/// permute, select, scaled_dot_product_attention, permute, reshape — values, gradients of the
/// input, weight and bias, masks (shared, per head) and causal, both layouts; finite differences
/// in float64.
final class PackedSelfAttentionTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    /// PyTorch's chain, with plain ops only (the fused kernels off).
    private func composed(_ x: Tensor, _ w: Tensor, _ b: Tensor?, heads: Int, batchFirst: Bool, mask: Tensor?,
                          causal: Bool) throws -> Tensor {
        FusedAttention.isEnabled = false
        defer { FusedAttention.isEnabled = true }
        let e = x.shape[2], hd = e / heads
        let (n, l) = batchFirst ? (x.shape[0], x.shape[1]) : (x.shape[1], x.shape[0])
        let proj = try F.linear(x, weight: w, bias: b).view(batchFirst ? [n, l, 3, heads, hd] : [l, n, 3, heads, hd])
        let split = try proj.permute(batchFirst ? [2, 0, 3, 1, 4] : [2, 1, 3, 0, 4])
        let out = try F.scaledDotProductAttention(try split.select(dim: 0, index: 0), try split.select(dim: 0, index: 1),
                                                  try split.select(dim: 0, index: 2), attnMask: mask, isCausal: causal)
        return batchFirst ? try out.transpose(1, 2).reshape([n, l, e]) : try out.permute([2, 0, 1, 3]).reshape([l, n, e])
    }

    private func packed(_ x: Tensor, _ w: Tensor, _ b: Tensor?, heads: Int, batchFirst: Bool, mask: Tensor?,
                        causal: Bool) throws -> Tensor {
        let out = try F.packedSelfAttention(x, inProjWeight: w, inProjBias: b, heads: heads, batchFirst: batchFirst,
                                            mask: mask, isCausal: causal)
        return try XCTUnwrap(out)
    }

    /// Output, then the gradients of x, w and b, for a fixed random upstream gradient.
    private func results(_ dtype: DType, batchFirst: Bool, mask: Tensor?, causal: Bool, bias: Bool, useFused: Bool) throws -> [[Double]] {
        let (n, l, e, heads) = (3, 37, 24, 4)
        let x = try K.random(batchFirst ? [n, l, e] : [l, n, e], seed: 1, dtype: dtype)
        let w = try K.random([3 * e, e], seed: 2, dtype: dtype), b = bias ? try K.random([3 * e], seed: 3, dtype: dtype) : nil
        let run = useFused ? packed : composed
        let out = try run(x, w, b, heads, batchFirst, mask, causal)
        XCTAssertEqual(out.shape, x.shape)
        XCTAssertTrue(out.isContiguous)
        let upstream = try K.random(out.shape, seed: 9, dtype: dtype, requiresGrad: false)
        try out.mul(upstream).sum().backward()
        return [out.toDoubles()] + [x, w, b].map { $0?.grad?.toDoubles() ?? [] }
    }

    func testMatchesComposedChain() throws {
        let shared = try K.random([37, 37], seed: 5, dtype: .float32, requiresGrad: false)
        let perHead = try Tensor.zeros([3, 4, 37, 37], dtype: .float32)
            .maskedFill(try K.random([3, 4, 37, 37], seed: 6, dtype: .float32, requiresGrad: false).lt(.double(-0.7)), .double(-.infinity))
        for dtype in [DType.float32, .float64] {
            let tol = dtype == .float32 ? 1e-4 : 1e-11
            for batchFirst in [true, false] {
                for (mask, causal) in [(nil, true), (shared, false), (perHead, false), (nil, false)] as [(Tensor?, Bool)] {
                    let bias = mask == nil
                    let fused = try results(dtype, batchFirst: batchFirst, mask: mask, causal: causal, bias: bias, useFused: true)
                    let plain = try results(dtype, batchFirst: batchFirst, mask: mask, causal: causal, bias: bias, useFused: false)
                    for (name, (a, b)) in zip(["output", "grad x", "grad w", "grad b"], zip(fused, plain)) {
                        XCTAssertEqual(a.count, b.count, name)
                        let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
                        XCTAssertLessThanOrEqual(worst, tol, "\(name) \(dtype) batchFirst \(batchFirst) causal \(causal) mask \(mask?.shape ?? [])")
                    }
                }
            }
        }
    }

    func testOneNodeOverTheProjection() throws {
        let x = try K.random([2, 5, 8], seed: 1, dtype: .float32)
        let w = try K.random([24, 8], seed: 2, dtype: .float32)
        let out = try packed(x, w, nil, heads: 2, batchFirst: true, mask: nil, causal: true)
        // The views back to [B, L, E] over the one attention node, whose input is the projection.
        var node = out.gradFn
        while let n = node, n.name != "ScaledDotProductFlashAttentionForCpuBackward0" { node = n.next.first ?? nil }
        XCTAssertEqual(node?.next.count, 1)
    }

    func testNilWhereItDoesNotApply() throws {
        let x = try K.random([2, 5, 8], seed: 1, dtype: .float32), w = try K.random([24, 8], seed: 2, dtype: .float32)
        XCTAssertNil(try F.packedSelfAttention(x, inProjWeight: w, inProjBias: nil, heads: 3, batchFirst: true, mask: nil, isCausal: false))
        let wrongMask = try Tensor.zeros([4, 5], dtype: .float32)
        XCTAssertNil(try F.packedSelfAttention(x, inProjWeight: w, inProjBias: nil, heads: 2, batchFirst: true, mask: wrongMask, isCausal: false))
        let gradMask = try K.random([5, 5], seed: 3, dtype: .float32)
        XCTAssertNil(try F.packedSelfAttention(x, inProjWeight: w, inProjBias: nil, heads: 2, batchFirst: true, mask: gradMask, isCausal: false))
        XCTAssertNil(try F.packedSelfAttention(x, inProjWeight: try K.random([24, 4], seed: 4, dtype: .float32), inProjBias: nil,
                                               heads: 2, batchFirst: true, mask: nil, isCausal: false))
    }

    func testFiniteDifferencesFloat64() throws {
        let mask = try K.random([2, 2, 4, 4], seed: 4, requiresGrad: false)
        for batchFirst in [true, false] {
            let x = try K.random(batchFirst ? [2, 4, 6] : [4, 2, 6], seed: 1)
            let w = try K.random([18, 6], seed: 2), b = try K.random([18], seed: 3)
            try K.gradCheck([x, w, b]) { try self.packed($0[0], $0[1], $0[2], heads: 2, batchFirst: batchFirst, mask: nil, causal: true) }
            try K.gradCheck([x, w, b]) { try self.packed($0[0], $0[1], $0[2], heads: 2, batchFirst: batchFirst, mask: mask, causal: false) }
            try K.gradCheck([x, w]) { try self.packed($0[0], $0[1], nil, heads: 3, batchFirst: batchFirst, mask: nil, causal: false) }
        }
    }
}
