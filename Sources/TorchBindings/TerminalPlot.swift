import Foundation

/// A line chart drawn with Unicode braille characters (each cell is 2 × 4 dots), with a
/// y axis labelled at its top, middle and bottom and an x axis labelled with the first and
/// last index: a loss history at a glance, in any UTF-8 terminal. Formatting only. Used by
/// the REPL's `:plot` and by `plt.show()`.
public struct TerminalPlot {
    /// The values, in order (x = their index). Non-finite values leave a gap in the line.
    public var values: [Double]
    /// Width of the whole chart in characters (labels and axis included).
    public var width = 80
    /// Rows of the plotting area (the x axis and its labels come below).
    public var rows = 12
    /// Whether consecutive values are joined by a line (false: dots only, for scatter plots).
    public var connected = true

    public init(values: [Double], width: Int = 80, rows: Int = 12, connected: Bool = true) {
        self.values = values
        self.width = width
        self.rows = rows
        self.connected = connected
    }

    /// The chart, ending with a newline; nil when no value is finite.
    public func render() -> String? {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return nil }
        let rows = max(1, self.rows)
        // The top, middle and bottom rows show their value (a flat line: the middle only).
        var labelledRows: [Int: String] = [:]
        if high > low {
            labelledRows[rows - 1] = Self.label(low)
            if rows >= 3 { labelledRows[(rows - 1) / 2] = Self.label((high + low) / 2) }
            labelledRows[0] = Self.label(high)
        } else {
            labelledRows[(rows - 1) / 2] = Self.label(high)
        }
        let labelWidth = labelledRows.values.map(\.count).max() ?? 0
        let columns = max(1, width - labelWidth - 2)
        let dotWidth = columns * 2, height = rows * 4
        var dots = [[Bool]](repeating: [Bool](repeating: false, count: dotWidth), count: height)
        func point(_ i: Int) -> (x: Int, y: Int)? {
            guard values[i].isFinite else { return nil }
            let x = values.count == 1 ? 0 : Int((Double(i) * Double(dotWidth - 1) / Double(values.count - 1)).rounded())
            // Halves: high - low overflows for values near ±Double.greatestFiniteMagnitude.
            let fraction = high > low ? (values[i] / 2 - low / 2) / (high / 2 - low / 2) : 0.5
            return (x, Int((min(1, max(0, fraction)) * Double(height - 1)).rounded()))
        }
        var previous: (x: Int, y: Int)?
        for i in values.indices {
            guard let p = point(i) else {
                previous = nil
                continue
            }
            for (x, y) in Self.segment(from: previous ?? p, to: p) { dots[height - 1 - y][x] = true }
            previous = connected ? p : nil
        }

        var out = ""
        for row in 0..<rows {
            var cells = ""
            for column in 0..<columns {
                var bits = 0
                for (dy, rowBits) in [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]].enumerated() {
                    for (dx, bit) in rowBits.enumerated() where dots[row * 4 + dy][column * 2 + dx] { bits |= bit }
                }
                cells.unicodeScalars.append(Unicode.Scalar(0x2800 + bits) ?? " ")
            }
            let label = labelledRows[row].map { String(repeating: " ", count: labelWidth - $0.count) + $0 + " ┤" }
                ?? String(repeating: " ", count: labelWidth) + " │"
            out += label + cells + "\n"
        }
        out += String(repeating: " ", count: labelWidth) + " └" + String(repeating: "─", count: columns) + "\n"
        let first = "0", last = String(values.count - 1)
        let gap = max(1, columns - first.count - last.count)
        out += String(repeating: " ", count: labelWidth + 2) + first
        out += values.count > 1 ? String(repeating: " ", count: gap) + last + "\n" : "\n"
        return out
    }

    /// The dots of a straight line from `a` to `b` (Bresenham), both ends included.
    static func segment(from a: (x: Int, y: Int), to b: (x: Int, y: Int)) -> [(Int, Int)] {
        var points: [(Int, Int)] = []
        var x = a.x, y = a.y
        let dx = abs(b.x - a.x), dy = -abs(b.y - a.y)
        let sx = a.x < b.x ? 1 : -1, sy = a.y < b.y ? 1 : -1
        var error = dx + dy
        while true {
            points.append((x, y))
            if x == b.x && y == b.y { break }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
        return points
    }

    /// An axis value with 4 significant digits (`%.4g`: `2.303`, `0.0001`, `1.5e+06`).
    public static func label(_ value: Double) -> String {
        let text = String(format: "%.4g", value)
        return text == "-0" ? "0" : text
    }
}
