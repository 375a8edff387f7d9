import TensorRuntime
import NeuralNet

// Expression evaluation: one `switch` over the executable tree's node kinds.
extension Interpreter {
    /// `eval` of a child node held unretained (`ExprNode.Fast`).
    @inline(__always)
    func eval(_ n: Unretained<ExprNode>, _ f: Frame) throws -> Value {
        try n._withUnsafeGuaranteedRef { try eval($0, f) }
    }

    /// The truth of condition `n` (an `if`, `while` or `elif` test): a comparison of two ints
    /// or two floats is answered as a `Bool` (CPython's `COMPARE_OP` + `POP_JUMP_IF_FALSE`),
    /// without making a `bool` value and asking `truthy`; anything else is evaluated and tested.
    @inline(__always)
    func condition(_ n: Unretained<ExprNode>, _ f: Frame) throws -> Bool {
        try n._withUnsafeGuaranteedRef { node in
            if case .compare(let a, let op, let b) = node.fast {
                let l = try eval(a, f)
                let r = try eval(b, f)
                if case .int(let x) = l, case .int(let y) = r, let t = Interpreter.numericTruth(op, x, y) { return t }
                if case .float(let x) = l, case .float(let y) = r, let t = Interpreter.numericTruth(op, x, y) { return t }
                if case .str(let x) = l, case .str(let y) = r, let t = Interpreter.stringEquality(op, x, y) { return t }
                let v: Value
                do { v = try compare(op, l, r) } catch { throw wrap(error, node.span, f) }
                do { return try truthy(v) } catch { throw wrap(error, node.span, f) }
            }
            let v = try eval(node, f)
            // `if x % 3:`, `while n:`, `if flag:`: an int or bool is its own truth.
            if case .int(let i) = v { return i != 0 }
            if case .bool(let b) = v { return b }
            do { return try truthy(v) } catch { throw wrap(error, node.span, f) }
        }
    }

    /// `x op y` for an ordering or equality operator; nil for `is`, `in` and their negations.
    @inline(__always)
    static func numericTruth<T: Comparable>(_ op: ComparisonOperator, _ x: T, _ y: T) -> Bool? {
        switch op {
        case .lt: return x < y
        case .le: return x <= y
        case .gt: return x > y
        case .ge: return x >= y
        case .eq: return x == y
        case .ne: return x != y
        default: return nil
        }
    }

    /// `x == y` / `x != y` for two strs (code points compared, as Python does); nil for the
    /// other operators.
    @inline(__always)
    static func stringEquality(_ op: ComparisonOperator, _ x: String, _ y: String) -> Bool? {
        switch op {
        case .eq: return codePointsEqual(x, y)
        case .ne: return !codePointsEqual(x, y)
        default: return nil
        }
    }

    /// The value of operand `o` in frame `f`: locals and literals without a call.
    @inline(__always)
    func eval(_ o: ExprNode.Operand, _ f: Frame) throws -> Value {
        switch o {
        case .local(let i, let n):
            if let v = f.localValue(i) { return v }
            return try eval(n, f)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .node(let n): return try eval(n, f)
        }
    }

    /// `v[start:stop]` for a list, tuple or str with int or None bounds (what the slice object
    /// would say); nil otherwise, for `getItem` with a real slice.
    @inline(__always)
    static func plainSlice(_ v: Value, _ start: Value, _ stop: Value) -> Value? {
        guard let a = plainSliceBound(start), let b = plainSliceBound(stop) else { return nil }
        switch v {
        case .object(let o):
            guard let (items, isTuple) = exactSequence(o) else { return nil }
            let run = pySliceItems(items, (a, b, nil))
            return isTuple ? .object(PyTuple(run)) : .object(PyList(run))
        case .str(let s): return .str(s.codePointSlice((a, b, nil)))
        default: return nil
        }
    }

    /// The items of exactly a list or a tuple (not a subclass), and which of the two it is.
    @inline(__always)
    static func exactSequence(_ o: PyObject) -> (items: [Value], isTuple: Bool)? {
        if type(of: o) == PyList.self { return (unsafeDowncast(o, to: PyList.self).items, false) }
        if type(of: o) == PyTuple.self { return (unsafeDowncast(o, to: PyTuple.self).items, true) }
        return nil
    }

    /// A slice bound that needs no `__index__` call: an int (`.some(i)`) or None (`.some(nil)`).
    @inline(__always)
    static func plainSliceBound(_ b: Value) -> Int?? {
        switch b {
        case .int(let i): return .some(i)
        case .none: return .some(nil)
        default: return nil
        }
    }

    /// `v[start:stop]` (no step) as the `.itemSlice` expression at `span` evaluates it.
    @inline(__always)
    func sliced(_ v: Value, _ start: Value, _ stop: Value, _ span: SourceSpan, _ f: Frame) throws -> Value {
        if let items = Interpreter.plainSlice(v, start, stop) { return items }
        do { return try getItem(v, .object(PySlice(start, stop, .none))) } catch { throw wrap(error, span, f) }
    }

