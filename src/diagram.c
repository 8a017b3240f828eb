/* diagram: one wait queue as the seeds draw it, as lines of text. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagram.h"
#include "parse.h"

#define KEY_EXCLUSIVE 0x10000000u /* EPOLLEXCLUSIVE in an ep_poll_callback key */
#define FOLD_MIN 3		  /* identical entries folded into one line */
#define EP_SLEEPERS_SHOWN 3

const char *ps_dg_mark_name(enum ps_dg_mark m)
{
	static const char *const n[] = {
		"", "unvisited", "filtered", "not-asleep", "woken", "stop"
	};

	return (unsigned)m < sizeof(n) / sizeof(n[0]) ? n[m] : "";
}

const char *ps_dg_part_name(enum ps_dg_part p)
{
	static const char *const n[] = { "head", "entry", "link", "sleeper", "wake" };

	return (unsigned)p < sizeof(n) / sizeof(n[0]) ? n[p] : "";
}

static bool asleep(const struct ps_entry *e)
{
	return e->state == 'S' || e->state == 'D';
}

static bool is(const struct ps_entry *e, const char *func)
{
	return !strcmp(e->func, func);
}

static bool ep_has_sleepers(const struct ps_entry *e)
{
	return e->sleepers[0] && strcmp(e->sleepers, "0") != 0;
}

/* What curr->func returns for this key (fs/select.c pollwake, fs/eventpoll.c
 * ep_poll_callback, kernel/sched/wait.c autoremove_wake_function ...), as a
 * mark: FILTERED and NOT_ASLEEP return 0, WOKEN returns 1. */
static enum ps_dg_mark entry_result(const struct ps_entry *e, uint32_t key)
{
	if (is(e, "pollwake")) {
		if (key && !(key & e->key_mask))
			return PS_DG_FILTERED;
		return asleep(e) ? PS_DG_WOKEN : PS_DG_NOT_ASLEEP;
	}
	if (is(e, "ep_poll_callback")) {
		uint32_t ev = e->key_mask, io = key & 0x5; /* EPOLLIN | EPOLLOUT */

		if (!strcmp(e->key, "disarmed") || !(ev & ~0xf0000000u))
			return PS_DG_FILTERED; /* a delivered oneshot: no events left */
		if (key && !(key & ev))
			return PS_DG_FILTERED;
		if (!(ev & KEY_EXCLUSIVE))
			return PS_DG_WOKEN; /* ready; returns 1 whether anyone waits or not */
		/* exclusive: 1 only if a thread waits and the key is in or out alone */
		if (ep_has_sleepers(e) &&
		    ((io == 0x1 && (ev & 0x1)) || (io == 0x4 && (ev & 0x4)) || io == 0))
			return PS_DG_WOKEN;
		return PS_DG_NOT_ASLEEP;
	}
	/* autoremove_wake_function, woken_wake_function, default_wake_function:
	 * no key test, try_to_wake_up's answer */
	return asleep(e) || !e->pid ? PS_DG_WOKEN : PS_DG_NOT_ASLEEP;
}

size_t ps_dg_walk(const struct ps_entry *e, size_t n, uint32_t key, int nr, enum ps_dg_mark *mark)
{
	size_t i, stop = n;

	for (i = 0; i < n; i++)
		mark[i] = PS_DG_UNVISITED;
	for (i = 0; i < n; i++) {
		mark[i] = entry_result(&e[i], key);
		if (mark[i] == PS_DG_WOKEN && e[i].exclusive && --nr == 0) {
			mark[i] = PS_DG_STOP;
			stop = i;
			break;
		}
	}
	return stop;
}

struct out {
	struct ps_dg_line *v;
	size_t n, cap;
	bool fail;
};

