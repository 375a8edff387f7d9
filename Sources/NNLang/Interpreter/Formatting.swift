import Foundation
import TensorRuntime

/// A parsed format spec: `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`.
struct FormatSpec {
    var fill: Character = " "
    var align: Character?
    var sign: Character = "-"
    var noNegativeZero = false
    var alternate = false
    var width = 0
    var grouping: Character?
    var precision: Int?
    var type: Character?

    init(_ spec: String) throws {
        let c = Array(spec)
        var i = 0
        func isAlign(_ ch: Character) -> Bool { "<>=^".contains(ch) }
        if c.count >= 2 && isAlign(c[1]) {
            fill = c[0]; align = c[1]; i = 2
        } else if c.count >= 1 && isAlign(c[0]) {
            align = c[0]; i = 1
        }
        if i < c.count && "+- ".contains(c[i]) { sign = c[i]; i += 1 }
        if i < c.count && c[i] == "z" { noNegativeZero = true; i += 1 }
        if i < c.count && c[i] == "#" { alternate = true; i += 1 }
        if i < c.count && c[i] == "0" {
            if align == nil { fill = "0"; align = "=" }
            i += 1
        }
        var w = 0
        while i < c.count, let d = c[i].wholeNumberValue, c[i].isASCII { w = w * 10 + d; i += 1; if w > 100_000 { break } }
        width = w
        if i < c.count && (c[i] == "," || c[i] == "_") { grouping = c[i]; i += 1 }
        if i < c.count && c[i] == "." {
            i += 1
            var p = 0, digits = 0
            while i < c.count, let d = c[i].wholeNumberValue, c[i].isASCII { p = p * 10 + d; i += 1; digits += 1; if p > 10_000 { break } }
            if digits == 0 { throw PyError(.valueError, "Format specifier missing precision") }
            precision = p
        }
        if i < c.count { type = c[i]; i += 1 }
        if i < c.count { throw PyError(.valueError, "Invalid format specifier '\(spec)'") }
    }
}

/// Pads `s` to `width` with `fill` per `align` (`<`, `>`, `^`).
func alignText(_ s: String, width: Int, align: Character, fill: Character) -> String {
    let n = s.codePointCount
    guard width > n else { return s }
    let padding = width - n
    switch align {
    case "<": return s + String(repeating: fill, count: padding)
    case "^":
        let left = padding / 2
        return String(repeating: fill, count: left) + s + String(repeating: fill, count: padding - left)
    default: return String(repeating: fill, count: padding) + s
    }
}

/// Inserts `separator` every `every` digits from the right of a digit string.
private func group(_ digits: String, _ separator: Character, every: Int = 3) -> String {
    var out: [Character] = []
    for (n, ch) in digits.reversed().enumerated() {
        if n > 0 && n % every == 0 { out.append(separator) }
        out.append(ch)
    }
    return String(out.reversed())
}

extension Interpreter {
    /// `FormatSpec(text)`, parsed once per distinct spec (`formatSpecs`): an f-string in a loop
    /// (`f"{loss:.4f}"`) formats with the same few specs over and over.
    func formatSpec(_ text: String) throws -> FormatSpec {
        // The last specs used, compared by text (a loop uses a few; a SipHash-keyed dict cost
        // more than parsing once did to save).
        for (known, spec) in formatSpecs where known == text { return spec }
        let spec = try FormatSpec(text)
        if formatSpecs.count >= 16 { formatSpecs.removeFirst() }
        formatSpecs.append((text, spec))
        return spec
    }

    /// `format(v, spec)`.
    public func format(_ v: Value, spec: String) throws -> String {
        switch v {
        case .str(let s): return try formatString(s, spec)
        case .int(let i): return try formatInt(i, spec)
        case .bool(let b): return spec.isEmpty ? (b ? "True" : "False") : try formatInt(b ? 1 : 0, spec)
        case .float(let d): return try formatFloat(d, spec)
        case .tensor(let t): return try host.tensorFormat(t, spec: spec, self)
        default:
            if let cls = classOf(v), let fn = cls.lookup("__format__") {
                return try dunderString(try callValue(fn, Arguments([v, .str(spec)])), "__format__")
            }
            if spec.isEmpty { return try str(v) }
            if case .object(let o) = v, let d = o as? DerivedValueInstance { return try format(d.native, spec: spec) }
            throw PyError(.typeError, "unsupported format string passed to \(v.typeName).__format__")
        }
    }

