/// `contextlib.ExitStack`: a context manager holding exit callbacks — `enter_context(cm)` (enters
/// cm and keeps its `__exit__`), `callback(fn, *args, **kwds)`, `push(exit)` — run last in,
/// first out on exit or `close()`, as CPython's: a callback returning true suppresses the
/// exception, one raising replaces it (with the previous one as its `__context__`).
/// `pop_all()` moves the callbacks into a new stack.
final class ExitStack: PyObject {
    /// Each takes `(type, value, traceback)` and returns whether to suppress.
    private var exits: [(Value?, Value?, Value?, Evaluator) throws -> Bool] = []

    override var typeName: String { "ExitStack" }

    override func repr(_ ev: Evaluator) throws -> String { "<contextlib.ExitStack object at \(addressString(self))>" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__enter__": return builtinMethod(name) { _, _ in .object(self) }
        case "__exit__":
            return builtinMethod(name) { a, ev in
                let p = a.positional
                let raised = p.count > 1 ? p[1] : Value.none
                return .bool(try self.unwind(raised, ev))
            }
        case "close":
            return builtinMethod(name) { _, ev in
                _ = try self.unwind(.none, ev)
                return .none
            }
        case "enter_context":
            return builtinMethod(name) { a, ev in
                let cm = try a.bind("enter_context", ["cm"], required: 1)[0] ?? .none
                let enter: Value, exit: Value
                do {
                    enter = try ev.getAttribute(cm, "__enter__")
                    exit = try ev.getAttribute(cm, "__exit__")
                } catch {
                    let module = classOf(cm)?.moduleName ?? "builtins"
                    throw PyError(.typeError, "'\(module).\(cm.typeName)' object does not support the context manager protocol")
                }
                let entered = try ev.call(enter, Arguments())
                self.push(exit)
                return entered
            }
        case "push":
            return builtinMethod(name) { a, ev in
                let given = try a.bind("push", ["exit"], required: 1)[0] ?? .none
                self.push((try? ev.getAttribute(given, "__exit__")) ?? given)
                return given
            }
        case "callback":
            return builtinMethod(name) { a, _ in
                guard let fn = a.positional.first else {
                    throw PyError(.typeError, "descriptor 'callback' of 'ExitStack' object needs an argument")
                }
                let rest = Arguments(Array(a.positional.dropFirst()), keywords: a.keywords)
                self.exits.append { _, _, _, ev in
                    _ = try ev.call(fn, rest)
                    return false
                }
                return fn
            }
        case "pop_all":
            return builtinMethod(name) { _, _ in
                let moved = ExitStack()
                moved.exits = self.exits
                self.exits = []
                return .object(moved)
            }
        default: return nil
        }
    }

    private func push(_ exit: Value) {
        exits.append { t, v, tb, ev in try ev.truthy(try ev.call(exit, Arguments([t ?? .none, v ?? .none, tb ?? .none]))) }
    }

    /// Runs the callbacks, newest first, with the exception `raised` (None: none): whether it
    /// was suppressed. An exception a callback raises goes to the next ones and is raised at the end.
    private func unwind(_ raised: Value, _ ev: Evaluator) throws -> Bool {
        var current: PyExceptionObject?
        if case .object(let e as PyExceptionObject) = raised { current = e }
        let received = current != nil
        var suppressed = false, pending: Error?
        while let exit = exits.popLast() {
            do {
                if try exit(current.map { .object($0.cls) }, current.map { .object($0) }, nil, ev) {
                    suppressed = true
                    pending = nil
                    current = nil
                }
            } catch {
                guard let interp = ev as? Interpreter else { throw error }
                let exception = interp.exceptionObject(for: error)
                if let previous = current, exception !== previous, exception.context.isNone {
                    exception.context = .object(previous)
                }
                current = exception
                pending = ScriptError(exception: exception)
            }
        }
        if let pending { throw pending }
        return received && suppressed
    }
}
