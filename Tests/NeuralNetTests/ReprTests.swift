import XCTest
@testable import NeuralNet
import TensorRuntime

/// Module repr rules (reference §3) on stand-in leaves; layer reprs are in LayerTests.
final class ReprTests: XCTestCase {
    func testLeafAndParameterOnly() {
        XCTAssertEqual(Leaf("a=1").description, "Leaf(a=1)")
        XCTAssertEqual(Net().description, "Net()")
        XCTAssertEqual(Sequential().description, "Sequential()")
        XCTAssertEqual(ModuleList().description, "ModuleList()")
        XCTAssertEqual(Leaf("a=1\nb=2").description, "Leaf(\n  a=1\n  b=2\n)")
    }

    func testNestedAndNone() throws {
        let net = Net()
        try net.addModule("s", Sequential(Leaf("x"), Sequential(Leaf("y"), Leaf())))
        try net.addModule("nc", nil)
        XCTAssertEqual(net.description, """
        Net(
          (s): Sequential(
            (0): Leaf(x)
            (1): Sequential(
              (0): Leaf(y)
              (1): Leaf()
            )
          )
          (nc): None
        )
        """)
    }

    func testExtraReprWithChildren() throws {
        let outer = Leaf("k=1")
        try outer.addModule("c", Leaf("z"))
        XCTAssertEqual(outer.description, "Leaf(\n  k=1\n  (c): Leaf(z)\n)")
    }

    func testModuleListCollapsesRuns() throws {
        let inner = Sequential(Leaf("q"))
        let list = ModuleList([Leaf("l"), Leaf("l"), Leaf("l"), Leaf("r"), Leaf("r"), Leaf("l"), inner, Sequential(Leaf("q"))])
        XCTAssertEqual(list.description, """
        ModuleList(
          (0-2): 3 x Leaf(l)
          (3-4): 2 x Leaf(r)
          (5): Leaf(l)
          (6-7): 2 x Sequential(
            (0): Leaf(q)
          )
        )
        """)
        // Sequential does not collapse.
        XCTAssertEqual(Sequential(Leaf("l"), Leaf("l")).description, "Sequential(\n  (0): Leaf(l)\n  (1): Leaf(l)\n)")
    }
}
