import XCTest
@testable import TensorRuntime

/// In-place operations on views (CopySlices / AsStridedBackward0 rebasing), memory-overlap
/// checks, shared version counters, and `Autograd.grad` / `Autograd.backward`.
/// Expected names and messages are PyTorch 2.15's.
final class ViewInPlaceAutogradTests: XCTestCase {
    typealias C = Check
    typealias G = GradCheck

    private func nextNames(_ node: Node?) -> [String?] { node?.nextFunctions.map { $0?.name } ?? [] }
    private let all = TensorIndex.slice(start: nil, stop: nil, step: nil)

    // MARK: - rebasing

    func testSetItemOnNonLeafGivesCopySlices() throws {
        let x = try G.leaf([3, 4], seed: 1)
        let y = try x.mul(.int(2))
        try y.indexPut([all, .int(0)], .int(0))
        XCTAssertEqual(y.gradFn?.name, "CopySlices")
        XCTAssertEqual(nextNames(y.gradFn), ["MulBackward0"])
        try y.sum().backward()
        C.values(try XCTUnwrap(x.grad), [0, 2, 2, 2, 0, 2, 2, 2, 0, 2, 2, 2])
        // A tensor value that needs no grad: CopyBackwards inside (a None edge).
        let y2 = try x.mul(.int(2))
        try y2.indexPut([all, .int(0)], try Tensor.zeros([3], dtype: .float64))
        XCTAssertEqual(nextNames(y2.gradFn), ["MulBackward0", nil])
        // A trivial subscript writes into the tensor itself.
        let y3 = try x.mul(.int(2))
        try y3.indexPut([.ellipsis], .int(1))
        XCTAssertEqual(y3.gradFn?.name, "FillBackward2")
        let y4 = try x.mul(.int(2))
        try y4.indexPut([all], try Tensor.ones([3, 4], dtype: .float64))
        XCTAssertEqual(y4.gradFn?.name, "CopyBackwards")
    }

    func testInPlaceOnSelectViewRebasesBaseAndView() throws {
        let x = try G.leaf([3, 4], seed: 2)
        let y = try x.mul(.int(2))
        let v = try y.select(dim: 0, index: 0)
        XCTAssertEqual(v.gradFn?.name, "SelectBackward0")
        try v.mulInPlace(.int(2))
        XCTAssertEqual(y.gradFn?.name, "CopySlices")
        XCTAssertEqual(nextNames(y.gradFn), ["MulBackward0", nil])
        XCTAssertEqual(v.gradFn?.name, "AsStridedBackward0")
        XCTAssertTrue(v.gradFn?.nextFunctions.first??.name == "CopySlices")
        XCTAssertTrue(v.gradFn?.nextFunctions.first ?? nil === y.gradFn)
        XCTAssertEqual(v.version, 1)
        XCTAssertEqual(y.version, 1)
        try y.sum().backward()
        C.values(try XCTUnwrap(x.grad), [4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2])
    }

    func testViewReshapeAddOnNonLeaf() throws {
        let x = try G.leaf([3, 4], seed: 3)
        let y = try x.mul(.int(2))
        let v = try y.view([12])
        try v.addInPlace(.int(1))
        XCTAssertEqual(y.gradFn?.name, "CopySlices")
        XCTAssertEqual(v.gradFn?.name, "AsStridedBackward0")
        XCTAssertTrue(v.base === y)
        C.values(v, x.toDoubles().map { 2 * $0 + 1 })
    }

