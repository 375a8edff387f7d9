// torch.optim.SGD's update as ATen runs it on the CPU (`_single_tensor_sgd`): every
// `add(other, alpha=a)` is ATen's vectorised `fmadd(other, a, self)`, a fused multiply-add, and
// `buf.mul_(momentum)` a plain product. Each fused step is an explicit fma and nothing else is
// contracted, so every clone (AVX-512, AVX2+FMA, baseline with libm's fma) gives PyTorch's bits.
#include "CKernels.h"
#include <math.h>

#pragma clang fp contract(off)

#define NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

NN_CLONES
void nn_sgd_update_f32(float *param, const float *grad, float *buffer, long count, const struct nn_sgd_options *o) {
    const float negLR = (float)o->neg_lr, mu = (float)o->momentum, damp = (float)o->one_minus_dampening, decay = (float)o->weight_decay;
    for (long i = 0; i < count; i++) {
        float d = o->maximize ? -grad[i] : grad[i];
        if (o->has_decay) d = fmaf(param[i], decay, d);
        if (buffer) {
            float b = o->first ? d : fmaf(d, damp, buffer[i] * mu);
            buffer[i] = b;
            d = o->nesterov ? fmaf(b, mu, d) : b;
        }
        param[i] = fmaf(d, negLR, param[i]);
    }
}

NN_CLONES
void nn_sgd_update_f64(double *param, const double *grad, double *buffer, long count, const struct nn_sgd_options *o) {
    for (long i = 0; i < count; i++) {
        double d = o->maximize ? -grad[i] : grad[i];
        if (o->has_decay) d = fma(param[i], o->weight_decay, d);
        if (buffer) {
            double b = o->first ? d : fma(d, o->one_minus_dampening, buffer[i] * o->momentum);
            buffer[i] = b;
            d = o->nesterov ? fma(b, o->momentum, d) : b;
        }
        param[i] = fma(d, o->neg_lr, param[i]);
    }
}
