// Matrix products with B read in place: a recurrent layer's time step (few rows, the batch,
// times a weight matrix already laid out k-major), and the linear layers' gradient products in
// OpenBLAS's summation order (nn_blas_order_gemm_f32). OpenBLAS repacks B on every call — for a
// 32×256 by 256×1024 step that is a quarter of the product's time, paid 64 times per layer per
// pass. Here B is read in place:
// a 6-row × 64-column block of C lives in 24 vector registers while k runs (16-float vectors;
// the compiler lowers them to zmm, ymm or xmm registers per clone).
#include "row_panel_gemm.h"
#include <math.h>
#include <string.h>

// Multiply-adds are written as fused ones (OpenBLAS's kernels fuse them), not left to
// contraction, which unoptimised (debug) builds do not do.

#define NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

typedef float nn_v16 __attribute__((vector_size(64), aligned(4)));

enum { PANEL_ROWS = 6, PANEL_COLS = 64, PANEL_VECS = PANEL_COLS / 16 };

/// How a block's sums reach C: stored as they are, added to C, or added to +0 (OpenBLAS's zeroed
/// C under beta = 0: a sum of -0 becomes +0).
enum { STORE = 0, ADD_TO_C = 1, ADD_TO_ZERO = 2 };

/// One block of `rows` (≤ PANEL_ROWS) rows × `vecs` (≤ PANEL_VECS) 16-column vectors; both are
/// constants after inlining, so the accumulators stay in registers. A[r, p] is at `a + r·lda + p·ak`.
static inline __attribute__((always_inline)) void panel_block(const float *a, long lda, long ak, const float *b, long ldb,
                                                              float *c, long ldc, long k, int accumulate, int rows,
                                                              int vecs) {
    nn_v16 acc[PANEL_ROWS][PANEL_VECS];
    for (int r = 0; r < rows; r++)
        for (int q = 0; q < vecs; q++) acc[r][q] = (nn_v16){0};
    for (long p = 0; p < k; p++) {
        nn_v16 bv[PANEL_VECS];
        for (int q = 0; q < vecs; q++) memcpy(&bv[q], b + p * ldb + 16 * q, sizeof(nn_v16));
        for (int r = 0; r < rows; r++) {
            nn_v16 av = (nn_v16){0} + a[r * lda + p * ak];
            for (int q = 0; q < vecs; q++) acc[r][q] = __builtin_elementwise_fma(av, bv[q], acc[r][q]);
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int q = 0; q < vecs; q++) {
            float *dst = c + r * ldc + 16 * q;
            nn_v16 v = acc[r][q];
            if (accumulate == ADD_TO_C) {
                nn_v16 old;
                memcpy(&old, dst, sizeof old);
                v = old + v;
            } else if (accumulate == ADD_TO_ZERO) {
                v = v + 0.0f;
            }
            memcpy(dst, &v, sizeof v);
        }
    }
}

/// The columns past the last full block, one element at a time (same summation order).
static void tail_columns(const float *a, long lda, long ak, const float *b, long ldb, float *c, long ldc, long m,
                         long n0, long n, long k, int accumulate) {
    for (long i = 0; i < m; i++) {
        for (long j = n0; j < n; j++) {
            float s = 0;
            for (long p = 0; p < k; p++) s = fmaf(a[i * lda + p * ak], b[p * ldb + j], s);
            c[i * ldc + j] = accumulate == ADD_TO_C ? c[i * ldc + j] + s : accumulate == ADD_TO_ZERO ? s + 0.0f : s;
        }
    }
}

/// Columns [j, j + 16·vecs) of every row: full row blocks, then the remaining rows.
static inline __attribute__((always_inline)) void column_strip(const float *a, long lda, long ak, const float *b,
                                                               long ldb, float *c, long ldc, long m, long k,
                                                               int accumulate, long j, int vecs) {
    long i = 0;
    for (; i + PANEL_ROWS <= m; i += PANEL_ROWS)
        panel_block(a + i * lda, lda, ak, b + j, ldb, c + i * ldc + j, ldc, k, accumulate, PANEL_ROWS, vecs);
    const float *ai = a + i * lda;
    float *ci = c + i * ldc + j;
    switch (m - i) {
    case 5: panel_block(ai, lda, ak, b + j, ldb, ci, ldc, k, accumulate, 5, vecs); break;
    case 4: panel_block(ai, lda, ak, b + j, ldb, ci, ldc, k, accumulate, 4, vecs); break;
    case 3: panel_block(ai, lda, ak, b + j, ldb, ci, ldc, k, accumulate, 3, vecs); break;
    case 2: panel_block(ai, lda, ak, b + j, ldb, ci, ldc, k, accumulate, 2, vecs); break;
    case 1: panel_block(ai, lda, ak, b + j, ldb, ci, ldc, k, accumulate, 1, vecs); break;
    default: break;
    }
}

/// The whole product on one k range: full 64-column strips, 16-column strips, scalar tail.
static inline __attribute__((always_inline)) void panel_product(const float *a, long lda, long ak, const float *b,
                                                                long ldb, float *c, long ldc, long m, long n, long k,
                                                                int accumulate) {
    long j = 0;
    for (; j + PANEL_COLS <= n; j += PANEL_COLS) column_strip(a, lda, ak, b, ldb, c, ldc, m, k, accumulate, j, PANEL_VECS);
    for (; j + 16 <= n; j += 16) column_strip(a, lda, ak, b, ldb, c, ldc, m, k, accumulate, j, 1);
    if (j < n) tail_columns(a, lda, ak, b, ldb, c, ldc, m, j, n, k, accumulate);
}

NN_CLONES
void nn_row_panel_gemm_f32(const float *a, long lda, const float *b, long ldb, float *c, long ldc, long m, long n,
                           long k, int accumulate) {
    panel_product(a, lda, 1, b, ldb, c, ldc, m, n, k, accumulate ? ADD_TO_C : STORE);
}

NN_CLONES
void nn_blas_order_gemm_f32(const float *a, long lda, long ak, const float *b, long ldb, float *c, long ldc, long m,
                            long n, long k, int beta, long kBlock) {
    if (k <= 0) {
        if (!beta)
            for (long i = 0; i < m; i++) memset(c + i * ldc, 0, sizeof(float) * (size_t)n);
        return;
    }
    for (long k0 = 0; k0 < k;) {
        long len = k - k0;   // OpenBLAS's level3.c: a block of kBlock, or the rest halved (whole 16s)
        if (len >= 2 * kBlock) len = kBlock;
        else if (len > kBlock) len = (len / 2 + 15) / 16 * 16;
        panel_product(a + k0 * ak, lda, ak, b + k0 * ldb, ldb, c, ldc, m, n, len, k0 > 0 || beta ? ADD_TO_C : ADD_TO_ZERO);
        k0 += len;
    }
}
