import XCTest
@testable import TensorRuntime

/// A first gradient is adopted as `.grad` without a copy only when nothing else can see its
/// storage: a view whose base nobody else holds (linear's weight gradient) is adopted; a view
/// whose base is still referenced, or a gradient a hook kept, is copied.
final class GradAdoptionTests: XCTestCase {
    func testViewWithUnsharedBaseIsAdopted() throws {
        let leaf = try KernelTest.random([3, 2], seed: 1)
        var g = try Tensor(doubles: [1, 2, 3, 4, 5, 6], shape: [3, 2], dtype: .float64).makeView([3, 2], [2, 1], 0)
        let address = g.storage.pointer(Double.self)   // not the storage: holding it would share it
        try accumulate(&g, into: leaf)
        XCTAssertEqual(leaf.grad?.storage.pointer(Double.self), address)
        XCTAssertNil(leaf.grad?.base)
        XCTAssertEqual(leaf.grad?.toDoubles(), [1, 2, 3, 4, 5, 6])
    }

    func testViewWithReferencedBaseIsCopied() throws {
        let leaf = try KernelTest.random([3, 2], seed: 1)
        let root = try Tensor(doubles: [1, 2, 3, 4, 5, 6], shape: [3, 2], dtype: .float64)
        var g = root.makeView([3, 2], [2, 1], 0)
        try accumulate(&g, into: leaf)
        XCTAssertFalse(leaf.grad?.storage === root.storage)
        XCTAssertEqual(leaf.grad?.toDoubles(), [1, 2, 3, 4, 5, 6])
        _ = try leaf.grad?.mulInPlace(.double(2))
        XCTAssertEqual(root.toDoubles(), [1, 2, 3, 4, 5, 6])
    }

    func testLinearWeightGradientAdoptedAndAccumulated() throws {
        let x = try KernelTest.random([5, 4], seed: 2, requiresGrad: false)
        let w = try KernelTest.random([3, 4], seed: 3), b = try KernelTest.random([3], seed: 4)
        try Functional.linear(x, weight: w, bias: b).sum().backward()
        let first = try XCTUnwrap(w.grad)
        XCTAssertNil(first.base)
        XCTAssertEqual(first.storage.count, first.numel)
        // gW = gᵀ·x with g all ones: each row is x's column sums.
        let columnSums = (0..<4).map { j in (0..<5).reduce(0.0) { $0 + x.toDoubles()[$1 * 4 + j] } }
        KernelTest.assertClose(first, Array(repeating: columnSums, count: 3).flatMap { $0 }, tol: 1e-12)
        try Functional.linear(x, weight: w, bias: b).sum().backward()
        KernelTest.assertClose(try XCTUnwrap(w.grad), Array(repeating: columnSums.map { 2 * $0 }, count: 3).flatMap { $0 }, tol: 1e-12)
        try GradCheck.check(inputs: [w, b]) { ws in try Functional.linear(x, weight: ws[0], bias: ws[1]) }
    }

    func testGradientKeptByHookIsCopied() throws {
        let x = try KernelTest.random([5, 4], seed: 2, requiresGrad: false)
        let w = try KernelTest.random([3, 4], seed: 3)
        var seen: Tensor?
        _ = try GradHook.register(on: w) { g in seen = g; return nil }
        try Functional.linear(x, weight: w).sum().backward()
        let kept = try XCTUnwrap(seen), grad = try XCTUnwrap(w.grad)
        XCTAssertFalse(kept.storage === grad.storage)
        let before = kept.toDoubles()
        _ = try grad.mulInPlace(.double(0))
        XCTAssertEqual(kept.toDoubles(), before)
    }
}
