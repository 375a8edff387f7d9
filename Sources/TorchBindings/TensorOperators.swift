import NNLang
import TensorRuntime
import NeuralNet

/// Python operators on tensors: arithmetic, comparisons, subscripts, formatting, iteration.
enum TensorOperators {
    static func binary(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value, _ ev: Evaluator) throws -> Value? {
        // Two tensors (the common case in loops) skip the `Operand` wrapping and its copies.
        if case .tensor(let a) = lhs, case .tensor(let b) = rhs { return .tensor(try apply(op, a, b)) }
        guard let l = Operand(lhs), let r = Operand(rhs) else { return nil }
        switch (l, r) {
        case (.tensor(let a), .tensor(let b)): return .tensor(try apply(op, a, b))
        case (.tensor(let a), .scalar(let s)): return .tensor(try apply(op, a, s))
        case (.scalar(let s), .tensor(let b)): return .tensor(try applyReflected(op, s, b))
        case (.scalar, .scalar): return nil
        }
    }

    /// `t op= rhs` in place (`__iadd__` …). Nil when `rhs` is not a tensor or number.
    static func inPlace(_ op: BinaryOperator, _ t: Tensor, _ rhs: Value) throws -> Value? {
        guard let r = Operand(rhs) else { return nil }
        switch (op, r) {
        case (.add, .tensor(let b)): try t.addInPlace(b)
        case (.add, .scalar(let s)): try t.addInPlace(s)
        case (.sub, .tensor(let b)): try t.subInPlace(b)
        case (.sub, .scalar(let s)): try t.subInPlace(s)
        case (.mul, .tensor(let b)): try t.mulInPlace(b)
        case (.mul, .scalar(let s)): try t.mulInPlace(s)
        case (_, .tensor(let b)): try t.applyInPlace([b]) { try apply(op, $0, $1[0]) }
        case (_, .scalar(let s)): try t.applyInPlace { x, _ in try apply(op, x, s) }
        }
        return .tensor(t)
    }

    private static func apply(_ op: BinaryOperator, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        switch op {
        case .add: return try a.add(b)
        case .sub: return try a.sub(b)
        case .mul: return try a.mul(b)
        case .div: return try a.div(b)
        case .floorDiv: return try a.floorDivide(b)
        case .mod: return try a.remainder(b)
        case .pow: return try a.pow(b)
        case .matMul: return try a.matmul(b)
        case .bitAnd: return try a.bitwiseAnd(b)
        case .bitOr: return try a.bitwiseOr(b)
        case .bitXor: return try a.bitwiseXor(b)
        case .lshift, .rshift: return try a.bitwiseShift(b, left: op == .lshift)
        }
    }

    private static func apply(_ op: BinaryOperator, _ a: Tensor, _ s: Scalar) throws -> Tensor {
        switch op {
        case .add: return try a.add(s)
        case .sub: return try a.sub(s)
        case .mul: return try a.mul(s)
        case .div: return try a.div(s)
        case .floorDiv: return try a.floorDivide(s)
        case .mod: return try a.remainder(s)
        case .pow: return try a.pow(s)
        case .matMul: throw PyError(.typeError, "unsupported operand type(s) for @: 'Tensor' and '\(scalarTypeName(s))'")
        default: return try apply(op, a, try Tensor(scalar: s))
        }
    }

    private static func applyReflected(_ op: BinaryOperator, _ s: Scalar, _ b: Tensor) throws -> Tensor {
        switch op {
        case .add: return try b.add(s)
        case .mul: return try b.mul(s)
        case .sub: return try b.rsub(s)
        case .div: return try b.rdiv(s)
        case .pow: return try b.rpow(s)
        case .matMul: throw PyError(.typeError, "unsupported operand type(s) for @: '\(scalarTypeName(s))' and 'Tensor'")
        default: return try apply(op, try Operand.scalar(s).tensor(like: b), b)
        }
    }

    private static func scalarTypeName(_ s: Scalar) -> String {
        switch s {
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        }
    }

    static func compare(_ op: ComparisonOperator, _ lhs: Value, _ rhs: Value, _ ev: Evaluator) throws -> Value? {
        guard let l = Operand(lhs), let r = Operand(rhs) else {
            switch op {
            case .eq: return .bool(false)
            case .ne: return .bool(true)
            default: return nil
            }
        }
        // Put the tensor on the left, mirroring the operator when needed.
        var op = op
        let a: Tensor, b: Operand
        if case .tensor(let t) = l { a = t; b = r }
        else if case .tensor(let t) = r {
            a = t; b = l
            switch op {
            case .lt: op = .gt
            case .gt: op = .lt
            case .le: op = .ge
            case .ge: op = .le
            default: break
            }
        } else { return nil }
        switch (op, b) {
        case (.eq, .tensor(let t)): return .tensor(try a.eq(t))
        case (.ne, .tensor(let t)): return .tensor(try a.ne(t))
        case (.lt, .tensor(let t)): return .tensor(try a.lt(t))
        case (.le, .tensor(let t)): return .tensor(try a.le(t))
        case (.gt, .tensor(let t)): return .tensor(try a.gt(t))
        case (.ge, .tensor(let t)): return .tensor(try a.ge(t))
        case (.eq, .scalar(let s)): return .tensor(try a.eq(s))
        case (.ne, .scalar(let s)): return .tensor(try a.ne(s))
        case (.lt, .scalar(let s)): return .tensor(try a.lt(s))
        case (.le, .scalar(let s)): return .tensor(try a.le(s))
        case (.gt, .scalar(let s)): return .tensor(try a.gt(s))
        case (.ge, .scalar(let s)): return .tensor(try a.ge(s))
        default: return nil
        }
    }

