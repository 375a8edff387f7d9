import TensorRuntime

/// An activation configured by named settings (`alpha`, `beta`, `min_val` …) that are exposed as
/// attributes and printed as given (`Softplus(beta=2, threshold=10)` keeps the ints), plus an
/// optional `inplace` flag. Subclasses supply `activate(_:)` and, when PyTorch prints them
/// differently, `extraRepr()`.
open class ConfiguredActivation: ActivationModule {
    public private(set) var settings: [(String, HyperValue)]
    /// nil for activations without an `inplace` argument.
    public var inplace: Bool?

    public init(_ settings: [(String, HyperValue)] = [], inplace: Bool? = nil) {
        self.settings = settings
        self.inplace = inplace
        super.init()
    }

    /// A setting as a number (0 when it is not one).
    public func number(_ name: String) -> Double {
        settings.first { $0.0 == name }?.1.number ?? 0
    }

    override open var hyperparameters: [(String, HyperValue)] {
        settings + (inplace.map { [("inplace", HyperValue.bool($0))] } ?? [])
    }

    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        if name == "inplace", inplace != nil, case .bool(let b) = value {
            inplace = b
            return true
        }
        guard let i = settings.firstIndex(where: { $0.0 == name }), value.number != nil else { return false }
        settings[i].1 = value
        return true
    }

    /// `name=value, …` then `inplace=True` when set.
    override open func extraRepr() -> String {
        (settings.map { "\($0.0)=\($0.1)" } + (inplace == true ? ["inplace=True"] : [])).joined(separator: ", ")
    }

    /// The activation of `x` (out of place).
    open func activate(_ x: Tensor) throws -> Tensor { x }

    override open func forward(_ input: Tensor) throws -> Tensor {
        let out = try activate(input)
        return inplace == true ? try applyInPlace(input, out) : out
    }
}

/// `nn.ELU(alpha=1.0, inplace=False)`.
open class ELU: ConfiguredActivation {
    public init(alpha: HyperValue = .double(1), inplace: Bool = false) { super.init([("alpha", alpha)], inplace: inplace) }
    override open func activate(_ x: Tensor) throws -> Tensor { try x.elu(alpha: number("alpha")) }
}

/// `nn.CELU(alpha=1.0, inplace=False)`.
open class CELU: ConfiguredActivation {
    public init(alpha: HyperValue = .double(1), inplace: Bool = false) { super.init([("alpha", alpha)], inplace: inplace) }
    override open func activate(_ x: Tensor) throws -> Tensor { try x.celu(alpha: number("alpha")) }
}

/// `nn.SELU(inplace=False)`.
open class SELU: ConfiguredActivation {
    public init(inplace: Bool = false) { super.init(inplace: inplace) }
    override open func activate(_ x: Tensor) throws -> Tensor { try x.selu() }
}

/// `nn.SiLU(inplace=False)`: x·sigmoid(x).
open class SiLU: ConfiguredActivation {
    public init(inplace: Bool = false) { super.init(inplace: inplace) }
    override open func activate(_ x: Tensor) throws -> Tensor { try x.silu() }
}

/// `nn.Mish(inplace=False)`: x·tanh(softplus(x)).
open class Mish: ConfiguredActivation {
    public init(inplace: Bool = false) { super.init(inplace: inplace) }
    override open func activate(_ x: Tensor) throws -> Tensor { try x.mish() }
}

/// `nn.Softplus(beta=1.0, threshold=20.0)`.
open class Softplus: ConfiguredActivation {
    public init(beta: HyperValue = .double(1), threshold: HyperValue = .double(20)) {
        super.init([("beta", beta), ("threshold", threshold)])
    }
    override open func activate(_ x: Tensor) throws -> Tensor { try x.softplus(beta: number("beta"), threshold: number("threshold")) }
}

/// `nn.Hardtanh(min_val=-1.0, max_val=1.0, inplace=False)`.
open class Hardtanh: ConfiguredActivation {
    public init(minVal: HyperValue = .double(-1), maxVal: HyperValue = .double(1), inplace: Bool = false) throws {
        guard (maxVal.number ?? 0) > (minVal.number ?? 0) else {
            throw TorchError(.assertionError, "max_val (\(maxVal)) must be greater than min_val (\(minVal))")
        }
        super.init([("min_val", minVal), ("max_val", maxVal)], inplace: inplace)
    }
    override open func activate(_ x: Tensor) throws -> Tensor { try x.hardtanh(min: number("min_val"), max: number("max_val")) }
}

/// `nn.ReLU6(inplace=False)`: Hardtanh(0, 6), printed with its inplace flag only.
open class ReLU6: Hardtanh {
    public init(inplace: Bool = false) throws { try super.init(minVal: .double(0), maxVal: .double(6), inplace: inplace) }
    override open func extraRepr() -> String { inplace == true ? "inplace=True" : "" }
}

