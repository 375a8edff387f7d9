import TensorRuntime

/// `nn.LazyLinear(out_features, bias=True)`: a Linear whose `in_features` is taken from its first
/// input. Until then `in_features` is 0 and the parameters are empty; the first call sizes them
/// (the same tensor objects, so an optimizer made before holds them), draws them as
/// `nn.Linear`'s `reset_parameters` does, and the module then shows and names itself `Linear`
/// (PyTorch's `cls_to_become`).
open class LazyLinear: Linear {
    public private(set) var isMaterialised = false

    public init(_ outFeatures: Int, bias: Bool = true) throws {
        try super.init(0, outFeatures, bias: bias, initialise: false)
    }

    override open var typeName: String { isMaterialised ? "Linear" : "LazyLinear" }

    override open func forward(_ input: Tensor) throws -> Tensor {
        if !isMaterialised { try materialise(inFeatures: input.shape.last ?? 1) }
        return try super.forward(input)
    }

    private func materialise(inFeatures n: Int) throws {
        try GradMode.withNoGrad {
            guard let weight = parameter("weight") else { return }
            try weight.setData(try Tensor.zeros([outFeatures, n], dtype: weight.dtype))
            let bias = parameter("bias")
            if let bias { try bias.setData(try Tensor.zeros([outFeatures], dtype: bias.dtype)) }
            inFeatures = n
            try Init.resetLinearLike(weight: weight, bias: bias)
        }
        isMaterialised = true
    }
}