    /// The value of `n` in frame `f`. The kinds loops and calls evaluate go through `n.fast`,
    /// whose children are unretained; the rest through `n.kind`.
    func eval(_ n: ExprNode, _ f: Frame) throws -> Value {
        switch n.fast {
        case .int(let i):
            return .int(i)
        case .float(let d):
            return .float(d)
        case .local(let i):
            if let v = f.localValue(i) { return v }
        case .global(let cell):
            if let v = cell._withUnsafeGuaranteedRef({ $0.value ?? $0.builtin }) { return v }
        case .binary(let op, let a, let b):
            let l = try eval(a, f)
            let r = try eval(b, f)
            // Two ints or two floats: answered inside the match, where the compiler knows the
            // operands hold no reference, so they are not destroyed through `Value`'s outlined
            // switch (two calls per operation otherwise).
            if case .int(let x) = l, case .int(let y) = r {
                if let v = Interpreter.intArithmetic(op, x, y) { return .int(v) }
            } else if case .float(let x) = l, case .float(let y) = r {
                if let v = Interpreter.floatArithmetic(op, x, y) { return .float(v) }
            } else if let v = numericBinary(op, l, r) {
                return v
            } else if op == .add, case .str(let x) = l, case .str(let y) = r, x.utf8.count &+ y.utf8.count < 65536 {
                // `"w" + s`: short strings joined without `binary`'s dispatch (a long result goes
                // through it for the memory limit's check).
                return .str(x + y)
            }
            do { return try binary(op, l, r) } catch { throw wrap(error, n.span, f) }
        case .compare(let a, let op, let b):
            let l = try eval(a, f)
            let r = try eval(b, f)
            if case .int(let x) = l, case .int(let y) = r {
                if let v = numericOrder(op, x, y) { return v }
            } else if case .float(let x) = l, case .float(let y) = r {
                if let v = numericOrder(op, x, y) { return v }
            } else if case .str(let x) = l, case .str(let y) = r, let equal = Interpreter.stringEquality(op, x, y) {
                return .bool(equal)
            }
            do { return try compare(op, l, r) } catch { throw wrap(error, n.span, f) }
        case .attribute(let o, let siteCache):
            if let inst = namedPlainInstance(o, f), let v = Interpreter.cachedAttribute(inst, siteCache) { return v }
            return try siteCache._withUnsafeGuaranteedRef { cache in
                if let inst = namedPlainInstance(o, f), let found = inst._withUnsafeGuaranteedRef({ $0.plainAttribute(cache) }) {
                    return found
                }
                return try attributeValue(try eval(o, f), cache, n.span, f)
            }
        case .item(let o, let k):
            let v = try eval(o, f)
            let key = try eval(k, f)
            do { return try getItem(v, key) } catch { throw wrap(error, n.span, f) }
        case .itemSlice(let o, let lower, let upper):
            let v = try eval(o, f)
            let start = try lower.map { try eval($0, f) } ?? .none
            let stop = try upper.map { try eval($0, f) } ?? .none
            return try sliced(v, start, stop, n.span, f)
        case .unary(let op, let x):
            let v = try eval(x, f)
            do { return try unary(op, v) } catch { throw wrap(error, n.span, f) }
        case .logical(let op, let a, let b):
            let l = try eval(a, f)
            let t: Bool
            do { t = try truthy(l) } catch { throw wrap(error, a._withUnsafeGuaranteedRef { $0.span }, f) }
            switch op {
            case .and: return t ? try eval(b, f) : l
            case .or: return t ? l : try eval(b, f)
            }
        case .ifExp(let c, let t, let o):
            let cv = try eval(c, f)
            let b: Bool
            do { b = try truthy(cv) } catch { throw wrap(error, c._withUnsafeGuaranteedRef { $0.span }, f) }
            return try eval(b ? t : o, f)
        case .methodCall(let callee, let siteCache, let viaSuper):
            return try callee._withUnsafeGuaranteedRef { attribute in try siteCache._withUnsafeGuaranteedRef { cache in
                guard case .attribute(let objNode, _) = attribute.fast else { throw corruptTree() }
                if viaSuper, let superCall = objNode.node, let (method, receiver) = superMethod(cache.name, superCall, f) {
                    return try callScriptMethod(method, receiver, n.operands, n.span, f)
                }
                // `self.m(x)` on a local: the instance goes into the new frame with one retain.
                if let inst = namedPlainInstance(objNode, f),
                   let v = try inst._withUnsafeGuaranteedRef({ try callPlainInstanceMethod($0, cache, n, f) }) {
                    return v
                }
                let receiver = try eval(objNode, f)
                if case .object(let o) = receiver {
                    // `xs.append(x)`, `d.get(k, 0)`, `s.add(x)`: the native method straight away.
                    if let shortcut = cache.shortcut, let v = try callShortcut(shortcut, o, n.operands, n.span, f) {
                        return v
                    }
                    if type(of: o) == PyInstance.self,
                       let v = try callPlainInstanceMethod(unsafeDowncast(o, to: PyInstance.self), cache, n, f) {
                        return v
                    }
                    if type(of: o) == Namespace.self,
                       case .object(let fn)? = unsafeDowncast(o, to: Namespace.self).member(cache.name, cache: cache),
                       let v = try callDirect(fn, n.operands, n.span, f) {
                        // `math.sqrt(x)`, `torch.zeros(n)`: the module's member from the site's cache.
                        return v
                    }
                }
                return try callMethod(receiver, cache.name, n.operands, attribute, n.span, f)
            } }
        case .call(let callee):
            if let v = try callGlobalFunction(callee, n, f) { return v }
            let fn = try eval(callee, f)
            if case .object(let o) = fn {
                if type(of: o) == PyFunction.self,
                   let v = try callExact(unsafeDowncast(o, to: PyFunction.self), receiver: nil, n.operands, n.span, f) {
                    return v
                }
                if type(of: o) == PyClass.self,
                   let made = try instantiate(unsafeDowncast(o, to: PyClass.self), n.operands, f, n.span) {
                    return made
                }
                if let v = try callDirect(o, n.operands, n.span, f) { return v }
            }
            var args: [Value] = []
            args.reserveCapacity(n.operands.count)
            try n.operands.forEachUnretained { args.append(try eval($0, f)) }
            do { return try callValue(fn, Arguments(args)) } catch { throw wrap(error, n.span, f) }
        case .other:
            break
        }
        return try evalOther(n, f)
    }

