import XCTest
@testable import TensorRuntime

final class ReductionTests: XCTestCase {
    typealias C = Check
    typealias G = GradCheck

    private var m: Tensor { get throws { try C.tensor([1, 5, 3, 4, 2, 6], [2, 3]) } }

    func testSumMeanValues() throws {
        let m = try self.m
        C.values(try m.sum(), [21])
        XCTAssertEqual(try m.sum().shape, [])
        C.values(try m.sum(dims: [0]), [5, 7, 9])
        C.values(try m.sum(dims: [1]), [9, 12])
        C.values(try m.sum(dims: [-1], keepdim: true), [9, 12])
        XCTAssertEqual(try m.sum(dims: [1], keepdim: true).shape, [2, 1])
        XCTAssertEqual(try m.sum(dims: [0, 1]).shape, [])
        C.values(try m.mean(), [3.5])
        C.values(try m.mean(dims: [0]), [2.5, 3.5, 4.5])
        C.values(try m.t().sum(dims: [0]), [9, 12])
        C.values(try m.t().mean(dims: [1]), [2.5, 3.5, 4.5])
        // Integer and bool sums give int64.
        let i = try Tensor(doubles: [1, 2, 3], shape: [3], dtype: .int64)
        XCTAssertEqual(try i.sum().dtype, .int64)
        XCTAssertEqual(try i.gt(.int(1)).sum().dtype, .int64)
        C.values(try i.gt(.int(1)).sum(), [2])
        XCTAssertEqual(try i.sum(dtype: .float64).dtype, .float64)
        C.throwsError(.notImplementedError, "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long") {
            try i.mean()
        }
        C.throwsError(.indexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)") { try m.sum(dims: [2]) }
        C.throwsError(.runtimeError, "dim 0 appears multiple times in the list of dims") { try m.sum(dims: [0, -2]) }
        // Empty sums and large sums.
        C.values(try Tensor.zeros([0, 3]).sum(dims: [0]), [0, 0, 0])
        C.values(try Tensor.ones([1000, 1000]).sum(), [1_000_000])
        C.values(try Tensor.ones([3, 1000]).sum(dims: [0]).sum(), [3000])
    }

    func testVarStd() throws {
        let m = try self.m
        C.values(try m.var(), [3.5])
        C.values(try m.var(correction: 0), [35.0 / 12])
        C.values(try m.var(dims: [1]), [4, 4])
        C.values(try m.std(dims: [0]), [2.12132034, 2.12132034, 2.12132034])
        C.values(try m.std(dims: [0], unbiased: false), [1.5, 1.5, 1.5])
        C.values(try m.var(dims: [1], keepdim: true), [4, 4])
        XCTAssertEqual(try m.var(dims: [1], keepdim: true).shape, [2, 1])
    }

    func testMaxMinArgmax() throws {
        let m = try self.m
        C.values(try m.max(), [6])
        C.values(try m.min(), [1])
        let (v, i) = try m.max(dim: 1)
        C.values(v, [5, 6]); C.values(i, [1, 2])
        XCTAssertEqual(i.dtype, .int64)
        let (v0, i0) = try m.min(dim: 0, keepdim: true)
        XCTAssertEqual(v0.shape, [1, 3])
        C.values(v0, [1, 2, 3]); C.values(i0, [0, 1, 0])
        C.values(try m.argmax(), [5])
        C.values(try m.argmin(dim: 1), [0, 1])
        XCTAssertEqual(try m.argmax(dim: 0, keepdim: true).shape, [1, 3])
        // First occurrence on ties; NaN wins.
        C.values(try C.tensor([1, 3, 3]).argmax(), [1])
        C.values(try C.tensor([1, .nan, 3]).max(), [.nan])
        C.values(try C.tensor([1, .nan, 3]).argmax(), [1])
        C.values(try C.tensor([2, 1]).t().max(dim: 0).values, [2])
        C.values(try C.tensor([4, 7, 1]).amax(), [7])
        C.throwsError(.runtimeError, "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.") {
            try Tensor.zeros([0]).max()
        }
        C.throwsError(.indexError, "max(): Expected reduction dim 0 to have non-zero size.") { try Tensor.zeros([0, 2]).max(dim: 0) }
    }

