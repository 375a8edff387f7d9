import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 14's front-end items typed into the real binary through a pseudo-terminal: bracketed
/// paste, prompts copied from Python sessions, Ctrl-D on a `... ` line, Ctrl-G in a Ctrl-R
/// search, `:reset`'s question and `!shell` lines.
extension InteractiveREPLTests {
    static let pasteStart = "\u{1B}[200~"
    static let pasteEnd = "\u{1B}[201~"

    /// Sends `text` as a terminal sends a paste: between the bracketed-paste markers, with
    /// `\r` for newlines.
    func paste(_ text: String, into pty: PTYSession) {
        pty.send(Self.pasteStart + text.replacingOccurrences(of: "\n", with: "\r") + Self.pasteEnd)
    }

    func endWithCtrlD(_ pty: PTYSession, file: StaticString = #filePath, line: UInt = #line) throws {
        try pty.expect(">>> ")
        pty.send(PTYSession.ctrlD)
        XCTAssertEqual(pty.waitForExit(), 0, file: file, line: line)
    }

    func testBracketedPasteOfAClassWithBlankLinesIsOneInput() throws {
        let pty = try start()
        XCTAssertTrue(pty.transcript.contains("\u{1B}[?2004h"), "bracketed paste not enabled")
        pty.send("import torch" + PTYSession.enter + "import torch.nn as nn" + PTYSession.enter)
        try pty.expect(">>> import torch.nn as nn")
        paste("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()

                self.fc = nn.Linear(2, 3)

            def forward(self, x):
                y = self.fc(x)

                return y

        net = Net()
        print('paste', net(torch.ones(4, 2)).shape)

        """, into: pty)
        try pty.expect("... net = Net()\n")  // the pasted lines are shown behind `... `
        try pty.expect("paste torch.Size([4, 3])\n")
        try pty.expect(">>> ")
        XCTAssertFalse(pty.transcript.contains("Error"), pty.transcript)
        // A long paste (about 20 KB) arrives whole.
        paste("xs = [\n" + (0..<3000).map { "    \($0)," }.joined(separator: "\n") + "\n]\nprint('len', len(xs), sum(xs))\n", into: pty)
        try pty.expect("len 3000 4498500\n", timeout: 20)
        // A paste without a newline is inserted for editing; Enter runs it.
        paste("print('one', 1)", into: pty)
        pty.send(" ;print('two')" + PTYSession.enter)
        try pty.expect("one 1\ntwo\n")
        try endWithCtrlD(pty)
    }

    func testCopiedPythonPromptsAreRemoved() throws {
        let pty = try start()
        paste(">>> x = 20\n>>> print(x + 22)\n42\n>>> for i in range(2):\n...     print('row', i)\n...\nrow 0\nrow 1\n", into: pty)
        try pty.expect("... print(x + 22)\n")
        try pty.expect("42\n")
        try pty.expect("row 1\n")
        try pty.expect(">>> ")
        // Typed (or pasted by a terminal without bracketed paste) line by line.
        pty.send(">>> if x:" + PTYSession.enter)
        try pty.expect("... ")
        pty.send("...     print('typed', x)" + PTYSession.enter)
        try pty.expect("... ")
        pty.send("..." + PTYSession.enter)
        try pty.expect("typed 20\n")
        try endWithCtrlD(pty)
    }

    func testCtrlDOnAContinuationLineRunsTheBlock() throws {
        let pty = try start()
        pty.send("for i in range(2):" + PTYSession.enter)
        try pty.expect("... ")
        pty.send("    print('row', i)" + PTYSession.enter)
        try pty.expect("... ")
        pty.send(PTYSession.ctrlD)
        try pty.expect("row 1\n")
        try pty.expect(">>> ")
        pty.send("print('still here')" + PTYSession.enter)
        try pty.expect("still here\n")
        try endWithCtrlD(pty)
    }

    func testCtrlGCancelsAReverseSearch() throws {
        let pty = try start()
        pty.send("print('found')" + PTYSession.enter)
        try pty.expect("found\n")
        try pty.expect(">>> ")
        pty.send("6 * 7")
        try pty.expect("6 * 7")
        pty.send(PTYSession.ctrlR)
        pty.send("print('f")
        try pty.expect("print('found')")
        pty.send("\u{07}")  // Ctrl-G: back to the line typed before the search
        pty.send(PTYSession.enter)
        try pty.expect("42\n")
        XCTAssertEqual(pty.transcript.components(separatedBy: "found\r\n").count, 2, "the found line ran again")
        // A second search (libedit keeps the old pattern) is cancelled as well.
        try pty.expect(">>> ")
        pty.send("1 + 1")
        pty.send(PTYSession.ctrlR)
        pty.send("6 *")
        try pty.expect("6 * 7")
        pty.send("\u{07}" + PTYSession.enter)
        try pty.expect("2\n")
        try endWithCtrlD(pty)
    }

    func testQuestionMarkShowsHelp() throws {
        let pty = try start()
        pty.send("nn.Linear?" + PTYSession.enter)
        try pty.expect("nn.Linear(in_features, out_features, bias=True, device=None, dtype=None)\n")
        try pty.expect("Affine map")
        try endWithCtrlD(pty)
    }

    func testResetAsksWhenModulesWouldBeLost() throws {
        let pty = try start()
        pty.send("import torch.nn as nn" + PTYSession.enter)
        pty.send("model = nn.Linear(2, 2)" + PTYSession.enter)
        pty.send(":reset" + PTYSession.enter)
        try pty.expect("delete 2 variables, including the module model? [y/N] ")
        pty.send("n" + PTYSession.enter)
        try pty.expect("nothing deleted\n")
        pty.send("model" + PTYSession.enter)
        try pty.expect("Linear(in_features=2, out_features=2, bias=True)")
        pty.send(":reset" + PTYSession.enter)
        try pty.expect("[y/N] ")
        pty.send("y" + PTYSession.enter)
        try pty.expect("deleted 3 variables\n")  // nn, model and _
        try endWithCtrlD(pty)
    }

    func testShellCommand() throws {
        let pty = try start()
        pty.send("print('before')" + PTYSession.enter)
        pty.send("!echo shell-$((6*7))" + PTYSession.enter)
        try pty.expect("before\n")
        try pty.expect("shell-42\n")
        // Ctrl-C ends the command, not the session, and is not taken for the next input.
        try pty.expect(">>> ")
        pty.send("!echo sleeping; sleep 30" + PTYSession.enter)
        try pty.expect("sleeping\n")
        usleep(200_000)
        pty.send(PTYSession.ctrlC)
        try pty.expect(">>> ", timeout: 5)
        pty.send("print('alive')" + PTYSession.enter)
        try pty.expect("alive\n")
        try endWithCtrlD(pty)
    }
}

extension InteractiveREPLTests {
    func testTabCompletionAfterSubscriptsInStringsAndForKeywords() throws {
        let pty = try start()
        paste("""
        import torch
        import torch.nn as nn
        net = nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()))
        sd = net.state_dict()
        x = torch.ones(3)

