import XCTest
@testable import TensorRuntime

/// Gradients through select / slice / diagonal / split views taken with `create_graph`: the
/// gradient is itself differentiable (PyTorch's `SelectBackwardBackward0` …), so second
/// derivatives (Hessians, `torch.func.hessian`) see the mixed terms; checked against float64
/// finite differences of the first gradient.
final class ViewDoubleBackwardTests: XCTestCase {
    /// f(t) = t0·t1 + Σ t[1:3]² + t1·diag(T)₀ + Σ(split part)³, mixing every view kind.
    private func f(_ t: Tensor) throws -> Tensor {
        let a = try t.select(dim: 0, index: 0).mul(try t.select(dim: 0, index: 1))
        let b = try t.slice(dim: 0, start: 1, end: 3).pow(.int(2)).sum()
        let m = try t.view([2, 2])
        let c = try m.diagonal().select(dim: 0, index: 0).mul(try t.select(dim: 0, index: 1))
        let d = try t.split(3, dim: 0)[1].pow(.int(3)).sum()
        return try a.add(b).add(c).add(d)
    }

    private func firstGradient(_ x: [Double], createGraph: Bool) throws -> (Tensor, Tensor) {
        let t = try Tensor(doubles: x, shape: [x.count], dtype: .float64).requiresGradInPlace(true)
        let g = try Autograd.grad(outputs: [try f(t)], inputs: [t], createGraph: createGraph)[0]
        return (t, try XCTUnwrap(g))
    }

    func testSecondDerivativesMatchFiniteDifferences() throws {
        let x = [0.3, -1.2, 0.7, 1.5]
        let (t, g) = try firstGradient(x, createGraph: true)
        XCTAssertEqual(g.gradFn?.name, "AddBackward0")
        let eps = 1e-6
        for i in x.indices {
            let row = try XCTUnwrap(Autograd.grad(outputs: [try g.select(dim: 0, index: i)], inputs: [t], retainGraph: true)[0]).toDoubles()
            for j in x.indices {
                var plus = x, minus = x
                plus[j] += eps; minus[j] -= eps
                let gp = try firstGradient(plus, createGraph: false).1.toDoubles()[i]
                let gm = try firstGradient(minus, createGraph: false).1.toDoubles()[i]
                XCTAssertEqual(row[j], (gp - gm) / (2 * eps), accuracy: 1e-5, "d²f/dx\(i)dx\(j)")
            }
        }
    }

    func testDoubleBackwardNodeNames() throws {
        let t = try Tensor(doubles: [1, 2], shape: [2], dtype: .float64).requiresGradInPlace(true)
        let g = try XCTUnwrap(Autograd.grad(outputs: [try t.select(dim: 0, index: 0).pow(.int(2))], inputs: [t], createGraph: true)[0])
        XCTAssertEqual(g.gradFn?.name, "SelectBackwardBackward0")
        XCTAssertEqual(try g.toDoubles(), [2, 0])
    }
}
