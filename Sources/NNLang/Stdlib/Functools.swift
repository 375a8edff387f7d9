/// Python's `functools`: `partial`, `reduce`, `lru_cache` / `cache` (memoising on hashable
/// arguments), `wraps` / `update_wrapper`, `total_ordering`, `cmp_to_key` and `cached_property`,
/// declared once each.
enum Functools {
    static func module() -> Namespace {
        let m = Namespace("functools")
        m["partial"] = .object(NativeFunction("partial", "func, /, *args, **keywords",
                                              doc: "func with some arguments fixed: partial(f, 1)(2) is f(1, 2).") { b, _ in
            .object(PartialFunction(function: b[0], arguments: b.extraPositional, keywords: b.extraKeywords))
        })
        m["reduce"] = .object(NativeFunction("reduce", "function, iterable, initial=None, /",
                                             doc: "Folds the items from the left: reduce(f, [a, b, c]) is f(f(a, b), c).") { b, ev in
            var items = try ev.iterate(b[1])[...]
            var total: Value
            if b.given[2] { total = b[2] } else {
                guard let first = items.popFirst() else { throw PyError(.typeError, "reduce() of empty iterable with no initial value") }
                total = first
            }
            for v in items { total = try ev.call(b[0], Arguments([total, v])) }
            return total
        })
        let cacheDoc = "Memoises a function on its (hashable) arguments."
        m["cache"] = .object(NativeFunction("cache", "user_function, /", doc: cacheDoc) { b, _ in .object(CachedFunction(b[0], maxsize: nil)) })
        m["lru_cache"] = .object(NativeFunction("lru_cache", "maxsize=128, typed=False", doc: cacheDoc) { b, _ in
            // @lru_cache (no call) passes the function itself as maxsize.
            if case .object(let o) = b[0], !(o is PyType), CollectionsModule.isCallable(b[0]) { return .object(CachedFunction(b[0], maxsize: 128)) }
            let maxsize = try Convert.optionalInt(b[0], "maxsize")
            return .object(NativeFunction("decorating_function", "user_function", doc: cacheDoc) { inner, _ in
                .object(CachedFunction(inner[0], maxsize: maxsize))
            })
        })
        m["update_wrapper"] = .object(NativeFunction("update_wrapper", "wrapper, wrapped, assigned=None, updated=None",
                                                     doc: "Copies wrapped's __module__, __name__, __qualname__, __doc__ and attributes to wrapper; sets __wrapped__.") { b, ev in
            try updateWrapper(b[0], wrapped: b[1], ev)
        })
        m["wraps"] = .object(NativeFunction("wraps", "wrapped, assigned=None, updated=None",
                                            doc: "A decorator that makes a wrapper look like the function it wraps.") { b, _ in
            let wrapped = b[0]
            return .object(NativeFunction("update_wrapper", "wrapper", doc: "Copies the wrapped function's metadata to wrapper.") { inner, ev in
                try updateWrapper(inner[0], wrapped: wrapped, ev)
            })
        })
        m["total_ordering"] = .object(NativeFunction("total_ordering", "cls", doc: "Fills in the missing rich comparisons from __eq__ and one of __lt__, __le__, __gt__, __ge__.") { b, ev in
            try totalOrdering(b[0], ev)
        })
        m["cmp_to_key"] = .object(NativeFunction("cmp_to_key", "mycmp", doc: "A key function from an old-style cmp(a, b) function (negative, zero or positive).") { b, _ in
            let compare = b[0]
            return .object(NativeFunction("K", "obj", doc: "A sort key ordered by the cmp function.") { k, _ in
                .object(ComparisonKey(k[0], compare))
            })
        })
        m["cached_property"] = .object(NativeFunction("cached_property", "func", doc: "A property computed once per instance, then kept in the instance's __dict__.") { b, ev in
            cachedProperty(b[0], ev)
        })
        return m
    }

