import Foundation
import XCTest
@testable import TensorRuntime

private typealias K = KernelTest
private typealias F = Functional

/// Asserts that `body` throws a TorchError of `kind` with exactly `message`.
func assertThrows<T>(_ body: @autoclosure () throws -> T, _ kind: ExceptionKind, _ message: String,
                     file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { e in
        XCTAssertEqual((e as? TorchError)?.kind, kind, file: file, line: line)
        XCTAssertEqual((e as? TorchError)?.message, message, file: file, line: line)
    }
}

/// group_norm, instance_norm and local_response_norm: values and gradients against PyTorch 2.15
/// goldens (float32), and float64 finite differences (including the parallel path).
final class GroupInstanceNormTests: XCTestCase {
    /// `sin(arange(24)) * 2 + 0.5` as [2, 4, 3], the goldens' input.
    private func sample(requiresGrad: Bool = false) throws -> Tensor {
        let x = try Tensor(doubles: (0..<24).map { Foundation.sin(Double($0)) * 2 + 0.5 }, shape: [2, 4, 3], dtype: .float32)
        if requiresGrad { try x.setRequiresGrad(true) }
        return x
    }

    func testGroupNormMatchesPyTorch() throws {
        let x = try sample(requiresGrad: true)
        let w = try Tensor(doubles: [1, -0.5, 2, 0.25], shape: [4], dtype: .float32), b = try Tensor(doubles: [0.1, 0.2, -0.3, 0], shape: [4], dtype: .float32)
        try w.setRequiresGrad(true)
        try b.setRequiresGrad(true)
        let y = try F.groupNorm(x, numGroups: 2, weight: w, bias: b)
        XCTAssertEqual(y.gradFn?.name, "NativeGroupNormBackward0")
        K.assertClose(y, [0.0587655, 1.24055326, 1.3358109, 0.12152061, 0.75205564, 0.89398873, -1.20946002, 1.46364665, 2.41245365,
                          0.13307904, -0.20810229, -0.37080669, -0.74313986, 0.64184195, 1.46761441, -0.23748302, 0.44158223, 0.92905909,
                          -2.63280082, -0.00551945, 2.21989274, 0.28717518, -0.02105442, -0.32631737], tol: 1e-5)
        let g = try Tensor(doubles: (0..<24).map { Foundation.cos(Double($0)) }, shape: [2, 4, 3], dtype: .float32)
        try y.backward(gradient: g)
        K.assertClose(try XCTUnwrap(x.grad), [0.49094263, 0.17167175, -0.49967661, 0.13691419, 0.01504636, -0.31489828, 1.05538166, 0.74293566,
                                              -0.54720783, -0.49097496, -0.45970458, -0.30042979, 0.24937356, 0.31752366, -0.22712846,
                                              -0.05903593, -0.00908229, -0.27165085, 0.5001564, 1.00826836, 0.18638587, -0.51099443,
                                              -0.62088376, -0.56293249], tol: 1e-5)
        K.assertClose(try XCTUnwrap(w.grad), [0.02793994, 0.37181711, -0.07959572, 0.35740528], tol: 1e-5)
        K.assertClose(try XCTUnwrap(b.grad), [3.01219344, -3.3524847, 3.62567568, -3.82629919], tol: 1e-5)
    }

    func testGroupNormGradients() throws {
        try K.gradCheck([try K.random([2, 6, 5], seed: 1), try K.random([6], seed: 2), try K.random([6], seed: 3)]) {
            try F.groupNorm($0[0], numGroups: 3, weight: $0[1], bias: $0[2])
        }
        // Parallel path (≥ 32768 elements), no affine, a 4-d input.
        let big = try K.random([2, 8, 48, 48], seed: 4)
        try K.gradCheck([try K.random([8], seed: 5)]) { try F.groupNorm(big, numGroups: 4, weight: $0[0]) }
        try K.gradCheck([try K.random([2, 4, 3, 2], seed: 6)]) { try F.groupNorm($0[0], numGroups: 1) }
    }

    func testGroupNormErrors() throws {
        assertThrows(try F.groupNorm(try K.random([2, 3, 3], seed: 1), numGroups: 2), .runtimeError,
                       "Expected number of channels in input to be divisible by num_groups, but got input of shape [2, 3, 3] and num_groups=2")
        assertThrows(try F.groupNorm(try K.random([4], seed: 1), numGroups: 2), .runtimeError,
                       "Expected at least 2 dimensions for input tensor but received 1")
    }

    func testInstanceNormMatchesPyTorchAndUpdatesRunningStats() throws {
        let rm = try Tensor.zeros([4]), rv = try Tensor.ones([4])
        let y = try F.instanceNorm(try sample(requiresGrad: true), runningMean: rm, runningVar: rv)
        XCTAssertEqual(y.gradFn?.name, "ViewBackward0")
        K.assertClose(y, [-1.41103017, 0.62351799, 0.78751212, 1.39298356, -0.48511261, -0.90787089, -1.36834764, 0.37481079, 0.99353683,
                          1.34157729, -0.28333911, -1.05823815, -1.31406772, 0.20436402, 1.10970378, 1.28602183, -0.13349907, -1.1525228,
                          -1.25711393, 0.06753971, 1.18957424, 1.22671103, -0.00394829, -1.2227627], tol: 1e-5)
        K.assertClose(rm, [0.137499, -0.02245399, 0.10595882, 0.01165637], tol: 1e-5)
        K.assertClose(rv, [1.07041764, 1.09961796, 1.1253202, 1.1454767], tol: 1e-5)
        try K.gradCheck([try K.random([3, 2, 4], seed: 7), try K.random([2], seed: 8), try K.random([2], seed: 9)]) {
            try F.instanceNorm($0[0], weight: $0[1], bias: $0[2])
        }
    }

    func testLocalResponseNormMatchesPyTorch() throws {
        let x = try sample().view([2, 4, 3, 1])
        K.assertClose(try F.localResponseNorm(x, size: 3, alpha: 0.1, beta: 0.75, k: 2),
                      [0.29413846, 1.21129584, 1.26368177, 0.46015415, -0.54222643, -0.72380477, -0.03397978, 1.01970947, 1.30727971,
                       0.7705338, -0.33455753, -0.80846858, -0.32633528, 0.77947253, 1.34047544, 1.01322615, -0.04374629, -0.72588325,
                       -0.536668, 0.47038394, 1.24730814, 1.2068516, 0.28368834, -0.65394461], tol: 1e-5)
        try K.gradCheck([try K.random([2, 5, 3], seed: 10)]) { try F.localResponseNorm($0[0], size: 2, alpha: 0.5, beta: 0.75, k: 1) }
        assertThrows(try F.localResponseNorm(try K.random([3, 4], seed: 1), size: 2), .valueError,
                       "Expected 3D or higher dimensionality                          input (got 2 dimensions)")
    }
}
