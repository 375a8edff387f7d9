import XCTest
import CKernels
@testable import TensorRuntime

/// The float32 SLEEF kernels (CKernels/sleef_unary.c, `AtenUnaryFloat`): expm1, log1p, exp2 and
/// atanh against float64 within 1.5 ulp (SLEEF's bound is 1, glibc's atanhf on the tails reaches
/// 1.3) at lengths around the vector blocks and thread chunks; cpu_kernel_vec's tails are libm's bits; special values; non-contiguous inputs; float64
/// gradients by finite differences. (Their bits against PyTorch's are the golden sleef_unary_bits.)
final class AtenUnaryFloatTests: XCTestCase {
    private struct Case {
        let name: String, range: ClosedRange<Double>, op: (Tensor) throws -> Tensor, reference: (Double) -> Double
        let float: (Float) -> Float
    }
    private let cases = [
        Case(name: "expm1", range: -20...80, op: { try $0.expm1() }, reference: Foundation.expm1, float: Foundation.expm1f),
        Case(name: "log1p", range: -0.999...1e6, op: { try $0.log1p() }, reference: Foundation.log1p, float: Foundation.log1pf),
        Case(name: "exp2", range: -140...120, op: { try $0.apply(.exp2) }, reference: Foundation.exp2, float: Foundation.exp2f),
        Case(name: "atanh", range: -0.9999...0.9999, op: { try $0.apply(.atanh) }, reference: Foundation.atanh, float: Foundation.atanhf),
    ]

    private func inputs(_ n: Int, _ range: ClosedRange<Double>, seed: UInt64) throws -> Tensor {
        var v = GradCheck.Values(seed)
        return try Tensor(doubles: (0..<n).map { _ in v.next(range.lowerBound, range.upperBound) }, shape: [n], dtype: .float32)
    }

    /// |y - exact| in units of the last place of the float32 nearest `exact`.
    private func ulps(_ y: Double, _ exact: Double) -> Double {
        let nearest = Float(exact)
        return abs(y - exact) / Double(nearest.ulp)
    }

    func testWithinUlpsAtEveryLength() throws {
        for c in cases {
            for n in [1, 7, 15, 16, 17, 31, 32, 33, 100, 32_768, 32_785, 70_001] {
                let x = try inputs(n, c.range, seed: UInt64(n))
                var worst = 0.0
                for (y, v) in zip(try c.op(x).toDoubles(), x.toDoubles()) { worst = Swift.max(worst, ulps(y, c.reference(v))) }
                XCTAssertLessThanOrEqual(worst, 1.5, "\(c.name) n=\(n)")
            }
        }
    }

    func testVectorPathIsWithinOneUlpOfLibm() throws {
        // The kernel with every element vectorised against libm's float function, over a wide sweep.
        let ops: [(Int32, (Float) -> Float, ClosedRange<Float>)] = [
            (Int32(NN_UNARY_EXPM1.rawValue), Foundation.expm1f, -20...88), (Int32(NN_UNARY_LOG1P.rawValue), Foundation.log1pf, -0.9999...3e38),
            (Int32(NN_UNARY_EXP2.rawValue), Foundation.exp2f, -149...127), (Int32(NN_UNARY_ATANH.rawValue), Foundation.atanhf, -0.99999...0.99999),
        ]
        for (code, libm, range) in ops {
            let n = 100_003
            let x = (0..<n).map { range.lowerBound + (range.upperBound - range.lowerBound) * Float($0) / Float(n - 1) }
            var y = [Float](repeating: 0, count: n)
            nn_unary_f32(code, x, &y, n, n, 0, 0, 0)
            for i in 0..<n {
                let want = libm(x[i])
                let distance = abs(Int64(Int32(bitPattern: y[i].bitPattern)) - Int64(Int32(bitPattern: want.bitPattern)))
                XCTAssertLessThanOrEqual(distance, 2, "op \(code) x=\(x[i]) got \(y[i]) libm \(want)")
                if distance > 2 { break }
            }
        }
    }

    func testTailsAreLibm() throws {
        // exp2 and atanh leave each chunk's last n % block elements to libm, bit for bit; expm1 and
        // log1p vectorise every element (on a CPU with AVX2).
        let n = 45, block = AtenSigmoid.block
        for c in cases {
            let x = try inputs(n, c.range, seed: 11), y = try c.op(x).toDoubles(), xs = x.toDoubles()
            let vml = c.name == "expm1" || c.name == "log1p"
            let scalarFrom = block == 0 ? 0 : (vml ? n : n - n % block)
            for i in scalarFrom..<n {
                XCTAssertEqual(Float(y[i]).bitPattern, c.float(Float(xs[i])).bitPattern, "\(c.name) element \(i)")
            }
        }
    }

