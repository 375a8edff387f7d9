// The recurrent layers' fused float32 gate passes (RecurrentGates.swift calls them), compiled per
// instruction set like the GELU kernels.
#ifndef RECURRENT_GATES_H
#define RECURRENT_GATES_H

/// One LSTM time step over `rows` rows of `hidden` units: gates i, f, g, o are
/// `gx + gh` (row stride 4·hidden), `act` gets them activated, `cell` holds c' on entry and c on
/// return, `tanh_cell` gets tanh(c) and `out` o·tanh(c) (row stride hidden).
void nn_lstm_gates_forward_f32(const float *gx, const float *gh, float *act, float *cell, float *tanh_cell,
                               float *out, long rows, long hidden);

/// One GRU time step: gates r, z (sigmoid of gx + gh) and n = tanh(gx_n + r·gh_n); `candidate` gets
/// gh_n, `out` (h' - n)·z + n, with `hidden_before` h' (row stride hidden).
void nn_gru_gates_forward_f32(const float *gx, const float *gh, float *act, const float *hidden_before,
                              float *candidate, float *out, long rows, long hidden);

/// tanh(gx + gh) elementwise over `count` floats (the Elman RNN's step).
void nn_tanh_sum_f32(const float *gx, const float *gh, float *out, long count);

#endif
