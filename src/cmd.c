/* The command table, lookup, argument checks, ps_exec and completion. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "session.h"

#define COST_ARGS_MAX 8

static const struct ps_cmd cmds[] = {
	{ "create", "create NAME [TYPE]",
	  "create a pollable object (module, or a real eventfd/pipe/...)",
	  "Without TYPE (or TYPE module): objects/NAME of the module, a file whose poll\n"
	  "method queues callers on the object's wait queue. TYPE eventfd, pipe, timerfd or\n"
	  "socketpair: a real kernel object that pollscope holds; waiters sleep on it, write\n"
	  "and read act on it, show lists the entries on each of its wait queues (through\n"
	  "the module's inspect). NAME: 1-31 characters of A-Z a-z 0-9 _ . -\n"
	  "Examples: create a   create e eventfd   create p pipe",
	  1, 2, cmd_create, PS_COMP_OBJECT, true },
	{ "destroy", "destroy NAME", "destroy an object (wakes every waiter with hup,err)",
	  "Marks the object dead, sets its readiness to hup,err and wakes every waiter,\n"
	  "exclusive ones too. A real object: pollscope closes its fds (waiters keep theirs;\n"
	  "a pipe's readers see hup once no writer is left). Example: destroy a",
	  1, 1, cmd_destroy, PS_COMP_OBJECT, true },
	{ "ready", "ready NAME MASK", "change readiness, wake nobody (the lost wakeup)",
	  "Sets the object's readiness to MASK without waking anyone: sleepers stay asleep\n"
	  "although the object is ready. MASK: in out pri err hup rdnorm rdband wrnorm\n"
	  "wrband msg rdhup joined by ',' or '|', a number, or none.\n"
	  "Example: ready a in",
	  2, 2, cmd_ready, PS_COMP_OBJECT, true },
	{ "wake", "wake NAME [MASK] [nr=N]", "set readiness |= MASK and wake with key=MASK",
	  "Adds MASK (default in) to the readiness and walks the wait queue with key=MASK:\n"
	  "every non-exclusive entry is called; the walk stops after N exclusive entries\n"
	  "woke (default 1, 0 = all). Entries whose requested events do not intersect the\n"
	  "key are skipped by their wake function (keyed wakeups).\n"
	  "Examples: wake a   wake a out   wake a in nr=0",
	  1, 3, cmd_wake, PS_COMP_OBJECT, true },
	{ "write", "write NAME [VALUE]", "write VALUE (default 1) to the object, as a producer",
	  "Adds VALUE to the object's counter, makes it readable (in,rdnorm) and wakes like\n"
	  "`wake NAME in,rdnorm`. Real objects: eventfd: eventfd_write(VALUE) (the kernel\n"
	  "adds it to the count and calls wake_up_locked_poll(&ctx->wqh, EPOLLIN)); pipe:\n"
	  "VALUE bytes into the write end; socketpair: VALUE bytes from socket a to b;\n"
	  "timerfd: arm the timer to fire in VALUE ms (0 disarms). pollscope never blocks:\n"
	  "a full pipe takes what fits. Example: write a 5",
	  1, 2, cmd_write, PS_COMP_OBJECT, true },
	{ "read", "read NAME", "read the object's counter without blocking, as a consumer",
	  "Reads the counter (and clears in,rdnorm). Fails with EAGAIN when the object is\n"
	  "not readable: pollscope itself never blocks. Real objects: the eventfd counter,\n"
	  "the timerfd's expirations, or every byte queued in the pipe (socket b).\n"
	  "Example: read a",
	  1, 1, cmd_read, PS_COMP_OBJECT, true },
	{ "spawn",
	  "spawn KIND NAME[,NAME...] [events=MASK] [timeout=MS] [edge] [oneshot] [exclusive] "
	  "[loop] [fds=N] [count=N] [as=LABEL]",
	  "start waiter processes that block in poll/ppoll/select/pselect/epoll/read",
	  "KIND: poll ppoll select pselect epoll read. Each waiter opens the objects and\n"
	  "blocks in one call, then reports what it returned (value, revents per object,\n"
	  "errno, time spent). Real objects: the waiter inherits pollscope's fd; on a pipe\n"
	  "it waits on the read end (socketpair: socket b) unless it waits only for\n"
	  "out/wrnorm/wrband, then on the write end (socket a).\n"
	  "  events=MASK   what to wait for (default in)\n"
	  "  timeout=MS    the call's timeout (default none; not for read)\n"
	  "  edge oneshot exclusive   EPOLLET, EPOLLONESHOT, EPOLLEXCLUSIVE (epoll only)\n"
	  "  loop          wait again after each return (consuming what was readable)\n"
	  "  fds=N         open each object N times and wait on all the fds (1-4096)\n"
	  "  count=N       N identical waiters (labels LABEL.1 ... LABEL.N)\n"
	  "  as=LABEL      name the waiter(s) (default w1, w2, ...)\n"
	  "Examples: spawn poll a   spawn epoll a,b exclusive count=3 as=ep\n"
	  "          spawn select a events=in,out timeout=500   spawn read a as=r",
	  2, 10, cmd_spawn, PS_COMP_SPAWN, true },
	{ "kill", "kill WAITER|all", "kill waiters (label, group label, pid, or all)",
	  "Sends SIGTERM and reaps them. WAITER: a label (w1), the label given with as=\n"
	  "(all its waiters), a pid, or all. Example: kill w1",
	  1, -1, cmd_kill, PS_COMP_WAITER, false },
	{ "signal", "signal WAITER SIG", "send a signal (USR1 interrupts the call: EINTR)",
	  "Waiters catch USR1 USR2 HUP INT QUIT ALRM, so those make the blocking call fail\n"
	  "with EINTR; other signals have their default effect.\n"
	  "Example: signal w1 USR1",
	  2, 2, cmd_signal, PS_COMP_WAITER, false },
	{ "show", "show [NAME...]", "the wait-queue entries, decoded",
	  "For each object (or the ones named): its readiness and its wait-queue entries:\n"
	  "position, kind (poll, epoll, wait_event, ...), wake function, pid, comm and\n"
	  "state of the sleeper, flags (exclusive), requested events (key). A real object:\n"
	  "each of its wait queue heads (a pipe: the read queue and the write queue) with\n"
	  "the entries on it, found through the module's inspect.",
	  0, -1, cmd_show, PS_COMP_OBJECT, true },
	{ "ps", "ps [WAITER|PID...]", "waiters: pid, label, call, state, wchan, last result",
	  "Without arguments every waiter; with arguments those waiters, or any pid\n"
	  "(state letter, wchan and comm of that process).",
	  0, -1, cmd_ps, PS_COMP_WAITER, false },
	{ "inspect", "inspect PID [FD]", "any process's fds, their wait queues, what it waits on",
	  "Lists the fds of process PID (or just FD) and, for each pollable one, the wait\n"
	  "queue heads its poll method uses and the entries on them with the sleepers'\n"
	  "states (pidfd_open + pidfd_getfd, then the module's inspect). If the process is\n"
	  "blocked in poll, select, epoll_wait or read, says in which call and on which fds\n"
	  "(its pollfd array and fd_sets are read with process_vm_readv). Needs ptrace\n"
	  "access to the process (root). Example: inspect 93   inspect 93 4",
	  1, 2, cmd_inspect, PS_COMP_NONE, false },
	{ "cost", "cost [N...]", "select vs poll vs epoll: poll-method calls per wakeup",
	  "Measures, for N fds (default 1 10 100 1000, at most 1000) of which one becomes\n"
	  "ready, how many times select, poll and epoll call the poll method: to go to\n"
	  "sleep, and from the wake to their return, from the module's per-object polls\n"
	  "counters. Uses objects cost-hot and cost-idle and a waiter labelled cost.\n"
	  "Example: cost   cost 1 50",
	  0, COST_ARGS_MAX, cmd_cost, PS_COMP_NONE, true },
	{ "events", "events [N]", "the last N events of the timeline (default 20)",
	  "poll-method calls, queue adds, wakes with their keys and how many woke,\n"
	  "reads, writes, opens and releases, as recorded by the module.",
	  0, 1, cmd_events, PS_COMP_NONE, true },
	{ "stats", "stats", "the module's counters",
	  "Per object: poll-method calls, entries queued/added/removed, wakes, woken.\n"
	  "Global: snapshot count and cost, longest lock hold.",
	  0, 0, cmd_stats, PS_COMP_NONE, true },
	{ "version", "version", "versions of pollscope, the module and the kernel",
	  "Also the WQ_FLAG_* values of the running kernel.", 0, 0, cmd_version, PS_COMP_NONE,
	  true },
	{ "settle", "settle [MS]", "wait until every waiter sleeps in its call or has returned",
	  "Watches process states (state S in the call's wait function: do_sys_poll,\n"
	  "do_select, do_epoll_wait, the object's read) and the waiters' reports; fails if\n"
	  "that takes longer than MS (default 2000).",
	  0, 1, cmd_settle, PS_COMP_NONE, false },
	{ "sleep", "sleep MS", "wait MS milliseconds (reports keep arriving)", NULL, 1, 1,
	  cmd_sleep, PS_COMP_NONE, false },
	{ "say", "say TEXT", "print a line of narration",
	  "In the TUI's demo mode the text appears in a banner.", 0, -1, cmd_say, PS_COMP_NONE,
	  false },
	{ "pause", "pause [TEXT]", "wait for Enter (interactive only; a no-op in scripts)", NULL, 0,
	  -1, cmd_pause, PS_COMP_NONE, false },
	{ "help", "help [COMMAND]", "list the commands, or explain one", NULL, 0, 1, cmd_help,
	  PS_COMP_COMMAND, false },
	{ "quit", "quit", "end the session (waiters are killed, objects destroyed)", NULL, 0, 0,
	  cmd_quit, PS_COMP_NONE, false },
};

const struct ps_cmd *ps_cmd_table(size_t *n)
{
	*n = sizeof(cmds) / sizeof(cmds[0]);
	return cmds;
}

const struct ps_cmd *ps_cmd_find(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	if (strcmp(name, "exit") == 0 || strcmp(name, "q") == 0)
		return ps_cmd_find("quit");
	if (strcmp(name, "?") == 0)
		return ps_cmd_find("help");
	return NULL;
}

const char *ps_cmd_suggest(const char *name)
{
	const char *best = NULL;
	int bestd = 99;
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int d = ps_edit_distance(name, cmds[i].name);
		/* a unique-looking prefix counts as close */
		if (len >= 2 && strncmp(cmds[i].name, name, len) == 0)
			d = 1;
		if (d < bestd) {
			bestd = d;
			best = cmds[i].name;
		}
	}
	if (bestd <= 2 && bestd < (int)len)
		return best;
	return NULL;
}

