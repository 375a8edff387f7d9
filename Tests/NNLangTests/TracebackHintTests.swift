import XCTest
@testable import NNLang

/// Python 3.11's "Did you mean" hints and the IndentationError caret, as tracebacks print them.
final class TracebackHintTests: XCTestCase {
    private func lastErrorLine(_ source: String) -> String {
        let (_, _, err) = GoldenTests.run(source)
        return err.split(separator: "\n").last.map(String.init) ?? ""
    }

    func testNameAndAttributeErrorsSuggestTheClosestName() {
        XCTAssertEqual(lastErrorLine("prnt('x')"), "NameError: name 'prnt' is not defined. Did you mean: 'print'?")
        XCTAssertEqual(lastErrorLine("length = 3\nprint(lengt)"), "NameError: name 'lengt' is not defined. Did you mean: 'length'?")
        XCTAssertEqual(lastErrorLine("[].apend(1)"), "AttributeError: 'list' object has no attribute 'apend'. Did you mean: 'append'?")
        XCTAssertEqual(lastErrorLine("import math\nmath.sqr(2)"), "AttributeError: module 'math' has no attribute 'sqr'. Did you mean: 'sqrt'?")
        XCTAssertEqual(lastErrorLine("class A:\n    def __init__(self):\n        self.value = 1\nA().valeu"),
                       "AttributeError: 'A' object has no attribute 'valeu'. Did you mean: 'value'?")
        XCTAssertEqual(lastErrorLine("xyzzy_unrelated"), "NameError: name 'xyzzy_unrelated' is not defined")
    }

    func testTheHintIsNotPartOfTheMessage() {
        let (_, out, _) = GoldenTests.run("try:\n    prnt\nexcept NameError as e:\n    print(e)\nprint(hasattr([], 'apend'))")
        XCTAssertEqual(out, "name 'prnt' is not defined\nFalse\n")
    }

    func testSuggestionCostsFollowCPython() {
        XCTAssertEqual(Suggestions.closest(to: "relu", among: ["ReLU", "GELU"]), "ReLU")
        XCTAssertNil(Suggestions.closest(to: "ab", among: ["xyz"]))
        XCTAssertNil(Suggestions.closest(to: String(repeating: "a", count: 41), among: [String(repeating: "a", count: 40)]))
    }

    func testUnindentErrorHasItsCaretPastTheLine() {
        let (status, _, err) = GoldenTests.run("if True:\n        x = 1\n    y = 2\n")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(err.contains("    y = 2\n         ^\nIndentationError: unindent does not match any outer indentation level"), err)
    }
}