    func testSpecialValues() throws {
        let specials: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, -1, 1]
        let x = try Tensor(doubles: Array(repeating: specials, count: 5).flatMap { $0 }, shape: [35], dtype: .float32)
        for c in cases {
            for (i, y) in try c.op(x).toDoubles().enumerated() {
                let want = Double(Float(c.reference(specials[i % specials.count])))
                if want.isNaN { XCTAssertTrue(y.isNaN, "\(c.name)(\(specials[i % specials.count]))"); continue }
                XCTAssertEqual(y, want, "\(c.name)(\(specials[i % specials.count]))")
                XCTAssertEqual(y.sign, want.sign, "\(c.name)(\(specials[i % specials.count])) sign")
            }
        }
    }

    func testNonContiguousMatchesContiguous() throws {
        for c in cases {
            let base = try inputs(40 * 30, c.range, seed: 9).reshape([40, 30])
            for view in [try base.t(), try base.t().slice(dim: 0, start: 0, end: 30, step: 2)] {
                let y = try c.op(view)
                XCTAssertEqual(y.shape, view.shape)
                for (a, v) in zip(y.toDoubles(), view.toDoubles()) { XCTAssertLessThanOrEqual(ulps(a, c.reference(v)), 1.5, c.name) }
            }
        }
    }

    func testActivationsCloseToFloat64AndTailsLibm() throws {
        // Mish, SiLU, ELU and softplus through their SLEEF kernels: within a few float32 ulps of
        // float64 (Mish composes three functions), the scalar tail bit for bit ATen's float expression.
        let n = 45, block = AtenSigmoid.block, scalarFrom = block == 0 ? 0 : n - n % block
        let alpha = Float(1.3)
        let activations: [(String, (Tensor) throws -> Tensor, (Double) -> Double, (Float) -> Float)] = [
            ("mish", { try $0.mish() }, { $0 * Foundation.tanh(Foundation.log1p(Foundation.exp($0))) },
             { $0 * Foundation.tanhf(Foundation.log1pf(Foundation.expf($0))) }),
            ("silu", { try $0.silu() }, { $0 / (1 + Foundation.exp(-$0)) }, { $0 / (1 + Foundation.expf(-$0)) }),
            ("elu", { try $0.elu(alpha: 1.3) }, { $0 < 0 ? Foundation.expm1($0) * Double(alpha) : $0 },
             { $0 < 0 ? Foundation.expm1f($0) * alpha : $0 }),
            ("softplus", { try $0.softplus(beta: 2, threshold: 3) }, { 2 * $0 > 3 ? $0 : Foundation.log1p(Foundation.exp(2 * $0)) / 2 },
             { 2 * $0 > 3 ? $0 : Foundation.log1pf(Foundation.expf(2 * $0)) / 2 }),
        ]
        for (name, op, exact, scalar) in activations {
            let x = try inputs(n, -9...9, seed: 21), xs = x.toDoubles(), y = try op(x).toDoubles()
            for i in 0..<n {
                XCTAssertLessThanOrEqual(ulps(y[i], exact(xs[i])), 4, "\(name)(\(xs[i]))")
                if i >= scalarFrom { XCTAssertEqual(Float(y[i]).bitPattern, scalar(Float(xs[i])).bitPattern, "\(name) element \(i)") }
            }
        }
    }

    func testLogSigmoidVectorisesEveryElement() throws {
        // ATen's log_sigmoid loop runs its last partial vector through SLEEF too: min(x, 0) − log1p(exp(−|x|)).
        let x = try inputs(37, -30...30, seed: 8), xs = x.toDoubles(), y = try x.logSigmoid().toDoubles()
        for (v, r) in zip(xs, y) {
            let exact = Swift.min(v, 0) - Foundation.log1p(Foundation.exp(-abs(v)))
            XCTAssertLessThanOrEqual(ulps(r, exact), 2, "logsigmoid(\(v))")
        }
        if AtenSigmoid.block > 0 {
            let v = Float(xs[36])
            var vector: Float = 0
            nn_unary_f32(Int32(NN_UNARY_LOG_SIGMOID.rawValue), [v], &vector, 1, 1, 0, 0, 0)
            XCTAssertEqual(Float(y[36]).bitPattern, vector.bitPattern)
        }
    }

    func testGradients() throws {
        try GradCheck.check([[67]]) { try $0[0].expm1() }
        try GradCheck.check([[5, 7]], range: 0...2, layout: .transposed) { try $0[0].log1p() }
        try GradCheck.check([[37]]) { try $0[0].apply(.exp2) }
        try GradCheck.check([[6, 5]], range: -0.9...0.9, layout: .strided) { try $0[0].apply(.atanh) }
        // float32 expm1's backward is g·(y + 1) on the vector kernel's output.
        let x = try inputs(50, -3...3, seed: 5)
        try x.setRequiresGrad(true)
        try x.expm1().sum().backward()
        let y = try GradMode.withNoGrad { try x.expm1() }.toDoubles().map { Float($0) }
        for (g, e) in zip(try XCTUnwrap(x.grad).toDoubles(), y) { XCTAssertEqual(Float(g).bitPattern, (e + 1).bitPattern) }
    }
}
