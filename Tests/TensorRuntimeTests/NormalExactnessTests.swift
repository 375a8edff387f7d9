import XCTest
import Foundation
import CKernels
@testable import TensorRuntime

/// `randn` / `normal_` match PyTorch bit for bit: float32 on ≥ 16 contiguous elements goes
/// through avx_mathfun's log and sincos as PyTorch's AVX2 kernel does (CKernels/random_fill.c; its
/// Swift reference BoxMullerReference.swift),
/// float64 through libm with a fused `r·cos·std + mean`. Expected bit patterns (all elements,
/// or the first and last 8) printed by PyTorch 2.15.
final class NormalExactnessTests: XCTestCase {
    private func selected(_ t: Tensor) -> [Double] {
        let v = t.toDoubles()
        return v.count <= 16 ? v : Array(v.prefix(8) + v.suffix(8))
    }

    func testFloat32() throws {
        let cases: [(seed: Int64, count: Int, mean: Double, std: Double, bits: [UInt32])] = [
            (16, 16, 0, 1, [0xbeade595, 0xbf452dfb, 0x3fe4d772, 0xbf1f0db6, 0xbf8b88a2, 0xbda11136, 0x3fa5214f, 0xbf53f876,
                            0x3efa7cde, 0x3f956f23, 0x3fba3cdf, 0x3ee7e3a4, 0x40245634, 0x3d99dc7d, 0xbf42a183, 0xbf934316]),
            (17, 17, 0, 1, [0xbf85e99a, 0x3df03703, 0xbf946fde, 0x3f1cc5cb, 0x3eb4258b, 0x3e3ec126, 0x3f74e8f2, 0x3db762e4,
                            0xbf09abaa, 0xbf330cb4, 0x3f9191d0, 0x3e8cc975, 0xbed2a46c, 0x3ded19d5, 0xbe5c95b4, 0x3f287fee]),
            (3, 100, 0, 1, [0xbd9cf7af, 0x3eb84264, 0xbf483241, 0x3d927d22, 0x3f2a32ea, 0xbe92d4de, 0x3fcf6e35, 0xbfcc60ee,
                            0xbfa22444, 0x3fa2e29d, 0xbf9ef78b, 0xbf62a094, 0x3f953963, 0x3f162b20, 0x3f46f1ac, 0x3ecef3ef]),
            (7, 4099, 0, 1, [0xbf51f456, 0x3eca902b, 0x3f661ede, 0xbfb1b738, 0xbe2b0101, 0x3e91ff2d, 0xbf241e93, 0xbf64c69a,
                             0x3f1a6a07, 0xbdadb673, 0xbf81a51c, 0x3ed4184e, 0xbf888e01, 0xbf441b03, 0xbce3b6a6, 0x3ee19de4]),
            (11, 40, 0.5, 2, [0xbf058742, 0x40239e69, 0xbe534124, 0x3f3ef8b8, 0x3e0c2d2c, 0xc01fa52c, 0x3f48c1ed, 0xbf0c6ec0,
                              0xbeb87424, 0x4081e8d0, 0x3f1d550a, 0xbf48ab50, 0x3f5f6fd2, 0x402140b5, 0x3f4aae8c, 0xbf47146e]),
        ]
        for c in cases {
            TorchRandom.manualSeed(c.seed)
            let t = try Tensor(shape: [c.count], dtype: .float32).normalInPlace(mean: c.mean, std: c.std)
            XCTAssertEqual(selected(t).map { Float($0).bitPattern }, c.bits, "seed \(c.seed) n \(c.count)")
        }
    }

    func testFloat64() throws {
        TorchRandom.manualSeed(Int64(12))
        let t = try Tensor(shape: [40], dtype: .float64).normalInPlace(mean: -1, std: 3)
        XCTAssertEqual(selected(t).map(\.bitPattern), [
            0x3ff620adde3efe74, 0x400973c985b42990, 0xbff73ad417f60e01, 0xbff1251f1f2b89f3, 0xbfc402c551492242,
            0xc0112c6a3c159565, 0xc010615a5179ce80, 0xc010d889bf3cd42e, 0x3ffb0307d90b8e21, 0xbfeb9e8a50bae48d,
            0xc00abfd89c3d9022, 0x3ffe3ef47db7c9a6, 0xc004d7405bcc0349, 0x3ffc1007f8dc1536, 0xc012b8e7358e9db0,
            0x3ffc6f0856deab42])
    }

    /// The log and sincos ports over their whole use range stay close to libm (a bug in a
    /// coefficient would show far beyond the last bit).
    func testMathfunAgainstLibm() {
        var u: Float = 1e-7
        while u <= 1 {
            XCTAssertEqual(BoxMullerMath.log(u), Foundation.log(u), accuracy: 4e-7 * Swift.max(1, Swift.abs(Foundation.log(u))))
            let theta = u * Float(2 * Double.pi)
            let (s, c) = BoxMullerMath.sinCos(theta)
            XCTAssertEqual(s, Foundation.sin(theta), accuracy: 3e-7)
            XCTAssertEqual(c, Foundation.cos(theta), accuracy: 3e-7)
            u *= 1.37
        }
        XCTAssertTrue(BoxMullerMath.log(0).isNaN)
    }

    /// The C kernel (the clone this CPU runs) against the Swift reference, bit for bit, on
    /// uniforms across [0, 1) with the edges planted (0, the smallest steps, 1 − 2⁻²⁴, values
    /// whose angle lands on every octant), for two (mean, std) pairs.
    func testKernelMatchesSwiftReference() {
        var uniforms = (0..<4096).map { i in Float((i &* 2_654_435_761) & 0xff_ffff) / 16_777_216 }
        let edges: [Float] = [0, 1 / 16_777_216, 2 / 16_777_216, 1 - 1 / 16_777_216, 0.5, 0.125, 0.25, 0.375, 0.625, 0.75, 0.875]
        for (i, e) in edges.enumerated() { uniforms[i] = e; uniforms[100 + i * 16 + 8] = e }
        for (mean, std): (Float, Float) in [(0, 1), (-0.25, 0.02)] {
            var expected = uniforms, got = uniforms
            expected.withUnsafeMutableBufferPointer { b in
                for block in 0..<(b.count / 16) { BoxMullerMath.fill16(b.baseAddress! + 16 * block, mean: mean, std: std) }
            }
            got.withUnsafeMutableBufferPointer { b in nn_normal_fill16_f32(b.baseAddress!, b.count / 16, mean, std) }
            let mismatches = zip(got, expected).filter { $0.bitPattern != $1.bitPattern }.count
            XCTAssertEqual(mismatches, 0, "mean \(mean) std \(std)")
        }
    }
}
