/*
 * watch PID FD | watch NAME | watch: every wake on the wait queues of any
 * process's file (pidfd_open + pidfd_getfd, then the module's watch file),
 * or of an object of this session; unwatch NAME.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "i18n.h"
#include "cmd.h"
#include "inspect.h"
#include "objtype.h"
#include "procinfo.h"
#include "record.h"
#include "session.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

enum { W_NAME, W_RATE };

static const struct ps_opt watch_opts[] = {
	[W_NAME] = { .name = "name",
		     .value = "NAME",
		     .kind = PS_OPT_WORD,
		     .what = N_("1-31 characters of A-Z a-z 0-9 _ . -"),
		     .help = "what the watch and its events are called (default PID.FD)" },
	[W_RATE] = { .name = "rate",
		     .value = "N",
		     .kind = PS_OPT_INT,
		     .min = 1,
		     .max = 1000000,
		     .help = "record at most N wakes per second per queue (the rest are counted)" },
	{ 0 },
};

/* inspect's label as one word for the module's records: "pipe->rd_wait". */
static void short_label(const char *label, char *out, size_t len)
{
	const char *p = strchr(label, '('), *q;
	size_t o = 0;

	if (p && (q = strchr(p, ')')) && q > p + 1) {
		p++;
	} else if ((p = strrchr(label, ' ')) && strchr(label, ':')) {
		p++;
		q = p + strlen(p);
	} else {
		p = label;
		q = p + strlen(p);
	}
	for (; p < q && o + 1 < len && o < 31; p++) {
		char ch = *p;
		if (ch == ' ' || ch == '=' || ch == ',' || ch == ';' || ch == ':' ||
		    (unsigned char)ch < 0x21 || (unsigned char)ch > 0x7e)
			ch = '_';
		out[o++] = ch;
	}
	out[o] = '\0';
	if (!o)
		snprintf(out, len, "queue");
}

static int watch_write(struct ps_cmdctx *c, const char *line, int *err)
{
	char path[PATH_MAX];
	int fd;
	ssize_t n;

	if (ps_dfs_path(&c->s->dfs, path, sizeof(path), "watch") < 0)
		return (*err = ENAMETOOLONG), -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	n = write(fd, line, strlen(line));
	*err = errno;
	close(fd);
	return n == (ssize_t)strlen(line) ? 0 : -1;
}

/* The module's answer to "add" as a sentence. */
static int add_error(struct ps_cmdctx *c, const char *what, const char *name, int e)
{
	switch (e) {
	case EEXIST:
		return ps_cmd_error(c, _("a watch named '%s' exists (unwatch %s, or name=OTHER)"),
				    name, name);
	case ENOSPC:
		return ps_cmd_error(c, _("%s: too many watches (the module's max_watches)"), what);
	case EBADF:
		return ps_cmd_error(c, _("%s: not a file that can be polled (closed, or O_PATH)"),
				    what);
	case EOPNOTSUPP:
		return ps_cmd_error(c, _("%s: its file has no poll method, or polls no wait queue"),
				    what);
	case ESRCH:
		return ps_cmd_error(c, _("%s: its owner has exited"), what);
	case ELOOP:
		return ps_cmd_error(c,
				    _("%s: pollscope's own events file: each record would wake its "
				      "readers, a wake to record"),
				    what);
	case ENOENT:
		return ps_cmd_error(
			c, _("%s: the module has no watch file (an older pollscope.ko?)"), what);
	default:
		return ps_cmd_error(c, _("%s: the module refused the watch: %s"), what,
				    strerror(e));
	}
}

/* Hands our fd over to the module: heads counted and labelled through
 * inspect, then "add". */
static int watch_fd(struct ps_cmdctx *c, int fd, const char *kind, int acc, pid_t owner,
		    const char *name, int rate, const char *what)
{
	struct ps_fd_inspect fi;
	char line[512], lab[128], sl[40], e2[256];
	int e;

	if (ps_dfs_inspect(&c->s->dfs, fd, owner, &fi, e2, sizeof(e2)) < 0)
		return ps_cmd_error(c, "%s: %s", what, e2);
	if (!fi.h.poll) {
		ps_fd_inspect_free(&fi);
		return ps_cmd_error(c, _("%s: %s has no poll method: nothing to watch"), what,
				    fi.h.file);
	}
	snprintf(line, sizeof(line), "add %d %s", fd, name);
	if (owner > 0)
		ps_appendf(line, sizeof(line), " owner=%d", (int)owner);
	if (rate > 0)
		ps_appendf(line, sizeof(line), " rate=%d", rate);
	for (int h = 0; h < fi.nheads && h < 16; h++) {
		ps_head_label(kind, acc, h, fi.nheads, lab, sizeof(lab));
		if (!strcmp(fi.head_queue[h], "wq"))
			snprintf(lab, sizeof(lab), "ep->wq");
		short_label(lab, sl, sizeof(sl));
		ps_appendf(line, sizeof(line), "%s%s", h ? "," : " labels=", sl);
	}
	ps_fd_inspect_free(&fi);
	if (watch_write(c, line, &e) < 0)
		return add_error(c, what, name, e);
	return 0;
}

