import TensorRuntime

/// `nn.KLDivLoss(reduction='mean', log_target=False)`: input is log-probabilities.
open class KLDivLoss: LossModule {
    public var logTarget: Bool

    /// The UserWarning `F.kl_div` prints for `reduction='mean'`.
    public static let meanWarning = "reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the same as 'batchmean' in the next major release."

    public init(reduction: String = "mean", logTarget: Bool = false) throws {
        self.logTarget = logTarget
        try super.init(reduction: reduction)
    }

    override open var hyperparameters: [(String, HyperValue)] { [("reduction", .string(reduction)), ("log_target", .bool(logTarget))] }

    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        if reduction == "mean" { NNWarnings.warn(Self.meanWarning) }
        return try Functional.klDiv(input, target: target, reduction: reduction, logTarget: logTarget)
    }
}

/// A loss with a `margin` setting (`HingeEmbeddingLoss`, `MarginRankingLoss`, `CosineEmbeddingLoss`).
open class MarginLoss: LossModule {
    public var margin: Double

    public init(margin: Double, reduction: String = "mean") throws {
        self.margin = margin
        try super.init(reduction: reduction)
    }

    override open var hyperparameters: [(String, HyperValue)] { [("margin", .double(margin)), ("reduction", .string(reduction))] }
}

/// `nn.HingeEmbeddingLoss(margin=1.0, reduction='mean')`.
open class HingeEmbeddingLoss: MarginLoss {
    override public init(margin: Double = 1, reduction: String = "mean") throws { try super.init(margin: margin, reduction: reduction) }
    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try Functional.hingeEmbeddingLoss(input, target: target, margin: margin, reduction: reduction)
    }
}

/// `nn.MarginRankingLoss(margin=0.0, reduction='mean')`: `forward(input1, input2, target)`.
open class MarginRankingLoss: MarginLoss {
    override public init(margin: Double = 0, reduction: String = "mean") throws { try super.init(margin: margin, reduction: reduction) }
    override open var forwardParameterNames: [String] { ["input1", "input2", "target"] }
    override open func loss(_ inputs: [Tensor]) throws -> Tensor {
        try Functional.marginRankingLoss(inputs[0], inputs[1], target: inputs[2], margin: margin, reduction: reduction)
    }
}

/// `nn.CosineEmbeddingLoss(margin=0.0, reduction='mean')`: `forward(input1, input2, target)`.
open class CosineEmbeddingLoss: MarginLoss {
    override public init(margin: Double = 0, reduction: String = "mean") throws { try super.init(margin: margin, reduction: reduction) }
    override open var forwardParameterNames: [String] { ["input1", "input2", "target"] }
    override open func loss(_ inputs: [Tensor]) throws -> Tensor {
        try Functional.cosineEmbeddingLoss(inputs[0], inputs[1], target: inputs[2], margin: margin, reduction: reduction)
    }
}

/// `nn.TripletMarginLoss(margin=1.0, p=2.0, eps=1e-06, swap=False, reduction='mean')`:
/// `forward(anchor, positive, negative)`.
open class TripletMarginLoss: MarginLoss {
    public var p: Double
    public var eps: Double
    public var swap: Bool

    public init(margin: Double = 1, p: Double = 2, eps: Double = 1e-6, swap: Bool = false, reduction: String = "mean") throws {
        guard margin > 0 else {
            throw TorchError.value("TripletMarginLoss: expected margin to be greater than 0, got \(pythonFloatRepr(margin)) instead")
        }
        self.p = p
        self.eps = eps
        self.swap = swap
        try super.init(margin: margin, reduction: reduction)
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("margin", .double(margin)), ("p", .double(p)), ("eps", .double(eps)), ("swap", .bool(swap)), ("reduction", .string(reduction))]
    }
    override open var forwardParameterNames: [String] { ["anchor", "positive", "negative"] }
    override open func loss(_ inputs: [Tensor]) throws -> Tensor {
        try Functional.tripletMarginLoss(inputs[0], inputs[1], inputs[2], margin: margin, p: p, eps: eps, swap: swap, reduction: reduction)
    }
}

/// `nn.PoissonNLLLoss(log_input=True, full=False, eps=1e-08, reduction='mean')`.
open class PoissonNLLLoss: LossModule {
    public var logInput: Bool
    public var full: Bool
    public var eps: Double

    public init(logInput: Bool = true, full: Bool = false, eps: Double = 1e-8, reduction: String = "mean") throws {
        self.logInput = logInput
        self.full = full
        self.eps = eps
        try super.init(reduction: reduction)
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("log_input", .bool(logInput)), ("full", .bool(full)), ("eps", .double(eps)), ("reduction", .string(reduction))]
    }
    override open var forwardParameterNames: [String] { ["log_input", "target"] }
    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try Functional.poissonNLLLoss(input, target: target, logInput: logInput, full: full, eps: eps, reduction: reduction)
    }
}

/// `nn.GaussianNLLLoss(*, full=False, eps=1e-06, reduction='mean')`: `forward(input, target, var)`.
open class GaussianNLLLoss: LossModule {
    public var full: Bool
    public var eps: Double

    public init(full: Bool = false, eps: Double = 1e-6, reduction: String = "mean") throws {
        self.full = full
        self.eps = eps
        try super.init(reduction: reduction)
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("full", .bool(full)), ("eps", .double(eps)), ("reduction", .string(reduction))]
    }
    override open var forwardParameterNames: [String] { ["input", "target", "var"] }
    override open func loss(_ inputs: [Tensor]) throws -> Tensor {
        try Functional.gaussianNLLLoss(inputs[0], target: inputs[1], variance: inputs[2], full: full, eps: eps, reduction: reduction)
    }
}

/// `nn.MultiLabelSoftMarginLoss(weight=None, reduction='mean')`.
open class MultiLabelSoftMarginLoss: WeightedLoss {
    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try Functional.multilabelSoftMarginLoss(input, target: target, weight: buffer("weight"), reduction: reduction)
    }
}

/// `nn.MultiLabelMarginLoss(reduction='mean')`: targets are class indices ending at the first -1.
open class MultiLabelMarginLoss: LossModule {
    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try Functional.multilabelMarginLoss(input, target: target, reduction: reduction)
    }
}

/// `nn.SoftMarginLoss(reduction='mean')`.
open class SoftMarginLoss: LossModule {
    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try Functional.softMarginLoss(input, target: target, reduction: reduction)
    }
}

/// `nn.MultiMarginLoss(p=1, margin=1.0, weight=None, reduction='mean')`.
open class MultiMarginLoss: LossModule {
    public var p: Int
    public var margin: Double

    public init(p: Int = 1, margin: Double = 1, weight: Tensor? = nil, reduction: String = "mean") throws {
        guard p == 1 || p == 2 else { throw TorchError.value("only p == 1 and p == 2 supported") }
        if let weight, weight.dim != 1 { throw TorchError.value("MultiMarginLoss: expected weight to be None or 1D tensor, got \(weight.dim)D instead") }
        self.p = p
        self.margin = margin
        try super.init(reduction: reduction)
        try registerBuffer("weight", weight)
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("p", .int(p)), ("margin", .double(margin)), ("reduction", .string(reduction))]
    }
    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try Functional.multiMarginLoss(input, target: target, p: p, margin: margin, weight: buffer("weight"), reduction: reduction)
    }
}
