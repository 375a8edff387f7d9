import TensorRuntime
import NeuralNet

/// Python's built-in exception classes, shared by every interpreter.
enum ExceptionClasses {
    static let baseException = PyClass(name: "BaseException", base: nil, dict: baseMethods(), moduleName: "builtins",
                                       ownLayout: true, exceptionRoot: true)
    static let exception = make("Exception", baseException)
    static let stopIteration = make("StopIteration", exception)
    static let systemExit = make("SystemExit", baseException)

    /// Every built-in exception class by name.
    static let named: [String: PyClass] = {
        var all: [String: PyClass] = ["BaseException": baseException, "Exception": exception, "StopIteration": stopIteration,
                                      "SystemExit": systemExit]
        let tree: [(String, String)] = [
            ("KeyboardInterrupt", "BaseException"), ("GeneratorExit", "BaseException"),
            ("ArithmeticError", "Exception"), ("ZeroDivisionError", "ArithmeticError"),
            ("OverflowError", "ArithmeticError"), ("FloatingPointError", "ArithmeticError"),
            ("AssertionError", "Exception"), ("AttributeError", "Exception"), ("BufferError", "Exception"),
            ("EOFError", "Exception"), ("ImportError", "Exception"), ("ModuleNotFoundError", "ImportError"),
            ("LookupError", "Exception"), ("IndexError", "LookupError"), ("KeyError", "LookupError"),
            ("MemoryError", "Exception"), ("NameError", "Exception"), ("UnboundLocalError", "NameError"),
            ("OSError", "Exception"), ("FileNotFoundError", "OSError"), ("FileExistsError", "OSError"),
            ("PermissionError", "OSError"), ("IsADirectoryError", "OSError"), ("NotADirectoryError", "OSError"),
            ("TimeoutError", "OSError"), ("BlockingIOError", "OSError"), ("ChildProcessError", "OSError"),
            ("InterruptedError", "OSError"), ("ProcessLookupError", "OSError"), ("ConnectionError", "OSError"),
            ("BrokenPipeError", "ConnectionError"), ("ConnectionAbortedError", "ConnectionError"),
            ("ConnectionRefusedError", "ConnectionError"), ("ConnectionResetError", "ConnectionError"),
            ("ReferenceError", "Exception"), ("SystemError", "Exception"), ("StopAsyncIteration", "Exception"),
            ("RuntimeError", "Exception"), ("NotImplementedError", "RuntimeError"), ("RecursionError", "RuntimeError"),
            ("SyntaxError", "Exception"), ("IndentationError", "SyntaxError"), ("TabError", "IndentationError"),
            ("TypeError", "Exception"), ("ValueError", "Exception"), ("UnicodeError", "ValueError"),
            ("UnicodeDecodeError", "UnicodeError"), ("UnicodeEncodeError", "UnicodeError"),
            ("UnpicklingError", "Exception"), ("Warning", "Exception"), ("UserWarning", "Warning"),
            ("DeprecationWarning", "Warning"), ("RuntimeWarning", "Warning"), ("FutureWarning", "Warning"),
            ("PendingDeprecationWarning", "Warning"), ("SyntaxWarning", "Warning"), ("ImportWarning", "Warning"),
            ("UnicodeWarning", "Warning"), ("BytesWarning", "Warning"), ("ResourceWarning", "Warning"),
            ("EncodingWarning", "Warning"),
        ]
        for (name, parent) in tree {
            if let p = all[parent] { all[name] = make(name, p) }
        }
        all["IOError"] = all["OSError"]
        all["EnvironmentError"] = all["OSError"]
        return all
    }()

    /// `OSError`, whose constructor picks a subclass (`constructed`).
    static let osError = named["OSError"]

    /// `BaseException.__init__`: stores the positional arguments in `args`, which the instance
    /// already got when it was made, so `instantiate` skips calling it.
    static let baseInitializer = NativeMethod("__init__") { receiver, a, _ in
        if case .object(let o) = receiver, let e = o as? PyExceptionObject { e.args = a.positional }
        return .none
    }