    /// `functools.update_wrapper`: the wrapped function's metadata on the wrapper (what the
    /// wrapper cannot take is skipped, as CPython skips missing attributes).
    static func updateWrapper(_ wrapper: Value, wrapped: Value, _ ev: Evaluator) throws -> Value {
        guard case .object(let target) = wrapper else { return wrapper }
        for name in ["__module__", "__name__", "__qualname__", "__doc__"] {
            guard let v = try? ev.getAttribute(wrapped, name) else { continue }
            try? target.setAttribute(name, v, ev)
        }
        if case .object(let source as PyFunction) = wrapped {
            for (name, v) in source.attributes { try? target.setAttribute(name, v, ev) }
        }
        try target.setAttribute("__wrapped__", wrapped, ev)
        return wrapper
    }

    /// `@total_ordering`: the comparisons the class lacks, defined from its first of `__lt__`,
    /// `__le__`, `__gt__`, `__ge__` and `==`, exactly as CPython's (`_gt_from_lt` …).
    private static func totalOrdering(_ value: Value, _ ev: Evaluator) throws -> Value {
        guard case .object(let cls as PyClass) = value, let interpreter = ev as? Interpreter else {
            throw PyError(.valueError, "must define at least one ordering operation: < > <= >=")
        }
        let order = ["__lt__", "__le__", "__gt__", "__ge__"]
        guard let root = order.first(where: { cls.dict[$0] != nil }), let rootMethod = cls.dict[root] else {
            throw PyError(.valueError, "must define at least one ordering operation: < > <= >=")
        }
        /// How each derived comparison combines r = root(self, other) with equality.
        enum Rule { case notAndUnequal, orEqual, not, notOrEqual, andUnequal }
        let rules: [String: [(String, Rule)]] = [
            "__lt__": [("__gt__", .notAndUnequal), ("__le__", .orEqual), ("__ge__", .not)],
            "__le__": [("__ge__", .notOrEqual), ("__lt__", .andUnequal), ("__gt__", .not)],
            "__gt__": [("__lt__", .notAndUnequal), ("__ge__", .orEqual), ("__le__", .not)],
            "__ge__": [("__le__", .notOrEqual), ("__gt__", .andUnequal), ("__lt__", .not)],
        ]
        for (name, rule) in rules[root] ?? [] where cls.dict[name] == nil {
            try cls.setAttribute(name, .object(NativeMethod(name) { receiver, a, ev in
                guard let other = a.positional.first, a.positional.count == 1 else {
                    throw PyError(.typeError, "\(name)() takes exactly one argument (\(a.positional.count) given)")
                }
                let r = try ev.call(rootMethod, Arguments([receiver, other]))
                if case .object(let o) = r, o === NotImplemented.shared { return r }
                let holds = try ev.truthy(r)
                func equal() throws -> Bool { try ev.truthy(try interpreter.compare(.eq, receiver, other)) }
                switch rule {
                case .notAndUnequal: return .bool(holds ? false : !(try equal()))
                case .orEqual: return .bool(holds ? true : try equal())
                case .not: return .bool(!holds)
                case .notOrEqual: return .bool(!holds ? true : try equal())
                case .andUnequal: return .bool(holds ? !(try equal()) : false)
                }
            }), ev)
        }
        return value
    }

    /// `@cached_property`: a property whose getter keeps its result in the instance's `__dict__`
    /// under the function's name and answers from there afterwards; assigning or deleting the
    /// attribute writes or clears that entry.
    private static func cachedProperty(_ function: Value, _ ev: Evaluator) -> Value {
        let name = (try? ev.getAttribute(function, "__name__")).flatMap { v -> String? in
            if case .str(let s) = v { return s }
            return nil
        } ?? "<lambda>"
        func owner(_ receiver: Value) throws -> PyInstance {
            guard case .object(let o as PyInstance) = receiver else {
                throw PyError(.typeError, "No '__dict__' attribute on '\(receiver.typeName)' instance to cache '\(name)' property.")
            }
            return o
        }
        let getter = NativeMethod(name) { receiver, _, ev in
            let instance = try owner(receiver)
            if let v = instance.dict[name] { return v }
            let v = try ev.call(function, Arguments([receiver]))
            instance.dict[name] = v
            return v
        }
        let setter = NativeMethod(name) { receiver, a, _ in
            try owner(receiver).dict[name] = a.positional.first ?? .none
            return .none
        }
        let deleter = NativeMethod(name) { receiver, _, _ in
            let instance = try owner(receiver)
            guard instance.dict.removeValue(forKey: name) != nil else { throw PyError(.attributeError, name) }
            return .none
        }
        return .object(MethodWrapper(.property, .object(getter), setter: .object(setter), deleter: .object(deleter)))
    }
}

