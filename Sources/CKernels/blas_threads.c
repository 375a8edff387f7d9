// OpenBLAS's pthreads build starts its worker threads when the library loads, and each spins on
// sched_yield for ~2^28 cycles (~0.1 s) before sleeping: in every run, even a pure-Python script
// that never multiplies a matrix, that took the second core for the first ~0.1 s. nnrepl runs
// OpenBLAS on one thread (its own kernel pool splits the work: Parallel.swift), so the pool is
// stopped as soon as the program starts: the executable's constructors run after those of the
// libraries it loads. The thread count OpenBLAS reports is kept (`kernelThreads` reads it), and
// OpenBLAS restarts its pool by itself if `openblas_set_num_threads` is ever called.
#define _GNU_SOURCE
#include <dlfcn.h>

__attribute__((constructor))
static void nn_stop_openblas_threads_at_start(void) {
#if defined(__linux__)
    // Not in cblas.h, and absent from other BLAS builds: looked up at run time.
    int (*shutdown)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "blas_thread_shutdown_");
    if (shutdown) shutdown();
#endif
}
