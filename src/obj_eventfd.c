/* eventfd: a 64-bit counter; write adds, read returns and clears it.
 * eventfd_poll queues on ctx->wqh; eventfd_write wakes it with EPOLLIN. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>

#include "i18n.h"
#include "objtype.h"

static int create(int fd[2])
{
	fd[0] = eventfd(0, EFD_CLOEXEC);
	return fd[0] < 0 ? -1 : 0;
}

static ssize_t read_nb(int fd, void *buf, size_t len)
{
	return ps_obj_read_nowait(fd, buf, len, false);
}

static int write_value(struct ps_obj *o, long long value, char *done, size_t donelen, char *err,
		       size_t errlen)
{
	unsigned long long before = 0;
	uint64_t v = (uint64_t)value;
	bool known = ps_obj_fdinfo(o->fd[0], "eventfd-count", 16, &before) == 0;

	/* eventfd_write blocks when the counter would pass 0xfffffffffffffffe */
	if (known && before > 0xfffffffffffffffeull - v) {
		snprintf(
			err, errlen,
			_("the counter is %llu: adding %lld would overflow, so eventfd_write would "
			  "block"),
			before, value);
		return -1;
	}
	if (ps_obj_write_nowait(o->fd[0], &v, sizeof(v)) != (ssize_t)sizeof(v)) {
		snprintf(err, errlen, _("eventfd write: %s"), strerror(errno));
		return -1;
	}
	/* what eventfd_write did (a reader may have consumed it since) */
	if (known)
		snprintf(done, donelen, "value=%lld (eventfd count %llu -> %llu)", value, before,
			 before + v);
	else
		snprintf(done, donelen, "value=%lld", value);
	return 0;
}

static int count(const struct ps_obj *o, unsigned long *n)
{
	return ps_obj_count_fdinfo(o->fd[0], "eventfd-count", 16, n);
}

const struct ps_objtype_ops ps_obj_eventfd = {
	.name = "eventfd",
	.held = true,
	.nends = 1,
	.count_name = "count",
	.read_unit = "",
	.eof_text = "every writer is gone",
	.end_label = { "eventfd ctx->wqh" },
	.queue_label = { "eventfd ctx->wqh" },
	.create = create,
	.wait_end = ps_obj_one_end,
	.read_nb = read_nb,
	.write = write_value,
	.read = ps_obj_read_u64,
	.count = count,
	.child_read = ps_obj_child_read_u64,
};
