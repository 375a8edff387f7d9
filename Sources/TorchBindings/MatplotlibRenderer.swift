import Foundation

/// Draws a `PlotFigure` on a `PlotCanvas` with matplotlib's default layout: subplot boxes from
/// its subplot parameters (left .125, right .9, bottom .11, top .88, 0.2 spacing), a black
/// frame, outward ticks with labels, title above, axis labels, a light grid, a legend in the
/// upper right, the data clipped to the box.
enum FigureRenderer {
    static func draw<C: PlotCanvas>(_ figure: PlotFigure, on canvas: inout C) throws {
        let w = Double(figure.width), h = Double(figure.height)
        canvas.fillRect(0, 0, w, h, .white, alpha: 1)
        if !figure.suptitle.isEmpty { canvas.text(figure.suptitle, w / 2, h * 0.04, align: 0.5, vertical: false, .black) }
        for axes in figure.axes { try draw(axes, in: box(axes, w, h), on: &canvas) }
    }

    /// The axes' rectangle (x, y from the top left, width, height) in pixels.
    static func box(_ axes: PlotAxes, _ w: Double, _ h: Double) -> (x: Double, y: Double, w: Double, h: Double) {
        let rows = Double(max(1, axes.rows)), columns = Double(max(1, axes.columns))
        let cellW = (0.9 - 0.125) * w / (columns + 0.2 * (columns - 1))
        let cellH = (0.88 - 0.11) * h / (rows + 0.2 * (rows - 1))
        let i = max(0, axes.index - 1)
        let row = Double(i / max(1, axes.columns)), column = Double(i % max(1, axes.columns))
        return (0.125 * w + column * cellW * 1.2, (1 - 0.88) * h + row * cellH * 1.2, cellW, cellH)
    }

    static func draw<C: PlotCanvas>(_ axes: PlotAxes, in frame: (x: Double, y: Double, w: Double, h: Double), on canvas: inout C) throws {
        var box = frame
        let (xr, yr, _) = axes.limits()
        // imshow's square pixels: the box shrinks to the image's aspect, centred.
        if axes.artists.contains(where: { if case .image = $0 { return true } else { return false } }) {
            let aspect = abs(yr.1 - yr.0) / max(1e-12, abs(xr.1 - xr.0))
            if box.h / box.w > aspect {
                let newH = box.w * aspect
                box.y += (box.h - newH) / 2
                box.h = newH
            } else {
                let newW = box.h / aspect
                box.x += (box.w - newW) / 2
                box.w = newW
            }
        }
        func px(_ x: Double) -> Double { box.x + (x - xr.0) / (xr.1 - xr.0) * box.w }
        func py(_ y: Double) -> Double { box.y + box.h - (y - yr.0) / (yr.1 - yr.0) * box.h }
        let xTicks = PlotTicks.ticks(xr).filter { (min(xr.0, xr.1) - 1e-9...max(xr.0, xr.1) + 1e-9).contains($0.value) }
        let yTicks = PlotTicks.ticks(yr).filter { (min(yr.0, yr.1) - 1e-9...max(yr.0, yr.1) + 1e-9).contains($0.value) }
        let gridColor = PlotColor(0xb0, 0xb0, 0xb0)
        if axes.showGrid {
            for t in xTicks { canvas.polyline([(px(t.value), box.y), (px(t.value), box.y + box.h)], gridColor, width: 0.8, dash: [], alpha: 1) }
            for t in yTicks { canvas.polyline([(box.x, py(t.value)), (box.x + box.w, py(t.value))], gridColor, width: 0.8, dash: [], alpha: 1) }
        }
        canvas.clip(box)
        for artist in axes.artists {
            switch artist {
            case .line(let x, let y, let style):
                let points = zip(x, y).map { (px($0), py($1)) }
                if let dash = style.dash { canvas.polyline(points, style.color, width: style.width, dash: dash, alpha: style.alpha) }
                if let marker = style.marker {
                    for p in points { drawMarker(marker, p, style.color, style.alpha, on: &canvas) }
                }
            case .scatter(let x, let y, let color, let size, let alpha, _):
                let r = max(1, sqrt(max(0, size))) * 100 / 72 / 2
                for (a, b) in zip(x, y) { canvas.circle(px(a), py(b), r, color, alpha: alpha) }
            case .bars(let edges, let heights, let color, let alpha, _):
                for (i, height) in heights.enumerated() where i + 1 < edges.count && height.isFinite {
                    let left = px(edges[i]), right = px(edges[i + 1]), top = py(max(0, height)), bottom = py(min(0, height))
                    canvas.fillRect(left, top, right - left, bottom - top, color, alpha: alpha)
                }
            case .image(let rows, let columns, let pixels):
                let left = px(-0.5), right = px(Double(columns) - 0.5), top = py(-0.5), bottom = py(Double(rows) - 0.5)
                try canvas.image(min(left, right), min(top, bottom), abs(right - left), abs(bottom - top), columns: columns, rows: rows, pixels)
            }
        }
        canvas.clip(nil)
        canvas.strokeRect(box.x, box.y, box.w, box.h, .black, width: 0.8)
        for t in xTicks {
            canvas.polyline([(px(t.value), box.y + box.h), (px(t.value), box.y + box.h + 3.5)], .black, width: 0.8, dash: [], alpha: 1)
            canvas.text(t.label, px(t.value), box.y + box.h + 13, align: 0.5, vertical: false, .black)
        }
        let yLabelWidth = Double(yTicks.map(\.label.count).max() ?? 0) * Double(PlotFont.width)
        for t in yTicks {
            canvas.polyline([(box.x - 3.5, py(t.value)), (box.x, py(t.value))], .black, width: 0.8, dash: [], alpha: 1)
            canvas.text(t.label, box.x - 6, py(t.value), align: 1, vertical: false, .black)
        }
        if !axes.title.isEmpty { canvas.text(axes.title, box.x + box.w / 2, box.y - 12, align: 0.5, vertical: false, .black) }
        if !axes.xlabel.isEmpty { canvas.text(axes.xlabel, box.x + box.w / 2, box.y + box.h + 30, align: 0.5, vertical: false, .black) }
        if !axes.ylabel.isEmpty { canvas.text(axes.ylabel, box.x - yLabelWidth - 18, box.y + box.h / 2, align: 0.5, vertical: true, .black) }
        if axes.showLegend { drawLegend(axes, box, on: &canvas) }
    }

