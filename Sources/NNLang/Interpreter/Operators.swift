import Foundation
import TensorRuntime
import NeuralNet

// Python's operators on the built-in types; tensors go to the host, script objects to dunders.
extension Interpreter {
    func binary(_ op: BinaryOperator, _ l: Value, _ r: Value) throws -> Value {
        switch (l, r) {
        case (.int(let a), .int(let b)): return try intBinary(op, a, b)
        case (.float(let a), .float(let b)): return try floatBinary(op, a, b)
        case (.int(let a), .float(let b)): return try floatBinary(op, Double(a), b)
        case (.float(let a), .int(let b)): return try floatBinary(op, a, Double(b))
        case (.tensor, _), (_, .tensor):
            if let v = try host.tensorBinary(op, l, r, self) { return v }
            if let v = try reflectedDunder(op, l, r) { return v }
            throw unsupported(op, l, r)
        default: break
        }
        if case .bool(let a) = l, case .bool(let b) = r {
            switch op {
            case .bitAnd: return .bool(a && b)
            case .bitOr: return .bool(a || b)
            case .bitXor: return .bool(a != b)
            default: break
            }
        }
        if case .bool(let a) = l { return try binary(op, .int(a ? 1 : 0), boolAsInt(r, for: op)) }
        if case .bool(let b) = r, l.isNumber { return try binary(op, l, .int(b ? 1 : 0)) }
        if let v = try sequenceBinary(op, l, r) { return v }
        if let v = try objectDunder(op, l, r) { return v }
        throw unsupported(op, l, r)
    }

    /// `bool op x` where `x` is a number keeps Python's int semantics; bitwise ops on two bools stay bool.
    private func boolAsInt(_ v: Value, for op: BinaryOperator) -> Value {
        if case .bool(let b) = v { return .int(b ? 1 : 0) }
        return v
    }

    /// `x op= y`: lists extend in place, sets update in place, tensors and script objects use
    /// `__iop__`; else `x = x op y`.
    func inPlace(_ op: BinaryOperator, _ l: Value, _ r: Value) throws -> Value {
        if case .object(let o) = l {
            if let list = o as? PyList, op == .add {
                let added = try iterate(r)
                try MemoryLimit.checkSum(list.items.count, added.count, itemBytes: MemoryLayout<Value>.stride)
                list.items.append(contentsOf: added)
                return l
            }
            if let inst = o as? PyInstance {
                if let fn = inst.cls.special(.inPlace(op)) {
                    let v = try callDirect(fn, l, r)
                    if !isNotImplemented(v) { return v }
                }
                // `stack += [4]` extends the list the instance carries (the instance stays).
                if let d = inst as? DerivedValueInstance, case .object(let native) = d.native {
                    let v = try inPlace(op, d.native, r)
                    if case .object(let same) = v, same === native { return l }
                    return v
                }
            }
            if let set = o as? PySet, !set.frozen, case .object(let other as PySet) = r,
               try set.combineInPlace(op, other, self) { return l }
        }
        if case .tensor(let t) = l, let fn = try host.tensorAttribute(t, "__i\(op.dunderName)__", self) {
            let v = try callValue(fn, Arguments([r]))
            if !isNotImplemented(v) { return v }
        }
        return try binary(op, l, r)
    }

    func unsupported(_ op: BinaryOperator, _ l: Value, _ r: Value) -> PyError {
        if op == .add, case .str = l {
            return PyError(.typeError, "can only concatenate str (not \"\(r.typeName)\") to str")
        }
        if op == .add, case .object(let o) = l, o is PyList || o is PyTuple {
            return PyError(.typeError, "can only concatenate \(o.typeName) (not \"\(r.typeName)\") to \(o.typeName)")
        }
        if op == .mul, l.isSequenceLike || r.isSequenceLike {
            let other = l.isSequenceLike ? r : l
            return PyError(.typeError, "can't multiply sequence by non-int of type '\(other.typeName)'")
        }
        let symbol = op == .pow ? "** or pow()" : op.rawValue
        return PyError(.typeError, "unsupported operand type(s) for \(symbol): '\(l.typeName)' and '\(r.typeName)'")
    }

