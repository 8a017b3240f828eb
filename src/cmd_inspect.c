/* inspect PID [FD]: any process's fds, their wait queues, and what it waits on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "cmd.h"
#include "records.h"
#include "session.h"

/* An entry of one of the process's threads (a pollwake entry of thread 120
 * is the process's own). */
static bool of_process(const struct ps_inspection *in, pid_t pid)
{
	if (pid == in->pid)
		return true;
	for (size_t k = 0; k < in->nthreads; k++)
		if (in->threads[k].tid == pid)
			return true;
	return false;
}

/* The epoll fds the process's calls wait on through another epoll (nested),
 * sorted by instance id: each epoll entry is matched by a binary search. */
struct nested_ep {
	char epoll[24];
	int fd;
};
struct nested {
	size_t n;
	struct nested_ep *v;
};

static int cmp_nested(const void *a, const void *b)
{
	return strcmp(((const struct nested_ep *)a)->epoll, ((const struct nested_ep *)b)->epoll);
}

static int nested_list(const struct ps_inspection *in, struct nested *ne)
{
	ne->n = 0;
	ne->v = NULL;
	for (size_t i = 0; i < in->nfds; i++) {
		const struct ps_fd *f = &in->fds[i];

		if (!f->nwatch || !f->waited_on || !f->wait_events || !f->epoll[0])
			continue;
		if (!ne->v && !(ne->v = malloc(in->nfds * sizeof(*ne->v))))
			return -1;
		snprintf(ne->v[ne->n].epoll, sizeof(ne->v[0].epoll), "%s", f->epoll);
		ne->v[ne->n++].fd = f->fd;
	}
	if (ne->n > 1)
		qsort(ne->v, ne->n, sizeof(*ne->v), cmp_nested);
	return 0;
}

/* An epoll entry of an instance that is one of those: its fd, else -1. */
static int nested_epoll(const struct nested *ne, const struct ps_entry *e)
{
	struct nested_ep key, *hit;

	if (!ne->n || !e->epoll[0])
		return -1;
	snprintf(key.epoll, sizeof(key.epoll), "%s", e->epoll);
	hit = bsearch(&key, ne->v, ne->n, sizeof(*ne->v), cmp_nested);
	return hit ? hit->fd : -1;
}

/* b follows a and differs in its position only, or (an epoll's entries for
 * consecutive fds) in its tfd by step too */
static bool entries_alike(const struct ps_entry *a, const struct ps_entry *b, int step)
{
	return b->pos == a->pos + 1 && !strcmp(a->kind, b->kind) && !strcmp(a->func, b->func) &&
	       a->pid == b->pid && !strcmp(a->comm, b->comm) && a->state == b->state &&
	       !strcmp(a->flags, b->flags) && !strcmp(a->key, b->key) &&
	       !strcmp(a->epoll, b->epoll) && b->tfd == a->tfd + step &&
	       !strcmp(a->sleepers, b->sleepers);
}

/* fds after f that are of the same file as f and alike on the line */
static size_t fd_run(const struct ps_inspection *in, size_t i)
{
	const struct ps_fd *f = &in->fds[i];
	size_t j = i + 1;

	if (f->same_as < 0 || !f->inspected || !f->pollable)
		return 1;
	while (j < in->nfds) {
		const struct ps_fd *g = &in->fds[j];
		if (g->same_as != f->same_as || !g->inspected || !g->pollable ||
		    strcmp(g->link, f->link) || strcmp(g->mask, f->mask) ||
		    g->waited_on != f->waited_on || g->wait_events != f->wait_events ||
		    g->wait_tid != f->wait_tid || g->registered_as >= 0 || f->registered_as >= 0 ||
		    g->via_epoll != f->via_epoll)
			break;
		j++;
	}
	return j - i;
}

