import Foundation

/// Python's view of a `str`: a sequence of Unicode code points (scalars), not of Swift's
/// grapheme clusters (`Character`s). `len("e\u{301}")` is 2 and `"é" != "e\u{301}"` in Python,
/// while Swift's `count` says 1 and its `==` says equal (canonical equivalence). Every length,
/// index, slice, iteration, search offset, comparison and hash of a script string goes through
/// these helpers.
///
/// Speed: Swift remembers whether a native string is all ASCII (`utf8Span.isKnownASCII`, O(1)).
/// For ASCII strings a code point is a UTF-8 byte, so lengths, indices and slices are byte
/// offsets (O(1) per index); other strings walk their scalars. Equality and ordering compare
/// UTF-8 bytes, whose order is code-point order.
extension String {
    /// True when the string is known to be all ASCII (a flag Swift keeps; O(1)). False may
    /// still be ASCII (a string built in a way Swift could not flag); the slow paths are exact.
    var isKnownASCII: Bool { utf8Span.isKnownASCII }

    /// `len(s)`: the number of code points.
    var codePointCount: Int { isKnownASCII ? utf8.count : unicodeScalars.count }

    /// The string index of code point `offset` (0...codePointCount; the caller checks bounds).
    func codePointIndex(_ offset: Int) -> String.Index {
        isKnownASCII ? utf8.index(utf8.startIndex, offsetBy: offset)
            : unicodeScalars.index(unicodeScalars.startIndex, offsetBy: offset)
    }

    /// `s[i]` for a valid non-negative code-point offset: a one-code-point string.
    func codePoint(at offset: Int) -> String {
        if isKnownASCII {
            return String(Unicode.Scalar(utf8[utf8.index(utf8.startIndex, offsetBy: offset)]))
        }
        return String(unicodeScalars[codePointIndex(offset)])
    }

    /// The code points in `[start, stop)` (valid offsets, start <= stop).
    func codePointRange(_ start: Int, _ stop: Int) -> Substring {
        let lo = codePointIndex(start)
        let hi = isKnownASCII ? utf8.index(lo, offsetBy: stop - start) : unicodeScalars.index(lo, offsetBy: stop - start)
        return self[lo..<hi]
    }

    /// `s[a:b:c]` with Python's slice bounds.
    func codePointSlice(_ b: (start: Int?, stop: Int?, step: Int?)) -> String {
        let n = codePointCount
        let r = pySliceRange(count: n, b)
        if r.step == 1 { return r.stop <= r.start ? "" : String(codePointRange(r.start, r.stop)) }
        if isKnownASCII {
            let bytes = Array(utf8)
            return String(decoding: pySliceIndices(count: n, b).map { bytes[$0] }, as: UTF8.self)
        }
        let scalars = Array(unicodeScalars)
        var out = String.UnicodeScalarView()
        for i in pySliceIndices(count: n, b) { out.append(scalars[i]) }
        return String(out)
    }

    /// The one-code-point strings of `s`, in order (what iterating a str yields).
    var codePointStrings: [String] {
        if isKnownASCII { return utf8.map { String(Unicode.Scalar($0)) } }
        return unicodeScalars.map { String($0) }
    }

    /// The code-point offset of the first (or last, `reverse`) occurrence of `sub` that lies
    /// within the code points `[lo, hi)`, or nil. UTF-8 is self-synchronising, so a byte match
    /// of a valid UTF-8 needle is a code-point match.
    func codePointFind(_ sub: String, from lo: Int, to hi: Int, reverse: Bool) -> Int? {
        let subCount = sub.codePointCount
        guard hi - lo >= subCount else { return nil }
        let window = codePointRange(lo, hi)
        let hay = Array(window.utf8), needle = Array(sub.utf8)
        guard let byteOffset = hay.firstRange(of: needle, reverse: reverse) else { return nil }
        if isKnownASCII { return lo + byteOffset }
        let matchStart = window.utf8.index(window.utf8.startIndex, offsetBy: byteOffset)
        return lo + window.unicodeScalars.distance(from: window.startIndex, to: matchStart)
    }

    /// How many non-overlapping occurrences of a non-empty `sub` the string holds.
    func codePointOccurrences(of sub: String) -> Int {
        let hay = Array(utf8), needle = Array(sub.utf8)
        var n = 0, i = 0
        while let r = hay[i...].firstRange(of: needle, reverse: false) { n += 1; i += r + needle.count }
        return n
    }

