import NNLang
import TensorRuntime
import NeuralNet

/// A `torch.optim` optimizer as a script object: `step(closure=None)`, `zero_grad`,
/// `param_groups` (live dict views), `state`, `defaults`, `state_dict`/`load_state_dict`,
/// `add_param_group`, and PyTorch's repr.
final class OptimizerObject: PyObject {
    let optimizer: Optimizer
    init(_ optimizer: Optimizer) { self.optimizer = optimizer }

    override var typeName: String { optimizer.typeName }
    override func repr(_ ev: Evaluator) throws -> String { optimizer.description }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        let opt = optimizer
        switch name {
        case "param_groups": return ev.makeList(opt.paramGroups.map { .object(ParamGroupObject($0)) })
        case "defaults": return ev.makeDict(opt.defaults.items.map { (.str($0.key), ModuleValues.value($0.value, ev)) }, ordered: false)
        case "state": return .object(OptimizerStateObject(opt))
        case "step":
            if let reevaluating = opt as? ReevaluatingOptimizer {
                return method(name) { a, ev in
                    let closure = try a.bind("\(opt.typeName).step", ["closure"], required: 1)[0] ?? .none
                    var first: Value?
                    try reevaluating.step {
                        let loss = try ev.call(closure, Arguments())
                        if first == nil { first = loss }
                        return try loss.asDouble("float() argument")
                    }
                    return first ?? .none
                }
            }
            return method(name) { a, ev in
                let closure = try a.bind("\(opt.typeName).step", ["closure"])[0]
                var loss: Value = .none
                if let closure, !closure.isNone {
                    let previous = GradMode.isEnabled
                    GradMode.isEnabled = true
                    defer { GradMode.isEnabled = previous }
                    loss = try ev.call(closure, Arguments())
                }
                try opt.step()
                return loss
            }
        case "zero_grad":
            return method(name) { a, ev in
                let s = try a.bind("\(opt.typeName).zero_grad", ["set_to_none"])
                opt.zeroGrad(setToNone: try Convert.bool(s[0], default: true, ev))
                return .none
            }
        case "add_param_group":
            return method(name) { a, ev in
                let group = try a.bind("\(opt.typeName).add_param_group", ["param_group"], required: 1)[0]!
                try opt.addParamGroup(try OptimNamespace.paramGroup(group, ev))
                return .none
            }
        case "state_dict":
            return method(name) { _, ev in OptimizerStateDicts.value(opt.stateDict(), ev) }
        case "load_state_dict":
            return method(name) { a, ev in
                let sd = try a.bind("\(opt.typeName).load_state_dict", ["state_dict"], required: 1)[0]!
                try opt.loadStateDict(try OptimizerStateDicts.parse(sd, ev))
                return .none
            }
        default: return nil
        }
    }

    override func attributeNames() -> [String] {
        ["add_param_group", "defaults", "load_state_dict", "param_groups", "state", "state_dict", "step", "zero_grad"]
    }
}

/// One entry of `optimizer.param_groups`: a live dict over the optimizer's `ParamGroup`
/// (`g["lr"] = 0.01` changes the learning rate used by the next `step()`). Prints like the dict
/// PyTorch keeps: `params` first, then the options in order.
final class ParamGroupObject: PyObject {
    let group: ParamGroup
    init(_ group: ParamGroup) { self.group = group }

    override var typeName: String { "dict" }

    private var keys: [String] { ["params"] + group.options.keys }

    private func value(_ key: String, _ ev: Evaluator) -> Value? {
        if key == "params" { return ev.makeList(group.params.map { .tensor($0) }) }
        return group.options[key].map { ModuleValues.value($0, ev) }
    }

    override func repr(_ ev: Evaluator) throws -> String {
        let entries = try keys.map { key in "'\(key)': " + (try value(key, ev).map { try ev.repr($0) } ?? "None") }
        return "{" + entries.joined(separator: ", ") + "}"
    }

    override func length(_ ev: Evaluator) throws -> Int? { keys.count }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { keys.map { .str($0) } }
    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .str(let k) = item else { return false }
        return keys.contains(k)
    }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        guard case .str(let k) = key else { throw PyError.missingKey(key, ev) }
        guard let v = value(k, ev) else { throw PyError(.keyError, k) }
        return v
    }

    override func setItem(_ key: Value, _ newValue: Value, _ ev: Evaluator) throws -> Bool {
        let k = try key.asString("param group key")
        if k == "params" {
            group.params = try ev.iterate(newValue).map { try $0.asTensor("params") }
        } else {
            group.options[k] = try OptimNamespace.optionValue(newValue, k, ev)
        }
        return true
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "keys": return method(name) { _, ev in ev.makeList(self.keys.map { .str($0) }) }
        case "values": return method(name) { _, ev in ev.makeList(self.keys.compactMap { self.value($0, ev) }) }
        case "items":
            return method(name) { _, ev in
                ev.makeList(self.keys.compactMap { k in self.value(k, ev).map { ev.makeTuple([.str(k), $0]) } })
            }
        case "get":
            return method(name) { a, ev in
                let s = try a.bind("get", ["key", "default"], required: 1)
                guard case .str(let k) = s[0]! else { return s[1] ?? Value.none }
                return self.value(k, ev) ?? s[1] ?? Value.none
            }
        default: return nil
        }
    }
}

