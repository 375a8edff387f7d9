/// Base of Python iterator objects (`iter(x)`, `zip(...)`, generator expressions …).
class PyIterator: PyObject {
    /// The next item, or nil when exhausted.
    func next(_ ev: Evaluator) throws -> Value? { nil }

    /// The next item for `for a, b in …`: iterators whose items are pairs they build
    /// (enumerate, zip of two) hand over the two parts without making the tuple; the rest
    /// hand over the item for the loop to unpack.
    func nextPair(_ ev: Evaluator) throws -> PairStep {
        guard let v = try next(ev) else { return .end }
        return .item(v)
    }

    override func iterate(_ ev: Evaluator) throws -> [Value]? {
        var out: [Value] = []
        let limit = MemoryLimit.maxValues
        while let v = try next(ev) {
            if out.count >= limit { throw PyError(.memoryError, "") }
            out.append(v)
        }
        return out
    }

    override func repr(_ ev: Evaluator) throws -> String { "<\(typeName) object at \(addressString(self))>" }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "__next__":
            return builtinMethod(name) { _, ev in
                guard let v = try self.next(ev) else { throw PyError(.stopIteration, "") }
                return v
            }
        case "__iter__": return builtinMethod(name) { _, _ in .object(self) }
        default: return nil
        }
    }
}

/// Iterates a fixed array of items (tuples, dict snapshots, `reversed`, host iterables).
final class ArrayIterator: PyIterator {
    let items: [Value]
    var position = 0
    let kind: String

    init(_ items: [Value], kind: String) {
        self.items = items
        self.kind = kind
        super.init()
    }

    override var typeName: String { kind }

    override func next(_ ev: Evaluator) throws -> Value? {
        guard position < items.count else { return nil }
        position += 1
        return items[position - 1]
    }

    override func repr(_ ev: Evaluator) throws -> String {
        kind == "generator" ? "<generator object <genexpr> at \(addressString(self))>" : try super.repr(ev)
    }
}

/// An iterator computing each item on demand (`zip`, `map`, `filter`, `enumerate`, which are
/// lazy as in Python, so they work on endless generators and interleave their side effects).
final class LazyIterator: PyIterator {
    let kind: String
    private let produce: () throws -> Value?
    private var exhausted = false

    init(kind: String, _ produce: @escaping () throws -> Value?) {
        self.kind = kind
        self.produce = produce
        super.init()
    }

    override var typeName: String { kind }

    override func next(_ ev: Evaluator) throws -> Value? {
        if exhausted { return nil }
        guard let v = try produce() else {
            exhausted = true
            return nil
        }
        return v
    }
}

/// Iterates a list live (items appended during the loop are seen, as in Python).
final class ListIterator: PyIterator {
    let list: PyList
    var position = 0

    init(_ list: PyList) {
        self.list = list
        super.init()
    }

    override var typeName: String { "list_iterator" }

    override func next(_ ev: Evaluator) throws -> Value? {
        guard position < list.items.count else { return nil }
        position += 1
        return list.items[position - 1]
    }
}

/// Iterates a range lazily.
final class RangeIterator: PyIterator {
    var current: Int
    let stop: Int
    let step: Int

    init(_ r: PyRange) {
        current = r.start
        stop = r.stop
        step = r.step
        super.init()
    }

    override var typeName: String { "range_iterator" }

    override func next(_ ev: Evaluator) throws -> Value? {
        nextInt().map { .int($0) }
    }

    /// The next number, nil when the range is exhausted.
    @inline(__always)
    func nextInt() -> Int? {
        guard step > 0 ? current < stop : current > stop else { return nil }
        let v = current
        let (n, overflow) = current.addingReportingOverflow(step)
        current = overflow ? stop : n
        return v
    }
}

/// A script object's iterator: calls its `__next__` until StopIteration.
final class ProtocolIterator: PyIterator {
    let nextMethod: Value

    init(nextMethod: Value) {
        self.nextMethod = nextMethod
        super.init()
    }

    override var typeName: String { "iterator" }

    override func next(_ ev: Evaluator) throws -> Value? {
        do {
            return try ev.call(nextMethod, Arguments())
        } catch let e as ScriptError where e.exception.cls.isSubclass(of: ExceptionClasses.stopIteration) {
            return nil
        } catch let e as PyError where e.kind == .stopIteration {
            return nil
        }
    }
}

/// Python's `range`.
public final class PyRange: PyObject {
    public let start: Int, stop: Int, step: Int

    init(start: Int, stop: Int, step: Int) {
        self.start = start
        self.stop = stop
        self.step = step
        super.init()
    }

    public override var typeName: String { "range" }

    /// The number of items. Saturates at Int.max for the few ranges longer than that
    /// (`range(-2**63, 2**63-1)`), whose `len()` is an OverflowError as in Python.
    public var count: Int { exactCount ?? .max }

    /// The number of items, nil when it exceeds Int.max. The span is computed in UInt: the
    /// distance between two Ints always fits there, never in Int.
    private var exactCount: Int? {
        guard step > 0 ? start < stop : start > stop else { return 0 }
        let span = step > 0 ? UInt(bitPattern: stop &- start) : UInt(bitPattern: start &- stop)
        return Int(exactly: (span - 1) / step.magnitude + 1)
    }

