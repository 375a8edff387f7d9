import XCTest
@testable import NeuralNet
import TensorRuntime

/// Forward hooks and pre-hooks (reference §9).
final class HookTests: XCTestCase {
    /// A module whose forward returns its argument list, so hooks' effects are visible.
    final class Echo: Module {
        override func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any { arguments.compactMap { $0 as? Int } }
    }

    func testOrderReplacementAndRemoval() throws {
        let m = Echo()
        var log: [String] = []
        let h1 = m.registerForwardPreHook(.positional { _, args in log.append("pre1"); return HookTuple(args.items + [2]) })
        m.registerForwardPreHook(.positional { _, _ in log.append("pre0"); return nil }, prepend: true)
        m.registerForwardPreHook(.positional { _, args in log.append("pre2"); return args.items.count })
        let f1 = m.registerForwardHook(.positional { _, args, out in
            log.append("hook1")
            XCTAssertEqual((args.items.first as? Int), 2)
            return (out as? [Int] ?? []) + [9]
        })
        var lastSeen: [Int]?
        m.registerForwardHook(.positional { _, _, out in log.append("hook2"); lastSeen = out as? [Int]; return nil })
        let out = try m.call(arguments: [1])
        XCTAssertEqual(log, ["pre0", "pre1", "pre2", "hook1", "hook2"])
        // pre2 returned a non-tuple (the count 2), which became (2,); hook1 appended 9 and hook2 saw that.
        XCTAssertEqual(out as? [Int], [2, 9])
        XCTAssertEqual(lastSeen, [2, 9])
        h1.remove(); h1.remove(); f1.remove()
        log = []
        _ = try m.call(arguments: [1])
        XCTAssertEqual(log, ["pre0", "pre2", "hook2"])
        XCTAssertEqual(m.hookCounts.preHooks, 2)
        // forward itself never runs hooks.
        log = []
        _ = try m.forward(arguments: [1], keywords: [])
        XCTAssertEqual(log, [])
    }

    func testKeywordHooks() throws {
        let m = Echo()
        m.registerForwardPreHook(.withKeywords { _, args, kwargs in
            XCTAssertEqual(kwargs.first?.0, "k")
            return (HookTuple(args.items + [5]), [])
        })
        var seen: [(String, Any)] = []
        m.registerForwardHook(.withKeywords { _, _, kwargs, _ in seen = kwargs; return nil })
        XCTAssertEqual(try m.call(arguments: [1], keywords: [("k", 0)]) as? [Int], [1, 5])
        XCTAssertTrue(seen.isEmpty)
    }

    func testAlwaysCallRunsAfterError() {
        let m = Module()
        var called = false
        m.registerForwardHook(.positional { _, _, out in called = out == nil; return nil }, alwaysCall: true)
        XCTAssertThrowsError(try m.call(arguments: [plainTensor([1], [1])]))
        XCTAssertTrue(called)
    }

    func testCallAsFunctionUsesHooks() throws {
        let leaf = Leaf()
        let x = plainTensor([1, 2], [2])
        let replaced = plainTensor([7], [1])
        leaf.registerForwardHook(.positional { _, _, _ in replaced })
        XCTAssertTrue(try leaf(x) === replaced)
        XCTAssertTrue(try leaf.forward(x) === x)
    }
}
