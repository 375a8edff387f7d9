import TensorRuntime
import NeuralNet

// Statement execution: the one executor for every unit (module, function, class body,
// generator, comprehension).
//
// A generator's body runs here like any other and can stop at a `yield`: `exec` returns
// `Flow.yielded(v)`, and every statement it unwinds through appends where it stands to
// `resumePoints` (innermost first: the `yield`, then its block's statement index, a loop's
// iterator, a `try`'s phase, a `with`'s `__exit__` … up to the body's block), which
// `resumeGenerator` moves into the generator object. Resuming moves them back and runs the body
// again: each statement on the way takes its own point off the end of `resumePoints` (outermost
// first) and continues from it instead of starting afresh, down to the `yield`, which then
// evaluates to the sent value (or raises the thrown exception). Only statements that contain a
// yield (`Op.containsYield`) and blocks look for a point, and the list is empty whenever user
// code runs, so other code pays one test per block.

/// Where a suspended statement of a generator stands.
enum ResumePoint {
    /// The index of the statement being run in a block.
    case block(Int)
    /// The `if` branch being run (true: the body).
    case branch(Bool)
    /// A `for` loop (its iterator) or a `while` loop (nil), and which part of it.
    case loop(PyIterator?, LoopStage)
    // The two rare, large ones are boxed, which keeps every point (and so each suspend and
    // resume, which copy points) small.
    indirect case tryPhase(TryPhase)
    /// Inside a `with` item whose manager's `__exit__` is this.
    indirect case with(exit: Value)
    /// At a `yield`, or at a `yield from` delegating to this iterator.
    case yielded(delegate: PyIterator?)
}

/// Where a loop resumes: fetching its next item (a generator expression not started yet),
/// inside its body, or in its `else` block.
enum LoopStage { case head, body, orElse }

/// Which part of a `try` statement is running.
enum TryPhase {
    case body
    case orElse
    /// Running the handler at this index of the statement's handlers, for this exception.
    case handler(Int, PyExceptionObject)
    /// The `finally` block, then what to do after it.
    case finally(Pending)
}

/// What a `finally` block continues with once it completes normally.
enum Pending {
    case nothing
    case flow(Flow)
    case error(Error)
}

extension Interpreter {
    func execBlock(_ ops: [Op], _ f: Frame) throws -> Flow {
        var i = 0
        if let point = resumePoints.popLast() {
            guard case .block(let saved) = point else { throw corruptGenerator() }
            i = saved
            // Resuming at a bare `yield x` statement with nothing thrown in: what was sent is
            // discarded, so the block goes on with the next statement (the yield's own point is
            // dropped) instead of running the yield to resume it.
            if resumeThrow == nil, let at = ops.unretained(i), at._withUnsafeGuaranteedRef({ $0.isBareYield }) {
                guard case .yielded(nil)? = resumePoints.popLast() else { throw corruptGenerator() }
                if !resumeSend.isNone { resumeSend = .none }
                i &+= 1
            }
        }
        while i < ops.count {
            guard let next = ops.unretained(i) else { throw corruptGenerator() }
            let flow = try next._withUnsafeGuaranteedRef { op in
                do { return try exec(op, f) } catch {
                    if isScriptError(error) { throw error }
                    throw wrap(error, op.span, f)
                }
            }
            if case .normal = flow {
                i += 1
                continue
            }
            if case .yielded = flow { resumePoints.append(.block(i)) }
            return flow
        }
        return .normal
    }

    /// The resume point of a statement that contains a yield, nil when it starts afresh.
    @inline(__always)
    private func resumePoint(_ op: Op) -> ResumePoint? {
        op.containsYield ? resumePoints.popLast() : nil
    }

    func corruptGenerator() -> Error {
        PyError(.runtimeError, "internal error: inconsistent generator state")
    }

