import XCTest
@testable import TensorRuntime

/// N-d and transposed convolutions, resampling, padding modes, block rearrangement and the
/// extra pools: gradients against finite differences in float64 and values against PyTorch.
final class ConvolutionNdTests: XCTestCase {
    func testConv1dAndConv3dGradients() throws {
        try GradCheck.check([[2, 4, 9], [6, 2, 3], [6]]) { xs in
            try Functional.convolutionNd(xs[0], weight: xs[1], bias: xs[2], stride: [2], padding: [2], dilation: [2], groups: 2, op: "conv1d")
        }
        try GradCheck.check([[4, 7], [3, 4, 2]]) { xs in   // unbatched
            try Functional.convolutionNd(xs[0], weight: xs[1], stride: [1], padding: [1], dilation: [1], op: "conv1d")
        }
        try GradCheck.check([[2, 2, 3, 4, 3], [3, 2, 2, 3, 2], [3]], layout: .strided) { xs in
            try Functional.convolutionNd(xs[0], weight: xs[1], bias: xs[2], stride: [1, 2, 1], padding: [1, 1, 0], dilation: [1, 1, 2], op: "conv3d")
        }
    }

    func testTransposedConvolutionGradients() throws {
        try GradCheck.check([[2, 4, 5], [4, 3, 3], [6]]) { xs in
            try Functional.convTransposeNd(xs[0], weight: xs[1], bias: xs[2], stride: [2], padding: [1], outputPadding: [1], dilation: [1],
                                           groups: 2, op: "conv_transpose1d")
        }
        try GradCheck.check([[2, 4, 3, 4], [4, 2, 2, 3], [2]]) { xs in
            try Functional.convTransposeNd(xs[0], weight: xs[1], bias: xs[2], stride: [2, 1], padding: [0, 1], outputPadding: [1, 0],
                                           dilation: [1, 2], op: "conv_transpose2d")
        }
        try GradCheck.check([[1, 2, 2, 2, 3], [2, 2, 2, 2, 2]]) { xs in
            try Functional.convTransposeNd(xs[0], weight: xs[1], stride: [2, 2, 2], padding: [0, 0, 1], outputPadding: [0, 1, 0],
                                           dilation: [1, 1, 1], op: "conv_transpose3d")
        }
    }

    /// PyTorch 2.15: `F.conv_transpose2d(x, torch.arange(4.).view(1,1,2,2))` for x = [[1,2],[3,4]].
    func testTransposedConvolutionValues() throws {
        let x = try Tensor(doubles: [1, 2, 3, 4], shape: [1, 1, 2, 2], dtype: .float32)
        let w = try Tensor(doubles: [0, 1, 2, 3], shape: [1, 1, 2, 2], dtype: .float32)
        let y = try Functional.convTransposeNd(x, weight: w, stride: [1, 1], padding: [0, 0], outputPadding: [0, 0], dilation: [1, 1],
                                               op: "conv_transpose2d")
        XCTAssertEqual(y.shape, [1, 1, 3, 3])
        XCTAssertEqual(y.toDoubles(), [0, 1, 2, 2, 10, 10, 6, 17, 12])
        XCTAssertThrowsError(try Functional.convTransposeNd(x, weight: w, stride: [1, 1], padding: [0, 0], outputPadding: [1, 1],
                                                            dilation: [1, 1], op: "conv_transpose2d")) { error in
            XCTAssertEqual((error as? TorchError)?.message,
                           "output padding must be smaller than either stride or dilation, but got output_padding_height: 1 output_padding_width: 1 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1")
        }
    }

    func testInterpolationGradients() throws {
        for (mode, size, align) in [("nearest", [4, 7], nil), ("bilinear", [4, 7], false), ("bilinear", [7, 3], true),
                                    ("nearest-exact", [2, 9], nil)] as [(String, [Int], Bool?)] {
            try GradCheck.check([[2, 2, 3, 5]]) { xs in
                try Functional.interpolate(xs[0], size: .each(size), mode: mode, alignCorners: align)
            }
        }
        try GradCheck.check([[2, 1, 6]]) { xs in try Functional.interpolate(xs[0], scaleFactor: .all(1.7), mode: "linear") }
        try GradCheck.check([[1, 2, 2, 3, 2]]) { xs in try Functional.interpolate(xs[0], scaleFactor: .all(2), mode: "trilinear") }
    }

