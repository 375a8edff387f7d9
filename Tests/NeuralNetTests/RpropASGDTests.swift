import XCTest
@testable import NeuralNet
import TensorRuntime

/// Rprop and ASGD against values printed by PyTorch 2.15 (float32) for p = [1, −2] and the
/// gradient of sum(p²) + p₀, five steps.
final class RpropASGDTests: XCTestCase {
    private func run(_ make: ([Tensor]) throws -> Optimizer) throws -> (Tensor, Optimizer) {
        let p = try Tensor(doubles: [1, -2], shape: [2], dtype: .float32).requiresGradInPlace(true)
        let opt = try make([p])
        for _ in 0..<5 {
            let x = p.toDoubles()
            p.grad = try Tensor(doubles: [2 * x[0] + 1, 2 * x[1]], shape: [2], dtype: .float32)
            try opt.step()
        }
        return (p, opt)
    }

    private func assertClose(_ a: [Double], _ b: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-6, file: file, line: line) }
    }

    func testRprop() throws {
        let (p, opt) = try run {
            try Rprop(groups: [ParamGroupSpec(params: $0)], options: [("lr", .double(0.3)), ("step_sizes", .tuple([.double(1e-6), .double(0.5)]))])
        }
        assertClose(p.toDoubles(), [-0.5920000672340393, 0.09200000762939453])
        let s = opt.state(for: p)
        XCTAssertEqual(s.entries.keys, ["step", "prev", "step_size"])
        assertClose(s.entries["step_size"]?.toDoubles() ?? [], [0.25, 0.5])
        XCTAssertEqual(s.entries["step"]?.toDoubles(), [5])
        let (q, _) = try run { try Rprop(groups: [ParamGroupSpec(params: $0)], options: [("lr", .double(0.1)), ("maximize", .bool(true))]) }
        assertClose(q.toDoubles(), [1.7441601753234863, -2.7441599369049072])
        XCTAssertThrowsError(try Rprop(groups: [ParamGroupSpec(params: [p])], options: [("etas", .tuple([.double(1.5), .int(2)]))]))
    }

    func testASGD() throws {
        let (p, opt) = try run {
            try ASGD(groups: [ParamGroupSpec(params: $0)],
                     options: [("lr", .double(0.1)), ("t0", .int(2)), ("lambd", .double(0.01)), ("weight_decay", .double(0.1))])
        }
        assertClose(p.toDoubles(), [-0.022356996312737465, -0.6127502918243408])
        let s = opt.state(for: p)
        XCTAssertEqual(s.entries.keys, ["step", "eta", "mu", "ax"])
        assertClose(s.entries["ax"]?.toDoubles() ?? [], [0.03779631853103638, -0.6943731307983398])
        assertClose(s.entries["eta"]?.toDoubles() ?? [], [0.09962663054466248])
        assertClose(s.entries["mu"]?.toDoubles() ?? [], [0.3333333432674408])
    }
}