    /// Runs statement `op` in frame `f`. The statements loops run go through `op.fast`, whose
    /// children are unretained; the rest through `op.kind`.
    func exec(_ op: Op, _ f: Frame) throws -> Flow {
        switch op.fast {
        case .expression(let e):
            _ = try eval(e, f)
            return .normal
        case .assignLocal(let slot, let value):
            f[local: slot] = try eval(value, f)
            return .normal
        case .assign(let target, let value):
            let v = try eval(value, f)
            try target._withUnsafeGuaranteedRef { try store($0, v, f) }
            return .normal
        case .assignPair(let first, let second, let a, let b):
            let x = try eval(a, f)
            let y = try eval(b, f)
            try first._withUnsafeGuaranteedRef { try store($0, x, f) }
            try second._withUnsafeGuaranteedRef { try store($0, y, f) }
            return .normal
        case .augAssign(let target, let operation, let value):
            try target._withUnsafeGuaranteedRef { t in
                try value._withUnsafeGuaranteedRef { try augmentedAssign(t, operation, $0, f) }
            }
            return .normal
        case .returnStmt(let e):
            return .returned(try e.map { try eval($0, f) } ?? .none)
        case .ifStmt(let c) where !op.containsYield:
            // Two calls, not one with `cond ? body : orElse`: the conditional expression makes an
            // owned copy of the block (a retain/release pair per `if`).
            if try condition(c, f) { return try execBlock(op.blocks.body, f) }
            return try execBlock(op.blocks.orElse, f)
        case .collectItem(let slot, let e):
            guard case .object(let result)? = f[local: slot] else { throw corruptGenerator() }
            let v = try eval(e, f)
            if let list = result as? PyList {
                try MemoryLimit.checkGrowth(list.items)
                list.items.append(v)
            } else if let set = result as? PySet { try set.add(v) }
            return .normal
        case .collectPair(let slot, let k, let v):
            guard case .object(let result)? = f[local: slot] else { throw corruptGenerator() }
            let key = try eval(k, f)
            let value = try eval(v, f)
            try (result as? PyDict)?.set(key, value)
            return .normal
        case .forLoop(let target, let iterable):
            return try execFor(op, target, iterable, f)
        case .whileLoop(let condition):
            return try execWhile(op, condition, f)
        case .yieldValue(let e):
            return try execYield(op, e, f)
        case .ifStmt(let c):
            return try execResumableIf(op, c, f)
        case .pass:
            return .normal
        case .other:
            return try execOther(op, f)
        }
    }

    /// An `if` statement that contains a yield: resumed, it continues in the branch it suspended in.
    @inline(never)
    private func execResumableIf(_ op: Op, _ condition: Unretained<ExprNode>, _ f: Frame) throws -> Flow {
        let branch: Bool
        if let point = resumePoint(op) {
            guard case .branch(let saved) = point else { throw corruptGenerator() }
            branch = saved
        } else {
            branch = try self.condition(condition, f)
        }
        let flow = try execBlock(branch ? op.blocks.body : op.blocks.orElse, f)
        if case .yielded = flow { resumePoints.append(.branch(branch)) }
        return flow
    }

    /// A `for` statement: from its resume point (a suspended generator), else over a new iterator.
    @inline(never)
    private func execFor(_ op: Op, _ target: Unretained<Target>, _ iterable: Unretained<ExprNode>, _ f: Frame) throws -> Flow {
        var it: PyIterator
        var stage = LoopStage.head
        if let point = resumePoint(op) {
            guard case .loop(let saved?, let savedStage) = point else { throw corruptGenerator() }
            it = saved
            stage = savedStage
        } else {
            it = try iterator(of: iterable, f)
        }
        // A generator made for this loop (`for x in gen(...)`, or the first loop of a generator
        // expression) runs pushed (PushedGenerators.swift).
        if stage == .head, isUnsharedGenerator(&it) {
            return try pushedLoop(op, unsafeDowncast(it, to: PyGenerator.self), target, iterable, f)
        }
        // `for i in range(…)` into a local (CPython's `FOR_ITER_RANGE` + `STORE_FAST`): the int
        // goes straight into the slot, without the iterator's `Value?` or `store`'s dispatch.
        if type(of: it) == RangeIterator.self,
           case .local(let slot) = target._withUnsafeGuaranteedRef({ $0.fast }) {
            let range = unsafeDowncast(it, to: RangeIterator.self)
            return try loop(op.blocks.body, op.blocks.orElse, it, from: stage, f) {
                guard let i = range.nextInt() else { return false }
                f[local: slot] = .int(i)
                return true
            }
        }
        // `for x in gen(...)`: the generator resumed directly (no dynamic `next`).
        let generator = type(of: it) == PyGenerator.self ? unsafeDowncast(it, to: PyGenerator.self) : nil
        // `for i, x in enumerate(…)`, `for a, b in zip(xs, ys)`, `for k, v in d.items()` into two
        // plain names: the parts go straight into them, with no tuple made and unpacked.
        if generator == nil, case .names(let names) = target._withUnsafeGuaranteedRef({ $0.fast }), names.count == 2 {
            return try loop(op.blocks.body, op.blocks.orElse, it, from: stage, f) {
                let step: PairStep
                do { step = try it.nextPair(self) } catch { throw self.wrap(error, iterable._withUnsafeGuaranteedRef { $0.span }, f) }
                switch step {
                case .end: return false
                case .pair(let a, let b):
                    self.store(names[0], a, f)
                    self.store(names[1], b, f)
                case .item(let v):
                    try target._withUnsafeGuaranteedRef { try self.store($0, v, f) }
                }
                return true
            }
        }
        // Into a local (`STORE_FAST`): the item goes straight into the slot.
        let localSlot: Int?
        if case .local(let slot) = target._withUnsafeGuaranteedRef({ $0.fast }) { localSlot = slot } else { localSlot = nil }
        return try loop(op.blocks.body, op.blocks.orElse, it, from: stage, f) {
            let next: Value?
            do {
                if let generator { next = try self.resumeGenerator(generator, send: .none, throwing: nil) } else { next = try it.next(self) }
            } catch { throw self.wrap(error, iterable._withUnsafeGuaranteedRef { $0.span }, f) }
            guard let item = next else { return false }
            if let localSlot {
                f[local: localSlot] = item
            } else {
                try target._withUnsafeGuaranteedRef { try self.store($0, item, f) }
            }
            return true
        }
    }

