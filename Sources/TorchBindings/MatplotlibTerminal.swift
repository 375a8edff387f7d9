import Foundation

/// `plt.show()` in a terminal: each axes as text — its title, each line (and a scatter plot's
/// points, by increasing x; a histogram's bar heights) as a `TerminalPlot` chart, an image as
/// shaded blocks — followed by the axis labels.
enum TerminalFigure {
    static func render(_ figure: PlotFigure, width: Int) -> String {
        var out = figure.suptitle.isEmpty ? "" : figure.suptitle + "\n"
        for (i, axes) in figure.axes.enumerated() {
            let heading = axes.title.isEmpty ? "Figure \(figure.number)" + (figure.axes.count > 1 ? ", axes \(i + 1)" : "") : axes.title
            out += heading + "\n"
            for artist in axes.artists {
                let label = artist.label.map { $0.hasPrefix("_") ? "" : $0 + ": " } ?? ""
                switch artist {
                case .line(_, let y, _):
                    out += label + "line of \(y.count) point\(y.count == 1 ? "" : "s")\n"
                    out += TerminalPlot(values: y, width: width).render() ?? "(no finite value)\n"
                case .scatter(let x, let y, _, _, _, _):
                    let ordered = zip(x, y).sorted { $0.0 < $1.0 }.map(\.1)
                    out += label + "\(y.count) point\(y.count == 1 ? "" : "s"), by increasing x\n"
                    out += TerminalPlot(values: ordered, width: width, connected: false).render() ?? "(no finite value)\n"
                case .bars(let edges, let heights, _, _, _):
                    out += label + "histogram, \(heights.count) bins from \(TerminalPlot.label(edges.first ?? 0)) to \(TerminalPlot.label(edges.last ?? 0))\n"
                    out += bars(heights)
                case .image(let rows, let columns, let pixels):
                    out += "image \(rows)×\(columns)\n" + shades(rows, columns, pixels, width: width)
                }
            }
            if !axes.xlabel.isEmpty || !axes.ylabel.isEmpty {
                out += "x: \(axes.xlabel.isEmpty ? "-" : axes.xlabel), y: \(axes.ylabel.isEmpty ? "-" : axes.ylabel)\n"
            }
        }
        return out
    }

    /// Bar heights as a column of eighth blocks, 8 rows high, one character a bin.
    static func bars(_ heights: [Double]) -> String {
        let top = heights.filter(\.isFinite).max() ?? 0
        guard top > 0 else { return "(empty)\n" }
        let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        var out = ""
        for row in stride(from: 7, through: 0, by: -1) {
            var line = ""
            for h in heights {
                let eighths = h.isFinite ? Int((max(0, h) / top * 64).rounded()) - row * 8 : 0
                line.append(blocks[max(0, min(8, eighths))])
            }
            out += "│" + line + "\n"
        }
        return out + "└" + String(repeating: "─", count: heights.count) + "\n"
    }

    /// An image as light-to-dark shade characters (by luminance), at most `width` columns.
    static func shades(_ rows: Int, _ columns: Int, _ pixels: [PlotColor], width: Int) -> String {
        let ramp: [Character] = ["█", "▓", "▒", "░", " "]
        let scale = max(1, (columns + width - 1) / max(1, width))
        var out = ""
        for r in stride(from: 0, to: rows, by: scale * 2) {
            var line = ""
            for c in stride(from: 0, to: columns, by: scale) {
                let p = pixels[min(pixels.count - 1, r * columns + c)]
                let luminance = (0.299 * Double(p.r) + 0.587 * Double(p.g) + 0.114 * Double(p.b)) / 255
                line.append(ramp[min(ramp.count - 1, Int(luminance * Double(ramp.count)))])
            }
            out += line + "\n"
        }
        return out
    }
}
