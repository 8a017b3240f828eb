/*
 * Real kernel objects held by the session: eventfd, pipe, timerfd,
 * socketpair. Their descriptors are blocking (a waiter's blocking read
 * shares them and must sleep like any reader); pollscope itself never
 * blocks on them: it reads and writes with per-call non-blocking means.
 * Their wait queues are seen through the module's inspect file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "realobj.h"

struct ps_real *ps_real_find(struct ps_reals *rs, const char *name)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].name, name) == 0)
			return &rs->v[i];
	return NULL;
}

int ps_real_create(struct ps_reals *rs, const char *name, enum ps_obj_type type, char *err,
		   size_t errlen)
{
	struct ps_real r;
	int sv[2];

	if (rs->n >= PS_MAX_REAL_OBJECTS) {
		snprintf(err, errlen, "too many real objects (at most %d): destroy some first",
			 PS_MAX_REAL_OBJECTS);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.type = type;
	r.fd[0] = r.fd[1] = -1;
	switch (type) {
	case PS_OBJ_EVENTFD:
		r.fd[0] = eventfd(0, EFD_CLOEXEC);
		break;
	case PS_OBJ_TIMERFD:
		r.fd[0] = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
		break;
	case PS_OBJ_PIPE:
		if (pipe2(sv, O_CLOEXEC) == 0) {
			r.fd[0] = sv[0];
			r.fd[1] = sv[1];
		}
		break;
	case PS_OBJ_SOCKETPAIR:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
			r.fd[0] = sv[0];
			r.fd[1] = sv[1];
		}
		break;
	default:
		snprintf(err, errlen, "not a real object type");
		return -1;
	}
	if (r.fd[0] < 0) {
		snprintf(err, errlen, "%s: %s", ps_obj_type_name(type), strerror(errno));
		return -1;
	}
	if (rs->n == rs->cap) {
		size_t nc = rs->cap ? 2 * rs->cap : 8;
		void *p = realloc(rs->v, nc * sizeof(*rs->v));
		if (!p) {
			close(r.fd[0]);
			if (r.fd[1] >= 0)
				close(r.fd[1]);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		rs->v = p;
		rs->cap = nc;
	}
	rs->v[rs->n++] = r;
	return 0;
}

void ps_real_destroy(struct ps_reals *rs, struct ps_real *r)
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

/* One read or write with O_NONBLOCK set on the description for that call only,
 * for files without RWF_NOWAIT; errno is the call's. */
static ssize_t io_nonblock(int fd, const struct iovec *iov, bool writing)
{
	ssize_t r;
	int fl, e;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -1;
	if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	r = writing ? write(fd, iov->iov_base, iov->iov_len)
		    : read(fd, iov->iov_base, iov->iov_len);
	e = errno;
	fcntl(fd, F_SETFL, fl);
	errno = e;
	return r;
}

/* A non-blocking read from a blocking shared description: RWF_NOWAIT where the
 * file supports it, MSG_DONTWAIT for sockets, else O_NONBLOCK for the one call
 * (a waiter entering a blocking read in that instant would see EAGAIN). */
ssize_t ps_real_read_nb(enum ps_obj_type type, int fd, void *buf, size_t len)
{
	struct iovec iov = { buf, len };
	ssize_t r;

	if (type == PS_OBJ_SOCKETPAIR)
		return recv(fd, buf, len, MSG_DONTWAIT);
	if (type == PS_OBJ_PIPE || type == PS_OBJ_TIMERFD) {
		/* nothing there: say so without touching the flags */
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 0) == 0) {
			errno = EAGAIN;
			return -1;
		}
	}
	r = preadv2(fd, &iov, 1, -1, RWF_NOWAIT);
	if (r >= 0 || (errno != EOPNOTSUPP && errno != EINVAL))
		return r;
	return io_nonblock(fd, &iov, false);
}

