import TensorRuntime

/// Python's `tuple`: an immutable sequence.
public final class PyTuple: PyObject {
    public private(set) var items: [Value]

    /// `()`: one shared instance, as CPython's (`() is ()`; an empty `*args`).
    static let empty = PyTuple([])

    public init(_ items: [Value]) {
        self.items = items
        super.init()
    }

    deinit { if !items.isEmpty { DeferredRelease.release(&items, to: []) } }

    public override var typeName: String { "tuple" }
    public override func length(_ ev: Evaluator) throws -> Int? { items.count }
    public override func iterate(_ ev: Evaluator) throws -> [Value]? { items }
    public override func truthiness(_ ev: Evaluator) throws -> Bool? { !items.isEmpty }

    public override func repr(_ ev: Evaluator) throws -> String {
        let parts = try reprGuarded(self, ev) { try items.map { try ev.repr($0) } }
        guard let parts else { return "(...)" }
        return parts.count == 1 ? "(\(parts[0]),)" : "(" + parts.joined(separator: ", ") + ")"
    }

    public override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        if let bounds = try ev.sliceBounds(key) {
            return .object(PyTuple(pySliceItems(items, bounds)))
        }
        return items[try sequenceIndex(key, count: items.count, type: "tuple")]
    }

    public override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .object(let o) = other, let t = o as? PyTuple else { return other.carriedValue == nil ? false : nil }
        return try sequencesEqual(items, t.items, ev)
    }

    public override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        try sequenceContains(items, item, ev)
    }

    public override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "index": return builtinMethod(name) { a, ev in try sequenceIndexMethod(self.items, a, "tuple", ev) }
        case "count": return builtinMethod(name) { a, ev in try sequenceCountMethod(self.items, a, ev) }
        default: return nil
        }
    }

    public override func attributeNames() -> [String] { ["count", "index"] }
}

/// Python's `list`: a mutable sequence.
public final class PyList: PyObject {
    public var items: [Value]

    public init(_ items: [Value] = []) {
        self.items = items
        super.init()
    }

    deinit { if !items.isEmpty { DeferredRelease.release(&items, to: []) } }

    public override var typeName: String { "list" }
    public override func length(_ ev: Evaluator) throws -> Int? { items.count }
    public override func iterate(_ ev: Evaluator) throws -> [Value]? { items }
    public override func truthiness(_ ev: Evaluator) throws -> Bool? { !items.isEmpty }

    public override func repr(_ ev: Evaluator) throws -> String {
        let parts = try reprGuarded(self, ev) { try items.map { try ev.repr($0) } }
        guard let parts else { return "[...]" }
        return "[" + parts.joined(separator: ", ") + "]"
    }

