import XCTest
@testable import Checkpoints
import TensorRuntime

final class SafetensorsTests: XCTestCase {
    func testRoundTripAndLayout() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/m.safetensors"
        let base = try floats((0..<6).map(Float.init), [2, 3])
        let transposed = Tensor(storage: base.storage, shape: [3, 2], strides: [1, 3], storageOffset: 0)
        let v: CheckpointValue = .orderedDict([
            (.string("z.mask"), .tensor(try Tensor(doubles: [1, 0, 1], shape: [3], dtype: .bool))),
            (.string("w"), .tensor(transposed)),
            (.string("a.f64"), .tensor(try Tensor(doubles: [0.5], shape: [1], dtype: .float64))),
            (.string("idx"), .tensor(try Tensor(doubles: [-1, 2], shape: [2], dtype: .int64))),
            (.string("s"), .tensor(try Tensor(scalar: .double(3)))),
        ])
        try CheckpointIO.save(v, to: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let n = Int(bytes[0]) | Int(bytes[1]) << 8
        XCTAssertEqual(n % 8, 0)
        let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        // Like the safetensors library: larger dtypes first, then by name.
        XCTAssertEqual(header, #"{"a.f64":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"idx":{"dtype":"I64","shape":[2],"data_offsets":[8,24]},"#
            + #""s":{"dtype":"F32","shape":[],"data_offsets":[24,28]},"w":{"dtype":"F32","shape":[3,2],"data_offsets":[28,52]},"#
            + #""z.mask":{"dtype":"BOOL","shape":[3],"data_offsets":[52,55]}}"#)
        XCTAssertEqual(bytes.count, 8 + n + 55)

        let back = try CheckpointIO.load(from: path)
        guard case .dict = back else { return XCTFail("expected a dict") }
        XCTAssertEqual(back.stringKeys, ["a.f64", "idx", "s", "w", "z.mask"], "loaded in header order, as safetensors' load_file")
        XCTAssertEqual(back["w"]?.tensorValue?.toDoubles(), [0, 3, 1, 4, 2, 5])
        XCTAssertEqual(back["w"]?.tensorValue?.isContiguous, true)
        XCTAssertEqual(back["z.mask"]?.tensorValue?.toScalars(), [.bool(true), .bool(false), .bool(true)])
        XCTAssertEqual(back["idx"]?.tensorValue?.toScalars(), [.int(-1), .int(2)])
        XCTAssertEqual(back["s"]?.tensorValue?.shape, [])
    }

    /// Keys come back in header order (not sorted), as safetensors 0.4+ `load_file` returns them.
    func testHeaderOrderIsKept() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let json = #"{"z":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"m":{"dtype":"BOOL","shape":[1],"data_offsets":[12,13]}}"#
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        let n = UInt64(header.count)
        let data: [UInt8] = [5, 0, 0, 0, 0, 0, 0, 0] + le32Bytes([2.5]) + [1]
        try Data((0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + header + data).write(to: URL(fileURLWithPath: dir + "/o.safetensors"))
        let v = try CheckpointIO.load(from: dir + "/o.safetensors")
        XCTAssertEqual(v.stringKeys, ["z", "a", "m"])
        XCTAssertEqual(v["z"]?.tensorValue?.toScalars(), [.int(5)])
        XCTAssertEqual(v["a"]?.tensorValue?.toDoubles(), [2.5])
        XCTAssertEqual(v["m"]?.tensorValue?.toScalars(), [.bool(true)])
    }

    func testMetadataAndEscapedNamesAndHalf() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let json = #"{"__metadata__":{"format":"pt"},"na\"me\u00e9":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        let n = UInt64(header.count)
        let file = (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + header + [0x00, 0x3c, 0x00, 0xbc]
        try Data(file).write(to: URL(fileURLWithPath: dir + "/h.safetensors"))
        let v = try CheckpointIO.load(from: dir + "/h.safetensors")
        XCTAssertEqual(v.stringKeys, ["na\"meé"])
        XCTAssertEqual(v["na\"meé"]?.tensorValue?.toDoubles(), [1, -1])
        XCTAssertEqual(v["na\"meé"]?.tensorValue?.dtype, .float16)
        // And an escaped name survives a write/read.
        try CheckpointIO.save(v, to: dir + "/h2.safetensors")
        XCTAssertEqual(try CheckpointIO.load(from: dir + "/h2.safetensors").stringKeys, ["na\"meé"])
    }

    func testOnlyFlatTensorDicts() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = dir + "/x.safetensors"
        assertTorchError(.typeError, ["flat dict of str → tensor", "list"]) { try CheckpointIO.save(.list([]), to: p) }
        assertTorchError(.typeError, ["not a str"]) { try CheckpointIO.save(.dict([(.int(1), .tensor(try floats([1], [1])))]), to: p) }
        assertTorchError(.typeError, ["'n' is a dict"]) { try CheckpointIO.save(.dict([(.string("n"), .dict([]))]), to: p) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: p))
        try CheckpointIO.save(.dict([]), to: p)
        XCTAssertEqual(try CheckpointIO.load(from: p).items?.count, 0)
    }
}
