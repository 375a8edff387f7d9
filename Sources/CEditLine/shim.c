// CEditLine shim: see include/CEditLine.h. Uses the native histedit.h API
// (never <readline/readline.h>, which on this machine is GNU readline's).
#define _GNU_SOURCE
#include "CEditLine.h"

#include <histedit.h>

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <wchar.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct nnrepl_editor {
    EditLine *el;
    History *hist;
    HistEvent ev;
    FILE *fin;
    FILE *fout;
    int infd;
    int nbfd;  // private O_NONBLOCK open file description of the input tty, or -1
    int owns_fin;
    int owns_fout;
    char *prompt;
    nnrepl_complete_cb complete;
    void *ctx;
};

// ---- locale ------------------------------------------------------------

static int codeset_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    if (cs == NULL) return 0;
    return strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0;
}

int nnrepl_setup_locale(void) {
    // libedit never calls setlocale itself; without a UTF-8 LC_CTYPE it
    // silently drops multi-byte input.
    if (setlocale(LC_CTYPE, "") != NULL && codeset_is_utf8()) return 1;
    static const char *fallbacks[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8", NULL};
    for (int i = 0; fallbacks[i] != NULL; i++) {
        if (setlocale(LC_CTYPE, fallbacks[i]) != NULL && codeset_is_utf8()) return 1;
    }
    return 0;
}

// ---- SIGINT state (defined here, used by the read function) --------------

static volatile sig_atomic_t g_interrupt = 0;
static volatile sig_atomic_t g_pending_count = 0;
static volatile sig_atomic_t g_force_exit_after = 0;
static volatile sig_atomic_t g_force_exit_by_signal = 0;  // scripts: die by SIGINT, not _exit(130)
static int g_wake_pipe[2] = {-1, -1};  // self-pipe: the handler writes one byte

// ---- callbacks (fetch the editor via EL_CLIENTDATA) ---------------------

static nnrepl_editor *editor_for(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return (nnrepl_editor *)data;
}

static char *prompt_fn(EditLine *el) {
    static char empty[] = "";
    nnrepl_editor *ed = editor_for(el);
    if (ed == NULL || ed->prompt == NULL) return empty;
    return ed->prompt;
}

static unsigned char complete_fn(EditLine *el, int ch) {
    (void)ch;
    nnrepl_editor *ed = editor_for(el);
    if (ed == NULL || ed->complete == NULL) return CC_NORM;
    const LineInfo *li = el_line(el);
    if (li == NULL) return CC_ERROR;
    int len = (int)(li->lastchar - li->buffer);
    int cur = (int)(li->cursor - li->buffer);
    if (len < 0) len = 0;
    if (cur < 0) cur = 0;
    if (cur > len) cur = len;
    switch (ed->complete(ed->ctx, li->buffer, len, cur)) {
    case NNREPL_CC_REFRESH: return CC_REFRESH;
    case NNREPL_CC_REDISPLAY: return CC_REDISPLAY;
    case NNREPL_CC_REFRESH_BEEP: return CC_REFRESH_BEEP;
    default: return CC_NORM;
    }
}

// Interruptible replacement for libedit's read_char (EL_GETCFN).
// libedit's SIGINT handling only aborts el_gets when the signal lands while it
// is blocked in read(); a ^C that arrives while it is redrawing is lost and
// el_gets keeps waiting. This reader waits with poll() on the tty and the
// self-pipe, and reports EINTR whenever the flag is set, whenever it arrived.
static int getc_fn(EditLine *el, wchar_t *wc) {
    nnrepl_editor *ed = editor_for(el);
    int fd = ed != NULL ? ed->infd : 0;
    char buf[MB_LEN_MAX];
    size_t n = 0;
    for (;;) {
        if (__atomic_load_n(&g_interrupt, __ATOMIC_SEQ_CST)) {
            errno = EINTR;
            return -1;
        }
        struct pollfd pfd[2];
        pfd[0].fd = fd;
        pfd[0].events = POLLIN;
        pfd[0].revents = 0;
        pfd[1].fd = g_wake_pipe[0];
        pfd[1].events = POLLIN;
        pfd[1].revents = 0;
        int nfds = g_wake_pipe[0] >= 0 ? 2 : 1;
        int r = poll(pfd, (nfds_t)nfds, -1);
        if (r < 0) {
            if (errno != EINTR) return -1;
            if (__atomic_load_n(&g_interrupt, __ATOMIC_SEQ_CST)) continue;
            // Another signal (SIGWINCH, SIGCONT after ^Z): libedit's handler
            // may have put the tty back in cooked mode; restore and redraw.
            el_set(el, EL_PREP_TERM, 1);
            el_set(el, EL_REFRESH);
            continue;
        }
        if (nfds == 2 && (pfd[1].revents & POLLIN)) {
            char drain[64];
            while (read(g_wake_pipe[0], drain, sizeof drain) > 0) {}
            continue;
        }
        if (pfd[0].revents == 0) continue;
        ssize_t k;
        if (ed != NULL && ed->nbfd >= 0) {
            // Non-blocking read: ^C flushes the tty input queue, so data seen
            // by poll() may be gone; a blocking read() would then sleep with
            // the interrupt already delivered.
            k = read(ed->nbfd, buf + n, 1);
        } else {
            int avail = 0;
            if (ioctl(fd, FIONREAD, &avail) == 0 && avail == 0 && !(pfd[0].revents & (POLLHUP | POLLERR))) continue;
            k = read(fd, buf + n, 1);
        }
        if (k == 0) {
            *wc = L'\0';
            return 0;
        }
        if (k < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            *wc = L'\0';
            return -1;
        }
        n++;
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t rc = mbrtowc(wc, buf, n, &st);
        if (rc == (size_t)-2) {        // incomplete sequence: read more
            if (n >= MB_LEN_MAX) n = 0;
            continue;
        }
        if (rc == (size_t)-1) {        // invalid byte: drop it
            n = 0;
            continue;
        }
        if (rc == 0) *wc = L'\0';
        return 1;
    }
}

// ---- editor ------------------------------------------------------------

nnrepl_editor *nnrepl_editor_create(const char *prog, int infd, int outfd,
                                    int history_size,
                                    nnrepl_complete_cb complete, void *ctx) {
    nnrepl_editor *ed = calloc(1, sizeof *ed);
    if (ed == NULL) return NULL;
    ed->complete = complete;
    ed->ctx = ctx;
    ed->nbfd = -1;
    ed->prompt = strdup("");

    if (infd < 0) {
        ed->fin = stdin;
    } else {
        int fd = dup(infd);
        ed->fin = fd >= 0 ? fdopen(fd, "r") : NULL;
        ed->owns_fin = 1;
    }
    if (outfd < 0) {
        ed->fout = stdout;
    } else {
        int fd = dup(outfd);
        ed->fout = fd >= 0 ? fdopen(fd, "w") : NULL;
        ed->owns_fout = 1;
    }
    if (ed->fin == NULL || ed->fout == NULL || ed->prompt == NULL) {
        nnrepl_editor_destroy(ed);
        return NULL;
    }
    ed->infd = fileno(ed->fin);
    {
        // A separate open file description, so O_NONBLOCK does not leak to
        // the shared stdin description (the parent shell's).
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", ed->infd);
        ed->nbfd = isatty(ed->infd) ? open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) : -1;
    }

    ed->el = el_init(prog != NULL ? prog : "nnrepl", ed->fin, ed->fout,
                     outfd < 0 ? stderr : ed->fout);
    if (ed->el == NULL) {
        nnrepl_editor_destroy(ed);
        return NULL;
    }
    el_set(ed->el, EL_CLIENTDATA, (void *)ed);
    // The editor must be chosen first: it resets the key maps.
    el_set(ed->el, EL_EDITOR, "emacs");
    el_set(ed->el, EL_PROMPT_ESC, prompt_fn, '\1');
    // libedit handles SIGINT/SIGWINCH/... only while el_gets runs and then
    // re-raises SIGINT to our handler (el_gets returns NULL, errno EINTR).
    el_set(ed->el, EL_SIGNAL, 1);
    el_set(ed->el, EL_GETCFN, getc_fn);

    ed->hist = history_init();
    if (ed->hist != NULL) {
        history(ed->hist, &ed->ev, H_SETSIZE, history_size > 0 ? history_size : 1000);
        history(ed->hist, &ed->ev, H_SETUNIQUE, 1);
        el_set(ed->el, EL_HIST, history, ed->hist);
    }

    // Register named functions BEFORE el_source: a ~/.editrc "bind" naming an
    // unknown function can corrupt the heap.
    if (complete != NULL) {
        el_set(ed->el, EL_ADDFN, "nn-complete", "nnrepl completion", complete_fn);
        el_set(ed->el, EL_BIND, "^I", "nn-complete", NULL);
    }
    el_set(ed->el, EL_BIND, "^R", "em-inc-search-prev", NULL);
    el_source(ed->el, NULL); // ~/.editrc (errors, e.g. a missing file, are ignored)
    return ed;
}

