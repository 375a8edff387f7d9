import TensorRuntime

/// A residual block's children run in sequence, then the shortcut is added and ReLU applied.
public class ResidualBlock: Module {
    override public var pythonModuleName: String { "torchvision.models.resnet" }

    /// Names of the main-path children in forward order (`relu` entries re-use the one ReLU).
    var path: [String] { [] }

    override public func forward(_ input: Tensor) throws -> Tensor {
        var out = input
        for name in path {
            guard let m = child(name) else { throw missingAttributeError(name) }
            out = try m(out)
        }
        let identity = try child("downsample").map { try $0(input) } ?? input
        guard let relu = child("relu") else { throw missingAttributeError("relu") }
        return try relu(try out.add(identity))
    }

    /// Registers `downsample` when there is one (torchvision assigns None, which stays a plain attribute).
    func setDownsample(_ downsample: Module?) throws {
        guard let downsample else { return }
        hasDownsampleModule = true
        try addModule("downsample", downsample)
    }

    private var hasDownsampleModule = false

    /// `downsample` is a plain attribute None when the block has no shortcut module (as in
    /// torchvision: its forward, and a whole pickled model loaded in PyTorch, read it).
    override public var hyperparameters: [(String, HyperValue)] {
        hasDownsampleModule ? [] : [("downsample", .none)]
    }
}

/// torchvision's `BasicBlock` (resnet18/34): conv3x3-bn-relu-conv3x3-bn + shortcut.
public final class BasicBlock: ResidualBlock {
    static let expansion = 1

    init(_ inplanes: Int, _ planes: Int, stride: Int = 1, downsample: Module? = nil) throws {
        super.init()
        try addModule("conv1", try conv3x3(inplanes, planes, stride: stride))
        try addModule("bn1", try BatchNorm2d(planes))
        try addModule("relu", ReLU(inplace: true))
        try addModule("conv2", try conv3x3(planes, planes))
        try addModule("bn2", try BatchNorm2d(planes))
        try setDownsample(downsample)
    }

    override var path: [String] { ["conv1", "bn1", "relu", "conv2", "bn2"] }
}

/// torchvision's `Bottleneck` (resnet50+): conv1x1-bn-relu-conv3x3(stride)-bn-relu-conv1x1-bn + shortcut.
public final class Bottleneck: ResidualBlock {
    static let expansion = 4

    init(_ inplanes: Int, _ planes: Int, stride: Int = 1, downsample: Module? = nil) throws {
        super.init()
        let width = planes
        try addModule("conv1", try conv1x1(inplanes, width))
        try addModule("bn1", try BatchNorm2d(width))
        try addModule("conv2", try conv3x3(width, width, stride: stride))
        try addModule("bn2", try BatchNorm2d(width))
        try addModule("conv3", try conv1x1(width, planes * Bottleneck.expansion))
        try addModule("bn3", try BatchNorm2d(planes * Bottleneck.expansion))
        try addModule("relu", ReLU(inplace: true))
        try setDownsample(downsample)
    }

    override var path: [String] { ["conv1", "bn1", "relu", "conv2", "bn2", "relu", "conv3", "bn3"] }
}

private func conv3x3(_ i: Int, _ o: Int, stride: Int = 1) throws -> Conv2d {
    try Conv2d(i, o, kernelSize: .single(3), stride: .single(stride), padding: .explicit(1, 1), bias: false)
}

private func conv1x1(_ i: Int, _ o: Int, stride: Int = 1) throws -> Conv2d {
    try Conv2d(i, o, kernelSize: .single(1), stride: .single(stride), bias: false)
}

/// torchvision's `ResNet` with its module names (`conv1`, `bn1`, `relu`, `maxpool`, `layer1`…`layer4`,
/// `avgpool`, `fc`) and initialisation (kaiming_normal_ fan_out/relu for convs, BN weight 1 bias 0).
public final class ResNet: Module {
    private var inplanes = 64

