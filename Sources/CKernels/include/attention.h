// Fused scaled dot-product attention, forward and backward (attention.c), float32 and float64,
// compiled per instruction set like the softmax kernels.
#ifndef ATTENTION_H
#define ATTENTION_H

/// The geometry of `heads` independent attention problems `softmax(q·kᵀ·scale + mask)·v`:
/// q `[L, E]`, k `[S, E]`, v `[S, Ev]`, output `[L, Ev]` per head, each a run of rows whose
/// last dimension is contiguous; head h's rows start `*Heads[h]` elements after the operand's
/// pointer (any batch layout: heads of a packed [B, L, 3E] projection too), rows are `*Row`
/// elements apart. `mask` (may be NULL) is an additive `[L, S]` block per
/// head, `maskHead` apart (0: one block shared by every head), rows `S` apart. With `causal`,
/// query i sees keys j ≤ i only and the masked products are never computed.
typedef struct {
    long heads, L, S, E, Ev;
    const long *qHeads, *kHeads, *vHeads;
    long qRow, kRow, vRow;
    long maskHead;
    int causal;
    /// softmax's partial-sum lanes and exp flavour for float32 (as nn_softmax_lastdim_f32).
    int lanes, libm;
    double scale;
} nn_attention_shape;

/// Forward of heads [h0, h1): writes `out` (rows `outRow` apart, head h at `outHeads[h]`) and the
/// attention probabilities `probs` (`[heads, L, S]` contiguous, zero where masked) that the
/// backward reads. Returns -1 if scratch memory cannot be allocated, else 0.
int nn_attention_forward_f32(const nn_attention_shape *a, long h0, long h1, const float *q, const float *k,
                             const float *v, const float *mask, float *out, const long *outHeads, long outRow, float *probs);
int nn_attention_forward_f64(const nn_attention_shape *a, long h0, long h1, const double *q, const double *k,
                             const double *v, const double *mask, double *out, const long *outHeads, long outRow,
                             double *probs);

/// Backward of heads [h0, h1) from the output gradient `g` (rows `gRow` apart, head h at
/// `gHeads[h]`): writes the gradients of q, k and v (each with its own head offsets and row
/// step, NULL to skip), every element of each.
/// Returns -1 if scratch memory cannot be allocated, else 0.
int nn_attention_backward_f32(const nn_attention_shape *a, long h0, long h1, const float *q, const float *k,
                              const float *v, const float *probs, const float *g, const long *gHeads, long gRow,
                              float *gq, const long *gqHeads, long gqRow, float *gk, const long *gkHeads, long gkRow,
                              float *gv, const long *gvHeads, long gvRow);
int nn_attention_backward_f64(const nn_attention_shape *a, long h0, long h1, const double *q, const double *k,
                              const double *v, const double *probs, const double *g, const long *gHeads, long gRow,
                              double *gq, const long *gqHeads, long gqRow, double *gk, const long *gkHeads, long gkRow,
                              double *gv, const long *gvHeads, long gvRow);

#endif
