import XCTest
@testable import TensorRuntime

/// `uniform_(a, b)` matches PyTorch bit for bit: ATen computes `x·(b - a) + a` as one fused
/// multiply-add (GCC contracts it), float32 and float64, contiguous and strided. Expected bit
/// patterns printed by PyTorch 2.15 after `torch.manual_seed(5)`.
final class UniformExactnessTests: XCTestCase {
    private func floatBits(_ t: Tensor) -> [UInt32] { t.toDoubles().map { Float($0).bitPattern } }

    func testFloat32() throws {
        TorchRandom.manualSeed(Int64(5))
        let a = try Tensor(shape: [20], dtype: .float32).uniformInPlace(from: -0.3, to: 0.7)
        XCTAssertEqual(floatBits(a), [0x3f07be96, 0xbe320ffc, 0x3f1b8322, 0x3f0519f0, 0x3f1ebf19, 0xbe3bc15c, 0xbe0adcf4,
                                      0x3ee036f8, 0xbe88918a, 0x3f31b617, 0x3e9ce434, 0x3e8775e2, 0xbe690cc8, 0x3eb7fb46,
                                      0x3ed47ba2, 0x3e8f0406, 0x3f2e513a, 0x3eb347fe, 0xbe7934f8, 0x3f1ebfa4])
    }

    func testFloat64() throws {
        TorchRandom.manualSeed(Int64(5))
        let b = try Tensor(shape: [6], dtype: .float64).uniformInPlace(from: -0.3, to: 0.7)
        XCTAssertEqual(b.toDoubles().map(\.bitPattern), [0x3fd5e392e90d5e69, 0xbfa49a9c4c7b2dc8, 0x3faf24cc38442dc8,
                                                          0x3f8efdd848d3abe0, 0xbfa1591829b16b58, 0x3fe1a54dcbf6ee24])
    }

    func testStridedFloat32() throws {
        // torch.empty(4, 3).t().uniform_(-2.5, 0.1), read back in the [4, 3] order.
        TorchRandom.manualSeed(Int64(5))
        let base = try Tensor(shape: [4, 3], dtype: .float32)
        try base.transpose(0, 1).uniformInPlace(from: -2.5, to: 0.1)
        XCTAssertEqual(floatBits(base), [0xbeaec4cd, 0xc00b03e1, 0xbe0ff3ea, 0xbebc835f, 0xbddca229, 0xc00c971a,
                                         0xc004a52f, 0xbf14d743, 0xc01a76fb, 0x3dadd5ad, 0xbf6c5c75, 0xbf841c56])
    }
}
