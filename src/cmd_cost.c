/*
 * cost [N...]: what one wakeup costs select, poll and epoll, in calls of the
 * poll method, when one fd out of N becomes ready. Measured from the module's
 * per-object `polls` counters: a waiter sleeps on one "hot" object and N-1
 * fds of an "idle" object; the hot one is woken; the calls made between the
 * wake and the waiter's return are the cost of that wakeup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "cmd.h"
#include "session.h"

#define COST_HOT "cost-hot"
#define COST_IDLE "cost-idle"
#define COST_MAX_N 8

static const enum ps_call cost_calls[3] = { PS_CALL_SELECT, PS_CALL_POLL, PS_CALL_EPOLL };

static int polls_now(struct ps_session *s, unsigned long *polls, int *waiting, char *err,
		     size_t errlen)
{
	size_t n;
	const struct ps_object *o;

	if (ps_session_read_objects(s, err, errlen) < 0)
		return -1;
	o = ps_session_objects(s, &n);
	*polls = 0;
	*waiting = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(o[i].name, COST_HOT) || !strcmp(o[i].name, COST_IDLE)) {
			*polls += o[i].polls;
			*waiting += o[i].waiting;
		}
	}
	return 0;
}

static struct ps_waiter *find_label(struct ps_session *s, size_t from, const char *label)
{
	for (size_t i = from; i < s->ws.n; i++)
		if (!strcmp(s->ws.v[i]->w.label, label))
			return &s->ws.v[i]->w;
	return NULL;
}

/* One measurement: *setup = calls until asleep, *wake = calls from the wake to the return. */
static int measure(struct ps_session *s, enum ps_call call, int n, long *setup, long *wake,
		   int *entries, char *err, size_t errlen)
{
	struct ps_spawn_req req;
	unsigned long p0, p1, p2;
	int w0;
	size_t first;
	struct ps_waiter *w;
	int r;

	memset(&req, 0, sizeof(req));
	req.call = call;
	req.events = 0x1; /* in */
	req.timeout_ms = -1;
	req.count = 1;
	snprintf(req.as, sizeof(req.as), "cost");
	for (int i = 0; i < PS_MAX_WAIT_OBJS; i++)
		req.realfd[i] = -1;
	snprintf(req.objs[0], PS_NAME_MAX, "%s", COST_HOT);
	req.nopen[0] = 1;
	req.nobjs = 1;
	if (n > 1) {
		snprintf(req.objs[1], PS_NAME_MAX, "%s", COST_IDLE);
		req.nopen[1] = n - 1;
		req.nobjs = 2;
	}
	ps_spawn_options_text(&req, req.options, sizeof(req.options));
	if (polls_now(s, &p0, &w0, err, errlen) < 0)
		return -1;
	if (ps_waiters_spawn(&s->ws, &req, s->dfs.dir, &first, NULL, err, errlen) < 0)
		return -1;
	w = find_label(s, first, "cost");
	if (!w) {
		snprintf(err, errlen, _("the measuring waiter is missing"));
		return -1;
	}
	if (ps_settle(s, 60000, NULL, err, errlen) < 0)
		return -1;
	if (!w->alive || !w->asleep) {
		snprintf(err, errlen, _("%s on %d fds did not go to sleep (%s)"),
			 ps_call_name(call), n, w->last.valid ? w->last.text : w->exit_text);
		return -1;
	}
	if (polls_now(s, &p1, entries, err, errlen) < 0)
		return -1;
	r = ps_dfs_control(&s->dfs, "wake %s in 1", COST_HOT);
	if (r < 0) {
		snprintf(err, errlen, _("wake %s: %s"), COST_HOT, strerror(-r));
		return -1;
	}
	if (ps_settle(s, 60000, NULL, err, errlen) < 0)
		return -1;
	if (w->alive || !w->last.valid || w->last.value != 1) {
		snprintf(err, errlen, _("%s on %d fds did not return 1 after the wake (%s)"),
			 ps_call_name(call), n, w->last.valid ? w->last.text : "no result");
		return -1;
	}
	if (polls_now(s, &p2, &w0, err, errlen) < 0)
		return -1;
	r = ps_dfs_control(&s->dfs, "ready %s none", COST_HOT);
	if (r < 0) {
		snprintf(err, errlen, _("ready %s none: %s"), COST_HOT, strerror(-r));
		return -1;
	}
	*setup = (long)(p1 - p0);
	*wake = (long)(p2 - p1);
	return 0;
}

