/* inspect PID [FD]: any process's fds, their wait queues, and what it waits on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "session.h"

static void emit_fd(struct ps_cmdctx *c, const struct ps_inspection *in, const struct ps_fd *f)
{
	char m[PS_MASK_TEXT], waits[PS_MASK_TEXT + 40] = "", more[160] = "";
	struct ps_field fl[14] = {
		{ "pid", PS_F_INT, NULL, f->pid },
		{ "fd", PS_F_INT, NULL, f->fd },
		{ "link", PS_F_STR, f->link, 0 },
		{ "kind", PS_F_STR, f->kind[0] ? f->kind : "-", 0 },
		{ "inspected", PS_F_BOOL, NULL, f->inspected },
		{ "pollable", PS_F_BOOL, NULL, f->pollable },
		{ "mask", PS_F_STR, f->mask, 0 },
		{ "heads", PS_F_INT, NULL, f->heads },
		{ "entries", PS_F_INT, NULL, f->entries },
		{ "waited_on", PS_F_BOOL, NULL, f->waited_on },
		{ "wait_events", PS_F_STR, ps_mask_format(f->wait_events, m, sizeof(m)), 0 },
		{ "note", PS_F_STR, f->note, 0 },
		{ "epoll", PS_F_STR, f->epoll, 0 },
		{ "watched", PS_F_INT, NULL, f->watched },
	};
	int nf = f->epoll[0] ? 14 : 12; /* an epoll fd: its id and how many it watches */

	if (f->epoll[0])
		snprintf(more, sizeof(more), " epoll=%s watches=%d", f->epoll, f->watched);
	else if (f->inspected && f->note[0])
		snprintf(more, sizeof(more), " (%s)", f->note);

	if (f->waited_on && !f->wait_events)
		snprintf(waits, sizeof(waits), "  <- %s sleeps in it",
			 in->syscall[0] && strcmp(in->syscall, "-") ? in->syscall : "it");
	else if (f->waited_on)
		snprintf(waits, sizeof(waits), "  <- %s waits on it%s%s%s",
			 in->syscall[0] && strcmp(in->syscall, "-") ? in->syscall : "it",
			 f->wait_events ? " (" : "", f->wait_events ? m : "",
			 f->wait_events ? ")" : "");
	if (!f->inspected)
		ps_emit(c->sink, PS_REC_FD, f, fl, 12, "fd %d -> %s: not inspected (%s)", f->fd,
			f->link, f->note[0] ? f->note : "?");
	else if (!f->pollable)
		ps_emit(c->sink, PS_REC_FD, f, fl, 12,
			"fd %d -> %s (%s): no poll method (poll(2) says %s)%s", f->fd, f->link,
			f->kind, f->mask, waits);
	else
		ps_emit(c->sink, PS_REC_FD, f, fl, nf,
			"fd %d -> %s (%s): mask=%s heads=%d entries=%d%s%s", f->fd, f->link,
			f->kind, f->mask, f->heads, f->entries, more, waits);
}

int cmd_inspect(struct ps_cmdctx *c)
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
		emit_fd(c, &in, f);
		pollable += f->inspected && f->pollable;
		for (int h = 0; h < f->heads; h++) {
			const struct ps_head *hd = &in.heads[f->first_head + h];
			bool any = false;
			ps_emit_head(c, hd);
			for (size_t k = 0; k < in.nentries; k++) {
				const struct ps_entry *e = &in.entries[k];
				if (e->head != f->first_head + h)
					continue;
				if (!any)
					ps_emit_entry_header(c);
				any = true;
				if (e->pid == in.pid)
					own++;
				ps_emit_entry(c, e, e->pid == in.pid ? "<- this process" : NULL);
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
		struct ps_field f[5] = {
			{ "pid", PS_F_INT, NULL, in.pid },
			{ "fds", PS_F_INT, NULL, (long long)in.nfds },
			{ "pollable", PS_F_INT, NULL, pollable },
			{ "heads", PS_F_INT, NULL, (long long)in.nheads },
			{ "entries", PS_F_INT, NULL, (long long)in.nentries },
		};
		ps_emit(c->sink, PS_REC_MESSAGE, NULL, f, 5,
			"pid %d: %zu fd%s, %d pollable, %zu wait queue head%s, %zu entr%s (%d of "
			"this process)",
			(int)in.pid, in.nfds, in.nfds == 1 ? "" : "s", pollable, in.nheads,
			in.nheads == 1 ? "" : "s", in.nentries, in.nentries == 1 ? "y" : "ies",
			own);
	}
	ps_inspection_free(&in);
	return 0;
}
