import XCTest
@testable import NNREPL

/// Prompt stripping, pasted blocks, Ctrl-D on a continuation line and `!` lines: the pure
/// logic behind the REPL (the terminal side is in InteractiveFrontEndTests).
final class PromptStripperTests: XCTestCase {
    func testTypedLinesLoseTheirPrompt() {
        XCTAssertEqual(PromptStripper.typedLine(">>> x = 1", continuing: false), "x = 1")
        XCTAssertEqual(PromptStripper.typedLine("...     print(i)", continuing: true), "    print(i)")
        XCTAssertEqual(PromptStripper.typedLine("... ", continuing: true), "")
        XCTAssertEqual(PromptStripper.typedLine("...", continuing: true), "")
        XCTAssertEqual(PromptStripper.typedLine("...", continuing: false), "...")  // Ellipsis
        XCTAssertEqual(PromptStripper.typedLine(">>>", continuing: false), "")
        XCTAssertEqual(PromptStripper.typedLine(">>>x", continuing: false), ">>>x")
        XCTAssertEqual(PromptStripper.typedLine("x >>> 1", continuing: false), "x >>> 1")
    }

    func testPastedTranscriptKeepsCodeAndDropsOutput() {
        let transcript = ">>> x = torch.ones(2)\r\n>>> x\r\ntensor([1., 1.])\r\n>>> for i in range(2):\r\n...     print(i)\r\n...\r\n0\r\n1\r\n"
        XCTAssertEqual(PromptStripper.pasted(transcript), "x = torch.ones(2)\nx\nfor i in range(2):\n    print(i)\n\n")
        let code = "def f():\n    ...\n\n>>> not a prompt here\n"
        XCTAssertEqual(PromptStripper.pasted(code), code)
        XCTAssertEqual(PromptStripper.pasted("\n>>> y = 2"), "y = 2")
    }
}

final class InputBlockPasteTests: XCTestCase {
    static let classWithBlankLines = """
    class Net(nn.Module):
        def __init__(self):
            super().__init__()

            self.fc = nn.Linear(2, 3)

        def forward(self, x):

            return self.fc(x)

    net = Net()
    """

    func testPastedBlockIsOneInputDespiteBlankLines() {
        var block = InputBlock()
        XCTAssertEqual(block.addPaste(Self.classWithBlankLines + "\n"), Self.classWithBlankLines)
    }

    func testPasteLeavingABracketOpenContinues() {
        var block = InputBlock()
        XCTAssertNil(block.addPaste("x = [1,\n2,"))
        XCTAssertFalse(block.isEmpty)
        XCTAssertEqual(block.add("3]"), "x = [1,\n2,\n3]")
    }

    func testPasteJoinsWhatWasTypedBefore() {
        var block = InputBlock()
        XCTAssertNil(block.add("for i in range(2):"))
        XCTAssertEqual(block.addPaste("    print(i)\n\n    print(-i)\n"), "for i in range(2):\n    print(i)\n\n    print(-i)")
    }

    func testSingleLinePasteIsATypedLine() {
        var block = InputBlock()
        XCTAssertEqual(block.addPaste(":who\n"), ":who")
        XCTAssertNil(block.addPaste("\n\n"))
        XCTAssertTrue(block.isEmpty)
    }

    func testFinishRunsAnUnfinishedBlock() {
        var block = InputBlock()
        XCTAssertNil(block.add("def f():"))
        XCTAssertNil(block.add("    return 1"))
        XCTAssertEqual(block.finish(), "def f():\n    return 1")
    }

    func testShellAndPromptedLines() {
        var shell = InputBlock()
        XCTAssertEqual(shell.add("  !ls -l"), "!ls -l")
        var assignment = InputBlock()
        XCTAssertEqual(assignment.add(">>> x = 1"), "x = 1")
        var block = InputBlock()
        XCTAssertNil(block.add(">>> if x:"))
        XCTAssertNil(block.add("...     y = 2"))
        XCTAssertEqual(block.add("..."), "if x:\n    y = 2")
        var help = InputBlock()
        XCTAssertEqual(help.add("nn.Linear?"), ":help nn.Linear")
        XCTAssertEqual(help.add(" swap??"), ":help swap??")
        XCTAssertEqual(InputBlock.helpQuery("x = y?"), nil)
        XCTAssertEqual(InputBlock.helpQuery("?"), nil)
        XCTAssertEqual(InputBlock.helpQuery("a..b?"), nil)
        XCTAssertEqual(InputBlock.helpQuery("1x?"), nil)
        var docstring = InputBlock()
        XCTAssertNil(docstring.add("s = \"\"\""))
        XCTAssertNil(docstring.add(">>> kept"))
        XCTAssertEqual(docstring.add("\"\"\""), "s = \"\"\"\n>>> kept\n\"\"\"")
    }
}
