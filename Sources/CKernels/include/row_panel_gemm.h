// A float32 product for few rows against a matrix stored k-major (recurrent time steps),
// compiled per instruction set (row_panel_gemm.c).
#ifndef ROW_PANEL_GEMM_H
#define ROW_PANEL_GEMM_H

/// `C = A·B + (accumulate ? C : 0)` for `A` m×k (row stride `lda`), `B` k×n stored row by row
/// (row stride `ldb`: the layout a recurrent layer's W_hh has in the backward pass, and W_hhᵀ
/// once transposed for the forward pass), `C` m×n (row stride `ldc`). Each element sums its k
/// products in order, one multiply-add at a time (no reassociation), as OpenBLAS's kernels do.
/// Meant for small m (a batch of rows): it never repacks `B`, which BLAS does on every call.
void nn_row_panel_gemm_f32(const float *a, long lda, const float *b, long ldb, float *c, long ldc,
                           long m, long n, long k, int accumulate);

/// `C = A·B + (beta ? C : 0)` in OpenBLAS's summation order for a kernel whose K block is
/// `kBlock` (320 for its Cooperlake kernel, 448 for SkylakeX): k is cut as OpenBLAS's level-3
/// driver cuts it, each block's products are summed in one multiply-add chain per element and
/// added to C (to +0 under beta = 0), so the result has OpenBLAS's bits (products big enough to
/// skip its small-matrix kernel). A[i, p] is at `a + i·lda + p·ak` (Aᵀ read in place); B is read
/// in place, never packed.
void nn_blas_order_gemm_f32(const float *a, long lda, long ak, const float *b, long ldb, float *c, long ldc,
                            long m, long n, long k, int beta, long kBlock);

#endif
