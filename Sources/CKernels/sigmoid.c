// torch.sigmoid for float32 as ATen's sigmoid_kernel computes it: its vector lambda
// (`(0 - x).exp() + 1` then the reciprocal, exp being SLEEF's u10 expf) over whole pairs of
// vectors, its scalar lambda (libm's expf) over the rest. The split between threads, which
// decides where the scalar tails fall, is the caller's (Sigmoid.swift).
#include "CKernels.h"
#include "sleef_expf.h"

#define NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

NN_CLONES
void nn_sigmoid_f32(const float *restrict x, float *restrict y, long count, long block) {
    long vectorised = block > 0 ? count - count % block : 0;
    for (long i = 0; i < vectorised; i++) y[i] = 1.0f / (sleef_expf(0.0f - x[i]) + 1.0f);
    for (long i = vectorised; i < count; i++) y[i] = 1.0f / (1.0f + expf(-x[i]));
}
