import Foundation
import NNLang
import TensorRuntime

/// The argument handling behind the pyplot functions: data as numbers, format strings,
/// colours, histogram bins, images, and saving a figure.
enum Plotting {
    /// A fake object address for reprs (`<… object at 0x7f…>`).
    static func address() -> String { String(UInt.random(in: 0x7f00_0000_0000...0x7fff_ffff_ffff), radix: 16) }

    /// A tensor's values as numpy would get them (`t.numpy()` refuses tensors that require grad).
    static func values(_ t: Tensor) throws -> [Double] {
        guard !t.requiresGrad else {
            throw PyError(.runtimeError, "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        }
        return t.toDoubles()
    }

    /// A 1-D array of numbers: a tensor (flattened), a list, tuple or range of numbers or
    /// one-element tensors, or a single number.
    static func numbers(_ v: Value, _ ev: Evaluator) throws -> [Double] {
        switch v {
        case .tensor(let t): return try values(t)
        case .int(let i): return [Double(i)]
        case .float(let f): return [f]
        case .bool(let b): return [b ? 1 : 0]
        default:
            guard case .object = v, let items = try? ev.iterate(v) else {
                throw PyError(.typeError, "float() argument must be a string or a real number, not '\(v.typeName)'")
            }
            return try items.map { item in
                switch item {
                case .int(let i): return Double(i)
                case .float(let f): return f
                case .bool(let b): return b ? 1 : 0
                case .tensor(let t) where t.numel == 1: return try values(t)[0]
                default: throw PyError(.typeError, "float() argument must be a string or a real number, not '\(item.typeName)'")
                }
            }
        }
    }

    /// The rows of a 2-D array (a tensor or nested lists), each row's cells as numbers
    /// (three numbers a cell for an H×W×3 RGB array).
    static func matrix(_ v: Value, _ ev: Evaluator) throws -> (rows: Int, columns: Int, channels: Int, values: [Double]) {
        if case .tensor(let t) = v {
            guard t.dim == 2 || (t.dim == 3 && [3, 4].contains(t.shape[2])) else {
                throw PyError(.typeError, "Invalid shape (\(t.shape.map(String.init).joined(separator: ", "))\(t.dim == 1 ? "," : "")) for image data")
            }
            return (t.shape[0], t.shape[1], t.dim == 3 ? t.shape[2] : 1, try values(t))
        }
        let rows = try ev.iterate(v)
        var out: [Double] = []
        var columns = -1
        for row in rows {
            let cells = try numbers(row, ev)
            guard columns < 0 || cells.count == columns else {
                throw PyError(.valueError, "setting an array element with a sequence. The requested array has an inhomogeneous shape after 1 dimensions.")
            }
            columns = cells.count
            out += cells
        }
        guard !rows.isEmpty, columns > 0 else { throw PyError(.typeError, "Invalid shape (\(rows.count),) for image data") }
        return (rows.count, columns, 1, out)
    }

    static func optionalNumber(_ v: Value, _ name: String) throws -> Double? {
        switch v {
        case .none: return nil
        case .int(let i): return Double(i)
        case .float(let f): return f
        case .bool(let b): return b ? 1 : 0
        case .tensor(let t) where t.numel == 1: return try values(t)[0]
        default: throw PyError(.typeError, "\(name) must be a number, not \(v.typeName)")
        }
    }

    static func optionalString(_ v: Value, _ ev: Evaluator) throws -> String? {
        if case .none = v { return nil }
        return try ev.str(v)
    }

    /// A positive count (`nrows`, `bins`).
    static func count(_ v: Value, _ name: String) throws -> Int {
        guard case .int(let n) = v, n > 0, n <= 10_000 else {
            throw PyError(.valueError, "Number of \(name) must be a positive integer, not \(v)")
        }
        return n
    }

    /// `figsize=(w, h)` in inches.
    static func pair(_ v: Value, _ name: String, _ ev: Evaluator) throws -> (Double, Double)? {
        if case .none = v { return nil }
        let items = try numbers(v, ev)
        guard items.count == 2, items.allSatisfy({ $0 > 0 && $0 < 1000 }) else {
            throw PyError(.valueError, "\(name) must be two positive numbers (width, height) in inches")
        }
        return (items[0], items[1])
    }

    /// `subplot(2, 1, 1)` or `subplot(211)`.
    static func gridPosition(_ args: [Value]) throws -> (Int, Int, Int) {
        var numbers: [Int] = []
        for a in args {
            guard case .int(let i) = a else { throw PyError(.typeError, "subplot() arguments must be integers, not \(a.typeName)") }
            numbers.append(i)
        }
        if numbers.isEmpty { numbers = [111] }
        if numbers.count == 1 {
            let n = numbers[0]
            guard (111...999).contains(n) else {
                throw PyError(.valueError, "Integer subplot specification must be a three-digit number, not \(n)")
            }
            numbers = [n / 100, n / 10 % 10, n % 10]
        }
        guard numbers.count == 3 else { throw PyError(.typeError, "subplot() takes 1 or 3 positional arguments but \(numbers.count) were given") }
        let (r, c, i) = (numbers[0], numbers[1], numbers[2])
        guard r > 0, c > 0, r * c <= 10_000 else { throw PyError(.valueError, "Number of rows and columns must be positive integers, not \(r) and \(c)") }
        guard (1...(r * c)).contains(i) else { throw PyError(.valueError, "num must be an integer with 1 <= num <= \(r * c), not \(i)") }
        return (r, c, i)
    }

    /// A colour argument (nil for None).
    static func color(_ v: Value, _ ev: Evaluator) throws -> PlotColor? {
        switch v {
        case .none: return nil
        case .str(let s):
            guard let c = PlotColor.parse(s) else { throw PyError(.valueError, "'\(s)' is not a valid color value.") }
            return c
        default:
            let parts = try numbers(v, ev)
            guard parts.count == 3 || parts.count == 4, parts.allSatisfy({ (0...1).contains($0) }) else {
                throw PyError(.valueError, "RGBA values should be within 0-1 range")
            }
            return PlotColor(UInt8((parts[0] * 255).rounded()), UInt8((parts[1] * 255).rounded()), UInt8((parts[2] * 255).rounded()))
        }
    }

    /// A format string (`'r--'`, `'bo'`, `'-x'`): colour, marker and line style.
    static func format(_ fmt: String) throws -> (color: PlotColor?, marker: Character?, dash: [Double]??) {
        var rest = Substring(fmt)
        var dash: [Double]?? = nil
        for (pattern, value) in [("--", [5.55, 2.4]), ("-.", [9.6, 2.4, 1.5, 2.4]), ("-", []), (":", [1.5, 2.475])] as [(String, [Double])] {
            if let r = rest.range(of: pattern) {
                dash = .some(value)
                rest.removeSubrange(r)
                break
            }
        }
        var color: PlotColor?, marker: Character?
        for c in rest {
            if "bgrcmykw".contains(c), color == nil { color = PlotColor.parse(String(c)) }
            else if ".o,xs+^v*dD".contains(c), marker == nil { marker = c == "," ? "." : c }
            else { throw PyError(.valueError, "'\(fmt)' is not a valid format string (unrecognized character '\(c)')") }
        }
        return (color, marker, dash)
    }

    /// `plot(*args, **kwargs)`: groups of `[x], y, [fmt]`, one line each.
    static func plot(_ axes: PlotAxes, _ args: [Value], _ keywords: [(name: String, value: Value)], _ ev: Evaluator) throws -> Value {
        var rest = args[...]
        var lines: [Value] = []
        while let first = rest.popFirst() {
            if case .str = first { throw PyError(.valueError, "third arg must be a format string") }
            var data = [first]
            if let next = rest.first, !(next.isString) { data.append(next); rest = rest.dropFirst() }
            var fmt = ""
            if let next = rest.first, case .str(let f) = next { fmt = f; rest = rest.dropFirst() }
            let y = try numbers(data[data.count - 1], ev)
            let x = data.count == 2 ? try numbers(data[0], ev) : y.indices.map(Double.init)
            guard x.count == y.count else {
                throw PyError(.valueError, "x and y must have same first dimension, but have shapes (\(x.count),) and (\(y.count),)")
            }
            let parsed = try format(fmt)
            var style = LineStyle(color: parsed.color ?? .black, dash: parsed.marker != nil && parsed.dash == nil ? nil : (parsed.dash ?? []),
                                  marker: parsed.marker)
            var colorGiven = parsed.color != nil
            for (name, value) in keywords {
                switch name {
                case "label": style.label = try optionalString(value, ev)
                case "color", "c":
                    if let c = try color(value, ev) { style.color = c; colorGiven = true }
                case "linestyle", "ls":
                    let s = try ev.str(value)
                    style.dash = ["-": [], "solid": [], "--": [5.55, 2.4], "dashed": [5.55, 2.4], ":": [1.5, 2.475], "dotted": [1.5, 2.475],
                                  "-.": [9.6, 2.4, 1.5, 2.4], "dashdot": [9.6, 2.4, 1.5, 2.4]][s] ?? nil
                case "linewidth", "lw": style.width = try optionalNumber(value, name) ?? 1.5
                case "marker":
                    let m = try ev.str(value)
                    style.marker = m.isEmpty || m == "None" ? nil : m.first
                case "alpha": style.alpha = try optionalNumber(value, name) ?? 1
                case "markersize", "ms", "zorder", "markerfacecolor", "markeredgecolor", "mfc", "mec", "drawstyle", "antialiased", "solid_capstyle": break
                default: throw PyError(.attributeError, "Line2D.set() got an unexpected keyword argument '\(name)'")
                }
            }
            if !colorGiven { style.color = axes.nextColor() }
            axes.artists.append(.line(x: x, y: y, style: style))
            lines.append(.object(PlotHandle("<matplotlib.lines.Line2D object at 0x\(address())>")))
        }
        return ev.makeList(lines)
    }

    /// `hist`: numpy's `histogram` (equal bins over the range, the last one closed) as bars.
    static func hist(_ axes: PlotAxes, _ b: Bound, _ ev: Evaluator) throws -> Value {
        let data = try numbers(b[0], ev).filter(\.isFinite)
        var edges: [Double]
        switch b[1] {
        case .none, .int:
            let n: Int
            if case .none = b[1] { n = 10 } else { n = try count(b[1], "bins") }
            var (lo, hi) = (data.min() ?? 0, data.max() ?? 1)
            if case .none = b[2] {} else {
                let r = try numbers(b[2], ev)
                guard r.count == 2, r[0] <= r[1] else { throw PyError(.valueError, "max must be larger than min in range parameter.") }
                (lo, hi) = (r[0], r[1])
            }
            if lo == hi { (lo, hi) = (lo - 0.5, hi + 0.5) }
            // numpy's linspace: i * step + start, the last edge exactly the stop.
            let step = (hi - lo) / Double(n)
            edges = (0...n).map { $0 == n ? hi : Double($0) * step + lo }
        default:
            edges = try numbers(b[1], ev)
            guard edges.count >= 2, zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw PyError(.valueError, "`bins` must increase monotonically, when an array")
            }
        }
        var counts = [Double](repeating: 0, count: edges.count - 1)
        let lo = edges[0], hi = edges[edges.count - 1]
        for v in data where v >= lo && v <= hi {
            // The bin whose half-open interval holds v (the last bin also takes hi).
            var k = edges.lastIndex { $0 <= v } ?? 0
            if k >= counts.count { k = counts.count - 1 }
            counts[k] += 1
        }
        if try ev.truthy(b[3]) {
            let total = counts.reduce(0, +)
            if total > 0 { counts = counts.enumerated().map { $1 / (total * (edges[$0 + 1] - edges[$0])) } }
        }
        let color = try color(b[12], ev) ?? axes.nextColor()
        axes.artists.append(.bars(edges: edges, heights: counts, color: color, alpha: try optionalNumber(b[16], "alpha") ?? 1,
                                  label: try optionalString(b[13], ev)))
        return ev.makeTuple([ev.makeList(counts.map { .float($0) }), ev.makeList(edges.map { .float($0) }),
                             .object(PlotHandle("<BarContainer object of \(counts.count) artists>"))])
    }

    /// `imshow`: a 2-D array through a colour map (vmin/vmax default to its range), or RGB cells.
    static func imshow(_ axes: PlotAxes, _ b: Bound, _ ev: Evaluator) throws -> Value {
        let m = try matrix(b[0], ev)
        var pixels: [PlotColor] = []
        if m.channels >= 3 {
            for cell in 0..<(m.rows * m.columns) {
                let c = m.values[(cell * m.channels)..<(cell * m.channels + 3)].map { UInt8((min(1, max(0, $0.isFinite ? $0 : 0)) * 255).rounded()) }
                pixels.append(PlotColor(c[0], c[1], c[2]))
            }
        } else {
            let name = try optionalString(b[1], ev) ?? "viridis"
            guard let map = ColorMap.named[name] else {
                throw PyError(.valueError, "'\(name)' is not a valid value for cmap; supported values are \(ColorMap.named.keys.sorted().map { "'\($0)'" }.joined(separator: ", "))")
            }
            let finite = m.values.filter(\.isFinite)
            let lo = try optionalNumber(b[6], "vmin") ?? finite.min() ?? 0
            let hi = try optionalNumber(b[7], "vmax") ?? finite.max() ?? 1
            pixels = m.values.map { v in v.isFinite ? map.color(hi > lo ? (v - lo) / (hi - lo) : 0) : .white }
        }
        axes.artists.append(.image(rows: m.rows, columns: m.columns, pixels: pixels))
        return .object(PlotHandle("<matplotlib.image.AxesImage object at 0x\(address())>"))
    }

    /// `xlim(left, right)`, `xlim((left, right))`, `xlim(right=…)`; a missing side keeps its value.
    static func limits(_ b: Bound, current: (Double, Double), _ ev: Evaluator) throws -> (Double, Double) {
        if case .none = b[1], case .object = b[0], let both = try? numbers(b[0], ev), both.count == 2 { return (both[0], both[1]) }
        return (try optionalNumber(b[0], "left") ?? current.0, try optionalNumber(b[1], "right") ?? current.1)
    }

    /// `savefig(fname, dpi=, format=)`: PNG or SVG by `format` or the extension (none: `.png` added).
    static func save(_ figure: PlotFigure, _ b: Bound, _ ev: Evaluator) throws {
        var path = try ev.str(b[0])
        let ext = (path as NSString).pathExtension.lowercased()
        let format = try optionalString(b[2], ev)?.lowercased() ?? (ext.isEmpty ? "png" : ext)
        if ext.isEmpty, case .none = b[2] { path += ".png" }
        guard format == "png" || format == "svg" else {
            throw PyError(.valueError, "Format '\(format)' is not supported (supported formats: png, svg)")
        }
        let savedDPI = figure.dpi
        if let dpi = try? optionalNumber(b[1], "dpi"), dpi > 0, dpi <= 1000 { figure.dpi = dpi }
        defer { figure.dpi = savedDPI }
        let data = format == "png" ? Data(try FigureRenderer.png(figure)) : Data(try FigureRenderer.svg(figure).utf8)
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw PyError(.fileNotFoundError, "[Errno 2] No such file or directory: '\(path)'")
        }
    }
}

private extension Value {
    var isString: Bool {
        if case .str = self { return true }
        return false
    }
}
