import XCTest
@testable import TensorRuntime

final class AutogradTests: XCTestCase {
    typealias C = Check
    typealias G = GradCheck

    func testInPlaceOnLeafRequiringGrad() throws {
        let w = try G.leaf([3], seed: 1)
        let msg = "a leaf Variable that requires grad is being used in an in-place operation."
        C.throwsError(.runtimeError, msg) { try w.addInPlace(.int(1)) }
        C.throwsError(.runtimeError, msg) { try w.mulInPlace(try Tensor.ones([3], dtype: .float64)) }
        C.throwsError(.runtimeError, msg) { try w.zeroInPlace() }
        C.throwsError(.runtimeError, msg) { try w.copyInPlace(from: try Tensor.ones([3])) }
        C.throwsError(.runtimeError, "a view of \(msg)") { try w.indexPut([.int(0)], .int(1)) }
        // Under no_grad it is allowed (optimizer updates) and bumps the version.
        let before = w.version
        try GradMode.withNoGrad {
            try w.addInPlace(try Tensor.ones([3], dtype: .float64), alpha: .double(-0.5))
            try w.mulInPlace(.int(2))
            try w.clampInPlace(min: .int(-1), max: .int(1))
        }
        XCTAssertEqual(w.version, before + 3)
        XCTAssertTrue(w.isLeaf)
    }

    func testInPlaceValuesAndPromotionRules() throws {
        let x = try C.tensor([1, 2, 3])
        try x.addInPlace(try C.tensor([1, 1, 1]), alpha: .int(2))
        C.values(x, [3, 4, 5])
        try x.subInPlace(.int(1)); try x.mulInPlace(.double(0.5)); try x.divInPlace(.int(2))
        C.values(x, [0.5, 0.75, 1])
        try x.fillInPlace(.int(3)); C.values(x, [3, 3, 3])
        try x.zeroInPlace(); C.values(x, [0, 0, 0])
        try x.copyInPlace(from: try Tensor(doubles: [7], shape: [1], dtype: .int64)); C.values(x, [7, 7, 7])
        try x.clampInPlace(max: .int(5)); C.values(x, [5, 5, 5])
        // Broadcast into a larger tensor; the other direction fails.
        let m = try Tensor.zeros([2, 3])
        try m.addInPlace(try C.tensor([1, 2, 3]))
        C.values(m, [1, 2, 3, 1, 2, 3])
        C.throwsError(.runtimeError, "output with shape [3] doesn't match the broadcast shape [2, 3]") {
            try Tensor.zeros([3]).addInPlace(try Tensor.zeros([2, 3]))
        }
        let i = try Tensor.zeros([2], dtype: .int64)
        C.throwsError(.runtimeError, "result type Float can't be cast to the desired output type Long") { try i.addInPlace(.double(0.5)) }
        C.throwsError(.runtimeError, "result type Float can't be cast to the desired output type Long") { try i.divInPlace(.int(2)) }
        // Self-aliasing operands: the same elements are fine, a transposed alias is PyTorch's overlap error.
        let s = try C.tensor([1, 2, 3, 4], [2, 2])
        try s.addInPlace(s)
        C.values(s, [2, 4, 6, 8])
        C.throwsError(.runtimeError, "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation.") {
            try s.addInPlace(s.t())
        }
    }

    func testInPlaceOnNonLeafRecordsGradient() throws {
        let x = try G.leaf([4], seed: 3)
        let y = try x.mul(.int(3))
        try y.addInPlace(.int(1))
        XCTAssertEqual(y.gradFn?.name, "AddBackward0")
        try y.mulInPlace(y.detached())
        try y.sum().backward()
        // y = (3x + 1)^2 (second factor detached) → dy/dx = 3 (3x + 1).
        let expected = x.toDoubles().map { 3 * (3 * $0 + 1) }
        C.values(try XCTUnwrap(x.grad), expected)
        try G.check([[4], [4]]) { xs in
            let h = try xs[0].mul(xs[1])
            try h.reluInPlace()
            try h.mulInPlace(xs[1])
            return h
        }
    }

    func testModifiedSavedTensorIsReported() throws {
        let x = try G.leaf([3], seed: 4)
        let a = try x.mul(.int(2))
        let b = try a.mul(a)
        try a.addInPlace(.int(1))
        XCTAssertThrowsError(try b.sum().backward()) { e in
            XCTAssertTrue((e as? TorchError)?.message.hasPrefix("one of the variables needed for gradient computation has been modified by an inplace operation") ?? false)
        }
        let s = try x.sigmoid()
        _ = try GradMode.withNoGrad { try s.mulInPlace(.int(2)) }
        XCTAssertThrowsError(try s.sum().backward())
    }

