import CKernels

/// The hidden-state products of a recurrent layer's time steps: `C = A·B (+ C)` with A a step's
/// few rows (the batch) and B a weight matrix laid out k-major. On AVX-512 CPUs, float32 batches
/// of at most `maxPanelRows` rows run the C kernel `nn_row_panel_gemm_f32`
/// (CKernels/row_panel_gemm.c), which reads B in place: OpenBLAS repacks B on every call, and a
/// recurrent layer calls it once per step. Measured per call on one core (AMD EPYC Zen 4, thread
/// CPU time, OpenBLAS 0.3.21 Cooperlake): 32×256 by 256×1024 (LSTM hidden 256, forward) 225 →
/// 168 µs; 32×1024 by 1024×128 (a backward half) 167 → 78 µs. Its AVX2 and SSE2 clones lost to
/// OpenBLAS (370 and 645 µs for the first shape), so larger batches, other CPUs and float64 go
/// to BLAS.
struct RecurrentStepProduct<T: KernelFloat> {
    /// B: `k × n`, row stride `n` (k-major).
    let b: UnsafeMutablePointer<T>
    let k: Int, n: Int

    /// Batches this size or smaller use the panel kernel.
    static var maxPanelRows: Int { 128 }

    /// Whether a batch of `rows` rows takes the panel kernel (float32 only).
    static func usesPanel(rows: Int) -> Bool { T.self == Float.self && rows <= maxPanelRows && CPUInfo.vectorLevel >= 2 }

    /// `c[rows × n] = a[rows × k]·B + (accumulate ? c : 0)`, columns split over the cores when big.
    func apply(_ a: UnsafeMutablePointer<T>, rows: Int, into c: UnsafeMutablePointer<T>, accumulate: Bool) {
        guard Self.usesPanel(rows: rows) else {
            gemm(rowMajor(a, rows, k), rowMajor(b, k, n), rowMajor(c, rows, n), beta: accumulate ? 1 : 0)
            return
        }
        let af = UnsafeMutableRawPointer(a).assumingMemoryBound(to: Float.self)
        let bf = UnsafeMutableRawPointer(b).assumingMemoryBound(to: Float.self)
        let cf = UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self)
        let parts = rows * n * k >= 1 << 18 ? Swift.min(kernelThreads, n / 64) : 1
        let (k, n) = (self.k, self.n)
        parallelParts(parts) { p in
            let cols = partRange(p, of: parts, count: n, align: 16)
            nn_row_panel_gemm_f32(af, k, bf + cols.lowerBound, n, cf + cols.lowerBound, n, rows, cols.count, k, accumulate ? 1 : 0)
        }
    }
}
