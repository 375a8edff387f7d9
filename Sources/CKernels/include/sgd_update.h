// torch.optim.SGD's per-element update with ATen's fused multiply-adds (sgd_update.c).
#ifndef SGD_UPDATE_H
#define SGD_UPDATE_H

/// The settings of one SGD step (`first`: the momentum buffer starts as the gradient).
struct nn_sgd_options {
    double neg_lr, momentum, one_minus_dampening, weight_decay;
    int first, nesterov, maximize, has_decay;
};

/// One SGD step over `count` elements; `buffer` is the momentum buffer, NULL without momentum.
void nn_sgd_update_f32(float *param, const float *grad, float *buffer, long count, const struct nn_sgd_options *o);
/// The float64 form of `nn_sgd_update_f32`.
void nn_sgd_update_f64(double *param, const double *grad, double *buffer, long count, const struct nn_sgd_options *o);

#endif
