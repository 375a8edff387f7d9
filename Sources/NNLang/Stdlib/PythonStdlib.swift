import Foundation
import TensorRuntime

/// The parts of Python's standard library scripts use: `math`, `random`, `time`, `sys`, `tqdm`
/// here; `collections`, `copy`, `itertools`, `functools`, `os`, `string`, `statistics`, `json`, `re`, `unicodedata` in files of their own.
public enum PythonStdlib {
    /// `sys.argv`: the script name (or `-c`, `-`, `''` in the REPL) then its arguments; set by the command line.
    nonisolated(unsafe) public static var argv: [String] = [""]

    /// The standard-library modules a script can import, by name, each made anew on import (the
    /// interpreter caches it). The one list: `import`, `:help language` and completion read it.
    static let modules: KeyValuePairs<String, (Evaluator) -> Value?> = [
        "math": { _ in .object(math()) },
        "random": { _ in .object(random()) },
        "time": { _ in .object(time()) },
        "sys": { ev in .object(sys(ev)) },
        "collections": { _ in .object(CollectionsModule.module()) },
        "collections.abc": { _ in .object(CollectionsAbc.shared) },
        "copy": { _ in .object(CopyModule.module()) },
        "itertools": { _ in .object(Itertools.module()) },
        "functools": { _ in .object(Functools.module()) },
        "os": { _ in .object(OSModule.module()) },
        "os.path": { _ in OSModule.module()["path"] },
        "string": { _ in .object(TextModules.string()) },
        "statistics": { _ in .object(TextModules.statistics()) },
        "json": { _ in .object(JSONModule.module()) },
        "re": { _ in .object(RegexModule.module()) },
        "dataclasses": { _ in .object(Dataclasses.module()) },
        "unicodedata": { _ in .object(UnicodeData.module()) },
        "tqdm": { _ in .object(Tqdm.module()) },
        "typing": { _ in .object(TypingModule.module()) },
        "__future__": { _ in .object(FutureModule.module()) },
        "abc": { _ in .object(AbcModule.module()) },
        "warnings": { _ in .object(WarningsModule.module()) },
        "operator": { _ in .object(OperatorModule.module()) },
        "heapq": { _ in .object(HeapqBisect.heapq()) },
        "bisect": { _ in .object(HeapqBisect.bisect()) },
        "contextlib": { _ in .object(ContextlibModule.module()) },
        "tempfile": { _ in .object(TempfileModule.module()) },
        "pathlib": { _ in .object(PathlibModule.module()) },
        "logging": { _ in .object(LoggingModule.module()) },
        "datetime": { _ in .object(DatetimeModule.module()) },
        "enum": { _ in .object(EnumModule.module()) },
        "io": { _ in .object(IOModule.module()) },
        "types": { _ in .object(TypesModule.module()) },
        "textwrap": { _ in .object(TextwrapModule.module()) },
        "timeit": { _ in .object(TimeitModule.module()) },
        "traceback": { _ in .object(TracebackModule.module()) },
        "argparse": { _ in .object(ArgparseModule.module()) },
        "pprint": { _ in .object(PprintModule.module()) },
        "glob": { _ in .object(GlobModule.glob()) },
        "fnmatch": { _ in .object(GlobModule.fnmatchModule()) },
        "shutil": { _ in .object(ShutilModule.module()) },
        "gc": { _ in .object(SystemInfoModules.gc()) },
        "platform": { _ in .object(SystemInfoModules.platform()) },
        "csv": { _ in .object(CsvModule.module()) },
        "fractions": { _ in .object(FractionsModule.fractions()) },
        "numbers": { _ in .object(FractionsModule.numbers()) },
        "queue": { _ in .object(QueueModule.module()) },
        "uuid": { _ in .object(UuidModule.module()) },
        "hashlib": { _ in .object(HashlibModule.module()) },
        "struct": { _ in .object(StructModule.module()) },
        "atexit": { _ in .object(AtexitModule.module()) },
        "multiprocessing": { _ in .object(OSModule.multiprocessing()) },
        "inspect": { _ in .object(InspectModule.module()) },
        "shlex": { _ in .object(ShlexModule.module()) },
        "secrets": { _ in .object(SecretsModule.module()) },
        "weakref": { _ in .object(WeakrefModule.module()) },
        "threading": { _ in .object(ThreadingModule.module()) },
    ]

    /// The names of the standard-library modules, in `modules`' order.
    public static var moduleNames: [String] { modules.map(\.key) }

    /// The standard-library module `name` (made anew; the interpreter caches it), or nil.
    public static func module(_ name: String, _ ev: Evaluator) -> Value? {
        modules.first { $0.key == name }?.value(ev)
    }

