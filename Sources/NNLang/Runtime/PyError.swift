import TensorRuntime

/// A Python exception raised by host code (bindings, builtins): an exception class name and its
/// message. Bindings may also throw `TorchError`; the interpreter turns both into a Python
/// exception object of that class, catchable with `except`.
public struct PyError: Error, CustomStringConvertible {
    /// The exception class name, e.g. `TypeError`.
    public let typeName: String
    public let message: String
    /// The exception's `args` when they are not just the message (`KeyError(0)` keeps the key).
    public var args: [Value]? = nil

    public init(_ kind: ExceptionKind, _ message: String) {
        self.typeName = kind.rawValue
        self.message = message
    }

    /// `KeyError(key)` for a missing key of any type, as Python's dicts raise it.
    public static func missingKey(_ key: Value, _ ev: Evaluator) -> PyError {
        var e = PyError(.keyError, (try? ev.repr(key)) ?? "")
        e.args = [key]
        return e
    }

    public init(typeName: String, _ message: String) {
        self.typeName = typeName
        self.message = message
    }

    public var description: String { "\(typeName): \(message)" }
}