    /// Finite differences through every kind of view, modified in place with a differentiable op,
    /// then read both through the base and through the view.
    func testGradientsThroughInPlaceOnEveryViewKind() throws {
        let makers: [(String, (Tensor) throws -> Tensor)] = [
            ("t", { try $0.t() }), ("transpose", { try $0.transpose(0, 1) }), ("permute", { try $0.permute([1, 0]) }),
            ("unsqueeze", { try $0.unsqueeze(0) }), ("squeeze", { try $0.unsqueeze(1).squeeze() }),
            ("narrow", { try $0.narrow(dim: 1, start: 1, length: 2) }), ("select", { try $0.select(dim: 0, index: 1) }),
            ("slice", { try $0.slice(dim: 0, start: 1) }), ("step", { try $0.slice(dim: 1, start: nil, end: nil, step: 2) }),
            ("view", { try $0.view([2, 6]) }), ("reshape", { try $0.reshape([6, 2]) }), ("flatten", { try $0.flatten() }),
            ("index", { try $0.index([.int(1), .slice(start: 1, stop: 3, step: nil)]) }),
            ("alias", { try $0.index([.ellipsis]) }), ("view of view", { try $0.t().select(dim: 0, index: 2) }),
        ]
        for (_, make) in makers {
            // Through the base.
            try G.check([[3, 4], [3, 4]]) { xs in
                let y = try xs[0].mul(xs[1])
                let v = try make(y)
                try v.mulInPlace(try make(xs[1]).add(.int(1)))
                try v.addInPlace(try make(xs[1]).exp())
                return try y.mul(y)
            }
            // Through the (regenerated) view, with the other operand also requiring grad.
            try G.check([[3, 4], [3, 4]]) { xs in
                let y = try xs[0].mul(.int(3))
                let v = try make(y)
                try v.mulInPlace(try make(xs[1]))
                return try v.mul(v).sum().add(try y.sum())
            }
        }
    }

    func testUnaryInPlaceOnViewAndPlainBase() throws {
        try G.check([[2, 3]]) { xs in
            let y = try xs[0].mul(.int(2))
            try y.select(dim: 0, index: 1).expInPlace()
            try y.slice(dim: 1, start: 0, end: 2).sigmoidInPlace()
            return y
        }
        // A base that needs no grad becomes part of the graph when a view receives one.
        let w = try G.leaf([2], seed: 9)
        let b = try Tensor.zeros([3], dtype: .float64)
        try b.slice(dim: 0, start: 0, end: 2).addInPlace(w)
        XCTAssertEqual(b.gradFn?.name, "CopySlices")
        XCTAssertEqual(nextNames(b.gradFn), [nil, "AccumulateGrad"])
        XCTAssertFalse(b.isLeaf)
        try b.mul(try C.tensor([1, 2, 3], nil, .float64)).sum().backward()
        C.values(try XCTUnwrap(w.grad), [1, 2])
        try G.check([[2]]) { xs in
            let base = try Tensor.ones([2, 3], dtype: .float64)
            try base.select(dim: 1, index: 1).mulInPlace(xs[0])
            return base
        }
    }

    func testOverwritesCutTheGradient() throws {
        let x = try G.leaf([2, 3], seed: 10)
        let cases: [(String, (Tensor) throws -> Void)] = [
            ("FillBackward2", { try $0.fillInPlace(.int(2)) }), ("ZeroBackward0", { try $0.zeroInPlace() }),
            ("UniformBackward0", { try $0.uniformInPlace() }), ("NormalBackward0", { try $0.normalInPlace() }),
            ("BernoulliBackward2", { try $0.bernoulliInPlace(p: 0.5) }),
        ]
        for (name, op) in cases {
            let y = try x.mul(.int(2))
            try op(y)
            XCTAssertEqual(y.gradFn?.name, name)
            let z = try x.mul(.int(2))
            try op(try z.select(dim: 0, index: 1))
            XCTAssertEqual(z.gradFn?.name, "CopySlices")
            x.grad = nil
            try z.sum().backward()
            C.values(try XCTUnwrap(x.grad), [2, 2, 2, 0, 0, 0])
        }
    }

