import NeuralNet
import TensorRuntime

/// Python's `weakref`: `ref(obj)` (calling it gives the object, or None once nothing else
/// holds it) and `WeakValueDictionary` (entries vanish with their values). Script instances,
/// functions, classes, tensors and modules can be referred to weakly; ints, strs, lists, dicts
/// and tuples cannot (CPython's TypeError). A `ref`'s callback is not called.
enum WeakrefModule {
    static func module() -> Namespace {
        let m = Namespace("weakref")
        let refType = HostType("ReferenceType", doc: "A weak reference: call it for the object (None once it is gone).", check: {
            if case .object(let o) = $0 { return o is WeakReference }
            return false
        }, construct: { a, _ in
            let s = try a.bind("ref", ["object", "callback"], required: 1)
            return .object(try WeakReference(s[0] ?? .none))
        })
        refType.module = "weakref"
        m["ref"] = .object(refType)
        m["ReferenceType"] = .object(refType)
        let dictType = HostType("WeakValueDictionary", doc: "A dict whose entries go when their values are gone.", check: {
            if case .object(let o) = $0 { return o is WeakValueDictionary }
            return false
        }, construct: { a, ev in
            let d = WeakValueDictionary()
            if let initial = a.positional.first, let items = ev.mappingItems(initial) {
                for (k, v) in items { try d.entries.set(k, .object(try WeakReference(v))) }
            }
            for (k, v) in a.keywords { try d.entries.set(.str(k), .object(try WeakReference(v))) }
            return .object(d)
        })
        dictType.module = "weakref"
        m["WeakValueDictionary"] = .object(dictType)
        m["getweakrefcount"] = .object(NativeFunction("getweakrefcount", "object", doc: "0 (nnrepl does not count weak references).") { _, _ in .int(0) })
        return m
    }
}

/// `weakref.ref(obj)`.
final class WeakReference: PyObject {
    private weak var object: PyObject?
    private weak var tensor: Tensor?
    private weak var module: Module?
    private let targetType: String

    init(_ v: Value) throws {
        targetType = v.typeName
        switch v {
        case .object(let o) where !(o is PyList || o is PyDict || o is PyTuple):
            object = o
            (o as? PyGenerator)?.weaklyReferenced = true
        case .tensor(let t): tensor = t
        case .module(let m): module = m
        default: throw PyError(.typeError, "cannot create weak reference to '\(v.typeName)' object")
        }
        super.init()
    }

    /// The object, while something else still holds it.
    var target: Value? {
        if let object { return .object(object) }
        if let tensor { return .tensor(tensor) }
        if let module { return .module(module) }
        return nil
    }

    override var typeName: String { "weakref.ReferenceType" }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        _ = try args.bind("weakref", [])
        return target ?? .none
    }

    override func repr(_ ev: Evaluator) throws -> String {
        guard target != nil else { return "<weakref at \(addressString(self)); dead>" }
        return "<weakref at \(addressString(self)); to '\(targetType)'>"
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .object(let o) = other, let r = o as? WeakReference else { return false }
        guard let a = target, let b = r.target else { return r === self }
        return try valuesEqual(a, b, ev)
    }
}

/// `weakref.WeakValueDictionary()`: a dict of weak references, read through.
final class WeakValueDictionary: PyObject {
    let entries = PyDict()

    override var typeName: String { "WeakValueDictionary" }

    /// The live entries (dead ones are dropped).
    private func live() throws -> [(Value, Value)] {
        var out: [(Value, Value)] = []
        for (k, r) in entries.items {
            if case .object(let o) = r, let ref = o as? WeakReference, let v = ref.target { out.append((k, v)) } else { try entries.remove(k) }
        }
        return out
    }

    override func length(_ ev: Evaluator) throws -> Int? { try live().count }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { try live().map(\.0) }
    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? { try live().contains { try valuesEqual($0.0, item, ev) } }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        if case .object(let o)? = try entries.get(key), let ref = o as? WeakReference, let v = ref.target { return v }
        throw PyError(.keyError, args: [key])
    }

    override func setItem(_ key: Value, _ value: Value, _ ev: Evaluator) throws -> Bool {
        try entries.set(key, .object(try WeakReference(value)))
        return true
    }

    override func deleteItem(_ key: Value, _ ev: Evaluator) throws -> Bool {
        guard try entries.remove(key) != nil else { throw PyError(.keyError, args: [key]) }
        return true
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "keys": return method(name) { _, ev in ev.makeList(try self.live().map(\.0)) }
        case "values": return method(name) { _, ev in ev.makeList(try self.live().map(\.1)) }
        case "items": return method(name) { _, ev in ev.makeList(try self.live().map { ev.makeTuple([$0.0, $0.1]) }) }
        case "get":
            return method(name) { a, ev in
                let s = try a.bind("get", ["key", "default"], required: 1)
                return try self.live().first { try valuesEqual($0.0, s[0] ?? .none, ev) }?.1 ?? (s[1] ?? .none)
            }
        default: return nil
        }
    }
}
