// SLEEF's float32 expf (u10), PyTorch's Vectorized<float>::exp on AVX2 and AVX-512, written
// with explicit fmaf and nothing contracted, so every clone gives the same bits. Shared by the
// kernels that must print PyTorch's last bits (softmax.c, sigmoid.c).
#ifndef NN_SLEEF_EXPF_H
#define NN_SLEEF_EXPF_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

/// 2^q for q in the normal exponent range.
static inline float pow2i(int32_t q) {
    uint32_t b = (uint32_t)(q + 127) << 23;
    float f;
    memcpy(&f, &b, 4);
    return f;
}

/// SLEEF's expf (u10): x = q·ln2 + s, e^s by a degree-6 polynomial, scaled by 2^q in two halves;
/// 0 below -104, inf above 100, NaN stays NaN.
static inline float sleef_expf(float d) {
    float dc = d < -104.0f ? -104.0f : (d > 100.0f ? 100.0f : d);
    dc = d != d ? 0.0f : dc;
    int32_t q = (int32_t)rintf(dc * 1.442695040888963407359924681001892137426645954152985934135449406931f);
    float qf = (float)q;
    float s = fmaf(qf, -0.693145751953125f, dc);
    s = fmaf(qf, -1.428606765330187045e-06f, s);
    float u = 0.000198527617612853646278381f;
    u = fmaf(u, s, 0.00139304355252534151077271f);
    u = fmaf(u, s, 0.00833336077630519866943359f);
    u = fmaf(u, s, 0.0416664853692054748535156f);
    u = fmaf(u, s, 0.166666671633720397949219f);
    u = fmaf(u, s, 0.5f);
    u = 1.0f + fmaf(s * s, u, s);
    int32_t half = q >> 1;
    u = u * pow2i(half) * pow2i(q - half);
    u = d < -104.0f ? 0.0f : u;
    u = d > 100.0f ? INFINITY : u;
    return d != d ? d : u;
}

#endif
