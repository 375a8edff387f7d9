import XCTest
@testable import TensorRuntime

/// The float32 vector kernels (CKernels/elementwise.c, VectorElementwise.swift) against the
/// per-element definition in Float: bit for bit over odd lengths and tails, single-value
/// operands, in place, with NaN, infinities and signed zeros; other layouts and float64 keep the
/// Swift loops and give the same definition; relu's gradient by finite differences.
final class VectorElementwiseTests: XCTestCase {
    private let lengths = [4096, 4097, 4111, 5003, 65537]

    /// Values with NaN, ±inf, ±0, tiny and huge numbers mixed into a deterministic sequence.
    private func values(_ n: Int, seed: UInt64) -> [Float] {
        var r = KernelTest.Rand(seed)
        let specials: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, 3e38, -1e-30]
        return (0..<n).map { i in i % 97 < specials.count ? specials[i % 97] : Float(r.next() * 8) }
    }

    private func tensor(_ v: [Float], _ shape: [Int]? = nil) throws -> Tensor {
        try Tensor(doubles: v.map(Double.init), shape: shape ?? [v.count], dtype: .float32)
    }

    private func assertBits(_ t: Tensor, _ expected: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let got = t.toDoubles().map { Float($0) }
        XCTAssertEqual(got.count, expected.count, what, file: file, line: line)
        for i in 0..<min(got.count, expected.count) where got[i].bitPattern != expected[i].bitPattern && !(got[i].isNaN && expected[i].isNaN) {
            XCTFail("\(what) element \(i): \(got[i]) vs \(expected[i])", file: file, line: line)
            return
        }
    }

    func testBinaryOpsMatchPerElementDefinition() throws {
        for n in lengths {
            let av = values(n, seed: 1), bv = values(n, seed: 2).reversed().map { $0 }
            let a = try tensor(av), b = try tensor(bv)
            assertBits(try a.add(b), zip(av, bv).map { $0 + $1 }, "add n=\(n)")
            assertBits(try a.sub(b), zip(av, bv).map { $0 - $1 }, "sub n=\(n)")
            assertBits(try a.mul(b), zip(av, bv).map { $0 * $1 }, "mul n=\(n)")
            assertBits(try a.div(b), zip(av, bv).map { $0 / $1 }, "div n=\(n)")
            assertBits(try a.add(b, alpha: .double(0.3)), zip(av, bv).map { $0 + $1 * Float(0.3) }, "add alpha n=\(n)")
        }
    }

    func testSingleValueOperands() throws {
        let n = 5003, av = values(n, seed: 3)
        let a = try tensor(av)
        let s = try tensor([1.7], [1]), zeroDim = try tensor([-2.5], [])
        assertBits(try a.mul(s), av.map { $0 * 1.7 }, "tensor * [1]")
        assertBits(try zeroDim.div(a), av.map { -2.5 / $0 }, "0-dim / tensor")
        assertBits(try a.sub(.double(0.1)), av.map { $0 - Float(0.1) }, "tensor - scalar")
        assertBits(try s.add(a), av.map { 1.7 + $0 }, "[1] + tensor")
    }

    func testInPlaceAndGradientAccumulation() throws {
        let n = 4111, av = values(n, seed: 4), bv = values(n, seed: 5)
        let a = try tensor(av), b = try tensor(bv)
        try a.addInPlace(b)
        assertBits(a, zip(av, bv).map { $0 + $1 }, "add_")
        let c = try tensor(av)
        try c.mulInPlace(b)
        assertBits(c, zip(av, bv).map { $0 * $1 }, "mul_")
        // `.grad` accumulates with the same add: two backward passes double a gradient.
        let w = try tensor(values(n, seed: 6).map { $0.isFinite ? $0 : 1 })
        try w.setRequiresGrad(true)
        for _ in 0..<2 { try w.mul(b).sum().backward() }
        assertBits(try XCTUnwrap(w.grad), bv.map { $0 + $0 }, "accumulated grad")
    }

    func testNonContiguousAndFloat64KeepDefinition() throws {
        let av = values(96 * 64, seed: 7), bv = values(96 * 64, seed: 8)
        let a = try tensor(av, [96, 64]).t(), b = try tensor(bv, [64, 96])
        var expected: [Float] = []
        for i in 0..<64 {
            for j in 0..<96 { expected.append(av[j * 64 + i] + bv[i * 96 + j]) }
        }
        assertBits(try a.add(b), expected, "transposed + contiguous")
        let ad = try Tensor(doubles: av.map(Double.init), shape: [av.count], dtype: .float64)
        let bd = try Tensor(doubles: bv.map(Double.init), shape: [bv.count], dtype: .float64)
        let sums = try ad.mul(bd).toDoubles()
        for (i, (x, y)) in zip(av, bv).enumerated() where !(sums[i] == Double(x) * Double(y) || sums[i].isNaN) {
            XCTFail("float64 mul element \(i)")
            break
        }
    }

    func testReluValuesAndGradient() throws {
        for n in lengths {
            let xv = values(n, seed: 9)
            let x = try tensor(xv)
            try x.setRequiresGrad(true)
            let y = try x.relu()
            // Negatives to +0; -0 and NaN kept, as the Swift loop (ReluOp) and PyTorch.
            assertBits(y, xv.map { $0 < 0 ? 0 : $0 }, "relu n=\(n)")
            try y.sum().backward()
            // The gradient unless the output is <= 0 (ReluGradOp: NaN outputs pass it).
            assertBits(try XCTUnwrap(x.grad), xv.map { $0 <= 0 ? 0 : 1 }, "relu backward n=\(n)")
        }
        try GradCheck.check([[9, 7]]) { xs in try xs[0].relu() }   // float64: the Swift loops
    }
}
