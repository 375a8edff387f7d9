import Foundation
import TensorRuntime
import ZIPFoundation

/// One record of a zip archive, as its central directory describes it.
struct ZipEntry {
    let path: String
    let isCompressed: Bool
    let crc: UInt32
    let compressedSize: UInt64
    let uncompressedSize: UInt64
    let localHeaderOffset: UInt64
}

/// Reads zip archives (stored and deflated records, zip64 included) with every offset and size
/// checked against the file before it is used, so a hostile archive is an error, never a trap or
/// a read outside the file. (ZIPFoundation's reader traps on some corrupt central directories,
/// scans a whole file for its end record and hangs on truncated deflate streams; only its inflate
/// is used here, fed so that it cannot misbehave.)
final class ZipReader {
    private let handle: FileHandle
    let fileSize: UInt64
    /// The records in central-directory order.
    private(set) var entries: [ZipEntry] = []

    init(path: String, fileSize: UInt64) throws {
        guard let h = FileHandle(forReadingAtPath: path) else { throw OutputFile.osError(path) }
        handle = h
        self.fileSize = fileSize
        try readCentralDirectory()
    }

    deinit { try? handle.close() }

    private func fail(_ what: String) -> TorchError {
        TorchError.runtime("PytorchStreamReader failed reading zip archive: \(what)")
    }

