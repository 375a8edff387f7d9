import Foundation

/// Running scripts and REPL inputs.
extension Interpreter {
    /// Runs a whole script. Output goes to `output`; an uncaught exception prints a traceback to
    /// `errorOutput`. Returns the process exit status: 0, 1 for an uncaught error, or the
    /// `exit(n)` code.
    public func runScript(source: String, fileName: String) -> Int32 {
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
        let savedFrames = frames.count
        defer {
            callDepth = depth
            if frames.count > savedFrames { frames.removeLast(frames.count - savedFrames) }
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
    /// RecursionError, never overflow the native stack) and waits for it.
    public static func withLargeStack<T>(_ body: @escaping () -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = body()
            done.signal()
        }
        thread.stackSize = 512 << 20
        thread.start()
        done.wait()
        guard let r = box.result else { return body() }
        return r
    }
}

/// Carries a result out of the large-stack thread.
private final class ResultBox<T>: @unchecked Sendable {
    var result: T?
}
