// The recurrent cells' float32 gate nonlinearities, vectorised: exp and tanh are Cephes's float
// polynomials (within 2 ulp of the correctly rounded result) written branch-free so the
// compiler vectorises the loops for each instruction set (AVX-512, AVX2+FMA, SSE2).
#include "recurrent_gates.h"
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

#define NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

static inline float bits_to_float(int32_t b) { float f; memcpy(&f, &b, 4); return f; }

/// Cephes expf: e^x = 2^n · p(r), x = n·ln2 + r, |r| ≤ ln2/2.
static inline float nn_expf(float x) {
    x = x > 88.3762626647949f ? 88.3762626647949f : x;
    x = x < -87.3365447505531f ? -87.3365447505531f : x;
    float fx = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
    float r = x - fx * 0.693359375f;
    r = r - fx * -2.12194440e-4f;
    float z = r * r;
    float y = 1.9875691500e-4f;
    y = y * r + 1.3981999507e-3f;
    y = y * r + 8.3334519073e-3f;
    y = y * r + 4.1665795894e-2f;
    y = y * r + 1.6666665459e-1f;
    y = y * r + 5.0000001201e-1f;
    y = y * z + r + 1.0f;
    return y * bits_to_float(((int32_t)fx + 127) << 23);
}

static inline float nn_sigmoidf(float x) { return 1.0f / (1.0f + nn_expf(-x)); }

/// Cephes tanhf: an odd polynomial below 0.625, 1 - 2 / (e^2|x| + 1) above (sign restored).
static inline float nn_tanhf(float x) {
    float a = x < 0 ? -x : x;
    float s = x * x;
    float p = -5.70498872745e-3f;
    p = p * s + 2.06390887954e-2f;
    p = p * s - 5.37397155531e-2f;
    p = p * s + 1.33314422036e-1f;
    p = p * s - 3.33332819422e-1f;
    float small = p * s * x + x;
    float e = nn_expf(2.0f * (a > 44.0f ? 44.0f : a));
    float big = 1.0f - 2.0f / (e + 1.0f);
    big = x < 0 ? -big : big;
    return a < 0.625f ? small : big;
}

NN_CLONES
void nn_lstm_gates_forward_f32(const float *restrict gx, const float *restrict gh, float *restrict act,
                               float *restrict cell, float *restrict tanh_cell, float *restrict out, long rows,
                               long hidden) {
    const long g = 4 * hidden;
    for (long r = 0; r < rows; r++) {
        const float *restrict x = gx + r * g, *restrict y = gh + r * g;
        float *restrict a = act + r * g, *restrict c = cell + r * hidden, *restrict tc = tanh_cell + r * hidden,
              *restrict o = out + r * hidden;
        for (long j = 0; j < hidden; j++) {
            float i = nn_sigmoidf(y[j] + x[j]);
            float f = nn_sigmoidf(y[hidden + j] + x[hidden + j]);
            float cg = nn_tanhf(y[2 * hidden + j] + x[2 * hidden + j]);
            float og = nn_sigmoidf(y[3 * hidden + j] + x[3 * hidden + j]);
            float cn = f * c[j] + i * cg;
            float t = nn_tanhf(cn);
            a[j] = i; a[hidden + j] = f; a[2 * hidden + j] = cg; a[3 * hidden + j] = og;
            c[j] = cn;
            tc[j] = t;
            o[j] = og * t;
        }
    }
}

NN_CLONES
void nn_gru_gates_forward_f32(const float *restrict gx, const float *restrict gh, float *restrict act,
                              const float *restrict hidden_before, float *restrict candidate, float *restrict out,
                              long rows, long hidden) {
    const long g = 3 * hidden;
    for (long r = 0; r < rows; r++) {
        const float *restrict x = gx + r * g, *restrict y = gh + r * g, *restrict hp = hidden_before + r * hidden;
        float *restrict a = act + r * g, *restrict cand = candidate + r * hidden, *restrict o = out + r * hidden;
        for (long j = 0; j < hidden; j++) {
            float reset = nn_sigmoidf(y[j] + x[j]);
            float update = nn_sigmoidf(y[hidden + j] + x[hidden + j]);
            float hn = y[2 * hidden + j];
            float n = nn_tanhf(x[2 * hidden + j] + hn * reset);
            a[j] = reset; a[hidden + j] = update; a[2 * hidden + j] = n;
            cand[j] = hn;
            o[j] = (hp[j] - n) * update + n;
        }
    }
}

NN_CLONES
void nn_tanh_sum_f32(const float *restrict gx, const float *restrict gh, float *restrict out, long count) {
    for (long i = 0; i < count; i++) out[i] = nn_tanhf(gh[i] + gx[i]);
}
