/// Python's `csv`: `reader`, `writer`, `DictReader`, `DictWriter`, the `QUOTE_*` constants and
/// the `excel`, `excel-tab` and `unix` dialects, with CPython's parsing (quoted fields with
/// doubled quotes and line breaks, a quote inside an unquoted field kept, a blank line as `[]`)
/// and writing (minimal quoting, `\r\n` line ends, floats by repr, None as empty).
enum CsvModule {
    static let quoteMinimal = 0, quoteAll = 1, quoteNonNumeric = 2, quoteNone = 3
    /// `csv.Error` (`_csv.Error`).
    static let error = PyClass(name: "Error", base: ExceptionClasses.exception, moduleName: "_csv")

    /// A writer's `writerow` (what `write` returned) or `writerows`, over `writeRow`; nil for other names.
    static func rowMethod(_ name: String, _ writeRow: @escaping (Value, Evaluator) throws -> Value) -> Value? {
        switch name {
        case "writerow": return method(name) { a, ev in try writeRow(try a.bind(name, ["row"], required: 1)[0] ?? .none, ev) }
        case "writerows":
            return method(name) { a, ev in
                for row in try ev.iterate(try a.bind(name, ["rows"], required: 1)[0] ?? .none) { _ = try writeRow(row, ev) }
                return .none
            }
        default: return nil
        }
    }

    /// A `csv.Error` to throw.
    static func failure(_ message: String) -> Error {
        ScriptError(exception: PyExceptionObject(cls: error, args: [.str(message)]))
    }

    /// A dialect's settings (CPython's names).
    struct Dialect {
        var delimiter: Character = ","
        var quotechar: Character? = "\""
        var escapechar: Character?
        var doublequote = true
        var skipInitialSpace = false
        var lineTerminator = "\r\n"
        var quoting = CsvModule.quoteMinimal

        /// The dialect named or given, then any keyword settings.
        init(_ dialect: Value?, _ keywords: [(name: String, value: Value)], _ ev: Evaluator) throws {
            if let dialect = dialect ?? keywords.first(where: { $0.name == "dialect" })?.value, !dialect.isNone {
                guard case .str(let name) = dialect else { throw PyError(.typeError, "dialect must be a dialect name") }
                switch name {
                case "excel": break
                case "excel-tab": delimiter = "\t"
                case "unix":
                    lineTerminator = "\n"
                    quoting = CsvModule.quoteAll
                default: throw CsvModule.failure("unknown dialect")
                }
            }
            func character(_ v: Value, _ name: String) throws -> Character? {
                if v.isNone { return nil }
                guard case .str(let s) = v, s.count == 1, let c = s.first else {
                    throw PyError(.typeError, "\"\(name)\" must be a 1-character string")
                }
                return c
            }
            for (k, v) in keywords {
                switch k {
                case "delimiter":
                    guard let c = try character(v, k) else { throw PyError(.typeError, "\"delimiter\" must be a 1-character string") }
                    delimiter = c
                case "quotechar": quotechar = try character(v, k)
                case "escapechar": escapechar = try character(v, k)
                case "doublequote": doublequote = try ev.truthy(v)
                case "skipinitialspace": skipInitialSpace = try ev.truthy(v)
                case "lineterminator": lineTerminator = try v.asString(k)
                case "quoting":
                    quoting = try v.asInt(k)
                    guard (0...3).contains(quoting) else { throw PyError(.typeError, "bad \"quoting\" value") }
                case "strict", "dialect": break
                default: throw PyError(.typeError, "'\(k)' is an invalid keyword argument for this function")
                }
            }
        }
    }