        """, into: pty)
        try pty.expect(">>> ")
        pty.send("net[0][0].we" + PTYSession.tab)
        try pty.expect("net[0][0].weight")
        pty.send(".shape" + PTYSession.enter)
        try pty.expect("torch.Size([2, 1, 3, 3])")
        // Never `net.0.0` (a SyntaxError): Tab rewrites it as subscripts. (libedit redraws
        // only what changed, so the screen is checked by running the line.)
        pty.send("net.0.0" + PTYSession.tab + PTYSession.enter)
        try pty.expect("Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1))")
        pty.send("sd['0.0.b" + PTYSession.tab)
        try pty.expect("sd['0.0.bias']")
        pty.send(".shape" + PTYSession.enter)
        try pty.expect("torch.Size([2])")
        pty.send("x.sum(di" + PTYSession.tab)
        try pty.expect("x.sum(dim=")
        pty.send("0)" + PTYSession.enter)
        try pty.expect("tensor(3.)")
        try endWithCtrlD(pty)
    }
}

extension InteractiveREPLTests {
    func testPlotDrawsInTheTerminal() throws {
        let pty = try start()
        pty.send(":plot [1, 4, 9, 16]" + PTYSession.enter)
        try pty.expect("[1, 4, 9, 16] (4 values)\n")
        try pty.expect("16 ┤")
        try pty.expect("8.5 ┤")
        try pty.expect("  1 ┤")
        let axis = try pty.expect("3\n")  // the x axis labels: 0 … 3
        XCTAssertTrue(axis.contains("└" + String(repeating: "─", count: 74)), axis)  // 80 columns
        try endWithCtrlD(pty)
    }
}

/// `plt.show()` at the prompt draws the figure in the terminal.
extension InteractiveREPLTests {
    func testPyplotShowDrawsInTheTerminal() throws {
        let pty = try start()
        pty.send("import matplotlib.pyplot as plt" + PTYSession.enter)
        try pty.expect(">>> ")
        pty.send("_ = plt.plot([1, 4, 9, 16], label='squares'); plt.title('demo'); plt.show()" + PTYSession.enter)
        try pty.expect("demo\n")
        try pty.expect("squares: line of 4 points\n")
        try pty.expect("16 ┤")
        try pty.expect(">>> ")
        pty.send("plt.get_fignums()" + PTYSession.enter)
        try pty.expect("[]\n")
        try endWithCtrlD(pty)
    }
}

/// Ctrl-C during one long forward pass of built-in layers, and `f??` typed at the prompt.
extension InteractiveREPLTests {
    /// Forty built-in 16-channel convolutions on an 8×16×112×112 batch run for tens of seconds
    /// in a debug build (as resnet18 on 16×3×224×224 does in a release build, whose
    /// construction alone takes half a minute in debug); Ctrl-C must stop the pass at the next
    /// layer (the module-call check point), leave `y` unassigned and the session running.
    /// Without the check point the pass runs to its end and `y` is set.
    func testCtrlCStopsALongForwardPassBetweenLayers() throws {
        let pty = try start()
        pty.send("import torch, torch.nn as nn" + PTYSession.enter)
        try pty.expect(">>> ")
        pty.send("net = nn.Sequential(*[nn.Conv2d(16, 16, 3, padding=1) for _ in range(40)]); x = torch.randn(8, 16, 112, 112)" + PTYSession.enter)
        try pty.expect(">>> ", timeout: 30)
        let latency = try interrupt("y = net(x)", in: pty)
        pty.send("'y' in dir(), net.training" + PTYSession.enter)
        try pty.expect("(False, True)\n")
        try endWithCtrlD(pty)
        print("Ctrl-C to KeyboardInterrupt during a 40-conv forward pass (debug build): \(String(format: "%.2f", latency)) s")
    }

    func testDoubleQuestionMarkShowsASessionFunctionsSource() throws {
        let pty = try start()
        paste("def twice(x):\n    \"\"\"Doubles.\"\"\"\n\n    return 2 * x\n", into: pty)
        try pty.expect(">>> ")
        pty.send("twice?" + PTYSession.enter)
        try pty.expect("twice(x)\n    Doubles.\n")
        try pty.expect(">>> ")
        pty.send("twice??" + PTYSession.enter)
        try pty.expect("def twice(x):\n    \"\"\"Doubles.\"\"\"\n\n    return 2 * x\n")
        try endWithCtrlD(pty)
    }
}
