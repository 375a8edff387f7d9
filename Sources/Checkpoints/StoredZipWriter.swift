import Foundation
import TensorRuntime

/// Writes a zip archive of stored (uncompressed) entries the way PyTorch's `PyTorchFileWriter`
/// does: each entry's data starts on a 64-byte boundary, padded with an `FB` extra field in the
/// local header, so storages can be memory-mapped. Entries are streamed to the file; archives
/// beyond 4 GiB (which need zip64) are refused with a clear error.
final class StoredZipWriter {
    private let file: OutputFile
    private var offset: UInt64 = 0
    private var central: [UInt8] = []
    private var entryCount = 0
    static let alignment: UInt64 = 64

    /// Opens `path` for writing; messages name `displayPath` (the destination the user gave).
    init(path: String, displayPath: String? = nil) throws {
        file = try OutputFile(path: path, displayPath: displayPath ?? path)
    }

    /// Adds one entry holding `bytes`.
    func add(name: String, bytes: UnsafeRawBufferPointer) throws {
        let nameBytes = Array(name.utf8)
        let size = UInt64(bytes.count)
        let headerStart = offset
        let unpadded = headerStart + 30 + UInt64(nameBytes.count) + 4
        let padding = (StoredZipWriter.alignment - unpadded % StoredZipWriter.alignment) % StoredZipWriter.alignment
        guard headerStart + 30 + UInt64(nameBytes.count) + 4 + padding + size < UInt64(UInt32.max) else {
            throw TorchError.runtime("checkpoint larger than 4 GiB: saving it needs zip64, which nnrepl does not write")
        }
        let crc = crc32(bytes)
        var local = [UInt8]()
        local += le32(0x0403_4b50)
        local += le16(20)          // version needed
        local += le16(0x0800)      // flags: UTF-8 names
        local += le16(0)           // stored
        local += le16(0) + le16(0x21) // time, date (1980-01-01)
        local += le32(crc) + le32(UInt32(size)) + le32(UInt32(size))
        local += le16(UInt16(nameBytes.count)) + le16(UInt16(4 + padding))
        local += nameBytes
        local += [0x46, 0x42] + le16(UInt16(padding)) + [UInt8](repeating: 0x5a, count: Int(padding)) // "FB" + "ZZ…"
        try write(local)
        if let base = bytes.baseAddress, bytes.count > 0 { try write(base, count: bytes.count) }

        central += le32(0x0201_4b50)
        central += le16(20) + le16(20) + le16(0x0800) + le16(0) + le16(0) + le16(0x21)
        central += le32(crc) + le32(UInt32(size)) + le32(UInt32(size))
        central += le16(UInt16(nameBytes.count)) + le16(0) + le16(0) // name, extra, comment lengths
        central += le16(0) + le16(0) + le32(0)                        // disk, internal, external attributes
        central += le32(UInt32(headerStart))
        central += nameBytes
        entryCount += 1
    }

    func add(name: String, bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try add(name: name, bytes: $0) }
    }

    /// Writes the central directory and closes the file (flushed to disk).
    func finish() throws {
        guard entryCount < 0xffff, offset + UInt64(central.count) < UInt64(UInt32.max) else {
            throw TorchError.runtime("checkpoint too large: saving it needs zip64, which nnrepl does not write")
        }
        let centralStart = offset
        try write(central)
        var end = le32(0x0605_4b50) + le16(0) + le16(0)
        end += le16(UInt16(entryCount)) + le16(UInt16(entryCount))
        end += le32(UInt32(central.count)) + le32(UInt32(centralStart)) + le16(0)
        try write(end)
        try file.close()
    }

    private func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { if let b = $0.baseAddress { try write(b, count: $0.count) } }
    }

    private func write(_ pointer: UnsafeRawPointer, count: Int) throws {
        try file.write(pointer, count: count)
        offset += UInt64(count)
    }
}

private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

/// Lookup table of the zip (IEEE 802.3) CRC-32.
private let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
    return c
}

/// The zip CRC-32 of `bytes`.
func crc32(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
    var c = ~seed
    crcTable.withUnsafeBufferPointer { table in
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
    }
    return ~c
}
