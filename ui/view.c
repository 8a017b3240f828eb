#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "view.h"

uint64_t view_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		perror("pollscope: out of memory");
		abort();
	}
	return q;
}

void view_init(struct view *v)
{
	memset(v, 0, sizeof(*v));
	v->tl = xrealloc(NULL, VIEW_TIMELINE_MAX * sizeof(*v->tl));
	v->tl_groups = xrealloc(NULL, VIEW_TIMELINE_MAX * sizeof(*v->tl_groups));
	v->tl_start_ns = view_clock_ns();
}

void view_free(struct view *v)
{
	free(v->rows);
	free(v->marks);
	free(v->ghosts);
	free(v->objmarks);
	free(v->wstates);
	free(v->tl);
	free(v->tl_groups);
	memset(v, 0, sizeof(*v));
}

void view_entry_key(const struct ps_entry *e, char *buf, size_t len)
{
	/* The position is left out on purpose: an entry that moves up when one
	 * before it leaves is the same entry. */
	snprintf(buf, len, "%s|%d|%s|%d|%s|%s", e->object, e->head, e->func, (int)e->pid, e->flags,
		 e->key);
}

static int mark_cmp(const void *a, const void *b)
{
	return strcmp(((const struct view_mark *)a)->key, ((const struct view_mark *)b)->key);
}

static struct view_mark *mark_find(struct view_mark *m, size_t n, const char *key)
{
	struct view_mark k;

	if (n == 0) /* m may be NULL: bsearch must not see it */
		return NULL;
	snprintf(k.key, sizeof(k.key), "%s", key);
	return bsearch(&k, m, n, sizeof(*m), mark_cmp);
}

static void add_row(struct view *v, enum row_type t, int index, uint64_t until)
{
	if (v->nrows == v->rows_cap) {
		v->rows_cap = v->rows_cap ? 2 * v->rows_cap : 256;
		v->rows = xrealloc(v->rows, v->rows_cap * sizeof(*v->rows));
	}
	v->rows[v->nrows++] = (struct view_row){ .type = t, .index = index, .hl_until = until };
}

struct name_index {
	const char *name;
	size_t index;
};

static int name_index_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_index *)a)->name, ((const struct name_index *)b)->name);
}

/* Object index of every entry (or nobjects if its object is not listed),
 * so rows are built in one pass whatever the order of the two lists. */
static size_t *entry_objects(const struct view *v)
{
	struct name_index *idx = xrealloc(NULL, v->nobjects * sizeof(*idx));
	size_t *owner = xrealloc(NULL, v->nentries * sizeof(*owner));

	for (size_t o = 0; o < v->nobjects; o++)
		idx[o] = (struct name_index){ v->objects[o].name, o };
	qsort(idx, v->nobjects, sizeof(*idx), name_index_cmp);
	for (size_t e = 0; e < v->nentries; e++) {
		struct name_index k = { v->entries[e].object, 0 }, *hit;

		hit = bsearch(&k, idx, v->nobjects, sizeof(*idx), name_index_cmp);
		owner[e] = hit ? hit->index : v->nobjects;
	}
	free(idx);
	return owner;
}

/* Names in natural order: o2 before o10. */
int view_natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea = a, *eb = b;
			size_t la, lb;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (ea = a; isdigit((unsigned char)*ea); ea++)
				;
			for (eb = b; isdigit((unsigned char)*eb); eb++)
				;
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			if (la != lb)
				return la < lb ? -1 : 1;
			for (; a < ea; a++, b++)
				if (*a != *b)
					return *a < *b ? -1 : 1;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static const struct ps_object *sort_objects;

static int object_order_cmp(const void *a, const void *b)
{
	int r = view_natural_cmp(sort_objects[*(const size_t *)a].name,
				 sort_objects[*(const size_t *)b].name);

	/* same up to leading zeros: a total order all the same */
	return r ? r
		 : strcmp(sort_objects[*(const size_t *)a].name,
			  sort_objects[*(const size_t *)b].name);
}

