/*
 * --export-trace: a recording as a Chrome/Perfetto trace (JSON trace event
 * format, jansson) or as a plain transcript.
 *
 * Tracks: process 1 "tasks" has one thread per task (the waiters, and
 * whoever caused an event: pollscope itself waking a queue); process 2
 * "wait queues" one thread per object. A waiter's sleep (asleep in its
 * call, from the recorded frames) is a slice B/E on its task; every module
 * event on an object is an instant on the queue's track, the queue's length
 * a counter. A wake that ended a sleep is a flow arrow (s/f, one id each)
 * from a short "wake" slice on the waker's track to the woken's sleep: the
 * last wake, during the sleep, of an object the sleeper had an entry on
 * (what pollscope can tell from snapshots; a wake that woke nobody it saw
 * sleep has no arrow).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "record.h"

#define PID_TASKS 1
#define PID_QUEUES 2

struct sleep {
	pid_t pid;
	uint64_t b, e; /* ns since the start */
	char what[160];
	char objs[PS_MAX_WAIT_OBJS][PS_NAME_MAX];
	int nobjs;
};

struct tracer {
	const struct ps_recording *r;
	json_t *ev;
	/* objects by first appearance: their tid on the queue process */
	char (*objs)[PS_NAME_MAX];
	size_t nobjs;
	pid_t *tasks;
	size_t ntasks;
	struct sleep *sl;
	size_t nsl;
	int flow_id;
};

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

/* An event's time on the recording's clock (0 if it is from before). */
static uint64_t ev_time(const struct tracer *t, const struct ps_event *ev)
{
	if (!t->r->clock_ns || ev->ns < t->r->clock_ns)
		return 0;
	return ev->ns - t->r->clock_ns;
}

static int obj_tid(struct tracer *t, const char *name)
{
	for (size_t i = 0; i < t->nobjs; i++)
		if (!strcmp(t->objs[i], name))
			return (int)i + 1;
	void *p = realloc(t->objs, (t->nobjs + 1) * sizeof(*t->objs));
	if (!p)
		return 0;
	t->objs = p;
	snprintf(t->objs[t->nobjs], sizeof(t->objs[0]), "%s", name);
	t->nobjs++;
	return (int)t->nobjs;
}

static const char *task_name(const struct tracer *t, pid_t pid, const char *comm, char *buf,
			     size_t len)
{
	/* a waiter's label, from any frame */
	for (size_t i = 0; i < t->r->n; i++) {
		const struct ps_item *it = &t->r->items[i];

		for (size_t k = 0; it->type == PS_IT_FRAME && k < it->nwaiters; k++) {
			if (it->waiters[k].pid == pid) {
				snprintf(buf, len, "%s %s (pid %d)", it->waiters[k].label,
					 it->waiters[k].call_name, (int)pid);
				return buf;
			}
		}
	}
	snprintf(buf, len, "%s (pid %d)", comm && comm[0] ? comm : "task", (int)pid);
	return buf;
}

static void add(struct tracer *t, json_t *o)
{
	json_array_append_new(t->ev, o);
}

static void task_seen(struct tracer *t, pid_t pid, const char *comm)
{
	char name[128];
	json_t *o;

	for (size_t i = 0; i < t->ntasks; i++)
		if (t->tasks[i] == pid)
			return;
	void *p = realloc(t->tasks, (t->ntasks + 1) * sizeof(*t->tasks));
	if (!p)
		return;
	t->tasks = p;
	t->tasks[t->ntasks++] = pid;
	o = json_pack("{s:s,s:s,s:i,s:i,s:{s:s}}", "ph", "M", "name", "thread_name", "pid",
		      PID_TASKS, "tid", (int)pid, "args", "name",
		      task_name(t, pid, comm, name, sizeof(name)));
	if (o)
		add(t, o);
}

/* The sleeps: from one frame where a waiter is asleep to the first where it
 * is not (or the end). */
static void collect_sleeps(struct tracer *t)
{
	struct open_sleep {
		int id;
		size_t idx;
	} *open = NULL;
	size_t nopen = 0;
	uint64_t end = t->r->n ? t->r->items[t->r->n - 1].t : 0;

	for (size_t i = 0; i < t->r->n; i++) {
		const struct ps_item *it = &t->r->items[i];

		if (it->type != PS_IT_FRAME)
			continue;
		/* end the sleeps whose waiter is no longer asleep */
		for (size_t k = 0; k < nopen;) {
			bool still = false;

			for (size_t w = 0; w < it->nwaiters; w++)
				if (it->waiters[w].id == open[k].id && it->waiters[w].asleep)
					still = true;
			if (!still) {
				t->sl[open[k].idx].e = it->t;
				open[k] = open[--nopen];
			} else {
				k++;
			}
		}
		for (size_t w = 0; w < it->nwaiters; w++) {
			const struct ps_waiter *wt = &it->waiters[w];
			bool is_open = false;

			if (!wt->asleep)
				continue;
			for (size_t k = 0; k < nopen; k++)
				if (open[k].id == wt->id)
					is_open = true;
			if (is_open)
				continue;
			void *p = realloc(t->sl, (t->nsl + 1) * sizeof(*t->sl));
			void *q = realloc(open, (nopen + 1) * sizeof(*open));
			if (q)
				open = q;
			if (!p || !q)
				continue;
			t->sl = p;
			struct sleep *s = &t->sl[t->nsl];
			memset(s, 0, sizeof(*s));
			s->pid = wt->pid;
			s->b = it->t;
			s->e = end;
			snprintf(s->what, sizeof(s->what), "asleep in %s (%s)", wt->call_name,
				 wt->objects);
			s->nobjs = wt->nobjs < PS_MAX_WAIT_OBJS ? wt->nobjs : PS_MAX_WAIT_OBJS;
			for (int k = 0; k < s->nobjs; k++)
				memcpy(s->objs[k], wt->objs[k], PS_NAME_MAX);
			open[nopen].id = wt->id;
			open[nopen++].idx = t->nsl++;
		}
	}
	free(open);
}

