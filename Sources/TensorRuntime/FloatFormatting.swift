import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Python-compatible float text: `repr(float)` and the `%.Nf` / `%.Ne` conversions that
// `"{:.4f}"`-style format specs use. C's printf is correctly rounded on the platforms we build
// for, as is CPython's own formatting, so the digits agree; only the non-finite spellings differ.

/// Largest precision passed to printf; larger requests are clamped (Python has no limit, but an
/// unbounded value would let a user ask for gigabytes of digits).
public let maxFormatPrecision = 10_000

/// Python's `repr(x)` / `str(x)` for a float: the shortest digits that round-trip, in fixed
/// notation when the decimal exponent is in [-4, 16), otherwise `1e-05` / `1.5e+16` style.
/// Specials: `inf`, `-inf`, `nan` (Python never prints a sign on NaN), `-0.0`.
public func pythonFloatRepr(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    let negative = x.sign == .minus
    let (digits, decpt) = shortestDigits(Swift.abs(x))
    let sign = negative ? "-" : ""
    if digits.isEmpty { return sign + "0.0" }
    // CPython (format_float_short, 'r' mode): exponent form when decpt <= -4 or decpt > 16,
    // where the value is 0.DIGITS × 10^decpt.
    if decpt <= -4 || decpt > 16 {
        let exponent = decpt - 1
        var mantissa = String(digits.first ?? "0")
        if digits.count > 1 { mantissa += "." + digits.dropFirst() }
        return sign + mantissa + "e" + exponentText(exponent)
    }
    if decpt <= 0 {
        return sign + "0." + String(repeating: "0", count: -decpt) + digits
    }
    if decpt >= digits.count {
        return sign + digits + String(repeating: "0", count: decpt - digits.count) + ".0"
    }
    let cut = digits.index(digits.startIndex, offsetBy: decpt)
    return sign + digits[..<cut] + "." + digits[cut...]
}

/// `e-05` / `e+16` exponent text: explicit sign, at least two digits (as C and Python write it).
private func exponentText(_ e: Int) -> String {
    let magnitude = String(Swift.abs(e))
    return (e < 0 ? "-" : "+") + (magnitude.count < 2 ? "0" + magnitude : magnitude)
}

/// Shortest round-trip decimal digits of a finite, non-negative `x` (no leading or trailing
/// zeros; empty for zero) and the decimal point position: x = 0.DIGITS × 10^decpt.
/// Swift's `description` already produces the shortest, closest digits (as CPython's dtoa does);
/// only its layout differs, so it is parsed here.
private func shortestDigits(_ x: Double) -> (digits: String, decpt: Int) {
    let text = x.description
    var mantissa = Substring(text)
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = text[..<e]
        exponent = Int(text[text.index(after: e)...]) ?? 0
    }
    var intPart = mantissa
    var fracPart: Substring = ""
    if let dot = mantissa.firstIndex(of: ".") {
        intPart = mantissa[..<dot]
        fracPart = mantissa[mantissa.index(after: dot)...]
    }
    var digits = Array(intPart + fracPart)
    var decpt = intPart.count + exponent
    var leading = 0
    while leading < digits.count && digits[leading] == "0" { leading += 1 }
    digits.removeFirst(leading)
    decpt -= leading
    while let last = digits.last, last == "0" { digits.removeLast() }
    return (String(digits), decpt)
}

/// C `printf("%.{precision}f", x)` with Python's spellings of non-finite values (`nan`, `inf`,
/// `-inf`), i.e. Python's `format(x, ".{precision}f")`.
public func formatFixed(_ x: Double, precision: Int) -> String {
    cFormat(x, precision: precision, conversion: UInt8(ascii: "f"))
}

/// C `printf("%.{precision}e", x)` (`1.0000e-05`) with Python's non-finite spellings, i.e.
/// Python's `format(x, ".{precision}e")`.
public func formatScientific(_ x: Double, precision: Int) -> String {
    cFormat(x, precision: precision, conversion: UInt8(ascii: "e"))
}

private func cFormat(_ x: Double, precision: Int, conversion: UInt8) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    let p = Int32(Swift.min(Swift.max(precision, 0), maxFormatPrecision))
    let conversion = CChar(bitPattern: conversion)
    var needed = 0
    let text = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buffer -> String? in
        guard let base = buffer.baseAddress else { return nil }
        needed = Int(nn_format_double(base, buffer.count, x, p, conversion))
        guard needed >= 0, needed < buffer.count else { return nil }
        return String(decoding: UnsafeBufferPointer(start: base, count: needed), as: UTF8.self)
    }
    if let text { return text }
    if needed < 0 { return "" }
    // Longer than 128 bytes (`%f` of a huge value): a buffer of the size snprintf asked for.
    var long = [UInt8](repeating: 0, count: needed + 1)
    let written = Int(nn_format_double(&long, long.count, x, p, conversion))
    return written < 0 ? "" : String(decoding: long[0..<Swift.min(written, needed)], as: UTF8.self)
}