    static func math() -> Namespace {
        let m = Namespace("math")
        m["pi"] = .float(Double.pi)
        m["e"] = .float(M_E)
        m["tau"] = .float(2 * Double.pi)
        m["inf"] = .float(.infinity)
        m["nan"] = .float(.nan)
        /// CPython's message for a math function given a non-number.
        func real(_ v: Value) throws -> Double {
            do { return try v.asDouble() } catch { throw PyError(.typeError, "must be real number, not \(v.typeName)") }
        }
        /// A function of one argument `x`, callable directly (`DirectEntry`).
        func oneArgument(_ name: String, _ apply: @escaping (Value) throws -> Value) {
            let fn = NativeFunction(name, direct: .one { v, _ in try apply(v) }) { a, _ in
                try apply(try a.bind(name, ["x"], required: 1)[0] ?? .none)
            }
            m[name] = .object(fn)
        }
        func unary(_ name: String, domain: ((Double) -> Bool)? = nil, _ f: @escaping (Double) -> Double) {
            oneArgument(name) { v in
                let x = try real(v)
                if let domain, !domain(x) { throw PyError(.valueError, "math domain error") }
                return .float(f(x))
            }
        }
        unary("sqrt", domain: { $0 >= 0 || $0.isNaN }, Foundation.sqrt)
        unary("exp", Foundation.exp)
        unary("log2", domain: { $0 > 0 || $0.isNaN }, Foundation.log2)
        unary("log10", domain: { $0 > 0 || $0.isNaN }, Foundation.log10)
        unary("log1p", domain: { $0 > -1 || $0.isNaN }, Foundation.log1p)
        unary("sin", Foundation.sin)
        unary("cos", Foundation.cos)
        unary("tan", Foundation.tan)
        unary("asin", Foundation.asin)
        unary("acos", Foundation.acos)
        unary("atan", Foundation.atan)
        unary("sinh", Foundation.sinh)
        unary("cosh", Foundation.cosh)
        unary("tanh", Foundation.tanh)
        unary("erf", Foundation.erf)
        unary("erfc", Foundation.erfc)
        unary("fabs", Swift.abs)
        unary("expm1", Foundation.expm1)
        unary("exp2", Foundation.exp2)
        unary("cbrt", Foundation.cbrt)
        unary("asinh", Foundation.asinh)
        unary("acosh", domain: { $0 >= 1 || $0.isNaN }, Foundation.acosh)
        unary("atanh", domain: { Swift.abs($0) < 1 || $0.isNaN }, Foundation.atanh)
        unary("gamma", domain: { !($0 <= 0 && $0 == $0.rounded()) && $0 != -.infinity }, Foundation.tgamma)
        unary("lgamma", domain: { !($0 <= 0 && $0 == $0.rounded()) }) { Foundation.lgamma($0) }
        unary("ulp") { x in x.isNaN || x.isInfinite ? Swift.abs(x) : Swift.abs(x).ulp }
        unary("degrees") { $0 * 180 / Double.pi }
        unary("radians") { $0 * Double.pi / 180 }
        m.function("log") { a, _ in
            let s = try a.bind("log", ["x", "base"], required: 1)
            let x = try real(s[0] ?? .none)
            guard x > 0 || x.isNaN else { throw PyError(.valueError, "math domain error") }
            if let b = try Convert.optionalDouble(s[1]) { return .float(Foundation.log(x) / Foundation.log(b)) }
            return .float(Foundation.log(x))
        }
        m.function("pow") { a, _ in
            let s = try a.bind("pow", ["x", "y"], required: 2)
            return .float(Foundation.pow(try s[0]!.asDouble(), try s[1]!.asDouble()))
        }
        m.function("atan2") { a, _ in
            let s = try a.bind("atan2", ["y", "x"], required: 2)
            return .float(Foundation.atan2(try s[0]!.asDouble(), try s[1]!.asDouble()))
        }
        m.function("copysign") { a, _ in
            let s = try a.bind("copysign", ["x", "y"], required: 2)
            return .float(Double(signOf: try s[1]!.asDouble(), magnitudeOf: try s[0]!.asDouble()))
        }
        m["fmod"] = .object(NativeFunction("fmod", "x, y, /", doc: "x - n*y for the integer n that gives the result x's sign (C's fmod).") { b, _ in
            let x = try real(b[0]), y = try real(b[1])
            if y == 0 && !x.isNaN || x.isInfinite { throw PyError(.valueError, "math domain error") }
            return .float(Foundation.fmod(x, y))
        })
        m["remainder"] = .object(NativeFunction("remainder", "x, y, /", doc: "IEEE 754 remainder: x - n*y for n the integer nearest x/y (ties to even).") { b, _ in
            let x = try real(b[0]), y = try real(b[1])
            if y == 0 && !x.isNaN || x.isInfinite { throw PyError(.valueError, "math domain error") }
            return .float(Foundation.remainder(x, y))
        })
        m["modf"] = .object(NativeFunction("modf", "x, /", doc: "(fractional part, integer part) of x, both floats with x's sign.") { b, ev in
            let x = try real(b[0])
            if x.isInfinite { return ev.makeTuple([.float(Double(signOf: x, magnitudeOf: 0)), .float(x)]) }
            let whole = x.rounded(.towardZero)
            return ev.makeTuple([.float(Double(signOf: x, magnitudeOf: Swift.abs(x - whole))), .float(whole)])
        })
        m["frexp"] = .object(NativeFunction("frexp", "x, /", doc: "(m, e) with x == m * 2**e and 0.5 <= abs(m) < 1 (m = 0 for 0).") { b, ev in
            let x = try real(b[0])
            guard x != 0 && x.isFinite else { return ev.makeTuple([.float(x), .int(0)]) }
            let r = Foundation.frexp(x)
            return ev.makeTuple([.float(Double(signOf: x, magnitudeOf: r.0)), .int(r.1)])
        })
        m["ldexp"] = .object(NativeFunction("ldexp", "x, i, /", doc: "x * 2**i.") { b, _ in
            let x = try real(b[0]), i = try b[1].asInt("i")
            let r = Foundation.scalbn(x, Swift.max(-100_000, Swift.min(100_000, i)))
            if r.isInfinite && x.isFinite { throw PyError(.overflowError, "math range error") }
            return .float(r)
        })
        m["nextafter"] = .object(NativeFunction("nextafter", "x, y, /", doc: "The next float after x towards y.") { b, _ in
            let x = try real(b[0]), y = try real(b[1])
            if x.isNaN || y.isNaN { return .float(.nan) }
            return .float(x == y ? y : (y > x ? x.nextUp : x.nextDown))
        })
        m["dist"] = .object(NativeFunction("dist", "p, q, /", doc: "The Euclidean distance between points p and q (same length).") { b, ev in
            let p = try ev.iterate(b[0]).map(real), q = try ev.iterate(b[1]).map(real)
            guard p.count == q.count else { throw PyError(.valueError, "both points must have the same number of dimensions") }
            return .float(Foundation.sqrt(zip(p, q).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }))
        })
        m["isqrt"] = .object(NativeFunction("isqrt", "n, /", doc: "The integer square root of n: the largest a with a*a <= n.") { b, _ in
            let n = try b[0].asInt("n")
            guard n >= 0 else { throw PyError(.valueError, "isqrt() argument must be nonnegative") }
            var a = Int(Double(n).squareRoot())
            while a > 0 && a.multipliedReportingOverflow(by: a).overflow || a * a > n { a -= 1 }
            while !(a + 1).multipliedReportingOverflow(by: a + 1).overflow && (a + 1) * (a + 1) <= n { a += 1 }
            return .int(a)
        })
        m.function("lcm") { a, _ in
            var l = 1
            for v in a.positional {
                let x = try v.asInt().magnitude
                guard x != 0 else { return .int(0) }
                var g = UInt(l), y = x
                while y != 0 { (g, y) = (y, g % y) }
                let (p, o) = Int(l).multipliedReportingOverflow(by: Int(x / g))
                guard !o else { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
                l = p
            }
            return .int(l)
        }
        /// n! / (n-k)! (perm) or n! / (k! (n-k)!) (comb), in 64-bit ints (exact while the result fits).
        func combinatoric(_ name: String, _ signature: String, _ doc: String, _ divide: Bool) {
            m[name] = .object(NativeFunction(name, signature, doc: doc) { b, _ in
                let n = try b[0].asInt("n")
                guard n >= 0 else { throw PyError(.valueError, "n must be a non-negative integer") }
                let k = b[1].isNone ? n : try b[1].asInt("k")
                guard k >= 0 else { throw PyError(.valueError, "k must be a non-negative integer") }
                guard k <= n else { return .int(0) }
                let steps = divide ? Swift.min(k, n - k) : k
                var r = 1
                for i in Swift.stride(from: 0, to: steps, by: 1) {
                    let (p, o) = r.multipliedReportingOverflow(by: n - i)
                    guard !o else { throw PyError(.overflowError, "int too large for nnrepl (64-bit ints)") }
                    r = divide ? p / (i + 1) : p
                }
                return .int(r)
            })
        }
        combinatoric("comb", "n, k, /", "The number of ways to choose k of n items, without order.", true)
        combinatoric("perm", "n, k=None, /", "The number of ways to choose k of n items, in order (k = n by default).", false)
        m.function("hypot") { a, _ in
            .float(Foundation.sqrt(try a.positional.reduce(0.0) { $0 + Foundation.pow(try $1.asDouble(), 2) }))
        }
        func rounding(_ name: String, _ rule: FloatingPointRoundingRule) {
            oneArgument(name) { v in
                if case .int(let i) = v { return .int(i) }
                let x = try real(v)
                guard x.isFinite else {
                    throw PyError(x.isNaN ? .valueError : .overflowError,
                                  x.isNaN ? "cannot convert float NaN to integer" : "cannot convert float infinity to integer")
                }
                guard let i = Int(exactly: x.rounded(rule)) else { throw PyError(.overflowError, "int too large to convert") }
                return .int(i)
            }
        }
        rounding("floor", .down)
        rounding("ceil", .up)
        rounding("trunc", .towardZero)
        for (name, test) in [("isnan", { (x: Double) in x.isNaN }), ("isinf", { $0.isInfinite }), ("isfinite", { $0.isFinite })] {
            m.function(name) { a, _ in .bool(test(try a.bind(name, ["x"], required: 1)[0]!.asDouble())) }
        }
        m.function("isclose") { a, _ in
            let s = try a.bind("isclose", ["a", "b", "rel_tol", "abs_tol"], required: 2, positionalLimit: 2)
            let x = try s[0]!.asDouble(), y = try s[1]!.asDouble()
            let rel = try Convert.optionalDouble(s[2]) ?? 1e-9, abs = try Convert.optionalDouble(s[3]) ?? 0
            if x == y { return .bool(true) }
            if x.isInfinite || y.isInfinite { return .bool(false) }
            let diff = Swift.abs(x - y)
            return .bool(diff <= Swift.max(rel * Swift.max(Swift.abs(x), Swift.abs(y)), abs))
        }
        m.function("gcd") { a, _ in
            var g: UInt = 0   // magnitudes: |-2**63| doesn't fit an Int
            for v in a.positional {
                var x = try v.asInt().magnitude, y = g
                while y != 0 { (x, y) = (y, x % y) }
                g = x
            }
            guard let result = Int(exactly: g) else { throw PyError(.overflowError, "integer overflow: nnrepl ints are 64-bit") }
            return .int(result)
        }
        m.function("factorial") { a, _ in
            let n = try a.bind("factorial", ["n"], required: 1)[0]!.asInt()
            guard n >= 0 else { throw PyError(.valueError, "factorial() not defined for negative values") }
            var r = 1
            for i in Swift.stride(from: 2, through: n, by: 1) {
                let (p, o) = r.multipliedReportingOverflow(by: i)
                guard !o else { throw PyError(.overflowError, "int too large for nnrepl (64-bit ints)") }
                r = p
            }
            return .int(r)
        }
        m.function("prod") { a, ev in
            var ints = 1, floats = 1.0, isFloat = false
            for v in try ev.iterate(try a.bind("prod", ["iterable"], required: 1)[0]!) {
                if case .int(let i) = v, !isFloat {
                    let (p, o) = ints.multipliedReportingOverflow(by: i)
                    guard !o else { throw PyError(.overflowError, "int too large for nnrepl (64-bit ints)") }
                    ints = p
                } else { if !isFloat { floats = Double(ints); isFloat = true }; floats *= try v.asDouble() }
            }
            return isFloat ? .float(floats) : .int(ints)
        }
        m.function("fsum") { a, ev in
            // Shewchuk's exact partial sums, as CPython's math.fsum (no rounding until the end).
            var partials: [Double] = []
            for v in try ev.iterate(try a.bind("fsum", ["iterable"], required: 1)[0]!) {
                var x = try v.asDouble()
                var kept = 0
                for var y in partials {
                    if Swift.abs(x) < Swift.abs(y) { swap(&x, &y) }
                    let hi = x + y, lo = y - (hi - x)
                    if lo != 0 { partials[kept] = lo; kept += 1 }
                    x = hi
                }
                partials.removeSubrange(kept...)
                partials.append(x)
            }
            return .float(partials.reduce(0, +))
        }
        return m
    }