    /// `v.name` when `v` is a plain script instance whose own dict holds the name and whose
    /// class has no attribute of that name (`PyInstance.plainAttribute`, from the site's cache);
    /// nil otherwise (the general lookup decides).
    @inline(__always)
    func plainInstanceAttribute(_ v: Value, _ cache: AttributeSiteCache) -> Value? {
        guard case .object(let o) = v, type(of: o) == PyInstance.self else { return nil }
        return unsafeDowncast(o, to: PyInstance.self).plainAttribute(cache)
    }

    /// Where `inst`'s dict holds the site's name, answered from the site's latest lookup alone:
    /// the dict has the shape the site saw and the class, unchanged since, lacks the name
    /// (CPython's `LOAD_ATTR_INSTANCE_VALUE` / `STORE_ATTR_INSTANCE_VALUE`); nil otherwise, with
    /// nothing looked up (then `plainAttribute` / `replacePlainAttribute` decide). Written out
    /// here, small enough to inline, where the closures of the general paths are not.
    @inline(__always)
    static func cachedPosition(_ i: PyInstance, _ c: AttributeSiteCache) -> Int? {
        guard i.dict.shape === c.shape, c.classLacksName, c.cls === i.cls, c.version == i.cls.lookupVersion,
              !c.isDunder else { return nil }
        return c.slot
    }

    /// `inst.name` by `cachedPosition`.
    @inline(__always)
    static func cachedAttribute(_ inst: Unmanaged<PyInstance>, _ site: Unretained<AttributeSiteCache>) -> Value? {
        inst._withUnsafeGuaranteedRef { i in
            site._withUnsafeGuaranteedRef { c in
                guard let slot = cachedPosition(i, c) else { return nil }
                return i.dict.value(at: slot)
            }
        }
    }

    /// `inst.name = v` by `cachedPosition` when the class defines no `__setattr__`; false, with
    /// nothing stored, otherwise.
    @inline(__always)
    static func cachedStore(_ inst: Unmanaged<PyInstance>, _ site: Unretained<AttributeSiteCache>, _ v: Value) -> Bool {
        inst._withUnsafeGuaranteedRef { i in
            site._withUnsafeGuaranteedRef { c in
                if let slot = cachedPosition(i, c) {
                    guard !i.cls.definesSetattr else { return false }
                    i.dict.setValue(v, at: slot)
                    return true
                }
                return cachedAppend(i, c, v)
            }
        }
    }

    /// `self.x = v` in an `__init__` (the instance lacks the name): when the instance's dict has
    /// the shape this site grew last time and the site's class lookup for this class is current
    /// (no class attribute of that name, so no property intercepts it), the value is appended
    /// and the dict takes the site's remembered next shape. False, with nothing stored,
    /// otherwise (or when the class has `__setattr__`, or the site has not yet stored into an
    /// instance of this class, whose `__slots__` may not admit the name: the general store decides).
    @inline(__always)
    private static func cachedAppend(_ i: PyInstance, _ c: AttributeSiteCache, _ v: Value) -> Bool {
        guard let from = c.grownFrom, from === i.dict.shape, let to = c.grownTo, c.classLacksName,
              c.cls === i.cls, c.version == i.cls.lookupVersion, !c.isDunder,
              c.admittedBy === i.cls, !i.cls.definesSetattr else { return false }
        i.dict.append(v, growingTo: to)
        return true
    }

    /// `v.name` for the attribute site `cache` (its errors at `span`).
    @inline(__always)
    func attributeValue(_ v: Value, _ cache: AttributeSiteCache, _ span: SourceSpan, _ f: Frame) throws -> Value {
        if let found = plainInstanceAttribute(v, cache) { return found }
        do { return try getAttribute(v, cache.name, cache: cache) } catch { throw wrap(error, span, f) }
    }

    /// The plain script instance the name `o` reads (`self` in `self.x`, a module-level `obj`
    /// in `obj.m()`), unretained; nil when `o` is not a local or global name or it holds
    /// anything else. For an attribute read or write, or a method call's receiver stored in
    /// the new frame, done before anything runs that could rebind the name: one retain and
    /// release pair less per use.
    @inline(__always)
    func namedPlainInstance(_ o: Unretained<ExprNode>, _ f: Frame) -> Unmanaged<PyInstance>? {
        switch o._withUnsafeGuaranteedRef({ $0.fast }) {
        case .local(let i): return plainInstance(local: i, f)
        case .global(let cell): return plainInstance(cell)
        default: return nil
        }
    }

    /// `namedPlainInstance` for an operand.
    @inline(__always)
    func namedPlainInstance(_ o: ExprNode.Operand, _ f: Frame) -> Unmanaged<PyInstance>? {
        switch o {
        case .local(let i, _): return plainInstance(local: i, f)
        case .node(let n): return namedPlainInstance(n, f)
        case .int, .float: return nil
        }
    }

