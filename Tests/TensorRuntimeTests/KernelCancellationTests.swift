import Synchronization
import XCTest
@testable import TensorRuntime

/// Ctrl-C inside one long kernel (`KernelCancellation`): a convolution or a big product stopped at
/// a check point throws KeyboardInterrupt, consumes the request once, and leaves its inputs and
/// every `.grad` as they were; with the hooks installed but nothing requested, results are
/// bit-for-bit those of an unarmed run.
final class KernelCancellationTests: XCTestCase {
    typealias K = KernelTest
    typealias F = Functional

    /// A cancellation that becomes pending after `after` polls and stays so until consumed.
    private final class Request: @unchecked Sendable {
        let after: Int
        let polls = Atomic<Int>(0)
        let consumed = Atomic<Int>(0)

        init(after: Int) { self.after = after }

        var isPending: Bool { consumed.load(ordering: .relaxed) == 0 && polls.wrappingAdd(1, ordering: .relaxed).oldValue >= after }
    }

    private struct Interrupted: Error {}

    /// Runs `body` with the hooks installed for `request` (nil: installed, never pending).
    private func withHooks<R>(_ request: Request?, _ body: () throws -> R) rethrows -> R {
        let hooks = (KernelCancellation.isPending, KernelCancellation.interrupt)
        defer { (KernelCancellation.isPending, KernelCancellation.interrupt) = hooks }
        KernelCancellation.isPending = { request?.isPending ?? false }
        KernelCancellation.interrupt = {
            request?.consumed.wrappingAdd(1, ordering: .relaxed)
            throw Interrupted()
        }
        return try body()
    }

    /// Asserts `body` is interrupted (the hook's error, request consumed exactly once).
    private func assertInterrupted(_ request: Request, _ what: String, _ body: () throws -> Void,
                                   file: StaticString = #filePath, line: UInt = #line) {
        do {
            try withHooks(request) { try body() }
            XCTFail("not interrupted: " + what, file: file, line: line)
        } catch {
            XCTAssertTrue(error is Interrupted, "\(what): \(error)", file: file, line: line)
        }
        XCTAssertEqual(request.consumed.load(ordering: .relaxed), 1, what, file: file, line: line)
    }

    func testEveryConvolutionAlgorithmStopsMidwayInForwardAndBackward() throws {
        let saved = (convAlgorithmOverride, tapChunkOverride, convPartsOverride)
        defer { (convAlgorithmOverride, tapChunkOverride, convPartsOverride) = saved }
        let x = try K.random([6, 8, 9, 9], seed: 1), w = try K.random([5, 8, 3, 3], seed: 2), b = try K.random([5], seed: 3)
        let s = try K.random([6, 5, 9, 9], seed: 4)
        let (xData, wData, bData, sData) = (x.toDoubles(), w.toDoubles(), b.toDoubles(), s.toDoubles())
        let wGrad = try K.random([5, 8, 3, 3], seed: 5, requiresGrad: false)
        let algorithms: [ConvAlgorithm] = [.im2col, .tapGemms, .wideColumns, .sampleTaps]
        for algorithm in algorithms {
            (convAlgorithmOverride, tapChunkOverride, convPartsOverride) = (algorithm, 1, 3)
            let reference = try F.conv2d(x, weight: w, bias: b, padding: (1, 1)).toDoubles()
            for after in [0, 2] {
                assertInterrupted(Request(after: after), "forward, \(algorithm), after \(after)") {
                    _ = try F.conv2d(x, weight: w, bias: b, padding: (1, 1))
                }
            }
            // Backward: `s`'s gradient is ready before the convolution's backward runs; neither it
            // nor the weight's existing gradient may change when the convolution is interrupted.
            x.grad = nil; b.grad = nil; s.grad = nil
            w.grad = try wGrad.cloned()
            let loss = try withHooks(nil) { try F.conv2d(x, weight: w, bias: b, padding: (1, 1)).mul(s).sum() }
            assertInterrupted(Request(after: 1), "backward, \(algorithm)") { try loss.backward() }
            XCTAssertNil(x.grad, "\(algorithm)"); XCTAssertNil(b.grad, "\(algorithm)"); XCTAssertNil(s.grad, "\(algorithm)")
            XCTAssertEqual(w.grad?.toDoubles(), wGrad.toDoubles(), "\(algorithm)")
            XCTAssertEqual(x.toDoubles(), xData); XCTAssertEqual(w.toDoubles(), wData)
            XCTAssertEqual(b.toDoubles(), bData); XCTAssertEqual(s.toDoubles(), sData)
            // Armed but never requested: the same values as an unarmed run.
            let armed = try withHooks(nil) { try F.conv2d(x, weight: w, bias: b, padding: (1, 1)).toDoubles() }
            XCTAssertEqual(armed, reference, "\(algorithm)")
        }
    }

