// Fused scaled dot-product attention (F.scaled_dot_product_attention without dropout), forward
// and backward, per head: scores q·kᵀ·scale (+ mask), a row softmax, then the products with v;
// the backward reads the saved probabilities. The products are small (a head is tens of rows),
// done here in register tiles instead of one BLAS call each, and with a causal mask the
// products a query cannot see are skipped (PyTorch's CPU flash attention skips them too).
// float32 rows go through nn_softmax_lastdim_f32 (ATen's summation order), so a row's
// probabilities have the bits the unfused softmax gives the same scores.
#include "attention.h"
#include "softmax.h"
#include <math.h>
#include <stdlib.h>

#define NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

enum { TRI_FULL, TRI_LOWER_A, TRI_UPPER_A, TRI_LOWER_C };

/// float64 softmax of a row: max (NaN if any NaN), exp(x − max), times 1/Σ.
static void softmax_row_f64(const double *x, double *y, long n) {
    double m = -INFINITY;
    int nan = 0;
    for (long j = 0; j < n; j++) { m = x[j] > m ? x[j] : m; nan |= x[j] != x[j]; }
    if (nan) m = NAN;
    double sum = 0;
    for (long j = 0; j < n; j++) { y[j] = exp(x[j] - m); sum += y[j]; }
    double inv = 1 / sum;
    for (long j = 0; j < n; j++) y[j] = y[j] * inv;
}

/// float64 softmax backward of a row: gx = (g − Σ g·y)·y.
static void softmax_back_row_f64(const double *g, const double *y, double *gx, long n) {
    double s = 0;
    for (long j = 0; j < n; j++) s += g[j] * y[j];
    for (long j = 0; j < n; j++) gx[j] = (g[j] - s) * y[j];
}

#define T float
#define NAME(x) x##_f32
#define ENTRY NN_CLONES
#define SOFTMAX_ROW(a, x, y, n) nn_softmax_lastdim_f32((x), (y), 1, (n), (a)->lanes, (a)->libm, 0)
#define SOFTMAX_BACK_ROW(a, g, y, gx, n) nn_softmax_backward_lastdim_f32((g), (y), (gx), 1, (n), (a)->lanes, (a)->libm, 0)
#include "attention_kernel.h"
#undef T
#undef NAME
#undef ENTRY
#undef SOFTMAX_ROW
#undef SOFTMAX_BACK_ROW

#define T double
#define NAME(x) x##_f64
#define ENTRY
#define SOFTMAX_ROW(a, x, y, n) softmax_row_f64((x), (y), (n))
#define SOFTMAX_BACK_ROW(a, g, y, gx, n) softmax_back_row_f64((g), (y), (gx), (n))
#include "attention_kernel.h"
