/* timerfd: write arms it to fire in VALUE ms (0 disarms), read returns the
 * expirations; timerfd_poll queues on ctx->wqh. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>

#include "i18n.h"
#include "objtype.h"

static int create(int fd[2])
{
	fd[0] = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	return fd[0] < 0 ? -1 : 0;
}

static ssize_t read_nb(int fd, void *buf, size_t len)
{
	return ps_obj_read_nowait(fd, buf, len, true);
}

static int write_value(struct ps_obj *o, long long value, char *done, size_t donelen, char *err,
		       size_t errlen)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = value / 1000;
	its.it_value.tv_nsec = (long)(value % 1000) * 1000000L;
	if (timerfd_settime(o->fd[0], 0, &its, NULL) < 0) {
		snprintf(err, errlen, _("timerfd_settime: %s"), strerror(errno));
		return -1;
	}
	if (value == 0)
		snprintf(done, donelen, "value=0 (timer disarmed)");
	else
		snprintf(done, donelen, "value=%lld (timer armed: fires in %lld ms)", value, value);
	return 0;
}

static int count(const struct ps_obj *o, unsigned long *n)
{
	return ps_obj_count_fdinfo(o->fd[0], "ticks", 10, n);
}

const struct ps_objtype_ops ps_obj_timerfd = {
	.name = "timerfd",
	.held = true,
	.nends = 1,
	.count_name = "expirations",
	.read_unit = " expiration(s)",
	.eof_text = "every writer is gone",
	.end_label = { "timerfd ctx->wqh" },
	.queue_label = { "timerfd ctx->wqh" },
	.create = create,
	.wait_end = ps_obj_one_end,
	.read_nb = read_nb,
	.write = write_value,
	.read = ps_obj_read_u64,
	.count = count,
	.child_read = ps_obj_child_read_u64,
};
