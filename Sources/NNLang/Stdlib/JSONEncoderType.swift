/// `json.JSONEncoder`: `JSONEncoder(indent=2).encode(obj)`, and the base of script encoders
/// (`class E(json.JSONEncoder)` overriding `default`, used as `json.dumps(obj, cls=E)`). As in
/// CPython, `__init__` stores the options as instance attributes and `encode` reads them back,
/// with the instance's `default` as the fallback for values JSON has no form for.
enum JSONEncoderType {
    /// The constructor's options in `JSONWriter`'s slot order (`cls` has no attribute).
    static let options = ["skipkeys", "ensure_ascii", "check_circular", "allow_nan", "cls", "indent", "separators", "default", "sort_keys"]
    /// The options' defaults (`indent`, `separators` and `default` are None).
    static let defaults: [String: Value] = [
        "skipkeys": .bool(false), "ensure_ascii": .bool(true), "check_circular": .bool(true), "allow_nan": .bool(true),
        "sort_keys": .bool(false),
    ]

    static let type: HostType = {
        let t = HostType("JSONEncoder", signature: Signature("*, skipkeys=False, ensure_ascii=True, check_circular=True, allow_nan=True, sort_keys=False, indent=None, separators=None, default=None"),
                         doc: "Encodes Python values as JSON text; derive from it to override default(o).", check: {
            if case .object(let o) = $0 { return o is PlainJSONEncoder }
            return false
        }, construct: { a, ev in
            let encoder = PlainJSONEncoder()
            try initialize(encoder, a, ev)
            return .object(encoder)
        })
        t.module = "json.encoder"
        t.instanceMembers = { name, instance, _ in
            guard case .object(let owner) = instance else { return nil }
            return member(name, owner)
        }
        return t
    }()

    /// The host's members of an encoder instance (a script subclass's or a plain one).
    static func member(_ name: String, _ owner: PyObject) -> Value? {
        switch name {
        case "__init__": return method(name) { a, ev in try initialize(owner, a, ev); return .none }
        case "default":
            return method(name) { a, _ in
                let o = try a.bind("default", ["o"], required: 1)[0] ?? .none
                throw PyError(.typeError, "Object of type \(o.typeName) is not JSON serializable")
            }
        case "encode":
            return method(name) { a, ev in
                let o = try a.bind("encode", ["o"], required: 1)[0] ?? .none
                return .str(try JSONModule.writer(options: try slots(owner, ev), ev).encode(o, oneShot: true))
            }
        case "item_separator": return .str(", ")
        case "key_separator": return .str(": ")
        default: return nil
        }
    }

    /// `JSONEncoder.__init__`: the options as attributes, the separators as CPython splits them.
    private static func initialize(_ owner: PyObject, _ a: Arguments, _ ev: Evaluator) throws {
        let names = options.filter { $0 != "cls" }
        let s = try a.bind("JSONEncoder.__init__", names, positionalLimit: 0)
        for (name, value) in zip(names, s) where name != "separators" && name != "default" {
            try owner.setAttribute(name, value ?? defaults[name] ?? .none, ev)
        }
        let indent = s[names.firstIndex(of: "indent") ?? 0] ?? .none
        if let separators = s[names.firstIndex(of: "separators") ?? 0], !separators.isNone {
            let parts = try ev.iterate(separators)
            guard parts.count == 2 else { throw PyError(.valueError, "too many values to unpack (expected 2)") }
            try owner.setAttribute("item_separator", parts[0], ev)
            try owner.setAttribute("key_separator", parts[1], ev)
        } else if !indent.isNone {
            try owner.setAttribute("item_separator", .str(","), ev)
        }
        if let fallback = s[names.firstIndex(of: "default") ?? 0], !fallback.isNone {
            try owner.setAttribute("default", fallback, ev)
        }
    }

    /// The writer's option slots read from the encoder's attributes; its `default` (the base's
    /// raises CPython's TypeError) is the fallback.
    private static func slots(_ owner: PyObject, _ ev: Evaluator) throws -> [Value?] {
        let encoder = Value.object(owner)
        return try options.map { name in
            switch name {
            case "cls": return nil
            case "separators":
                return ev.makeTuple([try ev.getAttribute(encoder, "item_separator"), try ev.getAttribute(encoder, "key_separator")])
            default: return try ev.getAttribute(encoder, name)
            }
        }
    }
}

/// An instance of `json.JSONEncoder` itself (script subclasses' instances are script objects).
final class PlainJSONEncoder: PyObject {
    private var attributes: [String: Value] = [:]

    override var typeName: String { "JSONEncoder" }

    override func repr(_ ev: Evaluator) throws -> String { "<json.encoder.JSONEncoder object at \(addressString(self))>" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        attributes[name] ?? JSONEncoderType.member(name, self)
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws { attributes[name] = value }
}
