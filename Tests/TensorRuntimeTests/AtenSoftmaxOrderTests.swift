import Foundation
import XCTest
import CKernels
@testable import TensorRuntime

/// float32 softmax / log_softmax over the last dimension (CKernels/softmax.c) give PyTorch's
/// bits, forward and backward, and so does cross_entropy. Inputs:
/// `torch.manual_seed(seed); x = torch.randn(shape, dtype=torch.float64).float()`, then the
/// gradient `g` the same way; expected bit patterns (first and last 4 elements of y and of
/// x.grad, for softmax then log_softmax) printed by PyTorch 2.15 on an AVX-512 CPU (16 lanes)
/// and with `ATEN_CPU_CAPABILITY=avx2` (8 lanes). Rows shorter than 8 do not depend on the width.
final class AtenSoftmaxOrderTests: XCTestCase {
    typealias Case = (seed: Int64, shape: [Int], bits: [[UInt32]])
    static let sixteenLanes: [Case] = [
        (31, [4, 16], [
            [0x3caf1c8e, 0x3d36bcbd, 0x3dc753ae, 0x3d2c8a89, 0x3d0bb164, 0x3da18d00, 0x3d59ce6b, 0x3da69acb],
            [0x3d4995c3, 0xbd14c48a, 0xbdad1b37, 0x3d04b5a3, 0x3b4e4a41, 0xbd9b37af, 0x3d80c8f0, 0x3d83a097],
            [0xc0761c82, 0xc047059a, 0xc015195c, 0xc04ab244, 0xc0583662, 0xc0228c13, 0xc03bc946, 0xc0209361],
            [0x400fd117, 0xbf72bb84, 0xbf973731, 0x3f24be23, 0xbdda966c, 0xbf7d9548, 0x3f871ebc, 0x3f450614]]),
        (32, [3, 37], [
            [0x3c9a3d77, 0x3ca2739a, 0x3e33dc36, 0x3d1a74b7, 0x3d55e7cd, 0x3e186a23, 0x3c33ac98, 0x3c454110],
            [0x3c27be3c, 0xbd15c739, 0x3d081d2a, 0x3aced011, 0xbd7025b4, 0xbd0ca7e0, 0xbc981013, 0xbcb7fbd5],
            [0xc07e3bd9, 0xc07aea05, 0xbfdea11e, 0xc051c86a, 0xc03cf15e, 0xbff3d2b1, 0xc09069cd, 0xc08d6d19],
            [0x3f28e9fe, 0xbfde8314, 0xbfaa2c41, 0xbd1f7570, 0xbf8dd83f, 0xbf4df8a0, 0xbfb6a473, 0xbfcd98cf]]),
        (33, [2, 1000], [
            [0x38849b25, 0x39362a91, 0x396eebc6, 0x3a0213d2, 0x387b0c56, 0x3a73e946, 0x3a036145, 0x3c50143e],
            [0x3775d7b0, 0x39411a4b, 0x3983ab28, 0x39abae52, 0xb8da32ee, 0xbabb41dc, 0x39418a0d, 0xbc19db31],
            [0xc11ab308, 0xc10a8744, 0xc1063060, 0xc0f378fe, 0xc11b93d6, 0xc0df5ae4, 0xc0f3275e, 0xc08bb770],
            [0x3e5b0333, 0x3f851697, 0x3f8a5527, 0x3f21eff3, 0xbfe5de71, 0xbfc77802, 0x3ea816e7, 0xbe967273]]),
        (34, [6, 5], [
            [0x3f57c24a, 0x3c898a18, 0x3c12bead, 0x3de035b1, 0x3db73600, 0x3e78de95, 0x3e99ba2e, 0x3d1460e6],
            [0x3d59ecdb, 0xbd35e705, 0xbc4a6eb3, 0x3c977fc5, 0xbc6282a3, 0xbdb348f3, 0x3e6635cc, 0xbb406c51],
            [0xbe2f1ebd, 0xc082c8ba, 0xc096e446, 0xc00d9204, 0xc01a7eaa, 0xbfb50fc2, 0xbf9a00a5, 0xc0545a1c],
            [0x3edb1fd1, 0xbfccc2d5, 0xbea7bf90, 0x3f91a8ac, 0x3cec513b, 0xbebef298, 0x3f29b71a, 0x3e2e68b0]]),
        (35, [25, 3], [
            [0x3f0f37df, 0x3df890bb, 0x3ea36c11, 0x3e2e3696, 0x3e9a50a0, 0x3e8f6723, 0x3deb92ef, 0x3f1ada10],
            [0x3e32a5c1, 0xbcf0c963, 0xbe148c8d, 0xbe1fadea, 0xbe7e6ab7, 0xbdb5875b, 0xbe03404e, 0x3e5e03fb],
            [0xbf14afd1, 0xc006f86f, 0xbf922caa, 0xbfe2b66a, 0xbf99839d, 0xbfa2e6be, 0xc00a67f1, 0xbf00b187],
            [0xbe911e9c, 0x3f107b17, 0xbe8fd787, 0xbe96b00e, 0xbf55e6d6, 0x3db76395, 0xbf0ec9b5, 0x3eefba86]]),
        (36, [2, 130], [
            [0x3bb449a7, 0x3b8cd1ce, 0x3bedda23, 0x3c275467, 0x3bc8968e, 0x3b48136e, 0x3be329d9, 0x3b15f194],
            [0xbbe66461, 0xb88f6795, 0x3baf0144, 0xbab0d8f0, 0xb94e5c18, 0x3b672418, 0xb9d46ced, 0x3b09643c],
            [0xc0a67c24, 0xc0ae642d, 0xc09d9e2e, 0xc092b0e7, 0xc0a3120e, 0xc0b95544, 0xc09f16d6, 0xc0c29024],
            [0xbfb43a29, 0xbe1b192d, 0x3f1d1494, 0xbe76b9dc, 0xbca14f84, 0x3f98ad4a, 0xbd577f2f, 0x3f75c657]]),
    ]
    /// The cases whose bits differ with 8 lanes (the others are the same as with 16).
    static let eightLanesDiffering: [Case] = [
        (32, [3, 37], [
            [0x3c9a3d77, 0x3ca2739a, 0x3e33dc36, 0x3d1a74b7, 0x3d55e7cd, 0x3e186a23, 0x3c33ac98, 0x3c454110],
            [0x3c27be3c, 0xbd15c739, 0x3d081d2a, 0x3aced011, 0xbd7025b4, 0xbd0ca7e0, 0xbc981013, 0xbcb7fbd5],
            [0xc07e3bd9, 0xc07aea05, 0xbfdea11e, 0xc051c86a, 0xc03cf15e, 0xbff3d2b1, 0xc09069cd, 0xc08d6d19],
            [0x3f28e9fe, 0xbfde8314, 0xbfaa2c41, 0xbd1f7570, 0xbf8dd840, 0xbf4df8a2, 0xbfb6a473, 0xbfcd98cf]]),
        (33, [2, 1000], [
            [0x38849b24, 0x39362a90, 0x396eebc5, 0x3a0213d1, 0x387b0c56, 0x3a73e946, 0x3a036145, 0x3c50143e],
            [0x3775d7ae, 0x39411a4a, 0x3983ab27, 0x39abae51, 0xb8da32ee, 0xbabb41dc, 0x39418a0d, 0xbc19db31],
            [0xc11ab308, 0xc10a8744, 0xc1063060, 0xc0f378fe, 0xc11b93d6, 0xc0df5ae4, 0xc0f3275e, 0xc08bb770],
            [0x3e5b0333, 0x3f851697, 0x3f8a5527, 0x3f21eff4, 0xbfe5de71, 0xbfc77802, 0x3ea816e7, 0xbe967272]]),
        (36, [2, 130], [
            [0x3bb449a7, 0x3b8cd1ce, 0x3bedda23, 0x3c275467, 0x3bc8968e, 0x3b48136e, 0x3be329d9, 0x3b15f194],
            [0xbbe66461, 0xb88f6795, 0x3baf0144, 0xbab0d8f0, 0xb94e5c13, 0x3b672418, 0xb9d46cea, 0x3b09643c],
            [0xc0a67c24, 0xc0ae642d, 0xc09d9e2e, 0xc092b0e7, 0xc0a3120e, 0xc0b95544, 0xc09f16d6, 0xc0c29024],
            [0xbfb43a29, 0xbe1b192d, 0x3f1d1494, 0xbe76b9dd, 0xbca14f87, 0x3f98ad4a, 0xbd577f31, 0x3f75c657]]),
    ]
    /// Cross-entropy of `[N, C]` with targets `(7·i + 3) mod C`: mean and sum bits (the same for
    /// both widths: rows shorter than 8, or equal sums).
    static let crossEntropy: [(seed: Int64, shape: [Int], mean: UInt32, sum: UInt32)] = [
        (41, [32, 4], 0x3fddb34a, 0x425db34a),  // 1.7320339679718018 55.425086975097656
        (42, [64, 10], 0x403113d9, 0x433113d9),  // 2.766836404800415 177.07752990722656
        (43, [128, 100], 0x40a1d2d8, 0x4421d2d8),  // 5.056987762451172 647.29443359375
    ]

