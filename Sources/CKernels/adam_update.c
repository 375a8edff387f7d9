// torch.optim.Adam / AdamW's float32 update, as PyTorch's `_single_tensor_adam` runs it element by
// element: weight decay (decoupled: `param.mul_`; else `grad.add(param, alpha=wd)`), the lerp of
// exp_avg, exp_avg_sq's `mul_(beta2).addcmul_(grad, grad, 1 - beta2)`, the amsgrad maximum and
// `param.addcdiv_(exp_avg, denom, -step_size)`. Nothing is contracted into a fused multiply-add,
// so the AVX-512, AVX2 and baseline clones give the same bits; the compiler vectorises across
// elements, specialised per combination of options (none is tested per element).
#include "CKernels.h"

#pragma clang fp contract(off)

#define NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

static inline __attribute__((always_inline)) void adam_loop(
    float *restrict p, const float *restrict g, float *restrict m, float *restrict v, float *restrict vmax,
    long count, const struct nn_adam_constants *c, int maximize, int has_decay, int decoupled, int use_low, int amsgrad) {
    const float negStep = c->neg_step_size, bc2Sqrt = c->bc2_sqrt, weight = c->weight, oneMinusWeight = c->one_minus_weight;
    const float beta2 = c->beta2, oneMinusBeta2 = c->one_minus_beta2, eps = c->eps, wd = c->weight_decay;
    const float decayFactor = c->decay_factor;
    for (long i = 0; i < count; i++) {
        float d = maximize ? -g[i] : g[i];
        float pi = p[i];
        if (has_decay) {
            if (decoupled) pi = pi * decayFactor; else d = d + wd * pi;
        }
        float mi = m[i];
        mi = use_low ? mi + weight * (d - mi) : d - (d - mi) * oneMinusWeight;
        float vi = v[i] * beta2 + oneMinusBeta2 * d * d;
        float second = vi;
        if (amsgrad) {
            float previous = vmax[i];
            second = previous < vi ? vi : previous;
            vmax[i] = second;
        }
        float denom = __builtin_elementwise_sqrt(second) / bc2Sqrt + eps;
        p[i] = pi + negStep * mi / denom;
        m[i] = mi;
        v[i] = vi;
    }
}

NN_CLONES
void nn_adam_update_f32(float *param, const float *grad, float *exp_avg, float *exp_avg_sq, float *max_exp_avg_sq,
                        long count, const struct nn_adam_constants *c) {
    int has_decay = c->has_decay;
    // The common cases get loops of their own; the rest share one with its options as values.
    if (!c->maximize && c->use_low && !max_exp_avg_sq) {
        if (!has_decay) adam_loop(param, grad, exp_avg, exp_avg_sq, 0, count, c, 0, 0, 0, 1, 0);
        else if (c->decoupled) adam_loop(param, grad, exp_avg, exp_avg_sq, 0, count, c, 0, 1, 1, 1, 0);
        else adam_loop(param, grad, exp_avg, exp_avg_sq, 0, count, c, 0, 1, 0, 1, 0);
        return;
    }
    adam_loop(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, count, c, c->maximize, has_decay, c->decoupled,
              c->use_low, max_exp_avg_sq != 0);
}
