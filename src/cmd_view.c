/* Viewing commands: show, events, stats, version. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "cmd.h"
#include "config.h"
#include "explain.h"
#include "session.h"
#include "version.h"

enum { SHOW_WHY };

static const struct ps_opt show_opts[] = {
	[SHOW_WHY] = { .name = "why",
		       .help = "under each object and entry, what the kernel did to put it there" },
	{ 0 },
};

static void emit_entry(struct ps_cmdctx *c, const struct ps_entry *e, bool why)
{
	char text[1024];

	ps_rec_entry(c->sink, e, ps_session_label_of(c->s, e->pid), NULL);
	if (why && ps_explain_entry_en(e, text, sizeof(text)) > 0)
		ps_rec_explain(c->sink, e->object, e->pos, text);
}

static void explain_object(struct ps_cmdctx *c, const struct ps_object *o, bool why)
{
	char text[1024];

	if (why && ps_explain_object_en(o, text, sizeof(text)) > 0)
		ps_rec_explain(c->sink, o->name, -1, text);
}

static void show_real(struct ps_cmdctx *c, const struct ps_object *o,
		      const struct ps_objtype_ops *type, const struct ps_entry *e, size_t ne,
		      bool why)
{
	size_t nh;
	const struct ps_head *h = ps_session_heads(c->s, &nh);
	int count = 0, heads = 0;

	for (size_t k = 0; k < ne; k++)
		if (!strcmp(e[k].object, o->name))
			count++;
	for (size_t k = 0; k < nh; k++)
		if (!strcmp(h[k].object, o->name))
			heads++;
	ps_rec_real_object(c->sink, o, count, heads, type->count_name);
	explain_object(c, o, why);
	for (size_t k = 0; k < nh; k++) {
		bool any = false;
		if (strcmp(h[k].object, o->name) != 0)
			continue;
		ps_rec_head(c->sink, &h[k]);
		for (size_t j = 0; j < ne; j++) {
			if (strcmp(e[j].object, o->name) != 0 || e[j].head != h[k].index)
				continue;
			if (!any)
				ps_rec_entry_header(c->sink);
			any = true;
			emit_entry(c, &e[j], why);
		}
	}
}

static int cmd_show(struct ps_cmdctx *c)
{
	struct ps_optval val[PS_CMD_MAX_OPTS];
	int names[PS_CMD_MAX_OPTS * 4], nnames = 0;
	size_t no, ne;
	const struct ps_object *o;
	const struct ps_entry *e;
	char msg[512];
	bool why;

	if (c->argc > (int)(sizeof(names) / sizeof(names[0])))
		return ps_cmd_error(c, _("too many names (at most %zu)"),
				    sizeof(names) / sizeof(names[0]));
	if (ps_cmd_parse_opts(c, 0, val, names, &nnames) < 0)
		return -1;
	why = val[SHOW_WHY].set;
	for (int a = 0; a < nnames; a++) {
		const char *name = c->argv[names[a]];

		if (!ps_object_exists(c->s, name) && !ps_real_find(&c->s->reals, name)) {
			ps_no_object_msg(c->s, name, msg, sizeof(msg));
			return ps_cmd_error(c, "%s", msg);
		}
	}
	if (ps_session_read_objects(c->s, msg, sizeof(msg)) < 0 ||
	    ps_session_read_queues(c->s, msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	ps_session_refresh_states(c->s);
	o = ps_session_objects(c->s, &no);
	e = ps_session_entries(c->s, &ne);
	if (no == 0 && nnames == 0) {
		ps_emit(c->sink, PS_REC_MESSAGE, NULL, NULL, 0,
			"no objects (create one: create NAME)");
		return 0;
	}
	for (size_t i = 0; i < no; i++) {
		const struct ps_objtype_ops *type = ps_objtype_find(o[i].type);
		int count = 0;
		bool wanted = nnames == 0;

		for (int a = 0; a < nnames; a++)
			if (!strcmp(c->argv[names[a]], o[i].name))
				wanted = true;
		if (!wanted)
			continue;
		if (type && type->held) {
			show_real(c, &o[i], type, e, ne, why);
			continue;
		}
		for (size_t k = 0; k < ne; k++)
			if (!strcmp(e[k].object, o[i].name))
				count++;
		ps_rec_module_object(c->sink, &o[i], count);
		explain_object(c, &o[i], why);
		if (count == 0)
			continue;
		ps_rec_entry_header(c->sink);
		for (size_t k = 0; k < ne; k++)
			if (!strcmp(e[k].object, o[i].name))
				emit_entry(c, &e[k], why);
	}
	return 0;
}

static int cmd_events(struct ps_cmdctx *c)
{
	int want = 20;
	struct ps_event *buf;
	uint64_t cursor = 0;
	size_t n, start;

	if (c->argc > 0 && ps_parse_uint(c->argv[0], &want) < 0)
		return ps_cmd_error(c, _("bad count '%s': a number of events"), c->argv[0]);
	ps_read_events(c->s);
	/* all the session keeps: as many as the module's ring */
	buf = calloc(c->s->ring_count + 1, sizeof(*buf));
	if (!buf)
		return ps_cmd_error(c, _("out of memory"));
	n = ps_session_events_since(c->s, &cursor, buf, c->s->ring_count);
	start = (want == 0 || (size_t)want >= n) ? 0 : n - (size_t)want;
	if (n == 0)
		ps_emit(c->sink, PS_REC_MESSAGE, NULL, NULL, 0, "no events");
	/* ms since the session began (the TUI's timeline's 0); an event from
	 * before it (the ring keeps earlier runs') counts below 0 */
	for (size_t i = start; i < n; i++)
		ps_rec_event(c->sink, &buf[i], c->s->start_ns ? c->s->start_ns : buf[0].ns,
			     ps_session_label_of(c->s, buf[i].pid));
	free(buf);
	return 0;
}

