/* pipe: end 0 the read end, end 1 the write end. pipe_poll queues on
 * rd_wait for a reader and on wr_wait for a writer; write puts VALUE bytes
 * into the write end, read takes every byte queued. */
#include <fcntl.h>
#include <unistd.h>

#include "objtype.h"

static int create(int fd[2])
{
	return pipe2(fd, O_CLOEXEC);
}

/* readers on the read end, output-only waiters on the write end */
static int wait_end(uint32_t events, bool blocking_read)
{
	return ps_obj_output_only(events, blocking_read) ? 1 : 0;
}

static ssize_t read_nb(int fd, void *buf, size_t len)
{
	return ps_obj_read_nowait(fd, buf, len, true);
}

static int write_value(struct ps_obj *o, long long value, char *done, size_t donelen, char *err,
		       size_t errlen)
{
	return ps_obj_write_bytes(o, o->fd[1], ps_obj_write_nowait, value, done, donelen, err,
				  errlen);
}

static int read_value(struct ps_obj *o, long long *value, char *err, size_t errlen)
{
	return ps_obj_read_bytes(o, o->fd[0], value, err, errlen);
}

static int count(const struct ps_obj *o, unsigned long *n)
{
	return ps_obj_count_queued(o->fd[0], n);
}

const struct ps_objtype_ops ps_obj_pipe = {
	.name = "pipe",
	.held = true,
	.nends = 2,
	.count_name = "bytes",
	.read_unit = " bytes",
	.eof_text = "every writer is gone",
	.end_label = { "read queue (pipe->rd_wait: the read end's poll)",
		       "write queue (pipe->wr_wait: the write end's poll)" },
	.queue_label = { "read queue (pipe->rd_wait)", "write queue (pipe->wr_wait)" },
	.create = create,
	.wait_end = wait_end,
	.read_nb = read_nb,
	.write = write_value,
	.read = read_value,
	.count = count,
	.child_read = ps_obj_child_read_bytes,
};
