import Foundation
import XCTest
@testable import NeuralNet
import TensorRuntime

/// `parametrizations.orthogonal`'s `_Orthogonal`: each map gives orthonormal columns (rows for a
/// wide tensor), −Id maps to the identity, the gradient of the map matches float64 finite
/// differences, and registration on a Linear starts the weight at `base` (QR-orthogonalised).
final class OrthogonalParametrizationTests: XCTestCase {
    /// Smooth values with −1 on the diagonal (the Householder map keeps the diagonal's signs).
    private func values(_ shape: [Int], seed: Double) throws -> Tensor {
        let n = shape.reduce(1, *), columns = shape[1]
        var v = [Double](repeating: -1, count: n)
        for i in 0..<n where i / columns != i % columns { v[i] = 0.4 * sin(Double(i) * 1.7 + seed) }
        return try Tensor(doubles: v, shape: shape, dtype: .float64)
    }

    private func assertOrthonormal(_ q: Tensor, file: StaticString = #filePath, line: UInt = #line) throws {
        let tall = q.shape[0] >= q.shape[1] ? q : try q.t()
        let gram = try tall.t().matmul(tall).toDoubles(), k = tall.shape[1]
        for i in 0..<k {
            for j in 0..<k {
                let expected: Double = i == j ? 1 : 0
                XCTAssertEqual(gram[i * k + j], expected, accuracy: 1e-9, file: file, line: line)
            }
        }
    }

    func testMapsAreOrthonormalAndDifferentiable() throws {
        for (map, shape) in [(OrthogonalParametrization.Map.matrixExp, [3, 3]), (.cayley, [4, 2]), (.householder, [4, 3]),
                             (.householder, [2, 3]), (.matrixExp, [2, 4])] {
            let p = try OrthogonalParametrization(weight: try Tensor.zeros(shape, dtype: .float64), map: map)
            let x = try values(shape, seed: 1)
            try assertOrthonormal(try p.forward(x))
            // −Id is sent to the identity's first columns (what right_inverse stores as original).
            let minusId = try Tensor.zeros(shape, dtype: .float64)
            _ = try minusId.diagonal(offset: 0, dim1: 0, dim2: 1).fillInPlace(.int(-1))
            let start = try p.forward(minusId).toDoubles()
            for i in 0..<shape[0] {
                for j in 0..<shape[1] {
                    let expected: Double = i == j ? 1 : 0
                    XCTAssertEqual(start[i * shape[1] + j], expected, accuracy: 1e-12, "\(map)")
                }
            }
            // d/dX Σ C·Q(X) against central differences (the diagonal only scales by its sign).
            let c = try values(shape, seed: 2)
            let leaf = try x.detached().requiresGradInPlace(true)
            let analytic = try XCTUnwrap(Autograd.grad(outputs: [try p.forward(leaf).mul(c).sum()], inputs: [leaf])[0]).toDoubles()
            let base = x.toDoubles(), eps = 1e-6
            for i in base.indices where i / shape[1] != i % shape[1] {
                var plus = base, minus = base
                plus[i] += eps; minus[i] -= eps
                let f = { (v: [Double]) throws -> Double in
                    try p.forward(try Tensor(doubles: v, shape: shape, dtype: .float64)).mul(c).sum().item().doubleValue
                }
                XCTAssertEqual(analytic[i], (try f(plus) - f(minus)) / (2 * eps), accuracy: 1e-6, "\(map) \(shape) d/dx\(i)")
            }
        }
    }

    func testRegisteredOnLinearStartsAtBase() throws {
        let layer = try Linear(3, 3)
        let weight = try XCTUnwrap(layer.parameter("weight"))
        let (q, r) = try weight.linalgQr()
        let expected = try q.mul(try r.diagonal(offset: 0, dim1: 0, dim2: 1).sgn().unsqueeze(0)).toDoubles()
        try layer.registerParametrization("weight", try OrthogonalParametrization(weight: weight, map: .matrixExp), unsafe: true)
        let w = try XCTUnwrap(try layer.parametrizedValue("weight")).toDoubles()
        for (a, b) in zip(w, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        XCTAssertEqual(layer.stateDict().map(\.0), ["bias", "parametrizations.weight.original", "parametrizations.weight.0.base"])
        XCTAssertEqual(try XCTUnwrap(layer.parameter("parametrizations.weight.original") ?? layer.namedParameters().last?.1).toDoubles(),
                       [-1, 0, 0, 0, -1, 0, 0, 0, -1])
    }
}
