/* Recordings: writing a session as JSON lines (jansson) and reading it back. */
#include <errno.h>
#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "i18n.h"
#include "clock.h"
#include "record.h"
#include "session.h"
#include "version.h"
#include "waiter.h"

/* ---------------------------------------------------- struct <-> JSON */

/* One member of a struct the frames carry: its JSON key, type and place. */
enum fd_type {
	FT_STR,
	FT_INT,
	FT_PID,
	FT_LONG,
	FT_ULONG,
	FT_U32,
	FT_U64,
	FT_BOOL,
	FT_CHAR,
	FT_DBL
};
struct fdesc {
	const char *key;
	enum fd_type type;
	size_t off, size;
};
#define F(st, m, t)                                                                                \
	{                                                                                          \
#m, t, offsetof(st, m), sizeof(((st *)0)->m)                                       \
	}

static const struct fdesc object_fields[] = {
	F(struct ps_object, name, FT_STR),
	F(struct ps_object, type, FT_STR),
	F(struct ps_object, creator, FT_PID),
	F(struct ps_object, creator_comm, FT_STR),
	F(struct ps_object, ours, FT_BOOL),
	F(struct ps_object, ready, FT_STR),
	F(struct ps_object, ready_mask, FT_U32),
	F(struct ps_object, polls, FT_ULONG),
	F(struct ps_object, queued, FT_ULONG),
	F(struct ps_object, added, FT_ULONG),
	F(struct ps_object, removed, FT_ULONG),
	F(struct ps_object, wakes, FT_ULONG),
	F(struct ps_object, woken, FT_ULONG),
	F(struct ps_object, count, FT_ULONG),
	F(struct ps_object, waiting, FT_INT),
	F(struct ps_object, open, FT_INT),
	F(struct ps_object, has_stats, FT_BOOL),
	F(struct ps_object, truncated, FT_LONG),
	F(struct ps_object, truncated_more, FT_BOOL),
	{ NULL, 0, 0, 0 },
};

static const struct fdesc entry_fields[] = {
	F(struct ps_entry, object, FT_STR),
	F(struct ps_entry, head, FT_INT),
	F(struct ps_entry, pos, FT_INT),
	F(struct ps_entry, func, FT_STR),
	F(struct ps_entry, kind, FT_STR),
	F(struct ps_entry, pid, FT_PID),
	F(struct ps_entry, comm, FT_STR),
	F(struct ps_entry, state, FT_CHAR),
	F(struct ps_entry, flags, FT_STR),
	F(struct ps_entry, exclusive, FT_BOOL),
	F(struct ps_entry, key, FT_STR),
	F(struct ps_entry, key_mask, FT_U32),
	F(struct ps_entry, has_key, FT_BOOL),
	F(struct ps_entry, epoll, FT_STR),
	F(struct ps_entry, tfd, FT_INT),
	F(struct ps_entry, sleepers, FT_STR),
	{ NULL, 0, 0, 0 },
};

static const struct fdesc head_fields[] = {
	F(struct ps_head, object, FT_STR),
	F(struct ps_head, pid, FT_PID),
	F(struct ps_head, fd, FT_INT),
	F(struct ps_head, index, FT_INT),
	F(struct ps_head, label, FT_STR),
	F(struct ps_head, entries, FT_INT),
	F(struct ps_head, truncated, FT_LONG),
	F(struct ps_head, truncated_more, FT_BOOL),
	{ NULL, 0, 0, 0 },
};

static const struct fdesc result_fields[] = {
	F(struct ps_result, valid, FT_BOOL),
	F(struct ps_result, value, FT_LONG),
	F(struct ps_result, readval, FT_LONG),
	F(struct ps_result, err, FT_INT),
	F(struct ps_result, ms, FT_DBL),
	F(struct ps_result, seq, FT_U32),
	F(struct ps_result, nfds, FT_INT),
	F(struct ps_result, text, FT_STR),
	{ NULL, 0, 0, 0 },
};

/* the module's watches (watch PID FD), drawn below the objects */
static const struct fdesc watch_fields[] = {
	F(struct ps_watch_info, name, FT_STR),
	F(struct ps_watch_info, file, FT_STR),
	F(struct ps_watch_info, queues, FT_STR),
	F(struct ps_watch_info, wakes, FT_ULONG),
	F(struct ps_watch_info, recorded, FT_ULONG),
	F(struct ps_watch_info, limited, FT_ULONG),
	F(struct ps_watch_info, heads, FT_INT),
	F(struct ps_watch_info, rate, FT_INT),
	{ NULL, 0, 0, 0 },
};