    @inline(__always)
    private func plainInstance(_ cell: Unretained<GlobalCell>) -> Unmanaged<PyInstance>? {
        cell._withUnsafeGuaranteedRef { c in
            guard case .object(let obj)? = c.value, type(of: obj) == PyInstance.self else { return nil }
            return Unmanaged.passUnretained(unsafeDowncast(obj, to: PyInstance.self))
        }
    }

    @inline(__always)
    private func plainInstance(local i: Int, _ f: Frame) -> Unmanaged<PyInstance>? {
        f.withUnsafeMutablePointerToElements { locals in
            guard case .object(let obj)? = locals[i], type(of: obj) == PyInstance.self else { return nil }
            return Unmanaged.passUnretained(unsafeDowncast(obj, to: PyInstance.self))
        }
    }

    /// `v.name = value` when `v` is a plain script instance that already has the attribute and
    /// whose class has none of that name (`PyInstance.replacePlainAttribute`); false otherwise.
    @inline(__always)
    func replacePlainInstanceAttribute(_ v: Value, _ value: Value, _ cache: AttributeSiteCache) -> Bool {
        guard case .object(let o) = v, type(of: o) == PyInstance.self else { return false }
        return unsafeDowncast(o, to: PyInstance.self).replacePlainAttribute(value, cache)
    }

    /// `l op r` for the int and float cases that cannot fail (CPython's `BINARY_OP_ADD_INT`,
    /// `BINARY_OP_MULTIPLY_FLOAT` …): `+ - *` of ints without overflow, `%` and `//` by a
    /// positive int, `+ - * /` of floats or an int and a float (a float divisor not zero);
    /// inline, without `binary`'s general dispatch. nil for everything else, which `binary`
    /// (or `inPlace`) handles with the same results and Python's errors.
    @inline(__always)
    func numericBinary(_ op: BinaryOperator, _ l: Value, _ r: Value) -> Value? {
        if case .int(let x) = l, case .int(let y) = r { return Interpreter.intArithmetic(op, x, y).map { .int($0) } }
        let a: Double, b: Double
        if case .float(let x) = l { a = x } else if case .int(let x) = l { a = Double(x) } else { return nil }
        if case .float(let y) = r { b = y } else if case .int(let y) = r { b = Double(y) } else { return nil }
        return Interpreter.floatArithmetic(op, a, b).map { .float($0) }
    }

    /// `x op y` for two ints when it cannot fail (`numericBinary`); nil otherwise.
    @inline(__always)
    static func intArithmetic(_ op: BinaryOperator, _ x: Int, _ y: Int) -> Int? {
        let result: (partialValue: Int, overflow: Bool)
        switch op {
        case .add: result = x.addingReportingOverflow(y)
        case .sub: result = x.subtractingReportingOverflow(y)
        case .mul: result = x.multipliedReportingOverflow(by: y)
        case .mod where y > 0:
            let m = x % y
            return m < 0 ? m + y : m
        case .floorDiv where y > 0:
            return x % y < 0 ? x / y - 1 : x / y
        default: return nil
        }
        return result.overflow ? nil : result.partialValue
    }

    /// `a op b` for two floats when it cannot fail (`numericBinary`); nil otherwise.
    @inline(__always)
    static func floatArithmetic(_ op: BinaryOperator, _ a: Double, _ b: Double) -> Double? {
        switch op {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return b != 0 ? a / b : nil
        default: return nil
        }
    }

    /// `x op y` for two ints or two floats and an ordering or equality operator (CPython's
    /// `COMPARE_OP_INT`/`COMPARE_OP_FLOAT`); nil for `is`, `in` and their negations.
    @inline(__always)
    private func numericOrder<T: Comparable>(_ op: ComparisonOperator, _ x: T, _ y: T) -> Value? {
        Interpreter.numericTruth(op, x, y).map { .bool($0) }
    }

    /// An executable tree whose borrowed view disagrees with its kinds (a bug, not user input).
    func corruptTree() -> Error {
        PyError(.runtimeError, "internal error: inconsistent executable tree")
    }

