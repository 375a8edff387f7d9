import XCTest
@testable import NNLang

/// `Golden/python`: pure-Python scripts whose expected output is what `python3` printed.
final class GoldenTests: XCTestCase {
    func testPythonGoldenCases() throws {
        try GoldenRunner.runFolder("python", minimumCases: 60, makeHost: { nil })
    }

    /// Runs a script in a fresh interpreter without torch; returns (status, stdout, stderr).
    static func run(_ source: String, fileName: String = "<test>") -> (Int32, String, String) {
        GoldenRunner.run(source, fileName: fileName)
    }
}