static void rebuild_rows(struct view *v, uint64_t now)
{
	size_t *owner = entry_objects(v);
	size_t *start = xrealloc(NULL, (v->nobjects + 2) * sizeof(*start));
	size_t *order = xrealloc(NULL, v->nentries * sizeof(*order));
	size_t *objorder;

	/* counting sort of entries by object, keeping queue order */
	memset(start, 0, (v->nobjects + 2) * sizeof(*start));
	for (size_t e = 0; e < v->nentries; e++)
		start[owner[e] + 1]++;
	for (size_t o = 1; o <= v->nobjects + 1; o++)
		start[o] += start[o - 1];
	for (size_t e = 0; e < v->nentries; e++)
		order[start[owner[e]]++] = e;
	/* start[o] now points past object o's entries: shift back */
	for (size_t o = v->nobjects + 1; o > 0; o--)
		start[o] = start[o - 1];
	start[0] = 0;

	/* objects in natural order; entries keep their queue order */
	objorder = xrealloc(NULL, (v->nobjects + 1) * sizeof(*objorder));
	for (size_t o = 0; o < v->nobjects; o++)
		objorder[o] = o;
	sort_objects = v->objects;
	qsort(objorder, v->nobjects, sizeof(*objorder), object_order_cmp);

	v->nrows = 0;
	for (size_t k = 0; k < v->nobjects; k++) {
		size_t o = objorder[k];
		const char *name = v->objects[o].name;

		add_row(v, ROW_OBJECT, (int)o, view_object_highlight(v, name));
		for (size_t i = start[o]; i < start[o + 1]; i++) {
			const struct ps_entry *en = &v->entries[order[i]];
			char key[192];
			struct view_mark *m;

			view_entry_key(en, key, sizeof(key));
			m = mark_find(v->marks, v->nmarks, key);
			add_row(v, ROW_ENTRY, (int)order[i], m && m->until > now ? m->until : 0);
		}
		for (size_t g = 0; g < v->nghosts; g++)
			if (strcmp(v->ghosts[g].e.object, name) == 0)
				add_row(v, ROW_GHOST, (int)g, v->ghosts[g].until);
	}
	free(owner);
	free(start);
	free(order);
	free(objorder);
}

static bool object_listed(const struct ps_object *objs, size_t n, const char *name)
{
	for (size_t o = 0; o < n; o++)
		if (strcmp(objs[o].name, name) == 0)
			return true;
	return false;
}

void view_update_queues(struct view *v, const struct ps_object *objs, size_t nobjs,
			const struct ps_entry *entries, size_t n, uint64_t now)
{
	struct view_mark *marks = xrealloc(NULL, n * sizeof(*marks));
	struct view_mark *objmarks = xrealloc(NULL, nobjs * sizeof(*objmarks));

	/* Entries: keep the time each one appeared; new ones light up. */
	for (size_t i = 0; i < n; i++) {
		struct view_mark *old;

		view_entry_key(&entries[i], marks[i].key, sizeof(marks[i].key));
		marks[i].e = entries[i];
		old = mark_find(v->marks, v->nmarks, marks[i].key);
		if (old)
			marks[i].until = old->until;
		else
			marks[i].until = v->have_snapshot ? now + VIEW_HIGHLIGHT_MS : 0;
	}
	qsort(marks, n, sizeof(*marks), mark_cmp);

	/* Entries that left become ghosts for a moment, if their object remains
	 * (a destroyed object takes its rows with it). */
	for (size_t i = 0; i < v->nmarks; i++) {
		if (mark_find(marks, n, v->marks[i].key))
			continue;
		if (!object_listed(objs, nobjs, v->marks[i].e.object))
			continue;
		v->ghosts = xrealloc(v->ghosts, (v->nghosts + 1) * sizeof(*v->ghosts));
		v->ghosts[v->nghosts].e = v->marks[i].e;
		v->ghosts[v->nghosts].until = now + VIEW_HIGHLIGHT_MS;
		v->nghosts++;
	}
	/* An entry that came back is no longer a ghost. */
	for (size_t g = 0; g < v->nghosts;) {
		char key[192];

		view_entry_key(&v->ghosts[g].e, key, sizeof(key));
		if (mark_find(marks, n, key))
			v->ghosts[g] = v->ghosts[--v->nghosts];
		else
			g++;
	}

	for (size_t o = 0; o < nobjs; o++) {
		struct view_mark *old = mark_find(v->objmarks, v->nobjmarks, objs[o].name);

		snprintf(objmarks[o].key, sizeof(objmarks[o].key), "%s", objs[o].name);
		objmarks[o].until =
			old ? old->until : (v->have_snapshot ? now + VIEW_HIGHLIGHT_MS : 0);
	}
	qsort(objmarks, nobjs, sizeof(*objmarks), mark_cmp);

	free(v->marks);
	v->marks = marks;
	v->nmarks = n;
	free(v->objmarks);
	v->objmarks = objmarks;
	v->nobjmarks = nobjs;
	v->objects = objs;
	v->nobjects = nobjs;
	v->entries = entries;
	v->nentries = n;
	v->have_snapshot = true;
	rebuild_rows(v, now);
}

