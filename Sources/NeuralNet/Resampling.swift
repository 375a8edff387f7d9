import TensorRuntime

/// `nn.Upsample(size=None, scale_factor=None, mode='nearest', align_corners=None,
/// recompute_scale_factor=None)`: `F.interpolate` with the stored settings. A scale factor is
/// kept as a float (or a tuple of floats), as PyTorch keeps and prints it.
open class Upsample: Module {
    public let size: SpatialArgument<Int>?
    public let scaleFactor: SpatialArgument<Double>?
    public let mode: String
    public let alignCorners: Bool?
    public let recomputeScaleFactor: Bool?

    public init(size: SpatialArgument<Int>? = nil, scaleFactor: SpatialArgument<Double>? = nil, mode: String = "nearest",
                alignCorners: Bool? = nil, recomputeScaleFactor: Bool? = nil) {
        self.size = size
        // PyTorch: `float(scale_factor) if scale_factor else None`.
        if case .all(let s)? = scaleFactor, s == 0 { self.scaleFactor = nil } else { self.scaleFactor = scaleFactor }
        self.mode = mode
        self.alignCorners = alignCorners
        self.recomputeScaleFactor = recomputeScaleFactor
        super.init()
    }

    override open var pythonModuleName: String { "torch.nn.modules.upsampling" }

    private var sizeValue: HyperValue {
        switch size {
        case .all(let v)?: return .int(v)
        case .each(let vs)?: return .tuple(vs.map { .int($0) })
        case nil: return .none
        }
    }

    private var scaleValue: HyperValue {
        switch scaleFactor {
        case .all(let v)?: return .double(v)
        case .each(let vs)?: return .tuple(vs.map { .double($0) })
        case nil: return .none
        }
    }

    override open var hyperparameters: [(String, HyperValue)] {
        // `name` is the class name, which PyTorch's `__init__` stores (`vars(up)` shows it).
        [("name", .string(typeName)), ("size", sizeValue), ("scale_factor", scaleValue), ("mode", .string(mode)),
         ("align_corners", alignCorners.map { .bool($0) } ?? .none),
         ("recompute_scale_factor", recomputeScaleFactor.map { .bool($0) } ?? .none)]
    }

    override open func extraRepr() -> String {
        (scaleFactor != nil ? "scale_factor=\(scaleValue)" : "size=\(sizeValue)") + ", mode=\(HyperValue.string(mode))"
    }

    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.interpolate(input, size: size, scaleFactor: scaleFactor, mode: mode, alignCorners: alignCorners,
                                   recomputeScaleFactor: recomputeScaleFactor)
    }
}

/// `nn.UpsamplingNearest2d(size=None, scale_factor=None)`: `Upsample(mode='nearest')`.
open class UpsamplingNearest2d: Upsample {
    public init(size: SpatialArgument<Int>?, scaleFactor: SpatialArgument<Double>?) {
        super.init(size: size, scaleFactor: scaleFactor, mode: "nearest")
    }
}

/// `nn.UpsamplingBilinear2d(size=None, scale_factor=None)`: `Upsample(mode='bilinear', align_corners=True)`.
open class UpsamplingBilinear2d: Upsample {
    public init(size: SpatialArgument<Int>?, scaleFactor: SpatialArgument<Double>?) {
        super.init(size: size, scaleFactor: scaleFactor, mode: "bilinear", alignCorners: true)
    }
}

/// `nn.PixelShuffle` / `nn.PixelUnshuffle`: one factor, kept under PyTorch's argument name.
open class PixelRearrangement: Module {
    public let factor: Int
    private let argumentName: String

    init(factor: Int, argumentName: String) {
        (self.factor, self.argumentName) = (factor, argumentName)
        super.init()
    }

    override open var pythonModuleName: String { "torch.nn.modules.pixelshuffle" }
    override open var hyperparameters: [(String, HyperValue)] { [(argumentName, .int(factor))] }
    override open func extraRepr() -> String { "\(argumentName)=\(factor)" }
}

/// `nn.PixelShuffle(upscale_factor)`: `(N, C·r², H, W)` → `(N, C, H·r, W·r)`.
open class PixelShuffle: PixelRearrangement {
    public init(upscaleFactor: Int) { super.init(factor: upscaleFactor, argumentName: "upscale_factor") }
    override open func forward(_ input: Tensor) throws -> Tensor { try Functional.pixelShuffle(input, upscaleFactor: factor) }
}

/// `nn.PixelUnshuffle(downscale_factor)`: `(N, C, H·r, W·r)` → `(N, C·r², H, W)`.
open class PixelUnshuffle: PixelRearrangement {
    public init(downscaleFactor: Int) { super.init(factor: downscaleFactor, argumentName: "downscale_factor") }
    override open func forward(_ input: Tensor) throws -> Tensor { try Functional.pixelUnshuffle(input, downscaleFactor: factor) }
}

/// `nn.Unfold(kernel_size, dilation=1, padding=0, stride=1)` (`F.unfold`); sizes kept as given.
open class Unfold: Module {
    public let kernelSize, dilation, padding, stride: IntPair

    public init(kernelSize: IntPair, dilation: IntPair = .single(1), padding: IntPair = .single(0), stride: IntPair = .single(1)) {
        (self.kernelSize, self.dilation, self.padding, self.stride) = (kernelSize, dilation, padding, stride)
        super.init()
    }

    override open var pythonModuleName: String { "torch.nn.modules.fold" }
    override open var hyperparameters: [(String, HyperValue)] {
        [("kernel_size", kernelSize.asGiven), ("dilation", dilation.asGiven), ("padding", padding.asGiven), ("stride", stride.asGiven)]
    }
    override open func extraRepr() -> String {
        "kernel_size=\(kernelSize.asGiven), dilation=\(dilation.asGiven), padding=\(padding.asGiven), stride=\(stride.asGiven)"
    }
    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.unfold(input, kernelSize: kernelSize.pair, dilation: dilation.pair, padding: padding.pair, stride: stride.pair)
    }
}

/// `nn.Fold(output_size, kernel_size, dilation=1, padding=0, stride=1)` (`F.fold`).
open class Fold: Module {
    public let outputSize, kernelSize, dilation, padding, stride: IntPair

    public init(outputSize: IntPair, kernelSize: IntPair, dilation: IntPair = .single(1), padding: IntPair = .single(0),
                stride: IntPair = .single(1)) {
        (self.outputSize, self.kernelSize, self.dilation, self.padding, self.stride) = (outputSize, kernelSize, dilation, padding, stride)
        super.init()
    }

    override open var pythonModuleName: String { "torch.nn.modules.fold" }
    override open var hyperparameters: [(String, HyperValue)] {
        [("output_size", outputSize.asGiven), ("kernel_size", kernelSize.asGiven), ("dilation", dilation.asGiven),
         ("padding", padding.asGiven), ("stride", stride.asGiven)]
    }
    override open func extraRepr() -> String {
        "output_size=\(outputSize.asGiven), kernel_size=\(kernelSize.asGiven), dilation=\(dilation.asGiven), padding=\(padding.asGiven), stride=\(stride.asGiven)"
    }
    override open func forward(_ input: Tensor) throws -> Tensor {
        try Functional.fold(input, outputSize: outputSize.pair, kernelSize: kernelSize.pair, dilation: dilation.pair,
                            padding: padding.pair, stride: stride.pair)
    }
}