    init(bottleneck: Bool, layers: [Int], numClasses: Int = 1000) throws {
        super.init()
        let expansion = bottleneck ? Bottleneck.expansion : BasicBlock.expansion
        try addModule("conv1", try Conv2d(3, 64, kernelSize: .single(7), stride: .single(2), padding: .explicit(3, 3), bias: false))
        try addModule("bn1", try BatchNorm2d(64))
        try addModule("relu", ReLU(inplace: true))
        try addModule("maxpool", MaxPool2d(kernelSize: .single(3), stride: .single(2), padding: .single(1)))
        // Every conv draws its default initialisation here and is re-initialised below, as in
        // torchvision, so the random stream (and a seeded model) matches torchvision's.
        for (i, (planes, count)) in zip([64, 128, 256, 512], layers).enumerated() {
            try addModule("layer\(i + 1)", try makeLayer(bottleneck: bottleneck, planes: planes, blocks: count, stride: i == 0 ? 1 : 2))
        }
        try addModule("avgpool", AdaptiveAvgPool2d(outputSize: .pair(1, 1)))
        try addModule("fc", try Linear(512 * expansion, numClasses))
        for m in modules() {
            if let conv = m as? Conv2d, let w = conv.parameter("weight") {
                try Init.kaimingNormal_(w, mode: "fan_out", nonlinearity: "relu")
            } else if let bn = m as? BatchNormBase {
                if let w = bn.parameter("weight") { try Init.ones_(w) }
                if let b = bn.parameter("bias") { Init.zeros_(b) }
            }
        }
    }

    private func makeLayer(bottleneck: Bool, planes: Int, blocks: Int, stride: Int) throws -> Sequential {
        let expansion = bottleneck ? Bottleneck.expansion : BasicBlock.expansion
        var downsample: Module? = nil
        if stride != 1 || inplanes != planes * expansion {
            downsample = Sequential(try conv1x1(inplanes, planes * expansion, stride: stride), try BatchNorm2d(planes * expansion))
        }
        func block(_ inp: Int, _ stride: Int, _ ds: Module?) throws -> Module {
            bottleneck ? try Bottleneck(inp, planes, stride: stride, downsample: ds) : try BasicBlock(inp, planes, stride: stride, downsample: ds)
        }
        var blocksList: [Module] = [try block(inplanes, stride, downsample)]
        inplanes = planes * expansion
        for _ in 1..<Swift.max(blocks, 1) { blocksList.append(try block(inplanes, 1, nil)) }
        return Sequential(blocksList)
    }

    override public var pythonModuleName: String { "torchvision.models.resnet" }

    override public func forward(_ input: Tensor) throws -> Tensor {
        var x = input
        for name in ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool"] {
            guard let m = child(name) else { throw missingAttributeError(name) }
            x = try m(x)
        }
        guard let fc = child("fc") else { throw missingAttributeError("fc") }
        return try fc(try x.flatten(startDim: 1))
    }

    /// `torchvision.models.resnet18()`.
    public static func resnet18(numClasses: Int = 1000) throws -> ResNet { try ResNet(bottleneck: false, layers: [2, 2, 2, 2], numClasses: numClasses) }
    /// `torchvision.models.resnet34()`.
    public static func resnet34(numClasses: Int = 1000) throws -> ResNet { try ResNet(bottleneck: false, layers: [3, 4, 6, 3], numClasses: numClasses) }
    /// `torchvision.models.resnet101()`.
    public static func resnet101(numClasses: Int = 1000) throws -> ResNet { try ResNet(bottleneck: true, layers: [3, 4, 23, 3], numClasses: numClasses) }
    /// `torchvision.models.resnet50()`.
    public static func resnet50(numClasses: Int = 1000) throws -> ResNet { try ResNet(bottleneck: true, layers: [3, 4, 6, 3], numClasses: numClasses) }
}
