// torch.optim.Adam / AdamW's per-element float32 update (adam_update.c).
#ifndef ADAM_UPDATE_H
#define ADAM_UPDATE_H

/// The per-step constants of one Adam step, already rounded to float32 as PyTorch's
/// `_single_tensor_adam` rounds them; `use_low`: the lerp of exp_avg takes its low-weight form;
/// `has_decay`: the weight decay is not zero (as a double).
struct nn_adam_constants {
    float neg_step_size, bc2_sqrt, weight, one_minus_weight, beta2, one_minus_beta2, eps, weight_decay, decay_factor;
    int use_low, maximize, has_decay, decoupled;
};

/// One Adam step over `count` elements of a parameter `param` with gradient `grad` and the state
/// `exp_avg`, `exp_avg_sq` and (amsgrad only, else NULL) `max_exp_avg_sq`. The operations of
/// PyTorch's float32 path in its order, none contracted, so every CPU gives the same bits.
void nn_adam_update_f32(float *param, const float *grad, float *exp_avg, float *exp_avg_sq, float *max_exp_avg_sq,
                        long count, const struct nn_adam_constants *c);

#endif
