import Foundation
import NNLang
import TensorRuntime

/// `torch.distributions`: `Categorical`, `Normal` and `Bernoulli`, what the policy-gradient
/// tutorials use. Each follows PyTorch's Python code operation by operation (so values, random
/// draws and `grad_fn`s are PyTorch's): parameters normalised as PyTorch normalises them, the
/// other parametrisation (`probs` ↔ `logits`) computed lazily on first use — and, as in
/// PyTorch, listed by `repr` only once it has been — `sample` under no_grad, `rsample`
/// differentiable, `log_prob`, `entropy`, `mean`, `stddev`, `variance`, `batch_shape`,
/// `event_shape`. Argument validation (`validate_args`) is accepted and not performed.
/// (Only Normal's and Bernoulli's `sample` run under no_grad, as PyTorch's do.)
enum DistributionsNamespace {
    /// The submodules `from torch.distributions.categorical import Categorical` reaches.
    static let submodules = ["categorical", "bernoulli", "normal", "uniform", "multivariate_normal", "independent", "kl",
                              "exponential", "laplace", "one_hot_categorical"]

    static func make() -> Namespace {
        let ns = Namespace("torch.distributions")
        func declare(_ name: String, _ module: String, _ signature: String, _ doc: String,
                     _ make: @escaping (Bound, Evaluator) throws -> DistributionObject) {
            DistributionsNamespace.declare(in: ns, name, module, signature, doc, make)
        }
        declare("Categorical", "categorical", "probs=None, logits=None, validate_args=None",
                "A distribution over 0…K-1 given by probs (normalised) or logits (log-softmax).") { b, _ in
            try Distribution.categorical(probs: try optionalTensor(b[0]), logits: try optionalTensor(b[1]))
        }
        declare("Bernoulli", "bernoulli", "probs=None, logits=None, validate_args=None",
                "A 0/1 distribution given by probs or logits (sigmoid).") { b, _ in
            try Distribution.bernoulli(probs: try optionalParameter(b[0]), logits: try optionalParameter(b[1]))
        }
        declare("Normal", "normal", "loc, scale, validate_args=None",
                "The normal distribution with mean loc and standard deviation scale.") { b, _ in
            let (loc, scale) = try broadcastAll(b[0], b[1])
            return Distribution(className: "Normal", parameters: [("loc", loc), ("scale", scale)],
                                batchShape: loc.shape, eventShape: [], kind: .normal)
        }
        installMore(ns)
        installMixture(ns)
        return ns
    }

    /// `ns.<name>`, a class constructing its distribution from its declared signature, also
    /// reachable as `torch.distributions.<module>.<name>`.
    static func declare(in ns: Namespace, _ name: String, _ module: String, _ signature: String, _ doc: String,
                        _ make: @escaping (Bound, Evaluator) throws -> DistributionObject) {
        let sig = Signature(signature)
        let type = HostType(name, signature: sig, doc: doc, check: { v in
            if case .object(let o as DistributionObject) = v { return o.className == name }
            return false
        }, construct: { a, ev in .object(try make(try sig.bind(a, name), ev)) })
        type.module = "torch.distributions.\(module)"
        ns[name] = .object(type)
        let sub = (ns[module]).flatMap { v -> Namespace? in if case .object(let n as Namespace) = v { return n }; return nil }
            ?? Namespace("torch.distributions.\(module)")
        sub[name] = .object(type)
        ns[module] = .object(sub)
    }

    private static func optionalTensor(_ v: Value) throws -> Tensor? { v.isNone ? nil : try v.asTensor("probs") }

    /// A tensor parameter, or a number as a 0-dim tensor of the default dtype.
    private static func optionalParameter(_ v: Value) throws -> Tensor? {
        switch v {
        case .none: return nil
        case .tensor(let t): return t
        default: return try Tensor(scalar: .double(try v.asDouble("probs")), dtype: .float32)
        }
    }

