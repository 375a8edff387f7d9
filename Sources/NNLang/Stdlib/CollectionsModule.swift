/// Python's `collections`: `OrderedDict`, `defaultdict` and `Counter` (dicts of another flavor,
/// see `PyDict.Flavor`), `deque`, `namedtuple` and `ChainMap` (ChainMap.swift).
enum CollectionsModule {
    static func module() -> Namespace {
        let c = Namespace("collections")
        c["OrderedDict"] = .object(dictType("OrderedDict", "dict subclass that remembers insertion order (its repr says so).",
                                            "*args, **kwargs", { if case .ordered = $0 { return true }; return false }) { b, ev in
            let d = PyDict()
            d.flavor = .ordered
            try d.update(from: Arguments(b.extraPositional, keywords: b.extraKeywords), ev, function: "OrderedDict")
            return d
        })
        c["defaultdict"] = .object(dictType("defaultdict", "dict whose missing keys get default_factory() as their value.",
                                            "default_factory=None, /, *args, **kwargs",
                                            { if case .defaultDict = $0 { return true }; return false }) { b, ev in
            let factory = b[0]
            guard factory.isNone || isCallable(factory) else { throw PyError(.typeError, "first argument must be callable or None") }
            let d = PyDict()
            d.flavor = .defaultDict(factory)
            try d.update(from: Arguments(b.extraPositional, keywords: b.extraKeywords), ev, function: "defaultdict")
            return d
        })
        c["Counter"] = .object(dictType("Counter", "dict of counts: Counter('abca') counts each item; missing keys count 0.",
                                        "iterable=None, /, **kwds", { if case .counter = $0 { return true }; return false }) { b, ev in
            let d = PyDict()
            d.flavor = .counter
            try d.count(b[0], sign: 1, ev)
            for (k, v) in b.extraKeywords { try d.set(.str(k), try add(d.get(.str(k)) ?? .int(0), v, sign: 1, ev)) }
            return d
        })
        c["deque"] = .object(derivable(HostType("deque", signature: Signature("iterable=(), maxlen=None"),
                                      doc: "A double-ended queue: appends and pops at both ends, optionally bounded by maxlen.",
                                      check: { v in if case .object(let o) = v { return o is PyDeque }; return false },
                                      construct: { a, ev in
            let b = try Signature("iterable=(), maxlen=None").bind(a, "deque")
            let maxlen = try Convert.optionalInt(b[1], "maxlen")
            if let m = maxlen, m < 0 { throw PyError(.valueError, "maxlen must be non-negative") }
            let d = PyDeque(maxlen: maxlen)
            for v in try ev.iterate(b[0]) { d.append(v) }
            return .object(d)
        })))
        c["namedtuple"] = .object(NativeFunction("namedtuple", "typename, field_names, *, rename=False, defaults=None, module=None",
                                                 doc: "A tuple class whose items are also attributes: namedtuple('Point', 'x y').") { b, ev in
            try NamedTupleType.make(b, ev)
        })
        c["ChainMap"] = .object(PyChainMap.type)
        c["abc"] = .object(CollectionsAbc.shared)
        return c
    }

    /// A dict flavor's type: `isinstance` checks the flavor, calling it binds `signature` and builds the dict.
    private static func dictType(_ name: String, _ doc: String, _ signature: String, _ isFlavor: @escaping (PyDict.Flavor) -> Bool,
                                 _ make: @escaping (Bound, Evaluator) throws -> PyDict) -> HostType {
        let sig = Signature(signature)
        return derivable(HostType(name, parent: BuiltinTypes.dict, signature: sig, doc: doc, check: { v in
            if case .object(let d as PyDict) = v { return isFlavor(d.flavor) }
            return false
        }, construct: { a, ev in .object(try make(try sig.bind(a, name), ev)) }))
    }

    /// `t`, which script classes may now derive from (`class Vocab(Counter)`): their instances
    /// carry a `t` made empty and filled by `__init__` (DerivedValueInstance).
    private static func derivable(_ t: HostType) -> HostType {
        t.derivedValueLayout = .filledByInit
        t.instanceMembers = { [unowned t] name, instance, ev in try DerivedValueInstance.baseAttribute(t, name, of: instance, ev) }
        return t
    }

