import XCTest
@testable import Checkpoints
import TensorRuntime

final class RoundTripTests: XCTestCase {
    private func roundTrip(_ v: CheckpointValue, name: String = "x.pth") throws -> CheckpointValue {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CheckpointIO.save(v, to: dir + "/" + name)
        return try CheckpointIO.load(from: dir + "/" + name)
    }

    func testPlainValues() throws {
        let values: [CheckpointValue] = [
            .none, .bool(true), .bool(false),
            .int(0), .int(255), .int(256), .int(65535), .int(65536), .int(-1), .int(-5), .int(Int64(Int32.max)),
            .int(Int64(Int32.min)), .int(1 << 40), .int(-(1 << 40)), .int(Int64.max), .int(Int64.min), .int(128), .int(-129),
            .float(0.01), .float(-0.0), .float(.infinity), .float(-1e300), .float(.nan),
            .string(""), .string("run-1"), .string("héllo ✓ 🚀"), .bytes([]), .bytes([0, 1, 0x7f, 0x80, 0xff]),
            .list([]), .list([.int(1)]), .list([.int(1), .string("a")]),
            .tuple([]), .tuple([.int(1)]), .tuple([.int(1), .int(2)]), .tuple([.int(1), .int(2), .int(3)]),
            .tuple([.int(1), .int(2), .int(3), .int(4), .none]),
            .dict([]), .dict([(.string("a"), .int(1))]), .dict([(.int(3), .string("three")), (.tuple([.int(1), .int(2)]), .none), (.string("z"), .float(1.5))]),
            .orderedDict([]), .orderedDict([(.string("b"), .int(1)), (.string("a"), .int(2))]),
        ]
        for v in values {
            let back = try roundTrip(v)
            if case .float(let f) = v, f.isNaN {
                guard case .float(let g) = back, g.isNaN else { XCTFail("NaN did not survive"); continue }
                continue
            }
            XCTAssertTrue(sameValue(v, back), "\(v) came back as \(back)")
            XCTAssertEqual(v.typeName, back.typeName)
        }
    }

    func testNestedMetadataDict() throws {
        let obj: CheckpointValue = .dict([
            (.string("epoch"), .int(3)), (.string("lr"), .float(0.01)), (.string("name"), .string("run-1")),
            (.string("ok"), .bool(true)), (.string("none"), .none), (.string("shape"), .tuple([.int(2), .int(3)])),
            (.string("hist"), .list([.float(0.5), .float(0.25)])),
            (.string("deep"), .list([.dict([(.string("od"), .orderedDict([(.string("k"), .list([.tuple([])]))]))])])),
        ])
        let back = try roundTrip(obj)
        XCTAssertTrue(sameValue(obj, back))
        XCTAssertEqual(back.stringKeys, ["epoch", "lr", "name", "ok", "none", "shape", "hist", "deep"])
    }

    func testLargeContainersUseBatchesAndLongMemo() throws {
        // > 1000 items (several APPENDS/SETITEMS batches) and > 256 memo entries (LONG_BINPUT/LONG_BINGET).
        let list = CheckpointValue.list((0..<2500).map { .string("s\($0 % 700)") })
        let dict = CheckpointValue.dict((0..<1500).map { (.string("k\($0)"), .int(Int64($0))) })
        let back = try roundTrip(.tuple([list, dict]))
        XCTAssertTrue(sameValue(.tuple([list, dict]), back))
    }

    func testTensorsOfEveryDtype() throws {
        let f32 = try floats([1.5, -2, 3.25, 0], [2, 2])
        let f64 = try Tensor(doubles: [0.1, 1e-300, -7], shape: [3], dtype: .float64)
        let i64 = try Tensor(doubles: [1, -2, 9e15], shape: [3, 1], dtype: .int64)
        i64.storage.pointer(Int64.self)[2] = Int64.min
        let b = try Tensor(doubles: [1, 0, 1], shape: [3], dtype: .bool)
        let scalar = try Tensor(scalar: .int(7))
        let empty = try Tensor(shape: [0, 3])
        let v: CheckpointValue = .orderedDict([(.string("f32"), .tensor(f32)), (.string("f64"), .tensor(f64)),
                                               (.string("i64"), .tensor(i64)), (.string("b"), .tensor(b)),
                                               (.string("s"), .tensor(scalar)), (.string("e"), .tensor(empty))])
        let back = try roundTrip(v)
        XCTAssertTrue(sameValue(v, back))
        XCTAssertEqual(back["i64"]?.tensorValue?.toScalars().last, .int(Int64.min))
        XCTAssertEqual(back["s"]?.tensorValue?.shape, [])
        XCTAssertEqual(back["e"]?.tensorValue?.shape, [0, 3])
    }