    func formatString(_ s: String, _ specText: String) throws -> String {
        if specText.isEmpty { return s }
        let spec = try formatSpec(specText)
        if let t = spec.type, t != "s" { throw PyError(.valueError, "Unknown format code '\(t)' for object of type 'str'") }
        if spec.align == "=" { throw PyError(.valueError, "'=' alignment not allowed in string format specifier") }
        if spec.sign != "-" { throw PyError(.valueError, "Sign not allowed in string format specifier") }
        var text = s
        if let p = spec.precision { text = String(text.unicodeScalars.prefix(p)) }
        return alignText(text, width: spec.width, align: spec.align ?? "<", fill: spec.fill)
    }

    func formatInt(_ i: Int, _ specText: String) throws -> String {
        if specText.isEmpty { return decimalString(i) }
        let spec = try formatSpec(specText)
        switch spec.type {
        case "e"?, "E"?, "f"?, "F"?, "g"?, "G"?, "%"?: return try formatFloat(Double(i), specText)
        default: break
        }
        if spec.precision != nil { throw PyError(.valueError, "Precision not allowed in integer format specifier") }
        var digits: String
        var prefix = ""
        let magnitude = i.magnitude
        switch spec.type {
        case nil, "d"?, "n"?: digits = i == Int.min ? String(magnitude) : decimalString(Int(magnitude))
        case "b"?: digits = String(magnitude, radix: 2); prefix = spec.alternate ? "0b" : ""
        case "o"?: digits = String(magnitude, radix: 8); prefix = spec.alternate ? "0o" : ""
        case "x"?: digits = String(magnitude, radix: 16); prefix = spec.alternate ? "0x" : ""
        case "X"?: digits = String(magnitude, radix: 16).uppercased(); prefix = spec.alternate ? "0X" : ""
        case "c"?:
            guard let u = Unicode.Scalar(UInt32(clamping: max(0, i))) else { throw PyError(.overflowError, "%c arg not in range(0x110000)") }
            return alignText(String(Character(u)), width: spec.width, align: spec.align ?? "<", fill: spec.fill)
        case let t?: throw PyError(.valueError, "Unknown format code '\(t)' for object of type 'int'")
        }
        if let g = spec.grouping {
            let every = (spec.type == nil || spec.type == "d" || spec.type == "n") ? 3 : 4
            digits = group(digits, g, every: every)
        }
        return pad(number: digits, negative: i < 0, prefix: prefix, spec)
    }