    /// The `random` module, or (`instance: true`) the methods of a `random.Random(seed)` object,
    /// drawing from `rng`.
    static func random(_ rng: PythonRandom = .shared, instance: Bool = false) -> Namespace {
        let r = Namespace(instance ? "Random" : "random")
        r.function("seed") { a, _ in
            let s = try a.bind("seed", ["a"])
            try rng.seed(s[0] ?? .none)
            return .none
        }
        r.function("random") { _, _ in .float(rng.random()) }
        r.function("uniform") { a, _ in
            let s = try a.bind("uniform", ["a", "b"], required: 2)
            let lo = try s[0]!.asDouble(), hi = try s[1]!.asDouble()
            return .float(lo + (hi - lo) * rng.random())
        }
        r["randint"] = .object(NativeFunction("randint", "a, b", doc: "A random integer in [a, b], both ends included.") { b, _ in
            let lo = try b[0].asInt("a"), hi = try b[1].asInt("b")
            return .int(try rng.randrange(Int128(lo), Int128(hi) + 1, 1))
        })
        r["randrange"] = .object(NativeFunction("randrange", "start, stop=None, step=1",
                                                doc: "A random integer from range(start, stop, step) (range(start) with one argument).") { b, _ in
            let start = Int128(try b[0].asInt("start")), step = Int128(try b[2].asInt("step"))
            guard !b[1].isNone else {
                guard start > 0 else { throw PyError(.valueError, "empty range for randrange()") }
                return .int(Int(rng.below(start)))
            }
            return .int(try rng.randrange(start, Int128(try b[1].asInt("stop")), step))
        })
        r.function("choice") { a, ev in
            let items = try ev.iterate(try a.bind("choice", ["seq"], required: 1)[0]!)
            guard !items.isEmpty else { throw PyError(.indexError, "Cannot choose from an empty sequence") }
            return items[rng.below(items.count)]
        }
        r["choices"] = .object(NativeFunction("choices", "population, weights=None, *, cum_weights=None, k=1",
                                              doc: "k elements drawn with replacement (optionally weighted), as CPython draws them.") { b, ev in
            try choices(b, rng, ev)
        })
        r["sample"] = .object(NativeFunction("sample", "population, k, *, counts=None",
                                             doc: "k distinct elements of population, in CPython's selection order.") { b, ev in
            try sample(b, rng, ev)
        })
        r.function("gauss") { a, _ in
            let s = try a.bind("gauss", ["mu", "sigma"])
            return .float(rng.gauss(mu: try Convert.optionalDouble(s[0]) ?? 0, sigma: try Convert.optionalDouble(s[1]) ?? 1))
        }
        r.function("shuffle") { a, ev in
            let target = try a.bind("shuffle", ["x"], required: 1)[0]!
            var items = try ev.iterate(target)
            if items.count > 1 {
                for i in Swift.stride(from: items.count - 1, to: 0, by: -1) {
                    items.swapAt(i, rng.below(i + 1))
                }
            }
            _ = try ev.call(try ev.getAttribute(target, "clear"), Arguments())
            _ = try ev.call(try ev.getAttribute(target, "extend"), Arguments([ev.makeList(items)]))
            return .none
        }
        addDistributions(r, rng)
        if !instance {
            r["Random"] = .object(NativeFunction("Random", "x=None", doc: "A random generator of its own (the module's functions as methods), seeded with x.") { b, _ in
                let own = PythonRandom()
                try own.seed(b[0])
                return .object(random(own, instance: true))
            })
        }
        return r
    }

