import XCTest
@testable import TensorRuntime

/// `torch.get_rng_state()` / `set_rng_state()`: PyTorch's CPUGeneratorImplState bytes.
final class RandomStateTests: XCTestCase {
    /// Bytes PyTorch 2.15 printed after `manual_seed(11); rand(700); randn(3, dtype=float64)`.
    func testLayoutMatchesPyTorch() throws {
        let g = RandomGenerator(seed: 11)
        let global = TorchRandom.generator
        TorchRandom.generator = g
        defer { TorchRandom.generator = global }
        _ = try Tensor.rand([700])
        _ = try Tensor.randn([3], dtype: .float64)
        let bytes = g.stateBytes()
        XCTAssertEqual(bytes.count, 5056)
        XCTAssertEqual(Array(bytes[0..<24]), [11, 0, 0, 0, 0, 0, 0, 0, 29, 2, 0, 0, 1, 0, 0, 0, 84, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(bytes[24..<40]), [31, 101, 35, 185, 0, 0, 0, 0, 189, 133, 215, 205, 0, 0, 0, 0])
        XCTAssertEqual(Array(bytes[5016..<5056]), [0, 0, 0, 0, 0, 0, 0, 0, 34, 132, 58, 254, 254, 46, 162, 191, 0, 0, 0, 0, 0, 0, 0, 0,
                                                   1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    func testRoundTripReplaysEveryStream() throws {
        let g = RandomGenerator(seed: 5)
        _ = g.normalDouble(mean: 0, std: 1)   // leaves a cached second sample
        let saved = g.stateBytes()
        let first = (0..<5).map { _ in g.normalDouble(mean: 0, std: 1) } + (0..<700).map { _ in Double(g.random()) }
        let h = RandomGenerator(seed: 99)
        try h.setState(bytes: saved)
        let second = (0..<5).map { _ in h.normalDouble(mean: 0, std: 1) } + (0..<700).map { _ in Double(h.random()) }
        XCTAssertEqual(first, second)
        XCTAssertEqual(h.seed, 5)
        let t = try g.stateTensor()
        XCTAssertEqual(t.shape, [5056])
        XCTAssertEqual(t.dtype, .uint8)
    }

    func testInvalidStatesThrowInsteadOfReadingPastTheState() {
        let g = RandomGenerator(seed: 1)
        XCTAssertThrowsError(try g.setState(bytes: [1, 2, 3])) { e in
            XCTAssertEqual((e as? TorchError)?.message, "Expected a CPUGeneratorImplState of size 5056 but found the input RNG state size to be 3")
        }
        XCTAssertThrowsError(try g.setState(bytes: [UInt8](repeating: 0, count: 5056)))   // not seeded
        var bytes = g.stateBytes()
        bytes[8] = 5; bytes[16] = 0x70; bytes[17] = 2   // left 5, next 624: PyTorch would read state[624]
        XCTAssertThrowsError(try g.setState(bytes: bytes)) { e in XCTAssertEqual((e as? TorchError)?.message, "Invalid mt19937 state") }
        XCTAssertThrowsError(try g.setState(try Tensor(shape: [5056], dtype: .float32))) { e in
            XCTAssertEqual((e as? TorchError)?.kind, .typeError)
        }
        XCTAssertEqual(g.random(), RandomGenerator(seed: 1).random())   // a refused state changes nothing
    }
}
