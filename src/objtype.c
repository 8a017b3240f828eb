/* What the object types share: non-blocking reads and writes on shared
 * descriptors, fdinfo, the byte and counter reads and writes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "i18n.h"
#include "objtype.h"
#include "parse.h"

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

/* A non-blocking read from a blocking shared description (a waiter entering a
 * blocking read in the instant of the O_NONBLOCK fallback would see EAGAIN). */
ssize_t ps_obj_read_nowait(int fd, void *buf, size_t len, bool poll_first)
{
	struct iovec iov = { buf, len };
	ssize_t r;

	if (poll_first) {
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

ssize_t ps_obj_write_nowait(int fd, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };
	ssize_t r;

	r = pwritev2(fd, &iov, 1, -1, RWF_NOWAIT);
	if (r >= 0 || (errno != EOPNOTSUPP && errno != EINVAL))
		return r;
	return io_nonblock(fd, &iov, true);
}

int ps_obj_fdinfo(int fd, const char *key, int base, unsigned long long *v)
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

int ps_obj_write_bytes(struct ps_obj *o, int fd, ssize_t (*put)(int, const void *, size_t),
		       long long value, char *done, size_t donelen, char *err, size_t errlen)
{
	char chunk[4096];
	long long total = 0;

	memset(chunk, 'x', sizeof(chunk));
	while (total < value) {
		size_t n = (size_t)(value - total < (long long)sizeof(chunk)
					    ? value - total
					    : (long long)sizeof(chunk));
		ssize_t w = put(fd, chunk, n);
		if (w < 0) {
			if (errno == EAGAIN)
				break;
			snprintf(err, errlen, _("write: %s"), strerror(errno));
			return -1;
		}
		total += w;
	}
	if (total < value && total == 0) {
		snprintf(err, errlen, _("'%s' is full (EAGAIN): no byte could be written"),
			 o->name);
		return -1;
	}
	if (total < value)
		snprintf(done, donelen, "value=%lld (%lld bytes written, then it was full)", value,
			 total);
	else
		snprintf(done, donelen, "value=%lld (%lld byte%s)", value, total,
			 total == 1 ? "" : "s");
	return 0;
}

int ps_obj_read_failed(const struct ps_obj *o, ssize_t n, char *err, size_t errlen)
{
	if (n < 0 && errno == EAGAIN) {
		snprintf(err, errlen, _("'%s' is not readable (EAGAIN): nothing to read"), o->name);
		return -1;
	}
	if (n < 0) {
		snprintf(err, errlen, _("read from %s: %s"), o->name, strerror(errno));
		return -1;
	}
	return 1; /* EOF */
}

int ps_obj_read_bytes(struct ps_obj *o, int fd, long long *value, char *err, size_t errlen)
{
	char buf[65536];
	long long total = 0;
	ssize_t n;

	*value = 0;
	for (;;) {
		n = o->ops->read_nb(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		total += n;
	}
	if (total > 0) {
		*value = total;
		return 0;
	}
	return ps_obj_read_failed(o, n, err, errlen);
}

int ps_obj_read_u64(struct ps_obj *o, long long *value, char *err, size_t errlen)
{
	uint64_t v;
	ssize_t n = o->ops->read_nb(o->fd[0], &v, sizeof(v));

	*value = 0;
	if (n == (ssize_t)sizeof(v)) {
		*value = (long long)v;
		return 0;
	}
	return ps_obj_read_failed(o, n, err, errlen);
}

long long ps_obj_child_read_u64(int fd, long long *readval)
{
	uint64_t v;
	long long ret = read(fd, &v, sizeof(v));

	*readval = ret == (long long)sizeof(v) ? (long long)v : -1;
	return ret;
}

long long ps_obj_child_read_bytes(int fd, long long *readval)
{
	char buf[4096];

	*readval = -1;
	return read(fd, buf, sizeof(buf));
}

int ps_obj_one_end(uint32_t events, bool blocking_read)
{
	(void)events;
	(void)blocking_read;
	return 0;
}

bool ps_obj_output_only(uint32_t events, bool blocking_read)
{
	const uint32_t out = 0x4 | 0x100 | 0x200;	      /* out wrnorm wrband */
	const uint32_t in = 0x1 | 0x2 | 0x40 | 0x80 | 0x2000; /* in pri rdnorm rdband rdhup */

	return !blocking_read && (events & out) && !(events & in);
}

int ps_obj_count_fdinfo(int fd, const char *key, int base, unsigned long *n)
{
	unsigned long long v;

	if (ps_obj_fdinfo(fd, key, base, &v) < 0)
		return -1;
	*n = (unsigned long)v;
	return 0;
}

int ps_obj_count_queued(int fd, unsigned long *n)
{
	int nbytes = 0;

	if (ioctl(fd, FIONREAD, &nbytes) < 0)
		return -1;
	*n = (unsigned long)nbytes;
	return 0;
}