    static func isCallable(_ v: Value) -> Bool {
        switch v {
        case .object(let o): return o is PyType || o is PyFunction || o is NativeFunction || o is BuiltinFunction || o is BoundMethod
            || o is NativeMethod || (o as? PyInstance)?.cls.lookup("__call__") != nil
        case .module: return true
        default: return false
        }
    }

    /// `a + sign * b` for counts (ints or floats).
    static func add(_ a: Value, _ b: Value, sign: Int, _ ev: Evaluator) throws -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = sign > 0 ? x.addingReportingOverflow(y) : x.subtractingReportingOverflow(y)
            guard !o else { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
            return .int(r)
        default:
            let x = try a.asDouble("count"), y = try b.asDouble("count")
            return .float(sign > 0 ? x + y : x - y)
        }
    }
}

extension PyDict {
    /// The flavor's own attributes (`default_factory`, Counter's `most_common` …), or nil.
    func flavorAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch flavor {
        case .defaultDict(let factory):
            return name == "default_factory" ? factory : nil
        case .counter:
            switch name {
            case "most_common":
                return .object(NativeFunction("most_common", "n=None", doc: "The n most common (item, count) pairs, largest first.") { b, ev in
                    var pairs = try self.countsByFrequency(ev)
                    if let n = try Convert.optionalInt(b[0], "n") { pairs = Array(pairs.prefix(Swift.max(0, n))) }
                    return ev.makeList(pairs.map { ev.makeTuple([$0.0, $0.1]) })
                })
            case "elements":
                return .object(NativeFunction("elements", "", doc: "Each item repeated as many times as its count.") { _, ev in
                    var out: [Value] = []
                    for (k, v) in self.items {
                        guard case .int(let n) = v, n > 0 else { continue }
                        guard out.count + n <= MemoryLimit.maxValues else { throw PyError(.memoryError, "") }
                        out.append(contentsOf: repeatElement(k, count: n))
                    }
                    return .object(ArrayIterator(out, kind: "itertools.chain"))
                })
            case "update", "subtract":
                let sign = name == "update" ? 1 : -1
                return .object(NativeFunction(name, "iterable=None, /, **kwds", doc: sign > 0 ? "Adds counts." : "Subtracts counts.") { b, ev in
                    try self.count(b[0], sign: sign, ev)
                    for (k, v) in b.extraKeywords {
                        try self.set(.str(k), try CollectionsModule.add(self.get(.str(k)) ?? .int(0), v, sign: sign, ev))
                    }
                    return .none
                })
            case "total":
                return .object(NativeFunction("total", "", doc: "The sum of the counts.") { _, ev in
                    try self.items.reduce(Value.int(0)) { try CollectionsModule.add($0, $1.1, sign: 1, ev) }
                })
            default: return nil
            }
        default: return nil
        }
    }

    /// Counter's `+`, `-`, `|` (larger count) and `&` (smaller count) with another Counter: key by
    /// key, this Counter's keys first, keeping only positive results (CPython's `Counter.__add__` …).
    func counterBinary(_ op: BinaryOperator, _ other: Value, reflected: Bool, _ ev: Evaluator) throws -> Value? {
        guard case .counter = flavor, !reflected, [.add, .sub, .bitOr, .bitAnd].contains(op),
              case .object(let o as PyDict) = other, case .counter = o.flavor else { return nil }
        let result = PyDict()
        result.flavor = .counter
        for (k, count) in items {
            let theirs = try o.get(k) ?? .int(0)
            let new: Value
            switch op {
            case .add: new = try CollectionsModule.add(count, theirs, sign: 1, ev)
            case .sub: new = try CollectionsModule.add(count, theirs, sign: -1, ev)
            default:
                let smaller = try count.asDouble("count") < theirs.asDouble("count")
                new = (op == .bitOr) == smaller ? theirs : count
            }
            if try new.asDouble("count") > 0 { try result.set(k, new) }
        }
        guard op != .bitAnd else { return .object(result) }
        for (k, count) in o.items where try get(k) == nil {
            let c = try count.asDouble("count")
            if op == .sub, c < 0 { try result.set(k, try CollectionsModule.add(.int(0), count, sign: -1, ev)) }
            if op != .sub, c > 0 { try result.set(k, count) }
        }
        return .object(result)
    }

    /// `+counter` / `-counter`: the positive counts, or the negated negative ones (CPython's
    /// `Counter.__pos__` / `__neg__`, an empty Counter plus or minus this one); nil for any other
    /// dict or operator.
    func counterUnary(_ op: UnaryOperator, _ ev: Evaluator) throws -> Value? {
        guard case .counter = flavor, op == .plus || op == .negate else { return nil }
        let empty = PyDict()
        empty.flavor = .counter
        return try empty.counterBinary(op == .plus ? .add : .sub, .object(self), reflected: false, ev)
    }

    /// Counter == Counter: every key's count equal, a missing key counting 0 (Python 3.10+).
    func counterEquals(_ other: PyDict, _ ev: Evaluator) throws -> Bool {
        for (a, b) in [(self, other), (other, self)] {
            for (k, v) in a.items where !(try valuesEqual(v, try b.get(k) ?? .int(0), ev)) { return false }
        }
        return true
    }

    /// Counter's counting: a mapping adds its counts, any other iterable counts its items.
    func count(_ source: Value, sign: Int, _ ev: Evaluator) throws {
        if source.isNone { return }
        if let pairs = ev.mappingItems(source) {
            for (k, v) in pairs { try set(k, try CollectionsModule.add(get(k) ?? .int(0), v, sign: sign, ev)) }
            return
        }
        for item in try ev.iterate(source) { try set(item, try CollectionsModule.add(get(item) ?? .int(0), .int(1), sign: sign, ev)) }
    }

    /// (item, count) pairs by count, largest first; ties keep insertion order (as `most_common`).
    func countsByFrequency(_ ev: Evaluator) throws -> [(Value, Value)] {
        let pairs = items
        let counts = try pairs.map { try $0.1.asDouble("count") }
        return pairs.indices.sorted { counts[$0] > counts[$1] || (counts[$0] == counts[$1] && $0 < $1) }.map { pairs[$0] }
    }

    /// `Counter({'a': 2, 'b': 1})`, most common first; `Counter()` when empty.
    func counterRepr(_ ev: Evaluator) throws -> String {
        guard count > 0 else { return "Counter()" }
        let parts = try countsByFrequency(ev).map { "\(try ev.repr($0.0)): \(try ev.repr($0.1))" }
        return "Counter({" + parts.joined(separator: ", ") + "})"
    }
}

