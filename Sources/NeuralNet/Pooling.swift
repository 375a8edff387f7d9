import TensorRuntime

/// Base of the pooling layers (`torch.nn.modules.pooling`).
open class PoolingModule: Module {
    override open var pythonModuleName: String { "torch.nn.modules.pooling" }
}

/// `nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
/// ceil_mode=False)`; stride defaults to kernel_size. Sizes are kept as given (int or pair).
/// Its settings may be assigned after construction (`pool.stride = 1`), as forward reads them.
open class MaxPool2d: IndexedPoolingModule {
    public private(set) var kernelSize: IntPair
    public private(set) var stride: IntPair
    public private(set) var padding: IntPair
    public private(set) var dilation: IntPair
    public private(set) var ceilMode: Bool

    public init(kernelSize: IntPair, stride: IntPair? = nil, padding: IntPair = .single(0), dilation: IntPair = .single(1),
                returnIndices: Bool = false, ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
        super.init(returnIndices: returnIndices)
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("kernel_size", kernelSize.asGiven), ("stride", stride.asGiven), ("padding", padding.asGiven),
         ("dilation", dilation.asGiven), ("return_indices", .bool(returnIndices)), ("ceil_mode", .bool(ceilMode))]
    }

    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        switch (name, value, IntPair(value)) {
        case ("kernel_size", _, let v?): kernelSize = v
        case ("stride", _, let v?): stride = v
        case ("padding", _, let v?): padding = v
        case ("dilation", _, let v?): dilation = v
        case ("ceil_mode", .bool(let b), _): ceilMode = b
        default: return false
        }
        return true
    }

    override open func extraRepr() -> String {
        "kernel_size=\(kernelSize.asGiven), stride=\(stride.asGiven), padding=\(padding.asGiven), dilation=\(dilation.asGiven), ceil_mode=\(ceilMode ? "True" : "False")"
    }

    override open func pool(_ input: Tensor) throws -> (Tensor, Tensor?) {
        guard returnIndices else {
            return (try Functional.maxPool2d(input, kernelSize: kernelSize.pair, stride: stride.pair, padding: padding.pair,
                                             dilation: dilation.pair, ceilMode: ceilMode), nil)
        }
        return try Functional.maxPool2dWithIndices(input, kernelSize: kernelSize.pair, stride: stride.pair, padding: padding.pair,
                                                   dilation: dilation.pair, ceilMode: ceilMode)
    }
}

/// `nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True)`;
/// its settings may be assigned after construction.
open class AvgPool2d: PoolingModule {
    public private(set) var kernelSize: IntPair
    public private(set) var stride: IntPair
    public private(set) var padding: IntPair
    public private(set) var ceilMode: Bool
    public private(set) var countIncludePad: Bool

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

    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        switch (name, value, IntPair(value)) {
        case ("kernel_size", _, let v?): kernelSize = v
        case ("stride", _, let v?): stride = v
        case ("padding", _, let v?): padding = v
        case ("ceil_mode", .bool(let b), _): ceilMode = b
        case ("count_include_pad", .bool(let b), _): countIncludePad = b
        default: return false
        }
        return true
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
    public private(set) var outputSize: IntPair

    public init(outputSize: IntPair) {
        self.outputSize = outputSize
        super.init()
    }

    override open var hyperparameters: [(String, HyperValue)] { [("output_size", outputSize.asGiven)] }
    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        guard name == "output_size", let v = IntPair(value) else { return false }
        outputSize = v
        return true
    }
    override open func extraRepr() -> String { "output_size=\(outputSize.asGiven)" }
    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.adaptiveAvgPool2d(input, outputSize: outputSize.pair)
    }
}

/// A max pool that returns `(values, indices)` when built with `return_indices=True`.
open class IndexedPoolingModule: PoolingModule {
    public let returnIndices: Bool

    init(returnIndices: Bool) {
        self.returnIndices = returnIndices
        super.init()
    }

