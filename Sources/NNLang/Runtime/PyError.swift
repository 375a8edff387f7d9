import TensorRuntime

/// A Python exception raised by host code (bindings, builtins): its kind (the exception class)
/// and message, or its `args` when they are not just the message (`KeyError(key)`,
/// `StopIteration(value)`, `SystemExit(code)`). Bindings may also throw `TorchError`; the
/// interpreter turns both into a Python exception object of that class, catchable with `except`.
/// Code that catches one matches its `kind`, never a class-name string.
public struct PyError: Error, CustomStringConvertible {
    public let kind: ExceptionKind
    public let message: String
    /// The exception's `args` when they are not just the message (`KeyError(0)` keeps the key).
    public var args: [Value]? = nil
    /// Python 3.11's "Did you mean" hint for a NameError / AttributeError, worked out only when a
    /// traceback is printed (raising stays cheap for `hasattr` and `getattr(x, n, default)`).
    public var suggestion: (() -> String?)? = nil
    /// Attributes the exception object carries besides `args` (JSONDecodeError's `msg`, `pos` …).
    public var attributes: [(String, Value)] = []

    public init(_ kind: ExceptionKind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// An exception whose `args` are `args` (`KeyError(key)`, `StopIteration()`, `SystemExit(2)`).
    public init(_ kind: ExceptionKind, args: [Value]) {
        self.kind = kind
        self.message = ""
        self.args = args
    }

    /// `KeyError(key)` for a missing key of any type, as Python's dicts raise it.
    public static func missingKey(_ key: Value, _ ev: Evaluator) -> PyError {
        var e = PyError(.keyError, (try? ev.repr(key)) ?? "")
        e.args = [key]
        return e
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
