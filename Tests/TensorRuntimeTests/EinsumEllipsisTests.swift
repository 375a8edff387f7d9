import XCTest
@testable import TensorRuntime

/// `einsum` with `...`: the broadcast dims it stands for (right-aligned across operands, first in
/// an implicit output, summed when an explicit output leaves them out), values against the
/// equivalent lettered equation and gradients against float64 finite differences.
final class EinsumEllipsisTests: XCTestCase {
    private func assertSame(_ a: Tensor, _ b: Tensor, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(a.shape, b.shape, file: file, line: line)
        for (x, y) in zip(try a.toDoubles(), try b.toDoubles()) { XCTAssertEqual(x, y, accuracy: 1e-12, file: file, line: line) }
    }

    func testEllipsisMatchesLetteredEquations() throws {
        let x = try GradCheck.leaf([2, 3, 4], seed: 1), y = try GradCheck.leaf([4, 5], seed: 2)
        try assertSame(try Einsum.evaluate("...ij->...ji", [x]), try Einsum.evaluate("bij->bji", [x]))
        try assertSame(try Einsum.evaluate("...ij", [x]), try Einsum.evaluate("bij->bij", [x]))
        try assertSame(try Einsum.evaluate("i...j", [x]), try Einsum.evaluate("ibj->bij", [x]))
        try assertSame(try Einsum.evaluate("...i->i", [x]), try Einsum.evaluate("abi->i", [x]))
        try assertSame(try Einsum.evaluate("...ij,jk->...ik", [x, y]), try x.matmul(y))
        // An ellipsis covering no dims, and operands whose ellipses differ in width.
        try assertSame(try Einsum.evaluate("ij->...", [y]), try y.sum())
        try assertSame(try Einsum.evaluate("...ij,...jk", [x, y]), try x.matmul(y))
        let ones = try Tensor.ones([5, 1, 2, 3]), other = try Tensor.ones([4, 3, 2])
        XCTAssertEqual(try Einsum.evaluate("...ij,...jk", [ones, other]).shape, [5, 4, 2, 2])
    }

    func testEllipsisGradients() throws {
        try GradCheck.check([[2, 3, 4]]) { xs in try Einsum.evaluate("...ij->...ji", xs) }
        try GradCheck.check([[2, 3, 4], [4, 5]]) { xs in try Einsum.evaluate("...ij,jk->...ik", xs) }
        try GradCheck.check([[2, 1, 3], [4, 3]]) { xs in try Einsum.evaluate("...i,...i->...", xs) }
        try GradCheck.check([[2, 3, 4]]) { xs in try Einsum.evaluate("b...->b", xs) }
    }

    func testEllipsisErrors() throws {
        let x = try Tensor.ones([2, 3, 4])
        func message(_ equation: String) -> String {
            do { _ = try Einsum.evaluate(equation, [x]); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("..i").contains("found '.' for operand 0 that is not part of any ellipsis"))
        XCTAssertTrue(message("...i...").contains("for which an ellipsis was already found"))
        XCTAssertTrue(message("...ijkl").contains("the number of subscripts in the equation (4) is more than the number of dimensions (3) for operand 0"))
        XCTAssertTrue(message("...ij->ij...k").contains("output subscript k does not appear"))
        XCTAssertTrue(message("ij").contains("does not match the number of dimensions (3) for operand 0 and no ellipsis was given"))
    }
}
