/*
 * Wait queues behind any process's fds (pidfd_open + pidfd_getfd, then the
 * module's inspect file),
 * with what the process is blocked in (/proc/PID/syscall, its pollfd array or
 * fd_sets read with process_vm_readv, its epoll instance's fdinfo).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "i18n.h"
#include "inspect.h"
#include "objtype.h"
#include "parse.h"
#include "procinfo.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_kcmp
#define SYS_kcmp 312
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#define MAX_WAIT_FDS 4096

/* ------------------------------------------------------ head labels */

/* What a head is, when the kind of file tells (the order poll_wait is called
 * in the kernel's poll methods). accmode: O_RDONLY/O_WRONLY/O_RDWR or -1.
 * The labels are copied, not formatted: waits labels 20,000 heads. */
void ps_head_label(const char *kind, int accmode, int idx, int nheads, char *buf, size_t len)
{
	const struct ps_objtype_ops *t = ps_objtype_find(kind);

	if (!strcmp(kind, "fifo")) /* a named pipe: pipe_poll as well */
		t = &ps_obj_pipe;
	if (t == &ps_obj_pipe) {
		/* pipe_poll: rd_wait if FMODE_READ, then wr_wait if FMODE_WRITE */
		bool rd = accmode == O_RDONLY || accmode == O_RDWR;
		ps_copy_or(buf, len, t->queue_label[(accmode == O_RDWR ? idx == 0 : rd) ? 0 : 1],
			   "");
	} else if (t && t->held && t->nends == 1 && t->queue_label[0]) {
		ps_copy_or(buf, len, t->queue_label[0], ""); /* eventfd, timerfd */
	} else if (!strcmp(kind, "socket")) {
		ps_copy_or(buf, len,
			   nheads == 1 || idx == 0 ? "socket wait queue (sk->sk_wq)"
						   : "peer's wait queue (unix dgram peer_wait)",
			   "");
	} else if (!strcmp(kind, "tty")) {
		if (nheads == 2)
			ps_copy_or(buf, len, idx == 0 ? "tty->read_wait" : "tty->write_wait", "");
		else
			snprintf(buf, len, "tty wait queue %d", idx);
	} else if (!strcmp(kind, "eventpoll")) {
		ps_copy_or(buf, len, "epoll ep->poll_wait (nested epoll)", "");
	} else if (!strcmp(kind, "signalfd")) {
		ps_copy_or(buf, len, "signalfd: the task's sighand->signalfd_wqh", "");
	} else if (!strcmp(kind, "pidfd")) {
		ps_copy_or(buf, len, "pidfd: the task's signal->wait_pidfd", "");
	} else {
		snprintf(buf, len, "wait queue head %d", idx);
	}
}

/* ------------------------------------------------- inspect PID [FD] */

void ps_inspection_free(struct ps_inspection *in)
{
	for (size_t i = 0; i < in->nfds; i++)
		free(in->fds[i].watch);
	for (size_t i = 0; i < in->nthreads; i++) {
		free(in->threads[i].callfds);
		free(in->threads[i].callevents);
	}
	free(in->threads);
	free(in->stale);
	free(in->fds);
	free(in->heads);
	free(in->entries);
	memset(in, 0, sizeof(*in));
}

static int push(void **arr, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 16;
		void *p = realloc(*arr, nc * size);
		if (!p)
			return -1;
		*arr = p;
		*cap = nc;
	}
	(*n)++;
	return 0;
}