/* call_name and objs are handled apart (a pointer, an array) */
static const struct fdesc waiter_fields[] = {
	F(struct ps_waiter, id, FT_INT),	 F(struct ps_waiter, pid, FT_PID),
	F(struct ps_waiter, label, FT_STR),	 F(struct ps_waiter, group, FT_STR),
	F(struct ps_waiter, nobjs, FT_INT),	 F(struct ps_waiter, objects, FT_STR),
	F(struct ps_waiter, options, FT_STR),	 F(struct ps_waiter, events, FT_U32),
	F(struct ps_waiter, timeout_ms, FT_INT), F(struct ps_waiter, flags, FT_U32),
	F(struct ps_waiter, state, FT_CHAR),	 F(struct ps_waiter, wchan, FT_STR),
	F(struct ps_waiter, asleep, FT_BOOL),	 F(struct ps_waiter, alive, FT_BOOL),
	F(struct ps_waiter, in_call, FT_BOOL),	 F(struct ps_waiter, calls, FT_U32),
	F(struct ps_waiter, exit_text, FT_STR),	 { NULL, 0, 0, 0 },
};

static const struct fdesc event_fields[] = {
	F(struct ps_event, seq, FT_U64),
	F(struct ps_event, ns, FT_U64),
	F(struct ps_event, type, FT_STR),
	F(struct ps_event, pid, FT_PID),
	F(struct ps_event, comm, FT_STR),
	F(struct ps_event, object, FT_STR),
	F(struct ps_event, detail, FT_STR),
	F(struct ps_event, line, FT_STR),
	{ NULL, 0, 0, 0 },
};

static json_t *str_json(const char *s)
{
	json_t *v = json_string(s);

	/* comm and paths may hold bytes that are not UTF-8 */
	return v ? v : json_string("?");
}

static json_t *to_json(const void *st, const struct fdesc *fd)
{
	json_t *o = json_object();
	const char *base = st;

	for (; fd->key; fd++) {
		const void *p = base + fd->off;
		json_t *v = NULL;

		switch (fd->type) {
		case FT_STR:
			v = str_json(p);
			break;
		case FT_INT:
			v = json_integer(*(const int *)p);
			break;
		case FT_PID:
			v = json_integer(*(const pid_t *)p);
			break;
		case FT_LONG:
			v = json_integer(fd->size == sizeof(long long) ? *(const long long *)p
								       : *(const long *)p);
			break;
		case FT_ULONG:
			v = json_integer((json_int_t) * (const unsigned long *)p);
			break;
		case FT_U32:
			v = json_integer(*(const uint32_t *)p);
			break;
		case FT_U64:
			v = json_integer((json_int_t) * (const uint64_t *)p);
			break;
		case FT_BOOL:
			v = json_boolean(*(const bool *)p);
			break;
		case FT_CHAR: {
			char c[2] = { *(const char *)p, 0 };
			v = str_json(c);
			break;
		}
		case FT_DBL:
			v = json_real(*(const double *)p);
			break;
		}
		json_object_set_new(o, fd->key, v);
	}
	return o;
}

/* Fill st from o; a missing or mistyped member is an error (what in err). */
static int from_json(json_t *o, void *st, const struct fdesc *fd, char *err, size_t errlen)
{
	char *base = st;

	if (!json_is_object(o)) {
		snprintf(err, errlen, _("not an object"));
		return -1;
	}
	for (; fd->key; fd++) {
		json_t *v = json_object_get(o, fd->key);
		void *p = base + fd->off;

		if (!v) {
			snprintf(err, errlen, _("'%s' missing"), fd->key);
			return -1;
		}
		if (fd->type == FT_STR || fd->type == FT_CHAR) {
			if (!json_is_string(v)) {
				snprintf(err, errlen, _("'%s' is not a string"), fd->key);
				return -1;
			}
			if (fd->type == FT_CHAR)
				*(char *)p = json_string_value(v)[0];
			else
				snprintf(p, fd->size, "%s", json_string_value(v));
			continue;
		}
		if (fd->type == FT_BOOL) {
			if (!json_is_boolean(v)) {
				snprintf(err, errlen, _("'%s' is not true or false"), fd->key);
				return -1;
			}
			*(bool *)p = json_is_true(v);
			continue;
		}
		if (fd->type == FT_DBL) {
			if (!json_is_number(v)) {
				snprintf(err, errlen, _("'%s' is not a number"), fd->key);
				return -1;
			}
			*(double *)p = json_number_value(v);
			continue;
		}
		if (!json_is_integer(v)) {
			snprintf(err, errlen, _("'%s' is not an integer"), fd->key);
			return -1;
		}
		json_int_t n = json_integer_value(v);
		switch (fd->type) {
		case FT_INT:
			*(int *)p = (int)n;
			break;
		case FT_PID:
			*(pid_t *)p = (pid_t)n;
			break;
		case FT_LONG:
			if (fd->size == sizeof(long long))
				*(long long *)p = n;
			else
				*(long *)p = (long)n;
			break;
		case FT_ULONG:
			*(unsigned long *)p = (unsigned long)n;
			break;
		case FT_U32:
			*(uint32_t *)p = (uint32_t)n;
			break;
		case FT_U64:
			*(uint64_t *)p = (uint64_t)n;
			break;
		default:
			break;
		}
	}
	return 0;
}

