// CEditLine: a small C shim over libedit's native histedit.h API.
//
// libedit's el_set/el_get/history are variadic and therefore unavailable from
// Swift; every operation nnrepl needs is wrapped here as a plain C function.
// The shim also owns the SIGINT flag that the REPL and the interpreter poll.
#ifndef NNREPL_CEDITLINE_H
#define NNREPL_CEDITLINE_H

#include <stddef.h>
#include <signal.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Opaque editor handle (EditLine + History + prompt + completion hook).
typedef struct nnrepl_editor nnrepl_editor;

/// Results a completion callback may return (mapped to libedit CC_* codes).
enum {
    NNREPL_CC_REFRESH = 0,      ///< line changed: redraw it
    NNREPL_CC_REDISPLAY = 1,    ///< text was printed below: redraw prompt + line
    NNREPL_CC_REFRESH_BEEP = 2, ///< nothing to do: ring the bell
    NNREPL_CC_NORM = 3,         ///< nothing to do, silently
    NNREPL_CC_ACCEPT = 4        ///< line changed: redraw it, then accept it as if Enter was pressed
};

/// Completion callback. `line` is the UTF-8 text of the whole line
/// (`line_len` bytes, not NUL-terminated), `cursor` is the byte offset of the
/// cursor. The callback edits via nnrepl_editor_delete_before/insert and
/// returns one of NNREPL_CC_*.
typedef int (*nnrepl_complete_cb)(void *ctx, const char *line, int line_len, int cursor);

/// Paste callback (bracketed paste): `line`/`line_len`/`cursor` as for completion, `text`
/// the pasted UTF-8 bytes (`text_len`, not NUL-terminated, newlines as the terminal sent
/// them). Returns one of NNREPL_CC_*.
typedef int (*nnrepl_paste_cb)(void *ctx, const char *line, int line_len, int cursor,
                               const char *text, int text_len);

/// setlocale(LC_CTYPE, "") and, if that is not a UTF-8 locale, fall back to
/// C.UTF-8 (then C.utf8). Returns 1 if a UTF-8 LC_CTYPE is active afterwards.
int nnrepl_setup_locale(void);

/// Create an editor. `infd`/`outfd` = -1 means stdin/stdout (otherwise the fds
/// are dup'ed, the caller keeps ownership of its own). Sets up emacs bindings,
/// EL_SIGNAL, history (size `history_size`, unique), the prompt with '\1'
/// escape markers, Tab -> completion (if `complete` is non-NULL), ^R ->
/// em-inc-search-prev (Ctrl-G inside that search restores the line it started from), then
/// el_source(~/.editrc). Returns NULL on failure.
nnrepl_editor *nnrepl_editor_create(const char *prog, int infd, int outfd,
                                    int history_size,
                                    nnrepl_complete_cb complete, void *ctx);
void nnrepl_editor_destroy(nnrepl_editor *ed);

/// Bracketed paste: while nnrepl_editor_gets reads, the terminal is asked to mark pasted
/// text (ESC[?2004h, turned off again before it returns), and a paste is handed to `paste`
/// as one piece instead of being typed key by key. NULL turns it off.
void nnrepl_editor_set_paste_handler(nnrepl_editor *ed, nnrepl_paste_cb paste);

/// Replace the whole line by `text` (UTF-8), cursor at its end.
void nnrepl_editor_replace_line(nnrepl_editor *ed, const char *text);

/// Copy `prompt` (may contain '\1'-delimited invisible escape sequences).
void nnrepl_editor_set_prompt(nnrepl_editor *ed, const char *prompt);

/// el_gets. Returns the line (owned by libedit, valid until the next call) or
/// NULL; `*count` receives el_gets' count, `*err` the errno observed right
/// after the call (0 if unchanged).
const char *nnrepl_editor_gets(nnrepl_editor *ed, int *count, int *err);

