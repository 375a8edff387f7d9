import Foundation

/// An sRGB colour.
public struct PlotColor: Equatable {
    public var r: UInt8, g: UInt8, b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// `#rrggbb`.
    init?(hex: String) {
        let digits = hex.dropFirst()
        guard hex.hasPrefix("#"), digits.count == 6, let v = UInt32(digits, radix: 16) else { return nil }
        self.init(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
    }

    var hexText: String { String(format: "#%02x%02x%02x", r, g, b) }

    static let white = PlotColor(255, 255, 255), black = PlotColor(0, 0, 0)
    /// matplotlib's default colour cycle (tab10): `C0` … `C9`.
    static let cycle = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                        "#bcbd22", "#17becf"].compactMap { PlotColor(hex: $0) }
    /// The single-letter colours of format strings and matplotlib's common names.
    static let named: [String: String] = [
        "b": "#0000ff", "g": "#008000", "r": "#ff0000", "c": "#00bfbf", "m": "#bf00bf", "y": "#bfbf00",
        "k": "#000000", "w": "#ffffff", "blue": "#0000ff", "green": "#008000", "red": "#ff0000", "cyan": "#00ffff",
        "magenta": "#ff00ff", "yellow": "#ffff00", "black": "#000000", "white": "#ffffff", "orange": "#ffa500",
        "purple": "#800080", "gray": "#808080", "grey": "#808080", "brown": "#a52a2a", "pink": "#ffc0cb",
        "navy": "#000080", "olive": "#808000", "teal": "#008080", "lightgray": "#d3d3d3", "darkgray": "#a9a9a9",
        "tab:blue": "#1f77b4", "tab:orange": "#ff7f0e", "tab:green": "#2ca02c", "tab:red": "#d62728",
        "tab:purple": "#9467bd", "tab:brown": "#8c564b", "tab:pink": "#e377c2", "tab:gray": "#7f7f7f",
        "tab:olive": "#bcbd22", "tab:cyan": "#17becf",
    ]

    /// A colour as matplotlib reads one: a name, `C0`…`C9`, `#rrggbb`, or a gray level string.
    static func parse(_ text: String) -> PlotColor? {
        let key = text.lowercased()
        if let hex = named[key] { return PlotColor(hex: hex) }
        if key.count == 2, key.hasPrefix("c"), let i = Int(key.dropFirst()) { return cycle[i % cycle.count] }
        if let c = PlotColor(hex: key) { return c }
        if let level = Double(key), (0...1).contains(level) {
            let v = UInt8((level * 255).rounded())
            return PlotColor(v, v, v)
        }
        return nil
    }

    /// `a` blended over `self` with opacity `alpha` (0…1).
    func blended(with a: PlotColor, alpha: Double) -> PlotColor {
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) * (1 - alpha) + Double(y) * alpha).rounded()) }
        return PlotColor(mix(r, a.r), mix(g, a.g), mix(b, a.b))
    }
}

/// A colour map for `imshow`: colours interpolated between evenly spaced anchors.
struct ColorMap {
    let anchors: [PlotColor]

    func color(_ t: Double) -> PlotColor {
        let x = min(1, max(0, t.isFinite ? t : 0)) * Double(anchors.count - 1)
        let i = min(anchors.count - 2, Int(x)), f = x - Double(i)
        return anchors[i].blended(with: anchors[i + 1], alpha: f)
    }

    static let named: [String: ColorMap] = [
        "viridis": ColorMap(anchors: ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962",
                                      "#addc30", "#fde725"].compactMap { PlotColor(hex: $0) }),
        "gray": ColorMap(anchors: [.black, .white]), "grey": ColorMap(anchors: [.black, .white]),
        "gray_r": ColorMap(anchors: [.white, .black]), "Greys": ColorMap(anchors: [.white, .black]),
        "hot": ColorMap(anchors: ["#0b0000", "#ff0000", "#ffff00", "#ffffff"].compactMap { PlotColor(hex: $0) }),
        "magma": ColorMap(anchors: ["#000004", "#3b0f70", "#8c2981", "#de4968", "#fe9f6d", "#fcfdbf"].compactMap { PlotColor(hex: $0) }),
    ]
}

/// One thing drawn in an axes.
enum PlotArtist {
    /// `plot`: a polyline and/or markers.
    case line(x: [Double], y: [Double], style: LineStyle)
    /// `scatter`: filled circles of radius `size` (points² as matplotlib's `s`).
    case scatter(x: [Double], y: [Double], color: PlotColor, size: Double, alpha: Double, label: String?)
    /// `hist`: bars from bin edges and heights.
    case bars(edges: [Double], heights: [Double], color: PlotColor, alpha: Double, label: String?)
    /// `imshow`: a rows × columns grid of colours.
    case image(rows: Int, columns: Int, pixels: [PlotColor])

    var label: String? {
        switch self {
        case .line(_, _, let s): return s.label
        case .scatter(_, _, _, _, _, let l), .bars(_, _, _, _, let l): return l
        case .image: return nil
        }
    }
}

/// How `plot` draws one series (from its format string and keywords).
struct LineStyle {
    var color: PlotColor
    /// nil: no line (a format string with only a marker).
    var dash: [Double]? = []
    var marker: Character?
    var width = 1.5
    var alpha = 1.0
    var label: String?
}