    /// `broadcast_all(a, b)`: numbers become tensors of the first tensor's dtype (else float32),
    /// then both are expanded to their common shape.
    static func broadcastAll(_ a: Value, _ b: Value) throws -> (Tensor, Tensor) {
        var dtype = DType.float32
        if case .tensor(let t) = a { dtype = t.dtype } else if case .tensor(let t) = b { dtype = t.dtype }
        func tensor(_ v: Value) throws -> Tensor {
            if case .tensor(let t) = v { return t }
            return try Tensor(scalar: .double(try v.asDouble("value")), dtype: dtype)
        }
        let x = try tensor(a), y = try tensor(b)
        let shape = try broadcastShapes(x.shape, y.shape)
        return (x.shape == shape ? x : try x.expand(shape), y.shape == shape ? y : try y.expand(shape))
    }
}

/// Categorical, Bernoulli and Normal (one class, told apart by `kind`).
final class Distribution: DistributionObject {
    enum Kind { case categorical, bernoulli, normal }

    let kind: Kind

    init(className: String, parameters: [(String, Tensor?)], batchShape: [Int], eventShape: [Int], kind: Kind) {
        self.kind = kind
        super.init(className: className, parameters: parameters, batchShape: batchShape, eventShape: eventShape)
    }

    /// `Categorical(probs=…)` / `Categorical(logits=…)`.
    static func categorical(probs: Tensor?, logits: Tensor?) throws -> Distribution {
        guard (probs == nil) != (logits == nil) else {
            throw PyError(.valueError, "Either `probs` or `logits` must be specified, but not both.")
        }
        let given: Tensor
        var p: Tensor?, l: Tensor?
        if let probs {
            guard probs.dim >= 1 else { throw PyError(.valueError, "`probs` parameter must be at least one-dimensional.") }
            p = try probs.div(try probs.sum(dims: [probs.dim - 1], keepdim: true))
            given = probs
        } else if let logits {
            guard logits.dim >= 1 else { throw PyError(.valueError, "`logits` parameter must be at least one-dimensional.") }
            l = try logits.sub(try logits.logsumexp(dims: [logits.dim - 1], keepdim: true))
            given = logits
        } else {
            throw PyError(.valueError, "Either `probs` or `logits` must be specified, but not both.")
        }
        return Distribution(className: "Categorical", parameters: [("probs", p), ("logits", l)],
                            batchShape: given.dim > 1 ? Array(given.shape.dropLast()) : [], eventShape: [], kind: .categorical)
    }

    /// `Bernoulli(probs=…)` / `Bernoulli(logits=…)`.
    static func bernoulli(probs: Tensor?, logits: Tensor?) throws -> Distribution {
        guard (probs == nil) != (logits == nil), let given = probs ?? logits else {
            throw PyError(.valueError, "Either `probs` or `logits` must be specified, but not both.")
        }
        return Distribution(className: "Bernoulli", parameters: [("probs", probs), ("logits", logits)],
                            batchShape: given.shape, eventShape: [], kind: .bernoulli)
    }

    /// `clamp_probs`: probabilities kept inside (eps, 1 - eps) of their dtype.
    private static func clampProbs(_ p: Tensor) throws -> Tensor {
        let eps = p.dtype == .float64 ? Double.ulpOfOne : Double(Float.ulpOfOne)
        return try p.clamp(min: .double(eps), max: .double(1 - eps))
    }

    /// `probs`, computed from `logits` on first use (softmax, or sigmoid for Bernoulli).
    var probs: Tensor {
        get throws {
            if let p = stored("probs") { return p }
            guard let l = stored("logits") else { throw PyError(.attributeError, "'\(className)' object has no attribute 'probs'") }
            let p = kind == .bernoulli ? try l.sigmoid() : try l.softmax(dim: l.dim - 1)
            store("probs", p)
            return p
        }
    }