static int cmp_watch(const void *a, const void *b)
{
	const struct ps_watch_item *x = a, *y = b;

	if (x->tfd != y->tfd)
		return x->tfd < y->tfd ? -1 : 1;
	return strcmp(x->fid, y->fid);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

/* The fds one call waits on: appended, then sorted by fd with the events of
 * repeated fds merged (waitset_finish). Grows as needed: a poll(2) of 65,536
 * entries or an epoll of as many registrations is listed whole. */
struct waitset {
	size_t n, cap;
	int *fds;
	uint32_t *events;
	bool oom;
};

static void waitset_add(struct waitset *w, int fd, uint32_t ev)
{
	if (w->n == w->cap) {
		size_t nc = w->cap ? 2 * w->cap : 64;
		int *f = realloc(w->fds, nc * sizeof(*f));
		uint32_t *e;

		if (!f) {
			w->oom = true;
			return;
		}
		w->fds = f;
		e = realloc(w->events, nc * sizeof(*e));
		if (!e) {
			w->oom = true;
			return;
		}
		w->events = e;
		w->cap = nc;
	}
	w->fds[w->n] = fd;
	w->events[w->n++] = ev;
}

struct fdev {
	int fd;
	uint32_t ev;
	size_t order;
};

static int cmp_fdev(const void *a, const void *b)
{
	const struct fdev *x = a, *y = b;

	if (x->fd != y->fd)
		return x->fd < y->fd ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Sort by fd and merge repeats. keep_order: only merge (epoll's fdinfo order). */
static void waitset_finish(struct waitset *w)
{
	struct fdev *v;
	size_t o = 0;

	if (w->n < 2)
		return;
	v = malloc(w->n * sizeof(*v));
	if (!v) {
		w->oom = true;
		return;
	}
	for (size_t i = 0; i < w->n; i++)
		v[i] = (struct fdev){ w->fds[i], w->events[i], i };
	qsort(v, w->n, sizeof(*v), cmp_fdev);
	for (size_t i = 0; i < w->n; i++) {
		if (o && w->fds[o - 1] == v[i].fd) {
			w->events[o - 1] |= v[i].ev;
			continue;
		}
		w->fds[o] = v[i].fd;
		w->events[o++] = v[i].ev;
	}
	w->n = o;
	free(v);
}

static long waitset_find(const struct waitset *w, int fd)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (w->fds[mid] == fd)
			return (long)mid;
		if (w->fds[mid] < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int peek_errno; /* the last process_vm_readv failure, for blocked_call */

static ssize_t peek(pid_t pid, unsigned long long addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		peek_errno = errno;
	return n;
}

/* A timespec (or timeval: usec) at addr as ms: -1 for NULL (no timeout), -2
 * if unreadable. */
static long long peek_timeout(pid_t pid, unsigned long long addr, bool usec)
{
	long long t[2];

	if (!addr)
		return -1;
	if (peek(pid, addr, t, sizeof(t)) != (ssize_t)sizeof(t))
		return -2;
	return t[0] * 1000 + (usec ? t[1] / 1000 : t[1] / 1000000);
}

static void describe_waitset(char *out, size_t len, const struct waitset *w, int epfd)
{
	char m[PS_MASK_TEXT];

	if (epfd >= 0)
		ps_appendf(out, len, ": fd %d (the epoll instance)", epfd);
	for (size_t i = 0; i < w->n; i++) {
		bool first = i == 0 && epfd < 0;

		if (i == 8) {
			ps_appendf(out, len, ", ... (%zu fds)", w->n);
			break;
		}
		ps_appendf(out, len, "%s fd %d (%s)", first ? ":" : ",", w->fds[i],
			   ps_mask_format(w->events[i], m, sizeof(m)));
	}
}

/* The most pollfd entries or select bits read from a process (poll's nfds
 * is bounded by RLIMIT_NOFILE, itself at most fs.nr_open). */
#define MAX_CALL_FDS (1L << 22)

/* select's three fd_sets: in (read set), out (write set), pri (except set). */
static void read_fdsets(pid_t pid, const struct ps_syscall *sc, struct waitset *w,
			struct ps_thread *t)
{
	long nfds = (long)sc->args[0];
	static const uint32_t ev[3] = { 0x1, 0x4, 0x2 };
	size_t bytes;

	if (nfds <= 0)
		return;
	if (nfds > MAX_CALL_FDS) {
		t->left = nfds - MAX_CALL_FDS;
		snprintf(t->left_why, sizeof(t->left_why), "fds past %ld not read", MAX_CALL_FDS);
		nfds = MAX_CALL_FDS;
	}
	bytes = (size_t)((nfds + 63) / 64) * 8;
	for (int set = 0; set < 3; set++) {
		unsigned long long addr = sc->args[1 + set];
		unsigned char *bits;
		if (!addr)
			continue;
		bits = calloc(1, bytes);
		if (!bits) {
			w->oom = true;
			return;
		}
		if (peek(pid, addr, bits, bytes) == (ssize_t)bytes) {
			for (long fd = 0; fd < nfds; fd++)
				if (bits[fd / 8] & (1u << (fd % 8)))
					waitset_add(w, (int)fd, ev[set]);
		}
		free(bits);
	}
}

static void read_pollfds(pid_t pid, const struct ps_syscall *sc, struct waitset *w,
			 struct ps_thread *t)
{
	unsigned long long nfds = sc->args[1], done = 0;
	struct pollfd *p;
	const size_t chunk = 65536;

	if (nfds > (unsigned long long)MAX_CALL_FDS) {
		t->left = (long)(nfds - MAX_CALL_FDS);
		snprintf(t->left_why, sizeof(t->left_why), "entries past %ld not read",
			 MAX_CALL_FDS);
		nfds = MAX_CALL_FDS;
	}
	if (nfds == 0)
		return;
	/* in chunks: the tool's memory stays small however long the array */
	p = calloc(chunk, sizeof(*p));
	if (!p) {
		w->oom = true;
		return;
	}
	while (done < nfds) {
		size_t n = nfds - done < chunk ? (size_t)(nfds - done) : chunk;
		ssize_t got = peek(pid, sc->args[0] + done * sizeof(*p), p, n * sizeof(*p));

		if (got != (ssize_t)(n * sizeof(*p))) {
			t->left = (long)(nfds - done);
			snprintf(t->left_why, sizeof(t->left_why),
				 "entries from %llu on not readable in its memory", done);
			break;
		}
		for (size_t i = 0; i < n; i++)
			if (p[i].fd >= 0)
				waitset_add(w, p[i].fd, (uint16_t)p[i].events);
		done += n;
	}
	free(p);
}

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */

/* /proc/PID/task/TID/stat: state, comm and flags (field 9). -1 if unreadable. */
static int task_stat(pid_t pid, pid_t tid, char *state, char *comm, size_t clen,
		     unsigned long *flags)
{
	char path[96], *text, *p, *l;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	text = ps_read_file(path, NULL);
	if (!text)
		return -1;
	l = strchr(text, '(');
	p = strrchr(text, ')'); /* comm may hold spaces and ')' */
	*flags = 0;
	*state = '-';
	if (!l || !p || p < l || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %lu", state, flags) != 2) {
		free(text);
		return -1;
	}
	snprintf(comm, clen, "%.*s", (int)(p - l - 1), l + 1);
	free(text);
	return 0;
}

/* The wchan exactly as the kernel names it (libproc2 trims underscores). */
static void read_wchan(const char *path, char *buf, size_t len)
{
	char *text = ps_read_file(path, NULL);

	if (text) {
		text[strcspn(text, "\n")] = '\0';
		if (text[0] && strcmp(text, "0") != 0)
			snprintf(buf, len, "%s", text);
		else
			snprintf(buf, len, "-");
	}
	free(text);
}

/* What one thread is blocked in: fills t (syscall, waiting, the call's fds)
 * and w (the fds it waits on, by number). */
static void blocked_call(pid_t pid, struct ps_thread *t, struct waitset *w)
{
	char path[96], *text;
	struct ps_syscall sc;
	unsigned long flags = 0;
	const char *name;
	char tstate;

	snprintf(t->syscall, sizeof(t->syscall), "-");
	t->epfd = -1;
	t->timeout_ms = -2;
	if (task_stat(pid, t->tid, &tstate, t->comm, sizeof(t->comm), &flags) == 0)
		t->state = tstate;
	if (flags & PF_KTHREAD) {
		/* its /proc/PID/syscall reads "0 0x0 ...": zeroed user registers,
		 * not a read(2) */
		snprintf(t->waiting, sizeof(t->waiting),
			 "the kernel: a kernel thread (no user system call, no fds)");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)t->tid);
	text = ps_read_file(path, NULL);
	if (!text) {
		if (errno == EACCES || errno == EPERM)
			snprintf(t->waiting, sizeof(t->waiting),
				 "(its system call is not readable: permission denied)");
		return;
	}
	if (ps_parse_syscall(text, &sc) < 0 || sc.running || !sc.in_syscall) {
		free(text);
		return;
	}
	free(text);
	name = ps_syscall_name(sc.nr);
	if (!name) {
		snprintf(t->syscall, sizeof(t->syscall), "syscall %ld", sc.nr);
		return;
	}
	snprintf(t->syscall, sizeof(t->syscall), "%s", name);
	t->fd_call = true;
	if (!strcmp(name, "poll") || !strcmp(name, "ppoll")) {
		if (!strcmp(name, "poll")) {
			t->timeout_ms = (int)sc.args[2] < 0 ? -1 : (int)sc.args[2];
			snprintf(t->waiting, sizeof(t->waiting), "poll(nfds=%llu, timeout=%d)",
				 sc.args[1], (int)sc.args[2]);
		} else {
			t->timeout_ms = peek_timeout(pid, sc.args[2], false);
			snprintf(t->waiting, sizeof(t->waiting), "ppoll(nfds=%llu, %s)", sc.args[1],
				 sc.args[2] ? "with a timeout" : "no timeout");
		}
		read_pollfds(pid, &sc, w, t);
	} else if (!strcmp(name, "select") || !strcmp(name, "pselect6")) {
		t->timeout_ms = peek_timeout(pid, sc.args[4], !strcmp(name, "select"));
		snprintf(t->waiting, sizeof(t->waiting), "%s(nfds=%d, %s)", name, (int)sc.args[0],
			 sc.args[4] ? "with a timeout" : "no timeout");
		read_fdsets(pid, &sc, w, t);
	} else if (!strncmp(name, "epoll_", 6)) {
		struct ps_fdinfo_tfd *items = NULL;
		long n;

		t->epfd = (int)sc.args[0];
		if (!strcmp(name, "epoll_pwait2"))
			t->timeout_ms = peek_timeout(pid, sc.args[3], false);
		else
			t->timeout_ms = (int)sc.args[3] < 0 ? -1 : (int)sc.args[3];
		snprintf(t->waiting, sizeof(t->waiting), "%s(epfd=%d, maxevents=%d)", name, t->epfd,
			 (int)sc.args[2]);
		/* the registrations as the kernel lists them (all of them: fdinfo is
		 * a seq_file); which files they are is settled by file identity
		 * once every fd is inspected (mark_epoll) */
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, t->epfd);
		text = ps_read_file(path, NULL);
		n = text ? ps_parse_epoll_fdinfo_all(text, &items) : 0;
		free(text);
		if (n < 0)
			w->oom = true;
		for (long i = 0; i < n; i++)
			waitset_add(w, items[i].tfd, items[i].events);
		free(items);
	} else if (!strcmp(name, "read") || !strcmp(name, "pread64") || !strcmp(name, "readv") ||
		   !strncmp(name, "recv", 4) || !strncmp(name, "accept", 6)) {
		t->timeout_ms = -1;
		snprintf(t->waiting, sizeof(t->waiting), "%s(fd=%d)", name, (int)sc.args[0]);
		waitset_add(w, (int)sc.args[0], 0x1);
	} else if (!strcmp(name, "write") || !strcmp(name, "pwrite64") || !strcmp(name, "writev") ||
		   !strncmp(name, "send", 4) || !strcmp(name, "connect")) {
		/* a full pipe or socket buffer: it sleeps until there is room (POLLOUT) */
		t->timeout_ms = -1;
		snprintf(t->waiting, sizeof(t->waiting), "%s(fd=%d)", name, (int)sc.args[0]);
		waitset_add(w, (int)sc.args[0], 0x4);
	} else {
		t->fd_call = false;
		return; /* a wait that involves no fd: wait4, futex, nanosleep, ... */
	}
	if (peek_errno) {
		/* e.g. ENOSYS: a kernel without CONFIG_CROSS_MEMORY_ATTACH */
		ps_appendf(t->waiting, sizeof(t->waiting),
			   " (cannot read its fd list from its memory: process_vm_readv: %s)",
			   strerror(peek_errno));
		peek_errno = 0;
		return;
	}
	waitset_finish(w);
	describe_waitset(t->waiting, sizeof(t->waiting), w, t->epfd);
	if (t->left)
		ps_appendf(t->waiting, sizeof(t->waiting), " (%ld %s)", t->left, t->left_why);
	/* the call's fds for JSON: a copy, the waitset is the marking's */
	t->ncallfds = w->n;
	if (w->n) {
		t->callfds = malloc(w->n * sizeof(int));
		t->callevents = malloc(w->n * sizeof(uint32_t));
		if (!t->callfds || !t->callevents) {
			free(t->callfds);
			free(t->callevents);
			t->callfds = NULL;
			t->callevents = NULL;
			t->ncallfds = 0;
			w->oom = true;
			return;
		}
		memcpy(t->callfds, w->fds, w->n * sizeof(int));
		memcpy(t->callevents, w->events, w->n * sizeof(uint32_t));
	}
}

/* /proc/PID/status's Tgid: the thread group a TID belongs to, or -1. */
static pid_t tgid_of(pid_t tid)
{
	char path[64], *text, *p;
	pid_t r = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	text = ps_read_file(path, NULL);
	p = text ? strstr(text, "\nTgid:") : NULL;
	if (p)
		r = (pid_t)strtol(p + 6, NULL, 10);
	free(text);
	return r;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return x < y ? -1 : x > y;
}

/* The process's threads, the leader first. */
static int list_threads(pid_t pid, pid_t **out, size_t *n)
{
	char path[64];
	size_t cap = 0;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (de->d_name[0] == '.' || *end || tid <= 0)
			continue;
		if (*n == cap) {
			size_t nc = cap ? 2 * cap : 16;
			pid_t *p = realloc(*out, nc * sizeof(*p));
			if (!p) {
				closedir(d);
				return -1;
			}
			*out = p;
			cap = nc;
		}
		(*out)[(*n)++] = (pid_t)tid;
	}
	closedir(d);
	if (*n > 1)
		qsort(*out, *n, sizeof(pid_t), cmp_pid);
	for (size_t i = 1; i < *n; i++) { /* the leader (tid == pid) first */
		if ((*out)[i] == pid) {
			memmove(*out + 1, *out, i * sizeof(pid_t));
			(*out)[0] = pid;
			break;
		}
	}
	return 0;
}

static int list_fds(pid_t pid, int **out, int *n)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	int cap = 0;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long fd;
		if (de->d_name[0] == '.')
			continue;
		fd = strtol(de->d_name, &end, 10);
		if (*end || fd < 0)
			continue;
		if (*n == cap) {
			int nc = cap ? 2 * cap : 64;
			int *p = realloc(*out, (size_t)nc * sizeof(int));
			if (!p) {
				closedir(d);
				errno = ENOMEM;
				return -1;
			}
			*out = p;
			cap = nc;
		}
		(*out)[(*n)++] = (int)fd;
	}
	closedir(d);
	if (*n > 1)
		qsort(*out, (size_t)*n, sizeof(int), cmp_int);
	return 0;
}

