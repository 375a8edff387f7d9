// float32 softmax / log_softmax along a contiguous last dimension, forward and backward, in the
// order ATen's vectorised kernels (SoftMaxKernel.cpp) compute them, so printed losses match
// PyTorch to the last bit: exp and log are SLEEF's 1-ulp float algorithms (PyTorch's
// Vectorized<float>::exp / ::log) written with explicit fmaf, and sums run in `lanes` partial
// sums (16 for AVX-512, 8 for AVX2: the width PyTorch's kernels use on that CPU), reduced as
// ATen's vec_reduce_all does. Nothing is contracted implicitly, so every clone (AVX-512,
// AVX2+FMA, baseline SSE2 with libm's fmaf) gives the same bits.
#include "softmax.h"
#include "sleef_expf.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#pragma clang fp contract(off)

#define NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define NN_MAX_LANES 16

static inline float sm_f(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static inline uint32_t sm_bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }

/// A float and its rounding error (SLEEF's double-float `vfloat2`).
typedef struct { float x, y; } float2;

static inline float2 df_add2_ff(float x, float y) {
    float s = x + y, v = s - x;
    return (float2){s, (x - (s - v)) + (y - v)};
}

static inline float2 df_add_f2f(float2 x, float y) {
    float s = x.x + y;
    return (float2){s, ((x.x - s) + y) + x.y};
}

static inline float2 df_add_f2f2(float2 x, float2 y) {
    float s = x.x + y.x;
    return (float2){s, (((x.x - s) + y.x) + x.y) + y.y};
}

static inline float2 df_mul_f2f(float2 x, float y) {
    float s = x.x * y;
    return (float2){s, fmaf(x.y, y, fmaf(x.x, y, -s))};
}

static inline float2 df_div(float2 n, float2 d) {
    float t = 1.0f / d.x;
    float s = n.x * t;
    float u = fmaf(t, n.x, -s);
    float v = fmaf(-d.y, t, fmaf(-d.x, t, 1.0f));
    return (float2){s, fmaf(s, v, fmaf(n.y, t, u))};
}

/// SLEEF's logf (u10) for a positive normal or subnormal `d`: d = m·2^e with m in [0.75, 1.5),
/// log m = 2·atanh((m-1)/(m+1)) in double-float arithmetic; 0 → -inf, negative or NaN → NaN,
/// inf → inf.
static inline float sleef_logf(float d) {
    int tiny = d < 0x1p-126f;
    float dn = tiny ? d * 18446744073709551616.0f : d;
    int32_t e = (int32_t)((sm_bits(dn * (1.0f / 0.75f)) >> 23) & 0xff) - 0x7f;
    float m = sm_f(sm_bits(dn) + (uint32_t)(-e) * (1u << 23));
    e = tiny ? e - 64 : e;
    float2 s = df_mul_f2f((float2){0.69314718246459960938f, -1.904654323148236017e-09f}, (float)e);
    float2 x = df_div(df_add2_ff(-1.0f, m), df_add2_ff(1.0f, m));
    float x2 = x.x * x.x;
    float t = 0.3027294874e+0f;
    t = fmaf(t, x2, 0.3996108174e+0f);
    t = fmaf(t, x2, 0.6666694880e+0f);
    s = df_add_f2f2(s, (float2){x.x * 2.0f, x.y * 2.0f});
    s = df_add_f2f(s, x2 * x.x * t);
    float r = s.x + s.y;
    r = d == INFINITY ? INFINITY : r;
    r = (d < 0.0f || d != d) ? NAN : r;
    return d == 0.0f ? -INFINITY : r;
}

float nn_expf_sleef(float x) { return sleef_expf(x); }
float nn_logf_sleef(float x) { return sleef_logf(x); }

/// exp for the kernels: SLEEF's, or libm's where PyTorch's scalar fallback is used (`libm`).
static inline float kernel_exp(float x, int libm) { return libm ? expf(x) : sleef_expf(x); }