static ssize_t write_nb(enum ps_obj_type type, int fd, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };
	ssize_t r;

	if (type == PS_OBJ_SOCKETPAIR)
		return send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	r = pwritev2(fd, &iov, 1, -1, RWF_NOWAIT);
	if (r >= 0 || (errno != EOPNOTSUPP && errno != EINVAL))
		return r;
	return io_nonblock(fd, &iov, true);
}

static int fdinfo_value(int fd, const char *key, int base, unsigned long long *v)
{
	char path[64], *text;
	int r;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	text = ps_read_file(path, NULL);
	if (!text)
		return -1;
	r = ps_fdinfo_get(text, key, base, v);
	free(text);
	return r;
}

int ps_real_write(struct ps_real *r, long long value, char *done, size_t donelen, char *err,
		  size_t errlen)
{
	switch (r->type) {
	case PS_OBJ_EVENTFD: {
		unsigned long long before = 0;
		uint64_t v = (uint64_t)value;
		bool known = fdinfo_value(r->fd[0], "eventfd-count", 16, &before) == 0;
		/* eventfd_write blocks when the counter would pass 0xfffffffffffffffe */
		if (known && before > 0xfffffffffffffffeull - v) {
			snprintf(err, errlen,
				 "the counter is %llu: adding %lld would overflow, so "
				 "eventfd_write would block",
				 before, value);
			return -1;
		}
		if (write_nb(r->type, r->fd[0], &v, sizeof(v)) != (ssize_t)sizeof(v)) {
			snprintf(err, errlen, "eventfd write: %s", strerror(errno));
			return -1;
		}
		/* what eventfd_write did (a reader may have consumed it since) */
		if (known)
			snprintf(done, donelen, "value=%lld (eventfd count %llu -> %llu)", value,
				 before, before + v);
		else
			snprintf(done, donelen, "value=%lld", value);
		return 0;
	}
	case PS_OBJ_TIMERFD: {
		struct itimerspec its = { 0 };
		its.it_value.tv_sec = value / 1000;
		its.it_value.tv_nsec = (long)(value % 1000) * 1000000L;
		if (timerfd_settime(r->fd[0], 0, &its, NULL) < 0) {
			snprintf(err, errlen, "timerfd_settime: %s", strerror(errno));
			return -1;
		}
		if (value == 0)
			snprintf(done, donelen, "value=0 (timer disarmed)");
		else
			snprintf(done, donelen, "value=%lld (timer armed: fires in %lld ms)", value,
				 value);
		return 0;
	}
	case PS_OBJ_PIPE:
	case PS_OBJ_SOCKETPAIR: {
		/* VALUE bytes into the pipe's write end, or from socket a to b */
		char chunk[4096];
		long long total = 0;
		memset(chunk, 'x', sizeof(chunk));
		while (total < value) {
			size_t n = (size_t)(value - total < (long long)sizeof(chunk)
						    ? value - total
						    : (long long)sizeof(chunk));
			ssize_t w =
				write_nb(r->type, r->fd[r->type == PS_OBJ_PIPE ? 1 : 0], chunk, n);
			if (w < 0) {
				if (errno == EAGAIN)
					break;
				snprintf(err, errlen, "write: %s", strerror(errno));
				return -1;
			}
			total += w;
		}
		if (total < value && total == 0) {
			snprintf(err, errlen, "'%s' is full (EAGAIN): no byte could be written",
				 r->name);
			return -1;
		}
		if (total < value)
			snprintf(done, donelen, "value=%lld (%lld bytes written, then it was full)",
				 value, total);
		else
			snprintf(done, donelen, "value=%lld (%lld byte%s)", value, total,
				 total == 1 ? "" : "s");
		return 0;
	}
	default:
		snprintf(err, errlen, "not a real object");
		return -1;
	}
}