static json_t *waiter_json(const struct ps_waiter *w)
{
	json_t *o = to_json(w, waiter_fields), *objs = json_array(), *rev = json_array();

	json_object_set_new(o, "call", json_string(w->call_name ? w->call_name : "?"));
	for (int i = 0; i < w->nobjs && i < PS_MAX_WAIT_OBJS; i++)
		json_array_append_new(objs, str_json(w->objs[i]));
	json_object_set_new(o, "objs", objs);
	json_object_set_new(o, "last", to_json(&w->last, result_fields));
	for (int i = 0; i < PS_MAX_WAIT_OBJS; i++)
		json_array_append_new(rev, json_integer(w->last.revents[i]));
	json_object_set_new(json_object_get(o, "last"), "revents", rev);
	return o;
}

static int waiter_from_json(json_t *o, struct ps_waiter *w, char *err, size_t errlen)
{
	json_t *objs, *last, *rev, *call;
	enum ps_call c;
	size_t i;
	json_t *v;

	memset(w, 0, sizeof(*w));
	if (from_json(o, w, waiter_fields, err, errlen) < 0)
		return -1;
	call = json_object_get(o, "call");
	if (!json_is_string(call) || ps_call_parse(json_string_value(call), &c) < 0) {
		snprintf(err, errlen, _("'call' is not a call pollscope knows"));
		return -1;
	}
	w->call = c;
	w->call_name = ps_call_name(c);
	objs = json_object_get(o, "objs");
	if (!json_is_array(objs) || json_array_size(objs) > PS_MAX_WAIT_OBJS) {
		snprintf(err, errlen, _("'objs' is not a list of at most %d names"),
			 PS_MAX_WAIT_OBJS);
		return -1;
	}
	json_array_foreach(objs, i, v)
	{
		if (!json_is_string(v)) {
			snprintf(err, errlen, _("'objs' holds a non-string"));
			return -1;
		}
		snprintf(w->objs[i], sizeof(w->objs[i]), "%s", json_string_value(v));
	}
	if (w->nobjs < 0 || (size_t)w->nobjs > json_array_size(objs))
		w->nobjs = (int)json_array_size(objs);
	last = json_object_get(o, "last");
	if (from_json(last, &w->last, result_fields, err, errlen) < 0) {
		char e[200];
		snprintf(e, sizeof(e), "%s", err);
		snprintf(err, errlen, _("last: %s"), e);
		return -1;
	}
	rev = json_object_get(last, "revents");
	if (json_is_array(rev)) {
		json_array_foreach(rev, i, v)
		{
			if (i < PS_MAX_WAIT_OBJS && json_is_integer(v))
				w->last.revents[i] = (uint32_t)json_integer_value(v);
		}
	}
	return 0;
}

/* --------------------------------------------------------------- writer */

struct ps_recorder {
	FILE *f;
	char path[4096];
	uint64_t start;
	char *last_frame; /* the last frame written, to write only changes */
	bool typed;
	int depth; /* command lines running (a pause can run typed commands) */
	bool failed;
	int saved_errno;
	uint64_t ev_seq; /* events written up to this seq */
	uint64_t last_t; /* of the last item written */
	bool shown;	 /* a front end says when it shows events */
};

/* records.c's emit has no session: the one recording session of the process */
static struct ps_session *rec_session;

/* Write item o at time ns (CLOCK_MONOTONIC; never before the last item). */
static void put_item_at(struct ps_session *s, json_t *o, uint64_t ns)
{
	struct ps_recorder *r = s->rec;
	uint64_t t = ns > r->start ? ns - r->start : 0;
	char *txt;

	if (t < r->last_t)
		t = r->last_t;
	r->last_t = t;
	json_object_set_new(o, "t", json_integer((json_int_t)t));
	txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!txt) {
		r->failed = true;
		r->saved_errno = ENOMEM;
		return;
	}
	if (fprintf(r->f, "%s\n", txt) < 0 && !r->failed) {
		r->failed = true;
		r->saved_errno = errno;
	}
	free(txt);
}

static void put_item(struct ps_session *s, json_t *o)
{
	put_item_at(s, o, ps_now_ns());
}

uint64_t ps_record_last_ns(struct ps_session *s)
{
	return s->rec ? s->rec->start + s->rec->last_t : 0;
}

static json_t *item(const char *type)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string(type));
	return o;
}

