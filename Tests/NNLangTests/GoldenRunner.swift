import XCTest
@testable import NNLang

/// Runs golden script cases: every `Golden/FOLDER/NAME.nnrepl` is run in a fresh interpreter and
/// its stdout compared with `NAME.out`. A case with `NAME.err` must fail with a non-zero status
/// and every line of `NAME.err` must appear in its stderr. `GOLDEN=prefix` runs only matching cases.
enum GoldenRunner {
    static func runFolder(_ folder: String, minimumCases: Int = 1, makeHost: () -> NNLang.Host?,
                          file: StaticString = #filePath, line: UInt = #line) throws {
        guard let root = Bundle.module.url(forResource: "Golden", withExtension: nil)?.appendingPathComponent(folder) else {
            return XCTFail("Golden/\(folder) resource missing", file: file, line: line)
        }
        let only = ProcessInfo.processInfo.environment["GOLDEN"] ?? ""
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path)
            .filter { $0.hasSuffix(".nnrepl") && $0.hasPrefix(only) }.sorted()
        if only.isEmpty { XCTAssertGreaterThanOrEqual(names.count, minimumCases, file: file, line: line) }
        for name in names {
            let base = root.appendingPathComponent(String(name.dropLast(".nnrepl".count)))
            let source = try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
            let expected = try String(contentsOf: base.appendingPathExtension("out"), encoding: .utf8)
            let errLines = (try? String(contentsOf: base.appendingPathExtension("err"), encoding: .utf8))?
                .split(separator: "\n").map(String.init)
            let (status, out, err) = run(source, fileName: name, host: makeHost())
            XCTAssertEqual(out, expected, "stdout of \(folder)/\(name)\n\(firstDifference(expected, out))", file: file, line: line)
            if let errLines {
                XCTAssertNotEqual(status, 0, "\(name) should fail", file: file, line: line)
                for want in errLines where !want.isEmpty {
                    XCTAssertTrue(err.contains(want), "\(name): stderr lacks '\(want)'; got:\n\(err)", file: file, line: line)
                }
            } else {
                XCTAssertEqual(status, 0, "\(name) failed:\n\(err)", file: file, line: line)
            }
        }
    }

    /// Runs a script in a fresh interpreter; returns (status, stdout, stderr).
    static func run(_ source: String, fileName: String = "<test>", host: NNLang.Host? = nil) -> (Int32, String, String) {
        Interpreter.withLargeStack {
            let interpreter = Interpreter(host: host)
            var out = "", err = ""
            interpreter.output = { out += $0 }
            interpreter.errorOutput = { err += $0 }
            let status = interpreter.runScript(source: source, fileName: fileName)
            return (status, out, err)
        }
    }

    /// The first line where two outputs differ, for a readable failure message.
    static func firstDifference(_ expected: String, _ actual: String) -> String {
        let e = expected.components(separatedBy: "\n"), a = actual.components(separatedBy: "\n")
        for i in 0..<max(e.count, a.count) {
            let want = i < e.count ? e[i] : "<end>", got = i < a.count ? a[i] : "<end>"
            if want != got { return "line \(i + 1):\n  expected: \(want)\n  actual:   \(got)" }
        }
        return ""
    }
}
