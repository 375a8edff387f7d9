import Foundation
import XCTest
@testable import NNREPL

/// Golden outputs of every `:command`, run in-process through the script runner on the
/// seed's models. Expected texts are written by hand (parameter counts checked by hand:
/// Conv2d(3,16,3) = 16·3·3·3 + 16 = 448, Conv2d(16,32,3) = 32·16·9 + 32 = 4,640,
/// Linear(1152,10) = 11,530, Linear(784,256) = 200,960, Linear(256,10) = 2,570).
final class CommandGoldenTests: XCTestCase {
    struct Run {
        var out = ""
        var err = ""
        var outcome = Session.Outcome.ok
        var session: Session
    }

    func run(_ source: String, in existing: Session? = nil) -> Run {
        let session = existing ?? Session()
        var result = Run(session: session)
        var out = "", err = ""
        session.interpreter.output = { out += $0 }
        session.interpreter.errorOutput = { err += $0 }
        result.outcome = ScriptRunner.run(source: source, fileName: "test.nnrepl", in: session)
        result.out = out
        result.err = err
        return result
    }

    static let complexNet = """
    import torch
    import torch.nn as nn

    class ComplexNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer1 = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU())
            self.layer2 = nn.Sequential(nn.Conv2d(16, 32, 3), nn.ReLU())
            self.fc = nn.Linear(32 * 6 * 6, 10)

        def forward(self, x):
            x = self.layer1(x)
            x = self.layer2(x)
            x = x.view(-1, 32 * 6 * 6)
            return self.fc(x)

    model = ComplexNet()
    def fill(m):
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.constant_(m.weight, 0.01)
            nn.init.zeros_(m.bias)
    model.apply(fill)

    """

    static let customModel = """
    import torch
    import torch.nn as nn

    class CustomModel(nn.Module):
        def __init__(self):
            super(CustomModel, self).__init__()
            self.fc1 = nn.Linear(784, 256)
            self.relu = nn.ReLU()
            self.fc2 = nn.Linear(256, 10)

        def forward(self, x):
            return self.fc2(self.relu(self.fc1(x)))

    model = CustomModel()

    """

