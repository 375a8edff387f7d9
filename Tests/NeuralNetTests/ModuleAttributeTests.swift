import XCTest
@testable import NeuralNet
import TensorRuntime

/// `__setattr__` / `__delattr__` / `register_*` rules and messages (reference §1).
final class ModuleAttributeTests: XCTestCase {
    func testParameterAssignmentRegistersAndKeepsPosition() throws {
        let m = Net()
        XCTAssertEqual(try m.setAttribute("a", .parameter(param([1]))), .registered)
        XCTAssertEqual(try m.setAttribute("b", .parameter(param([1]))), .registered)
        let replacement = param([3])
        try m.setAttribute("a", .parameter(replacement))
        XCTAssertEqual(m.ownParameters.keys, ["a", "b"])
        XCTAssertTrue(m.parameter("a") === replacement)
        // A tensor flagged as a Parameter counts as one.
        try m.setAttribute("c", .tensor(param([1])))
        XCTAssertEqual(m.ownParameters.keys, ["a", "b", "c"])
    }

    func testPlainTensorUnderNewNameIsPlainAttribute() throws {
        let m = Net()
        XCTAssertEqual(try m.setAttribute("fc1", .tensor(plainTensor([1, 2], [2]))), .plainAttribute)
        XCTAssertTrue(m.parameters().isEmpty)
        XCTAssertTrue(m.stateDict().isEmpty)
    }

    func testAssigningNonParameterToParameterName() throws {
        let m = Net()
        try m.registerParameter("w", param([2]))
        assertTorchError(.typeError, "cannot assign 'torch.FloatTensor' as parameter 'w' (torch.nn.Parameter or None expected)") {
            try m.setAttribute("w", .tensor(plainTensor([1], [1])))
        }
        assertTorchError(.typeError, "cannot assign 'torch.nn.modules.module.Leaf' as parameter 'w' (torch.nn.Parameter or None expected)") {
            try m.setAttribute("w", .module(Leaf()))
        }
        try m.setAttribute("w", .none)
        XCTAssertEqual(m.ownParameters.keys, ["w"])
        XCTAssertNil(m.parameter("w"))
        XCTAssertTrue(m.namedParameters().isEmpty)
    }

    func testModuleAssignmentReplacesInPlaceAndDelMovesToEnd() throws {
        let m = Net()
        try m.setAttribute("s", .module(Leaf("s")))
        try m.setAttribute("t", .module(Leaf("t")))
        try m.setAttribute("s", .module(Leaf("s2")))
        XCTAssertEqual(m.ownModules.keys, ["s", "t"])
        try m.deleteAttribute("s")
        try m.setAttribute("s", .module(Leaf("s3")))
        XCTAssertEqual(m.ownModules.keys, ["t", "s"])
        assertTorchError(.typeError, "cannot assign 'int' as child module 's' (torch.nn.Module or None expected)") {
            try m.setAttribute("s", .other(typeName: "int"))
        }
        try m.setAttribute("s", .none)
        XCTAssertEqual(m.ownModules.keys, ["t", "s"])
        XCTAssertEqual(m.children().count, 1)
    }

    func testModuleReplacesParameterAndPlainAttribute() throws {
        let m = Net()
        m.instanceAttributes["x"] = 3
        try m.setAttribute("x", .module(Leaf()))
        XCTAssertFalse(m.instanceAttributes.contains("x"))
        try m.registerParameter("p", param([1]))
        try m.setAttribute("p", .parameter(param([1])))
        try m.deleteAttribute("p")
        try m.setAttribute("p", .module(Leaf()))
        XCTAssertEqual(m.ownModules.keys, ["x", "p"])
    }

    func testBufferAssignmentRules() throws {
        let m = Net()
        try m.registerBuffer("buf", plainTensor([1], [1]), persistent: false)
        let t = plainTensor([2], [1])
        XCTAssertEqual(try m.setAttribute("buf", .tensor(t)), .registered)
        XCTAssertTrue(m.buffer("buf") === t)
        XCTAssertTrue(m.nonPersistentBuffers.contains("buf"), "persistence is kept")
        assertTorchError(.typeError, "cannot assign 'int' as buffer 'buf' (torch.nn.Buffer, torch.Tensor or None expected)") {
            try m.setAttribute("buf", .other(typeName: "int"))
        }
        try m.setAttribute("nb", .buffer(t, persistent: true))
        XCTAssertEqual(m.ownBuffers.keys, ["buf", "nb"])
        try m.setAttribute("buf", .none)
        XCTAssertEqual(m.namedBuffers().map { $0.0 }, ["nb"])
    }

