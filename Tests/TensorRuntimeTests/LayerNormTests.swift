import XCTest
@testable import TensorRuntime

final class LayerNormTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    /// Values from `torch.nn.functional.layer_norm` (PyTorch 2.15).
    func testValuesMatchPyTorch() throws {
        let x = try Tensor(doubles: [1, 2, 4, -1, 0, 3], shape: [2, 3], dtype: .float32)
        let w = try Tensor(doubles: [1, 0.5, 2], shape: [3], dtype: .float32), b = try Tensor(doubles: [0, 1, -1], shape: [3], dtype: .float32)
        K.assertClose(try F.layerNorm(x, normalizedShape: [3], weight: w, bias: b),
                      [-1.06904137134552, 0.8663698434829712, 1.6726036071777344, -0.9805789589881897, 0.8038842082023621, 1.7456212043762207], tol: 1e-6)
        K.assertClose(try F.layerNorm(x, normalizedShape: [2, 3]), [-0.2928, 0.2928, 1.4638, -1.4638, -0.8783, 0.8783], tol: 1e-4)
        XCTAssertEqual(K.gradName(try F.layerNorm(try K.random([2, 3], seed: 1), normalizedShape: [3])), "NativeLayerNormBackward0")
    }

    func testGradients() throws {
        let x = try K.random([4, 3, 5], seed: 1), w = try K.random([5], seed: 2), b = try K.random([5], seed: 3)
        try K.gradCheck([x, w, b]) { try F.layerNorm($0[0], normalizedShape: [5], weight: $0[1], bias: $0[2]) }
        try K.gradCheck([x]) { try F.layerNorm($0[0], normalizedShape: [3, 5], eps: 1e-3) }
        let w2 = try K.random([3, 5], seed: 4)
        try K.gradCheck([x, w2]) { try F.layerNorm($0[0], normalizedShape: [3, 5], weight: $0[1]) }
        try K.gradCheck([K.transposedLeaf([5, 4], seed: 5)]) { try F.layerNorm($0[0], normalizedShape: [4]) }
        try K.gradCheck([x, w]) { try F.rmsNorm($0[0], normalizedShape: [5], weight: $0[1], eps: 1e-6) }
    }

    /// Inputs big enough to split the rows over the cores: the weight and bias gradients (summed
    /// per part, then the parts) equal the sums over all rows.
    func testSplitRowsWeightAndBiasGradients() throws {
        let rows = 300, n = 128
        let x = try K.random([rows, n], seed: 1), w = try K.random([n], seed: 2), b = try K.random([n], seed: 3)
        let g = try K.random([rows, n], seed: 4, requiresGrad: false)
        try F.layerNorm(x, normalizedShape: [n], weight: w, bias: b).mul(g).sum().backward()
        let xv = x.toDoubles(), gv = g.toDoubles()
        var gw = [Double](repeating: 0, count: n), gb = gw
        for r in 0..<rows {
            let row = xv[(r * n)..<((r + 1) * n)]
            let mean = row.reduce(0, +) / Double(n)
            let rstd = 1 / (row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n) + 1e-5).squareRoot()
            for j in 0..<n {
                gw[j] += gv[r * n + j] * (xv[r * n + j] - mean) * rstd
                gb[j] += gv[r * n + j]
            }
        }
        K.assertClose(try XCTUnwrap(w.grad), gw, tol: 1e-12)
        K.assertClose(try XCTUnwrap(b.grad), gb, tol: 1e-12)
    }

    func testShapeErrors() throws {
        let x = try K.random([2, 3], seed: 1)
        Check.throwsError(.runtimeError, "Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]") {
            try F.layerNorm(x, normalizedShape: [4])
        }
        Check.throwsError(.runtimeError, "Given normalized_shape=[4], expected input with shape [*4], but got input of size[2, 3]") {
            try F.rmsNorm(x, normalizedShape: [4])
        }
        Check.throwsError(.runtimeError, "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []") {
            try F.layerNorm(x, normalizedShape: [])
        }
    }
}
