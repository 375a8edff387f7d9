import Foundation

/// Where a figure is drawn: the few primitives `FigureRenderer` uses, in pixel coordinates
/// (origin top left). `RasterCanvas` fills pixels for PNG; `SVGCanvas` writes SVG elements.
protocol PlotCanvas {
    /// Restricts what follows to a rectangle (an axes' box: artists are clipped to it); nil lifts it.
    mutating func clip(_ rect: (x: Double, y: Double, w: Double, h: Double)?)
    mutating func fillRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ color: PlotColor, alpha: Double)
    mutating func strokeRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ color: PlotColor, width: Double)
    /// A polyline; `dash` lengths alternate on/off (empty: solid).
    mutating func polyline(_ points: [(Double, Double)], _ color: PlotColor, width: Double, dash: [Double], alpha: Double)
    mutating func circle(_ cx: Double, _ cy: Double, _ r: Double, _ color: PlotColor, alpha: Double)
    /// Text with its anchor at (x, y): `align` 0 start, 0.5 middle, 1 end; `vertical` turns it
    /// 90° counter-clockwise. `y` is the middle of the text line.
    mutating func text(_ s: String, _ x: Double, _ y: Double, align: Double, vertical: Bool, _ color: PlotColor)
    /// An image of `columns` × `rows` cells stretched over the rectangle, nearest neighbour.
    mutating func image(_ x: Double, _ y: Double, _ w: Double, _ h: Double, columns: Int, rows: Int, _ pixels: [PlotColor]) throws
}

