// Tokens produced by `Lexer` and consumed by `Parser`.

/// Python's reserved words (soft keywords such as `match`, `case`, `type` lex as names).
public enum Keyword: String, Hashable, Sendable, CaseIterable {
    case `false` = "False", `none` = "None", `true` = "True"
    case and, `as`, assert, async, await, `break`, `class`, `continue`, def, del, elif, `else`
    case except, finally, `for`, from, global, `if`, `import`, `in`, `is`, lambda, nonlocal
    case not, or, pass, raise, `return`, `try`, `while`, with, yield

    /// Keyword lookup by spelling.
    static let byName: [String: Keyword] = {
        var table: [String: Keyword] = [:]
        for k in Keyword.allCases { table[k.rawValue] = k }
        return table
    }()
}

/// Operators and delimiters.
public enum Punct: String, Hashable, Sendable, CaseIterable {
    case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
    case comma = ",", colon = ":", semicolon = ";", dot = ".", ellipsis = "...", arrow = "->"
    case at = "@", assign = "=", walrus = ":="
    case plus = "+", minus = "-", star = "*", slash = "/", doubleSlash = "//", percent = "%"
    case doubleStar = "**", leftShift = "<<", rightShift = ">>", ampersand = "&", pipe = "|"
    case caret = "^", tilde = "~"
    case less = "<", greater = ">", lessEqual = "<=", greaterEqual = ">=", equal = "==", notEqual = "!="
    case plusAssign = "+=", minusAssign = "-=", starAssign = "*=", slashAssign = "/="
    case doubleSlashAssign = "//=", percentAssign = "%=", doubleStarAssign = "**=", atAssign = "@="
    case ampersandAssign = "&=", pipeAssign = "|=", caretAssign = "^=", rightShiftAssign = ">>="
    case leftShiftAssign = "<<="

    /// The binary operator of an augmented assignment (`+=` → `.add`), nil for other tokens.
    public var augmentedOperator: BinaryOperator? {
        switch self {
        case .plusAssign: return .add
        case .minusAssign: return .sub
        case .starAssign: return .mul
        case .slashAssign: return .div
        case .doubleSlashAssign: return .floorDiv
        case .percentAssign: return .mod
        case .doubleStarAssign: return .pow
        case .atAssign: return .matMul
        case .ampersandAssign: return .bitAnd
        case .pipeAssign: return .bitOr
        case .caretAssign: return .bitXor
        case .rightShiftAssign: return .rshift
        case .leftShiftAssign: return .lshift
        default: return nil
        }
    }
}

/// A raw f-string piece as the lexer sees it; the parser turns `field`s into `FormattedValue`s.
public enum FStringSegment: Equatable {
    /// Literal text with escapes and doubled braces resolved.
    case literal(String)
    /// A `{...}` replacement field.
    case field(FStringField)
}

/// A raw f-string replacement field: the expression's source text and where it starts.
public struct FStringField: Equatable {
    /// The expression source, verbatim (without the braces, conversion or spec).
    public var source: String
    /// 1-based line of the first scalar of `source`.
    public var line: Int
    /// 1-based column of the first scalar of `source`.
    public var column: Int
    /// `!s` / `!r` / `!a`.
    public var conversion: FStringConversion?
    /// The format spec after `:`, nil when absent.
    public var formatSpec: [FStringSegment]?
    /// `{expr=}`: the text `expr=` (with surrounding spaces) is printed before the value.
    public var debugText: String?
}

/// The kinds of token.
public enum TokenKind: Equatable {
    /// An identifier.
    case name(String)
    /// A reserved word.
    case keyword(Keyword)
    /// An integer literal.
    case int(Int)
    /// A floating-point literal.
    case float(Double)
    /// A string literal (escapes resolved).
    case string(String)
    /// A bytes literal `b'...'` (escapes resolved).
    case bytes([UInt8])
    /// An f-string literal, split into segments.
    case fstring([FStringSegment])
    /// An operator or delimiter.
    case punct(Punct)
    /// End of a logical line.
    case newline
    /// Indentation increased.
    case indent
    /// Indentation decreased (one per popped level).
    case dedent
    /// End of input.
    case eof
}

/// A token and where it came from.
public struct Token: Equatable, CustomStringConvertible {
    /// What the token is.
    public var kind: TokenKind
    /// Its source span.
    public var span: SourceSpan

    /// Creates a token.
    public init(_ kind: TokenKind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
    }

    /// A short, human-readable rendering used in tests and error messages.
    public var description: String {
        switch kind {
        case .name(let s): return s
        case .keyword(let k): return k.rawValue
        case .int(let v): return String(v)
        case .float(let v): return String(v)
        case .string(let s): return String(reflecting: s)
        case .bytes(let b): return "b" + String(reflecting: String(decoding: b, as: UTF8.self))
        case .fstring(let parts): return "f" + String(reflecting: parts.map { seg -> String in
            switch seg {
            case .literal(let t): return t
            case .field(let f): return "{" + f.source + "}"
            }
        }.joined())
        case .punct(let p): return p.rawValue
        case .newline: return "NEWLINE"
        case .indent: return "INDENT"
        case .dedent: return "DEDENT"
        case .eof: return "EOF"
        }
    }

    /// True when this token is the given punctuation.
    @inline(__always) func isPunct(_ p: Punct) -> Bool {
        if case .punct(let q) = kind { return q == p }
        return false
    }

    /// True when this token is the given keyword.
    @inline(__always) func isKeyword(_ k: Keyword) -> Bool {
        if case .keyword(let q) = kind { return q == k }
        return false
    }
}
