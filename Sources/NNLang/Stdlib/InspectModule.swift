/// Python's `inspect`, the parts scripts use to look at their own functions: `signature`
/// (of script functions, methods, lambdas and classes' `__init__`; `str()` as CPython's
/// `(x, y=1, *args, z, **kwargs)`, `parameters` in order with `name`, `default`, `kind`),
/// `getsource` (a script function's lines), `getdoc`/`cleandoc`, `getmembers`, and the
/// `is…` predicates. No annotations (nnrepl does not keep them): `annotation` is always
/// `Parameter.empty`. Built-in functions have no signature (ValueError, as many of CPython's).
enum InspectModule {
    /// `inspect.Parameter.empty` / `Signature.empty`.
    static let empty = PyClass(name: "_empty", base: nil, moduleName: "inspect")

    static func module() -> Namespace {
        let m = Namespace("inspect")
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            m[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        def("signature", "obj", "The parameters a callable takes.") { b, ev in
            .object(try InspectSignature(try parameters(of: b[0], ev)))
        }
        def("getsource", "object", "The source lines of a script function.") { b, _ in
            guard let fn = function(b[0]) else { throw PyError(.typeError, "module, class, method, function, traceback, frame, or code object was expected, got \(b[0].typeName)") }
            let lines = fn.code.source.lines
            guard let block = block(lines, headerLine: fn.code.span.line) else { throw PyError(.osError, "could not get source code") }
            return .str(lines[block].joined(separator: "\n") + "\n")
        }
        def("cleandoc", "doc", "A docstring without its indentation and surrounding blank lines.") { b, _ in .str(cleandoc(try b[0].asString("doc"))) }
        def("getdoc", "object", "The object's docstring, cleaned (None without one).") { b, ev in
            guard let doc = try? ev.getAttribute(b[0], "__doc__"), case .str(let text) = doc else { return .none }
            return .str(cleandoc(text))
        }
        def("getmembers", "object, predicate=None", "(name, value) for each attribute, sorted by name.") { b, ev in
            let interp = try Interpreter.of(ev)
            var out: [Value] = []
            for name in Set(interp.attributeNames(of: b[0])).sorted() {
                guard let v = try? ev.getAttribute(b[0], name) else { continue }
                if !b[1].isNone, !(try ev.truthy(try ev.call(b[1], Arguments([v])))) { continue }
                out.append(ev.makeTuple([.str(name), v]))
            }
            return ev.makeList(out)
        }
        let predicates: [(String, (Value) -> Bool)] = [
            ("isclass", { if case .object(let o) = $0 { return o is PyType }; return false }),
            ("isfunction", { function($0, boundToo: false) != nil }),
            ("ismethod", { if case .object(let o) = $0 { return o is BoundMethod }; return false }),
            ("isbuiltin", { if case .object(let o) = $0 { return o is NativeFunction || o is BuiltinFunction }; return false }),
            ("isroutine", { if case .object(let o) = $0 { return o is PyFunction || o is BoundMethod || o is NativeFunction || o is BuiltinFunction }; return false }),
            ("ismodule", { if case .object(let o) = $0 { return o is Namespace }; return false }),
            ("isgenerator", { if case .object(let o) = $0 { return o is PyGenerator }; return false }),
            ("isgeneratorfunction", { function($0, boundToo: true)?.code.isGenerator ?? false }),
            ("iscoroutinefunction", { _ in false }),
            ("isabstract", { if case .object(let o) = $0, let c = o as? PyClass { return !c.abstractMethods.isEmpty }; return false }),
        ]
        for (name, test) in predicates {
            def(name, "object", "Whether the object is what the name says.") { b, _ in .bool(test(b[0])) }
        }
        let parameter = HostType("Parameter", doc: "One parameter of a signature.", check: {
            if case .object(let o) = $0 { return o is InspectParameter }
            return false
        })
        parameter.module = "inspect"
        parameter.classMembers["empty"] = .object(empty)
        for (i, kind) in InspectParameter.kinds.enumerated() { parameter.classMembers[kind] = .object(ParameterKind(i)) }
        m["Parameter"] = .object(parameter)
        let signature = HostType("Signature", doc: "The parameters of a callable.", check: {
            if case .object(let o) = $0 { return o is InspectSignature }
            return false
        })
        signature.module = "inspect"
        signature.classMembers["empty"] = .object(empty)
        m["Signature"] = .object(signature)
        return m
    }

    /// The script function behind a value (a function, or a bound method's when `boundToo`).
    static func function(_ v: Value, boundToo: Bool = true) -> PyFunction? {
        guard case .object(let o) = v else { return nil }
        if let f = o as? PyFunction { return f }
        if boundToo, let m = o as? BoundMethod, case .object(let fo) = m.function { return fo as? PyFunction }
        return nil
    }

    /// A callable's parameters: a function's, a bound method's without its first, a class's
    /// `__init__` without `self`.
    static func parameters(of v: Value, _ ev: Evaluator) throws -> [InspectParameter] {
        guard case .object(let o) = v else { throw PyError(.typeError, "\(try ev.repr(v)) is not a callable object") }
        if let f = o as? PyFunction { return InspectParameter.all(of: f) }
        if let m = o as? BoundMethod, case .object(let fo) = m.function, let f = fo as? PyFunction {
            return Array(InspectParameter.all(of: f).dropFirst())
        }
        if let c = o as? PyClass {
            guard let initializer = c.lookup("__init__"), case .object(let io) = initializer, let f = io as? PyFunction else { return [] }
            return Array(InspectParameter.all(of: f).dropFirst())
        }
        throw PyError(.valueError, "no signature found for \(try ev.repr(v))")
    }

    /// The lines of the definition whose header is on 1-based `headerLine`: its decorators,
    /// the header, then every line indented deeper (or blank) up to the last non-blank one.
    static func block(_ lines: [Substring], headerLine: Int) -> Range<Int>? {
        guard headerLine >= 1, headerLine <= lines.count else { return nil }
        func indent(_ l: Substring) -> Int { l.prefix { $0 == " " || $0 == "\t" }.count }
        func blank(_ l: Substring) -> Bool { l.allSatisfy(\.isWhitespace) }
        let header = headerLine - 1, depth = indent(lines[header])
        var start = header
        while start > 0, indent(lines[start - 1]) == depth, lines[start - 1].dropFirst(depth).hasPrefix("@") { start -= 1 }
        var end = header + 1, lastCode = header
        while end < lines.count, blank(lines[end]) || indent(lines[end]) > depth {
            if !blank(lines[end]) { lastCode = end }
            end += 1
        }
        return start..<(lastCode + 1)
    }

    /// `inspect.cleandoc`: tabs expanded, the first line stripped, the common indentation of the
    /// others removed, leading and trailing blank lines dropped.
    static func cleandoc(_ doc: String) -> String {
        var lines = TextwrapModule.expandTabs(doc, 8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let margin = lines.dropFirst().filter { !$0.allSatisfy { $0 == " " } }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        if !lines.isEmpty { lines[0] = String(lines[0].drop { $0 == " " }) }
        for i in lines.indices.dropFirst() { lines[i] = String(lines[i].dropFirst(Swift.min(margin, lines[i].prefix { $0 == " " }.count))) }
        while let first = lines.first, first.allSatisfy({ $0 == " " }) { lines.removeFirst() }
        while let last = lines.last, last.allSatisfy({ $0 == " " }) { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}

/// `inspect.Parameter`.
final class InspectParameter: PyObject {
    static let kinds = ["POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD", "VAR_POSITIONAL", "KEYWORD_ONLY", "VAR_KEYWORD"]
    let name: String
    let kind: Int
    let defaultValue: Value?

    init(_ name: String, kind: Int, defaultValue: Value?) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        super.init()
    }

    /// A script function's parameters in order.
    static func all(of f: PyFunction) -> [InspectParameter] {
        let code = f.code
        var out: [InspectParameter] = []
        for (i, p) in code.positional.enumerated() {
            out.append(InspectParameter(p.name, kind: i < code.positionalOnlyCount ? 0 : 1, defaultValue: i < f.defaults.count ? f.defaults[i] : nil))
        }
        if let v = code.varargs { out.append(InspectParameter(v.name, kind: 2, defaultValue: nil)) }
        for (i, p) in code.keywordOnly.enumerated() {
            out.append(InspectParameter(p.name, kind: 3, defaultValue: i < f.keywordDefaults.count ? f.keywordDefaults[i] : nil))
        }
        if let k = code.kwargs { out.append(InspectParameter(k.name, kind: 4, defaultValue: nil)) }
        return out
    }

    override var typeName: String { "Parameter" }

    /// `x`, `y=1`, `*args`, `**kwargs`.
    func text(_ ev: Evaluator) throws -> String {
        switch kind {
        case 2: return "*" + name
        case 4: return "**" + name
        default: return try defaultValue.map { "\(name)=\(try ev.repr($0))" } ?? name
        }
    }

    override func str(_ ev: Evaluator) throws -> String { try text(ev) }
    override func repr(_ ev: Evaluator) throws -> String { "<Parameter \"\(try text(ev))\">" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "name": return .str(self.name)
        case "default": return defaultValue ?? .object(InspectModule.empty)
        case "annotation": return .object(InspectModule.empty)
        case "kind": return .object(ParameterKind(kind))
        default: return nil
        }
    }
}

/// `inspect.Parameter.kind`: prints as CPython's `_ParameterKind` member, equal to its int.
final class ParameterKind: PyObject {
    let index: Int

    init(_ index: Int) {
        self.index = index
        super.init()
    }

    override var typeName: String { "_ParameterKind" }
    override func str(_ ev: Evaluator) throws -> String { InspectParameter.kinds[index] }
    override func repr(_ ev: Evaluator) throws -> String { "<_ParameterKind.\(InspectParameter.kinds[index]): \(index)>" }
    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .int(let i) = other { return i == index }
        if case .object(let o) = other, let k = o as? ParameterKind { return k.index == index }
        return false
    }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "name": return .str(InspectParameter.kinds[index])
        case "value": return .int(index)
        case "description":
            return .str(["positional-only", "positional or keyword", "variadic positional", "keyword-only", "variadic keyword"][index])
        default: return nil
        }
    }
}

/// `inspect.Signature`: `(x, y=1, *, z)` with `/` and `*` markers as CPython prints them.
final class InspectSignature: PyObject {
    let parameters: [InspectParameter]

    init(_ parameters: [InspectParameter]) throws {
        self.parameters = parameters
        super.init()
    }

    override var typeName: String { "Signature" }

    override func str(_ ev: Evaluator) throws -> String {
        var parts: [String] = []
        var sawVariadic = false
        for (i, p) in parameters.enumerated() {
            if p.kind == 3, !sawVariadic {
                parts.append("*")
                sawVariadic = true
            }
            if p.kind == 2 { sawVariadic = true }
            parts.append(try p.text(ev))
            if p.kind == 0, i + 1 == parameters.count || parameters[i + 1].kind != 0 { parts.append("/") }
        }
        return "(" + parts.joined(separator: ", ") + ")"
    }

    override func repr(_ ev: Evaluator) throws -> String { "<Signature \(try str(ev))>" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "parameters": return ev.makeDict(parameters.map { (.str($0.name), .object($0)) }, ordered: true)
        case "return_annotation": return .object(InspectModule.empty)
        default: return nil
        }
    }
}