    /// `eval` of the kinds `ExprNode.fast` leaves to `kind`, and the error paths of the others.
    private func evalOther(_ n: ExprNode, _ f: Frame) throws -> Value {
        switch n.kind {
        case .constant(let v):
            return v
        case .local(_, let name):
            throw unboundLocal(name, n.span, f)
        case .global(let cell):
            var e = PyError(.nameError, "name '\(cell.name)' is not defined")
            e.suggestion = { [unowned self] in self.nameSuggestion(cell.name) }
            throw error(e, n.span, f)
        case .cell(let i, let name):
            if let v = f.cells[i].value { return v }
            throw error(PyError(.nameError, "cannot access free variable '\(name)' where it is not associated with a value in enclosing scope"), n.span, f)
        case .className(let name, let fallback):
            if let v = f.namespace?[name] { return v }
            return try eval(fallback, f)
        case .call(let callee, let argList):
            let fn: Value
            if let site = n.keywordSite, case .attribute(let objNode, let siteCache) = callee.fast {
                let receiver = try eval(objNode, f)
                if let v = try siteCache._withUnsafeGuaranteedRef({ try callMethodWithKeywords(receiver, $0, site, n.span, f) }) {
                    return v
                }
                fn = try siteCache._withUnsafeGuaranteedRef { try attributeValue(receiver, $0, callee.span, f) }
            } else {
                fn = try eval(callee, f)
            }
            if let site = n.keywordSite, case .object(let o) = fn, type(of: o) == PyFunction.self,
               let v = try callWithKeywords(unsafeDowncast(o, to: PyFunction.self), receiver: nil, site, n.span, f) {
                return v
            }
            let args = try evalArguments(argList, f)
            do { return try callValue(fn, args) } catch { throw wrap(error, n.span, f) }
        case .compareChain(let first, let ops, let rest):
            var l = try eval(first, f)
            var result: Value = .bool(true)
            for (op, node) in zip(ops, rest) {
                let r = try eval(node, f)
                do { result = try compare(op, l, r) } catch { throw wrap(error, n.span, f) }
                do { if !(try truthy(result)) { return result } } catch { throw wrap(error, n.span, f) }
                l = r
            }
            return result
        case .tuple(let items):
            return .object(PyTuple(try evalElements(items, f)))
        case .list(let items):
            return .object(PyList(try evalElements(items, f)))
        case .listConcatenation(let display, let other, let displayFirst):
            return try listConcatenation(display, other, displayFirst: displayFirst, n, f)
        case .sliceConcatenation(let a, let b):
            return try sliceConcatenation(a, b, n, f)
        case .set(let items):
            let values = try evalElements(items, f)
            do { return .object(try PySet(values)) } catch { throw wrap(error, n.span, f) }
        case .assignExpr(let target, let value):
            let v = try eval(value, f)
            try store(target, v, f)
            return v
        case .matchPattern(let pattern, let subject):
            let v = try eval(subject, f)
            do { return .bool(try matchPattern(pattern, v, f)) } catch { throw wrap(error, n.span, f) }
        case .constantSet(let folded):
            do { return .object(try PySet(copying: folded, frozen: false)) } catch { throw wrap(error, n.span, f) }
        case .dict(let items):
            let d = PyDict()
            for item in items {
                let v = try eval(item.value, f)
                do {
                    if let kn = item.key {
                        try d.set(try eval(kn, f), v)
                    } else {
                        try d.update(from: Arguments([v]), self, function: "dict")
                    }
                } catch { throw wrap(error, n.span, f) }
            }
            return .object(d)
        case .starred:
            throw error(PyError(.syntaxError, "can't use starred expression here"), n.span, f)
        case .slice(let a, let b, let c):
            return .object(PySlice(try a.map { try eval($0, f) } ?? .none, try b.map { try eval($0, f) } ?? .none,
                                   try c.map { try eval($0, f) } ?? .none))
        case .fstring(let parts):
            return .str(try fstring(parts, f))
        case .lambda(let code):
            return .object(try makeFunction(code, f))
        case .comprehension(let c):
            return try comprehension(c, f)
        case .binary, .compare, .attribute, .item, .unary, .logical, .ifExp, .callPositional:
            throw corruptTree()
        }
    }

    /// Elements of a display, expanding `*iterable`.
    func evalElements(_ items: [ExprNode], _ f: Frame) throws -> [Value] {
        var out: [Value] = []
        out.reserveCapacity(items.count)
        for item in items {
            if case .starred(let inner) = item.kind {
                let v = try eval(inner, f)
                do { out.append(contentsOf: try iterate(v)) } catch { throw wrap(error, item.span, f) }
            } else {
                out.append(try eval(item, f))
            }
        }
        return out
    }

    func evalArguments(_ list: [Arg], _ f: Frame) throws -> Arguments {
        var args = Arguments()
        for a in list {
            switch a {
            case .positional(let n): args.positional.append(try eval(n, f))
            case .keyword(let name, let n): args.keywords.append((name, try eval(n, f)))
            case .unpack(let n):
                let v = try eval(n, f)
                do { args.positional.append(contentsOf: try iterate(v)) } catch {
                    if error is ScriptError { throw error }
                    throw self.error(PyError(.typeError, "Value after * must be an iterable, not \(v.typeName)"), n.span, f)
                }
            case .unpackDict(let n):
                let v = try eval(n, f)
                guard let items = try mappingProtocolItems(v) else {
                    throw error(PyError(.typeError, "argument after ** must be a mapping, not \(v.typeName)"), n.span, f)
                }
                for (k, value) in items {
                    guard case .str(let key) = k else {
                        throw error(PyError(.typeError, "keywords must be strings"), n.span, f)
                    }
                    if args.keywords.contains(where: { $0.name == key }) {
                        throw error(PyError(.typeError, "got multiple values for keyword argument '\(key)'"), n.span, f)
                    }
                    args.keywords.append((key, value))
                }
            }
        }
        return args
    }

    /// The values of `argNodes`, evaluated in order in `f`, as positional arguments.
    private func positionalArguments(_ argNodes: [ExprNode], _ f: Frame) throws -> Arguments {
        if argNodes.isEmpty { return Arguments([]) }
        var values: [Value] = []
        values.reserveCapacity(argNodes.count)
        try argNodes.forEachUnretained { values.append(try eval($0, f)) }
        return Arguments(values)
    }

