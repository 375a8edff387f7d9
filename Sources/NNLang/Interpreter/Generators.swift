import NeuralNet

// Generator functions (`def` with `yield` / `yield from`).
//
// Design decision: a generator runs on the caller's thread, in the same tree-walking evaluator,
// through a *re-entrant statement executor with an explicit resume path* — no threads, no
// continuations, nothing that can deadlock or outlive the generator object.
//
// - The compiler accepts `yield` only at statement level (`yield v`, `x = yield v`,
//   `yield from it`, `x = yield from it`) and marks every statement that is, or contains in its
//   own blocks, a yield (`Op.containsYield`). Statements without a yield run through the
//   ordinary `exec`; the generator executor below (`genBlock` / `genStatement`) steps only into
//   the compound statements on the way to a yield.
// - While a generator body runs, `PyGenerator.path` describes where it stands: one
//   `GenPosition` per nesting level, from the body's block down to the innermost statement
//   (the statement index in each block, the branch of an `if`, a `for` loop's iterator, the
//   phase of a `try` with its pending exception or `return`, a `with`'s `__exit__`, a
//   `yield from`'s sub-iterator). A `yield` appends `.suspended` and returns
//   `GenFlow.yielded(value)` up through the Swift frames, which leave the path as it is.
// - Resuming (`next`, `send`, `throw`, `close`) calls the executor again on the body; each level
//   sees a saved entry for itself (`path.count > level`) and continues from it instead of
//   starting afresh, down to the `yield`, which then evaluates to the sent value (or raises the
//   thrown exception). Locals live in the generator's own `Frame`, which persists between resumes.
// - A resumed generator counts as one call for the recursion limit and polls the interrupt
//   flag (Ctrl-C) like a call; its loops poll it like any loop.
// - Limits: `yield` inside a larger expression (`f((yield))`, in a lambda or comprehension) is
//   a SyntaxError. A generator abandoned while suspended inside `try/finally` or `with` does not
//   run the `finally` / `__exit__` (CPython runs them when the generator is garbage-collected);
//   `close()` runs them.

/// Where a running or suspended generator stands at one nesting level.
enum GenPosition {
    /// Index of the current statement of a block.
    case block(Int)
    /// The `if` branch being run (true: the body).
    case branch(Bool)
    case whileLoop(inElse: Bool)
    case forLoop(PyIterator, inElse: Bool)
    case tryPhase(TryPhase)
    /// Inside a `with` item whose manager's `__exit__` is this.
    case with(exit: Value)
    /// A `yield from` delegating to this iterator.
    case delegating(PyIterator)
    /// Stopped at a `yield`.
    case suspended
}

/// Which part of a `try` statement is running.
enum TryPhase {
    case body
    case orElse
    case handler(Handler, PyExceptionObject)
    /// The `finally` block, then what to do after it.
    case finally(Pending)
}

/// What a `finally` block continues with once it completes normally.
enum Pending {
    case nothing
    case flow(GenFlow)
    case error(Error)
}

/// How a statement of a generator body finished.
enum GenFlow {
    case normal
    case breakLoop
    case continueLoop
    case returned(Value)
    case yielded(Value)

    init(_ flow: Flow) {
        switch flow {
        case .normal: self = .normal
        case .breakLoop: self = .breakLoop
        case .continueLoop: self = .continueLoop
        case .returned(let v): self = .returned(v)
        }
    }
}

/// Python's generator object: what calling a generator function returns.
final class PyGenerator: PyIterator {
    let function: PyFunction
    let frame: Frame
    var path: [GenPosition] = []
    var started = false
    var finished = false
    var running = false
    /// What the suspended `yield` evaluates to on resumption.
    var sendValue: Value = .none
    /// An exception to raise at the suspended `yield` instead (`throw()`, `close()`).
    var thrown: Error?
    /// The body's `return` value, until `yield from` or StopIteration takes it.
    var returnValue: Value = .none

    init(function: PyFunction, frame: Frame) {
        self.function = function
        self.frame = frame
        super.init()
    }

    override var typeName: String { "generator" }

    override func repr(_ ev: Evaluator) throws -> String {
        "<generator object \(function.qualifiedName) at \(addressString(self))>"
    }

