import XCTest
@testable import NNLang

/// The rules that keep a script class deriving from a built-in layer and the layer it wraps
/// one module (ScriptModule+NativeBase.swift): whatever changes the script module's
/// registrations reaches the layer's own forward, and what the layer changes comes back.
/// (Behaviour as PyTorch prints it: goldens torch/layer_subclass_*.)
final class LayerSubclassingTests: XCTestCase {
    private func check(_ source: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        let (status, out, err) = TorchGoldenTests.run(source)
        XCTAssertEqual(status, 0, err, file: file, line: line)
        XCTAssertEqual(out, expected, file: file, line: line)
    }

    func testReplacedParameterReachesTheLayersForward() {
        check("""
            import torch, torch.nn as nn
            class L(nn.Linear): pass
            m = L(2, 1)
            m.weight = nn.Parameter(torch.tensor([[2.0, 3.0]]))
            m.bias = None
            print(m(torch.tensor([[1.0, 1.0]])).item(), [n for n, _ in m.named_parameters()], m)
            """, "5.0 ['weight'] L(in_features=2, out_features=1, bias=False)\n")
    }

    func testConversionReachesTheLayersForward() {
        check("""
            import torch, torch.nn as nn
            class L(nn.Linear): pass
            m = L(2, 1).double()
            print(m(torch.ones(1, 2, dtype=torch.float64)).dtype, m.weight.dtype)
            """, "torch.float64 torch.float64\n")
    }

    func testChildrenAddedEitherWayAreOneList() {
        check("""
            import torch, torch.nn as nn
            class S(nn.Sequential): pass
            s = S(nn.Linear(1, 1))
            s.append(nn.ReLU())
            s.add_module('last', nn.Identity())
            s[0].weight.data.fill_(-1.0); s[0].bias.data.zero_()
            print(len(s), [n for n, _ in s.named_children()], s(torch.ones(1, 1)).item())
            """, "3 ['0', '1', 'last'] 0.0\n")
    }

    func testLayerStateUpdatedByItsForwardComesBack() {
        check("""
            import torch, torch.nn as nn
            class B(nn.BatchNorm1d): pass
            b = B(1, momentum=1.0)
            b(torch.tensor([[1.0], [3.0]]))
            print(b.running_mean.item(), b.num_batches_tracked.item(), b.state_dict()['running_mean'].item())
            b.eval(); print(b(torch.tensor([[2.0]])).item())
            """, "2.0 1 2.0\n0.0\n")
    }

    func testSettingsAreTheLayers() {
        check("""
            import torch, torch.nn as nn
            class A(nn.LeakyReLU):
                def __init__(self):
                    super().__init__()
                    self.negative_slope = 0.5
            a = A()
            print(a, a(torch.tensor([-2.0])).item())
            """, "A(negative_slope=0.5) -1.0\n")
    }

    func testLayerMembersBeforeInitAreMissing() {
        check("""
            import torch, torch.nn as nn
            class L(nn.Linear):
                def __init__(self):
                    super().forward(torch.ones(1))
            try: L()
            except AttributeError as e: print(e)
            """, "'L' object has no attribute 'forward'\n")
    }

    func testDeepCopyIsIndependent() {
        check("""
            import copy, torch, torch.nn as nn
            class L(nn.Linear): pass
            a = L(1, 1); b = copy.deepcopy(a)
            b.weight.data.fill_(4.0); b.bias.data.zero_()
            print(b(torch.ones(1, 1)).item(), a.weight is b.weight, b.in_features, type(b).__name__)
            """, "4.0 False 1 L\n")
    }
}
