import Foundation
import NNLang
import TensorRuntime

/// `Uniform`, `Exponential`, `Laplace`, `OneHotCategorical`, `MultivariateNormal`, `Independent` and `kl_divergence` (for the pairs of the same
/// family among Normal, Categorical, Bernoulli, Uniform, MultivariateNormal and Independent),
/// each following PyTorch's Python code operation by operation.
extension DistributionsNamespace {
    static func installMore(_ ns: Namespace) {
        declare(in: ns, "Uniform", "uniform", "low, high, validate_args=None",
                "The uniform distribution on [low, high).") { b, _ in
            let (low, high) = try broadcastAll(b[0], b[1])
            let numbers = !b[0].isTensor && !b[1].isTensor
            return UniformDistribution(low: low, high: high, batchShape: numbers ? [] : low.shape)
        }
        declare(in: ns, "MultivariateNormal", "multivariate_normal",
                "loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None",
                "The normal distribution in n dimensions with mean loc and one of a covariance, precision or scale_tril matrix.") { b, _ in
            try MultivariateNormalDistribution(loc: try b[0].asTensor("loc"), covariance: try optionalMatrix(b[1]),
                                               precision: try optionalMatrix(b[2]), scaleTril: try optionalMatrix(b[3]))
        }
        declare(in: ns, "Exponential", "exponential", "rate, validate_args=None", "The exponential distribution with the given rate.") { b, _ in
            let rate = try broadcastAll(b[0], b[0]).0
            return ExponentialDistribution(rate: rate, batchShape: b[0].isTensor ? rate.shape : [])
        }
        declare(in: ns, "Laplace", "laplace", "loc, scale, validate_args=None", "The Laplace distribution at loc with scale scale.") { b, _ in
            let (loc, scale) = try broadcastAll(b[0], b[1])
            return LaplaceDistribution(loc: loc, scale: scale, batchShape: !b[0].isTensor && !b[1].isTensor ? [] : loc.shape)
        }
        declare(in: ns, "OneHotCategorical", "one_hot_categorical", "probs=None, logits=None, validate_args=None",
                "Categorical draws as one-hot vectors.") { b, _ in
            let probs = b[0].isNone ? nil : try b[0].asTensor("probs"), logits = b[1].isNone ? nil : try b[1].asTensor("logits")
            return try OneHotCategoricalDistribution(try Distribution.categorical(probs: probs, logits: logits))
        }
        declare(in: ns, "Independent", "independent", "base_distribution, reinterpreted_batch_ndims, validate_args=None",
                "base_distribution with its rightmost reinterpreted_batch_ndims batch dims turned into event dims.") { b, _ in
            guard case .object(let base as DistributionObject) = b[0] else {
                throw PyError(.typeError, "Independent: base_distribution must be a Distribution, not \(b[0].typeName)")
            }
            return try IndependentDistribution(base, try b.int(1, "reinterpreted_batch_ndims"))
        }
        let kl = NativeFunction("kl_divergence", "p, q", doc: "KL(p || q) for two distributions of the same family.") { b, _ in
            guard case .object(let p as DistributionObject) = b[0], case .object(let q as DistributionObject) = b[1] else {
                throw PyError(.notImplementedError, "No KL(p || q) is implemented for p type \(b[0].typeName) and q type \(b[1].typeName)")
            }
            return .tensor(try klDivergence(p, q))
        }
        ns["kl_divergence"] = .object(kl)
        let klModule = Namespace("torch.distributions.kl")
        klModule["kl_divergence"] = .object(kl)
        ns["kl"] = .object(klModule)
    }

    private static func optionalMatrix(_ v: Value) throws -> Tensor? { v.isNone ? nil : try v.asTensor("matrix") }

