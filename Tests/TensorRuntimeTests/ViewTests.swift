import XCTest
@testable import TensorRuntime

final class ViewTests: XCTestCase {
    typealias C = Check
    typealias G = GradCheck

    private func range(_ shape: [Int]) throws -> Tensor {
        let n = shape.reduce(1, *)
        return try Tensor(doubles: (0..<n).map(Double.init), shape: shape, dtype: .float32)
    }

    func testViewsShareStorageAndWriteThrough() throws {
        let x = try range([2, 3])
        let views: [Tensor] = [try x.view([3, 2]), try x.t(), try x.transpose(0, 1), try x.permute([1, 0]),
                               try x.unsqueeze(0), try x.flatten(), try x.narrow(dim: 1, start: 1, length: 2),
                               try x.select(dim: 0, index: 1), try x.expand([4, 2, 3]), try x.reshape([6]),
                               try x.unsqueeze(1).squeeze(), try x.slice(dim: 1, start: nil, end: nil, step: 2)]
        for v in views {
            XCTAssertTrue(C.sharesStorage(v, x))
            XCTAssertTrue(v.base === x)
        }
        let row = try x.select(dim: 0, index: 1)
        try row.fillInPlace(.int(7))
        C.values(x, [0, 1, 2, 7, 7, 7])
        try x.t().select(dim: 0, index: 0).fillInPlace(.int(-1))
        C.values(x, [-1, 1, 2, -1, 7, 7])
        // A view of a view keeps the root as base.
        XCTAssertTrue(try x.t().t().base === x)
    }

    func testShapesAndStrides() throws {
        let x = try range([2, 3, 4])
        XCTAssertEqual(try x.view([-1, 4]).shape, [6, 4])
        XCTAssertEqual(try x.transpose(0, 2).shape, [4, 3, 2])
        XCTAssertEqual(try x.transpose(0, 2).strides, [1, 4, 12])
        XCTAssertEqual(try x.permute([2, 0, 1]).shape, [4, 2, 3])
        XCTAssertEqual(try x.permute([2, 0, 1]).strides, [1, 12, 4])
        XCTAssertEqual(try x.unsqueeze(-1).shape, [2, 3, 4, 1])
        XCTAssertEqual(try x.unsqueeze(1).strides, [12, 12, 4, 1])
        XCTAssertEqual(try x.flatten(startDim: 1).shape, [2, 12])
        XCTAssertEqual(try x.flatten(startDim: 0, endDim: 1).shape, [6, 4])
        XCTAssertEqual(try Tensor.zeros([]).flatten().shape, [1])
        XCTAssertEqual(try Tensor.zeros([1, 3, 1]).squeeze().shape, [3])
        XCTAssertEqual(try Tensor.zeros([1, 3, 1]).squeeze(dim: 0).shape, [3, 1])
        XCTAssertEqual(try Tensor.zeros([1, 3, 1]).squeeze(dim: 1).shape, [1, 3, 1])
        XCTAssertEqual(try Tensor.zeros([3, 1]).expand([2, -1, 4]).shape, [2, 3, 4])
        XCTAssertEqual(try Tensor.zeros([3, 1]).expand([2, -1, 4]).strides, [0, 1, 0])
        XCTAssertEqual(try Tensor.zeros([3]).t().shape, [3])
        XCTAssertEqual(try x.unflatten(dim: 2, sizes: [2, -1]).shape, [2, 3, 2, 2])
        C.values(try x.slice(dim: 2, start: -3, end: 100, step: 2).select(dim: 0, index: 1).select(dim: 0, index: 0), [13, 15])
        XCTAssertEqual(try x.slice(dim: 0, start: 5, end: 9).shape, [0, 3, 4])
        XCTAssertEqual(try x.slice(dim: 1, start: 2, end: 1).shape, [2, 0, 4])
        // view of a non-contiguous tensor where the strides allow it.
        let tv = try x.transpose(1, 2).view([2, 4, 3])
        XCTAssertEqual(tv.strides, [12, 1, 4])
        XCTAssertEqual(try x.transpose(0, 1).view([3, 2, 2, 2]).shape, [3, 2, 2, 2])
    }

    func testReshapeCopiesWhenNeeded() throws {
        let x = try range([2, 3])
        let r = try x.t().reshape([6])
        XCTAssertFalse(C.sharesStorage(r, x))
        C.values(r, [0, 3, 1, 4, 2, 5])
        XCTAssertTrue(C.sharesStorage(try x.reshape([3, 2]), x))
        XCTAssertTrue(try x.t().contiguous().isContiguous)
        XCTAssertTrue(try x.contiguous() === x)
    }