static int cmd_inspect(struct ps_cmdctx *c)
{
	struct ps_inspection in;
	struct nested ne;
	int pid, fd = -1, pollable = 0;
	long own = 0;
	size_t cursor = 0;
	char msg[512], st[2];

	if (ps_parse_uint(c->argv[0], &pid) < 0 || pid == 0)
		return ps_cmd_error(c, _("bad pid '%s': a process id (see ps, or /proc)"),
				    c->argv[0]);
	if (c->argc > 1 && ps_parse_uint(c->argv[1], &fd) < 0)
		return ps_cmd_error(c, _("bad fd '%s': a file descriptor number"), c->argv[1]);
	if (ps_inspect_process(c->s, pid, fd, &in, msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	if (nested_list(&in, &ne) < 0) {
		ps_inspection_free(&in);
		return ps_cmd_error(c, _("out of memory"));
	}
	st[0] = in.state;
	st[1] = '\0';
	{
		char *call = in.nthreads ? ps_call_json(&in.threads[0]) : NULL;
		struct ps_field f[9] = {
			{ "pid", PS_F_INT, NULL, in.pid },
			{ "comm", PS_F_STR, in.comm, 0 },
			{ "state", PS_F_STR, st, 0 },
			{ "wchan", PS_F_STR, in.wchan, 0 },
			{ "syscall", PS_F_STR, in.syscall, 0 },
			{ "waiting", PS_F_STR, in.waiting, 0 },
			{ "call", PS_F_JSON, call, 0 },
			{ "threads", PS_F_INT, NULL, (long long)in.nthreads },
			{ "asked_tid", PS_F_INT, NULL, in.asked_tid },
		};
		if (in.asked_tid)
			ps_emit_text(c->sink,
				     "thread %d is a thread of pid %d: the fds below are "
				     "the process's",
				     (int)in.asked_tid, (int)in.pid);
		ps_emit(c->sink, PS_REC_PROCESS, NULL, f, in.asked_tid ? 9 : 8,
			"pid %d (%s): state %c, wchan %s", (int)in.pid, in.comm, in.state,
			in.wchan);
		free(call);
	}
	if (in.waiting[0])
		ps_emit_text(c->sink, "  blocked in %s", in.waiting);
	else if (strcmp(in.syscall, "-") != 0)
		ps_emit_text(c->sink, "  in system call %s", in.syscall);
	for (size_t k = 0; k < in.nthreads; k++)
		ps_rec_thread(c->sink, &in, &in.threads[k]);
	for (size_t k = 0; k < in.nstale; k++)
		ps_rec_stale(c->sink, &in, &in.stale[k]);
	for (size_t i = 0; i < in.nfds;) {
		const struct ps_fd *f = &in.fds[i];
		size_t run = fd_run(&in, i);

		pollable += f->inspected && f->pollable;
		ps_rec_fd_run(c->sink, &in, f, (int)run);
		for (size_t r = 1; r < run; r++) {
			pollable++;
			ps_rec_fd_run(c->sink, &in, &in.fds[i + r], 0);
		}
		i += run;
		if (!f->listed)
			continue;
		for (int h = 0; h < f->heads; h++) {
			const struct ps_head *hd = &in.heads[f->first_head + h];
			bool any = false;

			ps_rec_head(c->sink, hd);
			/* entries are in fd and head order: a cursor, not a search */
			while (cursor < in.nentries &&
			       in.entries[cursor].head == f->first_head + h) {
				struct ps_entry e = in.entries[cursor];
				size_t n = 1;
				bool mine = of_process(&in, e.pid);
				int via;
				char note[48] = "";

				int step = 0;

				if (cursor + 1 < in.nentries && e.epoll[0] &&
				    abs(in.entries[cursor + 1].tfd - e.tfd) == 1)
					step = in.entries[cursor + 1].tfd - e.tfd;
				while (cursor + n < in.nentries &&
				       in.entries[cursor + n].head == e.head &&
				       entries_alike(&in.entries[cursor + n - 1],
						     &in.entries[cursor + n], step))
					n++;
				if (!any)
					ps_rec_entry_header(c->sink);
				any = true;
				if (mine) {
					snprintf(note, sizeof(note),
						 e.pid == in.pid || in.nthreads < 2
							 ? "<- this process"
							 : "<- this process (thread %d)",
						 (int)e.pid);
				} else if ((via = nested_epoll(&ne, &e)) >= 0) {
					/* an epoll nobody sleeps in, watched by the
					 * one the process sleeps in */
					mine = true;
					snprintf(note, sizeof(note),
						 "<- this process (through epoll fd %d)", via);
				}
				own += mine ? (long)n : 0;
				for (size_t r = 0; r < n; r++) {
					e = in.entries[cursor + r];
					e.head = h; /* the fd's head index, as its head record */
					ps_rec_inspect_entry(c->sink, &e, f->fd,
							     ps_session_label_of(c->s, e.pid), note,
							     r == 0 ? (int)n : 0,
							     in.entries[cursor + n - 1].tfd);
				}
				cursor += n;
			}
		}
	}
	if (in.exited) {
		snprintf(msg, sizeof(msg),
			 P_("pid %d (%s) exited during the inspection (%zu fd looked at before it "
			    "went)",
			    "pid %d (%s) exited during the inspection (%zu fds looked at before it "
			    "went)",
			    in.nfds),
			 (int)in.pid, in.comm, in.nfds);
		ps_inspection_free(&in);
		free(ne.v);
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
			{ "heads", PS_F_INT, NULL, in.sum_heads },
			{ "entries", PS_F_INT, NULL, in.sum_entries },
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
			"pid %d: %zu fd%s, %d pollable, %ld wait queue head%s, %ld entr%s (%ld of "
			"this process)%s",
			(int)in.pid, in.nfds, in.nfds == 1 ? "" : "s", pollable, in.sum_heads,
			in.sum_heads == 1 ? "" : "s", in.sum_entries,
			in.sum_entries == 1 ? "y" : "ies", own, extra);
	}
	ps_inspection_free(&in);
	free(ne.v);
	return 0;
}

/* ----------------------------------------------------------- entries */

const struct ps_cmd ps_cmd_inspect = {
	.name = "inspect",
	.args = "PID [FD]",
	.help = N_("any process's fds, their wait queues, what it waits on"),
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
