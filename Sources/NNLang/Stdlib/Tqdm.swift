import Foundation

/// The `tqdm` module's core: `tqdm(iterable, desc=, total=, leave=)`, `trange`, and the bar's
/// `update`, `set_postfix`, `set_description`, `close` and context-manager methods. The bar
/// is drawn on stderr, as tqdm draws it (`desc: 40%|████      | 4/10 [00:01<00:01,  3.98it/s,
/// loss=0.5]`), only when stderr is a terminal; elsewhere (a pipe, a file, a test) it draws
/// nothing, so script output stays what Python prints.
enum Tqdm {
    /// Whether bars are drawn (stderr is a terminal; tests set it).
    nonisolated(unsafe) static var drawsBars = isatty(STDERR_FILENO) != 0

    /// The terminal's width in columns (80 when unknown).
    static var terminalWidth: Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    /// The module namespace.
    static func module() -> Namespace {
        let m = Namespace("tqdm")
        m.function("tqdm") { a, ev in try .object(TqdmBar(a, ev, source: nil)) }
        m.function("trange") { a, ev in
            let counts = a.positional.prefix(3)
            guard !counts.isEmpty else { throw PyError(.typeError, "trange() missing 1 required positional argument: 'n'") }
            let ints = try counts.map { try $0.asInt("trange() argument") }
            let (start, stop, step) = ints.count == 1 ? (0, ints[0], 1) : (ints[0], ints[1], ints.count == 3 ? ints[2] : 1)
            guard step != 0 else { throw PyError(.valueError, "range() arg 3 must not be zero") }
            let count = Int(min(1e15, max(0, ((Double(stop) - Double(start)) / Double(step)).rounded(.up))))
            var next: Int? = start
            var rest = a
            rest.positional = Array(a.positional.dropFirst(counts.count))
            return try .object(TqdmBar(rest, ev, source: (count, {
                guard let current = next, step > 0 ? current < stop : current > stop else { return nil }
                let (following, overflow) = current.addingReportingOverflow(step)
                next = overflow ? nil : following
                return .int(current)
            })))
        }
        return m
    }

    /// tqdm's `format_interval`: `01:05`, `1:02:03`.
    static func interval(_ seconds: Double) -> String {
        let total = Int(max(0, min(seconds, 1e9)))
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%02d:%02d", m, s)
    }

    /// tqdm's `format_meter` for a line `ncols` wide (0: no bar), with its default unicode bar;
    /// the rate is `n / elapsed` (tqdm smooths it over recent updates).
    static func meter(n: Int, total: Int?, elapsed: Double, desc: String, postfix: String, unit: String = "it",
                      ncols: Int) -> String {
        let rate = elapsed > 0 && n > 0 ? Double(n) / elapsed : nil
        let rateText: String
        if let rate {
            rateText = rate < 1 ? String(format: "%5.2fs/\(unit)", 1 / rate) : String(format: "%5.2f\(unit)/s", rate)
        } else {
            rateText = "?\(unit)/s"
        }
        let prefix = desc.isEmpty ? "" : desc + ": "
        let post = postfix.isEmpty ? "" : ", " + postfix
        guard let total, total > 0 else {
            return trimmed("\(prefix)\(n)\(unit) [\(interval(elapsed)), \(rateText)\(post)]", ncols)
        }
        let fraction = min(1, max(0, Double(n) / Double(total)))
        let remaining = rate.map { interval(Double(max(0, total - n)) / $0) } ?? "?"
        let left = prefix + String(format: "%3.0f%%|", fraction * 100)
        let right = "| \(n)/\(total) [\(interval(elapsed))<\(remaining), \(rateText)\(post)]"
        if ncols == 0 { return String(left.dropLast()) + right.dropFirst() }
        let barWidth = max(1, min(ncols, 1000) - left.count - right.count)
        let eighths = Int(fraction * Double(barWidth) * 8)
        var bar = String(repeating: "█", count: eighths / 8)
        if eighths / 8 < barWidth { bar += partials[eighths % 8] }
        bar += String(repeating: " ", count: max(0, barWidth - bar.count))
        return trimmed(left + bar + right, ncols)
    }