    func testForwardAndBackwardBits() throws {
        try XCTSkipIf(CPUInfo.vectorLevel == 0, "PyTorch's scalar build (libm exp/log) is not covered by these goldens")
        let cases = AtenSoftmaxOrder.lanes == 16 ? Self.sixteenLanes
            : Self.sixteenLanes.map { c in Self.eightLanesDiffering.first { $0.seed == c.seed } ?? c }
        for c in cases {
            TorchRandom.manualSeed(c.seed)
            let x = try Tensor.randn(c.shape, dtype: .float64).converted(to: .float32)
            let g = try Tensor.randn(c.shape, dtype: .float64).converted(to: .float32)
            var got: [[UInt32]] = []
            for log in [false, true] {
                let xr = try Self.leaf(x.toDoubles(), c.shape, .float32)
                let y = log ? try xr.logSoftmax(dim: 1) : try xr.softmax(dim: 1)
                try y.backward(gradient: g)
                got.append(try Self.firstAndLast4(y))
                got.append(try Self.firstAndLast4(XCTUnwrap(xr.grad)))
            }
            XCTAssertEqual(got, c.bits, "seed \(c.seed) \(c.shape)")
        }
    }

    /// log_softmax over dim 1 of 3-D and 4-D inputs (ATen's chunked kernel), y and x.grad bits: the
    /// same for both widths on these shapes.
    static let innerLogSoftmax: [Case] = [
        (51, [4, 6, 37], [
            [0xc03e3742, 0xbf2e180f, 0xbfb273a8, 0xbfad7ce9, 0xbf8ec03b, 0xbfff353e, 0xc06c8650, 0xbfb79798],
            [0xbf83bb07, 0xbff28302, 0x3f834924, 0xbdb01991, 0x400a9be5, 0x3d32a262, 0xbe0af4e2, 0x3ee2c60b]]),
        (52, [2, 300, 20], [
            [0xc0991bc3, 0xc0ce0d4e, 0xc0df3278, 0xc0c3bd5e, 0xc0b155e8, 0xc0ca692a, 0xc04ce4fd, 0xc0d5d152],
            [0x3fd4df47, 0xbd5fc313, 0xbf835a2e, 0x3f779bce, 0x3f9e7007, 0xbff66457, 0xbf659b3c, 0x3fbb9968]]),
        (53, [3, 5, 7, 9], [
            [0xc03a3426, 0xbfe9f5c6, 0xc005e27a, 0xc031ffc8, 0xc07098e2, 0xbffaabb5, 0xbfeee3d6, 0xc077fc4c],
            [0xbf344d3d, 0xbe7a3063, 0x3f85161d, 0xbf1ca8d9, 0x3f832fd5, 0x3fa65d5e, 0x3f8a5f5d, 0x3fa2e36b]]),
    ]

