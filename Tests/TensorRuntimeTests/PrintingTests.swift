import XCTest
@testable import TensorRuntime

/// Exact tensor reprs as PyTorch 2.x prints them (reference §6, conformance outputs).
final class PrintingTests: XCTestCase {
    override func setUp() {
        super.setUp()
        PrintOptions.current = .default
    }

    override func tearDown() {
        PrintOptions.current = .default
        super.tearDown()
    }

    private func make(_ values: [Double], _ shape: [Int], _ dtype: DType = .float32) throws -> Tensor {
        try Tensor(doubles: values, shape: shape, dtype: dtype)
    }

    private func arange(_ n: Int, _ dtype: DType = .float32, shape: [Int]? = nil) throws -> Tensor {
        try make((0..<n).map(Double.init), shape ?? [n], dtype)
    }

    // MARK: - Reference §6 examples

    func testScalars() throws {
        XCTAssertEqual(try make([3.14159265], []).repr, "tensor(3.1416)")
        XCTAssertEqual(try make([7], [], .int64).repr, "tensor(7)")
        XCTAssertEqual(try make([1], [], .bool).repr, "tensor(True)")
        XCTAssertEqual(try make([0.1], []).repr, "tensor(0.1000)")
        XCTAssertEqual(try make([2], []).repr, "tensor(2.)")
        XCTAssertEqual(try make([-0.0], []).repr, "tensor(-0.)")
        XCTAssertEqual(try make([.nan], []).repr, "tensor(nan)")
        XCTAssertEqual(try make([0.5], [], .float64).repr, "tensor(0.5000, dtype=torch.float64)")
    }

    func testReferenceVectors() throws {
        XCTAssertEqual(try make([1, 2, 3], [3]).repr, "tensor([1., 2., 3.])")
        XCTAssertEqual(try make([1.5, 2.25, 3.12345, 4], [2, 2]).repr,
                       "tensor([[1.5000, 2.2500],\n        [3.1235, 4.0000]])")
        XCTAssertEqual(try make([1.5, -2], [2]).repr, "tensor([ 1.5000, -2.0000])")
        XCTAssertEqual(try make([.nan, .infinity, -.infinity, 1.5], [4]).repr,
                       "tensor([   nan,    inf,   -inf, 1.5000])")
        XCTAssertEqual(try make([1, 0], [2], .bool).repr, "tensor([ True, False])")
        XCTAssertEqual(try make([1, 2, 3], [3], .int64).repr, "tensor([1, 2, 3])")
        XCTAssertEqual(try make([1e-5, 1], [2]).repr, "tensor([1.0000e-05, 1.0000e+00])")
        XCTAssertEqual(try make([0.12345, 100.5], [2]).repr, "tensor([  0.1235, 100.5000])")
    }

    func testEmpty() throws {
        XCTAssertEqual(try make([], [0]).repr, "tensor([])")
        XCTAssertEqual(try make([], [0, 3]).repr, "tensor([], size=(0, 3))")
        XCTAssertEqual(try make([], [0], .int64).repr, "tensor([], dtype=torch.int64)")
        XCTAssertEqual(try make([], [2, 0], .float64).repr, "tensor([], size=(2, 0), dtype=torch.float64)")
        XCTAssertEqual(try make([], [0], .bool).repr, "tensor([], dtype=torch.bool)")
    }

    // MARK: - Conformance outputs

    func testConformanceOutputs() throws {
        XCTAssertEqual(try make([1], [], .int64).repr, "tensor(1)")
        XCTAssertEqual(try make([-0.3, 0.3], [2]).repr, "tensor([-0.3000,  0.3000])")
        XCTAssertEqual(try make([-0.0099, -0.0095, -0.0090], [3]).repr, "tensor([-0.0099, -0.0095, -0.0090])")
        XCTAssertEqual(try make([4, 5, 6, 7], [4]).repr, "tensor([4., 5., 6., 7.])")
        XCTAssertEqual(try make([1, -2, 3], [3], .int64).repr, "tensor([ 1, -2,  3])")
        XCTAssertEqual(try make([0.5, 0.25], [2], .float64).repr, "tensor([0.5000, 0.2500], dtype=torch.float64)")
        XCTAssertEqual(try make([7], [], .int64).repr, "tensor(7)")
    }