    func testViewsAndSharedStorage() throws {
        let base = try floats((0..<12).map(Float.init), [3, 4])
        let transposed = Tensor(storage: base.storage, shape: [4, 3], strides: [1, 4], storageOffset: 0)
        let row = Tensor(storage: base.storage, shape: [4], strides: [1], storageOffset: 4)
        let column = Tensor(storage: base.storage, shape: [3], strides: [4], storageOffset: 2)
        let v: CheckpointValue = .dict([(.string("t"), .tensor(transposed)), (.string("row"), .tensor(row)),
                                        (.string("col"), .tensor(column)), (.string("base"), .tensor(base)),
                                        (.string("again"), .tensor(base))])
        let back = try roundTrip(v)
        XCTAssertTrue(sameValue(v, back))
        let t = try XCTUnwrap(back["t"]?.tensorValue), r = try XCTUnwrap(back["row"]?.tensorValue)
        let c = try XCTUnwrap(back["col"]?.tensorValue), b = try XCTUnwrap(back["base"]?.tensorValue)
        XCTAssertEqual(t.strides, [1, 4])
        XCTAssertFalse(t.isContiguous)
        XCTAssertEqual(r.storageOffset, 4)
        XCTAssertEqual(c.strides, [4])
        XCTAssertEqual(c.toDoubles(), [2, 6, 10])
        XCTAssertTrue(t.storage === r.storage && r.storage === c.storage && c.storage === b.storage)
        XCTAssertTrue(back["again"]?.tensorValue === b, "the same tensor saved twice loads as one object")
        // The storage is saved once.
        let dir = try makeTempDir()
        try CheckpointIO.save(v, to: dir + "/shared.pth")
        let names = try zipEntryNames(dir + "/shared.pth")
        XCTAssertEqual(names.filter { $0.contains("/data/") }, ["shared/data/0"])
    }

    func testParametersAndRequiresGrad() throws {
        let p = try floats([1, 2], [2])
        p.isParameter = true
        try p.setRequiresGrad(true)
        let frozen = try floats([3], [1])
        frozen.isParameter = true
        let g = try floats([4], [1])
        try g.setRequiresGrad(true)
        let back = try roundTrip(.list([.tensor(p), .tensor(frozen), .tensor(g)]))
        let items = try XCTUnwrap(back.elements)
        let p2 = try XCTUnwrap(items[0].tensorValue), f2 = try XCTUnwrap(items[1].tensorValue), g2 = try XCTUnwrap(items[2].tensorValue)
        XCTAssertTrue(p2.isParameter); XCTAssertTrue(p2.requiresGrad); XCTAssertEqual(p2.toDoubles(), [1, 2])
        XCTAssertTrue(f2.isParameter); XCTAssertFalse(f2.requiresGrad)
        XCTAssertFalse(g2.isParameter); XCTAssertTrue(g2.requiresGrad)
    }

    /// The archive mirrors PyTorch 2.x's layout: folder named after the file stem, the same
    /// records in the same order, and every record's data 64-byte aligned.
    func testArchiveLayoutMatchesPyTorch() throws {
        let dir = try makeTempDir()
        let path = dir + "/model.best.pth"
        try CheckpointIO.save(.dict([(.string("w"), .tensor(try floats([1, 2, 3], [3]))),
                                     (.string("n"), .tensor(try Tensor(scalar: .int(0))))]), to: path)
        XCTAssertEqual(try zipEntryNames(path), ["model.best/data.pkl", "model.best/.format_version", "model.best/.storage_alignment",
                                                 "model.best/byteorder", "model.best/data/0", "model.best/data/1",
                                                 "model.best/version", "model.best/.data/serialization_id"])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var offset = 0
        while offset + 30 <= bytes.count, bytes[offset..<(offset + 4)].elementsEqual([0x50, 0x4b, 0x03, 0x04]) {
            let nameLength = Int(bytes[offset + 26]) | Int(bytes[offset + 27]) << 8
            let extraLength = Int(bytes[offset + 28]) | Int(bytes[offset + 29]) << 8
            let size = Int(bytes[offset + 18]) | Int(bytes[offset + 19]) << 8 | Int(bytes[offset + 20]) << 16
            XCTAssertEqual(bytes[offset + 8], 0, "stored, not compressed")
            XCTAssertEqual(Array(bytes[(offset + 30 + nameLength)..<(offset + 32 + nameLength)]), [0x46, 0x42], "FB padding field")
            let dataStart = offset + 30 + nameLength + extraLength
            XCTAssertEqual(dataStart % 64, 0)
            offset = dataStart + size
        }
        let v = try CheckpointIO.load(from: path)
        XCTAssertEqual(v["w"]?.tensorValue?.toDoubles(), [1, 2, 3])
        XCTAssertEqual(CheckpointIO.archiveName(for: "/a/b/net.pth"), "net")
        XCTAssertEqual(CheckpointIO.archiveName(for: "ckpt"), "ckpt")
    }