    /// `kl_divergence(p, q)`: PyTorch's registered formula for the pair's family.
    static func klDivergence(_ p: DistributionObject, _ q: DistributionObject) throws -> Tensor {
        switch (p, q) {
        case let (p as Distribution, q as Distribution) where p.kind == q.kind:
            return try p.klDivergence(to: q)
        case let (p as UniformDistribution, q as UniformDistribution):
            let result = try q.high.sub(q.low).div(try p.high.sub(p.low)).log()
            let outside = try q.low.gt(p.low).logicalOr(try q.high.lt(p.high))
            return try result.maskedFill(outside, .double(.infinity))
        case let (p as MultivariateNormalDistribution, q as MultivariateNormalDistribution):
            return try p.klDivergence(to: q)
        case let (p as IndependentDistribution, q as IndependentDistribution):
            guard p.reinterpreted == q.reinterpreted else { throw PyError(.notImplementedError, "") }
            return try IndependentDistribution.sumRightmost(try klDivergence(p.base, q.base), p.reinterpreted)
        default:
            throw PyError(.notImplementedError, "No KL(p || q) is implemented for p type \(p.className) and q type \(q.className)")
        }
    }
}

/// `torch.distributions.Uniform(low, high)`.
final class UniformDistribution: DistributionObject {
    let low: Tensor, high: Tensor

    init(low: Tensor, high: Tensor, batchShape: [Int]) {
        self.low = low
        self.high = high
        super.init(className: "Uniform", parameters: [("low", low), ("high", high)], batchShape: batchShape, eventShape: [])
    }

    override func property(_ name: String) throws -> Value? {
        switch name {
        case "low": return .tensor(low)
        case "high": return .tensor(high)
        case "mean": return .tensor(try high.add(low).div(.int(2)))
        case "stddev": return .tensor(try high.sub(low).div(.double(12.0.squareRoot())))
        case "variance": return .tensor(try high.sub(low).pow(.int(2)).div(.int(12)))
        default: return nil
        }
    }

    override func rsample(_ sampleShape: [Int]) throws -> Tensor {
        let rand = try Tensor.rand(extendedShape(sampleShape), dtype: low.dtype)
        return try low.add(try rand.mul(try high.sub(low)))
    }

    override func logProb(_ value: Tensor) throws -> Tensor {
        let lb = try low.le(value).converted(to: low.dtype), ub = try high.gt(value).converted(to: low.dtype)
        return try lb.mul(ub).log().sub(try high.sub(low).log())
    }

    override func cdf(_ value: Tensor) throws -> Tensor {
        try value.sub(low).div(try high.sub(low)).clamp(min: .int(0), max: .int(1))
    }

    override func icdf(_ value: Tensor) throws -> Tensor { try value.mul(try high.sub(low)).add(low) }
    override func entropy() throws -> Tensor { try high.sub(low).log() }
}

/// `torch.distributions.Exponential(rate)`.
final class ExponentialDistribution: DistributionObject {
    let rate: Tensor

    init(rate: Tensor, batchShape: [Int]) {
        self.rate = rate
        super.init(className: "Exponential", parameters: [("rate", rate)], batchShape: batchShape, eventShape: [])
    }

    override func property(_ name: String) throws -> Value? {
        switch name {
        case "rate": return .tensor(rate)
        case "mean", "stddev": return .tensor(try rate.reciprocal())
        case "mode": return .tensor(try Tensor.zeros(rate.shape, dtype: rate.dtype))
        case "variance": return .tensor(try rate.pow(.int(-2)))
        default: return nil
        }
    }

    /// `rate.new(shape).exponential_() / rate`.
    override func rsample(_ sampleShape: [Int]) throws -> Tensor {
        let draws = try GradMode.withNoGrad { try Tensor.zeros(extendedShape(sampleShape), dtype: rate.dtype).exponentialInPlace() }
        return try draws.div(rate)
    }

