// The parser: tokens → AST, by recursive descent following Python 3's grammar.
//
// Statements dispatch on their first token; expressions descend Python's precedence levels:
// lambda / conditional → or → and → not → comparison → | ^ & << >> + - * / // % @ (by
// precedence climbing) → unary + - ~ → ** → primary (attribute, call, subscript) → atom.
// Nesting is bounded (brackets by the lexer, expressions by `maxDepth`) so hostile input gives
// a SyntaxError instead of overflowing the stack.

import TensorRuntime

/// What the REPL should do with the input collected so far.
public enum InputStatus {
    /// The input is a complete statement list: run it.
    case complete
    /// The input stops inside a bracket, string, block or after a `\`: show `... ` and read more.
    case incomplete
    /// The input can never become valid: report the error.
    case invalid(SyntaxError)
}

/// Returns true unless the REPL should keep reading lines (see `Parser.inputStatus`); invalid
/// input counts as complete (running it reports the error).
public func isCompleteInput(_ source: String) -> Bool {
    if case .incomplete = Parser.inputStatus(source) { return false }
    return true
}

/// Recursive-descent parser for the nnrepl language (a subset of Python 3). Use the static
/// entry points `parseModule(source:fileName:)`, `parseExpression(_:fileName:)` and
/// `inputStatus(_:)`. REPL `:commands` must be stripped by the caller before parsing.
public final class Parser {
    private var lexer: Lexer
    private var current: Token
    private var previous: Token
    private var lookahead: [Token] = []
    private let fileName: String
    private var depth: Int
    /// Expression nesting of the tree being built: `depth` plus the length of left-deep chains
    /// such as `a + b + c` or `x.a.b[0]`, which the parser builds in loops.
    private var treeDepth: Int
    private var functionDepth = 0
    private var loopDepth = 0

    /// The deepest expression nesting accepted (each bracket, unary operator, `**`, lambda and
    /// conditional counts a level).
    static let maxDepth = 300
    /// The deepest expression tree accepted (bounds the interpreter's recursion over it).
    static let maxTreeDepth = 1000

    private init(lexer: Lexer, fileName: String, depth: Int, treeDepth: Int = 0) throws {
        self.lexer = lexer
        self.fileName = fileName
        self.depth = depth
        self.treeDepth = treeDepth
        let first = try self.lexer.next()
        self.current = first
        self.previous = first
    }

    // MARK: Entry points

    /// Parses a whole module (a script file or one REPL input) into its statements.
    public static func parseModule(source: String, fileName: String = "<string>") throws -> [Stmt] {
        let p = try Parser(lexer: Lexer(source: source, fileName: fileName), fileName: fileName, depth: 0)
        var stmts: [Stmt] = []
        while p.current.kind != .eof {
            try p.parseStatement(into: &stmts)
        }
        return stmts
    }

    /// Parses a single expression (surrounding whitespace and newlines allowed), e.g. for
    /// `:time` arguments or tests. Tuples without parentheses are accepted.
    public static func parseExpression(_ source: String, fileName: String = "<string>") throws -> Expr {
        let p = try Parser(lexer: Lexer(source: source, fileName: fileName), fileName: fileName, depth: 0)
        while p.current.kind == .newline || p.current.kind == .indent { try p.advance() }
        let e = try p.parseStarExpressions()
        while p.current.kind == .newline || p.current.kind == .dedent { try p.advance() }
        guard p.current.kind == .eof else { throw p.error("invalid syntax") }
        return e
    }

    /// Classifies REPL input: complete, incomplete (needs continuation lines), or invalid.
    /// As in Python's REPL, input whose last statement is compound (`def`, `if`, `for`, ...)
    /// stays incomplete until it ends with a blank line.
    public static func inputStatus(_ source: String, fileName: String = "<stdin>") -> InputStatus {
        do {
            let stmts = try parseModule(source: source, fileName: fileName)
            if let last = stmts.last, last.isCompound, !endsWithBlankLine(source) { return .incomplete }
            return .complete
        } catch let e as SyntaxError {
            // A header still without its body after a blank line is an error, as in Python's REPL.
            let bodyNeverCame = e.kind == .indentationError && endsWithBlankLine(source)
            return e.isIncompleteInput && !bodyNeverCame ? .incomplete : .invalid(e)
        } catch {
            return .invalid(SyntaxError("\(error)", span: .unknown, fileName: fileName))
        }
    }

