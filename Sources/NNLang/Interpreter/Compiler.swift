// Compiles the parser's AST into the executable tree (Code.swift), resolving every name to a
// local slot, a closure cell, a class-namespace entry or a module-global cell, Python-style:
// a name bound anywhere in a function body is local to it unless declared global/nonlocal;
// names mentioned by nested functions become cells; comprehension variables get their own slots.

import Foundation

/// One scope being compiled.
final class CompileScope {
    enum Kind { case module, function, classBody }
    let kind: Kind
    let parent: CompileScope?
    let unit: CodeUnit
    let scan: ScopeScanner
    var localIndex: [String: Int] = [:]
    var cellIndex: [String: Int] = [:]
    /// Active comprehension scopes, innermost last: name → slot.
    var comprehensions: [[String: Resolved]] = []
    /// A lambda's scope (a `yield` there is not supported).
    var isLambda = false

    enum Resolved { case local(Int), cell(Int), global, className }

    init(kind: Kind, parent: CompileScope?, unit: CodeUnit, scan: ScopeScanner) {
        self.kind = kind
        self.parent = parent
        self.unit = unit
        self.scan = scan
        if kind == .function {
            for name in scan.bound.intersection(scan.nestedNames).sorted() { _ = newCell(name) }
        }
    }

    func newLocal() -> Int {
        unit.localCount += 1
        return unit.localCount - 1
    }

    func newCell(_ name: String?) -> Int {
        let i = unit.cellPlan.count
        unit.cellPlan.append(.fresh)
        unit.hasFreshCells = true
        if let name { cellIndex[name] = i }
        return i
    }

    func resolve(_ name: String) -> Resolved {
        for map in comprehensions.reversed() {
            if let r = map[name] { return r }
        }
        switch kind {
        case .module:
            return .global
        case .classBody:
            if scan.globals.contains(name) { return .global }
            if scan.bound.contains(name) { return .className }
            return freeOrGlobal(name)
        case .function:
            if scan.globals.contains(name) { return .global }
            if scan.bound.contains(name) {
                if let c = cellIndex[name] { return .cell(c) }
                if let l = localIndex[name] { return .local(l) }
                let l = newLocal()
                localIndex[name] = l
                return .local(l)
            }
            return freeOrGlobal(name)
        }
    }

    private func freeOrGlobal(_ name: String) -> Resolved {
        if let c = cellRef(name) { return .cell(c) }
        return .global
    }

    /// The index of this frame's cell for free variable `name`, creating the capture chain.
    func cellRef(_ name: String) -> Int? {
        if let i = cellIndex[name] { return i }
        guard let p = parent else { return nil }
        var source: Int?
        for map in p.comprehensions.reversed() {
            if let r = map[name] {
                if case .cell(let c) = r { source = c }
                break
            }
        }
        if source == nil {
            if p.kind == .module || p.scan.globals.contains(name) { return nil }
            if p.kind == .function, p.scan.bound.contains(name) {
                source = p.cellIndex[name]
                if source == nil { return nil }
            } else {
                source = p.cellRef(name)
            }
        }
        guard let s = source else { return nil }
        let i = unit.cellPlan.count
        unit.cellPlan.append(.free(unit.freeSources.count))
        unit.freeSources.append(s)
        cellIndex[name] = i
        return i
    }
}

/// AST → executable tree for one interpreter (which owns the global cells).
struct Compiler {
    let source: SourceFile
    let globalCell: (String) -> GlobalCell
    /// In REPL mode, top-level expression statements echo their value.
    let echo: Bool
    /// `from __future__ import annotations` (PEP 563): annotations are kept as their source text.
    var stringAnnotations = false

    func compileModule(_ stmts: [Stmt]) throws -> ModuleCode {
        let future = stmts.contains { st in
            guard case .importFrom(let module, let names, _) = st.kind else { return false }
            return module == "__future__" && names.contains { $0.name == "annotations" }
        }
        if future, !stringAnnotations {
            var postponing = self
            postponing.stringAnnotations = true
            return try postponing.compileModule(stmts)
        }
        let code = ModuleCode(name: "<module>", source: source)
        let scope = CompileScope(kind: .module, parent: nil, unit: code, scan: ScopeScanner())
        // Module-level annotations go into the module's `__annotations__`, made once (a REPL
        // input adds to the one an earlier input made).
        let stmts = recordingAnnotations(stmts, makeTable: globalCell("__annotations__").value == nil)
        code.body = try stmts.map { stmt -> Op in
            if echo, case .expression(let e) = stmt.kind { return Op(.echo(try expr(e, scope)), stmt.span) }
            return try statement(stmt, scope)
        }
        return code
    }