/// `nn.Hardsigmoid(inplace=False)` (the flag is not printed).
open class Hardsigmoid: ConfiguredActivation {
    public init(inplace: Bool = false) { super.init(inplace: inplace) }
    override open func extraRepr() -> String { "" }
    override open func activate(_ x: Tensor) throws -> Tensor { try x.hardsigmoid() }
}

/// `nn.Hardswish(inplace=False)` (the flag is not printed).
open class Hardswish: ConfiguredActivation {
    public init(inplace: Bool = false) { super.init(inplace: inplace) }
    override open func extraRepr() -> String { "" }
    override open func activate(_ x: Tensor) throws -> Tensor { try x.hardswish() }
}

/// `nn.Threshold(threshold, value, inplace=False)`.
open class Threshold: ConfiguredActivation {
    public init(threshold: HyperValue, value: HyperValue, inplace: Bool = false) {
        super.init([("threshold", threshold), ("value", value)], inplace: inplace)
    }
    override open func activate(_ x: Tensor) throws -> Tensor { try x.threshold(number("threshold"), value: number("value")) }
}

/// `nn.GLU(dim=-1)`.
open class GLU: ConfiguredActivation {
    public init(dim: Int = -1) { super.init([("dim", .int(dim))]) }
    override open func activate(_ x: Tensor) throws -> Tensor { try Functional.glu(x, dim: Int(number("dim"))) }
}

/// `nn.Softshrink(lambd=0.5)`, printed as `Softshrink(0.5)`.
open class Softshrink: ConfiguredActivation {
    public init(lambd: HyperValue = .double(0.5)) { super.init([("lambd", lambd)]) }
    override open func extraRepr() -> String { settings[0].1.description }
    override open func activate(_ x: Tensor) throws -> Tensor { try x.softshrink(lambda: number("lambd")) }
}

/// `nn.Hardshrink(lambd=0.5)`, printed as `Hardshrink(0.5)`.
open class Hardshrink: ConfiguredActivation {
    public init(lambd: HyperValue = .double(0.5)) { super.init([("lambd", lambd)]) }
    override open func extraRepr() -> String { settings[0].1.description }
    override open func activate(_ x: Tensor) throws -> Tensor { try x.hardshrink(lambda: number("lambd")) }
}

/// `nn.Softsign()`: x / (1 + |x|).
open class Softsign: ConfiguredActivation {
    override open func activate(_ x: Tensor) throws -> Tensor { try x.softsign() }
}

/// `nn.LogSigmoid()`.
open class LogSigmoid: ConfiguredActivation {
    override open func activate(_ x: Tensor) throws -> Tensor { try x.logSigmoid() }
}

/// `nn.Tanhshrink()`: x − tanh(x).
open class Tanhshrink: ConfiguredActivation {
    override open func activate(_ x: Tensor) throws -> Tensor { try x.tanhshrink() }
}

/// `nn.Softmin(dim=None)`: softmax(−x) along dim.
open class Softmin: SoftmaxFamily {
    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.softmax(try input.neg(), dim: resolvedDim(input, functionName: "softmin"))
    }
}

/// `nn.PReLU(num_parameters=1, init=0.25)`: x for x ≥ 0, else weight·x, with a learnable weight
/// per channel (or one shared), filled with `init`.
open class PReLU: ActivationModule {
    public let numParameters: Int
    public let initValue: HyperValue

    public init(numParameters: Int = 1, initValue: HyperValue = .double(0.25)) throws {
        self.numParameters = numParameters
        self.initValue = initValue
        super.init()
        let w = try Tensor.newParameter([numParameters])
        try GradMode.withNoGrad { _ = try w.fillInPlace(.double(initValue.number ?? 0)) }
        try registerParameter("weight", w)
    }

    override open var hyperparameters: [(String, HyperValue)] { [("num_parameters", .int(numParameters)), ("init", initValue)] }
    override open func extraRepr() -> String { "num_parameters=\(numParameters)" }
    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.prelu(input, weight: try requiredParameter("weight", of: "prelu"))
    }
}

/// `nn.RReLU(lower=1/8, upper=1/3, inplace=False)`: random negative slopes while training,
/// their mean in eval mode.
open class RReLU: ConfiguredActivation {
    public init(lower: HyperValue = .double(1.0 / 8), upper: HyperValue = .double(1.0 / 3), inplace: Bool = false) {
        super.init([("lower", lower), ("upper", upper)], inplace: inplace)
    }
    override open func activate(_ x: Tensor) throws -> Tensor {
        try x.rrelu(lower: number("lower"), upper: number("upper"), training: training)
    }
}

/// `nn.ChannelShuffle(groups)`.
open class ChannelShuffle: ConfiguredActivation {
    public init(groups: HyperValue) { super.init([("groups", groups)]) }
    override open func activate(_ x: Tensor) throws -> Tensor { try x.channelShuffle(groups: Int(number("groups"))) }
}
