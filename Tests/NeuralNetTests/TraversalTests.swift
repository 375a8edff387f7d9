import XCTest
@testable import NeuralNet
import TensorRuntime

/// Traversal orders, de-duplication, apply, train/eval, get_submodule (reference §2, §4).
final class TraversalTests: XCTestCase {
    func testSharedModulesDedup() {
        let l = Leaf()
        let s = Sequential(l, l)
        XCTAssertEqual(s.namedModules().map { $0.0 }, ["", "0"])
        XCTAssertEqual(s.namedModules(removeDuplicate: false).map { $0.0 }, ["", "0", "1"])
        XCTAssertEqual(s.namedChildren().map { $0.0 }, ["0"])
        XCTAssertEqual(s.namedParameters().map { $0.0 }, ["0.weight"])
        XCTAssertEqual(s.stateDict().map { $0.0 }, ["0.weight", "1.weight"])
    }

    func testTiedWeights() throws {
        let a = Leaf(), b = Leaf()
        try a.registerParameter("bias", param([2]))
        try b.registerParameter("bias", param([2]))
        try b.setAttribute("weight", .parameter(a.parameter("weight")!))
        let s = Sequential(a, b)
        XCTAssertEqual(s.namedParameters().map { $0.0 }, ["0.weight", "0.bias", "1.bias"])
        XCTAssertEqual(s.namedParameters(removeDuplicate: false).map { $0.0 }, ["0.weight", "0.bias", "1.weight", "1.bias"])
        XCTAssertEqual(s.parameters(recurse: false).count, 0)
    }

    func testNamedModulesPrefixAndNesting() throws {
        let net = Net()
        try net.addModule("s", Sequential(Leaf(), Sequential(Leaf())))
        try net.addModule("n", nil)
        XCTAssertEqual(net.namedModules(prefix: "m").map { $0.0 }, ["m", "m.s", "m.s.0", "m.s.1", "m.s.1.0"])
        XCTAssertEqual(net.namedParameters().map { $0.0 }, ["s.0.weight", "s.1.0.weight"])
    }

    func testApplyIsPostOrder() throws {
        let net = Net()
        try net.addModule("s", Sequential(Leaf("a"), Leaf("b")))
        var order: [String] = []
        net.apply { order.append($0.typeName + $0.extraRepr()) }
        XCTAssertEqual(order, ["Leafa", "Leafb", "Sequential", "Net"])
    }

    func testTrainEvalRecursive() throws {
        let inner = Leaf()
        let net = Net()
        try net.addModule("s", Sequential(inner))
        XCTAssertTrue(net.eval() === net)
        XCTAssertFalse(inner.training)
        net.train()
        XCTAssertTrue(inner.training && net.training)
    }

    func testGetSubmodule() throws {
        let net = Net()
        let leaf = Leaf()
        try net.addModule("s", Sequential(leaf))
        XCTAssertTrue(try net.getSubmodule("") === net)
        XCTAssertTrue(try net.getSubmodule("s.0") === leaf)
        assertTorchError(.attributeError, "Sequential has no attribute `x`") { _ = try net.getSubmodule("s.x") }
        assertTorchError(.attributeError, "`weight` is not an nn.Module") { _ = try net.getSubmodule("s.0.weight") }
    }

    func testZeroGradAndRequiresGrad() throws {
        let leaf = Leaf()
        let w = leaf.parameter("weight")!
        w.grad = plainTensor([1, 2], [2])
        leaf.zeroGrad(setToNone: false)
        XCTAssertEqual(w.grad?.toDoubles(), [0, 0])
        leaf.zeroGrad()
        XCTAssertNil(w.grad)
        try leaf.requiresGrad_(false)
        XCTAssertFalse(w.requiresGrad)
    }

    func testDevice() throws {
        XCTAssertNoThrow(try Leaf().to(device: "cpu"))
        assertTorchError(.runtimeError, "Torch not compiled with CUDA enabled") { try Leaf().to(device: "cuda:0") }
    }
}
