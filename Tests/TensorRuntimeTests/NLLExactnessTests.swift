import XCTest
@testable import TensorRuntime

/// `F.nll_loss` "mean"/"sum" in float32 match PyTorch bit for bit (ATen's 8-level cascade in
/// the input's dtype, LossNLL.cpp), for 2-D, 3-D and 4-D inputs, with class weights and
/// ignore_index. Inputs: `torch.manual_seed(seed); torch.randn(shape, dtype=torch.float64).float()`,
/// targets `(7·i + 3) mod C` over the positions, weights `0.37·c + 0.5`; the expected bit patterns
/// were printed by PyTorch 2.15.
final class NLLExactnessTests: XCTestCase {
    static let cases: [(seed: Int64, shape: [Int], weighted: Bool, ignoreIndex: Int?, mean: UInt32, sum: UInt32)] = [
        (1, [32, 4], false, nil, 0xbc9a0d84, 0xbf1a0d84),
        (2, [1000, 10], false, nil, 0xba54315a, 0xbf4f3832),
        (3, [77, 5], true, nil, 0x3e1b3a72, 0x4166af0e),
        (4, [300, 3], false, 1, 0x3cd4f62a, 0x40a66051),
        (5, [6, 4, 5, 7], false, nil, 0xbe233b17, 0xc205e679),
        (6, [2, 3, 40, 50], true, 2, 0x3b30eb66, 0x409dcd94),
        (7, [5, 3, 9], false, nil, 0xbd697bd2, 0xc0242b10),
        (8, [4100, 2], true, nil, 0x3d2a75b9, 0x42e9c214),
    ]

    func testReducedLossBits() throws {
        for c in Self.cases {
            TorchRandom.manualSeed(c.seed)
            let x = try Tensor.randn(c.shape, dtype: .float64).converted(to: .float32)
            let classes = c.shape[1]
            let targetShape = [c.shape[0]] + Array(c.shape.dropFirst(2))
            let positions = targetShape.reduce(1, *)
            let target = try Tensor(doubles: (0..<positions).map { Double((7 * $0 + 3) % classes) }, shape: targetShape, dtype: .int64)
            let weight = c.weighted ? try Tensor(doubles: (0..<classes).map { Double($0) * 0.37 + 0.5 }, shape: [classes], dtype: .float32) : nil
            for (reduction, expected) in [("mean", c.mean), ("sum", c.sum)] {
                let loss = try Functional.nllLoss(x, target: target, weight: weight, ignoreIndex: c.ignoreIndex ?? -100, reduction: reduction)
                XCTAssertEqual(loss.toDoubles().first.map { Float($0).bitPattern }, expected, "seed \(c.seed) \(reduction)")
            }
        }
    }

    func testGradientsStillMatchFiniteDifferences() throws {
        let target = try Tensor(doubles: [2, 0, 1, 2, 1], shape: [5], dtype: .int64)
        let weight = try Tensor(doubles: [0.5, 1.5, 2], shape: [3], dtype: .float64)
        for reduction in ["mean", "sum"] {
            try GradCheck.check([[5, 3]]) { xs in
                try Functional.nllLoss(xs[0], target: target, weight: weight, ignoreIndex: 1, reduction: reduction)
            }
            try GradCheck.check([[5, 3]]) { xs in try Functional.crossEntropy(xs[0], target: target, reduction: reduction) }
        }
    }
}
