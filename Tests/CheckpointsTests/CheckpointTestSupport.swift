import Foundation
import XCTest
@testable import Checkpoints
import TensorRuntime

/// Path of a file in Tests/CheckpointsTests/Fixtures.
func fixturePath(_ name: String) throws -> String {
    guard let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
        throw XCTSkip("Fixtures folder not found in the test bundle")
    }
    return dir.appendingPathComponent(name).path
}

/// A fresh empty folder under the temporary directory.
func makeTempDir() throws -> String {
    let dir = NSTemporaryDirectory() + "nnrepl-ckpt-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func floats(_ values: [Float], _ shape: [Int]) throws -> Tensor { try Tensor(values, shape: shape) }

/// Asserts `body` throws a TorchError of `kind` whose message contains every string in `contains`.
func assertTorchError<T>(_ kind: ExceptionKind, _ contains: [String], file: StaticString = #filePath, line: UInt = #line,
                         _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected \(kind.rawValue) containing \(contains)", file: file, line: line)
    } catch let e as TorchError {
        XCTAssertEqual(e.kind, kind, "\(e)", file: file, line: line)
        for s in contains { XCTAssertTrue(e.message.contains(s), "'\(e.message)' does not contain '\(s)'", file: file, line: line) }
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

/// Writes a hand-made checkpoint: `pickle` as `<name>/data.pkl` plus the given storage records.
func writeHandmadeCheckpoint(_ path: String, pickle: [UInt8], records: [String: [UInt8]] = [:], folder: String = "archive") throws {
    let zip = try StoredZipWriter(path: path)
    try zip.add(name: folder + "/data.pkl", bytes: pickle)
    for (k, v) in records.sorted(by: { $0.key < $1.key }) { try zip.add(name: folder + "/data/" + k, bytes: v) }
    try zip.add(name: folder + "/version", bytes: Array("3\n".utf8))
    try zip.finish()
}

/// Runs a pickle program through the reader, with storages served from `records` (raw bytes).
func unpickle(_ bytes: [UInt8], records: [String: [UInt8]] = [:]) throws -> CheckpointValue {
    var reader = PickleReader(bytes) { key, type, count in
        guard let raw = records[key] else { throw TorchError.runtime("no record \(key)") }
        return try raw.withUnsafeBytes { try makeStorage(type, count: count, bytes: $0) }
    }
    return try reader.load()
}

/// Little pickle assembler for hand-made programs.
struct PickleBytes {
    var b: [UInt8] = [0x80, 2]
    mutating func op(_ bytes: UInt8...) { b += bytes }
    mutating func raw(_ bytes: [UInt8]) { b += bytes }
    mutating func unicode(_ s: String) { let u = Array(s.utf8); b.append(0x58); u32(UInt32(u.count)); b += u }
    mutating func shortUnicode(_ s: String) { let u = Array(s.utf8); b += [0x8c, UInt8(u.count)] + u }
    mutating func global(_ module: String, _ name: String) { b.append(0x63); b += Array("\(module)\n\(name)\n".utf8) }
    mutating func u32(_ v: UInt32) { for k in 0..<4 { b.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) } }
    mutating func u64(_ v: UInt64) { for k in 0..<8 { b.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) } }
    mutating func int1(_ v: UInt8) { b += [0x4b, v] }
    /// Pushes `_rebuild_tensor_v2(('storage', torch.<cls>, key, 'cpu', numel), offset, size, stride, False, OrderedDict())`.
    mutating func tensor(_ cls: String, key: String, numel: UInt8, offset: UInt8 = 0, size: [UInt8], stride: [UInt8]) {
        global("torch._utils", "_rebuild_tensor_v2")
        op(0x28, 0x28)
        unicode("storage"); global("torch", cls); unicode(key); unicode("cpu"); int1(numel)
        op(0x74, 0x51)
        int1(offset)
        op(0x28); for s in size { int1(s) }; op(0x74)
        op(0x28); for s in stride { int1(s) }; op(0x74)
        op(0x89)
        global("collections", "OrderedDict"); op(0x29, 0x52)
        op(0x74, 0x52)
    }
    var bytes: [UInt8] { b + [0x2e] }
}

func le32Bytes(_ values: [Float]) -> [UInt8] { values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * UInt32($0))) } } }

extension CheckpointValue {
    var tensorValue: Tensor? { if case .tensor(let t) = self { return t }; return nil }
    var items: [(CheckpointValue, CheckpointValue)]? {
        switch self { case .dict(let p), .orderedDict(let p): return p; default: return nil }
    }
    var elements: [CheckpointValue]? {
        switch self { case .list(let e), .tuple(let e): return e; default: return nil }
    }
    var stringKeys: [String] { (items ?? []).compactMap { if case .string(let s) = $0.0 { return s }; return nil } }
}

/// Structural equality for tests: tensors compare by dtype, shape and values.
func sameValue(_ a: CheckpointValue, _ b: CheckpointValue) -> Bool {
    switch (a, b) {
    case (.none, .none): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.float(let x), .float(let y)): return x.bitPattern == y.bitPattern || x == y
    case (.string(let x), .string(let y)): return x == y
    case (.bytes(let x), .bytes(let y)): return x == y
    case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1) }
    case (.dict(let x), .dict(let y)), (.orderedDict(let x), .orderedDict(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { sameValue($0.0, $1.0) && sameValue($0.1, $1.1) }
    case (.tensor(let x), .tensor(let y)):
        return x.dtype == y.dtype && x.shape == y.shape && x.toScalars() == y.toScalars()
    default: return false
    }
}
