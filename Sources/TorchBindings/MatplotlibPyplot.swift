import Foundation
import NNLang
import TensorRuntime

/// `matplotlib` and `matplotlib.pyplot`: the subset teaching scripts use, so a script that
/// plots runs unchanged here and under Python. Figures are drawn by `FigureRenderer`;
/// `savefig` writes PNG (`PNGEncoder`) or SVG, `show` draws in the terminal (`TerminalFigure`)
/// when stdout is one and does nothing otherwise (as matplotlib's Agg backend, which is what a
/// script without a display gets). Each drawing function is declared once (`AxesFunction`)
/// and serves both as `plt.NAME` on the current axes and as the Axes method.
public enum MatplotlibModule {
    /// The two modules, sharing one pyplot state (its figures).
    public static func make() -> (matplotlib: Namespace, pyplot: Namespace) {
        let state = PyplotState()
        let mpl = Namespace("matplotlib")
        mpl["__version__"] = .str("3.11.2")
        var backend = "agg"
        mpl["use"] = .object(NativeFunction("use", "backend, *, force=True", doc: "Select the backend (any name is accepted; nnrepl draws PNG/SVG files and terminal charts).") { b, ev in
            backend = try ev.str(b[0])
            return .none
        })
        mpl["get_backend"] = .object(NativeFunction("get_backend", "", doc: "The backend's name.") { _, _ in .str(backend) })
        let plt = Namespace("matplotlib.pyplot")
        for f in AxesFunction.all {
            plt[f.pyplotName] = .object(NativeFunction(f.pyplotName, f.signature, doc: f.doc) { b, ev in
                try f.body(state.currentFigure().currentAxes(), b, ev)
            })
        }
        for f in state.functions() { plt[f.name] = .object(f) }
        mpl["pyplot"] = .object(plt)
        return (mpl, plt)
    }
}

/// pyplot's figures: numbered, one current.
final class PyplotState {
    var figures: [PlotFigure] = []
    var current: PlotFigure?

    func currentFigure() -> PlotFigure {
        if let f = current { return f }
        return newFigure(figsize: nil, dpi: nil)
    }

    func newFigure(figsize: (Double, Double)?, dpi: Double?) -> PlotFigure {
        let f = PlotFigure(number: (figures.map(\.number).max() ?? 0) + 1, figsize: figsize ?? (6.4, 4.8), dpi: dpi ?? 100)
        figures.append(f)
        current = f
        return f
    }

    func close(_ f: PlotFigure) {
        figures.removeAll { $0 === f }
        if current === f { current = figures.last }
    }