    /// Exactly `count` bytes at `offset`, which must lie inside the file.
    private func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard count >= 0, offset <= fileSize, UInt64(count) <= fileSize - offset else { throw fail("a record lies outside the file") }
        try handle.seek(toOffset: offset)
        let data = try handle.read(upToCount: count) ?? Data()
        guard data.count == count else { throw fail("the file is truncated") }
        return [UInt8](data)
    }

    private func readCentralDirectory() throws {
        // The end record is within the last 22 + 65535 (comment) bytes; the last one found wins.
        let tailSize = Int(min(fileSize, 22 + 65_535))
        let tail = try read(at: fileSize - UInt64(tailSize), count: tailSize)
        guard tailSize >= 22, let eocd = stride(from: tailSize - 22, through: 0, by: -1).first(where: { tail.u32($0) == 0x0605_4b50 }) else {
            throw fail("failed finding central directory")
        }
        let eocdOffset = fileSize - UInt64(tailSize) + UInt64(eocd)
        var count = UInt64(tail.u16(eocd + 10))
        var size = UInt64(tail.u32(eocd + 12))
        var offset = UInt64(tail.u32(eocd + 16))
        if count == 0xffff || size == 0xffff_ffff || offset == 0xffff_ffff {
            // zip64: a locator just before the end record points at the zip64 end record.
            guard eocdOffset >= 20 else { throw fail("zip64 locator missing") }
            let locator = try read(at: eocdOffset - 20, count: 20)
            guard locator.u32(0) == 0x0706_4b50 else { throw fail("zip64 locator missing") }
            let record = try read(at: locator.u64(8), count: 56)
            guard record.u32(0) == 0x0606_4b50 else { throw fail("zip64 end of central directory missing") }
            count = record.u64(32); size = record.u64(40); offset = record.u64(48)
        }
        guard offset <= eocdOffset, size <= eocdOffset - offset, count <= size / 46 else {
            throw fail("central directory does not fit the file")
        }
        let directory = try read(at: offset, count: Int(size))
        var p = 0
        entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard p + 46 <= directory.count, directory.u32(p) == 0x0201_4b50 else { throw fail("corrupt central directory") }
            let method = directory.u16(p + 10)
            let nameLength = Int(directory.u16(p + 28)), extraLength = Int(directory.u16(p + 30))
            let commentLength = Int(directory.u16(p + 32))
            let end = p + 46 + nameLength + extraLength + commentLength
            guard end <= directory.count else { throw fail("corrupt central directory") }
            var compressed = UInt64(directory.u32(p + 20)), uncompressed = UInt64(directory.u32(p + 24))
            var local = UInt64(directory.u32(p + 42))
            if compressed == 0xffff_ffff || uncompressed == 0xffff_ffff || local == 0xffff_ffff {
                var zip64 = try zip64Values(directory, from: p + 46 + nameLength, count: extraLength)
                func next(_ value: inout UInt64) throws {
                    guard value == 0xffff_ffff else { return }
                    guard !zip64.isEmpty else { throw fail("zip64 extra field missing") }
                    value = zip64.removeFirst()
                }
                try next(&uncompressed); try next(&compressed); try next(&local)
            }
            guard method == 0 || method == 8 else { throw fail("unsupported compression method \(method)") }
            guard compressed <= fileSize, local < fileSize, method == 8 || compressed == uncompressed else {
                throw fail("corrupt central directory")
            }
            let name = String(decoding: directory[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            entries.append(ZipEntry(path: name, isCompressed: method == 8, crc: directory.u32(p + 16),
                                    compressedSize: compressed, uncompressedSize: uncompressed, localHeaderOffset: local))
            p = end
        }
    }

    /// The 64-bit values of the zip64 extra field (id 1) among `count` bytes of extra fields.
    private func zip64Values(_ b: [UInt8], from start: Int, count: Int) throws -> [UInt64] {
        var p = start
        while p + 4 <= start + count {
            let id = b.u16(p), length = Int(b.u16(p + 2))
            guard p + 4 + length <= start + count else { break }
            if id == 1 { return stride(from: p + 4, to: p + 4 - 7 + length, by: 8).map { b.u64($0) } }
            p += 4 + length
        }
        return []
    }

    /// Passes the record's bytes (inflated if need be) to `consume`, 1 MB at a time, and checks
    /// its size and CRC. More bytes than the directory says is an error as soon as it happens.
    func stream(_ entry: ZipEntry, _ consume: (Data) throws -> Void) throws {
        let header = try read(at: entry.localHeaderOffset, count: 30)
        guard header.u32(0) == 0x0403_4b50 else { throw recordError(entry, "local header missing") }
        let dataStart = entry.localHeaderOffset + 30 + UInt64(header.u16(26)) + UInt64(header.u16(28))
        guard dataStart <= fileSize, entry.compressedSize <= fileSize - dataStart else {
            throw recordError(entry, "its data lies outside the file")
        }
        let chunk = 1 << 20
        var total: UInt64 = 0
        var crc: UInt32 = 0
        func take(_ data: Data) throws {
            total += UInt64(data.count)
            guard total <= entry.uncompressedSize else { throw recordError(entry, "record larger than its header says") }
            crc = data.crc32(checksum: crc)
            try consume(data)
        }
        if !entry.isCompressed {
            var done: UInt64 = 0
            while done < entry.compressedSize {
                let n = Int(min(UInt64(chunk), entry.compressedSize - done))
                try take(Data(try read(at: dataStart + done, count: n)))
                done += UInt64(n)
            }
        } else {
            // ZIPFoundation's inflate hands zlib a full buffer whatever the provider returns, and
            // loops while the stream has not ended: give it full, zero-padded buffers, and stop
            // one buffer past the compressed data (a truncated stream).
            let compressedSize = entry.compressedSize
            do {
                _ = try Data.decompress(size: Int64(compressedSize), bufferSize: chunk, skipCRC32: true, provider: { position, _ in
                    guard position >= 0, UInt64(position) <= compressedSize else {
                        throw self.recordError(entry, "file is truncated (the compressed stream does not end)")
                    }
                    let n = Int(min(UInt64(chunk), compressedSize - UInt64(position)))
                    var data = Data(try self.read(at: dataStart + UInt64(position), count: n))
                    if n < chunk { data.append(Data(count: chunk - n)) }
                    return data
                }, consumer: take)
            } catch let e as TorchError {
                throw e
            } catch {
                throw recordError(entry, "invalid compressed data")
            }
        }
        guard total == entry.uncompressedSize else {
            throw recordError(entry, "file is truncated (\(total) of \(entry.uncompressedSize) bytes)")
        }
        guard crc == entry.crc else { throw recordError(entry, "invalid crc-32 (file is corrupt)") }
    }

    private func recordError(_ entry: ZipEntry, _ what: String) -> TorchError {
        TorchError.runtime("PytorchStreamReader failed reading record \(entry.path): \(what)")
    }
}

private extension Array where Element == UInt8 {
    func u16(_ i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    func u32(_ i: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(self[i + $1]) << (8 * UInt32($1)) } }
    func u64(_ i: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(self[i + $1]) << (8 * UInt64($1)) } }
}
