import NeuralNet

// Generators: generator functions (`def` with `yield` / `yield from`) and generator
// expressions. A generator is a frame and a body run by the one statement executor
// (Exec.swift), which can suspend at a `yield` and resume there; this file holds the generator
// object and what starts, resumes and closes it.
//
// - Suspending: `exec` of a `yield` returns `Flow.yielded(v)`; every statement it unwinds
//   through records where it stands in `Interpreter.resumePoints`, which `resumeGenerator`
//   moves into `PyGenerator.saved`. Locals live in the generator's `Frame`, which persists.
// - Resuming (`next`, `send`, `throw`, `close`): `resumeGenerator` moves the saved points back
//   and runs the body; each statement on the way continues from its point, down to the
//   `yield`, which evaluates to the sent value (`resumeSend`) or raises the thrown exception
//   (`resumeThrow`).
// - A resumed generator counts as one call for the recursion limit and polls the interrupt
//   flag (Ctrl-C) like a call; its loops poll it like any loop.
// - Closing: `close()`, and dropping the last reference to a generator suspended inside `try`
//   or `with` (GeneratorFinalization.swift), raise GeneratorExit at its `yield`.
// - Limits: `yield` inside a larger expression (`f((yield))`, in a lambda or comprehension) is
//   a SyntaxError.

/// Python's generator object: what calling a generator function returns.
/// Also what a generator expression evaluates to (its body: the comprehension's statements,
/// run in the frame that created it).
final class PyGenerator: PyIterator {
    let body: [Op]
    let frame: Frame
    let name: String
    let qualifiedName: String
    /// While suspended: where the body stands (the executor's resume points, innermost first).
    let saved: ResumeStack
    /// A `weakref.ref` to it was made: a strong reference can appear from it at any time, so
    /// it never runs pushed (PushedGenerators.swift).
    var weaklyReferenced = false
    var started = false
    var finished = false
    var running = false
    /// The body's `return` value, until `yield from` or StopIteration takes it.
    var returnValue: Value = .none

    init(body: [Op], frame: Frame, name: String, qualifiedName: String, saved: ResumeStack = ResumeStack()) {
        self.body = body
        self.frame = frame
        self.name = name
        self.qualifiedName = qualifiedName
        self.saved = saved
        super.init()
    }

    deinit {
        if started, !finished { closeAbandoned() }
        if !saved.isEmpty { DeferredRelease.release(parking: { saved.takeAll() }, { saved.removeAll() }) }
    }

    override var typeName: String { "generator" }

    override func repr(_ ev: Evaluator) throws -> String {
        "<generator object \(qualifiedName) at \(addressString(self))>"
    }

    override func truthiness(_ ev: Evaluator) throws -> Bool? { true }

    override func next(_ ev: Evaluator) throws -> Value? {
        try interpreter(ev)?.resumeGenerator(self, send: .none, throwing: nil)
    }

    /// The return value once, then None (what the StopIteration carries).
    func takeReturnValue() -> Value {
        defer { returnValue = .none }
        return returnValue
    }

    /// StopIteration carrying the generator's return value.
    func stopIteration() -> Error {
        let v = takeReturnValue()
        return PyError(.stopIteration, args: v.isNone ? [] : [v])
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        guard let interp = ev as? Interpreter else { return try super.getAttribute(name, ev) }
        switch name {
        case "__next__":
            return builtinMethod(name) { _, _ in
                guard let v = try interp.resumeGenerator(self, send: .none, throwing: nil) else { throw self.stopIteration() }
                return v
            }
        case "send":
            return builtinMethod(name) { a, _ in
                let value = try a.bind("send", ["value"], required: 1)[0] ?? .none
                guard let v = try interp.resumeGenerator(self, send: value, throwing: nil) else { throw self.stopIteration() }
                return v
            }
        case "throw":
            return builtinMethod(name) { a, _ in
                let s = try a.bind("throw", ["typ", "val", "tb"], required: 1)
                var exc = try interp.exceptionInstance(s[0] ?? .none)
                if let v = s[1], !v.isNone {
                    if case .object(let o) = v, let e = o as? PyExceptionObject { exc = e } else { exc.args = [v] }
                }
                guard let v = try interp.resumeGenerator(self, send: .none, throwing: ScriptError(exception: exc)) else {
                    throw self.stopIteration()
                }
                return v
            }
        case "close":
            return builtinMethod(name) { _, _ in
                try interp.closeGenerator(self)
                return .none
            }
        case "gi_running": return .bool(running)
        case "__name__": return .str(name)
        case "__qualname__": return .str(qualifiedName)
        default: return try super.getAttribute(name, ev)
        }
    }
}

extension Interpreter {
    /// Makes the generator object for a call of generator function `fn` (arguments bound).
    func makeGenerator(_ fn: PyFunction, _ frame: Frame) -> PyGenerator {
        PyGenerator(body: fn.code.body, frame: frame, name: fn.name, qualifiedName: fn.qualifiedName)
    }

