// S-expression rendering of the AST, for tests and debugging (`print(stmt)`).
//
// Examples: `x = a + b * 2` → `(= x (+ a (* b 2)))`; `f(x, k=1)` → `(call f x (kw k 1))`;
// `for i in r: pass` → `(for i r (body pass))`.

extension Expr: CustomStringConvertible {
    /// The expression as an S-expression.
    public var description: String { ASTDump.expr(self) }
}

extension Stmt: CustomStringConvertible {
    /// The statement as an S-expression.
    public var description: String { ASTDump.stmt(self) }
}

/// Renders AST nodes as S-expressions.
public enum ASTDump {
    /// A module (statement list), one statement per line.
    public static func module(_ stmts: [Stmt]) -> String {
        stmts.map(stmt).joined(separator: "\n")
    }

    private static func opt(_ e: Expr?) -> String { e.map(expr) ?? "_" }

    private static func list(_ head: String, _ items: [String]) -> String {
        items.isEmpty ? "(\(head))" : "(\(head) \(items.joined(separator: " ")))"
    }

    private static func string(_ s: String) -> String { String(reflecting: s) }

    /// One expression.
    public static func expr(_ e: Expr) -> String {
        switch e.kind {
        case .name(let n): return n
        case .int(let v): return String(v)
        case .float(let v): return String(v)
        case .string(let s): return string(s)
        case .bytes(let b): return "b" + string(String(decoding: b, as: UTF8.self))
        case .fstring(let parts): return list("f", parts.map(part))
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .ellipsis: return "..."
        case .tuple(let items): return list("tuple", items.map(expr))
        case .list(let items): return list("list", items.map(expr))
        case .set(let items): return list("set", items.map(expr))
        case .dict(let items):
            return list("dict", items.map { item in
                switch item {
                case .pair(let k, let v): return "(\(expr(k)) \(expr(v)))"
                case .unpack(let m): return "(** \(expr(m)))"
                }
            })
        case .starred(let inner): return "(* \(expr(inner)))"
        case .attribute(let obj, let name): return "(. \(expr(obj)) \(name))"
        case .subscription(let obj, let index): return "([] \(expr(obj)) \(expr(index)))"
        case .slice(let lo, let hi, let step): return "(slice \(opt(lo)) \(opt(hi)) \(opt(step)))"
        case .call(let callee, let args):
            return list("call", [expr(callee)] + args.map(argument))
        case .unary(let op, let operand): return "(\(op.rawValue) \(expr(operand)))"
        case .binary(let op, let l, let r): return "(\(op.rawValue) \(expr(l)) \(expr(r)))"
        case .logical(let op, let l, let r): return "(\(op.rawValue) \(expr(l)) \(expr(r)))"
        case .compare(let first, let ops, let rest):
            if ops.count == 1, let op = ops.first, let r = rest.first {
                return "(\(op.rawValue) \(expr(first)) \(expr(r)))"
            }
            var items = [expr(first)]
            for (op, r) in zip(ops, rest) { items.append(op.rawValue); items.append(expr(r)) }
            return list("cmp", items)
        case .ifExp(let c, let t, let o): return "(if \(expr(c)) \(expr(t)) \(expr(o)))"
        case .lambda(let params, let body): return "(lambda \(parameters(params)) \(expr(body)))"
        case .listComp(let elt, let comps): return list("listcomp", [expr(elt)] + comps.map(comprehension))
        case .setComp(let elt, let comps): return list("setcomp", [expr(elt)] + comps.map(comprehension))
        case .dictComp(let k, let v, let comps):
            return list("dictcomp", [expr(k), expr(v)] + comps.map(comprehension))
        case .generator(let elt, let comps): return list("genexp", [expr(elt)] + comps.map(comprehension))
        case .yield(let value): return value.map { "(yield \(expr($0)))" } ?? "(yield)"
        case .yieldFrom(let value): return "(yield-from \(expr(value)))"
        case .namedExpr(let name, let value): return "(:= \(name) \(expr(value)))"
        }
    }

    private static func argument(_ a: Argument) -> String {
        switch a {
        case .positional(let e): return expr(e)
        case .keyword(let n, let e): return "(kw \(n) \(expr(e)))"
        case .unpack(let e): return "(* \(expr(e)))"
        case .unpackDict(let e): return "(** \(expr(e)))"
        }
    }

    private static func part(_ p: FStringPart) -> String {
        switch p {
        case .literal(let s): return string(s)
        case .value(let v):
            var items = [expr(v.expression)]
            if let c = v.conversion { items.append("!\(c.rawValue)") }
            if let spec = v.formatSpec { items.append(list("spec", spec.map(part))) }
            return list("fmt", items)
        }
    }

    private static func comprehension(_ c: Comprehension) -> String {
        list("for", [expr(c.target), expr(c.iterable)] + c.conditions.map { "(if \(expr($0)))" })
    }

    private static func parameter(_ p: Parameter, prefix: String = "") -> String {
        if let d = p.defaultValue { return "(\(prefix)\(p.name) \(expr(d)))" }
        return prefix + p.name
    }

