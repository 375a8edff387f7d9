import XCTest
@testable import NNLang
@testable import TorchBindings

/// `Golden/torch`: scripts run with the torch bindings whose expected output is what
/// Python 3.11 + PyTorch 2.15 printed.
final class TorchGoldenTests: XCTestCase {
    func testTorchGoldenCases() throws {
        try GoldenRunner.runFolder("torch", minimumCases: 20, makeHost: { TorchHost(moduleBase: Interpreter.moduleBaseType) })
    }

    /// Runs a script in a fresh interpreter with the torch bindings; returns (status, stdout, stderr).
    static func run(_ source: String, fileName: String = "<test>") -> (Int32, String, String) {
        GoldenRunner.run(source, fileName: fileName, host: TorchHost(moduleBase: Interpreter.moduleBaseType))
    }
}
