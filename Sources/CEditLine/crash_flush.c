// Fatal signals must not lose output: stdout into a pipe or file is block-buffered, and a
// process killed by a signal never flushes it. See include/CEditLine.h.
#define _GNU_SOURCE
#include "CEditLine.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void nnrepl_signal_safe_flush_stdout(void) {
#if defined(__GLIBC__)
    // glibc's FILE keeps the pending bytes between _IO_write_base and _IO_write_ptr.
    // fflush is not async-signal-safe (it takes the stream's lock, which the crashing code
    // may hold); write(2) is.
    FILE *f = stdout;
    if (f == NULL || f->_IO_write_base == NULL || f->_IO_write_ptr <= f->_IO_write_base) return;
    const char *p = f->_IO_write_base;
    size_t left = (size_t)(f->_IO_write_ptr - f->_IO_write_base);
    while (left > 0) {
        ssize_t w = write(STDOUT_FILENO, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        p += w;
        left -= (size_t)w;
    }
    f->_IO_write_ptr = f->_IO_write_base;  // written: a later flush must not repeat it
#endif
}

// Crashes, and the signals that end a process by default when it is killed or its terminal
// goes away (SIGINT has its own handler: KeyboardInterrupt).
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS,
                                    SIGTERM, SIGHUP, SIGQUIT, SIGXCPU, SIGXFSZ};
enum { FATAL_COUNT = sizeof fatal_signals / sizeof fatal_signals[0] };
static struct sigaction g_previous_fatal[FATAL_COUNT];
static int g_crash_flush_installed = 0;

static void on_fatal_signal(int sig, siginfo_t *info, void *context) {
    (void)context;
    int saved = errno;
    nnrepl_signal_safe_flush_stdout();
    for (int i = 0; i < FATAL_COUNT; i++) {
        if (fatal_signals[i] == sig) sigaction(sig, &g_previous_fatal[i], NULL);
    }
    // Sent by kill/raise/abort: send it again (it is delivered to the previous disposition
    // once this handler returns). A fault (SEGV at an address, a trap instruction) recurs
    // by itself when the instruction runs again.
    if (info == NULL || info->si_code <= 0) raise(sig);
    errno = saved;
}

int nnrepl_install_crash_flush(void) {
    if (g_crash_flush_installed) return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO;
    for (int i = 0; i < FATAL_COUNT; i++) {
        if (sigaction(fatal_signals[i], NULL, &g_previous_fatal[i]) != 0) return -1;
        // An ignored signal stays ignored (nohup, a shell's background job).
        if (!(g_previous_fatal[i].sa_flags & SA_SIGINFO) && g_previous_fatal[i].sa_handler == SIG_IGN) continue;
        if (sigaction(fatal_signals[i], &sa, NULL) != 0) return -1;
    }
    g_crash_flush_installed = 1;
    return 0;
}