uint64_t view_object_highlight(const struct view *v, const char *name)
{
	struct view_mark *m = mark_find(v->objmarks, v->nobjmarks, name);

	return m ? m->until : 0;
}

static struct view_wstate *wstate_find(const struct view *v, int id)
{
	for (size_t i = 0; i < v->nwstates; i++)
		if (v->wstates[i].id == id)
			return &v->wstates[i];
	return NULL;
}

void view_update_waiters(struct view *v, struct ps_waiter *const *w, size_t n, uint64_t now)
{
	for (size_t i = 0; i < n; i++) {
		struct view_wstate *st = wstate_find(v, w[i]->id);

		if (!st) {
			v->wstates = xrealloc(v->wstates, (v->nwstates + 1) * sizeof(*v->wstates));
			st = &v->wstates[v->nwstates++];
			st->id = w[i]->id;
			st->until = now + VIEW_HIGHLIGHT_MS;
		} else if (st->state != w[i]->state || st->calls != w[i]->calls ||
			   st->alive != w[i]->alive) {
			st->until = now + VIEW_HIGHLIGHT_MS;
		}
		st->state = w[i]->state;
		st->calls = w[i]->calls;
		st->alive = w[i]->alive;
	}
}

uint64_t view_waiter_highlight(const struct view *v, int id)
{
	struct view_wstate *st = wstate_find(v, id);

	return st ? st->until : 0;
}

bool view_expire(struct view *v, uint64_t now)
{
	bool changed = false;

	for (size_t g = 0; g < v->nghosts;) {
		if (v->ghosts[g].until <= now) {
			v->ghosts[g] = v->ghosts[--v->nghosts];
			changed = true;
		} else {
			g++;
		}
	}
	if (changed)
		rebuild_rows(v, now);
	return changed;
}

static void consider(uint64_t until, uint64_t now, uint64_t *best)
{
	if (until > now && (*best == 0 || until < *best))
		*best = until;
}

uint64_t view_next_deadline(const struct view *v, uint64_t now)
{
	uint64_t best = 0;

	for (size_t i = 0; i < v->nmarks; i++)
		consider(v->marks[i].until, now, &best);
	for (size_t i = 0; i < v->nghosts; i++)
		consider(v->ghosts[i].until, now, &best);
	for (size_t i = 0; i < v->nobjmarks; i++)
		consider(v->objmarks[i].until, now, &best);
	for (size_t i = 0; i < v->nwstates; i++)
		consider(v->wstates[i].until, now, &best);
	return best;
}

/* --replay: the timeline's clock is the recording's (CLOCK_MONOTONIC of the
 * recorded run at the step shown), so that its times are the recorded ones,
 * not when the replay drew them. 0: the real clock. */
static uint64_t clock_fixed;

void view_clock_fix(uint64_t ns)
{
	clock_fixed = ns;
}

uint64_t view_clock_ns(void)
{
	struct timespec ts;

	if (clock_fixed)
		return clock_fixed;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct tl_line *tl_at(struct view *v, size_t i)
{
	return &v->tl[(v->tl_head + i) % VIEW_TIMELINE_MAX];
}

/* A number that varies between repeats: not part of a name (o1 and o2 are
 * different objects), except the default waiter labels w1, w2, ... */
static bool tl_number(const char *text, const char *p)
{
	if (p == text || !isalpha((unsigned char)p[-1]))
		return true;
	return p[-1] == 'w' && (p - 1 == text || !isalnum((unsigned char)p[-2]));
}

/* FNV-1a of the kind and the text with each varying number as one '#':
 * "s.12 (pid 130) returned 1 after 2.5 ms" and "s.7 (pid 125) returned 1
 * after 3.0 ms" are the same line. */
static uint32_t tl_key(enum tl_kind kind, const char *text)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;

	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (isdigit(c) && tl_number(text, p)) {
			while (isdigit((unsigned char)p[1]))
				p++;
			c = '#';
		} else if (isdigit(c)) {
			/* a name's digits stay, all of them */
			for (; isdigit((unsigned char)p[1]); p++)
				h = (h ^ (unsigned char)*p) * 16777619u;
			c = (unsigned char)*p;
		}
		h = (h ^ c) * 16777619u;
	}
	return h;
}

static struct tl_group *tl_group_of(struct view *v, uint64_t gid)
{
	return &v->tl_groups[gid % VIEW_TIMELINE_MAX];
}

static void tl_group_add(struct tl_group *g, pid_t pid)
{
	g->count++;
	if (pid && (!g->pid_lo || pid < g->pid_lo))
		g->pid_lo = pid;
	if (pid > g->pid_hi)
		g->pid_hi = pid;
}

