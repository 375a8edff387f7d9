/// Python's `pprint`: `pprint`, `pformat`, `pp`, `saferepr`, `PrettyPrinter`, with CPython
/// 3.11's layout: a value whose one-line repr (dicts with sorted keys) fits `width - indent`
/// prints on one line; otherwise dicts, lists, tuples, sets and strings break one item per
/// line (`compact=True` packs list items), nested values indented under their opening
/// bracket. OrderedDict, defaultdict, Counter, deque, dataclasses and other objects print
/// their repr on one line (CPython breaks some of those too).
enum PprintModule {
    /// A `PrettyPrinter`'s settings.
    struct Settings {
        var indent = 1, width = 80
        var depth: Int?
        var compact = false, sortDicts = true

        init() {}

        /// From `indent=1, width=80, depth=None, compact=False, sort_dicts=True` (positional or keyword).
        init(_ values: [Value?], _ ev: Evaluator) throws {
            if let v = values[0], !v.isNone { indent = try v.asInt("indent") }
            if let v = values[1], !v.isNone { width = try v.asInt("width") }
            if let v = values[2], !v.isNone { depth = try v.asInt("depth") }
            if let v = values[3] { compact = try ev.truthy(v) }
            if let v = values[4] { sortDicts = try ev.truthy(v) }
            if indent < 0 { throw PyError(.valueError, "indent must be >= 0") }
            if let depth, depth <= 0 { throw PyError(.valueError, "depth must be > 0") }
            if width <= 0 { throw PyError(.valueError, "width must be != 0") }
        }
    }

    static let settingNames = ["indent", "width", "depth", "compact", "sort_dicts"]

    static func module() -> Namespace {
        let m = Namespace("pprint")
        func printer(_ name: String, sortDicts: Bool) {
            m[name] = .object(NativeFunction(name, "object, stream=None, indent=1, width=80, depth=None, *, compact=False, sort_dicts=\(sortDicts ? "True" : "False"), underscore_numbers=False",
                                             doc: "Prints object's pretty repr to stream (stdout).") { b, ev in
                let s = try Settings([b[2], b[3], b[4], b[5], b[6]], ev)
                try write(try PrettyPrinter(s, ev).format(b[0]) + "\n", to: b[1], ev)
                return .none
            })
        }
        printer("pprint", sortDicts: true)
        printer("pp", sortDicts: false)
        m["pformat"] = .object(NativeFunction("pformat", "object, indent=1, width=80, depth=None, *, compact=False, sort_dicts=True, underscore_numbers=False",
                                              doc: "The pretty repr of object, as text.") { b, ev in
            .str(try PrettyPrinter(try Settings([b[1], b[2], b[3], b[4], b[5]], ev), ev).format(b[0]))
        })
        m["saferepr"] = .object(NativeFunction("saferepr", "object", doc: "The repr pprint starts from (dicts with sorted keys).") { b, ev in
            .str(try PrettyPrinter(Settings(), ev).oneLine(b[0], level: 0))
        })
        let printerType = HostType("PrettyPrinter", signature: Signature("indent=1, width=80, depth=None, stream=None, *, compact=False, sort_dicts=True, underscore_numbers=False"),
                                   doc: "A printer with settings: pprint(object), pformat(object).", check: {
            if case .object(let o) = $0 { return o is PrettyPrinter }
            return false
        }, construct: { a, ev in
            let s = try a.bind("PrettyPrinter", ["indent", "width", "depth", "stream", "compact", "sort_dicts", "underscore_numbers"], positionalLimit: 4)
            let printer = try PrettyPrinter(try Settings([s[0], s[1], s[2], s[4], s[5]], ev), ev)
            printer.stream = s[3]
            return .object(printer)
        })
        printerType.module = "pprint"
        m["PrettyPrinter"] = .object(printerType)
        return m
    }

    static func write(_ text: String, to stream: Value?, _ ev: Evaluator) throws {
        if let stream, !stream.isNone { _ = try ev.call(try ev.getAttribute(stream, "write"), Arguments([.str(text)])) }
        else { ev.write(text) }
    }
}

/// `pprint.PrettyPrinter`: CPython's `_format` and its `_pprint_*` helpers.
final class PrettyPrinter: PyObject {
    let settings: PprintModule.Settings
    var stream: Value?
    private let ev: Evaluator
    /// Containers being formatted (recursion shows as `<Recursion on list with id=…>`).
    private var active: Set<ObjectIdentifier> = []

    init(_ settings: PprintModule.Settings, _ ev: Evaluator) throws {
        self.settings = settings
        self.ev = ev
        super.init()
    }

