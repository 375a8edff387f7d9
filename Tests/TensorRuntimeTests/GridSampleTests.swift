import XCTest
@testable import TensorRuntime

/// grid_sample and affine_grid: values at known points and float64 finite-difference gradients
/// for input, grid and theta in every padding mode.
final class GridSampleTests: XCTestCase {
    func testValuesAtKnownPoints() throws {
        let x = try Tensor(doubles: [0, 1, 2, 3], shape: [1, 1, 2, 2], dtype: .float64)
        let centre = try Tensor.zeros([1, 1, 1, 2], dtype: .float64)
        XCTAssertEqual(try Functional.gridSample(x, centre, mode: .bilinear, padding: .zeros, alignCorners: true).toDoubles(), [1.5])
        // (-1, -1) with align_corners=True is pixel (0, 0); with False it is the corner, a quarter inside.
        let corner = try Tensor(doubles: [-1, -1], shape: [1, 1, 1, 2], dtype: .float64)
        XCTAssertEqual(try Functional.gridSample(x, corner, mode: .bilinear, padding: .zeros, alignCorners: true).toDoubles(), [0])
        XCTAssertEqual(try Functional.gridSample(x, corner, mode: .bilinear, padding: .zeros, alignCorners: false).toDoubles(), [0])
        let outside = try Tensor(doubles: [3, 0.5], shape: [1, 1, 1, 2], dtype: .float64)
        XCTAssertEqual(try Functional.gridSample(x, outside, mode: .bilinear, padding: .zeros, alignCorners: true).toDoubles(), [0])
        XCTAssertEqual(try Functional.gridSample(x, outside, mode: .bilinear, padding: .border, alignCorners: true).toDoubles()[0], 2.5, accuracy: 1e-12)
        XCTAssertEqual(try Functional.gridSample(x, outside, mode: .nearest, padding: .reflection, alignCorners: true).toDoubles(), [2])
        XCTAssertThrowsError(try Functional.gridSample(x, try Tensor.zeros([2, 1, 1, 2], dtype: .float64), mode: .bilinear, padding: .zeros, alignCorners: true))
        XCTAssertThrowsError(try Functional.gridSample(x, try Tensor.zeros([1, 1, 1, 2]), mode: .bilinear, padding: .zeros, alignCorners: true))
        let identity = try Tensor(doubles: [1, 0, 0, 0, 1, 0], shape: [1, 2, 3], dtype: .float64)
        let grid = try Functional.affineGrid(identity, size: [1, 1, 2, 3], alignCorners: true)
        XCTAssertEqual(grid.shape, [1, 2, 3, 2])
        XCTAssertEqual(grid.toDoubles(), [-1, -1, 0, -1, 1, -1, -1, 1, 0, 1, 1, 1])
        XCTAssertEqual(try Functional.gridSample(x, try Functional.affineGrid(identity, size: [1, 1, 2, 2], alignCorners: false),
                                                 mode: .bilinear, padding: .zeros, alignCorners: false).toDoubles(), [0, 1, 2, 3])
        XCTAssertThrowsError(try Functional.affineGrid(identity, size: [1, 1, 2], alignCorners: false))
    }

    func testGradients() throws {
        for padding in [Functional.GridPadding.zeros, .border, .reflection] {
            for corners in [false, true] {
                try GradCheck.check([[2, 2, 3, 4], [2, 3, 2, 2]], range: -1.3...1.3) { xs in
                    try Functional.gridSample(xs[0], xs[1], mode: .bilinear, padding: padding, alignCorners: corners)
                }
            }
        }
        let points = try GradCheck.leaf([1, 2, 2, 2], seed: 5).detached()
        try GradCheck.check([[1, 2, 3, 3]]) { xs in
            try Functional.gridSample(xs[0], points, mode: .nearest, padding: .zeros, alignCorners: false)
        }
        try GradCheck.check([[2, 1, 3, 4], [2, 2, 3]]) { xs in
            try Functional.gridSample(xs[0], try Functional.affineGrid(xs[1], size: [2, 1, 2, 3], alignCorners: false),
                                      mode: .bilinear, padding: .border, alignCorners: false)
        }
        try GradCheck.check([[1, 3, 4]]) { xs in try Functional.affineGrid(xs[0], size: [1, 1, 2, 2, 3], alignCorners: true) }
    }
}