    /// `logits`, computed from `probs` on first use (`probs_to_logits`).
    var logits: Tensor {
        get throws {
            if let l = stored("logits") { return l }
            guard let p = stored("probs") else { throw PyError(.attributeError, "'\(className)' object has no attribute 'logits'") }
            let c = try Distribution.clampProbs(p)
            let l = kind == .bernoulli ? try c.log().sub(try c.neg().log1p()) : try c.log()
            store("logits", l)
            return l
        }
    }

    override func property(_ name: String) throws -> Value? {
        switch name {
        case "probs" where kind != .normal: return .tensor(try probs)
        case "logits" where kind != .normal: return .tensor(try logits)
        case "loc", "mean" where kind == .normal, "mode" where kind == .normal: return .tensor(try tensor("loc"))
        case "scale", "stddev" where kind == .normal: return .tensor(try tensor("scale"))
        case "variance" where kind == .normal: return .tensor(try tensor("scale").pow(.int(2)))
        case "mean" where kind == .bernoulli: return .tensor(try probs)
        case "variance" where kind == .bernoulli: return .tensor(try probs.mul(try probs.neg().add(.int(1))))
        // The shape of probs / logits (Categorical's includes the categories).
        case "param_shape" where kind != .normal: return .object(TorchSize(try probs.shape))
        case "_num_events" where kind == .categorical: return .int(try probs.shape.last ?? 1)
        case "enumerate_support" where kind != .normal:
            // Every value of the support along a new first dim, expanded over the batch shape.
            return method(name) { a, ev in
                let expand = try ev.truthy(try Signature("expand=True").bind(a, name)[0])
                let values = self.kind == .categorical ? try Tensor.arange(.int(Int64(try self.probs.shape.last ?? 1)), dtype: .int64)
                                                       : try Tensor.arange(.int(2), dtype: try self.probs.dtype)
                let column = try values.view([-1] + self.batchShape.map { _ in 1 })
                return .tensor(expand ? try column.expand([-1] + self.batchShape) : column)
            }
        default: return nil
        }
    }

    override func sample(_ sampleShape: [Int]) throws -> Tensor {
        // PyTorch's Categorical.sample runs with grad on (a lazy `probs` it computes keeps its graph).
        guard kind == .categorical else { return try GradMode.withNoGrad { try draw(sampleShape) } }
        return try draw(sampleShape)
    }

    private func draw(_ sampleShape: [Int]) throws -> Tensor {
        let shape = extendedShape(sampleShape)
        switch kind {
        case .categorical:
            let p = try probs
            let k = p.shape.last ?? 1
            let n = sampleShape.reduce(1, *)
            let drawn = try p.reshape([-1, k]).multinomial(numSamples: n, replacement: true)
            return try drawn.t().reshape(shape)
        case .bernoulli:
            return try probs.expand(shape).bernoulli()
        case .normal:
            // torch.normal(loc.expand(shape), scale.expand(shape)): normal_(0, 1), then * std + mean.
            return try Tensor.randn(shape, dtype: try tensor("loc").dtype)
                .mul(try tensor("scale").expand(shape)).add(try tensor("loc").expand(shape))
        }
    }

    /// Normal's reparameterised sample: `loc + eps * scale`, differentiable in both.
    override func rsample(_ sampleShape: [Int]) throws -> Tensor {
        guard kind == .normal else { return try super.rsample(sampleShape) }
        let loc = try tensor("loc")
        let eps = try GradMode.withNoGrad { try Tensor.randn(extendedShape(sampleShape), dtype: loc.dtype) }
        return try loc.add(try eps.mul(try tensor("scale")))
    }