    /// The pieces between occurrences of a non-empty `sep`, matched by code points (Foundation's
    /// `components(separatedBy:)` matches by canonical equivalence).
    func codePointComponents(separatedBy sep: String) -> [String] {
        var text = self, separator = sep
        return text.withUTF8 { hay in
            separator.withUTF8 { needle in
                // The pieces between occurrences starting at or after `from`, found by `next`.
                func pieces(_ next: (Int) -> Int?) -> [String] {
                    var starts: [Int] = [], i = 0
                    while let at = next(i) {
                        starts.append(at)
                        i = at + needle.count
                    }
                    var parts: [String] = []
                    parts.reserveCapacity(starts.count + 1)
                    var begin = 0
                    for at in starts {
                        parts.append(String(decoding: UnsafeBufferPointer(rebasing: hay[begin..<at]), as: UTF8.self))
                        begin = at + needle.count
                    }
                    parts.append(String(decoding: UnsafeBufferPointer(rebasing: hay[begin...]), as: UTF8.self))
                    return parts
                }
                guard needle.count == 1, let byte = needle.first else {
                    let bytes = Array(hay), pattern = Array(needle)
                    return pieces { from in bytes[from...].firstRange(of: pattern, reverse: false).map { from + $0 } }
                }
                return pieces { from in
                    var k = from
                    while k < hay.count {
                        if hay[k] == byte { return k }
                        k += 1
                    }
                    return nil
                }
            }
        }
    }

    /// Whether `other` occurs in the string (code points; `in` on strings).
    func containsCodePoints(_ other: String) -> Bool {
        other.isEmpty || Array(utf8).firstRange(of: Array(other.utf8), reverse: false) != nil
    }

    /// Whether the string starts with `prefix`, code point for code point.
    func hasCodePointPrefix(_ prefix: String) -> Bool { utf8.starts(with: prefix.utf8) }

    /// Whether the string ends with `suffix`, code point for code point.
    func hasCodePointSuffix(_ suffix: String) -> Bool { utf8.reversed().starts(with: suffix.utf8.reversed()) }
}

extension ArraySlice where Element == UInt8 {
    /// The offset (from this slice's start) of the first or last occurrence of `needle`.
    func firstRange(of needle: [UInt8], reverse: Bool) -> Int? {
        let n = needle.count
        guard n <= count else { return nil }
        if n == 0 { return reverse ? count : 0 }
        return withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { nd in
                let first = nd[0]
                let last = hay.count - n
                var i = reverse ? last : 0
                while reverse ? i >= 0 : i <= last {
                    if hay[i] == first {
                        var k = 1
                        while k < n && hay[i + k] == nd[k] { k += 1 }
                        if k == n { return i }
                    }
                    i += reverse ? -1 : 1
                }
                return nil
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// The offset of the first or last occurrence of `needle`.
    func firstRange(of needle: [UInt8], reverse: Bool) -> Int? { self[...].firstRange(of: needle, reverse: reverse) }
}

/// Python's `==` on two strings: the same code points (Swift's `==` would also equate
/// canonically equivalent strings such as "é" and "e\u{301}").
/// Fast answers first: the same two words (a short string's bytes are stored in them, a long
/// one's point at the same storage) are the same string; strings Swift finds unequal are
/// unequal in Python too. Only strings Swift finds equal in different storage compare bytes.
func codePointsEqual(_ a: String, _ b: String) -> Bool {
    if sameStringBits(a, b) { return true }
    guard a == b else { return false }
    if let same = a.utf8.withContiguousStorageIfAvailable({ p in
        b.utf8.withContiguousStorageIfAvailable { q in
            guard p.count == q.count else { return false }
            guard let pb = p.baseAddress, let qb = q.baseAddress else { return p.isEmpty }
            return memcmp(pb, qb, p.count) == 0
        }
    }), let same {
        return same
    }
    return a.utf8.elementsEqual(b.utf8)
}

/// Whether two strings have identical representations (then they are equal).
@inline(__always)
private func sameStringBits(_ a: String, _ b: String) -> Bool {
    guard MemoryLayout<String>.size == 2 * MemoryLayout<UInt64>.size else { return false }
    let x = unsafeBitCast(a, to: (UInt64, UInt64).self), y = unsafeBitCast(b, to: (UInt64, UInt64).self)
    return x.0 == y.0 && x.1 == y.1
}

/// Python's string ordering: -1, 0 or 1 by code points (UTF-8 byte order is code-point order).
func codePointOrder(_ a: String, _ b: String) -> Int {
    var x = a, y = b
    return x.withUTF8 { p in
        y.withUTF8 { q in
            let n = Swift.min(p.count, q.count)
            if n > 0, let pb = p.baseAddress, let qb = q.baseAddress {
                let c = memcmp(pb, qb, n)
                if c != 0 { return c < 0 ? -1 : 1 }
            }
            return p.count < q.count ? -1 : (p.count > q.count ? 1 : 0)
        }
    }
}