    /// Whether `cls`'s `__init__` is BaseException's (the instance is then complete once made
    /// from its arguments).
    static func keepsBaseInitializer(_ cls: PyClass) -> Bool {
        guard case .object(let o)? = cls.special(.initializer) else { return false }
        return o === baseInitializer
    }

    /// The class `cls(*args)` makes: `OSError(errno, strerror, ...)` becomes the subclass for that
    /// errno (Linux's numbers), as CPython's `OSError.__new__` picks it (`OSError(2, 'x')` is a
    /// FileNotFoundError); any other call keeps `cls`.
    static func constructed(_ cls: PyClass, _ args: [Value]) -> PyClass {
        guard cls === osError, (2...5).contains(args.count), case .int(let errno) = args[0] else { return cls }
        let byErrno: [Int: String] = [
            11: "BlockingIOError", 114: "BlockingIOError", 115: "BlockingIOError", 10: "ChildProcessError",
            32: "BrokenPipeError", 108: "BrokenPipeError", 103: "ConnectionAbortedError", 111: "ConnectionRefusedError",
            104: "ConnectionResetError", 17: "FileExistsError", 2: "FileNotFoundError", 21: "IsADirectoryError",
            20: "NotADirectoryError", 4: "InterruptedError", 13: "PermissionError", 1: "PermissionError",
            3: "ProcessLookupError", 110: "TimeoutError",
        ]
        return byErrno[errno].flatMap { named[$0] } ?? cls
    }

    /// The `(errno, strerror[, filename, None, filename2])` args of a host OSError whose message is
    /// CPython's text (`[Errno 2] No such file or directory: 'x.txt'`), so `e.errno` and
    /// `e.filename` work; nil for other errors or other text.
    static func osErrorArguments(_ cls: PyClass, _ message: String) -> [Value]? {
        guard let osError, cls.isSubclass(of: osError), message.hasPrefix("[Errno "),
              let close = message.firstIndex(of: "]"),
              let errno = Int(message[message.index(message.startIndex, offsetBy: 7)..<close]) else { return nil }
        var rest = message[message.index(after: close)...].dropFirst()
        var names: [Value] = []
        if let colon = rest.range(of: ": '") {
            let quoted = rest[colon.upperBound...]
            let parts = quoted.components(separatedBy: "' -> '")
            guard quoted.hasSuffix("'"), parts.count <= 2 else { return nil }
            names = parts.map { .str($0.hasSuffix("'") ? String($0.dropLast()) : $0) }
            rest = rest[..<colon.lowerBound]
        }
        let base: [Value] = [.int(errno), .str(String(rest))]
        switch names.count {
        case 0: return base
        case 1: return base + names
        default: return base + [names[0], .none, names[1]]
        }
    }

    static func make(_ name: String, _ base: PyClass) -> PyClass {
        PyClass(name: name, base: base, moduleName: "builtins", ownLayout: ownLayout.contains(name))
    }

    /// The classes CPython gives their own instance struct (`solid_base`): a class cannot
    /// derive from two of them unless one derives from the other (`class E(OSError,
    /// SyntaxError)` is a `TypeError: multiple bases have instance lay-out conflict`).
    private static let ownLayout: Set<String> = [
        "StopIteration", "SystemExit", "AttributeError", "ImportError", "NameError", "OSError", "SyntaxError",
    ]

    /// The built-in class of an exception kind (`.keyError` → `KeyError`).
    /// The exception classes of standard-library modules (not builtins), by their `ExceptionKind` name.
    static let inModules: [String: PyClass] = {
        var all: [String: PyClass] = ["re.error": PyClass(name: "error", base: exception, moduleName: "re", ownLayout: false),
                                      "struct.error": PyClass(name: "error", base: exception, moduleName: "struct", ownLayout: false)]
        if let valueError = named["ValueError"] {
            all["JSONDecodeError"] = PyClass(name: "JSONDecodeError", base: valueError, moduleName: "json.decoder", ownLayout: false)
        }
        return all
    }()