/// `collections.deque`: a list-backed double-ended queue, bounded by `maxlen` when given (a full
/// deque drops items from the opposite end).
final class PyDeque: PyObject {
    var items: [Value] = []
    let maxlen: Int?

    init(maxlen: Int?) {
        self.maxlen = maxlen
        super.init()
    }

    override var typeName: String { "deque" }

    func append(_ v: Value) {
        items.append(v)
        if let m = maxlen, items.count > m { items.removeFirst(items.count - m) }
    }

    func appendLeft(_ v: Value) {
        items.insert(v, at: 0)
        if let m = maxlen, items.count > m { items.removeLast(items.count - m) }
    }

    override func length(_ ev: Evaluator) throws -> Int? { items.count }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { items }
    override func truthiness(_ ev: Evaluator) throws -> Bool? { !items.isEmpty }
    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? {
        try items.contains { try valuesEqual($0, item, ev) }
    }

    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? {
        guard case .int(var i) = key else { throw PyError(.typeError, "sequence index must be integer, not '\(key.typeName)'") }
        if i < 0 { i += items.count }
        guard i >= 0 && i < items.count else { throw PyError(.indexError, "deque index out of range") }
        return items[i]
    }

    override func setItem(_ key: Value, _ value: Value, _ ev: Evaluator) throws -> Bool {
        guard case .int(var i) = key else { throw PyError(.typeError, "sequence index must be integer, not '\(key.typeName)'") }
        if i < 0 { i += items.count }
        guard i >= 0 && i < items.count else { throw PyError(.indexError, "deque index out of range") }
        items[i] = value
        return true
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        guard case .object(let o as PyDeque) = other, o.items.count == items.count else { return false }
        for (a, b) in zip(items, o.items) where !(try valuesEqual(a, b, ev)) { return false }
        return true
    }