/// A `cmp_to_key` key: ordered by the cmp function's sign, equal when it returns 0.
final class ComparisonKey: PyObject {
    let value: Value
    let compare: Value

    init(_ value: Value, _ compare: Value) {
        self.value = value
        self.compare = compare
        super.init()
    }

    override var typeName: String { "functools.KeyWrapper" }

    override func order(comparedTo other: Value, _ ev: Evaluator) throws -> Int? {
        guard case .object(let o as ComparisonKey) = other else { return nil }
        let r = try ev.call(compare, Arguments([value, o.value]))
        let c = try r.asDouble("cmp result")
        return c < 0 ? -1 : (c > 0 ? 1 : 0)
    }

    override func equals(_ other: Value, _ ev: Evaluator) throws -> Bool? {
        try order(comparedTo: other, ev).map { $0 == 0 }
    }
}

/// `functools.partial(func, *args, **keywords)`.
final class PartialFunction: PyObject {
    let function: Value
    let arguments: [Value]
    let keywords: [(name: String, value: Value)]

    init(function: Value, arguments: [Value], keywords: [(name: String, value: Value)]) {
        self.function = function
        self.arguments = arguments
        self.keywords = keywords
        super.init()
    }

    override var typeName: String { "functools.partial" }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        var merged = keywords.filter { k in !args.keywords.contains { $0.name == k.name } }
        merged.append(contentsOf: args.keywords)
        return try ev.call(function, Arguments(arguments + args.positional, keywords: merged))
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "func": return function
        case "args": return ev.makeTuple(arguments)
        case "keywords": return ev.makeDict(keywords.map { (.str($0.name), $0.value) }, ordered: false)
        default: return nil
        }
    }

    override func repr(_ ev: Evaluator) throws -> String {
        let parts = try [ev.repr(function)] + arguments.map { try ev.repr($0) } + keywords.map { "\($0.name)=\(try ev.repr($0.value))" }
        return "functools.partial(" + parts.joined(separator: ", ") + ")"
    }
}

/// A function memoised by `lru_cache` / `cache`: results keyed by the arguments (which must be
/// hashable, as in Python); with a `maxsize`, the least recently used result is dropped first.
final class CachedFunction: PyObject {
    let function: Value
    let maxsize: Int?
    private let results = PyDict()
    private var hits = 0, misses = 0

    init(_ function: Value, maxsize: Int?) {
        self.function = function
        self.maxsize = maxsize
        super.init()
    }

    override var typeName: String { "functools._lru_cache_wrapper" }

    override func call(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        var keyItems = args.positional
        for (k, v) in args.keywords { keyItems += [.str(k), v] }
        let key: Value = .object(PyTuple(keyItems))
        if let v = try results.get(key) {
            hits += 1
            if maxsize != nil { try results.remove(key); try results.set(key, v) }   // most recent last
            return v
        }
        misses += 1
        let v = try ev.call(function, args)
        if let m = maxsize {
            guard m > 0 else { return v }
            if results.count >= m, let oldest = results.keyList.first { try results.remove(oldest) }
        }
        try results.set(key, v)
        return v
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "cache_clear": return .object(NativeFunction("cache_clear", "", doc: "Forgets every result.") { _, _ in
            self.results.removeAll(); self.hits = 0; self.misses = 0
            return .none
        })
        case "cache_info": return .object(NativeFunction("cache_info", "", doc: "hits, misses, maxsize, currsize.") { _, _ in
            .str("CacheInfo(hits=\(self.hits), misses=\(self.misses), maxsize=\(self.maxsize.map(String.init) ?? "None"), currsize=\(self.results.count))")
        })
        case "__wrapped__": return function
        default: return try ev.getAttribute(function, name)
        }
    }
}