    func testGradFnSuffix() throws {
        let input = try make([1, 2], [2])
        try input.setRequiresGrad(true)
        let out = try make([-0.4091, 0.8483, -0.4134, 0.8773], [2, 2])
        out.recordingGrad("AddmmBackward0", inputs: [input]) { _ in [nil] }
        XCTAssertEqual(out.repr, "tensor([[-0.4091,  0.8483],\n        [-0.4134,  0.8773]], grad_fn=<AddmmBackward0>)")
        XCTAssertEqual(input.repr, "tensor([1., 2.], requires_grad=True)")
    }

    func testTransposedView() throws {
        // torch.arange(12.).view(3, 4).t(): a non-contiguous view.
        let base = try arange(12)
        let t = Tensor(storage: base.storage, shape: [4, 3], strides: [1, 4])
        XCTAssertEqual(t.repr, """
            tensor([[ 0.,  4.,  8.],
                    [ 1.,  5.,  9.],
                    [ 2.,  6., 10.],
                    [ 3.,  7., 11.]])
            """)
        let row = Tensor(storage: base.storage, shape: [3], strides: [4], storageOffset: 1)
        XCTAssertEqual(row.repr, "tensor([1., 5., 9.])")
    }

    // MARK: - Summarisation, wrapping, nesting

    func testSummarisedIntVector() throws {
        XCTAssertEqual(try arange(2000, .int64).repr, "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])")
    }

    func testSummarisedFloatVectorUsesSciModeAndWraps() throws {
        XCTAssertEqual(try arange(2000).repr, """
            tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,
                    1.9990e+03])
            """)
    }

    func testSummarisedMatrix() throws {
        let ones = try make([Double](repeating: 1, count: 1600), [40, 40])
        XCTAssertEqual(ones.repr, """
            tensor([[1., 1., 1.,  ..., 1., 1., 1.],
                    [1., 1., 1.,  ..., 1., 1., 1.],
                    [1., 1., 1.,  ..., 1., 1., 1.],
                    ...,
                    [1., 1., 1.,  ..., 1., 1., 1.],
                    [1., 1., 1.,  ..., 1., 1., 1.],
                    [1., 1., 1.,  ..., 1., 1., 1.]])
            """)
    }

    func testSummarised3D() throws {
        let ones = try make([Double](repeating: 1, count: 1331), [11, 11, 11])
        let row = "[1., 1., 1.,  ..., 1., 1., 1.]"
        let rows = [row, row, row, "...", row, row, row]
        let block = "[" + rows.joined(separator: ",\n         ") + "]"
        let blocks = [block, block, block, "...", block, block, block]
        XCTAssertEqual(ones.repr, "tensor([" + blocks.joined(separator: ",\n\n        ") + "])")
        XCTAssertTrue(ones.repr.contains("1.]],\n\n        ...,\n\n        [[1., 1."))
    }

    func testLineWrapping() throws {
        XCTAssertEqual(try arange(30).repr, """
            tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,
                    14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,
                    28., 29.])
            """)
        let values = (0..<30).map { Double($0) / 29 }
        XCTAssertEqual(try make(values, [30]).repr, """
            tensor([0.0000, 0.0345, 0.0690, 0.1034, 0.1379, 0.1724, 0.2069, 0.2414, 0.2759,
                    0.3103, 0.3448, 0.3793, 0.4138, 0.4483, 0.4828, 0.5172, 0.5517, 0.5862,
                    0.6207, 0.6552, 0.6897, 0.7241, 0.7586, 0.7931, 0.8276, 0.8621, 0.8966,
                    0.9310, 0.9655, 1.0000])
            """)
    }

