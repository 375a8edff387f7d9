import Foundation

/// `float.hex()`, `float.fromhex(s)` and `float.as_integer_ratio()` with CPython's texts and
/// errors.
enum FloatHex {
    /// CPython's `float.hex`: `0x1.<13 hex digits>p±e` for normal numbers, `0x0.<13>p-1022`
    /// for subnormal ones, `0x0.0p+0` for zero, `inf` / `nan`.
    static func hex(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        let sign = d.sign == .minus ? "-" : ""
        if d == 0 { return sign + "0x0.0p+0" }
        let fraction = String(d.significandBitPattern, radix: 16)
        let digits = String(repeating: "0", count: 13 - fraction.count) + fraction
        let (lead, exponent) = d.isSubnormal ? ("0", -1022) : ("1", Int(d.exponent))
        return "\(sign)0x\(lead).\(digits)p\(exponent < 0 ? "-" : "+")\(exponent.magnitude)"
    }

    /// CPython's `float.fromhex`: optional sign, `inf`/`infinity`/`nan`, or hex digits with an
    /// optional point, `0x` prefix and `p` exponent, surrounded by optional whitespace.
    static func fromHex(_ text: String) throws -> Double {
        let invalid = PyError(.valueError, "invalid hexadecimal floating-point string")
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if let c = s.first, c == "+" || c == "-" {
            negative = c == "-"
            s = s.dropFirst()
        }
        let lower = s.lowercased()
        if lower == "inf" || lower == "infinity" { return negative ? -.infinity : .infinity }
        if lower == "nan" { return .nan }
        if lower.hasPrefix("0x") { s = s.dropFirst(2) }
        var digits = 0, sawPoint = false, exponentDigits = 0, inExponent = false, exponentSigned = false
        for c in s {
            if inExponent {
                if (c == "+" || c == "-") && exponentDigits == 0 && !exponentSigned {
                    exponentSigned = true
                } else if c.isASCII, c.isNumber {
                    exponentDigits += 1
                } else {
                    throw invalid
                }
            } else if c.isHexDigit, c.isASCII {
                digits += 1
            } else if c == ".", !sawPoint {
                sawPoint = true
            } else if c == "p" || c == "P" {
                inExponent = true
            } else {
                throw invalid
            }
        }
        guard digits > 0, !inExponent || exponentDigits > 0 else { throw invalid }
        guard let magnitude = Double("0x" + s + (inExponent ? "" : "p0")) else { throw invalid }
        if magnitude.isInfinite {
            throw PyError(.overflowError, "hexadecimal value too large to represent as a float")
        }
        return negative ? -magnitude : magnitude
    }

    /// `(numerator, denominator)` of `d` in lowest terms, the denominator a power of two.
    static func integerRatio(_ d: Double) throws -> (Int, Int) {
        if d.isNaN { throw PyError(.valueError, "cannot convert NaN to integer ratio") }
        if d.isInfinite { throw PyError(.overflowError, "cannot convert Infinity to integer ratio") }
        var num = d, den = 1.0
        while num != num.rounded() { num *= 2; den *= 2 }
        guard abs(num) < 9.2e18, den < 9.2e18 else {
            throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit")
        }
        return (Int(num), Int(den))
    }
}
