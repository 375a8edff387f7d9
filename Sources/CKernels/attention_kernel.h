// The body of attention.c for one element type, included once per type with
//   T           the element type,
//   NAME(x)     the function name for that type (x ## _f32),
//   ENTRY       the attributes of the two entry points (per-instruction-set clones),
//   SOFTMAX_ROW(a, x, y, n)            y[0..<n) = softmax of x[0..<n),
//   SOFTMAX_BACK_ROW(a, g, y, gx, n)   gx[j] = (g[j] - Σ g·y)·y[j]
// (separate buffers: an in-place call would defeat the softmax kernel's vectorisation).
// Private to attention.c (no include guard on purpose).

/// Rows and columns of the register tile of the small products.
#define MR 4
#define NR 32

/// C[r, c] = Σ_{k0 ≤ k < k1} A[r, k]·B[k, c] for r < rows (≤ MR), c < cols (≤ NR), A[r, k] at
/// `A + r·ar + k·ak` (so Aᵀ is read in place).
static inline __attribute__((always_inline)) void NAME(tile_sums)(long rows, long cols, long k0, long k1, const T *A, long ar,
                                                                  long ak, const T *B, long ldb, T *C, long ldc) {
    T acc[MR][NR];
    for (long r = 0; r < rows; r++)
        for (long c = 0; c < cols; c++) acc[r][c] = 0;
    for (long k = k0; k < k1; k++) {
        const T *b = B + k * ldb;
        for (long r = 0; r < rows; r++) {
            T x = A[r * ar + k * ak];
            for (long c = 0; c < cols; c++) acc[r][c] += x * b[c];
        }
    }
    for (long r = 0; r < rows; r++)
        for (long c = 0; c < cols; c++) C[r * ldc + c] = acc[r][c];
}

/// tile_sums, with constant bounds for a full tile so its MR×NR sums stay in registers.
static inline __attribute__((always_inline)) void NAME(tile)(long rows, long cols, long k0, long k1, const T *A, long ar, long ak,
                                                             const T *B, long ldb, T *C, long ldc) {
    if (rows == MR && cols == NR) NAME(tile_sums)(MR, NR, k0, k1, A, ar, ak, B, ldb, C, ldc);
    else NAME(tile_sums)(rows, cols, k0, k1, A, ar, ak, B, ldb, C, ldc);
}

/// C = A·B for A `[M, K]` (A[i, k] at `A + i·ar + k·ak`), B `[K, N]`, C `[M, N]` (rows
/// `ldb`/`ldc` apart, last dims contiguous).
/// `shape` skips what a causal mask makes zero: TRI_LOWER_A reads A[i, k] for k ≤ i only,
/// TRI_UPPER_A for k ≥ i only, TRI_LOWER_C writes row i's columns up to its tile's last row,
/// rounded up to whole NR-wide tiles (a few sums the caller overwrites are cheaper than
/// narrow tiles, whose sums do not stay in registers).
static inline __attribute__((always_inline)) void NAME(product)(long M, long N, long K, const T *A, long ar, long ak,
                                                                const T *B, long ldb, T *C, long ldc, int shape) {
    for (long i0 = 0; i0 < M; i0 += MR) {
        long rows = M - i0 < MR ? M - i0 : MR, last = i0 + rows - 1;
        long k0 = 0, k1 = K, n = N;
        if (shape == TRI_LOWER_A) k1 = last + 1 < K ? last + 1 : K;
        if (shape == TRI_UPPER_A) k0 = i0 < K ? i0 : K;
        if (shape == TRI_LOWER_C) n = (last + NR) / NR * NR < N ? (last + NR) / NR * NR : N;
        for (long j0 = 0; j0 < n; j0 += NR)
            NAME(tile)(rows, n - j0 < NR ? n - j0 : NR, k0, k1, A + i0 * ar, ar, ak, B + j0, ldb, C + i0 * ldc + j0, ldc);
    }
}

/// dst `[cols, rows]` (rows `ld` apart) = srcᵀ for src `[rows, cols]` (rows `srcRow` apart).
static inline __attribute__((always_inline)) void NAME(transpose)(long rows, long cols, const T *src, long srcRow, T *dst, long ld) {
    for (long j = 0; j < cols; j++)
        for (long i = 0; i < rows; i++) dst[j * ld + i] = src[i * srcRow + j];
}

