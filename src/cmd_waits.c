/* waits: every wait queue head on the system with sleepers, who holds its
 * file open (who could wake them), who sleeps there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "i18n.h"
#include "cmd.h"
#include "diagram.h"
#include "objtype.h"
#include "realobj.h"
#include "session.h"
#include "waits.h"

enum { W_PID, W_COMM, W_KIND, W_ALL, W_NOPTS };

static const struct ps_opt waits_opts[] = {
	[W_PID] = { .name = "pid",
		    .value = "PID",
		    .kind = PS_OPT_INT,
		    .min = 1,
		    .max = 0x3fffffff,
		    .what = N_("a process or thread id"),
		    .help = "only heads that PID sleeps on or holds open" },
	[W_COMM] = { .name = "comm",
		     .value = "NAME",
		     .kind = PS_OPT_WORD,
		     .help = "only heads a process of that name sleeps on or holds open" },
	[W_KIND] = { .name = "kind",
		     .value = "KIND",
		     .kind = PS_OPT_WORD,
		     .help = "only heads of that kind of file: pipe fifo socket eventfd epoll "
			     "timerfd tty dev ..." },
	[W_ALL] = { .name = "all", .help = "heads with no entry too" },
	{ 0 },
};

#define HOLDERS_SHOWN 8

/*
 * A listing's text line, built column by column: waits writes 100,000 of
 * them at 1000 processes, and vsnprintf was half the tool's instructions.
 * Columns pad as printf's %-Ns, %Ns and %Nd do (in bytes, never cut); the
 * line is cut at the end of its buffer, as ps_emit's would be.
 */
struct line {
	char s[1024];
	size_t n;
};

static void line_init(struct line *l)
{
	l->n = 0; /* not the whole buffer: 100,000 lines */
	l->s[0] = '\0';
}

static void put(struct line *l, const char *s, size_t n)
{
	n = n < sizeof(l->s) - 1 - l->n ? n : sizeof(l->s) - 1 - l->n;
	memcpy(l->s + l->n, s, n);
	l->n += n;
	l->s[l->n] = '\0';
}

static void puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static void pad(struct line *l, size_t n)
{
	static const char blanks[] = "                                ";

	while (n) {
		size_t k = n < sizeof(blanks) - 1 ? n : sizeof(blanks) - 1;

		put(l, blanks, k);
		n -= k;
	}
}

/* s in a column of |width| bytes: width < 0 left-aligned (%-Ns), > 0 right (%Ns) */
static void col(struct line *l, const char *s, int width)
{
	size_t n = strlen(s), w = (size_t)(width < 0 ? -width : width);

	if (width > 0 && n < w)
		pad(l, w - n);
	put(l, s, n);
	if (width < 0 && n < w)
		pad(l, w - n);
}

static void col_num(struct line *l, long long v, int width)
{
	char b[24], *p = b + sizeof(b) - 1;
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	*p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	col(l, p, width);
}

/* "  %-8s %7d %-15s": a holder's or a sleeper's line up to the process */
static void col_who(struct line *l, const char *lead, pid_t pid, const char *comm)
{
	line_init(l);
	puts_(l, "  ");
	col(l, lead, -8);
	puts_(l, " ");
	col_num(l, pid, 7);
	puts_(l, " ");
	col(l, comm, -15);
}

struct wctx {
	struct ps_cmdctx *c;
	const struct ps_waitmap *m;
	struct okey *byobj; /* every fd, sorted by obj, pid, fd */
	const struct ps_optval *val;
	char (*calls)[64]; /* per task (index in m->tasks): its call, read once */
	pid_t *pids;	   /* the pids that hold fds, sorted, once each */
	char (*comms)[32]; /* per pids[i]: its comm, read when first needed */
	size_t npids;
};

/* An fd by the object it holds: compact, compared as numbers. */
struct okey {
	uint64_t obj;
	pid_t pid;
	int fd;
	size_t idx; /* in m->fds */
};

