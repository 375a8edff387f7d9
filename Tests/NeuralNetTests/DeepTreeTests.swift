import XCTest
@testable import NeuralNet
import TensorRuntime

/// Very deep module trees: repr and traversals are iterative (no native recursion, linear in
/// their output), nesting is capped at `Module.maxNestingDepth` with RecursionError, and
/// releasing a deep chain does not recurse. These run on XCTest's ordinary 8 MB stack.
final class DeepTreeTests: XCTestCase {
    /// `Sequential(Sequential(… Sequential(leaf)))`, built top-down with `append`.
    private func chain(_ depth: Int, leaf: Module? = nil) throws -> (root: Sequential, deepest: Module) {
        let root = Sequential()
        var current: Module = root
        for _ in 0..<depth {
            let next = Sequential()
            try (current as? Sequential)?.append(next)
            current = next
        }
        if let leaf { try (current as? Sequential)?.append(leaf) }
        return (root, current)
    }

    func testRepr3000DeepMatchesPyTorchLayout() throws {
        let (root, _) = try chain(3000)
        let lines = root.description.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 6001)
        XCTAssertEqual(lines.first, "Sequential(")
        XCTAssertEqual(lines[1], "  (0): Sequential(")
        XCTAssertEqual(lines[3000], String(repeating: " ", count: 6000) + "(0): Sequential()")
        XCTAssertEqual(lines[3001], String(repeating: " ", count: 5998) + ")")
        XCTAssertEqual(lines[5999], "  )")
        XCTAssertEqual(lines.last, ")")
        // Python 3.11 + PyTorch (with sys.setrecursionlimit raised) prints 18057012 characters.
        XCTAssertEqual(root.description.utf8.count, 18_057_012)
    }

    func testDeepReprWithExtraReprAndModuleLists() throws {
        // A leaf at the bottom, a multi-line extra_repr, and ModuleLists collapsing deep children.
        let (root, deepest) = try chain(500, leaf: Leaf("a=1\nb=2"))
        XCTAssertNotNil(deepest)
        let lines = root.description.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines[501], String(repeating: " ", count: 1002) + "(0): Leaf(")
        XCTAssertEqual(lines[502], String(repeating: " ", count: 1004) + "a=1")
        XCTAssertEqual(lines[504], String(repeating: " ", count: 1002) + ")")

        let list = ModuleList([try chain(200).root, try chain(200).root, try chain(199).root])
        let text = list.description
        XCTAssertTrue(text.hasPrefix("ModuleList(\n  (0-1): 2 x Sequential(\n    (0): Sequential(\n"))
        XCTAssertTrue(text.contains("\n  )\n  (2): Sequential(\n    (0): Sequential(\n"))
        XCTAssertTrue(text.hasSuffix("\n  )\n)"))
        let nested = ModuleList([ModuleList([Leaf("x"), Leaf("x")]), ModuleList([Leaf("x"), Leaf("x")])])
        XCTAssertEqual(nested.description, """
        ModuleList(
          (0-1): 2 x ModuleList(
            (0-1): 2 x Leaf(x)
          )
        )
        """)
    }

    func testTraversalsOfADeepTree() throws {
        let (root, deepest) = try chain(5000, leaf: Leaf("w"))
        let names = root.namedModules().map { $0.0 }
        XCTAssertEqual(names.count, 5002)
        XCTAssertEqual(names[2], "0.0")
        XCTAssertEqual(names.last, Array(repeating: "0", count: 5001).joined(separator: "."))
        XCTAssertEqual(root.namedParameters().map { $0.0 }, [Array(repeating: "0", count: 5001).joined(separator: ".") + ".weight"])
        XCTAssertEqual(root.stateDict(prefix: "m.").map { $0.0 }, ["m." + Array(repeating: "0.", count: 5001).joined() + "weight"])
        XCTAssertEqual(root.modules().count, 5002)
        root.eval()
        XCTAssertFalse(deepest.training)
        var visited = 0
        root.apply { _ in visited += 1 }
        XCTAssertEqual(visited, 5002)
        XCTAssertEqual(try root.loadStateDict(root.stateDict().map { ($0.0, .tensor($0.1)) }).description, "<All keys matched successfully>")
    }

    func testNestingLimitRaisesRecursionError() throws {
        let (root, deepest) = try chain(Module.maxNestingDepth)
        XCTAssertEqual(root.modules().count, Module.maxNestingDepth + 1)
        assertTorchError(.recursionError, "maximum recursion depth exceeded: nnrepl nests modules at most 10000 deep") { try (deepest as? Sequential)?.append(Leaf()) }
        // Bottom-up: a tree of maximal height cannot go below a new root.
        let (tall, _) = try chain(Module.maxNestingDepth)
        let wrapper = Sequential()
        assertTorchError(.recursionError, "maximum recursion depth exceeded: nnrepl nests modules at most 10000 deep") { try wrapper.append(tall) }
        XCTAssertEqual(wrapper.count, 0)
        // A refused insertion leaves the bounds as they were: the subtree still fits at the top.
        let top = Sequential()
        try top.append(try chain(10).root)
        XCTAssertEqual(top.modules().count, 12)
    }

    func testCyclesStillRejected() throws {
        let (root, deepest) = try chain(100)
        let cycle = "maximum recursion depth exceeded: a module can't contain itself"
        assertTorchError(.recursionError, cycle) { try (deepest as? Sequential)?.append(root) }
        assertTorchError(.recursionError, cycle) { try root.append(root) }
    }

    func testReleasingAVeryDeepChainDoesNotRecurse() {
        // Built with setChild (no limit), deeper than a recursive release could go on this stack.
        weak var weakRoot: Module?
        weak var weakDeepest: Module?
        do {
            let root = Module()
            var current = root
            for _ in 0..<200_000 {
                let next = Module()
                current.setChild("c", next)
                current = next
            }
            weakRoot = root
            weakDeepest = current
            XCTAssertNotNil(weakDeepest)
        }
        XCTAssertNil(weakRoot)
        XCTAssertNil(weakDeepest)
    }
}