    func formatFloat(_ d: Double, _ specText: String) throws -> String {
        if specText.isEmpty { return TensorRuntime.pythonFloatRepr(d) }
        let spec = try formatSpec(specText)
        var x = d
        if spec.noNegativeZero && x == 0 { x = 0 }
        let negative = x.sign == .minus && !x.isNaN
        let a = Swift.abs(x)
        var body: String
        var suffix = ""
        switch spec.type {
        case nil:
            if let p = spec.precision {
                body = general(a, precision: max(p, 1), alternate: spec.alternate, noType: true)
            } else {
                body = TensorRuntime.pythonFloatRepr(a)
            }
        case "f"?, "F"?: body = formatFixed(a, precision: spec.precision ?? 6)
        case "e"?, "E"?: body = formatScientific(a, precision: spec.precision ?? 6)
        case "g"?, "G"?, "n"?: body = general(a, precision: max(spec.precision ?? 6, 1), alternate: spec.alternate, noType: false)
        case "%"?:
            body = formatFixed(a * 100, precision: spec.precision ?? 6)
            suffix = "%"
        case let t?: throw PyError(.valueError, "Unknown format code '\(t)' for object of type 'float'")
        }
        if spec.type == "E" || spec.type == "F" || spec.type == "G" { body = body.uppercased() }
        if let g = spec.grouping, a.isFinite {
            let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            var intPart = String(parts[0])
            var rest = parts.count > 1 ? "." + parts[1] : ""
            if let e = intPart.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                rest = String(intPart[e...]) + rest
                intPart = String(intPart[..<e])
            }
            body = group(intPart, g) + rest
        }
        return pad(number: body + suffix, negative: negative, prefix: "", spec)
    }

    /// Python's `g` presentation (and the no-type presentation with a precision).
    private func general(_ a: Double, precision p: Int, alternate: Bool, noType: Bool) -> String {
        guard a.isFinite else { return a.isNaN ? "nan" : "inf" }
        let sci = formatScientific(a, precision: p - 1)
        var exp = 0
        if let e = sci.firstIndex(of: "e") { exp = Int(sci[sci.index(after: e)...]) ?? 0 }
        var out: String
        if exp >= -4 && exp < (noType ? p - 1 : p) {
            out = formatFixed(a, precision: max(p - 1 - exp, 0))
            if !alternate, out.contains(".") {
                while out.hasSuffix("0") { out.removeLast() }
                if out.hasSuffix(".") { out.removeLast() }
            }
            if noType && !out.contains(".") { out += ".0" }
        } else {
            var mantissa = String(sci.prefix { $0 != "e" })
            let exponent = String(sci.drop { $0 != "e" })
            if !alternate, mantissa.contains(".") {
                while mantissa.hasSuffix("0") { mantissa.removeLast() }
                if mantissa.hasSuffix(".") { mantissa.removeLast() }
            }
            out = mantissa + exponent
        }
        return out
    }

    /// Applies sign, prefix, width, fill and alignment to a formatted number.
    private func pad(number: String, negative: Bool, prefix: String, _ spec: FormatSpec) -> String {
        let signText: String
        if negative { signText = "-" } else if spec.sign == "+" { signText = "+" } else if spec.sign == " " { signText = " " } else { signText = "" }
        let align = spec.align ?? ">"
        if align == "=" {
            let head = signText + prefix
            let available = spec.width - head.count
            var digits = number
            if available > digits.count {
                if spec.fill == "0", let g = spec.grouping, !number.contains("e") {
                    // Zero padding extends the grouping, as Python does: `{:010,}`.
                    var plain = number.filter { $0 != g }
                    let fracIndex = plain.firstIndex(where: { !$0.isNumber })
                    let frac = fracIndex.map { String(plain[$0...]) } ?? ""
                    plain = fracIndex.map { String(plain[..<$0]) } ?? plain
                    var grouped = group(plain, g)
                    while grouped.count + frac.count < available {
                        plain = "0" + plain
                        grouped = group(plain, g)
                    }
                    digits = grouped + frac
                } else {
                    digits = String(repeating: spec.fill, count: available - digits.count) + digits
                }
            }
            return head + digits
        }
        let text = signText.isEmpty && prefix.isEmpty ? number : signText + prefix + number
        return alignText(text, width: spec.width, align: align, fill: spec.fill)
    }

    // MARK: - str.format

    /// `template.format(*args, **kwargs)`.
    func strFormat(_ template: String, _ args: Arguments) throws -> String {
        var autoIndex = 0
        return try expandFormat(Array(template), args, &autoIndex, depth: 0)
    }

    private func expandFormat(_ chars: [Character], _ args: Arguments, _ autoIndex: inout Int, depth: Int) throws -> String {
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "{" {
                if i + 1 < chars.count && chars[i + 1] == "{" { out.append("{"); i += 2; continue }
                var level = 1
                var j = i + 1
                while j < chars.count {
                    if chars[j] == "{" { level += 1 } else if chars[j] == "}" { level -= 1; if level == 0 { break } }
                    j += 1
                }
                guard j < chars.count else { throw PyError(.valueError, "Single '{' encountered in format string") }
                out += try formatField(Array(chars[(i + 1)..<j]), args, &autoIndex, depth: depth)
                i = j + 1
            } else if c == "}" {
                guard i + 1 < chars.count && chars[i + 1] == "}" else {
                    throw PyError(.valueError, "Single '}' encountered in format string")
                }
                out.append("}")
                i += 2
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    private func formatField(_ field: [Character], _ args: Arguments, _ autoIndex: inout Int, depth: Int) throws -> String {
        guard depth < 2 else { throw PyError(.valueError, "Max string recursion exceeded") }
        var name: [Character] = []
        var conversion: Character?
        var spec: [Character] = []
        var i = 0
        var bracket = false
        while i < field.count {
            let c = field[i]
            if c == "[" { bracket = true } else if c == "]" { bracket = false }
            if !bracket && (c == "!" || c == ":") { break }
            name.append(c)
            i += 1
        }
        if i < field.count && field[i] == "!" {
            guard i + 1 < field.count else { throw PyError(.valueError, "end of string while looking for conversion specifier") }
            conversion = field[i + 1]
            i += 2
        }
        if i < field.count && field[i] == ":" { spec = Array(field[(i + 1)...]) }
        // The first component: auto number, index or keyword.
        var k = 0
        var first = ""
        while k < name.count && name[k] != "." && name[k] != "[" { first.append(name[k]); k += 1 }
        var value: Value
        if first.isEmpty {
            guard autoIndex < args.positional.count else {
                throw PyError(.indexError, "Replacement index \(autoIndex) out of range for positional args tuple")
            }
            value = args.positional[autoIndex]
            autoIndex += 1
        } else if let n = Int(first) {
            guard n < args.positional.count else {
                throw PyError(.indexError, "Replacement index \(n) out of range for positional args tuple")
            }
            value = args.positional[n]
        } else {
            guard let kw = args.keywords.first(where: { $0.name == first }) else { throw PyError(.keyError, args: [.str(first)]) }
            value = kw.value
        }
        while k < name.count {
            if name[k] == "." {
                k += 1
                var attr = ""
                while k < name.count && name[k] != "." && name[k] != "[" { attr.append(name[k]); k += 1 }
                value = try getAttribute(value, attr)
            } else if name[k] == "[" {
                k += 1
                var key = ""
                while k < name.count && name[k] != "]" { key.append(name[k]); k += 1 }
                k += 1
                value = try getItem(value, Int(key).map { .int($0) } ?? .str(key))
            } else {
                k += 1
            }
        }
        switch conversion {
        case "r"?: value = .str(try repr(value))
        case "s"?: value = .str(try str(value))
        case "a"?: value = .str(asciiRepr(try repr(value)))
        case nil: break
        case let c?: throw PyError(.valueError, "Unknown conversion specifier \(c)")
        }
        let specText = try expandFormat(spec, args, &autoIndex, depth: depth + 1)
        return try format(value, spec: specText)
    }

    // MARK: - printf-style
}

/// `str(i)`: the decimal digits of `i`. Below 10^14 (15 characters with a sign) they are written into a
/// small string's words (`SmallStrings`); longer ones into a stack buffer. (`String(i)`'s
/// generic path costs several times as much, and `str(i)` is common in loops.)
func decimalString(_ i: Int) -> String {
    let negative = i < 0
    var n = i.magnitude
    if n < 100_000_000_000_000, SmallStrings.layoutHolds {
        // Digits from the last: each shifts the ones before it one byte up.
        var low: UInt64 = 0, high: UInt64 = 0
        var count = 0
        repeat {
            high = (high << 8) | (low >> 56)
            low = (low << 8) | UInt64(48 &+ n % 10)
            n /= 10
            count &+= 1
        } while n > 0
        if negative {
            high = (high << 8) | (low >> 56)
            low = (low << 8) | 45
            count &+= 1
        }
        return SmallStrings.ascii(low: low, high: high, count: count)
    }
    // Int.min has 19 digits and a sign.
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
        var k = 20
        repeat {
            k &-= 1
            buffer[k] = UInt8(truncatingIfNeeded: n % 10) &+ 48
            n /= 10
        } while n > 0
        if negative {
            k &-= 1
            buffer[k] = 45
        }
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[k...]), as: UTF8.self)
    }
}
