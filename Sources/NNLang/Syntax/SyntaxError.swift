// The error thrown by the lexer and parser.

import TensorRuntime

/// A compile-time error in nnrepl source: Python's `SyntaxError` (or its subclasses
/// `IndentationError` / `TabError`, see `kind`).
public struct SyntaxError: Error, CustomStringConvertible, Equatable {
    /// Python's message, e.g. `invalid syntax`, `expected ':'`, `'(' was never closed`.
    public var message: String
    /// Where the error was detected.
    public var span: SourceSpan
    /// The file name given to the parser (`<stdin>`, `<string>` or a path).
    public var fileName: String
    /// True when the input merely ended too early — inside an open bracket, a triple-quoted
    /// string, after a trailing backslash, or a block header without its body. The REPL shows a
    /// `... ` continuation prompt instead of reporting the error.
    public var isIncompleteInput: Bool
    /// The Python exception: `.syntaxError`, `.indentationError` or `.tabError`.
    public var kind: ExceptionKind
    /// The exception class name, for printing.
    public var typeName: String { kind.rawValue }

    /// Creates a syntax error.
    public init(_ message: String, span: SourceSpan, fileName: String = "<string>",
                isIncompleteInput: Bool = false, kind: ExceptionKind = .syntaxError) {
        self.message = message
        self.span = span
        self.fileName = fileName
        self.isIncompleteInput = isIncompleteInput
        self.kind = kind
    }

    /// `file:line:col: TypeName: message`.
    public var description: String {
        "\(fileName):\(span.line):\(span.column): \(typeName): \(message)"
    }
}
