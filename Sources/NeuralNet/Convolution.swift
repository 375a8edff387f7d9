import TensorRuntime

/// A 2-d size argument as scripts pass it: an int (used for both dims) or a pair.
public enum IntPair: Equatable {
    case single(Int)
    case pair(Int, Int)

    public var pair: (Int, Int) {
        switch self {
        case .single(let v): return (v, v)
        case .pair(let a, let b): return (a, b)
        }
    }

    /// The value as the script gave it (`2` or `(2, 2)`), as PyTorch's pooling layers keep it.
    public var asGiven: HyperValue {
        switch self {
        case .single(let v): return .int(v)
        case .pair(let a, let b): return .tuple([.int(a), .int(b)])
        }
    }

    /// Always a pair (`_pair(x)`), as Conv2d stores its sizes.
    public var asPair: HyperValue { HyperValue.pair(pair) }
}

/// Conv2d's `padding`: explicit sizes or `'same'` / `'valid'`.
public enum Conv2dPadding: Equatable {
    case explicit(Int, Int)
    case same
    case valid
}

/// `nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
/// bias=True, padding_mode='zeros')`; weight (out, in/groups, kH, kW), PyTorch's default init.
open class Conv2d: Module {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: Conv2dPadding
    public let dilation: (Int, Int)
    public let groups: Int
    public let paddingMode: String

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: IntPair, stride: IntPair = .single(1),
                padding: Conv2dPadding = .explicit(0, 0), dilation: IntPair = .single(1), groups: Int = 1,
                bias: Bool = true, paddingMode: String = "zeros") throws {
        guard groups > 0 else { throw TorchError.value("groups must be a positive integer") }
        guard inChannels % groups == 0 else { throw TorchError.value("in_channels must be divisible by groups") }
        guard outChannels % groups == 0 else { throw TorchError.value("out_channels must be divisible by groups") }
        if padding == .same && stride.pair != (1, 1) {
            throw TorchError.value("padding='same' is not supported for strided convolutions")
        }
        guard ["zeros", "reflect", "replicate", "circular"].contains(paddingMode) else {
            throw TorchError.value("padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='\(paddingMode)'")
        }
        guard paddingMode == "zeros" else {
            throw TorchError(.notImplementedError, "nnrepl's Conv2d supports only padding_mode='zeros' (got '\(paddingMode)')")
        }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize.pair
        self.stride = stride.pair
        self.padding = padding
        self.dilation = dilation.pair
        self.groups = groups
        self.paddingMode = paddingMode
        super.init()
        let weight = try Tensor.newParameter([outChannels, inChannels / groups, self.kernelSize.0, self.kernelSize.1])
        let b = bias ? try Tensor.newParameter([outChannels]) : nil
        try registerParameter("weight", weight)
        try registerParameter("bias", b)
        try Init.resetLinearLike(weight: weight, bias: b)
    }

    /// Convenience for Swift callers: square kernel, int stride and padding.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            groups: Int = 1, bias: Bool = true) throws {
        try self.init(inChannels, outChannels, kernelSize: .single(kernelSize), stride: .single(stride),
                      padding: .explicit(padding, padding), groups: groups, bias: bias)
    }

    override open var pythonModuleName: String { "torch.nn.modules.conv" }

    private var paddingValue: HyperValue {
        switch padding {
        case .explicit(let a, let b): return .pair((a, b))
        case .same: return .string("same")
        case .valid: return .string("valid")
        }
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("in_channels", .int(inChannels)), ("out_channels", .int(outChannels)),
         ("kernel_size", .pair(kernelSize)), ("stride", .pair(stride)), ("padding", paddingValue),
         ("dilation", .pair(dilation)), ("transposed", .bool(false)), ("output_padding", .pair((0, 0))),
         ("groups", .int(groups)), ("padding_mode", .string(paddingMode))]
    }

    override open func extraRepr() -> String {
        var s = "\(inChannels), \(outChannels), kernel_size=\(HyperValue.pair(kernelSize)), stride=\(HyperValue.pair(stride))"
        switch padding {
        case .explicit(0, 0): break
        case .explicit(let a, let b): s += ", padding=\(HyperValue.pair((a, b)))"
        case .same: s += ", padding=same"
        case .valid: s += ", padding=valid"
        }
        if dilation != (1, 1) { s += ", dilation=\(HyperValue.pair(dilation))" }
        if groups != 1 { s += ", groups=\(groups)" }
        if parameter("bias") == nil { s += ", bias=False" }
        if paddingMode != "zeros" { s += ", padding_mode=\(paddingMode)" }
        return s
    }

    /// The symmetric padding the kernel gets; `'same'` with an even effective kernel needs
    /// asymmetric padding, which is not supported.
    func explicitPadding() throws -> (Int, Int) {
        switch padding {
        case .explicit(let a, let b): return (a, b)
        case .valid: return (0, 0)
        case .same:
            let (t0, o0) = dilation.0.multipliedReportingOverflow(by: kernelSize.0 - 1)
            let (t1, o1) = dilation.1.multipliedReportingOverflow(by: kernelSize.1 - 1)
            guard !o0 && !o1 else { throw TorchError.runtime("conv2d: arguments are too large") }
            let total = (t0, t1)
            guard total.0 % 2 == 0 && total.1 % 2 == 0 else {
                throw TorchError(.notImplementedError, "padding='same' with an even kernel size needs asymmetric padding, which nnrepl does not support")
            }
            return (total.0 / 2, total.1 / 2)
        }
    }

    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.conv2d(input, weight: try requiredParameter("weight", of: "conv2d"), bias: parameter("bias"),
                              stride: stride, padding: try explicitPadding(), dilation: dilation, groups: groups)
    }

    /// True when `Sequential` may run this layer and `next` as one fused `conv2dReLU`: both are
    /// the built-in classes (not subclasses with their own forward) and neither has hooks, so
    /// nothing could observe the convolution's own output.
    func fusesWithReLU(_ next: Module) -> Bool {
        type(of: self) == Conv2d.self && type(of: next) == ReLU.self
            && hookCounts == (0, 0) && next.hookCounts == (0, 0)
    }

    /// `ReLU()(self(input))` in one pass (`Functional.conv2dReLU`: same values and graph).
    func forwardFusingReLU(_ input: Tensor) throws -> Tensor {
        try Functional.conv2dReLU(input, weight: try requiredParameter("weight", of: "conv2d"), bias: parameter("bias"),
                                  stride: stride, padding: try explicitPadding(), dilation: dilation, groups: groups)
    }
}
