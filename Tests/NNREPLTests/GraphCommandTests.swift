import Foundation
import XCTest
@testable import NNREPL

/// `:graph`: the autograd graph of one forward pass as a tree, as torchviz's DOT, or as SVG.
extension CommandGoldenTests {
    static let residualNet = """
    import torch
    import torch.nn as nn
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)
            self.bn = nn.BatchNorm1d(3)
        def forward(self, x):
            return x + self.bn(self.fc(x))
    b = Block()

    """

    func testGraphTreeNamesParametersAndSharedVertices() {
        let r = run(Self.residualNet + "x = torch.ones(2, 3, requires_grad=True)\n:graph b x\nprint(b.bn.running_mean, b.bn.num_batches_tracked, b.training)\n")
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        output (2, 3)
        └─ AddBackward0
           ├─ AccumulateGrad #1
           │  └─ tensor (2, 3)
           └─ NativeBatchNormBackward0
              ├─ AddmmBackward0
              │  ├─ AccumulateGrad
              │  │  └─ fc.bias (3)
              │  ├─ ↑ AccumulateGrad #1
              │  └─ TBackward0
              │     └─ AccumulateGrad
              │        └─ fc.weight (3, 3)
              ├─ AccumulateGrad
              │  └─ bn.weight (3)
              └─ AccumulateGrad
                 └─ bn.bias (3)
        tensor([0., 0., 0.]) tensor(0) True

        """, "eval mode for the pass (statistics unchanged), train mode restored")
    }

    func testGraphWritesTorchvizDOT() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nnrepl-graph-\(getpid()).dot").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = run("""
        import torch
        import torch.nn as nn
        m = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
        :graph m (1, 4) \(file)

        """)
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, "wrote \(file) (8 nodes)\n")
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), """
        digraph {
        \tgraph [size="12,12"]
        \tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]
        \t1 [label="
         (1, 8)" fillcolor=darkolivegreen1]
        \t2 [label=ReluBackward0]
        \t3 -> 2
        \t3 [label=AddmmBackward0]
        \t4 -> 3
        \t5 [label="0.bias
         (8)" fillcolor=lightblue]
        \t5 -> 4
        \t4 [label=AccumulateGrad]
        \t6 -> 3
        \t6 [label=TBackward0]
        \t7 -> 6
        \t8 [label="0.weight
         (8, 4)" fillcolor=lightblue]
        \t8 -> 7
        \t7 [label=AccumulateGrad]
        \t2 -> 1
        }

        """)
    }

    func testGraphErrors() {
        let frozen = run("import torch\nimport torch.nn as nn\nm = nn.Linear(2, 2).requires_grad_(False)\n:graph m (1, 2)\n")
        XCTAssertEqual(frozen.err, ":graph: the output has no grad_fn: neither the input nor any parameter of m requires grad\n")
        let usage = run("import torch\nimport torch.nn as nn\nm = nn.Linear(2, 2)\n:graph m\n")
        XCTAssertEqual(usage.err, "usage: :graph MODEL INPUT [FILE.dot|FILE.svg]\n")
        // SVG needs Graphviz: with `dot` on PATH the file is SVG, without it the error says so.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nnrepl-graph-\(getpid()).svg").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let svg = run("import torch\nimport torch.nn as nn\nm = nn.Linear(2, 2)\n:graph m (1, 2) \(file)\n")
        if GraphCommand.executable(named: "dot") != nil {
            XCTAssertEqual(svg.err, "")
            XCTAssertTrue((try? String(contentsOfFile: file, encoding: .utf8))?.contains("<svg") ?? false)
        } else {
            XCTAssertTrue(svg.err.hasPrefix(":graph: writing SVG needs Graphviz's dot program"), svg.err)
        }
    }
}