    func item(_ i: Int) -> Int { start &+ i &* step }

    public override func length(_ ev: Evaluator) throws -> Int? {
        guard let n = exactCount else { throw PyError(.overflowError, "Python int too large to convert to C ssize_t") }
        return n
    }
    public override func iterate(_ ev: Evaluator) throws -> [Value]? {
        try MemoryLimit.checkValues(count)
        return (0..<count).map { .int(item($0)) }
    }
    public override func truthiness(_ ev: Evaluator) throws -> Bool? { count > 0 }

    public override func repr(_ ev: Evaluator) throws -> String {
        step == 1 ? "range(\(start), \(stop))" : "range(\(start), \(stop), \(step))"
    }

    public override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        if let b = try ev.sliceBounds(key) {
            let r = pySliceRange(count: count, b)
            return .object(PyRange(start: item(r.start), stop: item(r.stop), step: step &* r.step))
        }
        return .int(item(try sequenceIndex(key, count: count, type: "range object")))
    }

    public override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .int(let i) = item else { return nil }
        if step > 0 ? (i < start || i >= stop) : (i > start || i <= stop) { return false }
        let offset = step > 0 ? UInt(bitPattern: i &- start) : UInt(bitPattern: start &- i)
        return offset % step.magnitude == 0
    }

    public override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .object(let o) = other, let r = o as? PyRange else { return false }
        return (try iterate(ev) ?? []).count == r.count && start == r.start && (count <= 1 || step == r.step)
    }

    public override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "start": return .int(start)
        case "stop": return .int(stop)
        case "step": return .int(step)
        default: return nil
        }
    }
}

/// Python's `slice` object (`a[1:5:2]`).
public final class PySlice: PyObject {
    public let lower: Value, upper: Value, step: Value

    public init(_ lower: Value, _ upper: Value, _ step: Value) {
        self.lower = lower
        self.upper = upper
        self.step = step
        super.init()
    }

    public override var typeName: String { "slice" }

    public override func repr(_ ev: Evaluator) throws -> String {
        "slice(\(try ev.repr(lower)), \(try ev.repr(upper)), \(try ev.repr(step)))"
    }

    public override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "start": return lower
        case "stop": return upper
        case "step": return step
        case "indices":
            return builtinMethod(name) { a, ev in
                let length = try (try a.bind("indices", ["len"], required: 1)[0] ?? .none).asInt("len")
                let r = try self.indices(length)
                return ev.makeTuple([.int(r.start), .int(r.stop), .int(r.step)])
            }
        default: return nil
        }
    }

    /// `slice.indices(length)`: the start, stop and step `range` needs for a sequence of that
    /// length, clamped as CPython's `PySlice_GetIndicesEx`.
    func indices(_ length: Int) throws -> (start: Int, stop: Int, step: Int) {
        guard length >= 0 else { throw PyError(.valueError, "length should not be negative") }
        let b = try bounds()
        let step = b.step ?? 1
        func clamp(_ v: Int?, default d: Int) -> Int {
            guard var i = v else { return d }
            if i < 0 {
                i += length
                if i < 0 { i = step < 0 ? -1 : 0 }
            } else if i >= length {
                i = step < 0 ? length - 1 : length
            }
            return i
        }
        return (clamp(b.start, default: step < 0 ? length - 1 : 0), clamp(b.stop, default: step < 0 ? -1 : length), step)
    }

    /// The bounds as ints (None → nil); TypeError for other types, ValueError for step 0.
    func bounds() throws -> (start: Int?, stop: Int?, step: Int?) {
        func int(_ v: Value) throws -> Int? {
            if v.isNone { return nil }
            if case .float = v { throw PyError(.typeError, "slice indices must be integers or None or have an __index__ method") }
            do { return try v.asInt() } catch {
                throw PyError(.typeError, "slice indices must be integers or None or have an __index__ method")
            }
        }
        let s = try int(step)
        if s == 0 { throw PyError(.valueError, "slice step cannot be zero") }
        return (try int(lower), try int(upper), s)
    }
}

/// The `...` singleton.
public final class PyEllipsis: PyObject {
    public static let shared = PyEllipsis()
    public override var typeName: String { "ellipsis" }
    public override func repr(_ ev: Evaluator) throws -> String { "Ellipsis" }
}

