import XCTest
@testable import TensorRuntime

/// `log_softmax` over the last dim follows ATen's kernel: exp sums in 64-byte lanes reduced
/// pairwise for rows of a vector or more, then `(x - max) - log(sum)`. Inputs:
/// `torch.manual_seed(seed); torch.randn(shape, dtype=torch.float64)` (then `.float()`);
/// expected bit patterns (first and last 6 elements) printed by PyTorch 2.15 on an AVX-512 CPU.
/// float32 uses SLEEF's exp/log as ATen does (AtenSoftmaxOrderTests covers more rows and the
/// backward); float64 uses libm's, which agree on these rows.
final class LogSoftmaxExactnessTests: XCTestCase {
    func testLastDimBits() throws {
        try XCTSkipIf(CPUInfo.vectorLevel < 2, "expected bits are PyTorch's 16-lane (AVX-512) sums")
        let cases: [(seed: Int64, shape: [Int], dtype: DType, bits: [UInt64])] = [
            (21, [5, 100], .float32, [0xc05a250f, 0xc0a0388c, 0xc0ccaa46, 0xc0bcf80c, 0xc080247b, 0xc08921ad, 0xc0902882, 0xc0cb881e, 0xc09a3fb5, 0xc0a80856, 0xc0b6294a, 0xc0b3eff1]),
            (22, [3, 1000], .float32, [0xc1132764, 0xc0d44374, 0xc102c8be, 0xc1036fb2, 0xc10b057a, 0xc08b529a, 0xc1018d6c, 0xc0e5485a, 0xc0e74e77, 0xc0f8bf0e, 0xc0df0f76, 0xc0f32d0a]),
            (23, [16, 8], .float32, [0xc00a02e0, 0xc03cf20a, 0xbf6415ee, 0xc04e049a, 0xc0583262, 0xc00ea41a, 0xc05e500d, 0xc031fe63, 0xbf7fa173, 0xc0220194, 0xbfcb650e, 0xc0728b10]),
            (26, [3, 1000], .float64, [0xc01e967e3a6fa366, 0xc01e033b26f32a1a, 0xc01a36345d7c89e2, 0xc020890970dbf2a5, 0xc0168f468f46955c, 0xc022120f7b827feb, 0xc019743a3f2cdf72, 0xc0241a39c09b1ade, 0xc019c13f585e2d23, 0xc01ea4543945eb38, 0xc01bffcb450071de, 0xc020cfef4289a7ed]),
            (27, [8, 12], .float64, [0xc00cd61896358226, 0xc006d40aa92f2816, 0xc009c6953fa2012e, 0xc00888d3c40bee7a, 0xc01022a94f9f1390, 0xbff4a4e3713cf5a7, 0xc00a8d8b9b710588, 0xc00800e5f94b1592, 0xc007638047608b0e, 0xc00de4d10a599750, 0xbff312f521d01349, 0xc00162691ad1d662]),
        ]
        for c in cases {
            TorchRandom.manualSeed(c.seed)
            let x = try Tensor.randn(c.shape, dtype: .float64).converted(to: c.dtype)
            let v = try x.logSoftmax(dim: 1).toDoubles()
            let selected = Array(v.prefix(6) + v.suffix(6))
            XCTAssertEqual(selected.map { c.dtype == .float32 ? UInt64(Float($0).bitPattern) : $0.bitPattern }, c.bits, "seed \(c.seed)")
        }
    }

    func testGradientsUnchanged() throws {
        try GradCheck.check([[3, 20]]) { xs in try xs[0].logSoftmax(dim: 1) }
        try GradCheck.check([[3, 5, 2]]) { xs in try xs[0].logSoftmax(dim: 1) }
    }
}