    static func module() -> Namespace {
        let m = Namespace("csv")
        for (name, value) in [("QUOTE_MINIMAL", quoteMinimal), ("QUOTE_ALL", quoteAll), ("QUOTE_NONNUMERIC", quoteNonNumeric), ("QUOTE_NONE", quoteNone)] {
            m[name] = .int(value)
        }
        m["Error"] = .object(error)
        m["reader"] = .object(NativeFunction("reader", doc: "reader(lines, dialect='excel', **fmtparams): an iterator of each record's fields.") { a, ev in
            guard let source = a.positional.first else { throw PyError(.typeError, "expected at least 1 argument, got 0") }
            return .object(CSVReader(try ev.iterator(source), try Dialect(a.positional.dropFirst().first, a.keywords, ev)))
        })
        m["writer"] = .object(NativeFunction("writer", doc: "writer(file, dialect='excel', **fmtparams): writerow/writerows onto file.") { a, ev in
            guard let file = a.positional.first else { throw PyError(.typeError, "expected at least 1 argument, got 0") }
            return .object(CSVWriter(try ev.getAttribute(file, "write"), try Dialect(a.positional.dropFirst().first, a.keywords, ev)))
        })
        m["list_dialects"] = .object(NativeFunction("list_dialects", "", doc: "The dialect names.") { _, ev in
            ev.makeList(["excel", "excel-tab", "unix"].map { .str($0) })
        })
        m["DictReader"] = .object(NativeFunction("DictReader", doc: "DictReader(f, fieldnames=None, restkey=None, restval=None, dialect='excel', **fmtparams): records as dicts keyed by the header.") { a, ev in
            let s = try a.bind("DictReader", ["f", "fieldnames", "restkey", "restval", "dialect"], required: 1, positionalLimit: 5, allowExtraKeywords: true)
            let reader = CSVReader(try ev.iterator(s.values[0] ?? .none), try Dialect(s.values[4], s.extra, ev))
            let names = try s.values[1].flatMap { $0.isNone ? nil : try ev.iterate($0) }
            return .object(CSVDictReader(reader, fieldnames: names, restKey: s.values[2] ?? .none, restValue: s.values[3] ?? .none))
        })
        m["DictWriter"] = .object(NativeFunction("DictWriter", doc: "DictWriter(f, fieldnames, restval='', extrasaction='raise', dialect='excel', **fmtparams): writeheader, writerow(dict).") { a, ev in
            let s = try a.bind("DictWriter", ["f", "fieldnames", "restval", "extrasaction", "dialect"], required: 2, positionalLimit: 5, allowExtraKeywords: true)
            let writer = CSVWriter(try ev.getAttribute(s.values[0] ?? .none, "write"), try Dialect(s.values[4], s.extra, ev))
            let action = try (s.values[3] ?? .str("raise")).asString("extrasaction").lowercased()
            guard action == "raise" || action == "ignore" else {
                throw PyError(.valueError, "extrasaction (\(action)) must be 'raise' or 'ignore'")
            }
            return .object(CSVDictWriter(writer, fieldnames: try ev.iterate(s.values[1] ?? .none), restValue: s.values[2] ?? .str(""), raiseOnExtra: action == "raise"))
        })
        return m
    }
}

extension Arguments {
    /// `bind` that also returns the keywords not among `names` (for `**fmtparams`).
    func bind(_ function: String, _ names: [String], required: Int, positionalLimit: Int, allowExtraKeywords: Bool)
        throws -> (values: [Value?], extra: [(name: String, value: Value)]) {
        let known = Arguments(positional, keywords: keywords.filter { names.contains($0.name) })
        let values = try known.bind(function, names, required: required, positionalLimit: positionalLimit)
        return (values, keywords.filter { !names.contains($0.name) })
    }
}

/// `csv.reader(lines)`: each `next` reads as many lines as one record takes.
final class CSVReader: PyIterator {
    private let lines: () throws -> Value?
    let dialect: CsvModule.Dialect
    private(set) var lineNumber = 0

    init(_ lines: @escaping () throws -> Value?, _ dialect: CsvModule.Dialect) {
        self.lines = lines
        self.dialect = dialect
        super.init()
    }

    override var typeName: String { "_csv.reader" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        if name == "line_num" { return .int(lineNumber) }
        return try super.getAttribute(name, ev)
    }

