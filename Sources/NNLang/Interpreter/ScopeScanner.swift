// Static scope analysis: which names a function body binds, declares global/nonlocal, and
// which names nested functions, lambdas and classes refer to (those become closure cells).

/// The binding facts of one scope body (not descending into nested scopes' bindings).
struct ScopeScanner {
    var bound = Set<String>()
    var globals = Set<String>()
    var nonlocals = Set<String>()
    /// Every name mentioned anywhere inside nested functions, lambdas and classes.
    var nestedNames = Set<String>()

    /// Scans a function-like body with its parameters.
    static func scan(body: [Stmt], parameters: [String] = []) -> ScopeScanner {
        var s = ScopeScanner()
        s.bound.formUnion(parameters)
        for stmt in body { s.statement(stmt) }
        s.bound.subtract(s.globals)
        s.bound.subtract(s.nonlocals)
        return s
    }

    /// Scans a lambda body.
    static func scan(expression: Expr, parameters: [String]) -> ScopeScanner {
        var s = ScopeScanner()
        s.bound.formUnion(parameters)
        s.expr(expression)
        return s
    }

    private mutating func bindTarget(_ e: Expr) {
        switch e.kind {
        case .name(let n): bound.insert(n)
        case .tuple(let items), .list(let items): items.forEach { bindTarget($0) }
        case .starred(let inner): bindTarget(inner)
        default: expr(e)
        }
    }

    private mutating func statement(_ stmt: Stmt) {
        switch stmt.kind {
        case .expression(let e): expr(e)
        case .assign(let targets, let value):
            targets.forEach { bindTarget($0) }
            expr(value)
        case .augAssign(let t, _, let v): bindTarget(t); expr(v)
        case .annAssign(let t, _, let v):
            if v != nil { bindTarget(t) }
            if let v { expr(v) }
        case .ifStmt(let c, let body, let other), .whileStmt(let c, let body, let other):
            expr(c); body.forEach { statement($0) }; other.forEach { statement($0) }
        case .forStmt(let t, let it, let body, let other):
            bindTarget(t); expr(it); body.forEach { statement($0) }; other.forEach { statement($0) }
        case .breakStmt, .continueStmt, .pass: break
        case .functionDef(let f):
            bound.insert(f.name)
            f.decorators.forEach { expr($0) }
            parameterDefaults(f.parameters)
            nested { s in s.parameterNames(f.parameters); f.body.forEach { s.statement($0) } }
        case .returnStmt(let e): if let e { expr(e) }
        case .global(let names): globals.formUnion(names)
        case .nonlocal(let names): nonlocals.formUnion(names)
        case .classDef(let c):
            bound.insert(c.name)
            c.bases.forEach { expr($0) }
            c.keywords.forEach { expr($0.value) }
            c.decorators.forEach { expr($0) }
            nested { s in c.body.forEach { s.statement($0) } }
        case .tryStmt(let body, let handlers, let other, let fin):
            body.forEach { statement($0) }
            for h in handlers {
                if let t = h.type { expr(t) }
                if let n = h.name { bound.insert(n) }
                h.body.forEach { statement($0) }
            }
            other.forEach { statement($0) }
            fin.forEach { statement($0) }
        case .raise(let e, let c): if let e { expr(e) }; if let c { expr(c) }
        case .assert(let c, let m): expr(c); if let m { expr(m) }
        case .del(let targets): targets.forEach { bindTarget($0) }
        case .with(let items, let body):
            for item in items {
                expr(item.context)
                if let t = item.target { bindTarget(t) }
            }
            body.forEach { statement($0) }
        case .match(let subject, let cases):
            expr(subject)
            for c in cases {
                bound.formUnion(c.pattern.boundNames)
                c.pattern.expressions.forEach { expr($0) }
                if let g = c.guardExpr { expr(g) }
                c.body.forEach { statement($0) }
            }
        case .importStmt(let aliases):
            for a in aliases { bound.insert(a.asName ?? a.components.first ?? a.name) }
        case .importFrom(_, let names, _):
            for a in names where a.name != "*" { bound.insert(a.asName ?? a.name) }
        }
    }

    private mutating func parameterNames(_ p: Parameters) {
        for q in p.positional + p.keywordOnly { nestedNames.insert(q.name) }
        if let v = p.varargs { nestedNames.insert(v.name) }
        if let k = p.kwargs { nestedNames.insert(k.name) }
    }

    /// What a `def` evaluates in the enclosing scope: defaults and annotations.
    private mutating func parameterDefaults(_ p: Parameters) {
        for q in p.positional + p.keywordOnly { if let d = q.defaultValue { expr(d) } }
        let all = p.positional + [p.varargs].compactMap { $0 } + p.keywordOnly + [p.kwargs].compactMap { $0 }
        for q in all { if let a = q.annotation { expr(a) } }
        if let r = p.returns { expr(r) }
    }

    /// Runs `body` on a scanner whose every mention lands in `nestedNames`.
    private mutating func nested(_ body: (inout ScopeScanner) -> Void) {
        var inner = ScopeScanner()
        body(&inner)
        nestedNames.formUnion(inner.bound)
        nestedNames.formUnion(inner.globals)
        nestedNames.formUnion(inner.nonlocals)
        nestedNames.formUnion(inner.nestedNames)
        nestedNames.formUnion(inner.mentioned)
    }

    /// Names read anywhere in this scope's own expressions (only used for nested scanners).
    var mentioned = Set<String>()

    mutating func expr(_ e: Expr) {
        switch e.kind {
        case .name(let n): mentioned.insert(n)
        case .int, .float, .string, .bytes, .bool, .none, .ellipsis: break
        case .fstring(let parts): fparts(parts)
        case .tuple(let items), .list(let items), .set(let items): items.forEach { expr($0) }
        case .dict(let items):
            for item in items {
                switch item {
                case .pair(let k, let v): expr(k); expr(v)
                case .unpack(let v): expr(v)
                }
            }
        case .starred(let inner): expr(inner)
        case .attribute(let o, _): expr(o)
        case .subscription(let o, let i): expr(o); expr(i)
        case .slice(let a, let b, let c):
            if let a { expr(a) }; if let b { expr(b) }; if let c { expr(c) }
        case .call(let f, let args): expr(f); args.forEach { expr($0.value) }
        case .unary(_, let x): expr(x)
        case .binary(_, let a, let b), .logical(_, let a, let b): expr(a); expr(b)
        case .compare(let first, _, let rest): expr(first); rest.forEach { expr($0) }
        case .ifExp(let c, let t, let o): expr(c); expr(t); expr(o)
        case .lambda(let params, let body):
            parameterDefaults(params)
            nested { s in s.parameterNames(params); s.expr(body) }
        case .listComp(let elt, let clauses), .setComp(let elt, let clauses), .generator(let elt, let clauses):
            comprehension(clauses); expr(elt)
        case .dictComp(let k, let v, let clauses):
            comprehension(clauses); expr(k); expr(v)
        case .yield(let value): if let value { expr(value) }
        case .yieldFrom(let value): expr(value)
        case .namedExpr(let name, let value): bound.insert(name); expr(value)
        }
    }

    private mutating func comprehension(_ clauses: [Comprehension]) {
        for c in clauses {
            expr(c.target); expr(c.iterable); c.conditions.forEach { expr($0) }
        }
    }

    private mutating func fparts(_ parts: [FStringPart]) {
        for p in parts {
            if case .value(let fv) = p {
                expr(fv.expression)
                if let spec = fv.formatSpec { fparts(spec) }
            }
        }
    }
}