    /// The pyplot functions that are not drawing functions of an axes.
    func functions() -> [NativeFunction] {
        [
            NativeFunction("figure", "num=None, figsize=None, dpi=None, *, facecolor=None, edgecolor=None, frameon=True, clear=False, **kwargs",
                           doc: "Create a new figure (or make figure number num current).") { b, ev in
                if case .int(let n) = b[0], let f = self.figures.first(where: { $0.number == n }) {
                    self.current = f
                    return .object(FigureObject(f))
                }
                let f = self.newFigure(figsize: try Plotting.pair(b[1], "figsize", ev), dpi: try Plotting.optionalNumber(b[2], "dpi"))
                return .object(FigureObject(f))
            },
            NativeFunction("subplot", "*args, **kwargs", doc: "Add an axes at (nrows, ncols, index) of the current figure, or make it current: subplot(2, 1, 1) or subplot(211).") { b, ev in
                let (rows, columns, index) = try Plotting.gridPosition(b.extraPositional)
                return .object(AxesObject(self.currentFigure().subplot(rows, columns, index)))
            },
            NativeFunction("subplots", "nrows=1, ncols=1, *, sharex=False, sharey=False, squeeze=True, figsize=None, dpi=None, **kwargs",
                           doc: "A new figure and a grid of axes: (fig, ax), or (fig, axes) with axes indexable as axes[i] or axes[r, c].") { b, ev in
                let rows = try Plotting.count(b[0], "nrows"), columns = try Plotting.count(b[1], "ncols")
                let f = self.newFigure(figsize: try Plotting.pair(b[5], "figsize", ev), dpi: try Plotting.optionalNumber(b[6], "dpi"))
                var grid: [[Value]] = []
                for r in 0..<rows {
                    grid.append((0..<columns).map { c in .object(AxesObject(f.subplot(rows, columns, r * columns + c + 1))) })
                }
                f.current = f.axes.first
                let squeeze = try ev.truthy(b[4])
                let axes: Value = squeeze && rows * columns == 1 ? grid[0][0] : .object(AxesArray(grid, squeeze: squeeze))
                return ev.makeTuple([.object(FigureObject(f)), axes])
            },
            NativeFunction("get_fignums", "", doc: "The numbers of the open figures.") { _, ev in
                ev.makeList(self.figures.map { .int($0.number) })
            },
            NativeFunction("gcf", "", doc: "The current figure (a new one if there is none).") { _, _ in
                .object(FigureObject(self.currentFigure()))
            },
            NativeFunction("gca", "", doc: "The current axes (made if there is none).") { _, _ in
                .object(AxesObject(self.currentFigure().currentAxes()))
            },
            NativeFunction("savefig", "fname, *, dpi=None, format=None, bbox_inches=None, **kwargs",
                           doc: "Save the current figure as PNG or SVG (by the file's extension or format=).") { b, ev in
                try Plotting.save(self.currentFigure(), b, ev)
                return .none
            },
            NativeFunction("show", "*, block=None", doc: "Draw the open figures in the terminal (when stdout is a terminal) and close them.") { _, ev in
                guard isatty(STDOUT_FILENO) == 1 else { return .none }
                var size = winsize()
                let columns = ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
                for f in self.figures { ev.write(TerminalFigure.render(f, width: min(100, max(20, columns)))) }
                self.figures = []
                self.current = nil
                return .none
            },
            NativeFunction("close", "fig=None", doc: "Close the current figure, figure fig (a Figure or its number), or all of them ('all').") { b, ev in
                switch b[0] {
                case .none: if let f = self.current { self.close(f) }
                case .str("all"): self.figures = []; self.current = nil
                case .int(let n): self.figures.filter { $0.number == n }.forEach(self.close)
                case .object(let o as FigureObject): self.close(o.figure)
                default: throw PyError(.typeError, "close() argument must be a Figure, an int, a string, or None, not \(b[0].typeName)")
                }
                return .none
            },
            NativeFunction("suptitle", "t, **kwargs", doc: "A title over the whole current figure.") { b, ev in
                self.currentFigure().suptitle = try ev.str(b[0])
                return .object(PlotHandle("Text(0.5, 0.98, \(try ev.repr(b[0])))"))
            },
            NativeFunction("tight_layout", "*, pad=1.08, h_pad=None, w_pad=None, rect=None", doc: "Accepted; the layout is fixed.") { _, _ in .none },
        ]
    }
}

/// A drawing function of an axes, declared once: `plt.title` / `ax.set_title`, `plt.plot` / `ax.plot`.
struct AxesFunction {
    let pyplotName: String
    let axesName: String
    let signature: String
    let doc: String
    let body: (PlotAxes, Bound, Evaluator) throws -> Value

