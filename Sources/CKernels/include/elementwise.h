// float32 elementwise kernels for contiguous operands (elementwise.c).
#ifndef ELEMENTWISE_H
#define ELEMENTWISE_H

/// The binary ops with a vector kernel; each is the plain path's expression, nothing contracted.
enum nn_binary_op {
    NN_BINARY_ADD = 0,        ///< a + b
    NN_BINARY_SUB = 1,        ///< a - b
    NN_BINARY_MUL = 2,        ///< a * b
    NN_BINARY_DIV = 3,        ///< a / b
    NN_BINARY_ADD_SCALED = 4, ///< a + b * alpha
    NN_BINARY_RELU_GRAD = 5,  ///< 0 < b ? a : 0 (relu's backward: a the gradient, b the output)
};

/// `out[i] = a[i] op b[i]` for `count` elements; `a_step` / `b_step` are 1 for a contiguous operand
/// and 0 for a single value broadcast to all. `out` may be `a` or `b` (in place) but must not
/// otherwise overlap them.
void nn_binary_f32(int op, const float *a, long a_step, const float *b, long b_step, float *out, long count, float alpha);

/// `out[i] = relu(x[i])`: NaN kept, -0 and negatives to +0 (`x` may be `out`).
void nn_relu_f32(const float *x, float *out, long count);

#endif
