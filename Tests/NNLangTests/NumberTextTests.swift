import Foundation
import XCTest
@testable import NNLang

/// SHA-512 (random.seed(str)) and float.hex / fromhex against CPython 3.11's values.
final class NumberTextTests: XCTestCase {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    func testSHA512KnownDigests() {
        XCTAssertEqual(hex(SHA512.digest([])), "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")
        XCTAssertEqual(hex(SHA512.digest(Array("abc".utf8))), "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        // 200 bytes: the padding spills into a second block.
        XCTAssertEqual(hex(SHA512.digest([UInt8](repeating: 0x61, count: 200))), "4b11459c33f52a22ee8236782714c150a3b2c60994e9acee17fe68947a3e6789f31e7668394592da7bef827cddca88c4e6f86e4df7ed1ae6cba71f3e98faee9f")
    }

    func testFloatHexRoundTrips() throws {
        XCTAssertEqual(FloatHex.hex(0.1), "0x1.999999999999ap-4")
        XCTAssertEqual(FloatHex.hex(5e-324), "0x0.0000000000001p-1022")
        XCTAssertEqual(FloatHex.hex(-0.0), "-0x0.0p+0")
        for d in [0.1, -2.75, 1e300, 5e-324, 1.7976931348623157e308, 123456.789] {
            XCTAssertEqual(try FloatHex.fromHex(FloatHex.hex(d)), d)
        }
        XCTAssertEqual(try FloatHex.fromHex(" 0x.8p1 "), 1.0)
        XCTAssertEqual(try FloatHex.fromHex("1.8"), 1.5)
        XCTAssertThrowsError(try FloatHex.fromHex("0x1p"))
        XCTAssertThrowsError(try FloatHex.fromHex("0x1p+1024"))
        XCTAssertEqual(try FloatHex.integerRatio(0.1).1, 36028797018963968)
    }
}