    // MARK: - Statements

    func block(_ stmts: [Stmt], _ s: CompileScope) throws -> [Op] {
        try stmts.map { try statement($0, s) }
    }

    /// A class body with its annotations recorded as CPython records them (`dataclasses` reads
    /// them): `__annotations__ = {}` first, and each `x: T = v` of the body as `x = v` then
    /// `__annotations__['x'] = T` (`x: T` as the second alone). Bodies without one are unchanged;
    /// `makeTable` false leaves out the first assignment (the table exists).
    func recordingAnnotations(_ body: [Stmt], makeTable: Bool = true) -> [Stmt] {
        func annotated(_ st: Stmt) -> (name: String, target: Expr, annotation: Expr, value: Expr?)? {
            guard case .annAssign(let t, let a, let v) = st.kind, case .name(let n) = t.kind else { return nil }
            return (n, t, a, v)
        }
        guard let first = body.first(where: { annotated($0) != nil }) else { return body }
        let table = Expr(.name("__annotations__"), first.span)
        var out = makeTable ? [Stmt(.assign(targets: [table], value: Expr(.dict([]), first.span)), first.span)] : []
        for st in body {
            guard let a = annotated(st) else {
                out.append(st)
                continue
            }
            if let v = a.value { out.append(Stmt(.assign(targets: [a.target], value: v), st.span)) }
            let slot = Expr(.subscription(Expr(.name("__annotations__"), a.target.span), index: Expr(.string(a.name), a.target.span)), a.target.span)
            out.append(Stmt(.assign(targets: [slot], value: annotation(a.annotation)), st.span))
        }
        return out
    }

    /// An annotation as it is evaluated: itself, or under `from __future__ import annotations`
    /// its source text (whitespace inside it as written; CPython re-renders it).
    func annotation(_ e: Expr) -> Expr {
        guard stringAnnotations else { return e }
        let span = e.span
        if case .string(let literal) = e.kind { return Expr(.string(pythonStringRepr(literal)), span) }
        let text = (span.line...max(span.line, span.endLine)).map { n -> String in
            let scalars = Array(source.line(n).unicodeScalars)
            let from = n == span.line ? min(max(span.column - 1, 0), scalars.count) : 0
            let to = n == span.endLine ? min(max(span.endColumn - 1, from), scalars.count) : scalars.count
            var piece = String.UnicodeScalarView()
            piece.append(contentsOf: scalars[from..<to])
            return String(piece).trimmingCharacters(in: .whitespaces)
        }.joined(separator: " ")
        return Expr(.string(text), span)
    }