/* The oldest line is about to go: if it heads a group, the next member
 * becomes the head, with the count and pid range of those left. */
static void tl_evict_oldest(struct view *v)
{
	struct tl_line *old = tl_at(v, 0), *nh = NULL;
	struct tl_group *g = tl_group_of(v, old->id);

	if (old->gid == old->id && g->count > 1) {
		for (size_t i = 1; i < v->tl_count; i++) {
			struct tl_line *l = tl_at(v, i);

			if (l->gid != old->id)
				continue;
			if (!nh) {
				nh = l;
				*tl_group_of(v, nh->id) = (struct tl_group){ .gid = nh->id };
			}
			l->gid = nh->id;
			tl_group_add(tl_group_of(v, nh->id), l->pid);
		}
	}
	v->tl_head = (v->tl_head + 1) % VIEW_TIMELINE_MAX;
	v->tl_count--;
}

static void tl_vadd(struct view *v, enum tl_kind kind, uint64_t at_ns, pid_t pid, const char *fmt,
		    va_list ap)
{
	struct tl_line *l;
	struct tl_group *g = NULL;
	size_t i;

	if (v->tl_count == VIEW_TIMELINE_MAX)
		tl_evict_oldest(v);
	l = tl_at(v, v->tl_count);
	memset(l, 0, offsetof(struct tl_line, text));
	l->kind = kind;
	l->at_ns = at_ns ? at_ns : view_clock_ns();
	l->id = ++v->tl_next_id;
	l->pid = pid;
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	l->key = tl_key(kind, l->text);
	/* a repeat of a recent line (a head or a member) joins its group */
	for (i = v->tl_count; i-- > 0 && v->tl_count - i <= VIEW_GROUP_WINDOW;) {
		struct tl_line *m = tl_at(v, i);

		if (m->key == l->key && m->kind == kind) {
			l->gid = m->gid;
			g = tl_group_of(v, m->gid);
			break;
		}
	}
	if (!g) {
		l->gid = l->id;
		g = tl_group_of(v, l->id);
		*g = (struct tl_group){ .gid = l->id };
	}
	tl_group_add(g, pid);
	v->tl_count++;
	/* time order: move it up past lines that happened after it */
	for (i = v->tl_count - 1; i > 0; i--) {
		struct tl_line *a = tl_at(v, i - 1), *b = tl_at(v, i), tmp;

		if (a->at_ns <= b->at_ns)
			break;
		tmp = *a;
		*a = *b;
		*b = tmp;
	}
}

const struct tl_group *view_timeline_group(const struct view *v, const struct tl_line *l)
{
	return &v->tl_groups[l->gid % VIEW_TIMELINE_MAX];
}

void view_timeline_add(struct view *v, enum tl_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tl_vadd(v, kind, 0, 0, fmt, ap);
	va_end(ap);
}

void view_timeline_add_at(struct view *v, enum tl_kind kind, uint64_t at_ns, pid_t pid,
			  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tl_vadd(v, kind, at_ns, pid, fmt, ap);
	va_end(ap);
}

const struct tl_line *view_timeline_get(const struct view *v, size_t i)
{
	if (i >= v->tl_count)
		return NULL;
	return &v->tl[(v->tl_head + i) % VIEW_TIMELINE_MAX];
}

enum tl_kind view_event_kind(const struct ps_event *ev)
{
	if (strcmp(ev->type, "wake") == 0 || strcmp(ev->type, "ready") == 0 ||
	    (strcmp(ev->type, "watch") == 0 && strncmp(ev->detail, "op=wake ", 8) == 0))
		return TL_WAKE; /* a watched queue's wake, like the module's own */
	if (strcmp(ev->type, "lost") == 0)
		return TL_ERROR;
	return TL_EVENT;
}

void view_format_event(const struct ps_event *ev, char *buf, size_t len)
{
	if (strcmp(ev->type, "lost") == 0) {
		snprintf(buf, len, "lost  %s", ev->detail);
		return;
	}
	snprintf(buf, len, "%-7s %-10s %s  by %s[%d]", ev->type, ev->object[0] ? ev->object : "-",
		 ev->detail, ev->comm, (int)ev->pid);
}

const char *view_short_func(const char *func)
{
	static const struct {
		const char *name, *abbrev;
	} map[] = {
		{ "autoremove_wake_function", "autoremove_wake" },
		{ "ep_autoremove_wake_function", "ep_autoremove" },
		{ "default_wake_function", "default_wake" },
		{ "woken_wake_function", "woken_wake" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(func, map[i].name) == 0)
			return map[i].abbrev;
	return func;
}
