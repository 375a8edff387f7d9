import XCTest
import TensorRuntime
@testable import NeuralNet

/// `@WrittenFloat` settings: the layer computes with the number, the repr shows it as written.
final class WrittenFloatTests: XCTestCase {
    func testIntSettingPrintsAsIntAndComputesAsFloat() throws {
        let l = LeakyReLU()
        l.$negativeSlope = .int(2)
        XCTAssertEqual(l.negativeSlope, 2)
        XCTAssertEqual(l.extraRepr(), "negative_slope=2")
        XCTAssertEqual(try l(try Tensor([-1.5, 3], shape: [2])).toDoubles(), [-3, 3])
        l.negativeSlope = 0.5
        XCTAssertEqual(l.extraRepr(), "negative_slope=0.5")
    }

    func testOptionalSettingKeepsNone() throws {
        let bn = try BatchNorm1d(2, momentum: nil)
        XCTAssertEqual(bn.$momentum, .none)
        XCTAssertTrue(try bn.setHyperparameter("momentum", .int(0)))
        XCTAssertEqual(bn.momentum, 0)
        XCTAssertTrue(bn.extraRepr().contains("eps=1e-05, momentum=0,"), bn.extraRepr())
        let d = try Dropout(p: 1)
        d.$p = .int(1)
        XCTAssertEqual(d.extraRepr(), "p=1, inplace=False")
    }
}
