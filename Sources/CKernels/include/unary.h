// float32 unary functions in PyTorch's order (sleef_unary.c).
#ifndef UNARY_H
#define UNARY_H

/// The functions with a SLEEF kernel.
enum nn_unary_op {
    NN_UNARY_EXPM1 = 0,
    NN_UNARY_LOG1P = 1,
    NN_UNARY_EXP2 = 2,
    NN_UNARY_ATANH = 3,
    NN_UNARY_MISH = 4,   ///< x · tanh(log1p(exp(x)))
    NN_UNARY_SILU = 5,   ///< x / (1 + exp(-x))
    NN_UNARY_ELU = 6,    ///< x < 0 ? expm1(x · p1) · p0 : x · p2 (vector path: x >= 0 picks x · p2)
    NN_UNARY_SOFTPLUS = 7,    ///< x · p0 > p1 ? x : log1p(exp(x · p0)) / p0 (p0 beta, p1 threshold)
    NN_UNARY_LOG_SIGMOID = 8, ///< min(x, 0) - log1p(exp(-|x|))
};

/// `y[i] = op(x[i])` for `count` floats: ATen's vector lambda with SLEEF's functions for the first
/// `vectorised`, its scalar lambda with libm's for the rest. `p0`..`p2` are ELU's float
/// coefficients (negcoef = alpha·scale, input scale, scale) or softplus's beta and threshold;
/// other ops ignore them. Same bits on
/// every instruction set.
void nn_unary_f32(int op, const float *x, float *y, long count, long vectorised, float p0, float p1, float p2);

#endif
