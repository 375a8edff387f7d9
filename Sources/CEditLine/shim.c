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
    nnrepl_paste_cb paste;
    void *ctx;
    // Ctrl-R search: the line it started from (restored by Ctrl-G), and the abort state:
    // 1 = Ctrl-G was turned into ESC (ends the search), 2 = a Ctrl-G for nn-search-abort follows.
    wchar_t *presearch;
    int presearch_cursor;
    int search_abort;
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

// A callback's NNREPL_CC_* result as libedit's CC_* code.
static unsigned char el_code(EditLine *el, int code) {
    switch (code) {
    case NNREPL_CC_REFRESH: return CC_REFRESH;
    case NNREPL_CC_REDISPLAY: return CC_REDISPLAY;
    case NNREPL_CC_REFRESH_BEEP: return CC_REFRESH_BEEP;
    case NNREPL_CC_ACCEPT:
        el_push(el, "\n");  // Enter, read right after the redraw
        return CC_REFRESH;
    default: return CC_NORM;
    }
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
    return el_code(el, ed->complete(ed->ctx, li->buffer, len, cur));
}

// Interruptible replacement for libedit's read_char (EL_GETCFN).
// libedit's SIGINT handling only aborts el_gets when the signal lands while it
// is blocked in read(); a ^C that arrives while it is redrawing is lost and
// el_gets keeps waiting. This reader waits with poll() on the tty and the
// self-pipe, and reports EINTR whenever the flag is set, whenever it arrived.
static int read_key(EditLine *el, nnrepl_editor *ed, wchar_t *wc);

// Whether libedit's incremental search is running: while it waits for a key, it shows its
// prompt ("\nbck:pattern", "\nfwd?pattern") in the line buffer, after the line itself.
static int in_search(EditLine *el) {
    const LineInfoW *li = el_wline(el);
    if (li == NULL) return 0;
    const wchar_t *p = li->lastchar;
    while (p > li->buffer && p[-1] != L'\n') p--;
    if (p == li->buffer || li->lastchar - p < 4) return 0;
    int dir = wcsncmp(p, L"bck", 3) == 0 || wcsncmp(p, L"fwd", 3) == 0;
    return dir && (p[3] == L':' || p[3] == L'?');
}

static void save_presearch(EditLine *el, nnrepl_editor *ed) {
    const LineInfoW *li = el_wline(el);
    if (li == NULL) return;
    size_t n = (size_t)(li->lastchar - li->buffer);
    wchar_t *copy = malloc((n + 1) * sizeof *copy);
    if (copy == NULL) return;
    wmemcpy(copy, li->buffer, n);
    copy[n] = L'\0';
    free(ed->presearch);
    ed->presearch = copy;
    ed->presearch_cursor = (int)(li->cursor - li->buffer);
}

// EL_GETCFN: read_key, plus Ctrl-G inside a Ctrl-R search. libedit ends a search on ESC
// keeping the line found (its own ^G abort only restores the line on a first search), so
// ^G becomes ESC and is then delivered again to nn-search-abort, which restores the line
// the search started from.
static int getc_fn(EditLine *el, wchar_t *wc) {
    nnrepl_editor *ed = editor_for(el);
    if (ed != NULL && ed->search_abort == 1) {
        ed->search_abort = 2;
        *wc = 007;
        return 1;
    }
    int r = read_key(el, ed, wc);
    if (r != 1 || ed == NULL) return r;
    if (*wc == 022 && !in_search(el)) save_presearch(el, ed);
    if (*wc == 007 && ed->presearch != NULL && in_search(el)) {
        ed->search_abort = 1;
        *wc = 033;
    }
    return r;
}

static unsigned char search_abort_fn(EditLine *el, int ch) {
    (void)ch;
    nnrepl_editor *ed = editor_for(el);
    if (ed == NULL || ed->search_abort != 2 || ed->presearch == NULL) return CC_ERROR;
    ed->search_abort = 0;
    const LineInfoW *li = el_wline(el);
    if (li == NULL) return CC_ERROR;
    el_cursor(el, (int)(li->lastchar - li->cursor));
    el_wdeletestr(el, (int)(li->lastchar - li->buffer));
    if (ed->presearch[0] != L'\0') el_winsertstr(el, ed->presearch);
    int len = (int)wcslen(ed->presearch);
    el_cursor(el, ed->presearch_cursor - len);
    return CC_REFRESH;
}

// The end of a bracketed paste: ESC [ 2 0 1 ~.
static const wchar_t paste_end[] = {033, L'[', L'2', L'0', L'1', L'~'};
enum { PASTE_END_LEN = 6, PASTE_MAX_CHARS = 1 << 22 };

