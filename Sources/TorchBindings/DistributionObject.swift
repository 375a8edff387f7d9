import NNLang
import TensorRuntime

/// What every `torch.distributions` object shares: its class name, parameters (in PyTorch's
/// `arg_constraints` order, nil until a lazy one is computed; `repr` lists the ones present),
/// batch and event shapes, and the methods `sample`, `rsample`, `log_prob`, `entropy`, `cdf`,
/// `icdf`. A subclass overrides the ones its distribution has; the others raise
/// NotImplementedError as PyTorch's base class does. `sample` defaults to `rsample` under no_grad.
class DistributionObject: PyObject {
    let className: String
    private(set) var parameters: [(name: String, value: Tensor?)]
    let batchShape: [Int]
    let eventShape: [Int]

    init(className: String, parameters: [(String, Tensor?)], batchShape: [Int], eventShape: [Int]) {
        self.className = className
        self.parameters = parameters.map { (name: $0.0, value: $0.1) }
        self.batchShape = batchShape
        self.eventShape = eventShape
    }

    override var typeName: String { className }

    func stored(_ name: String) -> Tensor? { parameters.first { $0.name == name }?.value }

    func store(_ name: String, _ t: Tensor) {
        if let i = parameters.firstIndex(where: { $0.name == name }) { parameters[i].value = t }
    }

    /// A parameter that must be there.
    func tensor(_ name: String) throws -> Tensor {
        guard let t = stored(name) else { throw PyError(.attributeError, "'\(className)' object has no attribute '\(name)'") }
        return t
    }

    /// `sample_shape + batch_shape + event_shape`.
    func extendedShape(_ sampleShape: [Int]) -> [Int] { sampleShape + batchShape + eventShape }

    // MARK: What subclasses provide

    /// An attribute particular to the distribution (`mean`, `probs` …); nil when it has none.
    func property(_ name: String) throws -> Value? { nil }
    func sample(_ sampleShape: [Int]) throws -> Tensor { try GradMode.withNoGrad { try rsample(sampleShape) } }
    func rsample(_ sampleShape: [Int]) throws -> Tensor { throw PyError(.notImplementedError, "") }
    func logProb(_ value: Tensor) throws -> Tensor { throw PyError(.notImplementedError, "") }
    func entropy() throws -> Tensor { throw PyError(.notImplementedError, "") }
    func cdf(_ value: Tensor) throws -> Tensor { throw PyError(.notImplementedError, "") }
    func icdf(_ value: Tensor) throws -> Tensor { throw PyError(.notImplementedError, "") }

    // MARK: Python surface

    override func repr(_ ev: Evaluator) throws -> String {
        let parts = try parameters.compactMap { p -> String? in
            guard let t = p.value else { return nil }
            let shown = t.numel == 1 ? try ev.format(.tensor(t), spec: "") : sizeRepr(t.shape)
            return "\(p.name): \(shown)"
        }
        return "\(className)(\(parts.joined(separator: ", ")))"
    }

    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        switch name {
        case "batch_shape": return .object(TorchSize(batchShape))
        case "event_shape": return .object(TorchSize(eventShape))
        case "sample", "rsample":
            return method(name) { a, ev in
                let v = try Signature("sample_shape=None").bind(a, name)[0]
                var shape: [Int] = []
                if case .object(let o as TorchSize) = v { shape = o.dims } else if !v.isNone { shape = try Convert.ints(v, ev, "sample_shape") }
                return .tensor(name == "sample" ? try self.sample(shape) : try self.rsample(shape))
            }
        case "log_prob", "cdf", "icdf":
            return method(name) { a, _ in
                // PyTorch's argument validation (on by default) wants a tensor.
                guard case .tensor(let v) = try Signature("value").bind(a, name)[0] else {
                    throw PyError(.valueError, "The value argument to \(name) must be a Tensor")
                }
                switch name {
                case "log_prob": return .tensor(try self.logProb(v))
                case "cdf": return .tensor(try self.cdf(v))
                default: return .tensor(try self.icdf(v))
                }
            }
        case "entropy":
            return method(name) { a, _ in
                _ = try Signature("").bind(a, "entropy")
                return .tensor(try self.entropy())
            }
        case "stddev":
            if let v = try property(name) { return v }
            guard case .tensor(let variance)? = try property("variance") else { return nil }
            return .tensor(try variance.sqrt())
        default: return try property(name)
        }
    }
}
