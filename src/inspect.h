/* inspect PID [FD]: any process's fds, their wait queues, what it waits on. */
#ifndef POLLSCOPE_INSPECT_H
#define POLLSCOPE_INSPECT_H

#include "debugfs.h"
#include "pollscope.h"

/* As ps_inspect_process (pollscope.h). module() gives the module's files
 * when the first fd is to be inspected (NULL + err if it cannot). */
int ps_inspect_pid(struct ps_debugfs *(*module)(void *ctx, char *err, size_t errlen), void *ctx,
		   pid_t pid, int fd, struct ps_inspection *out, char *err, size_t errlen);

/* What head idx of nheads of a file is ("read queue (pipe->rd_wait)"), from
 * its kind (ps_fd_kind, or "fifo") and access mode (O_RDONLY/O_WRONLY/O_RDWR
 * or -1), in the order the kernel's poll methods call poll_wait; shared with
 * watch and waits. */
void ps_head_label(const char *kind, int accmode, int idx, int nheads, char *buf, size_t len);

#endif
