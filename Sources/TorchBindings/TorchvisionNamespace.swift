import NNLang
import TensorRuntime
import NeuralNet

/// `torchvision.models`: alexnet, vgg11, vgg11_bn, vgg16, vgg19, resnet18/34/50/101, mobilenet_v2, densenet121 with torchvision's keywords, the
/// architecture classes and the weights enums. Pretrained weights can't be downloaded: `pretrained=True` or `weights=…` prints a
/// warning on stderr (stdout stays comparable with PyTorch) and keeps the random initialisation.
enum TorchvisionNamespace {
    static func make(moduleBase: PyType = Interpreter.moduleBaseType) -> Namespace {
        let models = Namespace("torchvision.models")
        let builders: [(String, (Int) throws -> Module)] = [
            ("vgg11", { try VGG.vgg11(numClasses: $0) }), ("vgg16", { try VGG.vgg16(numClasses: $0) }),
            ("resnet18", { try ResNet.resnet18(numClasses: $0) }), ("resnet50", { try ResNet.resnet50(numClasses: $0) }),
            ("resnet34", { try ResNet.resnet34(numClasses: $0) }), ("resnet101", { try ResNet.resnet101(numClasses: $0) }),
            ("vgg19", { try VGG.vgg19(numClasses: $0) }), ("vgg11_bn", { try VGG.vgg11BN(numClasses: $0) }),
            ("alexnet", { try AlexNet(numClasses: $0) }), ("mobilenet_v2", { try MobileNetV2(numClasses: $0) }),
            ("densenet121", { try DenseNet.densenet121(numClasses: $0) }),
        ]
        for (name, build) in builders {
            models.function(name) { a, ev in
                let s = try a.bind(name, ["pretrained", "weights", "progress", "num_classes"])
                let pretrained = try Convert.bool(s[0], default: false, ev) || s[1].map { !$0.isNone } == true
                if pretrained {
                    ev.warn("UserWarning: nnrepl cannot download pretrained weights: \(name) keeps its random initialisation")
                }
                let classes = try Convert.optionalInt(s[3], "num_classes") ?? 1000
                let model = try build(classes)
                model.rebuild = { try build(classes) }
                return .module(model)
            }
        }
        let weightEnums = ["VGG11_Weights": "IMAGENET1K_V1", "VGG16_Weights": "IMAGENET1K_V1",
                           "ResNet18_Weights": "IMAGENET1K_V1", "ResNet50_Weights": "IMAGENET1K_V2",
                           "ResNet34_Weights": "IMAGENET1K_V1", "ResNet101_Weights": "IMAGENET1K_V2", "VGG19_Weights": "IMAGENET1K_V1",
                           "VGG11_BN_Weights": "IMAGENET1K_V1", "AlexNet_Weights": "IMAGENET1K_V1",
                           "MobileNet_V2_Weights": "IMAGENET1K_V2", "DenseNet121_Weights": "IMAGENET1K_V1"]
        for (enumName, best) in weightEnums.sorted(by: { $0.key < $1.key }) {
            let ns = Namespace(enumName)
            var members = ["IMAGENET1K_V1"]
            if best != "IMAGENET1K_V1" { members.append(best) }
            for m in members { ns[m] = .object(WeightsEnumValue(enumName, m)) }
            ns["DEFAULT"] = .object(WeightsEnumValue(enumName, best))
            models[enumName] = .object(ns)
        }
        for (name, cls) in [("VGG", VGG.self), ("ResNet", ResNet.self), ("AlexNet", AlexNet.self), ("BasicBlock", BasicBlock.self),
                            ("Bottleneck", Bottleneck.self), ("MobileNetV2", MobileNetV2.self), ("InvertedResidual", InvertedResidual.self),
                            ("DenseNet", DenseNet.self)] as [(String, Module.Type)] {
            let type = HostType(name, parent: moduleBase, check: { v in
                if case .module(let m) = v { return Swift.type(of: m) == cls }
                return false
            })
            ModuleTypes.register(cls, type)
            models[name] = .object(type)
        }
        return models
    }
}

/// A member of a torchvision weights enum (`ResNet50_Weights.DEFAULT`); only its name exists.
final class WeightsEnumValue: PyObject {
    let enumName: String
    let member: String
    init(_ enumName: String, _ member: String) {
        self.enumName = enumName
        self.member = member
    }

    override var typeName: String { enumName }
    override func repr(_ ev: Evaluator) throws -> String { "\(enumName).\(member)" }
    override func getAttribute(_ name: String, _ ev: Evaluator) throws -> Value? {
        name == "name" ? .str(member) : nil
    }
}
