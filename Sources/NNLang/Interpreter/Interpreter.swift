import Foundation
import TensorRuntime
import NeuralNet

/// The tree-walking interpreter of the nnrepl language (a subset of Python 3): owns the module
/// globals, evaluates compiled code, implements Python's object model for the built-in types
/// and script classes, and asks its `Host` (the torch bindings) about tensors and modules.
public final class Interpreter: Evaluator {
    /// The torch bindings.
    public let host: Host
    /// Where `print` writes (standard output by default).
    public var output: (String) -> Void
    /// Where warnings and tracebacks go (standard error by default).
    public var errorOutput: (String) -> Void
    /// Pushes what `output`/`errorOutput` buffered to their destination (`print(flush=True)`).
    public var flush: () -> Void = { fflush(stdout); fflush(stderr) }
    /// Polled at loop back-edges and calls; returning true raises KeyboardInterrupt.
    public var interruptCheck: () -> Bool = { false }
    /// The flag `interruptCheck` tests, if the front end has one: then it is read at every
    /// check (one load) and `interruptCheck` runs as soon as it is set, instead of at every
    /// 128th check (a Ctrl-C during a long kernel in a short loop is not missed).
    public var interruptFlag: UnsafeMutablePointer<Int32>?
    /// Maximum depth of nested script calls before RecursionError (`sys.setrecursionlimit`,
    /// RecursionLimit.swift).
    public var recursionLimit = Interpreter.defaultRecursionLimit
    /// The running thread's stack bounds, for the recursion check past the default depth.
    var nativeStack = NativeStack()

    /// Makes the host for interpreters created without one (the torch bindings install it).
    nonisolated(unsafe) public static var makeDefaultHost: (() -> Host)?

    /// The `nn.Module` type object script classes derive from (bindings expose it as `torch.nn.Module`).
    public static var moduleBaseType: PyType { ModuleBaseType.shared }

    var globals: [String: GlobalCell] = [:]
    var builtins: [String: Value] = [:]
    var callDepth = 0
    var tick = 0
    /// The innermost running call's frame (for `super()`), nil at module level. Unretained: `run`
    /// and a generator resume set it to a frame they hold for as long as it is set, and put
    /// back the caller's (held by its own `run`) before they return.
    /// Kept as `Unmanaged` so that saving and restoring it around a call (`currentFrameMark`)
    /// copies a pointer: an `unowned(unsafe)` optional read into a local is retained.
    var currentFrameMark: Unmanaged<Frame>?
    var currentFrame: Frame? { currentFrameMark?.takeUnretainedValue() }
    /// While a generator suspends or resumes: where each statement on the way to its `yield`
    /// stands, innermost first (Exec.swift). Empty whenever user code runs.
    let resumePoints = ResumeStack()
    /// The format specs parsed last, with their text (`formatSpec(_:)`; at most 16 kept).
    var formatSpecs: [(text: String, spec: FormatSpec)] = []
    /// `%` templates already parsed, by their text (`percentFormat`; at most 256 kept).
    var percentTemplates: [String: PercentTemplate] = [:]
    /// The receiver of the generator running pushed in the current generator frame, nil when it
    /// runs pulled (PushedGenerators.swift; meaningful in generator frames only).
    /// Unretained: the code running the generator pushed holds the sink while it is set.
    var activePush: Unmanaged<YieldSink>?
    /// How many generator runs went pushed (for tests).
    var pushedRuns = 0
    /// What the resumed `yield` evaluates to, or the exception it raises instead.
    var resumeSend: Value = .none
    var resumeThrow: Error?
    /// Exceptions being handled by `except` blocks, innermost last (for bare `raise`).
    var handling: [PyExceptionObject] = []
    /// The source of the latest input per file name (for syntax error reports).
    var sources: [String: SourceFile] = [:]
    /// The standard-library modules imported so far (each made once, as Python caches `sys.modules`).
    var stdlibModules: [String: Value] = [:]
    /// The `warnings` filters and the warnings already shown.
    var warningState = WarningState()
    /// How objects that may outlive the interpreter refer to it (no `weak`: see `InterpreterReference`).
    let reference = InterpreterReference()
    /// The `logging` loggers.
    lazy var loggingState = LoggingState()

    /// Creates an interpreter; `host` defaults to one that knows no torch.
    public init(host: Host? = nil) {
        self.host = host ?? Interpreter.makeDefaultHost?() ?? NullHost()
        output = { text in
            StandardOutput.write(text, to: stdout)
        }
        errorOutput = { text in
            fflush(stdout)
            StandardOutput.write(text, to: stderr)
        }
        ModuleValueBridge.box = { Value.tensor($0) as Any }
        ModuleValueBridge.unwrap = { any in
            if let v = any as? Value, case .tensor(let t) = v { return t }
            return any as? Tensor
        }
        installBuiltins()
        reference.interpreter = self
        ScriptKeys.evaluatorReference = reference
    }

    deinit { reference.interpreter = nil }

    /// Forgets every global (the REPL's `:reset`).
    public func reset() {
        for cell in globals.values { cell.value = nil }
        handling.removeAll()
    }

    /// The global cell for `name`, created on first use.
    func globalCell(_ name: String) -> GlobalCell {
        if let c = globals[name] { return c }
        let c = GlobalCell(name: name, builtin: builtins[name])
        globals[name] = c
        return c
    }