    func testProdAllAnyNorm() throws {
        C.values(try C.tensor([1, 2, 3, 4], [2, 2]).prod(), [24])
        C.values(try C.tensor([1, 2, 3, 4], [2, 2]).prod(dims: [0]), [3, 8])
        let b = try C.tensor([1, 0, 1, 1], [2, 2]).gt(.int(0))
        C.values(try b.all(), [0]); C.values(try b.any(), [1])
        C.values(try b.all(dims: [1]), [0, 1])
        C.values(try C.tensor([3, 4]).norm(), [5])
        C.values(try C.tensor([3, -4]).norm(p: 1), [7])
        C.values(try C.tensor([3, 4, 1, 1], [2, 2]).norm(dims: [1]), [5, 1.41421356])
    }

    func testGradFnNames() throws {
        let x = try G.leaf([2, 3], seed: 3)
        XCTAssertEqual(try x.sum().gradFn?.name, "SumBackward0")
        XCTAssertEqual(try x.sum(dims: [0]).gradFn?.name, "SumBackward1")
        XCTAssertEqual(try x.mean().gradFn?.name, "MeanBackward0")
        XCTAssertEqual(try x.mean(dims: [1]).gradFn?.name, "MeanBackward1")
        XCTAssertEqual(try x.var().gradFn?.name, "VarBackward0")
        XCTAssertEqual(try x.std().gradFn?.name, "StdBackward0")
        XCTAssertEqual(try x.max().gradFn?.name, "MaxBackward1")
        XCTAssertEqual(try x.max(dim: 0).values.gradFn?.name, "MaxBackward0")
        XCTAssertEqual(try x.min(dim: 0).values.gradFn?.name, "MinBackward0")
        XCTAssertEqual(try x.prod().gradFn?.name, "ProdBackward0")
        XCTAssertEqual(try x.norm().gradFn?.name, "LinalgVectorNormBackward0")
        XCTAssertNil(try x.max(dim: 0).indices.gradFn)
        XCTAssertNil(try x.argmax().gradFn)
    }

    func testGradients() throws {
        try G.check([[2, 3, 4]]) { try $0[0].sum() }
        try G.check([[2, 3, 4]]) { try $0[0].sum(dims: [0, 2]) }
        try G.check([[2, 3, 4]]) { try $0[0].sum(dims: [1], keepdim: true) }
        try G.check([[2, 3, 4]]) { try $0[0].mean(dims: [-1]) }
        try G.check([[2, 3, 4]]) { try $0[0].mean() }
        try G.check([[3, 4]]) { try $0[0].var() }
        try G.check([[3, 4]]) { try $0[0].var(dims: [0], correction: 0, keepdim: true) }
        try G.check([[3, 4]]) { try $0[0].std(dims: [1]) }
        try G.check([[3, 4]]) { try $0[0].std() }
        try G.check([[3, 4]]) { try $0[0].max() }
        try G.check([[3, 4]]) { try $0[0].min() }
        try G.check([[3, 4]]) { try $0[0].max(dim: 1).values }
        try G.check([[3, 4]]) { try $0[0].min(dim: 0, keepdim: true).values }
        try G.check([[3, 4]]) { try $0[0].amax(dims: [0]) }
        try G.check([[2, 3]], range: 0.5...2) { try $0[0].prod() }
        try G.check([[2, 3]]) { try $0[0].prod(dims: [1]) }
        try G.check([[2, 3]]) { try $0[0].norm() }
        try G.check([[2, 3]]) { try $0[0].norm(p: 3, dims: [1]) }
        // Non-contiguous inputs.
        try G.check([[3, 4]], layout: .transposed) { try $0[0].sum(dims: [0]) }
        try G.check([[3, 4]], layout: .transposed) { try $0[0].var(dims: [1]) }
        try G.check([[3, 4]], layout: .strided) { try $0[0].max(dim: 0).values }
        try G.check([[3, 4]], layout: .strided) { try $0[0].mean(dims: [1]) }
    }

    func testProdGradientWithZeros() throws {
        let x = try Tensor(doubles: [2, 0, 3, 0, 0, 5], shape: [2, 3], dtype: .float64)
        try x.setRequiresGrad(true)
        try x.prod(dims: [1]).sum().backward()
        C.values(try XCTUnwrap(x.grad), [0, 6, 0, 0, 0, 0])
    }

    func testMaxAllSplitsTies() throws {
        let x = try Tensor(doubles: [1, 3, 3], shape: [3], dtype: .float64)
        try x.setRequiresGrad(true)
        try x.max().backward()
        C.values(try XCTUnwrap(x.grad), [0, 0.5, 0.5])
    }
}