    /// The iterator of `iterable` that a `for` or `yield from` starts with (the value it is
    /// made from released on return, so a generator made for it is the caller's alone).
    private func iterator(of iterable: Unretained<ExprNode>, _ f: Frame) throws -> PyIterator {
        let source = try eval(iterable, f)
        do { return try makeIterator(source) } catch { throw wrap(error, iterable._withUnsafeGuaranteedRef { $0.span }, f) }
    }

    /// A `while` statement, from its resume point when a generator resumes inside it.
    @inline(never)
    private func execWhile(_ op: Op, _ condition: Unretained<ExprNode>, _ f: Frame) throws -> Flow {
        var stage = LoopStage.head
        if let point = resumePoint(op) {
            guard case .loop(nil, let saved) = point else { throw corruptGenerator() }
            stage = saved
        }
        return try loop(op.blocks.body, op.blocks.orElse, nil, from: stage, f) {
            try self.condition(condition, f)
        }
    }

    /// `yield value`: suspends the generator with the value; resumed, stores what was sent into
    /// the statement's targets (or raises what was thrown in).
    @inline(never)
    private func execYield(_ op: Op, _ node: Unretained<ExprNode>?, _ f: Frame) throws -> Flow {
        if let point = resumePoint(op) {
            guard case .yielded(nil) = point else { throw corruptGenerator() }
            if let t = resumeThrow {
                resumeThrow = nil
                throw wrap(t, op.span, f)
            }
            let sent = resumeSend
            resumeSend = .none
            if case .yieldValue(_, let targets) = op.kind {
                for t in targets { try store(t, sent, f) }
            }
            return .normal
        }
        let v = try node.map { try eval($0, f) } ?? .none
        if let sink = activePush, sink._withUnsafeGuaranteedRef({ deliver(v, to: $0) }) {
            if case .yieldValue(_, let targets) = op.kind {
                for t in targets { try store(t, .none, f) }
            }
            return .normal
        }
        resumePoints.append(.yielded(delegate: nil))
        return .yielded(v)
    }