    override func logProb(_ value: Tensor) throws -> Tensor { try rate.log().sub(try rate.mul(value)) }
    override func entropy() throws -> Tensor { try rate.log().neg().add(.double(1)) }
    override func cdf(_ value: Tensor) throws -> Tensor { try rate.neg().mul(value).exp().neg().add(.int(1)) }
    override func icdf(_ value: Tensor) throws -> Tensor { try value.neg().log1p().neg().div(rate) }
}

/// `torch.distributions.Laplace(loc, scale)`.
final class LaplaceDistribution: DistributionObject {
    let loc: Tensor, scale: Tensor

    init(loc: Tensor, scale: Tensor, batchShape: [Int]) {
        self.loc = loc
        self.scale = scale
        super.init(className: "Laplace", parameters: [("loc", loc), ("scale", scale)], batchShape: batchShape, eventShape: [])
    }

    override func property(_ name: String) throws -> Value? {
        switch name {
        case "loc", "mean", "mode": return .tensor(loc)
        case "scale": return .tensor(scale)
        case "variance": return .tensor(try scale.pow(.int(2)).mul(.int(2)))
        case "stddev": return .tensor(try scale.mul(.double(2.0.squareRoot())))
        default: return nil
        }
    }

    /// `loc - scale * u.sign() * log1p(-|u|)`, u from `uniform_(eps - 1, 1)`.
    override func rsample(_ sampleShape: [Int]) throws -> Tensor {
        let eps = loc.dtype == .float64 ? Double.ulpOfOne : Double(Float.ulpOfOne)
        let u = try GradMode.withNoGrad { try Tensor.zeros(extendedShape(sampleShape), dtype: loc.dtype).uniformInPlace(from: eps - 1, to: 1) }
        return try loc.sub(try scale.mul(try u.sign()).mul(try u.abs().neg().log1p()))
    }

    override func logProb(_ value: Tensor) throws -> Tensor {
        try scale.mul(.int(2)).log().neg().sub(try value.sub(loc).abs().div(scale))
    }

    override func cdf(_ value: Tensor) throws -> Tensor {
        let d = try value.sub(loc)
        return try d.sign().mul(.double(0.5)).mul(try d.abs().neg().div(scale).expm1()).rsub(.double(0.5))
    }

    override func icdf(_ value: Tensor) throws -> Tensor {
        let term = try value.sub(.double(0.5))
        return try loc.sub(try scale.mul(try term.sign()).mul(try term.abs().mul(.int(-2)).log1p()))
    }

    override func entropy() throws -> Tensor { try scale.mul(.int(2)).log().add(.int(1)) }
}

/// `torch.distributions.OneHotCategorical(probs=None, logits=None)`: a Categorical whose draws
/// are one-hot vectors (event shape (K,)).
final class OneHotCategoricalDistribution: DistributionObject {
    let categorical: Distribution

    init(_ categorical: Distribution) throws {
        self.categorical = categorical
        let k = try categorical.probs.shape.last ?? 1
        super.init(className: "OneHotCategorical", parameters: [], batchShape: categorical.batchShape, eventShape: [k])
    }

    override func property(_ name: String) throws -> Value? {
        switch name {
        case "probs", "mean": return .tensor(try categorical.probs)
        case "logits": return .tensor(try categorical.logits)
        case "variance":
            let p = try categorical.probs
            return .tensor(try p.mul(try p.neg().add(.int(1))))
        default: return nil
        }
    }

    override func sample(_ sampleShape: [Int]) throws -> Tensor {
        let probs = try categorical.probs
        let indices = try categorical.sample(sampleShape)
        return try FunctionalNamespace.oneHot(indices, numClasses: eventShape[0]).converted(to: probs.dtype)
    }

    override func logProb(_ value: Tensor) throws -> Tensor { try categorical.logProb(try value.max(dim: -1).indices) }
    override func entropy() throws -> Tensor { try categorical.entropy() }
}

