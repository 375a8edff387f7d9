import Foundation
import NNLang

/// Script text checked as CPython checks a source file before compiling it: bytes that are not
/// UTF-8 are a SyntaxError naming the first bad byte and its line (CPython 3.11's message), and
/// a NUL character is a SyntaxError on its line ("source code cannot contain null bytes").
public enum ScriptSource {
    /// The text of `bytes`, read from `fileName` (a path, `<stdin>` …).
    public static func decode(_ bytes: [UInt8], fileName: String) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let (offset, line) = firstInvalidByte(bytes)
            let byte = String(format: "\\x%02x", bytes[offset])
            throw EncodingError(message:
                "Non-UTF-8 code starting with '\(byte)' in file \(fileName) on line \(line), but no encoding declared; see https://peps.python.org/pep-0263/ for details")
        }
        return text
    }

    /// Throws a SyntaxError at the first NUL character of `source`, if it has one.
    static func checkNoNulBytes(_ source: String, fileName: String) throws {
        guard source.utf8.contains(0) else { return }
        var line = 1, column = 1
        for scalar in source.unicodeScalars {
            if scalar == "\0" { break }
            if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        throw SyntaxError("source code cannot contain null bytes", span: SourceSpan(line: line, column: column, length: 1),
                          fileName: fileName)
    }

    /// The offset of the first byte that does not start or continue a valid UTF-8 sequence,
    /// and its 1-based line.
    private static func firstInvalidByte(_ bytes: [UInt8]) -> (offset: Int, line: Int) {
        var line = 1, i = 0
        while i < bytes.count {
            let length = validSequenceLength(bytes, at: i)
            if length == 0 { return (i, line) }
            if bytes[i] == UInt8(ascii: "\n") { line += 1 }
            i += length
        }
        return (max(0, bytes.count - 1), line)
    }

    /// The length of the valid UTF-8 sequence starting at `i`, or 0.
    private static func validSequenceLength(_ bytes: [UInt8], at i: Int) -> Int {
        let lead = bytes[i]
        let length: Int
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard i + length <= bytes.count else { return 0 }
        return String(validating: bytes[i..<(i + length)], as: UTF8.self) == nil ? 0 : length
    }

    /// A source file that is not UTF-8 (CPython prints just `SyntaxError: message`).
    public struct EncodingError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { "SyntaxError: \(message)" }
    }
}