    /// A line cut to `ncols` characters as tqdm's `disp_trim` cuts it (0: not cut).
    private static func trimmed(_ line: String, _ ncols: Int) -> String {
        ncols > 0 && line.count > ncols ? String(line.prefix(ncols)) : line
    }

    private static let partials = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// tqdm's `format_num`: `{:.3g}` unless `str(n)` is shorter.
    static func formatNumber(_ value: Value, _ ev: Evaluator) throws -> String {
        let short = try ev.format(value, spec: ".3g").replacingOccurrences(of: "+0", with: "+")
            .replacingOccurrences(of: "-0", with: "-")
        let plain = try ev.str(value)
        return short.count < plain.count ? short : plain
    }
}

/// One progress bar: an iterator over its iterable (or a bar updated by hand when there is
/// none) and a context manager that closes it.
final class TqdmBar: PyIterator {
    private var next: (() throws -> Value?)?
    private(set) var n = 0
    private var total: Int?
    private var desc: String
    private var postfix = ""
    private let leave: Bool
    private let disabled: Bool
    private let unit: String
    private let ncols: Int?
    private let start = Date()
    private var lastDrawn: Date?
    private var started = false
    private var closed = false
    private var interpreterReference: InterpreterReference?
    private var interpreter: Interpreter? { interpreterReference?.interpreter }

    /// tqdm's own keywords that change nothing here (its display tuning), accepted so scripts run.
    private static let ignoredKeywords: Set<String> = [
        "file", "mininterval", "maxinterval", "miniters", "ascii", "smoothing", "dynamic_ncols", "position",
        "bar_format", "colour", "delay", "unit_scale", "unit_divisor", "postfix", "initial", "write_bytes", "lock_args", "nrows",
    ]

    /// `tqdm(iterable=None, desc=None, total=None, leave=True, …, disable=False, unit='it')`;
    /// `source` (trange) gives the length and the items instead of an iterable.
    init(_ a: Arguments, _ ev: Evaluator, source: (Int, () throws -> Value?)?) throws {
        var known = a
        known.keywords = a.keywords.filter { !TqdmBar.ignoredKeywords.contains($0.name) }
        let s = try known.bind("tqdm", ["iterable", "desc", "total", "leave", "ncols", "disable", "unit"])
        let interpreter = ev as? Interpreter
        interpreterReference = interpreter?.reference
        desc = try TqdmBar.given(s[1]).map { try $0.asString("desc") } ?? ""
        leave = try s[3].map { try ev.truthy($0) } ?? true
        disabled = try s[5].map { try ev.truthy($0) } ?? false
        unit = try TqdmBar.given(s[6]).map { try $0.asString("unit") } ?? "it"
        ncols = try Convert.optionalInt(TqdmBar.given(s[4]), "ncols")
        if let source {
            total = source.0
            next = source.1
        } else if let iterable = TqdmBar.given(s[0]) {
            total = TqdmBar.length(of: iterable, ev)
            if let interpreter {
                let iterator = try interpreter.makeIterator(iterable)
                next = { try iterator.next(interpreter) }
            } else {
                var items = try ev.iterate(iterable)[...]
                next = { items.popFirst() }
            }
        }
        if let given = TqdmBar.given(s[2]) {
            let count = try given.asDouble("total")
            total = count.isFinite ? Int(min(1e15, max(0, count))) : nil
        }
        super.init()
        draw(force: true)
    }

    /// An argument given and not None.
    private static func given(_ v: Value?) -> Value? { v?.isNone == false ? v : nil }

    /// `len(iterable)` when it has one.
    private static func length(of value: Value, _ ev: Evaluator) -> Int? {
        switch value {
        case .str(let s): return s.codePointCount
        case .tensor(let t): return t.shape.first
        case .object(let o): return (try? o.length(ev)) ?? nil
        default: return nil
        }
    }