    /// `exec` of the statements `Op.fast` leaves to `kind` (and of an `if` that can yield).
    private func execOther(_ op: Op, _ f: Frame) throws -> Flow {
        switch op.kind {
        case .expression, .augAssign, .returnStmt:
            throw corruptTree()
        case .echo(let e):
            let v = try eval(e, f)
            if !v.isNone {
                do { output(try repr(v) + "\n") } catch { throw wrap(error, e.span, f) }
                globalCell("_").value = v
            }
        case .assign(let targets, let value):
            // `a, b = x, y`: the values go straight to the targets, without a tuple.
            if targets.count == 1, case .sequence(let names, nil) = targets[0].kind, case .tuple(let items) = value.kind {
                let values = try evalElements(items, f)
                if values.count == names.count {
                    for (t, v) in zip(names, values) { try store(t, v, f) }
                } else {
                    try store(targets[0], .object(PyTuple(values)), f)
                }
                return .normal
            }
            let v = try eval(value, f)
            for t in targets { try store(t, v, f) }
        case .ifStmt, .forStmt, .whileStmt, .yieldValue:
            throw corruptTree()
        case .breakStmt:
            return .breakLoop
        case .continueStmt:
            return .continueLoop
        case .pass:
            break
        case .functionDef(let code, let decorators, let target):
            let decos = try decorators.map { try eval($0, f) }
            var fn: Value = .object(try makeFunction(code, f))
            for d in decos.reversed() {
                do { fn = try callValue(d, Arguments([fn])) } catch { throw wrap(error, op.span, f) }
            }
            try store(target, fn, f)
        case .classDef(let code, let bases, let decorators, let target):
            let baseValues = try bases.map { try eval($0, f) }
            let keywords = try code.keywords.map { (name: $0.0, value: try eval($0.1, f)) }
            let decos = try decorators.map { try eval($0, f) }
            var cls: Value = .object(try makeClass(code, baseValues, keywords, op.span, f))
            for d in decos.reversed() { cls = try callValue(d, Arguments([cls])) }
            try store(target, cls, f)
        case .tryStmt(let body, let handlers, let other, let fin):
            return try execTry(op, body, handlers, other, fin, f)
        case .raise(let e, let cause):
            throw try raiseError(e, cause, op.span, f)
        case .assert(let c, let message):
            let cv = try eval(c, f)
            if !(try truthy(cv)) {
                let args = try message.map { [try eval($0, f)] } ?? []
                let exc = PyExceptionObject(cls: ExceptionClasses.forKind(.assertionError), args: args)
                exc.traceback = [f.entry(op.span)]
                throw ScriptError(exception: exc)
            }
        case .del(let targets):
            for t in targets { try delete(t, f) }
        case .with(let items, let body):
            return try execWith(items, 0, body, resumable: op.containsYield, f)
        case .importModule(let name, let bindFull, let target):
            guard let module = try importModule(name) else {
                throw PyError(.moduleNotFoundError, "No module named '\(name)'")
            }
            if bindFull {
                try store(target, module, f)
            } else {
                let top = String(name.split(separator: ".").first ?? Substring(name))
                try store(target, try importModule(top) ?? module, f)
            }
        case .importFrom(let moduleName, let names):
            guard let module = try importModule(moduleName) else {
                throw PyError(.moduleNotFoundError, "No module named '\(moduleName)'")
            }
            for (name, target) in names {
                var value = try? getAttribute(module, name)
                if value == nil { value = try importModule(moduleName + "." + name) }
                guard let v = value else {
                    throw PyError(.importError, "cannot import name '\(name)' from '\(moduleName)'")
                }
                try store(target, v, f)
            }
        case .importStar(let moduleName):
            guard let module = try importModule(moduleName), case .object(let o) = module else {
                throw PyError(.moduleNotFoundError, "No module named '\(moduleName)'")
            }
            for name in o.attributeNames() where !name.hasPrefix("_") {
                if let v = try o.getAttribute(name, self) { globalCell(name).value = v }
            }
        case .yieldFrom(let node, let targets):
            return try yieldFrom(op, node, targets, f)
        case .collect:
            throw corruptTree()
        }
        return .normal
    }

    /// A `while` loop (`it` nil) or a `for` loop over `it`, from `stage`: `advance` starts an
    /// iteration (evaluates the condition, or stores the next item; false: the loop is done),
    /// then the body runs; the `else` block runs when the loop ends without `break`.
    @inline(__always)
    private func loop(_ body: [Op], _ other: [Op], _ it: PyIterator?, from stage: LoopStage, _ f: Frame,
                      advance: () throws -> Bool) throws -> Flow {
        if stage != .orElse {
            var stage = stage
            while true {
                if stage == .head {
                    try checkInterrupt()
                    if !(try advance()) { break }
                }
                stage = .head
                let flow = try execBlock(body, f)
                switch flow {
                case .normal, .continueLoop: continue
                case .breakLoop: return .normal
                case .returned: return flow
                case .yielded:
                    resumePoints.append(.loop(it, .body))
                    return flow
                }
            }
        }
        return try loopElse(other, it, f)
    }

    /// A loop's `else` block (the loop over `it`, nil for `while`, ended without `break`).
    func loopElse(_ other: [Op], _ it: PyIterator?, _ f: Frame) throws -> Flow {
        let flow = try execBlock(other, f)
        if case .yielded = flow { resumePoints.append(.loop(it, .orElse)) }
        return flow
    }

    /// `yield from iterable`: passes each item (and what is sent or thrown in) through; when the
    /// iterable ends, its return value is stored into `targets`.
    private func yieldFrom(_ op: Op, _ node: ExprNode, _ targets: [Target], _ f: Frame) throws -> Flow {
        var it: PyIterator
        var next: Value?
        if let point = resumePoint(op) {
            guard case .yielded(let saved?) = point else { throw corruptGenerator() }
            it = saved
            let sending = resumeSend
            let throwing = resumeThrow
            resumeSend = .none
            resumeThrow = nil
            next = try delegateStep(it, sending, throwing, op, f)
        } else {
            it = try iterator(of: .passUnretained(node), f)
            // Pushed, a generator made for this `yield from` runs pushed into the same receiver.
            if let sink = activePush, isUnsharedGenerator(&it) {
                let sub = unsafeDowncast(it, to: PyGenerator.self)
                let ended: Bool
                do { ended = try sink._withUnsafeGuaranteedRef { try runPushed(sub, $0) } } catch { throw wrap(error, op.span, f) }
                if !ended {
                    resumePoints.append(.yielded(delegate: sub))
                    return .yielded(.none)
                }
                next = nil
            } else {
                next = try delegateStep(it, .none, nil, op, f)
            }
        }
        // Pushed, each item goes to the receiver until the iterable ends or the receiver stops.
        if let sink = activePush {
            while let v = next {
                guard sink._withUnsafeGuaranteedRef({ deliver(v, to: $0) }) else {
                    resumePoints.append(.yielded(delegate: it))
                    return .yielded(v)
                }
                next = try delegateStep(it, .none, nil, op, f)
            }
        } else if let v = next {
            resumePoints.append(.yielded(delegate: it))
            return .yielded(v)
        }
        let result = (it as? PyGenerator)?.takeReturnValue() ?? .none
        for t in targets { try store(t, result, f) }
        return .normal
    }