    private static func endsWithBlankLine(_ source: String) -> Bool {
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }
        guard lines.count > 1, let last = lines.last else { return false }
        return last.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
    }

    // MARK: Token helpers

    @discardableResult
    private func advance() throws -> Token {
        previous = current
        if lookahead.isEmpty {
            current = try lexer.next()
        } else {
            current = lookahead.removeFirst()
        }
        return previous
    }

    private func peekNext() throws -> Token {
        if lookahead.isEmpty { lookahead.append(try lexer.next()) }
        return lookahead[0]
    }

    @inline(__always) private func check(_ p: Punct) -> Bool { current.isPunct(p) }
    @inline(__always) private func check(_ k: Keyword) -> Bool { current.isKeyword(k) }

    private func match(_ p: Punct) throws -> Bool {
        if current.isPunct(p) { try advance(); return true }
        return false
    }

    private func match(_ k: Keyword) throws -> Bool {
        if current.isKeyword(k) { try advance(); return true }
        return false
    }

    @discardableResult
    private func expect(_ p: Punct, _ message: String? = nil) throws -> Token {
        guard current.isPunct(p) else { throw error(message ?? "expected '\(p.rawValue)'") }
        return try advance()
    }

    private func expectName(_ message: String = "invalid syntax") throws -> (String, SourceSpan) {
        guard case .name(let n) = current.kind else { throw error(message) }
        let t = try advance()
        return (n, t.span)
    }

    private func error(_ message: String, at span: SourceSpan? = nil, kind: ExceptionKind = .syntaxError) -> SyntaxError {
        SyntaxError(message, span: span ?? current.span, fileName: fileName,
                    isIncompleteInput: span == nil && current.kind == .eof, kind: kind)
    }

    private func unsupported(_ construct: String, at span: SourceSpan? = nil) -> SyntaxError {
        SyntaxError("\(construct) not supported by nnrepl", span: span ?? current.span, fileName: fileName)
    }

    /// Enters one level of recursive expression parsing; pair with `leave()`.
    private func enter() throws {
        depth += 1
        treeDepth += 1
        if depth > Parser.maxDepth {
            throw error("expression too deeply nested (nnrepl's limit is \(Parser.maxDepth) levels)")
        }
        if treeDepth > Parser.maxTreeDepth { throw tooDeepTree() }
    }

    @inline(__always) private func leave() {
        depth -= 1
        treeDepth -= 1
    }

    /// Counts one more link of a left-deep chain built in a loop; undo with `treeDepth -= n`.
    @inline(__always) private func extendChain() throws {
        treeDepth += 1
        if treeDepth > Parser.maxTreeDepth { throw tooDeepTree() }
    }

    private func tooDeepTree() -> SyntaxError {
        error("expression too deeply nested (nnrepl's limit is \(Parser.maxTreeDepth) levels)")
    }

    /// Span from `start` through the last consumed token.
    @inline(__always) private func spanFrom(_ start: SourceSpan) -> SourceSpan {
        start.through(previous.span)
    }

    private func startsExpression(_ t: Token) -> Bool {
        switch t.kind {
        case .name, .int, .float, .string, .fstring, .bytes: return true
        case .keyword(let k):
            switch k {
            case .true, .false, .none, .not, .lambda, .await, .yield: return true
            default: return false
            }
        case .punct(let p):
            switch p {
            case .lparen, .lbracket, .lbrace, .minus, .plus, .tilde, .star, .ellipsis: return true
            default: return false
            }
        default: return false
        }
    }

    // MARK: Statements

    private func parseStatement(into stmts: inout [Stmt]) throws {
        switch current.kind {
        case .indent:
            throw error("unexpected indent", kind: .indentationError)
        case .dedent:
            throw error("unindent does not match any outer indentation level", kind: .indentationError)
        case .newline:
            try advance()
        case .keyword(let k):
            switch k {
            case .if: stmts.append(try parseIf())
            case .while: stmts.append(try parseWhile())
            case .for: stmts.append(try parseFor())
            case .try: stmts.append(try parseTry())
            case .with: stmts.append(try parseWith())
            case .def: stmts.append(try parseDef(decorators: [], start: current.span))
            case .class: stmts.append(try parseClass(decorators: [], start: current.span))
            case .async: throw unsupported("'async' is")
            default: try parseSimpleStatements(into: &stmts)
            }
        case .punct(.at):
            stmts.append(try parseDecorated())
        default:
            try parseSimpleStatements(into: &stmts)
        }
    }

    /// `small (; small)* [;] NEWLINE`, turning errors on Python-2 `print x` and on `match x:`
    /// into messages that name the construct.
    private func parseSimpleStatements(into stmts: inout [Stmt]) throws {
        let first = current
        if case .name("match") = first.kind, try startsMatchStatement() {
            stmts.append(try parseMatch())
            return
        }
        guard case .name(let n) = first.kind, n == "print" || n == "exec" else {
            return try parseSimpleStatementsCore(into: &stmts)
        }
        let second = try peekNext()
        do {
            try parseSimpleStatementsCore(into: &stmts)
        } catch let e as SyntaxError where !e.isIncompleteInput {
            let startsOperand: Bool
            switch second.kind {
            case .name, .int, .float, .string, .fstring, .bytes: startsOperand = true
            case .keyword(let k): startsOperand = k == .true || k == .false || k == .none || k == .not
            default: startsOperand = false
            }
            guard startsOperand else { throw e }
            throw SyntaxError("Missing parentheses in call to '\(n)'. Did you mean \(n)(...)?",
                              span: first.span, fileName: fileName)
        }
    }

    private func parseSimpleStatementsCore(into stmts: inout [Stmt]) throws {
        while true {
            stmts.append(try parseSmallStatement())
            if try match(.semicolon) {
                if current.kind == .newline || current.kind == .eof { break }
                continue
            }
            break
        }
        switch current.kind {
        case .newline: try advance()
        case .eof: break
        default: throw error("invalid syntax")
        }
    }

    private func parseSmallStatement() throws -> Stmt {
        let start = current.span
        if case .keyword(let k) = current.kind {
            switch k {
            case .pass:
                try advance()
                return Stmt(.pass, start)
            case .break:
                if loopDepth == 0 { throw error("'break' outside loop") }
                try advance()
                return Stmt(.breakStmt, start)
            case .continue:
                if loopDepth == 0 { throw error("'continue' not properly in loop") }
                try advance()
                return Stmt(.continueStmt, start)
            case .return:
                if functionDepth == 0 { throw error("'return' outside function") }
                try advance()
                var value: Expr? = nil
                if startsExpression(current) { value = try parseStarExpressions() }
                return Stmt(.returnStmt(value), spanFrom(start))
            case .raise:
                try advance()
                var exc: Expr? = nil, cause: Expr? = nil
                if startsExpression(current) {
                    exc = try parseExpr()
                    if try match(.from) { cause = try parseExpr() }
                }
                return Stmt(.raise(exception: exc, cause: cause), spanFrom(start))
            case .global, .nonlocal:
                try advance()
                if k == .nonlocal && functionDepth == 0 {
                    throw error("nonlocal declaration not allowed at module level", at: start)
                }
                var names: [String] = []
                repeat {
                    names.append(try expectName().0)
                } while try match(.comma)
                return Stmt(k == .global ? .global(names) : .nonlocal(names), spanFrom(start))
            case .del:
                try advance()
                let target = try parseTargetList()
                try validateTarget(target, .del)
                let targets: [Expr]
                if case .tuple(let items) = target.kind, !isParenthesized(target) {
                    targets = items
                } else {
                    targets = [target]
                }
                return Stmt(.del(targets), spanFrom(start))
            case .assert:
                try advance()
                let cond = try parseExpr()
                var msg: Expr? = nil
                if try match(.comma) { msg = try parseExpr() }
                return Stmt(.assert(condition: cond, message: msg), spanFrom(start))
            case .import:
                return try parseImport()
            case .from:
                return try parseFromImport()
            case .yield:
                return Stmt(.expression(try parseYield()), spanFrom(start))
            case .await:
                throw unsupported("'await' is")
            case .async:
                throw unsupported("'async' is")
            default:
                break
            }
        }
        return try parseExpressionStatement()
    }

    /// Tuples built from a parenthesized display start with `(`; we record that by span:
    /// a bare tuple's span starts at its first element.
    private func isParenthesized(_ e: Expr) -> Bool {
        guard case .tuple(let items) = e.kind, let first = items.first else { return true }
        return first.span.line != e.span.line || first.span.column != e.span.column
    }

    private func parseExpressionStatement() throws -> Stmt {
        let start = current.span
        let first = try parseStarExpressions(allowLoneStar: true)
        if check(.assign) {
            var items = [first]
            while try match(.assign) {
                items.append(check(.yield) ? try parseYield() : try parseStarExpressions(allowLoneStar: true))
            }
            let value = items.removeLast()
            if case .starred = value.kind { throw error("can't use starred expression here", at: value.span) }
            for t in items { try validateTarget(t, .assign) }
            return Stmt(.assign(targets: items, value: value), spanFrom(start))
        }
        if case .punct(let p) = current.kind, let op = p.augmentedOperator {
            switch first.kind {
            case .name, .attribute, .subscription: break
            default:
                throw error("'\(describe(first))' is an illegal expression for augmented assignment",
                            at: first.span)
            }
            try advance()
            let value = check(.yield) ? try parseYield() : try parseStarExpressions()
            return Stmt(.augAssign(target: first, op: op, value: value), spanFrom(start))
        }
        if check(.colon) {
            switch first.kind {
            case .name, .attribute, .subscription: break
            case .tuple: throw error("only single target (not tuple) can be annotated", at: first.span)
            case .list: throw error("only single target (not list) can be annotated", at: first.span)
            default: throw error("illegal target for annotation", at: first.span)
            }
            try advance()
            let annotation = try parseExpr()
            var value: Expr? = nil
            if try match(.assign) { value = try parseStarExpressions() }
            return Stmt(.annAssign(target: first, annotation: annotation, value: value), spanFrom(start))
        }
        if case .starred = first.kind { throw error("can't use starred expression here", at: first.span) }
        return Stmt(.expression(first), first.span)
    }

    private enum TargetContext { case assign, del, forLoop, with, comprehension }

    private func validateTarget(_ e: Expr, _ ctx: TargetContext, nested: Bool = false) throws {
        switch e.kind {
        case .name, .attribute, .subscription:
            return
        case .tuple(let items), .list(let items):
            var stars = 0
            for item in items {
                if case .starred(let inner) = item.kind {
                    if ctx == .del { throw error("cannot delete starred", at: item.span) }
                    stars += 1
                    if stars > 1 { throw error("multiple starred expressions in assignment", at: item.span) }
                    try validateTarget(inner, ctx, nested: true)
                } else {
                    try validateTarget(item, ctx, nested: true)
                }
            }
        case .starred:
            if ctx == .del { throw error("cannot delete starred", at: e.span) }
            throw error("starred assignment target must be in a list or tuple", at: e.span)
        default:
            let what = describe(e)
            if ctx == .del { throw error("cannot delete \(what)", at: e.span) }
            var message = "cannot assign to \(what)"
            switch e.kind {
            case .bool, .none: break
            default: if ctx == .assign && !nested { message += " here. Maybe you meant '==' instead of '='?" }
            }
            throw error(message, at: e.span)
        }
    }

    /// Python's name for an expression form in error messages.
    private func describe(_ e: Expr) -> String {
        switch e.kind {
        case .name: return "name"
        case .int, .float, .string, .bytes: return "literal"
        case .fstring: return "f-string expression"
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .ellipsis: return "ellipsis"
        case .tuple: return "tuple"
        case .list: return "list"
        case .set: return "set display"
        case .dict: return "dict literal"
        case .starred: return "starred"
        case .attribute: return "attribute"
        case .subscription: return "subscript"
        case .slice: return "slice"
        case .call: return "function call"
        case .unary, .binary, .logical: return "expression"
        case .compare: return "comparison"
        case .ifExp: return "conditional expression"
        case .lambda: return "lambda"
        case .listComp: return "list comprehension"
        case .setComp: return "set comprehension"
        case .dictComp: return "dict comprehension"
        case .generator: return "generator expression"
        case .yield, .yieldFrom: return "yield expression"
        case .namedExpr: return "named expression"
        }
    }

    // MARK: match statements

    /// Whether the line starting at the soft keyword `match` is a match statement: it goes on
    /// with an operand and ends with `:` (no simple statement does), as CPython decides.
    private func startsMatchStatement() throws -> Bool {
        var k = 0
        func token(_ i: Int) throws -> Token {
            while lookahead.count <= i { lookahead.append(try lexer.next()) }
            return lookahead[i]
        }
        while true {
            let t = try token(k)
            if t.kind == .newline || t.kind == .eof {
                guard k > 1 else { return false }
                return try token(k - 1).isPunct(.colon)
            }
            k += 1
        }
    }

    /// `match subject:` NEWLINE INDENT `case` blocks DEDENT.
    private func parseMatch() throws -> Stmt {
        let keyword = try advance()
        var subject = try parseStarOrExpr(named: true)
        if check(.comma) {
            var items = [subject]
            while try match(.comma) {
                if check(.colon) { break }
                items.append(try parseStarOrExpr(named: true))
            }
            subject = Expr(.tuple(items), spanFrom(subject.span))
        } else if case .starred = subject.kind {
            throw error("can't use starred expression here", at: subject.span)
        }
        let header = spanFrom(keyword.span)
        try expect(.colon, "expected ':'")
        guard current.kind == .newline else { throw error("invalid syntax") }
        try advance()
        guard current.kind == .indent else {
            while current.kind == .dedent { try advance() }
            throw error("expected an indented block after 'match' statement on line \(keyword.span.line)",
                        kind: .indentationError)
        }
        try advance()
        var cases: [MatchCase] = []
        while current.kind != .dedent && current.kind != .eof {
            guard case .name("case") = current.kind else { throw error("invalid syntax") }
            cases.append(try parseCase())
        }
        if current.kind == .dedent { try advance() }
        return Stmt(.match(subject: subject, cases: cases), header)
    }

    private func parseCase() throws -> MatchCase {
        let keyword = try advance()
        let pattern = try parseOpenPattern()
        var guardExpr: Expr?
        if try match(.if) { guardExpr = try parseNamedExpr() }
        let header = spanFrom(keyword.span)
        let body = try parseBlock(after: "'case' statement", line: keyword.span.line)
        return MatchCase(pattern: pattern, guardExpr: guardExpr, body: body, span: header)
    }

    /// A pattern, or an open sequence pattern `p, *q` (a case's top level).
    private func parseOpenPattern() throws -> Pattern {
        let first = try parseMaybeStarPattern()
        guard check(.comma) else {
            if case .star = first { throw error("invalid syntax") }
            return first
        }
        var items = [first]
        while try match(.comma) {
            if check(.colon) || check(.if) { break }
            items.append(try parseMaybeStarPattern())
        }
        return .sequence(items)
    }

    private func parseMaybeStarPattern() throws -> Pattern {
        guard try match(.star) else { return try parsePattern() }
        let (n, _) = try expectName()
        return .star(n == "_" ? nil : n)
    }

    /// `closed ('|' closed)* ['as' NAME]`.
    private func parsePattern() throws -> Pattern {
        try enter()
        defer { leave() }
        var alternatives = [try parseClosedPattern()]
        while try match(.pipe) { alternatives.append(try parseClosedPattern()) }
        var p = alternatives.count == 1 ? alternatives[0] : .or(alternatives)
        if try match(.as) {
            let (n, span) = try expectName()
            if n == "_" { throw error("cannot use '_' as a target", at: span) }
            p = .asPattern(p, n)
        }
        return p
    }

    private func parseClosedPattern() throws -> Pattern {
        let t = current
        switch t.kind {
        case .int, .float:
            return .value(try parseUnary())
        case .string:
            return .value(try parseStrings())
        case .punct(.minus):
            try advance()
            switch current.kind {
            case .int, .float: break
            default: throw error("invalid syntax")
            }
            let number = try parseUnary()
            return .value(Expr(.unary(.negate, number), t.span.through(number.span)))
        case .keyword(.none), .keyword(.true), .keyword(.false):
            return .singleton(try parseUnary())
        case .name(let n):
            try advance()
            var e = Expr(.name(n), t.span)
            var dotted = false
            while try match(.dot) {
                let (attribute, _) = try expectName()
                e = Expr(.attribute(e, name: attribute), spanFrom(t.span))
                dotted = true
            }
            if check(.lparen) { return try parseClassPattern(e) }
            if dotted { return .value(e) }
            return n == "_" ? .wildcard : .capture(n)
        case .punct(.lparen):
            try advance()
            if try match(.rparen) { return .sequence([]) }
            let first = try parseMaybeStarPattern()
            if try match(.rparen) {
                if case .star = first { return .sequence([first]) }
                return first
            }
            var items = [first]
            while try match(.comma) {
                if check(.rparen) { break }
                items.append(try parseMaybeStarPattern())
            }
            try expect(.rparen, "invalid syntax")
            return .sequence(items)
        case .punct(.lbracket):
            try advance()
            var items: [Pattern] = []
            while !check(.rbracket) {
                items.append(try parseMaybeStarPattern())
                if !(try match(.comma)) { break }
            }
            try expect(.rbracket, "invalid syntax")
            return .sequence(items)
        case .punct(.lbrace):
            try advance()
            var keys: [Expr] = [], values: [Pattern] = []
            var rest: String?
            while !check(.rbrace) {
                if try match(.doubleStar) {
                    rest = try expectName().0
                    _ = try match(.comma)
                    break
                }
                switch try parseClosedPattern() {
                case .value(let k), .singleton(let k): keys.append(k)
                default: throw error("mapping pattern keys may only match literals and attribute lookups")
                }
                try expect(.colon, "invalid syntax")
                values.append(try parsePattern())
                if !(try match(.comma)) { break }
            }
            try expect(.rbrace, "invalid syntax")
            return .mapping(keys: keys, values: values, rest: rest)
        default:
            throw error("invalid syntax")
        }
    }

    /// `Cls(p, q, attr=r)` (the class expression already parsed).
    private func parseClassPattern(_ cls: Expr) throws -> Pattern {
        try expect(.lparen)
        var positional: [Pattern] = [], keywords: [(String, Pattern)] = []
        while !check(.rparen) {
            if case .name(let n) = current.kind, case .punct(.assign) = try peekNext().kind {
                try advance()
                try advance()
                keywords.append((n, try parsePattern()))
            } else {
                if !keywords.isEmpty { throw error("positional patterns follow keyword patterns") }
                positional.append(try parsePattern())
            }
            if !(try match(.comma)) { break }
        }
        try expect(.rparen, "invalid syntax")
        return .classPattern(cls, positional: positional, keywords: keywords)
    }

    // MARK: Blocks and compound statements

    /// `':' NEWLINE INDENT stmts DEDENT` or `':' simple_stmts`.
    private func parseBlock(after what: String, line: Int) throws -> [Stmt] {
        try expect(.colon, "expected ':'")
        guard current.kind == .newline else {
            var stmts: [Stmt] = []
            try parseSimpleStatements(into: &stmts)
            return stmts
        }
        try advance()
        guard current.kind == .indent else {
            // A nested header at the end of the input (`class A:\n    def f(self):`) is followed
            // by the DEDENTs closing its enclosing blocks; past them the input ends, so the error
            // is flagged as incomplete input, as for a top-level header.
            while current.kind == .dedent { try advance() }
            throw error("expected an indented block after \(what) on line \(line)", kind: .indentationError)
        }
        try advance()
        var body: [Stmt] = []
        while current.kind != .dedent && current.kind != .eof {
            try parseStatement(into: &body)
        }
        if current.kind == .dedent { try advance() }
        return body
    }

    private func parseIf() throws -> Stmt {
        let keyword = try advance() // if / elif
        let what = keyword.isKeyword(.elif) ? "'elif' statement" : "'if' statement"
        let cond = try parseNamedExpr()
        let header = spanFrom(keyword.span)
        let body = try parseBlock(after: what, line: keyword.span.line)
        var otherwise: [Stmt] = []
        if check(.elif) {
            otherwise = [try parseIf()]
        } else if check(.else) {
            let e = try advance()
            otherwise = try parseBlock(after: "'else' statement", line: e.span.line)
        }
        return Stmt(.ifStmt(condition: cond, body: body, otherwise: otherwise), header)
    }

    private func parseLoopBody(after what: String, line: Int) throws -> [Stmt] {
        loopDepth += 1
        defer { loopDepth -= 1 }
        return try parseBlock(after: what, line: line)
    }

    private func parseElse() throws -> [Stmt] {
        guard check(.else) else { return [] }
        let e = try advance()
        return try parseBlock(after: "'else' statement", line: e.span.line)
    }

    private func parseWhile() throws -> Stmt {
        let keyword = try advance()
        let cond = try parseNamedExpr()
        let header = spanFrom(keyword.span)
        let body = try parseLoopBody(after: "'while' statement", line: keyword.span.line)
        let otherwise = try parseElse()
        return Stmt(.whileStmt(condition: cond, body: body, otherwise: otherwise), header)
    }

    private func parseFor() throws -> Stmt {
        let keyword = try advance()
        let target = try parseTargetList()
        try validateTarget(target, .forLoop)
        guard try match(.in) else { throw error("expected 'in'") }
        let iterable = try parseStarExpressions()
        let header = spanFrom(keyword.span)
        let body = try parseLoopBody(after: "'for' statement", line: keyword.span.line)
        let otherwise = try parseElse()
        return Stmt(.forStmt(target: target, iterable: iterable, body: body, otherwise: otherwise), header)
    }

    private func parseTry() throws -> Stmt {
        let keyword = try advance()
        let header = keyword.span
        let body = try parseBlock(after: "'try' statement", line: keyword.span.line)
        var handlers: [ExceptHandler] = []
        var sawBare = false
        while check(.except) {
            let ex = try advance()
            if sawBare { throw error("default 'except:' must be last", at: ex.span) }
            if check(.star) { throw unsupported("'except*' (exception groups) is") }
            var type: Expr? = nil
            var name: String? = nil
            if !check(.colon) {
                type = try parseExpr()
                if check(.comma) {
                    throw error("multiple exception types must be parenthesized", at: type?.span)
                }
                if try match(.as) { name = try expectName().0 }
            } else {
                sawBare = true
            }
            let hspan = spanFrom(ex.span)
            let hbody = try parseBlock(after: "'except' statement", line: ex.span.line)
            handlers.append(ExceptHandler(type: type, name: name, body: hbody, span: hspan))
        }
        var otherwise: [Stmt] = []
        if !handlers.isEmpty { otherwise = try parseElse() }
        var finally: [Stmt] = []
        if check(.finally) {
            let f = try advance()
            finally = try parseBlock(after: "'finally' statement", line: f.span.line)
        } else if handlers.isEmpty {
            throw error("expected 'except' or 'finally' block")
        }
        return Stmt(.tryStmt(body: body, handlers: handlers, otherwise: otherwise, finally: finally), header)
    }

    private func parseWith() throws -> Stmt {
        let keyword = try advance()
        var items: [WithItem] = []
        repeat {
            let ctx = try parseExpr()
            var target: Expr? = nil
            if try match(.as) {
                target = try parseTargetItem()
                if let t = target { try validateTarget(t, .with) }
            }
            items.append(WithItem(context: ctx, target: target))
        } while try match(.comma)
        let header = spanFrom(keyword.span)
        let body = try parseBlock(after: "'with' statement", line: keyword.span.line)
        return Stmt(.with(items, body: body), header)
    }

    private func parseDecorated() throws -> Stmt {
        let start = current.span
        var decorators: [Expr] = []
        while try match(.at) {
            decorators.append(try parseExpr())
            guard current.kind == .newline else { throw error("invalid syntax") }
            try advance()
        }
        if check(.def) { return try parseDef(decorators: decorators, start: start) }
        if check(.class) { return try parseClass(decorators: decorators, start: start) }
        if check(.async) { throw unsupported("'async' is") }
        throw error("invalid syntax")
    }

    private func parseDef(decorators: [Expr], start: SourceSpan) throws -> Stmt {
        let keyword = try advance()
        let (name, _) = try expectName()
        try expect(.lparen, "expected '('")
        var params = try parseParameters(lambda: false)
        try expect(.rparen, "expected ')'")
        if try match(.arrow) { params.returns = try parseExpr() }
        let header = spanFrom(keyword.span)
        let savedFunction = functionDepth, savedLoop = loopDepth
        functionDepth += 1
        loopDepth = 0
        defer { functionDepth = savedFunction; loopDepth = savedLoop }
        let body = try parseBlock(after: "function definition", line: keyword.span.line)
        let def = FunctionDef(name: name, parameters: params, body: body, decorators: decorators, span: header)
        return Stmt(.functionDef(def), decorators.isEmpty ? header : start.through(header))
    }

    private func parseClass(decorators: [Expr], start: SourceSpan) throws -> Stmt {
        let keyword = try advance()
        let (name, _) = try expectName()
        var bases: [Expr] = []
        var keywords: [(name: String, value: Expr)] = []
        if check(.lparen) {
            for arg in try parseCallArguments() {
                switch arg {
                case .positional(let e): bases.append(e)
                case .keyword(let k, let e):
                    if k == "metaclass" { throw unsupported("metaclass= is", at: e.span) }
                    keywords.append((k, e))
                case .unpack(let e), .unpackDict(let e):
                    throw unsupported("unpacking in a class's base list is", at: e.span)
                }
            }
        }
        let header = spanFrom(keyword.span)
        let savedFunction = functionDepth, savedLoop = loopDepth
        functionDepth = 0
        loopDepth = 0
        defer { functionDepth = savedFunction; loopDepth = savedLoop }
        let body = try parseBlock(after: "class definition", line: keyword.span.line)
        let cls = ClassDef(name: name, bases: bases, keywords: keywords, body: body, decorators: decorators, span: header)
        return Stmt(.classDef(cls), decorators.isEmpty ? header : start.through(header))
    }

    /// Parameters of a `def` (annotations allowed, ends at `)`) or `lambda` (ends at `:`).
    private func parseParameters(lambda: Bool) throws -> Parameters {
        var p = Parameters()
        var sawStar = false, sawSlash = false, sawDefault = false, bareStar = false
        var names = Set<String>()
        let end: Punct = lambda ? .colon : .rparen
        func parseOne() throws -> (String, SourceSpan, Expr?) {
            let (n, span) = try expectName()
            if !names.insert(n).inserted {
                throw error("duplicate argument '\(n)' in function definition", at: span)
            }
            if !lambda, try match(.colon) { return (n, span, try parseExpr()) }
            return (n, span, nil)
        }
        while !check(end) {
            if try match(.slash) {
                if sawSlash { throw error("/ may appear only once", at: previous.span) }
                if sawStar { throw error("/ must be ahead of *", at: previous.span) }
                if p.positional.isEmpty { throw error("at least one argument must precede /", at: previous.span) }
                p.positionalOnlyCount = p.positional.count
                sawSlash = true
            } else if try match(.star) {
                if sawStar { throw error("* argument may appear only once", at: previous.span) }
                sawStar = true
                if case .name = current.kind {
                    let (n, span, annotation) = try parseOne()
                    if check(.assign) { throw error("var-positional argument cannot have default value") }
                    p.varargs = Parameter(name: n, defaultValue: nil, span: span, annotation: annotation)
                } else {
                    bareStar = true
                }
            } else if try match(.doubleStar) {
                let (n, span, annotation) = try parseOne()
                if check(.assign) { throw error("var-keyword argument cannot have default value") }
                p.kwargs = Parameter(name: n, defaultValue: nil, span: span, annotation: annotation)
                _ = try match(.comma)
                if !check(end) { throw error("arguments cannot follow var-keyword argument") }
                break
            } else {
                let (n, span, annotation) = try parseOne()
                var def: Expr? = nil
                if try match(.assign) { def = try parseExpr() }
                let param = Parameter(name: n, defaultValue: def, span: span, annotation: annotation)
                if sawStar {
                    p.keywordOnly.append(param)
                } else {
                    if def != nil {
                        sawDefault = true
                    } else if sawDefault {
                        throw error("parameter without a default follows parameter with a default", at: span)
                    }
                    p.positional.append(param)
                }
            }
            if !(try match(.comma)) { break }
        }
        if bareStar && p.keywordOnly.isEmpty {
            throw error("named arguments must follow bare *")
        }
        return p
    }

    private func parseImport() throws -> Stmt {
        let start = try advance().span
        var aliases: [ImportAlias] = []
        repeat {
            let aliasStart = current.span
            let name = try parseDottedName()
            var asName: String? = nil
            if try match(.as) { asName = try expectName().0 }
            aliases.append(ImportAlias(name: name, asName: asName, span: spanFrom(aliasStart)))
        } while try match(.comma)
        return Stmt(.importStmt(aliases), spanFrom(start))
    }

    private func parseDottedName() throws -> String {
        var name = try expectName().0
        while try match(.dot) {
            name += "." + (try expectName().0)
        }
        return name
    }

    private func parseFromImport() throws -> Stmt {
        let start = try advance().span
        var level = 0
        while true {
            if try match(.dot) { level += 1 } else if try match(.ellipsis) { level += 3 } else { break }
        }
        var module = ""
        if !check(.import) || level == 0 { module = try parseDottedName() }
        guard try match(.import) else { throw error("invalid syntax") }
        var aliases: [ImportAlias] = []
        if check(.star) {
            let t = try advance()
            aliases.append(ImportAlias(name: "*", asName: nil, span: t.span))
        } else {
            let parenthesized = try match(.lparen)
            repeat {
                if parenthesized && check(.rparen) { break }
                let aliasStart = current.span
                let (n, _) = try expectName()
                var asName: String? = nil
                if try match(.as) { asName = try expectName().0 }
                aliases.append(ImportAlias(name: n, asName: asName, span: spanFrom(aliasStart)))
                if !parenthesized && check(.comma),
                   case let next = try peekNext(), next.kind == .newline || next.kind == .eof {
                    throw error("trailing comma not allowed without surrounding parentheses")
                }
            } while try match(.comma)
            if parenthesized { try expect(.rparen, "invalid syntax") }
            if aliases.isEmpty { throw error("invalid syntax") }
        }
        return Stmt(.importFrom(module: module, names: aliases, level: level), spanFrom(start))
    }

    // MARK: Expressions

    /// `star_expressions`: one expression, or a comma-separated tuple (trailing comma allowed);
    /// items may be starred.
    func parseStarExpressions(allowLoneStar: Bool = false) throws -> Expr {
        let first = try parseStarOrExpr()
        guard check(.comma) else {
            if !allowLoneStar, case .starred = first.kind {
                throw error("can't use starred expression here", at: first.span)
            }
            return first
        }
        var items = [first]
        while try match(.comma) {
            if !startsExpression(current) { break }
            items.append(try parseStarOrExpr())
        }
        return Expr(.tuple(items), spanFrom(first.span))
    }

    /// `*expression` or an expression (`named`: or an assignment expression, in a display).
    private func parseStarOrExpr(named: Bool = false) throws -> Expr {
        if check(.star) {
            let star = try advance()
            let inner = try parseBitOr()
            return Expr(.starred(inner), star.span.through(inner.span))
        }
        return named ? try parseNamedExpr() : try parseExpr()
    }

    /// `yield`, `yield value(s)` or `yield from iterable` (the current token is `yield`).
    private func parseYield() throws -> Expr {
        let keyword = try advance()
        if try match(.from) {
            let value = try parseExpr()
            return Expr(.yieldFrom(value), spanFrom(keyword.span))
        }
        guard startsExpression(current) else { return Expr(.yield(nil), keyword.span) }
        let value = try parseStarExpressions()
        return Expr(.yield(value), spanFrom(keyword.span))
    }

    /// A target list for `for`/comprehensions/`del`: items at `|` level so `in` is not eaten.
    private func parseTargetList() throws -> Expr {
        let first = try parseTargetItem()
        guard check(.comma) else { return first }
        var items = [first]
        while try match(.comma) {
            if !startsExpression(current) { break }
            items.append(try parseTargetItem())
        }
        return Expr(.tuple(items), spanFrom(first.span))
    }

    private func parseTargetItem() throws -> Expr {
        if check(.star) {
            let star = try advance()
            let inner = try parseBitOr()
            return Expr(.starred(inner), star.span.through(inner.span))
        }
        return try parseBitOr()
    }

    /// `expression`: lambda, or a disjunction with an optional `if ... else ...`.
    func parseExpr() throws -> Expr {
        try enter()
        defer { leave() }
        if check(.lambda) { return try parseLambda() }
        let e = try parseOr()
        if check(.if) {
            try advance()
            let cond = try parseOr()
            guard try match(.else) else { throw error("expected 'else' after 'if' expression") }
            let other = try parseExpr()
            return Expr(.ifExp(condition: cond, then: e, otherwise: other), e.span.through(other.span))
        }
        return e
    }

    /// `NAME := expression` (an assignment expression) or `expression`, where Python allows the
    /// former: conditions of `if`/`elif`/`while`, call arguments, and the items of parenthesized,
    /// list and set displays and comprehension elements.
    func parseNamedExpr() throws -> Expr {
        if case .name(let n) = current.kind, case .punct(.walrus) = try peekNext().kind {
            let name = try advance()
            try advance()
            let value = try parseExpr()
            return Expr(.namedExpr(n, value), name.span.through(value.span))
        }
        let e = try parseExpr()
        if check(.walrus) {
            throw error("cannot use assignment expressions with \(describe(e))", at: e.span)
        }
        return e
    }

    private func parseLambda() throws -> Expr {
        let keyword = try advance()
        let params = try parseParameters(lambda: true)
        try expect(.colon, "expected ':'")
        let savedFunction = functionDepth, savedLoop = loopDepth
        functionDepth += 1
        loopDepth = 0
        defer { functionDepth = savedFunction; loopDepth = savedLoop }
        let body = try parseExpr()
        return Expr(.lambda(params, body: body), keyword.span.through(body.span))
    }

    private func parseOr() throws -> Expr {
        var left = try parseAnd()
        let saved = treeDepth
        defer { treeDepth = saved }
        while check(.or) {
            try extendChain()
            try advance()
            let right = try parseAnd()
            left = Expr(.logical(.or, left, right), left.span.through(right.span))
        }
        return left
    }

    private func parseAnd() throws -> Expr {
        var left = try parseNot()
        let saved = treeDepth
        defer { treeDepth = saved }
        while check(.and) {
            try extendChain()
            try advance()
            let right = try parseNot()
            left = Expr(.logical(.and, left, right), left.span.through(right.span))
        }
        return left
    }

    private func parseNot() throws -> Expr {
        if check(.not) {
            try enter()
            defer { leave() }
            let keyword = try advance()
            let operand = try parseNot()
            return Expr(.unary(.not, operand), keyword.span.through(operand.span))
        }
        return try parseComparison()
    }

    private func compareOperator() throws -> (ComparisonOperator, Int)? {
        switch current.kind {
        case .punct(let p):
            switch p {
            case .less: return (.lt, 1)
            case .greater: return (.gt, 1)
            case .equal: return (.eq, 1)
            case .notEqual: return (.ne, 1)
            case .lessEqual: return (.le, 1)
            case .greaterEqual: return (.ge, 1)
            default: return nil
            }
        case .keyword(.in): return (.in, 1)
        case .keyword(.is):
            return try peekNext().isKeyword(.not) ? (.isNot, 2) : (.is, 1)
        case .keyword(.not):
            return try peekNext().isKeyword(.in) ? (.notIn, 2) : nil
        default: return nil
        }
    }

    private func parseComparison() throws -> Expr {
        let first = try parseBitOr()
        var ops: [ComparisonOperator] = []
        var rest: [Expr] = []
        while let (op, tokens) = try compareOperator() {
            for _ in 0..<tokens { try advance() }
            ops.append(op)
            rest.append(try parseBitOr())
        }
        guard let last = rest.last else { return first }
        return Expr(.compare(first, ops: ops, rest: rest), first.span.through(last.span))
    }

    private func binaryOperator() -> (BinaryOperator, Int)? {
        guard case .punct(let p) = current.kind else { return nil }
        switch p {
        case .pipe: return (.bitOr, 1)
        case .caret: return (.bitXor, 2)
        case .ampersand: return (.bitAnd, 3)
        case .leftShift: return (.lshift, 4)
        case .rightShift: return (.rshift, 4)
        case .plus: return (.add, 5)
        case .minus: return (.sub, 5)
        case .star: return (.mul, 6)
        case .slash: return (.div, 6)
        case .doubleSlash: return (.floorDiv, 6)
        case .percent: return (.mod, 6)
        case .at: return (.matMul, 6)
        default: return nil
        }
    }

    private func parseBitOr() throws -> Expr {
        try parseBinary(minPrecedence: 1)
    }

    /// Precedence climbing over the left-associative binary operators.
    private func parseBinary(minPrecedence: Int) throws -> Expr {
        var left = try parseUnary()
        let saved = treeDepth
        defer { treeDepth = saved }
        while let (op, prec) = binaryOperator(), prec >= minPrecedence {
            try extendChain()
            try advance()
            let right = try parseBinary(minPrecedence: prec + 1)
            left = Expr(.binary(op, left, right), left.span.through(right.span))
        }
        return left
    }

    private func parseUnary() throws -> Expr {
        let op: UnaryOperator
        switch current.kind {
        case .punct(.minus): op = .negate
        case .punct(.plus): op = .plus
        case .punct(.tilde): op = .invert
        default: return try parsePower()
        }
        try enter()
        defer { leave() }
        let t = try advance()
        let operand = try parseUnary()
        return Expr(.unary(op, operand), t.span.through(operand.span))
    }

    private func parsePower() throws -> Expr {
        let base = try parsePrimary()
        guard check(.doubleStar) else { return base }
        try enter()
        defer { leave() }
        try advance()
        let exponent = try parseUnary()
        return Expr(.binary(.pow, base, exponent), base.span.through(exponent.span))
    }

    private func parsePrimary() throws -> Expr {
        if check(.await) { throw unsupported("'await' is") }
        var e = try parseAtom()
        let saved = treeDepth
        defer { treeDepth = saved }
        while true {
            if case .punct(let p) = current.kind, p == .dot || p == .lparen || p == .lbracket {
                try extendChain()
            }
            switch current.kind {
            case .punct(.dot):
                try advance()
                let (name, span) = try expectName()
                e = Expr(.attribute(e, name: name), e.span.through(span))
            case .punct(.lparen):
                let args = try parseCallArguments()
                e = Expr(.call(e, arguments: args), e.span.through(previous.span))
            case .punct(.lbracket):
                try advance()
                let index = try parseSubscriptIndex()
                try expect(.rbracket, "invalid syntax")
                e = Expr(.subscription(e, index: index), e.span.through(previous.span))
            default:
                return e
            }
        }
    }

    /// `(args)` of a call or class header; the current token is `(`.
    private func parseCallArguments() throws -> [Argument] {
        try expect(.lparen)
        var args: [Argument] = []
        var sawKeyword = false, sawDoubleStar = false
        var keywords = Set<String>()
        while !check(.rparen) {
            if check(.star) {
                try advance()
                if sawDoubleStar {
                    throw error("iterable argument unpacking follows keyword argument unpacking", at: previous.span)
                }
                args.append(.unpack(try parseExpr()))
            } else if check(.doubleStar) {
                try advance()
                args.append(.unpackDict(try parseExpr()))
                sawDoubleStar = true
            } else if case .name(let n) = current.kind, try peekNext().isPunct(.assign) {
                let nameSpan = try advance().span
                try advance()
                if !keywords.insert(n).inserted { throw error("keyword argument repeated: \(n)", at: nameSpan) }
                args.append(.keyword(n, try parseExpr()))
                sawKeyword = true
            } else {
                let e = try parseNamedExpr()
                if startsComprehension() {
                    let comps = try parseComprehensionClauses()
                    let g = Expr(.generator(e, comps), spanFrom(e.span))
                    if !args.isEmpty || !check(.rparen) {
                        throw error("Generator expression must be parenthesized", at: g.span)
                    }
                    args.append(.positional(g))
                    break
                }
                if check(.assign) {
                    throw error("expression cannot contain assignment, perhaps you meant \"==\"?",
                                at: e.span.through(current.span))
                }
                if sawDoubleStar {
                    throw error("positional argument follows keyword argument unpacking", at: e.span)
                }
                if sawKeyword { throw error("positional argument follows keyword argument", at: e.span) }
                args.append(.positional(e))
            }
            if !(try match(.comma)) { break }
        }
        guard check(.rparen) else {
            throw error(startsExpression(current) ? "invalid syntax. Perhaps you forgot a comma?" : "invalid syntax")
        }
        try advance()
        return args
    }

    /// The index of `x[...]`: one item, or a tuple of items for `x[a, b:c]`.
    private func parseSubscriptIndex() throws -> Expr {
        if check(.rbracket) { throw error("invalid syntax") }
        let first = try parseSliceItem()
        guard check(.comma) else { return first }
        var items = [first]
        while try match(.comma) {
            if check(.rbracket) { break }
            items.append(try parseSliceItem())
        }
        return Expr(.tuple(items), spanFrom(first.span))
    }

    private func parseSliceItem() throws -> Expr {
        let start = current.span
        if check(.star) { return try parseStarOrExpr() }
        var lower: Expr? = nil
        if !check(.colon) {
            let e = try parseExpr()
            if !check(.colon) { return e }
            lower = e
        }
        try advance() // ':'
        func atEnd() -> Bool { check(.colon) || check(.comma) || check(.rbracket) }
        let upper: Expr? = atEnd() ? nil : try parseExpr()
        var step: Expr? = nil
        if try match(.colon) {
            if !(check(.comma) || check(.rbracket)) { step = try parseExpr() }
        }
        return Expr(.slice(lower: lower, upper: upper, step: step), spanFrom(start))
    }

    @inline(__always) private func startsComprehension() -> Bool { check(.for) || check(.async) }

    private func parseComprehensionClauses() throws -> [Comprehension] {
        var clauses: [Comprehension] = []
        while check(.for) || check(.async) {
            if check(.async) { throw unsupported("'async' comprehensions are") }
            try advance()
            let target = try parseTargetList()
            try validateTarget(target, .comprehension)
            guard try match(.in) else { throw error("expected 'in'") }
            let iterable = try parseOr()
            var conditions: [Expr] = []
            while try match(.if) { conditions.append(try parseOr()) }
            clauses.append(Comprehension(target: target, iterable: iterable, conditions: conditions))
        }
        return clauses
    }

    private func parseAtom() throws -> Expr {
        let t = current
        switch t.kind {
        case .name(let n):
            try advance()
            return Expr(.name(n), t.span)
        case .int(let v):
            try advance()
            return Expr(.int(v), t.span)
        case .float(let v):
            try advance()
            return Expr(.float(v), t.span)
        case .string, .fstring:
            return try parseStrings()
        case .bytes:
            return try parseBytes()
        case .keyword(let k):
            switch k {
            case .true: try advance(); return Expr(.bool(true), t.span)
            case .false: try advance(); return Expr(.bool(false), t.span)
            case .none: try advance(); return Expr(.none, t.span)
            case .yield: throw error("invalid syntax")
            case .await: throw unsupported("'await' is")
            case .lambda: return try parseLambda()
            default: throw error("invalid syntax")
            }
        case .punct(let p):
            switch p {
            case .ellipsis:
                try advance()
                return Expr(.ellipsis, t.span)
            case .lparen: return try parseParenthesized()
            case .lbracket: return try parseListDisplay()
            case .lbrace: return try parseBraceDisplay()
            default: throw error("invalid syntax")
            }
        case .indent:
            throw error("unexpected indent", kind: .indentationError)
        default:
            throw error("invalid syntax")
        }
    }

    private func parseParenthesized() throws -> Expr {
        let open = try advance()
        if try match(.rparen) { return Expr(.tuple([]), spanFrom(open.span)) }
        if check(.yield) {
            let y = try parseYield()
            try expect(.rparen, "invalid syntax")
            return y
        }
        let first = try parseStarOrExpr(named: true)
        if startsComprehension() {
            let comps = try parseComprehensionClauses()
            try expect(.rparen, "invalid syntax")
            return Expr(.generator(first, comps), spanFrom(open.span))
        }
        if try match(.rparen) {
            if case .starred = first.kind { throw error("cannot use starred expression here", at: first.span) }
            return first
        }
        guard check(.comma) else {
            throw error(startsExpression(current) ? "invalid syntax. Perhaps you forgot a comma?" : "invalid syntax")
        }
        var items = [first]
        while try match(.comma) {
            if check(.rparen) { break }
            items.append(try parseStarOrExpr(named: true))
        }
        try expect(.rparen, startsExpression(current) ? "invalid syntax. Perhaps you forgot a comma?" : "invalid syntax")
        return Expr(.tuple(items), spanFrom(open.span))
    }

    private func parseListDisplay() throws -> Expr {
        let open = try advance()
        if try match(.rbracket) { return Expr(.list([]), spanFrom(open.span)) }
        let first = try parseStarOrExpr(named: true)
        if startsComprehension() {
            let comps = try parseComprehensionClauses()
            try expect(.rbracket, "invalid syntax")
            return Expr(.listComp(first, comps), spanFrom(open.span))
        }
        var items = [first]
        while try match(.comma) {
            if check(.rbracket) { break }
            items.append(try parseStarOrExpr(named: true))
        }
        try expect(.rbracket, startsExpression(current) ? "invalid syntax. Perhaps you forgot a comma?" : "invalid syntax")
        return Expr(.list(items), spanFrom(open.span))
    }

    private func parseBraceDisplay() throws -> Expr {
        let open = try advance()
        if try match(.rbrace) { return Expr(.dict([]), spanFrom(open.span)) }
        let forgot = "invalid syntax. Perhaps you forgot a comma?"
        // Dict display / comprehension.
        func parseDictRest(_ firstItem: DictItem) throws -> Expr {
            var items = [firstItem]
            while try match(.comma) {
                if check(.rbrace) { break }
                if try match(.doubleStar) {
                    items.append(.unpack(try parseBitOr()))
                } else {
                    let k = try parseExpr()
                    try expect(.colon, "':' expected after dictionary key")
                    items.append(.pair(key: k, value: try parseExpr()))
                }
            }
            try expect(.rbrace, startsExpression(current) ? forgot : "invalid syntax")
            return Expr(.dict(items), spanFrom(open.span))
        }
        if try match(.doubleStar) {
            return try parseDictRest(.unpack(try parseBitOr()))
        }
        let first = try parseStarOrExpr(named: true)
        if try match(.colon) {
            if case .starred = first.kind { throw error("cannot use a starred expression in a dictionary key", at: first.span) }
            if case .namedExpr = first.kind { throw error("invalid syntax", at: first.span) }
            let value = try parseExpr()
            if startsComprehension() {
                let comps = try parseComprehensionClauses()
                try expect(.rbrace, "invalid syntax")
                return Expr(.dictComp(key: first, value: value, comps), spanFrom(open.span))
            }
            return try parseDictRest(.pair(key: first, value: value))
        }
        if startsComprehension() {
            let comps = try parseComprehensionClauses()
            try expect(.rbrace, "invalid syntax")
            return Expr(.setComp(first, comps), spanFrom(open.span))
        }
        var items = [first]
        while try match(.comma) {
            if check(.rbrace) { break }
            items.append(try parseStarOrExpr(named: true))
        }
        try expect(.rbrace, startsExpression(current) ? forgot : "invalid syntax")
        return Expr(.set(items), spanFrom(open.span))
    }

    // MARK: Strings and f-strings

    /// Adjacent string / f-string literals, concatenated.
    private func parseStrings() throws -> Expr {
        let start = current.span
        var plain = ""
        var parts: [FStringPart] = []
        var isFormatted = false
        func appendLiteral(_ s: String) {
            if s.isEmpty { return }
            if case .literal(let prev)? = parts.last {
                parts[parts.count - 1] = .literal(prev + s)
            } else {
                parts.append(.literal(s))
            }
        }
        while true {
            switch current.kind {
            case .string(let s):
                plain += s
                appendLiteral(s)
            case .bytes:
                throw error("cannot mix bytes and nonbytes literals")
            case .fstring(let segments):
                isFormatted = true
                for part in try convertFString(segments) {
                    if case .literal(let s) = part { appendLiteral(s) } else { parts.append(part) }
                }
            default:
                let span = spanFrom(start)
                return isFormatted ? Expr(.fstring(parts), span) : Expr(.string(plain), span)
            }
            try advance()
        }
    }

    /// Adjacent bytes literals, concatenated (a str literal among them is CPython's SyntaxError).
    private func parseBytes() throws -> Expr {
        let start = current.span
        var data: [UInt8] = []
        while true {
            switch current.kind {
            case .bytes(let b): data += b
            case .string, .fstring: throw error("cannot mix bytes and nonbytes literals")
            default: return Expr(.bytes(data), spanFrom(start))
            }
            try advance()
        }
    }

    private func convertFString(_ segments: [FStringSegment]) throws -> [FStringPart] {
        var parts: [FStringPart] = []
        for seg in segments {
            switch seg {
            case .literal(let s):
                parts.append(.literal(s))
            case .field(let f):
                if let dbg = f.debugText { parts.append(.literal(dbg)) }
                let expr: Expr
                do {
                    let sub = try Parser(lexer: Lexer(fieldSource: f.source, line: f.line, column: f.column,
                                                      fileName: fileName),
                                         fileName: fileName, depth: depth + 1, treeDepth: treeDepth + 1)
                    expr = try sub.parseStarExpressions()
                    guard sub.current.kind == .eof else { throw sub.error("f-string: invalid syntax") }
                } catch var e as SyntaxError {
                    e.isIncompleteInput = false
                    if !e.message.hasPrefix("f-string") { e.message = "f-string: " + e.message }
                    throw e
                }
                let spec = try f.formatSpec.map { try convertFString($0) }
                parts.append(.value(FormattedValue(expression: expr, conversion: f.conversion, formatSpec: spec)))
            }
        }
        return parts
    }
}

extension Stmt {
    /// True for compound statements (`if`, `while`, `for`, `try`, `with`, `def`, `class`),
    /// which the REPL continues until a blank line.
    public var isCompound: Bool {
        switch kind {
        case .ifStmt, .whileStmt, .forStmt, .tryStmt, .with, .functionDef, .classDef, .match: return true
        default: return false
        }
    }
}
