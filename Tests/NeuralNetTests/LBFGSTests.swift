import XCTest
import TensorRuntime
@testable import NeuralNet

/// `torch.optim.LBFGS` in Swift: it minimises a quadratic to its known minimum, and options a
/// script can set to any number (NaN, huge, zero or negative budgets) never trap.
final class LBFGSTests: XCTestCase {
    /// Loss `Σ (w - target)²` with its gradient, as a closure would compute it.
    private func closure(_ w: Tensor, _ optimizer: Optimizer, target: Double) -> () throws -> Double {
        {
            optimizer.zeroGrad()
            let loss = try w.sub(.double(target)).pow(.int(2)).sum()
            try loss.backward()
            return try loss.item().doubleValue
        }
    }

    private func parameter() throws -> Tensor {
        let w = try Tensor(doubles: [0.5, -1.5, 2.0], shape: [3], dtype: .float64)
        try w.setRequiresGrad(true)
        return w
    }

    func testReachesTheMinimumOfAQuadratic() throws {
        for search in [OptionValue.none, .string("strong_wolfe")] {
            let w = try parameter()
            let opt = try LBFGS(groups: [ParamGroupSpec(params: [w])], options: [("line_search_fn", search)])
            try opt.step(reevaluating: closure(w, opt, target: 3))
            for v in w.toDoubles() { XCTAssertEqual(v, 3, accuracy: 1e-6, "\(search)") }
        }
    }

    func testDefaultMaxEvalIsFiveQuartersOfMaxIter() throws {
        let opt = try LBFGS(groups: [ParamGroupSpec(params: [try parameter()])], options: [("max_iter", .int(8))])
        XCTAssertEqual(opt.defaults["max_eval"], .int(10))
    }

    func testDegenerateOptionsDoNotTrap() throws {
        let cases: [[(String, OptionValue)]] = [
            [("max_iter", .double(.nan))], [("max_iter", .double(1e300))], [("max_iter", .double(-1e300))],
            [("max_eval", .int(0)), ("line_search_fn", .string("strong_wolfe"))],
            [("max_eval", .int(-3)), ("line_search_fn", .string("strong_wolfe"))], [("history_size", .int(0))],
        ]
        for options in cases {
            let w = try parameter()
            let opt = try LBFGS(groups: [ParamGroupSpec(params: [w])], options: options)
            do {
                for _ in 0..<3 { try opt.step(reevaluating: closure(w, opt, target: 1)) }
            } catch let error as TorchError {
                XCTAssertEqual(error.kind, .indexError, "\(options)")   // history_size=0: PyTorch's pop from an empty list
            }
        }
    }
}