    /// `random.choices`: CPython 3.11's algorithm (floor(random() * n) without weights; bisect_right on
    /// the cumulative weights otherwise), so a seeded script picks what Python picks.
    private static func choices(_ b: Bound, _ rng: PythonRandom, _ ev: Evaluator) throws -> Value {
        let population = try ev.iterate(b[0])
        let k = try b[3].asInt("k")
        try MemoryLimit.checkValues(Swift.max(k, 0))
        let n = population.count
        if b[1].isNone && b[2].isNone {
            return ev.makeList(try (0..<Swift.max(k, 0)).map { _ in
                let i = Int((rng.random() * Double(n)).rounded(.down))
                guard i < n else { throw PyError(.indexError, "list index out of range") }
                return population[i]
            })
        }
        guard b[1].isNone || b[2].isNone else { throw PyError(.typeError, "Cannot specify both weights and cumulative weights") }
        var cumulative: [Double] = []
        if !b[2].isNone {
            cumulative = try ev.iterate(b[2]).map { try $0.asDouble("cum_weights") }
        } else {
            var total = 0.0
            for w in try ev.iterate(b[1]) { total += try w.asDouble("weights"); cumulative.append(total) }
        }
        guard cumulative.count == n else { throw PyError(.valueError, "The number of weights does not match the population") }
        let total = cumulative.last ?? 0
        guard total > 0 else { throw PyError(.valueError, "Total of weights must be greater than zero") }
        guard total.isFinite else { throw PyError(.valueError, "Total of weights must be finite") }
        return ev.makeList((0..<Swift.max(k, 0)).map { _ in
            let x = rng.random() * total
            var lo = 0, hi = n - 1          // bisect_right(cum_weights, x, 0, n - 1)
            while lo < hi {
                let mid = (lo + hi) / 2
                if x < cumulative[mid] { hi = mid } else { lo = mid + 1 }
            }
            return population[lo]
        })
    }