    override func truthiness(_ ev: Evaluator) throws -> Bool? { true }

    override func next(_ ev: Evaluator) throws -> Value? {
        guard let interp = ev as? Interpreter else { return nil }
        return try interp.resumeGenerator(self, send: .none, throwing: nil)
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
        case "__name__": return .str(function.name)
        case "__qualname__": return .str(function.qualifiedName)
        default: return try super.getAttribute(name, ev)
        }
    }
}

extension Interpreter {
    /// Makes the generator object for a call of generator function `fn` (arguments bound).
    func makeGenerator(_ fn: PyFunction, _ frame: Frame) -> PyGenerator {
        PyGenerator(function: fn, frame: frame)
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
                g.finished = true
                throw t
            }
            if !send.isNone { throw PyError(.typeError, "can't send non-None value to a just-started generator") }
        }
        if callDepth >= recursionLimit {
            throw PyError(.recursionError, "maximum recursion depth exceeded")
        }
        try checkInterrupt()
        g.started = true
        g.running = true
        g.sendValue = send
        g.thrown = throwing
        callDepth += 1
        frames.append(g.frame)
        defer {
            callDepth -= 1
            frames.removeLast()
            g.running = false
            g.sendValue = .none
            g.thrown = nil
        }
        let flow: GenFlow
        do {
            flow = try genBlock(g.function.code.body, 0, g, g.frame)
        } catch let e as ScriptError where e.exception.cls.isSubclass(of: ExceptionClasses.stopIteration) {
            finish(g)
            let exc = PyExceptionObject(cls: ExceptionClasses.forKind(.runtimeError), args: [.str("generator raised StopIteration")])
            exc.cause = .object(e.exception)
            exc.context = .object(e.exception)
            exc.suppressContext = true
            exc.traceback = e.exception.traceback
            throw ScriptError(exception: exc)
        } catch {
            finish(g)
            throw error
        }
        switch flow {
        case .yielded(let v):
            return v
        case .returned(let v):
            finish(g)
            g.returnValue = v
            return nil
        case .normal, .breakLoop, .continueLoop:
            finish(g)
            return nil
        }
    }

    private func finish(_ g: PyGenerator) {
        g.finished = true
        g.path.removeAll()
    }

    /// `g.close()`: raises GeneratorExit at the suspended `yield` (running `finally` blocks and
    /// `__exit__`s); a generator that yields again is a RuntimeError.
    func closeGenerator(_ g: PyGenerator) throws {
        guard g.started, !g.finished else {
            g.finished = true
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

    private func corruptGenerator() -> Error {
        PyError(.runtimeError, "internal error: inconsistent generator state")
    }

    /// Runs (or resumes) the block `ops` at nesting level `level` of generator `g`.
    func genBlock(_ ops: [Op], _ level: Int, _ g: PyGenerator, _ f: Frame) throws -> GenFlow {
        var i = 0
        if g.path.count > level {
            guard case .block(let saved) = g.path[level] else { throw corruptGenerator() }
            i = saved
        } else {
            g.path.append(.block(0))
        }
        while i < ops.count {
            let op = ops[i]
            g.path[level] = .block(i)
            let flow: GenFlow
            do {
                flow = op.containsYield ? try genStatement(op, level + 1, g, f) : GenFlow(try exec(op, f))
            } catch let e as ScriptError { throw e } catch {
                throw wrap(error, op.span, f)
            }
            switch flow {
            case .normal:
                i += 1
            case .yielded:
                return flow
            case .breakLoop, .continueLoop, .returned:
                truncate(g, level)
                return flow
            }
        }
        truncate(g, level)
        return .normal
    }

    private func truncate(_ g: PyGenerator, _ level: Int) {
        if g.path.count > level { g.path.removeSubrange(level...) }
    }

    /// Runs (or resumes) a statement that contains a yield, at nesting level `level`.
    private func genStatement(_ op: Op, _ level: Int, _ g: PyGenerator, _ f: Frame) throws -> GenFlow {
        let resuming = g.path.count > level
        switch op.kind {
        case .yieldValue(let node, let targets):
            if resuming {
                truncate(g, level)
                if let t = g.thrown {
                    g.thrown = nil
                    throw wrap(t, op.span, f)
                }
                let sent = g.sendValue
                g.sendValue = .none
                for t in targets { try store(t, sent, f) }
                return .normal
            }
            let v = try node.map { try eval($0, f) } ?? .none
            g.path.append(.suspended)
            return .yielded(v)

        case .yieldFrom(let node, let targets):
            let it: PyIterator
            var sending: Value = .none
            var throwing: Error?
            if resuming {
                guard case .delegating(let saved) = g.path[level] else { throw corruptGenerator() }
                it = saved
                sending = g.sendValue
                throwing = g.thrown
                g.sendValue = .none
                g.thrown = nil
            } else {
                let source = try eval(node, f)
                do { it = try makeIterator(source) } catch { throw wrap(error, node.span, f) }
                g.path.append(.delegating(it))
            }
            let next: Value?
            do {
                if let sub = it as? PyGenerator {
                    next = try resumeGenerator(sub, send: sending, throwing: throwing)
                } else if let t = throwing {
                    throw t
                } else if !sending.isNone {
                    throw PyError(.attributeError, "'\(it.typeName)' object has no attribute 'send'")
                } else {
                    next = try it.next(self)
                }
            } catch {
                truncate(g, level)
                throw wrap(error, op.span, f)
            }
            if let v = next { return .yielded(v) }
            truncate(g, level)
            let result = (it as? PyGenerator)?.takeReturnValue() ?? .none
            for t in targets { try store(t, result, f) }
            return .normal

        case .ifStmt(let c, let body, let other):
            let branch: Bool
            if resuming {
                guard case .branch(let b) = g.path[level] else { throw corruptGenerator() }
                branch = b
            } else {
                let cv = try eval(c, f)
                do { branch = try truthy(cv) } catch { throw wrap(error, c.span, f) }
                g.path.append(.branch(branch))
            }
            let flow = try genBlock(branch ? body : other, level + 1, g, f)
            if case .yielded = flow { return flow }
            truncate(g, level)
            return flow

        case .whileStmt(let c, let body, let other):
            var inElse = false
            var resumingBody = false
            if resuming {
                guard case .whileLoop(let e) = g.path[level] else { throw corruptGenerator() }
                inElse = e
                resumingBody = !e
            } else {
                g.path.append(.whileLoop(inElse: false))
            }
            if !inElse {
                while true {
                    if !resumingBody {
                        try checkInterrupt()
                        let cv = try eval(c, f)
                        let b: Bool
                        do { b = try truthy(cv) } catch { throw wrap(error, c.span, f) }
                        if !b { break }
                    }
                    resumingBody = false
                    if let flow = try genLoopBody(body, level, g, f) { return flow }
                }
                g.path[level] = .whileLoop(inElse: true)
            }
            return try genTail(other, level, g, f)

        case .forStmt(let target, let iterable, let body, let other):
            let it: PyIterator
            var inElse = false
            var resumingBody = false
            if resuming {
                guard case .forLoop(let saved, let e) = g.path[level] else { throw corruptGenerator() }
                it = saved
                inElse = e
                resumingBody = !e
            } else {
                let source = try eval(iterable, f)
                do { it = try makeIterator(source) } catch { throw wrap(error, iterable.span, f) }
                g.path.append(.forLoop(it, inElse: false))
            }
            if !inElse {
                while true {
                    if !resumingBody {
                        try checkInterrupt()
                        let next: Value?
                        do { next = try it.next(self) } catch { throw wrap(error, iterable.span, f) }
                        guard let item = next else { break }
                        try store(target, item, f)
                    }
                    resumingBody = false
                    if let flow = try genLoopBody(body, level, g, f) { return flow }
                }
                g.path[level] = .forLoop(it, inElse: true)
            }
            return try genTail(other, level, g, f)

        case .tryStmt(let body, let handlers, let other, let fin):
            return try genTry(body, handlers, other, fin, level, g, f)

        case .with(let items, let body):
            return try genWith(items, 0, body, level, g, f)

        default:
            return GenFlow(try exec(op, f))
        }
    }

    /// One pass of a loop body at `level + 1`: nil to go on looping, else what the loop returns.
    private func genLoopBody(_ body: [Op], _ level: Int, _ g: PyGenerator, _ f: Frame) throws -> GenFlow? {
        let flow = try genBlock(body, level + 1, g, f)
        switch flow {
        case .yielded: return flow
        case .breakLoop: truncate(g, level); return .normal
        case .returned: truncate(g, level); return flow
        case .normal, .continueLoop: return nil
        }
    }

    /// A loop's `else` block, then the loop is done.
    private func genTail(_ other: [Op], _ level: Int, _ g: PyGenerator, _ f: Frame) throws -> GenFlow {
        let flow = try genBlock(other, level + 1, g, f)
        if case .yielded = flow { return flow }
        truncate(g, level)
        return flow
    }

    private func genTry(_ body: [Op], _ handlers: [Handler], _ other: [Op], _ fin: [Op],
                        _ level: Int, _ g: PyGenerator, _ f: Frame) throws -> GenFlow {
        var phase: TryPhase = .body
        if g.path.count > level {
            guard case .tryPhase(let p) = g.path[level] else { throw corruptGenerator() }
            phase = p
        } else {
            g.path.append(.tryPhase(.body))
        }
        while true {
            g.path[level] = .tryPhase(phase)
            switch phase {
            case .body:
                do {
                    let flow = try genBlock(body, level + 1, g, f)
                    if case .yielded = flow { return flow }
                    truncate(g, level + 1)
                    if case .normal = flow { phase = .orElse } else { phase = .finally(.flow(flow)) }
                } catch let e as ScriptError where !handlers.isEmpty {
                    truncate(g, level + 1)
                    do {
                        if let h = try matchingHandler(e.exception, handlers, f) {
                            if let t = h.target { try store(t, .object(e.exception), f) }
                            phase = .handler(h, e.exception)
                        } else {
                            phase = .finally(.error(e))
                        }
                    } catch {
                        phase = .finally(.error(error))
                    }
                } catch {
                    truncate(g, level + 1)
                    phase = .finally(.error(error))
                }
            case .orElse:
                do {
                    let flow = try genBlock(other, level + 1, g, f)
                    if case .yielded = flow { return flow }
                    truncate(g, level + 1)
                    if case .normal = flow { phase = .finally(.nothing) } else { phase = .finally(.flow(flow)) }
                } catch {
                    truncate(g, level + 1)
                    phase = .finally(.error(error))
                }
            case .handler(let h, let exc):
                handling.append(exc)
                do {
                    let flow = try genBlock(h.body, level + 1, g, f)
                    handling.removeLast()
                    if case .yielded = flow { return flow }
                    truncate(g, level + 1)
                    if let t = h.target { try? delete(t, f) }
                    if case .normal = flow { phase = .finally(.nothing) } else { phase = .finally(.flow(flow)) }
                } catch {
                    handling.removeLast()
                    truncate(g, level + 1)
                    if let inner = error as? ScriptError, inner.exception !== exc, inner.exception.context.isNone {
                        inner.exception.context = .object(exc)
                    }
                    phase = .finally(.error(error))
                }
            case .finally(let pending):
                let flow = try genBlock(fin, level + 1, g, f)
                if case .yielded = flow { return flow }
                truncate(g, level)
                if case .normal = flow {} else { return flow }
                switch pending {
                case .nothing: return .normal
                case .flow(let pendingFlow): return pendingFlow
                case .error(let e): throw e
                }
            }
        }
    }

    private func genWith(_ items: [(context: ExprNode, target: Target?)], _ index: Int, _ body: [Op],
                         _ level: Int, _ g: PyGenerator, _ f: Frame) throws -> GenFlow {
        guard index < items.count else { return try genBlock(body, level, g, f) }
        let item = items[index]
        let exit: Value
        if g.path.count > level {
            guard case .with(let saved) = g.path[level] else { throw corruptGenerator() }
            exit = saved
        } else {
            exit = try enterContext(item, f)
            g.path.append(.with(exit: exit))
        }
        let flow: GenFlow
        do {
            flow = try genWith(items, index + 1, body, level + 1, g, f)
        } catch let e as ScriptError {
            truncate(g, level)
            if try exitContext(exit, raising: e, item, f) { return .normal }
            throw e
        } catch {
            truncate(g, level)
            throw error
        }
        if case .yielded = flow { return flow }
        truncate(g, level)
        _ = try exitContext(exit, raising: nil, item, f)
        return flow
    }
}

/// A generator expression `(elt for x in xs if c …)`, evaluated lazily as in Python: the first
/// iterable is evaluated when the expression is, everything else on each `next`. It runs in
/// the frame that created it, where the compiler gave its loop variables their own slots.
final class GenExpIterator: PyIterator {
    let element: ExprNode
    let clauses: [CompClause]
    let frame: Frame
    /// One iterator per active `for` clause, outermost first.
    var iterators: [PyIterator]
    var finished = false
    var running = false

    init(element: ExprNode, clauses: [CompClause], frame: Frame, first: PyIterator) {
        self.element = element
        self.clauses = clauses
        self.frame = frame
        iterators = [first]
        super.init()
    }

    override var typeName: String { "generator" }

    override func repr(_ ev: Evaluator) throws -> String { "<generator object <genexpr> at \(addressString(self))>" }

    override func truthiness(_ ev: Evaluator) throws -> Bool? { true }

    override func next(_ ev: Evaluator) throws -> Value? {
        guard let interp = ev as? Interpreter else { return nil }
        return try interp.genExpNext(self)
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "send", "throw":
            return builtinMethod(name) { _, _ in
                throw PyError(.notImplementedError, "\(name)() on a generator expression is not supported by nnrepl")
            }
        case "close":
            return builtinMethod(name) { _, _ in
                self.finished = true
                self.iterators = []
                return .none
            }
        default: return try super.getAttribute(name, ev)
        }
    }
}

