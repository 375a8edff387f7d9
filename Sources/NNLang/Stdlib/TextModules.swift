import Foundation

/// Python's `string` constants and `statistics` (mean, median, mode, variance, stdev, quantiles …).
enum TextModules {
    static func string() -> Namespace {
        let s = Namespace("string")
        let lower = "abcdefghijklmnopqrstuvwxyz", upper = lower.uppercased(), digits = "0123456789"
        s["ascii_lowercase"] = .str(lower)
        s["ascii_uppercase"] = .str(upper)
        s["ascii_letters"] = .str(lower + upper)
        s["digits"] = .str(digits)
        s["hexdigits"] = .str(digits + "abcdefABCDEF")
        s["octdigits"] = .str("01234567")
        s["punctuation"] = .str("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
        s["whitespace"] = .str(" \t\n\r\u{0B}\u{0C}")
        s["printable"] = .str(digits + lower + upper + "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" + " \t\n\r\u{0B}\u{0C}")
        addTemplates(s)
        return s
    }

    static func statistics() -> Namespace {
        let m = Namespace("statistics")
        func numbers(_ v: Value, _ ev: Evaluator, _ function: String, atLeast n: Int) throws -> [Double] {
            let xs = try ev.iterate(v).map { try $0.asDouble("data") }
            guard xs.count >= n else {
                throw PyError(.valueError, n == 1 ? "\(function) requires at least one data point" : "\(function) requires at least two data points")
            }
            return xs
        }
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            m[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        def("mean", "data", "The arithmetic mean (an int mean of ints stays exact when it is whole).") { b, ev in
            let items = try ev.iterate(b[0])
            guard !items.isEmpty else { throw PyError(.valueError, "mean requires at least one data point") }
            if items.allSatisfy({ if case .int = $0 { return true }; return false }) {
                let ints = items.map { if case .int(let i) = $0 { return i }; return 0 }
                let (sum, o) = ints.reduce((0, false)) { acc, x in let r = acc.0.addingReportingOverflow(x); return (r.partialValue, acc.1 || r.overflow) }
                if !o && sum % ints.count == 0 { return .int(sum / ints.count) }
            }
            let xs = try items.map { try $0.asDouble("data") }
            return .float(xs.reduce(0, +) / Double(xs.count))
        }
        def("fmean", "data, weights=None", "The mean as a float.") { b, ev in
            let xs = try numbers(b[0], ev, "fmean", atLeast: 1)
            return .float(xs.reduce(0, +) / Double(xs.count))
        }
        def("median", "data", "The middle value (the mean of the two middle values for an even count).") { b, ev in
            let items = try ev.iterate(b[0])
            guard !items.isEmpty else { throw PyError(.valueError, "no median for empty data") }
            let sorted = try items.sorted { try $0.asDouble("data") < $1.asDouble("data") }
            let n = sorted.count
            if n % 2 == 1 { return sorted[n / 2] }
            return .float((try sorted[n / 2 - 1].asDouble() + sorted[n / 2].asDouble()) / 2)
        }
        def("mode", "data", "The most common value (the first one seen on a tie).") { b, ev in
            let items = try ev.iterate(b[0])
            guard !items.isEmpty else { throw PyError(.valueError, "no mode for empty data") }
            let counts = PyDict()
            for v in items { try counts.set(v, .int(((try counts.get(v)).flatMap { if case .int(let i) = $0 { return i }; return nil } ?? 0) + 1)) }
            counts.flavor = .counter
            return try counts.countsByFrequency(ev)[0].0
        }
        for (name, sample, root) in [("variance", true, false), ("pvariance", false, false), ("stdev", true, true), ("pstdev", false, true)] {
            def(name, "data, xbar=None", "\(root ? "Standard deviation" : "Variance") of the \(sample ? "sample" : "population").") { b, ev in
                let xs = try numbers(b[0], ev, name, atLeast: sample ? 2 : 1)
                if b[1].isNone, let exact = try exactIntVariance(try ev.iterate(b[0]), ddof: sample ? 1 : 0) {
                    // CPython's exact sum of squares over ints: N / D, an int when whole.
                    if root { return .float((Double(exact.numerator) / Double(exact.denominator)).squareRoot()) }
                    if exact.numerator % exact.denominator == 0, let whole = Int(exactly: exact.numerator / exact.denominator) { return .int(whole) }
                    return .float(Double(exact.numerator) / Double(exact.denominator))
                }
                let mean = try Convert.optionalDouble(b[1], "xbar") ?? xs.reduce(0, +) / Double(xs.count)
                let ss = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
                let v = ss / Double(xs.count - (sample ? 1 : 0))
                if root { return .float(v.squareRoot()) }
                // Python computes exactly and returns an int for int data when the result is whole.
                let ints = try ev.iterate(b[0]).allSatisfy { if case .int = $0 { return true }; return false }
                if ints, b[1].isNone, v == v.rounded(), Swift.abs(v) < 9e15 { return .int(Int(v)) }
                return .float(v)
            }
        }
        for (name, high) in [("median_low", false), ("median_high", true)] {
            def(name, "data", "The \(high ? "larger" : "smaller") of the two middle values for an even count (the middle one for an odd count).") { b, ev in
                let items = try ev.iterate(b[0])
                guard !items.isEmpty else { throw PyError(.valueError, "no median for empty data") }
                let sorted = try sortValues(items, key: nil, reverse: false, ev)
                let n = sorted.count
                return sorted[n % 2 == 1 ? n / 2 : (high ? n / 2 : n / 2 - 1)]
            }
        }
        def("multimode", "data", "The most common values, in the order first seen.") { b, ev in
            let counts = PyDict()
            for v in try ev.iterate(b[0]) { try counts.set(v, .int(((try counts.get(v)).flatMap { if case .int(let i) = $0 { return i }; return nil } ?? 0) + 1)) }
            let top = counts.items.map { if case .int(let i) = $0.1 { return i }; return 0 }.max() ?? 0
            return ev.makeList(counts.items.filter { if case .int(let i) = $0.1 { return i == top }; return false }.map(\.0))
        }
        def("geometric_mean", "data", "The geometric mean: exp(fmean(log(x) for x in data)).") { b, ev in
            let xs = try numbers(b[0], ev, "geometric_mean", atLeast: 1)
            guard xs.allSatisfy({ $0 > 0 }) else {
                throw PyError(.valueError, "geometric mean requires a non-empty dataset containing positive numbers")
            }
            return .float(Foundation.exp(xs.map { Foundation.log($0) }.reduce(0, +) / Double(xs.count)))
        }
        def("quantiles", "data, *, n=4, method='exclusive'", "The n - 1 cut points dividing data into n equal-probability groups.") { b, ev in
            let n = try b[1].asInt("n")
            guard n >= 1 else { throw PyError(.valueError, "n must be at least 1") }
            let data = try numbers(b[0], ev, "quantiles", atLeast: 0).sorted()
            let method = try b[2].asString("method")
            guard method == "exclusive" || method == "inclusive" else { throw PyError(.valueError, "Unknown method: \(try ev.repr(b[2]))") }
            let ld = data.count
            guard ld >= 2 else {
                if ld == 1 { return ev.makeList([Value](repeating: .float(data[0]), count: n - 1)) }
                throw PyError(.valueError, "must have at least one data point")
            }
            var out: [Value] = []
            for i in 1..<n {
                if method == "inclusive" {
                    let m = ld - 1, j = i * m / n, delta = i * m - j * n
                    out.append(.float((data[j] * Double(n - delta) + data[j + 1] * Double(delta)) / Double(n)))
                } else {
                    let m = ld + 1
                    let j = Swift.min(Swift.max(i * m / n, 1), ld - 1), delta = i * m - j * n
                    out.append(.float((data[j - 1] * Double(n - delta) + data[j] * Double(delta)) / Double(n)))
                }
            }
            return ev.makeList(out)
        }
        return m
    }

    /// The variance of all-int data as CPython's `statistics` computes it, exactly: the sum of
    /// (x·n − Σx)² over n²·(n − ddof), in 128-bit ints; nil when the data are not all ints or a
    /// term would overflow.
    static func exactIntVariance(_ items: [Value], ddof: Int) throws -> (numerator: Int128, denominator: Int128)? {
        var ints: [Int128] = []
        for v in items {
            guard case .int(let i) = v else { return nil }
            ints.append(Int128(i))
        }
        let n = Int128(ints.count)
        guard n > Int128(ddof) else { return nil }
        var total: Int128 = 0, ss: Int128 = 0
        for x in ints {
            let (t, o) = total.addingReportingOverflow(x)
            guard !o else { return nil }
            total = t
        }
        for x in ints {
            let (scaled, o1) = x.multipliedReportingOverflow(by: n)
            guard !o1 else { return nil }
            let (d, o2) = scaled.subtractingReportingOverflow(total)
            guard !o2 else { return nil }
            let (sq, o3) = d.multipliedReportingOverflow(by: d)
            guard !o3 else { return nil }
            let (s, o4) = ss.addingReportingOverflow(sq)
            guard !o4 else { return nil }
            ss = s
        }
        return (ss, n * n * (n - Int128(ddof)))
    }
}