    func testViewErrors() throws {
        let x = try range([3, 4])
        C.throwsError(.runtimeError, "shape '[5, -1]' is invalid for input of size 12") { try x.view([5, -1]) }
        C.throwsError(.runtimeError, "shape '[3, 5]' is invalid for input of size 12") { try x.view([3, 5]) }
        C.throwsError(.runtimeError, "only one dimension can be inferred") { try x.view([-1, -1]) }
        C.throwsError(.runtimeError, "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.") {
            try x.t().view([12])
        }
        C.throwsError(.runtimeError, "t() expects a tensor with <= 2 dimensions, but self is 3D") { try Tensor.zeros([1, 2, 3]).t() }
        C.throwsError(.indexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)") { try x.transpose(0, 2) }
        C.throwsError(.runtimeError, "permute(): duplicate dims are not allowed.") { try x.permute([0, 0]) }
        C.throwsError(.runtimeError, "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]") {
            try Tensor.zeros([3]).expand([2, 4])
        }
        C.throwsError(.indexError, "select(): index 3 out of range for tensor of size [3, 4] at dimension 0") { try x.select(dim: 0, index: 3) }
        C.throwsError(.runtimeError, "start (2) + length (3) exceeds dimension size (4).") { try x.narrow(dim: 1, start: 2, length: 3) }
        C.throwsError(.runtimeError, "cannot reshape tensor of 0 elements into shape [-1, 0] because the unspecified dimension size -1 can be any value and is ambiguous") {
            try Tensor.zeros([0]).view([-1, 0])
        }
    }

    func testUnbindSplitChunk() throws {
        let x = try range([4, 3])
        let parts = try x.split(3)
        XCTAssertEqual(parts.map { $0.shape }, [[3, 3], [1, 3]])
        XCTAssertEqual(try x.split(sizes: [1, 2], dim: 1).map { $0.shape }, [[4, 1], [4, 2]])
        XCTAssertEqual(try x.chunk(3, dim: 1).map { $0.shape }, [[4, 1], [4, 1], [4, 1]])
        XCTAssertEqual(try x.chunk(3).map { $0.shape }, [[2, 3], [2, 3]])
        let rows = try x.unbind()
        XCTAssertEqual(rows.count, 4)
        C.values(rows[2], [6, 7, 8])
        XCTAssertTrue(C.sharesStorage(rows[1], x))
        C.throwsError(.runtimeError, "split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size at dimension 1), but got split_sizes=[1, 1]") {
            try x.split(sizes: [1, 1], dim: 1)
        }
    }

    func testCatStack() throws {
        let a = try range([2, 2]), b = try range([2, 3])
        let c = try Tensor.cat([a, b], dim: 1)
        XCTAssertEqual(c.shape, [2, 5])
        C.values(c, [0, 1, 0, 1, 2, 2, 3, 3, 4, 5])
        C.values(try Tensor.cat([a, a], dim: 0), [0, 1, 2, 3, 0, 1, 2, 3])
        C.values(try Tensor.cat([a.t(), a], dim: -1), [0, 2, 0, 1, 1, 3, 2, 3])
        XCTAssertEqual(try Tensor.cat([a, try Tensor.zeros([0])]).shape, [2, 2])
        XCTAssertEqual(try Tensor.cat([a, try Tensor.zeros([2, 2], dtype: .float64)]).dtype, .float64)
        let s = try Tensor.stack([a, a], dim: 1)
        XCTAssertEqual(s.shape, [2, 2, 2])
        C.values(s, [0, 1, 0, 1, 2, 3, 2, 3])
        XCTAssertEqual(try Tensor.stack([a, a], dim: -1).shape, [2, 2, 2])
        C.throwsError(.runtimeError, "Sizes of tensors must match except in dimension 0. Expected size 2 but got size 3 for tensor number 1 in the list.") {
            try Tensor.cat([a, b], dim: 0)
        }
        C.throwsError(.runtimeError, "Tensors must have same number of dimensions: got 2 and 1") { try Tensor.cat([a, try Tensor.zeros([3])]) }
        C.throwsError(.valueError, "torch.cat(): expected a non-empty list of Tensors") { try Tensor.cat([]) }
        C.throwsError(.runtimeError, "stack expects each tensor to be equal size, but got [2, 2] at entry 0 and [2, 3] at entry 1") {
            try Tensor.stack([a, b])
        }
        C.throwsError(.runtimeError, "stack expects a non-empty TensorList") { try Tensor.stack([]) }
    }

