import XCTest
@testable import TensorRuntime

/// ColumnGather (the table-driven im2col/col2im for small output planes) against the row-by-row
/// im2col and col2im, and conv2d's gradients on the shapes that use it.
final class ConvolutionGatherTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    private func geometry(_ x: [Int], _ w: [Int], stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int),
                          groups: Int) throws -> ConvGeometry {
        try ConvGeometry(try Tensor(shape: x, dtype: .float64), try Tensor(shape: w, dtype: .float64), nil,
                         stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// Padding wider than the kernel's reach, strides, dilation, groups, 1×1 and 7×7 kernels.
    private let cases: [(x: [Int], w: [Int], stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int)] = [
        ([2, 4, 4, 4], [3, 4, 3, 3], (1, 1), (1, 1), (1, 1), 1),
        ([1, 6, 5, 7], [4, 3, 3, 2], (2, 1), (2, 1), (1, 2), 2),
        ([2, 3, 9, 8], [2, 3, 7, 7], (2, 2), (3, 3), (1, 1), 1),
        ([1, 4, 6, 6], [5, 4, 1, 1], (2, 2), (0, 0), (1, 1), 1),
        ([1, 2, 3, 3], [2, 2, 3, 3], (1, 1), (3, 2), (2, 2), 1),
    ]

    func testTableMatchesRowByRowUnfoldAndFold() throws {
        for (i, c) in cases.enumerated() {
            let g = try geometry(c.x, c.w, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
            let gather = try XCTUnwrap(ColumnGather(g), "case \(i)")
            let planes = g.cg * g.h * g.w, ld = g.l + 3   // rows further apart than L, as in a batched chunk
            let x = (0..<planes).map { Double($0 % 13) - 6.5 + Double($0) / 97 }
            var input = x, byRows = [Double](repeating: .nan, count: g.k * ld), byTable = byRows
            input.withUnsafeMutableBufferPointer { xp in
                byRows.withUnsafeMutableBufferPointer { im2col(xp.baseAddress!, g, $0.baseAddress!, ld: ld, channels: g.cg) }
                byTable.withUnsafeMutableBufferPointer { gather.unfold(xp.baseAddress!, into: $0.baseAddress!, ld: ld, channels: g.cg) }
            }
            for r in 0..<g.k {
                for p in 0..<g.l { XCTAssertEqual(byTable[r * ld + p], byRows[r * ld + p], "case \(i), row \(r), column \(p)") }
            }
            // Folding back: the same sums, in the same order, onto a non-zero gradient.
            var cols = (0..<(g.k * ld)).map { Double(($0 * 7) % 11) / 3 - 1.5 }
            var foldedByRows = x, foldedByTable = x
            cols.withUnsafeMutableBufferPointer { cp in
                foldedByRows.withUnsafeMutableBufferPointer { col2im(cp.baseAddress!, g, $0.baseAddress!, ld: ld) }
                foldedByTable.withUnsafeMutableBufferPointer { gather.fold(cp.baseAddress!, into: $0.baseAddress!, ld: ld) }
            }
            XCTAssertEqual(foldedByTable, foldedByRows, "case \(i)")
            XCTAssertNotEqual(foldedByTable, x, "case \(i): the fold added nothing")
        }
    }

    func testWideRowsUseTheRowPath() throws {
        let g = try geometry([1, 2, 12, 12], [2, 2, 3, 3], stride: (1, 1), padding: (1, 1), dilation: (1, 1), groups: 1)
        XCTAssertNil(ColumnGather(g))
    }

    func testGradientsThroughTheTable() throws {
        let saved = convAlgorithmOverride
        defer { convAlgorithmOverride = saved }
        convAlgorithmOverride = .im2col
        for (i, c) in cases.enumerated() {
            let x = try K.random(c.x, seed: UInt64(40 + i)), w = try K.random(c.w, seed: UInt64(50 + i))
            let b = try K.random([c.w[0]], seed: UInt64(60 + i))
            try K.gradCheck([x, w, b]) {
                try F.conv2d($0[0], weight: $0[1], bias: $0[2], stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
            }
        }
    }
}