    /// matplotlib's markers, as discs, squares, crosses or triangles of about 6 points.
    static func drawMarker<C: PlotCanvas>(_ marker: Character, _ p: (Double, Double), _ color: PlotColor, _ alpha: Double, on canvas: inout C) {
        let r = 4.0
        switch marker {
        case ".": canvas.circle(p.0, p.1, 2, color, alpha: alpha)
        case "s": canvas.fillRect(p.0 - r, p.1 - r, 2 * r, 2 * r, color, alpha: alpha)
        case "x":
            canvas.polyline([(p.0 - r, p.1 - r), (p.0 + r, p.1 + r)], color, width: 1.5, dash: [], alpha: alpha)
            canvas.polyline([(p.0 - r, p.1 + r), (p.0 + r, p.1 - r)], color, width: 1.5, dash: [], alpha: alpha)
        case "+":
            canvas.polyline([(p.0 - r, p.1), (p.0 + r, p.1)], color, width: 1.5, dash: [], alpha: alpha)
            canvas.polyline([(p.0, p.1 - r), (p.0, p.1 + r)], color, width: 1.5, dash: [], alpha: alpha)
        case "^", "v":
            let s: Double = marker == "^" ? 1 : -1
            canvas.polyline([(p.0, p.1 - s * r), (p.0 + r, p.1 + s * r), (p.0 - r, p.1 + s * r), (p.0, p.1 - s * r)], color, width: 2, dash: [], alpha: alpha)
        default: canvas.circle(p.0, p.1, r - 1, color, alpha: alpha)
        }
    }

    /// The labelled artists, a sample of each beside its label, in a framed box at the upper right.
    static func drawLegend<C: PlotCanvas>(_ axes: PlotAxes, _ box: (x: Double, y: Double, w: Double, h: Double), on canvas: inout C) {
        let entries = axes.artists.compactMap { a in a.label.map { (a, $0) } }.filter { !$0.1.hasPrefix("_") }
        guard !entries.isEmpty else { return }
        let lineHeight = 18.0
        let textWidth = Double(entries.map(\.1.count).max() ?? 0) * Double(PlotFont.width)
        let w = 40 + textWidth, h = Double(entries.count) * lineHeight + 8
        let x = box.x + box.w - w - 8, y = box.y + 8
        canvas.fillRect(x, y, w, h, .white, alpha: 0.8)
        canvas.strokeRect(x, y, w, h, PlotColor(0xcc, 0xcc, 0xcc), width: 0.8)
        for (i, (artist, label)) in entries.enumerated() {
            let cy = y + 4 + lineHeight * (Double(i) + 0.5)
            switch artist {
            case .line(_, _, let style):
                if let dash = style.dash { canvas.polyline([(x + 6, cy), (x + 30, cy)], style.color, width: style.width, dash: dash, alpha: style.alpha) }
                if let marker = style.marker { drawMarker(marker, (x + 18, cy), style.color, style.alpha, on: &canvas) }
            case .scatter(_, _, let color, _, let alpha, _): canvas.circle(x + 18, cy, 3.5, color, alpha: alpha)
            case .bars(_, _, let color, let alpha, _): canvas.fillRect(x + 8, cy - 5, 20, 10, color, alpha: alpha)
            case .image: break
            }
            canvas.text(label, x + 34, cy, align: 0, vertical: false, .black)
        }
    }

    /// The figure as a PNG file.
    static func png(_ figure: PlotFigure) throws -> [UInt8] {
        var canvas = RasterCanvas(width: figure.width, height: figure.height)
        try draw(figure, on: &canvas)
        return try PNGEncoder.encode(width: canvas.width, height: canvas.height, rgb: canvas.rgb)
    }

    /// The figure as an SVG document.
    static func svg(_ figure: PlotFigure) throws -> String {
        var canvas = SVGCanvas(width: figure.width, height: figure.height)
        try draw(figure, on: &canvas)
        return canvas.document
    }
}
