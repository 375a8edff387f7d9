import TensorRuntime

/// `nn.Linear(in_features, out_features, bias=True)`: `y = x Wᵀ + b`, weight (out, in).
open class Linear: Module {
    public var inFeatures: Int
    public var outFeatures: Int

    public convenience init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true) throws {
        try self.init(inFeatures, outFeatures, bias: bias, initialise: true)
    }

    /// `initialise: false` leaves the parameters zero (LazyLinear draws them at its first call).
    init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool, initialise: Bool) throws {
        guard inFeatures >= 0, outFeatures >= 0 else {
            throw TorchError.runtime("Trying to create tensor with negative dimension \(min(inFeatures, outFeatures)): [\(outFeatures), \(inFeatures)]")
        }
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        super.init()
        let weight = try Tensor.newParameter([outFeatures, inFeatures])
        let b = bias ? try Tensor.newParameter([outFeatures]) : nil
        try registerParameter("weight", weight)
        try registerParameter("bias", b)
        if initialise { try Init.resetLinearLike(weight: weight, bias: b) }
    }

    override open var pythonModuleName: String { "torch.nn.modules.linear" }

    override open var hyperparameters: [(String, HyperValue)] {
        [("in_features", .int(inFeatures)), ("out_features", .int(outFeatures))]
    }

    /// `linear.in_features = n`: informative only (the repr shows it; the weight is unchanged), as in PyTorch.
    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        switch (name, value) {
        case ("in_features", .int(let n)): inFeatures = n
        case ("out_features", .int(let n)): outFeatures = n
        default: return false
        }
        return true
    }

    override open func extraRepr() -> String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(parameter("bias") == nil ? "False" : "True")"
    }

    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.linear(input, weight: try requiredParameter("weight", of: "linear"), bias: parameter("bias"))
    }
}

/// `nn.Identity()`: returns its input (extra constructor arguments are ignored, as in PyTorch).
open class Identity: Module {
    override public init() { super.init() }
    override open var pythonModuleName: String { "torch.nn.modules.linear" }
    override open func forward(_ input: Tensor) throws -> Tensor { input }
}

extension Module {
    /// A parameter a kernel cannot run without; None gives PyTorch's argument TypeError.
    func requiredParameter(_ name: String, of function: String, position: Int = 2) throws -> Tensor {
        guard let p = parameter(name) else {
            throw TorchError.type("\(function)(): argument '\(name)' (position \(position)) must be Tensor, not NoneType")
        }
        return p
    }
}
