import CKernels

/// float32 products that `nn_blas_order_gemm_f32` (CKernels/row_panel_gemm.c) computes with
/// OpenBLAS's bits but without its packing of B: on OpenBLAS's Cooperlake and SkylakeX kernels
/// (whose K blocks it reproduces), for products big enough to skip OpenBLAS's small-matrix
/// kernel and whose C is a whole number of 16-column vectors wide (narrower tails run scalar).
/// Used by the linear layers' backward (input and weight gradients), 10-20% faster there on a
/// Zen 4 core for [1024, 128…512] operands; everything else keeps `gemm`.
enum BLASOrderGemm {
    /// Off only in tests that compare it with `gemm`.
    nonisolated(unsafe) static var isEnabled = true

    /// OpenBLAS's K block for the kernel in use (its level-3 driver's GEMM_Q, measured), nil
    /// where the panel kernel must not run.
    static let kBlock: Int? = {
        guard CPUInfo.vectorLevel >= 2 else { return nil }
        switch BLASInfo.current.kernel {   // (reading it applies nnrepl's kernel choice first)
        case "Cooperlake": return 320
        case "SkylakeX": return 448
        default: return nil
        }
    }()

    /// `C = A·B + beta·C` (beta 0 or 1), split over the cores by rows of C, when the panel
    /// kernel applies (see the type); else `gemm`.
    static func gemmInBLASOrder<T: GemmElement>(_ a: StridedMatrices<T>, _ b: StridedMatrices<T>, _ c: StridedMatrices<T>, beta: T) {
        let m = c.rows, n = c.cols, k = a.cols
        guard isEnabled, T.self == Float.self, let kBlock, b.colStride == 1, c.colStride == 1, n % 16 == 0, n >= 64,
              m >= 16, m * n * k >= 1 << 21, m * n * k < cancellableGemmBlock, a.batchStrides.isEmpty else {
            return gemm(a, b, c, beta: beta)
        }
        let parts = Swift.min(kernelThreads, Swift.max(1, m / 16))
        let ap = UnsafeRawPointer(a.base).assumingMemoryBound(to: Float.self)
        let bp = UnsafeRawPointer(b.base).assumingMemoryBound(to: Float.self)
        let cp = UnsafeMutableRawPointer(c.base).assumingMemoryBound(to: Float.self)
        let accumulate: Int32 = beta == 0 ? 0 : 1
        parallelParts(parts) { p in
            let rows = partRange(p, of: parts, count: m, align: 16)
            nn_blas_order_gemm_f32(ap + rows.lowerBound * a.rowStride, a.rowStride, a.colStride, bp, b.rowStride,
                                   cp + rows.lowerBound * c.rowStride, c.rowStride, rows.count, n, k, accumulate, kBlock)
        }
    }
}