extension Interpreter {
    /// The generator expression's value for `.generator(elt, clauses)` in frame `f`.
    func makeGeneratorExpression(_ element: ExprNode, _ clauses: [CompClause], _ f: Frame) throws -> Value {
        guard let first = clauses.first else { return .object(ArrayIterator([], kind: "generator")) }
        let source = try eval(first.iterable, f)
        let it: PyIterator
        do { it = try makeIterator(source) } catch { throw wrap(error, first.iterable.span, f) }
        return .object(GenExpIterator(element: element, clauses: clauses, frame: f, first: it))
    }

    /// The next item of a generator expression, nil when it is exhausted.
    func genExpNext(_ g: GenExpIterator) throws -> Value? {
        if g.finished { return nil }
        if g.running { throw PyError(.valueError, "generator already executing") }
        if callDepth >= recursionLimit {
            throw PyError(.recursionError, "maximum recursion depth exceeded")
        }
        g.running = true
        callDepth += 1
        defer {
            g.running = false
            callDepth -= 1
        }
        let f = g.frame
        do {
            while true {
                try checkInterrupt()
                guard let it = g.iterators.last else {
                    g.finished = true
                    return nil
                }
                let k = g.iterators.count - 1
                guard k < g.clauses.count else { throw PyError(.runtimeError, "internal error: generator expression state") }
                let clause = g.clauses[k]
                let next: Value?
                do { next = try it.next(self) } catch { throw wrap(error, clause.iterable.span, f) }
                guard let item = next else {
                    g.iterators.removeLast()
                    continue
                }
                try store(clause.target, item, f)
                var keep = true
                for c in clause.conditions {
                    let cv = try eval(c, f)
                    do { keep = try truthy(cv) } catch { throw wrap(error, c.span, f) }
                    if !keep { break }
                }
                if !keep { continue }
                if k + 1 < g.clauses.count {
                    let inner = g.clauses[k + 1]
                    let source = try eval(inner.iterable, f)
                    do { g.iterators.append(try makeIterator(source)) } catch { throw wrap(error, inner.iterable.span, f) }
                    continue
                }
                return try eval(g.element, f)
            }
        } catch {
            g.finished = true
            g.iterators = []
            throw error
        }
    }
}