    private func statement(_ stmt: Stmt, _ s: CompileScope) throws -> Op {
        let kind: Op.Kind
        switch stmt.kind {
        case .expression(let e):
            if let y = try yieldOp(e, targets: [], s) { kind = y } else { kind = .expression(try expr(e, s)) }
        case .assign(let targets, let value):
            let ts = try targets.map { try target($0, s) }
            if let y = try yieldOp(value, targets: ts, s) { kind = y } else { kind = .assign(ts, try expr(value, s)) }
        case .augAssign(let t, let op, let v): kind = .augAssign(try target(t, s), op, try expr(v, s))
        case .annAssign(let t, _, let v):
            if let v { kind = .assign([try target(t, s)], try expr(v, s)) } else { kind = .pass }
        case .ifStmt(let c, let body, let other):
            kind = .ifStmt(try expr(c, s), try block(body, s), try block(other, s))
        case .whileStmt(let c, let body, let other):
            kind = .whileStmt(try expr(c, s), try block(body, s), try block(other, s))
        case .forStmt(let t, let it, let body, let other):
            kind = .forStmt(try target(t, s), try expr(it, s), try block(body, s), try block(other, s))
        case .breakStmt: kind = .breakStmt
        case .continueStmt: kind = .continueStmt
        case .pass, .global, .nonlocal: kind = .pass
        case .functionDef(let f):
            let code = try function(name: f.name, f.parameters, body: f.body, lambda: nil, span: f.span, s)
            kind = .functionDef(code, decorators: try f.decorators.map { try expr($0, s) },
                                target: nameTarget(f.name, f.span, s))
        case .returnStmt(let e): kind = .returnStmt(try e.map { try expr($0, s) })
        case .classDef(let c):
            let code = ClassCode(name: c.name, source: source)
            code.doc = Compiler.docstring(c.body)
            let body = recordingAnnotations(c.body)
            let inner = CompileScope(kind: .classBody, parent: s, unit: code, scan: ScopeScanner.scan(body: body))
            code.body = try block(body, inner)
            code.keywords = try c.keywords.map { ($0.name, try expr($0.value, s)) }
            kind = .classDef(code, bases: try c.bases.map { try expr($0, s) },
                             decorators: try c.decorators.map { try expr($0, s) },
                             target: nameTarget(c.name, c.span, s))
        case .tryStmt(let body, let handlers, let other, let fin):
            let hs = try handlers.map { h in
                Handler(type: try h.type.map { try expr($0, s) },
                        target: h.name.map { nameTarget($0, h.span, s) },
                        body: try block(h.body, s), span: h.span)
            }
            kind = .tryStmt(try block(body, s), hs, try block(other, s), try block(fin, s))
        case .raise(let e, let c): kind = .raise(try e.map { try expr($0, s) }, try c.map { try expr($0, s) })
        case .assert(let c, let m): kind = .assert(try expr(c, s), try m.map { try expr($0, s) })
        case .del(let targets): kind = .del(try targets.map { try target($0, s) })
        case .with(let items, let body):
            kind = .with(try items.map { (context: try expr($0.context, s), target: try $0.target.map { try target($0, s) }) },
                         try block(body, s))
        case .match(let subject, let cases): kind = try matchStatement(subject, cases, s)
        case .importStmt(let aliases):
            let ops = aliases.map { a -> Op in
                let bindName = a.asName ?? a.components.first ?? a.name
                return Op(.importModule(name: a.name, bindFull: a.asName != nil,
                                        target: nameTarget(bindName, a.span, s)), a.span)
            }
            if ops.count == 1 { return ops[0] }
            kind = .ifStmt(ExprNode(.constant(.bool(true)), stmt.span), ops, [])
        case .importFrom(let module, let names, _):
            if names.count == 1 && names[0].name == "*" {
                kind = .importStar(module: module)
            } else {
                kind = .importFrom(module: module, names: names.map {
                    (name: $0.name, target: nameTarget($0.asName ?? $0.name, $0.span, s))
                })
            }
        }
        return makeOp(kind, stmt.span)
    }

    /// The op for a `yield` / `yield from` statement or assignment, nil when `e` is no yield.
    private func yieldOp(_ e: Expr, targets: [Target], _ s: CompileScope) throws -> Op.Kind? {
        switch e.kind {
        case .yield(let value):
            try checkYieldScope(e, s)
            return .yieldValue(try value.map { try expr($0, s) }, targets)
        case .yieldFrom(let value):
            try checkYieldScope(e, s)
            return .yieldFrom(try expr(value, s), targets)
        default:
            return nil
        }
    }

    private func checkYieldScope(_ e: Expr, _ s: CompileScope) throws {
        guard s.kind == .function else {
            throw SyntaxError("'yield' outside function", span: e.span, fileName: source.name)
        }
        if s.isLambda || !s.comprehensions.isEmpty {
            throw SyntaxError("'yield' inside a lambda or comprehension is not supported by nnrepl", span: e.span, fileName: source.name)
        }
    }

    /// Whether the statement is a yield or has one in its blocks (not in nested defs/classes).
    static func containsYield(_ kind: Op.Kind) -> Bool {
        func any(_ ops: [Op]) -> Bool { ops.contains { $0.containsYield } }
        switch kind {
        case .yieldValue, .yieldFrom: return true
        case .ifStmt(_, let a, let b), .whileStmt(_, let a, let b), .forStmt(_, _, let a, let b): return any(a) || any(b)
        case .tryStmt(let body, let handlers, let other, let fin):
            return any(body) || handlers.contains { any($0.body) } || any(other) || any(fin)
        case .with(_, let body): return any(body)
        default: return false
        }
    }

    /// A body's docstring: its first statement when that is a plain string literal.
    static func docstring(_ body: [Stmt]) -> String? {
        guard case .expression(let e)? = body.first?.kind, case .string(let text) = e.kind else { return nil }
        return text
    }