int ps_record_open(struct ps_session *s, const char *path, char *err, size_t errlen)
{
	struct ps_recorder *r = calloc(1, sizeof(*r));
	json_t *h;
	char *txt;
	time_t now = time(NULL);
	struct tm tm;
	char when[32];

	if (!r) {
		snprintf(err, errlen, _("out of memory"));
		return -1;
	}
	r->f = fopen(path, "we");
	if (!r->f) {
		snprintf(err, errlen, _("cannot write %s: %s"), path, strerror(errno));
		free(r);
		return -1;
	}
	snprintf(r->path, sizeof(r->path), "%s", path);
	/* t = 0 is the session's start, the 0 of its timeline and of events:
	 * a replay shows the same times */
	r->start = ps_now_ns();
	if (s->start_ns && s->start_ns <= r->start)
		r->start = s->start_ns;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	h = json_object();
	json_object_set_new(h, "type", json_string(PS_RECORD_FORMAT));
	json_object_set_new(h, "version", json_integer(PS_RECORD_VERSION));
	json_object_set_new(h, "tool", json_string(pollscope_version()));
	json_object_set_new(h, "started", json_string(when));
	json_object_set_new(h, "clock_ns", json_integer((json_int_t)r->start));
	txt = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(h);
	fprintf(r->f, "%s\n", txt ? txt : "{}");
	free(txt);
	s->rec = r;
	rec_session = s;
	return 0;
}

int ps_record_close(struct ps_session *s, char *err, size_t errlen)
{
	struct ps_recorder *r = s->rec;
	int rc = 0;

	if (!r)
		return 0;
	ps_record_frame(s);
	put_item(s, item("end"));
	if (fclose(r->f) != 0 && !r->failed) {
		r->failed = true;
		r->saved_errno = errno;
	}
	if (r->failed) {
		snprintf(err, errlen, _("writing %s: %s"), r->path, strerror(r->saved_errno));
		rc = -1;
	}
	free(r->last_frame);
	free(r);
	s->rec = NULL;
	rec_session = NULL;
	return rc;
}

void ps_record_attach(struct ps_session *s)
{
	json_t *o;

	if (!s->rec)
		return;
	o = item("attach");
	json_object_set_new(o, "release", str_json(s->version.release));
	json_object_set_new(o, "interface", json_integer(s->version.interface));
	json_object_set_new(o, "module", str_json(s->module_state));
	json_object_set_new(o, "last_seq", json_integer((json_int_t)s->last_seq));
	put_item(s, o);
}

static void put_event(struct ps_session *s, const struct ps_event *ev)
{
	json_t *o;

	if (ev->seq <= s->rec->ev_seq)
		return;
	s->rec->ev_seq = ev->seq;
	o = item("event");
	json_object_set_new(o, "event", to_json(ev, event_fields));
	put_item(s, o);
}

/* Events are written when the front end shows them (the TUI's timeline,
 * in its order among the outputs); without one, before the next frame. */
void ps_record_events_shown(struct ps_session *s, const struct ps_event *ev, size_t n)
{
	if (!s->rec)
		return;
	s->rec->shown = true;
	for (size_t i = 0; i < n; i++)
		put_event(s, &ev[i]);
}

static void flush_events(struct ps_session *s)
{
	if (s->rec->shown)
		return;
	for (size_t i = 0; i < s->ring_count; i++)
		put_event(s, &s->ring[(s->ring_start + i) % s->ring_cap]);
}

static json_t *array_json(const void *v, size_t n, size_t size, const struct fdesc *fd)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, to_json((const char *)v + i * size, fd));
	return a;
}

void ps_record_frame(struct ps_session *s)
{
	struct ps_recorder *r = s->rec;
	json_t *o, *ws;
	size_t nw, nwatch;
	struct ps_waiter *const *w;
	struct ps_watch_info *wl;
	char *txt, e[256];

	if (!r)
		return;
	flush_events(s);
	o = item("frame");
	/* the panes of a live run read the same snapshot */
	if (s->attached && ps_session_snapshot(s, e, sizeof(e)) == 0) {
		json_object_set_new(
			o, "objects",
			array_json(s->objects, s->nobjects, sizeof(*s->objects), object_fields));
		json_object_set_new(
			o, "entries",
			array_json(s->entries, s->nentries, sizeof(*s->entries), entry_fields));
		json_object_set_new(
			o, "heads",
			array_json(s->heads, s->nheads, sizeof(*s->heads), head_fields));
		if (s->snap_queues_rc < 0)
			json_object_set_new(o, "error", str_json(s->snap_err));
		/* the watches, as the queue pane lists them (written only when
		 * there are some: recordings before watches have none) */
		nwatch = ps_session_watches(s, NULL, 0);
		wl = nwatch ? calloc(nwatch, sizeof(*wl)) : NULL;
		if (wl) {
			nwatch = ps_session_watches(s, wl, nwatch);
			json_object_set_new(o, "watches",
					    array_json(wl, nwatch, sizeof(*wl), watch_fields));
			free(wl);
		}
	} else {
		json_object_set_new(o, "objects", json_array());
		json_object_set_new(o, "entries", json_array());
		json_object_set_new(o, "heads", json_array());
	}
	ws = json_array();
	w = ps_session_waiters(s, &nw);
	for (size_t i = 0; i < nw; i++)
		json_array_append_new(ws, waiter_json(w[i]));
	json_object_set_new(o, "waiters", ws);
	txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (txt && r->last_frame && strcmp(txt, r->last_frame) == 0) {
		free(txt);
		json_decref(o);
		return;
	}
	free(r->last_frame);
	r->last_frame = txt;
	put_item(s, o);
}

