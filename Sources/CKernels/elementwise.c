// float32 add/sub/mul/div (also with alpha), relu and relu's backward over contiguous or
// single-value operands, with the CPU's widest vectors: the plain Swift loops' expressions
// element by element (IEEE operations, nothing contracted), so every clone gives their bits.
// Each (op, operand shape, in place) combination gets a loop of its own, vectorised by the
// compiler; in-place loops name the output once so no runtime alias check is needed.
#include "CKernels.h"

#pragma clang fp contract(off)

#define NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

static inline __attribute__((always_inline)) float apply_op(int op, float a, float b, float alpha) {
    switch (op) {
    case NN_BINARY_ADD: return a + b;
    case NN_BINARY_SUB: return a - b;
    case NN_BINARY_MUL: return a * b;
    case NN_BINARY_DIV: return a / b;
    case NN_BINARY_ADD_SCALED: return a + b * alpha;
    default: return b <= 0.0f ? 0.0f : a;   // threshold_backward: NaN outputs pass the gradient
    }
}

/// One loop for a constant `op` and operand steps (0 or 1); `out` aliases `a`, `b` or neither.
static inline __attribute__((always_inline)) void binary_loop(int op, const float *a, long as, const float *b, long bs,
                                                              float *out, long count, float alpha) {
    if (out == a && as == 1) {
        float *restrict o = out;
        if (bs == 1) { const float *restrict q = b; for (long i = 0; i < count; i++) o[i] = apply_op(op, o[i], q[i], alpha); }
        else { float bv = b[0]; for (long i = 0; i < count; i++) o[i] = apply_op(op, o[i], bv, alpha); }
    } else if (out == b && bs == 1) {
        float *restrict o = out;
        if (as == 1) { const float *restrict p = a; for (long i = 0; i < count; i++) o[i] = apply_op(op, p[i], o[i], alpha); }
        else { float av = a[0]; for (long i = 0; i < count; i++) o[i] = apply_op(op, av, o[i], alpha); }
    } else {
        float *restrict o = out;
        const float *restrict p = a, *restrict q = b;
        if (as == 1 && bs == 1) for (long i = 0; i < count; i++) o[i] = apply_op(op, p[i], q[i], alpha);
        else if (as == 1) { float bv = q[0]; for (long i = 0; i < count; i++) o[i] = apply_op(op, p[i], bv, alpha); }
        else { float av = p[0]; for (long i = 0; i < count; i++) o[i] = apply_op(op, av, q[i], alpha); }
    }
}

NN_CLONES
void nn_binary_f32(int op, const float *a, long a_step, const float *b, long b_step, float *out, long count, float alpha) {
    long as = a_step ? 1 : 0, bs = b_step ? 1 : 0;
    switch (op) {
    case NN_BINARY_ADD: binary_loop(NN_BINARY_ADD, a, as, b, bs, out, count, alpha); break;
    case NN_BINARY_SUB: binary_loop(NN_BINARY_SUB, a, as, b, bs, out, count, alpha); break;
    case NN_BINARY_MUL: binary_loop(NN_BINARY_MUL, a, as, b, bs, out, count, alpha); break;
    case NN_BINARY_DIV: binary_loop(NN_BINARY_DIV, a, as, b, bs, out, count, alpha); break;
    case NN_BINARY_ADD_SCALED: binary_loop(NN_BINARY_ADD_SCALED, a, as, b, bs, out, count, alpha); break;
    default: binary_loop(NN_BINARY_RELU_GRAD, a, as, b, bs, out, count, alpha); break;
    }
}

NN_CLONES
void nn_relu_f32(const float *x, float *out, long count) {
    // x < 0 ? 0 : x (-0 and NaN kept, as PyTorch's clamp_min), as ReluOp and the fused conv+ReLU rows.
    if (x == out) {
        float *restrict o = out;
        for (long i = 0; i < count; i++) { float v = o[i]; o[i] = v < 0.0f ? 0.0f : v; }
    } else {
        float *restrict o = out;
        const float *restrict p = x;
        for (long i = 0; i < count; i++) { float v = p[i]; o[i] = v < 0.0f ? 0.0f : v; }
    }
}
