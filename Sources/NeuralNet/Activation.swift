import TensorRuntime

/// Base of the element-wise activation modules (`torch.nn.modules.activation`).
open class ActivationModule: Module {
    override open var pythonModuleName: String { "torch.nn.modules.activation" }
}

/// Writes `result` into `input` for `inplace=True` layers and returns `input`, as PyTorch's
/// in-place activations do (values only: autograd sees the out-of-place op).
func applyInPlace(_ input: Tensor, _ result: Tensor) throws -> Tensor {
    try GradMode.withNoGrad { try copyElements(from: result, to: input) }
    return input.requiresGrad ? result : input
}

/// `nn.ReLU(inplace=False)`.
open class ReLU: ActivationModule {
    public var inplace: Bool
    public init(inplace: Bool = false) { self.inplace = inplace; super.init() }
    override open var hyperparameters: [(String, HyperValue)] { [("inplace", .bool(inplace))] }
    override open func extraRepr() -> String { inplace ? "inplace=True" : "" }
    override open func forward(_ input: Tensor) throws -> Tensor {
        // Without a graph to record, `relu_()` itself (no temporary and copy back).
        if inplace && !(GradMode.isEnabled && input.requiresGrad) { return try input.reluInPlace() }
        let out = try input.relu()
        return inplace ? try applyInPlace(input, out) : out
    }
}

/// `nn.LeakyReLU(negative_slope=0.01, inplace=False)`.
open class LeakyReLU: ActivationModule {
    @WrittenFloat public var negativeSlope: Double
    public var inplace: Bool
    public init(negativeSlope: Double = 0.01, inplace: Bool = false) {
        self.negativeSlope = negativeSlope
        self.inplace = inplace
        super.init()
    }
    override open var hyperparameters: [(String, HyperValue)] {
        [("negative_slope", $negativeSlope), ("inplace", .bool(inplace))]
    }
    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        switch (name, value) {
        case ("negative_slope", .double), ("negative_slope", .int): $negativeSlope = value
        case ("inplace", .bool(let b)): inplace = b
        default: return false
        }
        return true
    }
    override open func extraRepr() -> String {
        "negative_slope=\($negativeSlope)" + (inplace ? ", inplace=True" : "")
    }
    override open func forward(_ input: Tensor) throws -> Tensor {
        let out = try input.leakyRelu(negativeSlope: negativeSlope)
        return inplace ? try applyInPlace(input, out) : out
    }
}

/// `nn.Sigmoid()`.
open class Sigmoid: ActivationModule {
    override public init() { super.init() }
    override open func forward(_ input: Tensor) throws -> Tensor { try input.sigmoid() }
}

/// `nn.Tanh()`.
open class Tanh: ActivationModule {
    override public init() { super.init() }
    override open func forward(_ input: Tensor) throws -> Tensor { try input.tanh() }
}

/// `nn.GELU(approximate='none')`.
open class GELU: ActivationModule {
    public var approximate: String
    public init(approximate: String = "none") { self.approximate = approximate; super.init() }
    override open var hyperparameters: [(String, HyperValue)] { [("approximate", .string(approximate))] }
    override open func extraRepr() -> String { "approximate=\(pythonStringRepr(approximate))" }
    override open func forward(_ input: Tensor) throws -> Tensor { try input.gelu(approximate: approximate) }
}

/// Shared by `nn.Softmax(dim=None)` and `nn.LogSoftmax(dim=None)`: `dim=None` picks PyTorch's
/// legacy implicit dimension (0 for 0-, 1- and 3-d inputs, else 1) and warns.
open class SoftmaxFamily: ActivationModule {
    public var dim: Int?
    public init(dim: Int? = nil) { self.dim = dim; super.init() }
    override open var hyperparameters: [(String, HyperValue)] { [("dim", dim.map { .int($0) } ?? .none)] }
    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        switch (name, value) {
        case ("dim", .int(let d)): dim = d
        case ("dim", .none): dim = nil
        default: return false
        }
        return true
    }
    override open func extraRepr() -> String { "dim=\(dim.map(String.init) ?? "None")" }

    /// The dimension to use, warning when it is implicit.
    func resolvedDim(_ input: Tensor, functionName: String) -> Int {
        if let dim { return dim }
        NNWarnings.warn("Implicit dimension choice for \(functionName) has been deprecated. Change the call to include dim=X as an argument.")
        return [0, 1, 3].contains(input.dim) ? 0 : 1
    }
}

/// `nn.Softmax(dim=None)`.
open class Softmax: SoftmaxFamily {
    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.softmax(input, dim: resolvedDim(input, functionName: "softmax"))
    }
}

/// `nn.LogSoftmax(dim=None)`.
open class LogSoftmax: SoftmaxFamily {
    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.logSoftmax(input, dim: resolvedDim(input, functionName: "log_softmax"))
    }
}
