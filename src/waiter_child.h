/*
 * The waiter program: what a forked waiter runs. It opens the objects (or
 * keeps the fds of real objects it inherited), blocks in one call (poll,
 * ppoll, select, pselect, epoll_wait, read) and reports each entry and return
 * over the pipe all waiters share:
 *	"ID enter N"
 *	"ID ret N value=V readval=R errno=E ns=T revents=0x1,0x0"
 *	"ID error MESSAGE"
 */
#ifndef POLLSCOPE_WAITER_CHILD_H
#define POLLSCOPE_WAITER_CHILD_H

#include <sys/types.h>

#include "objtype.h"
#include "parse.h"
#include "pollscope.h"

/* What to start (spawn KIND NAMES options). */
struct ps_spawn_req {
	enum ps_call call;
	int nobjs;
	char objs[PS_MAX_WAIT_OBJS][PS_NAME_MAX];
	/* each object's type (NULL: module) */
	const struct ps_objtype_ops *type[PS_MAX_WAIT_OBJS];
	/* held objects: the fd of the end to wait on (inherited), else -1 */
	int realfd[PS_MAX_WAIT_OBJS];
	/* how many fds to open on each object (fds=N; 0 means 1) */
	int nopen[PS_MAX_WAIT_OBJS];
	uint32_t events;
	int timeout_ms;
	unsigned flags;
	int count;
	char as[PS_LABEL_MAX];
	char options[96]; /* as the waiters show them: "events=in timeout=500 edge" */
};

/* In the forked child, right after fork(): detach from the tool's process
 * group, take the label as comm, die with the parent, keep only the report pipe (as fd 3) and the
 * inherited fds, then wait and report. Never returns. */
void ps_waiter_child(const struct ps_spawn_req *req, const char *dir, int report_fd, int id,
		     const char *label, pid_t parent) __attribute__((noreturn));

#endif
