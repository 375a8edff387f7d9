#include "CKernels.h"
#include <cpuid.h>
#include <string.h>

int nn_cpu_vector_level(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return 1;
#endif
    return 0;
}

int nn_cpu_has_avx512_bf16(void) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (nn_cpu_vector_level() < 2 || !__get_cpuid_count(7, 1, &a, &b, &c, &d)) return 0;
    return (a >> 5) & 1;
#else
    return 0;
#endif
}

int nn_cpu_is_amd(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_is("amd");
#else
    return 0;
#endif
}

void nn_cpu_brand(char *out) {
    out[0] = 0;
#if defined(__x86_64__) || defined(__i386__)
    unsigned regs[12];
    for (unsigned leaf = 0; leaf < 3; leaf++) {
        if (!__get_cpuid(0x80000002u + leaf, &regs[4 * leaf], &regs[4 * leaf + 1], &regs[4 * leaf + 2], &regs[4 * leaf + 3]))
            return;
    }
    char text[49];
    memcpy(text, regs, 48);
    text[48] = 0;
    const char *start = text;
    while (*start == ' ') start++;
    size_t len = strlen(start);
    while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == 0)) len--;
    memcpy(out, start, len);
    out[len] = 0;
#endif
}
