import Foundation

/// Python's `fractions.Fraction` and `numbers`. A Fraction is an instance of a class whose
/// methods are native (`__add__`, `__eq__`, `__float__` …), so the interpreter's operators,
/// comparisons, `float()`/`int()`/`round()`/`hash()` and formatting reach it as they reach a
/// script class. Numerators and denominators are 64-bit: a result that does not fit raises
/// OverflowError (CPython's are unbounded). `numbers.Number`, `Complex`, `Real`, `Rational`,
/// `Integral` answer `isinstance` for ints, bools, floats and Fractions.
enum FractionsModule {
    static let fractionClass: PyClass = {
        var d = NameTable()
        func method(_ name: String, _ body: @escaping (FractionValue, Arguments, Evaluator) throws -> Value) {
            d[name] = NativeClassMembers.method(name, "Fraction", body)
        }
        func other(_ a: Arguments) -> Value { a.positional.first ?? .none }
        method("__repr__") { f, _, _ in .str("Fraction(\(f.numerator), \(f.denominator))") }
        method("__str__") { f, _, _ in .str(f.denominator == 1 ? "\(f.numerator)" : "\(f.numerator)/\(f.denominator)") }
        method("__float__") { f, _, _ in .float(f.double) }
        method("__int__") { f, _, _ in .int(f.numerator / f.denominator) }
        method("__bool__") { f, _, _ in .bool(f.numerator != 0) }
        method("__hash__") { f, _, _ in .int(hash(f)) }
        method("__neg__") { f, _, _ in try make(0 &- f.numerator, f.denominator) }
        method("__pos__") { f, _, _ in .object(f) }
        method("__abs__") { f, _, _ in try make(Swift.abs(f.numerator), f.denominator) }
        method("__format__") { f, a, ev in .str(try ev.format(.str(try ev.str(.object(f))), spec: try other(a).asString())) }
        method("__round__") { f, a, ev in
            guard let digits = a.positional.first, !digits.isNone else { return .int(roundHalfEven(f.numerator, f.denominator)) }
            let n = try digits.asInt("ndigits")
            guard n >= 0, n < 19 else { return try make(f.numerator, f.denominator) }
            let scale = Int(pow(10.0, Double(n)))
            let (scaled, o) = f.numerator.multipliedReportingOverflow(by: scale)
            if o { throw overflow() }
            return try make(roundHalfEven(scaled, f.denominator), scale)
        }
        method("limit_denominator") { f, a, _ in
            let limit = try (try a.bind("limit_denominator", ["max_denominator"])[0] ?? .int(1_000_000)).asInt("max_denominator")
            guard limit >= 1 else { throw PyError(.valueError, "max_denominator should be at least 1") }
            let (n, d) = limitDenominator(f.numerator, f.denominator, limit)
            return try make(n, d)
        }
        method("as_integer_ratio") { f, _, ev in ev.makeTuple([.int(f.numerator), .int(f.denominator)]) }
        for (name, read) in [("numerator", \FractionValue.numerator), ("denominator", \FractionValue.denominator)] {
            d[name] = NativeClassMembers.property(name, "Fraction") { (f: FractionValue) in .int(f[keyPath: read]) }
        }
        let comparisons: [(String, ComparisonOperator)] = [("eq", .eq), ("ne", .ne), ("lt", .lt), ("le", .le), ("gt", .gt), ("ge", .ge)]
        for (name, op) in comparisons {
            method("__\(name)__") { f, a, ev in try compare(f, op, other(a), ev) }
        }
        let arithmetic: [BinaryOperator] = [.add, .sub, .mul, .div, .floorDiv, .mod, .pow]
        for op in arithmetic {
            method("__\(op.dunderName)__") { f, a, ev in try combine(.object(f), op, other(a), ev) }
            method("__r\(op.dunderName)__") { f, a, ev in try combine(other(a), op, .object(f), ev) }
        }
        let cls = PyClass(name: "Fraction", base: nil, dict: d, moduleName: "fractions")
        cls.metaclass = FractionConstructor.shared
        return cls
    }()

    static func fractions() -> Namespace {
        let m = Namespace("fractions")
        m["Fraction"] = .object(fractionClass)
        return m
    }

    static func numbers() -> Namespace {
        let m = Namespace("numbers")
        let kinds: [(String, (Value) -> Bool)] = [
            ("Number", { isReal($0) }), ("Complex", { isReal($0) }), ("Real", { isReal($0) }),
            ("Rational", { isRational($0) }), ("Integral", { if case .int = $0 { return true }; if case .bool = $0 { return true }; return false }),
        ]
        var parent: HostType?
        for (name, check) in kinds {
            let t = HostType(name, parent: parent, doc: "The abstract base class of \(name.lowercased()) numbers, for isinstance.", check: check)
            t.module = "numbers"
            m[name] = .object(t)
            parent = t
        }
        return m
    }

