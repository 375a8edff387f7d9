import XCTest
@testable import TensorRuntime

/// Second derivatives through convolutions and normalisations (`create_graph=True`: WGAN-GP
/// gradient penalties, MAML through conv nets; ConvolutionDoubleBackward.swift,
/// NormalizationDoubleBackward.swift): the gradient of the penalty ‖∂(Σ y²)/∂(x, w, …)‖² against
/// float64 finite differences of it, for conv2d's own kernels, the vol2col ones of conv1d, conv3d
/// and the transposed convolutions, layer norm and batch norm (training and eval), max and
/// average pooling (PoolingDoubleBackward.swift).
final class ConvDoubleBackwardTests: XCTestCase {
    private func check(_ shapes: [[Int]], file: StaticString = #filePath, line: UInt = #line, _ f: @escaping ([Tensor]) throws -> Tensor) throws {
        try GradCheck.checkSecondOrder(shapes, file: file, line: line, f)
    }

    func testConv2d() throws {
        try check([[2, 2, 5, 5], [3, 2, 3, 3], [3]]) { try Functional.conv2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 1), padding: (1, 0)) }
        try check([[1, 4, 4, 4], [4, 2, 2, 2]]) { try Functional.conv2d($0[0], weight: $0[1], dilation: (2, 1), groups: 2) }
        try check([[2, 4, 4], [3, 2, 3, 3]]) { try Functional.conv2d($0[0], weight: $0[1], padding: (1, 1)) }   // unbatched
        try check([[1, 2, 4, 4], [3, 2, 3, 3]]) { try Functional.conv2dReLU($0[0], weight: $0[1]) }
    }

    func testConvolutionNdAndTransposed() throws {
        try check([[2, 3, 7], [4, 3, 3], [4]]) {
            try Functional.convolutionNd($0[0], weight: $0[1], bias: $0[2], stride: [2], padding: [1], dilation: [1], op: "conv1d")
        }
        try check([[3, 6], [2, 3, 2]]) { try Functional.convolutionNd($0[0], weight: $0[1], stride: [1], padding: [0], dilation: [2], op: "conv1d") }
        try check([[1, 2, 3, 3, 3], [2, 2, 2, 2, 2]]) {
            try Functional.convolutionNd($0[0], weight: $0[1], stride: [1, 1, 1], padding: [0, 1, 0], dilation: [1, 1, 1], op: "conv3d")
        }
        try check([[1, 2, 3, 3], [2, 3, 3, 3], [3]]) {
            try Functional.convTransposeNd($0[0], weight: $0[1], bias: $0[2], stride: [2, 2], padding: [1, 0], outputPadding: [1, 0],
                                           dilation: [1, 1], op: "conv_transpose2d")
        }
    }

    func testNormalizations() throws {
        try check([[3, 4], [4], [4]]) { try Functional.layerNorm($0[0], normalizedShape: [4], weight: $0[1], bias: $0[2]).mul($0[0]) }
        try check([[2, 2, 3]]) { try Functional.layerNorm($0[0], normalizedShape: [2, 3]).mul($0[0]) }
        try check([[4, 3], [3], [3]]) {
            try Functional.batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true).mul($0[0])
        }
        try check([[2, 2, 2, 2], [2]]) {
            try Functional.batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], training: true).mul($0[0])
        }
        let rm = try Tensor(doubles: [0.1, -0.2, 0.3], shape: [3], dtype: .float64)
        let rv = try Tensor(doubles: [1.5, 0.5, 2], shape: [3], dtype: .float64)
        try check([[4, 3], [3], [3]]) {
            try Functional.batchNorm($0[0], runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: false).mul($0[0])
        }
    }

    func testPooling() throws {
        try check([[1, 2, 4, 4]]) { try Functional.maxPool2d($0[0], kernelSize: (2, 2)).mul(try Functional.maxPool2d($0[0], kernelSize: (2, 2))) }
        try check([[2, 5, 5]]) { try Functional.maxPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1)).tanh() }
        try check([[1, 2, 5, 5]]) {
            let y = try Functional.avgPool2d($0[0], kernelSize: (2, 2), stride: (2, 2), padding: (1, 1), countIncludePad: false)
            return try y.mul(y)
        }
    }
}