int ps_cmd_error(struct ps_cmdctx *c, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "%s: ", c->cmd->name);

	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

int ps_cmd_run(struct ps_session *s, int argc, char **argv, const struct ps_sink *sink, char *err,
	       size_t errlen)
{
	const struct ps_cmd *cmd;
	struct ps_cmdctx c;
	int nargs = argc - 1;
	int r;

	if (argc < 1)
		return 0;
	cmd = ps_cmd_find(argv[0]);
	if (!cmd) {
		const char *sug = ps_cmd_suggest(argv[0]);
		if (sug)
			snprintf(err, errlen, "unknown command '%s' (did you mean '%s'?)", argv[0],
				 sug);
		else
			snprintf(err, errlen, "unknown command '%s' (try: help)", argv[0]);
		return PS_EXEC_ERROR;
	}
	if (nargs < cmd->min_args) {
		snprintf(err, errlen, "%s: missing argument (usage: %s)", cmd->name, cmd->usage);
		return PS_EXEC_ERROR;
	}
	if (cmd->max_args >= 0 && nargs > cmd->max_args) {
		snprintf(err, errlen, "%s: too many arguments: '%s' (usage: %s)", cmd->name,
			 argv[cmd->max_args + 1], cmd->usage);
		return PS_EXEC_ERROR;
	}
	if (cmd->needs_module) {
		char e2[512];
		if (ps_session_attach(s, e2, sizeof(e2)) < 0) {
			snprintf(err, errlen, "%s: %s", cmd->name, e2);
			return PS_EXEC_ERROR;
		}
		if (ps_session_take_note(s, e2, sizeof(e2)))
			ps_emit(sink, PS_REC_MESSAGE, NULL, NULL, 0, "%s", e2);
	}
	c.s = s;
	c.cmd = cmd;
	c.argc = nargs;
	c.argv = argv + 1;
	c.sink = sink;
	c.err = err;
	c.errlen = errlen;
	err[0] = '\0';
	s->cur_sink = sink;
	/* deliver what happened since the last command first */
	ps_session_process(s);
	r = cmd->exec(&c);
	s->cur_sink = NULL;
	ps_session_changed(s); /* what it did is news for the next snapshot */
	if (r < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s: failed", cmd->name);
		return PS_EXEC_ERROR;
	}
	return r == PS_EXEC_QUIT ? PS_EXEC_QUIT : PS_EXEC_OK;
}

