import XCTest
@testable import NNLang

/// The small-string fast paths (`SmallStrings`) agree with Swift's own string operations on
/// every ASCII byte, and decline what they do not handle.
final class SmallStringTests: XCTestCase {
    /// Every ASCII byte, in runs of at most 15 (a small string), upper- and lower-cased word by
    /// word, equals `uppercased()` / `lowercased()` of the same text.
    func testCaseMappingMatchesSwiftOnEveryASCIIByte() throws {
        let bytes = (0..<128).map { UInt8($0) }
        for length in [1, 7, 8, 9, 15] {
            var start = 0
            while start < bytes.count {
                let run = Array(bytes[start..<min(start + length, bytes.count)])
                let s = String(decoding: run, as: UTF8.self)
                XCTAssertEqual(SmallStrings.caseMapped(s, upper: true), s.uppercased(), "upper of \(run)")
                XCTAssertEqual(SmallStrings.caseMapped(s, upper: false), s.lowercased(), "lower of \(run)")
                start += length
            }
        }
        XCTAssertNil(SmallStrings.caseMapped("héllo", upper: true), "non-ASCII takes the Unicode path")
        XCTAssertNil(SmallStrings.caseMapped(String(repeating: "a", count: 16), upper: true), "not a small string")
    }

    func testASCIIFromBytes() {
        for text in ["", "a", "word12", "exactly15bytes!"] {
            let made = Array(text.utf8).withUnsafeBufferPointer { SmallStrings.ascii($0) }
            XCTAssertEqual(made, text)
            XCTAssertEqual(made?.utf8.count, text.utf8.count)
        }
        XCTAssertNil(Array("sixteen bytes!!!".utf8).withUnsafeBufferPointer { SmallStrings.ascii($0) })
        XCTAssertNil(Array("é".utf8).withUnsafeBufferPointer { SmallStrings.ascii($0) })
    }
}
