/* Records: ps_emit, the builders of every record the core emits, the text sink. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "parse.h"
#include "record.h"
#include "records.h"

const struct ps_field *ps_rec_field(const struct ps_rec *rec, const char *key)
{
	for (int i = 0; i < rec->nfields; i++)
		if (strcmp(rec->fields[i].key, key) == 0)
			return &rec->fields[i];
	return NULL;
}

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
		[PS_REC_EXPLAIN] = "explain", [PS_REC_THREAD] = "thread",
		[PS_REC_STALE] = "stale",     [PS_REC_WAITQ] = "waitq",
		[PS_REC_HOLDER] = "holder",   [PS_REC_SLEEPER] = "sleeper",
		[PS_REC_DIAGRAM] = "diagram",
	};
	if ((unsigned)k < sizeof(names) / sizeof(names[0]) && names[k])
		return names[k];
	return "unknown";
}

static int emit_held;
static uint64_t held_ns; /* when the outermost hold began */
static bool emit_unrecorded;

void ps_emit_unrecorded(bool on)
{
	emit_unrecorded = on;
}

static void emit_rec(const struct ps_sink *sink, enum ps_rec_kind kind, const void *data,
		     const struct ps_field *fields, int nfields, const char *text)
{
	struct ps_rec rec;

	rec.kind = kind;
	rec.kind_name = ps_rec_kind_name(kind);
	rec.text = text;
	rec.nfields = nfields;
	rec.fields = fields;
	rec.data = data;
	/* one time for both: a recording's item and what a front end stamps;
	 * a held listing's records all have the time it began (a clock read
	 * is a system call where the clocksource is the HPET, as under QEMU) */
	rec.at_ns = emit_held ? held_ns : ps_now_ns();
	if (!emit_unrecorded)
		ps_record_output(&rec); /* --record: every record a front end gets */
	sink->record(sink->ctx, &rec);
}

/* Whether the sink (or a recording) reads the text of such a record. */
static bool text_wanted(const struct ps_sink *sink, enum ps_rec_kind kind, int nfields)
{
	return !sink->uses_text || sink->uses_text(kind, nfields) || ps_record_active();
}

static void emit_va(const struct ps_sink *sink, enum ps_rec_kind kind, const void *data,
		    const struct ps_field *fields, int nfields, const char *fmt, va_list ap)
{
	char text[1024];

	if (!sink || !sink->record)
		return;
	/* JSON of a listing reads the fields only: no line formatted for
	 * nothing (100,000 vsnprintf calls in `--json waits` at 1000
	 * processes); a recording keeps both */
	if (text_wanted(sink, kind, nfields))
		vsnprintf(text, sizeof(text), fmt, ap);
	else
		text[0] = '\0';
	emit_rec(sink, kind, data, fields, nfields, text);
}

void ps_emit_line(const struct ps_sink *sink, enum ps_rec_kind kind, const void *data,
		  const struct ps_field *fields, int nfields, const char *text)
{
	if (sink && sink->record)
		emit_rec(sink, kind, data, fields, nfields, text);
}

void ps_emit(const struct ps_sink *sink, enum ps_rec_kind kind, const void *data,
	     const struct ps_field *fields, int nfields, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_va(sink, kind, data, fields, nfields, fmt, ap);
	va_end(ap);
}

void ps_emit_data(const struct ps_sink *sink, enum ps_rec_kind kind, const void *data,
		  const struct ps_field *fields, int nfields)
{
	struct ps_rec rec = { kind, ps_rec_kind_name(kind), NULL, nfields, fields, data, 0 };

	if (sink && sink->record)
		sink->record(sink->ctx, &rec);
}

void ps_emit_text(const struct ps_sink *sink, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_va(sink, PS_REC_TEXT, NULL, NULL, 0, fmt, ap);
	va_end(ap);
}

void ps_emit_hold(void)
{
	if (!emit_held++)
		held_ns = ps_now_ns();
}

void ps_emit_release(void)
{
	if (emit_held > 0 && --emit_held == 0)
		fflush(NULL);
}

void ps_sink_flush(FILE *f)
{
	if (!emit_held)
		fflush(f);
}

void ps_sink_text(void *ctx, const struct ps_rec *rec)
{
	FILE *f = ctx ? ctx : stdout;

	if (!rec->text) /* folded into an earlier line: JSON only */
		return;
	fputs(rec->text, f);
	putc('\n', f);
	ps_sink_flush(f);
}

/* ---------------------------------------------------------- builders */

