import XCTest
@testable import NNLang

/// Runs every `Golden/python/NAME.nnrepl` script and compares its stdout with `NAME.out` (what
/// `python3` printed for the same script). A case with `NAME.err` must fail with a non-zero
/// status and every line of `NAME.err` must appear in its stderr.
final class GoldenTests: XCTestCase {
    func testPythonGoldenCases() throws {
        try runFolder("python")
    }

    private func runFolder(_ folder: String) throws {
        guard let root = Bundle.module.url(forResource: "Golden", withExtension: nil)?.appendingPathComponent(folder) else {
            return XCTFail("Golden/\(folder) resource missing")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path)
            .filter { $0.hasSuffix(".nnrepl") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 60)
        for name in names {
            let base = root.appendingPathComponent(String(name.dropLast(".nnrepl".count)))
            let source = try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
            let expected = try String(contentsOf: base.appendingPathExtension("out"), encoding: .utf8)
            let errLines = (try? String(contentsOf: base.appendingPathExtension("err"), encoding: .utf8))?
                .split(separator: "\n").map(String.init)
            let (status, out, err) = GoldenTests.run(source, fileName: name)
            XCTAssertEqual(out, expected, "stdout of \(name)")
            if let errLines {
                XCTAssertNotEqual(status, 0, "\(name) should fail")
                for line in errLines where !line.isEmpty {
                    XCTAssertTrue(err.contains(line), "\(name): stderr lacks '\(line)'; got:\n\(err)")
                }
            } else {
                XCTAssertEqual(status, 0, "\(name) failed:\n\(err)")
            }
        }
    }

    /// Runs a script in a fresh interpreter; returns (status, stdout, stderr).
    static func run(_ source: String, fileName: String = "<test>") -> (Int32, String, String) {
        Interpreter.withLargeStack {
            let interpreter = Interpreter()
            var out = "", err = ""
            interpreter.output = { out += $0 }
            interpreter.errorOutput = { err += $0 }
            let status = interpreter.runScript(source: source, fileName: fileName)
            return (status, out, err)
        }
    }
}
