/// An object pickled by reference to its class, as `torch.save(model)` writes a whole module:
/// `GLOBAL module.className`, `NEWOBJ` with no arguments, then `BUILD` with the instance's
/// `__dict__` (`state`). Loading never runs the class: only `torch.load(weights_only=False)` accepts
/// such objects, and only for the classes `PickleReader.isAllowedObjectClass` names; the caller
/// decides what to make of them. A reference type, so an object the pickle shares (a submodule
/// used twice) stays one object.
public final class CheckpointObject {
    /// The class's module (`torch.nn.modules.linear`, `__main__`).
    public let module: String
    /// The class name (`Linear`).
    public let className: String
    /// The instance's `__dict__`, in order (string keys for modules).
    public var state: [(CheckpointValue, CheckpointValue)]

    public init(module: String, className: String, state: [(CheckpointValue, CheckpointValue)]) {
        self.module = module
        self.className = className
        self.state = state
    }

    /// `module.className`, as Python names the class in messages.
    public var qualifiedName: String { module + "." + className }

    /// The state entry for a string key, nil if absent.
    public subscript(key: String) -> CheckpointValue? {
        for (k, v) in state { if case .string(let s) = k, s == key { return v } }
        return nil
    }
}