/// History: H_ENTER one entry (may contain newlines). Returns 0 on success.
int nnrepl_editor_history_add(nnrepl_editor *ed, const char *entry);
/// Number of entries currently in the in-memory history.
int nnrepl_editor_history_count(nnrepl_editor *ed);

/// el_deletestr: delete `count` characters (code points) before the cursor.
void nnrepl_editor_delete_before(nnrepl_editor *ed, int count);
/// el_insertstr at the cursor. Returns 0 on success.
int nnrepl_editor_insert(nnrepl_editor *ed, const char *text);
/// Write text to the editor's output stream and flush it.
void nnrepl_editor_write(nnrepl_editor *ed, const char *text);
/// Terminal width in columns (EL_GETTC "co", then TIOCGWINSZ, else 80).
int nnrepl_editor_columns(nnrepl_editor *ed);
/// Reset the tty and redraw (el_reset). Useful after an interrupted read.
void nnrepl_editor_reset(nnrepl_editor *ed);

// ---- fatal signals -----------------------------------------------------

/// Install handlers for the signals that end a process — SIGSEGV, SIGBUS, SIGILL, SIGFPE,
/// SIGTRAP, SIGABRT, SIGSYS (crashes), SIGTERM, SIGHUP, SIGQUIT, SIGXCPU, SIGXFSZ — that
/// write what stdout has buffered (glibc's FILE buffer, with write(2): async-signal-safe),
/// then hand the signal to the previous disposition, so output printed before is not lost.
/// Signals that are ignored stay ignored. Idempotent. Returns 0 on success.
int nnrepl_install_crash_flush(void);
/// Write stdout's buffered bytes with write(2) and empty the buffer (async-signal-safe; a
/// no-op where the FILE layout is unknown). Used before _exit and by the handlers above.
void nnrepl_signal_safe_flush_stdout(void);

// ---- SIGINT flag -------------------------------------------------------

/// Install a SIGINT handler (SA_RESTART) that only sets a flag. If
/// `force_exit_after` > 0, that many ^C without anyone clearing the flag
/// make the handler write a message to stderr and _exit(130) (an escape
/// for code that never polls). Returns 0 on success.
int nnrepl_install_sigint_handler(int force_exit_after);
/// With `by_signal` != 0, the forced exit above resets SIGINT to its default
/// action and re-sends it (the parent sees death by SIGINT, as after Python's
/// uncaught KeyboardInterrupt) instead of _exit(130). Off by default.
void nnrepl_set_force_exit_by_signal(int by_signal);
/// 1 if SIGINT's current disposition is SIG_IGN (e.g. inherited by a
/// background job of a non-interactive shell).
int nnrepl_sigint_is_ignored(void);
/// Flush stdio, reset SIGINT to SIG_DFL, unblock it in this thread and
/// raise it: the process dies by SIGINT (status 130 in a shell), as Python
/// exits after an uncaught KeyboardInterrupt. Returns 130 only if that failed.
int nnrepl_exit_by_sigint(void);
/// Restore the handler that was active before nnrepl_install_sigint_handler.
void nnrepl_restore_sigint_handler(void);
/// The flag itself (non-zero: a SIGINT is pending), for pollers that read it
/// with a plain load and call nnrepl_interrupt_requested only when it is set.
volatile sig_atomic_t *nnrepl_interrupt_flag(void);
/// Test the flag without clearing it.
int nnrepl_interrupt_pending(void);
/// Test-and-clear: returns 1 if a SIGINT arrived since the last clear.
int nnrepl_interrupt_requested(void);
/// Clear the flag (and the pending-^C counter).
void nnrepl_clear_interrupt(void);
/// Set the flag as if SIGINT had arrived (tests / programmatic cancel); also
/// wakes a blocked nnrepl_editor_gets, which then returns NULL with EINTR.
void nnrepl_raise_interrupt_flag(void);

#ifdef __cplusplus
}
#endif

#endif