    func testSuffixOnItsOwnLine() throws {
        let values = [0.4963, 0.7682, 0.0885, 0.1320, 0.3074, 0.6341, 0.4901, 0.8964, 0.4556]
        XCTAssertEqual(try make(values, [9], .float64).repr, """
            tensor([0.4963, 0.7682, 0.0885, 0.1320, 0.3074, 0.6341, 0.4901, 0.8964, 0.4556],
                   dtype=torch.float64)
            """)
        let input = try make([1], [1])
        try input.setRequiresGrad(true)
        let out = try make(values, [9])
        out.recordingGrad("AddBackward0", inputs: [input]) { _ in [nil] }
        XCTAssertEqual(out.repr, """
            tensor([0.4963, 0.7682, 0.0885, 0.1320, 0.3074, 0.6341, 0.4901, 0.8964, 0.4556],
                   grad_fn=<AddBackward0>)
            """)
    }

    func testThreeDimensionalBlankLines() throws {
        XCTAssertEqual(try arange(24, shape: [2, 3, 4]).repr, """
            tensor([[[ 0.,  1.,  2.,  3.],
                     [ 4.,  5.,  6.,  7.],
                     [ 8.,  9., 10., 11.]],

                    [[12., 13., 14., 15.],
                     [16., 17., 18., 19.],
                     [20., 21., 22., 23.]]])
            """)
        XCTAssertEqual(try arange(4, .int64, shape: [2, 1, 1, 2]).repr, """
            tensor([[[[0, 1]]],


                    [[[2, 3]]]])
            """)
    }

    // MARK: - Value formats

    func testSciMode() throws {
        XCTAssertEqual(try make([1e10, 1], [2], .float64).repr, "tensor([1.0000e+10, 1.0000e+00], dtype=torch.float64)")
        XCTAssertEqual(try make([1e-5, 0, -2.5], [3]).repr, "tensor([ 1.0000e-05,  0.0000e+00, -2.5000e+00])")
        XCTAssertEqual(try make([123456789.5, 1], [2], .float64).repr,
                       "tensor([1.2346e+08, 1.0000e+00], dtype=torch.float64)")
    }

    func testNegativeZeroAndSpecials() throws {
        XCTAssertEqual(try make([0, -0.0], [2]).repr, "tensor([0., -0.])")
        XCTAssertEqual(try make([-0.0, 1.5], [2]).repr, "tensor([-0.0000, 1.5000])")
        XCTAssertEqual(try make([.nan], [1]).repr, "tensor([nan])")
        XCTAssertEqual(try make([.infinity, -.infinity], [2]).repr, "tensor([inf, -inf])")
        XCTAssertEqual(try make([.nan, 1, 2], [3]).repr, "tensor([nan, 1., 2.])")
        XCTAssertEqual(try make([.nan, 100, -3], [3]).repr, "tensor([ nan, 100.,  -3.])")
    }

    func testLargeInt64() throws {
        let t = try Tensor(shape: [3], dtype: .int64)
        t.storage.set(.int(Int64.max), at: 0)
        t.storage.set(.int(Int64.min), at: 1)
        XCTAssertEqual(t.repr, "tensor([ 9223372036854775807, -9223372036854775808,                    0])")
    }

    func testParameter() throws {
        let p = try make([1, 1, 1, 1], [2, 2])
        p.isParameter = true
        XCTAssertEqual(p.repr, "Parameter containing:\ntensor([[1., 1.],\n        [1., 1.]])")
        try p.setRequiresGrad(true)
        XCTAssertEqual(p.repr, "Parameter containing:\ntensor([[1., 1.],\n        [1., 1.]], requires_grad=True)")
    }

    // MARK: - Print options

    func testPrintOptions() throws {
        XCTAssertEqual(try make([1.12345], [1]).format(options: PrintOptions(precision: 2)), "tensor([1.12])")
        XCTAssertEqual(try arange(10, .int64).format(options: PrintOptions(threshold: 5)), "tensor([0, 1, 2,  ..., 7, 8, 9])")
        XCTAssertEqual(try make([1.5, 2], [2]).format(options: PrintOptions(sciMode: true)), "tensor([1.5000e+00, 2.0000e+00])")
        XCTAssertEqual(try make([1e-5, 1], [2]).format(options: PrintOptions(sciMode: false)), "tensor([0.0000, 1.0000])",
                       "PyTorch 2.15 measures the width in the mode it prints")
        XCTAssertEqual(try arange(10, .int64).format(options: PrintOptions(threshold: 5, edgeitems: 1)), "tensor([0,  ..., 9])")
        XCTAssertEqual(try arange(6, .int64).format(options: PrintOptions(linewidth: 20)), "tensor([0, 1, 2, 3,\n        4, 5])")
        // Degenerate values must not crash.
        _ = try arange(10).format(options: PrintOptions(precision: -3, threshold: 2, edgeitems: Int.max, linewidth: Int.min))
        _ = try arange(10, shape: [2, 5]).format(options: PrintOptions(threshold: 2, edgeitems: 0, linewidth: Int.max))
    }