    func testBeforeInit() throws {
        let m = Net(uninitialised: ())
        assertTorchError(.attributeError, "cannot assign parameters before Module.__init__() call") {
            try m.setAttribute("w", .parameter(param([1])))
        }
        assertTorchError(.attributeError, "cannot assign module before Module.__init__() call") {
            try m.setAttribute("l", .module(Leaf()))
        }
        assertTorchError(.attributeError, "cannot assign parameter before Module.__init__() call") {
            try m.registerParameter("w", param([1]))
        }
        assertTorchError(.attributeError, "cannot assign buffer before Module.__init__() call") {
            try m.registerBuffer("b", plainTensor([1], [1]))
        }
        XCTAssertEqual(try m.setAttribute("n", .other(typeName: "int")), .plainAttribute)
        m.initialiseModuleState()
        try m.setAttribute("l", .module(Leaf()))
        XCTAssertEqual(m.children().count, 1)
    }

    func testRegisterParameterErrorsInOrder() throws {
        let m = Net()
        m.instanceAttributes["c"] = 1
        assertTorchError(.typeError, "parameter name should be a string. Got int") {
            try m.registerParameter(.nonString(typeName: "int"), .parameter(param([1])))
        }
        assertTorchError(.keyError, "parameter name can't contain \".\"") { try m.registerParameter("a.b", param([1])) }
        assertTorchError(.keyError, "parameter name can't be empty string \"\"") { try m.registerParameter("", param([1])) }
        assertTorchError(.keyError, "attribute 'c' already exists") { try m.registerParameter("c", param([1])) }
        assertTorchError(.keyError, "attribute 'forward' already exists") { try m.registerParameter("forward", param([1])) }
        assertTorchError(.typeError, "cannot assign 'torch.FloatTensor' object to parameter 'zz' (torch.nn.Parameter or None required)") {
            try m.registerParameter(.string("zz"), .tensor(plainTensor([1], [1])))
        }
        let nonLeaf = param([1])
        nonLeaf.recordingGrad("AddBackward0", inputs: [param([1])]) { g in [g] }
        assertTorchError(.valueError, "Cannot assign non-leaf Tensor to parameter 'x'. Model parameters must be created explicitly. To express 'x' as a function of another Tensor, compute the value in the forward() method.") {
            try m.registerParameter("x", nonLeaf)
        }
        try m.registerParameter("bias", nil)
        XCTAssertEqual(m.ownParameters.keys, ["bias"])
        XCTAssertTrue(m.hasAttribute("bias"))
    }

    func testRegisterBufferErrors() throws {
        let m = Net()
        m.instanceAttributes["plain"] = 1
        try m.registerParameter("p", param([1]))
        assertTorchError(.typeError, "buffer name should be a string. Got int") {
            try m.registerBuffer(.nonString(typeName: "int"), .none)
        }
        assertTorchError(.keyError, "buffer name can't contain \".\"") { try m.registerBuffer("a.b", nil) }
        assertTorchError(.keyError, "buffer name can't be empty string \"\"") { try m.registerBuffer("", nil) }
        assertTorchError(.keyError, "attribute 'plain' already exists") { try m.registerBuffer("plain", nil) }
        assertTorchError(.keyError, "attribute 'p' already exists") { try m.registerBuffer("p", nil) }
        assertTorchError(.typeError, "cannot assign 'int' object to buffer 'q' (torch Tensor or None required)") {
            try m.registerBuffer(.string("q"), .other(typeName: "int"))
        }
    }

    func testAddModuleErrorsInOrder() throws {
        let m = Net()
        try m.registerBuffer("buf", nil)
        assertTorchError(.typeError, "int is not a Module subclass") { try m.addModule(.nonString(typeName: "int"), .other(typeName: "int")) }
        assertTorchError(.typeError, "module name should be a string. Got int") { try m.addModule(.nonString(typeName: "int"), .module(Leaf())) }
        assertTorchError(.keyError, "attribute 'buf' already exists") { try m.addModule("buf", Leaf()) }
        assertTorchError(.keyError, "module name can't contain \".\", got: a.b") { try m.addModule("a.b", Leaf()) }
        assertTorchError(.keyError, "module name can't be empty string \"\"") { try m.addModule("", Leaf()) }
        try m.addModule("none", nil)
        XCTAssertEqual(m.ownModules.keys, ["none"])
    }

    func testDeleteAttribute() throws {
        let m = Net()
        try m.registerBuffer("b", plainTensor([1], [1]), persistent: false)
        try m.deleteAttribute("b")
        XCTAssertFalse(m.nonPersistentBuffers.contains("b"))
        m.instanceAttributes["x"] = 1
        try m.deleteAttribute("x")
        assertTorchError(.attributeError, "'Net' object has no attribute 'zz'") { try m.deleteAttribute("zz") }
    }

    func testLookupOrder() throws {
        let m = Net()
        try m.registerParameter("w", param([1]))
        try m.registerBuffer("b", nil)
        try m.addModule("c", Leaf())
        guard case .parameter(let w?)? = m.lookupAttribute("w") else { return XCTFail() }
        XCTAssertEqual(w.shape, [1])
        guard case .buffer(nil)? = m.lookupAttribute("b") else { return XCTFail() }
        guard case .module(_?)? = m.lookupAttribute("c") else { return XCTFail() }
        XCTAssertNil(m.lookupAttribute("d"))
        XCTAssertEqual(m.missingAttributeError("d").message, "'Net' object has no attribute 'd'")
    }
}
