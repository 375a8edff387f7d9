import XCTest
@testable import TensorRuntime

// The scalar Swift port of oneDNN's GELU kernels that the C kernels (Sources/CKernels/gelu.c)
// were translated from, kept as their reference: `a.addingProduct(b, c)` is `fma(b, c, a)`.

/// oneDNN's forward GELU (erf form) over `count` contiguous floats.
func referenceGeluForward(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
    geluMinimaxTable.withUnsafeBufferPointer { table in
        guard let c = table.baseAddress, table.count == 6 * 25 else { return }
        let rbound = Float(bitPattern: 0x40b1_5cee)
        for i in 0..<count {
            let x = src[i]
            let posBits = x.bitPattern & 0x7fff_ffff
            let xPos = Float(bitPattern: posBits)
            // vpaddd + vpsrad 21: interval from the exponent and two mantissa bits, clamped to
            // 1...24; beyond rbound erf is exactly ±1 (interval 23). NaN lands on 24 (identity).
            var index = Int32(bitPattern: posBits &+ 0xc21f_ffff) >> 21
            index = Swift.min(Swift.max(index, 1), 24)
            let k = Int(rbound < xPos ? 23 : index)
            var pol = c[125 + k]
            pol = c[100 + k].addingProduct(pol, xPos)
            pol = c[75 + k].addingProduct(pol, xPos)
            pol = c[50 + k].addingProduct(pol, xPos)
            pol = c[25 + k].addingProduct(pol, xPos)
            pol = c[k].addingProduct(pol, xPos)
            // erf(x / sqrt 2) with x's sign, then 0.5 * x * (1 + erf).
            let erf = Float(bitPattern: pol.bitPattern ^ (x.bitPattern & 0x8000_0000))
            dst[i] = x * (erf + 1) * 0.5
        }
    }
}

/// oneDNN's exp (`exp_compute_vector_fwd`): 2^n * p(r) with a degree-5 polynomial; inputs below
/// ln(FLT_MIN) give 0, NaN and large inputs are clamped to ln(FLT_MAX).
@inline(__always)
func referenceExpOneDNN(_ s0: Float) -> Float {
    let lnFltMin = Float(bitPattern: 0xc2ae_ac50), lnFltMax = Float(bitPattern: 0x42b1_7218)
    let underflow = s0 < lnFltMin
    // vminps / vmaxps return the second operand when the first is NaN.
    var s = s0 < lnFltMax ? s0 : lnFltMax
    s = s > lnFltMin ? s : lnFltMin
    let fx = s * Float(bitPattern: 0x3fb8_aa3b) + 0.5
    let fl = fx.rounded(.down)
    let r = s.addingProduct(-fl, Float(bitPattern: 0x3f31_7218))
    // 2^(n-1) built in the exponent field (n - 1 is in -127...127 after the clamps).
    let n = Int32(fl - 1)
    let scale = underflow ? Float(0) : Float(bitPattern: UInt32(bitPattern: (n &+ 127) << 23))
    var p = Float(bitPattern: 0x3c07_cfce)
    p = Float(bitPattern: 0x3d2b_9d0d).addingProduct(p, r)
    p = Float(bitPattern: 0x3e2a_ad40).addingProduct(p, r)
    p = Float(bitPattern: 0x3eff_fee3).addingProduct(p, r)
    p = Float(bitPattern: 0x3f7f_fffb).addingProduct(p, r)
    p = Float(1).addingProduct(p, r)
    return p * scale * 2
}

/// oneDNN's GELU backward (erf form): `dy * (0.5 + 0.5 * erf(x/sqrt2) + x/sqrt(2 pi) * exp(-x^2/2))`
/// with Abramowitz-Stegun's erf, over `count` contiguous floats.
func referenceGeluBackward(_ dy: UnsafePointer<Float>, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
    let p = Float(bitPattern: 0x3ea7_ba05)
    let oneOverSqrt2 = Float(bitPattern: 0x3f35_04f3), oneOverSqrtPi = Float(bitPattern: 0x3f10_6eba)
    let a0 = Float(bitPattern: 0x3e82_7906), a1 = Float(bitPattern: 0xbe91_a98e), a2 = Float(bitPattern: 0x3fb5_f0e3)
    let a3 = Float(bitPattern: 0xbfba_00e3), a4 = Float(bitPattern: 0x3f87_dc22)
    for i in 0..<count {
        let r = src[i] * oneOverSqrt2
        let q = referenceExpOneDNN(-(r * r))
        let t = r * oneOverSqrtPi * q
        let w = 1 / Float(1).addingProduct(p, Float(bitPattern: r.bitPattern & 0x7fff_ffff))
        let qw = -q * w
        var poly = a3.addingProduct(a4, w)
        poly = a2.addingProduct(poly, w)
        poly = a1.addingProduct(poly, w)
        poly = a0.addingProduct(poly, w)
        let e = Float(1).addingProduct(qw, poly)
        let erf = Float(bitPattern: e.bitPattern ^ (r.bitPattern & 0x8000_0000))
        dst[i] = dy[i] * (t + 0.5).addingProduct(erf, 0.5)
    }
}

/// The runtime-dispatched C GELU kernels give the scalar reference's bits on every float class:
/// random bit patterns (NaN, infinities, subnormals included) and a dense sweep of [-8, 8].
final class GeluDispatchTests: XCTestCase {
    func testCKernelsMatchScalarReferenceBitForBit() {
        var state: UInt64 = 0x1234_5678_9abc_def1
        var xs = (0..<200_000).map { _ -> Float in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Float(bitPattern: UInt32(truncatingIfNeeded: state >> 16))
        }
        xs += (0..<160_001).map { Float(-8 + Double($0) / 10_000) }
        let dy = xs.indices.map { Float(1 + Double($0 % 7) / 8) }
        var fast = [Float](repeating: 0, count: xs.count), plain = fast
        geluErfForwardOneDNN(xs, &fast, xs.count)
        referenceGeluForward(xs, &plain, xs.count)
        XCTAssertEqual(zip(fast, plain).filter { $0.bitPattern != $1.bitPattern }.count, 0, "forward")
        geluErfBackwardOneDNN(dy, xs, &fast, xs.count)
        referenceGeluBackward(dy, xs, &plain, xs.count)
        XCTAssertEqual(zip(fast, plain).filter { $0.bitPattern != $1.bitPattern }.count, 0, "backward")
    }
}
