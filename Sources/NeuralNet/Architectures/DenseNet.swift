import TensorRuntime

/// torchvision's `_DenseLayer`: BN-ReLU-Conv1x1 (to bn_size·growth channels) over the concatenation
/// of every earlier feature map, then BN-ReLU-Conv3x3 to `growth_rate` new channels.
public final class DenseLayer: Module {
    init(_ inputFeatures: Int, growthRate: Int, bnSize: Int) throws {
        super.init()
        try addModule("norm1", try BatchNorm2d(inputFeatures))
        try addModule("relu1", ReLU(inplace: true))
        try addModule("conv1", try Conv2d(inputFeatures, bnSize * growthRate, kernelSize: 1, bias: false))
        try addModule("norm2", try BatchNorm2d(bnSize * growthRate))
        try addModule("relu2", ReLU(inplace: true))
        try addModule("conv2", try Conv2d(bnSize * growthRate, growthRate, kernelSize: 3, padding: 1, bias: false))
    }

    override public var typeName: String { "_DenseLayer" }
    override public var pythonModuleName: String { "torchvision.models.densenet" }

    override public func forward(_ input: Tensor) throws -> Tensor { try forward(features: [input]) }

    /// The new features from the list of earlier ones (concatenated along channels).
    func forward(features: [Tensor]) throws -> Tensor {
        var x = try Tensor.cat(features, dim: 1)
        for name in ["norm1", "relu1", "conv1", "norm2", "relu2", "conv2"] {
            guard let m = child(name) else { throw missingAttributeError(name) }
            x = try m(x)
        }
        return x
    }
}

/// torchvision's `_DenseBlock` (`denselayer1` …): each layer sees every earlier output; the block
/// returns all of them concatenated along channels.
public final class DenseBlock: Module {
    init(layers: Int, inputFeatures: Int, bnSize: Int, growthRate: Int) throws {
        super.init()
        for i in 0..<layers {
            try addModule("denselayer\(i + 1)", try DenseLayer(inputFeatures + i * growthRate, growthRate: growthRate, bnSize: bnSize))
        }
    }

    override public var typeName: String { "_DenseBlock" }
    override public var pythonModuleName: String { "torchvision.models.densenet" }

    override public func forward(_ input: Tensor) throws -> Tensor {
        var features = [input]
        for (_, m) in namedChildren() {
            guard let layer = m as? DenseLayer else { throw TorchError.type("_DenseBlock holds a \(m.typeName), not a _DenseLayer") }
            features.append(try layer.forward(features: features))
        }
        return try Tensor.cat(features, dim: 1)
    }
}

/// torchvision's `_Transition`: a Sequential of BN, ReLU, 1x1 conv and 2x2 average pooling.
public final class DenseTransition: Sequential {
    init(_ inputFeatures: Int, _ outputFeatures: Int) throws {
        try super.init(named: [
            ("norm", try BatchNorm2d(inputFeatures)), ("relu", ReLU(inplace: true)),
            ("conv", try Conv2d(inputFeatures, outputFeatures, kernelSize: 1, bias: false)),
            ("pool", AvgPool2d(kernelSize: .single(2), stride: .single(2))),
        ])
    }

    override public var typeName: String { "_Transition" }
    override public var pythonModuleName: String { "torchvision.models.densenet" }
}

/// torchvision's `DenseNet` (densenet121: growth 32, blocks (6, 12, 24, 16), 64 initial features,
/// bn_size 4): `features` (conv0/norm0/relu0/pool0, dense blocks with transitions, norm5) and
/// `classifier`, with torchvision's names, construction order and re-initialisation.
public final class DenseNet: Module {
    public init(growthRate: Int = 32, blockConfig: [Int] = [6, 12, 24, 16], initialFeatures: Int = 64, bnSize: Int = 4,
                numClasses: Int = 1000) throws {
        super.init()
        let features = try Sequential(named: [
            ("conv0", try Conv2d(3, initialFeatures, kernelSize: 7, stride: 2, padding: 3, bias: false)),
            ("norm0", try BatchNorm2d(initialFeatures)), ("relu0", ReLU(inplace: true)),
            ("pool0", MaxPool2d(kernelSize: .single(3), stride: .single(2), padding: .single(1))),
        ])
        var count = initialFeatures
        for (i, layers) in blockConfig.enumerated() {
            try features.addModule("denseblock\(i + 1)", try DenseBlock(layers: layers, inputFeatures: count, bnSize: bnSize, growthRate: growthRate))
            count += layers * growthRate
            if i != blockConfig.count - 1 {
                try features.addModule("transition\(i + 1)", try DenseTransition(count, count / 2))
                count /= 2
            }
        }
        try features.addModule("norm5", try BatchNorm2d(count))
        try addModule("features", features)
        try addModule("classifier", try Linear(count, numClasses))
        for m in modules() {
            if let conv = m as? Conv2d, let w = conv.parameter("weight") {
                try Init.kaimingNormal_(w)
            } else if let bn = m as? BatchNorm2d {
                if let w = bn.parameter("weight") { try Init.constant_(w, 1) }
                if let b = bn.parameter("bias") { try Init.constant_(b, 0) }
            } else if let linear = m as? Linear, let b = linear.parameter("bias") {
                try Init.constant_(b, 0)
            }
        }
    }

    override public var pythonModuleName: String { "torchvision.models.densenet" }

    override public func forward(_ input: Tensor) throws -> Tensor {
        guard let features = child("features"), let classifier = child("classifier") else {
            throw missingAttributeError("features")
        }
        let pooled = try Functional.adaptiveAvgPool2d(try features(input).relu(), outputSize: (1, 1))
        return try classifier(try pooled.flatten(startDim: 1))
    }

    /// `torchvision.models.densenet121()`.
    public static func densenet121(numClasses: Int = 1000) throws -> DenseNet { try DenseNet(numClasses: numClasses) }
}
