import TensorRuntime
import NeuralNet

// `match` statements (PEP 634). The compiler turns one into an if/elif chain: each `case` is an
// `if` whose condition is `ExprNode.Kind.matchPattern` (the pattern tried on the subject, its
// captures stored when it matches) `and` the guard. The subject is evaluated once, by the first
// case's condition, into a hidden local that the later cases read. Generators, `break`,
// `continue` and `return` inside case bodies therefore need nothing of their own.

/// A `case` pattern with its names resolved and its value expressions compiled.
indirect enum CompiledPattern {
    case wildcard
    case capture(Target)
    /// A literal or dotted name, compared with `==`.
    case value(ExprNode)
    /// None, True or False, compared by identity.
    case singleton(Value)
    /// The items; `star` is the index of the `*name` item (its target nil for `*_`).
    case sequence([CompiledPattern], star: Int?, starTarget: Target?)
    case mapping(keys: [ExprNode], values: [CompiledPattern], rest: Target?)
    case classPattern(ExprNode, positional: [CompiledPattern], keywords: [(String, CompiledPattern)])
    case or([CompiledPattern])
    case asPattern(CompiledPattern, Target)
}

extension Compiler {
    /// The if/elif chain of a `match` statement, after CPython's compile-time checks.
    func matchStatement(_ subject: Expr, _ cases: [MatchCase], _ s: CompileScope) throws -> Op.Kind {
        for (i, c) in cases.enumerated() {
            try checkPattern(c.pattern, c.span)
            if i < cases.count - 1, c.guardExpr == nil, let what = irrefutable(c.pattern) {
                throw SyntaxError("\(what) makes remaining patterns unreachable", span: c.span, fileName: source.name)
            }
        }
        let slot = s.newLocal()
        let first = ExprNode(.assignExpr(Target(.local(slot, "match subject"), subject.span), try expr(subject, s)),
                             subject.span)
        let stored = ExprNode(.local(slot, "match subject"), subject.span)
        var conditions: [ExprNode] = []
        for (i, c) in cases.enumerated() {
            var condition = ExprNode(.matchPattern(try pattern(c.pattern, s), i == 0 ? first : stored), c.span)
            if let g = c.guardExpr { condition = ExprNode(.logical(.and, condition, try expr(g, s)), c.span) }
            conditions.append(condition)
        }
        var orElse: [Op] = []
        for (c, condition) in zip(cases, conditions).reversed() {
            let op = makeOp(.ifStmt(condition, try block(c.body, s), orElse), c.span)
            orElse = [op]
        }
        guard let chain = orElse.first else { throw SyntaxError("invalid syntax", span: subject.span, fileName: source.name) }
        return chain.kind
    }

    /// "name capture 'x'" / "wildcard" when the pattern matches everything (CPython's word for it).
    private func irrefutable(_ p: Pattern) -> String? {
        switch p {
        case .wildcard: return "wildcard"
        case .capture(let n): return "name capture '\(n)'"
        case .asPattern(let inner, _): return irrefutable(inner)
        case .or(let alternatives): return alternatives.lazy.compactMap { self.irrefutable($0) }.first
        default: return nil
        }
    }

    /// CPython's compile-time errors: names bound twice, alternatives binding different names,
    /// an irrefutable alternative before others, two stars, duplicate literal keys or attributes.
    private func checkPattern(_ p: Pattern, _ span: SourceSpan) throws {
        func fail(_ message: String) -> SyntaxError { SyntaxError(message, span: span, fileName: source.name) }
        func check(_ inner: Pattern) throws { try checkPattern(inner, span) }
        var seen = Set<String>()
        for n in p.boundNames where !seen.insert(n).inserted { throw fail("multiple assignments to name '\(n)' in pattern") }
        switch p {
        case .sequence(let items):
            if items.filter({ if case .star = $0 { return true } else { return false } }).count > 1 {
                throw fail("multiple starred names in sequence pattern")
            }
            try items.forEach(check)
        case .mapping(let keys, let values, _):
            var literals = Set<String>()
            for k in keys {
                if let literal = literalKey(k), !literals.insert(literal).inserted {
                    throw fail("mapping pattern checks duplicate key (\(literal))")
                }
            }
            try values.forEach(check)
        case .classPattern(_, let positional, let keywords):
            var names = Set<String>()
            for (n, _) in keywords where !names.insert(n).inserted {
                throw fail("attribute name repeated in class pattern: \(n)")
            }
            try positional.forEach(check)
            try keywords.forEach { try check($0.1) }
        case .or(let alternatives):
            let names = Set(alternatives.first?.boundNames ?? [])
            for (i, alt) in alternatives.enumerated() {
                if Set(alt.boundNames) != names { throw fail("alternative patterns bind different names") }
                if i < alternatives.count - 1, let what = irrefutable(alt) {
                    throw fail("\(what) makes remaining patterns unreachable")
                }
                try check(alt)
            }
        case .asPattern(let inner, _): try check(inner)
        case .wildcard, .capture, .value, .singleton, .star: break
        }
    }

