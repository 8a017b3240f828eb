/* waits: the module's scan of every process, parsed and grouped by head. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debugfs.h"
#include "inspect.h"
#include "parse.h"
#include "i18n.h"
#include "waits.h"

void ps_waitmap_free(struct ps_waitmap *m)
{
	free(m->tasks);
	free(m->fds);
	free(m->heads);
	free(m->entries);
	free(m->epwq);
	memset(m, 0, sizeof(*m));
}

/* One more element at the end of *arr (zeroed); NULL when out of memory. */
static void *grow(void **arr, size_t *n, size_t *cap, size_t size)
{
	char *p;

	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		void *q = realloc(*arr, nc * size);

		if (!q)
			return NULL;
		*arr = q;
		*cap = nc;
	}
	p = (char *)*arr + (*n)++ * size;
	memset(p, 0, size);
	return p;
}

static long num(const struct ps_kv *kv, const char *key)
{
	const char *v = ps_kv_get(kv, key);

	return v ? strtol(v, NULL, 10) : 0;
}

static int accmode(const char *mode)
{
	if (!strcmp(mode, "rw"))
		return O_RDWR;
	if (!strcmp(mode, "r"))
		return O_RDONLY;
	if (!strcmp(mode, "w"))
		return O_WRONLY;
	return -1;
}

