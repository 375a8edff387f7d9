import XCTest
@testable import NNLang

/// Inputs that once trapped the process: each must now raise a Python exception.
final class NumericEdgeTests: XCTestCase {
    func testPercentDOfHugeOrNaNFloatsRaises() {
        let (status, out, _) = GoldenTests.run("""
        for v in [1e300, -1e19, float("nan"), float("inf"), 3.9]:
            try:
                print("%d" % v)
            except (OverflowError, ValueError) as e:
                print(type(e).__name__)
        """)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(out, "OverflowError\nOverflowError\nValueError\nOverflowError\n3\n")
    }

    func testRandomRangesCoverTheWhole64BitRange() {
        let (status, out, _) = GoldenTests.run("""
        import random
        random.seed(1)
        print(random.randrange((-2)**63, (2**62 - 1) * 2 + 1), random.randint((-2)**63, (2**62 - 1) * 2 + 1))
        """)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(out, "1276586094810739189 -4518178893585726255\n")   // CPython 3.11
    }
}
