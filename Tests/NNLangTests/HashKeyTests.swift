import XCTest
@testable import NNLang

/// Dict key hashing: a string hashes the same whatever Swift's representation of it (inline
/// small string or heap storage), and `decimalString` prints what `String(i)` prints.
final class HashKeyTests: XCTestCase {
    /// `s` with the same bytes in heap storage (reserving capacity forces a non-small string).
    private func heapCopy(_ s: String) -> String {
        var t = String()
        t.reserveCapacity(64)
        t.append(contentsOf: s)
        return t
    }

    func testStringHashIgnoresRepresentation() {
        let samples = ["", "a", "ab", "é", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmno",
                       "abcdefghijklmnop", "日本", "日本語のテ", String(repeating: "x", count: 40)]
        var seen = Set<Int>()
        for s in samples {
            let small = HashKey.stringHash(s, seed: 0)
            XCTAssertEqual(small, HashKey.stringHash(heapCopy(s), seed: 0), "hash of \(s)")
            XCTAssertNotEqual(small, HashKey.stringHash(s, seed: 1), "seed changes the hash of \(s)")
            seen.insert(small)
        }
        XCTAssertEqual(seen.count, samples.count, "distinct strings hash apart")
    }

    func testDictFindsKeysAcrossRepresentations() throws {
        let d = PyDict()
        for i in 0..<300 { try d.set(.str("key\(i)"), .int(i)) }
        for i in stride(from: 0, to: 300, by: 2) { try d.remove(.str("key\(i)")) }
        for i in 0..<300 {
            let found = try d.get(.str(heapCopy("key\(i)")))
            if i % 2 == 0 { XCTAssertNil(found) } else if case .int(let v)? = found { XCTAssertEqual(v, i) } else { XCTFail("key\(i)") }
        }
        XCTAssertEqual(d.count, 150)
        XCTAssertEqual(d.keyList.count, 150)
    }

    func testDecimalStringMatchesStringInit() {
        for i in [0, 1, -1, 9, 10, -10, 99, 12345, -987654321, Int.max, Int.min, Int.max - 1, Int.min + 1] {
            XCTAssertEqual(decimalString(i), String(i))
        }
    }
}
