import Foundation
import XCTest
@testable import NNREPL

/// `:acts` (and the other probing commands) on the golden models of `CommandGoldenTests`.
/// Expected values by hand: with every weight 0.01 and zero biases, a ones input gives
/// 27 · 0.01 = 0.27 after Conv2d(3, 16, 3), 16 · 9 · 0.27 · 0.01 = 0.3888 after
/// Conv2d(16, 32, 3), and 1152 · 0.3888 · 0.01 = 4.478976 after the Linear layer.
extension CommandGoldenTests {
    func testActsTable() {
        let r = run(Self.complexNet + ":acts model torch.ones(2, 3, 10, 10)\nprint(model.training)\n:acts model torch.ones(2, 3, 10, 10)\n")
        XCTAssertEqual(r.err, "")
        let table = """
        layer     type        output shape     mean     std     min     max  zeros  nan/inf
        model     ComplexNet  [2, 10]        4.4790  0.0000  4.4790  4.4790   0.0%        0
        layer1    Sequential  [2, 16, 8, 8]  0.2700  0.0000  0.2700  0.2700   0.0%        0
        layer1.0  Conv2d      [2, 16, 8, 8]  0.2700  0.0000  0.2700  0.2700   0.0%        0
        layer1.1  ReLU        [2, 16, 8, 8]  0.2700  0.0000  0.2700  0.2700   0.0%        0
        layer2    Sequential  [2, 32, 6, 6]  0.3888  0.0000  0.3888  0.3888   0.0%        0
        layer2.0  Conv2d      [2, 32, 6, 6]  0.3888  0.0000  0.3888  0.3888   0.0%        0
        layer2.1  ReLU        [2, 32, 6, 6]  0.3888  0.0000  0.3888  0.3888   0.0%        0
        fc        Linear      [2, 10]        4.4790  0.0000  4.4790  4.4790   0.0%        0

        """
        XCTAssertEqual(r.out, table + "True\n" + table, "hooks removed and train mode restored")
    }

    func testActsCountsDeadUnitsAndNamesTheFailingLayer() {
        let ok = run("""
        import torch
        import torch.nn as nn
        net = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 3))
        with torch.no_grad():
            net[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.0, -1.0]]))
            net[0].bias.zero_()
        :acts net torch.tensor([[1.0, 2.0], [3.0, 4.0]])

        """)
        XCTAssertEqual(ok.err, "")
        let rows = ok.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        XCTAssertEqual(rows.count, 5, ok.out)
        // Linear: [[1, -2], [3, -4]]: mean -0.5, std sqrt(29/3) = 3.1091; ReLU keeps [1, 0, 3, 0].
        XCTAssertEqual(rows[2], ["0", "Linear", "[2,", "2]", "-0.5000", "3.1091", "-4.0000", "3.0000", "0.0%", "0"])
        XCTAssertEqual(rows[3], ["1", "ReLU", "[2,", "2]", "1.0000", "1.4142", "0.0000", "3.0000", "50.0%", "0"])

        let bad = run("""
        import torch
        import torch.nn as nn
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Sequential(nn.Linear(5, 2)))
        :acts net torch.ones(1, 4)

        """)
        XCTAssertEqual(bad.outcome, .failed)
        XCTAssertTrue(bad.err.contains("mat1 and mat2 shapes cannot be multiplied (1x8 and 5x2)\n"), bad.err)
        XCTAssertTrue(bad.err.hasSuffix(":acts: the forward pass failed in 2.0: Linear(in_features=5, out_features=2, bias=True)\n"), bad.err)
    }

    func testActivationStatisticsSkipNonFiniteValues() {
        let s = ActivationStatistics([0, 1, 2, .nan, .infinity])
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(s.mean, 1)
        XCTAssertEqual(s.std, 1)
        XCTAssertEqual(s.nonFinite, 2)
        XCTAssertEqual(s.cells, ["1.0000", "1.0000", "0.0000", "2.0000", "20.0%", "2"])
        XCTAssertEqual(ActivationStatistics([.nan]).cells, ["-", "-", "-", "-", "-", "1"])
        XCTAssertNil(ActivationStatistics([3]).std)
    }
}