    public override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        if let bounds = try ev.sliceBounds(key) {
            return .object(PyList(pySliceItems(items, bounds)))
        }
        return items[try sequenceIndex(key, count: items.count, type: "list")]
    }

    public override func setItem(_ key: Value, _ value: Value, _ ev: Evaluator) throws -> Bool {
        if let bounds = try ev.sliceBounds(key) {
            let newItems = try ev.iterate(value)
            let r = pySliceRange(count: items.count, bounds)
            if r.step == 1 {
                let lo = r.start, hi = max(r.start, r.stop)
                items.replaceSubrange(lo..<hi, with: newItems)
            } else {
                let idx = pySliceIndices(count: items.count, bounds)
                guard idx.count == newItems.count else {
                    throw PyError(.valueError, "attempt to assign sequence of size \(newItems.count) to extended slice of size \(idx.count)")
                }
                for (i, v) in zip(idx, newItems) { items[i] = v }
            }
            return true
        }
        items[try sequenceIndex(key, count: items.count, type: "list", assignment: true)] = value
        return true
    }

    public override func deleteItem(_ key: Value, _ ev: Evaluator) throws -> Bool {
        if let bounds = try ev.sliceBounds(key) {
            let idx = Set(pySliceIndices(count: items.count, bounds))
            items = items.enumerated().filter { !idx.contains($0.offset) }.map(\.element)
            return true
        }
        items.remove(at: try sequenceIndex(key, count: items.count, type: "list", assignment: true))
        return true
    }

    public override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .object(let o) = other, let l = o as? PyList else { return other.carriedValue == nil ? false : nil }
        return try sequencesEqual(items, l.items, ev)
    }

    public override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        try sequenceContains(items, item, ev)
    }

    public override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        guard let body = PyList.methods[name] else { return nil }
        return builtinMethod(name) { a, ev in try body(self, a, ev) }
    }

    public override func callMethod(_ name: String, _ args: Arguments, _ ev: Evaluator) throws -> Value? {
        guard let body = PyList.methods[name] else { return nil }
        return try body(self, args, ev)
    }

    public override func attributeNames() -> [String] { PyList.methods.keys.sorted() }

    static let methods: [String: (PyList, Arguments, Evaluator) throws -> Value] = [
        "append": { l, a, _ in
            guard a.keywords.isEmpty else { throw PyError(.typeError, "list.append() takes no keyword arguments") }
            guard a.positional.count == 1 else {
                throw PyError(.typeError, "list.append() takes exactly one argument (\(a.positional.count) given)")
            }
            try MemoryLimit.checkGrowth(l.items)
            l.items.append(a.positional[0])
            return .none
        },
        "extend": { l, a, ev in
            let s = try a.bind("list.extend", ["iterable"], required: 1)
            let added = try ev.iterate(s[0] ?? .none)
            try MemoryLimit.checkSum(l.items.count, added.count, itemBytes: MemoryLayout<Value>.stride)
            l.items.append(contentsOf: added); return .none
        },
        "insert": { l, a, _ in
            let s = try a.bind("insert", ["index", "object"], required: 2)
            var i = try (s[0] ?? .none).asInt()
            if i < 0 { i = max(0, i + l.items.count) }
            l.items.insert(s[1] ?? .none, at: min(i, l.items.count)); return .none
        },
        "pop": { l, a, _ in
            let s = try a.bind("pop", ["index"])
            guard !l.items.isEmpty else { throw PyError(.indexError, "pop from empty list") }
            var i = try s[0].map { try $0.asInt() } ?? -1
            if i < 0 { i += l.items.count }
            guard i >= 0 && i < l.items.count else { throw PyError(.indexError, "pop index out of range") }
            return l.items.remove(at: i)
        },
        "remove": { l, a, ev in
            let s = try a.bind("list.remove", ["value"], required: 1)
            for (i, v) in l.items.enumerated() where try valuesEqual(v, s[0] ?? .none, ev) {
                l.items.remove(at: i); return .none
            }
            throw PyError(.valueError, "list.remove(x): x not in list")
        },
        "index": { l, a, ev in try sequenceIndexMethod(l.items, a, "list", ev) },
        "count": { l, a, ev in try sequenceCountMethod(l.items, a, ev) },
        "reverse": { l, a, _ in _ = try a.bind("reverse", []); l.items.reverse(); return .none },
        "copy": { l, a, _ in _ = try a.bind("copy", []); return .object(PyList(l.items)) },
        "clear": { l, a, _ in _ = try a.bind("clear", []); l.items.removeAll(); return .none },
        "sort": { l, a, ev in
            guard a.positional.isEmpty else { throw PyError(.typeError, "sort() takes no positional arguments") }
            let s = try a.bind("sort", ["key", "reverse"])
            let reverse = try s[1].map { try ev.truthy($0) } ?? false
            // As CPython: the list is empty while its items sort, so a key function that looks
            // at it sees [], and one that changes it makes the sort fail (the sorted items win).
            let saved = l.items
            l.items = []
            let sorted: [Value]
            do { sorted = try sortValues(saved, key: s[0], reverse: reverse, ev) } catch {
                l.items = saved
                throw error
            }
            let modified = !l.items.isEmpty || l.items.capacity > 0
            l.items = sorted
            if modified { throw PyError(.valueError, "list modified during sort") }
            return .none
        },
    ]
}

// MARK: - Shared sequence helpers

/// A bound method of a built-in object.
func builtinMethod(_ name: String, _ body: @escaping (Arguments, Evaluator) throws -> Value) -> Value {
    .object(BuiltinFunction(name, body))
}

/// Normalises a (possibly negative) index; IndexError `list index out of range` otherwise.
func sequenceIndex(_ key: Value, count: Int, type: String, assignment: Bool = false) throws -> Int {
    let i: Int
    switch key {
    case .int(let v): i = v
    case .bool(let b): i = b ? 1 : 0
    case .tensor(let t) where t.numel == 1 && !t.dtype.isFloatingPoint: i = try key.asInt()
        _ = t
    default:
        // An int subclass's instance indexes as its int.
        if case .int? = key.carriedValue, let v = key.carriedValue {
            return try sequenceIndex(v, count: count, type: type, assignment: assignment)
        }
        throw PyError(.typeError, "\(type) indices must be integers or slices, not \(key.typeName)")
    }
    let j = i < 0 ? i + count : i
    guard j >= 0 && j < count else {
        throw PyError(.indexError, "\(type) \(assignment ? "assignment " : "")index out of range")
    }
    return j
}

