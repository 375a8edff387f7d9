// oneDNN's float32 GELU (erf form) kernels, ported from GeluMath.swift operation by operation:
// every fused multiply-add is an explicit fmaf, and nothing else is contracted, so each clone
// (AVX-512, AVX2+FMA, baseline SSE2 with libm's fmaf) gives the same bits; the compiler only
// vectorises across elements.
#include "CKernels.h"
#include <math.h>
#include <string.h>

#pragma clang fp contract(off)

#define NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

static inline float f_bits(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static inline uint32_t bits_f(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }

NN_CLONES
void nn_gelu_erf_forward_onednn(const float *src, float *dst, long count, const float *table) {
    const float rbound = f_bits(0x40b15ceeu);
    for (long i = 0; i < count; i++) {
        float x = src[i];
        uint32_t posBits = bits_f(x) & 0x7fffffffu;
        float xPos = f_bits(posBits);
        int32_t index = (int32_t)(posBits + 0xc21fffffu) >> 21;
        index = index < 1 ? 1 : (index > 24 ? 24 : index);
        int k = rbound < xPos ? 23 : index;
        float pol = table[125 + k];
        pol = fmaf(pol, xPos, table[100 + k]);
        pol = fmaf(pol, xPos, table[75 + k]);
        pol = fmaf(pol, xPos, table[50 + k]);
        pol = fmaf(pol, xPos, table[25 + k]);
        pol = fmaf(pol, xPos, table[k]);
        float erf = f_bits(bits_f(pol) ^ (bits_f(x) & 0x80000000u));
        dst[i] = x * (erf + 1.0f) * 0.5f;
    }
}

/// oneDNN's exp, as `expOneDNN` in GeluMath.swift.
static inline float exp_onednn(float s0) {
    const float lnFltMin = f_bits(0xc2aeac50u), lnFltMax = f_bits(0x42b17218u);
    int underflow = s0 < lnFltMin;
    float s = s0 < lnFltMax ? s0 : lnFltMax;
    s = s > lnFltMin ? s : lnFltMin;
    float fx = s * f_bits(0x3fb8aa3bu) + 0.5f;
    float fl = floorf(fx);
    float r = fmaf(-fl, f_bits(0x3f317218u), s);
    int32_t n = (int32_t)(fl - 1.0f);
    float scale = underflow ? 0.0f : f_bits((uint32_t)((n + 127) << 23));
    float p = f_bits(0x3c07cfceu);
    p = fmaf(p, r, f_bits(0x3d2b9d0du));
    p = fmaf(p, r, f_bits(0x3e2aad40u));
    p = fmaf(p, r, f_bits(0x3efffee3u));
    p = fmaf(p, r, f_bits(0x3f7ffffbu));
    p = fmaf(p, r, 1.0f);
    return p * scale * 2.0f;
}

NN_CLONES
void nn_gelu_erf_backward_onednn(const float *dy, const float *src, float *dst, long count) {
    const float p = f_bits(0x3ea7ba05u);
    const float oneOverSqrt2 = f_bits(0x3f3504f3u), oneOverSqrtPi = f_bits(0x3f106ebau);
    const float a0 = f_bits(0x3e827906u), a1 = f_bits(0xbe91a98eu), a2 = f_bits(0x3fb5f0e3u);
    const float a3 = f_bits(0xbfba00e3u), a4 = f_bits(0x3f87dc22u);
    for (long i = 0; i < count; i++) {
        float r = src[i] * oneOverSqrt2;
        float q = exp_onednn(-(r * r));
        float t = r * oneOverSqrtPi * q;
        float w = 1.0f / fmaf(p, f_bits(bits_f(r) & 0x7fffffffu), 1.0f);
        float qw = -q * w;
        float poly = fmaf(a4, w, a3);
        poly = fmaf(poly, w, a2);
        poly = fmaf(poly, w, a1);
        poly = fmaf(poly, w, a0);
        float e = fmaf(qw, poly, 1.0f);
        float erf = f_bits(bits_f(e) ^ (bits_f(r) & 0x80000000u));
        dst[i] = dy[i] * fmaf(erf, 0.5f, t + 0.5f);
    }
}