    private func intBinary(_ op: BinaryOperator, _ a: Int, _ b: Int) throws -> Value {
        func checked(_ r: (partialValue: Int, overflow: Bool)) throws -> Value {
            if r.overflow { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
            return .int(r.partialValue)
        }
        switch op {
        case .add: return try checked(a.addingReportingOverflow(b))
        case .sub: return try checked(a.subtractingReportingOverflow(b))
        case .mul: return try checked(a.multipliedReportingOverflow(by: b))
        case .div:
            if b == 0 { throw PyError(.zeroDivisionError, "division by zero") }
            return .float(Double(a) / Double(b))
        case .floorDiv:
            if b == 0 { throw PyError(.zeroDivisionError, "integer division or modulo by zero") }
            if a == Int.min && b == -1 { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
            var q = a / b
            if a % b != 0 && ((a < 0) != (b < 0)) { q -= 1 }
            return .int(q)
        case .mod:
            if b == 0 { throw PyError(.zeroDivisionError, "integer modulo by zero") }
            if b == -1 { return .int(0) }
            var m = a % b
            if m != 0 && ((m < 0) != (b < 0)) { m += b }
            return .int(m)
        case .pow: return try intPower(a, b)
        case .lshift:
            if b < 0 { throw PyError(.valueError, "negative shift count") }
            if b >= 64 { if a == 0 { return .int(0) }; throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
            let r = a << b
            if r >> b != a { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
            return .int(r)
        case .rshift:
            if b < 0 { throw PyError(.valueError, "negative shift count") }
            return .int(b >= 64 ? (a < 0 ? -1 : 0) : a >> b)
        case .bitAnd: return .int(a & b)
        case .bitOr: return .int(a | b)
        case .bitXor: return .int(a ^ b)
        case .matMul: throw unsupported(op, .int(a), .int(b))
        }
    }

    func intPower(_ a: Int, _ b: Int) throws -> Value {
        if b < 0 {
            if a == 0 { throw PyError(.zeroDivisionError, "0.0 cannot be raised to a negative power") }
            return .float(pow(Double(a), Double(b)))
        }
        var result = 1, base = a, e = b
        while e > 0 {
            if e & 1 == 1 {
                let (r, o) = result.multipliedReportingOverflow(by: base)
                if o { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
                result = r
            }
            e >>= 1
            if e > 0 {
                let (sq, o) = base.multipliedReportingOverflow(by: base)
                if o { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
                base = sq
            }
        }
        return .int(result)
    }

    private func floatBinary(_ op: BinaryOperator, _ a: Double, _ b: Double) throws -> Value {
        switch op {
        case .add: return .float(a + b)
        case .sub: return .float(a - b)
        case .mul: return .float(a * b)
        case .div:
            if b == 0 { throw PyError(.zeroDivisionError, "float division by zero") }
            return .float(a / b)
        case .floorDiv:
            if b == 0 { throw PyError(.zeroDivisionError, "float floor division by zero") }
            return .float(floatDivMod(a, b).0)
        case .mod:
            if b == 0 { throw PyError(.zeroDivisionError, "float modulo") }
            return .float(floatDivMod(a, b).1)
        case .pow:
            if a == 0 && b < 0 { throw PyError(.zeroDivisionError, "0.0 cannot be raised to a negative power") }
            if a < 0 && b != b.rounded() { throw PyError(.valueError, "complex results are not supported by nnrepl") }
            let r = pow(a, b)
            if r.isInfinite && a.isFinite && b.isFinite { throw PyError(.overflowError, "(34, 'Numerical result out of range')") }
            return .float(r)
        default: throw unsupported(op, .float(a), .float(b))
        }
    }

    /// Python's float `divmod` (floor division, remainder with the divisor's sign), step by step
    /// as CPython's `float_divmod`, signed zeros included (`-0.0 // 2` is -0.0).
    func floatDivMod(_ a: Double, _ b: Double) -> (Double, Double) {
        var mod = fmod(a, b)
        var div = (a - mod) / b
        if mod != 0 {
            if (b < 0) != (mod < 0) { mod += b; div -= 1 }
        } else {
            mod = Double(signOf: b, magnitudeOf: 0)
        }
        var floorDiv: Double
        if div != 0 {
            floorDiv = div.rounded(.down)
            if div - floorDiv > 0.5 { floorDiv += 1 }
        } else {
            floorDiv = Double(signOf: a / b, magnitudeOf: 0)
        }
        return (floorDiv, mod)
    }

    private func sequenceBinary(_ op: BinaryOperator, _ l: Value, _ r: Value) throws -> Value? {
        switch (op, l, r) {
        case (.add, .str(let a), .str(let b)):
            try MemoryLimit.checkSum(a.utf8.count, b.utf8.count, itemBytes: 1)
            return .str(a + b)
        case (.mul, .str(let s), .int(let n)), (.mul, .int(let n), .str(let s)):
            if n <= 0 || s.isEmpty { return .str("") }
            try MemoryLimit.check(count: n, itemBytes: s.utf8.count)
            return .str(String(repeating: s, count: n))
        case (.mod, .str(let s), _): return .str(try percentFormat(s, r))
        case (.add, .object(let a), .object(let b)):
            if let x = a as? PyList, let y = b as? PyList {
                try MemoryLimit.checkSum(x.items.count, y.items.count, itemBytes: MemoryLayout<Value>.stride)
                return .object(PyList(concatenated(x.items, y.items)))
            }
            if let x = a as? PyTuple, let y = b as? PyTuple {
                try MemoryLimit.checkSum(x.items.count, y.items.count, itemBytes: MemoryLayout<Value>.stride)
                return .object(PyTuple(concatenated(x.items, y.items)))
            }
        case (.mul, .object(let o), .int(let n)), (.mul, .int(let n), .object(let o)):
            if let x = o as? PyList { return .object(PyList(try repeated(x.items, n))) }
            if let x = o as? PyTuple { return .object(PyTuple(try repeated(x.items, n))) }
        case (.mul, .object(let o), .bool(let b)), (.mul, .bool(let b), .object(let o)):
            if let x = o as? PyList { return .object(PyList(b ? x.items : [])) }
            if let x = o as? PyTuple { return .object(PyTuple(b ? x.items : [])) }
        case (_, .object(let a), .object(let b)):
            if let x = a as? PySet, let y = b as? PySet, let s = try x.combine(op, y, self) { return .object(s) }
            if op == .bitOr, let x = a as? PyDict, let y = b as? PyDict, !x.isCounter {
                let d = try PyDict(x.items, ordered: x.ordered)
                for (k, v) in y.items { try d.set(k, v) }
                return .object(d)
            }
        default: break
        }
        return nil
    }

    /// `a + b` (`Array`'s `+` grows a copy of `a` and copies through the generic value witness).
    private func concatenated(_ a: [Value], _ b: [Value]) -> [Value] {
        copiedRuns(a, a.indices, b, b.indices)
    }

    private func repeated(_ items: [Value], _ n: Int) throws -> [Value] {
        guard n > 0, !items.isEmpty else { return [] }
        try MemoryLimit.check(count: n, itemBytes: items.count * MemoryLayout<Value>.stride)
        var out: [Value] = []
        out.reserveCapacity(items.count * n)
        for _ in 0..<n { out.append(contentsOf: items) }
        return out
    }

    private func isNotImplemented(_ v: Value) -> Bool {
        if case .object(let o) = v { return o === NotImplemented.shared }
        return false
    }

    /// `l.__op__(r)`, then `r.__rop__(l)`, for script objects.
    private func objectDunder(_ op: BinaryOperator, _ l: Value, _ r: Value) throws -> Value? {
        if let cls = classOf(l), let fn = cls.special(.forward(op)) {
            let v = try callDirect(fn, l, r)
            if !isNotImplemented(v) { return v }
        }
        if case .object(let o) = l, let v = try o.binary(op, r, reflected: false, self) { return v }
        return try reflectedDunder(op, l, r)
    }

    private func reflectedDunder(_ op: BinaryOperator, _ l: Value, _ r: Value) throws -> Value? {
        if let cls = classOf(r), let fn = cls.special(.reflected(op)) {
            let v = try callDirect(fn, r, l)
            if !isNotImplemented(v) { return v }
        }
        if case .object(let o) = r, let v = try o.binary(op, l, reflected: true, self) { return v }
        return nil
    }

    func unary(_ op: UnaryOperator, _ v: Value) throws -> Value {
        switch (op, v) {
        case (.not, _): return .bool(!(try truthy(v)))
        case (.negate, .int(let i)):
            if i == Int.min { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
            return .int(-i)
        case (.negate, .float(let d)): return .float(-d)
        case (.negate, .bool(let b)): return .int(b ? -1 : 0)
        case (.plus, .int), (.plus, .float): return v
        case (.plus, .bool(let b)): return .int(b ? 1 : 0)
        case (.invert, .int(let i)): return .int(~i)
        case (.invert, .bool(let b)): return .int(~(b ? 1 : 0))
        case (_, .tensor(let t)): return try host.tensorUnary(op, t, self)
        default:
            let name: String
            switch op {
            case .negate: name = "neg"
            case .plus: name = "pos"
            case .invert: name = "invert"
            case .not: name = "not"
            }
            if let cls = classOf(v), let fn = cls.lookup("__\(name)__") { return try callValue(fn, Arguments([v])) }
            if case .object(let o) = v {
                if let d = o as? PyDict, let r = try d.counterUnary(op, self) { return r }
                // A subclass of a number or a Counter: its value's operator.
                if let d = o as? DerivedValueInstance {
                    if d.native.numericValue != nil { return try unary(op, d.native) }
                    if case .object(let n as PyDict) = d.native, let r = try n.counterUnary(op, self) { return r }
                }
            }
            throw PyError(.typeError, "bad operand type for unary \(op.rawValue): '\(v.typeName)'")
        }
    }

    // MARK: - Comparisons

    func compare(_ op: ComparisonOperator, _ l: Value, _ r: Value) throws -> Value {
        // Membership straight to `contains` (the number cases below never answer it).
        if op == .in { return .bool(try contains(r, l)) }
        if op == .notIn { return .bool(!(try contains(r, l))) }
        switch (l, r) {
        case (.int(let a), .int(let b)):
            switch op {
            case .lt: return .bool(a < b)
            case .le: return .bool(a <= b)
            case .gt: return .bool(a > b)
            case .ge: return .bool(a >= b)
            case .eq, .is: return .bool(a == b)
            case .ne, .isNot: return .bool(a != b)
            default: break
            }
        case (.float, .float), (.int, .float), (.float, .int):
            // Numbers compare as doubles (`ordered`, `valuesEqual`); `is` keeps identity.
            guard let a = l.numericValue, let b = r.numericValue else { break }
            switch op {
            case .lt: return .bool(a < b)
            case .le: return .bool(a <= b)
            case .gt: return .bool(a > b)
            case .ge: return .bool(a >= b)
            case .eq: return .bool(a == b)
            case .ne: return .bool(a != b)
            default: break
            }
        default: break
        }
        switch op {
        case .is: return .bool(identical(l, r))
        case .isNot: return .bool(!identical(l, r))
        default: break
        }
        if case .tensor = l, let v = try host.tensorCompare(op, l, r, self) { return v }
        if case .tensor = r, let v = try host.tensorCompare(op, l, r, self) { return v }
        switch op {
        case .eq: return try equalityResult(l, r, negate: false)
        case .ne: return try equalityResult(l, r, negate: true)
        default: return .bool(try ordered(op, l, r))
        }
    }

    /// `==` / `!=` honouring script `__eq__`/`__ne__` results that are not bools.
    private func equalityResult(_ l: Value, _ r: Value, negate: Bool) throws -> Value {
        let method: SpecialMethod = negate ? .ne : .eq
        for (a, b) in [(l, r), (r, l)] {
            if let cls = classOf(a), let fn = cls.special(method), case .object(let o) = fn, o is PyFunction {
                let v = try callDirect(fn, a, b)
                if !isNotImplemented(v) { return v }
            }
        }
        let eq = try valuesEqual(l, r, self)
        return .bool(negate ? !eq : eq)
    }

    /// `<`, `<=`, `>`, `>=` for numbers, strings, lists and tuples (lexicographic), sets (subset).
    func ordered(_ op: ComparisonOperator, _ l: Value, _ r: Value) throws -> Bool {
        // Exact int comparison first (through Double, ints past 2^53 would compare equal).
        if case .int(let a) = l, case .int(let b) = r { return compareResult(op, a < b ? -1 : (a > b ? 1 : 0)) }
        if let a = l.numericValue, let b = r.numericValue {
            switch op {
            case .lt: return a < b
            case .le: return a <= b
            case .gt: return a > b
            default: return a >= b
            }
        }
        switch (l, r) {
        case (.str(let a), .str(let b)):
            return compareResult(op, codePointOrder(a, b))
        case (.object(let a), .object(let b)):
            if let x = a as? PyTuple, let y = b as? PyTuple { return try orderedItems(op, x.items, y.items) }
            if let x = a as? PyList, let y = b as? PyList { return try orderedItems(op, x.items, y.items) }
            if let c = try a.order(comparedTo: r, self) { return compareResult(op, c) }
            if let x = a as? PySet, let y = b as? PySet {
                switch op {
                case .lt: return try x.isSubset(of: y) && x.items.count < y.items.count
                case .le: return try x.isSubset(of: y)
                case .gt: return try y.isSubset(of: x) && y.items.count < x.items.count
                default: return try y.isSubset(of: x)
                }
            }
        default: break
        }
        let methods: (SpecialMethod, SpecialMethod)?
        switch op {
        case .lt: methods = (SpecialMethod.lt, SpecialMethod.gt)
        case .le: methods = (SpecialMethod.le, SpecialMethod.ge)
        case .gt: methods = (SpecialMethod.gt, SpecialMethod.lt)
        case .ge: methods = (SpecialMethod.ge, SpecialMethod.le)
        default: methods = nil
        }
        if let (method, reflected) = methods {
            if let cls = classOf(l), let fn = cls.special(method) {
                let v = try callDirect(fn, l, r)
                if !isNotImplemented(v) { return try truthy(v) }
            }
            if let cls = classOf(r), let fn = cls.special(reflected) {
                let v = try callDirect(fn, r, l)
                if !isNotImplemented(v) { return try truthy(v) }
            }
        }
        if let (a, b) = DerivedValueInstance.unwrapped(l, r) { return try ordered(op, a, b) }
        throw PyError(.typeError, "'\(op.rawValue)' not supported between instances of '\(l.typeName)' and '\(r.typeName)'")
    }

    /// Lexicographic `op` of two lists' or two tuples' items: the first unequal pair decides.
    private func orderedItems(_ op: ComparisonOperator, _ x: [Value], _ y: [Value]) throws -> Bool {
        for (p, q) in zip(x, y) where !(try valuesEqual(p, q, self)) {
            return try ordered(op, p, q)
        }
        return compareResult(op, x.count < y.count ? -1 : (x.count > y.count ? 1 : 0))
    }

    private func compareResult(_ op: ComparisonOperator, _ c: Int) -> Bool {
        switch op {
        case .lt: return c < 0
        case .le: return c <= 0
        case .gt: return c > 0
        default: return c >= 0
        }
    }

    /// `item in container`.
    func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .str(let s):
            guard case .str(let sub) = item else {
                throw PyError(.typeError, "'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return s.containsCodePoints(sub)
        case .object(let o):
            if let r = try o.contains(item, self) { return r }
            for v in try iterate(container) where try valuesEqual(v, item, self) { return true }
            return false
        case .tensor(let t):
            if let v = try host.tensorCompare(.eq, container, item, self), case .tensor(let eq) = v {
                _ = t
                return try truthy(try callValue(try getAttribute(.tensor(eq), "any"), Arguments()))
            }
            return false
        case .module(let m):
            if let sm = m as? ScriptModule, let fn = sm.cls.lookup("__contains__") {
                return try truthy(try callValue(fn, Arguments([container, item])))
            }
            for v in try host.moduleIterate(m) where try valuesEqual(v, item, self) { return true }
            return false
        default:
            throw PyError(.typeError, "argument of type '\(container.typeName)' is not iterable")
        }
    }

    // MARK: - Truthiness

    public func truthy(_ v: Value) throws -> Bool {
        switch v {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .str(let s): return !s.isEmpty
        case .tensor(let t): return try host.tensorTruthiness(t)
        case .module(let m):
            if let sm = m as? ScriptModule {
                if let fn = sm.cls.lookup("__bool__") { return try truthy(try callValue(fn, Arguments([v]))) }
                if let fn = sm.cls.lookup("__len__") { return try truthy(try callValue(fn, Arguments([v]))) }
                return true
            }
            if let n = try? host.moduleLength(m) { return n != 0 }
            return true
        case .object(let o):
            if let b = try o.truthiness(self) { return b }
            if let n = try o.length(self) { return n != 0 }
            return true
        }
    }
}

/// Python `==` (identity first, as containers do).
func valuesEqual(_ a: Value, _ b: Value, _ ev: Evaluator) throws -> Bool {
    switch (a, b) {
    case (.none, .none): return true
    case (.str(let x), .str(let y)): return codePointsEqual(x, y)
    case (.int(let x), .int(let y)): return x == y
    case (.tensor(let x), .tensor(let y)) where x === y: return true
    case (.tensor, _), (_, .tensor):
        guard let interp = ev as? Interpreter, let r = try interp.host.tensorCompare(.eq, a, b, ev) else { return false }
        return try ev.truthy(r)
    case (.module(let x), .module(let y)): return x === y
    default: break
    }
    if let x = a.numericValue, let y = b.numericValue { return x == y }
    if case .object(let x) = a {
        if case .object(let y) = b, x === y { return true }
        if let r = try recursionGuarded(ev, " in comparison", { try x.equals(b, ev) }) { return r }
    }
    if case .object(let y) = b, let r = try recursionGuarded(ev, " in comparison", { try y.equals(a, ev) }) { return r }
    return false
}

/// Sorts with Python's semantics: stable, optional key function, `<` comparisons.
func sortValues(_ items: [Value], key: Value?, reverse: Bool, _ ev: Evaluator) throws -> [Value] {
    guard let interp = ev as? Interpreter else { return items }
    let keys: [Value]
    if let key, !key.isNone { keys = try items.map { try ev.call(key, Arguments([$0])) } } else { keys = items }
    if let order = nativeKeyOrder(keys, reverse: reverse) { return order.map { items[$0] } }
    var order = Array(items.indices)
    try order.sort { i, j in
        if reverse { return try interp.ordered(.lt, keys[j], keys[i]) }
        return try interp.ordered(.lt, keys[i], keys[j])
    }
    return order.map { items[$0] }
}

/// The sorted order of `keys` (stable; `reverse` flips each comparison, as Python's does) when
/// they are all ints, all floats without a NaN, or all strs: compared as Swift values, without
/// `ordered`'s dispatch and the `Value` copies around each of the n log n comparisons. nil for
/// any other mix (the general comparison decides, and raises what it raises).
private func nativeKeyOrder(_ keys: [Value], reverse: Bool) -> [Int]? {
    func order<T>(_ native: [T], _ less: (T, T) -> Bool) -> [Int] {
        var order = Array(native.indices)
        native.withUnsafeBufferPointer { k in
            if reverse { order.sort { less(k[$1], k[$0]) } } else { order.sort { less(k[$0], k[$1]) } }
        }
        return order
    }
    func all<T>(_ extract: (Value) -> T?) -> [T]? {
        var native: [T] = []
        native.reserveCapacity(keys.count)
        for key in keys {
            guard let v = extract(key) else { return nil }
            native.append(v)
        }
        return native
    }
    switch keys.first {
    case .int?:
        return all { if case .int(let i) = $0 { return i } else { return nil } }.map { order($0, <) }
    case .float?:
        return all { if case .float(let d) = $0, !d.isNaN { return d } else { return nil } }.map { order($0, <) }
    case .str?:
        return all { if case .str(let s) = $0 { return s } else { return nil } }.map { order($0) { codePointOrder($0, $1) < 0 } }
    default:
        return nil
    }
}

extension Value {
    /// The value as a Double when it is a Python number (bool, int, float).
    var numericValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    var isNumber: Bool { numericValue != nil }

    var isFloat: Bool { if case .float = self { return true } else { return false } }

    var isSequenceLike: Bool {
        switch self {
        case .str: return true
        case .object(let o): return o is PyList || o is PyTuple
        default: return false
        }
    }
}
