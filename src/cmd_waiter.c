/* Waiter commands: spawn, kill, signal, ps, settle. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "cmd.h"
#include "session.h"

static int label_check(const char *l)
{
	size_t n = strlen(l);

	if (n == 0 || n > 20 || isdigit((unsigned char)l[0]) || !strcmp(l, "all"))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)l[i]) && l[i] != '_' && l[i] != '-')
			return -1;
	return 0;
}

/* spawn's options, in the order usage, help and the waiters' option text
 * show them */
enum { O_EVENTS, O_TIMEOUT, O_EDGE, O_ONESHOT, O_EXCLUSIVE, O_LOOP, O_FDS, O_COUNT, O_AS };
static const struct ps_opt spawn_opts[] = {
	[O_EVENTS] = { .name = "events",
		       .value = "MASK",
		       .kind = PS_OPT_MASK,
		       .help = "what to wait for (default in)" },
	[O_TIMEOUT] = { .name = "timeout",
			.value = "MS",
			.kind = PS_OPT_INT,
			.max = 0x7fffffff,
			.what = N_("milliseconds, a number >= 0"),
			.help = "the call's timeout (default none; not for read)" },
	[O_EDGE] = { .name = "edge",
		     .help_names = "edge oneshot exclusive",
		     .help = "EPOLLET, EPOLLONESHOT, EPOLLEXCLUSIVE (epoll only)" },
	[O_ONESHOT] = { .name = "oneshot" },
	[O_EXCLUSIVE] = { .name = "exclusive" },
	[O_LOOP] = { .name = "loop",
		     .help = "wait again after each return (consuming what was readable)" },
	[O_FDS] = { .name = "fds",
		    .value = "N",
		    .kind = PS_OPT_INT,
		    .min = 1,
		    .max = PS_MAX_FDS,
		    .help = "open each object N times and wait on all the fds (1-4096)" },
	[O_COUNT] = { .name = "count",
		      .value = "N",
		      .kind = PS_OPT_INT,
		      .min = 1,
		      .max = 1024,
		      .help = "N identical waiters (labels LABEL.1 ... LABEL.N)" },
	[O_AS] = { .name = "as",
		   .value = "LABEL",
		   .kind = PS_OPT_WORD,
		   .check = label_check,
		   .what = N_(
			   "1-20 chars of A-Z a-z 0-9 _ -, not starting with a digit, not 'all'"),
		   .help = "name the waiter(s) (default w1, w2, ...)" },
	{ 0 },
};
static const unsigned spawn_flags[] = {
	[O_EDGE] = PS_WF_EDGE,
	[O_ONESHOT] = PS_WF_ONESHOT,
	[O_EXCLUSIVE] = PS_WF_EXCLUSIVE,
	[O_LOOP] = PS_WF_LOOP,
};

void ps_spawn_options_text(const struct ps_spawn_req *req, char *buf, size_t len)
{
	char m[PS_MASK_TEXT];
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; spawn_opts[i].name && used < len; i++) {
		const char *name = spawn_opts[i].name;
		int k = 0;

		if (i == O_EVENTS && req->call != PS_CALL_READ)
			k = snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "", name,
				     ps_mask_format(req->events, m, sizeof(m)));
		else if (i == O_TIMEOUT && req->timeout_ms >= 0)
			k = snprintf(buf + used, len - used, "%s%s=%d", used ? " " : "", name,
				     req->timeout_ms);
		else if (i < (int)(sizeof(spawn_flags) / sizeof(spawn_flags[0])) &&
			 spawn_flags[i] && (req->flags & spawn_flags[i]))
			k = snprintf(buf + used, len - used, "%s%s", used ? " " : "", name);
		else if (i == O_FDS && req->nobjs > 0 && req->nopen[0] > 1)
			k = snprintf(buf + used, len - used, "%s%s=%d", used ? " " : "", name,
				     req->nopen[0]);
		if (k > 0)
			used += (size_t)k;
	}
}