    override func repr(_ ev: Evaluator) throws -> String {
        guard let parts = try reprGuarded(self, ev, { try items.map { try ev.repr($0) } }) else { return "[...]" }
        let body = "deque([" + parts.joined(separator: ", ") + "]"
        return body + (maxlen.map { ", maxlen=\($0))" } ?? ")")
    }

    override func attributeNames() -> [String] {
        ["append", "appendleft", "clear", "copy", "count", "extend", "extendleft", "index", "insert", "maxlen", "pop", "popleft", "remove",
         "reverse", "rotate"]
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        func method(_ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) -> Value {
            .object(NativeFunction(name, signature, doc: doc, body))
        }
        switch name {
        case "maxlen": return maxlen.map { .int($0) } ?? .none
        case "append": return method("x, /", "Adds x at the right end.") { b, _ in self.append(b[0]); return .none }
        case "appendleft": return method("x, /", "Adds x at the left end.") { b, _ in self.appendLeft(b[0]); return .none }
        case "extend": return method("iterable, /", "Appends each item at the right end.") { b, ev in
            for v in try ev.iterate(b[0]) { self.append(v) }
            return .none
        }
        case "extendleft": return method("iterable, /", "Adds each item at the left end (so they end up reversed).") { b, ev in
            for v in try ev.iterate(b[0]) { self.appendLeft(v) }
            return .none
        }
        case "pop": return method("", "Removes and returns the rightmost item.") { _, _ in
            guard let v = self.items.popLast() else { throw PyError(.indexError, "pop from an empty deque") }
            return v
        }
        case "popleft": return method("", "Removes and returns the leftmost item.") { _, _ in
            guard !self.items.isEmpty else { throw PyError(.indexError, "pop from an empty deque") }
            return self.items.removeFirst()
        }
        case "clear": return method("", "Removes every item.") { _, _ in self.items.removeAll(); return .none }
        case "rotate": return method("n=1, /", "Rotates n steps to the right (left when negative).") { b, _ in
            let n = try b[0].asInt("n")
            guard !self.items.isEmpty else { return .none }
            let k = ((n % self.items.count) + self.items.count) % self.items.count
            self.items = Array(self.items.suffix(k) + self.items.prefix(self.items.count - k))
            return .none
        }
        case "reverse": return method("", "Reverses the items in place.") { _, _ in self.items.reverse(); return .none }
        case "count": return method("value, /", "How many items equal value.") { b, ev in
            .int(try self.items.filter { try valuesEqual($0, b[0], ev) }.count)
        }
        case "index": return method("value, start=0, stop=None, /", "The position of the first item equal to value (within start:stop).") { b, ev in
            let n = self.items.count
            func clamp(_ i: Int) -> Int { i < 0 ? Swift.max(0, i + n) : Swift.min(i, n) }
            let start = clamp(try b[1].asInt("start")), stop = clamp(try Convert.optionalInt(b[2], "stop") ?? n)
            if start < stop, let i = try self.items[start..<stop].firstIndex(where: { try valuesEqual($0, b[0], ev) }) { return .int(i) }
            throw PyError(.valueError, "\(try ev.repr(b[0])) is not in deque")
        }
        case "insert": return method("index, value, /", "Inserts value before position index.") { b, _ in
            if let m = self.maxlen, self.items.count >= m { throw PyError(.indexError, "deque already at its maximum size") }
            let n = self.items.count, i = try b[0].asInt("index")
            self.items.insert(b[1], at: i < 0 ? Swift.max(0, i + n) : Swift.min(i, n))
            return .none
        }
        case "copy": return method("", "A shallow copy.") { _, _ in
            let d = PyDeque(maxlen: self.maxlen)
            d.items = self.items
            return .object(d)
        }
        case "remove": return method("value, /", "Removes the first item equal to value.") { b, ev in
            guard let i = try self.items.firstIndex(where: { try valuesEqual($0, b[0], ev) }) else {
                throw PyError(.valueError, "\(try ev.repr(b[0])) is not in deque")
            }
            self.items.remove(at: i)
            return .none
        }
        default: return nil
        }
    }
}