void ps_record_typed(struct ps_session *s)
{
	if (s->rec)
		s->rec->typed = true;
}

void ps_record_command(struct ps_session *s, const char *line)
{
	json_t *o;

	if (!s->rec)
		return;
	ps_record_frame(s);
	o = item("command");
	json_object_set_new(o, "line", str_json(line));
	json_object_set_new(o, "typed", json_boolean(s->rec->typed));
	s->rec->typed = false; /* it was for this line only */
	s->rec->depth++;
	put_item(s, o);
}

void ps_record_done(struct ps_session *s, int rc, const char *err)
{
	json_t *o;

	if (!s->rec)
		return;
	ps_record_frame(s);
	if (s->rec->depth > 0)
		s->rec->depth--;
	o = item("done");
	json_object_set_new(o, "rc", json_integer(rc));
	json_object_set_new(o, "error", str_json(err ? err : ""));
	put_item(s, o);
}

static void text_item(struct ps_session *s, const char *type, const char *text)
{
	json_t *o;

	if (!s->rec)
		return;
	ps_record_frame(s);
	o = item(type);
	json_object_set_new(o, "text", str_json(text ? text : ""));
	put_item(s, o);
}

void ps_record_say(struct ps_session *s, const char *text)
{
	text_item(s, "say", text);
}

void ps_record_pause(struct ps_session *s, const char *text)
{
	text_item(s, "pause", text);
}

bool ps_record_active(void)
{
	return rec_session && rec_session->rec;
}

void ps_record_output(const struct ps_rec *rec)
{
	struct ps_session *s = rec_session;
	json_t *o, *f;

	if (!s || !s->rec)
		return;
	o = item("output");
	json_object_set_new(o, "kind", json_string(rec->kind_name));
	json_object_set_new(o, "text", str_json(rec->text ? rec->text : ""));
	f = json_array();
	for (int i = 0; i < rec->nfields; i++) {
		const struct ps_field *fl = &rec->fields[i];
		json_t *p = json_array();

		json_array_append_new(p, str_json(fl->key));
		if (fl->type == PS_F_STR)
			json_array_append_new(p, fl->str ? str_json(fl->str) : json_null());
		else if (fl->type == PS_F_BOOL)
			json_array_append_new(p, json_boolean(fl->num));
		else
			json_array_append_new(p, json_integer(fl->num));
		json_array_append_new(f, p);
	}
	json_object_set_new(o, "fields", f);
	/* a waiter's result: when its call returned, which the timeline sorts
	 * it by (the report is read, and written here, later) */
	if (rec->kind == PS_REC_RESULT && rec->data) {
		const struct ps_waiter *w = rec->data;

		if (w->last.at_ns)
			json_object_set_new(
				o, "at", json_integer((json_int_t)(w->last.at_ns - s->rec->start)));
	}
	/* at the time the front end stamps it with */
	put_item_at(s, o, rec->at_ns ? rec->at_ns : ps_now_ns());
}

/* --------------------------------------------------------------- reader */

static void item_free(struct ps_item *it)
{
	free(it->text);
	for (int i = 0; i < it->nfields; i++) {
		free((char *)it->fields[i].key);
		free((char *)it->fields[i].str);
	}
	free(it->fields);
	free(it->objects);
	free(it->entries);
	free(it->heads);
	free(it->waiters);
	free(it->watches);
}

void ps_recording_free(struct ps_recording *r)
{
	for (size_t i = 0; i < r->n; i++)
		item_free(&r->items[i]);
	free(r->items);
	memset(r, 0, sizeof(*r));
}

static int kind_of(const char *name, enum ps_rec_kind *k)
{
	for (int i = 0; i < PS_REC_NKINDS; i++) {
		if (!strcmp(ps_rec_kind_name((enum ps_rec_kind)i), name)) {
			*k = (enum ps_rec_kind)i;
			return 0;
		}
	}
	return -1;
}

