// The lexer: UTF-8 source text → tokens, with Python's indentation rules.
//
// Tokens are produced on demand (`next()`), so the parser reports the first error in source
// order. Columns count Unicode scalars. `\r\n` and lone `\r` are read as `\n`.

import TensorRuntime

/// Converts nnrepl source into `Token`s: names, keywords, numbers, strings and f-strings,
/// operators, and the NEWLINE / INDENT / DEDENT structure of Python's layout rule (implicit
/// line joining inside brackets, `\` continuation, comments and blank lines skipped).
public struct Lexer {
    private let src: [Unicode.Scalar]
    private var i = 0
    private var line: Int
    private var lineStart = 0
    private let firstLine: Int
    private let firstLineColumnOffset: Int
    private let fileName: String
    /// Indentation stack: widths with tabs to multiples of 8 and with tabs as one column.
    private var indents: [(tabbed: Int, spaced: Int)] = [(0, 0)]
    private var brackets: [(open: Unicode.Scalar, span: SourceSpan)] = []
    private var pending: [Token] = []
    private var pendingIndex = 0
    private var atLineStart = true
    private var lineHasTokens = false
    private var finished = false
    /// Inside an f-string replacement field: no layout tokens, newlines are whitespace.
    private let expressionMode: Bool

    /// Python's limit on open brackets.
    static let maxBracketDepth = 200
    /// Python's limit on indentation levels.
    static let maxIndentDepth = 100

    /// Creates a lexer over a whole module (or REPL input).
    public init(source: String, fileName: String = "<string>") {
        self.src = Lexer.normalize(source)
        self.line = 1
        self.firstLine = 1
        self.firstLineColumnOffset = 0
        self.fileName = fileName
        self.expressionMode = false
    }

    /// Creates a lexer over an f-string field's expression text that starts at `line`:`column`.
    init(fieldSource: String, line: Int, column: Int, fileName: String) {
        self.src = Lexer.normalize(fieldSource)
        self.line = line
        self.firstLine = line
        self.firstLineColumnOffset = column - 1
        self.fileName = fileName
        self.expressionMode = true
        self.atLineStart = false
    }

    /// Lexes everything (for tests and tools); the last token is `.eof`.
    public static func tokenize(_ source: String, fileName: String = "<string>") throws -> [Token] {
        var lexer = Lexer(source: source, fileName: fileName)
        var out: [Token] = []
        while true {
            let t = try lexer.next()
            out.append(t)
            if t.kind == .eof { return out }
        }
    }

