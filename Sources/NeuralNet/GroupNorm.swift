import TensorRuntime

/// `nn.GroupNorm(num_groups, num_channels, eps=1e-05, affine=True, *, bias=True)`: normalises
/// groups of channels of each sample; per-channel `weight` (ones) and `bias` (zeros) when affine.
open class GroupNorm: Module {
    public let numGroups: Int
    public let numChannels: Int
    @WrittenFloat public var eps: Double
    public let affine: Bool

    public init(numGroups: Int, numChannels: Int, eps: Double = 1e-5, affine: Bool = true, bias: Bool = true) throws {
        guard numGroups != 0 else { throw TorchError(.zeroDivisionError, "integer modulo by zero") }
        guard numChannels % numGroups == 0 else {
            throw TorchError.value("num_channels (\(numChannels)) must be divisible by num_groups (\(numGroups))")
        }
        self.numGroups = numGroups
        self.numChannels = numChannels
        self.eps = eps
        self.affine = affine
        super.init()
        if affine {
            let w = try Tensor.newParameter([numChannels])
            try Init.ones_(w)
            try registerParameter("weight", w)
            try registerParameter("bias", bias ? try Tensor.newParameter([numChannels]) : nil)
        } else {
            try registerParameter("weight", nil)
            try registerParameter("bias", nil)
        }
    }

    override open var pythonModuleName: String { "torch.nn.modules.normalization" }

    override open var hyperparameters: [(String, HyperValue)] {
        [("num_groups", .int(numGroups)), ("num_channels", .int(numChannels)), ("eps", $eps), ("affine", .bool(affine))]
    }

    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        guard name == "eps", value.number != nil else { return false }
        $eps = value
        return true
    }

    override open func extraRepr() -> String {
        "\(numGroups), \(numChannels), eps=\($eps), affine=\(affine ? "True" : "False"), bias=\(parameter("bias") != nil ? "True" : "False")"
    }

    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.groupNorm(input, numGroups: numGroups, weight: parameter("weight"), bias: parameter("bias"), eps: eps)
    }
}

/// `nn.LocalResponseNorm(size, alpha=0.0001, beta=0.75, k=1.0)`: divides each element by a power
/// of the mean square over neighbouring channels. The settings print as given (`k=2` stays an int).
open class LocalResponseNorm: Module {
    public let size: Int
    public let alpha: HyperValue, beta: HyperValue, k: HyperValue

    public init(size: Int, alpha: HyperValue = .double(1e-4), beta: HyperValue = .double(0.75), k: HyperValue = .double(1)) {
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k
        super.init()
    }

    override open var pythonModuleName: String { "torch.nn.modules.normalization" }

    override open var hyperparameters: [(String, HyperValue)] {
        [("size", .int(size)), ("alpha", alpha), ("beta", beta), ("k", k)]
    }

    override open func extraRepr() -> String { "\(size), alpha=\(alpha), beta=\(beta), k=\(k)" }

    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.localResponseNorm(input, size: size, alpha: alpha.number ?? 0, beta: beta.number ?? 0, k: k.number ?? 0)
    }
}