    func testViewsRegenerateAfterBaseOrSiblingChanges() throws {
        let x = try G.leaf([3, 4], seed: 11)
        let y = try x.mul(.int(2))
        let v1 = try y.select(dim: 0, index: 0), v2 = try y.select(dim: 0, index: 1)
        try v2.addInPlace(.int(1))
        XCTAssertEqual(v1.gradFn?.name, "AsStridedBackward0")
        XCTAssertEqual(v2.gradFn?.name, "AsStridedBackward0")
        let y2 = try x.mul(.int(2))
        let w = try y2.select(dim: 0, index: 0)
        try y2.addInPlace(.int(1))
        XCTAssertEqual(y2.gradFn?.name, "AddBackward0")
        XCTAssertEqual(w.gradFn?.name, "AsStridedBackward0")
        XCTAssertEqual(nextNames(w.gradFn), ["AddBackward0"])
        // The base's later in-place op is part of the view's gradient.
        try G.check([[2, 3]]) { xs in
            let y = try xs[0].mul(.int(2))
            let v = try y.select(dim: 0, index: 1)
            try y.mulInPlace(xs[0].add(.int(3)))
            return try v.mul(v)
        }
        // An expanded view of a modified base sums the gradients of the positions it repeats.
        try G.check([[3]]) { xs in
            let y = try xs[0].mul(.int(2))
            let e = try y.expand([2, 3])
            try y.mulInPlace(xs[0])
            if GradMode.isEnabled { XCTAssertEqual(e.gradFn?.name, "AsStridedBackward0") }
            return try e.mul(e)
        }
    }

    // MARK: - refusals

    func testLeafAndViewOfLeafErrors() throws {
        let x = try G.leaf([3, 4], seed: 12)
        let leaf = "a leaf Variable that requires grad is being used in an in-place operation."
        C.throwsError(.runtimeError, leaf) { try x.addInPlace(.int(1)) }
        C.throwsError(.runtimeError, "a view of \(leaf)") { try x.select(dim: 0, index: 0).addInPlace(.int(1)) }
        C.throwsError(.runtimeError, "a view of \(leaf)") { try x.view([12]).addInPlace(.int(1)) }
        C.throwsError(.runtimeError, "a view of \(leaf)") { try x.indexPut([.int(0)], .int(1)) }
        C.throwsError(.runtimeError, leaf) { try x.indexPut([.ellipsis], .int(1)) }
        C.throwsError(.runtimeError, leaf) { try x.indexPut([.tensor(try Tensor(doubles: [0], shape: [1], dtype: .int64))], .int(1)) }
        try GradMode.withNoGrad { try x.indexPut([.int(0)], .int(1)) }
        XCTAssertTrue(x.isLeaf)
    }

    func testNoGradAndMultiOutputViewErrors() throws {
        let x = try G.leaf([3, 4], seed: 13)
        let y = try x.mul(.int(2))
        let v = try GradMode.withNoGrad { try y.slice(dim: 0, start: 0, end: 2) }
        XCTAssertTrue(v.requiresGrad)
        XCTAssertNil(v.gradFn)
        let tail = " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."
        C.throwsError(.runtimeError, "A view was created in no_grad mode and is being modified inplace with grad mode enabled." + tail) {
            try v.addInPlace(.int(1))
        }
        C.throwsError(.runtimeError, "Output 0 of Select is a view of a view which was created in no_grad mode and is being modified inplace with grad mode enabled." + tail) {
            try v.select(dim: 0, index: 0).addInPlace(.int(1))
        }
        try y.addInPlace(.int(1))
        C.throwsError(.runtimeError, "A view was created in no_grad mode and its base or another view of its base has been modified inplace with grad mode enabled." + tail) {
            try v.checkedGradFn()
        }
        let multi = " This view is the output of a function that returns multiple views. Such functions do not allow the output views to be modified inplace. You should replace the inplace operation by an out-of-place one."
        let z = try x.mul(.int(2))
        let parts = try z.unbind(dim: 0)
        C.throwsError(.runtimeError, "Output 1 of Unbind is a view and is being modified inplace." + multi) { try parts[1].mulInPlace(.int(3)) }
        C.throwsError(.runtimeError, "Output 1 of Split is a view and is being modified inplace." + multi) { try z.split(2)[1].mulInPlace(.int(3)) }
        C.throwsError(.runtimeError, "Output 0 of Split is a view and is being modified inplace." + multi) { try z.chunk(2, dim: 1)[0].zeroInPlace() }
        C.throwsError(.runtimeError, "Output 0 of Slice is a view and is being modified inplace." + multi) {
            try parts[1].slice(dim: 0, start: 0, end: 2).addInPlace(.int(1))
        }
        try z.addInPlace(.int(1))
        C.throwsError(.runtimeError, "Output 0 of Unbind is a view and its base or another view of its base has been modified inplace." + multi) {
            try parts[0].checkedGradFn()
        }
        // Without autograd those views are writable.
        let plain = try Tensor.zeros([2, 2])
        try plain.unbind(dim: 0)[1].addInPlace(.int(1))
        C.values(plain, [0, 0, 1, 1])
    }

