// Random fills as ATen computes them, bit for bit: uniform_'s `x·(to − from) + from` as one fused
// multiply-add (GCC contracts ATen's expression), and normal_'s float32 Box–Muller with cephes'
// logf and sincosf as ATen's avx_mathfun.h writes them, each product fused into the add or
// subtract that consumes it, in statement order (the fused multiply-adds GCC makes of them).
// Every fused step is an explicit fmaf and nothing else is contracted, so every clone (AVX-512,
// AVX2+FMA, baseline with libm's fmaf) gives the same bits. The Swift port this replaced is the
// tests' reference (Tests/TensorRuntimeTests/BoxMullerReference.swift).
#include "CKernels.h"
#include <math.h>
#include <string.h>

#pragma clang fp contract(off)

#define NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

NN_CLONES
void nn_uniform_fill_f32(const uint32_t *restrict w, float *restrict out, long count, float from, float to) {
    const float range = to - from;
    for (long j = 0; j < count; j++) {
        float x = (float)(w[j] & ((1u << 24) - 1)) * (1.0f / 16777216.0f);
        out[j] = fmaf(x, range, from);
    }
}

NN_CLONES
void nn_uniform_fill_f64(const uint32_t *restrict w, double *restrict out, long count, double from, double to) {
    const double range = to - from;
    for (long j = 0; j < count; j++) {
        uint64_t bits = ((uint64_t)w[2 * j] << 32) | (uint64_t)w[2 * j + 1];
        double x = (double)(bits & ((1ull << 53) - 1)) * (1.0 / 9007199254740992.0);
        out[j] = fma(x, range, from);
    }
}

static inline __attribute__((always_inline)) uint32_t float_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline __attribute__((always_inline)) float bits_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/// `log256_ps`: natural log; NaN for x ≤ 0, denormals cut to the smallest normal.
static inline __attribute__((always_inline)) float mathfun_log(float value) {
    static const float c[9] = {7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f,
                               1.4249322787E-1f, -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f,
                               3.3333331174E-1f};
    const float minNormal = bits_float(0x00800000u);
    float x = value > minNormal ? value : minNormal;
    uint32_t bits = float_bits(x);
    float e = (float)((int32_t)(bits >> 23) - 0x7f) + 1.0f;
    x = bits_float((bits & ~0x7f800000u) | float_bits(0.5f));
    int below = x < 0.707106781186547524f;
    float shifted = below ? x : 0.0f;
    x = x - 1.0f;
    e = e - (below ? 1.0f : 0.0f);
    x = x + shifted;
    float z = x * x;
    float y = c[0];
    for (int i = 1; i < 9; i++) y = fmaf(y, x, c[i]);
    y = y * x;
    y = fmaf(y, z, e * -2.12194440e-4f);
    y = fmaf(-z, 0.5f, y);
    x = x + y;
    x = fmaf(e, 0.693359375f, x);
    return (value <= 0.0f || value != value) ? NAN : x;
}

/// `sincos256_ps`: sine and cosine (cephes range reduction by π/4; accurate for |x| < 8192).
static inline __attribute__((always_inline)) void mathfun_sincos(float value, float *sinOut, float *cosOut) {
    float x = fabsf(value);
    float scaled = x * 1.27323954473516f;
    int32_t j = scaled < 2147483520.0f ? (int32_t)scaled : INT32_MIN;
    j = (int32_t)(((uint32_t)j + 1u) & ~1u);
    float y = (float)j;
    int flipSin = (signbit(value) != 0) != ((j & 4) != 0);
    int usesSinPolynomial = (j & 2) == 0;
    int flipCos = (~((uint32_t)j - 2u) & 4u) != 0;
    x = fmaf(y, -0.78515625f, x);
    x = fmaf(y, -2.4187564849853515625e-4f, x);
    x = fmaf(y, -3.77489497744594108e-8f, x);
    float z = x * x;
    float co = fmaf(2.443315711809948E-005f, z, -1.388731625493765E-003f);
    co = fmaf(co, z, 4.166664568298827E-002f);
    co = co * z;
    co = fmaf(co, z, -(z * 0.5f));
    co = co + 1.0f;
    float s = fmaf(-1.9515295891E-4f, z, 8.3321608736E-3f);
    s = fmaf(s, z, -1.6666654611E-1f);
    s = s * z;
    s = fmaf(s, x, x);
    // The kernel's masked select, kept as its arithmetic (signed zeros).
    float sinFromS = usesSinPolynomial ? s : 0.0f, sinFromC = usesSinPolynomial ? 0.0f : co;
    float sinValue = sinFromC + sinFromS, cosValue = (co - sinFromC) + (s - sinFromS);
    *sinOut = flipSin ? -sinValue : sinValue;
    *cosOut = flipCos ? -cosValue : cosValue;
}

NN_CLONES
void nn_normal_fill16_f32(float *d, long blocks, float mean, float std) {
    const float twoPi = (float)(2.0 * 3.14159265358979323846);
    for (long b = 0; b < blocks; b++) {
        float *restrict block = d + 16 * b;
        for (int j = 0; j < 8; j++) {
            float radius = sqrtf(-2.0f * mathfun_log(1.0f - block[j]));
            float s, c;
            mathfun_sincos(twoPi * block[j + 8], &s, &c);
            block[j] = fmaf(radius * c, std, mean);
            block[j + 8] = fmaf(radius * s, std, mean);
        }
    }
}
