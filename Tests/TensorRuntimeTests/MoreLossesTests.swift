import XCTest
@testable import TensorRuntime

/// The margin, distance and likelihood losses of MoreLosses.swift: float64 finite differences
/// (values against PyTorch are in the language goldens, Golden/torch/losses_more).
final class MoreLossesTests: XCTestCase {
    private typealias K = KernelTest
    private typealias F = Functional

    func testGradientsByFiniteDifferences() throws {
        let y = try K.random([3, 4], seed: 20, requiresGrad: false)
        let sign = try Tensor(doubles: [1, -1, 1], shape: [3], dtype: .float64)
        let signs = try Tensor(doubles: [1, -1, -1, 1, 1, 1, -1, -1, 1, -1, 1, -1], shape: [3, 4], dtype: .float64)
        let cases: [(String, ([Tensor]) throws -> Tensor)] = [
            ("kl_div", { try F.klDiv($0[0], target: try y.softmax(dim: 1), reduction: "batchmean") }),
            ("kl_div log_target", { try F.klDiv($0[0], target: try y.logSoftmax(dim: 1), reduction: "sum", logTarget: true) }),
            ("hinge", { try F.hingeEmbeddingLoss($0[0], target: signs, margin: 1.7) }),
            ("ranking", { try F.marginRankingLoss($0[0].select(dim: 1, index: 0), $0[0].select(dim: 1, index: 1), target: sign, margin: 0.3) }),
            ("cosine_embedding", { try F.cosineEmbeddingLoss($0[0], y, target: sign, margin: -0.5) }),
            ("triplet", { try F.tripletMarginLoss($0[0], y, try y.flip([0]), margin: 3, p: 3, swap: true) }),
            ("poisson", { try F.poissonNLLLoss($0[0], target: try y.abs()) }),
            ("poisson full", { try F.poissonNLLLoss(try $0[0].exp(), target: try y.abs().mul(.int(3)), logInput: false, full: true, reduction: "sum") }),
            ("gaussian", { try F.gaussianNLLLoss($0[0], target: y, variance: try y.abs().add(.double(0.1)), full: true) }),
            ("multilabel", { try F.multilabelSoftMarginLoss($0[0], target: try y.gt(.int(0)).cast(.float64)) }),
            ("soft_margin", { try F.softMarginLoss($0[0], target: signs) }),
            ("multi_margin p2", { try F.multiMarginLoss($0[0], target: try Tensor(doubles: [1, 1, 0], shape: [3], dtype: .int64), p: 2, margin: 1.5) }),
            ("cosine_similarity", { try F.cosineSimilarity($0[0], y, dim: 0) }),
            ("pairwise p2", { try F.pairwiseDistance($0[0], y) }),
            ("pairwise p3", { try F.pairwiseDistance($0[0], y, p: 3, keepdim: true) }),
            ("pairwise p1", { try F.pairwiseDistance($0[0], y, p: 1) }),
        ]
        for (name, f) in cases {
            let x = try K.random([3, 4], seed: 21)
            try K.gradCheck([x]) { try f($0) }
            XCTAssertNotNil(try f([x]).gradFn, name)
        }
        let x = try K.random([3, 4], seed: 22)
        try K.gradCheck([x]) { try F.multiMarginLoss($0[0], target: try Tensor(doubles: [0, 2, 3], shape: [3], dtype: .int64), reduction: "none") }
    }

    func testErrors() throws {
        assertThrows(try F.gaussianNLLLoss(try Tensor.zeros([3, 4]), target: try Tensor.zeros([3, 4]), variance: try Tensor.ones([2])),
                     .valueError, "var is of incorrect size")
        assertThrows(try F.multiMarginLoss(try Tensor.zeros([3, 4]), target: try Tensor.zeros([3], dtype: .int64), p: 3),
                     .valueError, "only p == 1 and p == 2 supported")
        assertThrows(try F.klDiv(try Tensor.zeros([2]), target: try Tensor.zeros([2]), reduction: "avg"), .valueError, "avg is not a valid value for reduction")
    }
}
