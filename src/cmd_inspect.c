/* inspect PID [FD]: any process's fds, their wait queues, and what it waits on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "session.h"

static int cmd_inspect(struct ps_cmdctx *c)
{
	struct ps_inspection in;
	int pid, fd = -1, own = 0, pollable = 0;
	char msg[512], st[2];

	if (ps_parse_uint(c->argv[0], &pid) < 0 || pid == 0)
		return ps_cmd_error(c, "bad pid '%s': a process id (see ps, or /proc)", c->argv[0]);
	if (c->argc > 1 && ps_parse_uint(c->argv[1], &fd) < 0)
		return ps_cmd_error(c, "bad fd '%s': a file descriptor number", c->argv[1]);
	if (ps_inspect_process(c->s, pid, fd, &in, msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	st[0] = in.state;
	st[1] = '\0';
	{
		struct ps_field f[6] = {
			{ "pid", PS_F_INT, NULL, in.pid },
			{ "comm", PS_F_STR, in.comm, 0 },
			{ "state", PS_F_STR, st, 0 },
			{ "wchan", PS_F_STR, in.wchan, 0 },
			{ "syscall", PS_F_STR, in.syscall, 0 },
			{ "waiting", PS_F_STR, in.waiting, 0 },
		};
		ps_emit(c->sink, PS_REC_PROCESS, NULL, f, 6, "pid %d (%s): state %c, wchan %s",
			(int)in.pid, in.comm, in.state, in.wchan);
	}
	if (in.waiting[0])
		ps_emit_text(c->sink, "  blocked in %s", in.waiting);
	else if (strcmp(in.syscall, "-") != 0)
		ps_emit_text(c->sink, "  in system call %s", in.syscall);
	for (size_t i = 0; i < in.nfds; i++) {
		const struct ps_fd *f = &in.fds[i];
		ps_rec_fd(c->sink, &in, f);
		pollable += f->inspected && f->pollable;
		for (int h = 0; h < f->heads; h++) {
			const struct ps_head *hd = &in.heads[f->first_head + h];
			bool any = false;
			ps_rec_head(c->sink, hd);
			for (size_t k = 0; k < in.nentries; k++) {
				const struct ps_entry *e = &in.entries[k];
				if (e->head != f->first_head + h)
					continue;
				if (!any)
					ps_rec_entry_header(c->sink);
				any = true;
				if (e->pid == in.pid)
					own++;
				ps_rec_entry(c->sink, e, ps_session_label_of(c->s, e->pid),
					     e->pid == in.pid ? "<- this process" : NULL);
			}
		}
	}
	if (in.exited) {
		snprintf(msg, sizeof(msg),
			 "pid %d (%s) exited during the inspection (%zu fd%s looked at before it "
			 "went)",
			 (int)in.pid, in.comm, in.nfds, in.nfds == 1 ? "" : "s");
		ps_inspection_free(&in);
		return ps_cmd_error(c, "%s", msg);
	}
	{
		/* fds of one open file list the same heads and entries again: say
		 * how many are distinct when some fds share a file */
		long dheads = 0, dentries = 0;
		int shared = 0;
		char extra[96] = "";

		for (size_t i = 0; i < in.nfds; i++) {
			if (in.fds[i].same_as >= 0) {
				shared += in.fds[i].heads > 0;
				continue;
			}
			dheads += in.fds[i].heads;
			dentries += in.fds[i].entries;
		}
		struct ps_field f[7] = {
			{ "pid", PS_F_INT, NULL, in.pid },
			{ "fds", PS_F_INT, NULL, (long long)in.nfds },
			{ "pollable", PS_F_INT, NULL, pollable },
			{ "heads", PS_F_INT, NULL, (long long)in.nheads },
			{ "entries", PS_F_INT, NULL, (long long)in.nentries },
			{ "distinct_heads", PS_F_INT, NULL, dheads },
			{ "distinct_entries", PS_F_INT, NULL, dentries },
		};
		if (shared)
			snprintf(
				extra, sizeof(extra),
				"; %d fd%s share%s a file with an earlier fd: %ld distinct head%s, "
				"%ld distinct entr%s",
				shared, shared == 1 ? "" : "s", shared == 1 ? "s" : "", dheads,
				dheads == 1 ? "" : "s", dentries, dentries == 1 ? "y" : "ies");
		ps_emit(c->sink, PS_REC_MESSAGE, NULL, f, shared ? 7 : 5,
			"pid %d: %zu fd%s, %d pollable, %zu wait queue head%s, %zu entr%s (%d of "
			"this process)%s",
			(int)in.pid, in.nfds, in.nfds == 1 ? "" : "s", pollable, in.nheads,
			in.nheads == 1 ? "" : "s", in.nentries, in.nentries == 1 ? "y" : "ies", own,
			extra);
	}
	ps_inspection_free(&in);
	return 0;
}

/* ----------------------------------------------------------- entries */

const struct ps_cmd ps_cmd_inspect = {
	.name = "inspect",
	.args = "PID [FD]",
	.help = "any process's fds, their wait queues, what it waits on",
	.long_help =
		"Lists the fds of process PID (or just FD) and, for each pollable one, the wait\n"
		"queue heads its poll method uses and the entries on them with the sleepers'\n"
		"states (pidfd_open + pidfd_getfd, then the module's inspect). If the process is\n"
		"blocked in poll, select, epoll_wait or read, says in which call and on which fds\n"
		"(its pollfd array and fd_sets are read with process_vm_readv). Needs ptrace\n"
		"access to the process (root). Example: inspect 93   inspect 93 4",
	.min_args = 1,
	.max_args = 2,
	.exec = cmd_inspect,
};
