/* The waits pane's rows, from the waits command's records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "waitspane.h"

void wp_free(struct waitspane *w)
{
	free(w->rows);
	free(w->next);
	memset(w, 0, sizeof(*w));
}

void wp_begin(struct waitspane *w)
{
	w->nnext = 0;
	memset(&w->nsum, 0, sizeof(w->nsum));
}

static struct wp_row *add(struct waitspane *w, enum wp_type type)
{
	struct wp_row *r;

	if (w->nnext == w->capnext) {
		size_t cap = w->capnext ? 2 * w->capnext : 64;
		struct wp_row *v = realloc(w->next, cap * sizeof(*v));

		if (!v)
			return NULL;
		w->next = v;
		w->capnext = cap;
	}
	r = &w->next[w->nnext++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->slept_ms = -1;
	return r;
}

static const char *str(const struct ps_rec *rec, const char *key)
{
	const struct ps_field *f = ps_rec_field(rec, key);

	return f && f->str ? f->str : "";
}

static long long num(const struct ps_rec *rec, const char *key)
{
	const struct ps_field *f = ps_rec_field(rec, key);

	return f ? f->num : 0;
}

/* The queue row the holders and sleepers below it belong to. */
static struct wp_row *last_queue(struct waitspane *w)
{
	for (size_t i = w->nnext; i-- > 0;)
		if (w->next[i].type == WP_QUEUE)
			return &w->next[i];
	return NULL;
}

static void add_holder(struct waitspane *w, const struct ps_rec *rec)
{
	struct wp_row *q = last_queue(w);
	char one[64];
	size_t len;

	if (!q)
		return;
	/* each process once: a pipe's two ends in one process are one holder */
	snprintf(one, sizeof(one), "%lld %s", num(rec, "pid"), str(rec, "comm"));
	for (const char *p = q->holders; (p = strstr(p, one)) != NULL; p++) {
		size_t l = strlen(one);

		if ((p == q->holders || p[-1] == ' ') && (p[l] == ',' || p[l] == '\0'))
			return;
	}
	len = strlen(q->holders);
	if (len + strlen(one) + 3 < sizeof(q->holders))
		snprintf(q->holders + len, sizeof(q->holders) - len, "%s%s", len ? ", " : "", one);
}

bool wp_record(struct waitspane *w, const struct ps_rec *rec)
{
	struct wp_row *r;

	switch (rec->kind) {
	case PS_REC_WAITQ:
		r = add(w, WP_QUEUE);
		if (r) {
			snprintf(r->file, sizeof(r->file), "%s", str(rec, "file"));
			snprintf(r->label, sizeof(r->label), "%s", str(rec, "label"));
			r->entries = (int)num(rec, "entries");
			r->nholders = (int)num(rec, "holders");
		}
		return true;
	case PS_REC_HOLDER:
		add_holder(w, rec);
		return true;
	case PS_REC_SLEEPER:
		r = add(w, WP_SLEEPER);
		if (r) {
			r->pid = (pid_t)num(rec, "pid");
			r->tgid = (pid_t)num(rec, "tgid");
			snprintf(r->comm, sizeof(r->comm), "%s", str(rec, "comm"));
			r->state = str(rec, "state")[0] ? str(rec, "state")[0] : '?';
			snprintf(r->call, sizeof(r->call), "%s", str(rec, "call"));
			snprintf(r->func, sizeof(r->func), "%s", str(rec, "func"));
			r->slept_ms = num(rec, "slept_ms");
			r->exclusive = num(rec, "exclusive") != 0;
			r->via_epoll = !strcmp(str(rec, "via"), "epoll");
			if (r->via_epoll)
				snprintf(r->label, sizeof(r->label), "%.8s", str(rec, "epoll"));
		}
		w->nsum.sleepers++;
		return true;
	case PS_REC_TEXT: {
		const char *t = rec->text ? rec->text + strspn(rec->text, " ") : "";

		/* the listing's blank lines and its "... and N more fds" (the
		 * queue row counts the holders) are not rows */
		if (!*t || !strncmp(t, "...", 3) || !last_queue(w))
			return true;
		/* "pos 0" says where the entry is: the row's place says it */
		if (!strncmp(t, "pos 0 ", 6))
			t += 6 + strspn(t + 6, " ");
		r = add(w, WP_NOTE);
		if (r)
			snprintf(r->label, sizeof(r->label), "%s", t);
		return true;
	}
	case PS_REC_MESSAGE:
		if (!ps_rec_field(rec, "shown"))
			return false; /* a note of the session, not the summary */
		w->nsum.queues = num(rec, "shown");
		w->nsum.processes = num(rec, "processes");
		w->nsum.scan_ms = num(rec, "scan_ms");
		w->nsum.complete = num(rec, "complete") != 0;
		return true;
	default:
		return false;
	}
}

void wp_end(struct waitspane *w, const char *err, uint64_t now_ms, uint64_t took_ms)
{
	w->at_ms = now_ms;
	w->took_ms = took_ms;
	if (err) {
		snprintf(w->err, sizeof(w->err), "%s", err);
		return;
	}
	w->err[0] = '\0';
	/* swap: the old rows' memory takes the next listing */
	{
		struct wp_row *v = w->rows;
		size_t cap = w->cap;

		w->rows = w->next;
		w->n = w->nnext;
		w->cap = w->capnext;
		w->next = v;
		w->capnext = cap;
		w->nnext = 0;
	}
	w->sum = w->nsum;
	w->have = true;
}