static int cmd_spawn(struct ps_cmdctx *c)
{
	struct ps_spawn_req req;
	struct ps_optval val[PS_CMD_MAX_OPTS];
	char msg[512];
	char objs[256];
	size_t first;
	char *p, *save = NULL;
	int nfds = 1, rc;
	struct ps_progress prog;
	struct ps_obj *real[PS_MAX_WAIT_OBJS] = { NULL };

	memset(&req, 0, sizeof(req));
	for (int i = 0; i < PS_MAX_WAIT_OBJS; i++)
		req.realfd[i] = -1;
	req.timeout_ms = -1;
	req.count = 1;
	req.events = 0x1; /* in */
	if (ps_call_parse(c->argv[0], &req.call) < 0)
		return ps_cmd_error(
			c, _("unknown kind '%s' (kinds: poll ppoll select pselect epoll read)"),
			c->argv[0]);
	if (strlen(c->argv[1]) >= sizeof(objs))
		return ps_cmd_error(c, _("object list too long"));
	snprintf(objs, sizeof(objs), "%s", c->argv[1]);
	if (objs[0] == ',' || objs[strlen(objs) - 1] == ',' || strstr(objs, ",,"))
		return ps_cmd_error(c, _("empty object name in '%s'"), objs);
	for (p = strtok_r(objs, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (req.nobjs == PS_MAX_WAIT_OBJS)
			return ps_cmd_error(c, _("too many objects (at most %d per waiter)"),
					    PS_MAX_WAIT_OBJS);
		if (ps_name_check(p, msg, sizeof(msg)) < 0)
			return ps_cmd_error(c, "%s", msg);
		real[req.nobjs] = ps_real_find(&c->s->reals, p);
		if (!real[req.nobjs] && !ps_object_exists(c->s, p)) {
			ps_no_object_msg(c->s, p, msg, sizeof(msg));
			return ps_cmd_error(c, "%s", msg);
		}
		for (int i = 0; i < req.nobjs; i++)
			if (!strcmp(req.objs[i], p))
				return ps_cmd_error(c, _("object '%s' is listed twice"), p);
		snprintf(req.objs[req.nobjs++], PS_NAME_MAX, "%s", p);
	}
	if (req.nobjs == 0)
		return ps_cmd_error(c, _("no object given (usage: %s)"), c->cmd->usage);
	if (ps_cmd_parse_opts(c, 2, val, NULL, NULL) < 0)
		return -1;
	if (val[O_EVENTS].set)
		req.events = val[O_EVENTS].mask;
	if (val[O_TIMEOUT].set)
		req.timeout_ms = val[O_TIMEOUT].num;
	if (val[O_FDS].set)
		nfds = val[O_FDS].num;
	if (val[O_COUNT].set)
		req.count = val[O_COUNT].num;
	if (val[O_AS].set)
		snprintf(req.as, sizeof(req.as), "%s", val[O_AS].str);
	for (size_t i = 0; i < sizeof(spawn_flags) / sizeof(spawn_flags[0]); i++)
		if (spawn_flags[i] && val[i].set)
			req.flags |= spawn_flags[i];
	if (req.call != PS_CALL_EPOLL &&
	    (req.flags & (PS_WF_EDGE | PS_WF_ONESHOT | PS_WF_EXCLUSIVE)))
		return ps_cmd_error(c, _("edge, oneshot and exclusive are epoll options, not %s"),
				    c->argv[0]);
	if ((req.flags & PS_WF_EXCLUSIVE) && (req.flags & PS_WF_ONESHOT))
		return ps_cmd_error(c, _("exclusive cannot be combined with oneshot (epoll_ctl "
					 "rejects EPOLLEXCLUSIVE|EPOLLONESHOT)"));
	if (req.call == PS_CALL_READ) {
		if (req.nobjs != 1)
			return ps_cmd_error(c, _("read waits on one object, not %d"), req.nobjs);
		if (req.timeout_ms >= 0)
			return ps_cmd_error(
				c, _("timeout= does not apply to read (a blocking read has "
				     "no timeout)"));
		if (val[O_EVENTS].set)
			return ps_cmd_error(c, _("events= does not apply to read"));
	}
	if (req.events == 0 && req.call != PS_CALL_READ)
		return ps_cmd_error(c, _("events=none: the call would wait for nothing"));
	if (nfds > 1 && req.call == PS_CALL_READ)
		return ps_cmd_error(c, _("fds= does not apply to read (it reads one fd)"));
	if (nfds * req.nobjs > PS_MAX_FDS)
		return ps_cmd_error(c, _("fds=%d on %d objects is %d fds: at most %d per waiter"),
				    nfds, req.nobjs, nfds * req.nobjs, PS_MAX_FDS);
	if (nfds * req.nobjs > 1000 && (req.call == PS_CALL_SELECT || req.call == PS_CALL_PSELECT))
		return ps_cmd_error(c,
				    _("select waits on fds below FD_SETSIZE (1024): at most 1000 "
				      "fds"));
	for (int i = 0; i < req.nobjs; i++) {
		req.nopen[i] = nfds;
		req.type[i] = real[i] ? real[i]->ops : &ps_obj_module;
		if (real[i]) {
			int end = real[i]->ops->wait_end(req.events, req.call == PS_CALL_READ);
			req.realfd[i] = real[i]->fd[end];
		}
	}
	ps_spawn_options_text(&req, req.options, sizeof(req.options));
	prog = ps_session_progress(c->s);
	first = c->s->ws.n;
	rc = ps_waiters_spawn(&c->s->ws, &req, c->s->dfs.dir, &first, &prog, msg, sizeof(msg));
	/* cancelled half way: the waiters spawned so far are listed, then why */
	for (size_t i = first; i < c->s->ws.n; i++) {
		struct ps_waiter *w = &c->s->ws.v[i]->w;
		struct ps_field f[5] = {
			{ "action", PS_F_STR, "spawned", 0 },
			{ "label", PS_F_STR, w->label, 0 },
			{ "pid", PS_F_INT, NULL, w->pid },
			{ "call", PS_F_STR, w->call_name, 0 },
			{ "objects", PS_F_STR, w->objects, 0 },
		};
		ps_emit(c->sink, PS_REC_MESSAGE, w, f, 5, "spawned %s (pid %d): %s on %s%s%s",
			w->label, (int)w->pid, w->call_name, w->objects, w->options[0] ? ", " : "",
			w->options);
	}
	if (rc < 0)
		return ps_cmd_error(c, "%s", msg);
	return 0;
}

/* Resolve WAITER (label, group, pid, all) to the alive waiters it names. */
static int resolve(struct ps_cmdctx *c, const char *what, struct ps_waiter **out, size_t max,
		   size_t *n)
{
	size_t nw;
	struct ps_waiter *const *w = ps_session_waiters(c->s, &nw);
	int pid = -1;
	bool exited = false;

	*n = 0;
	ps_parse_uint(what, &pid);
	for (size_t i = 0; i < nw && *n < max; i++) {
		bool match = !strcmp(what, "all") || !strcmp(w[i]->label, what) ||
			     !strcmp(w[i]->group, what) || (pid > 0 && w[i]->pid == pid);
		if (!match)
			continue;
		if (!w[i]->alive) {
			exited = true;
			continue;
		}
		out[(*n)++] = w[i];
	}
	if (*n > 0 || !strcmp(what, "all"))
		return 0;
	if (exited)
		return ps_cmd_error(c, _("waiter '%s' has already exited"), what);
	{
		char list[256] = "";
		size_t used = 0;
		for (size_t i = 0; i < nw; i++) {
			if (!w[i]->alive)
				continue;
			int k = snprintf(list + used, sizeof(list) - used, " %s", w[i]->label);
			if (k < 0 || (size_t)k >= sizeof(list) - used)
				break;
			used += (size_t)k;
		}
		if (used)
			return ps_cmd_error(c, _("no waiter '%s' (waiters:%s)"), what, list);
		return ps_cmd_error(
			c, _("no waiter '%s' (there are no waiters; start one with spawn)"), what);
	}
}

static int cmd_kill(struct ps_cmdctx *c)
{
	size_t cap = c->s->ws.n + 1, total = 0, dead = 0, signalled = 0;
	struct ps_waiter **list = calloc(cap, sizeof(*list)), **one = calloc(cap, sizeof(*list));
	struct ps_progress prog = ps_session_progress(c->s);
	bool cancelled = false;

	if (!list || !one) {
		free(list);
		free(one);
		return ps_cmd_error(c, _("out of memory"));
	}
	for (int a = 0; a < c->argc; a++) {
		size_t n;
		if (resolve(c, c->argv[a], one, cap, &n) < 0) {
			free(list);
			free(one);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			bool dup = false;
			for (size_t k = 0; c->argc > 1 && k < total && !dup; k++)
				dup = list[k] == one[i];
			if (!dup)
				list[total++] = one[i];
		}
	}
	free(one);
	/* signal them all, then reap them as they go (one wait for all, not one
	 * per waiter), drawing the progress in between */
	for (size_t i = 0; i < total; i++) {
		kill(list[i]->pid, SIGTERM);
		kill(list[i]->pid, SIGCONT); /* a stopped one runs to its death */
		signalled++;
		/* 1000 dying waiters take the CPUs: answer keys meanwhile */
		if (i % 32 == 31 && prog.fn(prog.ctx, "signalling", i + 1, total) < 0) {
			cancelled = true;
			break;
		}
	}
	while (!cancelled) {
		ps_session_process(c->s);
		dead = 0;
		for (size_t i = 0; i < total; i++)
			dead += !list[i]->alive;
		if (dead == total)
			break;
		if (prog.fn(prog.ctx, "killing", dead, total) < 0 ||
		    ps_session_wait(c->s, 100) < 0) {
			cancelled = true;
			break;
		}
	}
	for (size_t i = 0; i < total; i++) {
		struct ps_waiter *w = list[i];
		struct ps_field f[3] = { { "action", PS_F_STR, "killed", 0 },
					 { "label", PS_F_STR, w->label, 0 },
					 { "pid", PS_F_INT, NULL, w->pid } };
		if (w->alive)
			continue;
		ps_emit(c->sink, PS_REC_MESSAGE, w, f, 3, "killed %s (pid %d)", w->label,
			(int)w->pid);
	}
	free(list);
	if (cancelled)
		return ps_cmd_error(c,
				    _("cancelled: %zu of %zu waiters sent SIGTERM, %zu reaped (the "
				      "others signalled are reaped when they exit)"),
				    signalled, total, dead);
	if (total == 0)
		ps_emit(c->sink, PS_REC_MESSAGE, NULL, NULL, 0, "no waiters to kill");
	return 0;
}

/* forget [WAITER...]: drop exited waiters from the session (all of them, or
 * those named); a live one named is an error and nothing is dropped. */
static int cmd_forget(struct ps_cmdctx *c)
{
	size_t nw, dropped = 0;
	struct ps_waiter *const *w = ps_session_waiters(c->s, &nw);

	for (int a = 0; a < c->argc; a++) {
		const char *what = c->argv[a];
		int pid = -1;
		bool found = false;

		ps_parse_uint(what, &pid);
		for (size_t i = 0; i < nw; i++) {
			if (strcmp(w[i]->label, what) && strcmp(w[i]->group, what) &&
			    !(pid > 0 && w[i]->pid == pid))
				continue;
			found = true;
			if (w[i]->alive)
				return ps_cmd_error(c,
						    _("waiter %s (pid %d) is alive: kill it first, "
						      "then forget it"),
						    w[i]->label, (int)w[i]->pid);
		}
		if (!found)
			return ps_cmd_error(c, _("no waiter '%s'"), what);
	}
	for (size_t i = nw; i-- > 0;) {
		bool named = c->argc == 0;
		for (int a = 0; a < c->argc && !named; a++) {
			int pid = -1;
			ps_parse_uint(c->argv[a], &pid);
			named = !strcmp(w[i]->label, c->argv[a]) ||
				!strcmp(w[i]->group, c->argv[a]) || (pid > 0 && w[i]->pid == pid);
		}
		if (!named || w[i]->alive)
			continue;
		if (ps_waiter_forget(&c->s->ws, w[i]) == 0)
			dropped++;
		w = ps_session_waiters(c->s, &nw);
	}
	{
		struct ps_field f[2] = { { "action", PS_F_STR, "forgot", 0 },
					 { "count", PS_F_INT, NULL, (long long)dropped } };
		ps_emit(c->sink, PS_REC_MESSAGE, NULL, f, 2, "forgot %zu exited waiter%s", dropped,
			dropped == 1 ? "" : "s");
	}
	return 0;
}

static int cmd_signal(struct ps_cmdctx *c)
{
	size_t cap = c->s->ws.n + 1, n;
	struct ps_waiter **list;
	int sig = ps_signal_parse(c->argv[1]);

	if (sig < 0)
		return ps_cmd_error(c, _("unknown signal '%s' (e.g. USR1, INT, TERM, KILL, 10)"),
				    c->argv[1]);
	list = calloc(cap, sizeof(*list));
	if (!list)
		return ps_cmd_error(c, _("out of memory"));
	if (resolve(c, c->argv[0], list, cap, &n) < 0) {
		free(list);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const char *sn = ps_signal_name(sig);
		struct ps_field f[4] = { { "action", PS_F_STR, "signalled", 0 },
					 { "label", PS_F_STR, list[i]->label, 0 },
					 { "pid", PS_F_INT, NULL, list[i]->pid },
					 { "signal", PS_F_STR, sn ? sn : "?", 0 } };
		if (kill(list[i]->pid, sig) < 0) {
			int pid = (int)list[i]->pid, err = errno;

			free(list);
			return ps_cmd_error(c, _("kill(%d): %s"), pid, strerror(err));
		}
		ps_emit(c->sink, PS_REC_MESSAGE, list[i], f, 4, "sent SIG%s to %s (pid %d)",
			sn ? sn : "?", list[i]->label, (int)list[i]->pid);
	}
	free(list);
	return 0;
}

static int cmd_ps(struct ps_cmdctx *c)
{
	size_t nw;
	struct ps_waiter *const *w;

	ps_session_refresh_states(c->s);
	w = ps_session_waiters(c->s, &nw);
	ps_emit_text(c->sink, "%6s  %-10s %-7s %-12s %-2s %-18s %s", "PID", "LABEL", "CALL",
		     "OBJECTS", "ST", "WCHAN", "LAST RESULT");
	if (c->argc == 0) {
		for (size_t i = 0; i < nw; i++)
			ps_rec_waiter(c->sink, PS_REC_WAITER, w[i]);
		return 0;
	}
	for (int a = 0; a < c->argc; a++) {
		int pid = -1;
		bool found = false;
		ps_parse_uint(c->argv[a], &pid);
		for (size_t i = 0; i < nw; i++) {
			if (!strcmp(w[i]->label, c->argv[a]) || !strcmp(w[i]->group, c->argv[a]) ||
			    (pid > 0 && w[i]->pid == pid)) {
				ps_rec_waiter(c->sink, PS_REC_WAITER, w[i]);
				found = true;
			}
		}
		if (found)
			continue;
		if (pid > 0) {
			struct ps_procinfo pi;
			char st[2];
			if (ps_procinfo_get(pid, &pi) < 0)
				return ps_cmd_error(c, _("no process with pid %d"), pid);
			st[0] = pi.state;
			st[1] = '\0';
			struct ps_field f[4] = { { "pid", PS_F_INT, NULL, pi.pid },
						 { "comm", PS_F_STR, pi.comm, 0 },
						 { "state", PS_F_STR, st, 0 },
						 { "wchan", PS_F_STR, pi.wchan, 0 } };
			ps_emit(c->sink, PS_REC_PROCESS, &pi, f, 4,
				"%6d  %-10s %-7s %-12s %c  %-18s -", pid, pi.comm, "-", "-",
				pi.state, pi.wchan);
			continue;
		}
		return ps_cmd_error(c, _("no waiter or pid '%s'"), c->argv[a]);
	}
	return 0;
}

static int cmd_settle(struct ps_cmdctx *c)
{
	int limit = 2000;
	uint64_t took;
	char msg[512];

	if (c->argc > 0 && ps_parse_uint(c->argv[0], &limit) < 0)
		return ps_cmd_error(c, _("bad limit '%s': milliseconds"), c->argv[0]);
	if (ps_settle(c->s, limit, &took, msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	{
		struct ps_field f[1] = { { "ms", PS_F_INT, NULL, (long long)(took / 1000000ull) } };
		ps_emit(c->sink, PS_REC_MESSAGE, NULL, f, 1, "settled after %llu ms",
			(unsigned long long)(took / 1000000ull));
	}
	return 0;
}

/* -------------------------------------------------------- completion */

static void complete_spawn(struct ps_comp *cc, int argi)
{
	if (argi == 1)
		for (int k = PS_CALL_POLL; k <= PS_CALL_READ; k++)
			ps_comp_offer(cc, ps_call_name((enum ps_call)k));
	else if (argi == 2)
		ps_comp_objects(cc);
	else
		ps_comp_options(cc);
}

static void complete_waiters(struct ps_comp *cc, int argi)
{
	(void)argi;
	ps_comp_waiters(cc);
}

static void complete_signal(struct ps_comp *cc, int argi)
{
	static const char *const sigs[] = { "USR1", "USR2", "HUP",  "INT",  "TERM",
					    "KILL", "STOP", "CONT", "ALRM", "QUIT" };

	if (argi == 1)
		ps_comp_waiters(cc);
	else if (argi == 2)
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			ps_comp_offer(cc, sigs[i]);
}

/* ----------------------------------------------------------- entries */

const struct ps_cmd ps_cmd_spawn = {
	.name = "spawn",
	.args = "KIND NAME[,NAME...]",
	.help = N_("start waiter processes that block in poll/ppoll/select/pselect/epoll/read"),
	.long_help =
		"KIND: poll ppoll select pselect epoll read. Each waiter opens the objects and\n"
		"blocks in one call, then reports what it returned (value, revents per object,\n"
		"errno, time spent). Real objects: the waiter inherits pollscope's fd; on a pipe\n"
		"it waits on the read end (socketpair: socket b) unless it waits only for\n"
		"out/wrnorm/wrband, then on the write end (socket a).",
	.examples = "Examples: spawn poll a   spawn epoll a,b exclusive count=3 as=ep\n"
		    "          spawn select a events=in,out timeout=500   spawn read a as=r",
	.opts = spawn_opts,
	.min_args = 2,
	.max_args = 10,
	.exec = cmd_spawn,
	.complete = complete_spawn,
	.needs_module = true,
};

const struct ps_cmd ps_cmd_kill = {
	.name = "kill",
	.args = "WAITER|all",
	.help = N_("kill waiters (label, group label, pid, or all)"),
	.long_help =
		"Sends SIGTERM and reaps them. WAITER: a label (w1), the label given with as=\n"
		"(all its waiters), a pid, or all. Example: kill w1",
	.min_args = 1,
	.max_args = -1,
	.exec = cmd_kill,
	.complete = complete_waiters,
};

const struct ps_cmd ps_cmd_forget = {
	.name = "forget",
	.args = "[WAITER...]",
	.help = N_("drop exited waiters from the session (all, or those named)"),
	.long_help = "Without arguments every exited waiter; WAITER: a label, the label given\n"
		     "with as=, or a pid. A live waiter named is refused (kill it first).\n"
		     "Example: forget   forget w1 ep",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_forget,
	.complete = complete_waiters,
};

const struct ps_cmd ps_cmd_signal = {
	.name = "signal",
	.args = "WAITER SIG",
	.help = N_("send a signal (USR1 interrupts the call: EINTR)"),
	.long_help =
		"Waiters catch USR1 USR2 HUP INT QUIT ALRM, so those make the blocking call fail\n"
		"with EINTR; other signals have their default effect.\n"
		"Example: signal w1 USR1",
	.min_args = 2,
	.max_args = 2,
	.exec = cmd_signal,
	.complete = complete_signal,
};

const struct ps_cmd ps_cmd_ps = {
	.name = "ps",
	.args = "[WAITER|PID...]",
	.help = N_("waiters: pid, label, call, state, wchan, last result"),
	.long_help = "Without arguments every waiter; with arguments those waiters, or any pid\n"
		     "(state letter, wchan and comm of that process).",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_ps,
	.complete = complete_waiters,
};

const struct ps_cmd ps_cmd_settle = {
	.name = "settle",
	.args = "[MS]",
	.help = N_("wait until every waiter sleeps in its call or has returned"),
	.long_help =
		"Watches process states (state S in the call's wait function: do_sys_poll,\n"
		"do_select, do_epoll_wait, the object's read) and the waiters' reports; fails if\n"
		"that takes longer than MS (default 2000).",
	.min_args = 0,
	.max_args = 1,
	.exec = cmd_settle,
};
