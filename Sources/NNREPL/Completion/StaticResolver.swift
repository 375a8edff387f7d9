import NNLang
import NeuralNet

/// The value of an expression chain (`r18.layer1[0].conv1`, `sd['fc.weight']`) found without
/// running code: global variables, registered submodules, parameters and buffers, module
/// containers and list/tuple/dict items by literal index, tensors' `.grad`, and members of
/// host namespaces (`torch.nn`). Anything else (properties, instance attributes of script
/// objects, calls) is not looked at: completion must be side-effect free.
struct StaticResolver {
    let interpreter: Interpreter

    /// The chain's value, or nil when it cannot be found that way.
    func resolve(_ segments: [ChainSegment]) -> Value? {
        guard case .name(let first)? = segments.first, var value = interpreter.global(first) else { return nil }
        for segment in segments.dropFirst() {
            guard let next = step(value, segment) else { return nil }
            value = next
        }
        return value
    }

    private func step(_ value: Value, _ segment: ChainSegment) -> Value? {
        switch (value, segment) {
        case (.module(let m), .attribute(let name)):
            if let child = m.child(name) { return .module(child) }
            return (m.parameter(name) ?? m.buffer(name)).map(Value.tensor)
        case (.module(let m), .index(let i)):
            guard let container = m as? IndexedModuleContainer else { return nil }
            let index = i < 0 ? i + container.count : i
            return m.child(String(index)).map(Value.module)
        case (.module(let m), .key(let k)):
            return m is ModuleDict ? m.child(k).map(Value.module) : nil
        case (.tensor(let t), .attribute("grad")):
            return t.grad.map(Value.tensor)
        case (.object(let o), .attribute(let name)):
            guard let namespace = o as? Namespace else { return nil }
            return (try? namespace.getAttribute(name, interpreter)) ?? nil
        case (.object, .index(let i)):
            if let items = interpreter.sequenceItems(value) {
                let index = i < 0 ? i + items.count : i
                return items.indices.contains(index) ? items[index] : nil
            }
            return mappingValue(value) { if case .int(i) = $0 { return true } else { return false } }
        case (.object, .key(let k)):
            return mappingValue(value) { if case .str(k) = $0 { return true } else { return false } }
        default:
            return nil
        }
    }

    private func mappingValue(_ value: Value, where matches: (Value) -> Bool) -> Value? {
        interpreter.mappingItems(value)?.first { matches($0.0) }?.1
    }

    /// The keys `value[…]` accepts that can be completed: a dict's str and int keys, a
    /// ModuleDict's names, the indices of a Sequential/ModuleList/list/tuple (at most 1000).
    func subscriptKeys(of value: Value) -> [ChainSegment] {
        switch value {
        case .module(let m):
            if let container = m as? IndexedModuleContainer { return (0..<container.count).map(ChainSegment.index) }
            if m is ModuleDict { return m.ownModules.items.map { .key($0.0) } }
            return []
        case .object:
            if let items = interpreter.sequenceItems(value) { return (0..<min(items.count, 1000)).map(ChainSegment.index) }
            return (interpreter.mappingItems(value) ?? []).compactMap { key, _ in
                switch key {
                case .str(let s): return .key(s)
                case .int(let i): return .index(i)
                default: return nil
                }
            }
        default:
            return []
        }
    }

    /// Attribute names of `value` starting with `prefix` (private ones only when `prefix`
    /// starts with `_`), as the interpreter's static completion lists them.
    func attributeNames(of value: Value, prefix: String) -> [String] {
        let slot = "__nnrepl_completion__"
        interpreter.setGlobal(slot, value)
        defer { interpreter.setGlobal(slot, nil) }
        let probe = slot + "." + prefix
        var names = interpreter.completions(for: probe, cursor: probe.count).map { String($0.dropFirst(slot.count + 1)) }
        if names.isEmpty, case .tensor = value {
            names = interpreter.host.tensorAttributeNames()
                .filter { $0.hasPrefix(prefix) && (prefix.hasPrefix("_") || !$0.hasPrefix("_")) }
                .sorted()
        }
        return names
    }
}