    /// `random.sample`: CPython 3.11's pool or set selection (chosen by the same size rule).
    private static func sample(_ b: Bound, _ rng: PythonRandom, _ ev: Evaluator) throws -> Value {
        let isSequence: Bool
        switch b[0] {
        case .str: isSequence = true
        case .object(let o): isSequence = o is PyList || o is PyTuple || o is PyRange || o is PyDeque
        default: isSequence = false
        }
        guard isSequence else {
            throw PyError(.typeError, "Population must be a sequence.  For dicts or sets, use sorted(d).")
        }
        guard b[2].isNone else { throw PyError(.notImplementedError, "random.sample(counts=...) is not supported by nnrepl") }
        // A range is indexed, not listed (`sample(range(10**18), 3)`, as CPython).
        let range: PyRange?
        if case .object(let o) = b[0], let r = o as? PyRange { range = r } else { range = nil }
        let population = range == nil ? try ev.iterate(b[0]) : []
        let n = try range.map { r in
            guard let n = try r.length(ev) else { throw PyError(.overflowError, "Python int too large to convert to C ssize_t") }
            return n
        } ?? population.count
        let k = try b[1].asInt("k")
        guard 0 <= k && k <= n else { throw PyError(.valueError, "Sample larger than population or is negative") }
        try MemoryLimit.checkValues(k)
        func element(_ j: Int) -> Value { range.map { .int($0.item(j)) } ?? population[j] }
        var setsize = 21
        if k > 5 { setsize += Int(pow(4.0, (Foundation.log(Double(k) * 3) / Foundation.log(4.0)).rounded(.up))) }
        var result: [Value] = []
        result.reserveCapacity(k)
        if n <= setsize {
            var pool = range.map { r in (0..<n).map { .int(r.item($0)) } } ?? population
            for i in 0..<k {
                let j = rng.below(n - i)
                result.append(pool[j])
                pool[j] = pool[n - i - 1]
            }
        } else {
            var selected = Set<Int>()
            for _ in 0..<k {
                var j = rng.below(n)
                while selected.contains(j) { j = rng.below(n) }
                selected.insert(j)
                result.append(element(j))
            }
        }
        return ev.makeList(result)
    }