/// `torch.distributions.MultivariateNormal(loc, covariance_matrix | precision_matrix | scale_tril)`:
/// everything through the lower Cholesky factor of the covariance (`_unbroadcasted_scale_tril`).
final class MultivariateNormalDistribution: DistributionObject {
    let loc: Tensor
    let scaleTril: Tensor

    init(loc: Tensor, covariance: Tensor?, precision: Tensor?, scaleTril given: Tensor?) throws {
        guard loc.dim >= 1 else { throw PyError(.valueError, "loc must be at least one-dimensional.") }
        guard [covariance, precision, given].compactMap({ $0 }).count == 1, let matrix = covariance ?? precision ?? given else {
            throw PyError(.valueError, "Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        }
        let what = covariance != nil ? "covariance_matrix" : precision != nil ? "precision_matrix" : "scale_tril matrix"
        guard matrix.dim >= 2 else {
            throw PyError(.valueError, "\(what) must be at least two-dimensional, with optional leading batch dimensions")
        }
        let batch = try broadcastShapes(Array(matrix.shape.dropLast(2)), Array(loc.shape.dropLast()))
        let n = loc.shape[loc.dim - 1]
        let expanded = try matrix.expand(batch + Array(matrix.shape.suffix(2)))
        self.loc = try loc.expand(batch + [n])
        if let covariance {
            scaleTril = try covariance.linalgCholesky()
        } else if let precision {
            // _precision_to_scale_tril: L⁻¹ from the Cholesky factor of the flipped precision.
            let lf = try precision.flip([-2, -1]).linalgCholesky()
            let lInverse = try lf.flip([-2, -1]).transposeLastTwo()
            scaleTril = try Tensor.linalgSolveTriangular(lInverse, try Tensor.eye(n: precision.shape[precision.dim - 1], dtype: precision.dtype),
                                                         upper: false)
        } else {
            scaleTril = matrix
        }
        super.init(className: "MultivariateNormal",
                   parameters: [("loc", self.loc), ("covariance_matrix", covariance != nil ? expanded : nil),
                                ("precision_matrix", precision != nil ? expanded : nil), ("scale_tril", given != nil ? expanded : nil)],
                   batchShape: batch, eventShape: [n])
    }

    private var n: Int { eventShape[0] }

    /// Σ log diag(L): half the log-determinant of the covariance.
    private static func halfLogDet(_ l: Tensor) throws -> Tensor { try l.diagonal(offset: 0, dim1: -2, dim2: -1).log().sum(dims: [-1]) }

    /// `_batch_mahalanobis(L, x)`: |L⁻¹ x|² over the last dim.
    private static func mahalanobis(_ l: Tensor, _ x: Tensor) throws -> Tensor {
        try Tensor.linalgSolveTriangular(l, try x.unsqueeze(-1), upper: false).squeeze(dim: -1).pow(.int(2)).sum(dims: [-1])
    }

    /// A lazy matrix parameter: computed, stored (so `repr` lists it, as PyTorch's lazy_property) and returned.
    private func lazy(_ name: String, _ make: () throws -> Tensor) throws -> Tensor {
        if let t = stored(name) { return t }
        let t = try make().expand(batchShape + [n, n])
        store(name, t)
        return t
    }

    override func property(_ name: String) throws -> Value? {
        switch name {
        case "loc", "mean", "mode": return .tensor(loc)
        case "scale_tril": return .tensor(try lazy(name) { scaleTril })
        case "covariance_matrix": return .tensor(try lazy(name) { try scaleTril.matmul(try scaleTril.transposeLastTwo()) })
        case "precision_matrix":
            return .tensor(try lazy(name) {
                let lInverse = try Tensor.linalgSolveTriangular(scaleTril, try Tensor.eye(n: n, dtype: scaleTril.dtype), upper: false)
                return try lInverse.transposeLastTwo().matmul(lInverse)
            })
        case "variance": return .tensor(try scaleTril.pow(.int(2)).sum(dims: [-1]).expand(batchShape + [n]))
        default: return nil
        }
    }

    override func rsample(_ sampleShape: [Int]) throws -> Tensor {
        let eps = try Tensor.randn(extendedShape(sampleShape), dtype: loc.dtype)
        return try loc.add(try scaleTril.matmul(try eps.unsqueeze(-1)).squeeze(dim: -1))
    }

    override func logProb(_ value: Tensor) throws -> Tensor {
        let m = try Self.mahalanobis(scaleTril, try value.sub(loc))
        return try m.add(.double(Double(n) * Foundation.log(2 * Double.pi))).mul(.double(-0.5)).sub(try Self.halfLogDet(scaleTril))
    }

    override func entropy() throws -> Tensor {
        let h = try Self.halfLogDet(scaleTril).add(.double(0.5 * Double(n) * (1 + Foundation.log(2 * Double.pi))))
        return batchShape.isEmpty ? h : try h.expand(batchShape)
    }

    /// `_kl_multivariatenormal_multivariatenormal`.
    func klDivergence(to q: MultivariateNormalDistribution) throws -> Tensor {
        guard eventShape == q.eventShape else {
            throw PyError(.valueError, "KL-divergence between two Multivariate Normals with different event shapes cannot be computed")
        }
        let halfTerm1 = try Self.halfLogDet(q.scaleTril).sub(try Self.halfLogDet(scaleTril))
        let batch = try broadcastShapes(Array(q.scaleTril.shape.dropLast(2)), Array(scaleTril.shape.dropLast(2)))
        let qL = try q.scaleTril.expand(batch + [n, n]), pL = try scaleTril.expand(batch + [n, n])
        let term2 = try Tensor.linalgSolveTriangular(qL, pL, upper: false).pow(.int(2)).sum(dims: [-2, -1])
        let term3 = try Self.mahalanobis(q.scaleTril, try q.loc.sub(loc))
        return try halfTerm1.add(try term2.add(term3).sub(.int(Int64(n))).mul(.double(0.5)))
    }
}

/// `torch.distributions.Independent(base, n)`: the base's rightmost n batch dims become event dims.
final class IndependentDistribution: DistributionObject {
    let base: DistributionObject
    let reinterpreted: Int

    init(_ base: DistributionObject, _ n: Int) throws {
        guard n <= base.batchShape.count, n >= 0 else {
            throw PyError(.valueError, "Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), actual \(n) vs \(base.batchShape.count)")
        }
        self.base = base
        reinterpreted = n
        let split = base.batchShape.count - n
        super.init(className: "Independent", parameters: [], batchShape: Array(base.batchShape.prefix(split)),
                   eventShape: Array(base.batchShape.suffix(n)) + base.eventShape)
    }

    /// `_sum_rightmost(x, n)`: x summed over its last n dims.
    static func sumRightmost(_ x: Tensor, _ n: Int) throws -> Tensor {
        n == 0 ? x : try x.sum(dims: Array((x.dim - n)..<x.dim))
    }

    override func repr(_ ev: Evaluator) throws -> String { "Independent(\(try base.repr(ev)), \(reinterpreted))" }

    override func property(_ name: String) throws -> Value? {
        switch name {
        case "base_dist": return .object(base)
        case "reinterpreted_batch_ndims": return .int(reinterpreted)
        case "mean", "mode", "variance", "stddev": return try base.property(name)
        default: return nil
        }
    }

    override func sample(_ sampleShape: [Int]) throws -> Tensor { try base.sample(sampleShape) }
    override func rsample(_ sampleShape: [Int]) throws -> Tensor { try base.rsample(sampleShape) }
    override func logProb(_ value: Tensor) throws -> Tensor { try Self.sumRightmost(try base.logProb(value), reinterpreted) }
    override func entropy() throws -> Tensor { try Self.sumRightmost(try base.entropy(), reinterpreted) }
}