    static func forKind(_ kind: ExceptionKind) -> PyClass {
        for (k, c) in Lock.recent where k == kind { return c }
        let c = named[kind.rawValue] ?? inModules[kind.rawValue] ?? Lock.unknown(kind.rawValue)
        Lock.recent.append((kind, c))
        return c
    }

    private enum Lock {
        nonisolated(unsafe) static var extra: [String: PyClass] = [:]
        /// `forKind`'s answers so far, compared by kind: a loop catching `KeyError` finds its
        /// class without hashing the kind's name (a few dozen kinds at most).
        nonisolated(unsafe) static var recent: [(ExceptionKind, PyClass)] = []
        static func unknown(_ name: String) -> PyClass {
            if let c = extra[name] { return c }
            let c = make(name, exception)
            extra[name] = c
            return c
        }
    }

    private static func baseMethods() -> NameTable {
        var d = NameTable()
        d["__init__"] = .object(baseInitializer)
        // BaseException's own `__str__`/`__repr__` (they stop the MRO walk, so a mixin placed
        // after the exception base does not override them, as in Python).
        d["__str__"] = .object(NativeMethod("__str__") { receiver, _, ev in
            guard case .object(let o) = receiver, let e = o as? PyExceptionObject else { return .str(try ev.str(receiver)) }
            return .str(try e.baseStr(ev))
        })
        d["__repr__"] = .object(NativeMethod("__repr__") { receiver, _, ev in
            guard case .object(let o) = receiver, let e = o as? PyExceptionObject else { return .str(try ev.repr(receiver)) }
            return .str(try e.baseRepr(ev))
        })
        d["with_traceback"] = .object(NativeMethod("with_traceback") { receiver, _, _ in receiver })
        d["add_note"] = .object(NativeMethod("add_note") { receiver, a, _ in
            // Python 3.11: notes go to `__notes__` and print after the message line.
            guard case .object(let e as PyExceptionObject) = receiver else { return .none }
            let note = try a.bind("add_note", ["note"], required: 1)[0] ?? .none
            guard case .str = note else { throw PyError(.typeError, "note must be a str, not '\(note.typeName)'") }
            if case .object(let notes as PyList)? = e.dict["__notes__"] { notes.items.append(note) } else { e.dict["__notes__"] = .object(PyList([note])) }
            return .none
        })
        return d
    }
}

/// One line of a traceback: where a frame was when the exception passed through it.
public struct TraceEntry {
    public let file: SourceFile
    public let span: SourceSpan
    public let function: String
}

/// An instance of an exception class (built-in or script-defined).
final class PyExceptionObject: PyInstance {
    var args: [Value]
    /// Host messages are shown verbatim (they are already Python's text).
    /// The traceback, innermost entry first: each frame the exception leaves appends its own
    /// (`Interpreter.wrap`), so unwinding a deep recursion costs linear time.
    var tracebackInnermostFirst: [TraceEntry] = []
    /// The traceback as printed, outermost entry first.
    var traceback: [TraceEntry] {
        get { tracebackInnermostFirst.reversed() }
        set { tracebackInnermostFirst = newValue.reversed() }
    }
    var cause: Value = .none
    var context: Value = .none
    var suppressContext = false
    /// The "Did you mean" hint printed after the message (not part of `str(e)`), if any.
    var suggestion: (() -> String?)?

    init(cls: PyClass, args: [Value]) {
        self.args = args
        super.init(cls: cls)
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        try instanceAttribute(.object(self), cls: cls, dict: dict, name, ev) {
            switch name {
            case "args": return .object(PyTuple(self.shownArgs))
            case "errno" where self.isOSError: return self.osErrorParts?.errno ?? Value.none
            case "strerror" where self.isOSError: return self.osErrorParts?.strerror ?? Value.none
            case "filename" where self.isOSError: return self.osErrorParts?.filename ?? Value.none
            case "filename2" where self.isOSError: return self.osErrorParts?.filename2 ?? Value.none
            case "__cause__": return self.cause
            case "__context__": return self.context
            case "__traceback__": return Value.none
            case "__suppress_context__": return .bool(self.suppressContext)
            case "value" where self.cls.isSubclass(of: ExceptionClasses.stopIteration):
                return self.args.first ?? .none
            case "code" where self.cls.isSubclass(of: ExceptionClasses.systemExit):
                return self.exitCode
            default: return nil
            }
        }
    }