void nnrepl_editor_destroy(nnrepl_editor *ed) {
    if (ed == NULL) return;
    if (ed->el != NULL) el_end(ed->el);
    if (ed->hist != NULL) history_end(ed->hist);
    if (ed->nbfd >= 0) close(ed->nbfd);
    if (ed->owns_fin && ed->fin != NULL) fclose(ed->fin);
    if (ed->owns_fout && ed->fout != NULL) fclose(ed->fout);
    free(ed->prompt);
    free(ed);
}

void nnrepl_editor_set_prompt(nnrepl_editor *ed, const char *prompt) {
    if (ed == NULL) return;
    char *copy = strdup(prompt != NULL ? prompt : "");
    if (copy == NULL) return;
    free(ed->prompt);
    ed->prompt = copy;
}

const char *nnrepl_editor_gets(nnrepl_editor *ed, int *count, int *err) {
    int n = 0;
    if (ed == NULL) {
        if (count != NULL) *count = -1;
        if (err != NULL) *err = EINVAL;
        return NULL;
    }
    // Enter raw mode BEFORE el_gets prints the prompt: otherwise keys typed
    // right after the prompt appears are handled by the kernel in canonical
    // mode (^R reprints, ^D is VEOF, ...). el_gets restores cooked mode.
    el_set(ed->el, EL_PREP_TERM, 1);
    errno = 0;
    const char *line = el_gets(ed->el, &n);
    int e = errno;
    if (count != NULL) *count = n;
    if (err != NULL) *err = e;
    return line;
}