/// Python's `slice.indices(count)`.
func pySliceRange(count: Int, _ b: (start: Int?, stop: Int?, step: Int?)) -> (start: Int, stop: Int, step: Int) {
    let step = b.step ?? 1
    func clamp(_ v: Int?, _ dflt: Int, lo: Int, hi: Int) -> Int {
        guard var x = v else { return dflt }
        if x < 0 { x += count; if x < lo { x = lo } } else if x > hi { x = hi }
        return x
    }
    if step > 0 {
        return (clamp(b.start, 0, lo: 0, hi: count), clamp(b.stop, count, lo: 0, hi: count), step)
    }
    return (clamp(b.start, count - 1, lo: -1, hi: count - 1), clamp(b.stop, -1, lo: -1, hi: count - 1), step)
}

func pySliceIndices(count: Int, _ b: (start: Int?, stop: Int?, step: Int?)) -> [Int] {
    let r = pySliceRange(count: count, b)
    guard r.step != 0 else { return [] }
    return Array(stride(from: r.start, to: r.stop, by: r.step))
}

func pySliceItems<T>(_ items: [T], _ b: (start: Int?, stop: Int?, step: Int?)) -> [T] {
    let r = pySliceRange(count: items.count, b)
    // A step of 1 (`xs[a:b]`, the common slice) copies the run in one go; `pySliceRange`
    // clamps both ends into 0...count.
    if r.step == 1 { return r.start < r.stop ? copiedRuns(items, r.start..<r.stop) : [] }
    guard r.step != 0 else { return [] }
    return stride(from: r.start, to: r.stop, by: r.step).map { items[$0] }
}

/// `Array(a[ra]) + b[rb]` in one allocation, the items copied by code specialised for `T`:
/// `Array(slice)` copies through the runtime's generic copy (a value-witness call per item),
/// and `Array(unsafeUninitializedCapacity:)` looks up the storage's generic metadata per call.
@inline(__always)
func copiedRuns<T>(_ a: [T], _ ra: Range<Int>, _ b: [T] = [], _ rb: Range<Int> = 0..<0) -> [T] {
    var out: [T] = []
    out.reserveCapacity(ra.count &+ rb.count)
    for i in ra { out.append(a[i]) }
    for i in rb { out.append(b[i]) }
    return out
}

func sequencesEqual(_ a: [Value], _ b: [Value], _ ev: Evaluator) throws -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) where !(try valuesEqual(x, y, ev)) { return false }
    return true
}

func sequenceContains(_ items: [Value], _ item: Value, _ ev: Evaluator) throws -> Bool {
    for v in items where try valuesEqual(v, item, ev) { return true }
    return false
}

func sequenceIndexMethod(_ items: [Value], _ a: Arguments, _ type: String, _ ev: Evaluator) throws -> Value {
    let s = try a.bind("index", ["value", "start", "stop"], required: 1)
    let r = pySliceRange(count: items.count, (try s[1].map { try $0.asInt() }, try s[2].map { try $0.asInt() }, 1))
    var i = r.start
    while i < r.stop {
        if try valuesEqual(items[i], s[0] ?? .none, ev) { return .int(i) }
        i += 1
    }
    throw PyError(.valueError, type == "list" ? "\(try ev.repr(s[0] ?? .none)) is not in list" : "tuple.index(x): x not in tuple")
}

func sequenceCountMethod(_ items: [Value], _ a: Arguments, _ ev: Evaluator) throws -> Value {
    let s = try a.bind("count", ["value"], required: 1)
    return .int(try items.filter { try valuesEqual($0, s[0] ?? .none, ev) }.count)
}

/// Guards recursive reprs (`l.append(l)` prints `[[...]]`); nil when already being printed.
func reprGuarded<T>(_ o: PyObject, _ ev: Evaluator, _ body: () throws -> T) throws -> T? {
    let id = ObjectIdentifier(o)
    guard !ReprGuard.active.contains(id) else { return nil }
    ReprGuard.active.insert(id)
    defer { ReprGuard.active.remove(id) }
    return try recursionGuarded(ev, " while getting the repr of an object", body)
}

enum ReprGuard {
    nonisolated(unsafe) static var active = Set<ObjectIdentifier>()
}