    /// `SystemExit.code`: None without arguments, the argument, or the argument tuple.
    var exitCode: Value {
        switch args.count {
        case 0: return .none
        case 1: return args[0]
        default: return .object(PyTuple(args))
        }
    }

    override func setAttribute(_ name: String, _ value: Value, _ ev: Evaluator) throws {
        switch name {
        case "args": args = try ev.iterate(value)
        case "__cause__": cause = value; suppressContext = true
        default: try super.setAttribute(name, value, ev)
        }
    }

    private func userMethod(_ name: String) -> Value? {
        guard let f = cls.lookup(name), case .object(let o) = f, o is PyFunction else { return nil }
        return f
    }

    override func str(_ ev: Evaluator) throws -> String {
        if let f = userMethod("__str__") { return try dunderString(try ev.call(f, Arguments([.object(self)])), "__str__") }
        return try baseStr(ev)
    }

    var isOSError: Bool { cls.isSubclass(of: ExceptionClasses.forKind(.osError)) }

    /// An OSError made with (errno, strerror[, filename[, winerror[, filename2]]]): its parts.
    var osErrorParts: (errno: Value, strerror: Value, filename: Value, filename2: Value)? {
        guard isOSError, (2...5).contains(args.count) else { return nil }
        return (args[0], args[1], args.count > 2 ? args[2] : .none, args.count > 4 ? args[4] : .none)
    }

    /// `args` as Python shows them: an OSError keeps only (errno, strerror) when it was given a filename.
    var shownArgs: [Value] { osErrorParts != nil && args.count > 2 ? Array(args.prefix(2)) : args }

    /// `BaseException.__str__` (`OSError.__str__`: `[Errno 2] No such file: 'x.txt'`).
    func baseStr(_ ev: Evaluator) throws -> String {
        if let parts = osErrorParts {
            var text = "[Errno \(try ev.str(parts.errno))] \(try ev.str(parts.strerror))"
            if !parts.filename.isNone { text += ": \(try ev.repr(parts.filename))" }
            if !parts.filename2.isNone { text += " -> \(try ev.repr(parts.filename2))" }
            return text
        }
        switch args.count {
        case 0: return ""
        case 1:
            if cls.isSubclass(of: ExceptionClasses.forKind(.keyError)) { return try ev.repr(args[0]) }
            return try ev.str(args[0])
        default: return try ev.repr(.object(PyTuple(args)))
        }
    }

    override func repr(_ ev: Evaluator) throws -> String {
        if let f = userMethod("__repr__") { return try dunderString(try ev.call(f, Arguments([.object(self)])), "__repr__") }
        return try baseRepr(ev)
    }

    /// `BaseException.__repr__`.
    func baseRepr(_ ev: Evaluator) throws -> String {
        let shown = shownArgs
        if shown.count == 1 { return "\(cls.name)(\(try ev.repr(shown[0])))" }
        return cls.name + (try ev.repr(.object(PyTuple(shown))))
    }

    override func truthiness(_ ev: Evaluator) throws -> Bool? { true }
    override func length(_ ev: Evaluator) throws -> Int? { nil }
    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? { nil }
}

/// A Python exception propagating through Swift code (what `raise` throws).
public struct ScriptError: Error, CustomStringConvertible {
    let exception: PyExceptionObject

    /// The exception's class name (`ValueError`).
    public var typeName: String { exception.cls.name }
    public var description: String { typeName }
}

/// Signals `exit()` / `sys.exit()` reaching the top level.
public struct SystemExitRequest: Error {
    public let code: Int32
}