/// `optimizer.state`: per-parameter state keyed by the parameter tensor (`state[p]['step']`).
final class OptimizerStateObject: PyObject {
    let optimizer: Optimizer
    init(_ optimizer: Optimizer) { self.optimizer = optimizer }

    override var typeName: String { "defaultdict" }

    /// Parameters that have state, in parameter order.
    private var entries: [(Tensor, ParamState)] {
        optimizer.paramGroups.flatMap(\.params).compactMap { p in
            optimizer.state[ObjectIdentifier(p)].map { (p, $0) }
        }
    }

    private func dict(_ s: ParamState, _ ev: Evaluator) -> Value {
        ev.makeDict(s.entries.items.map { (.str($0.key), .tensor($0.value)) }, ordered: false)
    }

    override func repr(_ ev: Evaluator) throws -> String {
        let items = try entries.map { "\(try ev.repr(.tensor($0.0))): \(try ev.repr(dict($0.1, ev)))" }
        return "defaultdict(<class 'dict'>, {" + items.joined(separator: ", ") + "})"
    }

    override func length(_ ev: Evaluator) throws -> Int? { entries.count }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { entries.map { .tensor($0.0) } }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        let p = try key.asTensor("key")
        return dict(optimizer.state(for: p), ev)
    }

    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .tensor(let p) = item else { return false }
        return optimizer.state[ObjectIdentifier(p)] != nil
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "keys": return method(name) { _, ev in ev.makeList(self.entries.map { .tensor($0.0) }) }
        case "values": return method(name) { _, ev in ev.makeList(self.entries.map { self.dict($0.1, ev) }) }
        case "items": return method(name) { _, ev in ev.makeList(self.entries.map { ev.makeTuple([.tensor($0.0), self.dict($0.1, ev)]) }) }
        default: return nil
        }
    }
}

/// `optimizer.state_dict()` ↔ NeuralNet's `OptimizerStateDict`:
/// `{'state': {0: {'step': …, 'exp_avg': …}}, 'param_groups': [{'lr': …, …, 'params': [0, 1]}]}`.
enum OptimizerStateDicts {
    static func value(_ sd: OptimizerStateDict, _ ev: Evaluator) -> Value {
        let state = sd.state.map { entry -> (Value, Value) in
            (.int(entry.index), ev.makeDict(entry.entries.map { (.str($0.0), .tensor($0.1)) }, ordered: false))
        }
        let groups = sd.paramGroups.map { g -> Value in
            ev.makeDict(g.options.map { (.str($0.0), ModuleValues.value($0.1, ev)) } + [(.str("params"), ev.makeList(g.params.map { .int($0) }))],
                        ordered: false)
        }
        return ev.makeDict([(.str("state"), ev.makeDict(state, ordered: false)), (.str("param_groups"), ev.makeList(groups))], ordered: false)
    }

    static func parse(_ v: Value, _ ev: Evaluator) throws -> OptimizerStateDict {
        guard let top = ev.mappingItems(v) else {
            throw PyError(.typeError, "optimizer state_dict must be a dict, got \(v.typeName)")
        }
        func field(_ name: String) throws -> Value {
            guard let f = top.first(where: { if case .str(name) = $0.0 { return true } else { return false } }) else {
                throw PyError(.keyError, name)
            }
            return f.1
        }
        var state: [(index: Int, entries: [(String, Tensor)])] = []
        for (k, entry) in ev.mappingItems(try field("state")) ?? [] {
            let entries = try (ev.mappingItems(entry) ?? []).map { (try $0.0.asString("state key"), try $0.1.asTensor("state value")) }
            state.append((try k.asInt("state index"), entries))
        }
        var groups: [(options: [(String, OptionValue)], params: [Int])] = []
        for g in try ev.iterate(try field("param_groups")) {
            var options: [(String, OptionValue)] = []
            var params: [Int] = []
            for (k, value) in ev.mappingItems(g) ?? [] {
                let key = try k.asString("param group key")
                if key == "params" { params = try ev.iterate(value).map { try $0.asInt("param index") } } else {
                    options.append((key, try OptimNamespace.optionValue(value, key, ev)))
                }
            }
            groups.append((options, params))
        }
        return OptimizerStateDict(state: state, paramGroups: groups)
    }
}