    /// The next item of a `yield from`'s iterable `it` (nil at its end), sending `sending` or
    /// throwing `throwing` into it.
    private func delegateStep(_ it: PyIterator, _ sending: Value, _ throwing: Error?, _ op: Op, _ f: Frame) throws -> Value? {
        do {
            if let sub = it as? PyGenerator {
                return try resumeGenerator(sub, send: sending, throwing: throwing)
            } else if let t = throwing {
                throw t
            } else if !sending.isNone {
                throw PyError(.attributeError, "'\(it.typeName)' object has no attribute 'send'")
            }
            return try it.next(self)
        } catch {
            throw wrap(error, op.span, f)
        }
    }

    // MARK: - Assignment

    func store(_ t: Target, _ v: Value, _ f: Frame) throws {
        switch t.fast {
        case .local(let i):
            f[local: i] = v
            return
        case .attribute(let o, let siteCache):
            if let inst = namedPlainInstance(o, f), Interpreter.cachedStore(inst, siteCache, v) { return }
            try siteCache._withUnsafeGuaranteedRef { cache in
                if let inst = namedPlainInstance(o, f), inst._withUnsafeGuaranteedRef({ $0.replacePlainAttribute(v, cache) }) {
                    return
                }
                let obj = try eval(o, f)
                if replacePlainInstanceAttribute(obj, v, cache) { return }
                do { try setAttribute(obj, cache.name, v, cache: cache) } catch { throw wrap(error, t.span, f) }
            }
            return
        case .item(let o, let k):
            let obj = try eval(o, f)
            let key = try eval(k, f)
            do { try setItem(obj, key, v) } catch { throw wrap(error, t.span, f) }
            return
        case .names(let names):
            if case .object(let o) = v, unpack(o, into: names, f) { return }
        case .other:
            break
        }
        switch t.kind {
        case .local, .attribute, .item: throw corruptTree()
        case .global(let cell): cell.value = v
        case .cell(let i, _): f.cells[i].value = v
        case .className(let name): f.namespace?[name] = v
        case .sequence(let targets, let star):
            let items: [Value]
            do { items = try iterate(v) } catch {
                if error is ScriptError { throw error }
                throw wrap(PyError(.typeError, "cannot unpack non-iterable \(v.typeName) object"), t.span, f)
            }
            if let s = star {
                let after = targets.count - s - 1
                guard items.count >= targets.count - 1 else {
                    throw wrap(PyError(.valueError, "not enough values to unpack (expected at least \(targets.count - 1), got \(items.count))"), t.span, f)
                }
                for i in 0..<s { try store(targets[i], items[i], f) }
                try store(targets[s], .object(PyList(Array(items[s..<(items.count - after)]))), f)
                for i in 0..<after { try store(targets[s + 1 + i], items[items.count - after + i], f) }
            } else {
                guard items.count == targets.count else {
                    let msg = items.count > targets.count
                        ? "too many values to unpack (expected \(targets.count))"
                        : "not enough values to unpack (expected \(targets.count), got \(items.count))"
                    throw wrap(PyError(.valueError, msg), t.span, f)
                }
                for (target, item) in zip(targets, items) { try store(target, item, f) }
            }
        }
    }

    /// Binds a plain name of an unpacking target.
    @inline(__always)
    private func store(_ name: Target.Name, _ v: Value, _ f: Frame) {
        switch name {
        case .local(let slot): f[local: slot] = v
        case .global(let cell): cell._withUnsafeGuaranteedRef { $0.value = v }
        }
    }

    /// Stores the items of `o` into `names` when `o` is exactly a tuple or a list with that many
    /// items (storing a name runs no code, so the list cannot change meanwhile); false, with
    /// nothing stored, otherwise.
    @inline(__always)
    private func unpack(_ o: PyObject, into names: [Target.Name], _ f: Frame) -> Bool {
        func unpack(_ items: [Value]) -> Bool {
            guard items.count == names.count else { return false }
            for (name, item) in zip(names, items) { store(name, item, f) }
            return true
        }
        if type(of: o) == PyTuple.self { return unpack(unsafeDowncast(o, to: PyTuple.self).items) }
        if type(of: o) == PyList.self { return unpack(unsafeDowncast(o, to: PyList.self).items) }
        return false
    }

