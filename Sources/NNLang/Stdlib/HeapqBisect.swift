/// Python's `heapq` and `bisect` modules, with CPython's algorithms (the same sift steps and
/// comparisons, `<` only), so heaps hold their items in CPython's order and ties resolve as there.
enum HeapqBisect {
    static func heapq() -> Namespace {
        let m = Namespace("heapq")
        m["heappush"] = .object(NativeFunction("heappush", "heap, item", doc: "Pushes item onto the heap, keeping the heap invariant.") { b, ev in
            let heap = try list(b[0], "heappush")
            heap.items.append(b[1])
            try siftDown(heap, 0, heap.items.count - 1, Interpreter.of(ev))
            return .none
        })
        m["heappop"] = .object(NativeFunction("heappop", "heap", doc: "Pops the smallest item off the heap.") { b, ev in
            let heap = try list(b[0], "heappop")
            guard let last = heap.items.popLast() else { throw PyError(.indexError, "index out of range") }
            guard !heap.items.isEmpty else { return last }
            let top = heap.items[0]
            heap.items[0] = last
            try siftUp(heap, 0, Interpreter.of(ev))
            return top
        })
        m["heapify"] = .object(NativeFunction("heapify", "heap", doc: "Turns a list into a heap, in place, in linear time.") { b, ev in
            let heap = try list(b[0], "heapify")
            let interp = try Interpreter.of(ev)
            for i in stride(from: heap.items.count / 2 - 1, through: 0, by: -1) { try siftUp(heap, i, interp) }
            return .none
        })
        m["heapreplace"] = .object(NativeFunction("heapreplace", "heap, item", doc: "Pops the smallest item, then pushes item.") { b, ev in
            let heap = try list(b[0], "heapreplace")
            guard !heap.items.isEmpty else { throw PyError(.indexError, "index out of range") }
            let top = heap.items[0]
            heap.items[0] = b[1]
            try siftUp(heap, 0, Interpreter.of(ev))
            return top
        })
        m["heappushpop"] = .object(NativeFunction("heappushpop", "heap, item", doc: "Pushes item, then pops the smallest item (faster than both).") { b, ev in
            let heap = try list(b[0], "heappushpop")
            let interp = try Interpreter.of(ev)
            guard let first = heap.items.first, try less(first, b[1], interp) else { return b[1] }
            heap.items[0] = b[1]
            try siftUp(heap, 0, interp)
            return first
        })
        for (name, largest) in [("nlargest", true), ("nsmallest", false)] {
            m[name] = .object(NativeFunction(name, "n, iterable, key=None",
                                             doc: "The n \(largest ? "largest" : "smallest") items, as sorted(iterable, key=key\(largest ? ", reverse=True" : ""))[:n].") { b, ev in
                let n = try b[0].asInt("n")
                let items = try ev.iterate(b[1])
                // CPython's result equals the stable sort's prefix.
                let sorted = try sortValues(items, key: b[2].isNone ? nil : b[2], reverse: largest, ev)
                return ev.makeList(Array(sorted.prefix(max(0, n))))
            })
        }
        m["merge"] = .object(NativeFunction("merge", "*iterables, key=None, reverse=False",
                                            doc: "The sorted iterables merged into one sorted iterator (ties in argument order; read in full first).") { b, ev in
            // For sorted inputs, CPython's merge equals the stable sort of their concatenation.
            let items = try b.extraPositional.flatMap { try ev.iterate($0) }
            let sorted = try sortValues(items, key: b[1].isNone ? nil : b[1], reverse: try ev.truthy(b[2]), ev)
            return .object(ArrayIterator(sorted, kind: "generator"))
        })
        return m
    }

    static func bisect() -> Namespace {
        let m = Namespace("bisect")
        for (name, right) in [("bisect_left", false), ("bisect_right", true), ("bisect", true)] {
            m[name] = .object(NativeFunction(name, "a, x, lo=0, hi=None, *, key=None",
                                             doc: "Where x goes in the sorted sequence a to keep it sorted (\(right ? "after" : "before") equal items).") { b, ev in
                .int(try position(b, right: right, ev))
            })
        }
        for (name, right) in [("insort_left", false), ("insort_right", true), ("insort", true)] {
            m[name] = .object(NativeFunction(name, "a, x, lo=0, hi=None, *, key=None",
                                             doc: "Inserts x into the sorted list a, keeping it sorted (\(right ? "after" : "before") equal items).") { b, ev in
                let target = try list(b[0], name)
                let keyed = b[4].isNone ? b[1] : try ev.call(b[4], Arguments([b[1]]))
                let i = try position(b, right: right, probe: keyed, ev)
                target.items.insert(b[1], at: min(max(0, i), target.items.count))
                return .none
            })
        }
        return m
    }

    /// CPython's bisect loop over `a[lo:hi]`, comparing `probe` (x, or key(x) for insort) with
    /// key(a[mid]).
    private static func position(_ b: Bound, right: Bool, probe: Value? = nil, _ ev: Evaluator) throws -> Int {
        let interp = try Interpreter.of(ev)
        var lo = try b[2].asInt("lo")
        guard lo >= 0 else { throw PyError(.valueError, "lo must be non-negative") }
        var hi = b[3].isNone ? try interp.length(b[0]) : try b[3].asInt("hi")
        let x = probe ?? b[1]
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            var item = try interp.getItem(b[0], .int(mid))
            if !b[4].isNone { item = try ev.call(b[4], Arguments([item])) }
            if right ? try less(x, item, interp) : !(try less(item, x, interp)) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    private static func list(_ v: Value, _ function: String) throws -> PyList {
        guard case .object(let l as PyList) = v else { throw PyError(.typeError, "\(function)() argument 1 must be list, not \(v.typeName)") }
        return l
    }

    private static func less(_ a: Value, _ b: Value, _ interp: Interpreter) throws -> Bool {
        try interp.truthy(try interp.compare(.lt, a, b))
    }

    /// `heap[i]`, or CPython's error when a comparison (a script's `__lt__`) shrank the list meanwhile.
    private static func item(_ heap: PyList, _ i: Int) throws -> Value {
        guard i >= 0, i < heap.items.count else { throw PyError(.runtimeError, "list changed size during iteration") }
        return heap.items[i]
    }

    private static func store(_ heap: PyList, _ i: Int, _ v: Value) throws {
        guard i >= 0, i < heap.items.count else { throw PyError(.runtimeError, "list changed size during iteration") }
        heap.items[i] = v
    }

    /// CPython's `_siftdown`: moves the item at `pos` up towards `start` while it is smaller than its parent.
    private static func siftDown(_ heap: PyList, _ start: Int, _ position: Int, _ interp: Interpreter) throws {
        var pos = position
        let new = try item(heap, pos)
        while pos > start {
            let parentPos = (pos - 1) >> 1
            let parent = try item(heap, parentPos)
            guard try less(new, parent, interp) else { break }
            try store(heap, pos, parent)
            pos = parentPos
        }
        try store(heap, pos, new)
    }

    /// CPython's `_siftup`: moves the smaller child up until a leaf, then sifts the item down.
    private static func siftUp(_ heap: PyList, _ position: Int, _ interp: Interpreter) throws {
        var pos = position
        let end = heap.items.count
        let new = try item(heap, pos)
        var child = 2 * pos + 1
        while child < end {
            let right = child + 1
            if right < end, !(try less(try item(heap, child), try item(heap, right), interp)) { child = right }
            try store(heap, pos, try item(heap, child))
            pos = child
            child = 2 * pos + 1
        }
        try store(heap, pos, new)
        try siftDown(heap, position, pos, interp)
    }
}
