// Fused scaled dot-product attention (F.scaled_dot_product_attention without dropout), forward
// and backward, per head: scores q·kᵀ·scale (+ mask), a row softmax, then the products with v;
// the backward reads the saved probabilities. The products are small (a head is tens of rows),
// done here in register tiles instead of one BLAS call each, and with a causal mask the
// products a query cannot see are skipped (PyTorch's CPU flash attention skips them too).
// float32 rows take nn_softmax_lastdim_f32's steps in ATen's summation order (inlined below for
// 16 lanes), so a row's probabilities have the bits the unfused softmax gives the same scores.
#include "attention.h"
#include "softmax.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

// float32 rows in 16 lanes (AVX-512's ATen order), as nn_softmax_lastdim_f32 and its backward
// compute them bit for bit, inlined into each kernel clone: called once per row, the library
// functions' per-call dispatch, scalar maximum and lane bookkeeping cost more than the row's
// exps (27% of the forward kernel). Other lane counts and libm's exp call the library.
#include "sleef_expf.h"   // sets fp contract(off): nothing below is fused until it is set back

typedef float attention_v16 __attribute__((vector_size(64), aligned(4)));
typedef float attention_v8 __attribute__((vector_size(32)));
typedef float attention_v4 __attribute__((vector_size(16)));

static inline __attribute__((always_inline)) attention_v16 load16(const float *p) {
    attention_v16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

/// Σ v[j] over a row of n ≥ 16 values in ATen's reduce_all order for 16 lanes (see softmax.c's
/// LANE_REDUCE): lane l sums v[l], v[l + 16], … in order, the tail goes to the first lanes, then
/// the lanes are added pairwise by halves.
static inline __attribute__((always_inline)) float lane16_sum(const float *v, long n) {
    attention_v16 acc = load16(v);
    long d = 16;
    for (; d + 16 <= n; d += 16) acc = acc + load16(v + d);
    if (d < n) {
        float lanes[16];
        memcpy(lanes, &acc, sizeof lanes);
        for (long l = 0; l < n - d; l++) lanes[l] = lanes[l] + v[d + l];
        memcpy(&acc, lanes, sizeof acc);
    }
    attention_v8 h8 = __builtin_shufflevector(acc, acc, 0, 1, 2, 3, 4, 5, 6, 7)
                    + __builtin_shufflevector(acc, acc, 8, 9, 10, 11, 12, 13, 14, 15);
    attention_v4 h4 = __builtin_shufflevector(h8, h8, 0, 1, 2, 3) + __builtin_shufflevector(h8, h8, 4, 5, 6, 7);
    float s0 = h4[0] + h4[2], s1 = h4[1] + h4[3];
    return s0 + s1;
}

static inline __attribute__((always_inline)) void softmax_row_f32(const nn_attention_shape *a, const float *x, float *y, long n) {
    if (a->lanes != 16 || a->libm || n < 16) {
        nn_softmax_lastdim_f32(x, y, 1, n, a->lanes, a->libm, 0);
        return;
    }
    attention_v16 top = load16(x), nan = (attention_v16){0};
    long j = 16;
    for (; j + 16 <= n; j += 16) {
        attention_v16 v = load16(x + j);
        top = __builtin_elementwise_max(top, v);
        nan = nan + (attention_v16)(v != v);
    }
    float m = __builtin_reduce_max(top);
    int anyNaN = __builtin_reduce_max(top != top) != 0 || __builtin_reduce_min(nan) != 0;
    for (long i = 0; i < 16; i++) anyNaN |= x[i] != x[i];
    for (; j < n; j++) { m = x[j] > m ? x[j] : m; anyNaN |= x[j] != x[j]; }
    if (anyNaN) m = NAN;
    for (long i = 0; i < n; i++) y[i] = sleef_expf(x[i] - m);
    float inv = 1.0f / lane16_sum(y, n);
    for (long i = 0; i < n; i++) y[i] = y[i] * inv;
}

static inline __attribute__((always_inline)) void softmax_back_row_f32(const nn_attention_shape *a, const float *g, const float *y,
                                                                       float *gx, long n) {
    if (a->lanes != 16 || n < 16) {
        nn_softmax_backward_lastdim_f32(g, y, gx, 1, n, a->lanes, a->libm, 0);
        return;
    }
    for (long i = 0; i < n; i++) gx[i] = g[i] * y[i];
    float s = lane16_sum(gx, n);
    for (long i = 0; i < n; i++) gx[i] = (g[i] - s) * y[i];
}

#pragma clang fp contract(on)

#define T float
#define NAME(x) x##_f32
#define ENTRY NN_CLONES
#define SOFTMAX_ROW(a, x, y, n) softmax_row_f32((a), (x), (y), (n))
#define SOFTMAX_BACK_ROW(a, g, y, gx, n) softmax_back_row_f32((a), (g), (y), (gx), (n))
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