    func testGradFnNames() throws {
        let x = try G.leaf([2, 3], seed: 5)
        let cases: [(Tensor, String)] = [
            (try x.view([3, 2]), "ViewBackward0"), (try x.reshape([6]), "ViewBackward0"),
            (try x.t().reshape([6]), "UnsafeViewBackward0"), (try x.t(), "TBackward0"),
            (try x.transpose(0, 1), "TransposeBackward0"), (try x.permute([1, 0]), "PermuteBackward0"),
            (try x.unsqueeze(0), "UnsqueezeBackward0"), (try x.unsqueeze(0).squeeze(), "SqueezeBackward0"),
            (try x.unsqueeze(0).squeeze(dim: 0), "SqueezeBackward1"), (try x.expand([2, 2, 3]), "ExpandBackward0"),
            (try x.flatten(), "ViewBackward0"), (try x.narrow(dim: 0, start: 0, length: 1), "SliceBackward0"),
            (try x.select(dim: 1, index: 0), "SelectBackward0"), (try x.unbind()[0], "UnbindBackward0"),
            (try x.split(1)[0], "SplitBackward0"), (try x.chunk(2, dim: 1)[0], "SplitBackward0"),
            (try Tensor.cat([x, x]), "CatBackward0"), (try Tensor.stack([x, x]), "StackBackward0"),
        ]
        for (t, name) in cases { XCTAssertEqual(t.gradFn?.name, name) }
        XCTAssertEqual(try x.t().reshape([6]).gradFn?.nextFunctions.first??.name, "CloneBackward0")
    }

    func testMatrixTransposeSwapsTheLastTwoDimensions() throws {
        let x = try G.leaf([2, 3, 4], seed: 6)
        let y = try x.matrixTranspose()
        XCTAssertEqual(y.shape, [2, 4, 3])
        XCTAssertEqual(y.strides, [12, 1, 4])
        XCTAssertEqual(y.gradFn?.name, "TransposeBackward0")
        XCTAssertEqual(try G.leaf([2, 3], seed: 7).matrixTranspose("mH").gradFn?.name, "TransposeBackward0")
        let scalar = try Tensor(doubles: [2], shape: [], dtype: .float32)
        XCTAssertTrue(try scalar.matrixTranspose() === scalar)
        C.throwsError(.runtimeError, "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.") {
            try range([3]).matrixTranspose()
        }
    }

    func testViewGradients() throws {
        try G.check([[2, 3, 4]]) { try $0[0].view([4, -1]).mul(try $0[0].view([4, 6])) }
        try G.check([[2, 3, 4]]) { try $0[0].permute([2, 0, 1]).reshape([4, 6]).mul(try $0[0].transpose(0, 2).reshape([4, 6])) }
        try G.check([[3, 4]]) { try $0[0].t().mul(try $0[0].t()) }
        try G.check([[3, 1]]) { try $0[0].expand([2, 3, 4]).mul(try $0[0].unsqueeze(0)) }
        try G.check([[1, 3, 1]]) { try $0[0].squeeze().mul(try $0[0].squeeze(dim: 0).squeeze(dim: -1)) }
        try G.check([[4, 5]]) { try $0[0].slice(dim: 0, start: 1, end: nil, step: 2).mul(try $0[0].narrow(dim: 0, start: 0, length: 2)) }
        try G.check([[4, 5]]) { try $0[0].select(dim: 1, index: 2).add(try $0[0].select(dim: 1, index: -1)) }
        try G.check([[4, 3]]) { xs in
            let u = try xs[0].unbind(dim: 1)
            return try u[0].mul(u[2])
        }
        try G.check([[5, 2]]) { xs in
            let p = try xs[0].split(2)
            return try p[0].mul(p[1]).sum().add(try p[2].sum())
        }
        try G.check([[4, 6]]) { xs in
            let p = try xs[0].chunk(3, dim: 1)
            return try p[0].mul(p[2])
        }
        try G.check([[2, 3], [4, 3]]) { try Tensor.cat([$0[0], $0[1], $0[0]], dim: 0).mul(.int(2)) }
        try G.check([[3, 2], [3, 2]], layout: .transposed) { try Tensor.stack([$0[0], $0[1]], dim: 1) }
        try G.check([[3, 4]], layout: .strided) { try $0[0].flatten().view([2, 6]) }
        try G.check([[3, 4]], layout: .transposed) { try $0[0].reshape([12]) }
    }
}