static int cmd_stats(struct ps_cmdctx *c)
{
	char msg[512];
	char *text, *line, *save = NULL;

	text = ps_dfs_read(&c->s->dfs, "stats", PS_SRC_STATS, msg, sizeof(msg));
	if (!text)
		return ps_cmd_error(c, "%s", msg);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char copy[512];
		struct ps_kv kv;
		struct ps_field f[PS_KV_MAX];

		snprintf(copy, sizeof(copy), "%s", line);
		if (ps_kv_split(copy, &kv) <= 0)
			continue;
		for (int i = 0; i < kv.n; i++) {
			char *end;
			long long v;
			errno = 0;
			v = strtoll(kv.f[i].val, &end, 10);
			f[i].key = kv.f[i].key;
			if (*kv.f[i].val && !*end && !errno) {
				f[i].type = PS_F_INT;
				f[i].num = v;
				f[i].str = NULL;
			} else {
				f[i].type = PS_F_STR;
				f[i].str = kv.f[i].val;
				f[i].num = 0;
			}
		}
		ps_emit(c->sink, PS_REC_STATS, NULL, f, kv.n, "%s", line);
	}
	free(text);
	return 0;
}

static int cmd_version(struct ps_cmdctx *c)
{
	const struct ps_version *v = &c->s->version;
	struct ps_field f[6] = {
		{ "pollscope", PS_F_STR, pollscope_version(), 0 },
		{ "interface", PS_F_INT, NULL, v->interface },
		{ "release", PS_F_STR, v->release, 0 },
		{ "module", PS_F_STR, c->s->module_state, 0 },
		{ "max_objects", PS_F_INT, NULL, v->max_objects },
		{ "events_size", PS_F_INT, NULL, v->events_size },
	};
	char flags[256] = "";
	size_t used = 0;

	for (int i = 0; i < v->nflags; i++) {
		int k = snprintf(flags + used, sizeof(flags) - used, " %s=0x%x", v->flags[i].name,
				 v->flags[i].value);
		if (k < 0 || (size_t)k >= sizeof(flags) - used)
			break;
		used += (size_t)k;
	}
	ps_emit(c->sink, PS_REC_VERSION, NULL, f, 6,
		"pollscope %s, module interface %d (%s), kernel %s, flags:%s", pollscope_version(),
		v->interface, c->s->module_state, v->release, flags);
	return 0;
}

static void complete_objects(struct ps_comp *cc, int argi)
{
	(void)argi;
	ps_comp_objects(cc);
}

/* ----------------------------------------------------------- entries */

const struct ps_cmd ps_cmd_show = {
	.name = "show",
	.args = "[NAME...]",
	.opts = show_opts,
	.help = N_("the wait-queue entries, decoded"),
	.long_help =
		"For each object (or the ones named): its readiness and its wait-queue entries:\n"
		"position, kind (poll, epoll, wait_event, ...), wake function, pid, comm and\n"
		"state of the sleeper, flags (exclusive), requested events (key). A real object:\n"
		"each of its wait queue heads (a pipe: the read queue and the write queue) with\n"
		"the entries on it, found through the module's inspect.",
	.min_args = 0,
	.max_args = -1,
	.exec = cmd_show,
	.complete = complete_objects,
	.needs_module = true,
};

const struct ps_cmd ps_cmd_events = {
	.name = "events",
	.args = "[N]",
	.help = N_("the last N events of the timeline (default 20)"),
	.long_help = "poll-method calls, queue adds, wakes with their keys and how many woke,\n"
		     "reads, writes, opens and releases, as recorded by the module.\n"
		     "Times are ms since the session started (the timeline's clock);\n"
		     "events from before it are below 0.",
	.min_args = 0,
	.max_args = 1,
	.exec = cmd_events,
	.needs_module = true,
};

const struct ps_cmd ps_cmd_stats = {
	.name = "stats",
	.help = N_("the module's counters"),
	.long_help = "Per object: poll-method calls, entries queued/added/removed, wakes, woken.\n"
		     "Global: snapshot count and cost, longest lock hold.",
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_stats,
	.needs_module = true,
};

const struct ps_cmd ps_cmd_version = {
	.name = "version",
	.help = N_("versions of pollscope, the module and the kernel"),
	.long_help = "Also the WQ_FLAG_* values of the running kernel.",
	.min_args = 0,
	.max_args = 0,
	.exec = cmd_version,
	.needs_module = true,
};
