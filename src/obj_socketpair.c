/* socketpair (AF_UNIX, SOCK_STREAM): end 0 socket a, end 1 socket b; write
 * sends VALUE bytes from a to b, read takes every byte queued on b. */
#include <sys/socket.h>

#include "objtype.h"

static int create(int fd[2])
{
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd);
}

/* b receives what write sends from a: output-only waiters on a */
static int wait_end(uint32_t events, bool blocking_read)
{
	return ps_obj_output_only(events, blocking_read) ? 0 : 1;
}

static ssize_t read_nb(int fd, void *buf, size_t len)
{
	return recv(fd, buf, len, MSG_DONTWAIT);
}

static ssize_t send_nb(int fd, const void *buf, size_t len)
{
	return send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static int write_value(struct ps_obj *o, long long value, char *done, size_t donelen, char *err,
		       size_t errlen)
{
	return ps_obj_write_bytes(o, o->fd[0], send_nb, value, done, donelen, err, errlen);
}

static int read_value(struct ps_obj *o, long long *value, char *err, size_t errlen)
{
	return ps_obj_read_bytes(o, o->fd[1], value, err, errlen);
}

static int count(const struct ps_obj *o, unsigned long *n)
{
	return ps_obj_count_queued(o->fd[1], n);
}

const struct ps_objtype_ops ps_obj_socketpair = {
	.name = "socketpair",
	.held = true,
	.nends = 2,
	.count_name = "bytes",
	.read_unit = " bytes",
	.eof_text = "every writer is gone",
	.end_label = { "socket a (sends; its sk->sk_wq)", "socket b (receives; its sk->sk_wq)" },
	.create = create,
	.wait_end = wait_end,
	.read_nb = read_nb,
	.write = write_value,
	.read = read_value,
	.count = count,
	.child_read = ps_obj_child_read_bytes,
};