/// `0x…` address of an object, for default reprs.
func addressString(_ o: AnyObject) -> String {
    "0x" + String(UInt(bitPattern: ObjectIdentifier(o)), radix: 16).leftPadded(to: 12)
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

/// Iterates a dict (or one of its views) live, by entry position, with CPython's checks: a
/// change of size since the iterator was made raises "dictionary changed size during iteration"
/// (sticky, as CPython's), and more entries than the size promised raise "dictionary keys
/// changed during iteration". An OrderedDict says "OrderedDict mutated during iteration".
final class DictIterator: PyIterator {
    private var dict: PyDict?
    private let kind: PyDictView.Kind
    private let ordered: Bool
    private var expectedCount: Int
    private var remaining: Int
    private var position = 0

    init(_ dict: PyDict, _ kind: PyDictView.Kind) {
        self.dict = dict
        self.kind = kind
        ordered = dict.ordered
        expectedCount = dict.count
        remaining = dict.count
        super.init()
    }

    override var typeName: String {
        if ordered { return "odict_iterator" }
        switch kind {
        case .keys: return "dict_keyiterator"
        case .values: return "dict_valueiterator"
        case .items: return "dict_itemiterator"
        }
    }

    override func next(_ ev: Evaluator) throws -> Value? {
        guard let (key, value) = try advance() else { return nil }
        switch kind {
        case .keys: return key
        case .values: return value
        case .items: return .object(PyTuple([key, value]))
        }
    }

    /// `for k, v in d.items()`: the key and value without the tuple.
    override func nextPair(_ ev: Evaluator) throws -> PairStep {
        guard kind == .items else { return try super.nextPair(ev) }
        guard let (key, value) = try advance() else { return .end }
        return .pair(key, value)
    }

    /// The next entry, nil at the end; raises when the dict changed size meanwhile.
    private func advance() throws -> (Value, Value)? {
        guard let d = dict else { return nil }
        guard d.count == expectedCount else {
            expectedCount = -1
            throw PyError(.runtimeError, ordered ? "OrderedDict mutated during iteration" : "dictionary changed size during iteration")
        }
        guard let (key, value, at) = d.entry(from: position) else {
            dict = nil
            return nil
        }
        guard remaining > 0 else {
            dict = nil
            throw PyError(.runtimeError, ordered ? "OrderedDict mutated during iteration" : "dictionary keys changed during iteration")
        }
        position = at + 1
        remaining -= 1
        return (key, value)
    }
}

/// Iterates a set in its slot order, raising "Set changed size during iteration" (sticky)
/// when its size changes meanwhile, as CPython does.
final class SetIterator: PyIterator {
    private let set: PySet
    private let items: [Value]
    private var expectedCount: Int
    private var position = 0

    init(_ set: PySet) {
        self.set = set
        items = set.items
        expectedCount = set.count
        super.init()
    }

    override var typeName: String { "set_iterator" }

    override func next(_ ev: Evaluator) throws -> Value? {
        guard set.count == expectedCount else {
            expectedCount = -1
            throw PyError(.runtimeError, "Set changed size during iteration")
        }
        guard position < items.count else { return nil }
        position += 1
        return items[position - 1]
    }
}

/// One step of `PyIterator.nextPair`.
enum PairStep {
    case pair(Value, Value)
    case item(Value)
    case end
}

/// `enumerate(iterable, start)`.
final class EnumerateIterator: PyIterator {
    private let source: PyIterator
    private var count: Int
    private var overflowed = false

    init(_ source: PyIterator, start: Int) {
        self.source = source
        self.count = start
        super.init()
    }

    override var typeName: String { "enumerate" }

    override func next(_ ev: Evaluator) throws -> Value? {
        guard case .pair(let n, let v) = try nextPair(ev) else { return nil }
        return .object(PyTuple([n, v]))
    }

    override func nextPair(_ ev: Evaluator) throws -> PairStep {
        guard let v = try source.next(ev) else { return .end }
        if overflowed { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
        let n = count
        (count, overflowed) = count.addingReportingOverflow(1)
        return .pair(.int(n), v)
    }
}

/// `zip(*iterables, strict=False)`.
final class ZipIterator: PyIterator {
    private let sources: [PyIterator]
    private let strict: Bool
    private var done: Bool

    init(_ sources: [PyIterator], strict: Bool) {
        self.sources = sources
        self.strict = strict
        self.done = sources.isEmpty
        super.init()
    }

    override var typeName: String { "zip" }

    override func next(_ ev: Evaluator) throws -> Value? {
        if done { return nil }
        var items: [Value] = []
        items.reserveCapacity(sources.count)
        for (k, it) in sources.enumerated() {
            guard let v = try it.next(ev) else { return try end(at: k, ev) }
            items.append(v)
        }
        return .object(PyTuple(items))
    }

    override func nextPair(_ ev: Evaluator) throws -> PairStep {
        guard sources.count == 2 else { return try super.nextPair(ev) }
        if done { return .end }
        guard let a = try sources[0].next(ev) else { return try end(at: 0, ev) ?? .end }
        guard let b = try sources[1].next(ev) else { return try end(at: 1, ev) ?? .end }
        return .pair(a, b)
    }

    /// Source `k` is exhausted: the zip ends (nil), after `strict`'s length check.
    private func end<T>(at k: Int, _ ev: Evaluator) throws -> T? {
        done = true
        guard strict else { return nil }
        if k > 0 { throw PyError(.valueError, "zip() argument \(k + 1) is shorter than argument\(k == 1 ? "" : "s") 1\(k == 1 ? "" : "-\(k)")") }
        for (j, other) in sources.enumerated().dropFirst() where try other.next(ev) != nil {
            throw PyError(.valueError, "zip() argument \(j + 1) is longer than argument\(j == 1 ? "" : "s") 1\(j == 1 ? "" : "-\(j)")")
        }
        return nil
    }
}
