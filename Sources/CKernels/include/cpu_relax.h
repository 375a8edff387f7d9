// The CPU's spin-wait hint, for KernelPool's spinning workers.
#ifndef CPU_RELAX_H
#define CPU_RELAX_H

/// x86 `pause` (a no-op elsewhere): tells the core this thread is spinning, so it yields shared
/// resources and memory bandwidth for a few dozen cycles. Inline: Swift emits it from the header
/// (clang declares `_mm_pause` as an external builtin, which Swift cannot call).
static inline void nn_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

#endif