    override func next(_ ev: Evaluator) throws -> Value? {
        guard let record = try nextRecord() else { return nil }
        return ev.makeList(record)
    }

    /// The next record's fields, or nil at the end of the lines.
    func nextRecord() throws -> [Value]? {
        var fields: [Value] = [], field = ""
        var inQuotes = false, quoted = false, atFieldStart = true, escaped = false
        func endField() {
            if dialect.quoting == CsvModule.quoteNonNumeric, !quoted, let d = Double(field.trimmingCharacters(in: .whitespaces)) {
                fields.append(.float(d))
            } else {
                fields.append(.str(field))
            }
            field = ""
            quoted = false
            atFieldStart = true
        }
        while true {
            guard let lineValue = try lines() else {
                if fields.isEmpty && field.isEmpty && !inQuotes && atFieldStart { return nil }
                endField()
                return fields
            }
            guard case .str(let line) = lineValue else {
                throw CsvModule.failure(
                              "iterator should return strings, not \(lineValue.typeName) (the file should be opened in text mode)")
            }
            lineNumber += 1
            if !inQuotes && fields.isEmpty && field.isEmpty && (line == "\n" || line == "\r\n" || line == "\r" || line.isEmpty) {
                return []
            }
            let chars = Array(line)
            var i = 0
            while i < chars.count {
                let c = chars[i]
                if escaped {
                    field.append(c)
                    escaped = false
                } else if inQuotes {
                    if c == dialect.escapechar {
                        escaped = true
                    } else if c == dialect.quotechar {
                        if dialect.doublequote, i + 1 < chars.count, chars[i + 1] == c {
                            field.append(c)
                            i += 1
                        } else {
                            inQuotes = false
                        }
                    } else {
                        field.append(c)
                    }
                } else if c == dialect.delimiter {
                    endField()
                } else if c == dialect.escapechar {
                    escaped = true
                    atFieldStart = false
                } else if c == dialect.quotechar, atFieldStart, dialect.quoting != CsvModule.quoteNone {
                    inQuotes = true
                    quoted = true
                    atFieldStart = false
                } else if c == "\n" || c == "\r\n" || c == "\r" {
                    break
                } else if c == " ", atFieldStart, dialect.skipInitialSpace {
                    // Skipped.
                } else {
                    field.append(c)
                    atFieldStart = false
                }
                i += 1
            }
            if inQuotes { continue }
            endField()
            return fields
        }
    }
}

/// `csv.writer(file)`.
final class CSVWriter: PyObject {
    private let write: Value
    let dialect: CsvModule.Dialect

    init(_ write: Value, _ dialect: CsvModule.Dialect) {
        self.write = write
        self.dialect = dialect
        super.init()
    }

    override var typeName: String { "_csv.writer" }

    /// One row as a line: each field as text, quoted when the dialect asks.
    func line(_ row: [Value], _ ev: Evaluator) throws -> String {
        let special: Set<Character> = Set([dialect.delimiter, "\n", "\r"] + (dialect.quotechar.map { [$0] } ?? []) + Array(dialect.lineTerminator))
        let fields = try row.map { v -> String in
            let text: String
            var numeric = false
            switch v {
            case .none: text = ""
            case .str(let s): text = s
            case .float(let d): text = try ev.repr(.float(d)); numeric = true
            case .int, .bool: text = try ev.str(v); numeric = true
            default: text = try ev.str(v)
            }
            let mustQuote: Bool
            switch dialect.quoting {
            case CsvModule.quoteAll: mustQuote = true
            case CsvModule.quoteNonNumeric: mustQuote = !numeric
            case CsvModule.quoteNone: mustQuote = false
            default: mustQuote = text.contains(where: { special.contains($0) }) || (row.count == 1 && text.isEmpty)
            }
            guard mustQuote, let q = dialect.quotechar else {
                if dialect.quoting == CsvModule.quoteNone, text.contains(where: { special.contains($0) }) {
                    guard let e = dialect.escapechar else {
                        throw CsvModule.failure("need to escape, but no escapechar set")
                    }
                    return String(text.flatMap { special.contains($0) || $0 == e ? [e, $0] : [$0] })
                }
                return text
            }
            let inner = dialect.doublequote ? text.replacingOccurrences(of: String(q), with: String(q) + String(q))
                : String(text.flatMap { $0 == q ? [dialect.escapechar ?? q, $0] : [$0] })
            return String(q) + inner + String(q)
        }
        return fields.joined(separator: String(dialect.delimiter)) + dialect.lineTerminator
    }

