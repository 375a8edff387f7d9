import Foundation

/// The test reference for CKernels/random_fill.c's `nn_normal_fill16_f32` (the Swift port it
/// replaced): the float32 log and sin/cos PyTorch's `normal_` uses on ≥ 16 contiguous elements
/// (`normal_fill_16_AVX2`), cephes' logf and sincosf as written in ATen's avx_mathfun.h, one lane
/// at a time, with the fused multiply-adds GCC makes of them (each product fused into the add or
/// subtract that consumes it, in statement order). Bit-exact against torch.randn on thousands of
/// values; libm's correctly rounded functions differ in the last bit.
enum BoxMullerMath {
    private static let logCoefficients: [Float] = [7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                                                   1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                                                   3.3333331174E-1]
    private static let logQ1: Float = -2.12194440e-4, logQ2: Float = 0.693359375
    private static let sqrtHalf: Float = 0.707106781186547524
    private static let dp1: Float = -0.78515625, dp2: Float = -2.4187564849853515625e-4, dp3: Float = -3.77489497744594108e-8
    private static let sinCoefficients: [Float] = [-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1]
    private static let cosCoefficients: [Float] = [2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002]
    private static let fourOverPi: Float = 1.27323954473516

    /// `log256_ps`: natural log; NaN for x ≤ 0, denormals cut to the smallest normal.
    static func log(_ value: Float) -> Float {
        let minNormal = Float(bitPattern: 0x0080_0000)
        var x = value > minNormal ? value : minNormal           // _mm256_max_ps(x, min)
        let bits = x.bitPattern
        var e = Float(Int32(bitPattern: bits >> 23) - 0x7f) + 1
        x = Float(bitPattern: (bits & ~0x7f80_0000) | Float(0.5).bitPattern)
        let below = x < sqrtHalf
        let shifted: Float = below ? x : 0
        x = x - 1
        e = e - (below ? 1 : 0)
        x = x + shifted
        let z = x * x
        var y = logCoefficients[0]
        for c in logCoefficients.dropFirst() { y = c.addingProduct(y, x) }
        y = y * x
        y = (e * logQ1).addingProduct(y, z)                     // y·z + e·q1
        y = y.addingProduct(-z, 0.5)                            // y - z·0.5
        x = x + y
        x = x.addingProduct(e, logQ2)                           // x + e·q2
        return value <= 0 || value.isNaN ? .nan : x
    }

    /// `sincos256_ps`: sine and cosine (cephes range reduction by π/4; accurate for |x| < 8192).
    static func sinCos(_ value: Float) -> (sin: Float, cos: Float) {
        var x = Swift.abs(value)
        let scaled = x * fourOverPi
        var j = scaled < 2_147_483_520 ? Int32(scaled) : Int32.min   // _mm256_cvttps_epi32
        j = (j &+ 1) & ~1
        let y = Float(j)
        let flipSin = (value.sign == .minus) != ((j & 4) != 0)
        let usesSinPolynomial = (j & 2) == 0
        let flipCos = (~(j &- 2) & 4) != 0
        x = x.addingProduct(y, dp1)
        x = x.addingProduct(y, dp2)
        x = x.addingProduct(y, dp3)
        let z = x * x
        var c = cosCoefficients[1].addingProduct(cosCoefficients[0], z)
        c = cosCoefficients[2].addingProduct(c, z)
        c = c * z
        c = (-(z * 0.5)).addingProduct(c, z)                    // c·z - z·0.5
        c = c + 1
        var s = sinCoefficients[1].addingProduct(sinCoefficients[0], z)
        s = sinCoefficients[2].addingProduct(s, z)
        s = s * z
        s = x.addingProduct(s, x)                               // s·x + x
        // The kernel's masked select, kept as its arithmetic (signed zeros).
        let sinFromS: Float = usesSinPolynomial ? s : 0, sinFromC: Float = usesSinPolynomial ? 0 : c
        let sinValue = sinFromC + sinFromS, cosValue = (c - sinFromC) + (s - sinFromS)
        return (flipSin ? -sinValue : sinValue, flipCos ? -cosValue : cosValue)
    }

    /// `normal_fill_16_AVX2` on 16 uniforms in place: Box–Muller on (d[j], d[j + 8]).
    static func fill16(_ d: UnsafeMutablePointer<Float>, mean: Float, std: Float) {
        let twoPi = Float(2.0 * Double.pi)
        for j in 0..<8 {
            let radius = (-2 * log(1 - d[j])).squareRoot()
            let (s, c) = sinCos(twoPi * d[j + 8])
            d[j] = mean.addingProduct(radius * c, std)
            d[j + 8] = mean.addingProduct(radius * s, std)
        }
    }
}
