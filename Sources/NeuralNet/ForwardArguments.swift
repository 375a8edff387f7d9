import TensorRuntime

extension Module {
    /// Binds a built-in layer's `forward(name0, name1, …)` call with Python's arity and keyword
    /// errors; the first `required` names must be given, the rest default to None. Each bound
    /// value is a tensor (a TypeError otherwise) or nil for None / not given.
    public func bindTensorArguments(_ arguments: [Any], _ keywords: [(String, Any)], names: [String], required: Int) throws -> [Tensor?] {
        try bindForwardArguments(arguments, keywords, names: names, required: required).enumerated().map { i, v in
            guard let v else { return nil }
            if let t = ModuleValueBridge.tensor(from: v) { return t }
            if i >= required, ModuleValueBridge.isNone(v) { return nil }
            throw TorchError.type("\(typeName).forward(): argument '\(names[i])' must be a Tensor")
        }
    }

    /// `bindTensorArguments` without the tensor check: each bound value as given, nil when not given.
    public func bindForwardArguments(_ arguments: [Any], _ keywords: [(String, Any)], names: [String], required: Int) throws -> [Any?] {
        var bound = [Any?](repeating: nil, count: names.count)
        guard arguments.count <= names.count else {
            throw TorchError.type("\(typeName).forward() takes \(names.count + 1) positional arguments but \(arguments.count + 1) were given")
        }
        for (i, a) in arguments.enumerated() { bound[i] = a }
        for (k, v) in keywords {
            guard let i = names.firstIndex(of: k) else { throw TorchError.type("\(typeName).forward() got an unexpected keyword argument '\(k)'") }
            guard bound[i] == nil else { throw TorchError.type("\(typeName).forward() got multiple values for argument '\(k)'") }
            bound[i] = v
        }
        let missing = (0..<required).filter { bound[$0] == nil }.map { "'\(names[$0])'" }
        if !missing.isEmpty {
            let list = missing.count == 1 ? missing[0] : missing.dropLast().joined(separator: ", ") + " and " + missing[missing.count - 1]
            throw TorchError.type("\(typeName).forward() missing \(missing.count) required positional argument\(missing.count > 1 ? "s" : ""): \(list)")
        }
        return bound
    }
}

extension ModuleValueBridge {
    /// Whether a value crossing `Module.call` is Python's None (the bindings install the test).
    nonisolated(unsafe) public static var isNone: (Any) -> Bool = { $0 is Void }
}
