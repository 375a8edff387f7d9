import TensorRuntime

/// A value in a state dict handed to `loadStateDict`: a tensor, or some other Python object
/// (reported as `<class 'int'>` in PyTorch's message).
public enum StateValue {
    case tensor(Tensor)
    /// Any non-tensor value; `pythonTypeRepr` is `repr(type(value))`, e.g. `<class 'int'>`.
    case other(pythonTypeRepr: String)
}

/// `_IncompatibleKeys(missing_keys, unexpected_keys)` returned by `load_state_dict`.
public struct IncompatibleKeys: Equatable, CustomStringConvertible {
    public var missingKeys: [String]
    public var unexpectedKeys: [String]

    /// `<All keys matched successfully>` or `_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])`.
    public var description: String {
        if missingKeys.isEmpty && unexpectedKeys.isEmpty { return "<All keys matched successfully>" }
        func list(_ keys: [String]) -> String { "[" + keys.map { pythonStringRepr($0) }.joined(separator: ", ") + "]" }
        return "_IncompatibleKeys(missing_keys=\(list(missingKeys)), unexpected_keys=\(list(unexpectedKeys)))"
    }
}

/// Python's `repr(str)` for plain keys: single quotes unless the text contains one.
func pythonStringRepr(_ s: String) -> String {
    if s.contains("'") && !s.contains("\"") { return "\"" + s + "\"" }
    return "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
}

extension Module {
    /// `state_dict(prefix='', keep_vars=False)`: pre-order; each module's non-None parameters, then
    /// persistent non-None buffers, then children. No de-duplication. Values are detached unless
    /// `keepVars`.
    public func stateDict(prefix: String = "", keepVars: Bool = false) -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        walk(removeDuplicate: false, path: DottedPath(prefix, separatorAfter: true)) { module, path in
            for (name, t) in module.localState() {
                out.append((path.appending(name), keepVars ? t : t.detached()))
            }
        }
        return out
    }

    /// Non-None parameters then persistent non-None buffers (`_load_from_state_dict`'s `local_state`).
    func localState() -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        for (name, p) in ownParameters.items { if let p { out.append((name, p)) } }
        for (name, b) in ownBuffers.items where !nonPersistentBuffers.contains(name) {
            if let b { out.append((name, b)) }
        }
        return out
    }

    /// `load_state_dict(state_dict, strict=True)`. Collects missing and unexpected keys (even when
    /// not strict) and per-tensor errors in PyTorch's order and wording; throws the RuntimeError
    /// `Error(s) in loading state_dict for Net:` … when there are errors.
    ///
    /// Unlike PyTorch, a failed load changes nothing: everything is validated first, and only
    /// then copied in place under no_grad.
    @discardableResult
    public func loadStateDict(_ entries: [(String, StateValue)], strict: Bool = true) throws -> IncompatibleKeys {
        var dict: [String: StateValue] = [:]
        var order: [String] = []
        for (k, v) in entries {
            if dict.updateValue(v, forKey: k) == nil { order.append(k) }
        }
        var plan = LoadPlan()
        collectLoad(dict: dict, keys: order, prefix: "", plan: &plan)
        var errors = plan.errors
        if strict {
            if !plan.unexpected.isEmpty {
                errors.insert("Unexpected key(s) in state_dict: " + plan.unexpected.map { "\"\($0)\"" }.joined(separator: ", ") + ". ", at: 0)
            }
            if !plan.missing.isEmpty {
                errors.insert("Missing key(s) in state_dict: " + plan.missing.map { "\"\($0)\"" }.joined(separator: ", ") + ". ", at: 0)
            }
        }
        if !errors.isEmpty {
            throw TorchError.runtime("Error(s) in loading state_dict for \(typeName):\n\t" + errors.joined(separator: "\n\t"))
        }
        try GradMode.withNoGrad {
            for (source, destination) in plan.copies {
                try copyElements(from: source, to: destination)
            }
        }
        return IncompatibleKeys(missingKeys: plan.missing, unexpectedKeys: plan.unexpected)
    }

    private struct LoadPlan {
        var missing: [String] = []
        var unexpected: [String] = []
        var errors: [String] = []
        var copies: [(Tensor, Tensor)] = []
    }

    /// PyTorch's recursive `load` + `_load_from_state_dict` (always collecting keys, as PyTorch
    /// passes strict=True down), recording copies instead of performing them. Pre-order, with an
    /// explicit stack (no native recursion on deep trees); each module sees only the keys under
    /// its prefix.
    private func collectLoad(dict: [String: StateValue], keys: [String], prefix: String, plan: inout LoadPlan) {
        var stack: [(module: Module, prefix: String, keys: [String])] = [(self, prefix, keys)]
        while let (module, prefix, keys) = stack.popLast() {
            module.collectLocalLoad(dict: dict, keys: keys, prefix: prefix, plan: &plan)
            for (name, child) in module.ownModules.items.reversed() {
                guard let child else { continue }
                let childPrefix = prefix + name + "."
                stack.append((child, childPrefix, keys.filter { $0.hasPrefix(childPrefix) }))
            }
        }
    }

    /// One module's part of `collectLoad`: its own parameters and buffers, and the keys under
    /// `prefix` that name nothing here.
    private func collectLocalLoad(dict: [String: StateValue], keys: [String], prefix: String, plan: inout LoadPlan) {
        let local = localState()
        for (name, param) in local {
            let key = prefix + name
            guard let value = dict[key] else {
                plan.missing.append(key)
                continue
            }
            guard case .tensor(var input) = value else {
                if case .other(let typeRepr) = value {
                    plan.errors.append("While copying the parameter named \"\(key)\", expected torch.Tensor or Tensor-like object from checkpoint but received \(typeRepr)")
                }
                continue
            }
            // Backward compatibility: a 1-element 1-dim tensor loads into a 0-dim one.
            if param.shape.isEmpty && input.shape.count == 1 && input.shape[0] >= 1 {
                input = Tensor(storage: input.storage, shape: [], strides: [], storageOffset: input.storageOffset)
            }
            guard input.shape == param.shape else {
                plan.errors.append("size mismatch for \(key): copying a param with shape torch.Size(\(shapeDescription(input.shape))) from checkpoint, the shape in current model is torch.Size(\(shapeDescription(param.shape))).")
                continue
            }
            plan.copies.append((input, param))
        }
        let localNames = Set(local.map { $0.0 })
        for key in keys where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count)
            if let dot = rest.firstIndex(of: ".") {
                if !ownModules.contains(String(rest[..<dot])) { plan.unexpected.append(key) }
            } else if !localNames.contains(String(rest)) {
                plan.unexpected.append(key)
            }
        }
    }
}
