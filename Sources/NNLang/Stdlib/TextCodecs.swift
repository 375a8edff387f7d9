/// `str.encode` and `bytes.decode` for UTF-8, ASCII and Latin-1, with the `strict`, `ignore`
/// and `replace` error handlers and CPython's UnicodeDecodeError/UnicodeEncodeError texts.
enum TextCodecs {
    private enum Codec { case utf8, ascii, latin1 }

    /// The codec of an encoding name as CPython normalises it (`UTF8`, `utf_8`, `latin-1` …).
    private static func codec(_ name: String) throws -> (Codec, String) {
        switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "utf-8", "utf8", "u8", "utf": return (.utf8, "utf-8")
        case "ascii", "us-ascii", "646": return (.ascii, "ascii")
        case "latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1", "cp819": return (.latin1, "latin-1")
        default: throw PyError(.lookupError, "unknown encoding: \(name)")
        }
    }

    /// Whether the error handler replaces (true) or drops (false) what fails; strict raises
    /// `failure`. Looked up only when something fails, as CPython does.
    private static func replaces(_ errors: String, _ failure: () -> PyError) throws -> Bool {
        switch errors {
        case "strict": throw failure()
        case "replace": return true
        case "ignore": return false
        default: throw PyError(.lookupError, "unknown error handler name '\(errors)'")
        }
    }

    /// `data.decode(encoding, errors)`.
    static func decode(_ data: [UInt8], encoding: String, errors: String) throws -> String {
        let (codec, name) = try codec(encoding)
        var out = String.UnicodeScalarView()
        var i = 0
        func fail(_ end: Int, _ reason: String) throws {
            let replace = try replaces(errors) {
                let what = end - i == 1 ? "byte 0x\(PyBytes.hexDigits(data[i])) in position \(i)"
                    : "bytes in position \(i)-\(end - 1)"
                return PyError(.unicodeDecodeError, "'\(name)' codec can't decode \(what): \(reason)")
            }
            if replace { out.append("\u{FFFD}") }
            i = end
        }
        while i < data.count {
            let b = data[i]
            if b < 0x80 || codec == .latin1 {
                out.append(UnicodeScalar(b))
                i += 1
                continue
            }
            if codec == .ascii { try fail(i + 1, "ordinal not in range(128)"); continue }
            // UTF-8: the sequence length and the range of its second byte (RFC 3629's table).
            let need: Int, second: ClosedRange<UInt8>
            switch b {
            case 0xC2...0xDF: (need, second) = (1, 0x80...0xBF)
            case 0xE0: (need, second) = (2, 0xA0...0xBF)
            case 0xED: (need, second) = (2, 0x80...0x9F)
            case 0xE1...0xEF: (need, second) = (2, 0x80...0xBF)
            case 0xF0: (need, second) = (3, 0x90...0xBF)
            case 0xF4: (need, second) = (3, 0x80...0x8F)
            case 0xF1...0xF3: (need, second) = (3, 0x80...0xBF)
            default: try fail(i + 1, "invalid start byte"); continue
            }
            var value = UInt32(b) & (need == 1 ? 0x1F : need == 2 ? 0x0F : 0x07)
            var k = 1
            var failed = false
            while k <= need {
                guard i + k < data.count else { try fail(data.count, "unexpected end of data"); failed = true; break }
                let c = data[i + k]
                guard (k == 1 ? second : 0x80...0xBF).contains(c) else { try fail(i + k, "invalid continuation byte"); failed = true; break }
                value = value << 6 | UInt32(c & 0x3F)
                k += 1
            }
            if failed { continue }
            out.append(UnicodeScalar(value) ?? "\u{FFFD}")
            i += need + 1
        }
        return String(out)
    }

    /// A code point as CPython's error messages show it: `\xe9`, `\u20ac`, `\U0001f600`.
    private static func asciiEscape(_ v: UInt32) -> String {
        let hex = String(v, radix: 16)
        let width = v < 0x100 ? 2 : v < 0x10000 ? 4 : 8
        let prefix = v < 0x100 ? "\\x" : v < 0x10000 ? "\\u" : "\\U"
        return prefix + String(repeating: "0", count: width - hex.count) + hex
    }

    /// `text.encode(encoding, errors)`.
    static func encode(_ text: String, encoding: String, errors: String) throws -> [UInt8] {
        let (codec, name) = try codec(encoding)
        if codec == .utf8 { return Array(text.utf8) }
        let limit: UInt32 = codec == .ascii ? 128 : 256
        let scalars = Array(text.unicodeScalars)
        var out: [UInt8] = []
        var i = 0
        while i < scalars.count {
            let v = scalars[i].value
            if v < limit { out.append(UInt8(v)); i += 1; continue }
            var end = i
            while end < scalars.count && scalars[end].value >= limit { end += 1 }
            let replace = try replaces(errors) {
                let what = end - i == 1 ? "character '\(asciiEscape(v))' in position \(i)"
                    : "characters in position \(i)-\(end - 1)"
                return PyError(.unicodeEncodeError, "'\(name)' codec can't encode \(what): ordinal not in range(\(limit))")
            }
            if replace { out += [UInt8](repeating: 63, count: end - i) }
            i = end
        }
        return out
    }
}
