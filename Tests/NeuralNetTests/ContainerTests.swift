import XCTest
@testable import NeuralNet
import TensorRuntime

/// Sequential / ModuleList / ModuleDict (reference §9).
final class ContainerTests: XCTestCase {
    private func labels(_ m: Module) -> [String] { m.children().map { $0.extraRepr() } }

    func testSequentialIndexing() throws {
        let s = Sequential(Leaf("a"), Leaf("b"), Leaf("c"))
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(try s.item(at: -1)?.extraRepr(), "c")
        assertTorchError(.indexError, "index 5 is out of range") { _ = try s.item(at: 5) }
        assertTorchError(.indexError, "index -4 is out of range") { _ = try s.item(at: -4) }
        let sl = try s.slice(start: 1, stop: nil, step: nil)
        XCTAssertEqual(sl.ownModules.keys, ["1", "2"])
        XCTAssertEqual(try s.slice(start: nil, stop: nil, step: -1).ownModules.keys, ["2", "1", "0"])
        try s.setItem(at: 0, Leaf("z"))
        XCTAssertEqual(labels(s), ["z", "b", "c"])
        try s.deleteItem(at: 0)
        XCTAssertEqual(s.ownModules.keys, ["0", "1"])
        XCTAssertEqual(labels(s), ["b", "c"])
        try s.append(Leaf("d"))
        try s.insert(Leaf("i"), at: 1)
        XCTAssertEqual(labels(s), ["b", "i", "c", "d"])
        XCTAssertEqual(s.ownModules.keys, ["0", "1", "2", "3"])
        assertTorchError(.indexError, "Index out of range: 9") { try s.insert(Leaf(), at: 9) }
        try s.deleteItems(start: 0, stop: 2, step: nil)
        XCTAssertEqual(labels(s), ["c", "d"])
        try s.extend([Leaf("e")])
        XCTAssertEqual(s.ownModules.keys, ["0", "1", "2"])
    }

    func testSequentialNamedAndForwardChainsThroughHooks() throws {
        let a = Leaf("a"), b = Leaf("b")
        let s = try Sequential(named: [("conv", a), ("act", b)])
        XCTAssertEqual(s.namedParameters().map { $0.0 }, ["conv.weight", "act.weight"])
        var fired: [String] = []
        a.registerForwardHook(.positional { _, _, _ in fired.append("a"); return nil })
        b.registerForwardHook(.positional { _, _, _ in fired.append("b"); return nil })
        let x = plainTensor([1], [1])
        XCTAssertTrue(try s(x) === x)
        XCTAssertEqual(fired, ["a", "b"])
        assertTorchError(.keyError, "module name can't contain \".\", got: a.b") { _ = try Sequential(named: [("a.b", Leaf())]) }
    }

    func testModuleList() throws {
        let l = ModuleList([Leaf("a"), Leaf("b"), Leaf("c")])
        assertTorchError(.indexError, "index 5 is out of range") { _ = try l.item(at: 5) }
        let sl = try l.slice(start: 1, stop: nil, step: nil)
        XCTAssertEqual(sl.ownModules.keys, ["0", "1"])
        try l.deleteItem(at: 1)
        XCTAssertEqual(labels(l), ["a", "c"])
        XCTAssertEqual(l.ownModules.keys, ["0", "1"])
        try l.insert(Leaf("x"), at: 0)
        XCTAssertEqual(labels(l), ["x", "a", "c"])
        assertTorchError(.notImplementedError, "Module [ModuleList] is missing the required \"forward\" function") {
            _ = try l(plainTensor([1], [1]))
        }
    }

    func testModuleDict() throws {
        let d = try ModuleDict([("a", Leaf("a"))])
        try d.setItem("b", Leaf("b"))
        XCTAssertEqual(d.keys, ["a", "b"])
        XCTAssertTrue(d.contains("a"))
        assertTorchError(.keyError, "c") { _ = try d.item("c") }
        try d.deleteItem("a")
        XCTAssertEqual(d.count, 1)
        XCTAssertEqual(d.description, "ModuleDict(\n  (b): Leaf(b)\n)")
    }

    func testPythonSlicePositions() throws {
        XCTAssertEqual(try pythonSlicePositions(count: 5, start: -2, stop: nil, step: nil), [3, 4])
        XCTAssertEqual(try pythonSlicePositions(count: 5, start: nil, stop: nil, step: 2), [0, 2, 4])
        XCTAssertEqual(try pythonSlicePositions(count: 5, start: 10, stop: nil, step: -2), [4, 2, 0])
        assertTorchError(.valueError, "slice step cannot be zero") { _ = try pythonSlicePositions(count: 1, start: nil, stop: nil, step: 0) }
    }
}

/// Sequential runs a Conv2d followed by a ReLU as one fused convolution when nothing can see the
/// convolution's own output; the results and graph are those of the two layers.
final class SequentialFusionTests: XCTestCase {
    private func input() throws -> Tensor {
        TorchRandom.manualSeed(UInt64(3))
        return try Tensor.randn([2, 3, 6, 6])
    }

    func testFusedConvReLUMatchesLayerByLayer() throws {
        TorchRandom.manualSeed(UInt64(0))
        let conv = try Conv2d(3, 4, kernelSize: 3, padding: 1), relu = ReLU()
        let seq = Sequential([conv, relu])
        XCTAssertTrue(conv.fusesWithReLU(relu))
        let x = try input()
        let fused = try seq(x)
        let separate = try relu(conv(x))
        XCTAssertEqual(fused.toDoubles(), separate.toDoubles())
        XCTAssertEqual(fused.gradFn?.name, "ReluBackward0")
        XCTAssertEqual(fused.gradFn?.nextFunctions.map { $0?.name }, ["ConvolutionBackward0"])
        try fused.sum().backward()
        let fusedGrads = try conv.parameters().map { try XCTUnwrap($0.grad).toDoubles() }
        conv.zeroGrad()
        try separate.sum().backward()
        let separateGrads = try conv.parameters().map { try XCTUnwrap($0.grad).toDoubles() }
        for (f, s) in zip(fusedGrads, separateGrads) {
            for (a, b) in zip(f, s) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        }
    }

    func testHooksOrSubclassesTurnFusionOff() throws {
        TorchRandom.manualSeed(UInt64(0))
        let conv = try Conv2d(3, 4, kernelSize: 3), relu = ReLU()
        // A hook on either layer must see what it sees without fusion: the conv output, then the ReLU.
        var seen: [Double] = []
        let handle = conv.registerForwardHook(.positional { _, _, out in
            seen = out.flatMap { ModuleValueBridge.tensor(from: $0) }?.toDoubles() ?? []
            return nil
        })
        XCTAssertFalse(conv.fusesWithReLU(relu))
        let x = try input()
        let y = try Sequential([conv, relu])(x)
        let convOutput = try conv.forward(x).toDoubles()   // forward itself runs no hooks
        XCTAssertTrue(convOutput.contains { $0 < 0 })
        XCTAssertEqual(seen, convOutput, "the hook saw the convolution's output before the ReLU")
        XCTAssertEqual(y.toDoubles(), convOutput.map { max($0, 0) })
        handle.remove()
        XCTAssertTrue(conv.fusesWithReLU(relu))
        let preHook = relu.registerForwardPreHook(.positional { _, _ in nil })
        XCTAssertFalse(conv.fusesWithReLU(relu))
        preHook.remove()
        final class MyReLU: ReLU {}
        XCTAssertFalse(conv.fusesWithReLU(MyReLU()))
        XCTAssertFalse(conv.fusesWithReLU(LeakyReLU()))
    }
}
