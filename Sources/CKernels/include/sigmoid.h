// float32 sigmoid in ATen's order (sigmoid.c).
#ifndef SIGMOID_H
#define SIGMOID_H

/// One thread's chunk of ATen's float32 sigmoid kernel: blocks of `block` elements (its two
/// vectors: 32 on AVX-512, 16 on AVX2) as `1 / (1 + exp(0 - x))` with SLEEF's expf, the last
/// `count % block` elements (every element when `block` is 0, PyTorch's build without AVX2) as
/// `1 / (1 + expf(-x))` with libm's expf. Same bits on every instruction set.
void nn_sigmoid_f32(const float *x, float *y, long count, long block);

#endif