    func testLogSoftmaxOverInnerDimBits() throws {
        try XCTSkipIf(CPUInfo.vectorLevel == 0, "PyTorch's scalar build (libm exp/log) is not covered by these goldens")
        for c in Self.innerLogSoftmax {
            TorchRandom.manualSeed(c.seed)
            let x = try Tensor.randn(c.shape, dtype: .float64).converted(to: .float32)
            let g = try Tensor.randn(c.shape, dtype: .float64).converted(to: .float32)
            let xr = try Self.leaf(x.toDoubles(), c.shape, .float32)
            let y = try xr.logSoftmax(dim: 1)
            try y.backward(gradient: g)
            XCTAssertEqual([try Self.firstAndLast4(y), try Self.firstAndLast4(XCTUnwrap(xr.grad))], c.bits, "seed \(c.seed) \(c.shape)")
        }
        // cross_entropy of [8, 5, 6, 7] (targets (7·i + 3) mod 5 over the positions): mean, sum.
        TorchRandom.manualSeed(Int64(61))
        let x = try Tensor.randn([8, 5, 6, 7], dtype: .float64).converted(to: .float32)
        let target = try Tensor(doubles: (0..<(8 * 42)).map { Double((7 * $0 + 3) % 5) }, shape: [8, 6, 7], dtype: .int64)
        let mean = try Functional.crossEntropy(x, target: target), sum = try Functional.crossEntropy(x, target: target, reduction: "sum")
        XCTAssertEqual(mean.toDoubles().first.map { Float($0).bitPattern }, 0x3ff8cb38)   // 1.9437017440795898
        XCTAssertEqual(sum.toDoubles().first.map { Float($0).bitPattern }, 0x4423455d)    // 653.0838012695312
    }

