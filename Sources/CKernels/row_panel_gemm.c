// A matrix product for a recurrent layer's time step: few rows (the batch) times a weight matrix
// already laid out k-major. OpenBLAS repacks B on every call — for a 32×256 by 256×1024 step that
// is a quarter of the product's time, paid 64 times per layer per pass. Here B is read in place:
// a 6-row × 64-column block of C lives in 24 vector registers while k runs (16-float vectors;
// the compiler lowers them to zmm, ymm or xmm registers per clone).
#include "row_panel_gemm.h"
#include <string.h>

#pragma clang fp contract(fast)

#define NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

typedef float nn_v16 __attribute__((vector_size(64), aligned(4)));

enum { PANEL_ROWS = 6, PANEL_COLS = 64, PANEL_VECS = PANEL_COLS / 16 };

/// One block of `rows` (≤ PANEL_ROWS) rows × `vecs` (≤ PANEL_VECS) 16-column vectors; both are
/// constants after inlining, so the accumulators stay in registers.
static inline __attribute__((always_inline)) void panel_block(const float *a, long lda, const float *b, long ldb,
                                                              float *c, long ldc, long k, int accumulate, int rows,
                                                              int vecs) {
    nn_v16 acc[PANEL_ROWS][PANEL_VECS];
    for (int r = 0; r < rows; r++)
        for (int q = 0; q < vecs; q++) acc[r][q] = (nn_v16){0};
    for (long p = 0; p < k; p++) {
        nn_v16 bv[PANEL_VECS];
        for (int q = 0; q < vecs; q++) memcpy(&bv[q], b + p * ldb + 16 * q, sizeof(nn_v16));
        for (int r = 0; r < rows; r++) {
            nn_v16 av = (nn_v16){0} + a[r * lda + p];
            for (int q = 0; q < vecs; q++) acc[r][q] += av * bv[q];
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int q = 0; q < vecs; q++) {
            float *dst = c + r * ldc + 16 * q;
            nn_v16 v = acc[r][q];
            if (accumulate) {
                nn_v16 old;
                memcpy(&old, dst, sizeof old);
                v = old + v;
            }
            memcpy(dst, &v, sizeof v);
        }
    }
}

/// The columns past the last full block, one element at a time (same summation order).
static void tail_columns(const float *a, long lda, const float *b, long ldb, float *c, long ldc, long m, long n0,
                         long n, long k, int accumulate) {
    for (long i = 0; i < m; i++) {
        for (long j = n0; j < n; j++) {
            float s = 0;
            for (long p = 0; p < k; p++) s += a[i * lda + p] * b[p * ldb + j];
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + s : s;
        }
    }
}

/// Columns [j, j + 16·vecs) of every row: full row blocks, then the remaining rows.
static inline __attribute__((always_inline)) void column_strip(const float *a, long lda, const float *b, long ldb,
                                                               float *c, long ldc, long m, long k, int accumulate,
                                                               long j, int vecs) {
    long i = 0;
    for (; i + PANEL_ROWS <= m; i += PANEL_ROWS)
        panel_block(a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc, k, accumulate, PANEL_ROWS, vecs);
    const float *ai = a + i * lda;
    float *ci = c + i * ldc + j;
    switch (m - i) {
    case 5: panel_block(ai, lda, b + j, ldb, ci, ldc, k, accumulate, 5, vecs); break;
    case 4: panel_block(ai, lda, b + j, ldb, ci, ldc, k, accumulate, 4, vecs); break;
    case 3: panel_block(ai, lda, b + j, ldb, ci, ldc, k, accumulate, 3, vecs); break;
    case 2: panel_block(ai, lda, b + j, ldb, ci, ldc, k, accumulate, 2, vecs); break;
    case 1: panel_block(ai, lda, b + j, ldb, ci, ldc, k, accumulate, 1, vecs); break;
    default: break;
    }
}

NN_CLONES
void nn_row_panel_gemm_f32(const float *a, long lda, const float *b, long ldb, float *c, long ldc, long m, long n,
                           long k, int accumulate) {
    long j = 0;
    for (; j + PANEL_COLS <= n; j += PANEL_COLS) column_strip(a, lda, b, ldb, c, ldc, m, k, accumulate, j, PANEL_VECS);
    for (; j + 16 <= n; j += 16) column_strip(a, lda, b, ldb, c, ldc, m, k, accumulate, j, 1);
    if (j < n) tail_columns(a, lda, b, ldb, c, ldc, m, j, n, k, accumulate);
}