static char *dup_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

/* An array of structs under key: *out malloc'd (NULL when empty). */
static int array_from(json_t *o, const char *key, void **out, size_t *n, size_t size,
		      const struct fdesc *fd, char *err, size_t errlen)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;
	char e[200];

	*out = NULL;
	*n = 0;
	if (!json_is_array(a)) {
		snprintf(err, errlen, _("frame: '%s' is not a list"), key);
		return -1;
	}
	if (json_array_size(a) == 0)
		return 0;
	*out = calloc(json_array_size(a), size);
	if (!*out) {
		snprintf(err, errlen, _("out of memory"));
		return -1;
	}
	json_array_foreach(a, i, v)
	{
		if (from_json(v, (char *)*out + i * size, fd, e, sizeof(e)) < 0) {
			snprintf(err, errlen, _("frame: %s[%zu]: %s"), key, i, e);
			return -1;
		}
	}
	*n = json_array_size(a);
	return 0;
}

static int parse_item(json_t *o, struct ps_item *it, char *err, size_t errlen)
{
	static const char *const types[] = {
		[PS_IT_ATTACH] = "attach",   [PS_IT_FRAME] = "frame",	[PS_IT_EVENT] = "event",
		[PS_IT_COMMAND] = "command", [PS_IT_OUTPUT] = "output", [PS_IT_DONE] = "done",
		[PS_IT_SAY] = "say",	     [PS_IT_PAUSE] = "pause",	[PS_IT_END] = "end"
	};
	json_t *t = json_object_get(o, "t"), *ty = json_object_get(o, "type"), *v;
	size_t i;
	int found = -1;
	char e[200];

	if (!json_is_integer(t) || json_integer_value(t) < 0) {
		snprintf(err, errlen, _("no time ('t', ns since the start)"));
		return -1;
	}
	it->t = (uint64_t)json_integer_value(t);
	if (!json_is_string(ty)) {
		snprintf(err, errlen, _("no 'type'"));
		return -1;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i], json_string_value(ty)))
			found = (int)i;
	if (found < 0) {
		snprintf(err, errlen, _("unknown item type '%s'"), json_string_value(ty));
		return -1;
	}
	it->type = (enum ps_item_type)found;
	switch (it->type) {
	case PS_IT_ATTACH:
		v = json_object_get(o, "release");
		snprintf(it->release, sizeof(it->release), "%s",
			 json_is_string(v) ? json_string_value(v) : "?");
		v = json_object_get(o, "module");
		snprintf(it->module, sizeof(it->module), "%s",
			 json_is_string(v) ? json_string_value(v) : "?");
		v = json_object_get(o, "interface");
		it->interface = json_is_integer(v) ? (int)json_integer_value(v) : 0;
		v = json_object_get(o, "last_seq");
		if (!json_is_integer(v)) {
			snprintf(err, errlen, _("attach: 'last_seq' missing"));
			return -1;
		}
		it->last_seq = (uint64_t)json_integer_value(v);
		return 0;
	case PS_IT_FRAME: {
		json_t *ws = json_object_get(o, "waiters");

		if (array_from(o, "objects", (void **)&it->objects, &it->nobjects,
			       sizeof(*it->objects), object_fields, err, errlen) < 0 ||
		    array_from(o, "entries", (void **)&it->entries, &it->nentries,
			       sizeof(*it->entries), entry_fields, err, errlen) < 0 ||
		    array_from(o, "heads", (void **)&it->heads, &it->nheads, sizeof(*it->heads),
			       head_fields, err, errlen) < 0)
			return -1;
		if (json_object_get(o, "watches") &&
		    array_from(o, "watches", (void **)&it->watches, &it->nwatches,
			       sizeof(*it->watches), watch_fields, err, errlen) < 0)
			return -1;
		if (!json_is_array(ws)) {
			snprintf(err, errlen, _("frame: 'waiters' is not a list"));
			return -1;
		}
		if (json_array_size(ws)) {
			it->waiters = calloc(json_array_size(ws), sizeof(*it->waiters));
			if (!it->waiters) {
				snprintf(err, errlen, _("out of memory"));
				return -1;
			}
		}
		json_array_foreach(ws, i, v)
		{
			if (waiter_from_json(v, &it->waiters[i], e, sizeof(e)) < 0) {
				snprintf(err, errlen, _("frame: waiters[%zu]: %s"), i, e);
				return -1;
			}
			it->nwaiters = i + 1;
		}
		return 0;
	}
	case PS_IT_EVENT:
		if (from_json(json_object_get(o, "event"), &it->ev, event_fields, e, sizeof(e)) <
		    0) {
			snprintf(err, errlen, _("event: %s"), e);
			return -1;
		}
		return 0;
	case PS_IT_COMMAND:
		it->text = dup_str(o, "line");
		v = json_object_get(o, "typed");
		if (!it->text || !json_is_boolean(v)) {
			snprintf(err, errlen, _("command: 'line' or 'typed' missing"));
			return -1;
		}
		it->typed = json_is_true(v);
		return 0;
	case PS_IT_DONE:
		v = json_object_get(o, "rc");
		it->text = dup_str(o, "error");
		if (!json_is_integer(v) || !it->text) {
			snprintf(err, errlen, _("done: 'rc' or 'error' missing"));
			return -1;
		}
		it->rc = (int)json_integer_value(v);
		if (it->rc != PS_EXEC_OK && it->rc != PS_EXEC_ERROR && it->rc != PS_EXEC_QUIT) {
			snprintf(err, errlen, _("done: rc %d is not 0, -1 or 1"), it->rc);
			return -1;
		}
		return 0;
	case PS_IT_SAY:
	case PS_IT_PAUSE:
		it->text = dup_str(o, "text");
		if (!it->text) {
			snprintf(err, errlen, _("%s: 'text' missing"), json_string_value(ty));
			return -1;
		}
		return 0;
	case PS_IT_OUTPUT: {
		json_t *f = json_object_get(o, "fields"), *p;

		it->text = dup_str(o, "text");
		v = json_object_get(o, "kind");
		if (!it->text || !json_is_string(v) ||
		    kind_of(json_string_value(v), &it->kind) < 0) {
			snprintf(err, errlen, _("output: 'text' or a known 'kind' missing"));
			return -1;
		}
		if (!json_is_array(f) || json_array_size(f) > PS_REC_MAX_FIELDS) {
			snprintf(err, errlen, _("output: 'fields' is not a list of at most %d"),
				 PS_REC_MAX_FIELDS);
			return -1;
		}
		it->fields = calloc(json_array_size(f) + 1, sizeof(*it->fields));
		if (!it->fields) {
			snprintf(err, errlen, _("out of memory"));
			return -1;
		}
		json_array_foreach(f, i, p)
		{
			json_t *k = json_array_get(p, 0), *val = json_array_get(p, 1);
			struct ps_field *fl = &it->fields[i];

			if (!json_is_array(p) || json_array_size(p) != 2 || !json_is_string(k)) {
				snprintf(err, errlen, _("output: fields[%zu] is not [key, value]"),
					 i);
				return -1;
			}
			fl->key = strdup(json_string_value(k));
			it->nfields = (int)i + 1;
			if (json_is_string(val)) {
				fl->type = PS_F_STR;
				fl->str = strdup(json_string_value(val));
			} else if (json_is_boolean(val)) {
				fl->type = PS_F_BOOL;
				fl->num = json_is_true(val);
			} else if (json_is_integer(val)) {
				fl->type = PS_F_INT;
				fl->num = json_integer_value(val);
			} else if (json_is_null(val)) {
				fl->type = PS_F_STR;
			} else {
				snprintf(err, errlen,
					 _("output: fields[%zu] has a value of no type"), i);
				return -1;
			}
		}
		v = json_object_get(o, "at");
		if (v && !json_is_integer(v)) {
			snprintf(err, errlen, _("output: 'at' is not ns since the start"));
			return -1;
		}
		it->has_at = v != NULL;
		it->at = v ? (int64_t)json_integer_value(v) : 0;
		return 0;
	}
	case PS_IT_END:
		return 0;
	}
	return 0;
}