    /// `receiver.name(args)` without allocating a bound method: for a script class's function
    /// the arguments go straight into the callee's frame when they can (`exactFrame`), else
    /// the call gets the receiver first; `attribute` is the `receiver.name` node (its span and
    /// lookup cache). As in CPython, the method is looked up before the arguments are evaluated.
    func callMethod(_ receiver: Value, _ name: String, _ argNodes: [ExprNode], _ attribute: ExprNode,
                    _ callSpan: SourceSpan, _ f: Frame) throws -> Value {
        let cache = attribute.attributeCache
        if let shortcut = cache?.shortcut, case .object(let o) = receiver,
           let v = try callShortcut(shortcut, o, argNodes, callSpan, f) {
            return v
        }
        if case .str(let s) = receiver, let method = stringMethod(name, cache) {
            // `s.split()`, `",".join(xs)`: straight to the method (built-in types' methods
            // cannot be replaced), no class lookup, bound method object or argument array.
            let count = argNodes.count
            if count <= 3 {
                let v0 = try argNodes.unretained(0).map { try eval($0, f) }
                let v1 = try argNodes.unretained(1).map { try eval($0, f) }
                let v2 = try argNodes.unretained(2).map { try eval($0, f) }
                do { return try method.call(s, name, count: count, v0, v1, v2, self) } catch { throw wrap(error, callSpan, f) }
            }
            let args = try positionalArguments(argNodes, f)
            do { return try method(s, name, args, self) } catch { throw wrap(error, callSpan, f) }
        }
        var found: PyFunction?
        var shadowed = false
        if case .object(let o) = receiver, type(of: o) == PyInstance.self, let cache {
            // A plain script instance (the common case): exact type test, the function cached per site.
            let inst = unsafeDowncast(o, to: PyInstance.self)
            found = inst.cls.lookupFunction(name, cache: cache)
            shadowed = found != nil && inst.ownPosition(cache) != nil
        } else if case .object(let o) = receiver, type(of: o) == Namespace.self, let cache {
            // `math.sqrt(x)`: the member from the site's cache, called directly when it can be.
            if case .object(let fn)? = unsafeDowncast(o, to: Namespace.self).member(name, cache: cache),
               let v = try callDirect(fn, argNodes, callSpan, f) {
                return v
            }
        } else if let cls = classOf(receiver), let fn = cls.lookup(name, cache: cache), case .object(let o) = fn {
            found = o as? PyFunction
            if case .object(let io) = receiver, let inst = io as? PyInstance { shadowed = inst.dict.contains(name) }
            if case .module(let m) = receiver, let sm = m as? ScriptModule {
                shadowed = sm.dict.contains(name) || sm.lookupAttribute(name) != nil
            }
        }
        if let pf = found, !shadowed {
            return try callScriptMethod(pf, receiver, argNodes, callSpan, f)
        }
        let args = try positionalArguments(argNodes, f)
        if case .object(let o) = receiver {
            // Native methods of built-in objects (`d.get(k)`, `xs.append(x)`): no bound method.
            let result: Value?
            do { result = try o.callMethod(name, args, self) } catch { throw wrap(error, callSpan, f) }
            if let result { return result }
        }
        let fn: Value
        do { fn = try getAttribute(receiver, name, cache: cache) } catch { throw wrap(error, attribute.span, f) }
        do { return try callValue(fn, args) } catch { throw wrap(error, callSpan, f) }
    }

    /// `f(args)` where `f` is a module-level name bound to a script function taking exactly these
    /// positional arguments (CPython's `LOAD_GLOBAL_MODULE` + `CALL_PY_EXACT_ARGS`): the function
    /// is read from its cell without a retain — nothing runs before the new frame holds it (a
    /// rebinding of the name while the arguments are evaluated then leaves the call intact, as in
    /// CPython). nil, with nothing evaluated, otherwise.
    @inline(__always)
    private func callGlobalFunction(_ callee: Unretained<ExprNode>, _ n: ExprNode, _ f: Frame) throws -> Value? {
        guard case .global(let cell) = callee._withUnsafeGuaranteedRef({ $0.fast }),
              let target: Unmanaged<PyObject> = cell._withUnsafeGuaranteedRef({ c in
                  if case .object(let o)? = c.value { return Unmanaged.passUnretained(o) }
                  if c.value == nil, case .object(let o)? = c.builtin { return Unmanaged.passUnretained(o) }
                  return nil
              }) else { return nil }
        return try target._withUnsafeGuaranteedRef { o in
            if type(of: o) == PyFunction.self {
                return try callExact(unsafeDowncast(o, to: PyFunction.self), receiver: nil, n.operands, n.span, f)
            }
            // A class or a builtin (`len`, `str`, `math.sqrt` imported by name): held while its
            // arguments run, which could rebind the global.
            return try withExtendedLifetime(target.takeUnretainedValue()) {
                if type(of: $0) == PyClass.self { return try instantiate(unsafeDowncast($0, to: PyClass.self), n.operands, f, n.span) }
                return try callDirect($0, n.operands, n.span, f)
            }
        }
    }

    /// `receiver.name(args)` for the most common method call: a plain script instance, a
    /// script function found in its class (the site's cache), no instance attribute shadowing
    /// it, and exactly as many positional arguments as the function's plain parameters (CPython's
    /// `LOAD_ATTR_METHOD_WITH_VALUES` + `CALL_PY_EXACT_ARGS`). The function is read from the
    /// cache without a retain: nothing runs between the lookup and the new frame, which holds
    /// it. nil, with nothing evaluated, otherwise (`callMethod` decides).
    @inline(__always)
    private func callPlainInstanceMethod(_ inst: PyInstance, _ cache: AttributeSiteCache, _ n: ExprNode,
                                         _ f: Frame) throws -> Value? {
        guard let method = inst.cls.unretainedFunction(cache.name, cache: cache), inst.ownPosition(cache) == nil
        else { return nil }
        // The receiver is stored in the frame (retained) before any argument runs.
        return try method._withUnsafeGuaranteedRef { try callExact($0, receiver: .object(inst), n.operands, n.span, f) }
    }

