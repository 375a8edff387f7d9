// `template % values`: printf-style formatting. A template is parsed once into pieces
// (`PercentTemplate`, cached per distinct text in `Interpreter.percentTemplates`), so a loop
// formatting `"w%d" % i` does not walk the template's characters on every call.

/// A `%` template split into literal runs and conversions.
struct PercentTemplate {
    enum Piece {
        case literal(String)
        case conversion(PercentConversion)
        /// A malformed conversion: raised when formatting reaches it, after the pieces before
        /// it have taken their arguments (Python reports the first problem from the left).
        case malformed(PyError)
    }

    let pieces: [Piece]

    init(_ template: String) {
        let chars = Array(template)
        var pieces: [Piece] = []
        var literal = ""
        var i = 0
        func flush() {
            if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
        }
        parsing: while i < chars.count {
            guard chars[i] == "%" else { literal.append(chars[i]); i += 1; continue }
            i += 1
            guard i < chars.count else { flush(); pieces.append(.malformed(PyError(.valueError, "incomplete format"))); break }
            var c = PercentConversion()
            if chars[i] == "(" {
                var j = i + 1
                var k = ""
                while j < chars.count && chars[j] != ")" { k.append(chars[j]); j += 1 }
                guard j < chars.count else {
                    flush(); pieces.append(.malformed(PyError(.valueError, "incomplete format key"))); break parsing
                }
                c.key = k
                i = j + 1
            }
            while i < chars.count && "-+ 0#".contains(chars[i]) { c.flags.append(chars[i]); i += 1 }
            if i < chars.count && chars[i] == "*" { c.widthFromArgument = true; i += 1 }
            while i < chars.count && chars[i].isNumber { c.width.append(chars[i]); i += 1 }
            if i < chars.count && chars[i] == "." {
                i += 1
                var p = ""
                if i < chars.count && chars[i] == "*" { c.precisionFromArgument = true; i += 1 }
                while i < chars.count && chars[i].isNumber { p.append(chars[i]); i += 1 }
                c.precision = p
            }
            guard i < chars.count else { flush(); pieces.append(.malformed(PyError(.valueError, "incomplete format"))); break }
            c.type = chars[i]
            c.index = i
            i += 1
            if c.type == "%" { literal.append("%"); continue }
            flush()
            pieces.append(.conversion(c))
        }
        flush()
        self.pieces = pieces
    }
}

/// One `%[(key)][flags][width][.precision]type` conversion.
struct PercentConversion {
    var key: String?
    var flags = ""
    var widthFromArgument = false
    var width = ""
    var precisionFromArgument = false
    /// nil: no `.`; "" after a bare `.` (precision 0).
    var precision: String?
    var type: Character = "s"
    /// The type character's index in the template (for the unsupported-character message).
    var index = 0

    /// A bare `%d` or `%s`: formatted without building a spec.
    var isPlain: Bool { flags.isEmpty && width.isEmpty && !widthFromArgument && precision == nil && key == nil }
}

extension Interpreter {
    /// `template % values`.
    func percentFormat(_ template: String, _ values: Value) throws -> String {
        let parsed: PercentTemplate
        if let cached = percentTemplates[template] {
            parsed = cached
        } else {
            parsed = PercentTemplate(template)
            if percentTemplates.count >= 256 { percentTemplates.removeAll(keepingCapacity: true) }
            percentTemplates[template] = parsed
        }
        var items: [Value]
        var mapping: PyDict?
        if case .object(let o) = values, let t = o as? PyTuple { items = t.items } else { items = [values] }
        if case .object(let o) = values, let d = o as? PyDict { mapping = d }
        var next = 0
        func take() throws -> Value {
            guard next < items.count else { throw PyError(.typeError, "not enough arguments for format string") }
            next += 1
            return items[next - 1]
        }
        var out = ""
        var usedMapping = false
        for piece in parsed.pieces {
            switch piece {
            case .literal(let s): out += s
            case .malformed(let e): throw e
            case .conversion(let c):
                var width = c.width
                if c.widthFromArgument { width = String(try take().asInt()) + width }
                var precision = c.precision
                if c.precisionFromArgument { precision = String(try take().asInt()) + (precision ?? "") }
                if let p = precision, p.isEmpty { precision = "0" }
                let value: Value
                if let key = c.key {
                    guard let m = mapping else { throw PyError(.typeError, "format requires a mapping") }
                    usedMapping = true
                    guard let v = try m.get(.str(key)) else { throw PyError(.keyError, args: [.str(key)]) }
                    value = v
                } else {
                    value = try take()
                }
                if c.isPlain {
                    if c.type == "d" || c.type == "i", case .int(let n) = value { out += decimalString(n); continue }
                    if c.type == "s" { out += try str(value); continue }
                }
                out += try convert(c, value, width: width, precision: precision)
            }
        }
        if !usedMapping && mapping == nil && next < items.count {
            throw PyError(.typeError, "not all arguments converted during string formatting")
        }
        return out
    }

    /// One conversion of `value` with the width and precision already resolved.
    private func convert(_ c: PercentConversion, _ value: Value, width: String, precision: String?) throws -> String {
        var width = width
        let flags = c.flags, type = c.type
        var spec = ""
        if flags.contains("-") { spec += "<" } else if flags.contains("0") && type != "s" && type != "r" { spec += "0=" }
        if flags.contains("+") { spec += "+" } else if flags.contains(" ") { spec += " " }
        if flags.contains("#") { spec += "#" }
        if let w = Int(width), w < 0 { spec = "<" + spec; width = String(-w) }
        spec += width
        switch type {
        case "s", "r", "a":
            let text = type == "s" ? try str(value) : (type == "r" ? try repr(value) : asciiRepr(try repr(value)))
            return try formatString(text, (flags.contains("-") ? "<" : ">") + width + (precision.map { "." + $0 } ?? ""))
        case "d", "i", "u":
            let n: Int
            switch value {
            case .float(let d):
                guard !d.isNaN else { throw PyError(.valueError, "cannot convert float NaN to integer") }
                guard d.isFinite else { throw PyError(.overflowError, "cannot convert float infinity to integer") }
                guard let i = Int(exactly: d.rounded(.towardZero)) else {
                    throw PyError(.overflowError, "int too large for nnrepl (64-bit ints)")
                }
                n = i
            default:
                guard value.isNumber || { if case .tensor = value { return true } else { return false } }() else {
                    throw PyError(.typeError, "%\(type) format: a real number is required, not \(value.typeName)")
                }
                n = try value.asInt()
            }
            return try formatInt(n, spec + "d")
        case "x", "X", "o":
            return try formatInt(try value.asInt(), spec + String(type))
        case "c":
            if case .str(let s) = value { return s }
            return try formatInt(try value.asInt(), "c")
        case "f", "F", "e", "E", "g", "G":
            guard let d = value.numericValue ?? (try? value.asDouble()) else {
                throw PyError(.typeError, "must be real number, not \(value.typeName)")
            }
            return try formatFloat(d, spec + "." + (precision ?? "6") + String(type))
        default:
            throw PyError(.valueError, "unsupported format character '\(type)' (0x\(String(type.unicodeScalars.first?.value ?? 0, radix: 16))) at index \(c.index)")
        }
    }
}