    override var typeName: String { "tqdm" }

    override func repr(_ ev: Evaluator) throws -> String { meter(ncols: 0) }

    override func length(_ ev: Evaluator) throws -> Int? {
        guard let total else { throw PyError(.typeError, "object of type 'tqdm' has no len()") }
        return total
    }

    override func next(_ ev: Evaluator) throws -> Value? {
        guard let next else { throw PyError(.typeError, "'NoneType' object is not iterable") }
        if started { n &+= 1; draw(force: false) }
        started = true
        guard let item = try next() else {
            close()
            return nil
        }
        return item
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "n": return .int(n)
        case "total": return total.map { .int($0) } ?? .none
        case "desc": return .str(desc)
        case "update":
            return method(name) { a, _ in
                let step = try Convert.optionalInt(a.bind("update", ["n"])[0], "n") ?? 1
                self.n &+= step
                self.draw(force: false)
                return .none
            }
        case "set_postfix":
            return method(name) { a, ev in
                var items: [(String, Value)] = []
                let s = try Arguments(a.positional).bind("set_postfix", ["ordered_dict", "refresh"])
                if let dict = TqdmBar.given(s[0]), let pairs = ev.mappingItems(dict) {
                    items += try pairs.map { (try ev.str($0.0), $0.1) }
                }
                items += a.keywords.filter { $0.name != "refresh" }.map { ($0.name, $0.value) }
                self.postfix = try items.map { key, value in
                    switch value {
                    case .int, .float, .bool: return "\(key)=" + (try Tqdm.formatNumber(value, ev))
                    case .str(let text): return "\(key)=" + text.trimmingCharacters(in: .whitespaces)
                    default: return "\(key)=" + (try ev.str(value))
                    }
                }.joined(separator: ", ")
                self.draw(force: true)
                return .none
            }
        case "set_postfix_str":
            return method(name) { a, _ in
                self.postfix = try a.bind("set_postfix_str", ["s", "refresh"])[0].map { try $0.asString("s") } ?? ""
                self.draw(force: true)
                return .none
            }
        case "set_description":
            return method(name) { a, _ in
                let d = try a.bind("set_description", ["desc", "refresh"])[0]
                self.desc = try TqdmBar.given(d).map { try $0.asString("desc") } ?? ""
                self.draw(force: true)
                return .none
            }
        case "refresh": return method(name) { _, _ in self.draw(force: true); return .none }
        case "close": return method(name) { _, _ in self.close(); return .none }
        case "__enter__": return method(name) { _, _ in .object(self) }
        case "__exit__": return method(name) { _, _ in self.close(); return .bool(false) }
        default: return nil
        }
    }

    /// The meter line for `ncols` columns (the terminal's when nil).
    private func meter(ncols: Int?) -> String {
        Tqdm.meter(n: n, total: total, elapsed: Date().timeIntervalSince(start), desc: desc, postfix: postfix,
                   unit: unit, ncols: ncols ?? Tqdm.terminalWidth)
    }

    /// Redraws the line (at most every 0.1 s unless `force`), as tqdm's `mininterval`.
    private func draw(force: Bool) {
        guard Tqdm.drawsBars, !disabled, !closed, let interpreter else { return }
        let now = Date()
        if !force, let last = lastDrawn, now.timeIntervalSince(last) < 0.1 { return }
        lastDrawn = now
        interpreter.flushOutput()
        interpreter.errorOutput("\r" + meter(ncols: ncols))
    }

    /// `close()`: the final bar stays (`leave=True`) or is erased.
    func close() {
        guard !closed else { return }
        draw(force: true)
        closed = true
        guard Tqdm.drawsBars, !disabled, let interpreter else { return }
        if leave {
            interpreter.errorOutput("\n")
        } else {
            interpreter.errorOutput("\r" + String(repeating: " ", count: meter(ncols: ncols).count) + "\r")
        }
    }
}
