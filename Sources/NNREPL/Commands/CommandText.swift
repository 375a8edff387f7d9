import Foundation

/// Text helpers shared by the commands: splitting arguments at top level, number formats,
/// and aligned plain-text tables.
enum CommandText {
    /// Splits `text` at whitespace outside brackets and string quotes:
    /// `model (1, 3, 10, 10)` → `["model", "(1, 3, 10, 10)"]`.
    static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        var escaped = false
        for c in text {
            if let q = quote {
                current.append(c)
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == q { quote = nil }
                continue
            }
            switch c {
            case "'", "\"": quote = c; current.append(c)
            case "(", "[", "{": depth += 1; current.append(c)
            case ")", "]", "}": depth = max(0, depth - 1); current.append(c)
            case _ where c.isWhitespace && depth == 0:
                if !current.isEmpty { parts.append(current); current = "" }
            default: current.append(c)
            }
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    /// Splits off the first top-level word: `model.layer1 (1, 3)` → (`model.layer1`, `(1, 3)`).
    static func firstWord(_ text: String) -> (String, String) {
        let parts = splitTopLevel(text)
        guard let first = parts.first else { return ("", "") }
        let rest = text.trimmingCharacters(in: .whitespaces).dropFirst(first.count)
        return (first, rest.trimmingCharacters(in: .whitespaces))
    }

    /// `1234567` → `1,234,567` (Python's `{:,}`).
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    /// `x` with `places` decimals (`%.4f`), without a negative zero; `nan`/`inf` as Python prints them.
    static func fixed(_ x: Double, _ places: Int) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        let s = String(format: "%.\(places)f", x)
        if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(s.dropFirst()) }
        return s
    }

    /// `[1, 3, 10, 10]`.
    static func shape(_ dims: [Int]) -> String {
        "[" + dims.map(String.init).joined(separator: ", ") + "]"
    }

    /// Column alignment for `table`.
    enum Alignment { case left, right }

    /// Rows laid out in columns two spaces apart; trailing spaces removed. The first row is
    /// the header. Widths count characters, so colour is added afterwards by `style`
    /// (row index, column index, padded cell → displayed text).
    static func table(_ rows: [[String]], alignments: [Alignment],
                      style: ((Int, Int, String) -> String)? = nil) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        var out = ""
        for (r, fullRow) in rows.enumerated() {
            var row = fullRow
            while row.count > 1, row.last == "" { row.removeLast() }
            var line = ""
            for (i, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                let right = i < alignments.count && alignments[i] == .right
                if i > 0 { line += "  " }
                var padded = right ? pad + cell : cell + pad
                if i == row.count - 1 { while padded.hasSuffix(" ") { padded.removeLast() } }
                line += style?(r, i, padded) ?? padded
            }
            out += line + "\n"
        }
        return out
    }
}