static bool process_gone(pid_t pid, int pidfd)
{
	struct pollfd p = { pidfd, POLLIN, 0 };
	char path[64];

	/* a pidfd polls readable once the process has exited */
	if (pidfd >= 0 && poll(&p, 1, 0) == 1)
		return true;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return access(path, F_OK) != 0;
}

static int perm_error(pid_t pid, const char *comm, const char *what, int e, char *err,
		      size_t errlen)
{
	char en[24];

	snprintf(err, errlen,
		 _("pid %d (%s): permission denied (%s: %s): looking at another process's file "
		   "descriptors needs ptrace access to it, and the module's debugfs files need "
		   "root: run pollscope as root)"),
		 (int)pid, comm, what, ps_errno_name(e, en, sizeof(en)));
	return -1;
}

/* --------------------------------------- epoll registrations by identity */

/*
 * Which files an epoll instance really watches. fdinfo names each item by
 * the fd number it was registered under (tfd), but that number may have been
 * closed since, or reused for another file: the item stays as long as the
 * file is open anywhere (the classic "epoll watches a file I closed"). The
 * module gives each item's file identity (fid, a hash of the struct file),
 * and each fd's; the fds whose file is the item's are the ones waited on.
 */
struct fidmap {
	size_t n;
	struct fidref {
		unsigned long long fid;
		size_t idx; /* into in->fds */
	} * v;
};

