/* inspect PID [FD]: any process's fds, their wait queues, what it waits on. */
#ifndef POLLSCOPE_INSPECT_H
#define POLLSCOPE_INSPECT_H

#include "debugfs.h"
#include "pollscope.h"

/* As ps_inspect_process (pollscope.h). module() gives the module's files
 * when the first fd is to be inspected (NULL + err if it cannot). */
int ps_inspect_pid(struct ps_debugfs *(*module)(void *ctx, char *err, size_t errlen), void *ctx,
		   pid_t pid, int fd, struct ps_inspection *out, char *err, size_t errlen);

#endif