    static func time() -> Namespace {
        let t = Namespace("time")
        let start = DispatchTime.now().uptimeNanoseconds
        t.function("perf_counter") { _, _ in .float(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        t.function("monotonic") { _, _ in .float(Double(DispatchTime.now().uptimeNanoseconds) / 1e9) }
        t.function("time") { _, _ in .float(Date().timeIntervalSince1970) }
        t["sleep"] = .object(NativeFunction("sleep", "secs, /", doc: "Pauses for secs seconds (Ctrl-C interrupts it).") { b, ev in
            let secs = try b[0].asDouble("secs")
            guard !secs.isNaN else { throw PyError(.valueError, "Invalid value NaN (not a number)") }
            guard secs >= 0 else { throw PyError(.valueError, "sleep length must be non-negative") }
            guard secs < 9.2e9 else { throw PyError(.overflowError, "timestamp out of range for platform time_t") }
            // In slices of at most 50 ms, so Ctrl-C stops a long sleep at once.
            var left = secs
            while left > 0 {
                let slice = Swift.min(left, 0.05)
                usleep(UInt32(slice * 1e6))
                left -= slice
                try (ev as? Interpreter)?.checkInterrupt()
            }
            return .none
        })
        return t
    }

    static func sys(_ ev: Evaluator) -> Namespace {
        let s = Namespace("sys")
        s["argv"] = ev.makeList(argv.map { .str($0) })
        s["version"] = .str("3.11.7 (nnrepl)")
        // A plain tuple (indexing, slicing, `sys.version_info >= (3, 8)`); no `.major`.
        s["version_info"] = ev.makeTuple([.int(3), .int(11), .int(7), .str("final"), .int(0)])
        s["platform"] = .str("linux")
        s.function("exit") { a, ev in
            guard let interpreter = ev as? Interpreter else { throw PyError(.systemExit, "") }
            throw try interpreter.systemExit(a, isSysExit: true)
        }
        s.function("getrecursionlimit") { a, ev in
            _ = try a.bind("getrecursionlimit", [])
            return .int((ev as? Interpreter)?.recursionLimit ?? Interpreter.defaultRecursionLimit)
        }
        s.function("setrecursionlimit") { a, ev in
            let limit = try a.bind("setrecursionlimit", ["limit"], required: 1)[0] ?? .none
            try (ev as? Interpreter)?.setRecursionLimit(limit)
            return .none
        }
        /// The exception an `except` block (or code it calls) is handling, or nil.
        func handled(_ ev: Evaluator) -> PyExceptionObject? { (ev as? Interpreter)?.handling.last }
        s["exc_info"] = .object(NativeFunction("exc_info", "", doc: "(type, value, traceback) of the exception being handled, or three Nones.") { _, ev in
            guard let e = handled(ev) else { return ev.makeTuple([.none, .none, .none]) }
            return ev.makeTuple([.object(e.cls), .object(e), (try? ev.getAttribute(.object(e), "__traceback__")) ?? .none])
        })
        s["exception"] = .object(NativeFunction("exception", "", doc: "The exception being handled, or None.") { _, ev in
            handled(ev).map { .object($0) } ?? .none
        })
        s["stdout"] = .object(TextStream(name: "<stdout>", toStandardError: false))
        s["stderr"] = .object(TextStream(name: "<stderr>", toStandardError: true))
        return s
    }
}

/// Python's `random` generator: MT19937 seeded like CPython's `random.seed(int)`, so
/// `random.seed(0); random.random()` gives 0.8444218515250481 as in Python.
final class PythonRandom {
    static let shared = PythonRandom()
    private var mt = [UInt32](repeating: 0, count: 624)
    private var index = 625
    private var nextGauss: Double?

    init() { seed(UInt64(UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970 * 1000)))) }

