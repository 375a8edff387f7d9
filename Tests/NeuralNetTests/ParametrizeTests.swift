import XCTest
@testable import NeuralNet
import TensorRuntime

/// `torch.nn.utils.parametrize` on a Linear: the original's keys, the repr, recomputation on
/// every read, right inverses on assignment, caching, removal, and weight_norm's two originals
/// (float64 finite differences through the parametrized weight).
final class ParametrizeTests: XCTestCase {
    /// `X.triu() + X.triu(1).transpose(-1, -2)`, with a right inverse keeping the upper triangle.
    final class Symmetric: Module, RightInvertible {
        var calls = 0
        override var typeName: String { "Symmetric" }
        override func forward(_ input: Tensor) throws -> Tensor {
            calls += 1
            return try input.triu().add(try input.triu(diagonal: 1).transpose(-1, -2))
        }
        func rightInverse(_ value: Tensor) throws -> RightInverseResult { .tensor(try value.triu()) }
    }

    func testSymmetricLinear() throws {
        let layer = try Linear(3, 3)
        let originalWeight = try XCTUnwrap(layer.parameter("weight"))
        let sym = Symmetric()
        try layer.registerParametrization("weight", sym, unsafe: false)
        XCTAssertTrue(layer.isParametrized("weight"))
        XCTAssertFalse(layer.isParametrized("bias"))
        XCTAssertEqual(layer.namedParameters().map(\.0), ["bias", "parametrizations.weight.original"])
        XCTAssertTrue(layer.namedParameters()[1].1 === originalWeight, "the Parameter object is kept as original")
        XCTAssertEqual(layer.description, """
        ParametrizedLinear(
          in_features=3, out_features=3, bias=True
          (parametrizations): ModuleDict(
            (weight): ParametrizationList(
              (0): Symmetric()
            )
          )
        )
        """)
        let w = try XCTUnwrap(try layer.parametrizedValue("weight"))
        XCTAssertEqual(w.toDoubles(), try w.t().contiguous().toDoubles())
        let before = sym.calls
        _ = try layer.parametrizedValue("weight")
        XCTAssertEqual(sym.calls, before + 1, "recomputed on every read")
        ParametrizeCache.enter()
        _ = try layer.parametrizedValue("weight")
        _ = try layer.parametrizedValue("weight")
        ParametrizeCache.exit()
        XCTAssertEqual(sym.calls, before + 2, "computed once inside cached()")

        let target = try Tensor(doubles: [1, 2, 3, 2, 4, 5, 3, 5, 6], shape: [3, 3], dtype: .float32)
        XCTAssertTrue(try layer.assignParametrized("weight", target))
        XCTAssertEqual(try layer.parametrizedValue("weight")?.toDoubles(), target.toDoubles())

        try layer.removeParametrizations("weight", leaveParametrized: true)
        XCTAssertFalse(layer.isParametrized())
        XCTAssertEqual(layer.namedParameters().map(\.0), ["bias", "weight"])
        XCTAssertEqual(layer.parameter("weight")?.toDoubles(), target.toDoubles())
        XCTAssertEqual(layer.description, "Linear(in_features=3, out_features=3, bias=True)")
        assertTorchError(.valueError, "Module Linear(in_features=3, out_features=3, bias=True) does not have a parametrization on weight") {
            try layer.removeParametrizations("weight", leaveParametrized: true)
        }
        assertTorchError(.valueError, "Module 'Linear(in_features=3, out_features=3, bias=True)' does not have a parameter, a buffer, or a parametrized element with name 'kernel'") {
            try layer.registerParametrization("kernel", Symmetric(), unsafe: false)
        }
    }

    func testWeightNormOriginalsAndGradients() throws {
        let layer = try Linear(3, 2)
        try layer.registerParametrization("weight", WeightNormParametrization(dim: 0), unsafe: true)
        XCTAssertEqual(layer.namedParameters().map(\.0), ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"])
        let list = try XCTUnwrap(try layer.parametrizationDict?.item("weight") as? ParametrizationList)
        XCTAssertEqual(list.originals.map(\.shape), [[2, 1], [2, 3]])
        let g = try Tensor(doubles: [1.5, -0.5], shape: [2, 1], dtype: .float64)
        let v = try Tensor(doubles: [3, 4, 0, 1, 2, 2], shape: [2, 3], dtype: .float64)
        let w = try WeightNormParametrization(dim: 0).forward(arguments: [g, v], keywords: [])
        let values = try XCTUnwrap(ModuleValueBridge.tensor(from: w)).toDoubles()
        for (a, b) in zip(values, [0.9, 1.2, 0, -0.5 / 3, -1 / 3.0, -1 / 3.0]) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        // d/dg and d/dv of sum(w²) against central differences in float64.
        func loss(_ g: Tensor, _ v: Tensor) throws -> Tensor {
            let out = try WeightNormParametrization(dim: 0).forward(arguments: [g, v], keywords: [])
            guard let t = ModuleValueBridge.tensor(from: out) else { throw TorchError.runtime("no tensor") }
            return try t.mul(t).sum()
        }
        let gg = try g.detach().requiresGradInPlace(true), vv = try v.detach().requiresGradInPlace(true)
        try loss(gg, vv).backward()
        for (which, analytic) in [(0, try XCTUnwrap(gg.grad)), (1, try XCTUnwrap(vv.grad))] {
            let base = which == 0 ? g.toDoubles() : v.toDoubles(), shape = which == 0 ? g.shape : v.shape
            for i in base.indices {
                var plus = base, minus = base
                plus[i] += 1e-6
                minus[i] -= 1e-6
                func at(_ values: [Double]) throws -> Double {
                    let t = try Tensor(doubles: values, shape: shape, dtype: .float64)
                    return try (which == 0 ? loss(t, v) : loss(g, t)).item().doubleValue
                }
                XCTAssertEqual(analytic.toDoubles()[i], (try at(plus) - at(minus)) / 2e-6, accuracy: 1e-5)
            }
        }
    }
}
