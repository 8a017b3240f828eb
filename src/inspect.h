/* inspect PID [FD]: any process's fds, their wait queues, what it waits on. */
#ifndef POLLSCOPE_INSPECT_H
#define POLLSCOPE_INSPECT_H

#include "debugfs.h"
#include "pollscope.h"

/* As ps_inspect_process (pollscope.h), through the module's files in d. d
 * NULL: the module is not there, and the first fd to inspect fails with
 * unavailable (why). */
int ps_inspect_pid(struct ps_debugfs *d, const char *unavailable, pid_t pid, int fd,
		   struct ps_inspection *out, char *err, size_t errlen);

#endif