    /// The value of `n` when it is a bound local or a number literal (reading it runs no
    /// code); nil otherwise.
    @inline(__always)
    private func plainOperand(_ n: ExprNode, _ f: Frame) -> Value? {
        switch n.fast {
        case .local(let i): return f.localValue(i)
        case .int(let v): return .int(v)
        case .float(let d): return .float(d)
        default: return nil
        }
    }

    private func augmentedAssign(_ t: Target, _ op: BinaryOperator, _ valueNode: ExprNode, _ f: Frame) throws {
        func combine(_ old: Value) throws -> Value { try combined(old, op, valueNode, t, f) }
        switch t.fast {
        case .local(let i):
            if let old = f[local: i] {
                f[local: i] = try combine(old)
                return
            }
        case .attribute(let o, let siteCache):
            // `self.n += 1` answered inline from the site's latest lookup (`cachedPosition`).
            if let inst = namedPlainInstance(o, f), let rhs = plainOperand(valueNode, f),
               inst._withUnsafeGuaranteedRef({ i in
                   siteCache._withUnsafeGuaranteedRef { c in
                       guard let slot = Interpreter.cachedPosition(i, c), !i.cls.definesSetattr else { return false }
                       return combineInPlace(i, slot, op, rhs)
                   }
               }) {
                return
            }
            try siteCache._withUnsafeGuaranteedRef { cache in try augmentedAttribute(o, cache, t, op, valueNode, f) }
            return
        case .item, .names, .other:
            break
        }
        switch t.kind {
        case .local(_, let name):
            throw unboundLocal(name, t.span, f)
        case .attribute:
            throw corruptTree()
        case .global(let cell):
            guard let old = cell.value ?? cell.builtin else {
                throw wrap(PyError(.nameError, "name '\(cell.name)' is not defined"), t.span, f)
            }
            cell.value = try combine(old)
        case .cell(let i, let name):
            guard let old = f.cells[i].value else { throw unboundLocal(name, t.span, f) }
            f.cells[i].value = try combine(old)
        case .className(let name):
            guard let old = f.namespace?[name] ?? globals[name]?.value else {
                throw wrap(PyError(.nameError, "name '\(name)' is not defined"), t.span, f)
            }
            f.namespace?[name] = try combine(old)
        case .item(let o, let k):
            let obj = try eval(o, f)
            let key = try eval(k, f)
            let old: Value
            do { old = try getItem(obj, key) } catch { throw wrap(error, t.span, f) }
            let new = try combine(old)
            do { try setItem(obj, key, new) } catch { throw wrap(error, t.span, f) }
        case .sequence:
            throw wrap(PyError(.syntaxError, "'tuple' is an illegal expression for augmented assignment"), t.span, f)
        }
    }

    /// `object.name op= value` (`augmentedAssign` of an attribute target).
    private func augmentedAttribute(_ o: Unretained<ExprNode>, _ cache: AttributeSiteCache, _ t: Target,
                                    _ op: BinaryOperator, _ valueNode: ExprNode, _ f: Frame) throws {
        // `self.n += 1`, `self.total += x` on a plain attribute: read and written at the
        // position found once, when the right side is a local or a literal and the operation
        // is plain arithmetic (no user code runs in between to move it or rebind `self`).
        if let inst = namedPlainInstance(o, f), inst._withUnsafeGuaranteedRef({ inst in
            guard let i = inst.storePosition(cache), let rhs = plainOperand(valueNode, f) else { return false }
            return combineInPlace(inst, i, op, rhs)
        }) {
            return
        }
        let obj = try eval(o, f)
        let old: Value
        if let found = plainInstanceAttribute(obj, cache) {
            old = found
        } else {
            do { old = try getAttribute(obj, cache.name, cache: cache) } catch { throw wrap(error, t.span, f) }
        }
        let new = try combined(old, op, valueNode, t, f)
        if replacePlainInstanceAttribute(obj, new, cache) { return }
        do { try setAttribute(obj, cache.name, new, cache: cache) } catch { throw wrap(error, t.span, f) }
    }

    /// `inst`'s attribute at dict position `slot` replaced by `itself op rhs` when that is plain
    /// number arithmetic (no user code runs); false, with nothing changed, otherwise.
    @inline(__always)
    private func combineInPlace(_ inst: PyInstance, _ slot: Int, _ op: BinaryOperator, _ rhs: Value) -> Bool {
        guard let v = numericBinary(op, inst.dict.value(at: slot), rhs) else { return false }
        inst.dict.setValue(v, at: slot)
        return true
    }

