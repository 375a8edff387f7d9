// A stride-1 convolution's taps summed in registers: see tap_conv.h. 8-float vectors (ymm on
// the AVX2 and AVX-512 clones); a block of 6 rows × 2 vectors keeps 12 accumulators, 2 loads of
// the input and 6 broadcasts of weights per step: 15 ymm registers (blocks needing more than 16
// spilled an accumulator and ran at half speed). Cache blocking: a chunk of TC_NC columns and
// TC_KC channels of the input (≤ 64 × (256 + the taps' reach) floats, L2) is reused by every
// block of 6 rows, whose weights for those channels (≤ 6 × 9 × 64 floats, L1) are reused by
// every 16 columns of the chunk.
#include "tap_conv.h"
#include <string.h>

#define NN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

typedef float nn_v8 __attribute__((vector_size(32), aligned(4)));

enum { TC_ROWS = 6, TC_VECS = 2, TC_NC = 256, TC_KC = 64 };

/// `rows` (1-6) × `vecs` (1-2) vectors of `out` at its column 0 (`cols` ≤ 8·vecs of them
/// kept) from channels `0..<kc`: the weights at `w` (tap t, channel c, row r at
/// `w[t·wt + c·6 + r]`), the input at `x`; added to `out` when `accumulate`.
static inline __attribute__((always_inline)) void tc_block(const float *w, long wt, long kc, long taps, const long *offsets,
                                                           const float *x, long ldx, float *out, long ldo, long cols,
                                                           int accumulate, int rows, int vecs) {
    nn_v8 acc[TC_ROWS][TC_VECS];
    for (int r = 0; r < rows; r++) {
        if (!accumulate) {
            for (int q = 0; q < vecs; q++) acc[r][q] = (nn_v8){0};
        } else if (cols == 8 * vecs) {
            memcpy(acc[r], out + r * ldo, sizeof(nn_v8) * (size_t)vecs);
        } else {
            float kept[TC_VECS * 8] = {0};
            memcpy(kept, out + r * ldo, sizeof(float) * (size_t)cols);
            memcpy(acc[r], kept, sizeof(nn_v8) * (size_t)vecs);
        }
    }
    for (long t = 0; t < taps; t++) {
        const float *wtap = w + t * wt, *xt = x + offsets[t];
        for (long c = 0; c < kc; c++) {
            nn_v8 b0, b1;
            memcpy(&b0, xt + c * ldx, sizeof b0);
            if (vecs > 1) memcpy(&b1, xt + c * ldx + 8, sizeof b1);
            for (int r = 0; r < rows; r++) {
                float s = wtap[c * TC_ROWS + r];
                nn_v8 av = {s, s, s, s, s, s, s, s};
                acc[r][0] = __builtin_elementwise_fma(av, b0, acc[r][0]);
                if (vecs > 1) acc[r][1] = __builtin_elementwise_fma(av, b1, acc[r][1]);
            }
        }
    }
    for (int r = 0; r < rows; r++) {
        if (cols == 8 * vecs) {
            memcpy(out + r * ldo, acc[r], sizeof(nn_v8) * (size_t)vecs);
        } else {
            float kept[TC_VECS * 8];
            memcpy(kept, acc[r], sizeof(nn_v8) * (size_t)vecs);
            memcpy(out + r * ldo, kept, sizeof(float) * (size_t)cols);
        }
    }
}

/// One block of `rows` rows over the `n` columns of a chunk.
static inline __attribute__((always_inline)) void tc_rows(const float *w, long wt, long kc, long taps, const long *offsets,
                                                          const float *x, long ldx, float *out, long ldo, long n,
                                                          int accumulate, int rows) {
    long j = 0;
    for (; j + 16 <= n; j += 16) tc_block(w, wt, kc, taps, offsets, x + j, ldx, out + j, ldo, 16, accumulate, rows, 2);
    if (n - j > 8) tc_block(w, wt, kc, taps, offsets, x + j, ldx, out + j, ldo, n - j, accumulate, rows, 2);
    else if (n > j) tc_block(w, wt, kc, taps, offsets, x + j, ldx, out + j, ldo, n - j, accumulate, rows, 1);
}

void nn_tap_conv_pack_f32(const float *w, long outputs, long channels, long taps, float *packed) {
    long blocks = (outputs + TC_ROWS - 1) / TC_ROWS;
    for (long ob = 0; ob < blocks; ob++)
        for (long t = 0; t < taps; t++)
            for (long c = 0; c < channels; c++) {
                float *to = packed + ((ob * taps + t) * channels + c) * TC_ROWS;
                for (long r = 0; r < TC_ROWS; r++) {
                    long o = ob * TC_ROWS + r;
                    to[r] = o < outputs ? w[(o * channels + c) * taps + t] : 0.0f;
                }
            }
}

NN_CLONES
void nn_tap_conv_f32(const float *packed, long rows, long channels, long taps, const long *offsets,
                     const float *x, long ldx, float *out, long ldo, long n) {
    long block = nn_tap_conv_block_floats(channels, taps), wt = channels * TC_ROWS;
    for (long j0 = 0; j0 < n; j0 += TC_NC) {
        long nc = n - j0 < TC_NC ? n - j0 : TC_NC;
        for (long c0 = 0; c0 < channels; c0 += TC_KC) {
            long kc = channels - c0 < TC_KC ? channels - c0 : TC_KC;
            const float *xc = x + c0 * ldx + j0;
            int accumulate = c0 > 0;
            long i = 0;
            for (; i + TC_ROWS <= rows; i += TC_ROWS)
                tc_rows(packed + i / TC_ROWS * block + c0 * TC_ROWS, wt, kc, taps, offsets, xc, ldx, out + i * ldo + j0, ldo, nc,
                        accumulate, TC_ROWS);
            const float *wi = packed + i / TC_ROWS * block + c0 * TC_ROWS;
            float *oi = out + i * ldo + j0;
            switch (rows - i) {
            case 0: break;
            case 1: tc_rows(wi, wt, kc, taps, offsets, xc, ldx, oi, ldo, nc, accumulate, 1); break;
            case 2: tc_rows(wi, wt, kc, taps, offsets, xc, ldx, oi, ldo, nc, accumulate, 2); break;
            case 3: tc_rows(wi, wt, kc, taps, offsets, xc, ldx, oi, ldo, nc, accumulate, 3); break;
            case 4: tc_rows(wi, wt, kc, taps, offsets, xc, ldx, oi, ldo, nc, accumulate, 4); break;
            default: tc_rows(wi, wt, kc, taps, offsets, xc, ldx, oi, ldo, nc, accumulate, 5); break;
            }
        }
    }
}
