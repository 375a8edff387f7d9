import XCTest
@testable import NNLang

/// hashlib's digests, the text codecs and int/bytes conversion against CPython 3.11's values.
final class BytesCodecTests: XCTestCase {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map(PyBytes.hexDigits).joined() }

    func testDigestsMatchKnownVectors() {
        let abc = Array("abc".utf8), long = [UInt8](repeating: 0x61, count: 200)
        XCTAssertEqual(hex(Digests.md5([])), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(hex(Digests.md5(abc)), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(hex(Digests.sha1(abc)), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(hex(Digests.sha256(abc)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // 200 bytes: the padding spills into a further block.
        XCTAssertEqual(hex(Digests.md5(long)), "887f30b43b2867f4a9accceee7d16e6c")
        XCTAssertEqual(hex(Digests.sha256(long)), "c2a908d98f5df987ade41b5fce213067efbcc21ef2240212a41e54b5e7c28ae5")
    }

    func testDecodeReportsCPythonErrors() throws {
        XCTAssertEqual(try TextCodecs.decode([0x68, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80], encoding: "UTF_8", errors: "strict"), "hé😀")
        XCTAssertEqual(try TextCodecs.decode([0x61, 0xE2, 0x82], encoding: "utf-8", errors: "replace"), "a\u{FFFD}")
        XCTAssertEqual(try TextCodecs.decode([0xED, 0xA0, 0x80], encoding: "utf-8", errors: "ignore"), "")
        XCTAssertThrowsError(try TextCodecs.decode([0xC0, 0x80], encoding: "utf-8", errors: "strict")) { e in
            XCTAssertEqual((e as? PyError)?.message, "'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte")
        }
        XCTAssertEqual(try TextCodecs.encode("añb", encoding: "latin1", errors: "strict"), [0x61, 0xF1, 0x62])
        XCTAssertThrowsError(try TextCodecs.encode("a€", encoding: "latin-1", errors: "strict")) { e in
            XCTAssertEqual((e as? PyError)?.message, "'latin-1' codec can't encode character '\\u20ac' in position 1: ordinal not in range(256)")
        }
    }

    func testIntBytesRoundTrip() throws {
        for (i, length) in [(0, 1), (127, 1), (-128, 1), (1 << 40, 8), (Int.min, 8), (-1, 12)] {
            guard case .object(let o) = try IntBytes.toBytes(i, Arguments([.int(length), .str("little")], keywords: [("signed", .bool(true))])),
                  let b = o as? PyBytes else { return XCTFail("not bytes") }
            XCTAssertEqual(b.data.count, length)
            let back = try IntBytes.fromBytes(Arguments([.object(b), .str("little")], keywords: [("signed", .bool(true))]), Interpreter())
            guard case .int(let v) = back else { return XCTFail("not an int") }
            XCTAssertEqual(v, i)
        }
    }
}
