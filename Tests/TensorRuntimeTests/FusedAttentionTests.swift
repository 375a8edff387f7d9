import XCTest
@testable import TensorRuntime

/// The fused scaled-dot-product attention (FusedAttention.swift, CKernels/attention.c) against
/// the composed path it replaces: values and gradients for causal, float and bool masks, strided
/// heads, tile edges, and finite differences in float64.
final class FusedAttentionTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    /// One attention problem: inputs and how to call it.
    struct Case {
        var batch: [Int]
        var l, s, e, ev: Int
        var causal = false
        var mask: Tensor?
        var scale: Double?
    }

    /// Output and q/k/v gradients (for a fixed random upstream gradient) of one case, fused or not.
    private func run(_ c: Case, dtype: DType, fused: Bool, strided: Bool = false) throws -> [[Double]] {
        FusedAttention.isEnabled = fused
        defer { FusedAttention.isEnabled = true }
        func input(_ rows: Int, _ cols: Int, _ seed: UInt64) throws -> Tensor {
            guard strided else { return try K.random(c.batch + [rows, cols], seed: seed, dtype: dtype) }
            // MultiheadAttention's layout: [rows, batch…, cols] in memory, viewed as [batch…, rows, cols].
            let n = c.batch.count
            let base = try K.random([rows] + c.batch + [cols], seed: seed, dtype: dtype)
            return try base.permute(Array(1...n) + [0, n + 1])
        }
        let q = try input(c.l, c.e, 1), k = try input(c.s, c.e, 2), v = try input(c.s, c.ev, 3)
        let out = try F.scaledDotProductAttention(q, k, v, attnMask: c.mask, isCausal: c.causal, scale: c.scale)
        if fused { XCTAssertEqual(K.gradName(out), "ScaledDotProductFlashAttentionForCpuBackward0") }
        let upstream = try K.random(out.shape, seed: 9, dtype: dtype, requiresGrad: false)
        try out.mul(upstream).sum().backward()
        return [out.toDoubles()] + [q, k, v].map { $0.grad?.toDoubles() ?? [] }
    }

    private func assertSame(_ c: Case, dtype: DType, strided: Bool = false, tol: Double, file: StaticString = #filePath, line: UInt = #line) throws {
        let fused = try run(c, dtype: dtype, fused: true, strided: strided)
        let plain = try run(c, dtype: dtype, fused: false, strided: strided)
        for (name, (a, b)) in zip(["output", "grad q", "grad k", "grad v"], zip(fused, plain)) {
            XCTAssertEqual(a.count, b.count, name, file: file, line: line)
            let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, tol, "\(name) of \(c.batch) \(c.l)x\(c.s)", file: file, line: line)
        }
    }

    func testMatchesComposedPath() throws {
        let floatMask = try K.random([37, 45], seed: 5, dtype: .float32, requiresGrad: false)
        let keep = try K.random([3, 1, 37, 45], seed: 6, dtype: .float32, requiresGrad: false).gt(.double(-0.6))
        let cases = [
            Case(batch: [2, 4], l: 64, s: 64, e: 32, ev: 32, causal: true),
            Case(batch: [3], l: 37, s: 45, e: 7, ev: 33, causal: true),
            Case(batch: [3], l: 45, s: 37, e: 9, ev: 5, causal: true, scale: 0.3),
            Case(batch: [2, 3], l: 37, s: 45, e: 16, ev: 16, mask: floatMask),
            Case(batch: [3, 2], l: 37, s: 45, e: 5, ev: 40, mask: keep),
            Case(batch: [], l: 5, s: 3, e: 4, ev: 2),
        ]
        for c in cases {
            for dtype in [DType.float32, .float64] {
                let tol = dtype == .float32 ? 2e-5 : 1e-12
                try assertSame(c, dtype: dtype, tol: tol)
                if !c.batch.isEmpty { try assertSame(c, dtype: dtype, strided: true, tol: tol) }
            }
        }
    }

    /// float32 causal rows of 16 keys or more sum in the same partial sums as the composed
    /// softmax: with the same scores the probabilities have the same bits, so outputs differ only
    /// by the products' rounding.
    func testFloat32CausalCloseToComposed() throws {
        try assertSame(Case(batch: [4], l: 64, s: 64, e: 32, ev: 32, causal: true), dtype: .float32, tol: 1e-5)
    }

    func testFiniteDifferencesFloat64() throws {
        let q = try K.random([2, 5, 4], seed: 1), k = try K.random([2, 6, 4], seed: 2), v = try K.random([2, 6, 3], seed: 3)
        try K.gradCheck([q, k, v]) { try F.scaledDotProductAttention($0[0], $0[1], $0[2], isCausal: true) }
        try K.gradCheck([q, k, v]) { try F.scaledDotProductAttention($0[0], $0[1], $0[2], isCausal: true, scale: 0.6) }
        let mask = try K.random([5, 6], seed: 4, requiresGrad: false)
        try K.gradCheck([q, k, v]) { try F.scaledDotProductAttention($0[0], $0[1], $0[2], attnMask: mask) }
        let keep = try K.random([2, 5, 6], seed: 7, requiresGrad: false).gt(.double(-0.5))
        try K.gradCheck([q, k, v]) { try F.scaledDotProductAttention($0[0], $0[1], $0[2], attnMask: keep) }
        // Head-strided views, as MultiheadAttention passes them.
        let base = try K.random([5, 2, 3, 4], seed: 8)
        try K.gradCheck([base]) { inputs in
            let x = try inputs[0].permute([1, 2, 0, 3])
            return try F.scaledDotProductAttention(x, x, x, isCausal: true)
        }
    }

    /// A row whose keys are all masked is NaN, as in the composed path (and PyTorch's math path).
    func testFullyMaskedRowIsNaN() throws {
        let q = try K.random([1, 2, 3], seed: 1, dtype: .float32), k = try K.random([1, 2, 3], seed: 2, dtype: .float32)
        let keep = try Tensor(doubles: [0, 0, 1, 1], shape: [2, 2], dtype: .bool)
        let out = try F.scaledDotProductAttention(q, k, k, attnMask: keep)
        XCTAssertEqual(K.gradName(out), "ScaledDotProductFlashAttentionForCpuBackward0")
        let values = out.toDoubles()
        XCTAssertTrue(values[0..<3].allSatisfy(\.isNaN))
        XCTAssertTrue(values[3..<6].allSatisfy(\.isFinite))
    }

    /// The output of a head-strided query keeps its layout, so MultiheadAttention's permute and
    /// reshape afterwards are views.
    func testOutputKeepsTheQueryLayout() throws {
        let base = try K.random([6, 2, 4, 8], seed: 1, dtype: .float32, requiresGrad: false)
        let x = try base.permute([1, 2, 0, 3])
        let out = try F.scaledDotProductAttention(x, x, x, isCausal: true)
        XCTAssertEqual(out.shape, [2, 4, 6, 8])
        XCTAssertTrue(try out.permute([2, 0, 1, 3]).isContiguous)
    }
}
