import XCTest
@testable import TensorRuntime

final class ElementwiseTests: XCTestCase {
    typealias C = Check
    typealias G = GradCheck

    private func long(_ v: [Int64], _ shape: [Int]? = nil) throws -> Tensor {
        try Tensor(doubles: v.map(Double.init), shape: shape ?? [v.count], dtype: .int64)
    }

    // MARK: - Values

    func testArithmeticWithBroadcasting() throws {
        let a = try C.tensor([1, 2, 3, 4, 5, 6], [2, 3])
        let b = try C.tensor([10, 20, 30], [3])
        C.values(try a.add(b), [11, 22, 33, 14, 25, 36])
        C.values(try a.sub(b, alpha: .int(2)), [-19, -38, -57, -16, -35, -54])
        C.values(try a.mul(try C.tensor([2, 3], [2, 1])), [2, 4, 6, 12, 15, 18])
        C.values(try a.div(b), [0.1, 0.1, 0.1, 0.4, 0.25, 0.2])
        C.values(try a.add(.double(0.5)), [1.5, 2.5, 3.5, 4.5, 5.5, 6.5])
        C.values(try a.rsub(.int(10)), [9, 8, 7, 6, 5, 4])
        C.values(try a.rdiv(.int(12)), [12, 6, 4, 3, 2.4, 2])
        C.values(try a.pow(.int(2)), [1, 4, 9, 16, 25, 36])
        C.values(try C.tensor([1, 2, 3]).rpow(.int(2)), [2, 4, 8])
        C.values(try a.pow(try C.tensor([0, 1, 2])), [1, 2, 9, 1, 5, 36])
        C.values(try C.tensor([1, 5, 3]).maximum(try C.tensor([4, 2, .nan])), [4, 5, .nan])
        C.values(try C.tensor([1, 5, 3]).minimum(try C.tensor([4, 2, 0])), [1, 2, 0])
        XCTAssertEqual(try a.add(b).shape, [2, 3])
        // Broadcast of both operands: [3,1] + [1,4] → [3,4].
        let outer = try C.tensor([1, 2, 3], [3, 1]).mul(try C.tensor([1, 10, 100, 1000], [1, 4]))
        XCTAssertEqual(outer.shape, [3, 4])
        C.values(outer, [1, 10, 100, 1000, 2, 20, 200, 2000, 3, 30, 300, 3000])
    }