    /// The script function `method` called with `receiver` first and the values of `argNodes`
    /// (in `f`) after it, without a bound method object.
    private func callScriptMethod(_ method: PyFunction, _ receiver: Value, _ argNodes: [ExprNode],
                                  _ callSpan: SourceSpan, _ f: Frame) throws -> Value {
        if let v = try callExact(method, receiver: receiver, argNodes, callSpan, f) { return v }
        var args: [Value] = [receiver]
        args.reserveCapacity(argNodes.count + 1)
        try argNodes.forEachUnretained { args.append(try eval($0, f)) }
        do { return try callFunction(method, Arguments(args)) } catch { throw wrap(error, callSpan, f) }
    }

    /// What `super().name` finds, without making the `super` object (CPython 3.12's
    /// `LOAD_SUPER_ATTR`), when that is a script function: the function and the receiver to
    /// call it with. Only for the plain case: `super` still the builtin (the global unbound), the
    /// running function defined in a class body with its first parameter a local holding a plain
    /// script instance of that class, and `name` found in a script class's dict after the
    /// defining class in the instance's MRO. nil otherwise (nothing evaluated): the general path
    /// makes the `super` object and raises what it raises.
    private func superMethod(_ name: String, _ superCall: Unretained<ExprNode>, _ f: Frame) -> (PyFunction, Value)? {
        guard case .call(let callee) = superCall._withUnsafeGuaranteedRef({ $0.fast }),
              case .global(let cell) = callee._withUnsafeGuaranteedRef({ $0.fast }),
              cell._withUnsafeGuaranteedRef({ $0.value == nil }),
              let fn = f.function, let cls = fn.definingClass, let first = fn.code.positional.first,
              case .local(let slot, _) = first.slot.kind, let receiver = f[local: slot],
              case .object(let o) = receiver, type(of: o) == PyInstance.self else { return nil }
        let start = unsafeDowncast(o, to: PyInstance.self).cls
        var after = start === cls
        for t in start.ancestors {
            if !after {
                after = t === cls
                continue
            }
            guard let k = t as? PyClass else { return nil }
            if let v = k.dict[name] {
                guard case .object(let m) = v, type(of: m) == PyFunction.self else { return nil }
                return (unsafeDowncast(m, to: PyFunction.self), receiver)
            }
        }
        return nil
    }

    /// A comprehension's value: a generator for a generator expression, else the list, set or
    /// dict its statements collect (in a slot of `f` while they run).
    private func comprehension(_ c: ComprehensionCode, _ f: Frame) throws -> Value {
        guard let slot = c.resultSlot else { return try makeGeneratorExpression(c, f) }
        let result: PyObject
        switch c.result {
        case .list: result = PyList([])
        case .set: result = try PySet()
        case .dict, .generator: result = PyDict()
        }
        f[local: slot] = .object(result)
        defer { f[local: slot] = nil }
        _ = try execBlock(c.body, f)
        return .object(result)
    }

    /// `iter(value)`.
    func makeIterator(_ value: Value) throws -> PyIterator {
        switch value {
        case .object(let o):
            if let it = o as? PyIterator { return it }
            if let l = o as? PyList { return ListIterator(l) }
            if let r = o as? PyRange { return RangeIterator(r) }
            if let t = o as? PyTuple { return ArrayIterator(t.items, kind: "tuple_iterator") }
            if let d = o as? PyDict { return DictIterator(d, .keys) }
            if let v = o as? PyDictView { return DictIterator(v.dict, v.kind) }
            if let s = o as? PySet { return SetIterator(s) }
            if let inst = o as? PyInstance, !(inst is PyExceptionObject), let iterFn = inst.cls.lookup("__iter__") {
                let it = try callValue(iterFn, Arguments([value]))
                if case .object(let io) = it, let pi = io as? PyIterator { return pi }
                guard let next = try? getAttribute(it, "__next__") else {
                    throw PyError(.typeError, "iter() returned non-iterator of type '\(it.typeName)'")
                }
                return ProtocolIterator(nextMethod: next)
            }
            if let produce = try o.lazyIterator(self) { return LazyIterator(kind: "\(o.typeName)_iterator", produce) }
            if let items = try o.iterate(self) { return ArrayIterator(items, kind: "\(o.typeName)_iterator") }
        case .str(let s):
            return ArrayIterator(s.codePointStrings.map { .str($0) }, kind: s.isKnownASCII ? "str_ascii_iterator" : "str_iterator")
        case .tensor(let t):
            return ArrayIterator(try host.tensorIterate(t), kind: "iterator")
        case .module(let m):
            if let sm = m as? ScriptModule, let iterFn = sm.cls.lookup("__iter__") {
                return ArrayIterator(try iterate(try callValue(iterFn, Arguments([value]))), kind: "iterator")
            }
            return ArrayIterator(try host.moduleIterate(m), kind: "iterator")
        default: break
        }
        throw PyError(.typeError, "'\(value.typeName)' object is not iterable")
    }

    public func iterator(_ v: Value) throws -> () throws -> Value? {
        let it = try makeIterator(v)
        return { [unowned self] in try it.next(self) }
    }

