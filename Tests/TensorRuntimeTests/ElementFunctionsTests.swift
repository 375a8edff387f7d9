import XCTest
@testable import TensorRuntime

/// ElementFunctions.swift and Histograms.swift: values against known closed forms, gradients
/// against float64 central differences.
final class ElementFunctionsTests: XCTestCase {
    private func values(_ t: Tensor) -> [Double] { t.toDoubles() }

    func testScalarSpecialFunctionsMatchClosedForms() {
        XCTAssertEqual(SpecialScalars.digamma(1), -0.5772156649015329, accuracy: 1e-14)
        XCTAssertEqual(SpecialScalars.digamma(0.5), -0.5772156649015329 - 2 * 0.6931471805599453, accuracy: 1e-14)
        XCTAssertEqual(SpecialScalars.digamma(-1.5), 0.7031566406452432, accuracy: 1e-13)
        XCTAssertTrue(SpecialScalars.digamma(-2).isNaN)
        // ATen's trigamma series is accurate to about 1e-9.
        XCTAssertEqual(SpecialScalars.trigamma(1), Double.pi * Double.pi / 6, accuracy: 1e-8)
        for y in [-0.999, -0.5, 0.0, 0.3, 0.7, 0.95] {
            XCTAssertEqual(erf(SpecialScalars.erfinv(y)), y, accuracy: 1e-15)
        }
        XCTAssertEqual(SpecialScalars.erfinv(1), .infinity)
        XCTAssertTrue(SpecialScalars.erfinv(1.5).isNaN)
        XCTAssertEqual(SpecialScalars.besselI(order: 0, 1), 1.2660658777520082, accuracy: 1e-15)
        XCTAssertEqual(SpecialScalars.besselI(order: 1, 1), 0.5651591039924851, accuracy: 1e-15)
        XCTAssertEqual(SpecialScalars.besselI(order: 0, 800), .infinity)
    }

    func testFunctionsOnTensors() throws {
        let x = try Tensor(doubles: [1, 4, 5], shape: [3], dtype: .float64)
        XCTAssertEqual(values(try x.apply(.log2)), [0, 2, log2(5)])
        XCTAssertEqual(values(try x.apply(.lgamma))[2], log(24), accuracy: 1e-14)
        XCTAssertEqual(values(try Tensor(doubles: [-2.25, 1.5], shape: [2], dtype: .float64).apply(.frac)), [-0.25, 0.5])
        // Integers become float32; frac refuses them as ATen does.
        let ints = try Tensor(doubles: [1, 8], shape: [2], dtype: .int64)
        XCTAssertEqual(try ints.apply(.log2).dtype, .float32)
        XCTAssertThrowsError(try ints.apply(.frac))
        // sinc at an integer in float32 follows ATen's float evaluation (not 0).
        let s = values(try Tensor(doubles: [1, 0], shape: [2], dtype: .float32).apply(.sinc))
        XCTAssertEqual(s[0], -2.7827534e-08, accuracy: 1e-14)
        XCTAssertEqual(s[1], 1)
        let a = try Tensor(doubles: [3, .nan, -1], shape: [3], dtype: .float64)
        let b = try Tensor(doubles: [4, 1, .nan], shape: [3], dtype: .float64)
        XCTAssertEqual(values(try a.apply(.hypot, b))[0], 5)
        XCTAssertEqual(values(try a.apply(.fmax, b)), [4, 1, -1])
        XCTAssertThrowsError(try ints.apply(.hypot, ints))
        XCTAssertEqual(values(try Tensor(doubles: [-7, 7], shape: [2], dtype: .int64).apply(.fmod, try Tensor(doubles: [3, -3], shape: [2], dtype: .int64))), [-1, 1])
    }

    func testGradientsMatchFiniteDifferences() throws {
        let positive: [ElementFunction] = [.log2, .log10, .lgamma, .digamma, .acosh]
        for f in ElementFunction.allCases where f != .entr {
            let range: ClosedRange<Double> = positive.contains(f) ? (f == .acosh ? 1.2...3 : 0.3...3) : -0.9...0.9
            try GradCheck.check([[2, 3]], range: range) { try $0[0].apply(f) }
        }
        try GradCheck.check([[4]], range: 0.1...0.9) { try $0[0].apply(.entr) }
        try GradCheck.check([[3]], range: 0.1...0.9) { try $0[0].logit(eps: nil) }
        for f: BinaryElementFunction in [.hypot, .logaddexp, .logaddexp2, .fmax, .fmin, .fmod] {
            try GradCheck.check([[2, 3], [3]], range: 0.2...2) { try $0[0].apply(f, $0[1]) }
        }
        try GradCheck.check([[2, 3], [2, 3]], range: 0.2...2) { try $0[0].apply(.xlogy, $0[1]) }
    }

    func testHistogramAndSearches() throws {
        let h = try Tensor(doubles: [1, 2, 1, 4, 2.5, .nan, -1], shape: [7], dtype: .float32)
        XCTAssertEqual(values(try h.histc(bins: 4, min: 0, max: 4)), [0, 2, 2, 1])
        XCTAssertEqual(values(try Tensor(doubles: [2, 2], shape: [2], dtype: .float64).histc(bins: 2, min: 0, max: 0)), [0, 2])
        XCTAssertThrowsError(try h.histc(bins: 3, min: 3, max: 1))
        let bounds = try Tensor(doubles: [1, 3, 5, 7, 9], shape: [5], dtype: .int64)
        let v = try Tensor(doubles: [3, 6, 9, 0, 10], shape: [5], dtype: .int64)
        XCTAssertEqual(values(try bounds.searchSorted(v, right: false, int32: false)), [1, 3, 4, 0, 5])
        XCTAssertEqual(values(try bounds.searchSorted(v, right: true, int32: true)), [2, 3, 5, 0, 5])
        XCTAssertEqual(try bounds.searchSorted(v, right: true, int32: true).dtype, .int32)
        let rows = try Tensor(doubles: [1, 3, 2, 4], shape: [2, 2], dtype: .int64)
        XCTAssertThrowsError(try rows.searchSorted(v, right: false, int32: false))
    }

    func testShifts() throws {
        let a = try Tensor(doubles: [12, -3, 1], shape: [3], dtype: .int64)
        let n = try Tensor(doubles: [2, 1, 64], shape: [3], dtype: .int64)
        XCTAssertEqual(values(try a.bitwiseShift(n, left: true)), [48, -6, 0])
        XCTAssertEqual(values(try a.bitwiseShift(n, left: false)), [3, -2, 0])
        XCTAssertThrowsError(try Tensor(doubles: [1], shape: [1], dtype: .float32).bitwiseShift(n, left: true))
    }
}
