import XCTest
@testable import TensorRuntime

/// Channels-last strides (values and strides printed by PyTorch 2.15) and their gradient.
final class MemoryFormatTests: XCTestCase {
    func testChannelsLastStridesAndValues() throws {
        let x = try Tensor(doubles: (0..<120).map(Double.init), shape: [2, 3, 4, 5], dtype: .float64)
        let y = try x.contiguous(.channelsLast)
        XCTAssertEqual(y.strides, [60, 1, 15, 3])
        XCTAssertFalse(y.isContiguous)
        XCTAssertTrue(y.isContiguous(.channelsLast))
        XCTAssertFalse(x.isContiguous(.channelsLast))
        XCTAssertEqual(try y.contiguous().toDoubles(), x.toDoubles())
        XCTAssertTrue(try y.contiguous(.channelsLast) === y)
        XCTAssertEqual(try y.contiguous(.contiguousFormat).strides, [60, 20, 5, 1])
        XCTAssertEqual(y.suggestedMemoryFormat, .channelsLast)
        XCTAssertEqual(try y.cloned(.preserveFormat).strides, [60, 1, 15, 3])
        XCTAssertTrue(try Tensor.zeros([1, 3, 1, 1]).isContiguous(.channelsLast))
        let z = try Tensor.zeros([2, 3, 4, 5, 6]).contiguous(.channelsLast3d)
        XCTAssertEqual(z.strides, [360, 1, 90, 18, 3])
    }

    func testErrorsAndGradient() throws {
        assertThrows(try Tensor.zeros([2, 3]).contiguous(.channelsLast), .runtimeError, "required rank 4 tensor to use channels_last format")
        assertThrows(try Tensor.zeros([2, 3, 4, 5]).contiguous(.channelsLast3d), .runtimeError, "required rank 5 tensor to use channels_last_3d format")
        let cl = try Tensor.zeros([2, 3, 4, 5]).contiguous(.channelsLast)
        assertThrows(try cl.contiguous(.preserveFormat), .runtimeError, "preserve memory format is unsupported by the contiguous operator")
        let x = try KernelTest.random([2, 3, 2, 2], seed: 5)
        let y = try x.contiguous(.channelsLast)
        XCTAssertEqual(y.gradFn?.name, "CloneBackward0")
        XCTAssertEqual(try x.cloned(.channelsLast, gradName: "ToCopyBackward0").gradFn?.name, "ToCopyBackward0")
        try KernelTest.gradCheck([x]) { try $0[0].contiguous(.channelsLast).mul($0[0]).sum() }
    }

    /// Session 15: ops keep a channels-last input's layout as PyTorch does (strides printed by
    /// PyTorch 2.15 for a [2, 4, 5, 5] input), with the values of the row-major computation.
    func testLayoutPropagation() throws {
        let x = try KernelTest.random([2, 4, 5, 5], seed: 3, requiresGrad: false)
        let cl = try x.contiguous(.channelsLast)
        let clStrides = [100, 1, 20, 4]
        XCTAssertEqual(try cl.relu().strides, clStrides)
        XCTAssertEqual(try cl.relu().toDoubles(), try x.relu().toDoubles())
        XCTAssertEqual(try cl.add(x).strides, clStrides)
        XCTAssertEqual(try x.add(cl).strides, [100, 25, 5, 1])
        XCTAssertEqual(try cl.mul(.double(2)).strides, clStrides)
        XCTAssertEqual(try cl.gt(.int(0)).strides, clStrides)
        XCTAssertEqual(try cl.exp().contiguous().toDoubles(), try x.exp().toDoubles())
        let w = try KernelTest.random([3, 4, 3, 3], seed: 4, requiresGrad: false)
        let conv = try Functional.conv2d(cl, weight: w, padding: (1, 1))
        XCTAssertEqual(conv.strides, [75, 1, 15, 3])
        XCTAssertEqual(try conv.contiguous().toDoubles(), try Functional.conv2d(x, weight: w, padding: (1, 1)).toDoubles())
        XCTAssertEqual(try Functional.conv2d(x, weight: try w.contiguous(.channelsLast), padding: (1, 1)).strides, [75, 1, 15, 3])
        XCTAssertEqual(try Functional.maxPool2d(cl, kernelSize: (2, 2)).strides, [16, 1, 8, 4])
        XCTAssertEqual(try Functional.adaptiveAvgPool2d(cl, outputSize: (1, 1)).strides, [4, 1, 4, 4])
        XCTAssertEqual(try Functional.batchNorm(cl, runningMean: nil, runningVar: nil, training: true).strides, clStrides)
        XCTAssertEqual(try Tensor.cat([cl, cl], dim: 1).strides, [200, 1, 40, 8])
        // A factory result read in cl's layout: memory order kept (values fill memory in order).
        let filled = try Tensor(doubles: (0..<200).map(Double.init), shape: [2, 4, 5, 5], dtype: .float64).filledInLayout(of: cl)
        XCTAssertEqual(filled.strides, clStrides)
        XCTAssertEqual(try filled.select(dim: 1, index: 1).select(dim: 0, index: 0).toDoubles().prefix(2), [1, 5])
        // Row-major inputs are untouched.
        XCTAssertEqual(try x.relu().strides, [100, 25, 5, 1])
    }
}
