/* Line mode with libedit. */
#ifndef POLLSCOPE_LINEEDIT_H
#define POLLSCOPE_LINEEDIT_H

#include "pollscope.h"
#include "version.h"

#define POLLSCOPE_SHELL_VERSION() pollscope_version()

/* Interactive loop until quit or end of input. Returns the exit code. */
int ps_shell(struct ps_session *s, const struct ps_sink *sink);

#endif
