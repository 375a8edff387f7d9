import XCTest
@testable import NNLang

final class LexerTests: XCTestCase {
    private func kinds(_ source: String) throws -> [String] {
        try Lexer.tokenize(source).map { $0.description }
    }

    private func lexError(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> SyntaxError? {
        do {
            _ = try Lexer.tokenize(source)
            XCTFail("expected a SyntaxError for \(source.debugDescription)", file: file, line: line)
            return nil
        } catch let e as SyntaxError {
            return e
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    func testSimpleLine() throws {
        XCTAssertEqual(try kinds("x = 1 + 2\n"), ["x", "=", "1", "+", "2", "NEWLINE", "EOF"])
        XCTAssertEqual(try kinds("x"), ["x", "NEWLINE", "EOF"])
        XCTAssertEqual(try kinds(""), ["EOF"])
        XCTAssertEqual(try kinds("\n\n# only a comment\n   \n"), ["EOF"])
    }

    func testIndentation() throws {
        let src = "if a:\n    b\n    if c:\n        d\n\n    # comment\n  # odd comment\n    e\nf\n"
        XCTAssertEqual(try kinds(src), [
            "if", "a", ":", "NEWLINE", "INDENT", "b", "NEWLINE", "if", "c", ":", "NEWLINE",
            "INDENT", "d", "NEWLINE", "DEDENT", "e", "NEWLINE", "DEDENT", "f", "NEWLINE", "EOF",
        ])
        // Dedents at end of input.
        XCTAssertEqual(try kinds("if a:\n  if b:\n    c"),
                       ["if", "a", ":", "NEWLINE", "INDENT", "if", "b", ":", "NEWLINE", "INDENT", "c",
                        "NEWLINE", "DEDENT", "DEDENT", "EOF"])
        // Tabs count to the next multiple of 8 and must be consistent.
        XCTAssertEqual(try kinds("if a:\n\tb\n\tc\n"),
                       ["if", "a", ":", "NEWLINE", "INDENT", "b", "NEWLINE", "c", "NEWLINE", "DEDENT", "EOF"])
    }

    func testIndentationErrors() {
        let e = lexError("if a:\n    b\n  c\n")
        XCTAssertEqual(e?.message, "unindent does not match any outer indentation level")
        XCTAssertEqual(e?.typeName, "IndentationError")
        XCTAssertEqual(e?.span.line, 3)
        let t = lexError("if a:\n        b\n\tc\n")
        XCTAssertEqual(t?.typeName, "TabError")
        let deep = (0..<120).map { String(repeating: " ", count: $0) + "if x:\n" }.joined()
        XCTAssertEqual(lexError(deep)?.message, "too many levels of indentation")
    }

    func testImplicitAndExplicitLineJoining() throws {
        XCTAssertEqual(try kinds("f(a,\n  b)\nx = 1 + \\\n    2\n"),
                       ["f", "(", "a", ",", "b", ")", "NEWLINE", "x", "=", "1", "+", "2", "NEWLINE", "EOF"])
        XCTAssertEqual(try kinds("[1,  # comment\n\n 2]"), ["[", "1", ",", "2", "]", "NEWLINE", "EOF"])
        let e = lexError("x = 1 \\")
        XCTAssertEqual(e?.isIncompleteInput, true)
        XCTAssertEqual(lexError("x = 1 \\ y")?.message, "unexpected character after line continuation character")
    }

    func testBrackets() {
        let e = lexError("foo(1,\n  [2,\n")
        XCTAssertEqual(e?.message, "'[' was never closed")
        XCTAssertEqual(e?.span.line, 2)
        XCTAssertEqual(e?.span.column, 3)
        XCTAssertEqual(e?.isIncompleteInput, true)
        XCTAssertEqual(lexError("x = )")?.message, "unmatched ')'")
        XCTAssertEqual(lexError("(]")?.message, "closing parenthesis ']' does not match opening parenthesis '('")
        let deep = lexError(String(repeating: "(", count: 10_000))
        XCTAssertEqual(deep?.message, "too many nested parentheses")
        XCTAssertEqual(deep?.isIncompleteInput, false)
    }

    func testNumbers() throws {
        let toks = try Lexer.tokenize("0 7 1_000 0x1F 0o17 0b101 1.5 1e-5 .5 1. 2E3 1_0.0_1")
        let kinds = toks.map { $0.kind }
        XCTAssertEqual(Array(kinds.prefix(12)), [
            .int(0), .int(7), .int(1000), .int(31), .int(15), .int(5), .float(1.5), .float(1e-5),
            .float(0.5), .float(1.0), .float(2000), .float(10.01),
        ])
        XCTAssertEqual(lexError("012")?.message.hasPrefix("leading zeros"), true)
        XCTAssertEqual(lexError("1__0")?.message, "invalid decimal literal")
        XCTAssertEqual(lexError("1_")?.message, "invalid decimal literal")
        XCTAssertEqual(lexError("0x")?.message, "invalid hexadecimal literal")
        XCTAssertEqual(lexError("12abc")?.message, "invalid decimal literal")
        XCTAssertEqual(lexError("1j")?.message.contains("complex"), true)
        XCTAssertEqual(lexError("99999999999999999999")?.message.contains("too large"), true)
        XCTAssertEqual(try Lexer.tokenize("x.real")[1].kind, .punct(.dot))
    }

    func testStrings() throws {
        func str(_ s: String) throws -> TokenKind { try Lexer.tokenize(s)[0].kind }
        XCTAssertEqual(try str(#"'a\nb\t\\\'\"'"#), .string("a\nb\t\\'\""))
        XCTAssertEqual(try str(#""\x41\u00e9\U0001F600\101""#), .string("Aé😀A"))
        XCTAssertEqual(try str(#"r'a\nb\''"#), .string(#"a\nb\'"#))
        XCTAssertEqual(try str("'''a\nb'''"), .string("a\nb"))
        XCTAssertEqual(try str("\"\"\"x \"quoted\" \"\"\""), .string("x \"quoted\" "))
        XCTAssertEqual(try str("'a\\\nb'"), .string("ab"))
        XCTAssertEqual(try str(#"'\d'"#), .string(#"\d"#))
        XCTAssertEqual(try str("u'x'"), .string("x"))
        XCTAssertEqual(try str("'定义网络层'"), .string("定义网络层"))
        let e = lexError("x = 'abc\ny = 1")
        XCTAssertEqual(e?.message, "unterminated string literal (detected at line 1)")
        XCTAssertEqual(e?.isIncompleteInput, false)
        XCTAssertEqual(e?.span.column, 5)
        let t = lexError("s = '''abc\ndef\n")
        XCTAssertEqual(t?.message, "unterminated triple-quoted string literal (detected at line 3)")
        XCTAssertEqual(t?.isIncompleteInput, true)
        XCTAssertEqual(try Lexer.tokenize(#"b'a\x00\xff\n\u00e9'"#)[0].kind, .bytes([97, 0, 255, 10] + Array(#"\u00e9"#.utf8)))
        XCTAssertEqual(try Lexer.tokenize(#"rb'\n'"#)[0].kind, .bytes([92, 110]))
        XCTAssertEqual(lexError("b'é'")?.message, "bytes can only contain ASCII literal characters")
        XCTAssertEqual(lexError(#"'\x4'"#)?.message, #"(unicode error) truncated \xXX escape"#)
    }

    func testFStrings() throws {
        guard case .fstring(let segs) = try Lexer.tokenize(#"f"a{x!r:>{w}.2f}b{{c}}{y=}""#)[0].kind else {
            return XCTFail("not an f-string")
        }
        guard segs.count == 4 else { return XCTFail("\(segs)") }
        XCTAssertEqual(segs[0], .literal("a"))
        guard case .field(let f) = segs[1] else { return XCTFail() }
        XCTAssertEqual(f.source, "x")
        XCTAssertEqual(f.conversion, .repr)
        XCTAssertEqual(f.line, 1)
        XCTAssertEqual(f.column, 5)
        guard let spec = f.formatSpec, spec.count == 3, case .field(let w) = spec[1] else { return XCTFail() }
        XCTAssertEqual(spec[0], .literal(">"))
        XCTAssertEqual(w.source, "w")
        XCTAssertEqual(spec[2], .literal(".2f"))
        XCTAssertEqual(segs[2], .literal("b{c}"))
        guard case .field(let y) = segs[3] else { return XCTFail() }
        XCTAssertEqual(y.debugText, "y=")
        XCTAssertEqual(y.conversion, .repr)
        // `!=` inside a field is an operator, not a conversion; strings and dicts nest.
        guard case .fstring(let s2) = try Lexer.tokenize(#"f"{a != b}{d['k']}{ {1: 2}[1] }""#)[0].kind,
              s2.count == 3, case .field(let ne) = s2[0], case .field(let sub) = s2[1],
              case .field(let dict) = s2[2] else {
            return XCTFail()
        }
        XCTAssertEqual(ne.source, "a != b")
        XCTAssertEqual(sub.source, "d['k']")
        XCTAssertEqual(dict.source, " {1: 2}[1] ")
        XCTAssertEqual(lexError(#"f"{x"#)?.message, "unterminated string literal (detected at line 1)")
        XCTAssertEqual(lexError(#"f"{x""#)?.message, "f-string: expecting '}'")
        XCTAssertEqual(lexError(#"f"}""#)?.message, "f-string: single '}' is not allowed")
        XCTAssertEqual(lexError(#"f"{}""#)?.message, "f-string: valid expression required before '}'")
        XCTAssertEqual(lexError(#"f"{x!q}""#)?.message.hasPrefix("f-string: invalid conversion character"), true)
        XCTAssertEqual(lexError(#"f"{a:{b:{c}}}""#)?.message, "f-string: expressions nested too deeply")
    }

    func testKeywordsAndOperators() throws {
        XCTAssertEqual(try kinds("a is not b not in c and not d or e"),
                       ["a", "is", "not", "b", "not", "in", "c", "and", "not", "d", "or", "e", "NEWLINE", "EOF"])
        let ops = "** // @ -> := += -= *= /= //= %= **= @= &= |= ^= >>= <<= == != <= >= < > << >> ... ~"
        XCTAssertEqual(try kinds(ops).dropLast(2).joined(separator: " "), ops)
        XCTAssertEqual(Punct.doubleSlashAssign.augmentedOperator, .floorDiv)
        for k in Keyword.allCases {
            XCTAssertEqual(try Lexer.tokenize(k.rawValue)[0].kind, .keyword(k))
        }
        XCTAssertEqual(try Lexer.tokenize("match")[0].kind, .name("match"))
        XCTAssertEqual(lexError("a $ b")?.message, "invalid character '$' (U+0024)")
        XCTAssertEqual(lexError("a ! b")?.message, "invalid syntax")
    }

    func testSpansCountUnicodeScalars() throws {
        let toks = try Lexer.tokenize("# 定义网络层\ns = '变量' + x\n")
        // s = '变量' + x
        XCTAssertEqual(toks[0].span, SourceSpan(line: 2, column: 1, length: 1))
        XCTAssertEqual(toks[2].span, SourceSpan(line: 2, column: 5, length: 4))
        XCTAssertEqual(toks[3].span.column, 10)
        XCTAssertEqual(toks[4].span.column, 12)
        let multi = try Lexer.tokenize("x = '''a\nbc'''\n")
        XCTAssertEqual(multi[2].span, SourceSpan(line: 1, column: 5, endLine: 2, endColumn: 6))
        // CRLF line endings.
        let crlf = try Lexer.tokenize("a\r\nb\r\n")
        XCTAssertEqual(crlf[2].span.line, 2)
        XCTAssertEqual(crlf[2].span.column, 1)
    }

    func testUnicodeIdentifiers() throws {
        XCTAssertEqual(try Lexer.tokenize("变量 = 1")[0].kind, .name("变量"))
        XCTAssertEqual(try Lexer.tokenize("_x1")[0].kind, .name("_x1"))
    }
}
