import XCTest
@testable import Checkpoints
import TensorRuntime

/// Whole pickled modules (`torch.save(model)`): PyTorch's fixtures (Fixtures/make_whole_models.py),
/// the writer's layout read back, and the refusals that keep loading data-only.
final class WholeModelTests: XCTestCase {
    private func object(_ v: CheckpointValue?, file: StaticString = #filePath, line: UInt = #line) throws -> CheckpointObject {
        guard case .object(let o)? = v else { throw XCTSkip("expected an object, got \(v?.typeName ?? "nothing")") }
        return o
    }

    func testWeightsOnlyRefusesAWholeModuleWithPyTorchsMessage() throws {
        assertTorchError(.unpicklingError, ["Weights only load failed. This file can still be loaded",
                                            "GLOBAL torch.nn.modules.container.Sequential was not an allowed global by default",
                                            "torch.serialization.add_safe_globals([torch.nn.modules.container.Sequential])"]) {
            try CheckpointIO.load(from: try fixturePath("whole_sequential.pth"))
        }
    }

    func testPyTorchSequentialLoadsAsObjects() throws {
        let seq = try object(try CheckpointIO.load(from: try fixturePath("whole_sequential.pth"), allowsObjects: true))
        XCTAssertEqual(seq.qualifiedName, "torch.nn.modules.container.Sequential")
        XCTAssertEqual(Array(CheckpointValue.dict(seq.state).stringKeys.prefix(5)),
                       ["training", "_parameters", "_buffers", "_non_persistent_buffers_set", "_backward_pre_hooks"])
        guard case .bool(false)? = seq["training"] else { return XCTFail("saved in eval mode") }
        let children = try XCTUnwrap(seq["_modules"])
        XCTAssertEqual(children.stringKeys, ["0", "1", "2", "3", "4", "5", "6"])
        let conv = try object(children["0"])
        XCTAssertEqual(conv.qualifiedName, "torch.nn.modules.conv.Conv2d")
        XCTAssertEqual(conv["_reversed_padding_repeated_twice"]?.elements?.count, 4)
        let weight = try XCTUnwrap(conv["_parameters"]?["weight"]?.tensorValue)
        XCTAssertEqual(weight.shape, [2, 1, 3, 3])
        XCTAssertTrue(weight.isParameter)
        let bn = try object(children["1"])
        XCTAssertEqual(try XCTUnwrap(bn["_buffers"]?["num_batches_tracked"]?.tensorValue).toScalars(), [.int(1)])
        guard case .set(let nonPersistent)? = bn["_non_persistent_buffers_set"] else { return XCTFail("expected a set") }
        XCTAssertTrue(nonPersistent.isEmpty)
        guard case .float(let eps)? = bn["eps"] else { return XCTFail("eps") }
        XCTAssertEqual(eps, 1e-5)
    }

    func testScriptClassIsNamedInMain() throws {
        let net = try object(try CheckpointIO.load(from: try fixturePath("whole_script_class.pth"), allowsObjects: true))
        XCTAssertEqual(net.qualifiedName, "__main__.TinyNet")
        guard case .float(0.5)? = net["scale"] else { return XCTFail("scale") }
        XCTAssertEqual(try object(net["_modules"]?["body"]).className, "Sequential")
    }

    func testWrittenObjectsReadBackWithSharing() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try floats([1, 2, 3, 4], [2, 2])
        w.isParameter = true
        let child = CheckpointObject(module: "torch.nn.modules.linear", className: "Linear",
                                     state: [(.string("_parameters"), .dict([(.string("weight"), .tensor(w))])), (.string("in_features"), .int(2))])
        let root = CheckpointObject(module: "__main__", className: "Net", state: [
            (.string("_non_persistent_buffers_set"), .set([.string("a")])),
            (.string("_modules"), .dict([(.string("a"), .object(child)), (.string("b"), .object(child))])),
            (.string("tied"), .tensor(w)),
        ])
        try CheckpointIO.save(.object(root), to: dir + "/m.pth")
        assertTorchError(.unpicklingError, ["GLOBAL __main__.Net was not an allowed global"]) { try CheckpointIO.load(from: dir + "/m.pth") }
        let back = try object(try CheckpointIO.load(from: dir + "/m.pth", allowsObjects: true))
        XCTAssertEqual(back.qualifiedName, "__main__.Net")
        let a = try object(back["_modules"]?["a"]), b = try object(back["_modules"]?["b"])
        XCTAssertTrue(a === b, "a module used twice is one object")
        let weight = try XCTUnwrap(a["_parameters"]?["weight"]?.tensorValue)
        XCTAssertTrue(weight === back["tied"]?.tensorValue, "a tensor used twice is one tensor")
        XCTAssertEqual(weight.toDoubles(), [1, 2, 3, 4])
        guard case .set(let names)? = back["_non_persistent_buffers_set"], case .string("a")? = names.first else { return XCTFail("set") }
    }

    func testOnlyAllowedClassesAndWellFormedObjects() throws {
        func load(_ build: (inout PickleBytes) -> Void) throws -> CheckpointValue {
            var p = PickleBytes()
            build(&p)
            var reader = PickleReader(p.bytes, allowsObjects: true) { _, _, _ in throw TorchError.runtime("no storages") }
            return try reader.load()
        }
        assertTorchError(.unpicklingError, ["nnrepl does not load objects of class os.system"]) {
            try load { $0.global("os", "system"); $0.op(0x29, 0x81) }
        }
        assertTorchError(.unpicklingError, ["NEWOBJ of __main__.Net with arguments"]) {
            try load { $0.global("__main__", "Net"); $0.int1(1); $0.op(0x85, 0x81) }
        }
        assertTorchError(.unpicklingError, ["is not supported (nnrepl only recreates objects pickled with NEWOBJ"]) {
            try load { $0.global("__main__", "Net"); $0.op(0x29, 0x52) }
        }
        // An object whose __dict__ holds the object itself.
        assertTorchError(.unpicklingError, ["already built or nested"]) {
            try load { $0.global("__main__", "Net"); $0.op(0x29, 0x81, 0x71, 0); $0.op(0x7d); $0.unicode("me"); $0.op(0x68, 0, 0x73, 0x62) }
        }
        assertTorchError(.unpicklingError, ["already built"]) {
            try load { $0.global("__main__", "Net"); $0.op(0x29, 0x81, 0x7d, 0x62, 0x7d, 0x62) }
        }
        assertTorchError(.unpicklingError, ["needs a dict state"]) {
            try load { $0.global("__main__", "Net"); $0.op(0x29, 0x81, 0x5d, 0x62) }
        }
        let empty = try load { $0.global("torch.nn.modules.activation", "ReLU"); $0.op(0x29, 0x81) }
        XCTAssertEqual(try object(empty).qualifiedName, "torch.nn.modules.activation.ReLU")
    }
}
