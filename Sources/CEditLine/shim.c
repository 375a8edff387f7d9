// CEditLine shim: see include/CEditLine.h. Uses the native histedit.h API
// (never <readline/readline.h>, which on this machine is GNU readline's).
#define _GNU_SOURCE
#include "CEditLine.h"

#include <histedit.h>

#include <errno.h>
#include <langinfo.h>
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

// ---- editor ------------------------------------------------------------

nnrepl_editor *nnrepl_editor_create(const char *prog, int infd, int outfd,
                                    int history_size,
                                    nnrepl_complete_cb complete, void *ctx) {
    nnrepl_editor *ed = calloc(1, sizeof *ed);
    if (ed == NULL) return NULL;
    ed->complete = complete;
    ed->ctx = ctx;
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
    errno = 0;
    const char *line = ed != NULL ? el_gets(ed->el, &n) : NULL;
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

static volatile sig_atomic_t g_interrupt = 0;
static volatile sig_atomic_t g_pending_count = 0;
static volatile sig_atomic_t g_force_exit_after = 0;
static struct sigaction g_previous;
static int g_installed = 0;

static void on_sigint(int sig) {
    (void)sig;
    int saved = errno;
    __atomic_store_n(&g_interrupt, 1, __ATOMIC_SEQ_CST);
    int limit = g_force_exit_after;
    if (limit > 0) {
        int n = __atomic_add_fetch(&g_pending_count, 1, __ATOMIC_SEQ_CST);
        if (n >= limit) {
            static const char msg[] =
                "\nnnrepl: interrupted repeatedly without reaching a check point; exiting\n";
            ssize_t w = write(2, msg, sizeof msg - 1);
            (void)w;
            _exit(130);
        }
    }
    errno = saved;
}

int nnrepl_install_sigint_handler(int force_exit_after) {
    g_force_exit_after = force_exit_after > 0 ? force_exit_after : 0;
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

void nnrepl_restore_sigint_handler(void) {
    if (!g_installed) return;
    sigaction(SIGINT, &g_previous, NULL);
    g_installed = 0;
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
}
