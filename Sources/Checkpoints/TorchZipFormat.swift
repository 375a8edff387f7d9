import Foundation
import TensorRuntime

/// PyTorch's zip checkpoint format (`torch.save` since 1.6): a zip with one top-level folder
/// (named after the file, e.g. `model/`) holding `data.pkl` (the pickled object), `data/<key>`
/// (each storage's raw little-endian bytes), `byteorder`, `version` and PyTorch 2.x's
/// `.format_version`, `.storage_alignment` and `.data/serialization_id`.
enum TorchZipFormat {
    // MARK: - Writing

    /// Writes `value` to `path` (normally a temporary file), using `archiveName` as the folder;
    /// messages name `displayPath` (the destination the user gave).
    static func write(_ value: CheckpointValue, to path: String, displayPath: String, archiveName: String) throws {
        var pickler = PickleWriter()
        try pickler.write(value)
        let zip = try StoredZipWriter(path: path, displayPath: displayPath)
        let prefix = archiveName + "/"
        try zip.add(name: prefix + "data.pkl", bytes: pickler.output)
        try zip.add(name: prefix + ".format_version", bytes: Array("1".utf8))
        try zip.add(name: prefix + ".storage_alignment", bytes: Array("64".utf8))
        try zip.add(name: prefix + "byteorder", bytes: Array("little".utf8))
        for (key, storage) in pickler.storages.enumerated() {
            try zip.add(name: prefix + "data/\(key)",
                        bytes: UnsafeRawBufferPointer(start: storage.data, count: storage.byteCount))
        }
        try zip.add(name: prefix + "version", bytes: Array("3\n".utf8))
        try zip.add(name: prefix + ".data/serialization_id", bytes: Array(serializationID().utf8))
        try zip.finish()
    }

    /// 40 random decimal digits, like PyTorch's per-file serialization id.
    private static func serializationID() -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<40).map { _ in Character(String(rng.next(upperBound: UInt8(10)))) })
    }

    // MARK: - Reading

    /// Largest `data.pkl` accepted. PyTorch's pickles hold only the structure (a large model's is
    /// a few MB); the tensors' bytes are in separate records.
    static let maxPickleSize = 1 << 30

    /// Reads a checkpoint; `fileSize` bounds every size the archive claims.
    static func read(from path: String, fileSize: UInt64, allowsObjects: Bool = false) throws -> CheckpointValue {
        let zip = try ZipReader(path: path, fileSize: fileSize)
        var entries: [String: ZipEntry] = [:]
        for entry in zip.entries { entries[entry.path] = entry }
        guard let first = zip.entries.first?.path else {
            throw TorchError.runtime("PytorchStreamReader failed reading zip archive: archive is empty")
        }
        guard let slash = first.firstIndex(of: "/") else {
            throw TorchError.runtime("PytorchStreamReader failed reading zip archive: file in archive is not in a subdirectory: \(first)")
        }
        let prefix = String(first[...slash])
        let reader = EntryReader(zip: zip)

        func record(_ name: String) throws -> ZipEntry {
            guard let e = entries[prefix + name] else {
                throw TorchError.runtime("PytorchStreamReader failed locating file \(name): file not found")
            }
            return e
        }

        if let e = entries[prefix + "byteorder"] {
            let order = String(decoding: try reader.bytes(of: e, limit: 16), as: UTF8.self)
            guard order == "little" else {
                throw TorchError.runtime("checkpoint byteorder is '\(order)'; only little-endian files are supported")
            }
        }
        let pickleEntry = try record("data.pkl")
        let pickleSize = try reader.checkedSize(pickleEntry, limit: maxPickleSize)

        var unpickler = PickleReader(declaredSize: pickleSize, allowsObjects: allowsObjects) { key, type, count in
            let entry = try record("data/\(key)")
            _ = try reader.checkedSize(entry, limit: Int.max) // before allocating anything
            let (needed, overflow) = count.multipliedReportingOverflow(by: type.itemSize)
            guard !overflow, UInt64(needed) <= entry.uncompressedSize else {
                throw TorchError.runtime("storage record data/\(key) holds \(entry.uncompressedSize) bytes but \(count) elements of \(type.storageClassName) need \(overflow ? "more" : String(needed))")
            }
            let storage = try Storage(count: count, dtype: type, zeroed: false)
            if type != .bool {
                try reader.read(entry, into: storage.data, count: needed)
            } else {
                let raw = try reader.bytes(of: entry, limit: Int.max)
                raw.withUnsafeBytes { type.decode($0, into: storage) }
            }
            return storage
        }
        // The pickle runs as it inflates: a bad one stops the inflating at its first bad opcode.
        // (Storage records are read in between: every ZipReader read seeks to its own offset.)
        try zip.stream(pickleEntry) { try unpickler.feed($0) }
        return try unpickler.finish()
    }
}

/// Reads records of a checkpoint's zip with their sizes checked against the file first, so a
/// lying header cannot cause a large allocation.
private struct EntryReader {
    let zip: ZipReader

    /// The size a record claims, refused when it cannot be true for this file or exceeds `limit`.
    func checkedSize(_ entry: ZipEntry, limit: Int) throws -> Int {
        let size = entry.uncompressedSize, fileSize = zip.fileSize
        // A stored record is at most the file; deflate expands at most ~1032×.
        let bound = entry.isCompressed ? min(entry.compressedSize, fileSize).multipliedReportingOverflow(by: 1032).partialValue : fileSize
        guard size <= bound, size <= UInt64(Int.max) else {
            throw TorchError.runtime("PytorchStreamReader failed reading record \(entry.path): its size (\(size) bytes) does not fit the file (\(fileSize) bytes)")
        }
        guard size <= UInt64(limit) else {
            throw TorchError.runtime("PytorchStreamReader failed reading record \(entry.path): its size (\(size) bytes) is more than the \(limit) bytes such a record may hold")
        }
        return Int(size)
    }

    /// The whole record as bytes.
    func bytes(of entry: ZipEntry, limit: Int) throws -> [UInt8] {
        _ = try checkedSize(entry, limit: limit)
        var out = [UInt8]()
        try zip.stream(entry) { chunk in out.append(contentsOf: chunk) }
        return out
    }

    /// The record's first `count` bytes copied to `destination` (the record must hold at least that many).
    func read(_ entry: ZipEntry, into destination: UnsafeMutableRawPointer, count: Int) throws {
        _ = try checkedSize(entry, limit: Int.max)
        var filled = 0
        try zip.stream(entry) { chunk in
            let take = min(chunk.count, count - filled)
            guard take > 0 else { return }
            chunk.withUnsafeBytes { src in
                if let base = src.baseAddress { (destination + filled).copyMemory(from: base, byteCount: take) }
            }
            filled += take
        }
    }
}
