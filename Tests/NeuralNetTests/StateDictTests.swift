import XCTest
@testable import NeuralNet
import TensorRuntime

/// state_dict / load_state_dict (reference §5).
final class StateDictTests: XCTestCase {
    private func makeNet() throws -> Net {
        let net = Net()
        let fc = Leaf()
        try fc.registerParameter("bias", param([2]))
        try net.addModule("fc", fc)
        try net.registerBuffer("steps", plainTensor([0], [1]))
        try net.registerBuffer("scratch", plainTensor([0], [1]), persistent: false)
        return net
    }

    func testOrderAndPersistence() throws {
        let net = try makeNet()
        XCTAssertEqual(net.stateDict().map { $0.0 }, ["steps", "fc.weight", "fc.bias"])
        XCTAssertEqual(net.namedBuffers().map { $0.0 }, ["steps", "scratch"])
        let sd = net.stateDict()
        XCTAssertFalse(sd[1].1 === net.child("fc")!.parameter("weight"))
        XCTAssertFalse(sd[1].1.requiresGrad)
        XCTAssertTrue(net.stateDict(keepVars: true)[1].1 === net.child("fc")!.parameter("weight"))
        XCTAssertEqual(net.stateDict(prefix: "m.").first?.0, "m.steps")
    }

    func testRoundTripAndAllKeysMatched() throws {
        let a = try makeNet(), b = try makeNet()
        a.child("fc")!.parameter("weight")!.storage.setDouble(5, at: 1)
        let keys = try b.loadStateDict(a.stateDict().map { ($0.0, .tensor($0.1)) })
        XCTAssertEqual(keys.description, "<All keys matched successfully>")
        XCTAssertEqual(b.child("fc")!.parameter("weight")!.toDoubles(), [0, 5])
    }

    func testMissingUnexpectedAndSizeMismatch() throws {
        let net = try makeNet()
        let entries: [(String, StateValue)] = [
            ("steps", .tensor(plainTensor([1], [1]))),
            ("fc.weight", .tensor(plainTensor([1, 2, 3], [3]))),
            ("extra.w", .tensor(plainTensor([1], [1]))),
            ("foo", .tensor(plainTensor([1], [1]))),
        ]
        assertTorchError(.runtimeError, "Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: \"fc.bias\". \n\tUnexpected key(s) in state_dict: \"extra.w\", \"foo\". \n\tsize mismatch for fc.weight: copying a param with shape torch.Size([3]) from checkpoint, the shape in current model is torch.Size([2]).") {
            try net.loadStateDict(entries)
        }
        // Size mismatches raise even when not strict, and nothing was changed.
        assertTorchError(.runtimeError, "Error(s) in loading state_dict for Net:\n\tsize mismatch for fc.weight: copying a param with shape torch.Size([3]) from checkpoint, the shape in current model is torch.Size([2]).") {
            try net.loadStateDict(entries, strict: false)
        }
        XCTAssertEqual(net.buffer("steps")?.toDoubles(), [0])
        let keys = try net.loadStateDict(Array(entries[0...0]) + Array(entries[2...]), strict: false)
        XCTAssertEqual(keys.description, "_IncompatibleKeys(missing_keys=['fc.weight', 'fc.bias'], unexpected_keys=['extra.w', 'foo'])")
        XCTAssertEqual(net.buffer("steps")?.toDoubles(), [1])
    }

    func testNonTensorValue() throws {
        let leaf = Leaf()
        assertTorchError(.runtimeError, "Error(s) in loading state_dict for Leaf:\n\tWhile copying the parameter named \"weight\", expected torch.Tensor or Tensor-like object from checkpoint but received <class 'int'>") {
            try leaf.loadStateDict([("weight", .other(pythonTypeRepr: "<class 'int'>"))])
        }
    }
}
