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

#endif
