import Foundation
import NNLang

/// Writes 8-bit RGB images as PNG files with no library: each row is filtered with PNG's
/// "Up" filter (a plot's flat areas become runs of zeros), the rows are compressed as a zlib
/// stream of one fixed-Huffman deflate block with run-length matches (distance 1 and one
/// pixel back), and every chunk carries its CRC-32. Browsers and image viewers read it.
public enum PNGEncoder {
    /// The PNG file of a `width` × `height` image, `rgb` holding 3 bytes a pixel, row by row; a
    /// buffer of another size, or sizes PNG cannot hold, is a ValueError.
    public static func encode(width: Int, height: Int, rgb: [UInt8]) throws -> [UInt8] {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard width >= 0, height >= 0, width <= Int(UInt32.max >> 1), height <= Int(UInt32.max >> 1), !overflow,
              pixels <= Int.max / 3, rgb.count == pixels * 3 else {
            throw PyError(.valueError, "cannot encode a \(width)x\(height) PNG image from \(rgb.count) bytes of RGB data")
        }
        var header: [UInt8] = []
        append32(&header, UInt32(width))
        append32(&header, UInt32(height))
        header += [8, 2, 0, 0, 0]  // 8 bits a sample, RGB, deflate, adaptive filtering, no interlace
        var filtered: [UInt8] = []
        filtered.reserveCapacity(height * (width * 3 + 1))
        let stride = width * 3
        for y in 0..<height {
            filtered.append(2)  // Up: each byte minus the byte above it (0 above the first row)
            for i in 0..<stride {
                let above = y == 0 ? 0 : rgb[(y - 1) * stride + i]
                filtered.append(rgb[y * stride + i] &- above)
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        chunk(&png, "IHDR", header)
        chunk(&png, "IDAT", zlib(filtered))
        chunk(&png, "IEND", [])
        return png
    }

    private static func append32(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    private static func chunk(_ out: inout [UInt8], _ type: String, _ data: [UInt8]) {
        append32(&out, UInt32(data.count))
        let typeAndData = Array(type.utf8) + data
        out += typeAndData
        append32(&out, crc32(typeAndData))
    }

    /// CRC-32 (ISO 3309, as PNG chunks use it).
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = crcTable[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// Adler-32 (the zlib stream's checksum).
    public static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for chunkStart in stride(from: 0, to: bytes.count, by: 5552) {
            for x in bytes[chunkStart..<min(bytes.count, chunkStart + 5552)] {
                a += UInt32(x)
                b += a
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }

    /// A zlib stream (RFC 1950) holding `data` in one fixed-Huffman deflate block (RFC 1951).
    public static func zlib(_ data: [UInt8]) -> [UInt8] {
        var bits = BitWriter()
        bits.write(0x78, count: 8)
        bits.write(0x01, count: 8)  // deflate, 32K window, no dictionary, (0x7801 % 31 == 0)
        bits.write(1, count: 1)  // final block
        bits.write(1, count: 2)  // fixed Huffman codes
        var i = 0
        while i < data.count {
            // The longest run repeating the byte 1 or 3 back (a channel, or a whole pixel).
            var best = (length: 0, distance: 0)
            for distance in [1, 3] where i >= distance {
                var length = 0
                while length < 258, i + length < data.count, data[i + length] == data[i + length - distance] { length += 1 }
                if length > best.length { best = (length, distance) }
            }
            if best.length >= 3 {
                writeLength(&bits, best.length)
                writeDistance(&bits, best.distance)
                i += best.length
            } else {
                writeLiteral(&bits, Int(data[i]))
                i += 1
            }
        }
        writeLiteral(&bits, 256)  // end of block
        var out = bits.finish()
        append32(&out, adler32(data))
        return out
    }

    /// A literal/length symbol in the fixed code (codes are sent most significant bit first).
    private static func writeLiteral(_ bits: inout BitWriter, _ symbol: Int) {
        switch symbol {
        case 0...143: bits.writeCode(0x30 + symbol, count: 8)
        case 144...255: bits.writeCode(0x190 + symbol - 144, count: 9)
        case 256...279: bits.writeCode(symbol - 256, count: 7)
        default: bits.writeCode(0xC0 + symbol - 280, count: 8)
        }
    }

    /// Match lengths 3…258: symbol 257 + index, with its extra bits.
    private static let lengthBases = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]

    private static func writeLength(_ bits: inout BitWriter, _ length: Int) {
        let index = (lengthBases.lastIndex { $0 <= length }) ?? 0
        writeLiteral(&bits, 257 + index)
        bits.write(UInt32(length - lengthBases[index]), count: lengthExtra[index])
    }

    /// Distances 1 and 3 are codes 0 and 2, without extra bits (5-bit fixed codes).
    private static func writeDistance(_ bits: inout BitWriter, _ distance: Int) {
        bits.writeCode(distance - 1, count: 5)
    }

    /// Packs bits least significant first, as deflate does.
    struct BitWriter {
        private(set) var bytes: [UInt8] = []
        private var buffer: UInt32 = 0
        private var filled = 0

        /// `count` low bits of `value`, least significant first (headers and extra bits).
        mutating func write(_ value: UInt32, count: Int) {
            for k in 0..<count {
                buffer |= ((value >> UInt32(k)) & 1) << UInt32(filled)
                filled += 1
                if filled == 8 { flush() }
            }
        }

        /// A Huffman code, most significant bit first.
        mutating func writeCode(_ code: Int, count: Int) {
            for k in stride(from: count - 1, through: 0, by: -1) { write(UInt32((code >> k) & 1), count: 1) }
        }

        private mutating func flush() {
            bytes.append(UInt8(buffer & 0xFF))
            buffer = 0
            filled = 0
        }

        mutating func finish() -> [UInt8] {
            if filled > 0 { flush() }
            return bytes
        }
    }
}
