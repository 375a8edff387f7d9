import XCTest
@testable import NeuralNet
@testable import TensorRuntime

/// MultiheadAttention's self-attention path over the packed in-projection
/// (`Functional.packedSelfAttention`) against the composed path it replaces (the fused kernels
/// off): outputs, input and parameter gradients of a TransformerEncoderLayer, both layouts,
/// causal and float masks; the output's grad_fn is PyTorch's.
final class MultiheadSelfAttentionPathTests: XCTestCase {
    /// Deterministic values in [-1, 1).
    private func values(_ shape: [Int], seed: UInt64, requiresGrad: Bool = true) throws -> Tensor {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        let n = shape.reduce(1, *)
        let t = try Tensor(doubles: (0..<n).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }, shape: shape, dtype: .float32)
        if requiresGrad { try t.setRequiresGrad(true) }
        return t
    }

    /// Output then every gradient (input first, then the parameters in order) of one layer step.
    private func step(batchFirst: Bool, mask: Tensor?, causal: Bool, fused: Bool) throws -> [[Double]] {
        FusedAttention.isEnabled = fused
        defer { FusedAttention.isEnabled = true }
        var o = TransformerLayerOptions(dModel: 16, nhead: 4)
        o.dimFeedforward = 32
        o.dropout = 0
        o.batchFirst = batchFirst
        let layer = try TransformerEncoderLayer(o)
        for (i, p) in layer.parameters().enumerated() {
            _ = try GradMode.withNoGrad { try p.copyInPlace(from: try values(p.shape, seed: UInt64(10 + i), requiresGrad: false)) }
        }
        let x = try values(batchFirst ? [3, 7, 16] : [7, 3, 16], seed: 1)
        let out = try layer.encode(x, mask: mask, isCausal: causal)
        try out.mul(try values(out.shape, seed: 2, requiresGrad: false)).sum().backward()
        return [out.toDoubles(), x.grad?.toDoubles() ?? []] + layer.parameters().map { $0.grad?.toDoubles() ?? [] }
    }

    func testEncoderLayerMatchesComposedPath() throws {
        let causalMask = try Tensor.zeros([7, 7], dtype: .float32)
            .maskedFill(try Functional.causalMask(7, 7), .double(-.infinity))
        let floatMask = try values([12, 7, 7], seed: 3, requiresGrad: false)
        for batchFirst in [true, false] {
            for (mask, causal) in [(causalMask, true), (floatMask, false), (nil, false)] as [(Tensor?, Bool)] {
                let fast = try step(batchFirst: batchFirst, mask: mask, causal: causal, fused: true)
                let plain = try step(batchFirst: batchFirst, mask: mask, causal: causal, fused: false)
                XCTAssertEqual(fast.count, plain.count)
                for (i, (a, b)) in zip(fast, plain).enumerated() {
                    XCTAssertEqual(a.count, b.count)
                    let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
                    XCTAssertLessThanOrEqual(worst, 1e-4, "result \(i), batchFirst \(batchFirst), mask \(mask?.shape ?? [])")
                }
            }
        }
    }

    /// The output's grad_fn is the last op of PyTorch's multi_head_attention_forward.
    func testOutputGradFnIsPyTorchs() throws {
        for batchFirst in [true, false] {
            let mha = try MultiheadAttention(8, 2, batchFirst: batchFirst)
            let x = try values([2, 5, 8], seed: 1)
            let (out, weights) = try mha.attend(x, x, x, needWeights: false)
            XCTAssertNil(weights)
            XCTAssertEqual(out.shape, [2, 5, 8])
            XCTAssertEqual(out.gradFn?.name, batchFirst ? "TransposeBackward0" : "ViewBackward0")
        }
    }
}