// Bound to ESC [ 2 0 0 ~ (the start of a bracketed paste): reads up to the end marker
// without interpreting keys (a Tab stays a Tab) and hands the text to the paste callback.
static unsigned char paste_fn(EditLine *el, int ch) {
    (void)ch;
    nnrepl_editor *ed = editor_for(el);
    size_t cap = 256, n = 0;
    wchar_t *text = malloc(cap * sizeof *text);
    if (text == NULL) return CC_ERROR;
    wchar_t recent[PASTE_END_LEN] = {0};  // the last keys read, to find the end marker
    int truncated = 0;                     // too long (or out of memory): the rest is dropped
    for (;;) {
        wchar_t c;
        if (el_wgetc(el, &c) != 1) {  // ^C or end of input: the next read reports it
            free(text);
            return CC_ERROR;
        }
        wmemmove(recent, recent + 1, PASTE_END_LEN - 1);
        recent[PASTE_END_LEN - 1] = c;
        int at_end = wmemcmp(recent, paste_end, PASTE_END_LEN) == 0;
        if (!truncated && n + 1 >= cap) {
            wchar_t *bigger = cap < PASTE_MAX_CHARS ? realloc(text, 2 * cap * sizeof *text) : NULL;
            if (bigger == NULL) {
                truncated = 1;
            } else {
                text = bigger;
                cap *= 2;
            }
        }
        if (!truncated) text[n++] = c;
        if (at_end) break;
    }
    // Drop the end marker (or, when truncated, the part of it that was stored).
    for (size_t k = PASTE_END_LEN; k > 0; k--) {
        if (n >= k && wmemcmp(text + n - k, paste_end, k) == 0) {
            n -= k;
            break;
        }
    }
    // UTF-8 for the callback.
    char *bytes = malloc(n * MB_LEN_MAX + 1);
    if (bytes == NULL) {
        free(text);
        return CC_ERROR;
    }
    size_t len = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < n; i++) {
        size_t k = wcrtomb(bytes + len, text[i], &st);
        if (k != (size_t)-1) len += k;
    }
    bytes[len] = '\0';
    free(text);
    int code = NNREPL_CC_REFRESH;
    if (ed != NULL && ed->paste != NULL) {
        const LineInfo *li = el_line(el);
        if (li != NULL) {
            code = ed->paste(ed->ctx, li->buffer, (int)(li->lastchar - li->buffer),
                             (int)(li->cursor - li->buffer), bytes, (int)len);
        }
    } else {
        el_insertstr(el, bytes);
    }
    free(bytes);
    return el_code(el, code);
}

// Reads one key (a whole UTF-8 character) from the terminal; see getc_fn.
static int read_key(EditLine *el, nnrepl_editor *ed, wchar_t *wc) {
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
    el_set(ed->el, EL_ADDFN, "nn-search-abort", "restore the line a Ctrl-R search started from", search_abort_fn);
    el_set(ed->el, EL_BIND, "^G", "nn-search-abort", NULL);
    el_set(ed->el, EL_ADDFN, "nn-paste", "read a bracketed paste", paste_fn);
    el_set(ed->el, EL_BIND, "\033[200~", "nn-paste", NULL);
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
    free(ed->presearch);
    free(ed);
}

void nnrepl_editor_set_paste_handler(nnrepl_editor *ed, nnrepl_paste_cb paste) {
    if (ed != NULL) ed->paste = paste;
}

void nnrepl_editor_replace_line(nnrepl_editor *ed, const char *text) {
    if (ed == NULL) return;
    const LineInfoW *wli = el_wline(ed->el);
    if (wli == NULL) return;
    el_cursor(ed->el, (int)(wli->lastchar - wli->cursor));
    el_wdeletestr(ed->el, (int)(wli->lastchar - wli->buffer));
    if (text != NULL && text[0] != '\0') el_insertstr(ed->el, text);
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
    int bracketed = ed->paste != NULL && isatty(fileno(ed->fout));
    if (bracketed) {  // bracketed paste on, only while reading
        fputs("\033[?2004h", ed->fout);
        fflush(ed->fout);
    }
    ed->search_abort = 0;
    errno = 0;
    const char *line = el_gets(ed->el, &n);
    int e = errno;
    if (bracketed) {
        fputs("\033[?2004l", ed->fout);
        fflush(ed->fout);
    }
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
                nnrepl_signal_safe_flush_stdout();
                if (sigaction(SIGINT, &dfl, NULL) == 0 && kill(getpid(), SIGINT) == 0) {
                    errno = saved;
                    return;
                }
            }
            nnrepl_signal_safe_flush_stdout();
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
