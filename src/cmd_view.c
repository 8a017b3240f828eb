/* Viewing commands: show, events, stats, version. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "session.h"
#include "version.h"

static const char *label_of(struct ps_session *s, pid_t pid)
{
	size_t n;
	struct ps_waiter *const *w = ps_session_waiters(s, &n);

	if (pid <= 0)
		return "-";
	for (size_t i = n; i-- > 0;)
		if (w[i]->pid == pid)
			return w[i]->label;
	return "-";
}

void ps_emit_entry(struct ps_cmdctx *c, const struct ps_entry *e, const char *note)
{
	char st[2] = { e->state, 0 }, ep[80] = "";
	const char *label = label_of(c->s, e->pid);
	struct ps_field f[16] = {
		{ "object", PS_F_STR, e->object, 0 },
		{ "pos", PS_F_INT, NULL, e->pos },
		{ "kind", PS_F_STR, e->kind, 0 },
		{ "func", PS_F_STR, e->func, 0 },
		{ "pid", PS_F_INT, NULL, e->pid },
		{ "comm", PS_F_STR, e->comm, 0 },
		{ "state", PS_F_STR, st, 0 },
		{ "flags", PS_F_STR, e->flags, 0 },
		{ "exclusive", PS_F_BOOL, NULL, e->exclusive },
		{ "key", PS_F_STR, e->key, 0 },
		{ "waiter", PS_F_STR, label, 0 },
		{ "head", PS_F_INT, NULL, e->head },
		{ "note", PS_F_STR, note, 0 },
		{ "epoll", PS_F_STR, e->epoll, 0 },
		{ "tfd", PS_F_INT, NULL, e->tfd },
		{ "sleepers", PS_F_STR, e->sleepers, 0 },
	};
	struct ps_field out[16];
	int nf = 11;
	/* an epoll entry: its instance (as inspect of the epoll fd shows it) */
	bool epoll = e->epoll[0] && strcmp(e->epoll, "unknown") != 0;

	memcpy(out, f, 11 * sizeof(f[0]));
	if (epoll) {
		out[nf++] = f[13];
		out[nf++] = f[14];
		out[nf++] = f[15];
		snprintf(ep, sizeof(ep), "  epoll=%s tfd=%d sleepers=%s", e->epoll, e->tfd,
			 e->sleepers);
	}
	if (e->head >= 0)
		out[nf++] = f[11];
	if (note && *note)
		out[nf++] = f[12];
	ps_emit(c->sink, PS_REC_ENTRY, e, out, nf,
		"  %3d  %-12s %-26s %6d %-10s %-8s %c  %-10s %s%s%s%s", e->pos, e->kind, e->func,
		(int)e->pid, e->comm, label, e->state, e->flags, e->key, ep,
		note && *note ? "  " : "", note ? note : "");
}

static void emit_entry(struct ps_cmdctx *c, const struct ps_entry *e)
{
	ps_emit_entry(c, e, NULL);
}

void ps_emit_entry_header(struct ps_cmdctx *c)
{
	ps_emit_text(c->sink, "  %3s  %-12s %-26s %6s %-10s %-8s %s  %-10s %s", "POS", "KIND",
		     "FUNC", "PID", "COMM", "WAITER", "S", "FLAGS", "KEY");
}

/* "" or ", 12 more not listed (max_queue_entries)" */
static const char *trunc_text(long n, bool more, char *buf, size_t len)
{
	if (n <= 0 && !more)
		return "";
	snprintf(buf, len, ", %s%ld more not listed (the module's max_queue_entries)",
		 more ? "at least " : "", n);
	return buf;
}