    public func iterate(_ v: Value) throws -> [Value] {
        switch v {
        case .object(let o):
            if let l = o as? PyList { return l.items }
            if let t = o as? PyTuple { return t.items }
            if let r = o as? PyRange { try MemoryLimit.checkValues(r.count) }
        case .str(let s): return s.codePointStrings.map { .str($0) }
        default: break
        }
        let it = try makeIterator(v)
        // A generator's items are all taken here: it runs pushed (PushedGenerators.swift).
        if type(of: it) == PyGenerator.self {
            let sink = yieldSink(loop: nil, target: nil, localSlot: -1, nil)
            if try runPushed(unsafeDowncast(it, to: PyGenerator.self), sink) { return sink.items }
            if case .error(let e)? = sink.stop { throw e }
            throw corruptGenerator()
        }
        var out: [Value] = []
        let limit = MemoryLimit.maxValues
        while let x = try it.next(self) {
            if out.count >= limit { throw PyError(.memoryError, "") }
            out.append(x)
        }
        return out
    }

    func makeFunction(_ code: FunctionCode, _ f: Frame) throws -> PyFunction {
        let defaults = try code.positional.map { try $0.defaultValue.map { try eval($0, f) } }
        let kwDefaults = try code.keywordOnly.map { try $0.defaultValue.map { try eval($0, f) } }
        let closure = code.freeSources.map { $0 < f.cells.count ? f.cells[$0] : Cell() }
        var qualified = code.name
        if let ns = f.code as? ClassCode { qualified = ns.name + "." + code.name }
        else if let fn = f.function { qualified = fn.qualifiedName + ".<locals>." + code.name }
        let fn = PyFunction(code: code, defaults: defaults, keywordDefaults: kwDefaults, closure: closure, qualifiedName: qualified)
        if !code.annotations.isEmpty {
            let annotations = PyDict()
            for (name, node) in code.annotations { try annotations.set(.str(name), try eval(node, f)) }
            fn.attributes["__annotations__"] = .object(annotations)
        }
        return fn
    }

    func fstring(_ parts: [FPart], _ f: Frame) throws -> String {
        var out = ""
        for p in parts {
            switch p {
            case .literal(let s): out += s
            case .value(let node, let conversion, let specParts):
                let v = try eval(node, f)
                let spec = try specParts.map { try fstring($0, f) } ?? ""
                do {
                    switch conversion {
                    case .repr?: out += try format(.str(try repr(v)), spec: spec)
                    case .str?: out += try format(.str(try str(v)), spec: spec)
                    case .ascii?: out += try format(.str(asciiRepr(try repr(v))), spec: spec)
                    case nil: out += try format(v, spec: spec)
                    }
                } catch { throw wrap(error, node.span, f) }
            }
        }
        return out
    }

    // MARK: - Errors

    func unboundLocal(_ name: String, _ span: SourceSpan, _ f: Frame) -> Error {
        error(PyError(.unboundLocalError, "cannot access local variable '\(name)' where it is not associated with a value"), span, f)
    }

    /// A new Python exception from a host-style error, located at `span` in frame `f`.
    func error(_ e: Error, _ span: SourceSpan, _ f: Frame) -> Error {
        wrap(e, span, f)
    }

    /// Records that `error` passed through `span` of frame `f`: a Python exception gains a
    /// traceback entry; a host error (PyError, TorchError …) becomes a Python exception.
    func wrap(_ error: Error, _ span: SourceSpan, _ f: Frame) -> Error {
        if isScriptError(error), let e = error as? ScriptError {
            e.exception.tracebackInnermostFirst.append(f.entry(span))
            return error
        }
        if error is SystemExitRequest { return error }
        let e = ScriptError(exception: exceptionObject(for: error))
        e.exception.tracebackInnermostFirst.append(f.entry(span))
        return e
    }

    /// Whether `error` is a `ScriptError`, by its dynamic type (no cast, which would copy the
    /// value out of its box; rethrowing `error` itself also keeps the box).
    @inline(__always)
    func isScriptError(_ error: Error) -> Bool { type(of: error) == ScriptError.self }

    /// The exception object of an error the interpreter raised.
    private func exceptionObject(_ e: PyError) -> PyExceptionObject {
        let cls = ExceptionClasses.forKind(e.kind)
        let exc = PyExceptionObject(cls: cls, args: e.args ?? ExceptionClasses.osErrorArguments(cls, e.message) ?? [.str(e.message)])
        exc.suggestion = e.suggestion
        for (name, v) in e.attributes { exc.dict[name] = v }
        return exc
    }

    /// The exception object a Swift error stands for.
    func exceptionObject(for error: Error) -> PyExceptionObject {
        // The interpreter's own errors tested by type first: each failing `as?` cast of an
        // existential error costs more than making the exception.
        if type(of: error) == PyError.self, let e = error as? PyError { return exceptionObject(e) }
        switch error {
        case let e as ScriptError: return e.exception
        case let e as PyError: return exceptionObject(e)
        case let e as TorchError:
            // An empty message is a bare `raise NotImplementedError` (no args), as PyTorch's base methods raise.
            return PyExceptionObject(cls: ExceptionClasses.forKind(e.kind), args: e.message.isEmpty ? [] : [.str(e.message)])
        case let e as SyntaxError: return PyExceptionObject(cls: ExceptionClasses.forKind(e.kind), args: [.str(e.message)])
        default: return PyExceptionObject(cls: ExceptionClasses.forKind(.runtimeError), args: [.str(String(describing: error))])
        }
    }
}
