import XCTest
@testable import NeuralNet
import TensorRuntime

/// A seeded layer's default initialisation (kaiming_uniform_ weight, uniform bias) is PyTorch's
/// bit for bit. Expected: `torch.manual_seed(0); nn.Linear(20, 7)` in PyTorch 2.15 (first and
/// last 4 weights, every bias).
final class DefaultInitExactnessTests: XCTestCase {
    func testLinear() throws {
        TorchRandom.manualSeed(Int64(0))
        let layer = try Linear(20, 7)
        let w = layer.parameters()[0].toDoubles().map { Float($0).bitPattern }
        XCTAssertEqual(Array(w.prefix(4) + w.suffix(4)), [0xbadb6d9b, 0x3df5a99f, 0xbe3c7496, 0xbe2882ac,
                                                          0x3bcba33e, 0xbc9e06b8, 0x3d395c1a, 0x3e11971e])
        XCTAssertEqual(layer.parameters()[1].toDoubles().map { Float($0).bitPattern },
                       [0x3e58e4e6, 0x3e116930, 0x3e5963f2, 0xbc847a55, 0xbe4db113, 0xbdd91a24, 0x3e1be8be])
    }
}
