/* The command table, lookup, argument and option checks, ps_exec and
 * completion. The commands themselves, with their usage, help and options,
 * are in cmd_*.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "record.h"
#include "cmd.h"
#include "session.h"

static const struct ps_cmd *const entries[] = {
	&ps_cmd_create, &ps_cmd_destroy, &ps_cmd_ready,	  &ps_cmd_wake,	   &ps_cmd_write,
	&ps_cmd_read,	&ps_cmd_spawn,	 &ps_cmd_kill,	  &ps_cmd_forget,  &ps_cmd_signal,
	&ps_cmd_show,	&ps_cmd_ps,	 &ps_cmd_inspect, &ps_cmd_watch,   &ps_cmd_unwatch,
	&ps_cmd_cost,	&ps_cmd_events,	 &ps_cmd_stats,	  &ps_cmd_version, &ps_cmd_settle,
	&ps_cmd_sleep,	&ps_cmd_say,	 &ps_cmd_pause,	  &ps_cmd_help,	   &ps_cmd_quit,
	&ps_cmd_waits,	&ps_cmd_diagram,
};
#define NCMDS (sizeof(entries) / sizeof(entries[0]))

void ps_cmd_opts_text(const struct ps_cmd *cmd, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const struct ps_opt *o = cmd->opts; o && o->name && used < len; o++) {
		int k = snprintf(buf + used, len - used, "%s%s%s%s", used ? " " : "", o->name,
				 o->value ? "=" : "", o->value ? o->value : "");
		if (k > 0)
			used += (size_t)k;
	}
}

/* The table as the front ends see it: each entry with its usage written out
 * from its name, arguments and options. */
const struct ps_cmd *ps_cmd_table(size_t *n)
{
	static struct ps_cmd table[NCMDS];
	static char usage[NCMDS][256];

	if (!table[0].name) {
		for (size_t i = 0; i < NCMDS; i++) {
			const struct ps_cmd *e = entries[i];
			size_t used;
			int k = snprintf(usage[i], sizeof(usage[i]), "%s%s%s", e->name,
					 e->args ? " " : "", e->args ? e->args : "");
			used = k > 0 ? (size_t)k : 0;
			for (const struct ps_opt *o = e->opts; o && o->name; o++) {
				k = snprintf(usage[i] + used, sizeof(usage[i]) - used, " [%s%s%s]",
					     o->name, o->value ? "=" : "",
					     o->value ? o->value : "");
				if (k > 0 && (size_t)k < sizeof(usage[i]) - used)
					used += (size_t)k;
			}
			table[i] = *e;
			table[i].usage = usage[i];
		}
	}
	*n = NCMDS;
	return table;
}