/// An RGB pixel buffer with anti-aliased lines and discs (coverage from the distance to the
/// shape) and text from `PlotFont`.
struct RasterCanvas: PlotCanvas {
    let width: Int, height: Int
    private(set) var pixels: [PlotColor]
    private var clipRect: (x0: Int, y0: Int, x1: Int, y1: Int)?

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [PlotColor](repeating: .white, count: width * height)
    }

    /// The pixels as bytes, 3 a pixel (what `PNGEncoder` takes).
    var rgb: [UInt8] { pixels.flatMap { [$0.r, $0.g, $0.b] } }

    /// A pixel coordinate clamped far outside the canvas, so huge values never overflow `Int`.
    private static func pixel(_ v: Double) -> Int {
        v.isFinite ? Int(max(-1e6, min(1e6, v))) : 0
    }

    mutating func clip(_ rect: (x: Double, y: Double, w: Double, h: Double)?) {
        clipRect = rect.map { (Self.pixel($0.x.rounded()), Self.pixel($0.y.rounded()),
                               Self.pixel(($0.x + $0.w).rounded()), Self.pixel(($0.y + $0.h).rounded())) }
    }

    private mutating func blend(_ x: Int, _ y: Int, _ color: PlotColor, _ alpha: Double) {
        guard x >= 0, y >= 0, x < width, y < height, alpha > 0 else { return }
        if let c = clipRect, x < c.x0 || x > c.x1 || y < c.y0 || y > c.y1 { return }
        pixels[y * width + x] = pixels[y * width + x].blended(with: color, alpha: min(1, alpha))
    }

    mutating func fillRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ color: PlotColor, alpha: Double) {
        let x0 = max(0, Self.pixel(x.rounded())), x1 = min(width, Self.pixel((x + w).rounded()))
        let y0 = max(0, Self.pixel(y.rounded())), y1 = min(height, Self.pixel((y + h).rounded()))
        guard x0 < x1, y0 < y1 else { return }
        for py in y0..<y1 { for px in x0..<x1 { blend(px, py, color, alpha) } }
    }

    mutating func strokeRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ color: PlotColor, width lineWidth: Double) {
        polyline([(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)], color, width: lineWidth, dash: [], alpha: 1)
    }

    mutating func polyline(_ points: [(Double, Double)], _ color: PlotColor, width lineWidth: Double, dash: [Double], alpha: Double) {
        for (a, b) in RasterCanvas.dashed(points, dash) { segment(a, b, color, lineWidth, alpha) }
    }

    /// The visible pieces of a polyline under a dash pattern (all of it when `dash` is empty).
    static func dashed(_ points: [(Double, Double)], _ dash: [Double]) -> [((Double, Double), (Double, Double))] {
        let pairs = zip(points, points.dropFirst()).filter { $0.0.0.isFinite && $0.0.1.isFinite && $0.1.0.isFinite && $0.1.1.isFinite }
        guard !dash.isEmpty, dash.allSatisfy({ $0 > 0 }) else { return pairs.map { ($0.0, $0.1) } }
        var out: [((Double, Double), (Double, Double))] = []
        var phase = 0, left = dash[0]
        for (a, b) in pairs {
            var start = a
            var remaining = hypot(b.0 - a.0, b.1 - a.1)
            while remaining > 1e-9 {
                let step = min(left, remaining)
                let t = step / remaining
                let end = (start.0 + (b.0 - start.0) * t, start.1 + (b.1 - start.1) * t)
                if phase % 2 == 0 { out.append((start, end)) }
                start = end
                remaining -= step
                left -= step
                if left <= 1e-9 {
                    phase += 1
                    left = dash[phase % dash.count]
                }
            }
        }
        return out
    }

    private mutating func segment(_ a: (Double, Double), _ b: (Double, Double), _ color: PlotColor, _ lineWidth: Double, _ alpha: Double) {
        let half = max(0.5, lineWidth / 2)
        let a = (Double(Self.pixel(a.0 * 16)) / 16, Double(Self.pixel(a.1 * 16)) / 16)
        let b = (Double(Self.pixel(b.0 * 16)) / 16, Double(Self.pixel(b.1 * 16)) / 16)
        let x0 = max(0, Self.pixel(floor(min(a.0, b.0) - half - 1))), x1 = min(width - 1, Self.pixel(ceil(max(a.0, b.0) + half + 1)))
        let y0 = max(0, Self.pixel(floor(min(a.1, b.1) - half - 1))), y1 = min(height - 1, Self.pixel(ceil(max(a.1, b.1) + half + 1)))
        let dx = b.0 - a.0, dy = b.1 - a.1, length2 = dx * dx + dy * dy
        for py in stride(from: y0, through: y1, by: 1) {
            for px in stride(from: x0, through: x1, by: 1) {
                let cx = Double(px) + 0.5, cy = Double(py) + 0.5
                let t = length2 > 0 ? max(0, min(1, ((cx - a.0) * dx + (cy - a.1) * dy) / length2)) : 0
                let distance = hypot(cx - (a.0 + t * dx), cy - (a.1 + t * dy))
                blend(px, py, color, max(0, min(1, half + 0.5 - distance)) * alpha)
            }
        }
    }

    mutating func circle(_ cx: Double, _ cy: Double, _ r: Double, _ color: PlotColor, alpha: Double) {
        guard cx.isFinite, cy.isFinite, abs(cx) < 1e6, abs(cy) < 1e6, r < 1000 else { return }
        for py in stride(from: Self.pixel(floor(cy - r - 1)), through: Self.pixel(ceil(cy + r + 1)), by: 1) {
            for px in stride(from: Self.pixel(floor(cx - r - 1)), through: Self.pixel(ceil(cx + r + 1)), by: 1) {
                let distance = hypot(Double(px) + 0.5 - cx, Double(py) + 0.5 - cy)
                blend(px, py, color, max(0, min(1, r + 0.5 - distance)) * alpha)
            }
        }
    }

    mutating func text(_ s: String, _ x: Double, _ y: Double, align: Double, vertical: Bool, _ color: PlotColor) {
        let length = Double(s.count * PlotFont.width)
        let along = Int((-length * align).rounded()), across = -PlotFont.height / 2
        for (i, c) in s.enumerated() {
            for gy in 0..<PlotFont.height {
                for gx in 0..<PlotFont.width {
                    let coverage = PlotFont.coverage(c, gx, gy)
                    guard coverage > 0 else { continue }
                    let u = along + i * PlotFont.width + gx, v = across + gy
                    let (px, py) = vertical ? (Self.pixel(x) + v, Self.pixel(y) - u) : (Self.pixel(x) + u, Self.pixel(y) + v)
                    blend(px, py, color, Double(coverage) / 15)
                }
            }
        }
    }

    mutating func image(_ x: Double, _ y: Double, _ w: Double, _ h: Double, columns: Int, rows: Int, _ cells: [PlotColor]) throws {
        guard columns > 0, rows > 0, w > 0, h > 0 else { return }
        for py in stride(from: max(0, Self.pixel(y.rounded())), to: min(height, Self.pixel((y + h).rounded())), by: 1) {
            let row = max(0, min(rows - 1, Int((Double(py) + 0.5 - y) / h * Double(rows))))
            for px in stride(from: max(0, Self.pixel(x.rounded())), to: min(width, Self.pixel((x + w).rounded())), by: 1) {
                let column = max(0, min(columns - 1, Int((Double(px) + 0.5 - x) / w * Double(columns))))
                let i = row * columns + column
                if i >= 0, i < cells.count { pixels[py * width + px] = cells[i] }
            }
        }
    }
}