static int cmp_obj(const void *a, const void *b)
{
	const struct okey *x = a, *y = b;

	if (x->obj != y->obj)
		return x->obj < y->obj ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

/* The first index in byobj of fds with obj, and how many (0 if none): two
 * binary searches, so that a file held by many fds costs no pass per head. */
static size_t obj_range(const struct wctx *w, uint64_t obj, size_t *first)
{
	size_t lo = 0, hi = w->m->nfds;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (w->byobj[mid].obj < obj)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	hi = w->m->nfds;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (w->byobj[mid].obj <= obj)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - *first;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/* The name of a process that holds a file: a sleeping thread's from the
 * scan, else /proc/PID/comm read once per process and kept (a running
 * process holding many files is named once, not once per head). */
static void comm_of(const struct wctx *w, pid_t pid, char *buf, size_t len)
{
	const struct ps_wtask *t = ps_waits_task(w->m, pid);
	size_t lo = 0, hi = w->npids;

	if (t) {
		size_t n = strnlen(t->comm, len - 1);

		memcpy(buf, t->comm, n);
		buf[n] = '\0';
		return;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (w->pids[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < w->npids && w->pids[lo] == pid) {
		if (!w->comms[lo][0])
			ps_waits_comm(pid, w->comms[lo], sizeof(w->comms[lo]));
		snprintf(buf, len, "%s", w->comms[lo]);
		return;
	}
	ps_waits_comm(pid, buf, len);
}

static bool pid_matches(const struct wctx *w, pid_t pid, pid_t tgid, const struct ps_optval *val)
{
	char comm[32];

	if (val[W_PID].set && val[W_PID].num != pid && val[W_PID].num != tgid)
		return false;
	if (val[W_COMM].set) {
		comm_of(w, pid, comm, sizeof(comm));
		if (strcmp(comm, val[W_COMM].str) != 0)
			return false;
	}
	return true;
}

static pid_t tgid_of(const struct ps_waitmap *m, pid_t tid)
{
	const struct ps_wtask *t = ps_waits_task(m, tid);

	return t ? t->pid : tid;
}

static bool head_matches(const struct wctx *w, const struct ps_whead *h)
{
	const struct ps_waitmap *m = w->m;
	const struct ps_wfd *o = h->owner >= 0 ? &m->fds[h->owner] : NULL;
	const char *objs[2];
	uint64_t num[2];
	size_t first, n;

	if (w->val[W_KIND].set) {
		const char *k = w->val[W_KIND].str;

		if (!o)
			return false;
		if (!strcmp(k, "epoll"))
			k = "eventpoll";
		if (strcmp(o->kind, k) != 0)
			return false;
	}
	if (!w->val[W_PID].set && !w->val[W_COMM].set)
		return true;
	for (size_t k = 0; k < h->n; k++) {
		const struct ps_entry *e = &m->entries[h->first + k];

		if (e->pid > 0 && pid_matches(w, e->pid, tgid_of(m, e->pid), w->val))
			return true;
	}
	if (!o)
		return false;
	objs[0] = o->obj;
	objs[1] = o->peer;
	num[0] = o->objn;
	num[1] = o->peern;
	for (int j = 0; j < 2; j++) {
		if (!objs[j][0])
			continue;
		n = obj_range(w, num[j], &first);
		for (size_t k = 0; k < n; k++) {
			const struct ps_wfd *f = &m->fds[w->byobj[first + k].idx];

			if (pid_matches(w, f->pid, f->pid, w->val))
				return true;
		}
	}
	return false;
}

/* fds of the head's object, and of its peer */
static long count_holders(const struct wctx *w, const struct ps_whead *h)
{
	const struct ps_wfd *o = &w->m->fds[h->owner];
	size_t first;
	long n = (long)obj_range(w, o->objn, &first);

	if (o->peer[0])
		n += (long)obj_range(w, o->peern, &first);
	return n;
}

static void emit_holders(const struct wctx *w, const struct ps_whead *h)
{
	const struct ps_waitmap *m = w->m;
	const struct ps_wfd *o = &m->fds[h->owner];
	const char *objs[2] = { o->obj, o->peer };
	const uint64_t num[2] = { o->objn, o->peern };
	long shown = 0, total = 0;

	for (int j = 0; j < 2; j++) {
		size_t first, n;

		if (!objs[j][0])
			continue;
		n = obj_range(w, num[j], &first);
		total += (long)n;
		for (size_t k = 0; k < n && shown < HOLDERS_SHOWN; k++) {
			const struct ps_wfd *f = &m->fds[w->byobj[first + k].idx];
			const char *role = j ? "peer" : "file";
			char comm[32];

			comm_of(w, f->pid, comm, sizeof(comm));
			{
				struct ps_field fl[7] = {
					{ "wq", PS_F_STR, h->id, 0 },
					{ "pid", PS_F_INT, NULL, f->pid },
					{ "comm", PS_F_STR, comm, 0 },
					{ "fd", PS_F_INT, NULL, f->fd },
					{ "mode", PS_F_STR, f->mode, 0 },
					{ "role", PS_F_STR, role, 0 },
					{ "file", PS_F_STR, f->file, 0 },
				};
				/* "  %-8s %7d %-15s fd %-4d %s%s" */
				struct line l;

				col_who(&l, shown ? "" : "held by", f->pid, comm);
				puts_(&l, " fd ");
				col_num(&l, f->fd, -4);
				puts_(&l, " ");
				puts_(&l, f->mode);
				if (j)
					puts_(&l, "  the peer (the other end of the socket)");
				ps_emit_line(w->c->sink, PS_REC_HOLDER, NULL, fl, 7, l.s);
				shown++;
			}
		}
	}
	if (total > shown) /* the waitq record's holders field counts them all */
		ps_emit_text(w->c->sink, "  %-8s ... and %ld more fds", "", total - shown);
}

/* How long since it last ran ("12 s", "9077.1 ms", "999 us"): integers, a
 * float conversion per sleeper was a tenth of the listing. */
static void slept_text(uint64_t us, struct line *l)
{
	if (us >= 10000000ull) {
		col_num(l, (long long)(us / 1000000), 0);
		puts_(l, " s");
	} else if (us >= 1000) {
		col_num(l, (long long)(us / 1000), 0);
		puts_(l, ".");
		col_num(l, (long long)(us % 1000 / 100), 0);
		puts_(l, " ms");
	} else {
		col_num(l, (long long)us, 0);
		puts_(l, " us");
	}
}

static void emit_sleeper(const struct wctx *w, const struct ps_whead *h, const struct ps_entry *e,
			 const char *via, const struct ps_entry *reg)
{
	const struct ps_wtask *t = ps_waits_task(w->m, e->pid);
	char call[64], st[2] = { e->state, 0 };
	struct line slept;
	long long ms = -1;

	/* a poller has an entry per fd: read its /proc/TID/syscall once */
	if (t && w->calls && w->calls[t - w->m->tasks][0]) {
		memcpy(call, w->calls[t - w->m->tasks], sizeof(call));
	} else {
		ps_waits_call(e->pid, call, sizeof(call));
		if (t && w->calls)
			memcpy(w->calls[t - w->m->tasks], call, sizeof(call));
	}
	line_init(&slept);
	if (t) {
		slept_text(t->slept_us, &slept);
		ms = (long long)(t->slept_us / 1000);
	} else {
		puts_(&slept, "?");
	}
	{
		struct ps_field fl[13] = {
			{ "wq", PS_F_STR, h->id, 0 },
			{ "pid", PS_F_INT, NULL, e->pid },
			{ "tgid", PS_F_INT, NULL, t ? t->pid : e->pid },
			{ "comm", PS_F_STR, e->comm, 0 },
			{ "state", PS_F_STR, st, 0 },
			{ "call", PS_F_STR, call, 0 },
			{ "slept_ms", PS_F_INT, NULL, ms },
			{ "func", PS_F_STR, (reg ? reg : e)->func, 0 },
			{ "exclusive", PS_F_BOOL, NULL, (reg ? reg : e)->exclusive },
			{ "key", PS_F_STR, (reg ? reg : e)->key, 0 },
			{ "pos", PS_F_INT, NULL, (reg ? reg : e)->pos },
			{ "via", PS_F_STR, via ? "epoll" : "entry", 0 },
			{ "epoll", PS_F_STR, reg ? reg->epoll : "", 0 },
		};
		/* "  %-8s %7d %-15s %c %-22s %9s  " then "via %s" or "%s%s" */
		struct line l;

		col_who(&l, !via && e->pos == 0 ? "pos 0" : "", e->pid, e->comm);
		puts_(&l, " ");
		put(&l, st, 1);
		puts_(&l, " ");
		col(&l, call, -22);
		puts_(&l, " ");
		col(&l, slept.s, 9);
		puts_(&l, "  ");
		if (via) {
			puts_(&l, "via ");
			puts_(&l, via);
		} else {
			puts_(&l, e->func);
			if (e->exclusive)
				puts_(&l, " (exclusive)");
		}
		ps_emit_line(w->c->sink, PS_REC_SLEEPER, NULL, fl, 13, l.s);
	}
}

static void emit_head(const struct wctx *w, const struct ps_whead *h)
{
	const struct ps_waitmap *m = w->m;
	const struct ps_wfd *o = h->owner >= 0 ? &m->fds[h->owner] : NULL;
	int sleepers = 0;

	for (size_t k = 0; k < h->n; k++)
		sleepers += m->entries[h->first + k].pid > 0;
	{
		struct ps_field fl[9] = {
			{ "id", PS_F_STR, h->id, 0 },
			{ "label", PS_F_STR, h->label, 0 },
			{ "file", PS_F_STR, o ? o->file : "", 0 },
			{ "kind", PS_F_STR, o ? o->kind : "", 0 },
			{ "entries", PS_F_INT, NULL, h->nent },
			{ "truncated", PS_F_INT, NULL, h->truncated },
			{ "queue", PS_F_STR, h->queue, 0 },
			{ "obj", PS_F_STR, o ? o->obj : "", 0 },
			{ "holders", PS_F_INT, NULL, o ? count_holders(w, h) : 0 },
		};
		/* "wq %s  %s  %s  %d entr%s%s" */
		struct line l;

		line_init(&l);
		puts_(&l, "wq ");
		puts_(&l, h->id);
		puts_(&l, "  ");
		puts_(&l, h->label);
		puts_(&l, "  ");
		puts_(&l, o ? o->file : "-");
		puts_(&l, "  ");
		col_num(&l, h->nent, 0);
		puts_(&l, h->nent == 1 ? " entry" : " entries");
		if (h->truncated)
			puts_(&l, " (more not copied: the module's max_queue_entries)");
		ps_emit_line(w->c->sink, PS_REC_WAITQ, NULL, fl, 9, l.s);
	}
	if (o)
		emit_holders(w, h);
	for (size_t k = 0; k < h->n; k++) {
		const struct ps_entry *e = &m->entries[h->first + k];

		if (!strcmp(e->func, "ep_poll_callback")) {
			/* not a sleeper: epoll's registration; its sleepers are on
			 * the instance's own queue */
			const struct ps_whead *eq = ps_waits_epoll_wq(m, e->epoll);
			char via[96];
			int any = 0;

			snprintf(via, sizeof(via), "epoll %.8s (fd %d in it)", e->epoll, e->tfd);
			ps_emit_text(w->c->sink, "  %-8s ep_poll_callback key=%s%s -> epoll %.8s",
				     e->pos == 0 ? "pos 0" : "", e->key,
				     e->exclusive ? " (exclusive)" : "", e->epoll);
			for (size_t j = 0; eq && j < eq->n; j++) {
				const struct ps_entry *s = &m->entries[eq->first + j];

				if (s->pid > 0) {
					emit_sleeper(w, h, s, via, e);
					any++;
				}
			}
			if (!any)
				ps_emit_text(w->c->sink, "  %-8s (no thread in epoll_wait on it)",
					     "");
		} else if (e->pid > 0) {
			emit_sleeper(w, h, e, NULL, NULL);
		} else {
			ps_emit_text(w->c->sink, "  %-8s %s (no task: %s)", "", e->func, e->kind);
		}
	}
	(void)sleepers;
}

/* The module's scan, parsed, tasks sorted for ps_waits_task. 0, or -1 + c->err. */
static int read_waits(struct ps_cmdctx *c, struct ps_waitmap *m)
{
	char err[512], *text;

	text = ps_dfs_read(&c->s->dfs, "waits", PS_SRC_N, err, sizeof(err));
	if (!text) {
		if (strstr(err, "No such file"))
			return ps_cmd_error(c,
					    _("the loaded module has no waits file (an older "
					      "pollscope.ko): unload it (rmmod pollscope) and let "
					      "pollscope load its own"));
		return ps_cmd_error(c, "%s", err);
	}
	if (ps_waits_parse(text, m, err, sizeof(err)) < 0) {
		free(text);
		return ps_cmd_error(c, "%s", err);
	}
	free(text);
	return 0;
}

/* The holders' pids, sorted and once each, with room for their comms. */
static int index_pids(struct wctx *w)
{
	const struct ps_waitmap *m = w->m;
	size_t n = 0;

	w->pids = malloc((m->nfds ? m->nfds : 1) * sizeof(*w->pids));
	if (!w->pids)
		return -1;
	for (size_t i = 0; i < m->nfds; i++)
		w->pids[i] = m->fds[i].pid;
	qsort(w->pids, m->nfds, sizeof(*w->pids), cmp_pid);
	for (size_t i = 0; i < m->nfds; i++)
		if (!n || w->pids[n - 1] != w->pids[i])
			w->pids[n++] = w->pids[i];
	w->npids = n;
	w->comms = calloc(n ? n : 1, sizeof(*w->comms));
	return w->comms ? 0 : -1;
}

static void wctx_free(struct wctx *w)
{
	free(w->byobj);
	free(w->calls);
	free(w->pids);
	free(w->comms);
}

static int cmd_waits(struct ps_cmdctx *c)
{
	struct ps_optval val[PS_CMD_MAX_OPTS]; /* ps_cmd_parse_opts fills them all */
	struct ps_waitmap m;
	struct wctx w = { c, &m, NULL, val, NULL, NULL, NULL, 0 };
	size_t shown = 0, with = 0, on = 0;

	if (ps_cmd_parse_opts(c, 0, val, NULL, NULL) < 0)
		return -1;
	if (read_waits(c, &m) < 0)
		return -1;
	w.byobj = malloc((m.nfds ? m.nfds : 1) * sizeof(*w.byobj));
	w.calls = calloc(m.ntasks ? m.ntasks : 1, sizeof(*w.calls));
	if (!w.byobj || !w.calls || index_pids(&w) < 0) {
		wctx_free(&w);
		ps_waitmap_free(&m);
		return ps_cmd_error(c, _("out of memory"));
	}
	for (size_t i = 0; i < m.nfds; i++)
		w.byobj[i] = (struct okey){ m.fds[i].objn, m.fds[i].pid, m.fds[i].fd, i };
	qsort(w.byobj, m.nfds, sizeof(*w.byobj), cmp_obj);
	/* one listing at once: written out in blocks, not a write per line */
	ps_emit_hold();
	for (size_t i = 0; i < m.nheads; i++) {
		const struct ps_whead *h = &m.heads[i];

		for (size_t k = 0; k < h->n; k++)
			on += m.entries[h->first + k].pid > 0 &&
			      strcmp(m.entries[h->first + k].func, "ep_poll_callback") != 0;
		if (!h->nent && !val[W_ALL].set)
			continue;
		with += h->nent > 0;
		if (!head_matches(&w, h))
			continue;
		if (shown++)
			ps_emit_line(c->sink, PS_REC_TEXT, NULL, NULL, 0, "");
		emit_head(&w, h);
	}
	{
		struct ps_field fl[10] = {
			{ "shown", PS_F_INT, NULL, (long long)shown },
			{ "heads_with_entries", PS_F_INT, NULL, (long long)with },
			{ "heads", PS_F_INT, NULL, (long long)m.nheads },
			{ "pollable_fds", PS_F_INT, NULL, m.pollable },
			{ "fds", PS_F_INT, NULL, m.files },
			{ "processes", PS_F_INT, NULL, m.procs },
			{ "sleeping", PS_F_INT, NULL, m.sleeping },
			{ "on_queues", PS_F_INT, NULL, (long long)on },
			{ "scan_ms", PS_F_INT, NULL, (long long)(m.ns / 1000000) },
			{ "complete", PS_F_BOOL, NULL, m.complete },
		};
		if (shown)
			ps_emit_text(c->sink, "%s", "");
		ps_emit(c->sink, PS_REC_MESSAGE, NULL, fl, 10,
			"%zu wait queue%s shown; %zu with entries of %zu heads behind %ld pollable "
			"fds (%ld fds, %ld processes); %ld threads asleep, %zu entr%s of them on "
			"these queues (the others sleep in futex, nanosleep, wait4, ... or on a "
			"queue no fd shows); scanned in %llu ms%s",
			shown, shown == 1 ? "" : "s", with, m.nheads, m.pollable, m.files, m.procs,
			m.sleeping, on, on == 1 ? "y" : "ies", (unsigned long long)(m.ns / 1000000),
			m.complete ? "" : " (INCOMPLETE: the module's output limit was reached)");
	}
	ps_emit_release();
	wctx_free(&w);
	ps_waitmap_free(&m);
	return 0;
}

const struct ps_cmd ps_cmd_waits = {
	.name = "waits",
	.args = NULL,
	.help = N_("every wait queue with sleepers: whose file, who holds it, who sleeps"),
	.long_help =
		"One scan of every process (the module's waits file): each wait queue head\n"
		"behind a pollable fd that has entries, labelled as inspect labels it, the\n"
		"processes holding its file open (and a unix socket's peer: who could wake the\n"
		"sleepers), and the threads asleep on it with their call, state and how long\n"
		"since they last ran. An epoll registration (ep_poll_callback) leads to the\n"
		"threads in epoll_wait on that instance. Heads are named by a hashed id.\n"
		"Needs root (debugfs).",
	.examples = "waits   waits kind=pipe   waits pid=93   waits comm=nginx",
	.min_args = 0,
	.max_args = 4,
	.exec = cmd_waits,
	.needs_module = true,
	.opts = waits_opts,
};

/* ------------------------------------------------------------ diagram */

enum { D_WAKE, D_NR, D_STEP, D_ASCII, D_NOPTS };

static const struct ps_opt diagram_opts[] = {
	[D_WAKE] = { .name = "wake",
		     .value = "MASK",
		     .kind = PS_OPT_MASK,
		     .help = "lay out the walk a wake with this key would make (no wake is done)" },
	[D_NR] = { .name = "nr",
		   .value = "N",
		   .kind = PS_OPT_INT,
		   .min = 0,
		   .max = 65536,
		   .help = "exclusive entries the wake may wake (default 1; 0: all)" },
	[D_STEP] = { .name = "step",
		     .value = "N",
		     .kind = PS_OPT_INT,
		     .min = 1,
		     .max = 65536,
		     .help = "show the walk after N entries, the N-th marked (for demos)" },
	[D_ASCII] = { .name = "ascii", .help = "ASCII instead of box-drawing characters" },
	{ 0 },
};

static const struct ps_entry *epwq_of(void *ctx, const char *epoll, size_t *n)
{
	const struct ps_waitmap *m = ctx;
	const struct ps_whead *h = ps_waits_epoll_wq(m, epoll);

	*n = h ? h->n : 0;
	return h ? &m->entries[h->first] : NULL;
}

static int draw(struct ps_cmdctx *c, const struct ps_waitmap *m, const struct ps_dg_head *h,
		const struct ps_dg_opts *o)
{
	struct ps_dg_line *lines;
	size_t n;

	if (ps_dg_layout(h, epwq_of, (void *)m, o, &lines, &n) < 0)
		return ps_cmd_error(c, _("out of memory"));
	for (size_t i = 0; i < n; i++) {
		struct ps_field f[7] = {
			{ "wq", PS_F_STR, h->id, 0 },
			{ "part", PS_F_STR, ps_dg_part_name(lines[i].part), 0 },
			{ "pos", PS_F_INT, NULL, lines[i].pos },
			{ "run", PS_F_INT, NULL, lines[i].run },
			{ "mark", PS_F_STR, ps_dg_mark_name(lines[i].mark), 0 },
			{ "current", PS_F_BOOL, NULL, lines[i].current },
			{ "line", PS_F_STR, lines[i].text, 0 },
		};
		ps_emit(c->sink, PS_REC_DIAGRAM, NULL, f, 7, "%s", lines[i].text);
	}
	free(lines);
	return 0;
}

/* The heads of fd `fd` of process pid, drawn one after the other. */
static int draw_fd(struct ps_cmdctx *c, const struct ps_waitmap *m, pid_t pid, int fd,
		   const char *name, const struct ps_dg_opts *o, int *drawn)
{
	for (size_t i = 0; i < m->nfds; i++) {
		const struct ps_wfd *f = &m->fds[i];

		if (f->pid != pid || f->fd != fd)
			continue;
		if (f->reason[0])
			return ps_cmd_error(c, _("pid %d fd %d (%s): not polled: %s"), (int)pid, fd,
					    f->file, f->reason);
		for (int k = 0; k < f->nwqs; k++) {
			const struct ps_whead *h = ps_waits_head(m, f->wqs[k]);
			struct ps_dg_head dh;

			if (!h)
				continue;
			dh.id = h->id;
			dh.label = h->label;
			dh.file = name ? name : f->file;
			dh.entries = &m->entries[h->first];
			dh.n = h->n;
			if ((*drawn)++)
				ps_emit_text(c->sink, "%s", "");
			if (draw(c, m, &dh, o) < 0)
				return -1;
		}
		return 0;
	}
	return 1; /* not among the pollable fds */
}

static int cmd_diagram(struct ps_cmdctx *c)
{
	struct ps_optval val[PS_CMD_MAX_OPTS]; /* ps_cmd_parse_opts fills them all */
	struct ps_dg_opts o = { 0 };
	struct ps_waitmap m;
	int rest[8], nrest = 0, pid, fd, drawn = 0, rc = 0; /* rest: max_args words */
	char path[64], link[8];

	if (ps_cmd_parse_opts(c, 0, val, rest, &nrest) < 0)
		return -1;
	if (nrest < 1 || nrest > 2)
		return ps_cmd_error(c, _("give an object NAME, or PID FD (usage: %s)"),
				    c->cmd->usage);
	o.ascii = val[D_ASCII].set || c->s->opts.ascii;
	o.wake = val[D_WAKE].set || val[D_STEP].set;
	o.key = val[D_WAKE].set ? val[D_WAKE].mask : 0;
	o.nr = val[D_NR].set ? val[D_NR].num : 1;
	o.step = val[D_STEP].set ? val[D_STEP].num : 0;
	o.width = 80; /* reads at 80 columns, on a projector */
	if (nrest == 2) {
		if (ps_parse_uint(c->argv[rest[0]], &pid) < 0 || pid == 0)
			return ps_cmd_error(c, _("bad pid '%s': a process id"), c->argv[rest[0]]);
		if (ps_parse_uint(c->argv[rest[1]], &fd) < 0)
			return ps_cmd_error(c, _("bad fd '%s': a file descriptor number"),
					    c->argv[rest[1]]);
		if (read_waits(c, &m) < 0)
			return -1;
		rc = draw_fd(c, &m, pid, fd, NULL, &o, &drawn);
		if (rc > 0) {
			snprintf(path, sizeof(path), "/proc/%d", pid);
			if (access(path, F_OK) != 0)
				rc = ps_cmd_error(c, _("no process with pid %d"), pid);
			else if (snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd) < 0 ||
				 readlink(path, link, sizeof(link)) < 0)
				rc = ps_cmd_error(c, _("pid %d has no fd %d"), pid, fd);
			else
				rc = ps_cmd_error(c,
						  "pid %d fd %d is not pollable (no wait queue "
						  "behind it: a regular file or directory)",
						  pid, fd);
		}
	} else {
		const char *name = c->argv[rest[0]];
		struct ps_obj *r = ps_real_find(&c->s->reals, name);
		char suffix[PS_NAME_MAX + 16];

		if (!r && !ps_object_exists(c->s, name)) {
			char msg[256];

			ps_no_object_msg(c->s, name, msg, sizeof(msg));
			return ps_cmd_error(c, "%s", msg);
		}
		if (read_waits(c, &m) < 0)
			return -1;
		if (r) {
			for (int e = 0; e < r->ops->nends && rc == 0; e++)
				rc = draw_fd(c, &m, getpid(), r->fd[e], name, &o, &drawn);
			if (rc > 0)
				rc = ps_cmd_error(
					c, _("%s: pollscope's own fds were not in the scan"), name);
		} else {
			/* a module object: its one queue, through whoever holds it open */
			snprintf(suffix, sizeof(suffix), "/objects/%s", name);
			rc = 1;
			for (size_t i = 0; i < m.nfds && rc > 0; i++) {
				size_t fl = strlen(m.fds[i].file), sl = strlen(suffix);

				if (fl >= sl && !strcmp(m.fds[i].file + fl - sl, suffix) &&
				    strstr(m.fds[i].file, "pollscope"))
					rc = draw_fd(c, &m, m.fds[i].pid, m.fds[i].fd, name, &o,
						     &drawn);
			}
			if (rc > 0) {
				/* nobody holds it open: nobody can be queued on it */
				struct ps_dg_head dh = { "", "the object's queue (obj->wq)", name,
							 NULL, 0 };

				rc = draw(c, &m, &dh, &o);
			}
		}
	}
	ps_waitmap_free(&m);
	return rc < 0 ? -1 : 0;
}

const struct ps_cmd ps_cmd_diagram = {
	.name = "diagram",
	.args = "NAME|PID FD",
	.help = N_("draw a wait queue as the seeds do: head, entries, what each leads to"),
	.long_help =
		"Draws the wait queue(s) of object NAME, or of fd FD of process PID, live from\n"
		"the module's waits scan: the wait_queue_head, its entries in queue order\n"
		"(non-exclusive first, exclusive at the tail) with their keys, and from each\n"
		"entry what the kernel links it to: pollwake -> poll_table_entry ->\n"
		"poll_wqueues -> polling_task; ep_poll_callback -> eppoll_entry -> epitem ->\n"
		"eventpoll and the threads in epoll_wait on it; autoremove_wake_function -> the\n"
		"task. With wake=MASK, marks the walk __wake_up_common would make with that key\n"
		"(a prediction from the kernel's rules, nothing is woken): each entry it visits,\n"
		"whether its function wakes (+/woken) or returns 0 (x filtered by the key, .\n"
		"not asleep), and where an exclusive walk stops (#). step=N shows the walk after\n"
		"N entries. Runs of 3 or more identical entries are folded into one line.",
	.examples = "diagram a   diagram 93 4 wake=in nr=1   diagram e wake=in step=2 ascii",
	.min_args = 1,
	.max_args = 6,
	.exec = cmd_diagram,
	.needs_module = true,
	.opts = diagram_opts,
};
