import XCTest
@testable import NeuralNet
@testable import TensorRuntime

/// A module can't become its own descendant: the Swift traversals (repr, train, state_dict,
/// forward) would recurse until the stack overflows.
final class RobustnessTests: XCTestCase {
    func testCyclesAreRejectedAndChangeNothing() throws {
        let inner = Sequential([])
        let outer = Sequential([inner])
        for attempt in [{ try inner.addModule("up", outer) }, { try inner.addModule("me", inner) },
                        { try inner.insert(outer, at: 0) }] {
            XCTAssertThrowsError(try attempt()) { e in XCTAssertEqual((e as? TorchError)?.kind, .recursionError) }
        }
        XCTAssertEqual(inner.ownModules.count, 0)
        try inner.addModule("leaf", Sequential([]))
        XCTAssertEqual(outer.modules().count, 3)
    }
}