    /// PyTorch's float -> int64 cast is x86's cvttsd2si: NaN, ±inf and out-of-range values give INT64_MIN.
    func testFloatToInt64CastMatchesPyTorch() throws {
        let special: [Double] = [.nan, .infinity, -.infinity, 1e19, -1e19, 0x1p63, -0x1p63, -2.7, 2.7, -0.5]
        let expected: [Int64] = [.min, .min, .min, .min, .min, .min, .min, -2, 2, 0]
        for dtype in [DType.float64, .float32] {
            let r = try Tensor(doubles: special, shape: [special.count], dtype: dtype).converted(to: .int64)
            XCTAssertEqual(Array(UnsafeBufferPointer(start: r.elements(Int64.self), count: r.numel)), expected, "\(dtype)")
        }
        // In range: 9.2e18 stays (float32 rounds it to 9200000267938955264); strided sources convert too.
        let big = try Tensor(doubles: [9.2e18, -9.2e18, .nan, 1], shape: [2, 2], dtype: .float32).t().converted(to: .int64)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: big.elements(Int64.self), count: 4)),
                       [9_200_000_267_938_955_264, .min, -9_200_000_267_938_955_264, 1])
    }

    func testPythonDivisionSemantics() throws {
        let a = try long([7, -7, 7, -7]), b = try long([2, 2, -2, -2])
        C.values(try a.remainder(b), [1, 1, -1, -1])
        C.values(try a.floorDivide(b), [3, -4, -4, 3])
        C.values(try a.div(b, roundingMode: "trunc"), [3, -3, -3, 3])
        C.values(try a.div(b, roundingMode: "floor"), [3, -4, -4, 3])
        XCTAssertEqual(try a.div(b).dtype, .float32)
        C.values(try a.div(b), [3.5, -3.5, -3.5, 3.5])
        C.values(try C.tensor([7, -7]).remainder(.double(2)), [1, 1])
        C.values(try C.tensor([5.5, -5.5]).floorDivide(.int(2)), [2, -3])
        C.throwsError(.runtimeError, "ZeroDivisionError") { try a.remainder(try self.long([1, 0, 1, 1])) }
        C.throwsError(.runtimeError, "ZeroDivisionError") { try a.floorDivide(.int(0)) }
        C.throwsError(.runtimeError, "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'up'") {
            try a.div(b, roundingMode: "up")
        }
        C.values(try C.tensor([1, -1, 0]).div(.int(0)), [.infinity, -.infinity, .nan])
        C.throwsError(.runtimeError, "Integers to negative integer powers are not allowed.") { try a.pow(.int(-1)) }
        C.values(try long([2, 3]).pow(.int(3)), [8, 27])
        XCTAssertEqual(try long([2, 3]).pow(.double(0.5)).dtype, .float32)
    }

    func testBroadcastError() {
        C.throwsError(.runtimeError, "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1") {
            try Tensor.zeros([2, 3]).add(try Tensor.zeros([2, 4]))
        }
        C.throwsError(.runtimeError, "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1") {
            try Tensor.zeros([3]).mul(try Tensor.zeros([5, 2]))
        }
    }

    func testTypePromotionTable() throws {
        let f32 = try Tensor.zeros([2]), f64 = try Tensor.zeros([2], dtype: .float64)
        let i64 = try Tensor.zeros([2], dtype: .int64), b = try Tensor.zeros([2], dtype: .bool)
        let f64s = try Tensor.zeros([], dtype: .float64), i64s = try Tensor.zeros([], dtype: .int64)
        XCTAssertEqual(try i64.mul(.double(2.5)).dtype, .float32)
        XCTAssertEqual(try i64.mul(.int(2)).dtype, .int64)
        XCTAssertEqual(try f32.add(f64s).dtype, .float32)
        XCTAssertEqual(try i64.add(f64s).dtype, .float64)
        XCTAssertEqual(try f32.add(f64).dtype, .float64)
        XCTAssertEqual(try i64.add(f32).dtype, .float32)
        XCTAssertEqual(try b.add(b).dtype, .bool)
        XCTAssertEqual(try b.add(.int(1)).dtype, .int64)
        XCTAssertEqual(try b.add(.double(1)).dtype, .float32)
        XCTAssertEqual(try b.add(i64s).dtype, .int64)
        XCTAssertEqual(try f32.mul(i64s).dtype, .float32)
        XCTAssertEqual(try f64.mul(.double(2)).dtype, .float64)
        XCTAssertEqual(try i64s.add(f64s).dtype, .float64)
        XCTAssertEqual(try i64s.add(.double(1)).dtype, .float32)
        XCTAssertEqual(try i64.div(i64).dtype, .float32)
        XCTAssertEqual(try i64.lt(f32).dtype, .bool)
        XCTAssertEqual(resultType(i64, f64s), .float64)
        C.throwsError(.notImplementedError, "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.") {
            try b.sub(b)
        }
        C.throwsError(.runtimeError, "For integral input tensors, argument alpha must not be a floating point number.") {
            try i64.add(i64, alpha: .double(0.5))
        }
        // Bool arithmetic: + is or, * is and.
        let t = try Tensor(doubles: [1, 0, 1, 0], shape: [4], dtype: .bool), u = try Tensor(doubles: [1, 1, 0, 0], shape: [4], dtype: .bool)
        C.values(try t.add(u), [1, 1, 1, 0])
        C.values(try t.mul(u), [1, 0, 0, 0])
    }

    func testComparisonsLogicalAndWhere() throws {
        let a = try C.tensor([1, 2, 3, .nan]), b = try C.tensor([3, 2, 1, .nan])
        C.values(try a.lt(b), [1, 0, 0, 0])
        C.values(try a.le(b), [1, 1, 0, 0])
        C.values(try a.eq(b), [0, 1, 0, 0])
        C.values(try a.ne(b), [1, 0, 1, 1])
        C.values(try a.gt(.int(1)), [0, 1, 1, 0])
        C.values(try a.ge(.double(2)), [0, 1, 1, 0])
        XCTAssertEqual(try a.eq(b).dtype, .bool)
        let m = try a.gt(.int(1))
        C.values(try m.logicalNot(), [1, 0, 0, 1])
        C.values(try m.logicalAnd(try a.lt(.int(3))), [0, 1, 0, 0])
        C.values(try m.logicalOr(try a.lt(.int(2))), [1, 1, 1, 0])
        C.values(try m.logicalXor(try a.lt(.int(3))), [1, 0, 1, 0])
        C.values(try m.bitwiseNot(), [1, 0, 0, 1])
        C.values(try long([12, 10]).bitwiseAnd(try long([10, 6])), [8, 2])
        C.values(try long([12, 10]).bitwiseOr(.int(1)), [13, 11])
        C.values(try long([5]).bitwiseNot(), [-6])
        C.throwsError(.notImplementedError, "\"bitwise_and_cpu\" not implemented for 'Float'") { try a.bitwiseAnd(a) }
        C.values(try a.isnan(), [0, 0, 0, 1])
        let w = try Tensor.where(try C.tensor([1, 0, 1], [3]).gt(.int(0)), try C.tensor([1, 2, 3]), try C.tensor([-1], [1]))
        C.values(w, [1, -1, 3])
        let ws = try Tensor.where(try C.tensor([1, 0]).gt(.int(0)), try long([5, 6]), .double(0.5))
        XCTAssertEqual(ws.dtype, .float32)
        C.values(ws, [5, 0.5])
        C.throwsError(.runtimeError, "where expected condition to be a boolean tensor, but got a tensor with dtype Float") {
            try Tensor.where(a, a, a)
        }
        XCTAssertTrue(try a.allclose(a, equalNan: true))
        XCTAssertFalse(try a.allclose(a))
        XCTAssertTrue(try C.tensor([1, 2]).allclose(try C.tensor([1, 2.000001])))
        XCTAssertTrue(try C.tensor([1, 2]).equal(try C.tensor([1, 2])))
        XCTAssertFalse(try C.tensor([1, 2]).equal(try C.tensor([1, 3])))
    }

    func testUnaryValues() throws {
        let x = try C.tensor([-2, -0.5, 0, 0.5, 2])
        C.values(try x.relu(), [0, 0, 0, 0.5, 2])
        C.values(try x.leakyRelu(negativeSlope: 0.1), [-0.2, -0.05, 0, 0.5, 2])
        C.values(try x.sigmoid(), [0.11920292, 0.37754067, 0.5, 0.62245933, 0.88079708])
        C.values(try x.tanh(), [-0.96402758, -0.46211716, 0, 0.46211716, 0.96402758])
        C.values(try x.gelu(), [-0.04550027, -0.15426877, 0, 0.34573123, 1.95449973])
        C.values(try x.gelu(approximate: "tanh"), [-0.04540231, -0.15428599, 0, 0.34571401, 1.95459769])
        C.values(try x.clamp(min: .double(-1), max: .double(1)), [-1, -0.5, 0, 0.5, 1])
        C.values(try x.clamp(min: .int(0)), [0, 0, 0, 0.5, 2])
        C.values(try x.abs(), [2, 0.5, 0, 0.5, 2])
        C.values(try x.neg(), [2, 0.5, 0, -0.5, -2])
        C.values(try x.sign(), [-1, -1, 0, 1, 1])
        C.values(try x.exp(), [0.13533528, 0.60653066, 1, 1.64872127, 7.3890561])
        C.values(try x.square(), [4, 0.25, 0, 0.25, 4])
        C.values(try C.tensor([0.5, 1.5, 2.5, -0.5, -1.7]).round(), [0, 2, 2, -0, -2])
        C.values(try C.tensor([1.5, -1.5]).floor(), [1, -2])
        C.values(try C.tensor([1.5, -1.5]).ceil(), [2, -1])
        C.values(try C.tensor([4, 9]).sqrt(), [2, 3])
        C.values(try C.tensor([4, 16]).rsqrt(), [0.5, 0.25])
        C.values(try C.tensor([1, 2.718281828]).log(), [0, 1])
        C.values(try C.tensor([0, 1]).sin(), [0, 0.84147098])
        C.values(try C.tensor([0, 1]).cos(), [1, 0.54030231])
        C.values(try C.tensor([2, 4]).reciprocal(), [0.5, 0.25])
        // Integer inputs to float ops give float32; clamp keeps integers unless a bound is float.
        XCTAssertEqual(try long([1, 2]).exp().dtype, .float32)
        XCTAssertEqual(try long([1, 2]).clamp(min: .int(0)).dtype, .int64)
        XCTAssertEqual(try long([1, 2]).clamp(min: .double(1.5)).dtype, .float32)
        C.values(try long([-3, 3]).relu(), [0, 3])
        C.values(try long([-3, 3]).abs(), [3, 3])
        C.throwsError(.runtimeError, "torch.clamp: At least one of 'min' or 'max' must not be None") { try x.clamp() }
        C.throwsError(.notImplementedError, "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.") {
            try x.gt(.int(0)).neg()
        }
    }

    func testLargeAndStridedOperands() throws {
        let n = 100_003
        let a = try Tensor.arange(.int(Int64(n))).cast(.float32)
        let b = try a.mul(.int(2))
        let s = try a.add(b)
        let p = s.storage.pointer(Float.self)
        XCTAssertEqual(p[0], 0); XCTAssertEqual(p[n - 1], Float(3 * (n - 1)))
        // Transposed + contiguous.
        let m = try Tensor.arange(.int(6)).cast(.float32).view([2, 3])
        C.values(try m.t().add(try Tensor.ones([3, 2])), [1, 4, 2, 5, 3, 6])
        C.values(try m.t().mul(try m.t()), [0, 9, 1, 16, 4, 25])
        // Sliced operands and scalar tensors.
        let sl = try m.slice(dim: 1, start: 0, end: 3, step: 2)
        C.values(try sl.add(try Tensor(scalar: .double(1))), [1, 3, 4, 6])
        C.values(try Tensor(scalar: .double(1)).sub(sl), [1, -1, -2, -4])
    }

    // MARK: - Gradient names

    func testGradFnNames() throws {
        let x = try G.leaf([3], seed: 1), y = try G.leaf([3], seed: 2)
        let cases: [(Tensor, String)] = [
            (try x.add(y), "AddBackward0"), (try x.add(.int(1)), "AddBackward0"),
            (try x.sub(y), "SubBackward0"), (try x.rsub(.int(2)), "RsubBackward1"),
            (try x.mul(y), "MulBackward0"), (try x.mul(.int(2)), "MulBackward0"),
            (try x.div(y), "DivBackward0"), (try x.div(.int(2)), "DivBackward0"),
            (try x.rdiv(.int(2)), "MulBackward0"),
            (try x.pow(.int(2)), "PowBackward0"), (try x.pow(y), "PowBackward1"), (try x.rpow(.int(2)), "PowBackward2"),
            (try x.neg(), "NegBackward0"), (try x.exp(), "ExpBackward0"), (try x.abs().log(), "LogBackward0"),
            (try x.abs().sqrt(), "SqrtBackward0"), (try x.abs(), "AbsBackward0"), (try x.relu(), "ReluBackward0"),
            (try x.sigmoid(), "SigmoidBackward0"), (try x.tanh(), "TanhBackward0"), (try x.gelu(), "GeluBackward0"),
            (try x.leakyRelu(), "LeakyReluBackward0"), (try x.clamp(min: .int(0)), "ClampBackward1"),
            (try x.sin(), "SinBackward0"), (try x.cos(), "CosBackward0"), (try x.square(), "PowBackward0"),
            (try x.maximum(y), "MaximumBackward0"), (try Tensor.where(try x.gt(.int(0)), x, y), "WhereBackward0"),
            (try x.reciprocal(), "ReciprocalBackward0"), (try x.abs().rsqrt(), "RsqrtBackward0"),
        ]
        for (t, name) in cases { XCTAssertEqual(t.gradFn?.name, name) }
        XCTAssertNil(try GradMode.withNoGrad { try x.add(y) }.gradFn)
        XCTAssertNil(try x.detached().add(.int(1)).gradFn)
        XCTAssertNil(try x.gt(y).gradFn)
    }

    // MARK: - Gradient checks

    func testBinaryGradients() throws {
        let shapes: [[Int]] = [[2, 3], [3]]
        try G.check(shapes) { try $0[0].add($0[1], alpha: .double(0.5)) }
        try G.check(shapes) { try $0[0].sub($0[1], alpha: .int(2)) }
        try G.check(shapes) { try $0[0].mul($0[1]) }
        try G.check([[2, 3], [2, 1]], range: 0.5...2) { try $0[0].div($0[1]) }
        try G.check([[2, 3], [3]], range: 0.5...2) { try $0[0].pow($0[1]) }
        try G.check([[2, 3], [1, 3]]) { try $0[0].maximum($0[1]) }
        try G.check([[2, 3], [1, 3]]) { try $0[0].minimum($0[1]) }
        try G.check([[3, 1], [1, 4]]) { try $0[0].mul($0[1]).add($0[0]) }
        try G.check([[2, 3], [3]], range: 0.5...2) { try $0[0].remainder($0[1].add(.int(2))) }
        try G.check([[2, 3], [3]]) { try Tensor.where(try $0[0].gt(.int(0)), $0[0], $0[1]) }
        // Scalar operands.
        try G.check([[4]]) { try $0[0].add(.int(2)).mul(.double(1.5)).sub(.int(1)).div(.int(4)) }
        try G.check([[4]]) { try $0[0].rsub(.int(2)) }
        try G.check([[4]], range: 0.5...2) { try $0[0].rdiv(.int(3)) }
        try G.check([[4]]) { try $0[0].rpow(.double(2.5)) }
        try G.check([[4]], range: 0.5...2) { try $0[0].pow(.double(2.5)) }
        try G.check([[4]]) { try $0[0].pow(.int(3)) }
    }

    func testBinaryGradientsNonContiguous() throws {
        try G.check([[3, 4], [3, 4]], layout: .transposed) { try $0[0].mul($0[1]) }
        try G.check([[3, 4], [4]], layout: .strided) { try $0[0].add($0[1]).mul($0[1]) }
        try G.check([[4, 3], [3, 4]]) { try $0[0].t().mul($0[1]).div(try $0[1].abs().add(.int(1))) }
        try G.check([[4, 6]]) { xs in
            let s = try xs[0].slice(dim: 1, start: 1, end: 6, step: 2)
            return try s.mul(s).sub(try xs[0].narrow(dim: 1, start: 0, length: 3))
        }
    }

    func testUnaryGradients() throws {
        let shape: [[Int]] = [[2, 3]]
        let ops: [(String, (Tensor) throws -> Tensor)] = [
            ("neg", { try $0.neg() }), ("abs", { try $0.abs() }), ("exp", { try $0.exp() }),
            ("sin", { try $0.sin() }), ("cos", { try $0.cos() }), ("tan", { try $0.tan() }), ("tanh", { try $0.tanh() }),
            ("sigmoid", { try $0.sigmoid() }), ("relu", { try $0.relu() }), ("leaky", { try $0.leakyRelu(negativeSlope: 0.2) }),
            ("gelu", { try $0.gelu() }), ("gelu-tanh", { try $0.gelu(approximate: "tanh") }), ("erf", { try $0.erf() }),
            ("clamp", { try $0.clamp(min: .double(-0.5), max: .double(0.5)) }), ("clamp-max", { try $0.clamp(max: .int(0)) }),
            ("square", { try $0.square() }), ("expm1", { try $0.expm1() }), ("sign", { try $0.sign().add($0) }),
            ("floor", { try $0.floor().add($0) }),
        ]
        for (name, op) in ops {
            try G.check(shape) { try op($0[0]) }
            try G.check([[3, 2]], layout: .transposed) { try op($0[0]) }
            _ = name
        }
        let positive: [(Tensor) throws -> Tensor] = [
            { try $0.log() }, { try $0.sqrt() }, { try $0.rsqrt() }, { try $0.reciprocal() }, { try $0.log1p() },
        ]
        for op in positive { try G.check(shape, range: 0.5...2) { try op($0[0]) } }
    }
}
