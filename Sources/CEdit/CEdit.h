// libedit's readline-compatible API, for labrepl. Named by its full path on purpose: with GNU readline's headers
// also installed, <readline/readline.h> would silently pick GNU's.
#include <stdio.h>
#include <editline/readline.h>

/// Names the program for libedit (its settings in ~/.editrc). `name` must live as long as the program. (The
/// variable is `const char *` in current libedits and `char *` in macOS's.)
static inline void cedit_set_program_name(const char *name) { rl_readline_name = (char *)name; }

// The one place where the libedits labrepl meets differ. Linux distributions ship a current libedit; macOS uses
// its own, from the SDK (no pkg-config, no Homebrew), whose readline layer is NetBSD's of 2012 (readline.h 1.33, as
// in the macOS 12 SDK): it has neither rl_catch_signals nor rl_resize_terminal.
#if defined(__APPLE__)
#include <sys/ioctl.h>
#include <unistd.h>

/// Leaves Ctrl-C to the program's own handler. macOS's libedit has no switch for this: it takes the signals only
/// while it reads a key, then hands each one on to the handler that was there before.
static inline void cedit_leave_signals_to_program(void) {}

/// Tells libedit the terminal's new size, after the window was resized.
static inline void cedit_resize_terminal(void) {
    struct winsize size;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row > 0 && size.ws_col > 0) {
        rl_set_screen_size(size.ws_row, size.ws_col);
    }
}
#else
static inline void cedit_leave_signals_to_program(void) { rl_catch_signals = 0; }
static inline void cedit_resize_terminal(void) { rl_resize_terminal(); }
#endif