    /// The pooled values and their indices (nil when none were computed).
    open func pool(_ input: Tensor) throws -> (Tensor, Tensor?) {
        throw TorchError(.notImplementedError, "Module [\(typeName)] is missing the required \"forward\" function")
    }

    override open func forward(_ input: Tensor) throws -> Tensor { try pool(input).0 }

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let input = try singleTensorArgument(arguments, keywords, parameterName: "input")
        let (values, indices) = try pool(input)
        guard returnIndices, let indices else { return ModuleValueBridge.wrap(values) }
        return HookTuple([ModuleValueBridge.wrap(values), ModuleValueBridge.wrap(indices)])
    }
}

/// `nn.MaxPool1d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
/// ceil_mode=False)` on `[N, C, L]` or `[C, L]`.
open class MaxPool1d: IndexedPoolingModule {
    public private(set) var kernelSize, stride, padding, dilation: Int
    public private(set) var ceilMode: Bool

    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, returnIndices: Bool = false, ceilMode: Bool = false) {
        (self.kernelSize, self.stride, self.padding, self.dilation, self.ceilMode) = (kernelSize, stride ?? kernelSize, padding, dilation, ceilMode)
        super.init(returnIndices: returnIndices)
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("kernel_size", .int(kernelSize)), ("stride", .int(stride)), ("padding", .int(padding)),
         ("dilation", .int(dilation)), ("return_indices", .bool(returnIndices)), ("ceil_mode", .bool(ceilMode))]
    }

    override open func setHyperparameter(_ name: String, _ value: HyperValue) throws -> Bool {
        switch (name, value) {
        case ("kernel_size", .int(let v)): kernelSize = v
        case ("stride", .int(let v)): stride = v
        case ("padding", .int(let v)): padding = v
        case ("dilation", .int(let v)): dilation = v
        case ("ceil_mode", .bool(let b)): ceilMode = b
        default: return false
        }
        return true
    }

    override open func extraRepr() -> String {
        "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding), dilation=\(dilation), ceil_mode=\(ceilMode ? "True" : "False")"
    }

    override open func pool(_ input: Tensor) throws -> (Tensor, Tensor?) {
        try Functional.maxPool1d(input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                                 ceilMode: ceilMode, returnIndices: returnIndices)
    }
}

/// `nn.AvgPool1d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True)`.
open class AvgPool1d: PoolingModule {
    public let kernelSize, stride, padding: Int
    public let ceilMode, countIncludePad: Bool

    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        (self.kernelSize, self.stride, self.padding) = (kernelSize, stride ?? kernelSize, padding)
        (self.ceilMode, self.countIncludePad) = (ceilMode, countIncludePad)
        super.init()
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("kernel_size", .tuple([.int(kernelSize)])), ("stride", .tuple([.int(stride)])), ("padding", .tuple([.int(padding)])),
         ("ceil_mode", .bool(ceilMode)), ("count_include_pad", .bool(countIncludePad))]
    }

    override open func extraRepr() -> String { "kernel_size=(\(kernelSize),), stride=(\(stride),), padding=(\(padding),)" }

    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.avgPool1d(input, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
                                 countIncludePad: countIncludePad)
    }
}

/// `nn.AdaptiveAvgPool1d(output_size)`.
open class AdaptiveAvgPool1d: PoolingModule {
    public let outputSize: Int

    public init(outputSize: Int) {
        self.outputSize = outputSize
        super.init()
    }

    override open var hyperparameters: [(String, HyperValue)] { [("output_size", .int(outputSize))] }
    override open func extraRepr() -> String { "output_size=\(outputSize)" }
    override open func forward(_ input: Tensor) throws -> Tensor { try Functional.adaptiveAvgPool1d(input, outputSize: outputSize) }
}

/// `nn.AdaptiveMaxPool1d(output_size, return_indices=False)`.
open class AdaptiveMaxPool1d: IndexedPoolingModule {
    public let outputSize: Int

