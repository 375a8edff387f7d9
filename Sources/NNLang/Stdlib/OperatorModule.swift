/// Python's `operator` module: the operators as functions (`operator.add`, `operator.lt`, …)
/// through the interpreter's own operator rules, and `itemgetter`, `attrgetter`, `methodcaller`.
enum OperatorModule {
    static func module() -> Namespace {
        let m = Namespace("operator")
        let binaries: [(String, BinaryOperator)] = [
            ("add", .add), ("sub", .sub), ("mul", .mul), ("truediv", .div), ("floordiv", .floorDiv), ("mod", .mod),
            ("pow", .pow), ("matmul", .matMul), ("lshift", .lshift), ("rshift", .rshift), ("and_", .bitAnd),
            ("or_", .bitOr), ("xor", .bitXor), ("concat", .add),
        ]
        for (name, op) in binaries {
            m[name] = .object(NativeFunction(name, "a, b", doc: "a \(op.rawValue) b.") { b, ev in try Interpreter.of(ev).binary(op, b[0], b[1]) })
        }
        let comparisons: [(String, ComparisonOperator)] = [("lt", .lt), ("le", .le), ("eq", .eq), ("ne", .ne), ("ge", .ge), ("gt", .gt)]
        for (name, op) in comparisons {
            m[name] = .object(NativeFunction(name, "a, b", doc: "a \(op.rawValue) b.") { b, ev in try Interpreter.of(ev).compare(op, b[0], b[1]) })
        }
        let unaries: [(String, UnaryOperator)] = [("neg", .negate), ("pos", .plus), ("invert", .invert), ("inv", .invert), ("not_", .not)]
        for (name, op) in unaries {
            m[name] = .object(NativeFunction(name, "a", doc: "\(op.rawValue) a.") { b, ev in try Interpreter.of(ev).unary(op, b[0]) })
        }
        m["truth"] = .object(NativeFunction("truth", "a", doc: "bool(a).") { b, ev in .bool(try ev.truthy(b[0])) })
        m["abs"] = .object(NativeFunction("abs", "a", doc: "abs(a).") { b, ev in try Interpreter.of(ev).absolute(b[0]) })
        m["index"] = .object(NativeFunction("index", "a", doc: "a as an int (a.__index__()).") { b, _ in .int(try b[0].asInt("a")) })
        m["getitem"] = .object(NativeFunction("getitem", "a, b", doc: "a[b].") { b, ev in try Interpreter.of(ev).getItem(b[0], b[1]) })
        m["setitem"] = .object(NativeFunction("setitem", "a, b, c", doc: "a[b] = c.") { b, ev in
            try Interpreter.of(ev).setItem(b[0], b[1], b[2])
            return .none
        })
        m["delitem"] = .object(NativeFunction("delitem", "a, b", doc: "del a[b].") { b, ev in
            try Interpreter.of(ev).deleteItem(b[0], b[1])
            return .none
        })
        m["countOf"] = .object(NativeFunction("countOf", "a, b", doc: "How many items of a equal b.") { b, ev in
            .int(try ev.iterate(b[0]).filter { try valuesEqual($0, b[1], ev) }.count)
        })
        m["indexOf"] = .object(NativeFunction("indexOf", "a, b", doc: "The index of the first item of a equal to b.") { b, ev in
            guard let i = try ev.iterate(b[0]).firstIndex(where: { try valuesEqual($0, b[1], ev) }) else {
                throw PyError(.valueError, "sequence.index(x): x not in sequence")
            }
            return .int(i)
        })
        m["call"] = .object(NativeFunction("call", "obj, /, *args, **kwargs", doc: "obj(*args, **kwargs).") { b, ev in
            try ev.call(b[0], Arguments(b.extraPositional, keywords: b.extraKeywords))
        })
        m["contains"] = .object(NativeFunction("contains", "a, b", doc: "b in a.") { b, ev in .bool(try Interpreter.of(ev).contains(b[0], b[1])) })
        m["is_"] = .object(NativeFunction("is_", "a, b", doc: "a is b.") { b, ev in try Interpreter.of(ev).compare(.is, b[0], b[1]) })
        m["is_not"] = .object(NativeFunction("is_not", "a, b", doc: "a is not b.") { b, ev in try Interpreter.of(ev).compare(.isNot, b[0], b[1]) })
        m["itemgetter"] = .object(NativeFunction("itemgetter", signature: nil, doc: "A callable that returns obj[item] (a tuple for several items).") { a, _ in
            guard a.keywords.isEmpty, !a.positional.isEmpty else { throw PyError(.typeError, "itemgetter expected 1 argument, got 0") }
            let keys = a.positional
            return .object(NativeFunction("itemgetter", signature: nil, doc: nil) { a, ev in
                guard a.keywords.isEmpty, a.positional.count == 1 else {
                    throw PyError(.typeError, "itemgetter expected 1 argument, got \(a.positional.count)")
                }
                let interp = try Interpreter.of(ev)
                let items = try keys.map { try interp.getItem(a.positional[0], $0) }
                return keys.count == 1 ? items[0] : ev.makeTuple(items)
            })
        })
        m["attrgetter"] = .object(NativeFunction("attrgetter", signature: nil, doc: "A callable that returns obj.name (dotted names follow each step; a tuple for several).") { a, _ in
            guard a.keywords.isEmpty, !a.positional.isEmpty else { throw PyError(.typeError, "attrgetter expected 1 argument, got 0") }
            let paths = try a.positional.map { v -> [String] in
                guard case .str(let s) = v else { throw PyError(.typeError, "attribute name must be a string") }
                return s.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            }
            return .object(NativeFunction("attrgetter", signature: nil, doc: nil) { a, ev in
                guard a.keywords.isEmpty, a.positional.count == 1 else {
                    throw PyError(.typeError, "attrgetter expected 1 argument, got \(a.positional.count)")
                }
                let items = try paths.map { path in try path.reduce(a.positional[0]) { try ev.getAttribute($0, $1) } }
                return paths.count == 1 ? items[0] : ev.makeTuple(items)
            })
        })
        m["methodcaller"] = .object(NativeFunction("methodcaller", signature: nil, doc: "A callable that calls obj.name(*args, **kwargs).") { a, _ in
            guard case .str(let name)? = a.positional.first else {
                throw PyError(.typeError, a.positional.isEmpty ? "methodcaller needs at least one argument, the method name" : "method name must be a string")
            }
            let rest = Arguments(Array(a.positional.dropFirst()), keywords: a.keywords)
            return .object(NativeFunction("methodcaller", signature: nil, doc: nil) { b, ev in
                guard b.keywords.isEmpty, b.positional.count == 1 else {
                    throw PyError(.typeError, "methodcaller expected 1 argument, got \(b.positional.count)")
                }
                return try ev.call(try ev.getAttribute(b.positional[0], name), rest)
            })
        })
        return m
    }
}
