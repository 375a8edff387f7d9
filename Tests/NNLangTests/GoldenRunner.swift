import XCTest
import TensorRuntime
@testable import NNLang

/// Runs golden script cases: every `Golden/FOLDER/NAME.nnrepl` is run in a fresh interpreter and
/// its stdout compared with `NAME.out`. A case with `NAME.err` must fail with a non-zero status
/// and every line of `NAME.err` must appear in its stderr. `GOLDEN=prefix` runs only matching cases.
/// Where PyTorch's own bits depend on the CPU's vector units (its kernels split work by vector
/// width), `NAME.avx2.out` / `NAME.sse2.out` hold what PyTorch printed on such a CPU and are
/// used there instead of `NAME.out` (made on an AVX-512 CPU).
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
            let cpuExpected = base.appendingPathExtension(cpuVariant).appendingPathExtension("out")
            let expected = try String(contentsOf: FileManager.default.fileExists(atPath: cpuExpected.path)
                                      ? cpuExpected : base.appendingPathExtension("out"), encoding: .utf8)
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

    /// The name of this CPU's vector units in a golden's CPU-specific output (`NAME.avx2.out`).
    static let cpuVariant = ["sse2", "avx2", "avx512"][min(max(CPUInfo.vectorLevel, 0), 2)]

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
