import XCTest
@testable import NNREPL

/// Pure front-end logic: block continuation, script splitting, argument splitting, formats.
final class InputBlockTests: XCTestCase {
    func feed(_ lines: [String]) -> [String?] {
        var block = InputBlock()
        return lines.map { line in
            let result = block.add(line)
            if result != nil { block = InputBlock() }
            return result
        }
    }

    func testSimpleStatementRunsAtOnce() {
        XCTAssertEqual(feed(["x = 1"]), ["x = 1"])
        XCTAssertEqual(feed(["   "]), [nil])
    }

    func testCompoundStatementWaitsForBlankLine() {
        XCTAssertEqual(feed(["for i in range(2):", "    print(i)", ""]),
                       [nil, nil, "for i in range(2):\n    print(i)"])
        XCTAssertEqual(feed(["if x: y = 1", ""]), [nil, "if x: y = 1"])
    }

    func testBracketsStringsAndBackslashContinue() {
        XCTAssertEqual(feed(["x = [1,", "2]"]), [nil, "x = [1,\n2]"])
        XCTAssertEqual(feed(["s = \"\"\"a", "b\"\"\""]), [nil, "s = \"\"\"a\nb\"\"\""])
        XCTAssertEqual(feed(["x = 1 + \\", "2"]), [nil, "x = 1 + \\\n2"])
    }

    func testCommandsAreCompleteAndInvalidInputRuns() {
        XCTAssertEqual(feed([":tree model"]), [":tree model"])
        XCTAssertEqual(feed(["x = )"]), ["x = )"])
    }

    func testClassBlockKeepsInnerBlankLinesUntilDedentedBlank() {
        let lines = ["class A:", "    def f(self):", "        return 1", "", ]
        XCTAssertEqual(feed(lines).last ?? nil, "class A:\n    def f(self):\n        return 1")
    }

    func testNestedHeaderWaitsForItsBodyUntilABlankLine() {
        XCTAssertEqual(feed(["class A:", "    def f(self):", ""]), [nil, nil, "class A:\n    def f(self):"])
    }
}

final class ScriptPiecesTests: XCTestCase {
    func testScriptWithoutCommandsIsOnePiece() {
        XCTAssertEqual(ScriptRunner.pieces("x = 1\nprint(x)\n"), [.python("x = 1\nprint(x)\n", line: 1)])
    }

    func testCommandLinesSplitTheScript() {
        let pieces = ScriptRunner.pieces("x = 1\n:who\n\nprint(x)\n:tree m")
        XCTAssertEqual(pieces, [.python("x = 1", line: 1), .command(":who", line: 2),
                                .python("\nprint(x)", line: 3), .command(":tree m", line: 5)])
    }

    func testColonInsideBracketsIsPython() {
        let source = "d = {1\n:2}\n"
        XCTAssertEqual(ScriptRunner.pieces(source), [.python(source, line: 1)])
    }
}

final class CommandTextTests: XCTestCase {
    func testSplitTopLevel() {
        XCTAssertEqual(CommandText.splitTopLevel("model (1, 3, 10, 10)"), ["model", "(1, 3, 10, 10)"])
        XCTAssertEqual(CommandText.splitTopLevel("  m.layer1  'a b' [1, 2] "), ["m.layer1", "'a b'", "[1, 2]"])
        XCTAssertEqual(CommandText.splitTopLevel(""), [])
        XCTAssertEqual(CommandText.splitTopLevel("f(\")\" , 1) x"), ["f(\")\" , 1)", "x"])
    }

    func testFirstWord() {
        XCTAssertEqual(CommandText.firstWord(" model  (1, 2) ").0, "model")
        XCTAssertEqual(CommandText.firstWord(" model  (1, 2) ").1, "(1, 2)")
    }

    func testNumbers() {
        XCTAssertEqual(CommandText.grouped(0), "0")
        XCTAssertEqual(CommandText.grouped(999), "999")
        XCTAssertEqual(CommandText.grouped(1000), "1,000")
        XCTAssertEqual(CommandText.grouped(11_689_512), "11,689,512")
        XCTAssertEqual(CommandText.grouped(-1234), "-1,234")
        XCTAssertEqual(CommandText.fixed(-0.00001, 4), "0.0000")
        XCTAssertEqual(CommandText.fixed(0.01, 4), "0.0100")
        XCTAssertEqual(CommandText.fixed(.nan, 4), "nan")
    }

    func testTable() {
        let text = CommandText.table([["a", "bb"], ["ccc", "1"]], alignments: [.left, .right])
        XCTAssertEqual(text, "a    bb\nccc   1\n")
    }

    func testDurations() {
        XCTAssertEqual(SessionCommands.formatDuration(0.00123), "1.23 ms")
        XCTAssertEqual(SessionCommands.formatDuration(0.000512), "512 µs")
        XCTAssertEqual(SessionCommands.formatDuration(2.5), "2.50 s")
    }

    func testMultAddsUnits() {
        XCTAssertEqual(SummaryTable.multAdds(67_626), "(M): 0.07")
        XCTAssertEqual(SummaryTable.multAdds(0), "(M): 0")
        XCTAssertEqual(SummaryTable.multAdds(2_000_000), "(M): 2")
        XCTAssertEqual(SummaryTable.multAdds(1_814_083_944), "(G): 1.81")
    }

    func testFreezePrefixMatchesWholeComponents() {
        XCTAssertTrue(FreezeCommand.matches("layer1.0.weight", prefix: "layer1"))
        XCTAssertTrue(FreezeCommand.matches("layer1.0.weight", prefix: "layer1."))
        XCTAssertTrue(FreezeCommand.matches("fc.bias", prefix: ""))
        XCTAssertTrue(FreezeCommand.matches("fc.bias", prefix: "fc.bias"))
        XCTAssertFalse(FreezeCommand.matches("layer10.weight", prefix: "layer1"))
    }
}