    /// `old op value` for an augmented assignment to `t`: numbers directly, else the in-place
    /// operator (its errors at `t op= value`).
    private func combined(_ old: Value, _ op: BinaryOperator, _ valueNode: ExprNode, _ t: Target, _ f: Frame) throws -> Value {
        let rhs = try eval(valueNode, f)
        if let v = numericBinary(op, old, rhs) { return v }
        do { return try inPlace(op, old, rhs) } catch { throw wrap(error, t.span.through(valueNode.span), f) }
    }

    func delete(_ t: Target, _ f: Frame) throws {
        switch t.kind {
        case .local(let i, let name):
            if f[local: i] == nil { throw unboundLocal(name, t.span, f) }
            f[local: i] = nil
        case .global(let cell):
            if cell.value == nil { throw wrap(PyError(.nameError, "name '\(cell.name)' is not defined"), t.span, f) }
            cell.value = nil
        case .cell(let i, let name):
            if f.cells[i].value == nil { throw unboundLocal(name, t.span, f) }
            f.cells[i].value = nil
        case .className(let name):
            if f.namespace?.removeValue(forKey: name) == nil {
                throw wrap(PyError(.nameError, "name '\(name)' is not defined"), t.span, f)
            }
        case .attribute(let o, let name):
            let obj = try eval(o, f)
            do { try deleteAttribute(obj, name) } catch { throw wrap(error, t.span, f) }
        case .item(let o, let k):
            let obj = try eval(o, f)
            let key = try eval(k, f)
            do { try deleteItem(obj, key) } catch { throw wrap(error, t.span, f) }
        case .sequence(let targets, _):
            for target in targets { try delete(target, f) }
        }
    }

    // MARK: - try / raise / with

    /// `try` as a sequence of phases (body, else, a handler, finally), so a generator can
    /// suspend in any of them and resume in the same one.
    private func execTry(_ op: Op, _ body: [Op], _ handlers: [Handler], _ other: [Op], _ fin: [Op],
                         _ f: Frame) throws -> Flow {
        var phase = TryPhase.body
        if let point = resumePoint(op) {
            guard case .tryPhase(let saved) = point else { throw corruptGenerator() }
            phase = saved
        }
        while true {
            switch phase {
            case .body:
                do {
                    let flow = try execBlock(body, f)
                    if case .yielded = flow { return suspend(flow, in: phase) }
                    if case .normal = flow { phase = .orElse } else { phase = .finally(.flow(flow)) }
                } catch let e as ScriptError where !handlers.isEmpty {
                    // An error the interpreter raised (not a `raise`) while another exception
                    // was being handled gets that one as its __context__ too.
                    if let current = handling.last, current !== e.exception, e.exception.context.isNone {
                        e.exception.context = .object(current)
                    }
                    do {
                        if let i = try matchingHandler(e.exception, handlers, f) {
                            if let t = handlers[i].target { try store(t, .object(e.exception), f) }
                            phase = .handler(i, e.exception)
                        } else {
                            phase = .finally(.error(e))
                        }
                    } catch {
                        phase = .finally(.error(error))
                    }
                } catch {
                    phase = .finally(.error(error))
                }
            case .orElse:
                do {
                    let flow = try execBlock(other, f)
                    if case .yielded = flow { return suspend(flow, in: phase) }
                    if case .normal = flow { phase = .finally(.nothing) } else { phase = .finally(.flow(flow)) }
                } catch {
                    phase = .finally(.error(error))
                }
            case .handler(let i, let exc):
                let h = handlers[i]
                handling.append(exc)
                do {
                    let flow = try execBlock(h.body, f)
                    handling.removeLast()
                    if case .yielded = flow { return suspend(flow, in: phase) }
                    if let t = h.target { try? delete(t, f) }
                    if case .normal = flow { phase = .finally(.nothing) } else { phase = .finally(.flow(flow)) }
                } catch {
                    handling.removeLast()
                    if let inner = error as? ScriptError, inner.exception !== exc, inner.exception.context.isNone {
                        inner.exception.context = .object(exc)
                    }
                    phase = .finally(.error(error))
                }
            case .finally(let pending):
                let flow = try execBlock(fin, f)
                if case .yielded = flow { return suspend(flow, in: phase) }
                if case .normal = flow {} else { return flow }
                switch pending {
                case .nothing: return .normal
                case .flow(let pendingFlow): return pendingFlow
                case .error(let e): throw e
                }
            }
        }
    }

    private func suspend(_ flow: Flow, in phase: TryPhase) -> Flow {
        resumePoints.append(.tryPhase(phase))
        return flow
    }

