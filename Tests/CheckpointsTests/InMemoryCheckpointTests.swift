import XCTest
@testable import Checkpoints
import TensorRuntime

/// `torch.save` / `torch.load` through `io.BytesIO`: `CheckpointIO.serialize` / `load(bytes:)`.
final class InMemoryCheckpointTests: XCTestCase {
    func testRoundTripAndArchiveName() throws {
        let t = try Tensor(doubles: [1, 2, 3, 4], shape: [2, 2], dtype: .float32)
        let bytes = try CheckpointIO.serialize(.dict([(.string("w"), .tensor(t)), (.string("epoch"), .int(5))]))
        XCTAssertEqual(Array(bytes.prefix(2)), [0x50, 0x4b])
        // PyTorch names the folder `archive` when saving to a file object.
        XCTAssertNotNil(String(decoding: bytes, as: UTF8.self).range(of: "archive/data.pkl"))
        guard case .dict(let pairs) = try CheckpointIO.load(bytes: bytes), pairs.count == 2,
              case .tensor(let back) = pairs[0].1, case .int(5) = pairs[1].1 else {
            return XCTFail("unexpected round trip")
        }
        XCTAssertEqual(back.shape, [2, 2])
        XCTAssertEqual(back.toDoubles(), [1, 2, 3, 4])
    }

    func testBadBytesAreErrorsNamingNoFile() throws {
        for (bytes, kind, message) in [([UInt8](), ExceptionKind.eofError, ""),
                                       ([UInt8(ascii: "x")], .unpicklingError, "invalid load key, 'x'. (not a PyTorch checkpoint)")] {
            XCTAssertThrowsError(try CheckpointIO.load(bytes: bytes)) { error in
                XCTAssertEqual((error as? TorchError)?.kind, kind)
                XCTAssertEqual((error as? TorchError)?.message, message)
            }
        }
        XCTAssertThrowsError(try CheckpointIO.load(bytes: [], allowsObjects: true)) { error in
            XCTAssertEqual((error as? TorchError)?.kind, .eofError)
            XCTAssertEqual((error as? TorchError)?.message, "Ran out of input")
        }
    }
}