    public init(outputSize: Int, returnIndices: Bool = false) {
        self.outputSize = outputSize
        super.init(returnIndices: returnIndices)
    }

    override open var hyperparameters: [(String, HyperValue)] { [("output_size", .int(outputSize)), ("return_indices", .bool(returnIndices))] }
    override open func extraRepr() -> String { "output_size=\(outputSize)" }
    override open func pool(_ input: Tensor) throws -> (Tensor, Tensor?) { try Functional.adaptiveMaxPool1d(input, outputSize: outputSize) }
}

/// `nn.AdaptiveMaxPool2d(output_size, return_indices=False)`; an entry of None keeps that input size.
open class AdaptiveMaxPool2d: IndexedPoolingModule {
    public let outputSize: (Int?, Int?)
    /// The size as given (`2`, `(2, None)`), as PyTorch keeps and prints it.
    public let outputSizeGiven: HyperValue

    public init(outputSize: (Int?, Int?), given: HyperValue, returnIndices: Bool = false) {
        self.outputSize = outputSize
        outputSizeGiven = given
        super.init(returnIndices: returnIndices)
    }

    override open var hyperparameters: [(String, HyperValue)] { [("output_size", outputSizeGiven), ("return_indices", .bool(returnIndices))] }
    override open func extraRepr() -> String { "output_size=\(outputSizeGiven)" }
    override open func pool(_ input: Tensor) throws -> (Tensor, Tensor?) { try Functional.adaptiveMaxPool2d(input, outputSize: outputSize) }
}

/// `nn.MaxUnpool2d(kernel_size, stride=None, padding=0)`: `forward(input, indices, output_size=None)`
/// puts each value back where `MaxPool2d(return_indices=True)` found it.
open class MaxUnpool2d: PoolingModule {
    public let kernelSize, stride, padding: (Int, Int)

    public init(kernelSize: IntPair, stride: IntPair? = nil, padding: IntPair = .single(0)) {
        self.kernelSize = kernelSize.pair
        self.stride = (stride ?? kernelSize).pair
        self.padding = padding.pair
        super.init()
    }

    override open var hyperparameters: [(String, HyperValue)] {
        [("kernel_size", .pair(kernelSize)), ("stride", .pair(stride)), ("padding", .pair(padding))]
    }

    override open func extraRepr() -> String {
        "kernel_size=\(HyperValue.pair(kernelSize)), stride=\(HyperValue.pair(stride)), padding=\(HyperValue.pair(padding))"
    }

    override open func forward(arguments: [Any], keywords: [(String, Any)]) throws -> Any {
        let names = ["input", "indices", "output_size"]
        var bound: [Any?] = [nil, nil, nil]
        guard arguments.count <= 3 else {
            throw TorchError.type("\(typeName).forward() takes from 3 to 4 positional arguments but \(arguments.count + 1) were given")
        }
        for (i, a) in arguments.enumerated() { bound[i] = a }
        for (k, v) in keywords {
            guard let i = names.firstIndex(of: k) else { throw TorchError.type("\(typeName).forward() got an unexpected keyword argument '\(k)'") }
            guard bound[i] == nil else { throw TorchError.type("\(typeName).forward() got multiple values for argument '\(k)'") }
            bound[i] = v
        }
        guard let x = bound[0].flatMap(ModuleValueBridge.tensor(from:)), let indices = bound[1].flatMap(ModuleValueBridge.tensor(from:)) else {
            throw TorchError.type("\(typeName).forward() missing required tensor arguments: 'input' and 'indices'")
        }
        let size = try bound[2].flatMap { try SizeArgumentBridge.ints($0) }
        return ModuleValueBridge.wrap(try Functional.maxUnpool2d(x, indices: indices, kernelSize: kernelSize, stride: stride,
                                                                 padding: padding, outputSize: size))
    }
}
