import Foundation
import XCTest
@testable import NNREPL

/// `:help NAME` / `NAME?` for any defined name, and `NAME??`: the source of a function or class
/// the session defined (`DefinitionSources`).
extension CommandGoldenTests {
    static let documented = """
    import torch
    import torch.nn as nn
    def f(x, y=2):
        \"\"\"Doubles x.

        Then adds y.
        \"\"\"
        return 2 * x + y

    class Net(nn.Module):
        \"\"\"A net.\"\"\"
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)

        def forward(self, x):
            # one layer
            return self.fc(x)

    def g():
        def inner():
            pass
        return inner
    net = Net()

    """

    func testHelpShowsHeadersAndDocstringsOfSessionDefinitions() {
        let r = run(Self.documented + ":help f\n:help net\n:help Net.forward\n:help net.fc\n:help torch.sum\n")
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        f(x, y=2)
            Doubles x.

            Then adds y.
        Net(nn.Module)
            A net.
        forward(self, x)
            No docstring.
        Linear(in_features, out_features, bias=True, device=None, dtype=None)
            Affine map y = x @ weight.T + bias on the last dimension.
        sum(input, dim=None, keepdim=False, *, dtype=None)
            Sum of the elements (over dim if given).

        """)
    }

    func testDoubleQuestionMarkShowsTheSource() {
        let r = run(Self.documented + ":help f??\n:help net.forward??\n:help Net??\n")
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        def f(x, y=2):
            \"\"\"Doubles x.

            Then adds y.
            \"\"\"
            return 2 * x + y
        def forward(self, x):
            # one layer
            return self.fc(x)
        class Net(nn.Module):
            \"\"\"A net.\"\"\"
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)

            def forward(self, x):
                # one layer
                return self.fc(x)

        """)
        // A redefinition replaces the source; a nested function has none (its help instead).
        let redefined = run(Self.documented + "def f(x):\n    return x\n\n:help f??\ninner = g()\n:help inner??\n")
        XCTAssertEqual(redefined.out, "def f(x):\n    return x\nNo documentation for inner.\n")
        let unknown = run(":help nope??\n")
        XCTAssertEqual(unknown.err, ":help: no help for 'nope' (topics: the :commands, language, or a defined name such as nn.Linear)\n")
    }
}