void ps_emit_head(struct ps_cmdctx *c, const struct ps_head *h)
{
	char tt[96];
	struct ps_field f[8] = {
		{ "object", PS_F_STR, h->object, 0 },
		{ "pid", PS_F_INT, NULL, h->pid },
		{ "fd", PS_F_INT, NULL, h->fd },
		{ "head", PS_F_INT, NULL, h->index },
		{ "label", PS_F_STR, h->label, 0 },
		{ "entries", PS_F_INT, NULL, h->entries },
		{ "truncated", PS_F_INT, NULL, h->truncated },
		{ "truncated_more", PS_F_BOOL, NULL, h->truncated_more },
	};
	/* the truncation fields only when entries were left out */
	int nf = h->truncated || h->truncated_more ? 8 : 6;

	ps_emit(c->sink, PS_REC_HEAD, h, f, nf, "  head %d: %s, %d entr%s%s", h->index, h->label,
		h->entries, h->entries == 1 ? "y" : "ies",
		trunc_text(h->truncated, h->truncated_more, tt, sizeof(tt)));
}

static const char *count_name(const char *type)
{
	if (!strcmp(type, "eventfd"))
		return "count";
	if (!strcmp(type, "timerfd"))
		return "expirations";
	return "bytes";
}

static void show_real(struct ps_cmdctx *c, const struct ps_object *o, const struct ps_entry *e,
		      size_t ne)
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
	{
		struct ps_field f[7] = {
			{ "object", PS_F_STR, o->name, 0 },
			{ "objtype", PS_F_STR, o->type, 0 },
			{ "ready", PS_F_STR, o->ready, 0 },
			{ "entries", PS_F_INT, NULL, count },
			{ "heads", PS_F_INT, NULL, heads },
			{ count_name(o->type), PS_F_INT, NULL, (long long)o->count },
			{ "ours", PS_F_BOOL, NULL, o->ours },
		};
		ps_emit(c->sink, PS_REC_OBJECT, o, f, 7,
			"%s: %s ready=%s entries=%d heads=%d %s=%lu", o->name, o->type, o->ready,
			count, heads, count_name(o->type), o->count);
	}
	for (size_t k = 0; k < nh; k++) {
		bool any = false;
		if (strcmp(h[k].object, o->name) != 0)
			continue;
		ps_emit_head(c, &h[k]);
		for (size_t j = 0; j < ne; j++) {
			if (strcmp(e[j].object, o->name) != 0 || e[j].head != h[k].index)
				continue;
			if (!any)
				ps_emit_entry_header(c);
			any = true;
			emit_entry(c, &e[j]);
		}
	}
}

int cmd_show(struct ps_cmdctx *c)
{
	size_t no, ne;
	const struct ps_object *o;
	const struct ps_entry *e;
	char msg[512];

	for (int a = 0; a < c->argc; a++) {
		if (!ps_object_exists(c->s, c->argv[a]) && !ps_real_find(c->s, c->argv[a])) {
			ps_no_object_msg(c->s, c->argv[a], msg, sizeof(msg));
			return ps_cmd_error(c, "%s", msg);
		}
	}
	if (ps_session_read_objects(c->s, msg, sizeof(msg)) < 0 ||
	    ps_session_read_queues(c->s, msg, sizeof(msg)) < 0)
		return ps_cmd_error(c, "%s", msg);
	ps_session_refresh_states(c->s);
	o = ps_session_objects(c->s, &no);
	e = ps_session_entries(c->s, &ne);
	if (no == 0 && c->argc == 0) {
		ps_emit(c->sink, PS_REC_MESSAGE, NULL, NULL, 0,
			"no objects (create one: create NAME)");
		return 0;
	}
	for (size_t i = 0; i < no; i++) {
		int count = 0;
		bool wanted = c->argc == 0;

		for (int a = 0; a < c->argc; a++)
			if (!strcmp(c->argv[a], o[i].name))
				wanted = true;
		if (!wanted)
			continue;
		if (strcmp(o[i].type, "module") != 0) {
			show_real(c, &o[i], e, ne);
			continue;
		}
		for (size_t k = 0; k < ne; k++)
			if (!strcmp(e[k].object, o[i].name))
				count++;
		{
			char tt[96];
			struct ps_field f[10] = {
				{ "object", PS_F_STR, o[i].name, 0 },
				{ "ready", PS_F_STR, o[i].ready, 0 },
				{ "entries", PS_F_INT, NULL, count },
				{ "polls", PS_F_INT, NULL, (long long)o[i].polls },
				{ "wakes", PS_F_INT, NULL, (long long)o[i].wakes },
				{ "woken", PS_F_INT, NULL, (long long)o[i].woken },
				{ "open", PS_F_INT, NULL, o[i].open },
				{ "ours", PS_F_BOOL, NULL, o[i].ours },
				{ "truncated", PS_F_INT, NULL, o[i].truncated },
				{ "truncated_more", PS_F_BOOL, NULL, o[i].truncated_more },
			};
			ps_emit(c->sink, PS_REC_OBJECT, &o[i], f,
				o[i].truncated || o[i].truncated_more ? 10 : 8,
				"%s: ready=%s entries=%d polls=%lu wakes=%lu woken=%lu open=%d%s",
				o[i].name, o[i].ready, count, o[i].polls, o[i].wakes, o[i].woken,
				o[i].open,
				trunc_text(o[i].truncated, o[i].truncated_more, tt, sizeof(tt)));
		}
		if (count == 0)
			continue;
		ps_emit_entry_header(c);
		for (size_t k = 0; k < ne; k++)
			if (!strcmp(e[k].object, o[i].name))
				emit_entry(c, &e[k]);
	}
	return 0;
}

