/// Python's `contextlib`: `contextmanager` (a generator function as a `with` manager, with
/// CPython's rules for what the generator may do on exit), `nullcontext`, `suppress` and
/// `ExitStack` (ExitStack.swift).
enum ContextlibModule {
    static func module() -> Namespace {
        let m = Namespace("contextlib")
        m["contextmanager"] = .object(NativeFunction("contextmanager", "func",
                                                     doc: "Makes a generator function a context manager factory: the code before its yield runs on enter, after it on exit.") { b, _ in
            let function = b[0]
            return .object(NativeFunction("contextmanager", signature: nil, doc: nil, kind: "function") { a, ev in
                let made = try ev.call(function, a)
                guard case .object(let g as PyGenerator) = made else {
                    throw PyError(.typeError, "'\(made.typeName)' object is not an iterator")
                }
                return .object(GeneratorContextManager(g))
            })
        })
        m["nullcontext"] = .object(NativeFunction("nullcontext", "enter_result=None", doc: "A context manager that does nothing; `with` binds enter_result.") { b, _ in
            .object(SimpleContext(name: "nullcontext", enter: b[0]) { _ in false })
        })
        m["suppress"] = .object(NativeFunction("suppress", "*exceptions", doc: "A context manager that swallows the given exception types.") { b, _ in
            let types = b.extraPositional.compactMap { v -> PyClass? in if case .object(let c as PyClass) = v { return c } else { return nil } }
            return .object(SimpleContext(name: "suppress", enter: .none) { raised in
                guard let raised else { return false }
                return types.contains { raised.isSubclass(of: $0) }
            })
        })
        m["ExitStack"] = .object(NativeFunction("ExitStack", "", doc: "A context manager running the exit callbacks pushed onto it, last in first out.") { _, _ in
            .object(ExitStack())
        })
        return m
    }
}

/// A context manager whose `__enter__` returns a fixed value and whose `__exit__` asks `suppress`
/// (given the raised exception's class, nil when none) whether to swallow it.
final class SimpleContext: PyObject {
    let name: String
    let enter: Value
    let suppress: (PyClass?) -> Bool

    init(name: String, enter: Value, suppress: @escaping (PyClass?) -> Bool) {
        self.name = name
        self.enter = enter
        self.suppress = suppress
        super.init()
    }

    override var typeName: String { name }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__enter__": return builtinMethod(name) { _, _ in self.enter }
        case "__exit__":
            return builtinMethod(name) { a, _ in
                if case .object(let c as PyClass)? = a.positional.first { return .bool(self.suppress(c)) }
                return .bool(self.suppress(nil))
            }
        default: return nil
        }
    }
}

/// What `@contextmanager` functions return: runs the generator to its yield on enter, and on exit
/// resumes it (or throws the block's exception into it), as CPython's `_GeneratorContextManager`.
final class GeneratorContextManager: PyObject {
    let generator: PyGenerator

    init(_ generator: PyGenerator) {
        self.generator = generator
        super.init()
    }

    override var typeName: String { "_GeneratorContextManager" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__enter__":
            return builtinMethod(name) { _, ev in
                guard let v = try Interpreter.of(ev).resumeGenerator(self.generator, send: .none, throwing: nil) else {
                    throw PyError(.runtimeError, "generator didn't yield")
                }
                return v
            }
        case "__exit__":
            return builtinMethod(name) { a, ev in
                let interp = try Interpreter.of(ev)
                guard a.positional.count > 1, case .object(let exception as PyExceptionObject) = a.positional[1] else {
                    if try interp.resumeGenerator(self.generator, send: .none, throwing: nil) != nil {
                        throw PyError(.runtimeError, "generator didn't stop")
                    }
                    return .bool(false)
                }
                do {
                    if try interp.resumeGenerator(self.generator, send: .none, throwing: ScriptError(exception: exception)) != nil {
                        throw PyError(.runtimeError, "generator didn't stop after throw()")
                    }
                    return .bool(true)
                } catch let e as ScriptError where e.exception === exception {
                    return .bool(false)
                }
            }
        default: return nil
        }
    }
}
