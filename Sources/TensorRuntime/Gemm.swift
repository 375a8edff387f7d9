import CBLAS
import Foundation

/// Element types with a matrix-multiply kernel: Float and Double go to OpenBLAS (s/dgemm),
/// Int64 to a plain wrapping loop. All matrices are row-major; `ld*` are row strides.
public protocol GemmElement: TensorElement, Numeric {
    /// `C = A·B + beta·C` (beta is 0 or 1), `A` m×k (stored k×m when `transA`), `B` k×n.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

/// Floating-point element types the neural-network kernels run on (float32, float64); their
/// math is `FloatElement`'s.
public protocol KernelFloat: GemmElement, FloatElement, SIMDScalar {}

/// OpenBLAS's `cblas_sgemm` / `cblas_dgemm`.
typealias CBLASGemm<T> = (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint, blasint, blasint, T, UnsafePointer<T>?, blasint,
                          UnsafePointer<T>?, blasint, T, UnsafeMutablePointer<T>?, blasint) -> Void

/// `GemmElement.gemm` through a row-major OpenBLAS routine (alpha 1).
@inline(__always)
func rowMajorGemm<T: Numeric>(_ routine: CBLASGemm<T>, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                              a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                              beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
    routine(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
}

extension Float: KernelFloat {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        rowMajorGemm(cblas_sgemm, transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

extension Double: KernelFloat {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        rowMajorGemm(cblas_dgemm, transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

extension Int64: GemmElement {
    /// Integer matmul wraps on overflow, as PyTorch's does.
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Int64>, lda: Int, b: UnsafePointer<Int64>, ldb: Int,
                            beta: Int64, c: UnsafeMutablePointer<Int64>, ldc: Int) {
        let (ars, acs) = transA ? (1, lda) : (lda, 1)
        let (brs, bcs) = transB ? (1, ldb) : (ldb, 1)
        for i in 0..<m {
            for j in 0..<n {
                var s: Int64 = beta == 0 ? 0 : c[i * ldc + j]
                for p in 0..<k { s = s &+ a[i * ars + p * acs] &* b[p * brs + j * bcs] }
                c[i * ldc + j] = s
            }
        }
    }
}

/// A batch of strided matrices inside one buffer, aligned to a batch shape (stride 0 along
/// broadcast batch dimensions). Describes operands without copying them.
struct StridedMatrices<T> {
    var base: UnsafeMutablePointer<T>
    var batchStrides: [Int]
    var rows: Int
    var cols: Int
    var rowStride: Int
    var colStride: Int

    /// The same matrices transposed (a view: strides swapped).
    var transposed: StridedMatrices {
        StridedMatrices(base: base, batchStrides: batchStrides, rows: cols, cols: rows, rowStride: colStride, colStride: rowStride)
    }

    /// How row-major BLAS can read one matrix: (transposed, leading dimension), or nil when
    /// neither stride is 1 and the matrix must be packed first.
    var blasLayout: (trans: Bool, ld: Int)? {
        if cols <= 1 || colStride == 1 {
            let ld = rows <= 1 ? Swift.max(cols, 1) : rowStride
            if ld >= Swift.max(cols, 1) { return (false, ld) }
        }
        if rows <= 1 || rowStride == 1 {
            let ld = cols <= 1 ? Swift.max(rows, 1) : colStride
            if ld >= Swift.max(rows, 1) { return (true, ld) }
        }
        return nil
    }

    /// True when the batch dimensions and dimension `inner` (rows when `alongRows`, else
    /// columns) can be merged into one dimension of stride `innerStride`.
    func collapsible(batchShape: [Int], alongRows: Bool) -> Bool {
        var expected = alongRows ? rowStride * rows : colStride * cols
        for d in stride(from: batchShape.count - 1, through: 0, by: -1) where batchShape[d] != 1 {
            if batchStrides[d] != expected { return false }
            expected *= batchShape[d]
        }
        return true
    }
}

/// `C[b] = A[b]·B[b] + beta·C[b]` over every index `b` of `batchShape` (beta 0 or 1). `C`
/// must have unit column stride; when several batches map to one `C` matrix (stride 0), pass
/// beta 1 over a zeroed `C` so their products are summed. Folds the batch into a single gemm
/// when the layouts allow (a batch of rows against one shared matrix, or a sum over batches).
func batchedGemm<T: GemmElement>(batchShape: [Int], _ a: StridedMatrices<T>, _ b: StridedMatrices<T>,
                                 _ c: StridedMatrices<T>, beta: T) {
    let count = batchShape.reduce(1, *)
    if count == 0 || c.rows == 0 || c.cols == 0 { return }
    if count == 1 {
        gemm(a, b, c, beta: beta)
        return
    }
    let bShared = b.batchStrides.allSatisfy { $0 == 0 }
    if bShared && a.collapsible(batchShape: batchShape, alongRows: true) && c.collapsible(batchShape: batchShape, alongRows: true) {
        var a2 = a, c2 = c
        a2.rows *= count; c2.rows *= count
        gemm(a2, b, c2, beta: beta)
        return
    }
    let cShared = c.batchStrides.allSatisfy { $0 == 0 }
    if cShared && a.collapsible(batchShape: batchShape, alongRows: false) && b.collapsible(batchShape: batchShape, alongRows: true) {
        var a2 = a, b2 = b
        a2.cols *= count; b2.rows *= count
        gemm(a2, b2, c, beta: beta)
        return
    }
    // Many small products (attention heads) with a C matrix each run side by side on the cores,
    // each one serial: alone, a 64×64×32 product is far too small to split.
    let perProduct = c.rows * c.cols * a.cols
    let distinctC = zip(c.batchStrides, batchShape).allSatisfy { $0 != 0 || $1 == 1 }
    let parts = distinctC && perProduct < 1 << 21 ? Swift.min(kernelThreads, count, count * perProduct >> 18) : 1
    if parts > 1 {
        parallelParts(parts) { p in
            for i in partRange(p, of: parts, count: count) where !KernelCancellation.shouldStop {
                var am = a, bm = b, cm = c
                var rest = i
                for d in stride(from: batchShape.count - 1, through: 0, by: -1) {
                    let k = rest % batchShape[d]
                    rest /= batchShape[d]
                    am.base += k * a.batchStrides[d]; bm.base += k * b.batchStrides[d]; cm.base += k * c.batchStrides[d]
                }
                gemm(am, bm, cm, beta: beta, serial: true)
            }
        }
        return
    }
    let rank = batchShape.count
    var index = [Int](repeating: 0, count: rank)
    var oa = 0, ob = 0, oc = 0
    for _ in 0..<count where !KernelCancellation.shouldStop {
        var am = a, bm = b, cm = c
        am.base = a.base + oa; bm.base = b.base + ob; cm.base = c.base + oc
        gemm(am, bm, cm, beta: beta)
        var d = rank - 1
        while d >= 0 {
            index[d] += 1
            oa += a.batchStrides[d]; ob += b.batchStrides[d]; oc += c.batchStrides[d]
            if index[d] < batchShape[d] { break }
            oa -= a.batchStrides[d] * batchShape[d]; ob -= b.batchStrides[d] * batchShape[d]; oc -= c.batchStrides[d] * batchShape[d]
            index[d] = 0
            d -= 1
        }
    }
}

/// One matrix product `C = A·B + beta·C`, passing transposed layouts to BLAS as flags and
/// packing an operand only when neither of its strides is 1. Big products are split over
/// `kernelThreads` (by rows of C, or by columns when C is wider than tall; along the inner
/// dimension when C is too small to split, as in a linear layer with few outputs and many
/// inputs) unless `serial` (callers that already run on every core pass it).
func gemm<T: GemmElement>(_ a: StridedMatrices<T>, _ b: StridedMatrices<T>, _ c: StridedMatrices<T>, beta: T, serial: Bool = false) {
    if !serial && KernelCancellation.isArmed && c.rows * c.cols * a.cols >= cancellableGemmBlock * 4 {
        return blockedGemm(a, b, c, beta: beta)
    }
    splitGemm(a, b, c, beta: beta, serial: serial)
}

/// Multiply-adds per block of a product cut up for Ctrl-C (~1-3 ms on one core of a Zen 4 machine).
let cancellableGemmBlock = 1 << 28

/// A big product as a sequence of row (or column) blocks of `C` with a check point between them,
/// so a cancellation stops it early (each block still runs on every core). Each element of `C`
/// gets the same inner-product order as in one call, so the values are unchanged.
private func blockedGemm<T: GemmElement>(_ a: StridedMatrices<T>, _ b: StridedMatrices<T>, _ c: StridedMatrices<T>, beta: T) {
    let m = c.rows, n = c.cols, k = a.cols
    let byRows = m >= n, split = byRows ? m : n
    let blocks = Swift.max(1, Swift.min(split / 64, m * n * k / cancellableGemmBlock))
    for blk in 0..<blocks where !KernelCancellation.shouldStop {
        let (a2, b2, c2) = productBlock(a, b, c, byRows: byRows, partRange(blk, of: blocks, count: split, align: 16))
        splitGemm(a2, b2, c2, beta: beta, serial: false)
    }
}

/// The operands of rows `r` of `C` (`byRows`), or of its columns `r`.
private func productBlock<T>(_ a: StridedMatrices<T>, _ b: StridedMatrices<T>, _ c: StridedMatrices<T>, byRows: Bool,
                             _ r: Range<Int>) -> (StridedMatrices<T>, StridedMatrices<T>, StridedMatrices<T>) {
    var a2 = a, b2 = b, c2 = c
    if byRows {
        a2.base += r.lowerBound * a.rowStride; a2.rows = r.count
        c2.base += r.lowerBound * c.rowStride; c2.rows = r.count
    } else {
        b2.base += r.lowerBound * b.colStride; b2.cols = r.count
        c2.base += r.lowerBound * c.colStride; c2.cols = r.count
    }
    return (a2, b2, c2)
}

/// `gemm` without check points: one call, split over the cores when big (see `gemm`).
private func splitGemm<T: GemmElement>(_ a: StridedMatrices<T>, _ b: StridedMatrices<T>, _ c: StridedMatrices<T>, beta: T, serial: Bool) {
    let m = c.rows, n = c.cols, k = a.cols
    let byRows = m >= n, split = byRows ? m : n
    let parts = serial || m * n * k < 1 << 21 ? 1 : Swift.min(kernelThreads, split / 32)
    if parts <= 1 {
        if !serial && kernelThreads > 1 && m * n * k >= 1 << 21 && k >= 256 * kernelThreads && T.self != Int64.self {
            innerSplitGemm(a, b, c, beta: beta, parts: kernelThreads)
        } else {
            serialGemm(a, b, c, beta: beta)
        }
        return
    }
    parallelParts(parts) { p in
        let (a2, b2, c2) = productBlock(a, b, c, byRows: byRows, partRange(p, of: parts, count: split, align: 16))
        serialGemm(a2, b2, c2, beta: beta)
    }
}

/// `C = A·B + beta·C` with the inner dimension cut into `parts` ranges run in parallel: the
/// first adds its product into `C`, the others into zeroed partial matrices summed into `C`
/// at the end (C is small here: at most 32 rows or columns is why rows/columns weren't split).
private func innerSplitGemm<T: GemmElement>(_ a: StridedMatrices<T>, _ b: StridedMatrices<T>, _ c: StridedMatrices<T>,
                                            beta: T, parts: Int) {
    let m = c.rows, n = c.cols, k = a.cols
    let partials = UnsafeMutablePointer<T>.allocate(capacity: (parts - 1) * m * n)
    defer { partials.deallocate() }
    parallelParts(parts) { p in
        let r = partRange(p, of: parts, count: k, align: 16)
        var a2 = a, b2 = b
        a2.base += r.lowerBound * a.colStride; a2.cols = r.count
        b2.base += r.lowerBound * b.rowStride; b2.rows = r.count
        if p == 0 {
            serialGemm(a2, b2, c, beta: beta)
        } else {
            let dst = StridedMatrices(base: partials + (p - 1) * m * n, batchStrides: [], rows: m, cols: n, rowStride: n, colStride: 1)
            serialGemm(a2, b2, dst, beta: 0)
        }
    }
    for p in 0..<(parts - 1) {
        let src = partials + p * m * n
        for i in 0..<m {
            for j in 0..<n { c.base[i * c.rowStride + j * c.colStride] += src[i * n + j] }
        }
    }
}

/// `gemm` on the calling thread.
private func serialGemm<T: GemmElement>(_ a: StridedMatrices<T>, _ b: StridedMatrices<T>, _ c: StridedMatrices<T>, beta: T) {
    _ = kernelThreads   // OpenBLAS runs single-threaded from the first product on
    let m = c.rows, n = c.cols, k = a.cols
    if m == 0 || n == 0 { return }
    let ldc = m <= 1 ? Swift.max(n, 1) : c.rowStride
    if k == 0 {
        if beta == 0 { for i in 0..<m { for j in 0..<n { c.base[i * c.rowStride + j * c.colStride] = 0 } } }
        return
    }
    withBLASLayout(a) { pa, la in
        withBLASLayout(b) { pb, lb in
            T.gemm(transA: la.trans, transB: lb.trans, m: m, n: n, k: k, a: pa, lda: la.ld, b: pb, ldb: lb.ld,
                   beta: beta, c: c.base, ldc: ldc)
        }
    }
}

/// Calls `body` with a pointer and BLAS layout for `m`, packing it row-major first if needed.
private func withBLASLayout<T>(_ m: StridedMatrices<T>, _ body: (UnsafePointer<T>, (trans: Bool, ld: Int)) -> Void) {
    if let layout = m.blasLayout {
        body(UnsafePointer(m.base), layout)
        return
    }
    let packed = UnsafeMutablePointer<T>.allocate(capacity: m.rows * m.cols)
    defer { packed.deallocate() }
    for i in 0..<m.rows {
        for j in 0..<m.cols { packed[i * m.cols + j] = m.base[i * m.rowStride + j * m.colStride] }
    }
    body(UnsafePointer(packed), (false, Swift.max(m.cols, 1)))
}