    /// `random.seed(a)`: an int seeds with its absolute value (as CPython), None with the time,
    /// a str with the big-endian number its UTF-8 bytes and their SHA-512 digest spell, a float
    /// with its hash (CPython's version 2 seeding).
    func seed(_ a: Value) throws {
        switch a {
        case .none: seed(UInt64(UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970 * 1000))))
        case .int(let i): seed(UInt64(i.magnitude))
        case .bool(let b): seed(b ? 1 : 0)
        case .float: seed(UInt64(try pythonHash(a).magnitude))
        case .str(let s):
            let bytes = Array(s.utf8)
            seed(bigEndian: bytes + SHA512.digest(bytes))
        default:
            throw PyError(.notImplementedError, "random.seed() with a \(a.typeName) is not supported by nnrepl: seed with an int or a str")
        }
    }

    /// Seeds with the non-negative number `bytes` spell, most significant first.
    private func seed(bigEndian bytes: [UInt8]) {
        var key: [UInt32] = []
        var end = bytes.count
        while end > 0 {
            let start = Swift.max(0, end - 4)
            key.append(bytes[start..<end].reduce(0) { $0 << 8 | UInt32($1) })
            end = start
        }
        while key.count > 1, key.last == 0 { key.removeLast() }
        seed(key: key.isEmpty ? [0] : key)
    }

    /// `random.getstate()`: CPython's `(3, (624 words..., position), gauss_next)`.
    func state(_ ev: Evaluator) -> Value {
        ev.makeTuple([.int(3), ev.makeTuple(mt.map { .int(Int($0)) } + [.int(index)]), nextGauss.map { .float($0) } ?? .none])
    }

    /// `random.setstate(state)` from what `state` (or CPython's `getstate()`) returned.
    func setState(_ state: Value, _ ev: Evaluator) throws {
        let parts = try ev.iterate(state)
        guard parts.count == 3, case .int(3) = parts[0] else {
            throw PyError(.valueError, "state with version \(try parts.first.map { try ev.repr($0) } ?? "None") passed to Random.setstate() of version 3")
        }
        let words = try ev.iterate(parts[1]).map { try $0.asInt("state") }
        guard words.count == 625, let position = words.last, (0...624).contains(position),
              words.dropLast().allSatisfy({ (0...Int(UInt32.max)).contains($0) }) else {
            throw PyError(.valueError, "state vector is the wrong size")
        }
        mt = words.dropLast().map { UInt32($0) }
        index = position
        nextGauss = parts[2].isNone ? nil : try parts[2].asDouble("gauss_next")
    }

    /// `init_by_array` with the absolute value of the seed split into 32-bit words.
    func seed(_ value: UInt64) {
        var key: [UInt32] = []
        var v = value
        repeat { key.append(UInt32(truncatingIfNeeded: v)); v >>= 32 } while v != 0
        seed(key: key)
    }

    /// CPython's `init_by_array(key)` (32-bit words, least significant first).
    private func seed(key: [UInt32]) {
        initGenrand(19650218)
        var i = 1, j = 0
        for _ in 0..<Swift.max(624, key.count) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1664525)) &+ key[j] &+ UInt32(j)
            i += 1; j += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<623 {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1566083941)) &- UInt32(i)
            i += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
        }
        mt[0] = 0x8000_0000
        nextGauss = nil
    }

    private func initGenrand(_ s: UInt32) {
        mt[0] = s
        for i in 1..<624 { mt[i] = 1812433253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i) }
        index = 624
    }

    func next32() -> UInt32 {
        if index >= 624 {
            for k in 0..<624 {
                let y = (mt[k] & 0x8000_0000) | (mt[(k + 1) % 624] & 0x7fff_ffff)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908_b0df : 0)
            }
            index = 0
        }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// `random.random()`: 53 random bits.
    func random() -> Double {
        let a = Double(next32() >> 5), b = Double(next32() >> 6)
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)
    }

    /// `_randbelow(n)` by rejection sampling on `n.bit_length()` bits, as CPython does.
    func below(_ n: Int) -> Int { Int(below(Int128(n))) }

    /// CPython's `_randbelow(n)` for 0 < n <= 2^64: `getrandbits(n.bit_length())` until the draw
    /// is below n (the words fill from the least significant end, the last one shifted).
    func below(_ n: Int128) -> Int128 {
        guard n > 0 else { return 0 }
        if n > Int128(UInt64.max) {
            // n = 2^64 (randint over all 64-bit ints): 65 bits, the third word giving the top bit.
            while true {
                let low = UInt64(next32()), high = UInt64(next32()), top = next32() >> 31
                if top == 0 { return Int128(low | high << 32) }
            }
        }
        let limit = UInt64(n), k = 64 - limit.leadingZeroBitCount
        while true {
            let r = k <= 32 ? UInt64(next32() >> (32 - k)) : UInt64(next32()) | (UInt64(next32() >> (64 - k)) << 32)
            if r < limit { return Int128(r) }
        }
    }

    /// `random.randrange(start, stop, step)` with CPython 3.11's rules and messages (an empty range,
    /// a zero step); exact over the whole 64-bit range.
    func randrange(_ start: Int128, _ stop: Int128, _ step: Int128) throws -> Int {
        let width = stop - start
        if step == 1 {
            guard width > 0 else { throw PyError(.valueError, "empty range for randrange() (\(start), \(stop), \(width))") }
            return Int(start + below(width))
        }
        guard step != 0 else { throw PyError(.valueError, "zero step for randrange()") }
        // Python's floor division of (width + step ∓ 1) by step.
        let numerator = step > 0 ? width + step - 1 : width + step + 1
        var n = numerator / step
        if (numerator % step != 0) && ((numerator < 0) != (step < 0)) { n -= 1 }
        guard n > 0 else { throw PyError(.valueError, "empty range for randrange()") }
        return Int(start + step * below(n))
    }

    /// `random.gauss(mu, sigma)` (Box–Muller with a cached second value, as CPython).
    func gauss(mu: Double, sigma: Double) -> Double {
        if let z = nextGauss { nextGauss = nil; return mu + z * sigma }
        let x2pi = random() * 2 * Double.pi
        let g2rad = (-2.0 * Foundation.log(1.0 - random())).squareRoot()
        nextGauss = Foundation.sin(x2pi) * g2rad
        return mu + Foundation.cos(x2pi) * g2rad * sigma
    }
}

/// `sys.stdout` / `sys.stderr`: `write()` and `print(..., file=sys.stderr)` (the interpreter
/// recognises the `<stderr>` stream by its name).
final class TextStream: PyObject {
    let name: String
    let toStandardError: Bool
    init(name: String, toStandardError: Bool) {
        self.name = name
        self.toStandardError = toStandardError
    }
    override var typeName: String { "TextIOWrapper" }
    override func repr(_ ev: Evaluator) throws -> String { "<_io.TextIOWrapper name='\(name)' mode='w' encoding='utf-8'>" }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "name": return .str(self.name)
        case "write":
            return method(name) { a, ev in
                let text = try a.bind("write", ["s"], required: 1)[0]!.asString("write() argument")
                if self.toStandardError, let interpreter = ev as? Interpreter {
                    interpreter.errorOutput(text)
                } else {
                    ev.write(text)
                }
                return .int(text.unicodeScalars.count)
            }
        case "flush": return method(name) { _, ev in ev.flushOutput(); return .none }
        default: return nil
        }
    }
}