    private func function(name: String, _ params: Parameters, body: [Stmt], lambda: Expr?,
                          span: SourceSpan, _ s: CompileScope) throws -> FunctionCode {
        let code = FunctionCode(name: name, source: source, span: span)
        if lambda == nil { code.doc = Compiler.docstring(body) }
        var names = (params.positional + params.keywordOnly).map(\.name)
        if let v = params.varargs { names.append(v.name) }
        if let k = params.kwargs { names.append(k.name) }
        let scan = lambda.map { ScopeScanner.scan(expression: $0, parameters: names) }
            ?? ScopeScanner.scan(body: body, parameters: names)
        let inner = CompileScope(kind: .function, parent: s, unit: code, scan: scan)
        inner.isLambda = lambda != nil
        func param(_ p: Parameter) throws -> FunctionCode.Param {
            FunctionCode.Param(name: p.name, slot: nameTarget(p.name, p.span, inner),
                               defaultValue: try p.defaultValue.map { try expr($0, s) })
        }
        code.positional = try params.positional.map(param)
        code.positionalOnlyCount = params.positionalOnlyCount
        code.varargs = try params.varargs.map(param)
        code.keywordOnly = try params.keywordOnly.map(param)
        code.kwargs = try params.kwargs.map(param)
        let annotated = params.positional + [params.varargs].compactMap { $0 } + params.keywordOnly
            + [params.kwargs].compactMap { $0 }
        code.annotations = try annotated.compactMap { p in try p.annotation.map { (p.name, try expr(annotation($0), s)) } }
        if let r = params.returns { code.annotations.append(("return", try expr(annotation(r), s))) }
        code.parameterSlots = FunctionCode.ParameterSlots(code)
        if code.varargs == nil, code.keywordOnly.isEmpty, code.kwargs == nil {
            code.exactSlots = code.parameterSlots?.positional
        }
        if let lambda {
            code.expression = try expr(lambda, inner)
        } else {
            code.body = try block(body, inner)
            code.isGenerator = code.body.contains { $0.containsYield }
            if !code.isGenerator, code.body.count == 1, case .returnStmt(let value?) = code.body[0].kind {
                code.returnExpression = (value, code.body[0].span)
            }
        }
        return code
    }

    // MARK: - Targets

    func nameTarget(_ name: String, _ span: SourceSpan, _ s: CompileScope) -> Target {
        switch s.resolve(name) {
        case .local(let i): return Target(.local(i, name), span)
        case .cell(let i): return Target(.cell(i, name), span)
        case .global: return Target(.global(globalCell(name)), span)
        case .className: return Target(.className(name), span)
        }
    }

    private func target(_ e: Expr, _ s: CompileScope) throws -> Target {
        switch e.kind {
        case .name(let n): return nameTarget(n, e.span, s)
        case .attribute(let o, let name): return Target(.attribute(try expr(o, s), name), e.span)
        case .subscription(let o, let i): return Target(.item(try expr(o, s), try expr(i, s)), e.span)
        case .tuple(let items), .list(let items):
            var star: Int?
            var targets: [Target] = []
            for (i, item) in items.enumerated() {
                if case .starred(let inner) = item.kind {
                    if star != nil {
                        throw SyntaxError("multiple starred expressions in assignment", span: item.span, fileName: source.name)
                    }
                    star = i
                    targets.append(try target(inner, s))
                } else {
                    targets.append(try target(item, s))
                }
            }
            return Target(.sequence(targets, starIndex: star), e.span)
        case .starred:
            throw SyntaxError("starred assignment target must be in a list or tuple", span: e.span, fileName: source.name)
        default:
            throw SyntaxError("cannot assign to expression", span: e.span, fileName: source.name)
        }
    }

    // MARK: - Expressions

    private func nameNode(_ name: String, _ span: SourceSpan, _ s: CompileScope) -> ExprNode {
        switch s.resolve(name) {
        case .local(let i): return ExprNode(.local(i, name), span)
        case .cell(let i): return ExprNode(.cell(i, name), span)
        case .global: return ExprNode(.global(globalCell(name)), span)
        case .className:
            let fallback: ExprNode
            if let c = s.cellRef(name) { fallback = ExprNode(.cell(c, name), span) } else { fallback = ExprNode(.global(globalCell(name)), span) }
            return ExprNode(.className(name, fallback: fallback), span)
        }
    }