static int add_item(struct ps_recording *r, struct ps_item *it)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? 2 * r->cap : 256;
		void *p = realloc(r->items, nc * sizeof(*r->items));

		if (!p)
			return -1;
		r->items = p;
		r->cap = nc;
	}
	r->items[r->n++] = *it;
	return 0;
}

static int header(json_t *h, struct ps_recording *r, char *err, size_t errlen)
{
	json_t *v = json_object_get(h, "type");

	if (!json_is_object(h) || !json_is_string(v) ||
	    strcmp(json_string_value(v), PS_RECORD_FORMAT) != 0) {
		snprintf(err, errlen,
			 _("not a pollscope recording (the first line is not its header)"));
		return -1;
	}
	v = json_object_get(h, "version");
	if (!json_is_integer(v)) {
		snprintf(err, errlen, _("the header has no format version"));
		return -1;
	}
	r->version = (int)json_integer_value(v);
	if (r->version != PS_RECORD_VERSION) {
		snprintf(err, errlen,
			 _("recording format version %d: this pollscope reads version %d only "
			   "(%s; record it again with this version)"),
			 r->version, PS_RECORD_VERSION,
			 r->version > PS_RECORD_VERSION ? "written by a newer pollscope"
							: "written by an older pollscope");
		return -1;
	}
	v = json_object_get(h, "tool");
	snprintf(r->tool, sizeof(r->tool), "%s", json_is_string(v) ? json_string_value(v) : "?");
	v = json_object_get(h, "clock_ns");
	r->clock_ns = json_is_integer(v) && json_integer_value(v) > 0
			      ? (uint64_t)json_integer_value(v)
			      : 0;
	v = json_object_get(h, "started");
	snprintf(r->started, sizeof(r->started), "%s",
		 json_is_string(v) ? json_string_value(v) : "?");
	return 0;
}