    func testMemoryOverlapErrors() throws {
        let selfOverlap = "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation."
        let partial = "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation."
        let e = try Tensor.zeros([3]).expand([2, 3])
        C.throwsError(.runtimeError, selfOverlap) { try e.addInPlace(.int(1)) }
        C.throwsError(.runtimeError, selfOverlap) { try e.mulInPlace(.int(2)) }
        C.throwsError(.runtimeError, selfOverlap) { try e.expInPlace() }
        C.throwsError(.runtimeError, selfOverlap) { try e.copyInPlace(from: try Tensor.ones([2, 3])) }
        C.throwsError(.runtimeError, selfOverlap) { try e.uniformInPlace() }
        C.throwsError(.runtimeError, selfOverlap) { try GradMode.withNoGrad { try e.subInPlace(try Tensor.ones([3])) } }
        try e.fillInPlace(.int(1))
        try e.zeroInPlace()
        try e.indexPut([.int(0)], .int(5))
        C.values(e, [5, 5, 5, 5, 5, 5])
        let a = try Tensor.arange(.int(6), dtype: .float32)
        C.throwsError(.runtimeError, partial) { try a.slice(dim: 0, start: 1).copyInPlace(from: try a.slice(dim: 0, end: -1)) }
        C.throwsError(.runtimeError, partial) { try a.slice(dim: 0, start: 1).addInPlace(try a.slice(dim: 0, end: -1)) }
        C.throwsError(.runtimeError, partial) { try a.slice(dim: 0, start: 1).indexPut([.ellipsis], try a.slice(dim: 0, end: -1)) }
        C.throwsError(.runtimeError, partial) { try a.view([3, 2]).t().addInPlace(try a.view([2, 3])) }
        C.values(a, [0, 1, 2, 3, 4, 5])
        try a.addInPlace(a)
        try a.slice(dim: 0, end: 3).addInPlace(try a.slice(dim: 0, start: 3))
        C.values(a, [6, 10, 14, 6, 8, 10])
    }

    // MARK: - versions

    func testVersionsAreSharedByViewsAndDetach() throws {
        let x = try G.leaf([2, 3], seed: 14)
        let y = try x.mul(.int(2))
        let v = try y.select(dim: 0, index: 1)
        let saved = try v.mul(v)  // saves the view
        try y.select(dim: 0, index: 0).addInPlace(.int(1))
        XCTAssertEqual(v.version, 1)
        C.throwsError(.runtimeError, "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.DoubleTensor [3]], which is output 0 of AsStrided, is at version 1; expected version 0 instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).") {
            try saved.sum().backward()
        }
        let z = try x.mul(.int(2))
        let p = try z.pow(.int(2))
        let d = z.detach()
        XCTAssertNil(d.base)
        try d.addInPlace(.int(1))
        XCTAssertEqual(z.version, 1)
        C.throwsError(.runtimeError, "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.DoubleTensor [2, 3]], which is output 0 of Mul, is at version 1; expected version 0 instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).") {
            try p.sum().backward()
        }
        XCTAssertEqual(z.detached().version, 0)  // `.data` has a counter of its own
    }