static int cmp_fidref(const void *a, const void *b)
{
	const struct fidref *x = a, *y = b;

	if (x->fid != y->fid)
		return x->fid < y->fid ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static unsigned long long fid_num(const char *s)
{
	return s && *s ? strtoull(s, NULL, 16) : 0;
}

/* The first fd (lowest) holding file fid, or NULL. */
static struct ps_fd *fid_lookup(const struct fidmap *m, struct ps_inspection *in,
				unsigned long long fid)
{
	size_t lo = 0, hi = m->n;

	if (!fid)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->v[mid].fid < fid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->v[lo].fid == fid ? &in->fds[m->v[lo].idx] : NULL;
}

static struct ps_fd *fd_lookup(struct ps_inspection *in, int fd)
{
	size_t lo = 0, hi = in->nfds; /* fds are listed in order */

	if (in->nfds <= 2) /* inspect PID FD: FD and the epoll it may be watched by */
		for (size_t i = 0; i < in->nfds; i++)
			if (in->fds[i].fd == fd)
				return &in->fds[i];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (in->fds[mid].fd == fd)
			return &in->fds[mid];
		if (in->fds[mid].fd < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void mark(struct ps_fd *f, const struct ps_thread *t, uint32_t ev, int registered_as,
		 int via)
{
	if (!f->waited_on || f->wait_tid != t->tid)
		f->wait_threads++;
	if (!f->waited_on) {
		f->wait_tid = t->tid;
		snprintf(f->wait_call, sizeof(f->wait_call), "%s", t->syscall);
		f->registered_as = registered_as;
		f->via_epoll = via;
	}
	f->waited_on = true;
	f->wait_events |= ev;
}

#define EP_USER_EVENTS 0x0fffffffu /* without EPOLLEXCLUSIVE/WAKEUP/ONESHOT/ET */

static int push_stale(struct ps_inspection *in, size_t *cap, const struct ps_stale *st)
{
	if (push((void **)&in->stale, &in->nstale, cap, sizeof(*in->stale)) < 0)
		return -1;
	in->stale[in->nstale - 1] = *st;
	return 0;
}

/* Marks what epoll fd epfd watches (and, for nested epolls, what they watch)
 * for thread t. seen: one flag per in->fds, the epolls already followed for
 * t: the kernel forbids cycles and nests deeper than EP_MAX_NESTS (4), but
 * one nested epoll may be registered many times (dup'ed, or under several
 * epolls), and its files are marked once. */
static int mark_epoll(struct ps_inspection *in, const struct fidmap *m, const struct ps_thread *t,
		      int epfd, bool *seen, size_t *stcap)
{
	struct ps_fd *ep = fd_lookup(in, epfd);

	if (!ep || !ep->watch || seen[ep - in->fds])
		return 0;
	seen[ep - in->fds] = true;
	for (int i = 0; i < ep->nwatch; i++) {
		const struct ps_watch_item *x = &ep->watch[i];
		struct ps_fd *at = fd_lookup(in, x->tfd);
		/* the fd it was registered as, when that still holds the file
		 * (several fds of one file may each be registered) */
		struct ps_fd *file = at && at->fid[0] && !strcmp(at->fid, x->fid)
					     ? at
					     : fid_lookup(m, in, fid_num(x->fid));
		uint32_t ev = x->events & EP_USER_EVENTS;

		if (!at || !at->fid[0] || strcmp(at->fid, x->fid) != 0) {
			/* the number no longer names the registered file */
			struct ps_stale st = { epfd, x->tfd, x->events, !at || at->link[0] == '?',
					       file ? file->fd : -1 };
			if (at && !at->fid[0] && at->inspected == false && at->link[0] != '?') {
				/* not inspected: we cannot tell; say nothing wrong */
				continue;
			}
			if (push_stale(in, stcap, &st) < 0)
				return -1;
		}
		if (!file)
			continue;
		mark(file, t, ev, x->tfd != file->fd ? x->tfd : -1, epfd);
		if (file->watch) /* a nested epoll: its files too */
			if (mark_epoll(in, m, t, file->fd, seen, stcap) < 0)
				return -1;
	}
	return 0;
}

/* Where each epoll fd's items are now (ps_watch_item.at_fd), for its
 * listing: the fd a registered file is open at, when the module's file
 * identities say so; unknown (-2) where an fd's identity was not asked. */
static void locate_watched(struct ps_inspection *in, const struct fidmap *m)
{
	bool all_known = true; /* every open fd's identity is known */

	for (size_t i = 0; i < in->nfds; i++)
		if (!in->fds[i].fid[0] && in->fds[i].link[0] != '?')
			all_known = false;
	for (size_t i = 0; i < in->nfds; i++) {
		for (int j = 0; j < in->fds[i].nwatch; j++) {
			struct ps_watch_item *x = &in->fds[i].watch[j];
			const struct ps_fd *at = fd_lookup(in, x->tfd), *file;

			if (at && at->fid[0] && !strcmp(at->fid, x->fid)) {
				x->at_fd = x->tfd;
				continue;
			}
			file = fid_lookup(m, in, fid_num(x->fid));
			if (file)
				x->at_fd = file->fd;
			else if (!x->fid[0] || !all_known)
				x->at_fd = -2; /* some fd's file is of no known identity */
			else
				x->at_fd = -1;
		}
	}
}

/* Marks the fds each thread waits on: by number for poll, select, read and
 * write (the numbers it passed are the ones it uses), by file identity for
 * epoll. */
static int mark_waits(struct ps_inspection *in, struct waitset *ws, bool all_fds)
{
	struct fidmap m = { 0, NULL };
	bool *seen = NULL;
	size_t stcap = 0;
	int rc = 0;

	if (in->nfds) {
		m.v = malloc(in->nfds * sizeof(*m.v));
		if (!m.v)
			return -1;
	}
	for (size_t i = 0; i < in->nfds; i++)
		if (in->fds[i].fid[0])
			m.v[m.n++] = (struct fidref){ fid_num(in->fds[i].fid), i };
	qsort(m.v, m.n, sizeof(*m.v), cmp_fidref);
	if (all_fds)
		locate_watched(in, &m);
	if (all_fds && in->nfds) {
		seen = malloc(in->nfds * sizeof(*seen));
		if (!seen) {
			free(m.v);
			return -1;
		}
	}
	for (size_t k = 0; k < in->nthreads; k++) {
		const struct ps_thread *t = &in->threads[k];
		struct ps_fd *ep = t->epfd >= 0 ? fd_lookup(in, t->epfd) : NULL;

		if (!t->fd_call)
			continue;
		if (ep && ep->watch && all_fds) {
			/* the thread sleeps on the instance's own queue (events 0) */
			mark(ep, t, 0, -1, -1);
			memset(seen, 0, in->nfds * sizeof(*seen));
			if (mark_epoll(in, &m, t, t->epfd, seen, &stcap) < 0) {
				rc = -1;
				break;
			}
			continue;
		}
		/* by number: poll, select, read, write; and epoll when the module
		 * cannot list the instance's items (another kernel) or only some
		 * fds were inspected (inspect PID FD) */
		for (size_t i = 0; i < in->nfds; i++) {
			struct ps_fd *f = &in->fds[i];
			long j = f->fd == t->epfd ? -2 : waitset_find(&ws[k], f->fd);

			if (j == -2)
				mark(f, t, 0, -1, -1);
			else if (j >= 0)
				mark(f, t, ws[k].events[j] & EP_USER_EVENTS, -1, t->epfd);
		}
		if (ep && ep->watch) {
			/* inspect PID FD: the item under this fd's number must be this
			 * fd's file; an item of this fd's file under another number */
			struct ps_fd *f = &in->fds[0];
			for (int i = 0; i < ep->nwatch; i++) {
				const struct ps_watch_item *x = &ep->watch[i];
				bool same = f->fid[0] && !strcmp(f->fid, x->fid);

				if (x->tfd == f->fd && !same && f->fd != t->epfd) {
					struct ps_stale st = { t->epfd, x->tfd, x->events, false,
							       -2 };
					f->waited_on = false;
					f->wait_events = 0;
					if (push_stale(in, &stcap, &st) < 0)
						rc = -1;
				} else if (same && x->tfd != f->fd) {
					mark(f, t, x->events & EP_USER_EVENTS, x->tfd, t->epfd);
				}
			}
		}
	}
	free(seen);
	free(m.v);
	return rc;
}

/* The module's inspect of fd of the process (through a pidfd_getfd copy),
 * for an epoll fd that inspect PID FD does not list: its items. */
static int inspect_aside(struct ps_debugfs *d, int pidfd, int fd, struct ps_fd_inspect *fi,
			 char *err, size_t errlen)
{
	int dup = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0), r;

	if (dup < 0)
		return -1;
	r = ps_dfs_inspect(d, dup, 0, fi, err, errlen);
	close(dup);
	return r;
}

/* The first inspected fd of each (dev, ino, access mode): an open-addressing
 * table of indexes into in->fds. */
struct samefile {
	size_t cap, n;
	size_t *slot; /* index + 1, 0 = empty */
};

static size_t sf_hash(const struct ps_fd *f)
{
	unsigned long long h = (unsigned long long)f->ino * 0x9e3779b97f4a7c15ull;

	h ^= (unsigned long long)f->dev * 0xc2b2ae3d27d4eb4full + (unsigned)f->acc_mode;
	return (size_t)(h ^ (h >> 29));
}

/* f = in->fds[idx]: the fd of an earlier fd of its file, else -1 (and f is
 * remembered as its file's first); -2 out of memory. */
static int same_file(struct samefile *sf, struct ps_inspection *in, size_t idx)
{
	const struct ps_fd *f = &in->fds[idx];
	size_t i;

	if (2 * (sf->n + 1) > sf->cap) {
		size_t nc = sf->cap ? 2 * sf->cap : 256;
		size_t *ns = calloc(nc, sizeof(*ns));

		if (!ns)
			return -2;
		for (size_t k = 0; k < sf->cap; k++) {
			if (!sf->slot[k])
				continue;
			for (i = sf_hash(&in->fds[sf->slot[k] - 1]) % nc; ns[i]; i = (i + 1) % nc)
				;
			ns[i] = sf->slot[k];
		}
		free(sf->slot);
		sf->slot = ns;
		sf->cap = nc;
	}
	for (i = sf_hash(f) % sf->cap; sf->slot[i]; i = (i + 1) % sf->cap) {
		const struct ps_fd *g = &in->fds[sf->slot[i] - 1];

		if (g->ino == f->ino && g->dev == f->dev && g->acc_mode == f->acc_mode)
			return g->fd;
	}
	sf->slot[i] = idx + 1;
	sf->n++;
	return -1;
}

int ps_inspect_pid(struct ps_debugfs *(*module)(void *ctx, char *err, size_t errlen), void *ctx,
		   pid_t pid, int onlyfd, struct ps_inspection *in, char *err, size_t errlen)
{
	struct samefile sf = { 0, 0, NULL };
	bool any_epoll = false;
	struct ps_debugfs *d = NULL;
	struct ps_procinfo pi;
	struct waitset *ws = NULL;
	int pidfd = -1, *fds = NULL, nfds = 0, probe;
	size_t cfds = 0, cheads = 0, centries = 0;
	pid_t *tids = NULL, tgid;
	size_t ntids = 0;
	char path[64];
	int rc = -1;

	memset(in, 0, sizeof(*in));
	/* a thread that is not its group's leader: pidfd_open refuses its id
	 * (EINVAL), and its fds are its process's: inspect the process */
	tgid = pid > 0 ? tgid_of(pid) : -1;
	if (tgid > 0 && tgid != pid) {
		in->asked_tid = pid;
		pid = tgid;
	}
	in->pid = pid;
	if (pid <= 0 || ps_procinfo_get(pid, &pi) < 0) {
		snprintf(err, errlen, _("no process with pid %d"), (int)pid);
		return -1;
	}
	snprintf(in->comm, sizeof(in->comm), "%s", pi.comm);
	in->state = pi.state;
	snprintf(in->wchan, sizeof(in->wchan), "%s", pi.wchan);
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	read_wchan(path, in->wchan, sizeof(in->wchan));
	if (pi.state == 'Z') {
		snprintf(err, errlen, _("pid %d (%s) has exited (a zombie): it has no fds left"),
			 (int)pid, pi.comm);
		return -1;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		if (errno == ESRCH)
			snprintf(err, errlen, _("pid %d (%s) has exited"), (int)pid, pi.comm);
		else
			snprintf(err, errlen, _("pidfd_open(%d): %s"), (int)pid, strerror(errno));
		return -1;
	}
	/* pidfd_getfd checks ptrace access before it looks at the fd number:
	 * an fd that cannot exist tells permission from absence at once */
	probe = (int)syscall(SYS_pidfd_getfd, pidfd, 0x7fffffff, 0);
	if (probe >= 0) {
		close(probe);
	} else if (errno == EPERM) {
		perm_error(pid, pi.comm, "pidfd_getfd", EPERM, err, errlen);
		goto out;
	} else if (errno == ESRCH) {
		snprintf(err, errlen, _("pid %d (%s) has exited"), (int)pid, pi.comm);
		goto out;
	}
	if (onlyfd >= 0) {
		char link[8];
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, onlyfd);
		if (readlink(path, link, sizeof(link)) < 0) {
			if (errno == EACCES || errno == EPERM) {
				perm_error(pid, pi.comm, "/proc/PID/fd", errno, err, errlen);
			} else if (process_gone(pid, pidfd)) {
				snprintf(err, errlen, _("pid %d (%s) has exited"), (int)pid,
					 pi.comm);
			} else {
				snprintf(err, errlen, _("pid %d (%s) has no fd %d"), (int)pid,
					 pi.comm, onlyfd);
			}
			goto out;
		}
		fds = malloc(sizeof(int));
		if (!fds)
			goto oom;
		fds[0] = onlyfd;
		nfds = 1;
	} else if (list_fds(pid, &fds, &nfds) < 0) {
		if (errno == EACCES || errno == EPERM)
			perm_error(pid, pi.comm, "/proc/PID/fd", errno, err, errlen);
		else if (process_gone(pid, pidfd))
			snprintf(err, errlen, _("pid %d (%s) has exited"), (int)pid, pi.comm);
		else
			snprintf(err, errlen, _("cannot list /proc/%d/fd: %s"), (int)pid,
				 strerror(errno));
		goto out;
	}

	/* every thread's call: the leader may sit in pthread_join (futex) while
	 * a worker sleeps in epoll_wait */
	if (list_threads(pid, &tids, &ntids) < 0 || ntids == 0) {
		free(tids);
		tids = malloc(sizeof(pid_t));
		if (!tids)
			goto oom;
		tids[0] = pid;
		ntids = 1;
	}
	in->threads = calloc(ntids, sizeof(*in->threads));
	ws = calloc(ntids, sizeof(*ws));
	if (!in->threads || !ws)
		goto oom;
	in->nthreads = ntids;
	for (size_t k = 0; k < ntids; k++) {
		struct ps_thread *t = &in->threads[k];

		t->tid = tids[k];
		t->state = '-';
		snprintf(t->wchan, sizeof(t->wchan), "-");
		snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", (int)pid, (int)t->tid);
		read_wchan(path, t->wchan, sizeof(t->wchan));
		blocked_call(pid, t, &ws[k]);
		if (ws[k].oom)
			goto oom;
		if (t->state == 'T' || t->state == 't') {
			/* it sleeps in the stop, not in its call: the call restarts (or
			 * goes on) when the process is continued */
			char call[sizeof(t->waiting)];
			snprintf(call, sizeof(call), "%s", t->waiting);
			if (!call[0] && strcmp(t->syscall, "-") != 0)
				snprintf(call, sizeof(call), "%s", t->syscall);
			snprintf(t->waiting, sizeof(t->waiting), "nothing: %s (state %c)%s%s",
				 t->state == 't' ? "stopped by its tracer" : "stopped by a signal",
				 t->state, call[0] ? "; when continued it resumes in " : "", call);
		}
	}
	for (size_t k = 0; k < ntids; k++)
		any_epoll |= in->threads[k].epfd >= 0;
	/* the process's line: its leader's call */
	snprintf(in->syscall, sizeof(in->syscall), "%s", in->threads[0].syscall);
	snprintf(in->waiting, sizeof(in->waiting), "%s", in->threads[0].waiting);

	for (int i = 0; i < nfds; i++) {
		struct ps_fd *f;
		struct ps_fd_inspect fi;
		char e2[256];
		int dup, acc;
		ssize_t l;

		if (push((void **)&in->fds, &in->nfds, &cfds, sizeof(*in->fds)) < 0)
			goto oom;
		f = &in->fds[in->nfds - 1];
		memset(f, 0, sizeof(*f));
		f->pid = pid;
		f->fd = fds[i];
		f->first_head = (int)in->nheads;
		f->same_as = -1;
		f->registered_as = -1;
		f->via_epoll = -1;
		snprintf(f->mask, sizeof(f->mask), "-");
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fds[i]);
		l = readlink(path, f->link, sizeof(f->link) - 1);
		if (l < 0) {
			if (process_gone(pid, pidfd)) {
				in->nfds--;
				in->exited = true;
				break;
			}
			snprintf(f->link, sizeof(f->link), "?");
			snprintf(f->note, sizeof(f->note), "closed meanwhile");
			continue;
		}
		f->link[l] = '\0';
		snprintf(f->kind, sizeof(f->kind), "%s", ps_fd_kind(f->link));
		dup = (int)syscall(SYS_pidfd_getfd, pidfd, f->fd, 0);
		if (dup < 0) {
			int e = errno;
			if (e == ESRCH || process_gone(pid, pidfd)) {
				in->nfds--;
				in->exited = true;
				break;
			}
			if (e == EPERM) {
				perm_error(pid, pi.comm, "pidfd_getfd", e, err, errlen);
				goto out;
			}
			if (e == EBADF)
				snprintf(f->note, sizeof(f->note), "closed meanwhile");
			else
				snprintf(f->note, sizeof(f->note), "pidfd_getfd: %s", strerror(e));
			continue;
		}
		/* the access mode of the open file (the copy shares it): which of a
		 * pipe's queues its poll method uses */
		acc = fcntl(dup, F_GETFL);
		acc = acc < 0 ? -1 : acc & O_ACCMODE;
		{
			struct stat st;
			bool have_st = fstat(dup, &st) == 0;

			if (have_st && !strcmp(f->kind, "file") && S_ISFIFO(st.st_mode))
				snprintf(f->kind, sizeof(f->kind), "fifo");
			/* the same file through several fds (a shell's 0, 1 and 2 on one
			 * tty) has the same heads: say so rather than count them again.
			 * Anonymous-inode files (eventfd, epoll, ...) share one inode and
			 * are never taken for each other. */
			f->same_as = -1;
			if (have_st && strncmp(f->link, "anon_inode:", 11) != 0) {
				int acc_mode = acc;

				f->dev = st.st_dev;
				f->ino = st.st_ino;
				f->acc_mode = acc_mode;
				/* a hash of the first fd of each file: 65,536 fds of
				 * one pipe are not 2 billion comparisons */
				f->same_as = same_file(&sf, in, in->nfds - 1);
				if (f->same_as == -2)
					goto oom;
			}
		}
		if (f->same_as >= 0) {
			/* a file already inspected through an earlier fd: its heads,
			 * entries and mask are that fd's (a poller of 300 fds of one
			 * file is 300 entries once, not 300 x 300 through the module).
			 * Its identity is that fd's when kcmp says it is the same open
			 * file (a dup); another open of the same inode has its own,
			 * asked of the module only when an epoll may have registered
			 * it (a thread in epoll_wait). */
			const struct ps_fd *g = fd_lookup(in, f->same_as);
			int k = (int)syscall(SYS_kcmp, pid, pid, 0 /* KCMP_FILE */, f->same_as,
					     f->fd);

			if (g && (k == 0 || !any_epoll)) {
				close(dup);
				f->inspected = true;
				f->pollable = g->pollable;
				snprintf(f->mask, sizeof(f->mask), "%s", g->mask);
				snprintf(f->note, sizeof(f->note), "%s", g->note);
				if (k == 0)
					snprintf(f->fid, sizeof(f->fid), "%s", g->fid);
				f->heads = g->heads;
				f->entries = g->entries;
				in->sum_heads += f->heads;
				in->sum_entries += f->entries;
				continue;
			}
		}
		if (!d)
			d = module(ctx, e2, sizeof(e2));
		/* a signalfd reports the signals of whoever polls it: name the owner */
		if (!d || ps_dfs_inspect(d, dup, !strcmp(f->kind, "signalfd") ? pid : 0, &fi, e2,
					 sizeof(e2)) < 0) {
			close(dup);
			snprintf(err, errlen, "%s", e2);
			goto out;
		}
		close(dup);
		f->inspected = true;
		f->pollable = fi.h.poll;
		snprintf(f->fid, sizeof(f->fid), "%s", fi.h.fid);
		snprintf(f->mask, sizeof(f->mask), "%s", fi.h.mask);
		if (fi.h.reason[0]) /* the module says why it did not poll it */
			snprintf(f->note, sizeof(f->note), "not polled: %s", fi.h.reason);
		snprintf(f->epoll, sizeof(f->epoll), "%s", fi.h.epoll);
		f->watched = fi.nwatch;
		f->heads = fi.nheads;
		f->entries = (int)fi.nentries;
		in->sum_heads += f->heads;
		in->sum_entries += f->entries;
		f->watch_left = fi.watch_truncated;
		f->watch_left_more = fi.watch_truncated_more;
		if (fi.nwatch) { /* an epoll fd's items, matched to fds later */
			f->watch = fi.watch;
			f->nwatch = fi.nwatch;
			fi.watch = NULL;
			/* listed by fd number (the module gives the rbtree's order) */
			qsort(f->watch, (size_t)f->nwatch, sizeof(*f->watch), cmp_watch);
		}
		if (f->same_as >= 0) {
			/* its heads and entries are its file's, listed under that fd:
			 * kept once (a poller of 300 fds of one file has 300 entries
			 * on one queue, not 300 x 300) */
			ps_fd_inspect_free(&fi);
			continue;
		}
		f->listed = true;
		for (int h = 0; h < fi.nheads; h++) {
			struct ps_head *hd;
			if (push((void **)&in->heads, &in->nheads, &cheads, sizeof(*in->heads)) <
			    0) {
				ps_fd_inspect_free(&fi);
				goto oom;
			}
			hd = &in->heads[in->nheads - 1];
			memset(hd, 0, sizeof(*hd));
			hd->pid = pid;
			hd->fd = f->fd;
			hd->index = h;
			hd->entries = fi.head_entries[h];
			hd->truncated = fi.head_truncated[h];
			hd->truncated_more = fi.head_truncated_more[h];
			ps_head_label(f->kind, acc, h, fi.nheads, hd->label, sizeof(hd->label));
			if (!strcmp(fi.head_queue[h], "wq")) /* an epoll file: the module says */
				snprintf(hd->label, sizeof(hd->label),
					 "epoll ep->wq (threads in epoll_wait)");
		}
		for (size_t k = 0; k < fi.nentries; k++) {
			struct ps_entry *e;
			if (push((void **)&in->entries, &in->nentries, &centries,
				 sizeof(*in->entries)) < 0) {
				ps_fd_inspect_free(&fi);
				goto oom;
			}
			e = &in->entries[in->nentries - 1];
			*e = fi.entries[k];
			e->object[0] = '\0';
			e->head =
				f->first_head + (fi.entries[k].head >= 0 ? fi.entries[k].head : 0);
		}
		ps_fd_inspect_free(&fi);
	}
	if (!in->exited && onlyfd >= 0 && d) {
		/* inspect PID FD: the items of the epolls the threads wait in, to
		 * tell whether FD is one of their files */
		for (size_t k = 0; k < in->nthreads; k++) {
			struct ps_thread *t = &in->threads[k];
			struct ps_fd_inspect fi;
			char e2[256];

			if (t->epfd < 0 || t->epfd == onlyfd || in->nfds == 0 || in->fds[0].watch)
				continue;
			if (inspect_aside(d, pidfd, t->epfd, &fi, e2, sizeof(e2)) == 0 &&
			    fi.nwatch) {
				{
					/* a pseudo fd for the epoll: appended, removed below */
					struct ps_fd *ep;
					if (push((void **)&in->fds, &in->nfds, &cfds,
						 sizeof(*in->fds)) < 0) {
						ps_fd_inspect_free(&fi);
						goto oom;
					}
					ep = &in->fds[in->nfds - 1];
					memset(ep, 0, sizeof(*ep));
					ep->fd = t->epfd;
					ep->watch = fi.watch;
					ep->nwatch = fi.nwatch;
					fi.watch = NULL;
				}
			}
			ps_fd_inspect_free(&fi);
			break;
		}
	}
	if (mark_waits(in, ws, onlyfd < 0) < 0)
		goto oom;
	if (onlyfd >= 0)
		while (in->nfds > 1) { /* the pseudo epoll fd of inspect PID FD */
			free(in->fds[in->nfds - 1].watch);
			in->nfds--;
		}
	if (!in->exited && process_gone(pid, pidfd))
		in->exited = true;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, _("out of memory"));
out:
	if (rc < 0)
		ps_inspection_free(in);
	if (ws)
		for (size_t k = 0; k < ntids; k++) {
			free(ws[k].fds);
			free(ws[k].events);
		}
	free(ws);
	free(sf.slot);
	free(tids);
	free(fds);
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}
