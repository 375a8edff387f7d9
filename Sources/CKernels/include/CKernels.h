// Vector kernels chosen at run time for the CPU they run on (the package itself targets baseline
// x86-64), and the CPU feature queries behind that choice.
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stdint.h>

/// The widest vector level the CPU and the OS support: 0 baseline (SSE2), 1 AVX2 with FMA,
/// 2 AVX-512 (F, BW, DQ, VL).
int nn_cpu_vector_level(void);

/// Whether the CPU supports AVX-512 BF16 (OpenBLAS's Cooperlake kernels need it).
int nn_cpu_has_avx512_bf16(void);

/// Whether the CPU vendor is AMD.
int nn_cpu_is_amd(void);

/// The CPU's brand string (cpuid leaves 0x80000002-4), trimmed, into `out` (at least 49 bytes).
void nn_cpu_brand(char *out);

/// oneDNN's float32 GELU (erf form) forward over `count` floats; `table` is its 6 x 25
/// minimax coefficient table (GeluMath.swift). Bit-identical on every instruction set.
void nn_gelu_erf_forward_onednn(const float *src, float *dst, long count, const float *table);

/// oneDNN's float32 GELU (erf form) backward: `dst = dy * gelu'(src)`.
void nn_gelu_erf_backward_onednn(const float *dy, const float *src, float *dst, long count);

#include "attention.h"
#include "format_double.h"
#include "lapack.h"
#include "adam_update.h"
#include "cpu_relax.h"
#include "elementwise.h"
#include "recurrent_gates.h"
#include "row_panel_gemm.h"
#include "random_fill.h"
#include "sgd_update.h"
#include "sigmoid.h"
#include "softmax.h"
#include "unary.h"
#include "tap_conv.h"

#endif