/// How many of row i's scores the softmax reads: all S, or with a causal mask keys 0...i
/// widened to `lanes` (those past i are −inf), so each row sums in the same partial sums as the
/// whole row would.
static inline __attribute__((always_inline)) long NAME(row_width)(const nn_attention_shape *a, long i) {
    if (!a->causal) return a->S;
    long n = i + 1 > a->lanes ? i + 1 : a->lanes;
    return n < a->S ? n : a->S;
}

ENTRY int NAME(nn_attention_forward)(const nn_attention_shape *a, long h0, long h1, const T *q, const T *k, const T *v,
                               const T *mask, T *out, const long *outHeads, long outRow, T *probs) {
    long L = a->L, S = a->S, E = a->E, Ev = a->Ev;
    T *kt = malloc(sizeof(T) * (size_t)(E * S + L * S + 1));
    if (!kt) return -1;
    T *scores = kt + E * S;
    T scale = (T)a->scale;
    for (long h = h0; h < h1; h++) {
        const T *qh = q + a->qHeads[h], *kh = k + a->kHeads[h], *vh = v + a->vHeads[h];
        const T *mh = mask ? mask + h * a->maskHead : NULL;
        T *p = probs + h * L * S;
        NAME(transpose)(S, E, kh, a->kRow, kt, S);
        NAME(product)(L, S, E, qh, a->qRow, 1, kt, S, scores, S, a->causal ? TRI_LOWER_C : TRI_FULL);
        for (long i = 0; i < L; i++) {
            T *row = scores + i * S, *prob = p + i * S;
            long seen = a->causal ? (i + 1 < S ? i + 1 : S) : S, width = NAME(row_width)(a, i);
            for (long j = 0; j < seen; j++) row[j] = row[j] * scale;
            if (mh)
                for (long j = 0; j < seen; j++) row[j] = row[j] + mh[i * S + j];
            for (long j = seen; j < width; j++) row[j] = -INFINITY;
            SOFTMAX_ROW(a, row, prob, width);
            for (long j = width; j < S; j++) prob[j] = 0;
        }
        NAME(product)(L, Ev, S, p, S, 1, vh, a->vRow, out + outHeads[h], outRow, a->causal ? TRI_LOWER_A : TRI_FULL);
    }
    free(kt);
    return 0;
}

ENTRY int NAME(nn_attention_backward)(const nn_attention_shape *a, long h0, long h1, const T *q, const T *k, const T *v,
                                const T *probs, const T *g, const long *gHeads, long gRow, T *gq, const long *gqHeads, long gqRow,
                                T *gk, const long *gkHeads, long gkRow, T *gv, const long *gvHeads, long gvRow) {
    long L = a->L, S = a->S, E = a->E, Ev = a->Ev;
    T *vt = malloc(sizeof(T) * (size_t)(Ev * S + 2 * L * S + 1));
    if (!vt) return -1;
    T *dp = vt + Ev * S, *ds = dp + L * S;
    T scale = (T)a->scale;
    int lower = a->causal ? TRI_LOWER_A : TRI_FULL, upper = a->causal ? TRI_UPPER_A : TRI_FULL;
    for (long h = h0; h < h1; h++) {
        const T *qh = q + a->qHeads[h], *kh = k + a->kHeads[h], *vh = v + a->vHeads[h], *gh = g + gHeads[h];
        const T *p = probs + h * L * S;
        if (gv) NAME(product)(S, Ev, L, p, 1, S, gh, gRow, gv + gvHeads[h], gvRow, upper);
        if (!gq && !gk) continue;
        NAME(transpose)(S, Ev, vh, a->vRow, vt, S);
        NAME(product)(L, S, Ev, gh, gRow, 1, vt, S, dp, S, a->causal ? TRI_LOWER_C : TRI_FULL);
        for (long i = 0; i < L; i++) {
            T *grow = dp + i * S, *row = ds + i * S;
            long seen = a->causal ? (i + 1 < S ? i + 1 : S) : S, width = NAME(row_width)(a, i);
            for (long j = seen; j < width; j++) grow[j] = 0;
            SOFTMAX_BACK_ROW(a, grow, p + i * S, row, width);
            for (long j = 0; j < width; j++) row[j] = row[j] * scale;
            for (long j = width; j < S; j++) row[j] = 0;
        }
        if (gq) NAME(product)(L, E, S, ds, S, 1, kh, a->kRow, gq + gqHeads[h], gqRow, lower);
        if (gk) NAME(product)(S, E, L, ds, 1, S, qh, a->qRow, gk + gkHeads[h], gkRow, upper);
    }
    free(vt);
    return 0;
}

#undef MR
#undef NR
