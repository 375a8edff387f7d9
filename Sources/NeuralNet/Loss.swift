import TensorRuntime

/// PyTorch's `_Loss`/`_WeightedLoss`: `forward(input, target)` with a `reduction`
/// ('mean', 'sum' or 'none'); class weights live in buffers (`weight`, `pos_weight`).
open class LossModule: Module {
    public var reduction: String

    /// An invalid `reduction` fails when the loss is computed, as in PyTorch.
    public init(reduction: String = "mean") throws {
        self.reduction = reduction
        super.init()
    }

    override open var pythonModuleName: String { "torch.nn.modules.loss" }
    override open var hyperparameters: [(String, HyperValue)] { [("reduction", .string(reduction))] }

    /// The names of `forward`'s tensor arguments, in order (`input, target` unless overridden:
    /// `input1, input2, target`, `anchor, positive, negative` …).
    open var forwardParameterNames: [String] { ["input", "target"] }

    /// The loss of `input` against `target`.
    open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        throw TorchError(.notImplementedError, "Module [\(typeName)] is missing the required \"forward\" function")
    }

    /// The loss of the forward arguments, in `forwardParameterNames` order (two-argument losses
    /// override `loss(_:_:)` instead).
    open func loss(_ inputs: [Tensor]) throws -> Tensor {
        try loss(inputs[0], inputs[1])
    }

    public func callAsFunction(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        let out = try call(arguments: [ModuleValueBridge.wrap(input), ModuleValueBridge.wrap(target)])
        guard let t = ModuleValueBridge.tensor(from: out) else { throw TorchError.type("\(typeName) returned a non-tensor value") }
        return t
    }

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let names = forwardParameterNames
        let tensors = try bindTensorArguments(arguments, keywords, names: names, required: names.count).compactMap { $0 }
        return ModuleValueBridge.wrap(try loss(tensors))
    }
}

/// `nn.MSELoss(reduction='mean')`.
open class MSELoss: LossModule {
    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        warnIfTargetSizeDiffers(input, target)
        return try Functional.mseLoss(input, target: target, reduction: reduction)
    }
}

/// `nn.L1Loss(reduction='mean')`.
open class L1Loss: LossModule {
    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        warnIfTargetSizeDiffers(input, target)
        return try Functional.l1Loss(input, target: target, reduction: reduction)
    }
}

/// `nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction='mean', label_smoothing=0.0)`.
open class CrossEntropyLoss: LossModule {
    public var ignoreIndex: Int
    public var labelSmoothing: Double

    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: String = "mean", labelSmoothing: Double = 0) throws {
        self.ignoreIndex = ignoreIndex
        self.labelSmoothing = labelSmoothing
        try super.init(reduction: reduction)
        try registerBuffer("weight", weight)
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("reduction", .string(reduction)), ("ignore_index", .int(ignoreIndex)), ("label_smoothing", .double(labelSmoothing))]
    }

    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try Functional.crossEntropy(input, target: target, weight: buffer("weight"), ignoreIndex: ignoreIndex,
                                    reduction: reduction, labelSmoothing: labelSmoothing)
    }
}

/// `nn.NLLLoss(weight=None, ignore_index=-100, reduction='mean')`.
open class NLLLoss: LossModule {
    public var ignoreIndex: Int

    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: String = "mean") throws {
        self.ignoreIndex = ignoreIndex
        try super.init(reduction: reduction)
        try registerBuffer("weight", weight)
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("reduction", .string(reduction)), ("ignore_index", .int(ignoreIndex))]
    }

    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try Functional.nllLoss(input, target: target, weight: buffer("weight"), ignoreIndex: ignoreIndex, reduction: reduction)
    }
}

/// `nn.BCEWithLogitsLoss(weight=None, reduction='mean', pos_weight=None)`.
open class BCEWithLogitsLoss: LossModule {
    public init(weight: Tensor? = nil, reduction: String = "mean", posWeight: Tensor? = nil) throws {
        try super.init(reduction: reduction)
        try registerBuffer("weight", weight)
        try registerBuffer("pos_weight", posWeight)
    }

    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try Functional.binaryCrossEntropyWithLogits(input, target: target, weight: buffer("weight"),
                                                    posWeight: buffer("pos_weight"), reduction: reduction)
    }
}

/// PyTorch's `_WeightedLoss`: a loss with an optional per-class `weight` buffer.
open class WeightedLoss: LossModule {
    public init(weight: Tensor? = nil, reduction: String = "mean") throws {
        try super.init(reduction: reduction)
        try registerBuffer("weight", weight)
    }
}

/// `nn.BCELoss(weight=None, reduction='mean')`: binary cross-entropy on probabilities.
open class BCELoss: WeightedLoss {
    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        try Functional.binaryCrossEntropy(input, target: target, weight: buffer("weight"), reduction: reduction)
    }
}

/// `nn.SmoothL1Loss(reduction='mean', beta=1.0)`.
open class SmoothL1Loss: LossModule {
    public var beta: Double

    public init(reduction: String = "mean", beta: Double = 1) throws {
        self.beta = beta
        try super.init(reduction: reduction)
    }

    override open var hyperparameters: [(String, HyperValue)] { [("reduction", .string(reduction)), ("beta", .double(beta))] }

    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        warnIfTargetSizeDiffers(input, target)
        return try Functional.smoothL1Loss(input, target: target, reduction: reduction, beta: beta)
    }
}

/// `nn.HuberLoss(reduction='mean', delta=1.0)`.
open class HuberLoss: LossModule {
    public var delta: Double

    public init(reduction: String = "mean", delta: Double = 1) throws {
        self.delta = delta
        try super.init(reduction: reduction)
    }

    override open var hyperparameters: [(String, HyperValue)] { [("reduction", .string(reduction)), ("delta", .double(delta))] }

    override open func loss(_ input: Tensor, _ target: Tensor) throws -> Tensor {
        warnIfTargetSizeDiffers(input, target)
        return try Functional.huberLoss(input, target: target, reduction: reduction, delta: delta)
    }
}

/// PyTorch's UserWarning when a broadcasting loss (mse, l1, smooth_l1, huber) gets a target of another size.
public func warnIfTargetSizeDiffers(_ input: Tensor, _ target: Tensor) {
    guard input.shape != target.shape else { return }
    NNWarnings.warn("Using a target size (torch.Size(\(shapeDescription(target.shape)))) that is different to the input size (torch.Size(\(shapeDescription(input.shape)))). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.")
}
