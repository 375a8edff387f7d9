// A stride-1 convolution's per-tap products summed in registers (tap_conv.c).
#ifndef TAP_CONV_H
#define TAP_CONV_H

/// `out[o·ldo + j] = Σ_t Σ_c W[t, o, c] · x[c·ldx + j + offsets[t]]` for `o` in `0..<rows`, `j`
/// in `0..<n`, with `C` = `channels`: every kernel tap's product `W_tap · X_tap` of a
/// `.tapGemms` convolution (ConvolutionTaps.swift) at once. The weights are `packed` by
/// `nn_tap_conv_pack_f32`; for rows from o0 (a multiple of 6) pass `packed` +
/// (o0 / 6)·`nn_tap_conv_block_floats`. Blocks of 6 rows × 16 columns of `out` stay in
/// registers while the taps and channels run, so no tap's partial result is stored, and `x`
/// (the zero-bordered input) is read in place: OpenBLAS packs both operands and zeroes C on
/// every one of the taps' calls. Reads up to 15 floats past `x[(C−1)·ldx + n − 1 +
/// max(offsets)]` (in lanes whose results are dropped): the caller allocates that slack. Each
/// sum runs over blocks of 64 channels, within a block tap by tap and channel by channel, one
/// fused multiply-add at a time. Meant for the AVX2 clone (the baseline clone calls libm's
/// fmaf: correct, slow; on AVX-512 OpenBLAS's 16-float kernels are faster; callers use
/// OpenBLAS there).
void nn_tap_conv_f32(const float *packed, long rows, long channels, long taps, const long *offsets,
                     const float *x, long ldx, float *out, long ldo, long n);

/// A convolution's weights `w` `[outputs, channels, taps]` (one group of `[O, C/g, kH, kW]`) for
/// `nn_tap_conv_f32`: blocks of 6 outputs (the last zero-padded), each `[taps, channels, 6]`;
/// `packed` holds `nn_tap_conv_packed_floats`.
void nn_tap_conv_pack_f32(const float *w, long outputs, long channels, long taps, float *packed);

/// Floats of one block of 6 outputs in the packed weights.
static inline long nn_tap_conv_block_floats(long channels, long taps) { return 6 * channels * taps; }

/// Floats `nn_tap_conv_pack_f32` writes.
static inline long nn_tap_conv_packed_floats(long outputs, long channels, long taps) {
    return (outputs + 5) / 6 * nn_tap_conv_block_floats(channels, taps);
}

#endif
