import XCTest
@testable import NNLang

/// Runs every `Golden/torch/NAME.nnrepl` script with the torch bindings (`TorchHost`) and compares
/// its stdout with `NAME.out` (what Python 3.11 + PyTorch 2.15 printed for the same script). A
/// case with `NAME.err` must fail with a non-zero status and every line of `NAME.err` must appear
/// in its stderr. `TORCH_GOLDEN=prefix` runs only the matching cases.
final class TorchGoldenTests: XCTestCase {
    func testTorchGoldenCases() throws {
        guard let root = Bundle.module.url(forResource: "Golden", withExtension: nil)?.appendingPathComponent("torch") else {
            return XCTFail("Golden/torch resource missing")
        }
        let only = ProcessInfo.processInfo.environment["TORCH_GOLDEN"] ?? ""
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path)
            .filter { $0.hasSuffix(".nnrepl") && $0.hasPrefix(only) }.sorted()
        XCTAssertFalse(names.isEmpty)
        for name in names {
            let base = root.appendingPathComponent(String(name.dropLast(".nnrepl".count)))
            let source = try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
            let expected = try String(contentsOf: base.appendingPathExtension("out"), encoding: .utf8)
            let errLines = (try? String(contentsOf: base.appendingPathExtension("err"), encoding: .utf8))?
                .split(separator: "\n").map(String.init)
            let (status, out, err) = TorchGoldenTests.run(source, fileName: name)
            XCTAssertEqual(out, expected, "stdout of \(name)\n\(firstDifference(expected, out))")
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

    /// Runs a script in a fresh interpreter with the torch bindings; returns (status, stdout, stderr).
    static func run(_ source: String, fileName: String = "<test>") -> (Int32, String, String) {
        Interpreter.withLargeStack {
            let interpreter = Interpreter(host: TorchHost(moduleBase: Interpreter.moduleBaseType))
            var out = "", err = ""
            interpreter.output = { out += $0 }
            interpreter.errorOutput = { err += $0 }
            let status = interpreter.runScript(source: source, fileName: fileName)
            return (status, out, err)
        }
    }

    /// The first line where two outputs differ, for a readable failure message.
    private func firstDifference(_ expected: String, _ actual: String) -> String {
        let e = expected.components(separatedBy: "\n"), a = actual.components(separatedBy: "\n")
        for i in 0..<max(e.count, a.count) {
            let want = i < e.count ? e[i] : "<end>", got = i < a.count ? a[i] : "<end>"
            if want != got { return "line \(i + 1):\n  expected: \(want)\n  actual:   \(got)" }
        }
        return ""
    }
}