    func testInPlaceOnViewOfGradTensorRebasesHistory() throws {
        let x = try G.leaf([2, 3], seed: 5)
        let y = try x.mul(.int(2))
        try y.select(dim: 0, index: 0).addInPlace(.int(1))
        XCTAssertEqual(y.gradFn?.name, "CopySlices")
        // Without autograd involvement, views are writable.
        let plain = try Tensor.zeros([2, 3])
        try plain.select(dim: 0, index: 1).addInPlace(.int(4))
        C.values(plain, [0, 0, 0, 4, 4, 4])
        _ = try GradMode.withNoGrad { try y.select(dim: 0, index: 0).zeroInPlace() }
        C.values(try y.select(dim: 0, index: 0), [0, 0, 0])
    }

    func testAccumulationAndRetainGraph() throws {
        let x = try G.leaf([3], seed: 6)
        let y = try x.mul(x).sum()
        try y.backward(retainGraph: true)
        try y.backward()
        C.values(try XCTUnwrap(x.grad), x.toDoubles().map { 4 * $0 })
        XCTAssertThrowsError(try y.backward())
        // A tensor used twice accumulates both paths; broadcasting reduces to the input's shape.
        let b = try G.leaf([1, 3], seed: 7)
        let z = try b.add(try Tensor.ones([4, 3], dtype: .float64)).add(b).sum()
        try z.backward()
        C.values(try XCTUnwrap(b.grad), [8, 8, 8])
        // Gradients into a float32 input from a float64 result keep the input's dtype.
        let f = try Tensor.ones([2])
        try f.setRequiresGrad(true)
        try f.add(try Tensor.ones([2], dtype: .float64)).sum().backward()
        XCTAssertEqual(f.grad?.dtype, .float32)
    }

    func testSumToShape() throws {
        let g = try Tensor.ones([2, 3, 4])
        C.values(try sumToShape(g, [3, 1]), [8, 8, 8])
        XCTAssertEqual(try sumToShape(g, [3, 1]).shape, [3, 1])
        C.values(try sumToShape(g, []), [24])
        XCTAssertTrue(try sumToShape(g, [2, 3, 4]) === g)
    }

    func testCreation() throws {
        C.values(try Tensor.arange(.int(5)), [0, 1, 2, 3, 4])
        XCTAssertEqual(try Tensor.arange(.int(5)).dtype, .int64)
        C.values(try Tensor.arange(start: .int(1), end: .double(2), step: .double(0.25)), [1, 1.25, 1.5, 1.75])
        XCTAssertEqual(try Tensor.arange(start: .int(0), end: .int(10), step: .int(3)).shape, [4])
        XCTAssertEqual(try Tensor.arange(start: .int(10), end: .int(0), step: .int(-3)).shape, [4])
        XCTAssertEqual(try Tensor.arange(start: .double(0), end: .double(1), step: .double(0.1)).shape, [10])
        C.values(try Tensor.linspace(start: 0, end: 1, steps: 5), [0, 0.25, 0.5, 0.75, 1])
        C.values(try Tensor.linspace(start: -1, end: 1, steps: 1), [-1])
        C.values(try Tensor.eye(n: 2, m: 3), [1, 0, 0, 0, 1, 0])
        C.values(try Tensor.full([2], value: .double(2.5)), [2.5, 2.5])
        XCTAssertEqual(try Tensor.full([2], value: .int(2)).dtype, .int64)
        XCTAssertEqual(try Tensor.full([2], value: .bool(true)).dtype, .bool)
        C.values(try Tensor.ones([2, 2], dtype: .int64), [1, 1, 1, 1])
        XCTAssertEqual(try Tensor.zerosLike(try Tensor.ones([2, 3], dtype: .float64)).dtype, .float64)
        C.throwsError(.runtimeError, "step must be nonzero") { try Tensor.arange(start: .int(0), end: .int(1), step: .int(0)) }
        C.throwsError(.runtimeError, "upper bound and lower bound inconsistent with step sign") {
            try Tensor.arange(start: .int(0), end: .int(-1), step: .int(1))
        }
        C.throwsError(.runtimeError, "Trying to create tensor with negative dimension -1: [-1]") { try Tensor.zeros([-1]) }
        XCTAssertThrowsError(try Tensor.zeros([Int.max, 4]))
        XCTAssertThrowsError(try Tensor.ones([1 << 40]))
    }
}
