/* Records: ps_emit, the builders of every record the core emits, the text sink. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "record.h"
#include "records.h"

const char *ps_rec_kind_name(enum ps_rec_kind k)
{
	static const char *const names[] = {
		[PS_REC_TEXT] = "text",	      [PS_REC_MESSAGE] = "message",
		[PS_REC_OBJECT] = "object",   [PS_REC_ENTRY] = "entry",
		[PS_REC_WAITER] = "waiter",   [PS_REC_PROCESS] = "process",
		[PS_REC_RESULT] = "result",   [PS_REC_EVENT] = "event",
		[PS_REC_STATS] = "stats",     [PS_REC_VERSION] = "version",
		[PS_REC_SAY] = "say",	      [PS_REC_HELP] = "help",
		[PS_REC_VALUE] = "value",     [PS_REC_FD] = "fd",
		[PS_REC_HEAD] = "head",	      [PS_REC_COST] = "cost",
		[PS_REC_EXPLAIN] = "explain",
	};
	if ((unsigned)k < sizeof(names) / sizeof(names[0]) && names[k])
		return names[k];
	return "unknown";
}

static void emit_va(const struct ps_sink *sink, enum ps_rec_kind kind, const void *data,
		    const struct ps_field *fields, int nfields, const char *fmt, va_list ap)
{
	char text[1024];
	struct ps_rec rec;

	if (!sink || !sink->record)
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	rec.kind = kind;
	rec.kind_name = ps_rec_kind_name(kind);
	rec.text = text;
	rec.nfields = nfields;
	rec.fields = fields;
	rec.data = data;
	ps_record_output(&rec); /* --record: every record a front end gets */
	sink->record(sink->ctx, &rec);
}

void ps_emit(const struct ps_sink *sink, enum ps_rec_kind kind, const void *data,
	     const struct ps_field *fields, int nfields, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_va(sink, kind, data, fields, nfields, fmt, ap);
	va_end(ap);
}

void ps_emit_text(const struct ps_sink *sink, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_va(sink, PS_REC_TEXT, NULL, NULL, 0, fmt, ap);
	va_end(ap);
}

void ps_sink_text(void *ctx, const struct ps_rec *rec)
{
	FILE *f = ctx ? ctx : stdout;

	fprintf(f, "%s\n", rec->text);
	fflush(f);
}

/* ---------------------------------------------------------- builders */

void ps_rec_entry(const struct ps_sink *sink, const struct ps_entry *e, const char *label,
		  const char *note)
{
	char st[2] = { e->state, 0 }, ep[80] = "";
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
	ps_emit(sink, PS_REC_ENTRY, e, out, nf,
		"  %3d  %-12s %-26s %6d %-10s %-8s %c  %-10s %s%s%s%s", e->pos, e->kind, e->func,
		(int)e->pid, e->comm, label, e->state, e->flags, e->key, ep,
		note && *note ? "  " : "", note ? note : "");
}

void ps_rec_entry_header(const struct ps_sink *sink)
{
	ps_emit_text(sink, "  %3s  %-12s %-26s %6s %-10s %-8s %s  %-10s %s", "POS", "KIND", "FUNC",
		     "PID", "COMM", "WAITER", "S", "FLAGS", "KEY");
}

/* "" or ", 12 more not listed (the module's max_queue_entries)" */
static const char *trunc_text(long n, bool more, char *buf, size_t len)
{
	if (n <= 0 && !more)
		return "";
	snprintf(buf, len, ", %s%ld more not listed (the module's max_queue_entries)",
		 more ? "at least " : "", n);
	return buf;
}

void ps_rec_head(const struct ps_sink *sink, const struct ps_head *h)
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

	ps_emit(sink, PS_REC_HEAD, h, f, nf, "  head %d: %s, %d entr%s%s", h->index, h->label,
		h->entries, h->entries == 1 ? "y" : "ies",
		trunc_text(h->truncated, h->truncated_more, tt, sizeof(tt)));
}

void ps_rec_module_object(const struct ps_sink *sink, const struct ps_object *o, int count)
{
	char tt[96];
	struct ps_field f[10] = {
		{ "object", PS_F_STR, o->name, 0 },
		{ "ready", PS_F_STR, o->ready, 0 },
		{ "entries", PS_F_INT, NULL, count },
		{ "polls", PS_F_INT, NULL, (long long)o->polls },
		{ "wakes", PS_F_INT, NULL, (long long)o->wakes },
		{ "woken", PS_F_INT, NULL, (long long)o->woken },
		{ "open", PS_F_INT, NULL, o->open },
		{ "ours", PS_F_BOOL, NULL, o->ours },
		{ "truncated", PS_F_INT, NULL, o->truncated },
		{ "truncated_more", PS_F_BOOL, NULL, o->truncated_more },
	};
	ps_emit(sink, PS_REC_OBJECT, o, f, o->truncated || o->truncated_more ? 10 : 8,
		"%s: ready=%s entries=%d polls=%lu wakes=%lu woken=%lu open=%d%s", o->name,
		o->ready, count, o->polls, o->wakes, o->woken, o->open,
		trunc_text(o->truncated, o->truncated_more, tt, sizeof(tt)));
}

