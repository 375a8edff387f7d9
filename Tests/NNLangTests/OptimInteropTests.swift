import XCTest
import NNLang
@testable import TorchBindings

/// Optimizer state_dicts move between PyTorch and nnrepl: a `.pth` real PyTorch wrote
/// (Golden/fixtures/optim_state_dicts.pth) loads into every optimizer, and the next step and the
/// resulting state_dict print as PyTorch printed them.
final class OptimInteropTests: XCTestCase {
    func testPyTorchWrittenOptimizerStateDictsLoad() throws {
        try OptimInteropTests.runFixtureScript("optim_state_dicts")
    }

    /// Runs Golden/fixtures/NAME_load.nnrepl with FIXTURE_PATH naming NAME.pth and compares its
    /// stdout with NAME_load.out (what PyTorch printed for the same script).
    static func runFixtureScript(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let dir = Bundle.module.url(forResource: "Golden", withExtension: nil)?.appendingPathComponent("fixtures") else {
            return XCTFail("Golden/fixtures resource missing", file: file, line: line)
        }
        let fixture = dir.appendingPathComponent("\(name).pth").path
        let script = try String(contentsOf: dir.appendingPathComponent("\(name)_load.nnrepl"), encoding: .utf8)
            .replacingOccurrences(of: "FIXTURE_PATH", with: "'\(fixture)'")
        let expected = try String(contentsOf: dir.appendingPathComponent("\(name)_load.out"), encoding: .utf8)
        let (status, out, err) = GoldenRunner.run(script, host: TorchHost(moduleBase: Interpreter.moduleBaseType))
        XCTAssertEqual(status, 0, err, file: file, line: line)
        XCTAssertEqual(out, expected, file: file, line: line)
    }

    /// nnrepl's own state_dict survives torch.save / torch.load with PyTorch's layout.
    func testStateDictRoundTripsThroughPth() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("optim_roundtrip_\(getpid()).pth").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, out, err) = GoldenRunner.run("""
        import torch
        w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        opt = torch.optim.RMSprop([w], lr=0.1, momentum=0.5)
        for _ in range(2):
            opt.zero_grad()
            (w ** 2).sum().backward()
            opt.step()
        torch.save(opt.state_dict(), '\(path)')
        sd = torch.load('\(path)')
        print(list(sd.keys()), list(sd['state'][0].keys()), sd['state'][0]['step'], sd['param_groups'][0]['params'])
        opt2 = torch.optim.RMSprop([w], lr=0.1, momentum=0.5)
        opt2.load_state_dict(sd)
        print(torch.equal(opt2.state[w]['square_avg'], opt.state[w]['square_avg']))
        """, host: TorchHost(moduleBase: Interpreter.moduleBaseType))
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(out, "['state', 'param_groups'] ['step', 'square_avg', 'momentum_buffer'] tensor(2.) [0]\nTrue\n")
    }
}
