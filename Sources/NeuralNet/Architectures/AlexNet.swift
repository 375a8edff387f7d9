import TensorRuntime

/// torchvision's `AlexNet(num_classes=1000, dropout=0.5)`: `features` (5 convs, 3 max-pools),
/// `avgpool` (AdaptiveAvgPool2d((6, 6))), `classifier` (Dropout/Linear/ReLU ×2 + Linear), with
/// torchvision's names and order. It keeps every layer's default initialisation, so a seeded
/// model starts from torchvision's weights.
public final class AlexNet: Module {
    public init(numClasses: Int = 1000, dropout: Double = 0.5) throws {
        super.init()
        func conv(_ i: Int, _ o: Int, _ k: Int, stride: Int = 1, padding: Int) throws -> Conv2d {
            try Conv2d(i, o, kernelSize: .single(k), stride: .single(stride), padding: .explicit(padding, padding))
        }
        func pool() -> MaxPool2d { MaxPool2d(kernelSize: .single(3), stride: .single(2)) }
        try addModule("features", Sequential(
            try conv(3, 64, 11, stride: 4, padding: 2), ReLU(inplace: true), pool(),
            try conv(64, 192, 5, padding: 2), ReLU(inplace: true), pool(),
            try conv(192, 384, 3, padding: 1), ReLU(inplace: true),
            try conv(384, 256, 3, padding: 1), ReLU(inplace: true),
            try conv(256, 256, 3, padding: 1), ReLU(inplace: true), pool()))
        try addModule("avgpool", AdaptiveAvgPool2d(outputSize: .pair(6, 6)))
        try addModule("classifier", Sequential(
            try Dropout(p: dropout), try Linear(256 * 6 * 6, 4096), ReLU(inplace: true),
            try Dropout(p: dropout), try Linear(4096, 4096), ReLU(inplace: true),
            try Linear(4096, numClasses)))
    }

    override public var pythonModuleName: String { "torchvision.models.alexnet" }

    override public func forward(_ input: Tensor) throws -> Tensor {
        guard let features = child("features"), let pool = child("avgpool"), let classifier = child("classifier") else {
            throw TorchError(.attributeError, "'AlexNet' object has no attribute 'features'")
        }
        return try classifier(try pool(try features(input)).flatten(startDim: 1))
    }
}
