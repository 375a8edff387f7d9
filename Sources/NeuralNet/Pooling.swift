import TensorRuntime

/// Base of the pooling layers (`torch.nn.modules.pooling`).
open class PoolingModule: Module {
    override open var pythonModuleName: String { "torch.nn.modules.pooling" }
}

/// `nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
/// ceil_mode=False)`; stride defaults to kernel_size. Sizes are kept as given (int or pair).
open class MaxPool2d: PoolingModule {
    public let kernelSize: IntPair
    public let stride: IntPair
    public let padding: IntPair
    public let dilation: IntPair
    public let ceilMode: Bool

    public init(kernelSize: IntPair, stride: IntPair? = nil, padding: IntPair = .single(0), dilation: IntPair = .single(1),
                ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
        super.init()
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("kernel_size", kernelSize.asGiven), ("stride", stride.asGiven), ("padding", padding.asGiven),
         ("dilation", dilation.asGiven), ("return_indices", .bool(false)), ("ceil_mode", .bool(ceilMode))]
    }

    override open func extraRepr() -> String {
        "kernel_size=\(kernelSize.asGiven), stride=\(stride.asGiven), padding=\(padding.asGiven), dilation=\(dilation.asGiven), ceil_mode=\(ceilMode ? "True" : "False")"
    }

    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.maxPool2d(input, kernelSize: kernelSize.pair, stride: stride.pair, padding: padding.pair,
                                 dilation: dilation.pair, ceilMode: ceilMode)
    }
}

/// `nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True)`.
open class AvgPool2d: PoolingModule {
    public let kernelSize: IntPair
    public let stride: IntPair
    public let padding: IntPair
    public let ceilMode: Bool
    public let countIncludePad: Bool

    public init(kernelSize: IntPair, stride: IntPair? = nil, padding: IntPair = .single(0), ceilMode: Bool = false,
                countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        super.init()
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("kernel_size", kernelSize.asGiven), ("stride", stride.asGiven), ("padding", padding.asGiven),
         ("ceil_mode", .bool(ceilMode)), ("count_include_pad", .bool(countIncludePad)), ("divisor_override", .none)]
    }

    override open func extraRepr() -> String {
        "kernel_size=\(kernelSize.asGiven), stride=\(stride.asGiven), padding=\(padding.asGiven)"
    }

    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.avgPool2d(input, kernelSize: kernelSize.pair, stride: stride.pair, padding: padding.pair,
                                 ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

/// `nn.AdaptiveAvgPool2d(output_size)`.
open class AdaptiveAvgPool2d: PoolingModule {
    public let outputSize: IntPair

    public init(outputSize: IntPair) {
        self.outputSize = outputSize
        super.init()
    }

    override open var hyperparameters: [(String, HyperValue)] { [("output_size", outputSize.asGiven)] }
    override open func extraRepr() -> String { "output_size=\(outputSize.asGiven)" }
    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.adaptiveAvgPool2d(input, outputSize: outputSize.pair)
    }
}
