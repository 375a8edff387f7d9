import TensorRuntime

/// A Python exception raised by host code (bindings, builtins): an exception class name and its
/// message. Bindings may also throw `TorchError`; the interpreter turns both into a Python
/// exception object of that class, catchable with `except`.
public struct PyError: Error, CustomStringConvertible {
    /// The exception class name, e.g. `TypeError`.
    public let typeName: String
    public let message: String

    public init(_ kind: ExceptionKind, _ message: String) {
        self.typeName = kind.rawValue
        self.message = message
    }

    public init(typeName: String, _ message: String) {
        self.typeName = typeName
        self.message = message
    }

    public var description: String { "\(typeName): \(message)" }
}