/// SVG 1.1 elements in the same coordinates (text in a monospace font, images as embedded PNG).
struct SVGCanvas: PlotCanvas {
    let width: Int, height: Int
    private var body: [String] = []
    private var clipCount = 0, clipOpen = false

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The whole document.
    var document: String {
        """
        <?xml version="1.0" encoding="utf-8" standalone="no"?>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="\(width)pt" height="\(height)pt" viewBox="0 0 \(width) \(height)" version="1.1">
        <rect x="0" y="0" width="\(width)" height="\(height)" fill="#ffffff"/>

        """ + body.joined(separator: "\n") + (clipOpen ? "\n</g>" : "") + "\n</svg>\n"
    }

    mutating func clip(_ rect: (x: Double, y: Double, w: Double, h: Double)?) {
        if clipOpen { body.append("</g>") }
        clipOpen = rect != nil
        guard let r = rect else { return }
        clipCount += 1
        body.append("<clipPath id=\"clip\(clipCount)\"><rect x=\"\(Self.n(r.x))\" y=\"\(Self.n(r.y))\" width=\"\(Self.n(r.w))\" height=\"\(Self.n(r.h))\"/></clipPath>")
        body.append("<g clip-path=\"url(#clip\(clipCount))\">")
    }

    private static func n(_ v: Double) -> String {
        v.isFinite ? String(format: "%.2f", v) : "0"
    }

    private static func escaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private static func opacity(_ alpha: Double) -> String { alpha < 1 ? " opacity=\"\(n(alpha))\"" : "" }

    mutating func fillRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ color: PlotColor, alpha: Double) {
        body.append("<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(w))\" height=\"\(Self.n(h))\" fill=\"\(color.hexText)\"\(Self.opacity(alpha))/>")
    }

    mutating func strokeRect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ color: PlotColor, width lineWidth: Double) {
        body.append("<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(w))\" height=\"\(Self.n(h))\" fill=\"none\" stroke=\"\(color.hexText)\" stroke-width=\"\(Self.n(lineWidth))\"/>")
    }

    mutating func polyline(_ points: [(Double, Double)], _ color: PlotColor, width lineWidth: Double, dash: [Double], alpha: Double) {
        // A non-finite point breaks the line, as in matplotlib.
        var runs: [[(Double, Double)]] = [[]]
        for p in points {
            if p.0.isFinite && p.1.isFinite { runs[runs.count - 1].append(p) } else if !(runs.last?.isEmpty ?? true) { runs.append([]) }
        }
        let dashText = dash.isEmpty ? "" : " stroke-dasharray=\"\(dash.map(Self.n).joined(separator: ","))\""
        for run in runs where run.count > 1 {
            let coordinates = run.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
            body.append("<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(color.hexText)\" stroke-width=\"\(Self.n(lineWidth))\" stroke-linecap=\"square\" stroke-linejoin=\"round\"\(dashText)\(Self.opacity(alpha))/>")
        }
    }

    mutating func circle(_ cx: Double, _ cy: Double, _ r: Double, _ color: PlotColor, alpha: Double) {
        guard cx.isFinite, cy.isFinite else { return }
        body.append("<circle cx=\"\(Self.n(cx))\" cy=\"\(Self.n(cy))\" r=\"\(Self.n(r))\" fill=\"\(color.hexText)\"\(Self.opacity(alpha))/>")
    }

    mutating func text(_ s: String, _ x: Double, _ y: Double, align: Double, vertical: Bool, _ color: PlotColor) {
        let anchor = align == 0 ? "start" : align == 1 ? "end" : "middle"
        let turn = vertical ? " transform=\"rotate(-90 \(Self.n(x)) \(Self.n(y)))\"" : ""
        body.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" dy=\"0.35em\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"12\" text-anchor=\"\(anchor)\" fill=\"\(color.hexText)\"\(turn)>\(Self.escaped(s))</text>")
    }

    mutating func image(_ x: Double, _ y: Double, _ w: Double, _ h: Double, columns: Int, rows: Int, _ cells: [PlotColor]) throws {
        let png = try PNGEncoder.encode(width: columns, height: rows, rgb: cells.flatMap { [$0.r, $0.g, $0.b] })
        body.append("<image x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(w))\" height=\"\(Self.n(h))\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" xlink:href=\"data:image/png;base64,\(Data(png).base64EncodedString())\"/>")
    }
}