    func testSetPrintOptions() throws {
        PrintOptions.set(precision: 2)
        XCTAssertEqual(try make([1.12345], [1]).repr, "tensor([1.12])")
        PrintOptions.set(threshold: 5)
        XCTAssertEqual(PrintOptions.current.precision, 2)
        XCTAssertEqual(try arange(10, .int64).repr, "tensor([0, 1, 2,  ..., 7, 8, 9])")
        PrintOptions.set(sciMode: true)
        XCTAssertEqual(PrintOptions.current.sciMode, true)
        PrintOptions.set(precision: 3)
        XCTAssertNil(PrintOptions.current.sciMode, "sci_mode is reset when omitted, as in PyTorch")
        PrintOptions.set(profile: "default")
        XCTAssertEqual(PrintOptions.current, .default)
        PrintOptions.set(profile: "full")
        XCTAssertEqual(PrintOptions.current.threshold, .infinity)
        XCTAssertFalse(try arange(2000, .int64).repr.contains("..."))
        PrintOptions.set(profile: "short")
        XCTAssertEqual(PrintOptions.current, PrintOptions(precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80))
    }

    // MARK: - torch.Size and Python floats

    func testSizeRepr() {
        XCTAssertEqual(sizeRepr([2, 3]), "torch.Size([2, 3])")
        XCTAssertEqual(sizeRepr([]), "torch.Size([])")
        XCTAssertEqual(sizeRepr([64, 10]), "torch.Size([64, 10])")
        XCTAssertEqual(intTupleRepr([0]), "(0,)")
        XCTAssertEqual(intTupleRepr([]), "()")
    }

    func testPythonFloatRepr() {
        XCTAssertEqual(pythonFloatRepr(.infinity), "inf")
        XCTAssertEqual(pythonFloatRepr(-.infinity), "-inf")
        XCTAssertEqual(pythonFloatRepr(.nan), "nan")
        XCTAssertEqual(pythonFloatRepr(-Double.nan), "nan")
        XCTAssertEqual(pythonFloatRepr(Double(Float(0.1))), "0.10000000149011612")
        // (hex, Python 3 repr) pairs generated with CPython.
        let cases: [(String, String)] = [
            ("0x1.999999999999ap-4", "0.1"),
            ("0x1.4f8b588e368f1p-17", "1e-05"),
            ("0x1.0000000000000p+1", "2.0"),
            ("0x1.1c37937e08000p+53", "1e+16"),
            ("0x1.c6bf526340000p+49", "1000000000000000.0"),
            ("0x1.d6f3454000000p+26", "123456789.0"),
            ("-0x0.0p+0", "-0.0"),
            ("0x0.0p+0", "0.0"),
            ("0x1.a36e2eb1c432dp-14", "0.0001"),
            ("0x1.02e4b6ce5dc68p-13", "0.00012345"),
            ("0x1.aa535d3d0c000p+53", "1.5e+16"),
            ("0x1.0f0cf064dd592p+73", "1e+22"),
            ("0x0.0000000000001p-1022", "5e-324"),
            ("0x1.fffffffffffffp+1023", "1.7976931348623157e+308"),
            ("0x1.0000000000000p-1022", "2.2250738585072014e-308"),
            ("0x1.5555555555555p-2", "0.3333333333333333"),
            ("0x1.5555555555555p-1", "0.6666666666666666"),
            ("0x1.9000000000000p+6", "100.0"),
            ("0x1.ad7f29abcaf48p-24", "1e-07"),
            ("0x1.1c37937e07fffp+53", "9999999999999998.0"),
            ("0x1.3333333333333p-2", "0.3"),
            ("0x1.edd2f1a9fbe77p+6", "123.456"),
            ("-0x1.12e0be826d695p-33", "-1.25e-10"),
            ("0x1.921fb54442d18p+1", "3.141592653589793"),
            ("0x1.18b54f22aeb03p+50", "1234567890123456.8"),
            ("-0x1.74de452e6b438p+811", "-1.989032661366619e+244"),
            ("0x1.3270e269e0d37p+594", "7.761117632285041e+178"),
            ("0x1.c7fd0a6a3a450p-826", "3.980498358697587e-249"),
            ("-0x1.f0824128b2f33p+292", "-1.5432835417340557e+88"),
            ("0x1.675cc81e74ef5p-144", "6.294675241195386e-44"),
            ("0x1.c172411e20b8fp-38", "6.387016158513563e-12"),
            ("-0x1.60af593bd04cfp-673", "-3.51527970626667e-203"),
            ("0x1.8d190f9ebdaccp-118", "4.6678633181812096e-36"),
            ("-0x1.7e352fe2a2c31p+9", "-764.4155238432633"),
            ("-0x1.7f094e59ef88ep+8", "-383.03635179613127"),
            ("0x1.15d3b232f7becp+8", "277.826937852368"),
            ("-0x1.2d19280000000p-1", "-0.5880825519561768"),
            ("-0x1.7ca0680000000p-2", "-0.37170565128326416"),
            ("0x1.5e761e0000000p-3", "0.17112372815608978"),
        ]
        for (hex, expected) in cases {
            guard let x = Double(hex) else { XCTFail("bad hex \(hex)"); continue }
            XCTAssertEqual(pythonFloatRepr(x), expected, hex)
        }
    }

