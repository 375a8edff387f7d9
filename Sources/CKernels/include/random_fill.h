// float32/float64 random fills from Mersenne Twister words and uniforms (random_fill.c).
#ifndef RANDOM_FILL_H
#define RANDOM_FILL_H

#include <stdint.h>

/// `out[j] = fma(x, to - from, from)` with `x = (w[j] & 0xffffff) / 2^24` (ATen's uniform_ in float32).
void nn_uniform_fill_f32(const uint32_t *w, float *out, long count, float from, float to);

/// `out[j] = fma(x, to - from, from)` with `x` the low 53 bits of `w[2j] << 32 | w[2j+1]`, over 2^53.
void nn_uniform_fill_f64(const uint32_t *w, double *out, long count, double from, double to);

/// PyTorch's `normal_fill_16_AVX2` on `blocks` blocks of 16 uniforms in place: Box–Muller on
/// (d[j], d[j + 8]) of each block with avx_mathfun's log and sincos.
void nn_normal_fill16_f32(float *d, long blocks, float mean, float std);

#endif