    private static func normalize(_ s: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.unicodeScalars.count)
        var lastCR = false
        for c in s.unicodeScalars {
            if c == "\r" {
                out.append("\n")
                lastCR = true
                continue
            }
            if c == "\n" && lastCR { lastCR = false; continue }
            lastCR = false
            out.append(c)
        }
        return out
    }

    // MARK: Positions and errors

    @inline(__always) private func column(_ index: Int) -> Int {
        index - lineStart + 1 + (line == firstLine ? firstLineColumnOffset : 0)
    }

    @inline(__always) private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let j = i + offset
        return j < src.count ? src[j] : nil
    }

    private func error(_ message: String, _ span: SourceSpan, incomplete: Bool = false,
                       kind: ExceptionKind = .syntaxError) -> SyntaxError {
        SyntaxError(message, span: span, fileName: fileName, isIncompleteInput: incomplete, kind: kind)
    }

    private func spanHere(_ length: Int = 1) -> SourceSpan {
        SourceSpan(line: line, column: column(i), length: length)
    }

    /// Marks the start of a new line at index `next` (just after a `\n`).
    @inline(__always) private mutating func newLine(at next: Int) {
        line += 1
        lineStart = next
    }

    // MARK: Main loop

    /// Returns the next token; after the end it keeps returning `.eof`.
    public mutating func next() throws -> Token {
        if pendingIndex < pending.count {
            let t = pending[pendingIndex]
            pendingIndex += 1
            return t
        }
        pending.removeAll(keepingCapacity: true)
        pendingIndex = 0
        if finished { return Token(.eof, spanHere(0)) }

        while true {
            if atLineStart && brackets.isEmpty && !expressionMode {
                atLineStart = false
                try handleIndentation()
                if pendingIndex < pending.count {
                    let t = pending[pendingIndex]
                    pendingIndex += 1
                    return t
                }
            }
            guard i < src.count else { return try endOfInput() }
            let c = src[i]
            switch c {
            case " ", "\t", "\u{0C}":
                i += 1
            case "\\":
                if peek(1) == "\n" {
                    i += 2
                    newLine(at: i)
                    if i >= src.count && !expressionMode {
                        throw error("unexpected EOF while parsing", spanHere(), incomplete: true)
                    }
                } else if i + 1 >= src.count {
                    throw error("unexpected EOF while parsing", spanHere(), incomplete: true)
                } else {
                    throw error("unexpected character after line continuation character", spanHere())
                }
            case "#":
                while i < src.count && src[i] != "\n" { i += 1 }
            case "\n":
                let span = spanHere()
                i += 1
                newLine(at: i)
                if brackets.isEmpty && !expressionMode {
                    atLineStart = true
                    if lineHasTokens {
                        lineHasTokens = false
                        return Token(.newline, span)
                    }
                }
            default:
                lineHasTokens = true
                return try lexToken(c)
            }
        }
    }

    private mutating func endOfInput() throws -> Token {
        if let open = brackets.last {
            throw error("'\(open.open)' was never closed", open.span, incomplete: true)
        }
        finished = true
        let span = spanHere(0)
        if lineHasTokens && !expressionMode {
            lineHasTokens = false
            pending.append(Token(.newline, span))
        }
        while indents.count > 1 {
            indents.removeLast()
            pending.append(Token(.dedent, span))
        }
        pending.append(Token(.eof, span))
        let t = pending[0]
        pendingIndex = 1
        return t
    }

    /// Measures the indentation of the next non-blank line and queues INDENT/DEDENT tokens.
    private mutating func handleIndentation() throws {
        var tabbed = 0, spaced = 0
        while true {
            tabbed = 0
            spaced = 0
            var j = i
            while j < src.count {
                let c = src[j]
                if c == " " { tabbed += 1; spaced += 1 }
                else if c == "\t" { tabbed = (tabbed / 8 + 1) * 8; spaced += 1 }
                else if c == "\u{0C}" { tabbed = 0; spaced = 0 }
                else { break }
                j += 1
            }
            i = j
            if j >= src.count { return }
            if src[j] == "#" {
                while i < src.count && src[i] != "\n" { i += 1 }
            }
            if i < src.count && src[i] == "\n" {
                i += 1
                newLine(at: i)
                continue
            }
            if i >= src.count { return }
            break
        }
        let span = SourceSpan(line: line, column: 1, endLine: line, endColumn: column(i))
        guard let top = indents.last else { return }
        let tabError = "inconsistent use of tabs and spaces in indentation"
        if tabbed == top.tabbed {
            if spaced != top.spaced { throw error(tabError, span, kind: .tabError) }
        } else if tabbed > top.tabbed {
            if spaced <= top.spaced { throw error(tabError, span, kind: .tabError) }
            if indents.count >= Lexer.maxIndentDepth {
                throw error("too many levels of indentation", span, kind: .indentationError)
            }
            indents.append((tabbed, spaced))
            pending.append(Token(.indent, span))
        } else {
            while indents.count > 1, let last = indents.last, tabbed < last.tabbed {
                indents.removeLast()
                pending.append(Token(.dedent, SourceSpan(line: line, column: column(i), length: 0)))
            }
            guard let now = indents.last, now.tabbed == tabbed else {
                // CPython puts the caret just past the end of the offending line.
                var end = i
                while end < src.count && src[end] != "\n" { end += 1 }
                while end > i && (src[end - 1] == " " || src[end - 1] == "\r" || src[end - 1] == "\t") { end -= 1 }
                throw error("unindent does not match any outer indentation level",
                            SourceSpan(line: line, column: column(end), endLine: line, endColumn: column(end) + 1),
                            kind: .indentationError)
            }
            if now.spaced != spaced { throw error(tabError, span, kind: .tabError) }
        }
    }

    // MARK: Tokens

    private mutating func lexToken(_ c: Unicode.Scalar) throws -> Token {
        if Lexer.isIdentifierStart(c) {
            return try lexNameOrPrefixedString()
        }
        if Lexer.isDigit(c) || (c == "." && peek(1).map(Lexer.isDigit) == true) {
            return try lexNumber()
        }
        if c == "'" || c == "\"" {
            return try lexString(prefixStart: i, raw: false, format: false)
        }
        return try lexPunct(c)
    }

    @inline(__always) static func isDigit(_ c: Unicode.Scalar) -> Bool {
        c.value >= 48 && c.value <= 57
    }

    static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 128 {
            return (v >= 65 && v <= 90) || (v >= 97 && v <= 122) || v == 95
        }
        return c.properties.isXIDStart
    }

    static func isIdentifierContinue(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 128 {
            return (v >= 65 && v <= 90) || (v >= 97 && v <= 122) || v == 95 || (v >= 48 && v <= 57)
        }
        return c.properties.isXIDContinue
    }

    private mutating func lexNameOrPrefixedString() throws -> Token {
        let start = i
        var scalars = String.UnicodeScalarView()
        while i < src.count && Lexer.isIdentifierContinue(src[i]) {
            scalars.append(src[i])
            i += 1
        }
        let text = String(scalars)
        if let q = peek(), q == "'" || q == "\"", text.count <= 2 {
            let lower = text.lowercased()
            switch lower {
            case "r", "u":
                return try lexString(prefixStart: start, raw: lower == "r", format: false)
            case "f", "rf", "fr":
                return try lexString(prefixStart: start, raw: lower != "f", format: true)
            case "b", "br", "rb":
                return try lexString(prefixStart: start, raw: lower != "b", format: false, bytes: true)
            default:
                break
            }
        }
        let span = SourceSpan(line: line, column: column(start), length: i - start)
        if let k = Keyword.byName[text] { return Token(.keyword(k), span) }
        return Token(.name(text), span)
    }

    private mutating func lexNumber() throws -> Token {
        let start = i
        let startCol = column(start)
        func span() -> SourceSpan { SourceSpan(line: line, column: startCol, length: i - start) }
        func digits(_ isValid: (Unicode.Scalar) -> Bool, into text: inout String, kind: String) throws {
            var lastUnderscore = false
            var any = false
            while let c = peek() {
                if c == "_" {
                    if lastUnderscore || !any { throw error("invalid \(kind) literal", span()) }
                    lastUnderscore = true
                } else if isValid(c) {
                    text.unicodeScalars.append(c)
                    lastUnderscore = false
                    any = true
                } else {
                    break
                }
                i += 1
            }
            if lastUnderscore { throw error("invalid \(kind) literal", span()) }
        }
        // Radix-prefixed integers.
        if src[i] == "0", let p = peek(1), "xXoObB".unicodeScalars.contains(p) {
            i += 2
            let (radix, kind): (Int, String) = (p == "x" || p == "X") ? (16, "hexadecimal")
                : (p == "o" || p == "O") ? (8, "octal") : (2, "binary")
            if peek() == "_" { i += 1 }
            var text = ""
            try digits({ c in
                guard let d = Lexer.hexValue(c) else { return false }
                return d < radix
            }, into: &text, kind: kind)
            if text.isEmpty || peek().map(Lexer.isIdentifierContinue) == true {
                throw error("invalid \(kind) literal", span())
            }
            guard let v = Int(text, radix: radix) else {
                throw error("integer literal too large (nnrepl integers are 64-bit)", span())
            }
            return Token(.int(v), span())
        }
        var text = ""
        var isFloat = false
        try digits(Lexer.isDigit, into: &text, kind: "decimal")
        if peek() == "." {
            isFloat = true
            text += "."
            i += 1
            if peek().map(Lexer.isDigit) == true {
                try digits(Lexer.isDigit, into: &text, kind: "decimal")
            }
        }
        if let e = peek(), e == "e" || e == "E" {
            var k = 1
            if let s = peek(1), s == "+" || s == "-" { k = 2 }
            if peek(k).map(Lexer.isDigit) == true {
                isFloat = true
                text += "e"
                if k == 2, let s = peek(1) { text.unicodeScalars.append(s) }
                i += k
                try digits(Lexer.isDigit, into: &text, kind: "decimal")
            } else {
                i += 1
                throw error("invalid decimal literal", span())
            }
        }
        if let j = peek(), j == "j" || j == "J" {
            i += 1
            throw error("complex numbers (imaginary literals) are not supported by nnrepl", span())
        }
        if let c = peek(), Lexer.isIdentifierContinue(c) {
            i += 1
            throw error("invalid decimal literal", span())
        }
        if isFloat {
            if text.hasPrefix(".") { text = "0" + text }
            if text.hasSuffix(".") { text += "0" }
            guard let v = Double(text) else { throw error("invalid decimal literal", span()) }
            return Token(.float(v), span())
        }
        if text.count > 1 && text.hasPrefix("0") && text.contains(where: { $0 != "0" }) {
            throw error("leading zeros in decimal integer literals are not permitted; "
                        + "use an 0o prefix for octal integers", span())
        }
        guard let v = Int(text) else {
            throw error("integer literal too large (nnrepl integers are 64-bit)", span())
        }
        return Token(.int(v), span())
    }

    static func hexValue(_ c: Unicode.Scalar) -> Int? {
        switch c.value {
        case 48...57: return Int(c.value - 48)
        case 65...70: return Int(c.value - 55)
        case 97...102: return Int(c.value - 87)
        default: return nil
        }
    }

    private mutating func lexPunct(_ c: Unicode.Scalar) throws -> Token {
        let start = i
        let startSpan = spanHere()
        func make(_ p: Punct, _ n: Int) -> Token {
            i += n
            return Token(.punct(p), SourceSpan(line: line, column: column(start), length: n))
        }
        let c1 = peek(1), c2 = peek(2)
        switch c {
        case "(", "[", "{":
            if brackets.count >= Lexer.maxBracketDepth {
                throw error("too many nested parentheses", startSpan)
            }
            brackets.append((c, startSpan))
            return make(c == "(" ? .lparen : c == "[" ? .lbracket : .lbrace, 1)
        case ")", "]", "}":
            guard let open = brackets.popLast() else {
                throw error("unmatched '\(c)'", startSpan)
            }
            let expected: Unicode.Scalar = open.open == "(" ? ")" : open.open == "[" ? "]" : "}"
            if c != expected {
                let where_ = open.span.line != line ? " on line \(open.span.line)" : ""
                throw error("closing parenthesis '\(c)' does not match opening parenthesis '\(open.open)'"
                            + where_, startSpan)
            }
            return make(c == ")" ? .rparen : c == "]" ? .rbracket : .rbrace, 1)
        case ",": return make(.comma, 1)
        case ";": return make(.semicolon, 1)
        case "~": return make(.tilde, 1)
        case ".":
            if c1 == ".", c2 == "." { return make(.ellipsis, 3) }
            return make(.dot, 1)
        case ":":
            return c1 == "=" ? make(.walrus, 2) : make(.colon, 1)
        case "-":
            if c1 == ">" { return make(.arrow, 2) }
            return c1 == "=" ? make(.minusAssign, 2) : make(.minus, 1)
        case "+": return c1 == "=" ? make(.plusAssign, 2) : make(.plus, 1)
        case "%": return c1 == "=" ? make(.percentAssign, 2) : make(.percent, 1)
        case "@": return c1 == "=" ? make(.atAssign, 2) : make(.at, 1)
        case "&": return c1 == "=" ? make(.ampersandAssign, 2) : make(.ampersand, 1)
        case "|": return c1 == "=" ? make(.pipeAssign, 2) : make(.pipe, 1)
        case "^": return c1 == "=" ? make(.caretAssign, 2) : make(.caret, 1)
        case "=": return c1 == "=" ? make(.equal, 2) : make(.assign, 1)
        case "!":
            if c1 == "=" { return make(.notEqual, 2) }
            throw error("invalid syntax", startSpan)
        case "*":
            if c1 == "*" { return c2 == "=" ? make(.doubleStarAssign, 3) : make(.doubleStar, 2) }
            return c1 == "=" ? make(.starAssign, 2) : make(.star, 1)
        case "/":
            if c1 == "/" { return c2 == "=" ? make(.doubleSlashAssign, 3) : make(.doubleSlash, 2) }
            return c1 == "=" ? make(.slashAssign, 2) : make(.slash, 1)
        case "<":
            if c1 == "<" { return c2 == "=" ? make(.leftShiftAssign, 3) : make(.leftShift, 2) }
            if c1 == ">" { throw error("invalid syntax", startSpan) }
            return c1 == "=" ? make(.lessEqual, 2) : make(.less, 1)
        case ">":
            if c1 == ">" { return c2 == "=" ? make(.rightShiftAssign, 3) : make(.rightShift, 2) }
            return c1 == "=" ? make(.greaterEqual, 2) : make(.greater, 1)
        default:
            let hex = String(c.value, radix: 16, uppercase: true)
            let padded = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            throw error("invalid character '\(c)' (U+\(padded))", startSpan)
        }
    }

    // MARK: Strings

    /// Lexes a string literal whose prefix (if any) starts at `prefixStart`; `i` is at the quote.
    private mutating func lexString(prefixStart: Int, raw: Bool, format: Bool, bytes: Bool = false) throws -> Token {
        let startLine = line
        let startCol = column(prefixStart)
        guard let quote = peek() else { throw error("invalid syntax", spanHere()) }
        let triple = peek(1) == quote && peek(2) == quote
        i += triple ? 3 : 1
        let bodyStart = i
        let bodyLine = line
        let bodyCol = column(i)
        let startSpan = SourceSpan(line: startLine, column: startCol, length: 1)
        var bodyEnd = i
        while true {
            guard i < src.count else {
                if triple {
                    throw error("unterminated triple-quoted string literal (detected at line \(line))",
                                startSpan, incomplete: true)
                }
                throw error("unterminated string literal (detected at line \(line))", startSpan)
            }
            let c = src[i]
            if c == "\\" {
                if i + 1 < src.count {
                    if src[i + 1] == "\n" {
                        i += 2
                        newLine(at: i)
                    } else {
                        i += 2
                    }
                    continue
                }
                i += 1
                continue
            }
            if c == "\n" {
                if !triple {
                    throw error("unterminated string literal (detected at line \(line))", startSpan)
                }
                i += 1
                newLine(at: i)
                continue
            }
            if c == quote {
                if !triple {
                    bodyEnd = i
                    i += 1
                    break
                }
                if peek(1) == quote && peek(2) == quote {
                    bodyEnd = i
                    i += 3
                    break
                }
            }
            i += 1
        }
        let span = SourceSpan(line: startLine, column: startCol, endLine: line, endColumn: column(i))
        var decoder = StringBodyDecoder(body: src[bodyStart..<bodyEnd], line: bodyLine, column: bodyCol,
                                        raw: raw, fileName: fileName)
        if format {
            return Token(.fstring(try decoder.decodeFString(level: 0)), span)
        }
        if bytes {
            guard src[bodyStart..<bodyEnd].allSatisfy(\.isASCII) else {
                throw error("bytes can only contain ASCII literal characters", span)
            }
            decoder.bytes = true
            return Token(.bytes(try decoder.decodePlain().unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }), span)
        }
        return Token(.string(try decoder.decodePlain()), span)
    }
}