/// `:grads`. Hand-computed: Linear(2, 1) with weight [[1, 2]], bias [0] on x = [[1, 1]] and
/// loss = output.sum() has grad weight [[1, 1]] (norm √2 = 1.414), grad bias [1]; the layer's
/// gradient norm is √3 = 1.732, its weight norm √5 = 2.236. SGD(lr=0.1) moves the weight by
/// 0.1·√2 (ratio 0.1414 / 2.236 = 0.06325) and the layer by 0.1·√3 (0.1732 / 2.236 = 0.07746).
extension CommandGoldenTests {
    static let linearWithGrad = """
    import torch
    import torch.nn as nn
    model = nn.Linear(2, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 2.0]]))
        model.bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.ones(1, 2)).sum().backward()

    """

    func testGradsNormsAndUpdateRatios() {
        let r = run(Self.linearWithGrad + ":grads model\n:grads model opt\nopt.step()\nprint(model.weight)\n")
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        name       type/shape  grad_norm  weight_norm  flag
        (root)     Linear      1.732e+00    2.236e+00
          .weight  [1, 2]      1.414e+00    2.236e+00
          .bias    [1]         1.000e+00    0.000e+00
        name       type/shape  grad_norm  weight_norm  update/weight  flag
        (root)     Linear      1.732e+00    2.236e+00      7.746e-02
          .weight  [1, 2]      1.414e+00    2.236e+00      6.325e-02
          .bias    [1]         1.000e+00    0.000e+00              -
        Parameter containing:
        tensor([[0.9000, 1.9000]], requires_grad=True)

        """, "the trial step is undone: the next real step starts from the same weights and momentum")
    }

    func testGradsFlagsVanishingLayersAndMissingGradients() {
        let r = run("""
        import torch
        import torch.nn as nn
        net = nn.Sequential(nn.Linear(1, 1), nn.Linear(1, 1), nn.Linear(1, 1))
        with torch.no_grad():
            net[0].weight.fill_(1.0)
            net[1].weight.fill_(1e-5)
            for layer in net:
                layer.bias.zero_()
        net[2].requires_grad_(False)
        net[:2](torch.ones(1, 1)).sum().backward()
        :grads net

        """)
        XCTAssertEqual(r.err, "")
        let flags = r.out.split(separator: "\n").filter { !$0.hasPrefix("  ") }.map { $0.split(separator: " ").last.map(String.init) ?? "" }
        XCTAssertEqual(flags, ["flag", "vanishing", "1.000e-05", "grad"], r.out)
        XCTAssertEqual(run(":grads\n").err, "usage: :grads MODEL [OPT]\n")
        XCTAssertEqual(run("import torch.nn as nn\n:grads nn.ReLU()\n").err, ":grads: nn.ReLU() has no parameters\n")
        XCTAssertEqual(run("import torch.nn as nn\nm = nn.Linear(1, 1)\n:grads m 3\n").err,
                       ":grads: OPT must be a torch.optim optimizer (it is int)\n")
    }
}

/// `:summary`'s options; expected tables are torchinfo's for the same calls (its "Total
/// mult-adds (M)" line as torchinfo 1.8 prints it).
extension CommandGoldenTests {
    func testSummaryColumnsAndDepth() {
        let r = run(Self.complexNet + """
        model.layer1.requires_grad_(False)
        :summary model (1, 3, 10, 10) depth=1 col_names=["input_size", "output_size", "num_params", "mult_adds", "trainable"]

        """)
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        =====================================================================================================================================================================
        Layer (type:depth-idx)                   Input Shape               Output Shape              Param #                   Mult-Adds                 Trainable
        =====================================================================================================================================================================
        ComplexNet                               [1, 3, 10, 10]            [1, 10]                   --                        --                        Partial
        ├─Sequential: 1-1                        [1, 3, 10, 10]            [1, 16, 8, 8]             (448)                     28,672                    False
        ├─Sequential: 1-2                        [1, 16, 8, 8]             [1, 32, 6, 6]             4,640                     167,040                   True
        ├─Linear: 1-3                            [1, 1152]                 [1, 10]                   11,530                    11,530                    True
        =====================================================================================================================================================================
        Total params: 16,618
        Trainable params: 16,170
        Non-trainable params: 448
        Total mult-adds (M): 0.21
        =====================================================================================================================================================================
        Input size (MB): 0.00
        Forward/backward pass size (MB): 0.02
        Params size (MB): 0.07
        Estimated Total Size (MB): 0.09
        =====================================================================================================================================================================

        """)
    }

    func testSummaryOfAnEmbeddingModelTakesAnInputTensor() {
        let r = run("""
        import torch
        import torch.nn as nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(100, 8)
                self.fc = nn.Sequential(nn.Linear(8, 4), nn.ReLU())
            def forward(self, x):
                return self.fc(self.emb(x))
        m = Net()
        m.fc[0].weight.requires_grad_(False)
        :summary m torch.zeros(2, 7, dtype=torch.long)

        """)
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        ==========================================================================================
        Layer (type:depth-idx)                   Output Shape              Param #
        ==========================================================================================
        Net                                      [2, 7, 4]                 --
        ├─Embedding: 1-1                         [2, 7, 8]                 800
        ├─Sequential: 1-2                        [2, 7, 4]                 --
        │    └─Linear: 2-1                       [2, 7, 4]                 36
        │    └─ReLU: 2-2                         [2, 7, 4]                 --
        ==========================================================================================
        Total params: 836
        Trainable params: 804
        Non-trainable params: 32
        Total mult-adds (M): 0.00
        ==========================================================================================
        Input size (MB): 0.00
        Forward/backward pass size (MB): 0.00
        Params size (MB): 0.00
        Estimated Total Size (MB): 0.00
        ==========================================================================================

        """)
        XCTAssertEqual(run(Self.complexNet + ":summary model (1, 3, 10, 10) depth=x\n").err,
                       ":summary: depth must be an int from 0 to 100; got x\n")
        XCTAssertEqual(run(Self.complexNet + ":summary model (1, 3, 10, 10) col_names=('shape',)\n").err,
                       ":summary: col_names: 'shape' is not one of input_size, output_size, num_params, mult_adds, trainable\n")
        XCTAssertEqual(run(Self.complexNet + ":summary model (1, 3, 10, 10) dtypes=[1]\n").err,
                       ":summary: unknown option dtypes= (options: depth=, col_names=)\n")
    }
}

/// `:export`: the exported file has no `:command`, parses as Python 3 (checked with
/// `python3 -m py_compile` where python3 exists), and run as a plain script reproduces the
/// session's state (same module tree, same requires_grad flags, same output).
extension CommandGoldenTests {
    func testExportWritesPlainPythonThatReproducesTheSession() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nnrepl-export-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let loaded = dir.appendingPathComponent("extra.nnrepl").path
        try "head = nn.Linear(2, 2)\n:freeze head bias\n".write(toFile: loaded, atomically: true, encoding: .utf8)
        let exported = dir.appendingPathComponent("session.py").path
        let state = """
        print(model)
        print([(n, p.requires_grad) for n, p in model.named_parameters()], head.bias.requires_grad)
        print(y)

        """
        let r = run("""
        import torch
        import torch.nn as nn
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Sequential(nn.Linear(8, 8), nn.ReLU()), nn.Linear(8, 2))
        :swap model ReLU -> nn.LeakyReLU(0.1)
        :freeze model
        :unfreeze model 3
        :load \(loaded)
        :time -n 2 y = model(torch.ones(1, 4))

        """ + state + ":export \(exported)\n")
        XCTAssertEqual(r.outcome, .ok, r.err)
        let text = try String(contentsOfFile: exported, encoding: .utf8)
        XCTAssertFalse(text.split(separator: "\n").contains { $0.hasPrefix(":") }, text)
        XCTAssertTrue(text.contains("setattr(_parent, _child_name, nn.LeakyReLU(0.1))"), text)
        XCTAssertTrue(text.contains("_p.requires_grad_(False)"), text)

        let replay = run(text)
        XCTAssertEqual(replay.err, "")
        let printed = run(state, in: r.session).out
        XCTAssertEqual(replay.out, printed)
        XCTAssertTrue(printed.contains("(1): LeakyReLU(negative_slope=0.1)"), printed)
        XCTAssertTrue(printed.contains("('3.weight', True), ('3.bias', True)] False"), printed)

        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let python else { throw XCTSkip("python3 is not installed: py_compile not checked") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "py_compile", exported]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "python3 -m py_compile \(exported)")
    }
}