static void emit_event(struct ps_cmdctx *c, const struct ps_event *ev, uint64_t base)
{
	double ms = ev->ns >= base ? (double)(ev->ns - base) / 1e6 : 0;
	struct ps_field f[8] = {
		{ "seq", PS_F_INT, NULL, (long long)ev->seq },
		{ "ns", PS_F_INT, NULL, (long long)ev->ns },
		{ "event", PS_F_STR, ev->type, 0 },
		{ "pid", PS_F_INT, NULL, ev->pid },
		{ "comm", PS_F_STR, ev->comm, 0 },
		{ "object", PS_F_STR, ev->object, 0 },
		{ "detail", PS_F_STR, ev->detail, 0 },
		{ "waiter", PS_F_STR, label_of(c->s, ev->pid), 0 },
	};
	if (!strcmp(ev->type, "lost")) {
		ps_emit(c->sink, PS_REC_EVENT, ev, f, 8, "%6llu  (events lost: %s)",
			(unsigned long long)ev->seq, ev->detail);
		return;
	}
	ps_emit(c->sink, PS_REC_EVENT, ev, f, 8, "%6llu %10.3f ms  %-8s %-8s %s  [pid %d %s]",
		(unsigned long long)ev->seq, ms, ev->type, ev->object[0] ? ev->object : "-",
		ev->detail, (int)ev->pid, ev->comm);
}

int cmd_events(struct ps_cmdctx *c)
{
	int want = 20;
	struct ps_event *buf;
	uint64_t cursor = 0;
	size_t n, start;

	if (c->argc > 0 && ps_parse_uint(c->argv[0], &want) < 0)
		return ps_cmd_error(c, "bad count '%s': a number of events", c->argv[0]);
	ps_read_events(c->s);
	/* all the session keeps: as many as the module's ring */
	buf = calloc(c->s->ring_count + 1, sizeof(*buf));
	if (!buf)
		return ps_cmd_error(c, "out of memory");
	n = ps_session_events_since(c->s, &cursor, buf, c->s->ring_count);
	start = (want == 0 || (size_t)want >= n) ? 0 : n - (size_t)want;
	if (n == 0)
		ps_emit(c->sink, PS_REC_MESSAGE, NULL, NULL, 0, "no events");
	for (size_t i = start; i < n; i++)
		emit_event(c, &buf[i], buf[0].ns);
	free(buf);
	return 0;
}

int cmd_stats(struct ps_cmdctx *c)
{
	char path[PATH_MAX];
	char *text, *line, *save = NULL;

	ps_path(c->s, path, sizeof(path), "stats");
	text = ps_read_file(path, NULL);
	if (!text)
		return ps_cmd_error(c, "cannot read %s: %s", path, strerror(errno));
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

int cmd_version(struct ps_cmdctx *c)
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