int nnrepl_editor_history_add(nnrepl_editor *ed, const char *entry) {
    if (ed == NULL || ed->hist == NULL || entry == NULL) return -1;
    return history(ed->hist, &ed->ev, H_ENTER, entry) < 0 ? -1 : 0;
}

int nnrepl_editor_history_count(nnrepl_editor *ed) {
    if (ed == NULL || ed->hist == NULL) return 0;
    if (history(ed->hist, &ed->ev, H_GETSIZE) < 0) return 0;
    return ed->ev.num;
}

void nnrepl_editor_delete_before(nnrepl_editor *ed, int count) {
    if (ed == NULL || count <= 0) return;
    el_deletestr(ed->el, count);
}

int nnrepl_editor_insert(nnrepl_editor *ed, const char *text) {
    if (ed == NULL || text == NULL || text[0] == '\0') return 0;
    return el_insertstr(ed->el, text);
}

void nnrepl_editor_write(nnrepl_editor *ed, const char *text) {
    FILE *f = (ed != NULL && ed->fout != NULL) ? ed->fout : stdout;
    if (text != NULL) fputs(text, f);
    fflush(f);
}

int nnrepl_editor_columns(nnrepl_editor *ed) {
    if (ed != NULL) {
        int cols = 0;
        // Returns 0 on success on this libedit, despite the man page.
        if (el_get(ed->el, EL_GETTC, "co", &cols) == 0 && cols > 0) return cols;
        struct winsize ws;
        if (ioctl(fileno(ed->fout), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    }
    return 80;
}

void nnrepl_editor_reset(nnrepl_editor *ed) {
    if (ed != NULL) el_reset(ed->el);
}

// ---- SIGINT ------------------------------------------------------------

static struct sigaction g_previous;
static int g_installed = 0;

static void on_sigint(int sig) {
    (void)sig;
    int saved = errno;
    __atomic_store_n(&g_interrupt, 1, __ATOMIC_SEQ_CST);
    if (g_wake_pipe[1] >= 0) {
        char one = 1;
        ssize_t w = write(g_wake_pipe[1], &one, 1);  // non-blocking; full pipe is fine
        (void)w;
    }
    int limit = g_force_exit_after;
    if (limit > 0) {
        int n = __atomic_add_fetch(&g_pending_count, 1, __ATOMIC_SEQ_CST);
        if (n >= limit) {
            static const char msg[] =
                "\nnnrepl: interrupted repeatedly without reaching a check point; exiting\n";
            ssize_t w = write(2, msg, sizeof msg - 1);
            (void)w;
            if (g_force_exit_by_signal) {
                // Default action, then re-send: SIGINT is blocked while this handler
                // runs, so it is delivered (and kills) as soon as the handler returns.
                struct sigaction dfl;
                memset(&dfl, 0, sizeof dfl);
                dfl.sa_handler = SIG_DFL;
                sigemptyset(&dfl.sa_mask);
                if (sigaction(SIGINT, &dfl, NULL) == 0 && kill(getpid(), SIGINT) == 0) {
                    errno = saved;
                    return;
                }
            }
            _exit(130);
        }
    }
    errno = saved;
}

int nnrepl_install_sigint_handler(int force_exit_after) {
    g_force_exit_after = force_exit_after > 0 ? force_exit_after : 0;
    if (g_wake_pipe[0] < 0) {
        int fds[2];
        if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0) {
            g_wake_pipe[1] = fds[1];
            g_wake_pipe[0] = fds[0];
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    struct sigaction old;
    if (sigaction(SIGINT, &sa, &old) != 0) return -1;
    if (!g_installed) {
        g_previous = old;
        g_installed = 1;
    }
    return 0;
}

void nnrepl_set_force_exit_by_signal(int by_signal) {
    g_force_exit_by_signal = by_signal ? 1 : 0;
}

int nnrepl_sigint_is_ignored(void) {
    struct sigaction current;
    if (sigaction(SIGINT, NULL, &current) != 0) return 0;
    return !(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN;
}

int nnrepl_exit_by_sigint(void) {
    fflush(stdout);
    fflush(stderr);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    if (sigaction(SIGINT, &dfl, NULL) != 0) return 130;
    g_installed = 0;
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &only, NULL);
    raise(SIGINT);  // this thread does not block SIGINT: the process dies here
    return 130;
}

void nnrepl_restore_sigint_handler(void) {
    if (!g_installed) return;
    sigaction(SIGINT, &g_previous, NULL);
    g_installed = 0;
}

volatile sig_atomic_t *nnrepl_interrupt_flag(void) {
    return &g_interrupt;
}

int nnrepl_interrupt_pending(void) {
    return __atomic_load_n(&g_interrupt, __ATOMIC_SEQ_CST) != 0;
}

int nnrepl_interrupt_requested(void) {
    int was = __atomic_exchange_n(&g_interrupt, 0, __ATOMIC_SEQ_CST);
    if (was) __atomic_store_n(&g_pending_count, 0, __ATOMIC_SEQ_CST);
    return was != 0;
}

void nnrepl_clear_interrupt(void) {
    __atomic_store_n(&g_interrupt, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&g_pending_count, 0, __ATOMIC_SEQ_CST);
}

void nnrepl_raise_interrupt_flag(void) {
    __atomic_store_n(&g_interrupt, 1, __ATOMIC_SEQ_CST);
    if (g_wake_pipe[1] >= 0) {
        char one = 1;
        ssize_t w = write(g_wake_pipe[1], &one, 1);  // wakes a blocked el_gets
        (void)w;
    }
}
