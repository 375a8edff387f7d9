import XCTest
@testable import NeuralNet
import TensorRuntime

/// torchvision architectures: parameter counts, key order, repr fragments.
final class ArchitectureTests: XCTestCase {
    private func count(_ m: Module) -> Int { m.parameters().reduce(0) { $0 + $1.numel } }

    override func setUp() { Init.randomFillsDisabled = true }
    override func tearDown() { Init.randomFillsDisabled = false }

    func testResNets() throws {
        let r18 = try ResNet.resnet18()
        XCTAssertEqual(count(r18), 11_689_512)
        let keys = r18.stateDict().map { $0.0 }
        XCTAssertEqual(keys.first, "conv1.weight")
        XCTAssertEqual(keys.last, "fc.bias")
        XCTAssertTrue(keys.contains("layer2.0.downsample.1.running_var"))
        XCTAssertEqual(r18.child("layer1")?.child("0")?.ownModules.keys, ["conv1", "bn1", "relu", "conv2", "bn2"])
        r18.eval()
        XCTAssertEqual(try r18(try Tensor.randn([1, 3, 32, 32])).shape, [1, 1000])

        let r50 = try ResNet.resnet50()
        XCTAssertEqual(count(r50), 25_557_032)
        XCTAssertEqual(r50.child("layer1")?.child("0")?.ownModules.keys,
                       ["conv1", "bn1", "conv2", "bn2", "conv3", "bn3", "relu", "downsample"])
        for p in r50.parameters() { try p.setRequiresGrad(false) }
        try r50.setAttribute("fc", .module(try Linear(2048, 10)))
        XCTAssertEqual(count(r50), 23_528_522)
        XCTAssertEqual(r50.parameters().filter(\.requiresGrad).reduce(0) { $0 + $1.numel }, 20_490)
        XCTAssertEqual(r50.ownModules.keys.last, "fc")
    }

    func testVGG() throws {
        XCTAssertEqual(count(try VGG.vgg11()), 132_863_336)
        let v16 = try VGG.vgg16()
        XCTAssertEqual(count(v16), 138_357_544)
        let names = v16.namedParameters().map { $0.0 }
        XCTAssertEqual(names.first, "features.0.weight")
        XCTAssertEqual(Array(names.suffix(6)), ["classifier.0.weight", "classifier.0.bias", "classifier.3.weight",
                                                "classifier.3.bias", "classifier.6.weight", "classifier.6.bias"])
        XCTAssertTrue(names.contains("features.28.bias"))
        XCTAssertTrue(v16.description.hasPrefix("VGG(\n  (features): Sequential(\n    (0): Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n    (1): ReLU(inplace=True)\n"))
        XCTAssertTrue(v16.description.contains("  (avgpool): AdaptiveAvgPool2d(output_size=(7, 7))\n"))
        XCTAssertTrue(v16.description.contains("    (2): Dropout(p=0.5, inplace=False)\n"))
        let classifier = v16.child("classifier") as? Sequential
        try classifier?.setItem(at: -1, try Linear(4096, 10))
        XCTAssertEqual(classifier?.ownModules.keys.last, "6")
    }
}
