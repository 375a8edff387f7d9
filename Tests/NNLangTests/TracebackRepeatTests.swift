import XCTest
@testable import NNLang

/// Runs of traceback entries at one place collapse as CPython 3.11 prints them: the first three,
/// then `  [Previous line repeated N more times]` (expected texts from CPython 3.11.7).
final class TracebackRepeatTests: XCTestCase {
    private let countdown = """
        def g(n):
            if n == 0:
                raise ValueError("x")
            return g(n - 1)

        """

    func testRunOfSixEntriesShowsThreeAndCountsTheRest() {
        let (status, _, err) = GoldenTests.run(countdown + "g(5)\n", fileName: "r.nnrepl")
        XCTAssertEqual(status, 1)
        let repeated = "  r.nnrepl:4:12, in g\n    return g(n - 1)\n           ^^^^^^^^\n"
        XCTAssertEqual(err, "Traceback (most recent call last):\n  r.nnrepl:5:1, in <module>\n    g(5)\n    ^^^^\n"
            + repeated + repeated + repeated + "  [Previous line repeated 2 more times]\n"
            + "  r.nnrepl:3:9, in g\n    raise ValueError(\"x\")\n    ^^^^^^^^^^^^^^^^^^^^^\nValueError: x\n")
    }

    func testOneMoreTimeIsSingularAndThreeAreNotCollapsed() {
        let (_, _, four) = GoldenTests.run(countdown + "g(4)\n", fileName: "r.nnrepl")
        XCTAssertTrue(four.contains("  [Previous line repeated 1 more time]\n"), four)
        let (_, _, three) = GoldenTests.run(countdown + "g(3)\n", fileName: "r.nnrepl")
        XCTAssertFalse(three.contains("Previous line"), three)
        XCTAssertEqual(three.components(separatedBy: "in g\n").count - 1, 4)
    }

    func testRecursionErrorTracebackIsShort() {
        let (status, _, err) = GoldenTests.run("def f(n):\n    return f(n + 1)\nf(0)\n", fileName: "r.nnrepl")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(err.hasSuffix("  [Previous line repeated 996 more times]\nRecursionError: maximum recursion depth exceeded\n"), err)
        XCTAssertEqual(err.split(separator: "\n").count, 15)
    }
}