void ps_rec_real_object(const struct ps_sink *sink, const struct ps_object *o, int count, int heads,
			const char *count_name)
{
	struct ps_field f[7] = {
		{ "object", PS_F_STR, o->name, 0 },
		{ "objtype", PS_F_STR, o->type, 0 },
		{ "ready", PS_F_STR, o->ready, 0 },
		{ "entries", PS_F_INT, NULL, count },
		{ "heads", PS_F_INT, NULL, heads },
		{ count_name, PS_F_INT, NULL, (long long)o->count },
		{ "ours", PS_F_BOOL, NULL, o->ours },
	};
	ps_emit(sink, PS_REC_OBJECT, o, f, 7, "%s: %s ready=%s entries=%d heads=%d %s=%lu", o->name,
		o->type, o->ready, count, heads, count_name, o->count);
}

void ps_rec_event(const struct ps_sink *sink, const struct ps_event *ev, uint64_t base,
		  const char *label)
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
		{ "waiter", PS_F_STR, label, 0 },
	};
	if (!strcmp(ev->type, "lost")) {
		ps_emit(sink, PS_REC_EVENT, ev, f, 8, "%6llu  (events lost: %s)",
			(unsigned long long)ev->seq, ev->detail);
		return;
	}
	ps_emit(sink, PS_REC_EVENT, ev, f, 8, "%6llu %10.3f ms  %-8s %-8s %s  [pid %d %s]",
		(unsigned long long)ev->seq, ms, ev->type, ev->object[0] ? ev->object : "-",
		ev->detail, (int)ev->pid, ev->comm);
}

/* A path for a text line: a newline or other control byte in a file name
 * would split or garble the line, so it is escaped (\n, \t, \xHH) and a
 * backslash doubled; JSON keeps the link field as it is. */