/// Folds `count` (< lanes) trailing values into the first lanes, then the lanes pairwise by
/// halves (ATen's shuffle reduction); a row shorter than `lanes` is summed in order instead.
static inline float lane_sum(float *acc, int lanes, long size) {
    if (size < lanes) {
        float s = acc[0];
        for (long i = 1; i < size; i++) s = s + acc[i];
        return s;
    }
    for (int half = lanes / 2; half >= 1; half /= 2)
        for (int l = 0; l < half; l++) acc[l] = acc[l] + acc[l + half];
    return acc[0];
}

/// Σ f(j) over a row in ATen's reduce_all order; `f` fills `v[0..<n]` with values j0..<j0+n.
#define LANE_REDUCE(result, size, lanes, VALUE)                                                   \
    do {                                                                                          \
        float acc_[NN_MAX_LANES];                                                                 \
        long first_ = (size) < (lanes) ? (size) : (lanes);                                       \
        for (long l_ = 0; l_ < first_; l_++) { long j = l_; acc_[l_] = (VALUE); }                 \
        long d_ = (lanes);                                                                        \
        if ((size) >= (lanes)) {                                                                  \
            for (; d_ + (lanes) <= (size); d_ += (lanes))                                         \
                for (int l_ = 0; l_ < (lanes); l_++) { long j = d_ + l_; acc_[l_] = acc_[l_] + (VALUE); } \
            for (long l_ = 0; l_ < (size) - d_; l_++) { long j = d_ + l_; acc_[l_] = acc_[l_] + (VALUE); } \
        }                                                                                         \
        (result) = lane_sum(acc_, (lanes), (size));                                               \
    } while (0)

/// The row's maximum, NaN if any value is NaN. Branch-free so it vectorises: `nan` records
/// whether a NaN was seen, which the maximum alone would lose.
static inline float row_max(const float *x, long size) {
    float m = -INFINITY;
    int nan = 0;
    for (long j = 0; j < size; j++) {
        float v = x[j];
        m = v > m ? v : m;
        nan |= v != v;
    }
    return nan ? NAN : m;
}

NN_CLONES
void nn_softmax_lastdim_f32(const float *x, float *y, long rows, long size, int lanes, int libm, int log) {
    if (size <= 0) return;
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * size;
        float *yr = y + r * size;
        float m = row_max(xr, size);
        if (log) {
            float sum;
            LANE_REDUCE(sum, size, lanes, kernel_exp(xr[j] - m, libm));
            float logSum = libm ? logf(sum) : sleef_logf(sum);
            for (long j = 0; j < size; j++) yr[j] = (xr[j] - m) - logSum;
        } else {
            if (libm) {
                for (long j = 0; j < size; j++) yr[j] = expf(xr[j] - m);
            } else {
                for (long j = 0; j < size; j++) yr[j] = sleef_expf(xr[j] - m);
            }
            float sum;
            LANE_REDUCE(sum, size, lanes, yr[j]);
            float inv = 1.0f / sum;
            for (long j = 0; j < size; j++) yr[j] = yr[j] * inv;
        }
    }
}

NN_CLONES
void nn_softmax_backward_lastdim_f32(const float *g, const float *y, float *gx, long rows, long size, int lanes,
                                     int libm, int log) {
    if (size <= 0) return;
    for (long r = 0; r < rows; r++) {
        const float *gr = g + r * size, *yr = y + r * size;
        float *out = gx + r * size;
        float s;
        if (log) {
            LANE_REDUCE(s, size, lanes, gr[j]);
            // ATen's `g - exp(y)·s` is compiled (by GCC) into one fused multiply-add where the
            // CPU has FMA.
            for (long j = 0; j < size; j++) {
                float e = kernel_exp(yr[j], libm);
                out[j] = libm ? gr[j] - e * s : fmaf(-e, s, gr[j]);
            }
        } else {
            LANE_REDUCE(s, size, lanes, gr[j] * yr[j]);
            for (long j = 0; j < size; j++) out[j] = (gr[j] - s) * yr[j];
        }
    }
}

