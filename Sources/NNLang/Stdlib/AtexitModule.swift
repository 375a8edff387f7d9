/// Python's `atexit`: `register(func, *args, **kwargs)` (usable as a decorator), `unregister`,
/// `_run_exitfuncs`, `_clear`, `_ncallbacks`. A script's handlers run last in, first out when
/// it ends (after an uncaught exception's traceback too, as CPython), each error reported on
/// stderr without stopping the others. The REPL does not run them.
enum AtexitModule {
    /// The handlers registered under each interpreter, in registration order.
    nonisolated(unsafe) private static var handlers: [ObjectIdentifier: [(Value, Arguments)]] = [:]

    static func module() -> Namespace {
        let m = Namespace("atexit")
        m["register"] = .object(NativeFunction("register", doc: "register(func, *args, **kwargs): calls func(*args, **kwargs) when the script ends; returns func.") { a, ev in
            guard let fn = a.positional.first else { throw PyError(.typeError, "register() takes at least 1 argument (0 given)") }
            handlers[ObjectIdentifier(try Interpreter.of(ev)), default: []].append((fn, Arguments(Array(a.positional.dropFirst()), keywords: a.keywords)))
            return fn
        })
        m["unregister"] = .object(NativeFunction("unregister", "func", doc: "Removes every registration of func.") { b, ev in
            let key = ObjectIdentifier(try Interpreter.of(ev))
            handlers[key] = try handlers[key]?.filter { !(try valuesEqual($0.0, b[0], ev)) }
            return .none
        })
        m["_run_exitfuncs"] = .object(NativeFunction("_run_exitfuncs", "", doc: "Runs and clears the handlers now.") { _, ev in
            run(try Interpreter.of(ev))
            return .none
        })
        m["_clear"] = .object(NativeFunction("_clear", "", doc: "Drops every handler.") { _, ev in
            handlers[ObjectIdentifier(try Interpreter.of(ev))] = nil
            return .none
        })
        m["_ncallbacks"] = .object(NativeFunction("_ncallbacks", "", doc: "How many handlers are registered.") { _, ev in
            .int(handlers[ObjectIdentifier(try Interpreter.of(ev))]?.count ?? 0)
        })
        return m
    }

    /// Runs `interp`'s handlers, last registered first, and forgets them.
    static func run(_ interp: Interpreter) {
        let key = ObjectIdentifier(interp)
        while let (fn, args) = handlers[key]?.popLast() {
            do { _ = try interp.call(fn, args) } catch {
                interp.errorOutput("Exception ignored in atexit callback: \((try? interp.repr(fn)) ?? "")\n" + interp.describe(error))
            }
        }
        handlers[key] = nil
    }
}

extension Interpreter {
    /// Runs the script's `atexit` handlers, then closes the suspended generators module-level
    /// names hold (the script runners call it when a script ends).
    public func runExitHandlers() {
        AtexitModule.run(self)
        closeGlobalGenerators()
    }
}