    // MARK: - advanced setitem

    func testAdvancedSetItemNamesAndGradients() throws {
        let x = try G.leaf([3, 4], seed: 15)
        let idx = try Tensor(doubles: [0, 2], shape: [2], dtype: .int64)
        let mask = try Tensor(doubles: [1, 0, 1], shape: [3], dtype: .bool)
        let cases: [(String, [String?], (Tensor) throws -> Void)] = [
            ("IndexFillBackward0", ["MulBackward0"], { try $0.indexPut([.tensor(idx)], .int(0)) }),
            ("MaskedFillBackward0", ["MulBackward0"], { try $0.indexPut([.tensor(mask)], .int(0)) }),
            ("IndexPutBackward0", ["MulBackward0", nil], { try $0.indexPut([.tensor(idx)], try Tensor.ones([4], dtype: .float64)) }),
            ("IndexPutBackward0", ["MulBackward0", nil], { try $0.indexPut([.tensor(idx), .tensor(idx)], .int(0)) }),
            ("IndexFillBackward0", ["MulBackward0"], { try $0.indexPut([.ellipsis, .tensor(idx)], .int(0)) }),
            ("CopySlices", ["MulBackward0"], { try $0.indexPut([.int(0), .tensor(idx)], .int(0)) }),
        ]
        for (name, next, op) in cases {
            let y = try x.mul(.int(2))
            try op(y)
            XCTAssertEqual(y.gradFn?.name, name)
            XCTAssertEqual(nextNames(y.gradFn), next)
        }
        try G.check([[3, 4], [2, 4]]) { xs in
            let y = try xs[0].mul(.int(2))
            try y.indexPut([.tensor(idx)], xs[1])
            return try y.mul(y)
        }
        try G.check([[3, 4], [1, 2]]) { xs in
            let y = try xs[0].mul(.int(2))
            try y.indexPut([.int(1), .tensor(idx)], xs[1])
            try y.indexPut([all, .int(3)], try xs[1].sum())
            return try y.mul(y)
        }
    }

    // MARK: - autograd.grad / backward