static int cmd_cost(struct ps_cmdctx *c)
{
	int ns[COST_MAX_N] = { 1, 10, 100, 1000 }, nn = 4;
	long setup[COST_MAX_N][3], wake[COST_MAX_N][3];
	int entries[COST_MAX_N][3];
	const struct ps_sink *saved;
	static const struct ps_sink quiet = { .record = NULL };
	char msg[512];
	int r, rc = 0;

	if (c->s->recorded)
		return ps_cmd_error(
			c, _("cost measures the live module's counters: not with --debugfs "
			     "(recorded files)"));
	if (c->argc > 0) {
		nn = 0;
		for (int i = 0; i < c->argc; i++) {
			if (ps_parse_uint(c->argv[i], &ns[nn]) < 0 || ns[nn] < 1 || ns[nn] > 1000)
				return ps_cmd_error(c,
						    _("bad N '%s': a number of fds from 1 to 1000"),
						    c->argv[i]);
			nn++;
		}
	}
	if (ps_object_exists(c->s, COST_HOT) || ps_object_exists(c->s, COST_IDLE) ||
	    ps_real_find(&c->s->reals, COST_HOT) || ps_real_find(&c->s->reals, COST_IDLE))
		return ps_cmd_error(c, _("objects %s and %s are in the way: destroy them first"),
				    COST_HOT, COST_IDLE);
	for (size_t i = 0; i < c->s->ws.n; i++)
		if (c->s->ws.v[i]->w.alive && !strcmp(c->s->ws.v[i]->w.group, "cost"))
			return ps_cmd_error(c,
					    _("a waiter labelled 'cost' is in the way: kill it"));
	if ((r = ps_dfs_control(&c->s->dfs, "create %s", COST_HOT)) < 0)
		return ps_cmd_error(c, _("create %s: %s"), COST_HOT, strerror(-r));
	ps_note_created(c->s, COST_HOT);
	if ((r = ps_dfs_control(&c->s->dfs, "create %s", COST_IDLE)) < 0) {
		ps_dfs_control(&c->s->dfs, "destroy %s", COST_HOT);
		ps_note_destroyed(c->s, COST_HOT);
		return ps_cmd_error(c, _("create %s: %s"), COST_IDLE, strerror(-r));
	}
	ps_note_created(c->s, COST_IDLE);

	/* the waiters' own reports would interleave with the table */
	saved = c->s->cur_sink;
	c->s->cur_sink = &quiet;
	for (int i = 0; i < nn && rc == 0; i++)
		for (int k = 0; k < 3 && rc == 0; k++)
			rc = measure(c->s, cost_calls[k], ns[i], &setup[i][k], &wake[i][k],
				     &entries[i][k], msg, sizeof(msg));
	c->s->cur_sink = saved;
	ps_dfs_control(&c->s->dfs, "destroy %s", COST_IDLE);
	ps_note_destroyed(c->s, COST_IDLE);
	ps_dfs_control(&c->s->dfs, "destroy %s", COST_HOT);
	ps_note_destroyed(c->s, COST_HOT);
	if (rc < 0)
		return ps_cmd_error(c, "%s", msg);

	ps_emit_text(c->sink, "poll-method calls when 1 fd out of N becomes ready (module stats, "
			      "`polls` of the objects)");
	ps_emit_text(c->sink, "%6s   %-26s   %-26s   %s", "", "per wakeup (wake -> return)",
		     "to go to sleep (setup)", "entries while asleep");
	ps_emit_text(c->sink, "%6s   %8s %8s %8s   %8s %8s %8s   %8s %8s %8s", "N", "select",
		     "poll", "epoll", "select", "poll", "epoll", "select", "poll", "epoll");
	for (int i = 0; i < nn; i++) {
		struct ps_field f[10] = {
			{ "n", PS_F_INT, NULL, ns[i] },
			{ "select", PS_F_INT, NULL, wake[i][0] },
			{ "poll", PS_F_INT, NULL, wake[i][1] },
			{ "epoll", PS_F_INT, NULL, wake[i][2] },
			{ "select_setup", PS_F_INT, NULL, setup[i][0] },
			{ "poll_setup", PS_F_INT, NULL, setup[i][1] },
			{ "epoll_setup", PS_F_INT, NULL, setup[i][2] },
			{ "select_entries", PS_F_INT, NULL, entries[i][0] },
			{ "poll_entries", PS_F_INT, NULL, entries[i][1] },
			{ "epoll_entries", PS_F_INT, NULL, entries[i][2] },
		};
		ps_emit(c->sink, PS_REC_COST, NULL, f, 10,
			"%6d   %8ld %8ld %8ld   %8ld %8ld %8ld   %8d %8d %8d", ns[i], wake[i][0],
			wake[i][1], wake[i][2], setup[i][0], setup[i][1], setup[i][2],
			entries[i][0], entries[i][1], entries[i][2]);
	}
	return 0;
}

/* ----------------------------------------------------------- entries */

const struct ps_cmd ps_cmd_cost = {
	.name = "cost",
	.args = "[N...]",
	.help = N_("select vs poll vs epoll: poll-method calls per wakeup"),
	.long_help =
		"Measures, for N fds (default 1 10 100 1000, at most 1000) of which one becomes\n"
		"ready, how many times select, poll and epoll call the poll method: to go to\n"
		"sleep, and from the wake to their return, from the module's per-object polls\n"
		"counters. Uses objects cost-hot and cost-idle and a waiter labelled cost.\n"
		"Example: cost   cost 1 50",
	.min_args = 0,
	.max_args = COST_MAX_N,
	.exec = cmd_cost,
	.needs_module = true,
};
