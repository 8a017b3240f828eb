/* The module's debugfs files: paths, whole-file reads, control, inspect. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "debugfs.h"

static const char *const source_names[PS_SRC_N] = {
	[PS_SRC_OBJECTS] = "objects",
	[PS_SRC_STATS] = "stats",
	[PS_SRC_QUEUES] = "queues",
	[PS_SRC_INSPECT] = "inspect",
};

void ps_dfs_init(struct ps_debugfs *d, const char *dir, bool recorded)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "%s", dir);
	d->recorded = recorded;
	d->inspect_fd = -1;
}

void ps_dfs_close(struct ps_debugfs *d)
{
	if (d->inspect_fd >= 0)
		close(d->inspect_fd);
	d->inspect_fd = -1;
}

static int vpath(const struct ps_debugfs *d, char *buf, size_t len, const char *fmt, va_list ap)
{
	int n = snprintf(buf, len, "%s/", d->dir);

	if (n < 0 || (size_t)n >= len)
		return -1;
	n += vsnprintf(buf + n, len - (size_t)n, fmt, ap);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

int ps_dfs_path(const struct ps_debugfs *d, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vpath(d, buf, len, fmt, ap);
	va_end(ap);
	return r;
}

/* Everything from fd until EOF: from where it stands (read), or from offset 0
 * (pread: the inspect file stays open and is re-read after each write). */
static char *read_all(int fd, bool from_start, size_t *lenp)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);

	if (!buf) {
		errno = ENOMEM;
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		r = from_start ? pread(fd, buf + len, cap - len - 1, (off_t)len)
			       : read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

char *ps_read_file(const char *path, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	int e;

	if (fd < 0)
		return NULL;
	buf = read_all(fd, false, lenp);
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

char *ps_dfs_read(struct ps_debugfs *d, const char *name, enum ps_source src, char *err,
		  size_t errlen)
{
	char path[PATH_MAX];
	char *text;

	if (ps_dfs_path(d, path, sizeof(path), "%s", name) < 0) {
		snprintf(err, errlen, _("path too long: %s/%s"), d->dir, name);
		return NULL;
	}
	if (src < PS_SRC_N)
		d->reads[src]++;
	text = ps_read_file(path, NULL);
	if (!text)
		snprintf(err, errlen, _("cannot read %s: %s"), path, strerror(errno));
	return text;
}

int ps_dfs_list_objects(struct ps_debugfs *d, void (*add)(void *ctx, const char *name), void *ctx)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	d->reads[PS_SRC_OBJECTS]++;
	if (ps_dfs_path(d, path, sizeof(path), "%s", source_names[PS_SRC_OBJECTS]) < 0)
		return -1;
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			add(ctx, de->d_name);
	closedir(dir);
	return 0;
}

bool ps_dfs_object_exists(const struct ps_debugfs *d, const char *name)
{
	char path[PATH_MAX];

	if (ps_dfs_path(d, path, sizeof(path), "objects/%s", name) < 0)
		return false;
	return access(path, F_OK) == 0;
}

int ps_dfs_control(struct ps_debugfs *d, const char *fmt, ...)
{
	char path[PATH_MAX], cmd[256];
	va_list ap;
	int fd, n;
	ssize_t r;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) - 1)
		return -E2BIG;
	cmd[n++] = '\n';
	cmd[n] = '\0';
	if (ps_dfs_path(d, path, sizeof(path), "control") < 0)
		return -ENAMETOOLONG;
	d->writes++;
	/* O_APPEND: harmless on debugfs, and with --debugfs DIR the control
	 * file collects what was written (the unit tests check it) */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write(fd, cmd, (size_t)n);
	if (r < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

/* ------------------------------------------------------------- inspect */

void ps_fd_inspect_free(struct ps_fd_inspect *fi)
{
	free(fi->entries);
	fi->entries = NULL;
	fi->nentries = 0;
	free(fi->watch);
	fi->watch = NULL;
	fi->nwatch = 0;
}

static int parse_inspect_text(char *text, struct ps_fd_inspect *out, char *err, size_t errlen)
{
	char *line, *save = NULL;
	size_t cap = 0, wcap = 0;
	bool have_header = false;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct ps_qline q;

		if (!have_header) {
			if (ps_parse_inspect_header(line, &out->h) < 0) {
				snprintf(err, errlen, _("cannot read the inspect header '%.*s'"),
					 200, line);
				return -1;
			}
			have_header = true;
			continue;
		}
		/* a line we cannot read would make the listing quietly wrong */
		if (ps_parse_queue_line(line, &q, err, errlen) < 0)
			return -1;
		if (q.kind == PS_QL_ENTRY) {
			if (out->nentries == cap) {
				size_t nc = cap ? 2 * cap : 16;
				void *p = realloc(out->entries, nc * sizeof(*out->entries));
				if (!p) {
					snprintf(err, errlen, _("out of memory"));
					return -1;
				}
				out->entries = p;
				cap = nc;
			}
			out->entries[out->nentries++] = q.e;
		} else if (q.kind == PS_QL_HEAD && q.head < 16) {
			if (q.head + 1 > out->nheads)
				out->nheads = q.head + 1;
			out->head_entries[q.head] = q.entries;
			out->head_truncated[q.head] = q.truncated;
			out->head_truncated_more[q.head] = q.truncated_more;
			snprintf(out->head_queue[q.head], sizeof(out->head_queue[0]), "%s",
				 q.queue);
		} else if (q.kind == PS_QL_WATCH) {
			/* an epoll file's watched files: inspect PID matches them to
			 * the process's fds by file identity */
			if ((size_t)out->nwatch == wcap) {
				size_t nc = wcap ? 2 * wcap : 16;
				void *p = realloc(out->watch, nc * sizeof(*out->watch));
				if (!p) {
					snprintf(err, errlen, _("out of memory"));
					return -1;
				}
				out->watch = p;
				wcap = nc;
			}
			{
				struct ps_watch_item *x = &out->watch[out->nwatch++];
				char e2[8];

				x->tfd = q.tfd;
				x->at_fd = -2;
				x->ino = q.ino;
				x->ready = q.ready;
				if (ps_mask_parse(q.events, &x->events, e2, sizeof(e2)) < 0)
					x->events = 0;
				snprintf(x->fid, sizeof(x->fid), "%s", q.fid);
			}
		} else if (q.kind == PS_QL_WATCHED) {
			out->watch_truncated = q.truncated;
			out->watch_truncated_more = q.truncated_more;
		} else {
			snprintf(err, errlen, _("unexpected line '%.*s'"), 200, line);
			return -1;
		}
	}
	if (!have_header) {
		snprintf(err, errlen, _("empty result"));
		return -1;
	}
	if (out->h.heads > out->nheads && out->h.heads <= 16)
		out->nheads = out->h.heads;
	return 0;
}