    func testConvolutionNdStops() throws {
        let x = try K.random([4, 3, 5, 6, 6], seed: 6), w = try K.random([4, 3, 2, 3, 3], seed: 7)
        assertInterrupted(Request(after: 1), "conv3d forward") {
            _ = try F.convolutionNd(x, weight: w, stride: [1, 1, 1], padding: [1, 1, 1], dilation: [1, 1, 1], op: "conv3d")
        }
        let y = try F.convolutionNd(x, weight: w, stride: [1, 1, 1], padding: [1, 1, 1], dilation: [1, 1, 1], op: "conv3d")
        let loss = try y.sum()
        assertInterrupted(Request(after: 0), "conv3d backward") { try loss.backward() }
        XCTAssertNil(x.grad); XCTAssertNil(w.grad)
    }

    /// A product big enough to be cut into blocks (`cancellableGemmBlock`) gives the unblocked
    /// values, and stops between blocks. Bit for bit with OpenBLAS's AVX-512 kernels; its AVX2
    /// (Haswell/Zen) kernels sum some elements in another order for the blocks' shapes (seen on
    /// an AMD EPYC Zen 3), so there the values must agree to float32 rounding.
    func testBigProductIsBlockedWithoutChangingValuesAndStops() throws {
        let a = try K.random([1024, 1024], seed: 8, dtype: .float32, requiresGrad: false)
        let b = try K.random([1024, 1536], seed: 9, dtype: .float32, requiresGrad: false)
        XCTAssertGreaterThanOrEqual(1024 * 1024 * 1536, 4 * cancellableGemmBlock)
        let plain = try a.matmul(b).toDoubles()
        let blocked = try withHooks(nil) { try a.matmul(b).toDoubles() }
        if CPUInfo.vectorLevel >= 2 {
            XCTAssertTrue(blocked == plain, "blocked product differs from the unblocked one")
        } else {
            XCTAssertEqual(blocked.count, plain.count)
            let worst = zip(blocked, plain).map { abs($0 - $1) / max(abs($1), 1) }.max() ?? .infinity
            // Sums of 1024 products of N(0, 1) values: a different summation order moves the
            // result by up to ~1e-5 (1.6e-5 seen); a wrong block would move it by ~1.
            XCTAssertLessThan(worst, 1e-4, "blocked product differs from the unblocked one beyond float32 rounding")
        }
        assertInterrupted(Request(after: 2), "matmul") { _ = try a.matmul(b) }
        assertInterrupted(Request(after: 1), "linear") { _ = try F.linear(a, weight: b.t()) }
    }

    func testWithoutAnInterruptHookTheRuntimesKeyboardInterruptIsThrown() throws {
        let saved = (KernelCancellation.isPending, KernelCancellation.interrupt)
        defer { (KernelCancellation.isPending, KernelCancellation.interrupt) = saved }
        KernelCancellation.isPending = { true }
        KernelCancellation.interrupt = nil
        let x = try K.random([2, 3, 5, 5], seed: 10), w = try K.random([2, 3, 3, 3], seed: 11)
        XCTAssertThrowsError(try F.conv2d(x, weight: w)) { XCTAssertEqual(($0 as? TorchError)?.kind, .keyboardInterrupt) }
        KernelCancellation.isPending = nil
        XCTAssertNoThrow(try F.conv2d(x, weight: w))
    }
}
