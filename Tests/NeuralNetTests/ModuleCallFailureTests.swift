import XCTest
@testable import NeuralNet
import TensorRuntime

/// `ModuleCallFailure`: the layer a forward pass failed in, by its path from the called module.
final class ModuleCallFailureTests: XCTestCase {
    override func tearDown() { ModuleCallFailure.clear() }

    func testPathLeadsFromTheCalledModuleToTheLayerThatRaised() throws {
        let bad = try Linear(7, 2)
        let inner = try Sequential(named: [("proj", bad)])
        let model = try Sequential(named: [("fc", try Linear(4, 8)), ("act", ReLU()), ("block", inner)])
        XCTAssertThrowsError(try model(try Tensor.zeros([5, 4])))
        XCTAssertTrue(ModuleCallFailure.innermost === bad)
        XCTAssertEqual(ModuleCallFailure.path, ["block", "proj"])
    }

    func testAFailureOutsideTheLastChainStartsAgain() throws {
        let model = try Sequential(named: [("fc", try Linear(4, 8)), ("out", try Linear(7, 2))])
        XCTAssertThrowsError(try model(try Tensor.zeros([5, 4])))
        XCTAssertEqual(ModuleCallFailure.path, ["out"])
        let other = try Linear(3, 3)
        XCTAssertThrowsError(try other(try Tensor.zeros([2, 4])))
        XCTAssertTrue(ModuleCallFailure.innermost === other)
        XCTAssertEqual(ModuleCallFailure.path, [])
        ModuleCallFailure.clear()
        XCTAssertNil(ModuleCallFailure.innermost)
    }
}