    /// A literal key's repr for the duplicate-key message (nil for a dotted name).
    private func literalKey(_ e: Expr) -> String? {
        switch e.kind {
        case .int(let i): return "\(i)"
        case .string(let s): return "'\(s)'"
        case .unary(.negate, let inner): if case .int(let i) = inner.kind { return "\(-i)" } else { return nil }
        default: return nil
        }
    }

    private func pattern(_ p: Pattern, _ s: CompileScope) throws -> CompiledPattern {
        switch p {
        case .wildcard: return .wildcard
        case .capture(let n): return .capture(nameTarget(n, .unknown, s))
        case .value(let e): return .value(try expr(e, s))
        case .singleton(let e):
            switch e.kind {
            case .bool(let b): return .singleton(.bool(b))
            default: return .singleton(.none)
            }
        case .sequence(let items):
            var compiled: [CompiledPattern] = [], star: Int?, starTarget: Target?
            for (i, item) in items.enumerated() {
                if case .star(let name) = item {
                    star = i
                    starTarget = name.map { nameTarget($0, .unknown, s) }
                    compiled.append(.wildcard)
                } else {
                    compiled.append(try pattern(item, s))
                }
            }
            return .sequence(compiled, star: star, starTarget: starTarget)
        case .star: return .wildcard
        case .mapping(let keys, let values, let rest):
            return .mapping(keys: try keys.map { try expr($0, s) }, values: try values.map { try pattern($0, s) },
                            rest: rest.map { nameTarget($0, .unknown, s) })
        case .classPattern(let cls, let positional, let keywords):
            return .classPattern(try expr(cls, s), positional: try positional.map { try pattern($0, s) },
                                 keywords: try keywords.map { ($0.0, try pattern($0.1, s)) })
        case .or(let alternatives): return .or(try alternatives.map { try pattern($0, s) })
        case .asPattern(let inner, let n): return .asPattern(try pattern(inner, s), nameTarget(n, .unknown, s))
        }
    }
}

extension Interpreter {
    /// Whether `subject` matches `p`; its captures are stored only when the whole pattern does.
    func matchPattern(_ p: CompiledPattern, _ subject: Value, _ f: Frame) throws -> Bool {
        var captures: [(Target, Value)] = []
        guard try match(p, subject, f, &captures) else { return false }
        for (t, v) in captures { try store(t, v, f) }
        return true
    }