int ps_exec(struct ps_session *s, const char *line, const struct ps_sink *sink, char *err,
	    size_t errlen)
{
	struct ps_tokens t;
	int r = PS_EXEC_OK;

	if (errlen)
		err[0] = '\0';
	if (ps_tokenize(line, &t, err, errlen) < 0)
		return PS_EXEC_ERROR;
	for (int i = 0; i < t.ncmds; i++) {
		r = ps_cmd_run(s, t.cmd[i].argc, t.cmd[i].argv, sink, err, errlen);
		if (r != PS_EXEC_OK)
			break;
	}
	ps_tokens_free(&t);
	return r;
}

/* ----------------------------------------------------------- completion */

struct comp {
	const char *prefix;
	void (*add)(void *ctx, const char *word);
	void *ctx;
	int n;
};

static void offer(struct comp *c, const char *word)
{
	if (strncmp(word, c->prefix, strlen(c->prefix)) == 0) {
		c->add(c->ctx, word);
		c->n++;
	}
}

static void offer_objects(struct ps_session *s, struct comp *c, const char *before)
{
	char e[64];
	size_t n;
	const struct ps_object *o;

	if (!s || ps_session_read_objects(s, e, sizeof(e)) < 0)
		return;
	o = ps_session_objects(s, &n);
	for (size_t i = 0; i < n; i++) {
		char w[2 * PS_NAME_MAX + 64];
		snprintf(w, sizeof(w), "%s%s", before ? before : "", o[i].name);
		offer(c, w);
	}
}

