import Foundation
import XCTest
@testable import NNREPL
@testable import TorchBindings
import NNLang

/// The `matplotlib.pyplot` subset: PNG files decoded by an independent reader (`DecodedPNG`),
/// SVG, what the functions return and print (matplotlib 3.11's own text, checked with python3),
/// errors, the terminal drawing of `show`, and the declarations `help()` reads.
final class MatplotlibTests: XCTestCase {
    func run(_ source: String) -> (out: String, err: String, outcome: Session.Outcome) {
        let session = Session()
        var out = "", err = ""
        session.interpreter.output = { out += $0 }
        session.interpreter.errorOutput = { err += $0 }
        let outcome = ScriptRunner.run(source: source, fileName: "test.nnrepl", in: session)
        return (out, err, outcome)
    }

    func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nnrepl-mpl-\(getpid())-\(name)").path
    }

    func testPNGRoundTripsThroughAnIndependentDecoder() throws {
        // Flat areas (long matches), noise (literals only) and a width that is not a multiple of 4.
        var generator = SystemRandomNumberGenerator()
        let width = 37, height = 23
        var rgb = [UInt8](repeating: 255, count: width * height * 3)
        for i in 0..<(width * 10 * 3) { rgb[i] = UInt8.random(in: 0...255, using: &generator) }
        for i in stride(from: width * 15 * 3, to: width * 16 * 3, by: 3) { rgb[i] = 31; rgb[i + 1] = 119; rgb[i + 2] = 180 }
        let png = try PNGEncoder.encode(width: width, height: height, rgb: rgb)
        let decoded = try DecodedPNG(png)
        XCTAssertEqual(decoded.width, width)
        XCTAssertEqual(decoded.height, height)
        XCTAssertEqual(decoded.rgb, rgb)
        // A corrupted byte breaks the chunk's CRC.
        var broken = png
        broken[40] ^= 0x01
        XCTAssertThrowsError(try DecodedPNG(broken))
        // Known checksums: CRC-32 and Adler-32 of "123456789" / "Wikipedia".
        XCTAssertEqual(PNGEncoder.crc32(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(PNGEncoder.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
    }

    func testPNGOfAMismatchedBufferIsAnErrorNotATrap() {
        XCTAssertThrowsError(try PNGEncoder.encode(width: 2, height: 2, rgb: [0, 0, 0]))
        XCTAssertThrowsError(try PNGEncoder.encode(width: Int.max, height: 3, rgb: []))
    }

    func testSavefigWritesAPNGAndAnSVGOfThePlot() throws {
        let png = temporaryPath("loss.png"), svg = temporaryPath("loss.svg")
        defer { for f in [png, svg] { try? FileManager.default.removeItem(atPath: f) } }
        let r = run("""
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        losses = [1.0 / (i + 1) for i in range(40)]
        plt.plot(losses, label="train")
        plt.title("loss")
        plt.legend()
        plt.savefig("\(png)")
        plt.savefig("\(svg)")

        """)
        XCTAssertEqual(r.err, "")
        let image = try DecodedPNG(Array(try Data(contentsOf: URL(fileURLWithPath: png))))
        XCTAssertEqual([image.width, image.height], [640, 480], "figsize 6.4 x 4.8 at 100 dpi")
        XCTAssertEqual(image.pixel(0, 0), [255, 255, 255])
        XCTAssertEqual(image.pixel(639, 479), [255, 255, 255])
        var lineColour = 0, dark = 0
        for y in 0..<image.height {
            for x in 0..<image.width {
                let p = image.pixel(x, y)
                if p == [0x1f, 0x77, 0xb4] { lineColour += 1 }
                if p.allSatisfy({ $0 < 100 }) { dark += 1 }
            }
        }
        XCTAssertGreaterThan(lineColour, 300, "the line in the first colour of the cycle")
        XCTAssertGreaterThan(dark, 1000, "the axes frame, ticks and text")
        // The line falls from the top left: the leftmost line pixels are near the top of the box.
        let box = FigureRenderer.box(PlotAxes(rows: 1, columns: 1, index: 1), 640, 480)
        let firstColumn = Int(box.x + box.w * 0.05 / 1.1) + 1
        let rows = (0..<image.height).filter { image.pixel(firstColumn, $0) == [0x1f, 0x77, 0xb4] }
        XCTAssertFalse(rows.isEmpty)
        XCTAssertLessThan(Double(rows.min() ?? 480), box.y + box.h * 0.2)
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("<?xml"), text)
        XCTAssertTrue(text.contains("<polyline points=\""), text)
        XCTAssertTrue(text.contains("stroke=\"#1f77b4\""), text)
        XCTAssertTrue(text.contains(">loss</text>") && text.contains(">train</text>"), text)
        XCTAssertTrue(text.hasSuffix("</svg>\n"))
    }

    /// Expected output printed by python3 with matplotlib 3.11.2 (Agg backend), except that
    /// hist's counts and edges are lists here where matplotlib returns numpy arrays.
    func testReturnValuesPrintAsInMatplotlib() {
        let r = run("""
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        print(repr(plt.title('x')), repr(plt.xlabel('e')), repr(plt.ylabel('l')))
        print(repr(plt.gca()), str(plt.gca()))
        f = plt.figure()
        print(repr(f), str(f))
        counts, edges, patches = plt.hist([1, 2, 2, 3, 7], bins=3)
        print(counts, edges, patches)
        print(plt.hist([0.5, 1.5, 1.5], bins=[0, 1, 2], density=True)[0])
        fig, axes = plt.subplots(2, 3, figsize=(9, 6))
        print(fig, axes.shape, len(axes), str(axes[1, 2]), len(axes.flat))
        fig, ax = plt.subplots()
        print(plt.xlim(0, 5), matplotlib.get_backend())
        plt.close('all')

        """)
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, """
        Text(0.5, 1.0, 'x') Text(0.5, 0, 'e') Text(0, 0.5, 'l')
        <Axes: title={'center': 'x'}, xlabel='e', ylabel='l'> Axes(0.125,0.11;0.775x0.77)
        <Figure size 640x480 with 0 Axes> Figure(640x480)
        [3.0, 1.0, 1.0] [1.0, 3.0, 5.0, 7.0] <BarContainer object of 3 artists>
        [0.3333333333333333, 0.6666666666666666]
        Figure(900x600) (2, 3) 2 Axes(0.672059,0.11;0.227941x0.35) 6
        (0.0, 5.0) Agg

        """)
    }

    func testErrorsAreMatplotlibs() {
        func error(_ line: String) -> String {
            let r = run("import torch\nimport matplotlib.pyplot as plt\n" + line + "\n")
            return r.err.split(separator: "\n").last.map(String.init) ?? ""
        }
        XCTAssertEqual(error("plt.plot([1, 2], [1, 2, 3])"), "ValueError: x and y must have same first dimension, but have shapes (2,) and (3,)")
        XCTAssertEqual(error("plt.plot([1, 2], 'q')"), "ValueError: 'q' is not a valid format string (unrecognized character 'q')")
        XCTAssertEqual(error("plt.plot([1, 2], color='nope')"), "ValueError: 'nope' is not a valid color value.")
        XCTAssertEqual(error("plt.plot([1, 2], bogus=1)"), "AttributeError: Line2D.set() got an unexpected keyword argument 'bogus'")
        XCTAssertEqual(error("plt.plot(torch.ones(3, requires_grad=True))"),
                       "RuntimeError: Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        XCTAssertEqual(error("plt.savefig('x.jpg')"), "ValueError: Format 'jpg' is not supported (supported formats: png, svg)")
        XCTAssertEqual(error("plt.subplot(2, 2, 5)"), "ValueError: num must be an integer with 1 <= num <= 4, not 5")
        XCTAssertEqual(error("plt.imshow(torch.ones(3))"), "TypeError: Invalid shape (3,) for image data")
        XCTAssertEqual(error("plt.savefig('/nonexistent/dir/x.png')"), "FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent/dir/x.png'")
        let legend = run("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.legend()\n")
        XCTAssertTrue(legend.err.contains("UserWarning: No artists with labels found to put in legend."), legend.err)
    }

    func testEachFunctionIsDeclaredOnceForHelpAndCompletion() {
        let r = run("import matplotlib.pyplot as plt\nhelp(plt.plot)\nfig, ax = plt.subplots()\nhelp(ax.set_title)\nhelp(plt.savefig)\n")
        XCTAssertEqual(r.err, "")
        XCTAssertTrue(r.out.contains("plot(*args, scalex=True, scaley=True, data=None, **kwargs)\n"), r.out)
        XCTAssertTrue(r.out.contains("set_title(label, fontdict=None, loc=None, pad=None, *, y=None, **kwargs)\n"), r.out)
        XCTAssertTrue(r.out.contains("savefig(fname, *, dpi=None, format=None, bbox_inches=None, **kwargs)\n"), r.out)
    }

    func testTerminalRenderingOfAFigure() {
        let figure = PlotFigure(number: 1)
        let axes = figure.subplot(1, 1, 1)
        axes.title = "loss"
        axes.xlabel = "step"
        axes.artists.append(.line(x: [0, 1, 2], y: [3, 2, 1], style: LineStyle(color: .black, label: "train")))
        axes.artists.append(.bars(edges: [0, 1, 2, 3], heights: [1, 4, 2], color: .black, alpha: 1, label: nil))
        let text = TerminalFigure.render(figure, width: 30)
        let chart = TerminalPlot(values: [3, 2, 1], width: 30).render() ?? ""
        XCTAssertEqual(text, "loss\ntrain: line of 3 points\n" + chart + "histogram, 3 bins from 0 to 3\n"
            + "│ █ \n│ █ \n│ █ \n│ █ \n│ ██\n│ ██\n│███\n│███\n└───\nx: step, y: -\n")
    }
}