/// Decodes a string literal's body: escapes, and for f-strings the `{...}` fields.
struct StringBodyDecoder {
    let body: ArraySlice<Unicode.Scalar>
    var k: Int
    var line: Int
    var column: Int
    let raw: Bool
    let fileName: String
    /// A bytes literal: `\u`, `\U` and `\N` are not escapes, and octal escapes wrap at 256.
    var bytes = false

    init(body: ArraySlice<Unicode.Scalar>, line: Int, column: Int, raw: Bool, fileName: String) {
        self.body = body
        self.k = body.startIndex
        self.line = line
        self.column = column
        self.raw = raw
        self.fileName = fileName
    }

    private func error(_ message: String, length: Int = 1) -> SyntaxError {
        SyntaxError(message, span: SourceSpan(line: line, column: column, length: length), fileName: fileName)
    }

    @inline(__always) private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let j = k + offset
        return j < body.endIndex ? body[j] : nil
    }

    @inline(__always) private mutating func advance() {
        if body[k] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        k += 1
    }

    mutating func decodePlain() throws -> String {
        var out = String.UnicodeScalarView()
        while k < body.endIndex {
            if body[k] == "\\" && !raw {
                try decodeEscape(into: &out)
            } else {
                out.append(body[k])
                advance()
            }
        }
        return String(out)
    }

    /// Decodes one backslash escape at `k` (not raw).
    private mutating func decodeEscape(into out: inout String.UnicodeScalarView) throws {
        guard let c = peek(1) else {
            out.append("\\")
            advance()
            return
        }
        func simple(_ s: Unicode.Scalar) {
            out.append(s)
            advance()
            advance()
        }
        switch c {
        case "\n": advance(); advance()
        case "\\": simple("\\")
        case "'": simple("'")
        case "\"": simple("\"")
        case "a": simple("\u{07}")
        case "b": simple("\u{08}")
        case "f": simple("\u{0C}")
        case "n": simple("\n")
        case "r": simple("\r")
        case "t": simple("\t")
        case "v": simple("\u{0B}")
        case "0"..."7":
            var value: UInt32 = 0
            var n = 0
            while n < 3, let d = peek(1 + n), d.value >= 48 && d.value <= 55 {
                value = value * 8 + (d.value - 48)
                n += 1
            }
            guard let s = Unicode.Scalar(value) else { throw error("invalid octal escape") }
            out.append(s)
            for _ in 0..<(n + 1) { advance() }
        case "u" where bytes, "U" where bytes, "N" where bytes:
            out.append("\\")
            advance()
        case "x", "u", "U":
            let count = c == "x" ? 2 : c == "u" ? 4 : 8
            var value: UInt32 = 0
            for n in 0..<count {
                guard let d = peek(2 + n), let h = Lexer.hexValue(d) else {
                    throw error("(unicode error) truncated \\\(c)\(String(repeating: "X", count: count)) escape",
                                length: 2 + n)
                }
                value = value * 16 + UInt32(h)
            }
            guard let s = Unicode.Scalar(value) else {
                throw error("(unicode error) illegal Unicode character", length: 2 + count)
            }
            out.append(s)
            for _ in 0..<(2 + count) { advance() }
        case "N":
            throw error("\\N{...} escapes are not supported by nnrepl", length: 2)
        default:
            out.append("\\")
            advance()
        }
    }

    /// Decodes an f-string body (or a format spec when `level > 0` and `inSpec`).
    mutating func decodeFString(level: Int, inSpec: Bool = false) throws -> [FStringSegment] {
        var segments: [FStringSegment] = []
        var lit = String.UnicodeScalarView()
        func flush() {
            if !lit.isEmpty {
                segments.append(.literal(String(lit)))
                lit = String.UnicodeScalarView()
            }
        }
        while k < body.endIndex {
            let c = body[k]
            if c == "{" {
                if !inSpec && peek(1) == "{" {
                    lit.append("{")
                    advance(); advance()
                    continue
                }
                flush()
                segments.append(.field(try decodeField(level: level)))
            } else if c == "}" {
                if inSpec { break }
                if peek(1) == "}" {
                    lit.append("}")
                    advance(); advance()
                    continue
                }
                throw error("f-string: single '}' is not allowed")
            } else if c == "\\" && !raw {
                try decodeEscape(into: &lit)
            } else {
                lit.append(c)
                advance()
            }
        }
        flush()
        return segments
    }

    /// Decodes a replacement field; `k` is at its `{`.
    private mutating func decodeField(level: Int) throws -> FStringField {
        if level >= 2 { throw error("f-string: expressions nested too deeply") }
        advance() // {
        let exprStart = k
        let exprLine = line, exprColumn = column
        var depth = 0
        var inString: Unicode.Scalar? = nil
        scan: while true {
            guard let c = peek() else { throw error("f-string: expecting '}'") }
            if let q = inString {
                if c == q { inString = nil }
                if c == "\\" { throw error("f-string expression part cannot include a backslash") }
                advance()
                continue
            }
            switch c {
            case "\\": throw error("f-string expression part cannot include a backslash")
            case "'", "\"": inString = c
            case "#": throw error("f-string expression part cannot include '#'")
            case "(", "[", "{": depth += 1
            case ")", "]", "}":
                if depth == 0 {
                    if c == "}" { break scan }
                    throw error("f-string: unmatched '\(c)'")
                }
                depth -= 1
            case "=", "!", "<", ">":
                if peek(1) == "=" {
                    advance(); advance()
                    continue scan
                }
                if depth == 0 && (c == "=" || c == "!") { break scan }
            case ":":
                if depth == 0 { break scan }
            default: break
            }
            advance()
        }
        var source = String.UnicodeScalarView()
        source.append(contentsOf: body[exprStart..<k])
        let text = String(source)
        if text.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\n" }) {
            throw error("f-string: valid expression required before '\(body[k])'")
        }
        var debugText: String? = nil
        if peek() == "=" {
            advance()
            while let s = peek(), s == " " { advance() }
            var dbg = String.UnicodeScalarView()
            dbg.append(contentsOf: body[exprStart..<k])
            debugText = String(dbg)
        }
        var conversion: FStringConversion? = nil
        if peek() == "!" {
            advance()
            guard let cc = peek(), let conv = FStringConversion(rawValue: Character(cc)) else {
                throw error("f-string: invalid conversion character: expected 's', 'r', or 'a'")
            }
            conversion = conv
            advance()
        }
        var spec: [FStringSegment]? = nil
        if peek() == ":" {
            advance()
            spec = try decodeFString(level: level + 1, inSpec: true)
        }
        guard peek() == "}" else { throw error("f-string: expecting '}'") }
        advance()
        if debugText != nil && conversion == nil && spec == nil { conversion = .repr }
        return FStringField(source: text, line: exprLine, column: exprColumn, conversion: conversion,
                            formatSpec: spec, debugText: debugText)
    }
}