    func expr(_ e: Expr, _ s: CompileScope) throws -> ExprNode {
        let kind: ExprNode.Kind
        switch e.kind {
        case .name(let n): return nameNode(n, e.span, s)
        case .int(let i): kind = .constant(.int(i))
        case .float(let d): kind = .constant(.float(d))
        case .string(let str): kind = .constant(.str(str))
        case .bytes(let b): kind = .constant(.object(PyBytes(b)))
        case .bool(let b): kind = .constant(.bool(b))
        case .none: kind = .constant(.none)
        case .ellipsis: kind = .constant(.object(PyEllipsis.shared))
        case .fstring(let parts): kind = .fstring(try fparts(parts, s))
        case .tuple(let items):
            let nodes = try items.map { try expr($0, s) }
            if let constants = constantValues(nodes) { kind = .constant(.object(PyTuple(constants))) } else { kind = .tuple(nodes) }
        case .list(let items): kind = .list(try items.map { try expr($0, s) })
        case .set(let items):
            let nodes = try items.map { try expr($0, s) }
            // CPython's compiler folds the constants to a frozenset, which its constant merging
            // rebuilds from its own iteration order (`merge_consts_recursive`).
            if nodes.count > 2, let constants = constantValues(nodes),
               let folded = try? PySet(PySet(constants, frozen: true).items, frozen: true) {
                kind = .constantSet(folded)
            } else {
                kind = .set(nodes)
            }
        case .dict(let items):
            kind = .dict(try items.map { item in
                switch item {
                case .pair(let k, let v): return (key: try expr(k, s), value: try expr(v, s))
                case .unpack(let v): return (key: nil, value: try expr(v, s))
                }
            })
        case .starred(let inner): kind = .starred(try expr(inner, s))
        case .attribute(let o, let name): kind = .attribute(try expr(o, s), name)
        case .subscription(let o, let i): kind = .item(try expr(o, s), try expr(i, s))
        case .slice(let a, let b, let c):
            kind = .slice(try a.map { try expr($0, s) }, try b.map { try expr($0, s) }, try c.map { try expr($0, s) })
        case .call(let f, let args):
            let callee = try expr(f, s)
            var positional: [ExprNode] = []
            var all: [Arg] = []
            var simple = true
            for a in args {
                switch a {
                case .positional(let v):
                    let n = try expr(v, s)
                    positional.append(n)
                    all.append(.positional(n))
                case .keyword(let name, let v): simple = false; all.append(.keyword(name, try expr(v, s)))
                case .unpack(let v): simple = false; all.append(.unpack(try expr(v, s)))
                case .unpackDict(let v): simple = false; all.append(.unpackDict(try expr(v, s)))
                }
            }
            kind = simple ? .callPositional(callee, positional) : .call(callee, all)
        case .unary(let op, let x):
            let n = try expr(x, s)
            if op == .negate, case .constant(let v) = n.kind {
                if case .int(let i) = v, i != Int.min { return ExprNode(.constant(.int(-i)), e.span) }
                if case .float(let d) = v { return ExprNode(.constant(.float(-d)), e.span) }
            }
            kind = .unary(op, n)
        case .binary(let op, let a, let b):
            let l = try expr(a, s), r = try expr(b, s)
            if op == .add, let display = ExprNode.plainListDisplay(l) {
                kind = .listConcatenation(display: display, other: r, displayFirst: true)
            } else if op == .add, let display = ExprNode.plainListDisplay(r) {
                kind = .listConcatenation(display: display, other: l, displayFirst: false)
            } else if op == .add, ExprNode.isPlainSlice(l), ExprNode.isPlainSlice(r) {
                kind = .sliceConcatenation(l, r)
            } else {
                kind = .binary(op, l, r)
            }
        case .logical(let op, let a, let b): kind = .logical(op, try expr(a, s), try expr(b, s))
        case .compare(let first, let ops, let rest):
            if ops.count == 1, rest.count == 1 {
                kind = .compare(try expr(first, s), ops[0], try expr(rest[0], s))
            } else {
                kind = .compareChain(try expr(first, s), ops, try rest.map { try expr($0, s) })
            }
        case .ifExp(let c, let t, let o): kind = .ifExp(try expr(c, s), try expr(t, s), try expr(o, s))
        case .lambda(let params, let body):
            kind = .lambda(try function(name: "<lambda>", params, body: [], lambda: body, span: e.span, s))
        case .listComp(let elt, let clauses):
            kind = .comprehension(try comprehension(.list, clauses, extra: [elt], e.span, s) { slot in
                .collect(into: slot, .item(try expr(elt, s)))
            })
        case .setComp(let elt, let clauses):
            kind = .comprehension(try comprehension(.set, clauses, extra: [elt], e.span, s) { slot in
                .collect(into: slot, .item(try expr(elt, s)))
            })
        case .dictComp(let k, let v, let clauses):
            kind = .comprehension(try comprehension(.dict, clauses, extra: [k, v], e.span, s) { slot in
                .collect(into: slot, .pair(key: try expr(k, s), value: try expr(v, s)))
            })
        case .generator(let elt, let clauses):
            kind = .comprehension(try comprehension(.generator, clauses, extra: [elt], e.span, s) { _ in
                .yieldValue(try expr(elt, s), [])
            })
        case .namedExpr(let name, let value):
            if s.comprehensions.contains(where: { $0[name] != nil }) {
                throw SyntaxError("assignment expression cannot rebind comprehension iteration variable '\(name)'",
                                  span: e.span, fileName: source.name)
            }
            if s.kind == .classBody && !s.comprehensions.isEmpty {
                throw SyntaxError("assignment expression within a comprehension cannot be used in a class body",
                                  span: e.span, fileName: source.name)
            }
            kind = .assignExpr(nameTarget(name, e.span, s), try expr(value, s))
        case .yield, .yieldFrom:
            try checkYieldScope(e, s)
            throw SyntaxError("'yield' inside an expression is not supported by nnrepl: write it as a statement ('yield v') or an assignment ('x = yield v')",
                              span: e.span, fileName: source.name)
        }
        return ExprNode(kind, e.span)
    }

