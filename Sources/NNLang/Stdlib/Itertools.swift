/// Python's `itertools` and `functools`: lazy iterator building blocks (endless ones included) and
/// higher-order helpers, each declared once with CPython's signature.
enum Itertools {
    /// `iter(v)` through the interpreter.
    static func iterator(_ v: Value, _ ev: Evaluator) throws -> PyIterator {
        guard let interp = ev as? Interpreter else { return ArrayIterator(try ev.iterate(v), kind: "iterator") }
        return try interp.makeIterator(v)
    }

    private static func lazy(_ kind: String, _ produce: @escaping () throws -> Value?) -> Value {
        .object(LazyIterator(kind: "itertools.\(kind)", produce))
    }

    /// The index tuples of `product`, `permutations` and `combinations`, in CPython's order, made
    /// one at a time from the previous one.
    private static func indexTuples(_ kind: String, _ pool: [Value], _ ev: Evaluator,
                                    first: [Int]?, advance: @escaping (inout [Int]) -> Bool) -> Value {
        var current = first
        return lazy(kind) {
            guard var c = current else { return nil }
            let out = ev.makeTuple(c.map { pool[$0] })
            current = advance(&c) ? c : nil
            return out
        }
    }

    static func module() -> Namespace {
        let m = Namespace("itertools")
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            m[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        def("count", "start=0, step=1", "start, start + step, start + 2*step, … without end.") { b, ev in
            var next = b[0]
            let step = b[1]
            return lazy("count") {
                let v = next
                next = try CollectionsModule.add(next, step, sign: 1, ev)
                return v
            }
        }
        def("cycle", "iterable, /", "The iterable's items, over and over.") { b, ev in
            let source = try iterator(b[0], ev)
            var saved: [Value] = [], i = 0, exhausted = false
            return lazy("cycle") {
                if !exhausted, let v = try source.next(ev) { saved.append(v); return v }
                exhausted = true
                guard !saved.isEmpty else { return nil }
                defer { i = (i + 1) % saved.count }
                return saved[i]
            }
        }
        def("repeat", "object, times=None", "object again and again (times times, or without end).") { b, _ in
            var left = try Convert.optionalInt(b[1], "times")
            let v = b[0]
            return lazy("repeat") {
                if let l = left { guard l > 0 else { return nil }; left = l - 1 }
                return v
            }
        }
        m["chain"] = .object(ChainType())
        def("islice", "iterable, *args", "islice(it, stop) or islice(it, start, stop[, step]): a lazy slice.") { b, ev in
            let a = b.extraPositional
            guard (1...3).contains(a.count) else { throw PyError(.typeError, "islice expected at most 4 arguments, got \(a.count + 1)") }
            let start = a.count == 1 ? 0 : try Convert.optionalInt(a[0], "start") ?? 0
            let stop = try Convert.optionalInt(a.count == 1 ? a[0] : a[1], "stop")
            let step = a.count == 3 ? try Convert.optionalInt(a[2], "step") ?? 1 : 1
            guard start >= 0, stop.map({ $0 >= 0 }) ?? true else {
                throw PyError(.valueError, "Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.")
            }
            guard step > 0 else { throw PyError(.valueError, "Step for islice() must be a positive integer or None.") }
            let source = try iterator(b[0], ev)
            var position = 0, nextWanted = start
            return lazy("islice") {
                while true {
                    if let s = stop, nextWanted >= s { return nil }
                    guard let v = try source.next(ev) else { return nil }
                    defer { position += 1 }
                    if position == nextWanted { nextWanted += step; return v }
                }
            }
        }
        def("accumulate", "iterable, func=None, *, initial=None", "Running totals (or running func(total, item)).") { b, ev in
            let source = try iterator(b[0], ev)
            let f = b[1]
            var total: Value? = b[2].isNone ? nil : b[2]
            var emittedInitial = b[2].isNone
            return lazy("accumulate") {
                if !emittedInitial { emittedInitial = true; return total }
                guard let v = try source.next(ev) else { return nil }
                if let t = total {
                    total = f.isNone ? try (ev as? Interpreter)?.binary(.add, t, v) ?? CollectionsModule.add(t, v, sign: 1, ev)
                                     : try ev.call(f, Arguments([t, v]))
                } else { total = v }
                return total
            }
        }
        def("zip_longest", "*iterables, fillvalue=None", "Like zip, running to the longest iterable, padding with fillvalue.") { b, ev in
            let sources = try b.extraPositional.map { try iterator($0, ev) }
            var done = [Bool](repeating: false, count: sources.count)
            return lazy("zip_longest") {
                guard !sources.isEmpty else { return nil }
                var items: [Value] = []
                for (i, s) in sources.enumerated() {
                    if !done[i], let v = try s.next(ev) { items.append(v) } else { done[i] = true; items.append(b[1]) }
                }
                return done.allSatisfy { $0 } ? nil : ev.makeTuple(items)
            }
        }
        def("product", "*iterables, repeat=1", "The Cartesian product, as tuples (the last iterable varies fastest).") { b, ev in
            let repeatCount = try b[1].asInt("repeat")
            guard repeatCount >= 0 else { throw PyError(.valueError, "repeat argument cannot be negative") }
            let pools = try b.extraPositional.map { try ev.iterate($0) }
            let all = Array([[[Value]]](repeating: pools, count: repeatCount).joined())
            let flat = Array(all.joined()), offsets = all.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1.count) }
            let sizes = all.map { $0.count }
            let first: [Int]? = sizes.contains(0) ? nil : offsets.dropLast().map { $0 }
            return indexTuples("product", flat, ev, first: first) { c in
                var i = c.count - 1
                while i >= 0 {
                    c[i] += 1
                    if c[i] < offsets[i + 1] { return true }
                    c[i] = offsets[i]
                    i -= 1
                }
                return false
            }
        }
        def("permutations", "iterable, r=None", "Every ordering of r items (all of them by default), as tuples.") { b, ev in
            let pool = try ev.iterate(b[0])
            let n = pool.count, r = try Convert.optionalInt(b[1], "r") ?? n
            guard r >= 0 else { throw PyError(.valueError, "r must be non-negative") }
            // CPython's algorithm: indices plus a countdown of cycles.
            var indices = Array(0..<n), cycles = Array(stride(from: n, to: n - r, by: -1))
            var started = false, finished = r > n
            return lazy("permutations") {
                if finished { return nil }
                if !started { started = true; return ev.makeTuple(indices.prefix(r).map { pool[$0] }) }
                var i = r - 1
                while i >= 0 {
                    cycles[i] -= 1
                    if cycles[i] == 0 {
                        let moved = indices.remove(at: i)
                        indices.append(moved)
                        cycles[i] = n - i
                        i -= 1
                    } else {
                        indices.swapAt(i, n - cycles[i])
                        return ev.makeTuple(indices.prefix(r).map { pool[$0] })
                    }
                }
                finished = true
                return nil
            }
        }
        for (name, withReplacement) in [("combinations", false), ("combinations_with_replacement", true)] {
            def(name, "iterable, r", withReplacement ? "Sorted r-tuples of items, repeats allowed." : "Sorted r-tuples of distinct positions.") { b, ev in
                let pool = try ev.iterate(b[0])
                let n = pool.count, r = try b[1].asInt("r")
                guard r >= 0 else { throw PyError(.valueError, "r must be non-negative") }
                let possible = withReplacement ? (n > 0 || r == 0) : r <= n
                let first: [Int]? = possible ? (withReplacement ? [Int](repeating: 0, count: r) : Array(0..<r)) : nil
                return indexTuples(name, pool, ev, first: first) { c in
                    var i = r - 1
                    while i >= 0 && c[i] == (withReplacement ? n - 1 : i + n - r) { i -= 1 }
                    guard i >= 0 else { return false }
                    c[i] += 1
                    for j in (i + 1)..<r { c[j] = withReplacement ? c[i] : c[j - 1] + 1 }
                    return true
                }
            }
        }
        def("starmap", "function, iterable, /", "function(*args) for each args tuple.") { b, ev in
            let source = try iterator(b[1], ev)
            return lazy("starmap") {
                guard let args = try source.next(ev) else { return nil }
                return try ev.call(b[0], Arguments(try ev.iterate(args)))
            }
        }
        for (name, whileTrue) in [("takewhile", true), ("dropwhile", false)] {
            def(name, "predicate, iterable, /", whileTrue ? "Items while predicate holds." : "Items from the first one predicate rejects on.") { b, ev in
                let source = try iterator(b[1], ev)
                var switched = false
                return lazy(name) {
                    while let v = try source.next(ev) {
                        if switched { return whileTrue ? nil : v }
                        let holds = try ev.truthy(try ev.call(b[0], Arguments([v])))
                        if whileTrue { if holds { return v }; switched = true; return nil }
                        if !holds { switched = true; return v }
                    }
                    return nil
                }
            }
        }
        def("pairwise", "iterable, /", "Overlapping pairs (a, b), (b, c), …") { b, ev in
            let source = try iterator(b[0], ev)
            var previous = try source.next(ev)
            return lazy("pairwise") {
                guard let p = previous, let v = try source.next(ev) else { return nil }
                previous = v
                return ev.makeTuple([p, v])
            }
        }
        def("groupby", "iterable, key=None", "(key, items) for each run of consecutive items with the same key.") { b, ev in
            let items = try ev.iterate(b[0])
            var i = 0
            return lazy("groupby") {
                guard i < items.count else { return nil }
                func key(_ v: Value) throws -> Value { b[1].isNone ? v : try ev.call(b[1], Arguments([v])) }
                let k = try key(items[i])
                var group: [Value] = []
                while i < items.count, try valuesEqual(try key(items[i]), k, ev) { group.append(items[i]); i += 1 }
                return ev.makeTuple([k, .object(ArrayIterator(group, kind: "itertools._grouper"))])
            }
        }
        def("compress", "data, selectors", "The items of data whose selector is true.") { b, ev in
            let data = try iterator(b[0], ev), selectors = try iterator(b[1], ev)
            return lazy("compress") {
                while let v = try data.next(ev), let keep = try selectors.next(ev) {
                    if try ev.truthy(keep) { return v }
                }
                return nil
            }
        }
        def("filterfalse", "function, iterable, /", "The items for which function is false (the false items when function is None).") { b, ev in
            let source = try iterator(b[1], ev)
            return lazy("filterfalse") {
                while let v = try source.next(ev) {
                    if !(try ev.truthy(b[0].isNone ? v : try ev.call(b[0], Arguments([v])))) { return v }
                }
                return nil
            }
        }
        def("tee", "iterable, n=2, /", "n independent iterators over one iterable (items are buffered until every copy has them).") { b, ev in
            let n = try b[1].asInt("n")
            guard n >= 0 else { throw PyError(.valueError, "n must be >= 0") }
            let source = try iterator(b[0], ev)
            final class Buffer { var items: [Value] = []; var offset = 0; var positions: [Int] = [] }
            let shared = Buffer()
            shared.positions = [Int](repeating: 0, count: n)
            return ev.makeTuple((0..<n).map { copy in
                .object(LazyIterator(kind: "itertools._tee") {
                    let at = shared.positions[copy]
                    if at - shared.offset == shared.items.count {
                        guard let v = try source.next(ev) else { return nil }
                        shared.items.append(v)
                    }
                    let v = shared.items[at - shared.offset]
                    shared.positions[copy] = at + 1
                    // Drop what every copy has read.
                    let low = shared.positions.min() ?? 0
                    if low - shared.offset > 64 { shared.items.removeFirst(low - shared.offset); shared.offset = low }
                    return v
                })
            })
        }
        return m
    }

    /// The items of each iterable `nextSource` gives (nil at the end), in turn.
    fileprivate static func chained(_ nextSource: @escaping () throws -> Value?, _ ev: Evaluator) -> Value {
        var current: PyIterator? = nil
        return lazy("chain") {
            while true {
                if let c = current, let v = try c.next(ev) { return v }
                guard let source = try nextSource() else { return nil }
                current = try iterator(source, ev)
            }
        }
    }
}

/// `itertools.chain`: called with iterables (`chain(a, b)`), or `chain.from_iterable(it)`, which
/// takes the iterables lazily from one iterable.
private final class ChainType: PyObject {
    private static let signature = Signature("*iterables")
    private static let fromIterable = NativeFunction("from_iterable", "iterable, /",
                                                     doc: "The items of each iterable the argument gives, in turn (lazily).") { b, ev in
        let outer = try Itertools.iterator(b[0], ev)
        return Itertools.chained({ try outer.next(ev) }, ev)
    }

    override var typeName: String { "type" }
    override func repr(_ ev: Evaluator) throws -> String { "<class 'itertools.chain'>" }
    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        var sources = try Self.signature.bind(args, "chain").extraPositional.makeIterator()
        return Itertools.chained({ sources.next() }, ev)
    }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "from_iterable": return .object(Self.fromIterable)
        case "__name__": return .str("chain")
        default: return nil
        }
    }
    override func attributeNames() -> [String] { ["from_iterable"] }
}