/// ATen's block of inner positions for a softmax over a non-last dim: 128 KiB of the dim's
/// values, at least one vector, a whole number of vectors.
static long inner_chunk(long size, int lanes) {
    long chunk = 128 * 1024 / size / (long)sizeof(float);
    chunk = chunk < lanes ? lanes : chunk;
    return chunk / lanes * lanes;
}

NN_CLONES
int nn_log_softmax_inner_f32(const float *x, float *y, long outer, long size, long inner, int lanes, int libm) {
    if (size <= 0 || inner <= 0) return 0;
    long chunk = inner_chunk(size, lanes);
    float *scratch = malloc(2 * (size_t)chunk * sizeof(float));
    if (!scratch) return -1;
    float *mx = scratch, *sum = scratch + chunk;
    for (long o = 0; o < outer; o++) {
        for (long c0 = 0; c0 < inner; c0 += chunk) {
            long n = inner - c0 < chunk ? inner - c0 : chunk;
            long vectorEnd = n - n % lanes;   // ATen's scalar tail (libm's exp) after this
            const float *xb = x + o * size * inner + c0;
            float *yb = y + o * size * inner + c0;
            for (long i = 0; i < n; i++) { mx[i] = -INFINITY; sum[i] = 0.0f; }
            for (long d = 0; d < size; d++)
                for (long i = 0; i < n; i++) { float v = xb[d * inner + i]; mx[i] = v > mx[i] ? v : mx[i]; }
            for (long d = 0; d < size; d++) {
                for (long i = 0; i < vectorEnd; i++) sum[i] = sum[i] + kernel_exp(xb[d * inner + i] - mx[i], libm);
                for (long i = vectorEnd; i < n; i++) sum[i] = sum[i] + expf(xb[d * inner + i] - mx[i]);
            }
            for (long i = 0; i < n; i++) sum[i] = libm ? logf(sum[i]) : sleef_logf(sum[i]);
            for (long d = 0; d < size; d++)
                for (long i = 0; i < n; i++) yb[d * inner + i] = (xb[d * inner + i] - mx[i]) - sum[i];
        }
    }
    free(scratch);
    return 0;
}

NN_CLONES
int nn_softmax_backward_inner_f32(const float *g, const float *y, float *gx, long outer, long size, long inner, int lanes,
                                  int libm, int log) {
    if (size <= 0 || inner <= 0) return 0;
    long chunk = inner_chunk(size, lanes);
    float *sum = malloc((size_t)chunk * sizeof(float));
    if (!sum) return -1;
    for (long o = 0; o < outer; o++) {
        for (long c0 = 0; c0 < inner; c0 += chunk) {
            long n = inner - c0 < chunk ? inner - c0 : chunk;
            long vectorEnd = n - n % lanes;
            long base = o * size * inner + c0;
            for (long i = 0; i < n; i++) sum[i] = 0.0f;
            for (long d = 0; d < size; d++) {
                const float *gr = g + base + d * inner, *yr = y + base + d * inner;
                if (log) for (long i = 0; i < n; i++) sum[i] = sum[i] + gr[i];
                else for (long i = 0; i < n; i++) sum[i] = libm ? sum[i] + gr[i] * yr[i] : fmaf(gr[i], yr[i], sum[i]);
            }
            for (long d = 0; d < size; d++) {
                const float *gr = g + base + d * inner, *yr = y + base + d * inner;
                float *out = gx + base + d * inner;
                if (log) {
                    for (long i = 0; i < n; i++) {
                        float e = i < vectorEnd ? kernel_exp(yr[i], libm) : expf(yr[i]);
                        out[i] = libm ? gr[i] - e * sum[i] : fmaf(-e, sum[i], gr[i]);
                    }
                } else {
                    for (long i = 0; i < n; i++) out[i] = yr[i] * (gr[i] - sum[i]);
                }
            }
        }
    }
    free(sum);
    return 0;
}

