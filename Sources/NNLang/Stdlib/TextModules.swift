import Foundation

/// Python's `string` constants and `statistics` (mean, median, mode, variance, stdev).
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
        return m
    }
}
