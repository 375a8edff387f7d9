import TensorRuntime

/// torchvision's `Conv2dNormActivation` (torchvision.ops.misc): a Sequential of a bias-free Conv2d
/// (padding (k-1)/2), BatchNorm2d and ReLU6(inplace=True), as MobileNetV2 builds it.
public final class Conv2dNormActivation: Sequential {
    init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int = 3, stride: Int = 1, groups: Int = 1) throws {
        super.init([
            try Conv2d(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: (kernelSize - 1) / 2,
                       groups: groups, bias: false),
            try BatchNorm2d(outChannels), try ReLU6(inplace: true),
        ])
    }

    override public var pythonModuleName: String { "torchvision.ops.misc" }
}

/// torchvision's MobileNetV2 `InvertedResidual`: `conv` = [1x1 expansion] + depthwise 3x3 + linear
/// 1x1 projection + BatchNorm2d; the input is added back when stride is 1 and the widths agree.
public final class InvertedResidual: Module {
    public let useResConnect: Bool

    init(_ inp: Int, _ oup: Int, stride: Int, expandRatio: Int) throws {
        guard stride == 1 || stride == 2 else { throw TorchError.value("stride should be 1 or 2 instead of \(stride)") }
        useResConnect = stride == 1 && inp == oup
        super.init()
        let hidden = inp * expandRatio
        var layers: [Module] = []
        if expandRatio != 1 { layers.append(try Conv2dNormActivation(inp, hidden, kernelSize: 1)) }
        layers.append(try Conv2dNormActivation(hidden, hidden, stride: stride, groups: hidden))
        layers.append(try Conv2d(hidden, oup, kernelSize: 1, bias: false))
        layers.append(try BatchNorm2d(oup))
        try addModule("conv", Sequential(layers))
    }

    override public var pythonModuleName: String { "torchvision.models.mobilenetv2" }

    override public func forward(_ input: Tensor) throws -> Tensor {
        guard let conv = child("conv") else { throw missingAttributeError("conv") }
        return useResConnect ? try input.add(try conv(input)) : try conv(input)
    }
}

/// torchvision's `MobileNetV2(num_classes=1000, width_mult=1.0, dropout=0.2)`: `features`
/// (Conv2dNormActivation stem, 17 InvertedResidual blocks, 1x1 to 1280 channels) and `classifier`
/// (Dropout, Linear), with torchvision's names, construction order and re-initialisation, so a
/// seeded model starts from torchvision's weights.
public final class MobileNetV2: Module {
    /// (expansion t, channels c, repeats n, first stride s) per stage.
    static let settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    public init(numClasses: Int = 1000, widthMult: Double = 1.0, dropout: Double = 0.2) throws {
        super.init()
        var inputChannel = makeDivisible(32 * widthMult, 8)
        let lastChannel = makeDivisible(1280 * Swift.max(1.0, widthMult), 8)
        var features: [Module] = [try Conv2dNormActivation(3, inputChannel, stride: 2)]
        for (t, c, n, s) in MobileNetV2.settings {
            let outputChannel = makeDivisible(Double(c) * widthMult, 8)
            for i in 0..<n {
                features.append(try InvertedResidual(inputChannel, outputChannel, stride: i == 0 ? s : 1, expandRatio: t))
                inputChannel = outputChannel
            }
        }
        features.append(try Conv2dNormActivation(inputChannel, lastChannel, kernelSize: 1))
        try addModule("features", Sequential(features))
        try addModule("classifier", Sequential(try Dropout(p: dropout), try Linear(lastChannel, numClasses)))
        for m in modules() {
            if let conv = m as? Conv2d, let w = conv.parameter("weight") {
                try Init.kaimingNormal_(w, mode: "fan_out")
                if let b = conv.parameter("bias") { Init.zeros_(b) }
            } else if let bn = m as? BatchNormBase {
                if let w = bn.parameter("weight") { try Init.ones_(w) }
                if let b = bn.parameter("bias") { Init.zeros_(b) }
            } else if let linear = m as? Linear, let w = linear.parameter("weight") {
                try Init.normal_(w, mean: 0, std: 0.01)
                if let b = linear.parameter("bias") { Init.zeros_(b) }
            }
        }
    }

    override public var pythonModuleName: String { "torchvision.models.mobilenetv2" }

    override public func forward(_ input: Tensor) throws -> Tensor {
        guard let features = child("features"), let classifier = child("classifier") else {
            throw missingAttributeError("features")
        }
        let pooled = try Functional.adaptiveAvgPool2d(try features(input), outputSize: (1, 1))
        return try classifier(try pooled.flatten(startDim: 1))
    }
}

/// torchvision's `_make_divisible(v, divisor)`: `v` rounded to a multiple of `divisor`, never more
/// than 10% below it.
func makeDivisible(_ v: Double, _ divisor: Int) -> Int {
    var rounded = Swift.max(divisor, Int(v + Double(divisor) / 2) / divisor * divisor)
    if Double(rounded) < 0.9 * v { rounded += divisor }
    return rounded
}
