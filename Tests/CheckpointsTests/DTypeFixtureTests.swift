import XCTest
@testable import Checkpoints
import TensorRuntime

/// The storage dtypes in checkpoint files: Fixtures/dtypes.pth (written by PyTorch 2.15,
/// Fixtures/make_dtypes.py) loads with PyTorch's dtypes and bits, converts as PyTorch converts,
/// and survives a .pth and a safetensors round trip.
final class DTypeFixtureTests: XCTestCase {
    /// The raw little-endian element bits of a tensor in logical order (2-byte types).
    private func halfBits(_ t: Tensor) -> [UInt16] {
        let p = t.storage.data.assumingMemoryBound(to: UInt16.self)
        var out: [UInt16] = []
        t.forEachStorageIndex { out.append(p[$0]) }
        return out
    }

    /// The bits PyTorch printed for the fixture (make_dtypes.py).
    private let f16Bits: [UInt16] = [0x3C66, 0xC100, 0x7BFF, 0x0001, 0x7C00, 0x8000]
    private let bf16Bits: [UInt16] = [0x3F8D, 0x4049, 0xF14A, 0x3F00]

    private func checkFixtureContents(_ m: CheckpointValue) throws {
        XCTAssertEqual(m.stringKeys, ["f16", "f16_col", "bf16", "i32", "i16", "i8", "u8", "i32_scalar"])
        let t = try m.stringKeys.map { try XCTUnwrap(m[$0]?.tensorValue) }
        XCTAssertEqual(t.map(\.dtype), [.float16, .float16, .bfloat16, .int32, .int16, .int8, .uint8, .int32])
        XCTAssertEqual(t[0].shape, [2, 3])
        XCTAssertEqual(halfBits(t[0]), f16Bits)
        XCTAssertTrue(t[1].storage === t[0].storage, "a view shares its base's storage")
        XCTAssertEqual(t[1].storageOffset, 1)
        XCTAssertEqual(t[1].strides, [3])
        XCTAssertEqual(t[1].toDoubles(), [-2.5, .infinity])
        XCTAssertEqual(halfBits(t[2]), bf16Bits)
        XCTAssertEqual(t[3].toScalars(), [.int(-2147483648), .int(2147483647), .int(7)])
        XCTAssertEqual(t[4].toScalars(), [.int(-32768), .int(300)])
        XCTAssertEqual(t[5].toScalars(), [.int(-128), .int(127), .int(-1)])
        XCTAssertEqual(t[6].toScalars(), [.int(0), .int(255), .int(128)])
        XCTAssertEqual(t[7].shape, [])
        XCTAssertEqual(try t[7].item(), .int(-5))
    }

    func testPyTorchFixtureLoadsWithItsDTypes() throws {
        try checkFixtureContents(try CheckpointIO.load(from: try fixturePath("dtypes.pth")))
    }

    func testPyTorchFixtureRoundTrips() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try CheckpointIO.load(from: try fixturePath("dtypes.pth"))
        try CheckpointIO.save(m, to: dir + "/dtypes.pth")
        try checkFixtureContents(try CheckpointIO.load(from: dir + "/dtypes.pth"))
    }

    /// nnrepl's own conversions give the bits PyTorch stored (round to nearest even, through float).
    func testConversionsMatchPyTorchBits() throws {
        let h = try Tensor(doubles: [1.1, -2.5, 65504, 6e-8, .infinity, -0.0], shape: [2, 3], dtype: .float16)
        XCTAssertEqual(halfBits(h), f16Bits)
        let b = try Tensor(doubles: [1.1, 3.14159, -1e30, 0.5], shape: [4], dtype: .bfloat16)
        XCTAssertEqual(halfBits(b), bf16Bits)
    }

    func testSafetensorsRoundTripOfEveryDType() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let m = try CheckpointIO.load(from: try fixturePath("dtypes.pth"))
        // safetensors holds flat dicts of contiguous tensors: drop the view, copy the rest.
        let pairs = try (m.items ?? []).filter { if case .string("f16_col") = $0.0 { return false }; return true }.map { k, v -> (CheckpointValue, CheckpointValue) in
            (k, .tensor(try XCTUnwrap(v.tensorValue).cloned()))
        }
        try CheckpointIO.save(.dict(pairs), to: dir + "/d.safetensors")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/d.safetensors"))
        let header = String(decoding: bytes[8..<(8 + Int(bytes[0]) + Int(bytes[1]) << 8)], as: UTF8.self)
        for tag in ["F16", "BF16", "I32", "I16", "I8", "U8"] { XCTAssertTrue(header.contains("\"dtype\":\"\(tag)\""), tag) }
        let back = try CheckpointIO.load(from: dir + "/d.safetensors")
        let f16 = try XCTUnwrap(back["f16"]?.tensorValue), bf16 = try XCTUnwrap(back["bf16"]?.tensorValue)
        XCTAssertEqual(f16.dtype, .float16)
        XCTAssertEqual(halfBits(f16), f16Bits)
        XCTAssertEqual(halfBits(bf16), bf16Bits)
        XCTAssertEqual(try XCTUnwrap(back["i8"]?.tensorValue).toScalars(), [.int(-128), .int(127), .int(-1)])
        XCTAssertEqual(try XCTUnwrap(back["u8"]?.tensorValue).dtype, .uint8)
    }
}