    /// The names bound at module level, sorted (for `:who` and completion).
    public var globalNames: [String] {
        globals.values.filter { $0.value != nil }.map(\.name).sorted()
    }

    /// The value of global `name`, if bound.
    public func global(_ name: String) -> Value? { globals[name]?.value }

    /// Binds global `name` (used by the REPL front end, e.g. `_`).
    public func setGlobal(_ name: String, _ value: Value?) { globalCell(name).value = value }

    /// Converts a value crossing NeuralNet's type-erased API back to a `Value`.
    static func valueFromAny(_ any: Any) -> Value {
        if let v = any as? Value { return v }
        if let t = any as? Tensor { return .tensor(t) }
        if let m = any as? Module { return .module(m) }
        if let h = any as? HookTuple { return .object(PyTuple(h.items.map(valueFromAny))) }
        if let o = any as? PyObject { return .object(o) }
        return .none
    }

    /// Raises KeyboardInterrupt when Ctrl-C was pressed. Inlined into every call and loop step:
    /// the common case is one flag read; asking the front end and raising stay out of line.
    @inline(__always)
    func checkInterrupt() throws {
        tick &+= 1
        let due = interruptFlag.map { $0.pointee != 0 } ?? (tick & 127 == 0)
        if due { try reportInterrupt() }
    }

    @inline(never)
    private func reportInterrupt() throws {
        if interruptCheck() { throw PyError(.keyboardInterrupt, args: []) }
    }

    /// `import name`: Python's standard-library modules first, then the host's (`torch` …).
    func importModule(_ name: String) throws -> Value? {
        if let m = stdlibModules[name] { return m }
        if let made = PythonStdlib.module(name, self) {
            stdlibModules[name] = made
            return made
        }
        return try host.importModule(name, self)
    }

    /// The interpreter behind an evaluator (native functions of the standard library run under one).
    static func of(_ ev: Evaluator) throws -> Interpreter {
        guard let interp = ev as? Interpreter else { throw PyError(.runtimeError, "no interpreter") }
        return interp
    }

    // MARK: - Evaluator

    public func call(_ callee: Value, _ args: Arguments) throws -> Value { try callValue(callee, args) }

    public func write(_ text: String) { output(text) }
    public func flushOutput() { flush() }

    public func warn(_ text: String) { issueHostWarning(text) }

    public func makeList(_ items: [Value]) -> Value { .object(PyList(items)) }

    public func makeTuple(_ items: [Value]) -> Value { .object(PyTuple(items)) }

    public func makeDict(_ items: [(Value, Value)], ordered: Bool) -> Value {
        let d = PyDict()
        d.ordered = ordered
        for (k, v) in items { try? d.set(k, v) }
        return .object(d)
    }

    public func sequenceItems(_ v: Value) -> [Value]? {
        guard case .object(let o) = v else { return nil }
        if let l = o as? PyList { return l.items }
        if let t = o as? PyTuple { return t.items }
        return nil
    }

    public func builtinKind(_ v: Value) -> BuiltinKind? {
        guard case .object(let o) = v else { return nil }
        switch o {
        case is PyList: return .list
        case is PyTuple: return .tuple
        case let d as PyDict: return d.ordered ? .orderedDict : .dict
        case let s as PySet: return s.frozen ? .frozenset : .set
        default: return nil
        }
    }

    public func mappingItems(_ v: Value) -> [(Value, Value)]? {
        guard case .object(let o) = v else { return nil }
        if let d = o as? PyDict { return d.items }
        // A dict subclass without its own `__iter__`: its items, ignoring an overridden
        // `__getitem__`, as CPython's `dict_merge` copies them.
        if let d = o as? DerivedValueInstance, d.cls.special(.iter) == nil, case .object(let n as PyDict) = d.native { return n.items }
        return nil
    }

    /// Python's mapping protocol as `dict(x)`, `d.update(x)` and `f(**x)` use it: a dict's items,
    /// or for any other object with a `keys` attribute, `(k, x[k])` for each `k` of `x.keys()`
    /// (`m._parameters`, a ModuleDict, a script class); nil when `v` is not a mapping.
    func mappingProtocolItems(_ v: Value) throws -> [(Value, Value)]? {
        if let items = mappingItems(v) { return items }
        switch v {
        case .object, .module: break
        default: return nil
        }
        guard let keys = try lookupAttribute(v, "keys") else { return nil }
        return try iterate(try callValue(keys, Arguments())).map { k in (k, try getItem(v, k)) }
    }

    public func sliceBounds(_ v: Value) throws -> (start: Int?, stop: Int?, step: Int?)? {
        guard case .object(let o) = v, let s = o as? PySlice else { return nil }
        return try s.bounds()
    }

    public func isEllipsis(_ v: Value) -> Bool {
        if case .object(let o) = v { return o === PyEllipsis.shared }
        return false
    }
}

/// `ev` as the interpreter (the one `Evaluator`), by an exact type test: cheaper than `as?` from
/// the protocol, which the hot paths (a generator's `next`, a builtin type's call, a script
/// function's call through `PyObject.call`) would pay per call.
@inline(__always)
func interpreter(_ ev: Evaluator) -> Interpreter? {
    let object = ev as AnyObject
    return type(of: object) == Interpreter.self ? unsafeDowncast(object, to: Interpreter.self) : nil
}