    static let all: [AxesFunction] = [
        AxesFunction(pyplotName: "plot", axesName: "plot", signature: "*args, scalex=True, scaley=True, data=None, **kwargs",
                     doc: "Lines and/or markers: plot(y), plot(x, y), plot(x, y, 'r--'), with label=, color=, linestyle=, linewidth=, marker=, alpha=.") { axes, b, ev in
            try Plotting.plot(axes, b.extraPositional, b.extraKeywords, ev)
        },
        AxesFunction(pyplotName: "scatter", axesName: "scatter",
                     signature: "x, y, s=None, c=None, marker=None, cmap=None, norm=None, vmin=None, vmax=None, alpha=None, linewidths=None, *, edgecolors=None, plotnonfinite=False, data=None, label=None, color=None, **kwargs",
                     doc: "Points at (x, y): s is the area in points² (36), c or color their colour.") { axes, b, ev in
            let x = try Plotting.numbers(b[0], ev), y = try Plotting.numbers(b[1], ev)
            guard x.count == y.count else { throw PyError(.valueError, "x and y must be the same size") }
            let color = try Plotting.color(b[15], ev) ?? Plotting.color(b[3], ev) ?? axes.nextColor()
            let size = try Plotting.optionalNumber(b[2], "s") ?? 36
            axes.artists.append(.scatter(x: x, y: y, color: color, size: size, alpha: try Plotting.optionalNumber(b[9], "alpha") ?? 1,
                                         label: try Plotting.optionalString(b[14], ev)))
            return .object(PlotHandle("<matplotlib.collections.PathCollection object at 0x\(Plotting.address())>"))
        },
        AxesFunction(pyplotName: "hist", axesName: "hist",
                     signature: "x, bins=None, range=None, density=False, weights=None, cumulative=False, bottom=None, histtype='bar', align='mid', orientation='vertical', rwidth=None, log=False, color=None, label=None, stacked=False, *, data=None, alpha=None, **kwargs",
                     doc: "A histogram of x in bins (10, a count, or the edges); returns (counts, edges, patches).") { axes, b, ev in
            try Plotting.hist(axes, b, ev)
        },
        AxesFunction(pyplotName: "imshow", axesName: "imshow",
                     signature: "X, cmap=None, norm=None, *, aspect=None, interpolation=None, alpha=None, vmin=None, vmax=None, origin=None, extent=None, **kwargs",
                     doc: "A 2-D array (tensor or nested lists) as an image through a colour map (viridis; gray, hot, magma …); an H×W×3 array as RGB in 0…1.") { axes, b, ev in
            try Plotting.imshow(axes, b, ev)
        },
        text("title", "set_title", "label, fontdict=None, loc=None, pad=None, *, y=None, **kwargs", "The axes' title.",
             at: "0.5, 1.0", \.title),
        text("xlabel", "set_xlabel", "xlabel, fontdict=None, labelpad=None, *, loc=None, **kwargs", "The x axis' label.",
             at: "0.5, 0", \.xlabel),
        text("ylabel", "set_ylabel", "ylabel, fontdict=None, labelpad=None, *, loc=None, **kwargs", "The y axis' label.",
             at: "0, 0.5", \.ylabel),
        AxesFunction(pyplotName: "legend", axesName: "legend", signature: "*args, **kwargs",
                     doc: "A legend of the labelled artists (label=...), in the upper right.") { axes, b, ev in
            if !b.extraPositional.isEmpty, let labels = try? ev.iterate(b.extraPositional[b.extraPositional.count - 1]) {
                // legend(['a', 'b']): labels for the artists in order.
                for (i, label) in labels.enumerated() where i < axes.artists.count {
                    axes.relabel(i, try ev.str(label))
                }
            }
            if axes.artists.allSatisfy({ ($0.label ?? "_").hasPrefix("_") }) {
                ev.warn("UserWarning: No artists with labels found to put in legend.  Note that artists whose label start with an underscore are ignored when legend() is called with no argument.")
            }
            axes.showLegend = true
            return .object(PlotHandle("<matplotlib.legend.Legend object at 0x\(Plotting.address())>", str: "Legend"))
        },
        AxesFunction(pyplotName: "grid", axesName: "grid", signature: "visible=None, which='major', axis='both', **kwargs",
                     doc: "Show (or hide, grid(False)) grid lines at the ticks.") { axes, b, ev in
            if case .none = b[0] {
                axes.showGrid = b.extraKeywords.isEmpty ? !axes.showGrid : true
            } else {
                axes.showGrid = try ev.truthy(b[0])
            }
            return .none
        },
        AxesFunction(pyplotName: "xlim", axesName: "set_xlim", signature: "left=None, right=None, **kwargs",
                     doc: "Set the x limits: xlim(left, right) or xlim((left, right)); returns them.") { axes, b, ev in
            axes.xlim = try Plotting.limits(b, current: axes.limits().x, ev)
            return ev.makeTuple([.float(axes.limits().x.0), .float(axes.limits().x.1)])
        },
        AxesFunction(pyplotName: "ylim", axesName: "set_ylim", signature: "bottom=None, top=None, **kwargs",
                     doc: "Set the y limits: ylim(bottom, top) or ylim((bottom, top)); returns them.") { axes, b, ev in
            axes.ylim = try Plotting.limits(b, current: axes.limits().y, ev)
            return ev.makeTuple([.float(axes.limits().y.0), .float(axes.limits().y.1)])
        },
    ]
}