    func testAutogradGrad() throws {
        let x = try C.tensor([1, 2, 3], nil, .float64), w = try C.tensor([0.5, 0.5, 0.5], nil, .float64)
        try x.setRequiresGrad(true); try w.setRequiresGrad(true)
        let y = try x.mul(x).mul(w).sum()
        let g = try Autograd.grad(outputs: [y], inputs: [x, w], retainGraph: true)
        C.values(try XCTUnwrap(g[0]), [1, 2, 3])
        C.values(try XCTUnwrap(g[1]), [1, 4, 9])
        XCTAssertNil(x.grad)
        XCTAssertNil(w.grad)
        // Several outputs; a non-leaf input; a duplicated input.
        let g2 = try Autograd.grad(outputs: [y, try x.mul(.int(3)).sum()], inputs: [x])
        C.values(try XCTUnwrap(g2[0]), [4, 5, 6])
        let z = try x.mul(.int(2))
        let u = try z.exp().sum()
        let gz = try Autograd.grad(outputs: [u], inputs: [z, x, z])
        C.values(try XCTUnwrap(gz[0]), [2, 4, 6].map { Foundation.exp($0) })
        C.values(try XCTUnwrap(gz[1]), [2, 4, 6].map { 2 * Foundation.exp($0) })
        XCTAssertNil(z.grad)
        XCTAssertThrowsError(try Autograd.grad(outputs: [u], inputs: [x]))  // graph freed
        // grad_outputs
        let g3 = try Autograd.grad(outputs: [try x.mul(.int(2))], inputs: [x], gradOutputs: [try C.tensor([1, 2, 3], nil, .float64)])
        C.values(try XCTUnwrap(g3[0]), [2, 4, 6])
        // Unused inputs.
        let q = try C.tensor([1], nil, .float64)
        try q.setRequiresGrad(true)
        C.throwsError(.runtimeError, "The differentiated Tensor at index 1 appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.") {
            try Autograd.grad(outputs: [try x.mul(.int(2)).sum()], inputs: [x, q])
        }
        let g4 = try Autograd.grad(outputs: [try x.mul(.int(2)).sum()], inputs: [x, q], allowUnused: true)
        XCTAssertNil(g4[1])
        let g5 = try Autograd.grad(outputs: [try x.mul(.int(2)).sum()], inputs: [x, q], materializeGrads: true)
        C.values(try XCTUnwrap(g5[1]), [0])
        // PyTorch's errors.
        C.throwsError(.runtimeError, "element 0 of tensors does not require grad and does not have a grad_fn") {
            try Autograd.grad(outputs: [try Tensor.ones([2]).sum()], inputs: [x])
        }
        C.throwsError(.runtimeError, "One of the differentiated Tensors does not require grad") {
            try Autograd.grad(outputs: [try x.mul(.int(2)).sum()], inputs: [try Tensor.ones([2])])
        }
        C.throwsError(.runtimeError, "grad can be implicitly created only for scalar outputs") {
            try Autograd.grad(outputs: [try x.mul(.int(2))], inputs: [x])
        }
        C.throwsError(.runtimeError, "Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a shape of torch.Size([3]).") {
            try Autograd.grad(outputs: [try x.mul(.int(2))], inputs: [x], gradOutputs: [try Tensor.ones([2], dtype: .float64)])
        }
        C.throwsError(.runtimeError, "`inputs` argument to `grad()` cannot be empty.") {
            try Autograd.grad(outputs: [try x.mul(.int(2)).sum()], inputs: [])
        }
        // create_graph: the gradient 3x² has a graph of its own; its gradient is 6x.
        let cubed = try XCTUnwrap(try Autograd.grad(outputs: [try x.pow(.int(3)).sum()], inputs: [x], createGraph: true)[0])
        C.values(cubed, [3, 12, 27])
        XCTAssertTrue(cubed.requiresGrad)
        C.values(try XCTUnwrap(try Autograd.grad(outputs: [try cubed.sum()], inputs: [x])[0]), [6, 12, 18])
        // The output itself as input, and a retained non-leaf.
        let g6 = try Autograd.grad(outputs: [x], inputs: [x], gradOutputs: [try Tensor.ones([3], dtype: .float64)])
        C.values(try XCTUnwrap(g6[0]), [1, 1, 1])
        let r = try x.mul(.int(2))
        try r.retainGrad()
        _ = try Autograd.grad(outputs: [try r.exp().sum()], inputs: [x])
        C.values(try XCTUnwrap(r.grad), [2, 4, 6].map { Foundation.exp($0) })
        XCTAssertNil(x.grad)
    }

    func testAutogradBackward() throws {
        let x = try C.tensor([1, 2, 3], nil, .float64), w = try C.tensor([0.5, 0.5, 0.5], nil, .float64)
        try x.setRequiresGrad(true); try w.setRequiresGrad(true)
        try Autograd.backward([try x.mul(.int(2)).sum(), try x.mul(x).sum()], gradients: [nil, nil])
        C.values(try XCTUnwrap(x.grad), [4, 6, 8])
        try Autograd.backward([try x.mul(w).sum()], gradients: [nil], inputs: [w])
        C.values(try XCTUnwrap(x.grad), [4, 6, 8])
        C.values(try XCTUnwrap(w.grad), [1, 2, 3])
        try x.mul(w).sum().backward(inputs: [x])
        C.values(try XCTUnwrap(x.grad), [4.5, 6.5, 8.5])
        C.values(try XCTUnwrap(w.grad), [1, 2, 3])
        C.throwsError(.runtimeError, "element 0 of tensors does not require grad and does not have a grad_fn") {
            try Autograd.backward([try Tensor.ones([1]).sum()], gradients: [nil])
        }
    }
}