static bool sleeps_on(const struct sleep *s, const char *obj)
{
	for (int k = 0; k < s->nobjs; k++)
		if (!strcmp(s->objs[k], obj))
			return true;
	return false;
}

static long woken_count(const char *detail)
{
	const char *p = strstr(detail, "woken=");

	return p ? strtol(p + 6, NULL, 10) : 0;
}

int ps_export_trace(const struct ps_recording *r, FILE *out, char *err, size_t errlen)
{
	struct tracer t = { .r = r, .ev = json_array() };
	json_t *root;
	const struct ps_item **waker;
	size_t nwakes = 0;
	int rc = 0;

	if (!t.ev) {
		snprintf(err, errlen, _("out of memory"));
		return -1;
	}
	add(&t, json_pack("{s:s,s:s,s:i,s:{s:s}}", "ph", "M", "name", "process_name", "pid",
			  PID_TASKS, "args", "name", "tasks"));
	add(&t, json_pack("{s:s,s:s,s:i,s:{s:s}}", "ph", "M", "name", "process_name", "pid",
			  PID_QUEUES, "args", "name", "wait queues"));
	collect_sleeps(&t);
	waker = calloc(t.nsl + 1, sizeof(*waker));
	if (!waker) {
		snprintf(err, errlen, _("out of memory"));
		json_decref(t.ev);
		return -1;
	}
	/* the last wake that woke someone, during each sleep, on its objects */
	for (size_t i = 0; i < r->n; i++) {
		const struct ps_item *it = &r->items[i];
		uint64_t ts;

		if (it->type != PS_IT_EVENT || strcmp(it->ev.type, "wake") != 0 ||
		    woken_count(it->ev.detail) <= 0)
			continue;
		ts = ev_time(&t, &it->ev);
		for (size_t k = 0; k < t.nsl; k++)
			if (ts >= t.sl[k].b && ts <= t.sl[k].e &&
			    sleeps_on(&t.sl[k], it->ev.object))
				waker[k] = it;
	}
	for (size_t k = 0; k < t.nsl; k++) {
		task_seen(&t, t.sl[k].pid, NULL);
		add(&t, json_pack("{s:s,s:s,s:s,s:i,s:i,s:f}", "ph", "B", "name", t.sl[k].what,
				  "cat", "sleep", "pid", PID_TASKS, "tid", (int)t.sl[k].pid, "ts",
				  us(t.sl[k].b)));
		if (waker[k]) {
			const struct ps_event *ev = &waker[k]->ev;
			uint64_t ts = ev_time(&t, ev);
			/* the arrow ends inside the sleep it ended */
			uint64_t te = ts > t.sl[k].b ? ts : t.sl[k].b;
			int id = ++t.flow_id;

			task_seen(&t, ev->pid, ev->comm);
			add(&t, json_pack("{s:s,s:s,s:s,s:i,s:i,s:f,s:f,s:{s:s,s:s}}", "ph", "X",
					  "name", "wake", "cat", "wake", "pid", PID_TASKS, "tid",
					  (int)ev->pid, "ts", us(ts), "dur", 1.0, "args", "object",
					  ev->object, "detail", ev->detail));
			add(&t, json_pack("{s:s,s:s,s:s,s:i,s:i,s:i,s:f}", "ph", "s", "name",
					  "wakeup", "cat", "wake", "id", id, "pid", PID_TASKS,
					  "tid", (int)ev->pid, "ts", us(ts)));
			add(&t, json_pack("{s:s,s:s,s:s,s:i,s:i,s:i,s:f,s:s}", "ph", "f", "name",
					  "wakeup", "cat", "wake", "id", id, "pid", PID_TASKS,
					  "tid", (int)t.sl[k].pid, "ts", us(te), "bp", "e"));
			nwakes++;
		}
		add(&t, json_pack("{s:s,s:s,s:s,s:i,s:i,s:f}", "ph", "E", "name", t.sl[k].what,
				  "cat", "sleep", "pid", PID_TASKS, "tid", (int)t.sl[k].pid, "ts",
				  us(t.sl[k].e)));
	}
	/* the queues: every event on an object, and its length in each frame */
	for (size_t i = 0; i < r->n; i++) {
		const struct ps_item *it = &r->items[i];

		if (it->type == PS_IT_EVENT && it->ev.object[0]) {
			int tid = obj_tid(&t, it->ev.object);

			add(&t, json_pack("{s:s,s:s,s:s,s:i,s:i,s:f,s:s,s:{s:s,s:i,s:s}}", "ph",
					  "i", "name", it->ev.type, "cat", "event", "pid",
					  PID_QUEUES, "tid", tid, "ts", us(ev_time(&t, &it->ev)),
					  "s", "t", "args", "detail", it->ev.detail, "by",
					  (int)it->ev.pid, "comm", it->ev.comm));
		} else if (it->type == PS_IT_FRAME) {
			for (size_t k = 0; k < it->nobjects; k++) {
				int tid = obj_tid(&t, it->objects[k].name);
				char name[PS_NAME_MAX + 16];

				snprintf(name, sizeof(name), "queue %s", it->objects[k].name);
				add(&t,
				    json_pack("{s:s,s:s,s:i,s:i,s:f,s:{s:i}}", "ph", "C", "name",
					      name, "pid", PID_QUEUES, "tid", tid, "ts", us(it->t),
					      "args", "entries", it->objects[k].waiting));
			}
		}
	}
	for (size_t i = 0; i < t.nobjs; i++) {
		char name[PS_NAME_MAX + 16];

		snprintf(name, sizeof(name), "queue %s", t.objs[i]);
		add(&t, json_pack("{s:s,s:s,s:i,s:i,s:{s:s}}", "ph", "M", "name", "thread_name",
				  "pid", PID_QUEUES, "tid", (int)i + 1, "args", "name", name));
	}
	root = json_pack("{s:o,s:s,s:{s:s,s:i,s:s,s:i,s:i}}", "traceEvents", t.ev,
			 "displayTimeUnit", "ms", "otherData", "source", r->path, "version",
			 r->version, "recorded", r->started, "sleeps", (int)t.nsl, "wakeups",
			 (int)nwakes);
	if (!root || json_dumpf(root, out, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0 ||
	    fputc('\n', out) == EOF) {
		snprintf(err, errlen, _("cannot write the trace"));
		rc = -1;
	}
	json_decref(root);
	free(waker);
	free(t.objs);
	free(t.tasks);
	free(t.sl);
	return rc;
}

int ps_export_text(const struct ps_recording *r, FILE *out, char *err, size_t errlen)
{
	fprintf(out, "# pollscope recording %s (format %d, pollscope %s, %s)\n", r->path,
		r->version, r->tool, r->started);
	for (size_t i = 0; i < r->n; i++) {
		const struct ps_item *it = &r->items[i];
		double s = (double)it->t / 1e9;

		switch (it->type) {
		case PS_IT_ATTACH:
			fprintf(out, "%10.3f  attach   kernel %s, interface %d, module %s\n", s,
				it->release, it->interface, it->module);
			break;
		case PS_IT_FRAME:
			fprintf(out, "%10.3f  frame   ", s);
			for (size_t k = 0; k < it->nobjects; k++)
				fprintf(out, " %s(ready=%s waiting=%d)", it->objects[k].name,
					it->objects[k].ready, it->objects[k].waiting);
			for (size_t k = 0; k < it->nwaiters; k++) {
				const struct ps_waiter *w = &it->waiters[k];
				fprintf(out, " %s[%d]=%s%s", w->label, (int)w->pid,
					w->alive ? (char[2]){ w->state, 0 } : "X",
					w->asleep ? ",asleep" : "");
			}
			fprintf(out, "\n");
			break;
		case PS_IT_EVENT:
			fprintf(out, "%10.3f  event    %s\n", s, it->ev.line);
			break;
		case PS_IT_COMMAND:
			fprintf(out, "%10.3f  %s %s\n", s, it->typed ? "typed   " : "command ",
				it->text);
			break;
		case PS_IT_OUTPUT:
			fprintf(out, "%10.3f  output   %s\n", s, it->text);
			break;
		case PS_IT_DONE:
			fprintf(out, "%10.3f  done     %s%s\n", s,
				it->rc == PS_EXEC_ERROR ? "error: " : (it->rc ? "quit" : "ok"),
				it->rc == PS_EXEC_ERROR ? it->text : "");
			break;
		case PS_IT_SAY:
			fprintf(out, "%10.3f  say      %s\n", s, it->text);
			break;
		case PS_IT_PAUSE:
			fprintf(out, "%10.3f  pause    %s\n", s, it->text);
			break;
		case PS_IT_END:
			fprintf(out, "%10.3f  end\n", s);
			break;
		}
	}
	if (ferror(out)) {
		snprintf(err, errlen, _("write error"));
		return -1;
	}
	return 0;
}