int ps_dfs_inspect(struct ps_debugfs *d, int fd, pid_t owner, struct ps_fd_inspect *out, char *err,
		   size_t errlen)
{
	char path[PATH_MAX], num[40], e2[320];
	char *text;
	int n;

	memset(out, 0, sizeof(*out));
	d->reads[PS_SRC_INSPECT]++;
	if (d->inspect_fd < 0) {
		ps_dfs_path(d, path, sizeof(path), "inspect");
		/* with --debugfs (recorded files) the recorded result is only read */
		d->inspect_fd = open(path, (d->recorded ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (d->inspect_fd < 0) {
			snprintf(err, errlen, _("cannot open %s: %s"), path, strerror(errno));
			return -1;
		}
	}
	if (!d->recorded) {
		if (owner > 0)
			n = snprintf(num, sizeof(num), "%d %d\n", fd, (int)owner);
		else
			n = snprintf(num, sizeof(num), "%d\n", fd);
		if (write(d->inspect_fd, num, (size_t)n) < 0) {
			int e = errno;
			char en[24];
			snprintf(err, errlen, _("the module's inspect refused fd %d: %s (%s)"), fd,
				 strerror(e), ps_errno_name(e, en, sizeof(en)));
			return -1;
		}
	}
	text = read_all(d->inspect_fd, true, NULL);
	if (!text) {
		if (errno == ENOMEM)
			snprintf(err, errlen, _("out of memory"));
		else
			snprintf(err, errlen, _("reading the module's inspect result: %s"),
				 strerror(errno));
		return -1;
	}
	if (parse_inspect_text(text, out, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, _("the module's inspect result for fd %d: %s"), fd, e2);
		free(text);
		ps_fd_inspect_free(out);
		return -1;
	}
	free(text);
	return 0;
}