static const char *text_path(const char *p, char *buf, size_t len)
{
	size_t o = 0;

	for (; *p && o + 5 < len; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n')
			o += (size_t)snprintf(buf + o, len - o, "\\n");
		else if (c == '\t')
			o += (size_t)snprintf(buf + o, len - o, "\\t");
		else if (c == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\\\");
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

void ps_rec_fd(const struct ps_sink *sink, const struct ps_inspection *in, const struct ps_fd *f)
{
	char link[4 * sizeof(f->link) + 8];
	char m[PS_MASK_TEXT], waits[PS_MASK_TEXT + 40] = "", more[160] = "";
	struct ps_field fl[15] = {
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
	char same[48] = "";

	if (f->same_as >= 0) {
		/* the same open file as an earlier fd: the same heads, listed again */
		fl[nf++] = (struct ps_field){ "same_as", PS_F_INT, NULL, f->same_as };
		snprintf(same, sizeof(same), " (same file as fd %d)", f->same_as);
	}
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
		ps_emit(sink, PS_REC_FD, f, fl, 12, "fd %d -> %s: not inspected (%s)", f->fd,
			text_path(f->link, link, sizeof(link)), f->note[0] ? f->note : "?");
	else if (!f->pollable)
		ps_emit(sink, PS_REC_FD, f, fl, 12,
			"fd %d -> %s (%s): no poll method (poll(2) says %s)%s", f->fd,
			text_path(f->link, link, sizeof(link)), f->kind, f->mask, waits);
	else
		ps_emit(sink, PS_REC_FD, f, fl, nf,
			"fd %d -> %s (%s): mask=%s heads=%d entries=%d%s%s%s", f->fd,
			text_path(f->link, link, sizeof(link)), f->kind, f->mask, f->heads,
			f->entries, more, same, waits);
}

void ps_format_result(const struct ps_waiter *w, const struct ps_result *r, char *buf, size_t len)
{
	char en[24];
	size_t used;
	int k;

	if (!r->valid) {
		snprintf(buf, len, "-");
		return;
	}
	if (r->value < 0) {
		snprintf(buf, len, "-1 %s after %.1f ms", ps_errno_name(r->err, en, sizeof(en)),
			 r->ms);
		return;
	}
	if (w->call == PS_CALL_READ) {
		if (r->value == 0)
			snprintf(buf, len, "0 (EOF) after %.1f ms", r->ms);
		else if (r->readval < 0)
			snprintf(buf, len, "%lld bytes after %.1f ms", r->value, r->ms);
		else
			snprintf(buf, len, "%lld bytes, value %lld, after %.1f ms", r->value,
				 r->readval, r->ms);
		return;
	}
	if (r->value == 0) {
		snprintf(buf, len, "0 (timeout) after %.1f ms", r->ms);
		return;
	}
	k = snprintf(buf, len, "%lld after %.1f ms:", r->value, r->ms);
	used = k > 0 ? (size_t)k : 0;
	for (int i = 0; i < r->nfds && i < w->nobjs && used < len; i++) {
		char m[PS_MASK_TEXT];
		if (!r->revents[i])
			continue;
		k = snprintf(buf + used, len - used, " %s=%s", w->objs[i],
			     ps_mask_format(r->revents[i], m, sizeof(m)));
		if (k > 0)
			used += (size_t)k;
	}
}

void ps_rec_waiter(const struct ps_sink *sink, enum ps_rec_kind kind, const struct ps_waiter *w)
{
	char st[2] = { w->state, 0 };
	char revs[PS_MAX_WAIT_OBJS * (PS_NAME_MAX + PS_MASK_TEXT)] = "";
	size_t used = 0;
	struct ps_field f[20];
	int n = 0;

	for (int i = 0; i < w->last.nfds && i < w->nobjs && w->last.valid; i++) {
		char m[PS_MASK_TEXT];
		int k = snprintf(revs + used, sizeof(revs) - used, "%s%s=%s", used ? " " : "",
				 w->objs[i], ps_mask_format(w->last.revents[i], m, sizeof(m)));
		if (k > 0 && (size_t)k < sizeof(revs) - used)
			used += (size_t)k;
	}
	f[n++] = (struct ps_field){ "label", PS_F_STR, w->label, 0 };
	f[n++] = (struct ps_field){ "pid", PS_F_INT, NULL, w->pid };
	f[n++] = (struct ps_field){ "call", PS_F_STR, w->call_name, 0 };
	f[n++] = (struct ps_field){ "objects", PS_F_STR, w->objects, 0 };
	if (kind == PS_REC_RESULT) {
		char en[24];
		f[n++] = (struct ps_field){ "seq", PS_F_INT, NULL, w->last.seq };
		f[n++] = (struct ps_field){ "value", PS_F_INT, NULL, w->last.value };
		f[n++] = (struct ps_field){ "errno", PS_F_STR,
					    w->last.err ? ps_errno_name(w->last.err, en, sizeof(en))
							: "-",
					    0 };
		f[n++] = (struct ps_field){ "ms", PS_F_INT, NULL, (long long)(w->last.ms + 0.5) };
		f[n++] = (struct ps_field){ "revents", PS_F_STR, revs, 0 };
		if (w->call == PS_CALL_READ)
			f[n++] = (struct ps_field){ "readval", PS_F_INT, NULL, w->last.readval };
		f[n++] = (struct ps_field){ "text", PS_F_STR, w->last.text, 0 };
		ps_emit(sink, kind, w, f, n, "%s (pid %d) %s returned %s", w->label, (int)w->pid,
			w->call_name, w->last.text);
		return;
	}
	f[n++] = (struct ps_field){ "group", PS_F_STR, w->group, 0 };
	f[n++] = (struct ps_field){ "options", PS_F_STR, w->options, 0 };
	f[n++] = (struct ps_field){ "state", PS_F_STR, st, 0 };
	f[n++] = (struct ps_field){ "wchan", PS_F_STR, w->wchan, 0 };
	f[n++] = (struct ps_field){ "asleep", PS_F_BOOL, NULL, w->asleep };
	f[n++] = (struct ps_field){ "alive", PS_F_BOOL, NULL, w->alive };
	f[n++] = (struct ps_field){ "in_call", PS_F_BOOL, NULL, w->in_call };
	f[n++] = (struct ps_field){ "calls", PS_F_INT, NULL, w->calls };
	f[n++] = (struct ps_field){ "last", PS_F_STR, w->last.text[0] ? w->last.text : "-", 0 };
	f[n++] = (struct ps_field){ "status", PS_F_STR, w->exit_text, 0 };
	if (kind == PS_REC_WAITER && !w->alive)
		ps_emit(sink, kind, w, f, n, "%6d  %-10s %-7s %-12s %c  %-18s %s [%s]", (int)w->pid,
			w->label, w->call_name, w->objects, '-', "-",
			w->last.text[0] ? w->last.text : "-", w->exit_text);
	else
		ps_emit(sink, kind, w, f, n, "%6d  %-10s %-7s %-12s %c  %-18s %s", (int)w->pid,
			w->label, w->call_name, w->objects, w->state, w->wchan,
			w->last.text[0] ? w->last.text : "-");
}

void ps_rec_explain(const struct ps_sink *sink, const char *object, int pos, const char *text)
{
	struct ps_field f[3] = {
		{ "object", PS_F_STR, object, 0 },
		{ "pos", PS_F_INT, NULL, pos },
		{ "text", PS_F_STR, text, 0 },
	};
	char line[512];
	const char *p = text;
	/* text: the lines indented under what they explain; JSON: one record
	 * with the whole text (no pos for an object's own explanation) */
	int nf = pos >= 0 ? 3 : 2;

	if (pos < 0)
		f[1] = f[2];
	if (!text || !*text)
		return;
	for (int first = 1; *p; first = 0) {
		size_t n = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		if (first)
			ps_emit(sink, PS_REC_EXPLAIN, NULL, f, nf, "        why: %s", line);
		else
			ps_emit_text(sink, "             %s", line);
		p += n;
		if (*p == '\n')
			p++;
	}
}