void ps_rec_entry(const struct ps_sink *sink, const struct ps_entry *e, const char *label,
		  const char *note)
{
	ps_rec_inspect_entry(sink, e, -1, label, note, 1, e->tfd);
}

void ps_rec_inspect_entry(const struct ps_sink *sink, const struct ps_entry *e, int fd,
			  const char *label, const char *note, int run, int last_tfd)
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
	struct ps_field out[17];
	int nf = 11;
	char pos[32], count[32] = "";
	/* an epoll entry: its instance (as inspect of the epoll fd shows it) */
	bool epoll = e->epoll[0] && strcmp(e->epoll, "unknown") != 0;

	memcpy(out, f, 11 * sizeof(f[0]));
	if (epoll) {
		out[nf++] = f[13];
		out[nf++] = f[14];
		out[nf++] = f[15];
		snprintf(ep, sizeof(ep), "  epoll=%s tfd=%d sleepers=%s", e->epoll, e->tfd,
			 e->sleepers);
		if (run > 1 && last_tfd != e->tfd) /* a run: entries of fds A..B */
			snprintf(ep, sizeof(ep), "  epoll=%s tfd=%d..%d sleepers=%s", e->epoll,
				 e->tfd, last_tfd, e->sleepers);
	}
	if (fd >= 0) /* inspect PID: the fd, and head is that fd's head index */
		out[nf++] = (struct ps_field){ "fd", PS_F_INT, NULL, fd };
	if (e->head >= 0)
		out[nf++] = f[11];
	if (note && *note)
		out[nf++] = f[12];
	if (run == 0) { /* one of a run folded into the run's first line */
		ps_emit_data(sink, PS_REC_ENTRY, e, out, nf);
		return;
	}
	if (run > 1) { /* entries alike but for their positions: one line */
		snprintf(pos, sizeof(pos), "%d-%d", e->pos, e->pos + run - 1);
		snprintf(count, sizeof(count), "  (%d entries)", run);
	} else
		snprintf(pos, sizeof(pos), "%3d", e->pos);
	ps_emit(sink, PS_REC_ENTRY, e, out, nf,
		"  %s  %-12s %-26s %6d %-10s %-8s %c  %-10s %s%s%s%s%s", pos, e->kind, e->func,
		(int)e->pid, e->comm, label, e->state, e->flags, e->key, ep,
		note && *note ? "  " : "", note ? note : "", count);
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
	double ms = (double)(int64_t)(ev->ns - base) / 1e6;
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

/* Whether s is valid UTF-8 (no overlongs, surrogates or code points past
 * U+10FFFF), as jansson requires of a string. */