    override var typeName: String { "PrettyPrinter" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "pformat": return method(name) { a, _ in .str(try self.format(try a.bind("pformat", ["object"], required: 1)[0] ?? .none)) }
        case "pprint":
            return method(name) { a, ev in
                try PprintModule.write(try self.format(try a.bind("pprint", ["object"], required: 1)[0] ?? .none) + "\n", to: self.stream, ev)
                return .none
            }
        default: return nil
        }
    }

    func format(_ v: Value) throws -> String {
        var out = ""
        try format(v, &out, indent: 0, allowance: 0, level: 0)
        return out
    }

    /// The containers pprint lays out itself (exact built-in types, as CPython dispatches on `__repr__`).
    private enum Shape { case dict(PyDict), list([Value]), tuple([Value]), set(PySet), str(String) }

    private func shape(_ v: Value) -> Shape? {
        switch v {
        case .str(let s): return .str(s)
        case .object(let o):
            if let d = o as? PyDict, case .plain = d.flavor { return .dict(d) }
            if let l = o as? PyList { return .list(l.items) }
            if let t = o as? PyTuple { return .tuple(t.items) }
            if let s = o as? PySet { return .set(s) }
            return nil
        default: return nil
        }
    }

    /// Dict items, sorted by key when `sort_dicts` (CPython's `_safe_key`: by value, falling
    /// back to the type name when keys do not compare).
    private func items(_ d: PyDict) throws -> [(Value, Value)] {
        guard settings.sortDicts else { return d.items }
        return try safeSorted(d.items, key: { $0.0 })
    }

    private func safeSorted<T>(_ xs: [T], key: (T) -> Value) throws -> [T] {
        let interp = try Interpreter.of(ev)
        do { return try xs.sorted { try interp.ordered(.lt, key($0), key($1)) } } catch {
            return xs.enumerated().sorted { a, b in
                let ta = key(a.element).typeName, tb = key(b.element).typeName
                return ta != tb ? ta < tb : a.offset < b.offset
            }.map(\.element)
        }
    }

    /// CPython's `_safe_repr`: a repr with dicts' keys sorted and nesting cut at `depth` (`...`).
    func oneLine(_ v: Value, level: Int) throws -> String {
        guard case .object(let o) = v, let sh = shape(v) else { return try ev.repr(v) }
        // Nested containers recurse in Swift: deep ones are a RecursionError, as repr's are.
        return try recursionGuarded(ev, " while getting the repr of an object") { try nestedLine(v, o, sh, level: level) }
    }

    private func nestedLine(_ v: Value, _ o: PyObject, _ sh: Shape, level: Int) throws -> String {
        let id = ObjectIdentifier(o)
        func nested(_ open: String, _ close: String, _ parts: () throws -> [String]) throws -> String {
            if let depth = settings.depth, level >= depth { return open + "..." + close }
            if active.contains(id) { return "<Recursion on \(v.typeName) with id=\(addressValue(o))>" }
            active.insert(id)
            defer { active.remove(id) }
            return open + (try parts()).joined(separator: ", ") + close
        }
        switch sh {
        case .dict(let d):
            if d.items.isEmpty { return "{}" }
            return try nested("{", "}") { try items(d).map { "\(try oneLine($0.0, level: level + 1)): \(try oneLine($0.1, level: level + 1))" } }
        case .list(let xs):
            if xs.isEmpty { return "[]" }
            return try nested("[", "]") { try xs.map { try oneLine($0, level: level + 1) } }
        case .tuple(let xs):
            if xs.isEmpty { return "()" }
            if xs.count == 1 { return try nested("(", ",)") { [try oneLine(xs[0], level: level + 1)] } }
            return try nested("(", ")") { try xs.map { try oneLine($0, level: level + 1) } }
        case .set, .str: return try ev.repr(v)
        }
    }

    /// `id(o)`.
    private func addressValue(_ o: PyObject) -> String {
        String(Int(bitPattern: UInt(bitPattern: ObjectIdentifier(o))))
    }

    /// CPython's `_format`: one line when it fits, else the container's own layout.
    private func format(_ v: Value, _ out: inout String, indent: Int, allowance: Int, level: Int) throws {
        try recursionGuarded(ev, " while getting the repr of an object") {
            try layOut(v, &out, indent: indent, allowance: allowance, level: level)
        }
    }

    private func layOut(_ v: Value, _ out: inout String, indent: Int, allowance: Int, level: Int) throws {
        let rep = try oneLine(v, level: level)
        guard rep.count > settings.width - indent - allowance, let sh = shape(v), !rep.hasPrefix("<Recursion"),
              settings.depth.map({ level < $0 }) ?? true else {
            out += rep
            return
        }
        if case .str(let text) = sh {
            formatString(text, &out, indent: indent, allowance: allowance, level: level)
            return
        }
        guard case .object(let o) = v else { out += rep; return }
        let id = ObjectIdentifier(o)
        active.insert(id)
        defer { active.remove(id) }
        switch sh {
        case .dict(let d):
            out += "{"
            if settings.indent > 1 { out += String(repeating: " ", count: settings.indent - 1) }
            let entries = try items(d)
            let inner = indent + settings.indent
            for (i, (k, value)) in entries.enumerated() {
                let last = i == entries.count - 1
                let key = try oneLine(k, level: level + 1)
                out += key + ": "
                try format(value, &out, indent: inner + key.count + 2, allowance: last ? allowance + 1 : 1, level: level + 1)
                if !last { out += ",\n" + String(repeating: " ", count: inner) }
            }
            out += "}"
        case .list(let xs):
            out += "["
            try formatItems(xs, &out, indent: indent, allowance: allowance + 1, level: level)
            out += "]"
        case .tuple(let xs):
            out += "("
            let end = xs.count == 1 ? ",)" : ")"
            try formatItems(xs, &out, indent: indent, allowance: allowance + end.count, level: level)
            out += end
        case .set(let s):
            let frozen = s.frozen
            out += frozen ? "frozenset({" : "{"
            let end = frozen ? "})" : "}"
            let sorted = try safeSorted(s.items, key: { $0 })
            try formatItems(sorted, &out, indent: indent + (frozen ? "frozenset".count + 1 : 0), allowance: allowance + end.count, level: level)
            out += end
        case .str: break
        }
    }

    /// CPython's `_format_items`: one item per line, or packed when `compact`.
    private func formatItems(_ xs: [Value], _ out: inout String, indent start: Int, allowance: Int, level: Int) throws {
        let indent = start + settings.indent
        if settings.indent > 1 { out += String(repeating: " ", count: settings.indent - 1) }
        let newline = ",\n" + String(repeating: " ", count: indent)
        var delimiter = ""
        var width = settings.width - indent + 1, maxWidth = width
        for (i, x) in xs.enumerated() {
            let last = i == xs.count - 1
            if last {
                maxWidth -= allowance
                width -= allowance
            }
            if settings.compact {
                let rep = try oneLine(x, level: level + 1)
                let w = rep.count + 2
                if width < w {
                    width = maxWidth
                    if !delimiter.isEmpty { delimiter = newline }
                }
                if width >= w {
                    width -= w
                    out += delimiter + rep
                    delimiter = ", "
                    continue
                }
            }
            out += delimiter
            delimiter = newline
            try format(x, &out, indent: indent, allowance: last ? allowance : 1, level: level + 1)
        }
    }

    /// CPython's `_pprint_str`: a long string as adjacent literals split after whitespace,
    /// in parentheses at the top level.
    private func formatString(_ text: String, _ out: inout String, indent start: Int, allowance start2: Int, level: Int) {
        var indent = start, allowance = start2
        let repr: (String) -> String = { (try? self.ev.repr(.str($0))) ?? $0 }
        let lines = TextwrapModule.splitLinesKeepingEnds(text)
        if level == 0 {
            indent += 1
            allowance += 1
        }
        let maxWidth = settings.width - indent
        var maxWidth1 = maxWidth
        var chunks: [String] = []
        for (i, line) in lines.enumerated() {
            let rep = repr(line)
            if i == lines.count - 1 { maxWidth1 -= allowance }
            if rep.count <= maxWidth1 {
                chunks.append(rep)
                continue
            }
            // `re.findall(r'\S*\s*', line)` without its final empty match.
            var parts: [String] = [], current = "", inSpace = false
            for ch in line {
                if !ch.isWhitespace && inSpace {
                    parts.append(current)
                    current = ""
                    inSpace = false
                }
                if ch.isWhitespace { inSpace = true }
                current.append(ch)
            }
            if !current.isEmpty { parts.append(current) }
            var maxWidth2 = maxWidth
            current = ""
            for (j, part) in parts.enumerated() {
                let candidate = current + part
                if j == parts.count - 1 && i == lines.count - 1 { maxWidth2 -= allowance }
                if repr(candidate).count > maxWidth2 {
                    if !current.isEmpty { chunks.append(repr(current)) }
                    current = part
                } else {
                    current = candidate
                }
            }
            if !current.isEmpty { chunks.append(repr(current)) }
        }
        if chunks.count <= 1 {
            out += repr(text)
            return
        }
        if level == 0 { out += "(" }
        out += chunks.joined(separator: "\n" + String(repeating: " ", count: indent))
        if level == 0 { out += ")" }
    }
}