    func testCrossEntropyBits() throws {
        try XCTSkipIf(CPUInfo.vectorLevel == 0, "PyTorch's scalar build (libm exp/log) is not covered by these goldens")
        for c in Self.crossEntropy {
            TorchRandom.manualSeed(c.seed)
            let x = try Tensor.randn(c.shape, dtype: .float64).converted(to: .float32)
            let target = try Tensor(doubles: (0..<c.shape[0]).map { Double((7 * $0 + 3) % c.shape[1]) }, shape: [c.shape[0]], dtype: .int64)
            for (reduction, expected) in [("mean", c.mean), ("sum", c.sum)] {
                let loss = try Functional.crossEntropy(x, target: target, reduction: reduction)
                XCTAssertEqual(loss.toDoubles().first.map { Float($0).bitPattern }, expected, "seed \(c.seed) \(reduction)")
            }
        }
    }

    /// The float32 kernels against the float64 path (gradient-checked in SoftmaxTests and
    /// LogSoftmaxExactnessTests), values and gradients, over the last and other dims, with NaN,
    /// infinities and long rows.
    func testAgainstFloat64Path() throws {
        for (shape, dim) in [([3, 1], 1), ([5, 7], 1), ([4, 16], 1), ([2, 45], 1), ([2, 1031], 1), ([3, 6, 21], 1), ([2, 40, 3, 5], 1), ([7, 4], 0)] {
            let n = shape.reduce(1, *)
            let xs = (0..<n).map { Double(Float(sin(Double($0) * 0.71) * 6)) }
            let gs = (0..<n).map { Double(Float(cos(Double($0) * 0.23))) }
            for log in [false, true] {
                func run(_ dtype: DType) throws -> ([Double], [Double]) {
                    let x = try Self.leaf(xs, shape, dtype)
                    let y = log ? try x.logSoftmax(dim: dim) : try x.softmax(dim: dim)
                    try y.backward(gradient: try Tensor(doubles: gs, shape: shape, dtype: dtype))
                    return (y.toDoubles(), try XCTUnwrap(x.grad).toDoubles())
                }
                let (y32, g32) = try run(.float32), (y64, g64) = try run(.float64)
                for i in 0..<n {
                    XCTAssertEqual(y32[i], y64[i], accuracy: 4e-6 * Swift.max(1, abs(y64[i])), "\(shape) log \(log) y[\(i)]")
                    XCTAssertEqual(g32[i], g64[i], accuracy: 4e-6 * Swift.max(1, abs(g64[i])), "\(shape) log \(log) grad[\(i)]")
                }
            }
        }
        let special = try Tensor(doubles: [0, .nan, 1, -.infinity, 2, 3, .infinity, 1], shape: [4, 2], dtype: .float32)
        let s = try special.softmax(dim: 1).toDoubles()
        XCTAssertTrue(s[0].isNaN && s[1].isNaN)
        XCTAssertEqual(Array(s[2...3]), [1, 0])
        XCTAssertTrue(s[6].isNaN && s[7].isNaN)   // inf - inf
        let l = try special.logSoftmax(dim: 1).toDoubles()
        XCTAssertEqual(l[2], 0)
        XCTAssertEqual(l[3], -.infinity)
    }

