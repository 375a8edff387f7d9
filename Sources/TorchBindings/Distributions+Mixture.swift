import NNLang
import TensorRuntime

/// `torch.distributions.MixtureSameFamily(mixture_distribution, component_distribution)`: a
/// Categorical over the rightmost batch dim of the components picks one component per draw
/// (mixture density networks, Gaussian mixtures). As PyTorch computes it: `log_prob` is the
/// logsumexp over components of the component log-probabilities plus the normalised mixture
/// logits, `sample` draws the mixture indices, then every component, and gathers.
final class MixtureSameFamilyDistribution: DistributionObject {
    let mixture: DistributionObject
    let component: DistributionObject

    init(_ mixture: DistributionObject, _ component: DistributionObject) throws {
        guard mixture.className == "Categorical" else {
            throw PyError(.valueError, " The Mixture distribution needs to be an  instance of torch.distributions.Categorical")
        }
        guard let k = component.batchShape.last, mixture.batchShape == Array(component.batchShape.dropLast()) else {
            throw PyError(.valueError, "`mixture_distribution.batch_shape` (\(sizeRepr(mixture.batchShape))) is not compatible with `component_distribution.batch_shape`(\(sizeRepr(Array(component.batchShape.dropLast()))))")
        }
        let mixtureComponents = try MixtureSameFamilyDistribution.logits(mixture).shape.last
        guard mixtureComponents == k else {
            throw PyError(.valueError, "`mixture_distribution component` (\(mixtureComponents ?? 0)) does not equal `component_distribution.batch_shape[-1]` (\(k))")
        }
        self.mixture = mixture
        self.component = component
        super.init(className: "MixtureSameFamily", parameters: [], batchShape: Array(component.batchShape.dropLast()),
                   eventShape: component.eventShape)
    }

    /// The Categorical's normalised logits (computed from probs on first use, as its lazy property).
    private static func logits(_ categorical: DistributionObject) throws -> Tensor {
        guard case .tensor(let l)? = try categorical.property("logits") else { return try categorical.tensor("logits") }
        return l
    }

    /// The mixture weights broadcast against component-shaped values (one trailing 1 per event dim).
    private func weights() throws -> Tensor {
        var p = try Self.logits(mixture).softmax(dim: -1)
        for _ in eventShape { p = try p.unsqueeze(-1) }
        return p
    }

    /// The dim of the components in a component-shaped value (`-1 - len(event_shape)`).
    private var componentDim: Int { -1 - eventShape.count }

    override func repr(_ ev: Evaluator) throws -> String {
        "MixtureSameFamily(\n  \(try mixture.repr(ev)),\n  \(try component.repr(ev)))"
    }

    override func property(_ name: String) throws -> Value? {
        switch name {
        case "mixture_distribution": return .object(mixture)
        case "component_distribution": return .object(component)
        case "mean":
            guard case .tensor(let m)? = try component.property("mean") else { return nil }
            return .tensor(try weights().mul(m).sum(dims: [m.dim + componentDim]))
        case "variance":
            guard case .tensor(let m)? = try component.property("mean"), case .tensor(let v)? = try component.property("variance") else { return nil }
            let w = try weights(), d = m.dim + componentDim
            let mean = try w.mul(m).sum(dims: [d], keepdim: true)
            let within = try w.mul(v).sum(dims: [d]), between = try w.mul(try m.sub(mean).pow(.int(2))).sum(dims: [d])
            return .tensor(try within.add(between))
        default: return nil
        }
    }

    override func logProb(_ value: Tensor) throws -> Tensor {
        let x = try value.unsqueeze(value.dim - eventShape.count)
        let logMix = try Self.logits(mixture).logSoftmax(dim: -1)
        return try component.logProb(x).add(logMix).logsumexp(dims: [-1])
    }

    override func sample(_ sampleShape: [Int]) throws -> Tensor {
        try GradMode.withNoGrad {
            let gatherDim = sampleShape.count + batchShape.count
            let mix = try mixture.sample(sampleShape)
            let components = try component.sample(sampleShape)
            let index = try mix.reshape(mix.shape + [Int](repeating: 1, count: eventShape.count + 1))
                .expand(mix.shape + [1] + eventShape)
            return try components.gather(dim: gatherDim, index: index).squeeze(dim: gatherDim)
        }
    }
}

extension DistributionsNamespace {
    /// Declares `MixtureSameFamily` (Distributions+Mixture.swift).
    static func installMixture(_ ns: Namespace) {
        declare(in: ns, "MixtureSameFamily", "mixture_same_family", "mixture_distribution, component_distribution, validate_args=None",
                "A mixture of the components (the rightmost batch dim) weighted by a Categorical.") { b, _ in
            guard case .object(let mixture as DistributionObject) = b[0], case .object(let component as DistributionObject) = b[1] else {
                throw PyError(.valueError, " The Mixture distribution needs to be an  instance of torch.distributions.Categorical")
            }
            return try MixtureSameFamilyDistribution(mixture, component)
        }
    }
}
