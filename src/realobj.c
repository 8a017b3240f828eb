/*
 * The objects pollscope holds: eventfd, pipe, timerfd, socketpair (their
 * types are in obj_*.c). Their descriptors are blocking (a waiter's blocking
 * read shares them and must sleep like any reader); pollscope itself never
 * blocks on them: the types read and write with per-call non-blocking means.
 * Their wait queues are seen through the module's inspect file.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "parse.h"
#include "realobj.h"

struct ps_obj *ps_real_find(struct ps_reals *rs, const char *name)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].name, name) == 0)
			return &rs->v[i];
	return NULL;
}

int ps_real_create(struct ps_reals *rs, const char *name, const struct ps_objtype_ops *ops,
		   char *err, size_t errlen)
{
	struct ps_obj r;

	if (rs->n >= PS_MAX_REAL_OBJECTS) {
		snprintf(err, errlen, _("too many real objects (at most %d): destroy some first"),
			 PS_MAX_REAL_OBJECTS);
		return -1;
	}
	if (!ops->held || !ops->create) {
		snprintf(err, errlen, _("not a real object type"));
		return -1;
	}
	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.ops = ops;
	r.fd[0] = r.fd[1] = -1;
	if (ops->create(r.fd) < 0 || r.fd[0] < 0) {
		snprintf(err, errlen, "%s: %s", ops->name, strerror(errno));
		return -1;
	}
	if (rs->n == rs->cap) {
		size_t nc = rs->cap ? 2 * rs->cap : 8;
		void *p = realloc(rs->v, nc * sizeof(*rs->v));
		if (!p) {
			close(r.fd[0]);
			if (r.fd[1] >= 0)
				close(r.fd[1]);
			snprintf(err, errlen, _("out of memory"));
			return -1;
		}
		rs->v = p;
		rs->cap = nc;
	}
	rs->v[rs->n++] = r;
	return 0;
}

void ps_real_destroy(struct ps_reals *rs, struct ps_obj *r)
{
	size_t i = (size_t)(r - rs->v);

	for (int k = 0; k < 2; k++)
		if (r->fd[k] >= 0)
			close(r->fd[k]);
	memmove(&rs->v[i], &rs->v[i + 1], (rs->n - i - 1) * sizeof(*rs->v));
	rs->n--;
}

void ps_real_close_all(struct ps_reals *rs)
{
	while (rs->n > 0)
		ps_real_destroy(rs, &rs->v[rs->n - 1]);
	free(rs->v);
	rs->v = NULL;
	rs->cap = 0;
}

void ps_real_object(const struct ps_obj *r, struct ps_object *o)
{
	uint32_t ready = 0;
	unsigned long count = 0;

	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", r->name);
	snprintf(o->type, sizeof(o->type), "%s", r->ops->name);
	o->ours = true;
	for (int k = 0; k < r->ops->nends; k++) {
		struct pollfd p = { r->fd[k], (short)0xffff & ~POLLNVAL, 0 };
		if (poll(&p, 1, 0) == 1)
			ready |= (uint16_t)p.revents;
		o->open++;
	}
	o->ready_mask = ready;
	ps_mask_format(ready, o->ready, sizeof(o->ready));
	if (r->ops->count && r->ops->count(r, &count) == 0)
		o->count = count;
}

/* Which head is which: each end is polled on its own. */
static void end_label(const struct ps_objtype_ops *t, int end, int idx, int nheads, char *buf,
		      size_t len)
{
	const char *what = end < 2 && t->end_label[end] ? t->end_label[end] : "wait queue";

	if (nheads > 1)
		snprintf(buf, len, "%s #%d", what, idx);
	else
		snprintf(buf, len, "%s", what);
}

int ps_real_inspect(struct ps_debugfs *d, const struct ps_obj *r, struct ps_head **heads,
		    size_t *nheads, struct ps_entry **entries, size_t *nentries, char *err,
		    size_t errlen)
{
	int base = 0;

	for (int k = 0; k < r->ops->nends; k++) {
		struct ps_fd_inspect fi;
		void *p;

		if (ps_dfs_inspect(d, r->fd[k], 0, &fi, err, errlen) < 0)
			return -1;
		p = realloc(*heads, (*nheads + (size_t)fi.nheads + 1) * sizeof(**heads));
		if (!p)
			goto oom;
		*heads = p;
		for (int h = 0; h < fi.nheads; h++) {
			struct ps_head *hd = &(*heads)[(*nheads)++];
			memset(hd, 0, sizeof(*hd));
			snprintf(hd->object, sizeof(hd->object), "%s", r->name);
			hd->fd = r->fd[k];
			hd->index = base + h;
			hd->entries = fi.head_entries[h];
			hd->truncated = fi.head_truncated[h];
			hd->truncated_more = fi.head_truncated_more[h];
			end_label(r->ops, k, h, fi.nheads, hd->label, sizeof(hd->label));
		}
		p = realloc(*entries, (*nentries + fi.nentries + 1) * sizeof(**entries));
		if (!p)
			goto oom;
		*entries = p;
		for (size_t i = 0; i < fi.nentries; i++) {
			struct ps_entry *e = &(*entries)[(*nentries)++];
			*e = fi.entries[i];
			snprintf(e->object, sizeof(e->object), "%s", r->name);
			e->head = base + (fi.entries[i].head >= 0 ? fi.entries[i].head : 0);
		}
		base += fi.nheads;
		ps_fd_inspect_free(&fi);
		continue;
	oom:
		ps_fd_inspect_free(&fi);
		snprintf(err, errlen, _("out of memory"));
		return -1;
	}
	return 0;
}