/// One `Axes`: its place in the figure's grid, what it draws and its decorations.
final class PlotAxes {
    let rows: Int, columns: Int, index: Int
    var artists: [PlotArtist] = []
    var title = "", xlabel = "", ylabel = ""
    var showLegend = false, showGrid = false
    var xlim: (Double, Double)?, ylim: (Double, Double)?
    /// The next colour of the cycle.
    private var cycleIndex = 0

    init(rows: Int, columns: Int, index: Int) {
        self.rows = rows
        self.columns = columns
        self.index = index
    }

    func nextColor() -> PlotColor {
        defer { cycleIndex += 1 }
        return PlotColor.cycle[cycleIndex % PlotColor.cycle.count]
    }

    /// The data limits with matplotlib's margins (5%; bars stick to 0; images fill the box).
    func limits() -> (x: (Double, Double), y: (Double, Double), invertedY: Bool) {
        var xs: [Double] = [], ys: [Double] = []
        var stickyZero = false, image: (Int, Int)?
        for artist in artists {
            switch artist {
            case .line(let x, let y, _), .scatter(let x, let y, _, _, _, _):
                xs += x.filter(\.isFinite)
                ys += y.filter(\.isFinite)
            case .bars(let edges, let heights, _, _, _):
                xs += edges.filter(\.isFinite)
                ys += heights.filter(\.isFinite) + [0]
                stickyZero = true
            case .image(let rows, let columns, _):
                image = (rows, columns)
            }
        }
        if let (rows, columns) = image, xs.isEmpty {
            return (xlim ?? (-0.5, Double(columns) - 0.5), ylim ?? (Double(rows) - 0.5, -0.5), ylim == nil)
        }
        func padded(_ v: [Double], sticky: Bool) -> (Double, Double) {
            guard let lo = v.min(), let hi = v.max() else { return (0, 1) }
            if lo == hi { return (lo - (lo == 0 ? 0.055 : abs(lo) * 0.055), hi + (hi == 0 ? 0.055 : abs(hi) * 0.055)) }
            let m = (hi - lo) * 0.05
            return (sticky && lo == 0 ? 0 : lo - m, hi + m)
        }
        return (xlim ?? padded(xs, sticky: false), ylim ?? padded(ys, sticky: stickyZero), false)
    }
}

/// A `Figure`: its size in pixels and its axes.
final class PlotFigure {
    let number: Int
    /// Width and height in inches, and pixels an inch.
    let figsize: (Double, Double)
    var dpi: Double
    var axes: [PlotAxes] = []
    var current: PlotAxes?
    var suptitle = ""

    init(number: Int, figsize: (Double, Double) = (6.4, 4.8), dpi: Double = 100) {
        self.number = number
        self.figsize = figsize
        self.dpi = dpi
    }

    /// The size in pixels (figsize × dpi, at most 5000 a side).
    var width: Int { max(1, min(5_000, Int((figsize.0 * dpi).rounded()))) }
    var height: Int { max(1, min(5_000, Int((figsize.1 * dpi).rounded()))) }

    /// The axes at `index` of a `rows` × `columns` grid (made when new), now current.
    func subplot(_ rows: Int, _ columns: Int, _ index: Int) -> PlotAxes {
        if let a = axes.first(where: { $0.rows == rows && $0.columns == columns && $0.index == index }) {
            current = a
            return a
        }
        let a = PlotAxes(rows: rows, columns: columns, index: index)
        axes.append(a)
        current = a
        return a
    }

    /// The current axes, a single one made on first use (`plt.gca()`).
    func currentAxes() -> PlotAxes { current ?? subplot(1, 1, 1) }
}

/// "Nice" tick positions (steps of 1, 2, 2.5, 5 × 10ⁿ, at most about 8 ticks) inside `range`,
/// and their labels printed with just the decimals the step needs.
enum PlotTicks {
    static func ticks(_ range: (Double, Double), maxTicks: Int = 8) -> [(value: Double, label: String)] {
        let lo = min(range.0, range.1), hi = max(range.0, range.1)
        guard hi > lo, (hi - lo).isFinite else { return [(lo, label(lo, step: 1))] }
        let raw = (hi - lo) / Double(maxTicks)
        let magnitude = pow(10, floor(log10(raw)))
        let step = ([1, 2, 2.5, 5, 10].first { $0 * magnitude >= raw } ?? 10) * magnitude
        var out: [(Double, String)] = []
        var k = ceil(lo / step - 1e-9)
        while k * step <= hi + step * 1e-9, out.count < 50 {
            let v = k * step
            out.append((v == 0 ? 0 : v, label(v, step: step)))
            k += 1
        }
        return out
    }

    static func label(_ v: Double, step: Double) -> String {
        if abs(v) >= 1e6 || (abs(v) < 1e-4 && v != 0) { return String(format: "%g", v) }
        let decimals = max(0, min(6, Int(ceil(-log10(step) - 1e-9)) + (step / pow(10, floor(log10(step))) == 2.5 ? 1 : 0)))
        let text = String(format: "%.\(decimals)f", v)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}
