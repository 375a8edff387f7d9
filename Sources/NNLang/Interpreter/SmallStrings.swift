/// Swift's inline ("small") strings read and made as their two 64-bit words: a string of at
/// most 15 UTF-8 bytes is stored in the String value itself (first word: bytes 0-7; second:
/// bytes 8-14, then a flags nibble — bit 61 "small", bit 62 "ASCII" — and the length in bits
/// 56-59). Dict hashing reads the bytes from there and `str(int)` writes them there, each a
/// fraction of the cost of the byte-wise APIs. The layout is checked once against a string the
/// runtime made; where it differs, every caller takes its ordinary path.
enum SmallStrings {
    /// Whether this runtime lays small strings out as described above.
    static let layoutHolds: Bool = {
        guard MemoryLayout<String>.size == 16 else { return false }
        let probe = String(decoding: [0x61, 0x62, 0x63] as [UInt8], as: UTF8.self)
        let (low, high) = unsafeBitCast(probe, to: (UInt64, UInt64).self)
        return low == 0x63_6261 && high == 0xe300_0000_0000_0000
    }()

    /// The bytes of `s` as two little-endian words (bytes past its length zero) and its length,
    /// when `s` is a small string; nil otherwise.
    @inline(__always)
    static func words(of s: String) -> (UInt64, UInt64, Int)? {
        guard MemoryLayout<String>.size == 16, layoutHolds else { return nil }
        let (low, high) = unsafeBitCast(s, to: (UInt64, UInt64).self)
        guard high & (1 << 61) != 0 else { return nil }
        let count = Int(truncatingIfNeeded: (high >> 56) & 0xF)
        let lowMask: UInt64 = count >= 8 ? ~0 : (1 << UInt64(count &* 8)) &- 1
        let highMask: UInt64 = count <= 8 ? 0 : (1 << UInt64((count &- 8) &* 8)) &- 1
        return (low & lowMask, high & highMask, count)
    }

    /// The small string of `count` (at most 15) ASCII bytes held little-endian in `low` and
    /// `high` (bytes past `count` zero). Only when `layoutHolds`.
    @inline(__always)
    static func ascii(low: UInt64, high: UInt64, count: Int) -> String {
        unsafeBitCast((low, high | (UInt64(0xe0 | count) << 56)), to: String.self)
    }

    /// The string of `bytes` when they are at most 15 and all ASCII, made in its words (no
    /// UTF-8 validation or allocation, which `String(decoding:as:)` pays); nil otherwise.
    @inline(__always)
    static func ascii(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let count = bytes.count
        guard count <= 15, layoutHolds else { return nil }
        var low: UInt64 = 0, high: UInt64 = 0
        var k = 0
        while k < count {
            let b = UInt64(bytes[k])
            if k < 8 { low |= b << UInt64(k &* 8) } else { high |= b << UInt64((k &- 8) &* 8) }
            k &+= 1
        }
        guard (low | high) & asciiHighBits == 0 else { return nil }
        return ascii(low: low, high: high, count: count)
    }

    private static let asciiHighBits: UInt64 = 0x8080_8080_8080_8080

    /// `s.upper()` / `s.lower()` of a small ASCII string, eight bytes at a time: a byte in
    /// `a`...`z` (or `A`...`Z`) has bit 5 flipped. Adding `0x80 - first` to an ASCII byte sets
    /// its top bit exactly when the byte is at least `first` (no carry leaves the byte), so two
    /// such sums bracket the range. nil when `s` is not a small ASCII string.
    @inline(__always)
    static func caseMapped(_ s: String, upper: Bool) -> String? {
        guard let (low, high, count) = words(of: s), (low | high) & asciiHighBits == 0 else { return nil }
        let first: UInt64 = upper ? 0x61 : 0x41
        @inline(__always) func map(_ w: UInt64) -> UInt64 {
            let atLeastFirst = w &+ (0x80 &- first) &* 0x0101_0101_0101_0101
            let pastLast = w &+ (0x80 &- (first &+ 26)) &* 0x0101_0101_0101_0101
            return w ^ ((atLeastFirst & ~pastLast & asciiHighBits) >> 2)
        }
        return ascii(low: map(low), high: map(high), count: count)
    }
}