    /// A big input's rows are split over the cores (forward and backward): every row gives the
    /// bits it gives alone, masked rows (−inf, an attention mask) and NaN rows included.
    func testRowsSplitOverCoresMatchRowByRow() throws {
        let rows = 700, size = 64
        var xs = (0..<(rows * size)).map { Double(Float(sin(Double($0) * 0.37) * 5)) }
        for r in 0..<rows { for j in 0..<size where j > r % size { xs[r * size + j] = -.infinity } }
        xs[5 * size + 3] = .nan
        let gs = (0..<(rows * size)).map { Double(Float(cos(Double($0) * 0.11))) }
        for log in [false, true] {
            let x = try Self.leaf(xs, [rows, size], .float32)
            let y = log ? try x.logSoftmax(dim: 1) : try x.softmax(dim: 1)
            try y.backward(gradient: try Tensor(doubles: gs, shape: [rows, size], dtype: .float32))
            let yAll = y.toDoubles(), gAll = try XCTUnwrap(x.grad).toDoubles()
            for r in [0, 5, 349, 350, 699] {
                let slice = (r * size)..<((r + 1) * size)
                let xr = try Self.leaf(Array(xs[slice]), [1, size], .float32)
                let yr = log ? try xr.logSoftmax(dim: 1) : try xr.softmax(dim: 1)
                try yr.backward(gradient: try Tensor(doubles: Array(gs[slice]), shape: [1, size], dtype: .float32))
                let one = yr.toDoubles(), gOne = try XCTUnwrap(xr.grad).toDoubles()
                for j in 0..<size {
                    XCTAssertTrue(yAll[r * size + j].bitPattern == one[j].bitPattern || (one[j].isNaN && yAll[r * size + j].isNaN),
                                  "log \(log) row \(r) y[\(j)]")
                    XCTAssertTrue(gAll[r * size + j].bitPattern == gOne[j].bitPattern || (gOne[j].isNaN && gAll[r * size + j].isNaN),
                                  "log \(log) row \(r) grad[\(j)]")
                }
                if r == 5 { XCTAssertTrue(one.allSatisfy { $0.isNaN }, "a NaN makes its whole row NaN") }
            }
        }
    }

    /// SLEEF's exp and log stay within 1 ulp of the correctly rounded value (libm in double).
    func testExpAndLogWithinOneUlp() {
        var x: Float = -103
        while x < 88 {
            let e = nn_expf_sleef(x), ref = Float(Foundation.exp(Double(x)))
            XCTAssertLessThanOrEqual(abs(Int64(e.bitPattern) - Int64(ref.bitPattern)), 1, "exp(\(x))")
            x += 0.0173
        }
        var v: Float = 1e-40
        while v < 1e38 {
            let l = nn_logf_sleef(v), ref = Float(Foundation.log(Double(v)))
            XCTAssertLessThanOrEqual(abs(Int64(l.bitPattern) - Int64(ref.bitPattern)), 1, "log(\(v))")
            v *= 1.0371
        }
        XCTAssertEqual(nn_expf_sleef(-200), 0)
        XCTAssertEqual(nn_expf_sleef(101), .infinity)
        XCTAssertTrue(nn_expf_sleef(.nan).isNaN)
        XCTAssertEqual(nn_logf_sleef(0), -.infinity)
        XCTAssertEqual(nn_logf_sleef(.infinity), .infinity)
        XCTAssertTrue(nn_logf_sleef(-1).isNaN && nn_logf_sleef(.nan).isNaN)
        XCTAssertEqual(nn_logf_sleef(1), 0)
    }

    private static func leaf(_ values: [Double], _ shape: [Int], _ dtype: DType) throws -> Tensor {
        let t = try Tensor(doubles: values, shape: shape, dtype: dtype)
        try t.setRequiresGrad(true)
        return t
    }

    private static func firstAndLast4(_ t: Tensor) throws -> [UInt32] {
        let v = t.toDoubles().map { Float($0).bitPattern }
        return Array(v.prefix(4) + v.suffix(4))
    }
}
