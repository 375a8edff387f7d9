import TensorRuntime
import NeuralNet

// Statement execution.
extension Interpreter {
    func execBlock(_ ops: [Op], _ f: Frame) throws -> Flow {
        for op in ops {
            let flow: Flow
            do { flow = try exec(op, f) } catch let e as ScriptError { throw e } catch {
                throw wrap(error, op.span, f)
            }
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    func exec(_ op: Op, _ f: Frame) throws -> Flow {
        switch op.kind {
        case .expression(let e):
            _ = try eval(e, f)
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
        case .augAssign(let target, let op, let valueNode):
            try augmentedAssign(target, op, valueNode, f)
        case .ifStmt(let c, let body, let other):
            let cv = try eval(c, f)
            let b: Bool
            do { b = try truthy(cv) } catch { throw wrap(error, c.span, f) }
            return try execBlock(b ? body : other, f)
        case .whileStmt(let c, let body, let other):
            while true {
                try checkInterrupt()
                let cv = try eval(c, f)
                let b: Bool
                do { b = try truthy(cv) } catch { throw wrap(error, c.span, f) }
                if !b { break }
                switch try execBlock(body, f) {
                case .breakLoop: return .normal
                case .returned(let v): return .returned(v)
                case .normal, .continueLoop: continue
                }
            }
            return try execBlock(other, f)
        case .forStmt(let target, let iterable, let body, let other):
            let source = try eval(iterable, f)
            var result: Flow = .normal
            var broke = false
            try forEach(source, iterable.span, f) { item in
                try self.store(target, item, f)
                switch try self.execBlock(body, f) {
                case .breakLoop: broke = true; return false
                case .returned(let v): result = .returned(v); broke = true; return false
                case .normal, .continueLoop: return true
                }
            }
            if broke { return result }
            return try execBlock(other, f)
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
        case .returnStmt(let e):
            return .returned(try e.map { try eval($0, f) } ?? .none)
        case .classDef(let code, let bases, let decorators, let target):
            let baseValues = try bases.map { try eval($0, f) }
            let decos = try decorators.map { try eval($0, f) }
            var cls: Value = .object(try makeClass(code, baseValues, op.span, f))
            for d in decos.reversed() { cls = try callValue(d, Arguments([cls])) }
            try store(target, cls, f)
        case .tryStmt(let body, let handlers, let other, let fin):
            return try execTry(body, handlers, other, fin, f)
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
            return try execWith(items, 0, body, f)
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
        case .yieldValue, .yieldFrom:
            // Only generator bodies contain these, and the generator executor runs them.
            throw PyError(.syntaxError, "'yield' outside function")
        case .importStar(let moduleName):
            guard let module = try importModule(moduleName), case .object(let o) = module else {
                throw PyError(.moduleNotFoundError, "No module named '\(moduleName)'")
            }
            for name in o.attributeNames() where !name.hasPrefix("_") {
                if let v = try o.getAttribute(name, self) { globalCell(name).value = v }
            }
        }
        return .normal
    }

    // MARK: - Assignment

    func store(_ t: Target, _ v: Value, _ f: Frame) throws {
        switch t.kind {
        case .local(let i, _): f[local: i] = v
        case .global(let cell): cell.value = v
        case .cell(let i, _): f.cells[i].value = v
        case .className(let name): f.namespace?[name] = v
        case .attribute(let o, let name):
            let obj = try eval(o, f)
            do { try setAttribute(obj, name, v, cache: t.attributeCache) } catch { throw wrap(error, t.span, f) }
        case .item(let o, let k):
            let obj = try eval(o, f)
            let key = try eval(k, f)
            do { try setItem(obj, key, v) } catch { throw wrap(error, t.span, f) }
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

    private func augmentedAssign(_ t: Target, _ op: BinaryOperator, _ valueNode: ExprNode, _ f: Frame) throws {
        func combine(_ old: Value) throws -> Value {
            let rhs = try eval(valueNode, f)
            do { return try inPlace(op, old, rhs) } catch { throw wrap(error, t.span.through(valueNode.span), f) }
        }
        switch t.kind {
        case .local(let i, let name):
            guard let old = f[local: i] else { throw unboundLocal(name, t.span, f) }
            f[local: i] = try combine(old)
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
        case .attribute(let o, let name):
            let obj = try eval(o, f)
            let old: Value
            do { old = try getAttribute(obj, name, cache: t.attributeCache) } catch { throw wrap(error, t.span, f) }
            let new = try combine(old)
            do { try setAttribute(obj, name, new, cache: t.attributeCache) } catch { throw wrap(error, t.span, f) }
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

    private func execTry(_ body: [Op], _ handlers: [Handler], _ other: [Op], _ fin: [Op], _ f: Frame) throws -> Flow {
        var flow: Flow = .normal
        var pending: Error?
        do {
            flow = try execBlock(body, f)
            if case .normal = flow { flow = try execBlock(other, f) }
        } catch let e as ScriptError where !handlers.isEmpty {
            do {
                if let handler = try matchingHandler(e.exception, handlers, f) {
                    handling.append(e.exception)
                    defer { handling.removeLast() }
                    if let t = handler.target { try store(t, .object(e.exception), f) }
                    do {
                        flow = try execBlock(handler.body, f)
                    } catch let inner as ScriptError {
                        if inner.exception !== e.exception, inner.exception.context.isNone {
                            inner.exception.context = .object(e.exception)
                        }
                        throw inner
                    }
                    if let t = handler.target { try? delete(t, f) }
                } else {
                    throw e
                }
            } catch {
                pending = error
            }
        } catch {
            pending = error
        }
        if !fin.isEmpty {
            let finFlow = try execBlock(fin, f)
            if case .normal = finFlow {} else { return finFlow }
        }
        if let p = pending { throw p }
        return flow
    }

    func matchingHandler(_ exc: PyExceptionObject, _ handlers: [Handler], _ f: Frame) throws -> Handler? {
        for h in handlers {
            guard let typeNode = h.type else { return h }
            let tv = try eval(typeNode, f)
            let classes: [Value] = sequenceItems(tv) ?? [tv]
            for c in classes {
                guard case .object(let o) = c, let cls = o as? PyClass, cls.isExceptionClass else {
                    throw wrap(PyError(.typeError, "catching classes that do not inherit from BaseException is not allowed"), typeNode.span, f)
                }
                if exc.cls.isSubclass(of: cls) { return h }
            }
        }
        return nil
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
        if exc.traceback.isEmpty { exc.traceback = [f.entry(span)] }
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

    private func execWith(_ items: [(context: ExprNode, target: Target?)], _ index: Int, _ body: [Op], _ f: Frame) throws -> Flow {
        guard index < items.count else { return try execBlock(body, f) }
        let item = items[index]
        let exit = try enterContext(item, f)
        let flow: Flow
        do {
            flow = try execWith(items, index + 1, body, f)
        } catch let e as ScriptError {
            if try exitContext(exit, raising: e, item, f) { return .normal }
            throw e
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
