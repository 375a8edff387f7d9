// torch.expm1 / log1p / exp2 / atanh and F.mish / silu / elu for float32 as PyTorch computes them
// on AVX2 and AVX-512: ATen's vector lambda with SLEEF's functions (sleef_unary.h, sleef_expf.h) on
// the elements its vector path covers, its scalar lambda with libm's on the rest. Which elements
// those are is the caller's (AtenUnaryFloat.swift).
#include "CKernels.h"
#include "sleef_unary.h"
#include "sleef_expf.h"

#define NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

/// ATen's vector lambda for one element.
static inline __attribute__((always_inline)) float sleef_op(int op, float x, float p0, float p1, float p2) {
    switch (op) {
    case NN_UNARY_EXPM1: return sleef_expm1f(x);
    case NN_UNARY_LOG1P: return sleef_log1pf(x);
    case NN_UNARY_EXP2: return sleef_exp2f(x);
    case NN_UNARY_ATANH: return sleef_atanhf(x);
    case NN_UNARY_MISH: return x * sleef_tanhf(sleef_log1pf(sleef_expf(x)));
    case NN_UNARY_SILU: return x / (1.0f + sleef_expf(-x));
    case NN_UNARY_SOFTPLUS: return x * p0 > p1 ? x : sleef_log1pf(sleef_expf(x * p0)) / p0;
    case NN_UNARY_LOG_SIGMOID: return (x < 0.0f || x != x ? x : 0.0f) - sleef_log1pf(sleef_expf(-fabsf(x)));
    default: return x >= 0.0f ? x * p2 : sleef_expm1f(x * p1) * p0;
    }
}

/// ATen's scalar lambda for one element.
static inline __attribute__((always_inline)) float libm_op(int op, float x, float p0, float p1, float p2) {
    switch (op) {
    case NN_UNARY_EXPM1: return expm1f(x);
    case NN_UNARY_LOG1P: return log1pf(x);
    case NN_UNARY_EXP2: return exp2f(x);
    case NN_UNARY_ATANH: return atanhf(x);
    case NN_UNARY_MISH: return x * tanhf(log1pf(expf(x)));
    case NN_UNARY_SILU: return x / (1.0f + expf(-x));
    case NN_UNARY_SOFTPLUS: return x * p0 > p1 ? x : log1pf(expf(x * p0)) / p0;
    case NN_UNARY_LOG_SIGMOID: return (x < 0.0f || x != x ? x : 0.0f) - log1pf(expf(-fabsf(x)));
    default: return x < 0.0f ? expm1f(x * p1) * p0 : x * p2;
    }
}

/// Both loops for a constant `op`, so each gets loops of its own.
static inline __attribute__((always_inline)) void unary_loops(int op, const float *restrict x, float *restrict y, long count,
                                                              long vectorised, float p0, float p1, float p2) {
    for (long i = 0; i < vectorised; i++) y[i] = sleef_op(op, x[i], p0, p1, p2);
    for (long i = vectorised; i < count; i++) y[i] = libm_op(op, x[i], p0, p1, p2);
}

NN_CLONES
void nn_unary_f32(int op, const float *restrict x, float *restrict y, long count, long vectorised, float p0, float p1, float p2) {
    vectorised = vectorised < 0 ? 0 : (vectorised > count ? count : vectorised);
    switch (op) {
    case NN_UNARY_EXPM1: unary_loops(NN_UNARY_EXPM1, x, y, count, vectorised, p0, p1, p2); break;
    case NN_UNARY_LOG1P: unary_loops(NN_UNARY_LOG1P, x, y, count, vectorised, p0, p1, p2); break;
    case NN_UNARY_EXP2: unary_loops(NN_UNARY_EXP2, x, y, count, vectorised, p0, p1, p2); break;
    case NN_UNARY_ATANH: unary_loops(NN_UNARY_ATANH, x, y, count, vectorised, p0, p1, p2); break;
    case NN_UNARY_MISH: unary_loops(NN_UNARY_MISH, x, y, count, vectorised, p0, p1, p2); break;
    case NN_UNARY_SILU: unary_loops(NN_UNARY_SILU, x, y, count, vectorised, p0, p1, p2); break;
    case NN_UNARY_SOFTPLUS: unary_loops(NN_UNARY_SOFTPLUS, x, y, count, vectorised, p0, p1, p2); break;
    case NN_UNARY_LOG_SIGMOID: unary_loops(NN_UNARY_LOG_SIGMOID, x, y, count, vectorised, p0, p1, p2); break;
    default: unary_loops(NN_UNARY_ELU, x, y, count, vectorised, p0, p1, p2); break;
    }
}