int ps_real_read(struct ps_real *r, long long *value, char *err, size_t errlen)
{
	uint64_t v;
	ssize_t n;

	*value = 0;
	switch (r->type) {
	case PS_OBJ_EVENTFD:
	case PS_OBJ_TIMERFD:
		n = ps_real_read_nb(r->type, r->fd[0], &v, sizeof(v));
		if (n == (ssize_t)sizeof(v)) {
			*value = (long long)v;
			return 0;
		}
		break;
	case PS_OBJ_PIPE:
	case PS_OBJ_SOCKETPAIR: {
		char buf[65536];
		int fd = r->fd[r->type == PS_OBJ_PIPE ? 0 : 1];
		long long total = 0;
		for (;;) {
			n = ps_real_read_nb(r->type, fd, buf, sizeof(buf));
			if (n <= 0)
				break;
			total += n;
		}
		if (total > 0) {
			*value = total;
			return 0;
		}
		break;
	}
	default:
		snprintf(err, errlen, "not a real object");
		return -1;
	}
	if (n < 0 && errno == EAGAIN) {
		snprintf(err, errlen, "'%s' is not readable (EAGAIN): nothing to read", r->name);
		return -1;
	}
	if (n < 0) {
		snprintf(err, errlen, "read from %s: %s", r->name, strerror(errno));
		return -1;
	}
	return 1; /* EOF */
}

void ps_real_object(struct ps_real *r, struct ps_object *o)
{
	uint32_t ready = 0;
	unsigned long long v = 0;
	int nbytes = 0;

	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", r->name);
	snprintf(o->type, sizeof(o->type), "%s", ps_obj_type_name(r->type));
	o->ours = true;
	for (int k = 0; k < ps_obj_nends(r->type); k++) {
		struct pollfd p = { r->fd[k], (short)0xffff & ~POLLNVAL, 0 };
		if (poll(&p, 1, 0) == 1)
			ready |= (uint16_t)p.revents;
		o->open++;
	}
	o->ready_mask = ready;
	ps_mask_format(ready, o->ready, sizeof(o->ready));
	switch (r->type) {
	case PS_OBJ_EVENTFD:
		if (fdinfo_value(r->fd[0], "eventfd-count", 16, &v) == 0)
			o->count = (unsigned long)v;
		break;
	case PS_OBJ_TIMERFD:
		if (fdinfo_value(r->fd[0], "ticks", 10, &v) == 0)
			o->count = (unsigned long)v;
		break;
	case PS_OBJ_PIPE:
		if (ioctl(r->fd[0], FIONREAD, &nbytes) == 0)
			o->count = (unsigned long)nbytes;
		break;
	case PS_OBJ_SOCKETPAIR:
		if (ioctl(r->fd[1], FIONREAD, &nbytes) == 0)
			o->count = (unsigned long)nbytes;
		break;
	default:
		break;
	}
}

/* Which head is which: each end is polled on its own. */
static void end_label(enum ps_obj_type t, int end, int idx, int nheads, char *buf, size_t len)
{
	const char *what;

	switch (t) {
	case PS_OBJ_PIPE:
		what = end == 0 ? "read queue (pipe->rd_wait: the read end's poll)"
				: "write queue (pipe->wr_wait: the write end's poll)";
		break;
	case PS_OBJ_SOCKETPAIR:
		what = end == 0 ? "socket a (sends; its sk->sk_wq)"
				: "socket b (receives; its sk->sk_wq)";
		break;
	case PS_OBJ_EVENTFD:
		what = "eventfd ctx->wqh";
		break;
	case PS_OBJ_TIMERFD:
		what = "timerfd ctx->wqh";
		break;
	default:
		what = "wait queue";
		break;
	}
	if (nheads > 1)
		snprintf(buf, len, "%s #%d", what, idx);
	else
		snprintf(buf, len, "%s", what);
}

int ps_real_inspect(struct ps_debugfs *d, struct ps_real *r, struct ps_head **heads, size_t *nheads,
		    struct ps_entry **entries, size_t *nentries, char *err, size_t errlen)
{
	int base = 0;

	for (int k = 0; k < ps_obj_nends(r->type); k++) {
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
			end_label(r->type, k, h, fi.nheads, hd->label, sizeof(hd->label));
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
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
