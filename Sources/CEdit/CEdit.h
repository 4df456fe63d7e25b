// libedit's readline-compatible API, for labrepl. Named by its full path on purpose: with GNU readline's headers
// also installed, <readline/readline.h> would silently pick GNU's.
#include <stdio.h>
#include <editline/readline.h>
