import TensorRuntime

/// torchvision's `VGG`: `features` (convs + ReLU + max-pools), `avgpool` (AdaptiveAvgPool2d((7, 7))),
/// `classifier` (Linear/ReLU/Dropout ×2 + Linear), with torchvision's module names, order and
/// initialisation, so state_dict keys match (`features.0.weight` … `classifier.6.bias`).
public final class VGG: Module {
    /// Layer configurations: channel counts, 0 = max-pool ("M").
    static let configurations: [String: [Int]] = [
        "A": [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
        "D": [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0],
        "E": [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0],
    ]

    /// `batchNorm`: a BatchNorm2d after every conv (`vgg11_bn`, …).
    init(configuration: [Int], batchNorm: Bool = false, numClasses: Int = 1000, dropout: Double = 0.5) throws {
        super.init()
        try build(configuration, batchNorm, numClasses, dropout)
    }

    /// Every conv and linear layer draws its default initialisation when built and is then
    /// re-initialised, as in torchvision: both consume the random stream, so a seeded model
    /// starts from torchvision's weights.
    private func build(_ configuration: [Int], _ batchNorm: Bool, _ numClasses: Int, _ dropout: Double) throws {
        var layers: [Module] = []
        var channels = 3
        for v in configuration {
            if v == 0 {
                layers.append(MaxPool2d(kernelSize: .single(2), stride: .single(2)))
            } else {
                layers.append(try Conv2d(channels, v, kernelSize: .single(3), padding: .explicit(1, 1)))
                if batchNorm { layers.append(try BatchNorm2d(v)) }
                layers.append(ReLU(inplace: true))
                channels = v
            }
        }
        try addModule("features", Sequential(layers))
        try addModule("avgpool", AdaptiveAvgPool2d(outputSize: .pair(7, 7)))
        try addModule("classifier", Sequential(
            try Linear(512 * 7 * 7, 4096), ReLU(inplace: true), try Dropout(p: dropout),
            try Linear(4096, 4096), ReLU(inplace: true), try Dropout(p: dropout),
            try Linear(4096, numClasses)))
        for m in modules() {
            if let conv = m as? Conv2d, let w = conv.parameter("weight") {
                try Init.kaimingNormal_(w, mode: "fan_out", nonlinearity: "relu")
                if let b = conv.parameter("bias") { Init.zeros_(b) }
            } else if let linear = m as? Linear, let w = linear.parameter("weight") {
                try Init.normal_(w, mean: 0, std: 0.01)
                if let b = linear.parameter("bias") { Init.zeros_(b) }
            }
        }
    }

    override public var pythonModuleName: String { "torchvision.models.vgg" }

    override public func forward(_ input: Tensor) throws -> Tensor {
        guard let features = child("features"), let pool = child("avgpool"), let classifier = child("classifier") else {
            throw TorchError(.attributeError, "'VGG' object has no attribute 'features'")
        }
        return try classifier(try pool(try features(input)).flatten(startDim: 1))
    }

    /// `torchvision.models.vgg11()`.
    public static func vgg11(numClasses: Int = 1000) throws -> VGG { try VGG(configuration: configurations["A"] ?? [], numClasses: numClasses) }
    /// `torchvision.models.vgg16()`.
    public static func vgg16(numClasses: Int = 1000) throws -> VGG { try VGG(configuration: configurations["D"] ?? [], numClasses: numClasses) }
    /// `torchvision.models.vgg19()`.
    public static func vgg19(numClasses: Int = 1000) throws -> VGG { try VGG(configuration: configurations["E"] ?? [], numClasses: numClasses) }
    /// `torchvision.models.vgg11_bn()`.
    public static func vgg11BN(numClasses: Int = 1000) throws -> VGG {
        try VGG(configuration: configurations["A"] ?? [], batchNorm: true, numClasses: numClasses)
    }
}
