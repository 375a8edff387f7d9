/// Python's `functools`: `partial`, `reduce`, `lru_cache` / `cache` (memoising on hashable
/// arguments) and `wraps`, declared once each.
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
        m["wraps"] = .object(NativeFunction("wraps", "wrapped, assigned=None, updated=None",
                                            doc: "A decorator that makes a wrapper look like the function it wraps.") { _, _ in
            .object(NativeFunction("update_wrapper", "wrapper", doc: "Returns the wrapper (nnrepl copies no metadata).") { inner, _ in inner[0] })
        })
        return m
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