    func testSaveReplacesAtomicallyAndFailureKeepsOldFile() throws {
        let dir = try makeTempDir()
        let path = dir + "/keep.pth"
        try CheckpointIO.save(.int(1), to: path)
        try CheckpointIO.save(.int(2), to: path)
        XCTAssertTrue(sameValue(try CheckpointIO.load(from: path), .int(2)))
        // Too deep to pickle: the save fails and the old file survives, with no temporary left behind.
        var deep = CheckpointValue.none
        for _ in 0..<1200 { deep = .list([deep]) }
        assertTorchError(.valueError, ["recursion"]) { try CheckpointIO.save(deep, to: path) }
        XCTAssertTrue(sameValue(try CheckpointIO.load(from: path), .int(2)))
        let st = dir + "/keep.safetensors"
        try CheckpointIO.save(.dict([(.string("a"), .tensor(try floats([1], [1])))]), to: st)
        assertTorchError(.typeError, ["'x' is a int"]) { try CheckpointIO.save(.dict([(.string("x"), .int(1))]), to: st) }
        XCTAssertEqual(try CheckpointIO.load(from: st)["a"]?.tensorValue?.toDoubles(), [1])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["keep.pth", "keep.safetensors"])
        assertTorchError(.runtimeError, ["Parent directory", "does not exist"]) { try CheckpointIO.save(.none, to: dir + "/no/such/x.pth") }
        if getuid() != 0 { // root ignores permissions
            let locked = dir + "/locked"
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o500])
            assertTorchError(.osError, ["Permission denied", "'\(locked)/x.pth'"]) { try CheckpointIO.save(.none, to: locked + "/x.pth") }
        }
    }

    /// Writes nnrepl files for a manual check with real PyTorch (`torch.load(path, weights_only=True)`).
    func testWriteInteropSamples() throws {
        let dir = NSTemporaryDirectory() + "nnrepl-checkpoint-interop"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let base = try floats((0..<12).map(Float.init), [3, 4])
        let p = try floats([0.5, -0.5], [2]); p.isParameter = true; try p.setRequiresGrad(true)
        let value: CheckpointValue = .dict([
            (.string("t"), .tensor(Tensor(storage: base.storage, shape: [4, 3], strides: [1, 4], storageOffset: 0))),
            (.string("row"), .tensor(Tensor(storage: base.storage, shape: [4], strides: [1], storageOffset: 4))),
            (.string("ints"), .tensor(try Tensor(doubles: [1, -2, 3], shape: [3], dtype: .int64))),
            (.string("mask"), .tensor(try Tensor(doubles: [1, 0], shape: [2], dtype: .bool))),
            (.string("f64"), .tensor(try Tensor(doubles: [0.5, 0.25], shape: [2], dtype: .float64))),
            (.string("scalar"), .tensor(try Tensor(scalar: .int(7)))),
            (.string("param"), .tensor(p)),
            (.string("nested"), .dict([(.string("lst"), .list([.tensor(base), .float(2.5), .string("x"), .none, .bool(true)])),
                                       (.string("tup"), .tuple([.int(1), .int(2), .int(1 << 40), .int(-3)])),
                                       (.string("bytes"), .bytes([0, 0xff, 0x41])), (.string("empty"), .bytes([]))])),
            (.string("od"), .orderedDict([(.string("b"), .int(1)), (.string("a"), .int(2))])),
        ])
        try CheckpointIO.save(value, to: dir + "/values.pth")
        try CheckpointIO.save(try CheckpointIO.load(from: try fixturePath("net_with_dropout.pth")), to: dir + "/net_resaved.pth")
        try CheckpointIO.save(.dict([(.string("w"), .tensor(base)), (.string("i"), .tensor(try Tensor(doubles: [1, 2], shape: [2], dtype: .int64))),
                                     (.string("m"), .tensor(try Tensor(doubles: [1, 0], shape: [2], dtype: .bool)))]),
                              to: dir + "/flat.safetensors")
    }
}

/// Entry names of a zip, in central-directory order (parsed by hand).
func zipEntryNames(_ path: String) throws -> [String] {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var names: [String] = []
    var i = 0
    while i + 46 <= bytes.count {
        if bytes[i..<(i + 4)].elementsEqual([0x50, 0x4b, 0x01, 0x02]) {
            let n = Int(bytes[i + 28]) | Int(bytes[i + 29]) << 8
            names.append(String(decoding: bytes[(i + 46)..<(i + 46 + n)], as: UTF8.self))
            i += 46 + n
        } else {
            i += 1
        }
    }
    return names
}