extension AxesFunction {
    /// `title` / `xlabel` / `ylabel`: sets that text; returns matplotlib's `Text(x, y, 'text')`.
    static func text(_ pyplotName: String, _ axesName: String, _ signature: String, _ doc: String, at position: String,
                     _ field: ReferenceWritableKeyPath<PlotAxes, String>) -> AxesFunction {
        AxesFunction(pyplotName: pyplotName, axesName: axesName, signature: signature, doc: doc) { axes, b, ev in
            axes[keyPath: field] = try ev.str(b[0])
            return .object(PlotHandle("Text(\(position), \(try ev.repr(.str(axes[keyPath: field]))))"))
        }
    }
}

extension PlotAxes {
    /// Gives artist `i` the label `label` (`legend(['train', 'val'])`).
    func relabel(_ i: Int, _ label: String) {
        switch artists[i] {
        case .line(let x, let y, var style):
            style.label = label
            artists[i] = .line(x: x, y: y, style: style)
        case .scatter(let x, let y, let c, let s, let a, _): artists[i] = .scatter(x: x, y: y, color: c, size: s, alpha: a, label: label)
        case .bars(let e, let h, let c, let a, _): artists[i] = .bars(edges: e, heights: h, color: c, alpha: a, label: label)
        case .image: break
        }
    }
}

/// A matplotlib object the script only holds or prints (`Text(0.5, 1.0, 'loss')`, a Legend).
final class PlotHandle: PyObject {
    let text: String
    /// What `str()` / `print` show when it differs from the repr (a Legend prints `Legend`).
    let strText: String?
    init(_ text: String, str: String? = nil) {
        self.text = text
        strText = str
    }
    override func repr(_ ev: Evaluator) throws -> String { text }
    override func str(_ ev: Evaluator) throws -> String { strText ?? text }
}

/// `matplotlib.figure.Figure`.
final class FigureObject: PyObject {
    let figure: PlotFigure
    init(_ figure: PlotFigure) { self.figure = figure }
    override var typeName: String { "Figure" }
    override func repr(_ ev: Evaluator) throws -> String {
        "<Figure size \(figure.width)x\(figure.height) with \(figure.axes.count) Axes>"
    }
    override func str(_ ev: Evaluator) throws -> String { "Figure(\(figure.width)x\(figure.height))" }
    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .object(let o as FigureObject) = other { return o.figure === figure }
        return false
    }
    override func attributeNames() -> [String] { ["add_subplot", "gca", "number", "savefig", "suptitle", "tight_layout"] }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "number": return .int(figure.number)
        case "savefig":
            return .object(NativeFunction("savefig", "fname, *, dpi=None, format=None, bbox_inches=None, **kwargs", doc: "Save this figure as PNG or SVG.") { [figure] b, ev in
                try Plotting.save(figure, b, ev)
                return .none
            })
        case "add_subplot":
            return .object(NativeFunction("add_subplot", "*args, **kwargs", doc: "Add an axes at (nrows, ncols, index).") { [figure] b, _ in
                let (r, c, i) = try Plotting.gridPosition(b.extraPositional.isEmpty ? [.int(111)] : b.extraPositional)
                return .object(AxesObject(figure.subplot(r, c, i)))
            })
        case "gca": return method(name) { [figure] _, _ in .object(AxesObject(figure.currentAxes())) }
        case "suptitle":
            return method(name) { [figure] a, ev in
                figure.suptitle = try ev.str(a.positional.first ?? .str(""))
                return .none
            }
        case "tight_layout": return method(name) { _, _ in .none }
        default: return nil
        }
    }
}