    /// A parameter list: `(a (b 1) / *args (kwonly c) **kw)`.
    public static func parameters(_ p: Parameters) -> String {
        var items: [String] = []
        for (i, param) in p.positional.enumerated() {
            items.append(parameter(param))
            if i + 1 == p.positionalOnlyCount { items.append("/") }
        }
        if let v = p.varargs { items.append("*" + v.name) } else if !p.keywordOnly.isEmpty { items.append("*") }
        items += p.keywordOnly.map { parameter($0) }
        if let k = p.kwargs { items.append("**" + k.name) }
        return "(" + items.joined(separator: " ") + ")"
    }

    private static func block(_ head: String, _ stmts: [Stmt]) -> String {
        list(head, stmts.map(stmt))
    }

    /// One statement.
    public static func stmt(_ s: Stmt) -> String {
        switch s.kind {
        case .expression(let e): return expr(e)
        case .assign(let targets, let value): return list("=", targets.map(expr) + [expr(value)])
        case .augAssign(let t, let op, let v): return "(\(op.rawValue)= \(expr(t)) \(expr(v)))"
        case .annAssign(let t, let a, let v):
            return list(":", [expr(t), expr(a)] + (v.map { [expr($0)] } ?? []))
        case .ifStmt(let c, let body, let other):
            return list("if", [expr(c), block("body", body)] + (other.isEmpty ? [] : [block("else", other)]))
        case .whileStmt(let c, let body, let other):
            return list("while", [expr(c), block("body", body)] + (other.isEmpty ? [] : [block("else", other)]))
        case .forStmt(let t, let it, let body, let other):
            return list("for", [expr(t), expr(it), block("body", body)]
                        + (other.isEmpty ? [] : [block("else", other)]))
        case .breakStmt: return "break"
        case .continueStmt: return "continue"
        case .pass: return "pass"
        case .functionDef(let f):
            var items = [f.name, parameters(f.parameters)]
            if !f.decorators.isEmpty { items.append(list("decorators", f.decorators.map(expr))) }
            items.append(block("body", f.body))
            return list("def", items)
        case .returnStmt(let v): return v.map { "(return \(expr($0)))" } ?? "(return)"
        case .global(let names): return list("global", names)
        case .nonlocal(let names): return list("nonlocal", names)
        case .classDef(let c):
            var items = [c.name, list("bases", c.bases.map(expr))]
            if !c.decorators.isEmpty { items.append(list("decorators", c.decorators.map(expr))) }
            items.append(block("body", c.body))
            return list("class", items)
        case .tryStmt(let body, let handlers, let other, let fin):
            var items = [block("body", body)]
            for h in handlers {
                var hs = [opt(h.type)]
                if let n = h.name { hs.append("as \(n)") }
                hs.append(block("body", h.body))
                items.append(list("except", hs))
            }
            if !other.isEmpty { items.append(block("else", other)) }
            if !fin.isEmpty { items.append(block("finally", fin)) }
            return list("try", items)
        case .raise(let exc, let cause):
            return list("raise", (exc.map { [expr($0)] } ?? []) + (cause.map { ["from", expr($0)] } ?? []))
        case .assert(let c, let m): return list("assert", [expr(c)] + (m.map { [expr($0)] } ?? []))
        case .del(let targets): return list("del", targets.map(expr))
        case .with(let items, let body):
            return list("with", items.map { item in
                item.target.map { "(as \(expr(item.context)) \(expr($0)))" } ?? expr(item.context)
            } + [block("body", body)])
        case .match(let subject, let cases):
            return list("match", [expr(subject)] + cases.map { c in
                list("case", [pattern(c.pattern)] + (c.guardExpr.map { ["(if \(expr($0)))"] } ?? []) + [block("body", c.body)])
            })
        case .importStmt(let aliases): return list("import", aliases.map(alias))
        case .importFrom(let module, let names, let level):
            return list("from", [String(repeating: ".", count: level) + module] + names.map(alias))
        }
    }

    private static func pattern(_ p: Pattern) -> String {
        switch p {
        case .wildcard: return "_"
        case .capture(let n): return n
        case .value(let e), .singleton(let e): return expr(e)
        case .sequence(let items): return list("seq", items.map(pattern))
        case .star(let n): return "*" + (n ?? "_")
        case .mapping(let keys, let values, let rest):
            return list("map", zip(keys, values).map { "(\(expr($0.0)) \(pattern($0.1)))" } + (rest.map { ["**" + $0] } ?? []))
        case .classPattern(let cls, let positional, let keywords):
            return list("class", [expr(cls)] + positional.map(pattern) + keywords.map { "(\($0.0)= \(pattern($0.1)))" })
        case .or(let alternatives): return list("|", alternatives.map(pattern))
        case .asPattern(let inner, let n): return "(as \(pattern(inner)) \(n))"
        }
    }

    private static func alias(_ a: ImportAlias) -> String {
        a.asName.map { "(as \(a.name) \($0))" } ?? a.name
    }
}