    /// `kl_divergence(self, q)` for q of the same kind (PyTorch's `_kl_normal_normal`,
    /// `_kl_categorical_categorical`, `_kl_bernoulli_bernoulli`).
    func klDivergence(to q: Distribution) throws -> Tensor {
        switch kind {
        case .normal:
            let varianceRatio = try tensor("scale").div(try q.tensor("scale")).pow(.int(2))
            let t1 = try tensor("loc").sub(try q.tensor("loc")).div(try q.tensor("scale")).pow(.int(2))
            return try varianceRatio.add(t1).sub(.int(1)).sub(try varianceRatio.log()).mul(.double(0.5))
        case .categorical:
            var t = try probs.mul(try logits.sub(try q.logits))
            t = try t.maskedFill(try q.probs.eq(.int(0)).expand(t.shape), .double(.infinity))
            t = try t.maskedFill(try probs.eq(.int(0)).expand(t.shape), .int(0))
            return try t.sum(dims: [-1])
        case .bernoulli:
            func softplus(_ x: Tensor) throws -> Tensor { try x.softplus() }
            var t1 = try probs.mul(try softplus(try q.logits.neg()).sub(try softplus(try logits.neg())))
            t1 = try t1.maskedFill(try q.probs.eq(.int(0)), .double(.infinity)).maskedFill(try probs.eq(.int(0)), .int(0))
            var t2 = try probs.neg().add(.int(1)).mul(try softplus(try q.logits).sub(try softplus(try logits)))
            t2 = try t2.maskedFill(try q.probs.eq(.int(1)), .double(.infinity)).maskedFill(try probs.eq(.int(1)), .int(0))
            return try t1.add(t2)
        }
    }

    /// Normal's `0.5 * (1 + erf((value - loc) / scale / sqrt(2)))`.
    override func cdf(_ value: Tensor) throws -> Tensor {
        guard kind == .normal else { return try super.cdf(value) }
        let z = try value.sub(try tensor("loc")).mul(try tensor("scale").reciprocal()).div(.double(2.0.squareRoot()))
        return try z.erf().add(.int(1)).mul(.double(0.5))
    }

    /// Normal's `loc + scale * erfinv(2 * value - 1) * sqrt(2)`.
    override func icdf(_ value: Tensor) throws -> Tensor {
        guard kind == .normal else { return try super.icdf(value) }
        let e = try value.mul(.int(2)).sub(.int(1)).apply(.erfinv)
        return try tensor("loc").add(try tensor("scale").mul(e).mul(.double(2.0.squareRoot())))
    }

    override func logProb(_ value: Tensor) throws -> Tensor {
        let value = Value.tensor(value)
        switch kind {
        case .categorical:
            let l = try logits
            let v = try value.asTensor("value").converted(to: .int64).unsqueeze(-1)
            let shape = try broadcastShapes(v.shape, l.shape)
            let last = shape.count - 1
            let index = try v.expand(shape).narrow(dim: last, start: 0, length: 1)
            return try l.expand(shape).gather(dim: last, index: index).squeeze(dim: last)
        case .bernoulli:
            let (l, v) = try DistributionsNamespace.broadcastAll(.tensor(try logits), value)
            return try Functional.binaryCrossEntropyWithLogits(l, target: v, reduction: "none").neg()
        case .normal:
            let loc = try tensor("loc"), scale = try tensor("scale")
            let v = try value.asTensor("value")
            let variance = try scale.pow(.int(2))
            return try v.sub(loc).pow(.int(2)).neg().div(try variance.mul(.int(2)))
                .sub(try scale.log()).sub(.double(Foundation.log(Foundation.sqrt(2 * Double.pi))))
        }
    }

    override func entropy() throws -> Tensor {
        switch kind {
        case .categorical:
            let l = try logits
            let lowest = l.dtype == .float64 ? -Double.greatestFiniteMagnitude : -Double(Float.greatestFiniteMagnitude)
            return try l.clamp(min: .double(lowest), max: nil).mul(try probs).sum(dims: [l.dim - 1]).neg()
        case .bernoulli:
            return try Functional.binaryCrossEntropyWithLogits(try logits, target: try probs, reduction: "none")
        case .normal:
            return try tensor("scale").log().add(.double(0.5 + 0.5 * Foundation.log(2 * Double.pi)))
        }
    }
}