static int cmp_task(const void *a, const void *b)
{
	const struct ps_wtask *x = a, *y = b;

	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static int cmp_head_seq(const void *a, const void *b)
{
	const struct ps_whead *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool sorted(const void *arr, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	for (size_t i = 1; i < n; i++)
		if (cmp((const char *)arr + (i - 1) * size, (const char *)arr + i * size) > 0)
			return false;
	return true;
}

static int cmp_epq(const void *a, const void *b)
{
	const struct ps_wepq *x = a, *y = b;
	int r = strcmp(x->epoll, y->epoll);

	return r ? r : x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Each epoll instance's "wq" head, sorted by the instance: an
 * ep_poll_callback entry finds its sleepers by binary search, not by a pass
 * over every fd (an epoll-heavy system has an entry per registered fd). */
static int index_epoll_wqs(struct ps_waitmap *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nheads; i++)
		n += m->heads[i].owner >= 0 && !strcmp(m->heads[i].queue, "wq");
	if (!n)
		return 0;
	m->epwq = calloc(n, sizeof(*m->epwq));
	if (!m->epwq)
		return -1;
	for (size_t i = 0; i < m->nheads; i++) {
		const struct ps_whead *h = &m->heads[i];
		const struct ps_wfd *f = h->owner >= 0 ? &m->fds[h->owner] : NULL;

		if (!f || strcmp(h->queue, "wq") != 0 || !f->epoll[0])
			continue;
		ps_copy_or(m->epwq[m->nepwq].epoll, sizeof(m->epwq[0].epoll), f->epoll, "");
		m->epwq[m->nepwq++].seq = h->seq;
	}
	qsort(m->epwq, m->nepwq, sizeof(*m->epwq), cmp_epq);
	return 0;
}

int ps_waits_parse(const char *text, struct ps_waitmap *m, char *err, size_t errlen)
{
	size_t ct = 0, cf = 0, ch = 0, ce = 0, lineno = 0;
	struct ps_whead *cur = NULL;
	const char *p = text;

	memset(m, 0, sizeof(*m));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		struct ps_kv kv;
		const char *v;

		lineno++;
		if (len >= sizeof(line)) {
			snprintf(err, errlen, _("waits line %zu: too long"), lineno);
			goto bad;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		if (!len)
			continue;
		if (!strncmp(line, PS_K_SCAN " ", strlen(PS_K_SCAN) + 1)) {
			char *rest = line + strlen(PS_K_SCAN) + 1;

			if (ps_kv_split(rest, &kv) <= 0)
				goto malformed;
			m->have_scan = true;
			m->procs = num(&kv, PS_K_PROCS);
			m->threads = num(&kv, "threads");
			m->sleeping = num(&kv, "sleeping");
			m->files = num(&kv, "files");
			m->pollable = num(&kv, "pollable");
			m->gone = num(&kv, "gone");
			v = ps_kv_get(&kv, "ns");
			m->ns = v ? strtoull(v, NULL, 10) : 0;
			v = ps_kv_get(&kv, "lock_ns_max");
			m->lock_ns_max = v ? strtoull(v, NULL, 10) : 0;
			v = ps_kv_get(&kv, "complete");
			m->complete = v && !strcmp(v, "yes");
			continue;
		}
		if (!strncmp(line, PS_K_HEAD "=", strlen(PS_K_HEAD) + 1)) {
			struct ps_entry *e =
				grow((void **)&m->entries, &m->nentries, &ce, sizeof(*e));

			if (!e)
				goto oom;
			if (ps_parse_entry(line, e) < 0 || !cur || e->head != cur->seq)
				goto malformed;
			cur->n++;
			continue;
		}
		if (ps_kv_split(line, &kv) <= 0)
			goto malformed;
		if ((v = ps_kv_get(&kv, PS_K_TASK))) {
			struct ps_wtask *t = grow((void **)&m->tasks, &m->ntasks, &ct, sizeof(*t));

			if (!t)
				goto oom;
			t->tid = (pid_t)strtol(v, NULL, 10);
			t->pid = (pid_t)num(&kv, PS_K_PID);
			ps_copy_or(t->comm, sizeof(t->comm), ps_kv_get(&kv, PS_K_COMM), "");
			v = ps_kv_get(&kv, PS_K_STATE);
			t->state = v && *v ? v[0] : '?';
			v = ps_kv_get(&kv, PS_K_SLEPT_US);
			t->slept_us = v ? strtoull(v, NULL, 10) : 0;
		} else if ((v = ps_kv_get(&kv, PS_K_WQ))) {
			cur = grow((void **)&m->heads, &m->nheads, &ch, sizeof(*cur));
			if (!cur)
				goto oom;
			cur->seq = (int)strtol(v, NULL, 10);
			ps_copy_or(cur->id, sizeof(cur->id), ps_kv_get(&kv, PS_K_ID), "");
			ps_copy_or(cur->queue, sizeof(cur->queue), ps_kv_get(&kv, PS_K_QUEUE), "");
			cur->nent = (int)num(&kv, PS_K_ENTRIES);
			cur->first = m->nentries;
			cur->owner = m->nfds ? (int)m->nfds - 1 : -1;
			v = ps_kv_get(&kv, PS_K_TRUNCATED);
			if (v) {
				cur->truncated = strtol(v, NULL, 10);
				cur->truncated_more = strchr(v, '+') != NULL;
			}
		} else if ((v = ps_kv_get(&kv, PS_K_FD))) {
			struct ps_wfd *f = grow((void **)&m->fds, &m->nfds, &cf, sizeof(*f));
			const char *w;

			if (!f)
				goto oom;
			cur = NULL;
			f->fd = (int)strtol(v, NULL, 10);
			f->pid = (pid_t)num(&kv, PS_K_PID);
			ps_copy_or(f->obj, sizeof(f->obj), ps_kv_get(&kv, PS_K_OBJ), "");
			ps_copy_or(f->peer, sizeof(f->peer), ps_kv_get(&kv, PS_K_PEER), "");
			f->objn = strtoull(f->obj, NULL, 16);
			f->peern = strtoull(f->peer, NULL, 16);
			ps_copy_or(f->epoll, sizeof(f->epoll), ps_kv_get(&kv, PS_K_EPOLL), "");
			ps_copy_or(f->mode, sizeof(f->mode), ps_kv_get(&kv, PS_K_MODE), "");
			ps_copy_or(f->type, sizeof(f->type), ps_kv_get(&kv, PS_K_TYPE), "");
			ps_copy_or(f->reason, sizeof(f->reason), ps_kv_get(&kv, PS_K_REASON), "");
			ps_copy_or(f->file, sizeof(f->file), ps_kv_get(&kv, PS_K_FILE), "");
			ps_copy_or(f->kind, sizeof(f->kind), ps_fd_kind(f->file), "");
			if (!strcmp(f->kind, "file") && !strcmp(f->type, "fifo"))
				ps_copy_or(f->kind, sizeof(f->kind), "fifo", "");
			w = ps_kv_get(&kv, PS_K_WQS);
			while (w && *w && *w != '-' && f->nwqs < PS_W_MAXWQ) {
				char *end;

				f->wqs[f->nwqs++] = (int)strtol(w, &end, 10);
				w = *end == ',' ? end + 1 : end;
			}
		} else {
			goto malformed;
		}
	}
	/* heads are listed in seq order, tasks by process; make sure, for the
	 * binary searches (a pass when they are, no sort) */
	if (!sorted(m->heads, m->nheads, sizeof(*m->heads), cmp_head_seq))
		qsort(m->heads, m->nheads, sizeof(*m->heads), cmp_head_seq);
	if (!sorted(m->tasks, m->ntasks, sizeof(*m->tasks), cmp_task))
		qsort(m->tasks, m->ntasks, sizeof(*m->tasks), cmp_task);
	for (size_t i = 0; i < m->nheads; i++) {
		struct ps_whead *h = &m->heads[i];
		const struct ps_wfd *f = h->owner >= 0 ? &m->fds[h->owner] : NULL;
		int idx = 0;

		if (!f) {
			snprintf(h->label, sizeof(h->label), "wait queue head");
			continue;
		}
		for (int k = 0; k < f->nwqs; k++)
			if (f->wqs[k] == h->seq)
				idx = k;
		if (strstr(f->file, "/pollscope/objects/"))
			snprintf(h->label, sizeof(h->label), "pollscope object's queue (obj->wq)");
		else if (!strcmp(h->queue, "wq"))
			snprintf(h->label, sizeof(h->label),
				 "epoll ep->wq (threads in epoll_wait)");
		else
			ps_head_label(f->kind, accmode(f->mode), idx, f->nwqs, h->label,
				      sizeof(h->label));
	}
	if (!m->have_scan) {
		snprintf(err, errlen, "%s",
			 _("waits: the scan's summary line is missing (cut short)"));
		goto bad;
	}
	if (index_epoll_wqs(m) < 0)
		goto oom;
	return 0;
malformed:
	snprintf(err, errlen, _("waits line %zu: malformed: %.80s"), lineno, p);
	goto bad;
oom:
	snprintf(err, errlen, "%s", _("out of memory"));
bad:
	ps_waitmap_free(m);
	return -1;
}

const struct ps_whead *ps_waits_head(const struct ps_waitmap *m, int seq)
{
	size_t lo = 0, hi = m->nheads;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->heads[mid].seq == seq)
			return &m->heads[mid];
		if (m->heads[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct ps_wtask *ps_waits_task(const struct ps_waitmap *m, pid_t tid)
{
	size_t lo = 0, hi = m->ntasks;

	while (lo < hi) { /* sorted by tid in ps_waits_parse */
		size_t mid = (lo + hi) / 2;

		if (m->tasks[mid].tid == tid)
			return &m->tasks[mid];
		if (m->tasks[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct ps_whead *ps_waits_epoll_wq(const struct ps_waitmap *m, const char *epoll)
{
	size_t lo = 0, hi = m->nepwq;

	if (!epoll || !*epoll || !strcmp(epoll, "unknown"))
		return NULL;
	while (lo < hi) { /* the first of that instance: its lowest seq */
		size_t mid = (lo + hi) / 2;

		if (strcmp(m->epwq[mid].epoll, epoll) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->nepwq && !strcmp(m->epwq[lo].epoll, epoll))
		return ps_waits_head(m, m->epwq[lo].seq);
	return NULL;
}

int ps_waits_holds(const struct ps_waitmap *m, const struct ps_whead *h, const struct ps_wfd *f)
{
	const struct ps_wfd *o = h->owner >= 0 ? &m->fds[h->owner] : NULL;

	if (!o)
		return 0;
	if (!strcmp(f->obj, o->obj))
		return 1;
	if (o->peer[0] && !strcmp(f->obj, o->peer))
		return 2;
	return 0;
}

void ps_waits_comm(pid_t pid, char *buf, size_t len)
{
	char path[64], *t;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	t = ps_read_file(path, NULL);
	if (t)
		t[strcspn(t, "\n")] = '\0';
	snprintf(buf, len, "%s", t ? t : "?");
	free(t);
}

void ps_waits_call(pid_t tid, char *buf, size_t len)
{
	char path[64], *t;
	struct ps_syscall sc;
	const char *name;

	snprintf(buf, len, "-");
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)tid);
	t = ps_read_file(path, NULL);
	if (!t)
		return;
	if (ps_parse_syscall(t, &sc) < 0 || sc.running || !sc.in_syscall) {
		free(t);
		return;
	}
	free(t);
	name = ps_syscall_name(sc.nr);
	if (!name)
		snprintf(buf, len, "syscall %ld", sc.nr);
	else if (!strcmp(name, "poll") || !strcmp(name, "ppoll"))
		snprintf(buf, len, "%s(nfds=%llu)", name, sc.args[1]);
	else if (!strcmp(name, "select") || !strcmp(name, "pselect6"))
		snprintf(buf, len, "%s(nfds=%d)", name, (int)sc.args[0]);
	else if (!strncmp(name, "epoll_", 6))
		snprintf(buf, len, "%s(epfd=%d)", name, (int)sc.args[0]);
	else if (!strcmp(name, "read") || !strcmp(name, "readv") || !strcmp(name, "pread64") ||
		 !strncmp(name, "recv", 4) || !strncmp(name, "accept", 6) ||
		 !strcmp(name, "write") || !strcmp(name, "writev") || !strcmp(name, "pwrite64") ||
		 !strncmp(name, "send", 4) || !strcmp(name, "connect"))
		snprintf(buf, len, "%s(fd=%d)", name, (int)sc.args[0]);
	else
		snprintf(buf, len, "%s", name);
}
