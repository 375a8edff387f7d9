import NeuralNet

/// The interpreter's side of pickling whole script modules (see the `Evaluator` contract).
extension Interpreter {
    public func scriptModuleAttributes(_ m: Module) -> [(String, Value)]? {
        guard let sm = m as? ScriptModule else { return nil }
        return sm.dict.items.map { ($0.key, $0.value) }
    }

    public func makeScriptModule(className: String, attributes: [(String, Value)]) throws -> Module {
        guard case .object(let o)? = global(className), let cls = o as? PyClass else {
            throw PyError(.attributeError, "Can't get attribute '\(className)' on <module '__main__'>")
        }
        guard cls.isModuleClass else {
            throw PyError(.unpicklingError, "__main__.\(className) is not an nn.Module subclass: nnrepl loads only modules from a whole-model checkpoint")
        }
        let sm = ScriptModule(cls: cls, interpreter: self)
        sm.initialiseModuleState()
        for (name, value) in attributes { sm.dict[name] = value }
        return sm
    }
}