static struct ps_dg_line *add(struct out *o, enum ps_dg_part part, int pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct ps_dg_line *add(struct out *o, enum ps_dg_part part, int pos, const char *fmt, ...)
{
	struct ps_dg_line *l;
	va_list ap;

	if (o->n == o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 32;
		struct ps_dg_line *p = realloc(o->v, nc * sizeof(*p));

		if (!p) {
			o->fail = true;
			return NULL;
		}
		o->v = p;
		o->cap = nc;
	}
	l = &o->v[o->n++];
	memset(l, 0, sizeof(*l));
	l->part = part;
	l->pos = pos;
	l->run = 1;
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
	return l;
}

struct glyphs {
	const char *tl, *tr, *bl, *br, *h, *v, *tee, *corner, *arrow, *down, *branch;
	const char *m_woken, *m_stop, *m_filtered, *m_notasleep, *m_cur;
};

static const struct glyphs utf = { "┌", "┐", "└", "┘", "─", "│", "├", "└",
				   "▶", "┬", "╰", "✔", "■", "✗", "·", "▶" };
static const struct glyphs asc = { "+", "+", "+", "+", "-", "|", "+", "`",
				   ">", "+", "`", "+", "#", "x", ".", ">" };

static void hline(char *buf, size_t len, const char *g, int n)
{
	size_t used = strlen(buf);

	for (int i = 0; i < n && used + strlen(g) < len; i++) {
		memcpy(buf + used, g, strlen(g));
		used += strlen(g);
	}
	buf[used] = '\0';
}

/* Two columns before the tree: the step's cursor and the walk's mark. */
static void prefix(char *buf, size_t len, const struct glyphs *g, bool wake, bool cur,
		   enum ps_dg_mark m)
{
	const char *mk = " ";

	if (!wake) {
		buf[0] = '\0';
		return;
	}
	switch (m) {
	case PS_DG_WOKEN:
		mk = g->m_woken;
		break;
	case PS_DG_STOP:
		mk = g->m_stop;
		break;
	case PS_DG_FILTERED:
		mk = g->m_filtered;
		break;
	case PS_DG_NOT_ASLEEP:
		mk = g->m_notasleep;
		break;
	default:
		break;
	}
	snprintf(buf, len, "%s%s ", cur ? g->m_cur : " ", mk);
}

static const char *result_text(const struct ps_entry *e, enum ps_dg_mark m, char *buf, size_t len,
			       uint32_t key)
{
	char k[PS_MASK_TEXT];

	switch (m) {
	case PS_DG_WOKEN:
		if (is(e, "ep_poll_callback"))
			return ep_has_sleepers(e) ? "  -> ready, wakes epoll_wait"
						  : "  -> ready (nobody in epoll_wait)";
		return "  -> woken";
	case PS_DG_STOP:
		return "  -> woken, exclusive: nr used up, the walk stops";
	case PS_DG_FILTERED:
		if (!strcmp(e->key, "disarmed"))
			return "  -> 0: a delivered oneshot, disarmed";
		snprintf(buf, len, "  -> 0: key %s not in its mask",
			 ps_mask_format(key, k, sizeof(k)));
		return buf;
	case PS_DG_NOT_ASLEEP:
		if (is(e, "ep_poll_callback"))
			return "  -> ready, returns 0 (exclusive: nobody woken)";
		return "  -> 0: its task is not asleep";
	default:
		return "";
	}
}

/* Display columns of UTF-8 text (every glyph used here is one column). */
static int columns(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static bool same(const struct ps_entry *a, const struct ps_entry *b)
{
	return !strcmp(a->func, b->func) && a->pid == b->pid && !strcmp(a->key, b->key) &&
	       a->exclusive == b->exclusive && !strcmp(a->epoll, b->epoll) && a->tfd == b->tfd;
}

int ps_dg_layout(const struct ps_dg_head *h, ps_dg_epwq_fn epwq, void *ctx,
		 const struct ps_dg_opts *o, struct ps_dg_line **lines, size_t *nlines)
{
	const struct glyphs *g = o->ascii ? &asc : &utf;
	enum ps_dg_mark *mark = calloc(h->n ? h->n : 1, sizeof(*mark));
	struct out out = { 0 };
	char l1[160], l2[160], l3[160], top[600], pre[16], rbuf[96], k[PS_MASK_TEXT];
	size_t stop = h->n, visited = 0, woken = 0, nexcl = 0, i;
	int w, step = o->step;

	if (!mark)
		return -1;
	for (i = 0; i < h->n; i++)
		nexcl += h->entries[i].exclusive;
	if (o->wake) {
		stop = ps_dg_walk(h->entries, h->n, o->key, o->nr, mark);
		visited = stop < h->n ? stop + 1 : h->n;
		for (i = 0; i < visited; i++)
			woken += mark[i] == PS_DG_WOKEN || mark[i] == PS_DG_STOP;
		if (step > (int)visited)
			step = (int)visited;
	}

	/* the head: a box */
	snprintf(l1, sizeof(l1), "wait_queue_head%s%s", h->id[0] ? "  wq " : "", h->id);
	snprintf(l2, sizeof(l2), "%s%s%s", h->label, h->file[0] ? " of " : "", h->file);
	snprintf(l3, sizeof(l3),
		 "spinlock lock; list head: %zu entr%s (%zu exclusive, at the tail)", h->n,
		 h->n == 1 ? "y" : "ies", nexcl);
	w = (int)strlen(l1);
	if ((int)strlen(l2) > w)
		w = (int)strlen(l2);
	if ((int)strlen(l3) > w)
		w = (int)strlen(l3);
	if (w > 74) /* fits 80 columns with the border and the marks */
		w = 74;
	snprintf(top, sizeof(top), "%s", g->tl);
	hline(top, sizeof(top), g->h, w + 2);
	ps_appendf(top, sizeof(top), "%s", g->tr);
	add(&out, PS_DG_HEAD, -1, "%s%s", o->wake ? "   " : "", top);
	add(&out, PS_DG_HEAD, -1, "%s%s %-*.*s %s", o->wake ? "   " : "", g->v, w, w, l1, g->v);
	add(&out, PS_DG_HEAD, -1, "%s%s %-*.*s %s", o->wake ? "   " : "", g->v, w, w, l2, g->v);
	add(&out, PS_DG_HEAD, -1, "%s%s %-*.*s %s", o->wake ? "   " : "", g->v, w, w, l3, g->v);
	snprintf(top, sizeof(top), "%s%s", g->bl, h->n ? g->down : g->h);
	hline(top, sizeof(top), g->h, w + 1);
	ps_appendf(top, sizeof(top), "%s", g->br);
	add(&out, PS_DG_HEAD, -1, "%s%s", o->wake ? "   " : "", top);
	if (o->wake) {
		struct ps_dg_line *l;

		if (step > 0)
			l = add(&out, PS_DG_WAKE, -1,
				"wake key=%s nr=%d, step %d of %zu: at [%d]%s",
				o->key ? ps_mask_format(o->key, k, sizeof(k)) : "none", o->nr, step,
				visited, h->n ? h->entries[step - 1].pos : 0,
				step == (int)visited && stop < h->n ? " (the walk stops here)"
				: step == (int)visited		    ? " (the last entry)"
								    : "");
		else
			l = add(&out, PS_DG_WAKE, -1,
				"wake key=%s nr=%d: visits %zu of %zu entr%s, wakes %zu%s",
				o->key ? ps_mask_format(o->key, k, sizeof(k)) : "none", o->nr,
				visited, h->n, h->n == 1 ? "y" : "ies", woken,
				stop < h->n ? ", stops at an exclusive entry" : "");
		(void)l;
	}
	if (!h->n)
		add(&out, PS_DG_ENTRY, -1, "%s (empty: nobody waits here)", o->wake ? "   " : " ");

	for (i = 0; i < h->n;) {
		const struct ps_entry *e = &h->entries[i];
		bool last, cur = step > 0 && (int)i == step - 1;
		enum ps_dg_mark m = o->wake ? mark[i] : PS_DG_NONE;
		size_t run = 1;
		const char *vert, *res;
		char range[32], who[96];
		struct ps_dg_line *l;

		if (step > 0 && (int)i >= step)
			m = PS_DG_UNVISITED; /* not reached yet */
		/* fold identical neighbours (one poll() passing one fd many times) */
		while (step <= 0 && i + run < h->n && same(e, &h->entries[i + run]) &&
		       (!o->wake || mark[i + run] == mark[i]))
			run++;
		if (run < FOLD_MIN)
			run = 1;
		last = i + run >= h->n;
		vert = last ? " " : g->v;
		if (run > 1)
			snprintf(range, sizeof(range), "[%d-%d] %zux ", e->pos,
				 e->pos + (int)run - 1, run);
		else
			snprintf(range, sizeof(range), "[%d] ", e->pos);
		prefix(pre, sizeof(pre), g, o->wake, cur, m);
		res = o->wake && m != PS_DG_UNVISITED
			      ? result_text(e, m, rbuf, sizeof(rbuf), o->key)
			      : "";
		l = add(&out, PS_DG_ENTRY, e->pos, "%s %s%s%s%s%s%s%s", pre,
			last ? g->corner : g->tee, g->h, range, e->func,
			e->exclusive ? " EXCLUSIVE" : "", e->has_key ? "  key=" : "",
			e->has_key ? e->key : "");
		if (l) {
			l->mark = m;
			l->current = cur;
			l->run = (int)run;
			/* the walk's result on the line, or under it if that is too wide */
			if (res[0] && o->width > 0 &&
			    columns(l->text) + (int)strlen(res) > o->width) {
				struct ps_dg_line *r =
					add(&out, PS_DG_ENTRY, e->pos, "%s %s     %s",
					    o->wake ? "   " : "", last ? " " : g->v, res + 2);
				if (r) {
					r->mark = m;
					r->run = (int)run;
				}
			} else if (res[0]) {
				ps_appendf(l->text, sizeof(l->text), "%s", res);
			}
		}
		snprintf(who, sizeof(who), "%d %s (%c)", (int)e->pid, e->comm[0] ? e->comm : "?",
			 e->state);
		pre[0] = '\0';
		if (o->wake)
			snprintf(pre, sizeof(pre), "   ");
		if (is(e, "pollwake")) {
			add(&out, PS_DG_LINK, e->pos,
			    "%s %s     %s%s poll_table_entry %s poll_wqueues %s polling_task %s",
			    pre, vert, g->branch, g->arrow, g->arrow, g->arrow,
			    e->pid ? who : "(gone)");
		} else if (is(e, "ep_poll_callback")) {
			size_t ns = 0;
			const struct ps_entry *s = epwq ? epwq(ctx, e->epoll, &ns) : NULL;
			int shown = 0;

			add(&out, PS_DG_LINK, e->pos,
			    "%s %s     %s%s eppoll_entry %s epitem (fd %d) %s eventpoll %.8s", pre,
			    vert, g->branch, g->arrow, g->arrow, e->tfd, g->arrow,
			    e->epoll[0] ? e->epoll : "unknown");
			for (size_t j = 0; s && j < ns; j++) {
				if (s[j].pid <= 0)
					continue;
				if (shown == EP_SLEEPERS_SHOWN) {
					add(&out, PS_DG_SLEEPER, e->pos,
					    "%s %s          ... %zu more", pre, vert, ns - j);
					break;
				}
				add(&out, PS_DG_SLEEPER, e->pos,
				    "%s %s        %s ep->wq %s %d %s (%c) in epoll_wait%s", pre,
				    vert, shown ? " " : g->branch, g->arrow, (int)s[j].pid,
				    s[j].comm, s[j].state, s[j].exclusive ? ", exclusive" : "");
				shown++;
			}
			if (!shown)
				add(&out, PS_DG_SLEEPER, e->pos, "%s %s        %s ep->wq: %s", pre,
				    vert, g->branch,
				    s			 ? "nobody in epoll_wait"
				    : ep_has_sleepers(e) ? "sleepers not found (instance not seen)"
							 : "nobody in epoll_wait");
		} else {
			add(&out, PS_DG_LINK, e->pos, "%s %s     %s%s %s %s", pre, vert, g->branch,
			    g->arrow, e->pid ? "task" : "private", e->pid ? who : "(not a task)");
		}
		i += run;
	}
	free(mark);
	if (out.fail) {
		free(out.v);
		return -1;
	}
	*lines = out.v;
	*nlines = out.n;
	return 0;
}