static bool utf8_valid(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s, n, cp, min;

		if (c < 0x80) {
			s++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			n = 1, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			n = 2, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			n = 3, cp = c & 0x07, min = 0x10000;
		else
			return false;
		for (unsigned i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

/* A path for JSON: as it is when it is UTF-8; else every byte of 0x80 and
 * up as \xHH and a backslash doubled (pollscope(1), JSON OUTPUT), *escaped
 * set. The text line escapes control bytes as text_path does. */
static const char *json_path(const char *p, char *buf, size_t len, bool *escaped)
{
	size_t o = 0;

	*escaped = !utf8_valid((const unsigned char *)p);
	if (!*escaped)
		return p;
	for (; *p && o + 5 < len; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\\\");
		else if (c >= 0x80)
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

/* "  <- poll waits on it (in)", with the thread and the registration when
 * they are not the obvious ones */
static void waits_text(const struct ps_inspection *in, const struct ps_fd *f, bool plural,
		       char *buf, size_t len)
{
	const char *call = f->wait_call[0] && strcmp(f->wait_call, "-") ? f->wait_call : "it";
	char m[PS_MASK_TEXT];

	buf[0] = '\0';
	if (!f->waited_on)
		return;
	if (!f->wait_events)
		snprintf(buf, len, "  <- %s sleeps in %s", call, plural ? "them" : "it");
	else
		snprintf(buf, len, "  <- %s waits on %s (%s)", call, plural ? "them" : "it",
			 ps_mask_format(f->wait_events, m, sizeof(m)));
	if (in->nthreads > 1) {
		ps_appendf(buf, len, " [thread %d", (int)f->wait_tid);
		if (f->wait_threads > 1)
			ps_appendf(buf, len, " and %d more", f->wait_threads - 1);
		ps_appendf(buf, len, "]");
	}
	if (f->registered_as >= 0 && f->registered_as != f->fd)
		ps_appendf(buf, len, " (registered in epoll fd %d as fd %d)", f->via_epoll,
			   f->registered_as);
	else if (f->via_epoll >= 0 && f->fd != f->via_epoll)
		for (size_t k = 0; k < in->nthreads; k++)
			if (in->threads[k].tid == f->wait_tid && in->threads[k].epfd >= 0 &&
			    in->threads[k].epfd != f->via_epoll)
				ps_appendf(buf, len, " (through nested epoll fd %d)", f->via_epoll);
}

/* An epoll fd's items as JSON: [{"tfd":5,"events":"in","fd":5,"ready":false},
 * ...] ("fd": where the file is now, null at no fd, absent when unknown).
 * malloc'd; NULL if out of memory. */
static char *watch_json(const struct ps_fd *f)
{
	size_t len = 8 + (size_t)f->nwatch * (64 + PS_MASK_TEXT), o = 1;
	char *buf = malloc(len), m[PS_MASK_TEXT];

	if (!buf)
		return NULL;
	buf[0] = '[';
	for (int i = 0; i < f->nwatch; i++) {
		const struct ps_watch_item *x = &f->watch[i];

		o += (size_t)snprintf(buf + o, len - o, "%s{\"tfd\":%d,\"events\":\"%s\"",
				      i ? "," : "", x->tfd,
				      ps_mask_format(x->events, m, sizeof(m)));
		if (x->at_fd >= 0)
			o += (size_t)snprintf(buf + o, len - o, ",\"fd\":%d", x->at_fd);
		else if (x->at_fd == -1)
			o += (size_t)snprintf(buf + o, len - o, ",\"fd\":null");
		o += (size_t)snprintf(buf + o, len - o, ",\"ready\":%s}",
				      x->ready ? "true" : "false");
	}
	snprintf(buf + o, len - o, "]");
	return buf;
}

void ps_rec_watched(const struct ps_sink *sink, const struct ps_fd *f)
{
	char line[640] = "", m[PS_MASK_TEXT];

	if (!f->nwatch)
		return;
	for (int i = 0; i < f->nwatch; i++) {
		const struct ps_watch_item *x = &f->watch[i];

		if (i == 8) {
			ps_appendf(line, sizeof(line), ", ... (%d registrations)", f->nwatch);
			break;
		}
		ps_appendf(line, sizeof(line), "%s fd %d (%s)", i ? "," : "", x->tfd,
			   ps_mask_format(x->events, m, sizeof(m)));
		if (x->at_fd >= 0 && x->at_fd != x->tfd)
			ps_appendf(line, sizeof(line), " now at fd %d", x->at_fd);
		else if (x->at_fd == -1)
			ps_appendf(line, sizeof(line), " at no fd of this process");
		if (x->ready)
			ps_appendf(line, sizeof(line), " ready");
	}
	ps_emit_text(sink, "  watches%s", line);
}

void ps_rec_fd_run(const struct ps_sink *sink, const struct ps_inspection *in,
		   const struct ps_fd *f, int run)
{
	char link[4 * sizeof(f->link) + 8], jlink[4 * sizeof(f->link) + 8];
	char m[PS_MASK_TEXT], waits[PS_MASK_TEXT + 160] = "", more[192] = "";
	bool escaped;
	char *watch = f->nwatch ? watch_json(f) : NULL;
	struct ps_field fl[24] = {
		{ "pid", PS_F_INT, NULL, f->pid },
		{ "fd", PS_F_INT, NULL, f->fd },
		{ "link", PS_F_STR, json_path(f->link, jlink, sizeof(jlink), &escaped), 0 },
		{ "kind", PS_F_STR, f->kind[0] ? f->kind : "-", 0 },
		{ "inspected", PS_F_BOOL, NULL, f->inspected },
		{ "pollable", PS_F_BOOL, NULL, f->pollable },
		{ "mask", PS_F_STR, f->mask, 0 },
		{ "heads", PS_F_INT, NULL, f->heads },
		{ "entries", PS_F_INT, NULL, f->entries },
		{ "waited_on", PS_F_BOOL, NULL, f->waited_on },
		{ "wait_events", PS_F_STR, ps_mask_format(f->wait_events, m, sizeof(m)), 0 },
		{ "note", PS_F_STR, f->note, 0 },
	};
	int nf = 12;
	char same[48] = "";

	if (escaped) /* link holds \xHH escapes (and doubled backslashes) */
		fl[nf++] = (struct ps_field){ "link_escaped", PS_F_BOOL, NULL, 1 };
	if (f->epoll[0]) { /* an epoll fd: its id and how many it watches */
		fl[nf++] = (struct ps_field){ "epoll", PS_F_STR, f->epoll, 0 };
		fl[nf++] = (struct ps_field){ "watched", PS_F_INT, NULL, f->watched };
		if (watch)
			fl[nf++] = (struct ps_field){ "watch", PS_F_JSON, watch, 0 };
		if (f->watch_left || f->watch_left_more) {
			fl[nf++] = (struct ps_field){ "watched_truncated", PS_F_INT, NULL,
						      f->watch_left };
			fl[nf++] = (struct ps_field){ "watched_truncated_more", PS_F_BOOL, NULL,
						      f->watch_left_more };
		}
	}
	if (f->waited_on) {
		if (in->nthreads > 1)
			fl[nf++] = (struct ps_field){ "wait_tid", PS_F_INT, NULL, f->wait_tid };
		fl[nf++] = (struct ps_field){ "wait_call", PS_F_STR, f->wait_call, 0 };
		if (f->registered_as >= 0 && f->registered_as != f->fd)
			fl[nf++] = (struct ps_field){ "registered_as", PS_F_INT, NULL,
						      f->registered_as };
		if (f->via_epoll >= 0)
			fl[nf++] = (struct ps_field){ "via_epoll", PS_F_INT, NULL, f->via_epoll };
	}
	if (f->same_as >= 0) {
		/* the same open file as an earlier fd: the same heads, listed there */
		fl[nf++] = (struct ps_field){ "same_as", PS_F_INT, NULL, f->same_as };
		snprintf(same, sizeof(same), " (same file as fd %d)", f->same_as);
	}
	if (f->epoll[0]) {
		snprintf(more, sizeof(more), " epoll=%s watches=%d", f->epoll, f->watched);
		if (f->watch_left || f->watch_left_more)
			ps_appendf(more, sizeof(more),
				   " (%s%ld more not listed: the module's max_queue_entries; "
				   "those files are not marked)",
				   f->watch_left_more ? "at least " : "", f->watch_left);
	} else if (f->inspected && f->note[0]) {
		snprintf(more, sizeof(more), " (%s)", f->note);
	}
	waits_text(in, f, run > 1, waits, sizeof(waits));
	if (run == 0) {
		ps_emit_data(sink, PS_REC_FD, f, fl, nf);
	} else if (!f->inspected) {
		ps_emit(sink, PS_REC_FD, f, fl, nf, "fd %d -> %s: not inspected (%s)", f->fd,
			text_path(f->link, link, sizeof(link)), f->note[0] ? f->note : "?");
	} else if (!f->pollable) {
		ps_emit(sink, PS_REC_FD, f, fl, nf,
			"fd %d -> %s (%s): no poll method (poll(2) says %s)%s", f->fd,
			text_path(f->link, link, sizeof(link)), f->kind, f->mask, waits);
	} else if (run > 1) {
		/* fds of one file alike: one line (their heads and entries are the
		 * file's, listed under the first fd) */
		ps_emit(sink, PS_REC_FD, f, fl, nf,
			"fds %d-%d -> %s (%s): mask=%s, %d fds of the same file as fd %d (its "
			"heads and entries, listed there)%s",
			f->fd, (f + run - 1)->fd, text_path(f->link, link, sizeof(link)), f->kind,
			f->mask, run, f->same_as, waits);
	} else {
		ps_emit(sink, PS_REC_FD, f, fl, nf,
			"fd %d -> %s (%s): mask=%s heads=%d entries=%d%s%s%s", f->fd,
			text_path(f->link, link, sizeof(link)), f->kind, f->mask, f->heads,
			f->entries, more, same, waits);
	}
	if (run > 0)
		ps_rec_watched(sink, f);
	free(watch);
}

void ps_rec_fd(const struct ps_sink *sink, const struct ps_inspection *in, const struct ps_fd *f)
{
	ps_rec_fd_run(sink, in, f, 1);
}

/* The call as a JSON object: {"call":"poll","timeout_ms":-1,"fds":[{"fd":3,
 * "events":"in"},...]} (epoll: "epfd", the registrations as fdinfo lists
 * them). malloc'd; NULL if out of memory. */
char *ps_call_json(const struct ps_thread *t)
{
	size_t len = 160 + t->ncallfds * (24 + PS_MASK_TEXT), o;
	char *buf = malloc(len), m[PS_MASK_TEXT];

	if (!buf)
		return NULL;
	o = (size_t)snprintf(buf, len, "{\"call\":\"%s\"", t->syscall);
	if (t->epfd >= 0)
		o += (size_t)snprintf(buf + o, len - o, ",\"epfd\":%d", t->epfd);
	if (t->fd_call) {
		if (t->timeout_ms == -2)
			o += (size_t)snprintf(buf + o, len - o, ",\"timeout_ms\":null");
		else
			o += (size_t)snprintf(buf + o, len - o, ",\"timeout_ms\":%lld",
					      t->timeout_ms);
		o += (size_t)snprintf(buf + o, len - o, ",\"fds\":[");
		for (size_t i = 0; i < t->ncallfds; i++)
			o += (size_t)snprintf(buf + o, len - o, "%s{\"fd\":%d,\"events\":\"%s\"}",
					      i ? "," : "", t->callfds[i],
					      ps_mask_format(t->callevents[i], m, sizeof(m)));
		o += (size_t)snprintf(buf + o, len - o, "]");
		if (t->left)
			o += (size_t)snprintf(buf + o, len - o, ",\"fds_not_read\":%ld", t->left);
	}
	snprintf(buf + o, len - o, "}");
	return buf;
}

void ps_rec_thread(const struct ps_sink *sink, const struct ps_inspection *in,
		   const struct ps_thread *t)
{
	char st[2] = { t->state, 0 }, *call = ps_call_json(t);
	struct ps_field f[8] = {
		{ "pid", PS_F_INT, NULL, in->pid },	{ "tid", PS_F_INT, NULL, t->tid },
		{ "comm", PS_F_STR, t->comm, 0 },	{ "state", PS_F_STR, st, 0 },
		{ "wchan", PS_F_STR, t->wchan, 0 },	{ "syscall", PS_F_STR, t->syscall, 0 },
		{ "waiting", PS_F_STR, t->waiting, 0 }, { "call", PS_F_JSON, call, 0 },
	};

	if (in->nthreads < 2) /* one thread: the process's lines say it all */
		ps_emit_data(sink, PS_REC_THREAD, t, f, 8);
	else if (t->waiting[0])
		ps_emit(sink, PS_REC_THREAD, t, f, 8,
			"  thread %d (%s): state %c, wchan %s, blocked in %s", (int)t->tid, t->comm,
			t->state, t->wchan, t->waiting);
	else
		ps_emit(sink, PS_REC_THREAD, t, f, 8, "  thread %d (%s): state %c, wchan %s, %s%s",
			(int)t->tid, t->comm, t->state, t->wchan,
			strcmp(t->syscall, "-") ? "in system call " : "not in a system call",
			strcmp(t->syscall, "-") ? t->syscall : "");
	free(call);
}

void ps_rec_stale(const struct ps_sink *sink, const struct ps_inspection *in,
		  const struct ps_stale *s)
{
	char m[PS_MASK_TEXT], where[128];
	const struct ps_fd *at = NULL;
	struct ps_field f[7] = {
		{ "pid", PS_F_INT, NULL, in->pid },
		{ "epfd", PS_F_INT, NULL, s->epfd },
		{ "tfd", PS_F_INT, NULL, s->tfd },
		{ "events", PS_F_STR, ps_mask_format(s->events, m, sizeof(m)), 0 },
		{ "now", PS_F_STR, s->closed ? "closed" : "another-file", 0 },
		{ "file_fd", PS_F_INT, NULL, s->file_fd },
	};

	for (size_t i = 0; i < in->nfds; i++)
		if (in->fds[i].fd == s->tfd)
			at = &in->fds[i];
	if (s->file_fd >= 0)
		snprintf(where, sizeof(where), "the registered file is fd %d (marked below)",
			 s->file_fd);
	else if (s->file_fd == -1)
		snprintf(where, sizeof(where),
			 "the registered file is at no fd of this process (another process "
			 "holds it open; it can still wake this epoll)");
	else
		snprintf(where, sizeof(where),
			 "inspect the whole process to find the registered file");
	if (s->closed)
		ps_emit(sink, PS_REC_STALE, s, f, 6,
			"  stale registration in epoll fd %d: registered as fd %d (%s), which is "
			"closed now; %s",
			s->epfd, s->tfd, m, where);
	else
		ps_emit(sink, PS_REC_STALE, s, f, 6,
			"  stale registration in epoll fd %d: registered as fd %d (%s), which now "
			"refers to another file (%s); %s",
			s->epfd, s->tfd, m, at ? at->kind : "?", where);
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
