import XCTest
import ZIPFoundation
@testable import Checkpoints
import TensorRuntime

/// Checkpoints built to hurt the loader (issue 15): exponential sharing, quadratic dicts, zip
/// bombs, files reached through symlinks, safetensors offsets that overlap. Each must load as
/// PyTorch loads it or fail with a clear error, quickly and in little memory.
final class HostileInputTests: XCTestCase {
    private var dir = ""
    override func setUpWithError() throws { dir = try makeTempDir() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// A "billion laughs": level k is a tuple (or list) holding level k-1 twice, 60 levels deep
    /// (2^60 leaves if expanded) in under 400 bytes. PyTorch loads it at once, sharing each level.
    func testMemoSharedLevelsStayShared() throws {
        var tuples = PickleBytes()
        tuples.int1(7); tuples.op(0x85)                  // (7,)
        for _ in 0..<60 { tuples.op(0x32, 0x86) }        // DUP, TUPLE2: (t, t)
        var lists = PickleBytes()
        lists.op(0x5d); lists.int1(7); lists.op(0x61)    // [7]
        for _ in 0..<60 { lists.op(0x71, 0, 0x30, 0x28, 0x68, 0, 0x68, 0, 0x6c) } // memo it, pop, [m, m]
        for (name, program) in [("tuples", tuples.bytes), ("lists", lists.bytes)] {
            XCTAssertLessThan(program.count, 600)
            let path = dir + "/\(name).pth"
            try writeHandmadeCheckpoint(path, pickle: program)
            let value = try CheckpointIO.load(from: path)

            var containers = 0, leaves = 0
            let depth = value.mapSharing(
                leaf: { v -> Int in leaves += 1; if case .int(7) = v { return 0 }; return -1_000 },
                list: { items in containers += 1; return 1 + (items.map { $0 }.max() ?? 0) },
                tuple: { items in containers += 1; return 1 + (items.max() ?? 0) },
                dict: { _, _ in -1_000 })
            XCTAssertEqual(depth, 61, name)
            XCTAssertEqual(containers, 61, "\(name): each shared level is converted once")
            XCTAssertEqual(leaves, 1, name)
        }
    }

    /// Sharing is by identity only: equal but separate containers (and empty ones) stay separate.
    func testMapSharingKeepsDistinctContainersDistinct() throws {
        var p = PickleBytes()
        p.op(0x28)                                        // MARK
        p.op(0x5d); p.int1(1); p.op(0x61)                 // [1]
        p.op(0x5d); p.int1(1); p.op(0x61)                 // [1], another list
        p.op(0x5d, 0x5d)                                  // [], []
        p.op(0x6c)                                        // LIST
        let value = try unpickle(p.bytes)
        var lists = 0
        _ = value.mapSharing(leaf: { _ in 0 }, list: { _ in lists += 1; return 0 }, tuple: { _ in 0 }, dict: { _, _ in 0 })
        XCTAssertEqual(lists, 5)
    }

    /// 200,000 int keys and 50,000 tuple keys: hashed, so loading is linear (it was quadratic).
    func testDictOfManyNonStringKeysLoads() throws {
        var ints = PickleBytes()
        ints.op(0x7d, 0x28)                               // {} MARK
        for i in 0..<200_000 { ints.op(0x4a); ints.u32(UInt32(i)); ints.int1(UInt8(i % 200)) }
        ints.op(0x75)                                     // SETITEMS
        let d = try unpickle(ints.bytes)
        XCTAssertGreaterThan(ints.bytes.count, 1_000_000)
        let items = try XCTUnwrap(d.items)
        XCTAssertEqual(items.count, 200_000)
        guard case .int(199_999) = items[199_999].0, case .int(199) = items[199_999].1 else { return XCTFail("\(items[199_999])") }

        var tuples = PickleBytes()
        tuples.op(0x7d, 0x28)
        for i in 0..<50_000 { tuples.op(0x4a); tuples.u32(UInt32(i)); tuples.int1(1); tuples.op(0x86); tuples.op(0x88) }
        tuples.op(0x75)
        XCTAssertEqual(try XCTUnwrap(try unpickle(tuples.bytes).items).count, 50_000)
    }

    /// Python's key equality: 1 == 1.0 == True (the first key stays, the last value wins),
    /// (1, 2) == (1.0, 2); NaN keys are distinct objects; lists are unhashable.
    func testDictKeyEqualityFollowsPython() throws {
        var p = PickleBytes()
        p.op(0x7d, 0x28)
        p.int1(1); p.shortUnicode("a")
        p.op(0x47); p.raw(bigEndian(1.0)); p.shortUnicode("b")
        p.op(0x88); p.shortUnicode("c")
        p.int1(1); p.int1(2); p.op(0x86); p.shortUnicode("t")
        p.op(0x47); p.raw(bigEndian(1.0)); p.int1(2); p.op(0x86); p.shortUnicode("u")
        p.op(0x47); p.raw(bigEndian(.nan)); p.shortUnicode("n1")
        p.op(0x47); p.raw(bigEndian(.nan)); p.shortUnicode("n2")
        p.op(0x47); p.raw(bigEndian(2.5)); p.shortUnicode("f")
        p.op(0x75)
        let items = try XCTUnwrap(try unpickle(p.bytes).items)
        XCTAssertEqual(items.count, 5)
        guard case .int(1) = items[0].0, case .string("c") = items[0].1 else { return XCTFail("\(items[0])") }
        guard case .tuple = items[1].0, case .string("u") = items[1].1 else { return XCTFail("\(items[1])") }
        guard case .string("f") = items[4].1 else { return XCTFail("\(items[4])") }

        var bad = PickleBytes()
        bad.op(0x7d); bad.int1(1); bad.op(0x5d, 0x86); bad.int1(0); bad.op(0x73) // {(1, []): 0}
        assertTorchError(.typeError, ["unhashable type: 'list'"]) { try unpickle(bad.bytes) }
    }

    /// A zip bomb: data.pkl deflated from 32 MB of zeros. Refused at its first byte, while the
    /// first 1 MB chunk is inflated, not after inflating it all.
    func testZipBombStopsAtFirstBadOpcode() throws {
        let path = dir + "/bomb.pth"
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        let size: Int64 = 32 << 20
        let zeros = Data(count: 1 << 20)
        try archive.addEntry(with: "archive/data.pkl", type: .file, uncompressedSize: size,
                             compressionMethod: .deflate) { position, count in zeros.prefix(min(count, Int(size - position))) }
        assertTorchError(.unpicklingError, ["invalid load key, '\\x00'", "bomb.pth"]) { try CheckpointIO.load(from: path) }
        XCTAssertLessThan(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? .max, 1 << 20)
    }

    /// Streaming: the reader refuses a bad program from its first chunk, whatever size follows.
    func testStreamingReaderStopsEarlyAndRunsAcrossChunks() throws {
        var bomb = PickleReader(declaredSize: 1 << 30) { _, _, _ in throw TorchError.runtime("no storages") }
        assertTorchError(.unpicklingError, ["invalid load key, '\\x00'"]) { try bomb.feed(Data(count: 4096)) }

        // A program split at every byte (inside opcodes and their operands) builds the same value.
        var p = PickleBytes()
        p.op(0x7d); p.unicode("name"); p.unicode(String(repeating: "é", count: 40)); p.op(0x73)
        p.shortUnicode("n"); p.op(0x4a); p.u32(123_456); p.op(0x73)
        let whole = try unpickle(p.bytes)
        var reader = PickleReader(declaredSize: p.bytes.count) { _, _, _ in throw TorchError.runtime("no storages") }
        for b in p.bytes { try reader.feed(Data([b])) }
        XCTAssertTrue(sameValue(try reader.finish(), whole))

        var short = PickleReader(declaredSize: p.bytes.count + 10) { _, _, _ in throw TorchError.runtime("no storages") }
        try short.feed(Data(p.bytes.dropLast()))
        assertTorchError(.unpicklingError, ["truncated"]) { try short.finish() }
    }

    /// A checkpoint reached through a symlink (absolute or relative) loads as the file itself.
    func testCheckpointThroughSymlinkLoads() throws {
        let target = try fixturePath("misc.pth")
        let link = dir + "/link.pth"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        XCTAssertTrue(sameValue(try CheckpointIO.load(from: link), try CheckpointIO.load(from: target)))

        let copy = dir + "/flat.safetensors"
        try FileManager.default.copyItem(atPath: try fixturePath("flat.safetensors"), toPath: copy)
        let relative = dir + "/rel.safetensors"
        try FileManager.default.createSymbolicLink(atPath: relative, withDestinationPath: "flat.safetensors")
        XCTAssertTrue(sameValue(try CheckpointIO.load(from: relative), try CheckpointIO.load(from: copy)))
    }

    /// As the safetensors library: tensors must tile the data in offset order (any header order),
    /// without overlap, gap or trailing bytes.
    func testSafetensorsOffsetsMustTileTheData() throws {
        func load(_ entries: [(String, Int, Int)], dataBytes: Int) throws -> CheckpointValue {
            let fields = entries.map { "\"\($0.0)\":{\"dtype\":\"U8\",\"shape\":[\($0.2 - $0.1)],\"data_offsets\":[\($0.1),\($0.2)]}" }
            var header = Array("{\(fields.joined(separator: ","))}".utf8)
            while header.count % 8 != 0 { header.append(0x20) }
            let n = UInt64(header.count)
            let bytes = (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + header + (0..<dataBytes).map { UInt8($0) }
            let path = dir + "/t.safetensors"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return try CheckpointIO.load(from: path)
        }
        let swapped = try load([("a", 4, 8), ("b", 0, 4)], dataBytes: 8)
        XCTAssertEqual(swapped.stringKeys, ["a", "b"], "header order kept")
        XCTAssertEqual(swapped["a"]?.tensorValue?.toScalars(), [4, 5, 6, 7].map { Scalar.int(Int64($0)) })
        assertTorchError(.runtimeError, ["InvalidOffset(\"b\")"]) { try load([("a", 0, 8), ("b", 4, 12)], dataBytes: 12) }
        assertTorchError(.runtimeError, ["InvalidOffset(\"b\")"]) { try load([("a", 0, 4), ("b", 0, 4)], dataBytes: 4) }
        assertTorchError(.runtimeError, ["InvalidOffset(\"b\")"]) { try load([("a", 0, 4), ("b", 8, 12)], dataBytes: 12) }
        assertTorchError(.runtimeError, ["InvalidOffset(\"a\")"]) { try load([("a", 2, 4)], dataBytes: 4) }
        assertTorchError(.runtimeError, ["MetadataIncompleteBuffer"]) { try load([("a", 0, 4)], dataBytes: 8) }
    }

    private func bigEndian(_ d: Double) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: d.bitPattern >> (8 * UInt64(7 - $0))) } }

    /// Central directories that made ZIPFoundation's reader trap (found by fuzzing: a local header
    /// offset of 0xffffffff without its zip64 field) or point outside the file: errors.
    func testCorruptCentralDirectoryIsAnError() throws {
        let good = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try fixturePath("misc.pth"))))
        let eocd = try XCTUnwrap((0...(good.count - 22)).last { good[$0..<($0 + 4)] == [0x50, 0x4b, 0x05, 0x06] })
        let directory = Int(good[eocd + 16]) | Int(good[eocd + 17]) << 8
        func patched(_ at: Int, _ bytes: [UInt8], _ also: (Int, [UInt8])? = nil) throws -> String {
            var b = good
            b.replaceSubrange(at..<(at + bytes.count), with: bytes)
            if let (at2, bytes2) = also { b.replaceSubrange(at2..<(at2 + bytes2.count), with: bytes2) }
            let path = dir + "/patched.pth"
            try Data(b).write(to: URL(fileURLWithPath: path))
            return path
        }
        assertTorchError(.runtimeError, ["zip64 extra field missing"]) {
            try CheckpointIO.load(from: try patched(directory + 42, [0xff, 0xff, 0xff, 0xff]))
        }
        XCTAssertEqual(good[(eocd - 20)..<(eocd - 16)], [0x50, 0x4b, 0x06, 0x07], "PyTorch writes a zip64 locator")
        assertTorchError(.runtimeError, ["zip64 locator missing"]) {
            try CheckpointIO.load(from: try patched(eocd + 16, [0xff, 0xff, 0xff, 0xff], (eocd - 20, [0])))
        }
        assertTorchError(.runtimeError, ["zip64 end of central directory missing"]) {
            try CheckpointIO.load(from: try patched(eocd + 16, [0xff, 0xff, 0xff, 0xff], (eocd - 12, [0x10])))
        }
        // The zip64 record's own (here: correct) values are used when the end record says 0xffffffff.
        XCTAssertEqual(try CheckpointIO.load(from: try patched(eocd + 16, [0xff, 0xff, 0xff, 0xff])).stringKeys.count, 8)
        assertTorchError(.runtimeError, ["central directory does not fit the file"]) {
            try CheckpointIO.load(from: try patched(eocd + 12, [0x00, 0x00, 0x01, 0x00]))
        }
        assertTorchError(.runtimeError, ["corrupt central directory"]) {
            try CheckpointIO.load(from: try patched(directory + 42, [0x00, 0x00, 0x00, 0x7f]))
        }
        let withoutEnd = dir + "/noend.pth"
        try Data(good[0..<eocd]).write(to: URL(fileURLWithPath: withoutEnd))
        assertTorchError(.runtimeError, ["failed finding central directory"]) { try CheckpointIO.load(from: withoutEnd) }
    }

    /// A deflated record whose stream stops short: an error (ZIPFoundation's inflate would spin).
    func testTruncatedDeflateStreamIsAnError() throws {
        let path = dir + "/short.pth"
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        var p = PickleBytes()
        p.op(0x28); for i in 0..<3000 { p.op(0x4a); p.u32(UInt32(truncatingIfNeeded: i &* 2_654_435_761 >> 7)) }; p.op(0x6c)
        let program = Data(p.bytes)
        try archive.addEntry(with: "archive/data.pkl", type: .file, uncompressedSize: Int64(program.count),
                             compressionMethod: .deflate) { position, count in program.subdata(in: Int(position)..<(Int(position) + count)) }
        XCTAssertEqual(try unpickle(p.bytes).elements?.count, 3000)
        XCTAssertEqual(try CheckpointIO.load(from: path).elements?.count, 3000, "the deflated record loads")
        var b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let cd = try XCTUnwrap((0...(b.count - 4)).first { b[$0..<($0 + 4)] == [0x50, 0x4b, 0x01, 0x02] })
        let compressed = Int(b[cd + 20]) | Int(b[cd + 21]) << 8 | Int(b[cd + 22]) << 16
        let half = compressed / 2
        b.replaceSubrange((cd + 20)..<(cd + 24), with: [UInt8(half & 0xff), UInt8(half >> 8 & 0xff), UInt8(half >> 16), 0])
        try Data(b).write(to: URL(fileURLWithPath: path))
        assertTorchError(.runtimeError, ["PytorchStreamReader failed reading record archive/data.pkl"]) { try CheckpointIO.load(from: path) }
    }
}