static void emit_started(struct ps_cmdctx *c, const char *name, const char *what)
{
	struct ps_field f[2] = { { "watch", PS_F_STR, name, 0 }, { "what", PS_F_STR, what, 0 } };

	ps_emit(c->sink, PS_REC_MESSAGE, NULL, f, 2,
		"watching %s as '%s': its wakes are events of type watch (events, timeline); "
		"unwatch %s ends it",
		what, name, name);
}

static int watch_pid_fd(struct ps_cmdctx *c, pid_t pid, int fd, const char *name, int rate)
{
	struct ps_procinfo pi;
	char path[64], link[256], what[320], wname[PS_NAME_MAX], fdinfo[64], *text;
	const char *kind;
	unsigned long long flags = 0;
	int pidfd, dup, acc = -1, rc, fl;
	struct stat st;
	ssize_t l;

	if (ps_procinfo_get(pid, &pi) < 0)
		return ps_cmd_error(c, _("no process with pid %d"), (int)pid);
	if (pi.state == 'Z')
		return ps_cmd_error(c, _("pid %d (%s) has exited (a zombie): it has no fds left"),
				    (int)pid, pi.comm);
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	l = readlink(path, link, sizeof(link) - 1);
	if (l < 0) {
		if (errno == EACCES || errno == EPERM)
			return ps_cmd_error(c,
					    _("pid %d (%s): permission denied: watching another "
					      "process's file needs ptrace access to it and root"),
					    (int)pid, pi.comm);
		return ps_cmd_error(c, _("pid %d (%s) has no fd %d"), (int)pid, pi.comm, fd);
	}
	link[l] = '\0';
	kind = ps_fd_kind(link);
	snprintf(what, sizeof(what), "pid %d (%s) fd %d (%s)", (int)pid, pi.comm, fd, link);
	snprintf(fdinfo, sizeof(fdinfo), "/proc/%d/fdinfo/%d", (int)pid, fd);
	text = ps_read_file(fdinfo, NULL);
	if (text && ps_fdinfo_get(text, "flags", 8, &flags) == 0)
		acc = (int)(flags & O_ACCMODE);
	free(text);

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return ps_cmd_error(c, _("pid %d (%s) has exited"), (int)pid, pi.comm);
	dup = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (dup < 0) {
		int e = errno;
		close(pidfd);
		if (e == EPERM)
			return ps_cmd_error(
				c,
				_("pid %d (%s): permission denied (pidfd_getfd: EPERM): "
				  "watching another process's file needs ptrace access "
				  "to it and root"),
				(int)pid, pi.comm);
		if (e == ESRCH)
			return ps_cmd_error(c, _("pid %d (%s) has exited"), (int)pid, pi.comm);
		return ps_cmd_error(c, _("pid %d (%s) has no fd %d (pidfd_getfd: %s)"), (int)pid,
				    pi.comm, fd, strerror(e));
	}
	close(pidfd);
	fl = fcntl(dup, F_GETFL);
	if (fl >= 0 && (fl & O_PATH)) {
		close(dup);
		return ps_cmd_error(c, _("%s is an O_PATH descriptor: it cannot be polled"), what);
	}
	if (fstat(dup, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			close(dup);
			return ps_cmd_error(c, _("%s is a directory: it has no poll method"), what);
		}
		if (!strcmp(kind, "file") && S_ISFIFO(st.st_mode))
			kind = "fifo";
	}
	if (!name) {
		snprintf(wname, sizeof(wname), "%d.%d", (int)pid, fd);
		name = wname;
	}
	rc = watch_fd(c, dup, kind, acc, !strcmp(kind, "signalfd") ? pid : 0, name, rate, what);
	close(dup);
	if (rc == 0)
		emit_started(c, name, what);
	return rc;
}

