import Foundation

/// `random`'s real-valued distributions and raw bits, each CPython 3.11's algorithm step for
/// step (same draws, same order), so a seeded script prints CPython's numbers.
extension PythonStdlib {
    static func addDistributions(_ r: Namespace, _ rng: PythonRandom) {
        func def(_ name: String, _ signature: String, _ doc: String, _ body: @escaping (Bound, Evaluator) throws -> Value) {
            r[name] = .object(NativeFunction(name, signature, doc: doc, body))
        }
        def("normalvariate", "mu=0.0, sigma=1.0", "Normal distribution (Kinderman and Monahan's ratio method).") { b, _ in
            .float(rng.normalvariate(try b[0].asDouble("mu"), try b[1].asDouble("sigma")))
        }
        def("lognormvariate", "mu, sigma", "Log normal distribution: exp(normalvariate(mu, sigma)).") { b, _ in
            .float(Foundation.exp(rng.normalvariate(try b[0].asDouble("mu"), try b[1].asDouble("sigma"))))
        }
        def("expovariate", "lambd=1.0", "Exponential distribution with rate lambd.") { b, _ in
            let lambd = try b[0].asDouble("lambd")
            guard lambd != 0 else { throw PyError(.zeroDivisionError, "float division by zero") }
            return .float(-Foundation.log(1.0 - rng.random()) / lambd)
        }
        def("triangular", "low=0.0, high=1.0, mode=None", "Triangular distribution on [low, high] peaking at mode (the midpoint by default).") { b, _ in
            var low = try b[0].asDouble("low"), high = try b[1].asDouble("high")
            var u = rng.random()
            guard high != low else { return .float(low) }
            var c = b[2].isNone ? 0.5 : (try b[2].asDouble("mode") - low) / (high - low)
            if u > c { u = 1.0 - u; c = 1.0 - c; swap(&low, &high) }
            return .float(low + (high - low) * (u * c).squareRoot())
        }
        def("gammavariate", "alpha, beta", "Gamma distribution (not the gamma function), alpha > 0, beta > 0.") { b, _ in
            .float(try rng.gammavariate(try b[0].asDouble("alpha"), try b[1].asDouble("beta")))
        }
        def("betavariate", "alpha, beta", "Beta distribution on [0, 1], alpha > 0, beta > 0.") { b, _ in
            let y = try rng.gammavariate(try b[0].asDouble("alpha"), 1.0)
            guard y != 0 else { return .float(0) }
            return .float(y / (y + (try rng.gammavariate(try b[1].asDouble("beta"), 1.0))))
        }
        def("paretovariate", "alpha", "Pareto distribution.") { b, _ in
            .float(Foundation.pow(1.0 - rng.random(), -1.0 / (try b[0].asDouble("alpha"))))
        }
        def("weibullvariate", "alpha, beta", "Weibull distribution with scale alpha and shape beta.") { b, _ in
            let alpha = try b[0].asDouble("alpha"), beta = try b[1].asDouble("beta")
            return .float(alpha * Foundation.pow(-Foundation.log(1.0 - rng.random()), 1.0 / beta))
        }
        def("vonmisesvariate", "mu, kappa", "Von Mises (circular normal) distribution: an angle in [0, 2π).") { b, _ in
            .float(rng.vonmisesvariate(try b[0].asDouble("mu"), try b[1].asDouble("kappa")))
        }
        def("getrandbits", "k, /", "An int of k random bits (k < 64 in nnrepl).") { b, _ in
            let k = try b[0].asInt("k")
            guard k >= 0 else { throw PyError(.valueError, "number of bits must be non-negative") }
            guard k < 64 else { throw PyError(.overflowError, "int too large for nnrepl (64-bit ints)") }
            if k == 0 { return .int(0) }
            if k <= 32 { return .int(Int(rng.next32() >> (32 - k))) }
            let low = UInt64(rng.next32()), high = UInt64(rng.next32() >> (64 - k))
            return .int(Int(low | high << 32))
        }
        def("getstate", "", "The generator's state, for setstate().") { _, ev in rng.state(ev) }
        def("setstate", "state", "Restores a state getstate() returned.") { b, ev in
            try rng.setState(b[0], ev)
            return .none
        }
    }
}

extension PythonRandom {
    /// `normalvariate(mu, sigma)`: Kinderman and Monahan's ratio-of-uniforms method.
    func normalvariate(_ mu: Double, _ sigma: Double) -> Double {
        let magic = 4 * Foundation.exp(-0.5) / 2.0.squareRoot()
        while true {
            let u1 = random(), u2 = 1.0 - random()
            let z = magic * (u1 - 0.5) / u2
            if z * z / 4.0 <= -Foundation.log(u2) { return mu + z * sigma }
        }
    }

    /// `gammavariate(alpha, beta)`: Cheng's method for alpha > 1, the exponential for 1,
    /// algorithm GS (Kennedy & Gentle) below 1.
    func gammavariate(_ alpha: Double, _ beta: Double) throws -> Double {
        guard alpha > 0, beta > 0 else { throw PyError(.valueError, "gammavariate: alpha and beta must be > 0.0") }
        if alpha > 1 {
            let ainv = (2.0 * alpha - 1.0).squareRoot(), bbb = alpha - Foundation.log(4.0), ccc = alpha + ainv
            let sgMagic = 1.0 + Foundation.log(4.5)
            while true {
                let u1 = random()
                guard 1e-7 < u1 && u1 < 0.9999999 else { continue }
                let u2 = 1.0 - random()
                let v = Foundation.log(u1 / (1.0 - u1)) / ainv
                let x = alpha * Foundation.exp(v)
                let z = u1 * u1 * u2
                let r = bbb + ccc * v - x
                if r + sgMagic - 4.5 * z >= 0 || r >= Foundation.log(z) { return x * beta }
            }
        }
        if alpha == 1 { return -Foundation.log(1.0 - random()) * beta }
        while true {
            let u = random()
            let b = (M_E + alpha) / M_E
            let p = b * u
            let x = p <= 1 ? Foundation.pow(p, 1.0 / alpha) : -Foundation.log((b - p) / alpha)
            let u1 = random()
            if p > 1 ? u1 <= Foundation.pow(x, alpha - 1.0) : u1 <= Foundation.exp(-x) { return x * beta }
        }
    }

    /// `vonmisesvariate(mu, kappa)`: Best and Fisher's method.
    func vonmisesvariate(_ mu: Double, _ kappa: Double) -> Double {
        let twoPi = 2 * Double.pi
        if kappa <= 1e-6 { return twoPi * random() }
        let s = 0.5 / kappa, r = s + (1.0 + s * s).squareRoot()
        var z = 0.0
        while true {
            z = Foundation.cos(Double.pi * random())
            let d = z / (r + z)
            let u2 = random()
            if u2 < 1.0 - d * d || u2 <= (1.0 - d) * Foundation.exp(d) { break }
        }
        let q = 1.0 / r, f = (q + z) / (1.0 + q * z)
        let theta = random() > 0.5 ? mu + Foundation.acos(f) : mu - Foundation.acos(f)
        // Python's float %: the result takes the divisor's sign.
        let m = Foundation.fmod(theta, twoPi)
        return m < 0 ? m + twoPi : m
    }
}
