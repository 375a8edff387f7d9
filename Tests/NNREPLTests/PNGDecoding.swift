import Foundation

/// A PNG reader written for the tests, independent of `PNGEncoder`: checks the signature and
/// every chunk's CRC-32 (bit by bit, no table), inflates the zlib stream (stored and
/// fixed-Huffman blocks, any length/distance code) and checks its Adler-32, then undoes the
/// five row filters. Only 8-bit RGB, as nnrepl writes.
struct DecodedPNG {
    let width: Int, height: Int
    /// 3 bytes a pixel, row by row.
    let rgb: [UInt8]

    struct Failure: Error, CustomStringConvertible { let description: String }

    init(_ file: [UInt8]) throws {
        guard file.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw Failure(description: "no PNG signature") }
        var i = 8, header: [UInt8] = [], idat: [UInt8] = [], sawEnd = false
        func u32(_ at: Int) -> Int { Int(file[at]) << 24 | Int(file[at + 1]) << 16 | Int(file[at + 2]) << 8 | Int(file[at + 3]) }
        while i + 12 <= file.count {
            let length = u32(i)
            guard i + 12 + length <= file.count else { throw Failure(description: "chunk past the end") }
            let typeAndData = Array(file[(i + 4)..<(i + 8 + length)])
            guard UInt32(u32(i + 8 + length)) == DecodedPNG.crc32(typeAndData) else { throw Failure(description: "bad CRC") }
            let type = String(decoding: typeAndData.prefix(4), as: UTF8.self)
            let data = Array(typeAndData.dropFirst(4))
            switch type {
            case "IHDR": header = data
            case "IDAT": idat += data
            case "IEND": sawEnd = true
            default: break
            }
            i += 12 + length
        }
        guard sawEnd, header.count == 13 else { throw Failure(description: "no IHDR or IEND") }
        width = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        height = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
        guard header[8] == 8, header[9] == 2 else { throw Failure(description: "not 8-bit RGB") }
        guard idat.count > 6, idat[0] & 0x0F == 8, (Int(idat[0]) << 8 | Int(idat[1])) % 31 == 0 else {
            throw Failure(description: "bad zlib header")
        }
        let raw = try DecodedPNG.inflate(Array(idat.dropFirst(2)))
        let tail = idat.suffix(4)
        let adler = tail.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard adler == DecodedPNG.adler32(raw) else { throw Failure(description: "bad Adler-32") }
        let stride = width * 3
        guard raw.count == height * (stride + 1) else { throw Failure(description: "\(raw.count) bytes for \(width)x\(height)") }
        var out = [UInt8](repeating: 0, count: height * stride)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            for x in 0..<stride {
                let v = raw[y * (stride + 1) + 1 + x]
                let a = x >= 3 ? Int(out[y * stride + x - 3]) : 0
                let b = y > 0 ? Int(out[(y - 1) * stride + x]) : 0
                let c = x >= 3 && y > 0 ? Int(out[(y - 1) * stride + x - 3]) : 0
                let predicted: Int
                switch filter {
                case 0: predicted = 0
                case 1: predicted = a
                case 2: predicted = b
                case 3: predicted = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predicted = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw Failure(description: "filter \(filter)")
                }
                out[y * stride + x] = UInt8((Int(v) + predicted) & 0xFF)
            }
        }
        rgb = out
    }

    /// The pixel at (x, y).
    func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(rgb[(y * width + x) * 3..<(y * width + x) * 3 + 3]) }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for x in bytes {
            a = (a + UInt32(x)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    /// RFC 1951 inflate for stored and fixed-Huffman blocks.
    static func inflate(_ data: [UInt8]) throws -> [UInt8] {
        var bit = 0
        func read(_ n: Int) throws -> Int {
            var v = 0
            for k in 0..<n {
                guard bit / 8 < data.count else { throw Failure(description: "deflate stream ends early") }
                v |= Int((data[bit / 8] >> UInt8(bit % 8)) & 1) << k
                bit += 1
            }
            return v
        }
        func code(_ n: Int, after prefix: Int = 0, _ prefixLength: Int = 0) throws -> Int {
            var v = prefix
            for _ in prefixLength..<n { v = v << 1 | (try read(1)) }
            return v
        }
        let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                            4097, 6145, 8193, 12289, 16385, 24577]
        let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
        var out: [UInt8] = []
        var final = 0
        repeat {
            final = try read(1)
            switch try read(2) {
            case 0:
                bit = (bit + 7) / 8 * 8
                let length = try read(16), complement = try read(16)
                guard length ^ complement == 0xFFFF, bit / 8 + length <= data.count else { throw Failure(description: "bad stored block") }
                out += data[(bit / 8)..<(bit / 8 + length)]
                bit += length * 8
            case 1:
                while true {
                    var symbol: Int
                    let seven = try code(7)
                    if seven <= 0x17 { symbol = 256 + seven } else {
                        let eight = try code(8, after: seven, 7)
                        if (0x30...0xBF).contains(eight) { symbol = eight - 0x30 }
                        else if (0xC0...0xC7).contains(eight) { symbol = 280 + eight - 0xC0 }
                        else { symbol = 144 + (try code(9, after: eight, 8)) - 0x190 }
                    }
                    if symbol < 256 { out.append(UInt8(symbol)); continue }
                    if symbol == 256 { break }
                    let li = symbol - 257
                    guard li < lengthBase.count else { throw Failure(description: "bad length symbol") }
                    let length = lengthBase[li] + (try read(lengthExtra[li]))
                    let di = try code(5)
                    guard di < distanceBase.count else { throw Failure(description: "bad distance symbol") }
                    let distance = distanceBase[di] + (try read(distanceExtra[di]))
                    guard distance <= out.count else { throw Failure(description: "distance too far back") }
                    for _ in 0..<length { out.append(out[out.count - distance]) }
                }
            default: throw Failure(description: "dynamic-Huffman blocks are not written by nnrepl")
            }
        } while final == 0
        return out
    }
}
