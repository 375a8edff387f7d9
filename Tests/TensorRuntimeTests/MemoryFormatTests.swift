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
}