/// A class made by `collections.namedtuple`: calling it binds the fields (with their defaults)
/// and makes a `NamedTupleValue`.
final class NamedTupleType: PyType {
    let fields: [String]
    let fieldSignature: Signature

    init(name: String, fields: [String], fieldSignature: Signature) {
        self.fields = fields
        self.fieldSignature = fieldSignature
        super.init(name: name)
        derivedValueLayout = .madeByNew
    }

    // Script classes derive from it (`class P(namedtuple('P', 'x y'))`): their instances carry
    // the named tuple (DerivedValueInstance), a tuple in the MRO as in CPython.
    override var scriptsMayDerive: Bool { true }
    override var hostBase: PyType? { BuiltinTypes.tuple }
    override func isSubclass(of other: PyType) -> Bool { other === self || BuiltinTypes.tuple.isSubclass(of: other) }
    override func instanceAttribute(_ name: String, of instance: Value, _ ev: Evaluator) throws -> Value? {
        try DerivedValueInstance.baseAttribute(self, name, of: instance, ev)
    }

    static func make(_ b: Bound, _ ev: Evaluator) throws -> Value {
        let made = try make(typename: try b[0].asString("typename"), fields: b[1], rename: try ev.truthy(b[2]), defaults: b[3], ev)
        if case .object(let type as NamedTupleType) = made, case .str(let module) = b[4] { type.moduleName = module }
        return made
    }

    /// `__module__`: the `module=` given, else `__main__` (CPython takes the caller's module).
    var moduleName = "__main__"

    override func repr(_ ev: Evaluator) throws -> String { "<class '\(moduleName).\(name)'>" }

    /// `namedtuple(typename, fields, rename=, defaults=)`; `fields` is a string or an iterable of names.
    static func make(typename: String, fields fieldNames: Value, rename: Bool = false, defaults defaultValues: Value = .none,
                     _ ev: Evaluator) throws -> Value {
        var fields: [String]
        if case .str(let s) = fieldNames {
            fields = s.replacingOccurrences(of: ",", with: " ").split(separator: " ").map(String.init)
        } else {
            fields = try ev.iterate(fieldNames).map { try $0.asString("field_names") }
        }
        var seen = Set<String>()
        for (i, f) in fields.enumerated() {
            let valid = isIdentifier(f) && !f.hasPrefix("_") && !seen.contains(f)
            if !valid && rename { fields[i] = "_\(i)" }
            else if !isIdentifier(f) { throw PyError(.valueError, "Type names and field names must be valid identifiers: \(try ev.repr(.str(f)))") }
            else if f.hasPrefix("_") { throw PyError(.valueError, "Field names cannot start with an underscore: \(try ev.repr(.str(f)))") }
            else if seen.contains(f) { throw PyError(.valueError, "Encountered duplicate field name: \(try ev.repr(.str(f)))") }
            seen.insert(fields[i])
        }
        let defaults = defaultValues.isNone ? [] : try ev.iterate(defaultValues)
        guard defaults.count <= fields.count else { throw PyError(.typeError, "Got more default values than field names") }
        let firstDefault = fields.count - defaults.count
        var parameters: [String] = []
        for (i, f) in fields.enumerated() {
            parameters.append(i >= firstDefault ? "\(f)=None" : f)
        }
        let type = NamedTupleType(name: typename, fields: fields, fieldSignature: Signature(parameters.joined(separator: ", ")))
        type.defaults = defaults
        return .object(type)
    }

    /// The default values of the last fields (`defaults=`), in order.
    var defaults: [Value] = []