    private func match(_ p: CompiledPattern, _ subject: Value, _ f: Frame, _ captures: inout [(Target, Value)]) throws -> Bool {
        switch p {
        case .wildcard: return true
        case .capture(let t):
            captures.append((t, subject))
            return true
        case .value(let node):
            return try truthy(try compare(.eq, subject, try eval(node, f)))
        case .singleton(let v):
            switch (v, subject) {
            case (.none, .none): return true
            case (.bool(let a), .bool(let b)): return a == b
            default: return false
            }
        case .sequence(let items, let star, let starTarget):
            guard case .object(let o) = subject,
                  o is PyList || o is PyTuple || o is PyRange || o is NamedTupleValue || o is PyDeque else { return false }
            let elements = try iterate(subject)
            guard let star else {
                guard elements.count == items.count else { return false }
                for (item, e) in zip(items, elements) where !(try match(item, e, f, &captures)) { return false }
                return true
            }
            let after = items.count - star - 1
            guard elements.count >= items.count - 1 else { return false }
            for i in 0..<star where !(try match(items[i], elements[i], f, &captures)) { return false }
            for i in 0..<after where !(try match(items[star + 1 + i], elements[elements.count - after + i], f, &captures)) {
                return false
            }
            if let starTarget { captures.append((starTarget, .object(PyList(Array(elements[star..<(elements.count - after)]))))) }
            return true
        case .mapping(let keyNodes, let values, let rest):
            guard case .object(let o) = subject, let d = o as? PyDict, d.count >= keyNodes.count else { return false }
            let keys = try keyNodes.map { try eval($0, f) }
            let checked = try PySet()
            for (key, value) in zip(keys, values) {
                if try checked.has(key) { throw PyError(.valueError, "mapping pattern checks duplicate key (\(try repr(key)))") }
                try checked.add(key)
                guard let v = try d.get(key), try match(value, v, f, &captures) else { return false }
            }
            if let rest {
                let remaining = PyDict()
                for (k, v) in d.items where !(try checked.has(k)) { try remaining.set(k, v) }
                captures.append((rest, .object(remaining)))
            }
            return true
        case .classPattern(let clsNode, let positional, let keywords):
            let cls = try eval(clsNode, f)
            guard case .object(let t as PyType) = cls else { throw PyError(.typeError, "called match pattern must be a type") }
            guard try isInstance(subject, cls) else { return false }
            var attributes: [(String, CompiledPattern)] = []
            if !positional.isEmpty {
                let names = try matchArguments(t, given: positional.count)
                if names.isEmpty {
                    // bool, int, float, str, list, tuple, dict, set, frozenset: one sub-pattern, the subject itself.
                    guard try match(positional[0], subject, f, &captures) else { return false }
                } else {
                    attributes = Array(zip(names, positional))
                }
            }
            attributes += keywords
            var seen = Set<String>()
            for (name, sub) in attributes {
                guard seen.insert(name).inserted else {
                    throw PyError(.typeError, "\(t.name)() got multiple sub-patterns for attribute '\(name)'")
                }
                guard let v = try attributeIfPresent(subject, name), try match(sub, v, f, &captures) else { return false }
            }
            return true
        case .or(let alternatives):
            for alternative in alternatives {
                var tried = captures
                if try match(alternative, subject, f, &tried) {
                    captures = tried
                    return true
                }
            }
            return false
        case .asPattern(let inner, let t):
            guard try match(inner, subject, f, &captures) else { return false }
            captures.append((t, subject))
            return true
        }
    }

    /// The attribute names `given` positional sub-patterns of `Cls(...)` match: from
    /// `__match_args__`, or none (meaning: the subject itself) for the built-in types that match
    /// a single positional sub-pattern against themselves.
    private func matchArguments(_ t: PyType, given: Int) throws -> [String] {
        func accepts(_ n: Int) -> PyError {
            PyError(.typeError, "\(t.name)() accepts \(n) positional sub-pattern\(n == 1 ? "" : "s") (\(given) given)")
        }
        // Only a script class can declare `__match_args__` (a host type answers any name).
        let declared = t is PyClass ? try attributeIfPresent(.object(t), "__match_args__") : nil
        guard let declared else {
            let selfMatching: [PyType] = [BuiltinTypes.bool, BuiltinTypes.int, BuiltinTypes.float, BuiltinTypes.str,
                                          BuiltinTypes.list, BuiltinTypes.tuple, BuiltinTypes.dict,
                                          BuiltinTypes.set, BuiltinTypes.frozenset]
            guard selfMatching.contains(where: { t.isSubclass(of: $0) }) else { throw accepts(0) }
            if given > 1 { throw accepts(1) }
            return []
        }
        guard case .object(let tuple as PyTuple) = declared else {
            throw PyError(.typeError, "\(t.name).__match_args__ must be a tuple (got \(declared.typeName))")
        }
        if given > tuple.items.count { throw accepts(tuple.items.count) }
        return try tuple.items.prefix(given).map { item in
            guard case .str(let s) = item else {
                throw PyError(.typeError, "__match_args__ elements must be strings (got \(item.typeName))")
            }
            return s
        }
    }
}