static void offer_waiters(struct ps_session *s, struct comp *c)
{
	size_t n;
	struct ps_waiter *const *w;

	if (!s)
		return;
	w = ps_session_waiters(s, &n);
	offer(c, "all");
	for (size_t i = 0; i < n; i++) {
		if (!w[i]->alive)
			continue;
		offer(c, w[i]->label);
		if (strcmp(w[i]->group, w[i]->label) != 0) {
			bool seen = false;
			for (size_t k = 0; k < i; k++)
				if (w[k]->alive && !strcmp(w[k]->group, w[i]->group))
					seen = true;
			if (!seen)
				offer(c, w[i]->group);
		}
	}
}

int ps_complete(struct ps_session *s, const char *line, void (*add)(void *ctx, const char *word),
		void *ctx)
{
	char buf[1024];
	char *words[64];
	int nw = 0;
	const char *last;
	struct comp c = { 0 };
	const struct ps_cmd *cmd;
	char *p;

	/* only the current command matters: start after the last ';' */
	last = strrchr(line, ';');
	snprintf(buf, sizeof(buf), "%s", last ? last + 1 : line);
	p = buf;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || nw == 63)
			break;
		words[nw++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	/* ends in blank: completing a new, empty word */
	{
		size_t l = strlen(line);
		if (l == 0 || line[l - 1] == ' ' || line[l - 1] == '\t' || line[l - 1] == ';')
			words[nw++] = "";
	}
	if (nw == 0)
		words[nw++] = "";
	c.prefix = words[nw - 1];
	c.add = add;
	c.ctx = ctx;
	if (nw == 1) {
		size_t n;
		const struct ps_cmd *t = ps_cmd_table(&n);
		for (size_t i = 0; i < n; i++)
			offer(&c, t[i].name);
		return c.n;
	}
	cmd = ps_cmd_find(words[0]);
	if (!cmd)
		return 0;
	switch (cmd->complete) {
	case PS_COMP_COMMAND: {
		size_t n;
		const struct ps_cmd *t = ps_cmd_table(&n);
		if (nw == 2)
			for (size_t i = 0; i < n; i++)
				offer(&c, t[i].name);
		break;
	}
	case PS_COMP_OBJECT:
		if (!strcmp(cmd->name, "create")) {
			size_t nt;
			const struct ps_objtype_ops *const *types = ps_objtype_table(&nt);
			if (nw == 3)
				for (size_t i = 0; i < nt; i++)
					offer(&c, types[i]->name);
		} else if (nw == 2 || !strcmp(cmd->name, "show")) {
			offer_objects(s, &c, NULL);
		} else if (nw == 3 && (!strcmp(cmd->name, "ready") || !strcmp(cmd->name, "wake"))) {
			for (int i = 0; i < PS_NMASK; i++)
				offer(&c, ps_mask_names[i].name);
			if (!strcmp(cmd->name, "ready"))
				offer(&c, "none");
			else
				offer(&c, "nr=");
		} else if (nw == 4 && !strcmp(cmd->name, "wake")) {
			offer(&c, "nr=");
		}
		break;
	case PS_COMP_WAITER:
		if (!strcmp(cmd->name, "signal") && nw == 3) {
			static const char *const sigs[] = {
				"USR1", "USR2", "HUP",	"INT",	"TERM",
				"KILL", "STOP", "CONT", "ALRM", "QUIT"
			};
			for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
				offer(&c, sigs[i]);
		} else if (strcmp(cmd->name, "signal") != 0 || nw == 2) {
			offer_waiters(s, &c);
		}
		break;
	case PS_COMP_SPAWN:
		if (nw == 2) {
			static const char *const kinds[] = { "poll",	"ppoll", "select",
							     "pselect", "epoll", "read" };
			for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
				offer(&c, kinds[i]);
		} else if (nw == 3) {
			/* NAME[,NAME...]: complete the part after the last ',' */
			char before[256];
			const char *comma = strrchr(c.prefix, ',');
			if (comma) {
				snprintf(before, sizeof(before), "%.*s",
					 (int)(comma - c.prefix + 1), c.prefix);
				offer_objects(s, &c, before);
			} else {
				offer_objects(s, &c, NULL);
			}
		} else {
			static const char *const opts[] = { "events=", "timeout=",  "edge",
							    "oneshot", "exclusive", "loop",
							    "fds=",    "count=",    "as=" };
			for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
				offer(&c, opts[i]);
		}
		break;
	default:
		break;
	}
	return c.n;
}
