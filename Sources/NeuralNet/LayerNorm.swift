import TensorRuntime

/// `nn.LayerNorm(normalized_shape, eps=1e-05, elementwise_affine=True, bias=True)`: normalises
/// over the trailing `normalized_shape` dims. Parameters `weight` (ones) and `bias` (zeros) of
/// that shape when `elementwise_affine` (`bias=False` registers `bias` as None).
open class LayerNorm: Module {
    public let normalizedShape: [Int]
    @WrittenFloat public var eps: Double
    public let elementwiseAffine: Bool

    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) throws {
        self.normalizedShape = normalizedShape
        self.eps = eps
        self.elementwiseAffine = elementwiseAffine
        super.init()
        if elementwiseAffine {
            let w = try Tensor.newParameter(normalizedShape)
            try Init.ones_(w)
            try registerParameter("weight", w)
            try registerParameter("bias", bias ? try Tensor.newParameter(normalizedShape) : nil)
        } else {
            try registerParameter("weight", nil)
            try registerParameter("bias", nil)
        }
    }

    override open var pythonModuleName: String { "torch.nn.modules.normalization" }

    override open var hyperparameters: [(String, HyperValue)] {
        [("normalized_shape", .tuple(normalizedShape.map { .int($0) })), ("eps", $eps),
         ("elementwise_affine", .bool(elementwiseAffine))]
    }

    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        switch (name, value) {
        case ("eps", .double), ("eps", .int): $eps = value
        default: return false
        }
        return true
    }

    override open func extraRepr() -> String {
        "\(HyperValue.tuple(normalizedShape.map { .int($0) })), eps=\($eps), elementwise_affine=\(elementwiseAffine ? "True" : "False")"
            + ", bias=\(parameter("bias") == nil ? "False" : "True")"
    }

    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.layerNorm(input, normalizedShape: normalizedShape, weight: parameter("weight"), bias: parameter("bias"), eps: eps)
    }
}

/// `nn.RMSNorm(normalized_shape, eps=None, elementwise_affine=True)`: `x / sqrt(mean(x²) + eps)`
/// over the trailing dims, times `weight` (ones). `eps=None` is the dtype's machine epsilon.
open class RMSNorm: Module {
    public let normalizedShape: [Int]
    @WrittenOptionalFloat public var eps: Double?
    public let elementwiseAffine: Bool

    public init(_ normalizedShape: [Int], eps: Double? = nil, elementwiseAffine: Bool = true) throws {
        self.normalizedShape = normalizedShape
        self.eps = eps
        self.elementwiseAffine = elementwiseAffine
        super.init()
        if elementwiseAffine {
            let w = try Tensor.newParameter(normalizedShape)
            try Init.ones_(w)
            try registerParameter("weight", w)
        } else {
            try registerParameter("weight", nil)
        }
    }

    override open var pythonModuleName: String { "torch.nn.modules.normalization" }

    override open var hyperparameters: [(String, HyperValue)] {
        [("normalized_shape", .tuple(normalizedShape.map { .int($0) })), ("eps", $eps),
         ("elementwise_affine", .bool(elementwiseAffine))]
    }

    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        switch (name, value) {
        case ("eps", .double), ("eps", .int), ("eps", .none): $eps = value
        default: return false
        }
        return true
    }

    override open func extraRepr() -> String {
        "\(HyperValue.tuple(normalizedShape.map { .int($0) })), eps=\($eps), elementwise_affine=\(elementwiseAffine ? "True" : "False")"
    }

    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.rmsNorm(input, normalizedShape: normalizedShape, weight: parameter("weight"), eps: eps)
    }
}