    /// The index of the first handler in `handlers` that catches `exc`.
    func matchingHandler(_ exc: PyExceptionObject, _ handlers: [Handler], _ f: Frame) throws -> Int? {
        for (i, h) in handlers.enumerated() {
            guard let typeNode = h.type else { return i }
            let tv = try eval(typeNode, f)
            if let items = sequenceItems(tv) {
                // As CPython: every class of the tuple is checked before any is matched.
                let classes = try items.map { try handlerClass($0, typeNode, f) }
                if classes.contains(where: { exc.cls.isSubclass(of: $0) }) { return i }
            } else if exc.cls.isSubclass(of: try handlerClass(tv, typeNode, f)) {
                return i
            }
        }
        return nil
    }

    /// The class an `except` clause names; a TypeError for what is not an exception class.
    private func handlerClass(_ v: Value, _ typeNode: ExprNode, _ f: Frame) throws -> PyClass {
        guard case .object(let o) = v, let cls = o as? PyClass, cls.isExceptionClass else {
            throw wrap(PyError(.typeError, "catching classes that do not inherit from BaseException is not allowed"), typeNode.span, f)
        }
        return cls
    }

    private func raiseError(_ e: ExprNode?, _ causeNode: ExprNode?, _ span: SourceSpan, _ f: Frame) throws -> Error {
        guard let e else {
            guard let current = handling.last else {
                throw wrap(PyError(.runtimeError, "No active exception to reraise"), span, f)
            }
            return ScriptError(exception: current)
        }
        let v = try eval(e, f)
        let exc: PyExceptionObject
        do { exc = try exceptionInstance(v) } catch { throw wrap(error, e.span, f) }
        if let causeNode {
            let c = try eval(causeNode, f)
            if c.isNone {
                exc.cause = .none
            } else {
                do { exc.cause = .object(try exceptionInstance(c)) } catch { throw wrap(error, causeNode.span, f) }
            }
            exc.suppressContext = true
        }
        if let current = handling.last, current !== exc, exc.context.isNone { exc.context = .object(current) }
        if exc.tracebackInnermostFirst.isEmpty { exc.tracebackInnermostFirst = [f.entry(span)] }
        return ScriptError(exception: exc)
    }

    /// `raise X` accepts an exception instance or class.
    func exceptionInstance(_ v: Value) throws -> PyExceptionObject {
        if case .object(let o) = v {
            if let e = o as? PyExceptionObject { return e }
            if let c = o as? PyClass, c.isExceptionClass {
                let made = try instantiate(c, Arguments())
                if case .object(let mo) = made, let e = mo as? PyExceptionObject { return e }
            }
        }
        throw PyError(.typeError, "exceptions must derive from BaseException")
    }

    /// `with` items `index...` around `body`; `resumable` when the body contains a yield.
    private func execWith(_ items: [(context: ExprNode, target: Target?)], _ index: Int, _ body: [Op],
                          resumable: Bool, _ f: Frame) throws -> Flow {
        guard index < items.count else { return try execBlock(body, f) }
        let item = items[index]
        let exit: Value
        if resumable, let point = resumePoints.popLast() {
            guard case .with(let saved) = point else { throw corruptGenerator() }
            exit = saved
        } else {
            exit = try enterContext(item, f)
        }
        let flow: Flow
        do {
            flow = try execWith(items, index + 1, body, resumable: resumable, f)
        } catch let e as ScriptError {
            if try exitContext(exit, raising: e, item, f) { return .normal }
            throw e
        }
        if case .yielded = flow {
            resumePoints.append(.with(exit: exit))
            return flow
        }
        _ = try exitContext(exit, raising: nil, item, f)
        return flow
    }

    /// `with` entry for one item: evaluates the manager, calls `__enter__`, binds the target;
    /// returns the bound `__exit__`.
    func enterContext(_ item: (context: ExprNode, target: Target?), _ f: Frame) throws -> Value {
        let manager = try eval(item.context, f)
        let enter: Value, exit: Value
        do {
            enter = try getAttribute(manager, "__enter__")
            exit = try getAttribute(manager, "__exit__")
        } catch {
            throw wrap(PyError(.typeError, "'\(manager.typeName)' object does not support the context manager protocol"), item.context.span, f)
        }
        let entered: Value
        do { entered = try callValue(enter, Arguments()) } catch { throw wrap(error, item.context.span, f) }
        if let t = item.target { try store(t, entered, f) }
        return exit
    }

    /// Calls `__exit__` with the exception leaving the block (or three Nones); true when it
    /// asks for the exception to be suppressed.
    func exitContext(_ exit: Value, raising e: ScriptError?, _ item: (context: ExprNode, target: Target?), _ f: Frame) throws -> Bool {
        let args = e.map { Arguments([.object($0.exception.cls), .object($0.exception), .none]) } ?? Arguments([.none, .none, .none])
        let result: Value
        do { result = try callValue(exit, args) } catch { throw wrap(error, item.context.span, f) }
        return e != nil ? try truthy(result) : false
    }
}
