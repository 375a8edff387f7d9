import XCTest
@testable import NNLang
@testable import TorchBindings
import Checkpoints

/// Whole models written by real PyTorch 2.15 (Tests/CheckpointsTests/Fixtures/make_whole_models.py)
/// load with `torch.load(f, weights_only=False)` and compute what PyTorch printed.
final class WholeModelFixtureTests: XCTestCase {
    private func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("CheckpointsTests/Fixtures/" + name).path
    }

    /// Runs `source` and returns the floats of its last output line (a printed list).
    private func outputValues(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> [Double] {
        let (status, out, err) = TorchGoldenTests.run(source)
        XCTAssertEqual(status, 0, err, file: file, line: line)
        let last = out.split(separator: "\n").last.map(String.init) ?? ""
        return last.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",").compactMap {
            Double($0.trimmingCharacters(in: .whitespaces))
        }
    }

    private func assertClose(_ got: [Double], _ want: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, "\(got)", file: file, line: line)
        for (g, w) in zip(got, want) { XCTAssertEqual(g, w, accuracy: 1e-6, file: file, line: line) }
    }

    func testSequentialOfCommonLayers() {
        let got = outputValues("""
            import torch
            seq = torch.load("\(fixture("whole_sequential.pth"))", weights_only=False)
            print(seq.training, seq[1].training, seq[1].num_batches_tracked.item(), seq[6])
            x = torch.arange(32, dtype=torch.float32).reshape(2, 1, 4, 4) / 10 - 1
            print(seq(x).flatten().tolist())
            """)
        assertClose(got, [-0.24670636653900146, -0.3664601743221283, 0.15722982585430145,
                          -0.2573445439338684, -0.19132427871227264, 0.22799435257911682])
    }

    func testScriptClassWithSubmoduleAndAttributes() {
        let got = outputValues("""
            import torch
            import torch.nn as nn
            class TinyNet(nn.Module):
                def __init__(self):
                    raise RuntimeError("unpickling must not run __init__")
                def forward(self, x):
                    return self.body(x) * self.scale
            net = torch.load("\(fixture("whole_script_class.pth"))", weights_only=False)
            assert net.names == ["a", "b"] and isinstance(net, TinyNet) and net.training
            print(net(torch.arange(8, dtype=torch.float32).reshape(2, 4) / 4).flatten().tolist())
            """)
        assertClose(got, [-0.16002707183361053, -0.039885517209768295, 0.2571727931499481,
                          0.1594543159008026, -0.11478430777788162, 0.18265295028686523])
    }

    func testMissingScriptClassIsAnAttributeErrorAndWeightsOnlyRefuses() {
        let (_, out, err) = TorchGoldenTests.run("""
            import torch
            try:
                torch.load("\(fixture("whole_script_class.pth"))", weights_only=False)
            except AttributeError as e:
                print(e)
            try:
                torch.load("\(fixture("whole_script_class.pth"))")
            except Exception as e:
                print(type(e).__name__, "GLOBAL __main__.TinyNet was not an allowed global" in str(e))
            """)
        XCTAssertEqual(out, "Can't get attribute 'TinyNet' on <module '__main__'>\nUnpicklingError True\n", err)
    }

    func testRoundTripKeepsSharingAndState() {
        let (status, out, err) = TorchGoldenTests.run("""
            import torch
            import torch.nn as nn
            class Tied(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.enc = nn.Linear(3, 2)
                    self.dec = nn.Linear(2, 3)
                    self.dec.weight = nn.Parameter(self.enc.weight.t())
                    self.again = self.enc
                    self.register_buffer("steps", torch.tensor(4), persistent=False)
                    self.extra = {"k": (1, 2.5, None)}
            m = Tied().train(False)
            torch.save(m, "/tmp/nnrepl_whole_tied.pth")
            r = torch.load("/tmp/nnrepl_whole_tied.pth", weights_only=False)
            r.dec.weight.data[0, 0] = 100.0
            print(r.enc.weight[0, 0].item(), r.again is r.enc, r.training, r.extra, list(r.state_dict()), r.steps.item())
            """)
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(out, "100.0 True False {'k': (1, 2.5, None)} ['enc.weight', 'enc.bias', 'dec.weight', 'dec.bias', 'again.weight', 'again.bias'] 4\n")
    }

    /// torchvision's BasicBlock keeps `downsample = None` as a plain attribute: PyTorch's forward
    /// reads it, so the file runs in PyTorch (checked by hand: same logits as nnrepl's).
    func testTorchvisionModelSavesWithPyTorchsAttributes() throws {
        let path = NSTemporaryDirectory() + "nnrepl-whole-resnet-\(getpid()).pth"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, out, err) = TorchGoldenTests.run("""
            import torch, torchvision
            m = torchvision.models.resnet18(num_classes=2)
            torch.save(m, "\(path)")
            print(m.layer1[0].downsample)
            try:
                torch.load("\(path)", weights_only=False)
            except Exception as e:
                print(type(e).__name__, e)
            """)
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(out, "None\nUnpicklingError nnrepl cannot load a whole torchvision model (torchvision.models.resnet.ResNet) yet: save and load its state_dict() instead\n")
        guard case .object(let resnet) = try CheckpointIO.load(from: path, allowsObjects: true),
              case .object(let layer1)? = resnet["_modules"]?["layer1"], case .object(let layer2)? = resnet["_modules"]?["layer2"],
              case .object(let first)? = layer1["_modules"]?["0"], case .object(let second)? = layer2["_modules"]?["0"] else {
            return XCTFail("expected ResNet > Sequential > BasicBlock objects")
        }
        XCTAssertEqual(first.qualifiedName, "torchvision.models.resnet.BasicBlock")
        guard case .none? = first["downsample"] else { return XCTFail("layer1[0].downsample is None") }
        XCTAssertNil(second["downsample"], "layer2[0]'s downsample is a submodule, not an attribute")
        guard case .object? = second["_modules"]?["downsample"] else { return XCTFail("layer2[0].downsample module") }
    }
}