    func testTree() {
        let r = run(Self.complexNet + ":tree model\n:tree model.layer2\n")
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        module    type           own   total
        model     ComplexNet       0  16,618
          layer1  Sequential       0     448
            0     Conv2d         448     448
            1     ReLU             0       0
          layer2  Sequential       0   4,640
            0     Conv2d       4,640   4,640
            1     ReLU             0       0
          fc      Linear      11,530  11,530
        module        type          own  total
        model.layer2  Sequential      0  4,640
          0           Conv2d      4,640  4,640
          1           ReLU            0      0

        """)
    }

    func testParams() {
        let r = run(Self.complexNet + ":params model\n")
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        name             shape            numel  requires_grad    mean     std  grad_norm
        layer1.0.weight  [16, 3, 3, 3]      432  True           0.0100  0.0000          -
        layer1.0.bias    [16]                16  True           0.0000  0.0000          -
        layer2.0.weight  [32, 16, 3, 3]   4,608  True           0.0100  0.0000          -
        layer2.0.bias    [32]                32  True           0.0000  0.0000          -
        fc.weight        [10, 1152]      11,520  True           0.0100  0.0000          -
        fc.bias          [10]                10  True           0.0000  0.0000          -
        total: 16,618 parameters in 6 tensors (16,618 trainable)

        """)
    }

    func testParamsShowsGradNorm() {
        // fc2.bias's gradient of sum(output) is all ones: norm sqrt(10) = 3.1623.
        let r = run(Self.customModel + """
        model.fc2.bias.requires_grad_(False)
        model(torch.ones(1, 784)).sum().backward()
        :params model.fc2
        """)
        XCTAssertEqual(r.err, "")
        let lines = r.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 4, r.out)
        XCTAssertTrue(lines[1].hasPrefix("weight  [10, 256]  2,560  True"), r.out)
        XCTAssertTrue(lines[2].hasPrefix("bias    [10]          10  False"), r.out)
        XCTAssertTrue(lines[2].hasSuffix("-"), r.out)
        XCTAssertEqual(lines[3], "total: 2,570 parameters in 2 tensors (2,560 trainable)")
    }

    func testSwapKeepsPositionsAndMakesFreshModules() {
        let r = run(Self.complexNet + """
        :swap model nn.ReLU -> nn.LeakyReLU(0.2)
        print(model.layer1[1], model.layer2[1], model.layer1[1] is model.layer2[1])
        :swap model LeakyReLU -> GELU()
        print(model.layer1)
        :swap model nn.Sigmoid -> nn.Tanh()
        """)
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        swapped 2 ReLU modules -> LeakyReLU(negative_slope=0.2)
        LeakyReLU(negative_slope=0.2) LeakyReLU(negative_slope=0.2) False
        swapped 2 LeakyReLU modules -> GELU(approximate='none')
        Sequential(
          (0): Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1))
          (1): GELU(approximate='none')
        )
        no Sigmoid modules in model

        """)
    }

    func testSwapUsageErrors() {
        XCTAssertEqual(run(":swap model ReLU GELU()\n").err, "usage: :swap MODEL OLD -> NEW(args)\n")
        let r = run(Self.complexNet + ":swap model nn.ReLU -> 3\n")
        XCTAssertEqual(r.outcome, .failed)
        XCTAssertEqual(r.err, ":swap: 3 is not an nn.Module (it is int)\n")
    }

    func testFreezeAndUnfreeze() {
        let r = run(Self.complexNet + """
        :freeze model layer1
        print([n for n, p in model.named_parameters() if not p.requires_grad])
        :freeze model
        :unfreeze model fc.weight
        :unfreeze model
        """)
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        froze 2 tensors (448 parameters)
        ['layer1.0.weight', 'layer1.0.bias']
        froze 4 tensors (16,170 parameters); 2 already frozen
        unfroze 1 tensor (11,520 parameters)
        unfroze 5 tensors (5,098 parameters); 1 already trainable

        """)
        let bad = run(Self.complexNet + ":freeze model layer\n")
        XCTAssertEqual(bad.outcome, .failed)
        XCTAssertEqual(bad.err, ":freeze: no parameter of model is named layer or layer.*\n")
    }

    func testSummaryMatchesTorchinfoReference() {
        // The model and exact table of the reference (pytorch-semantics.md §10).
        let r = run("""
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 8, 3)
                self.bn = nn.BatchNorm2d(8)
                self.relu = nn.ReLU()
                self.pool = nn.MaxPool2d(2)
                self.flatten = nn.Flatten()
                self.head = nn.Sequential(nn.Linear(1352, 10), nn.Dropout())

            def forward(self, x):
                return self.head(self.flatten(self.pool(self.relu(self.bn(self.conv(x))))))

        net = Net()
        net.head[1].eval()
        :summary net (1, 1, 28, 28)
        print(net.training, net.head[0].training, net.head[1].training)
        """)
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        ==========================================================================================
        Layer (type:depth-idx)                   Output Shape              Param #
        ==========================================================================================
        Net                                      [1, 10]                   --
        ├─Conv2d: 1-1                            [1, 8, 26, 26]            80
        ├─BatchNorm2d: 1-2                       [1, 8, 26, 26]            16
        ├─ReLU: 1-3                              [1, 8, 26, 26]            --
        ├─MaxPool2d: 1-4                         [1, 8, 13, 13]            --
        ├─Flatten: 1-5                           [1, 1352]                 --
        ├─Sequential: 1-6                        [1, 10]                   --
        │    └─Linear: 2-1                       [1, 10]                   13,530
        │    └─Dropout: 2-2                      [1, 10]                   --
        ==========================================================================================
        Total params: 13,626
        Trainable params: 13,626
        Non-trainable params: 0
        Total mult-adds (M): 0.07
        ==========================================================================================
        Input size (MB): 0.00
        Forward/backward pass size (MB): 0.09
        Params size (MB): 0.05
        Estimated Total Size (MB): 0.14
        ==========================================================================================
        True True False

        """)
    }

    func testSummaryOfComplexNetWithFrozenLayer() {
        // Mult-adds: 448·64 + 4,640·36 + 11,530 = 207,242 → 0.21 M. Forward/backward: 2 × 4 bytes ×
        // (16·64 + 32·36 + 10) = 17,488 → 0.02 MB; params 16,618 × 4 = 66,472 → 0.07 MB.
        let r = run(Self.complexNet + ":freeze model fc\n:summary model (1, 3, 10, 10)\n")
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        froze 2 tensors (11,530 parameters)
        ==========================================================================================
        Layer (type:depth-idx)                   Output Shape              Param #
        ==========================================================================================
        ComplexNet                               [1, 10]                   --
        ├─Sequential: 1-1                        [1, 16, 8, 8]             --
        │    └─Conv2d: 2-1                       [1, 16, 8, 8]             448
        │    └─ReLU: 2-2                         [1, 16, 8, 8]             --
        ├─Sequential: 1-2                        [1, 32, 6, 6]             --
        │    └─Conv2d: 2-3                       [1, 32, 6, 6]             4,640
        │    └─ReLU: 2-4                         [1, 32, 6, 6]             --
        ├─Linear: 1-3                            [1, 10]                   (11,530)
        ==========================================================================================
        Total params: 16,618
        Trainable params: 5,088
        Non-trainable params: 11,530
        Total mult-adds (M): 0.21
        ==========================================================================================
        Input size (MB): 0.00
        Forward/backward pass size (MB): 0.02
        Params size (MB): 0.07
        Estimated Total Size (MB): 0.09
        ==========================================================================================

        """)
    }

    func testSummaryErrors() {
        XCTAssertEqual(run(":summary\n").err, "usage: :summary MODEL INPUT [OPTIONS]\n")
        let r = run(Self.customModel + ":summary model (1, 0)\n")
        XCTAssertEqual(r.err, ":summary: SHAPE must be a tuple of positive ints, e.g. (1, 3, 32, 32); got (1, 0)\n")
        XCTAssertEqual(run(Self.customModel + ":summary model (100000, 100000)\n").err,
                       ":summary: SHAPE (100000, 100000) has more than 268,435,456 elements\n")
        // A wrong input shape is the model's own error, with a traceback.
        let wrong = run(Self.customModel + ":summary model (1, 3)\n")
        XCTAssertEqual(wrong.outcome, .failed)
        XCTAssertTrue(wrong.err.contains("RuntimeError"), wrong.err)
        XCTAssertEqual(run(Self.customModel + "print(model.training, model.fc1.training)\n", in: wrong.session).out,
                       "True True\n")
    }

    func testWhoTimeReset() {
        let r = run(Self.customModel + """
        x = torch.zeros(2, 784)
        n = 3
        names = ['a', 'b']
        :who
        :time y = model(x)
        print(y.shape)
        :reset
        :who
        """)
        XCTAssertEqual(r.err, "")
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(Array(lines.prefix(8)), [
            "name         type         info",
            "CustomModel  type",
            "model        CustomModel  203,530 parameters",
            "n            int          3",
            "names        list         len 2",
            "nn           module",
            "torch        module",
            "x            Tensor       [2, 784] torch.float32",
        ])
        XCTAssertTrue(lines[8].hasPrefix("Wall time: "), lines[8])
        XCTAssertEqual(Array(lines.suffix(4)), ["torch.Size([2, 10])", "deleted 8 variables", "no variables", ""])
    }

    /// A shape error inside a container names the layer it came from after the traceback; an
    /// error in the called module itself adds nothing.
    func testTracebackNamesTheFailingLayerOfAContainer() {
        let session = Session()
        var err = ""
        session.interpreter.errorOutput = { err += $0 }
        session.run("import torch\nfrom torch import nn")
        session.run("m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Sequential(nn.Linear(7, 2)))")
        session.run("y = m(torch.randn(5, 4))")
        XCTAssertTrue(err.hasSuffix("""
        RuntimeError: addmm: mat1 and mat2 shapes cannot be multiplied (5x8 and 7x2)
        (in layer 2.0: Linear(in_features=7, out_features=2, bias=True))

        """), err)
        err = ""
        session.run("y = m[0](torch.randn(5, 3))")
        XCTAssertTrue(err.hasSuffix("(5x3 and 4x8)\n"), err)
    }

    /// `:help language` lists the standard-library modules from the interpreter's own table.
    func testHelpLanguageListsTheStandardLibraryModules() {
        let session = Session()
        var out = ""
        session.interpreter.output = { out += $0 }
        session.run(":help language")
        for name in ["itertools", "collections", "statistics", "tqdm", "matplotlib.pyplot"] {
            XCTAssertTrue(out.contains(name), "\(name) missing from:\n\(out)")
        }
        XCTAssertFalse(out.contains("os.path"), out)
        XCTAssertTrue(out.split(separator: "\n").allSatisfy { $0.count <= 94 }, out)
        XCTAssertEqual(HelpCommand.wrap("aa bb cc", width: 7, indent: "  ", hanging: "    "), "  aa bb\n    cc")
    }

    /// `:time -n N` repeats the statement's effects but shows an expression's value once.
    func testTimeRepeatsEchoTheValueOnce() {
        let session = Session(echoExpressions: true)
        var out = ""
        session.interpreter.output = { out += $0 }
        session.interpreter.errorOutput = { out += $0 }
        session.run("xs = []")
        session.run(":time -n 3 xs.append(1) or len(xs)")
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, out)
        XCTAssertEqual(lines.first, "1")
        XCTAssertTrue(lines.last?.hasPrefix("3 runs: best ") == true, out)
        session.run("print(len(xs))")
        XCTAssertTrue(out.hasSuffix("3\n"), out)
    }

    func testSaveWritesAReplayableScriptAndLoadRunsIt() throws {
        let dir = try temporaryDirectory()
        let session = Session()
        var out = ""
        session.interpreter.output = { out += $0 }
        session.interpreter.errorOutput = { out += $0 }
        for input in ["import torch.nn as nn", "m = nn.Sequential(nn.Linear(2, 2), nn.ReLU())",
                      "for i in range(2):\n    pass", "bad = undefined", ":tree m",
                      ":swap m ReLU -> Tanh()", ":save \(dir)/s.nnrepl"] {
            session.run(input)
        }
        let saved = try String(contentsOfFile: dir + "/s.nnrepl", encoding: .utf8)
        XCTAssertEqual(saved, """
        import torch.nn as nn
        m = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
        for i in range(2):
            pass

        :swap m ReLU -> Tanh()

        """)
        let replay = run(":load \(dir)/s.nnrepl\nprint(m)\n")
        XCTAssertEqual(replay.err, "")
        XCTAssertEqual(replay.out, """
        swapped 1 ReLU module -> Tanh()
        Sequential(
          (0): Linear(in_features=2, out_features=2, bias=True)
          (1): Tanh()
        )

        """)
        XCTAssertEqual(run(":load \(dir)/missing.nnrepl").err, ":load: can't open file '\(dir)/missing.nnrepl'\n")
    }

    func testHelp() {
        let overview = run(":help\n").out
        XCTAssertTrue(overview.contains("  :summary MODEL INPUT [OPTIONS]"), overview)
        XCTAssertEqual(run(":help Linear\n").out,
                       "nn.Linear(in_features, out_features, bias=True, device=None, dtype=None)\nAffine map y = x @ weight.T + bias on the last dimension.\n")
        XCTAssertEqual(run(":help nn.LeakyReLU\n").out,
                       "nn.LeakyReLU(negative_slope=0.01, inplace=False)\nx for x >= 0, negative_slope * x otherwise.\n")
        XCTAssertTrue(run(":help :tree\n").out.hasPrefix("usage: :tree MODEL\n"))
        XCTAssertTrue(run(":help language\n").out.contains("subset of Python 3"))
        XCTAssertEqual(run(":help Nope\n").err,
                       ":help: no help for 'Nope' (topics: the :commands, language, or a defined name such as nn.Linear)\n")
    }

    func testHelpCoversEveryNNClass() {
        let out = run("import torch.nn as nn\nprint(' '.join(n for n in dir(nn) if n[:1].isupper()))\n").out
        let names = out.split(whereSeparator: \.isWhitespace).map(String.init)
        XCTAssertTrue(names.contains("HuberLoss"), out)
        for name in names { XCTAssertNotNil(LayerHelp.entry(for: name), "no :help entry for nn.\(name)") }
        XCTAssertEqual(run(":help nn.BCELoss\n").out,
                       "nn.BCELoss(weight=None, size_average=None, reduce=None, reduction='mean')\nBinary cross entropy between probabilities and targets (log clamped at -100).\n")
        XCTAssertEqual(run(":help SmoothL1Loss\n").out,
                       "nn.SmoothL1Loss(size_average=None, reduce=None, reduction='mean', beta=1.0)\nSquared error (scaled by 1/beta) below beta, absolute error minus beta/2 above it.\n")
        XCTAssertEqual(run(":help torch.nn.HuberLoss\n").out,
                       "nn.HuberLoss(reduction='mean', delta=1.0)\nSquared error below delta, delta-scaled absolute error above it.\n")
        XCTAssertEqual(run(":help BatchNorm1d\n").out,
                       "nn.BatchNorm1d(num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None, *, bias=True)\n"
                       + "Batch normalisation over (N, C) or (N, C, L) input; running statistics are used in eval mode.\n")
    }

    func testTracebackLineNumbersAreTheFilesAcrossCommands() {
        let r = run("x = 1\n:who\n\ny = x +\n")
        XCTAssertEqual(r.outcome, .failed)
        XCTAssertTrue(r.err.contains("test.nnrepl:4:"), r.err)
        let e = run("x = 1\n:who\nprint(x)\nz = nope\n")
        XCTAssertTrue(e.err.contains("test.nnrepl:4:5, in <module>"), e.err)
    }

    func testCompletion() {
        let r = run(Self.customModel + "x = torch.zeros(2)\n")
        let completer = Completer(session: r.session)
        XCTAssertEqual(completer.complete(line: "model.fc", cursor: 8), Completion(start: 0, candidates: ["model.fc1", "model.fc2"]))
        XCTAssertEqual(completer.complete(line: ":tr", cursor: 3), Completion(start: 0, candidates: [":tree "]))
        XCTAssertEqual(completer.complete(line: ":help Line", cursor: 10).candidates, ["Linear"])
        XCTAssertTrue(completer.complete(line: "y = x.sh", cursor: 8).candidates.contains("x.shape"))
        XCTAssertTrue(completer.complete(line: "model.fc1.weight.gr", cursor: 19).candidates.contains("model.fc1.weight.grad"))
        XCTAssertEqual(completer.complete(line: ":tree mod", cursor: 9).candidates, ["model"])
    }
}