    func testFixedAndScientific() {
        // (hex, "{:.4f}", "{:.4e}", "{:.0f}") generated with CPython.
        let cases: [(String, String, String, String)] = [
            ("0x1.0000000000000p-1", "0.5000", "5.0000e-01", "0"),
            ("0x1.8000000000000p+0", "1.5000", "1.5000e+00", "2"),
            ("0x1.4000000000000p+1", "2.5000", "2.5000e+00", "2"),
            ("-0x1.0000000000000p-1", "-0.5000", "-5.0000e-01", "-0"),
            ("0x1.a36e2eb1c432dp-15", "0.0001", "5.0000e-05", "0"),
            ("0x1.f9a6b50b0f27cp-4", "0.1235", "1.2345e-01", "0"),
            ("0x1.9e409301b5a02p-17", "0.0000", "1.2346e-05", "0"),
            ("0x1.e240c9fbe76c9p+16", "123456.7890", "1.2346e+05", "123457"),
            ("0x1.5af1d78b58c40p+66", "100000000000000000000.0000", "1.0000e+20", "100000000000000000000"),
            ("-0x0.0p+0", "-0.0000", "-0.0000e+00", "-0"),
            ("0x1.fff972474538fp-1", "1.0000", "9.9995e-01", "1"),
            ("0x1.7486f46e00000p+36", "99999500000.0000", "1.0000e+11", "99999500000"),
            ("0x1.56e1fc2f8f359p-997", "0.0000", "1.0000e-300", "0"),
            ("0x1.921fb53c8d4f1p+1", "3.1416", "3.1416e+00", "3"),
        ]
        for (hex, fixed, sci, whole) in cases {
            guard let x = Double(hex) else { XCTFail("bad hex \(hex)"); continue }
            XCTAssertEqual(formatFixed(x, precision: 4), fixed, hex)
            XCTAssertEqual(formatScientific(x, precision: 4), sci, hex)
            XCTAssertEqual(formatFixed(x, precision: 0), whole, hex)
        }
        XCTAssertEqual(formatFixed(.nan, precision: 4), "nan")
        XCTAssertEqual(formatScientific(-.infinity, precision: 4), "-inf")
        XCTAssertEqual(formatFixed(1e300, precision: 2).count, 304)
    }
}