    static func unary(_ op: UnaryOperator, _ t: Tensor) throws -> Value {
        switch op {
        case .negate: return .tensor(try t.neg())
        case .plus: return .tensor(t)
        case .invert:
            guard t.dtype == .bool || t.dtype == .int64 else {
                throw PyError(.typeError, "~ (operator.invert) is only implemented on integer and Boolean-type tensors")
            }
            return .tensor(try t.bitwiseNot())
        case .not: return .bool(!(try truthiness(t)))
        }
    }

    static func truthiness(_ t: Tensor) throws -> Bool {
        guard t.numel == 1 else {
            if t.numel == 0 { throw PyError(.runtimeError, "Boolean value of Tensor with no values is ambiguous") }
            throw PyError(.runtimeError, "Boolean value of Tensor with more than one value is ambiguous")
        }
        return try t.item().doubleValue != 0
    }

    static func length(_ t: Tensor) throws -> Int {
        guard let first = t.shape.first else { throw PyError(.typeError, "len() of a 0-d tensor") }
        return first
    }

    static func iterate(_ t: Tensor) throws -> [Value] {
        guard t.dim > 0 else { throw PyError(.typeError, "iteration over a 0-d tensor") }
        return try t.unbind(dim: 0).map { .tensor($0) }
    }

    /// `f"{t:.4f}"`: only one-element tensors take a format spec, as in PyTorch.
    static func format(_ t: Tensor, spec: String, _ ev: Evaluator) throws -> String {
        // PyTorch formats a 0-dim tensor as its number (f"{torch.tensor(1.5)}" is "1.5").
        if t.dim == 0 {
            let item = scalarValue(try t.item())
            return try ev.format(item, spec: spec)
        }
        guard spec.isEmpty else { throw PyError(.typeError, "unsupported format string passed to Tensor.__format__") }
        try TensorPrintDepth.check(t)
        return t.repr
    }

    // MARK: - Subscripts

    /// Converts a subscript key to runtime index items (`x[0, 1:3, None, ..., mask]`).
    static func indices(_ key: Value, _ ev: Evaluator) throws -> [TensorIndex] {
        if case .object = key, ev.sequenceItems(key) != nil, !isList(key, ev) {
            return try (ev.sequenceItems(key) ?? []).map { try index($0, ev) }
        }
        return [try index(key, ev)]
    }

    private static func isList(_ v: Value, _ ev: Evaluator) -> Bool { ev.builtinKind(v) == .list }

    private static func index(_ v: Value, _ ev: Evaluator) throws -> TensorIndex {
        switch v {
        case .int, .bool:
            if case .bool(let b) = v { return .tensor(try Tensor(scalar: .bool(b))) }
            return .int(try v.asInt())
        case .none: return .none
        case .tensor(let t):
            if t.dim == 0 && t.dtype == .int64, case .int(let i) = try t.item() { return .int(Int(i)) }
            return .tensor(t)
        default:
            if let b = try ev.sliceBounds(v) { return .slice(start: b.start, stop: b.stop, step: b.step) }
            if ev.isEllipsis(v) { return .ellipsis }
            if ev.sequenceItems(v) != nil {
                return .tensor(try TensorFactory.tensor(from: v, dtype: nil, ev))
            }
            if let items = try sequenceLikeItems(v, ev) {
                return .tensor(try TensorFactory.tensor(from: ev.makeList(items), dtype: nil, ev))
            }
            throw PyError(.indexError, "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got \(v.typeName))")
        }
    }

    /// The items of a sized object that is not a mapping or set (`range(n)`): PyTorch indexes with
    /// any sequence as with a list of its items.
    private static func sequenceLikeItems(_ v: Value, _ ev: Evaluator) throws -> [Value]? {
        guard case .object(let o) = v, try o.length(ev) != nil else { return nil }
        switch ev.builtinKind(v) {
        case .dict, .orderedDict, .set, .frozenset: return nil
        default: return try ev.iterate(v)
        }
    }

    static func getItem(_ t: Tensor, _ key: Value, _ ev: Evaluator) throws -> Value {
        .tensor(try t.index(try indices(key, ev)))
    }

    static func setItem(_ t: Tensor, _ key: Value, _ value: Value, _ ev: Evaluator) throws {
        let items = try indices(key, ev)
        switch value {
        case .tensor(let v): try t.indexPut(items, v)
        default:
            if let s = value.scalar { try t.indexPut(items, s); return }
            if ev.sequenceItems(value) != nil {
                try t.indexPut(items, try TensorFactory.tensor(from: value, dtype: t.dtype, ev))
                return
            }
            throw PyError(.typeError, "can't assign a \(value.typeName) to a \(t.dtype.legacyTypeName)")
        }
    }
}
