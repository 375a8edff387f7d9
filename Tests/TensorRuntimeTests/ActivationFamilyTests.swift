import XCTest
@testable import TensorRuntime

/// The activations of Activations.swift: float64 finite differences away from their kinks, and
/// float32 values against PyTorch 2.15 at points where the formulas differ most.
final class ActivationFamilyTests: XCTestCase {
    private typealias K = KernelTest

    /// Values in [-3.9, 3.9] that avoid the kinks (0, ±0.5, ±1, ±1.5, ±3) by more than the step.
    private func leaf() throws -> Tensor {
        let t = try Tensor(doubles: [-3.9, -2.7, -1.9, -1.3, -0.8, -0.3, -0.05, 0.07, 0.35, 0.9, 1.2, 1.8, 2.6, 3.4, 3.9],
                           shape: [3, 5], dtype: .float64)
        try t.setRequiresGrad(true)
        return t
    }

    func testGradientsByFiniteDifferences() throws {
        let cases: [(String, (Tensor) throws -> Tensor)] = [
            ("elu", { try $0.elu(alpha: 0.7) }), ("selu", { try $0.selu() }), ("celu", { try $0.celu(alpha: 2) }),
            ("silu", { try $0.silu() }), ("mish", { try $0.mish() }), ("softplus", { try $0.softplus(beta: 2, threshold: 3) }),
            ("hardtanh", { try $0.hardtanh(min: -2, max: 2.5) }), ("hardsigmoid", { try $0.hardsigmoid() }),
            ("hardswish", { try $0.hardswish() }), ("threshold", { try $0.threshold(0.2, value: -4) }),
            ("logsigmoid", { try $0.logSigmoid() }), ("softshrink", { try $0.softshrink(lambda: 0.6) }),
            ("hardshrink", { try $0.hardshrink(lambda: 0.6) }), ("softsign", { try $0.softsign() }),
            ("tanhshrink", { try $0.tanhshrink() }), ("glu", { try Functional.glu($0.narrow(dim: 1, start: 0, length: 4), dim: 1) }),
        ]
        for (name, f) in cases {
            let x = try leaf()
            try K.gradCheck([x]) { try f($0[0]) }
            XCTAssertNotNil(try f(x).gradFn, name)
        }
        let w = try K.random([5], seed: 3)
        try K.gradCheck([try leaf(), w]) { try Functional.prelu($0[0], weight: $0[1]) }
        try K.gradCheck([try leaf(), try K.random([1], seed: 4)]) { try Functional.prelu($0[0], weight: $0[1]) }
    }

    func testValuesMatchPyTorch() throws {
        let x = try Tensor(doubles: [-4, -3, -2, -1, 0, 1, 2, 3, 4], shape: [9], dtype: .float32)
        K.assertClose(try x.elu(), [-0.9816844, -0.95021296, -0.86466473, -0.63212055, 0, 1, 2, 3, 4], tol: 1e-6)
        K.assertClose(try x.selu(), [-1.7258986, -1.6705687, -1.5201665, -1.1113307, 0, 1.050701, 2.101402, 3.152103, 4.202804], tol: 1e-6)
        K.assertClose(try x.mish(), [-0.07259174, -0.14564739, -0.25250155, -0.30340144, 0, 0.86509836, 1.943959, 2.986535, 3.997413], tol: 1e-6)
        K.assertClose(try x.softplus(beta: 2, threshold: 1), [1.6770318e-04, 1.2378426e-03, 9.0749646e-03, 6.3464001e-02, 0.34657359, 1, 2, 3, 4], tol: 1e-6)
        K.assertClose(try x.hardswish(), [0, 0, -0.33333334, -0.33333334, 0, 0.6666667, 1.6666666, 3, 4], tol: 1e-6)
        K.assertClose(try x.logSigmoid(), [-4.0181499, -3.0485873, -2.126928, -1.3132616, -0.6931472, -0.31326166, -0.12692805, -0.04858733, -0.01814993], tol: 1e-6)
        let t = try Tensor(doubles: [-1, 0.5, 8], shape: [3], dtype: .float32)
        try t.setRequiresGrad(true)
        let y = try t.hardswish()
        try y.backward(gradient: try Tensor(doubles: [1, 1, 1], shape: [3], dtype: .float32))
        K.assertClose(try XCTUnwrap(t.grad), [0.16666667, 0.6666667, 1], tol: 1e-6)
        XCTAssertEqual(y.gradFn?.name, "HardswishBackward0")
        XCTAssertEqual(try x.softshrink(lambda: 1.5).toDoubles()[3].sign, .minus)
        assertThrows(try Functional.glu(try Tensor.zeros([3]), dim: 0), .runtimeError, "Halving dimension must be even, but dimension 0 is size 3")
    }
}
