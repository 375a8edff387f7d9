import NNLang
import TensorRuntime
import NeuralNet

/// The registry that maps a built-in layer's Swift class to its Python type object, so that
/// `type(m)`, `type(m).__name__` and `isinstance(m, nn.Linear)` agree. `NNNamespace.make`
/// fills it (re-registering replaces the entry); script modules are not in it — the
/// interpreter reports their script class.
enum ModuleTypes {
    nonisolated(unsafe) private static var types: [ObjectIdentifier: PyType] = [:]

    /// Registers `type` as the Python type of instances of exactly `cls`.
    static func register(_ cls: Module.Type, _ type: PyType) {
        types[ObjectIdentifier(cls)] = type
    }

    /// The Python type of a built-in module, nil for classes never registered (script modules).
    static func type(of m: Module) -> PyType? {
        types[ObjectIdentifier(Swift.type(of: m))]
    }

    /// The type registered for exactly `cls`, nil if none yet.
    static func registered(_ cls: Module.Type) -> PyType? {
        types[ObjectIdentifier(cls)]
    }

    /// The registered type called `name` (`Linear`), as unpickling finds a class by name; nil if none.
    static func type(named name: String) -> PyType? {
        types.values.first { $0.name == name }
    }
}
