import NNLang
import NeuralNet

/// Script classes deriving from built-in layers (`class MaskedLinear(nn.Linear)`,
/// `class Seq(nn.Sequential)`). The instance is a `ScriptModule` that holds the layer
/// `super().__init__(…)` builds (ScriptModule+NativeBase.swift); here are the layer type's
/// members such a class finds after its own (`super().__init__`, `super().forward`,
/// `super().extra_repr`, and `nn.Linear.forward(self, x)` through `HostType.instanceMemberNames`),
/// and the bindings' way to run a layer's own behaviour (container indexing and methods) on it.
enum LayerSubclassing {
    /// Lets scripts derive from the layer type `type`.
    static func allowDeriving(_ type: HostType) {
        type.instanceMemberNames = ["__init__", "forward", "extra_repr"]
        type.instanceMembers = { [unowned type] name, instance, ev in
            guard case .module(let m) = instance else { return nil }
            switch name {
            case "__init__":
                return method(name) { a, ev in
                    guard let sm = m as? ScriptModule else {
                        throw PyError(.typeError, "\(type.name).__init__() can only initialise an instance of a class deriving from \(type.name) here")
                    }
                    guard case .module(let base) = try type.call(a, ev) else { return .none }
                    sm.adoptNativeBase(base)
                    return .none
                }
            case "forward":
                return method(name) { a, ev in
                    try onNative(m, name) { ModuleValues.value(try $0.forward(arguments: a.positional, keywords: a.keywords.map { ($0.name, $0.value) }), ev) }
                }
            case "extra_repr":
                return method(name) { _, _ in try onNative(m, name) { .str($0.extraRepr()) } }
            default:
                return nil
            }
        }
    }

    /// Runs `body` on the built-in layer behind `m` (its registrations brought up to date): the
    /// layer a script module derives from, else `m` itself. `member` names what a script module
    /// whose `__init__` has not built its layer yet lacks.
    static func withNative<R>(_ m: Module, _ member: String, _ body: (Module) throws -> R) throws -> R {
        guard let sm = m as? ScriptModule else { return try body(m) }
        guard sm.nativeBase != nil || sm.nativeLayerType == nil else {
            throw PyError(.attributeError, "'\(sm.typeName)' object has no attribute '\(member)'")
        }
        return try sm.withNativeBase(body)
    }

    /// `withNative` for a script value: a result that is the layer is `m` (`seq.append(x)`
    /// returns the script module).
    static func onNative(_ m: Module, _ member: String, _ body: (Module) throws -> Value) throws -> Value {
        let r = try withNative(m, member, body)
        if case .module(let x) = r, let sm = m as? ScriptModule, x === sm.nativeBase { return .module(sm) }
        return r
    }

    /// `m[key]` on a container: a slice of a script class's Sequential or ModuleList is an
    /// instance of that class, as PyTorch's `self.__class__(…)` makes it (the class called with
    /// an OrderedDict of the slice's modules for a Sequential, a list of them for a ModuleList).
    static func getItem(_ m: Module, _ key: Value, _ ev: Evaluator) throws -> Value {
        let r = try onNative(m, "__getitem__") { try ModuleContainerBindings.getItem($0, key, ev) }
        guard let sm = m as? ScriptModule, sm.nativeBase != nil, case .module(let piece) = r,
              piece is IndexedModuleContainer, try ev.sliceBounds(key) != nil else { return r }
        let children = piece.ownModules.items.map { ($0.0, $0.1.map { Value.module($0) } ?? .none) }
        let modules = piece is Sequential ? ev.makeDict(children.map { (.str($0.0), $0.1) }, ordered: true) : ev.makeList(children.map(\.1))
        return try ev.call(try ev.getAttribute(.module(sm), "__class__"), Arguments([modules]))
    }

    /// The built-in layer behind `m` for questions that change nothing (which container methods it has).
    static func native(_ m: Module) -> Module { (m as? ScriptModule)?.nativeBase ?? m }
}
