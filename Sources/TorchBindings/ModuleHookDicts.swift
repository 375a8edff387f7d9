import NNLang
import TensorRuntime
import NeuralNet

/// `m._forward_hooks`, `m._forward_pre_hooks`, `m._backward_hooks`, `m._backward_pre_hooks`:
/// the hooks registered from a script, as the `OrderedDict` PyTorch keeps (hook id -> callable).
/// A live view: it reads the module's hooks each time, and `clear()`, `pop` and `del d[id]`
/// remove hooks from the module. Hooks nnrepl installs for itself (the full backward hooks'
/// forward wrappers) are not listed.
final class ModuleHookDict: PyObject {
    enum Kind: String {
        case forward = "_forward_hooks", forwardPre = "_forward_pre_hooks"
        case backward = "_backward_hooks", backwardPre = "_backward_pre_hooks"
    }
    let module: Module
    let kind: Kind

    /// The dict `name` of `m`, nil for another name or before `Module.__init__` ran.
    static func of(_ m: Module, _ name: String) -> Value? {
        guard let kind = Kind(rawValue: name), m.isInitialised else { return nil }
        return .object(ModuleHookDict(m, kind))
    }

    private init(_ module: Module, _ kind: Kind) {
        self.module = module
        self.kind = kind
        super.init()
    }

    private var entries: [(id: Int, fn: Value)] {
        switch kind {
        case .forward, .forwardPre:
            return module.hookEntries(pre: kind == .forwardPre).map { ($0.id, ($0.callable as? Value) ?? .none) }
        case .backward, .backwardPre:
            return ModuleBackwardHooks.entries(of: module, pre: kind == .backwardPre)
        }
    }

    @discardableResult
    private func remove(_ id: Int) -> Bool {
        switch kind {
        case .forward, .forwardPre: return module.removeHook(id: id, pre: kind == .forwardPre)
        case .backward, .backwardPre: return ModuleBackwardHooks.remove(from: module, id: id, pre: kind == .backwardPre)
        }
    }

    private func lookup(_ key: Value) -> (Int, Value)? {
        guard case .int(let id) = key, let e = entries.first(where: { $0.id == id }) else { return nil }
        return (e.id, e.fn)
    }

    override var typeName: String { "OrderedDict" }

    override func repr(_ ev: Evaluator) throws -> String {
        let items = entries
        if items.isEmpty { return "OrderedDict()" }
        return "OrderedDict([" + (try items.map { "(\($0.id), \(try ev.repr($0.fn)))" }.joined(separator: ", ")) + "])"
    }

    override func length(_ ev: Evaluator) throws -> Int? { entries.count }
    override func truthiness(_ ev: Evaluator) throws -> Bool? { !entries.isEmpty }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { entries.map { .int($0.id) } }
    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .int(let id) = item else { return false }
        return entries.contains { $0.id == id }
    }
    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        guard let (_, fn) = lookup(key) else { throw PyError.missingKey(key, ev) }
        return fn
    }
    override func deleteItem(_ key: Value, _ ev: Evaluator) throws -> Bool {
        guard let (id, _) = lookup(key) else { throw PyError.missingKey(key, ev) }
        remove(id)
        return true
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "keys", "values", "items":
            return method(name) { [self] a, ev in
                _ = try a.bind("OrderedDict.\(name)", [])
                let items = entries
                switch name {
                case "keys": return ev.makeList(items.map { .int($0.id) })
                case "values": return ev.makeList(items.map(\.fn))
                default: return ev.makeList(items.map { ev.makeTuple([.int($0.id), $0.fn]) })
                }
            }
        case "get":
            return method(name) { [self] a, _ in
                let s = try a.bind("get", ["key", "default"], required: 1)
                return lookup(s[0] ?? .none)?.1 ?? s[1] ?? .none
            }
        case "pop":
            return method(name) { [self] a, ev in
                let s = try a.bind("pop", ["key", "default"], required: 1)
                guard let (id, fn) = lookup(s[0] ?? .none) else {
                    if let d = s[1] { return d }
                    throw PyError.missingKey(s[0] ?? .none, ev)
                }
                remove(id)
                return fn
            }
        case "clear":
            return method(name) { [self] a, _ in
                _ = try a.bind("clear", [])
                for e in entries { remove(e.id) }
                return .none
            }
        default:
            return nil
        }
    }

    override func attributeNames() -> [String] { ["clear", "get", "items", "keys", "pop", "values"] }
}