/// `matplotlib.axes.Axes`: the drawing functions (`AxesFunction`) bound to one axes.
final class AxesObject: PyObject {
    let axes: PlotAxes
    init(_ axes: PlotAxes) { self.axes = axes }
    override var typeName: String { "Axes" }
    override func repr(_ ev: Evaluator) throws -> String {
        var parts: [String] = []
        if !axes.title.isEmpty { parts.append("title={'center': \(try ev.repr(.str(axes.title)))}") }
        if !axes.xlabel.isEmpty { parts.append("xlabel=\(try ev.repr(.str(axes.xlabel)))") }
        if !axes.ylabel.isEmpty { parts.append("ylabel=\(try ev.repr(.str(axes.ylabel)))") }
        return "<Axes: \(parts.joined(separator: ", "))>"
    }
    /// `Axes(0.125,0.11;0.775x0.77)`: its box as fractions of the figure.
    override func str(_ ev: Evaluator) throws -> String {
        let b = FigureRenderer.box(axes, 1, 1)
        func g(_ v: Double) -> String { String(format: "%g", (v * 1e6).rounded() / 1e6) }
        return "Axes(\(g(b.x)),\(g(1 - b.y - b.h));\(g(b.w))x\(g(b.h)))"
    }
    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .object(let o as AxesObject) = other { return o.axes === axes }
        return false
    }
    override func attributeNames() -> [String] { AxesFunction.all.map(\.axesName) }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        guard let f = AxesFunction.all.first(where: { $0.axesName == name }) else { return nil }
        return .object(NativeFunction(name, f.signature, doc: f.doc) { [axes] b, ev in try f.body(axes, b, ev) })
    }
}

/// The grid of axes `subplots(r, c)` returns (numpy's object array): `axes[i]`, `axes[r, c]`,
/// iteration, `len`, `flat` / `flatten()` / `ravel()`.
final class AxesArray: PyObject {
    let grid: [[Value]]
    /// A single row or column is one-dimensional (squeeze).
    let oneDimensional: Bool
    init(_ grid: [[Value]], squeeze: Bool) {
        self.grid = grid
        oneDimensional = squeeze && (grid.count == 1 || grid.first?.count == 1)
    }
    private var items: [Value] { oneDimensional ? grid.flatMap { $0 } : [] }
    override var typeName: String { "ndarray" }
    override func repr(_ ev: Evaluator) throws -> String {
        let rows = try grid.map { try "[" + $0.map { try ev.repr($0) }.joined(separator: " ") + "]" }
        return oneDimensional ? "array(\(rows.joined(separator: " ").dropFirst().dropLast()), dtype=object)"
            : "array([\(rows.joined(separator: "\n       "))], dtype=object)"
    }
    override func length(_ ev: Evaluator) throws -> Int? { oneDimensional ? items.count : grid.count }
    override func iterate(_ ev: Evaluator) throws -> [Value]? {
        oneDimensional ? items : grid.map { .object(AxesArray([$0], squeeze: true)) }
    }
    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        func index(_ v: Value, _ count: Int) throws -> Int {
            guard case .int(let i) = v else { throw PyError(.indexError, "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean arrays are valid indices") }
            let j = i < 0 ? i + count : i
            guard j >= 0, j < count else { throw PyError(.indexError, "index \(i) is out of bounds for axis 0 with size \(count)") }
            return j
        }
        if let pair = ev.sequenceItems(key), ev.builtinKind(key) == .tuple, pair.count == 2, !oneDimensional {
            let r = try index(pair[0], grid.count)
            return grid[r][try index(pair[1], grid[r].count)]
        }
        if oneDimensional { return items[try index(key, items.count)] }
        return .object(AxesArray([grid[try index(key, grid.count)]], squeeze: true))
    }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        let all = grid.flatMap { $0 }
        switch name {
        case "flat": return ev.makeList(all)
        case "flatten", "ravel": return method(name) { _, _ in .object(AxesArray([all], squeeze: true)) }
        case "shape": return ev.makeTuple(oneDimensional ? [.int(all.count)] : [.int(grid.count), .int(grid.first?.count ?? 0)])
        default: return nil
        }
    }
}