    /// The generator a generator expression evaluates to in frame `f`: its first iterable is
    /// evaluated now, and the generator starts at its first loop's head with that iterator.
    func makeGeneratorExpression(_ c: ComprehensionCode, _ f: Frame) throws -> Value {
        guard let iterable = c.firstIterable else { throw corruptGenerator() }
        let source = try eval(iterable, f)
        let it: PyIterator
        do { it = try makeIterator(source) } catch { throw wrap(error, iterable.span, f) }
        return .object(PyGenerator(body: c.body, frame: f, name: "<genexpr>", qualifiedName: "<genexpr>",
                                   saved: ResumeStack([.loop(it, .head), .block(0)])))
    }

    /// Runs `g` until its next `yield` (its value) or its end (nil; a `return` value is kept in
    /// `returnValue`). `send` is what the suspended `yield` evaluates to; `throwing` is raised
    /// there instead.
    func resumeGenerator(_ g: PyGenerator, send: Value, throwing: Error?) throws -> Value? {
        if g.running { throw PyError(.valueError, "generator already executing") }
        if g.finished {
            if let t = throwing { throw t }
            return nil
        }
        if !g.started {
            if let t = throwing {
                finish(g)
                throw t
            }
            if !send.isNone { throw PyError(.typeError, "can't send non-None value to a just-started generator") }
        }
        if case .yielded(let v) = try runGenerator(g, push: nil, send: send, throwing: throwing) { return v }
        return nil
    }

    /// Runs `g`'s body from where it stands, pulled (`push` nil: its `yield`s suspend it) or
    /// pushed into a sink (PushedGenerators.swift), with `send` / `throwing` for the suspended
    /// `yield`: the flow it stopped with. At a `yield` its resume points go back into `g.saved`;
    /// at its end it is finished (a `return` value kept in `returnValue`). A StopIteration
    /// escaping the body becomes RuntimeError (PEP 479); any error finishes `g`. Counts as a call
    /// for the recursion limit and polls Ctrl-C.
    @inline(__always)
    func runGenerator(_ g: PyGenerator, push: Unmanaged<YieldSink>?, send: Value, throwing: Error?) throws -> Flow {
        try checkRecursion()
        try checkInterrupt()
        g.started = true
        g.running = true
        // Swapped, not copied: each side keeps its buffer, so a resume allocates nothing.
        resumePoints.exchange(with: g.saved)
        // `next()` sends None and throws nothing: what these already hold between resumes.
        if !send.isNone { resumeSend = send }
        if let throwing { resumeThrow = throwing }
        callDepth += 1
        let caller = currentFrameMark
        currentFrameMark = Unmanaged.passUnretained(g.frame)
        let callerPush = activePush
        activePush = push
        defer {
            callDepth -= 1
            currentFrameMark = caller
            activePush = callerPush
            g.running = false
            if !resumePoints.isEmpty { resumePoints.removeAll() }
            if !resumeSend.isNone { resumeSend = .none }
            if resumeThrow != nil { resumeThrow = nil }
        }
        let flow: Flow
        do {
            flow = try execBlock(g.body, g.frame)
        } catch let e as ScriptError where e.exception.cls.isSubclass(of: ExceptionClasses.stopIteration) {
            finish(g)
            let exc = PyExceptionObject(cls: ExceptionClasses.forKind(.runtimeError), args: [.str("generator raised StopIteration")])
            exc.cause = .object(e.exception)
            exc.context = .object(e.exception)
            exc.suppressContext = true
            exc.tracebackInnermostFirst = e.exception.tracebackInnermostFirst
            throw ScriptError(exception: exc)
        } catch {
            finish(g)
            throw error
        }
        if case .yielded = flow {
            resumePoints.exchange(with: g.saved)
        } else {
            finish(g)
            if case .returned(let v) = flow { g.returnValue = v }
        }
        return flow
    }

    private func finish(_ g: PyGenerator) {
        g.finished = true
        g.saved.removeAll()
    }

    /// `g.close()`: raises GeneratorExit at the suspended `yield` (running `finally` blocks and
    /// `__exit__`s); a generator that yields again is a RuntimeError.
    func closeGenerator(_ g: PyGenerator) throws {
        guard g.started, !g.finished else {
            finish(g)
            return
        }
        let exit = ScriptError(exception: PyExceptionObject(cls: ExceptionClasses.forKind(.generatorExit), args: []))
        do {
            if try resumeGenerator(g, send: .none, throwing: exit) != nil {
                throw PyError(.runtimeError, "generator ignored GeneratorExit")
            }
        } catch let e as ScriptError where e.exception.cls.isSubclass(of: ExceptionClasses.forKind(.generatorExit))
                    || e.exception.cls.isSubclass(of: ExceptionClasses.stopIteration) {
            return
        }
    }
}