    private func constantValues(_ nodes: [ExprNode]) -> [Value]? {
        var values: [Value] = []
        for n in nodes {
            guard case .constant(let v) = n.kind else { return nil }
            values.append(v)
        }
        return values
    }

    /// Compiles a comprehension to statements: a `for` per clause (each with its own scope for
    /// the loop variables), an `if` per condition, and innermost the statement `element` makes
    /// (given the result's slot). The first iterable is compiled in the enclosing scope.
    private func comprehension(_ result: ComprehensionCode.Result, _ clauses: [Comprehension], extra: [Expr],
                               _ span: SourceSpan, _ s: CompileScope,
                               element: (Int) throws -> Op.Kind) throws -> ComprehensionCode {
        var scan = ScopeScanner()
        for c in clauses { c.conditions.forEach { scan.expr($0) } }
        extra.forEach { scan.expr($0) }
        let captured = scan.nestedNames
        let slot = result == .generator ? nil : s.newLocal()
        var loops: [(target: Target, iterable: ExprNode, conditions: [ExprNode])] = []
        for c in clauses {
            let iterable = try expr(c.iterable, s)
            var map: [String: CompileScope.Resolved] = [:]
            for name in boundNames(c.target) {
                map[name] = captured.contains(name) ? .cell(s.newCell(nil)) : .local(s.newLocal())
            }
            s.comprehensions.append(map)
            loops.append((try target(c.target, s), iterable, try c.conditions.map { try expr($0, s) }))
        }
        defer { s.comprehensions.removeLast(clauses.count) }
        var inner = makeOp(try element(slot ?? 0), extra.first?.span ?? span)
        for loop in loops.reversed() {
            for condition in loop.conditions.reversed() { inner = makeOp(.ifStmt(condition, [inner], []), condition.span) }
            inner = makeOp(.forStmt(loop.target, loop.iterable, [inner], []), loop.iterable.span)
        }
        return ComprehensionCode(result: result, body: [inner], resultSlot: slot)
    }

    /// A statement the compiler makes itself (not from a parsed statement).
    func makeOp(_ kind: Op.Kind, _ span: SourceSpan) -> Op {
        let op = Op(kind, span)
        op.containsYield = Compiler.containsYield(kind)
        return op
    }

    private func boundNames(_ e: Expr) -> [String] {
        switch e.kind {
        case .name(let n): return [n]
        case .tuple(let items), .list(let items): return items.flatMap(boundNames)
        case .starred(let inner): return boundNames(inner)
        default: return []
        }
    }

    private func fparts(_ parts: [FStringPart], _ s: CompileScope) throws -> [FPart] {
        try parts.map { p in
            switch p {
            case .literal(let text): return .literal(text)
            case .value(let fv):
                return .value(try expr(fv.expression, s), conversion: fv.conversion,
                              spec: try fv.formatSpec.map { try fparts($0, s) })
            }
        }
    }
}
