/// The Python exception class a runtime error maps to when it reaches the nnrepl language.
public enum ExceptionKind: String, Sendable {
    case runtimeError = "RuntimeError"
    case valueError = "ValueError"
    case typeError = "TypeError"
    case indexError = "IndexError"
    case keyError = "KeyError"
    case attributeError = "AttributeError"
    case notImplementedError = "NotImplementedError"
    case zeroDivisionError = "ZeroDivisionError"
    case overflowError = "OverflowError"
    case memoryError = "MemoryError"
    case fileNotFoundError = "FileNotFoundError"
    case fileExistsError = "FileExistsError"
    case osError = "OSError"
    case unpicklingError = "UnpicklingError"
    /// Raised by pickle (and so `torch.load`) for an empty input.
    case eofError = "EOFError"
    case nameError = "NameError"
    case assertionError = "AssertionError"
    case lookupError = "LookupError"
    case unicodeDecodeError = "UnicodeDecodeError"
    case unicodeEncodeError = "UnicodeEncodeError"
    case stopIteration = "StopIteration"
    case recursionError = "RecursionError"
    case keyboardInterrupt = "KeyboardInterrupt"
    case syntaxError = "SyntaxError"
    case indentationError = "IndentationError"
    case tabError = "TabError"
    case importError = "ImportError"
    case moduleNotFoundError = "ModuleNotFoundError"
    case unboundLocalError = "UnboundLocalError"
    case systemExit = "SystemExit"
    case generatorExit = "GeneratorExit"
    /// `json.JSONDecodeError` (a ValueError raised by `json.loads`).
    case jsonDecodeError = "JSONDecodeError"
    /// `re.error` (raised by the `re` module for a bad pattern or template).
    case regexError = "re.error"
    /// `struct.error` (raised by `struct.pack`/`unpack` for a bad format, value or buffer).
    case structError = "struct.error"
}

/// An error thrown by the tensor runtime and the layers above it: a Python exception kind plus
/// the message PyTorch prints for the same failure (`mat1 and mat2 shapes cannot be multiplied (2x3 and 10x5)`).
public struct TorchError: Error, CustomStringConvertible, Sendable {
    public let kind: ExceptionKind
    public let message: String

    public init(_ kind: ExceptionKind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func runtime(_ message: String) -> TorchError { TorchError(.runtimeError, message) }
    public static func value(_ message: String) -> TorchError { TorchError(.valueError, message) }
    public static func type(_ message: String) -> TorchError { TorchError(.typeError, message) }
    public static func index(_ message: String) -> TorchError { TorchError(.indexError, message) }

    public var description: String { "\(kind.rawValue): \(message)" }
}