const struct ps_cmd *ps_cmd_find(const char *name)
{
	size_t n;
	const struct ps_cmd *t = ps_cmd_table(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
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
	size_t len = strlen(name), n;
	const struct ps_cmd *t = ps_cmd_table(&n);

	for (size_t i = 0; i < n; i++) {
		int d = ps_edit_distance(name, t[i].name);
		/* a unique-looking prefix counts as close */
		if (len >= 2 && strncmp(t[i].name, name, len) == 0)
			d = 1;
		if (d < bestd) {
			bestd = d;
			best = t[i].name;
		}
	}
	if (bestd <= 2 && bestd < (int)len)
		return best;
	return NULL;
}

int ps_cmd_opt_index(const struct ps_cmd *cmd, const char *name)
{
	for (int i = 0; cmd->opts && cmd->opts[i].name; i++)
		if (!strcmp(cmd->opts[i].name, name))
			return i;
	return -1;
}

static int parse_opt(struct ps_cmdctx *c, const struct ps_opt *o, const char *v,
		     struct ps_optval *val)
{
	char msg[256];

	switch (o->kind) {
	case PS_OPT_INT:
		if (ps_parse_uint(v, &val->num) < 0 || val->num < o->min || val->num > o->max) {
			if (o->what)
				return ps_cmd_error(c, _("bad %s=%s: %s"), o->name, v, _(o->what));
			return ps_cmd_error(c, _("bad %s=%s: a number from %d to %d"), o->name, v,
					    o->min, o->max);
		}
		break;
	case PS_OPT_MASK:
		if (ps_mask_parse(v, &val->mask, msg, sizeof(msg)) < 0)
			return ps_cmd_error(c, _("%s=: %s"), o->name, msg);
		break;
	case PS_OPT_WORD:
		if (o->check && o->check(v) < 0) {
			char kind[32];
			size_t i;
			for (i = 0; o->value[i] && i < sizeof(kind) - 1; i++)
				kind[i] = (char)(o->value[i] | 0x20); /* "LABEL" -> "label" */
			kind[i] = '\0';
			return ps_cmd_error(c, _("bad %s %s=%s: %s"), kind, o->name, v, _(o->what));
		}
		val->str = v;
		break;
	case PS_OPT_FLAG:
		break;
	}
	val->set = true;
	return 0;
}

int ps_cmd_parse_opts(struct ps_cmdctx *c, int from, struct ps_optval *val, int *rest, int *nrest)
{
	const struct ps_opt *opts = c->cmd->opts;

	memset(val, 0, PS_CMD_MAX_OPTS * sizeof(*val));
	if (nrest)
		*nrest = 0;
	for (int i = from; i < c->argc; i++) {
		const char *a = c->argv[i], *eq = strchr(a, '=');
		int k = -1;

		for (int j = 0; opts && opts[j].name && j < PS_CMD_MAX_OPTS; j++) {
			size_t l = strlen(opts[j].name);
			if (opts[j].value
				    ? (eq && (size_t)(eq - a) == l && !strncmp(a, opts[j].name, l))
				    : !strcmp(a, opts[j].name)) {
				k = j;
				break;
			}
		}
		if (k >= 0) {
			if (parse_opt(c, &opts[k], opts[k].value ? eq + 1 : NULL, &val[k]) < 0)
				return -1;
		} else if (rest) {
			rest[(*nrest)++] = i;
		} else {
			char list[256];
			ps_cmd_opts_text(c->cmd, list, sizeof(list));
			return ps_cmd_error(c, _("unknown option '%s' (options: %s)"), a, list);
		}
	}
	return 0;
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

/* What a replay can answer from the recorded frames and events. */
static bool replay_allows(const struct ps_cmd *cmd, int nargs)
{
	static const char *const ok[] = { "show", "events", "help", "quit" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(cmd->name, ok[i]))
			return true;
	return !strcmp(cmd->name, "ps") && nargs == 0;
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
			snprintf(err, errlen, _("unknown command '%s' (did you mean '%s'?)"),
				 argv[0], sug);
		else
			snprintf(err, errlen, _("unknown command '%s' (try: help)"), argv[0]);
		return PS_EXEC_ERROR;
	}
	if (nargs < cmd->min_args) {
		snprintf(err, errlen, _("%s: missing argument (usage: %s)"), cmd->name, cmd->usage);
		return PS_EXEC_ERROR;
	}
	if (cmd->max_args >= 0 && nargs > cmd->max_args) {
		snprintf(err, errlen, _("%s: too many arguments: '%s' (usage: %s)"), cmd->name,
			 argv[cmd->max_args + 1], cmd->usage);
		return PS_EXEC_ERROR;
	}
	if (s->replay && !replay_allows(cmd, nargs)) {
		snprintf(err, errlen,
			 _("%s: not available in a replay (no module, no processes: show, ps, "
			   "events and help read the recording)"),
			 cmd->name);
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
			snprintf(err, errlen, _("%s: failed"), cmd->name);
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
	if (ps_tokenize(line, &t, err, errlen) < 0) {
		ps_record_command(s, line);
		ps_record_done(s, PS_EXEC_ERROR, err);
		return PS_EXEC_ERROR;
	}
	if (t.ncmds == 0) { /* a blank line or a comment */
		ps_tokens_free(&t);
		return PS_EXEC_OK;
	}
	ps_record_command(s, line);
	for (int i = 0; i < t.ncmds; i++) {
		r = ps_cmd_run(s, t.cmd[i].argc, t.cmd[i].argv, sink, err, errlen);
		if (r != PS_EXEC_OK)
			break;
	}
	ps_tokens_free(&t);
	ps_record_done(s, r, r == PS_EXEC_ERROR ? err : "");
	return r;
}

/* ----------------------------------------------------------- completion */

struct ps_comp {
	struct ps_session *s;
	const struct ps_cmd *cmd;
	const char *prefix;
	void (*add)(void *ctx, const char *word);
	void *ctx;
	int n;
};

struct ps_session *ps_comp_session(struct ps_comp *c)
{
	return c->s;
}

void ps_comp_offer(struct ps_comp *c, const char *word)
{
	if (strncmp(word, c->prefix, strlen(c->prefix)) == 0) {
		c->add(c->ctx, word);
		c->n++;
	}
}

void ps_comp_objects(struct ps_comp *c)
{
	char e[64], before[256] = "";
	const char *comma = strrchr(c->prefix, ',');
	size_t n;
	const struct ps_object *o;

	/* NAME[,NAME...]: complete the part after the last ',' */
	if (comma)
		snprintf(before, sizeof(before), "%.*s", (int)(comma - c->prefix + 1), c->prefix);
	if (!c->s || ps_session_read_objects(c->s, e, sizeof(e)) < 0)
		return;
	o = ps_session_objects(c->s, &n);
	for (size_t i = 0; i < n; i++) {
		char w[2 * PS_NAME_MAX + 256];
		snprintf(w, sizeof(w), "%s%s", before, o[i].name);
		ps_comp_offer(c, w);
	}
}

void ps_comp_waiters(struct ps_comp *c)
{
	size_t n;
	struct ps_waiter *const *w;

	if (!c->s)
		return;
	w = ps_session_waiters(c->s, &n);
	ps_comp_offer(c, "all");
	for (size_t i = 0; i < n; i++) {
		if (!w[i]->alive)
			continue;
		ps_comp_offer(c, w[i]->label);
		if (strcmp(w[i]->group, w[i]->label) != 0) {
			bool seen = false;
			for (size_t k = 0; k < i; k++)
				if (w[k]->alive && !strcmp(w[k]->group, w[i]->group))
					seen = true;
			if (!seen)
				ps_comp_offer(c, w[i]->group);
		}
	}
}

void ps_comp_masks(struct ps_comp *c)
{
	for (int i = 0; i < PS_NMASK; i++)
		ps_comp_offer(c, ps_mask_names[i].name);
}

void ps_comp_commands(struct ps_comp *c)
{
	size_t n;
	const struct ps_cmd *t = ps_cmd_table(&n);

	for (size_t i = 0; i < n; i++)
		ps_comp_offer(c, t[i].name);
}

void ps_comp_options(struct ps_comp *c)
{
	for (const struct ps_opt *o = c->cmd->opts; o && o->name; o++) {
		char w[64];
		snprintf(w, sizeof(w), "%s%s", o->name, o->value ? "=" : "");
		ps_comp_offer(c, w);
	}
}

int ps_complete(struct ps_session *s, const char *line, void (*add)(void *ctx, const char *word),
		void *ctx)
{
	char buf[1024];
	char *words[64];
	int nw = 0;
	const char *last;
	struct ps_comp c = { 0 };
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
	c.s = s;
	c.prefix = words[nw - 1];
	c.add = add;
	c.ctx = ctx;
	if (nw == 1) {
		ps_comp_commands(&c);
		return c.n;
	}
	c.cmd = ps_cmd_find(words[0]);
	if (c.cmd && c.cmd->complete)
		c.cmd->complete(&c, nw - 1);
	return c.n;
}
