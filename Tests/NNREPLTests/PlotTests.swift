import XCTest
@testable import NNREPL
import TorchBindings

/// `:plot` and its braille renderer.
final class PlotTests: XCTestCase {
    func testBrailleDotsAxesAndLabels() {
        // 2 cells × 1 row = 4 × 4 dots; the line (0,0)→(3,3) sets one dot per dot column:
        // cell 1 = dots 7 and 6 (0x40 | 0x20 → ⡠), cell 2 = dots 2 and 4 (0x02 | 0x08 → ⠊).
        XCTAssertEqual(TerminalPlot(values: [0, 3], width: 5, rows: 1).render(), """
        3 ┤⡠⠊
          └──
           0 1

        """)
        // A V: (0,11) → (5,0) → (9,11) on 10 × 12 dots; the first cell has dots 1, 2 (x 0) and
        // 6, 8 (x 1), 0xA3 → ⢣.
        XCTAssertEqual(TerminalPlot(values: [2, 0, 2], width: 8, rows: 3).render(), """
        2 ┤⢣⠀⠀⠀⡜
        1 ┤⠀⢣⠀⡰⠁
        0 ┤⠀⠀⢣⠃⠀
          └─────
           0   2

        """)
    }

    func testGapsFlatLinesAndExtremes() {
        XCTAssertNil(TerminalPlot(values: [.nan, .infinity]).render())
        let flat = TerminalPlot(values: [5, 5, 5], width: 6, rows: 3).render() ?? ""
        // The middle of 12 dot rows (5.5 → 6 from the bottom: dots 2 and 5, ⠒); one label.
        XCTAssertEqual(flat.split(separator: "\n").map(String.init), ["  │⠀⠀⠀", "5 ┤⠒⠒⠒", "  │⠀⠀⠀", "  └───", "   0 2"])
        let gap = TerminalPlot(values: [0, .nan, 1], width: 6, rows: 1).render() ?? ""
        XCTAssertFalse(gap.isEmpty)
        let huge = TerminalPlot(values: [-.greatestFiniteMagnitude, .greatestFiniteMagnitude], width: 30, rows: 2).render()
        XCTAssertTrue(huge?.contains("1.798e+308") ?? false, huge ?? "nil")
    }
}

extension CommandGoldenTests {
    func testPlotCommand() {
        let r = run("import torch\n:plot [0, 3]\n:plot torch.tensor([[1.0], [2.0]])\n")
        XCTAssertEqual(r.err, "")
        XCTAssertTrue(r.out.hasPrefix("[0, 3] (2 values)\n  3 ┤"), r.out)
        XCTAssertTrue(r.out.contains("torch.tensor([[1.0], [2.0]]) (2 values)\n  2 ┤"), r.out)
        XCTAssertEqual(r.out.split(separator: "\n").first { $0.contains("└") }?.count, 80)  // the display width
        XCTAssertEqual(run("import torch\n:plot torch.ones(2, 3)\n").err,
                       ":plot: torch.ones(2, 3) is a tensor of shape [2, 3]; :plot takes one dimension\n")
        XCTAssertEqual(run(":plot [1, 'a']\n").err, ":plot: [1, 'a'] holds a str, not a number\n")
        XCTAssertEqual(run(":plot 3\n").err, ":plot: 3 is not a list of numbers or a 1-D tensor (it is int)\n")
        XCTAssertEqual(run(":plot [float('nan')]\n").err, ":plot: [float('nan')] has no finite value to plot\n")
        XCTAssertEqual(run(":plot\n").err, "usage: :plot EXPR\n")
    }
}
