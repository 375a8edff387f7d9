import XCTest
@testable import TensorRuntime

/// `BLASOrderGemm` (CKernels' nn_blas_order_gemm_f32) gives OpenBLAS's bits: the same products
/// through `gemm`, for A read as stored or transposed, beta 0 and 1, inner sizes cut into one,
/// two (halved rest) and several of OpenBLAS's K blocks; and a linear layer's gradients are
/// unchanged by it.
final class BLASOrderGemmTests: XCTestCase {
    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Float(Double(state >> 11) / Double(1 << 53) * 12 - 6)
        }
    }

    func testSameBitsAsBLAS() throws {
        guard BLASOrderGemm.kBlock != nil else { throw XCTSkip("OpenBLAS kernel \(BLASInfo.current.kernel): the panel kernel does not run") }
        for (m, n, k) in [(160, 128, 128), (64, 64, 520), (50, 80, 700), (128, 192, 1024), (32, 128, 2000)] {
            for transposedA in [false, true] {
                for beta: Float in [0, 1] {
                    var a = values(m * k, seed: 1), b = values(k * n, seed: 2)
                    let start = values(m * n, seed: 3)
                    var viaBLAS = start, viaPanel = start
                    a.withUnsafeMutableBufferPointer { ap in
                        b.withUnsafeMutableBufferPointer { bp in
                            let am = StridedMatrices(base: ap.baseAddress!, batchStrides: [], rows: m, cols: k,
                                                     rowStride: transposedA ? 1 : k, colStride: transposedA ? m : 1)
                            let bm = StridedMatrices(base: bp.baseAddress!, batchStrides: [], rows: k, cols: n, rowStride: n, colStride: 1)
                            viaBLAS.withUnsafeMutableBufferPointer { cp in
                                gemm(am, bm, StridedMatrices(base: cp.baseAddress!, batchStrides: [], rows: m, cols: n, rowStride: n, colStride: 1), beta: beta)
                            }
                            viaPanel.withUnsafeMutableBufferPointer { cp in
                                BLASOrderGemm.gemmInBLASOrder(am, bm, StridedMatrices(base: cp.baseAddress!, batchStrides: [], rows: m, cols: n,
                                                                                      rowStride: n, colStride: 1), beta: beta)
                            }
                        }
                    }
                    let differing = zip(viaBLAS, viaPanel).filter { $0.bitPattern != $1.bitPattern }.count
                    XCTAssertEqual(differing, 0, "\(m)x\(n)x\(k) transposedA \(transposedA) beta \(beta)")
                }
            }
        }
    }

    /// A linear layer's input and weight gradients (the products that use it) have the same bits
    /// with and without it.
    func testLinearGradientsUnchanged() throws {
        func gradients(_ enabled: Bool) throws -> [[Double]] {
            BLASOrderGemm.isEnabled = enabled
            defer { BLASOrderGemm.isEnabled = true }
            let x = try Tensor(values(512 * 96, seed: 4), shape: [512, 96]), w = try Tensor(values(192 * 96, seed: 5), shape: [192, 96])
            try x.setRequiresGrad(true)
            try w.setRequiresGrad(true)
            let y = try Functional.linear(x, weight: w)
            try y.mul(try Tensor(values(512 * 192, seed: 6), shape: [512, 192])).sum().backward()
            return [x.grad?.toDoubles() ?? [], w.grad?.toDoubles() ?? []]
        }
        let on = try gradients(true), off = try gradients(false)
        XCTAssertEqual(on[0].count, 512 * 96)
        XCTAssertEqual(on, off)
    }
}
