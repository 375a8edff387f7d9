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
};

/// `y[i] = op(x[i])` for `count` floats: ATen's vector lambda with SLEEF's functions for the first
/// `vectorised`, its scalar lambda with libm's for the rest. `p0`..`p2` are ELU's float
/// coefficients (negcoef = alpha·scale, input scale, scale); other ops ignore them. Same bits on
/// every instruction set.
void nn_unary_f32(int op, const float *x, float *y, long count, long vectorised, float p0, float p1, float p2);

#endif