    private static func isRational(_ v: Value) -> Bool {
        switch v {
        case .int, .bool: return true
        case .object(let o): return o is FractionValue
        default: return false
        }
    }

    private static func isReal(_ v: Value) -> Bool {
        if case .float = v { return true }
        return isRational(v)
    }

    static func overflow() -> PyError { PyError(.overflowError, "Fraction too large for nnrepl's 64-bit numerator and denominator") }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a.magnitude, b.magnitude)
        while y != 0 { (x, y) = (y, x % y) }
        return Int(truncatingIfNeeded: x)
    }

    /// `Fraction(n, d)` in lowest terms with a positive denominator.
    static func make(_ n: Int, _ d: Int) throws -> Value {
        if d == 0 { throw PyError(.zeroDivisionError, "Fraction(\(n), 0)") }
        guard n != Int.min, d != Int.min else { throw overflow() }
        let g = Swift.max(gcd(n, d), 1)
        let sign = d < 0 ? -1 : 1
        return .object(FractionValue(sign * n / g, sign * d / g))
    }

    /// Python's `n // d`.
    private static func floorDivide(_ n: Int, _ d: Int) -> Int {
        let q = n / d
        return (n % d != 0) && ((n < 0) != (d < 0)) ? q - 1 : q
    }

    /// CPython's `Fraction.__hash__`: |n| times the inverse of d modulo 2**61 - 1, signed as n
    /// (so a whole Fraction hashes as its int).
    static func hash(_ f: FractionValue) -> Int {
        let p: UInt64 = (1 << 61) - 1
        func mulmod(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let wide = a.multipliedFullWidth(by: b)
            return p.dividingFullWidth((wide.high, wide.low)).remainder
        }
        var inverse: UInt64 = 1, base = UInt64(f.denominator) % p, e = p - 2
        while e > 0 {
            if e & 1 == 1 { inverse = mulmod(inverse, base) }
            base = mulmod(base, base)
            e >>= 1
        }
        let magnitude = inverse == 0 ? 314159 : mulmod(UInt64(f.numerator.magnitude) % p, inverse)
        let result = f.numerator < 0 ? -Int(magnitude) : Int(magnitude)
        return result == -1 ? -2 : result
    }

    /// `n / d` rounded to the nearest int, ties to even (Python's `round`).
    private static func roundHalfEven(_ n: Int, _ d: Int) -> Int {
        let floor = floorDivide(n, d)
        let remainder = n - floor * d, rest = d - remainder
        if remainder > rest || (remainder == rest && floor % 2 != 0) { return floor + 1 }
        return floor
    }

    /// CPython's `limit_denominator`: the closest fraction with denominator at most `limit`.
    private static func limitDenominator(_ n: Int, _ d: Int, _ limit: Int) -> (Int, Int) {
        if d <= limit { return (n, d) }
        var (p0, q0, p1, q1) = (0, 1, 1, 0)
        var (num, den) = (n, d)
        while true {
            let a = floorDivide(num, den)
            // Wrapping arithmetic: the convergents stay within the fraction's own terms.
            let q2 = q0 &+ a &* q1
            if q2 > limit || q2 < 0 { break }
            (p0, q0, p1, q1) = (p1, q1, p0 &+ a &* p1, q2)
            (num, den) = (den, num &- a &* den)
            if den == 0 { break }
        }
        guard q1 != 0 else { return (n, d) }
        let k = (limit - q0) / q1
        let bound1 = (p0 &+ k &* p1, q0 &+ k &* q1), bound2 = (p1, q1)
        guard bound1.1 > 0 else { return bound2 }
        let e1 = Swift.abs(Double(bound2.0) / Double(bound2.1) - Double(n) / Double(d))
        let e2 = Swift.abs(Double(bound1.0) / Double(bound1.1) - Double(n) / Double(d))
        return e1 <= e2 ? bound2 : bound1
    }

    /// A Fraction, int or bool as (numerator, denominator); nil for anything else.
    static func rational(_ v: Value) -> (Int, Int)? {
        switch v {
        case .int(let i): return (i, 1)
        case .bool(let b): return (b ? 1 : 0, 1)
        case .object(let o): return (o as? FractionValue).map { ($0.numerator, $0.denominator) }
        default: return nil
        }
    }

    /// `a op b` where one side is a Fraction: exact with ints and Fractions, a float with floats.
    static func combine(_ a: Value, _ op: BinaryOperator, _ b: Value, _ ev: Evaluator) throws -> Value {
        guard let x = rational(a), let y = rational(b) else {
            // One side a float: computed in floats.
            func asFloat(_ v: Value) -> Value? {
                if let r = rational(v) { return .float(Double(r.0) / Double(r.1)) }
                if case .float = v { return v }
                return nil
            }
            guard let fa = asFloat(a), let fb = asFloat(b) else { return .object(NotImplemented.shared) }
            return try Interpreter.of(ev).binary(op, fa, fb)
        }
        func product(_ p: Int, _ q: Int) throws -> Int {
            let (r, o) = p.multipliedReportingOverflow(by: q)
            if o { throw overflow() }
            return r
        }
        func sum(_ p: Int, _ q: Int) throws -> Int {
            let (r, o) = p.addingReportingOverflow(q)
            if o { throw overflow() }
            return r
        }
        switch op {
        case .add: return try make(try sum(try product(x.0, y.1), try product(y.0, x.1)), try product(x.1, y.1))
        case .sub:
            let subtrahend = try product(y.0, x.1)
            guard subtrahend != Int.min else { throw overflow() }
            return try make(try sum(try product(x.0, y.1), -subtrahend), try product(x.1, y.1))
        case .mul: return try make(try product(x.0, y.0), try product(x.1, y.1))
        case .div:
            if y.0 == 0 { throw PyError(.zeroDivisionError, "Fraction(\(try product(x.0, y.1)), 0)") }
            return try make(try product(x.0, y.1), try product(x.1, y.0))
        case .floorDiv, .mod:
            if y.0 == 0 { throw PyError(.zeroDivisionError, "Fraction(\(try product(x.0, y.1)), 0)") }
            let n = try product(x.0, y.1), d = try product(x.1, y.0)
            guard !(n == Int.min && d == -1) else { throw overflow() }
            var q = n / d
            if n % d != 0 && ((n < 0) != (d < 0)) { q -= 1 }
            if op == .floorDiv { return .int(q) }
            return try combine(a, .sub, try combine(b, .mul, .int(q), ev), ev)
        case .pow:
            guard y.1 == 1 else { return try Interpreter.of(ev).binary(.pow, .float(Double(x.0) / Double(x.1)), .float(Double(y.0) / Double(y.1))) }
            var (n, d) = y.0 >= 0 ? (x.0, x.1) : (x.1, x.0)
            if n == 0 && y.0 < 0 { throw PyError(.zeroDivisionError, "Fraction(\(x.1), 0)") }
            guard y.0 != Int.min else { throw overflow() }
            // Squaring: O(log e) steps, each checked.
            var (rn, rd) = (1, 1), e = Swift.abs(y.0)
            while e > 0 {
                if e & 1 == 1 { rn = try product(rn, n); rd = try product(rd, d) }
                e >>= 1
                if e > 0 { n = try product(n, n); d = try product(d, d) }
            }
            return try make(rn, rd)
        default: return .object(NotImplemented.shared)
        }
    }

    /// `f op other`: exactly with ints and Fractions, as floats with a float.
    private static func compare(_ f: FractionValue, _ op: ComparisonOperator, _ other: Value, _ ev: Evaluator) throws -> Value {
        if let y = rational(other) {
            let lhs = f.numerator.multipliedFullWidth(by: y.1), rhs = y.0.multipliedFullWidth(by: f.denominator)
            let c = lhs.high != rhs.high ? (lhs.high < rhs.high ? -1 : 1) : (lhs.low == rhs.low ? 0 : (lhs.low < rhs.low ? -1 : 1))
            switch op {
            case .eq: return .bool(c == 0)
            case .ne: return .bool(c != 0)
            case .lt: return .bool(c < 0)
            case .le: return .bool(c <= 0)
            case .gt: return .bool(c > 0)
            case .ge: return .bool(c >= 0)
            default: return .object(NotImplemented.shared)
            }
        }
        if case .float(let x) = other {
            // Exactly, as CPython compares with the float's own ratio (doubles when it does not fit).
            if x.isFinite, let exact = try? fromDouble(x), case .object(let o) = exact, let g = o as? FractionValue {
                return try compare(f, op, .object(g), ev)
            }
            return try Interpreter.of(ev).compare(op, .float(f.double), other)
        }
        if op == .eq { return .bool(false) }
        if op == .ne { return .bool(true) }
        return .object(NotImplemented.shared)
    }

    /// `Fraction(numerator=0, denominator=None)` from ints, Fractions, floats or text.
    static func construct(_ args: Arguments, _ ev: Evaluator) throws -> Value {
        let s = try args.bind("Fraction", ["numerator", "denominator"])
        let first = s[0] ?? .int(0)
        if let second = s[1], !second.isNone {
            guard let x = rational(first), let y = rational(second) else {
                throw PyError(.typeError, "both arguments should be Rational instances")
            }
            if y.0 == 0 { throw PyError(.zeroDivisionError, "Fraction(\(x.0 * y.1), 0)") }
            return try combine(try make(x.0, x.1), .div, try make(y.0, y.1), ev)
        }
        if let x = rational(first) { return try make(x.0, x.1) }
        switch first {
        case .float(let d): return try fromDouble(d)
        case .str(let text): return try parse(text)
        default: throw PyError(.typeError, "argument should be a string or a Rational instance")
        }
    }

    /// The exact value of a float.
    static func fromDouble(_ d: Double) throws -> Value {
        if d.isNaN { throw PyError(.valueError, "cannot convert NaN to integer ratio") }
        if d.isInfinite { throw PyError(.overflowError, "cannot convert Infinity to integer ratio") }
        var mantissa = d.significand, exponent = Int(d.exponent)
        if d == 0 { return try make(0, 1) }
        var n = 0.0
        // Scale the significand to an integer (at most 53 bits).
        var shift = 0
        while mantissa != mantissa.rounded(.towardZero) && shift < 60 { mantissa *= 2; shift += 1 }
        n = mantissa * (d < 0 ? -1 : 1)
        exponent -= shift
        guard let num = Int(exactly: n) else { throw overflow() }
        if exponent >= 0 {
            guard exponent < 62 - num.magnitude.bitWidth + num.magnitude.leadingZeroBitCount else { throw overflow() }
            return try make(num << exponent, 1)
        }
        guard -exponent < 63 else { throw overflow() }
        return try make(num, 1 << -exponent)
    }

    /// `Fraction('3/4')`, `Fraction(' -1.25 ')`, `Fraction('1e-3')`.
    private static func parse(_ text: String) throws -> Value {
        let t = text.trimmingCharacters(in: .whitespaces)
        let invalid = PyError(.valueError, "Invalid literal for Fraction: \(pythonStringRepr(text))")
        let parts = t.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2 {
            guard let n = Int(parts[0].replacingOccurrences(of: "_", with: "")), let d = Int(parts[1].replacingOccurrences(of: "_", with: "")),
                  !parts[1].hasPrefix("+"), !parts[1].hasPrefix("-") else { throw invalid }
            return try make(n, d)
        }
        guard parts.count == 1, !t.isEmpty else { throw invalid }
        let lower = t.lowercased()
        var mantissa = lower, exponent = 0
        if let e = lower.firstIndex(of: "e") {
            mantissa = String(lower[..<e])
            guard let x = Int(lower[lower.index(after: e)...]) else { throw invalid }
            exponent = x
        }
        var negative = false
        if mantissa.hasPrefix("-") || mantissa.hasPrefix("+") {
            negative = mantissa.hasPrefix("-")
            mantissa.removeFirst()
        }
        let pieces = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2, pieces.allSatisfy({ $0.allSatisfy(\.isNumber) }), pieces.contains(where: { !$0.isEmpty }) else { throw invalid }
        let digits = pieces.joined()
        exponent -= pieces.count == 2 ? pieces[1].count : 0
        guard var n = Int(digits) else { throw overflow() }
        if negative { n = -n }
        var d = 1
        for _ in 0..<Swift.abs(exponent) {
            if exponent > 0 {
                let (r, o) = n.multipliedReportingOverflow(by: 10)
                if o { throw overflow() }
                n = r
            } else {
                let (r, o) = d.multipliedReportingOverflow(by: 10)
                if o { throw overflow() }
                d = r
            }
        }
        return try make(n, d)
    }
}

/// A Fraction: an instance of `fractions.Fraction`, numerator over a positive denominator in
/// lowest terms.
final class FractionValue: PyInstance {
    let numerator: Int
    let denominator: Int

    init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
        super.init(cls: FractionsModule.fractionClass)
    }

    var double: Double { Double(numerator) / Double(denominator) }
}

/// `Fraction(...)` builds a FractionValue rather than a plain instance.
final class FractionConstructor: NativeMetaclass {
    static let shared = FractionConstructor()

    override func call(_ cls: PyClass, _ args: Arguments, _ ev: Evaluator) throws -> Value? {
        guard cls === FractionsModule.fractionClass else {
            throw PyError(.notImplementedError, "subclasses of Fraction are not supported by nnrepl")
        }
        return try FractionsModule.construct(args, ev)
    }
}
