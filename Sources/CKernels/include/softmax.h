// float32 softmax / log_softmax kernels in ATen's order (softmax.c), compiled per instruction set
// like the GELU kernels.
#ifndef SOFTMAX_H
#define SOFTMAX_H

/// SLEEF's expf (u10), as PyTorch's Vectorized<float>::exp computes it; the same bits on every CPU.
float nn_expf_sleef(float x);

/// SLEEF's logf (u10), as PyTorch's Vectorized<float>::log computes it.
float nn_logf_sleef(float x);

/// softmax (`log` 0) or log_softmax (`log` 1) of each of `rows` contiguous rows of `size` floats:
/// sums in `lanes` (8 or 16) partial sums as ATen's vectorised kernels; exp and log are SLEEF's, or
/// libm's when `libm` is set (PyTorch's scalar build on a CPU without AVX2).
void nn_softmax_lastdim_f32(const float *x, float *y, long rows, long size, int lanes, int libm, int log);

/// The backward of nn_softmax_lastdim_f32 from its output `y`: softmax `gx = (g - Σ g·y)·y`,
/// log_softmax `gx = g - exp(y)·Σ g`.
void nn_softmax_backward_lastdim_f32(const float *g, const float *y, float *gx, long rows, long size, int lanes,
                                     int libm, int log);

/// log_softmax over the middle dim of an `outer × size × inner` block, as ATen's _vec_logsoftmax:
/// inner positions in chunks of 128 KiB / size floats (whole vectors); in each chunk the last
/// `chunk mod lanes` positions take libm's exp (ATen's scalar tail). Returns -1 if its scratch
/// memory cannot be allocated (nothing written), else 0.
int nn_log_softmax_inner_f32(const float *x, float *y, long outer, long size, long inner, int lanes, int libm);

/// The backward of softmax (`log` 0) or log_softmax (`log` 1) over the middle dim of an
/// `outer × size × inner` block from the output `y`, as ATen's _vec_softmax_backward /
/// _vec_log_softmax_backward. Returns -1 if its scratch memory cannot be allocated, else 0.
int nn_softmax_backward_inner_f32(const float *g, const float *y, float *gx, long outer, long size, long inner, int lanes,
                                  int libm, int log);

#endif