static int watch_object(struct ps_cmdctx *c, const char *name, int rate)
{
	struct ps_obj *r = ps_real_find(&c->s->reals, name);
	char what[128], msg[512], path[PATH_MAX];

	if (r) {
		for (int end = 0; end < r->ops->nends; end++) {
			char wname[PS_NAME_MAX], lab[64];
			const char *kind = r->ops->name;
			int acc = -1;

			/* one watch per end: NAME (end 0), NAME.1 */
			snprintf(wname, sizeof(wname), end ? "%.29s.1" : "%s", name);
			snprintf(what, sizeof(what), "%s (%s, end %d)", name, r->ops->name, end);
			if (r->ops == &ps_obj_pipe)
				acc = end ? O_WRONLY : O_RDONLY;
			snprintf(lab, sizeof(lab), "%s", kind);
			if (watch_fd(c, r->fd[end], lab, acc, 0, wname, rate, what) < 0) {
				if (end) {
					char line[64];
					int e;
					snprintf(line, sizeof(line), "del %s", name);
					watch_write(c, line, &e); /* changes nothing: undo end 0 */
				}
				return -1;
			}
		}
		snprintf(what, sizeof(what), "%s (%s%s)", name, r->ops->name,
			 r->ops->nends > 1 ? ", both ends: NAME and NAME.1" : "");
		emit_started(c, name, what);
		return 0;
	}
	if (ps_object_exists(c->s, name)) {
		int fd, rc;

		if (ps_dfs_path(&c->s->dfs, path, sizeof(path), "objects/%s", name) < 0 ||
		    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return ps_cmd_error(c, _("cannot open the module's object %s: %s"), name,
					    strerror(errno));
		snprintf(what, sizeof(what), "module object %s", name);
		rc = watch_fd(c, fd, "module", -1, 0, name, rate, what);
		close(fd);
		if (rc == 0)
			emit_started(c, name, what);
		return rc;
	}
	ps_no_object_msg(c->s, name, msg, sizeof(msg));
	return ps_cmd_error(c, _("%s (or watch PID FD: a process's file)"), msg);
}

size_t ps_session_watches(struct ps_session *s, struct ps_watch_info *out, size_t max)
{
	char err[256], *text, *line, *save = NULL;
	size_t n = 0;

	if (ps_replaying(s)) /* the recorded frame's */
		return ps_replay_watches(s, out, max);
	text = ps_dfs_read(&s->dfs, "watch", PS_SRC_N, err, sizeof(err));
	if (!text)
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct ps_watch_info *w;
		struct ps_kv kv;
		char buf[1024];
		const char *v;

		snprintf(buf, sizeof(buf), "%s", line);
		if (ps_kv_split(buf, &kv) <= 0 || !(v = ps_kv_get(&kv, "watch")))
			continue;
		if (n++ >= max)
			continue;
		w = &out[n - 1];
		memset(w, 0, sizeof(*w));
		snprintf(w->name, sizeof(w->name), "%s", v);
		snprintf(w->file, sizeof(w->file), "%s", (v = ps_kv_get(&kv, "file")) ? v : "?");
		snprintf(w->queues, sizeof(w->queues), "%s",
			 (v = ps_kv_get(&kv, "queue")) ? v : "-");
		w->heads = (v = ps_kv_get(&kv, "heads")) ? atoi(v) : 0;
		w->rate = (v = ps_kv_get(&kv, "rate")) ? atoi(v) : 0;
		w->wakes = (v = ps_kv_get(&kv, "wakes")) ? strtoul(v, NULL, 10) : 0;
		w->recorded = (v = ps_kv_get(&kv, "recorded")) ? strtoul(v, NULL, 10) : 0;
		w->limited = (v = ps_kv_get(&kv, "limited")) ? strtoul(v, NULL, 10) : 0;
	}
	free(text);
	return n;
}

static int watch_list(struct ps_cmdctx *c)
{
	struct ps_watch_info *w;
	char err[256], *text;
	size_t n, shown;

	/* the module's file must be there: say why if not */
	text = ps_dfs_read(&c->s->dfs, "watch", PS_SRC_N, err, sizeof(err));
	if (!text)
		return ps_cmd_error(c, "%s", err);
	free(text);
	w = calloc(4096, sizeof(*w));
	if (!w)
		return ps_cmd_error(c, _("out of memory"));
	n = ps_session_watches(c->s, w, 4096);
	shown = n < 4096 ? n : 4096;
	for (size_t i = 0; i < shown; i++) {
		struct ps_field fl[7] = {
			{ "watch", PS_F_STR, w[i].name, 0 },
			{ "file", PS_F_STR, w[i].file, 0 },
			{ "queues", PS_F_STR, w[i].queues, 0 },
			{ "wakes", PS_F_INT, NULL, (long long)w[i].wakes },
			{ "recorded", PS_F_INT, NULL, (long long)w[i].recorded },
			{ "limited", PS_F_INT, NULL, (long long)w[i].limited },
			{ "rate", PS_F_INT, NULL, w[i].rate },
		};
		char rate[24] = "";

		if (w[i].rate)
			snprintf(rate, sizeof(rate), " rate=%d", w[i].rate);
		ps_emit(c->sink, PS_REC_MESSAGE, NULL, fl, 7,
			"%s: %s, %d queue%s (%s): %lu wakes, %lu recorded, %lu over the rate "
			"limit%s",
			w[i].name, w[i].file, w[i].heads, w[i].heads == 1 ? "" : "s", w[i].queues,
			w[i].wakes, w[i].recorded, w[i].limited, rate);
	}
	free(w);
	if (!n)
		ps_emit(c->sink, PS_REC_MESSAGE, NULL, NULL, 0,
			"no watches (watch PID FD, or watch NAME)");
	return 0;
}

