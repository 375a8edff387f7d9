/// Python's `types`: `SimpleNamespace` and the types of functions, methods, generators and
/// modules for `isinstance` checks.
enum TypesModule {
    /// `types.SimpleNamespace`.
    static let simpleNamespace: HostType = {
        let t = HostType("SimpleNamespace", doc: "An object whose attributes are its keyword arguments.", check: {
            if case .object(let o) = $0, let ns = o as? AttributeNamespace { return ns.style == .simple }
            return false
        }, construct: { a, _ in
            // CPython 3.11 takes keywords only (a mapping argument came in 3.13).
            guard a.positional.isEmpty else { throw PyError(.typeError, "no positional arguments expected") }
            let ns = AttributeNamespace(.simple)
            for (k, v) in a.keywords { ns.attributes[k] = v }
            return .object(ns)
        })
        t.module = "types"
        return t
    }()

    static func module() -> Namespace {
        let m = Namespace("types")
        m["SimpleNamespace"] = .object(simpleNamespace)
        m["FunctionType"] = .object(BuiltinTypes.function)
        m["LambdaType"] = .object(BuiltinTypes.function)
        m["MethodType"] = .object(BuiltinTypes.method)
        m["BuiltinFunctionType"] = .object(BuiltinTypes.builtinFunction)
        m["BuiltinMethodType"] = .object(BuiltinTypes.builtinFunction)
        m["GeneratorType"] = .object(BuiltinTypes.generator)
        m["NoneType"] = .object(BuiltinTypes.noneType)
        m["ModuleType"] = .object(HostType("module", check: { if case .object(let o) = $0 { return o is Namespace }; return false }))
        return m
    }
}

/// An object that is only its attributes: `types.SimpleNamespace` (repr `namespace(a=1)`) and
/// `argparse.Namespace` (repr `Namespace(a=1)`), attributes in insertion order. Equal to
/// another of its kind with the same attributes.
final class AttributeNamespace: PyObject {
    enum Style { case simple, argparse }
    let style: Style
    var attributes = NameTable()

    init(_ style: Style) {
        self.style = style
        super.init()
    }

    override var typeName: String { style == .simple ? "types.SimpleNamespace" : "Namespace" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        if let v = attributes[name] { return v }
        if name == "__dict__" { return .object(try PyDict(attributes.items.map { (.str($0.key), $0.value) })) }
        return nil
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws { attributes[name] = value }

    override func deleteAttribute(_ name: String, _ ev: Evaluator) throws {
        guard attributes.removeValue(forKey: name) != nil else {
            throw PyError(.attributeError, "'\(typeName)' object has no attribute '\(name)'")
        }
    }

    override func repr(_ ev: Evaluator) throws -> String {
        let fields = try attributes.items.map { "\($0.key)=\(try ev.repr($0.value))" }.joined(separator: ", ")
        return "\(style == .simple ? "namespace" : "Namespace")(\(fields))"
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .object(let o) = other, let ns = o as? AttributeNamespace, ns.style == style else { return false }
        guard Set(ns.attributes.keys) == Set(attributes.keys) else { return false }
        for (k, v) in attributes.items where !(try valuesEqual(v, ns.attributes[k] ?? .none, ev)) { return false }
        return true
    }

    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        guard style == .argparse else { return nil }
        if case .str(let k) = item { return attributes[k] != nil }
        return false
    }

    override func attributeNames() -> [String] { attributes.keys }
}
