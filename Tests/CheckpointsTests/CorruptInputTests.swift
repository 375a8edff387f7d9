import XCTest
@testable import Checkpoints
import TensorRuntime

/// Truncated, corrupt, hostile and non-checkpoint files: each a clear TorchError naming the file.
final class CorruptInputTests: XCTestCase {
    private var dir = ""
    override func setUpWithError() throws { dir = try makeTempDir() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = dir + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func fixtureBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: try fixturePath(name))))
    }

    func testMissingFile() {
        assertTorchError(.fileNotFoundError, ["[Errno 2] No such file or directory: 'nope.pth'"]) { try CheckpointIO.load(from: "nope.pth") }
        assertTorchError(.fileNotFoundError, ["No such file"]) { try CheckpointIO.load(from: "/nonexistent/x.safetensors") }
    }

    func testDirectoryIsRefused() {
        assertTorchError(.osError, ["Is a directory"]) { try CheckpointIO.load(from: dir) }
    }

    /// A FIFO is refused from its stat, before any open (opening one without a writer blocks).
    func testFIFOIsRefused() throws {
        let fifo = dir + "/pipe.pth"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        assertTorchError(.osError, ["[Errno 29] Illegal seek"]) { try CheckpointIO.load(from: fifo) }
    }

    func testNotACheckpoint() throws {
        let text = try write("notes.pth", Array("hello world".utf8))
        assertTorchError(.unpicklingError, ["invalid load key, 'h'", "notes.pth"]) { try CheckpointIO.load(from: text) }
        let empty = try write("empty.pth", [])
        assertTorchError(.eofError, ["(while loading", "empty.pth"]) { try CheckpointIO.load(from: empty) }
        let legacy = try write("old.pth", [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e])
        assertTorchError(.unpicklingError, ["legacy", "old.pth"]) { try CheckpointIO.load(from: legacy) }
    }

    func testTruncatedZip() throws {
        let bytes = try fixtureBytes("misc.pth")
        for cut in [10, 100, bytes.count / 2, bytes.count - 30] {
            let path = try write("cut\(cut).pth", Array(bytes[0..<cut]))
            assertTorchError(.runtimeError, ["PytorchStreamReader failed reading zip archive: failed finding central directory", "cut\(cut).pth"]) {
                try CheckpointIO.load(from: path)
            }
        }
    }

    func testCorruptStorageBytesFailCRC() throws {
        var bytes = try fixtureBytes("misc.pth")
        bytes[1216] ^= 0xff // first byte of misc/data/0 (64-byte aligned at 1216)
        let path = try write("flipped.pth", bytes)
        assertTorchError(.runtimeError, ["crc-32", "flipped.pth"]) { try CheckpointIO.load(from: path) }
    }

    func testBadPickle() throws {
        let path = dir + "/bad.pth"
        try writeHandmadeCheckpoint(path, pickle: [0x80, 0x02, 0xff, 0x2e])
        assertTorchError(.unpicklingError, ["invalid load key, '\\xff'", "bad.pth"]) { try CheckpointIO.load(from: path) }
        try writeHandmadeCheckpoint(path, pickle: [0x80, 0x02, 0x7d])
        assertTorchError(.unpicklingError, ["truncated"]) { try CheckpointIO.load(from: path) }
        try writeHandmadeCheckpoint(path, pickle: [0x80, 0x02, 0x58, 0xff, 0xff, 0xff, 0x7f, 0x41, 0x2e]) // BINUNICODE 2 GB
        assertTorchError(.unpicklingError, ["truncated"]) { try CheckpointIO.load(from: path) }
        try writeHandmadeCheckpoint(path, pickle: [0x80, 0x02, 0x73, 0x2e]) // SETITEM on an empty stack
        assertTorchError(.unpicklingError, ["stack underflow"]) { try CheckpointIO.load(from: path) }
        try writeHandmadeCheckpoint(path, pickle: [0x80, 0x02, 0x68, 0x09, 0x2e]) // BINGET of nothing
        assertTorchError(.unpicklingError, ["Memo value not found at index 9"]) { try CheckpointIO.load(from: path) }
        try writeHandmadeCheckpoint(path, pickle: [0x80, 0x02, 0x8a, 0x09] + [UInt8](repeating: 0x11, count: 9) + [0x2e])
        assertTorchError(.overflowError, ["too large"]) { try CheckpointIO.load(from: path) }
        try writeHandmadeCheckpoint(path, pickle: [0x80, 0x02, 0x5d, 0x71, 0x00, 0x68, 0x00, 0x61, 0x2e]) // l = []; l.append(l)
        assertTorchError(.unpicklingError, ["containing itself"]) { try CheckpointIO.load(from: path) }
        try writeHandmadeCheckpoint(path, pickle: [0x80, 0x02, 0x7d, 0x5d, 0x4e, 0x73, 0x2e]) // {[]: None}
        assertTorchError(.typeError, ["unhashable type: 'list'"]) { try CheckpointIO.load(from: path) }
    }

    func testDeepNestingIsRefusedNotACrash() throws {
        let path = dir + "/deep.pth"
        let n = 100_000
        // n empty lists, then each appended into the one below: nesting n deep.
        let program = [0x80, 0x02] + [UInt8](repeating: 0x5d, count: n) + [UInt8](repeating: 0x61, count: n - 1) + [0x2e]
        try writeHandmadeCheckpoint(path, pickle: program)
        assertTorchError(.unpicklingError, ["deeper than 1000"]) { try CheckpointIO.load(from: path) }
        // Nested tuples too.
        let tuples = [0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: n) + [0x2e]
        try writeHandmadeCheckpoint(path, pickle: tuples)
        assertTorchError(.unpicklingError, ["deeper than 1000"]) { try CheckpointIO.load(from: path) }
    }

    func testUnknownGlobalIsRefusedNeverRun() throws {
        let path = dir + "/evil.pth"
        var p = PickleBytes()
        p.global("os", "system"); p.unicode("touch " + dir + "/pwned"); p.op(0x85, 0x52)
        try writeHandmadeCheckpoint(path, pickle: p.bytes)
        assertTorchError(.unpicklingError, ["Weights only load failed", "Unsupported global: GLOBAL os.system", "evil.pth"]) {
            try CheckpointIO.load(from: path)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/pwned"))
        var q = PickleBytes()
        q.shortUnicode("builtins"); q.shortUnicode("eval"); q.op(0x93)
        try writeHandmadeCheckpoint(path, pickle: q.bytes)
        assertTorchError(.unpicklingError, ["GLOBAL builtins.eval"]) { try CheckpointIO.load(from: path) }
        var set = PickleBytes()
        set.global("__builtin__", "set"); set.op(0x5d, 0x85, 0x52)
        try writeHandmadeCheckpoint(path, pickle: set.bytes)
        assertTorchError(.unpicklingError, ["__builtin__.set values are not supported"]) { try CheckpointIO.load(from: path) }
        var r = PickleBytes()
        r.global("torch", "FloatStorage"); r.op(0x29, 0x52)
        try writeHandmadeCheckpoint(path, pickle: r.bytes)
        assertTorchError(.unpicklingError, ["not supported"]) { try CheckpointIO.load(from: path) }
    }

    func testStorageRecordTooSmallOrMissing() throws {
        let path = dir + "/lying.pth"
        var p = PickleBytes()
        p.tensor("FloatStorage", key: "0", numel: 200, size: [200], stride: [1]) // needs 800 bytes
        try writeHandmadeCheckpoint(path, pickle: p.bytes, records: ["0": le32Bytes([1, 2])])
        assertTorchError(.runtimeError, ["data/0 holds 8 bytes", "need 800", "lying.pth"]) { try CheckpointIO.load(from: path) }
        try writeHandmadeCheckpoint(path, pickle: p.bytes)
        assertTorchError(.runtimeError, ["failed locating file data/0"]) { try CheckpointIO.load(from: path) }
        // A view reaching outside its (correctly sized) storage.
        var q = PickleBytes()
        q.tensor("FloatStorage", key: "0", numel: 2, offset: 1, size: [4], stride: [1])
        try writeHandmadeCheckpoint(path, pickle: q.bytes, records: ["0": le32Bytes([1, 2])])
        assertTorchError(.runtimeError, ["out of bounds for storage"]) { try CheckpointIO.load(from: path) }
    }

    func testHeaderSizeLargerThanFile() throws {
        // Central directory claims data/0 is 4 GB; the file is tiny.
        let path = dir + "/huge.pth"
        var p = PickleBytes()
        p.tensor("FloatStorage", key: "0", numel: 2, size: [2], stride: [1])
        try writeHandmadeCheckpoint(path, pickle: p.bytes, records: ["0": le32Bytes([1, 2])])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // Patch the uncompressed and compressed sizes of data/0 in its central directory entry.
        let name = Array("archive/data/0".utf8)
        var i = 0, patched = false
        while i + 46 + name.count <= bytes.count {
            if bytes[i..<(i + 4)].elementsEqual([0x50, 0x4b, 0x01, 0x02]), bytes[(i + 46)..<(i + 46 + name.count)].elementsEqual(name) {
                for k in 20..<28 { bytes[i + k] = 0xfe }
                patched = true
                break
            }
            i += 1
        }
        XCTAssertTrue(patched)
        let bad = try write("huge2.pth", bytes)
        assertTorchError(.runtimeError, ["huge2.pth"]) { try CheckpointIO.load(from: bad) }
    }

    func testSafetensorsCorruption() throws {
        let good = try fixtureBytes("flat.safetensors")
        let short = try write("short.safetensors", [1, 2, 3])
        assertTorchError(.runtimeError, ["HeaderTooSmall", "short.safetensors"]) { try CheckpointIO.load(from: short) }
        var lying = good
        lying[0] = 0xff; lying[1] = 0xff // header length 65k+ > file
        let l = try write("lying.safetensors", lying)
        assertTorchError(.runtimeError, ["InvalidHeaderLength", "lying.safetensors"]) { try CheckpointIO.load(from: l) }
        var huge = good
        for k in 0..<8 { huge[k] = 0xff }
        let h = try write("huge.safetensors", huge)
        assertTorchError(.runtimeError, ["HeaderTooLarge"]) { try CheckpointIO.load(from: h) }
        let truncated = try write("trunc.safetensors", Array(good[0..<(good.count - 4)]))
        assertTorchError(.runtimeError, ["data_offsets lie outside", "trunc.safetensors"]) { try CheckpointIO.load(from: truncated) }

        func withHeader(_ json: String, data: [UInt8] = le32Bytes([1, 2])) throws -> String {
            var header = Array(json.utf8)
            while header.count % 8 != 0 { header.append(0x20) }
            let n = UInt64(header.count)
            return try write("h.safetensors", (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + header + data)
        }
        assertTorchError(.runtimeError, ["invalid JSON"]) { try CheckpointIO.load(from: try withHeader("{\"a\":")) }
        assertTorchError(.runtimeError, ["not a JSON object"]) { try CheckpointIO.load(from: try withHeader("[1]")) }
        assertTorchError(.runtimeError, ["needs 12"]) {
            try CheckpointIO.load(from: try withHeader(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#))
        }
        assertTorchError(.runtimeError, ["dtype C64"]) {
            try CheckpointIO.load(from: try withHeader(#"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#))
        }
        assertTorchError(.runtimeError, ["nesting too deep"]) {
            try CheckpointIO.load(from: try withHeader(String(repeating: "[", count: 5000)))
        }
        assertTorchError(.runtimeError, ["duplicate tensor name"]) {
            try CheckpointIO.load(from: try withHeader(#"{"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"I8","shape":[1],"data_offsets":[1,2]}}"#))
        }
        assertTorchError(.runtimeError, ["shape entries"]) {
            try CheckpointIO.load(from: try withHeader(#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#))
        }
    }
}