    func writeRow(_ row: Value, _ ev: Evaluator) throws -> Value {
        let items: [Value]
        do { items = try ev.iterate(row) } catch {
            throw CsvModule.failure("iterable expected, not \(row.typeName)")
        }
        return try ev.call(write, Arguments([.str(try line(items, ev))]))
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        CsvModule.rowMethod(name) { row, ev in try self.writeRow(row, ev) }
    }
}

/// `csv.DictReader(f)`: records as dicts keyed by the first row (or `fieldnames`); blank lines skipped.
final class CSVDictReader: PyIterator {
    private let reader: CSVReader
    private var fieldnames: [Value]?
    private let restKey: Value, restValue: Value

    init(_ reader: CSVReader, fieldnames: [Value]?, restKey: Value, restValue: Value) {
        self.reader = reader
        self.fieldnames = fieldnames
        self.restKey = restKey
        self.restValue = restValue
        super.init()
    }

    override var typeName: String { "DictReader" }

    private func names() throws -> [Value] {
        if let fieldnames { return fieldnames }
        let first = try reader.nextRecord() ?? []
        fieldnames = first
        return first
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "fieldnames": return ev.makeList(try names())
        case "line_num": return .int(reader.lineNumber)
        default: return try super.getAttribute(name, ev)
        }
    }

    override func next(_ ev: Evaluator) throws -> Value? {
        let keys = try names()
        var row: [Value]
        repeat {
            guard let r = try reader.nextRecord() else { return nil }
            row = r
        } while row.isEmpty
        var pairs = zip(keys, row).map { ($0, $1) }
        if row.count > keys.count { pairs.append((restKey, ev.makeList(Array(row[keys.count...])))) }
        else if keys.count > row.count { pairs += keys[row.count...].map { ($0, restValue) } }
        return ev.makeDict(pairs, ordered: false)
    }
}

/// `csv.DictWriter(f, fieldnames)`.
final class CSVDictWriter: PyObject {
    private let writer: CSVWriter
    private let fieldnames: [Value]
    private let restValue: Value
    private let raiseOnExtra: Bool

    init(_ writer: CSVWriter, fieldnames: [Value], restValue: Value, raiseOnExtra: Bool) {
        self.writer = writer
        self.fieldnames = fieldnames
        self.restValue = restValue
        self.raiseOnExtra = raiseOnExtra
        super.init()
    }

    override var typeName: String { "DictWriter" }

    private func writeRow(_ row: Value, _ ev: Evaluator) throws -> Value {
        guard let items = ev.mappingItems(row) else { throw PyError(.attributeError, "'\(row.typeName)' object has no attribute 'keys'") }
        if raiseOnExtra {
            let extra = try items.map(\.0).filter { k in !(try fieldnames.contains { try valuesEqual($0, k, ev) }) }
            if !extra.isEmpty {
                throw PyError(.valueError, "dict contains fields not in fieldnames: " + (try extra.map { try ev.repr($0) }.joined(separator: ", ")))
            }
        }
        let values = try fieldnames.map { name in try items.first { try valuesEqual($0.0, name, ev) }?.1 ?? restValue }
        return try writer.writeRow(ev.makeList(values), ev)
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "fieldnames": return ev.makeList(fieldnames)
        case "writeheader": return method(name) { _, ev in try self.writer.writeRow(ev.makeList(self.fieldnames), ev) }
        default: return CsvModule.rowMethod(name) { row, ev in try self.writeRow(row, ev) }
        }
    }
}