int ps_recording_parse(const char *buf, size_t len, const char *name, struct ps_recording *r,
		       char *err, size_t errlen)
{
	size_t pos = 0;
	int lineno = 0;
	uint64_t last_t = 0;
	char e[300];

	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", name);
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		json_error_t je;
		json_t *o;
		struct ps_item it;

		lineno++;
		if (!nl) {
			snprintf(err, errlen,
				 _("%s:%d: the last line is cut short (no newline): the recording "
				   "was truncated"),
				 name, lineno);
			goto fail;
		}
		o = json_loadb(buf + pos, l, JSON_REJECT_DUPLICATES, &je);
		pos += l + 1;
		if (!o) {
			snprintf(err, errlen, _("%s:%d: not JSON: %s"), name, lineno, je.text);
			goto fail;
		}
		if (lineno == 1) {
			int rc = header(o, r, e, sizeof(e));

			json_decref(o);
			if (rc < 0) {
				snprintf(err, errlen, "%s:1: %s", name, e);
				goto fail;
			}
			continue;
		}
		memset(&it, 0, sizeof(it));
		it.line = lineno;
		if (!json_is_object(o)) {
			json_decref(o);
			snprintf(err, errlen, _("%s:%d: not a JSON object"), name, lineno);
			goto fail;
		}
		if (r->complete) {
			json_decref(o);
			snprintf(err, errlen, _("%s:%d: a line after the end line"), name, lineno);
			goto fail;
		}
		if (parse_item(o, &it, e, sizeof(e)) < 0) {
			json_decref(o);
			item_free(&it);
			snprintf(err, errlen, "%s:%d: %s", name, lineno, e);
			goto fail;
		}
		json_decref(o);
		if (it.t < last_t) {
			item_free(&it);
			snprintf(err, errlen, _("%s:%d: time goes back (%llu ns after %llu ns)"),
				 name, lineno, (unsigned long long)it.t,
				 (unsigned long long)last_t);
			goto fail;
		}
		last_t = it.t;
		if (it.type == PS_IT_END)
			r->complete = true;
		if (add_item(r, &it) < 0) {
			item_free(&it);
			snprintf(err, errlen, _("%s:%d: out of memory"), name, lineno);
			goto fail;
		}
	}
	if (lineno == 0) {
		snprintf(err, errlen, _("%s: empty file: not a pollscope recording"), name);
		goto fail;
	}
	if (!r->complete) {
		snprintf(err, errlen,
			 _("%s:%d: the recording stops without its end line (cut short: the "
			   "recording pollscope was killed, or the file truncated)"),
			 name, lineno + 1);
		goto fail;
	}
	return 0;
fail:
	ps_recording_free(r);
	return -1;
}

/* The whole file, gunzipped when it is gzip (zlib reads plain files as
 * they are): the shipped recordings are compressed, --record's are not. */
static char *read_maybe_gzip(const char *path, size_t *len, char *err, size_t errlen)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	int r, zerr;

	if (!gz || !buf) {
		snprintf(err, errlen, _("cannot read %s: %s"), path,
			 gz ? "out of memory" : strerror(errno ? errno : ENOMEM));
		if (gz)
			gzclose(gz);
		free(buf);
		return NULL;
	}
	for (;;) {
		if (n + 1 >= cap) {
			char *p = cap < (1u << 30) ? realloc(buf, cap * 2) : NULL;

			if (!p) {
				snprintf(err, errlen, _("%s: too large (over %zu bytes unpacked)"),
					 path, cap);
				goto fail;
			}
			buf = p;
			cap *= 2;
		}
		r = gzread(gz, buf + n, (unsigned)(cap - 1 - n));
		if (r < 0) {
			const char *m = gzerror(gz, &zerr);

			snprintf(err, errlen, "%s: %s", path,
				 zerr == Z_ERRNO ? strerror(errno) : m);
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	gzclose(gz);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	gzclose(gz);
	free(buf);
	return NULL;
}

int ps_recording_load(const char *path, struct ps_recording *r, char *err, size_t errlen)
{
	size_t len;
	char *buf = read_maybe_gzip(path, &len, err, errlen);
	int rc;

	if (!buf)
		return -1;
	rc = ps_recording_parse(buf, len, path, r, err, errlen);
	free(buf);
	return rc;
}
