import Foundation

/// Running scripts and REPL inputs.
extension Interpreter {
    /// Runs a whole script. Output goes to `output`; an uncaught exception prints a traceback to
    /// `errorOutput`. Returns the process exit status: 0, 1 for an uncaught error, or the
    /// `exit(n)` code.
    public func runScript(source: String, fileName: String) -> Int32 {
        defer { runExitHandlers() }
        do {
            _ = try execute(source: source, fileName: fileName, echoExpressions: false)
            return 0
        } catch let exit as SystemExitRequest {
            return exit.code
        } catch {
            errorOutput(describe(error))
            return 1
        }
    }

    /// Compiles and runs `source` at module level. In REPL mode (`echoExpressions`), each
    /// expression statement's value is printed with repr unless None and stored in `_`; the
    /// value of a final expression statement is returned. Throws `ScriptError` (describe it
    /// with `describe(_:)`), `SyntaxError`, or `SystemExitRequest` (an uncaught `SystemExit`,
    /// from `raise SystemExit(n)`, `exit(n)` or `sys.exit(n)`; a message is already on stderr).
    @discardableResult
    public func execute(source: String, fileName: String = "<stdin>", echoExpressions: Bool = false) throws -> Value? {
        let file = SourceFile(name: fileName, text: source)
        sources[fileName] = file
        let stmts = try Parser.parseModule(source: source, fileName: fileName)
        let compiler = Compiler(source: file, globalCell: { self.globalCell($0) }, echo: echoExpressions)
        let code = try compiler.compileModule(stmts)
        let frame = Frame.make(code: code, function: nil, closure: [])
        let depth = callDepth
        let caller = currentFrameMark
        defer {
            callDepth = depth
            currentFrameMark = caller
        }
        do {
            _ = try execBlock(code.body, frame)
        } catch let e as ScriptError where e.exception.cls.isSubclass(of: ExceptionClasses.systemExit) {
            throw exitRequest(e.exception)
        }
        if echoExpressions, let last = code.body.last, case .echo = last.kind { return globals["_"]?.value }
        return nil
    }

    /// The text to show for an error escaping `execute`: a traceback for Python exceptions,
    /// `file:line:col: SyntaxError: message` plus the source line for syntax errors.
    public func describe(_ error: Error) -> String {
        switch error {
        case let e as ScriptError:
            return Traceback.render(e.exception, self)
        case let e as SyntaxError:
            var text = "  \(e.fileName):\(e.span.line):\(e.span.column)\n"
            if let file = sources[e.fileName] {
                let lines = Traceback.frameText(TraceEntry(file: file, span: e.span, function: "")).split(separator: "\n").dropFirst()
                text = lines.isEmpty ? text : text + lines.joined(separator: "\n") + "\n"
            }
            return text + "\(e.typeName): \(e.message)\n"
        case let e as SystemExitRequest:
            return "SystemExit: \(e.code)\n"
        default:
            return Traceback.messageLine(exceptionObject(for: error), self) + "\n"
        }
    }

    /// The Python exception class name of an error escaping `execute` (`NameError`, `SyntaxError` …).
    public func exceptionTypeName(_ error: Error) -> String {
        if let e = error as? SyntaxError { return e.typeName }
        return exceptionObject(for: error).cls.name
    }

    /// Whether `source` is a complete REPL input (false: show the `... ` continuation prompt).
    public func isComplete(_ source: String) -> Bool {
        isCompleteInput(source)
    }

    /// Runs `body` on a thread with a 512 MB stack (deep recursion in scripts must raise
    /// RecursionError, never overflow the native stack) and waits for it to end.
    ///
    /// A POSIX thread joined before anything else happens, not a Foundation `Thread` and a
    /// semaphore: NNLang counts references non-atomically in release builds (Package.swift), so
    /// the two threads must never touch the same object's count at the same time. The caller
    /// creates the call object and keeps it (and everything it holds) alive until `pthread_join`
    /// has returned, which orders every retain and release the thread made (including those of
    /// its exit) before the caller's next one. The thread itself only borrows the call object.
    public static func withLargeStack<T>(_ body: @escaping () -> T) -> T {
        let call = LargeStackCall(body)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 512 << 20)
        let ran: Bool = withExtendedLifetime(call) {
            #if canImport(Darwin)
            var thread: pthread_t?
            #else
            var thread = pthread_t()
            #endif
            let context = Unmanaged.passUnretained(call as LargeStackCallBase).toOpaque()
            guard pthread_create(&thread, &attributes, { context in
                runLargeStackCall(context)
                return nil
            }, context) == 0 else { return false }
            #if canImport(Darwin)
            guard let thread else { return false }
            #endif
            return pthread_join(thread, nil) == 0
        }
        guard ran, let result = call.result else { return body() }
        return result
    }
}

/// Runs the `LargeStackCall` at `context` (the thread entry of `withLargeStack`).
private func runLargeStackCall(_ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<LargeStackCallBase>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.run() }
}

/// A `withLargeStack` call seen without its result type (a C thread entry cannot be generic).
private class LargeStackCallBase {
    func run() {}
}

/// The body of a `withLargeStack` call and, once it has run, its result.
private final class LargeStackCall<T>: LargeStackCallBase {
    let body: () -> T
    var result: T?

    init(_ body: @escaping () -> T) { self.body = body }

    override func run() { result = body() }
}