    private static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }

    override func isInstance(_ value: Value) -> Bool {
        if case .object(let o as NamedTupleValue) = value { return o.type === self }
        return false
    }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        let b = try fieldSignature.bind(args, "\(name).__new__")
        let firstDefault = fields.count - defaults.count
        let items = b.values.enumerated().map { i, v in b.given[i] || i < firstDefault ? v : defaults[i - firstDefault] }
        return .object(NamedTupleValue(type: self, items: items))
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "_fields": return ev.makeTuple(fields.map { .str($0) })
        case "__module__": return .str(moduleName)
        case "_field_defaults":
            return ev.makeDict(zip(fields.suffix(defaults.count), defaults).map { (.str($0), $1) }, ordered: false)
        case "_make": return .object(NativeFunction("_make", "iterable", doc: "A new instance from an iterable of field values.") { b, ev in
            let items = try ev.iterate(b[0])
            guard items.count == self.fields.count else {
                throw PyError(.typeError, "Expected \(self.fields.count) arguments, got \(items.count)")
            }
            return .object(NamedTupleValue(type: self, items: items))
        })
        default: return try super.getAttribute(name, ev)
        }
    }
}

/// How the tuple `items` orders against `other` (a tuple or a namedtuple of either kind):
/// -1, 0 or 1 by tuple comparison; nil for other values.
func tupleOrder(_ items: [Value], _ other: Value, _ ev: Evaluator) throws -> Int? {
    let theirs: [Value]
    switch other {
    case .object(let o as NamedTupleValue): theirs = o.tuple.items
    case .object(let o as NamedTupleInstance): theirs = o.items
    case .object(let t as PyTuple): theirs = t.items
    default: return nil
    }
    let interpreter = try Interpreter.of(ev)
    let mine = Value.object(PyTuple(items)), their = Value.object(PyTuple(theirs))
    if try ev.truthy(try interpreter.compare(.lt, mine, their)) { return -1 }
    return try ev.truthy(try interpreter.compare(.eq, mine, their)) ? 0 : 1
}

/// An instance of a namedtuple class: a tuple whose items are also attributes.
final class NamedTupleValue: PyObject {
    let type: NamedTupleType
    let tuple: PyTuple

    init(type: NamedTupleType, items: [Value]) {
        self.type = type
        tuple = PyTuple(items)
        super.init()
    }

    override var typeName: String { type.name }
    override func length(_ ev: Evaluator) throws -> Int? { tuple.items.count }
    override func iterate(_ ev: Evaluator) throws -> [Value]? { tuple.items }
    override func truthiness(_ ev: Evaluator) throws -> Bool? { !tuple.items.isEmpty }
    override func getItem(_ key: Value, _ ev: Evaluator) throws -> Value? { try tuple.getItem(key, ev) }
    override func contains(_ item: Value, _ ev: Evaluator) throws -> Bool? { try tuple.contains(item, ev) }
    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        if case .object(let o as NamedTupleValue) = other { return try tuple.equals(.object(o.tuple), ev) }
        return try tuple.equals(other, ev)
    }

    override func order(comparedTo other: Value, _ ev: Evaluator) throws -> Int? { try tupleOrder(tuple.items, other, ev) }

    override func repr(_ ev: Evaluator) throws -> String {
        let parts = try zip(type.fields, tuple.items).map { "\($0)=\(try ev.repr($1))" }
        return "\(type.name)(" + parts.joined(separator: ", ") + ")"
    }

    override func attributeNames() -> [String] { type.fields + ["_asdict", "_fields", "_replace", "count", "index"] }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        if let i = type.fields.firstIndex(of: name) { return tuple.items[i] }
        switch name {
        case "_fields": return ev.makeTuple(type.fields.map { .str($0) })
        case "_asdict": return .object(NativeFunction("_asdict", "", doc: "The fields as a dict.") { _, ev in
            ev.makeDict(zip(self.type.fields, self.tuple.items).map { (.str($0), $1) }, ordered: false)
        })
        case "_replace": return .object(NativeFunction("_replace", "**kwds", doc: "A copy with some fields replaced.") { b, _ in
            var items = self.tuple.items
            for (k, v) in b.extraKeywords {
                guard let i = self.type.fields.firstIndex(of: k) else {
                    throw PyError(.valueError, "Got unexpected field names: ['\(k)']")
                }
                items[i] = v
            }
            return .object(NamedTupleValue(type: self.type, items: items))
        })
        default: return try tuple.getAttribute(name, ev)
        }
    }
}
