/* The module's own objects: objects/NAME of pollscope.ko. Created and
 * destroyed through its control file; a write adds to its counter, a read
 * returns the counter as text (EOF once the object is dead). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "objtype.h"

static ssize_t read_nb(int fd, void *buf, size_t len)
{
	return read(fd, buf, len < 64 ? len : 64);
}

static int write_value(struct ps_obj *o, long long value, char *done, size_t donelen, char *err,
		       size_t errlen)
{
	char path[PATH_MAX], buf[32];
	int fd, n;

	ps_dfs_path(o->dfs, path, sizeof(path), "objects/%s", o->name);
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, _("cannot open %s: %s"), path, strerror(errno));
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%lld\n", value);
	if (write(fd, buf, (size_t)n) < 0) {
		int e = errno;
		close(fd);
		if (e == EPIPE)
			snprintf(err, errlen, _("object '%s' is dead (EPIPE)"), o->name);
		else
			snprintf(err, errlen, _("write to %s: %s"), o->name, strerror(e));
		return -1;
	}
	close(fd);
	snprintf(done, donelen, "value=%lld", value);
	return 0;
}

static int read_value(struct ps_obj *o, long long *value, char *err, size_t errlen)
{
	char path[PATH_MAX], buf[64];
	ssize_t n;
	int fd;

	*value = 0;
	ps_dfs_path(o->dfs, path, sizeof(path), "objects/%s", o->name);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, _("cannot open %s: %s"), path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0) {
		int e = errno, r = ps_obj_read_failed(o, n, err, errlen);
		close(fd);
		errno = e;
		return r;
	}
	close(fd);
	buf[n] = '\0';
	*value = strtoll(buf, NULL, 10);
	return 0;
}

static long long child_read(int fd, long long *readval)
{
	char buf[64];
	long long ret = read(fd, buf, 63);

	*readval = -1;
	if (ret > 0) {
		buf[ret] = '\0';
		*readval = strtoll(buf, NULL, 10);
	}
	return ret;
}

const struct ps_objtype_ops ps_obj_module = {
	.name = "module",
	.held = false,
	.nends = 1,
	.read_unit = "",
	.eof_text = "the object is dead",
	.end_label = { "wait queue" },
	.wait_end = ps_obj_one_end,
	.read_nb = read_nb,
	.write = write_value,
	.read = read_value,
	.child_read = child_read,
};