static int cmd_watch(struct ps_cmdctx *c)
{
	struct ps_optval val[PS_CMD_MAX_OPTS];
	int rest[8], nrest = 0, pid, fd;
	const char *name = NULL;
	char err[256];

	if (c->argc > 8)
		return ps_cmd_error(c, _("too many arguments"));
	if (ps_cmd_parse_opts(c, 0, val, rest, &nrest) < 0)
		return -1;
	if (val[W_NAME].set) {
		if (ps_name_check(val[W_NAME].str, err, sizeof(err)) < 0)
			return ps_cmd_error(c, _("name=%s: %s"), val[W_NAME].str, err);
		name = val[W_NAME].str;
	}
	if (nrest == 0) {
		if (val[W_NAME].set || val[W_RATE].set)
			return ps_cmd_error(c, _("which file? watch PID FD, or watch NAME"));
		return watch_list(c);
	}
	if (nrest == 1) {
		if (name)
			return ps_cmd_error(
				c, _("name= is for watch PID FD (watch NAME is called NAME)"));
		return watch_object(c, c->argv[rest[0]], val[W_RATE].set ? val[W_RATE].num : 0);
	}
	if (nrest > 2)
		return ps_cmd_error(c, _("too many arguments: watch PID FD, or watch NAME"));
	if (ps_parse_uint(c->argv[rest[0]], &pid) < 0 || pid == 0)
		return ps_cmd_error(c, _("bad pid '%s': a process id"), c->argv[rest[0]]);
	if (ps_parse_uint(c->argv[rest[1]], &fd) < 0)
		return ps_cmd_error(c, _("bad fd '%s': a file descriptor number"),
				    c->argv[rest[1]]);
	return watch_pid_fd(c, pid, fd, name, val[W_RATE].set ? val[W_RATE].num : 0);
}

static int cmd_unwatch(struct ps_cmdctx *c)
{
	for (int i = 0; i < c->argc; i++) {
		char line[64], err[128];
		const char *name = c->argv[i];
		struct ps_obj *r = ps_real_find(&c->s->reals, name);
		int e;

		if (ps_name_check(name, err, sizeof(err)) < 0)
			return ps_cmd_error(c, _("bad name '%s': %s"), name, err);
		snprintf(line, sizeof(line), "del %s", name);
		if (watch_write(c, line, &e) < 0) {
			if (e == ENOENT)
				return ps_cmd_error(c, _("no watch named '%s' (watch lists them)"),
						    name);
			return ps_cmd_error(c, _("unwatch %s: %s"), name, strerror(e));
		}
		if (r && r->ops->nends > 1) {
			snprintf(line, sizeof(line), "del %.29s.1", name);
			watch_write(c, line, &e); /* the second end's, if it was watched */
		}
		{
			struct ps_field f[1] = { { "watch", PS_F_STR, name, 0 } };
			ps_emit(c->sink, PS_REC_MESSAGE, NULL, f, 1, "unwatched %s", name);
		}
	}
	return 0;
}

const struct ps_cmd ps_cmd_watch = {
	.name = "watch",
	.args = "[PID FD | NAME]",
	.help = N_("every wake on the wait queues of any process's file, live"),
	.long_help =
		"watch PID FD: the module hooks an entry on every wait queue the file's poll\n"
		"method uses (as epoll does, at the head of the queue) and records each wake as\n"
		"an event of type watch: the key, the waker (pid and comm, or irq/softirq), its\n"
		"call site, and the entries on the queue then, with what the wake does to each\n"
		"(wake, skip: key misses, stop: the exclusive entry a wake_up() stops at, after).\n"
		"The watched file behaves as unwatched; when its owners close it the watch ends\n"
		"within the module's watch_check_ms (an event says so). watch NAME: an object of\n"
		"this session. watch alone lists the watches. Needs ptrace access and root.",
	.examples = "watch 93 4   watch 93 0 name=tty rate=100   watch e   watch",
	.min_args = 0,
	.max_args = 8,
	.exec = cmd_watch,
	.needs_module = true,
	.opts = watch_opts,
};

const struct ps_cmd ps_cmd_unwatch = {
	.name = "unwatch",
	.args = "NAME...",
	.help = N_("end watches (their entries leave the queues)"),
	.long_help = "Ends the watches named (watch lists them); an event of type watch says so.",
	.min_args = 1,
	.max_args = -1,
	.exec = cmd_unwatch,
	.needs_module = true,
};