    /// PyTorch 2.15: `F.interpolate(x, scale_factor=2, mode='bilinear')` for x = [[1,2],[3,4]].
    func testBilinearValues() throws {
        let x = try Tensor(doubles: [1, 2, 3, 4], shape: [1, 1, 2, 2], dtype: .float32)
        let y = try Functional.interpolate(x, scaleFactor: .all(2), mode: "bilinear", alignCorners: false)
        XCTAssertEqual(y.toDoubles(), [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4])
        XCTAssertThrowsError(try Functional.interpolate(x, scaleFactor: .all(2), mode: "linear"))
    }

    func testPaddingModeGradientsAndValues() throws {
        for mode in [PaddingMode.reflect, .replicate, .circular] {
            try GradCheck.check([[1, 2, 3, 4]]) { xs in try xs[0].modePad([2, 1, 1, 2], mode: mode) }
        }
        let x = try Tensor(doubles: [0, 1, 2, 3, 4], shape: [1, 1, 5], dtype: .float32)
        XCTAssertEqual(try x.modePad([2, 3], mode: .reflect).toDoubles(), [2, 1, 0, 1, 2, 3, 4, 3, 2, 1])
        XCTAssertEqual(try x.modePad([2, 3], mode: .replicate).toDoubles(), [0, 0, 0, 1, 2, 3, 4, 4, 4, 4])
        XCTAssertEqual(try x.modePad([2, 3], mode: .circular).toDoubles(), [3, 4, 0, 1, 2, 3, 4, 0, 1, 2])
        XCTAssertThrowsError(try x.modePad([5, 0], mode: .reflect))
        XCTAssertThrowsError(try x.modePad([1, 1, 1, 1, 1, 1, 1, 1], mode: .replicate))
    }

    func testBlockRearrangementGradients() throws {
        try GradCheck.check([[2, 3, 4, 5]]) { xs in
            try Functional.unfold(xs[0], kernelSize: (2, 3), dilation: (1, 2), padding: (1, 1), stride: (2, 1))
        }
        try GradCheck.check([[2, 12, 6]]) { xs in
            try Functional.fold(xs[0], outputSize: (4, 5), kernelSize: (2, 2), padding: (0, 1), stride: (2, 2))
        }
        try GradCheck.check([[2, 8, 2, 3]]) { xs in try Functional.pixelShuffle(xs[0], upscaleFactor: 2) }
        try GradCheck.check([[2, 2, 4, 6]]) { xs in try Functional.pixelUnshuffle(xs[0], downscaleFactor: 2) }
        let t = try Tensor(doubles: (0..<8).map(Double.init), shape: [1, 4, 1, 2], dtype: .float32)
        XCTAssertEqual(try Functional.pixelShuffle(t, upscaleFactor: 2).toDoubles(), [0, 2, 1, 3, 4, 6, 5, 7])
    }

    func testPoolsWithIndicesGradients() throws {
        try GradCheck.check([[2, 2, 5, 7]]) { xs in try Functional.adaptiveMaxPool2d(xs[0], outputSize: (3, 2)).0 }
        try GradCheck.check([[2, 3, 9]]) { xs in try Functional.adaptiveMaxPool1d(xs[0], outputSize: 4).0 }
        try GradCheck.check([[2, 3, 9]]) { xs in try Functional.avgPool1d(xs[0], kernelSize: 3, stride: 2, padding: 1) }
        try GradCheck.check([[2, 3, 9]]) { xs in try Functional.adaptiveAvgPool1d(xs[0], outputSize: 4) }
        try GradCheck.check([[1, 2, 4, 6]]) { xs in
            let (v, i) = try Functional.maxPool2dWithIndices(xs[0], kernelSize: (2, 2))
            return try Functional.maxUnpool2d(v, indices: i, kernelSize: (2, 2), outputSize: [5, 6])
        }
        let x = try Tensor(doubles: [1, 5, 3, 2, 9, 4], shape: [1, 1, 6], dtype: .float32)
        let (values, indices) = try Functional.maxPool1d(x, kernelSize: 2, returnIndices: true)
        XCTAssertEqual(values.toDoubles(), [5, 3, 9])
        XCTAssertEqual(indices?.toDoubles(), [1, 2, 4])
    }
}
