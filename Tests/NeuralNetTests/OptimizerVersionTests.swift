import XCTest
@testable import NeuralNet
import TensorRuntime

/// Optimizer steps bump each updated parameter's version as PyTorch 2.15's in-place updates do
/// (SGD, Adam and most others: one `add_`/`addcdiv_`; AdamW with weight decay: `mul_` then
/// `addcdiv_`; NAdam: two `addcdiv_`), so a
/// graph that saved a parameter notices the step. Parameters without a gradient keep theirs.
final class OptimizerVersionTests: XCTestCase {
    func testStepsBumpVersionsAsPyTorch() throws {
        let cases: [(name: String, make: ([Tensor]) throws -> Optimizer, perStep: Int)] = [
            ("SGD", { try SGD($0, lr: 0.1) }, 1),
            ("SGD momentum", { try SGD($0, lr: 0.1, momentum: 0.9, weightDecay: 1e-4, nesterov: true) }, 1),
            ("Adam", { try Adam($0, lr: 0.1, weightDecay: 0.1, amsgrad: true) }, 1),
            ("AdamW", { try AdamW(groups: [ParamGroupSpec(params: $0)]) }, 2),
            ("AdamW wd 0", { try AdamW(groups: [ParamGroupSpec(params: $0)], options: [("weight_decay", .double(0))]) }, 1),
            ("RMSprop", { try RMSprop(groups: [ParamGroupSpec(params: $0)], options: [("momentum", .double(0.9)), ("centered", .bool(true))]) }, 1),
            ("Adagrad", { try Adagrad(groups: [ParamGroupSpec(params: $0)], options: [("weight_decay", .double(0.1))]) }, 1),
            ("Adadelta", { try Adadelta(groups: [ParamGroupSpec(params: $0)]) }, 1),
            ("Adamax", { try Adamax(groups: [ParamGroupSpec(params: $0)]) }, 1),
            ("NAdam", { try NAdam(groups: [ParamGroupSpec(params: $0)], options: [("weight_decay", .double(0.1))]) }, 2),
            ("NAdam decoupled", { try NAdam(groups: [ParamGroupSpec(params: $0)], options: [("weight_decay", .double(0.1)), ("decoupled_weight_decay", .bool(true))]) }, 3),
            ("RAdam", { try RAdam(groups: [ParamGroupSpec(params: $0)]) }, 1),
            ("Rprop", { try Rprop(groups: [ParamGroupSpec(params: $0)]) }, 1),
            ("ASGD", { try ASGD(groups: [ParamGroupSpec(params: $0)]) }, 2),
            ("RAdam decoupled", { try RAdam(groups: [ParamGroupSpec(params: $0)], options: [("weight_decay", .double(0.1)), ("decoupled_weight_decay", .bool(true))]) }, 2),
        ]
        for c in cases {
            let p = param([3]), idle = param([3])
            let opt = try c.make([p, idle])
            for step in 1...2 {
                p.grad = try Tensor(doubles: [1, 2, 3], shape: [3], dtype: .float32)
                try opt.step()
                XCTAssertEqual(p.version, step * c.perStep, c.name)
                XCTAssertEqual(idle.version, 0, c.name)
            }
        }
    }

    func testBackwardAfterAStepReportsTheChange() throws {
        let p = param([3])
        let loss = try p.mul(p).sum()
        p.grad = try Tensor(doubles: [1, 2, 3], shape: [3], dtype: .float32)
        try SGD([p], lr: 0.1).step()
        XCTAssertThrowsError(try loss.backward()) { error in
            XCTAssertTrue("\(error)".contains("modified by an inplace operation"), "\(error)")
        }
    }
}
