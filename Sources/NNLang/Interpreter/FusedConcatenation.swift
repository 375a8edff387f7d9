/// Concatenations built in one step, without their operands' temporary lists.
///
/// `[x] + rest` and `path + [node]`: a list display added to another list, the idiom of
/// recursive generators, path building and prepending. Evaluated as `binary` would (the
/// display's items first when it is the left operand, then the other operand; the other way
/// round when it is the right one), but when the other operand is exactly a `list` (not a
/// subclass, whose `__radd__` could take over) the result is made in one allocation, without
/// the display's temporary list object. Anything else builds the display's list and goes
/// through `binary`, with its errors and dunders.
extension Interpreter {
    func listConcatenation(_ display: [ExprNode], _ other: ExprNode, displayFirst: Bool, _ n: ExprNode, _ f: Frame) throws -> Value {
        let l: Value, r: Value
        if displayFirst {
            // `[x] + rest` (the common case) holds its one item as a value, not in an array of its
            // own: one allocation less. Folding it into the general branch below with an optional
            // head measured 4% slower per concatenation, so the two stay side by side.
            if display.count == 1 {
                let head = try eval(display[0], f)
                let rest = try eval(other, f)
                if let items = exactListItems(rest) {
                    try checkResultSize(1, items.count, n, f)
                    return .object(PyList(prepended(head, items)))
                }
                l = .object(PyList([head]))
                r = rest
            } else {
                let heads = try evalElements(display, f)
                let rest = try eval(other, f)
                if let items = exactListItems(rest) {
                    try checkResultSize(heads.count, items.count, n, f)
                    return .object(PyList(copiedRuns(heads, heads.indices, items, items.indices)))
                }
                l = .object(PyList(heads))
                r = rest
            }
        } else {
            let first = try eval(other, f)
            let tail = try evalElements(display, f)
            // Read after the display: its items may have changed the list (`xs + [xs.pop()]`).
            if let items = exactListItems(first) {
                try checkResultSize(items.count, tail.count, n, f)
                return .object(PyList(copiedRuns(items, items.indices, tail, tail.indices)))
            }
            l = first
            r = .object(PyList(tail))
        }
        do { return try binary(.add, l, r) } catch { throw wrap(error, n.span, f) }
    }

    /// The memory limit's check for a result of `a + b` items (its error at `n`).
    @inline(__always)
    private func checkResultSize(_ a: Int, _ b: Int, _ n: ExprNode, _ f: Frame) throws {
        do { try MemoryLimit.checkSum(a, b, itemBytes: MemoryLayout<Value>.stride) } catch { throw wrap(error, n.span, f) }
    }

    /// The items of `v` when it is exactly a `list`.
    @inline(__always)
    private func exactListItems(_ v: Value) -> [Value]? {
        guard case .object(let o) = v, type(of: o) == PyList.self else { return nil }
        return unsafeDowncast(o, to: PyList.self).items
    }

    /// `[head] + items` in one allocation, copied by code specialised for `Value`.
    private func prepended(_ head: Value, _ items: [Value]) -> [Value] {
        var out: [Value] = []
        out.reserveCapacity(items.count &+ 1)
        out.append(head)
        for v in items { out.append(v) }
        return out
    }
}

/// `xs[:i] + xs[i+1:]`: both operands are slices without a step, evaluated in Python's order
/// (the left one's object and bounds, then the right one's). A slice of exactly a list or a
/// tuple with int/None bounds stays a run of its items (the items array is kept, so later
/// evaluation cannot change it), and two runs of the same kind are copied into one result.
/// Anything else is sliced as `.itemSlice` does and added through `binary`.
extension Interpreter {
    private enum SliceOperand {
        case run([Value], Range<Int>, isTuple: Bool)
        case value(Value)
    }

    func sliceConcatenation(_ a: ExprNode, _ b: ExprNode, _ n: ExprNode, _ f: Frame) throws -> Value {
        let l = try sliceOperand(a, f), r = try sliceOperand(b, f)
        if case .run(let x, let rx, let xTuple) = l, case .run(let y, let ry, let yTuple) = r, xTuple == yTuple {
            try checkResultSize(rx.count, ry.count, n, f)
            let items = copiedRuns(x, rx, y, ry)
            return xTuple ? .object(PyTuple(items)) : .object(PyList(items))
        }
        do { return try binary(.add, value(of: l), value(of: r)) } catch { throw wrap(error, n.span, f) }
    }

    private func sliceOperand(_ node: ExprNode, _ f: Frame) throws -> SliceOperand {
        guard case .item(let o, let k) = node.kind, case .slice(let lower, let upper, nil) = k.kind else {
            return .value(try eval(node, f))
        }
        let v = try eval(o, f)
        let start = try lower.map { try eval($0, f) } ?? .none
        let stop = try upper.map { try eval($0, f) } ?? .none
        if case .object(let obj) = v, let (items, isTuple) = Interpreter.exactSequence(obj),
           let lo = Interpreter.plainSliceBound(start), let hi = Interpreter.plainSliceBound(stop) {
            let r = pySliceRange(count: items.count, (lo, hi, nil))
            return .run(items, r.start..<max(r.start, r.stop), isTuple: isTuple)
        }
        return .value(try sliced(v, start, stop, node.span, f))
    }

    private func value(of operand: SliceOperand) -> Value {
        switch operand {
        case .value(let v): return v
        case .run(let items, let r, let isTuple):
            let run = copiedRuns(items, r)
            return isTuple ? .object(PyTuple(run)) : .object(PyList(run))
        }
    }
}

extension ExprNode {
    /// Whether `n` is a slice without a step (`xs[i:j]`, `xs[:j]`, `xs[i:]`).
    static func isPlainSlice(_ n: ExprNode) -> Bool {
        guard case .item(_, let k) = n.kind, case .slice(_, _, nil) = k.kind else { return false }
        return true
    }

    /// The items of a list display without starred items (`[a, b]`), else nil.
    static func plainListDisplay(_ n: ExprNode) -> [ExprNode]? {
        guard case .list(let items) = n.kind, !items.isEmpty else { return nil }
        for item in items { if case .starred = item.kind { return nil } }
        return items
    }
}
