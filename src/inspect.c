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

#include "inspect.h"
#include "objtype.h"
#include "procinfo.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#define MAX_WAIT_FDS 4096

/* ------------------------------------------------------ head labels */

/* What a head is, when the kind of file tells (the order poll_wait is called
 * in the kernel's poll methods). accmode: O_RDONLY/O_WRONLY/O_RDWR or -1. */
void ps_head_label(const char *kind, int accmode, int idx, int nheads, char *buf, size_t len)
{
	const struct ps_objtype_ops *t = ps_objtype_find(kind);

	if (!strcmp(kind, "fifo")) /* a named pipe: pipe_poll as well */
		t = &ps_obj_pipe;
	if (t == &ps_obj_pipe) {
		/* pipe_poll: rd_wait if FMODE_READ, then wr_wait if FMODE_WRITE */
		bool rd = accmode == O_RDONLY || accmode == O_RDWR;
		snprintf(buf, len, "%s",
			 t->queue_label[(accmode == O_RDWR ? idx == 0 : rd) ? 0 : 1]);
	} else if (t && t->held && t->nends == 1 && t->queue_label[0]) {
		snprintf(buf, len, "%s", t->queue_label[0]); /* eventfd, timerfd */
	} else if (!strcmp(kind, "socket")) {
		if (nheads == 1 || idx == 0)
			snprintf(buf, len, "socket wait queue (sk->sk_wq)");
		else
			snprintf(buf, len, "peer's wait queue (unix dgram peer_wait)");
	} else if (!strcmp(kind, "tty")) {
		if (nheads == 2)
			snprintf(buf, len, "%s", idx == 0 ? "tty->read_wait" : "tty->write_wait");
		else
			snprintf(buf, len, "tty wait queue %d", idx);
	} else if (!strcmp(kind, "eventpoll")) {
		snprintf(buf, len, "epoll ep->poll_wait (nested epoll)");
	} else if (!strcmp(kind, "signalfd")) {
		snprintf(buf, len, "signalfd: the task's sighand->signalfd_wqh");
	} else if (!strcmp(kind, "pidfd")) {
		snprintf(buf, len, "pidfd: the task's signal->wait_pidfd");
	} else {
		snprintf(buf, len, "wait queue head %d", idx);
	}
}

static int fd_accmode(pid_t pid, int fd)
{
	char path[64], *text;
	unsigned long long flags;
	int r = -1;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	text = ps_read_file(path, NULL);
	if (text && ps_fdinfo_get(text, "flags", 8, &flags) == 0)
		r = (int)(flags & O_ACCMODE);
	free(text);
	return r;
}

/* ------------------------------------------------- inspect PID [FD] */

void ps_inspection_free(struct ps_inspection *in)
{
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

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

struct waitset {
	int n;
	int fds[MAX_WAIT_FDS];
	uint32_t events[MAX_WAIT_FDS];
};

static void waitset_add(struct waitset *w, int fd, uint32_t ev)
{
	for (int i = 0; i < w->n; i++) {
		if (w->fds[i] == fd) {
			w->events[i] |= ev;
			return;
		}
	}
	if (w->n < MAX_WAIT_FDS) {
		w->fds[w->n] = fd;
		w->events[w->n++] = ev;
	}
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

static void describe_waitset(struct ps_inspection *in, const struct waitset *w)
{
	char m[PS_MASK_TEXT];

	for (int i = 0; i < w->n; i++) {
		if (i == 8) {
			ps_appendf(in->waiting, sizeof(in->waiting), ", ... (%d fds)", w->n);
			break;
		}
		if (w->events[i] == 0) /* the epoll instance itself */
			ps_appendf(in->waiting, sizeof(in->waiting),
				   "%s fd %d (the epoll instance)", i ? "," : ":", w->fds[i]);
		else
			ps_appendf(in->waiting, sizeof(in->waiting), "%s fd %d (%s)", i ? "," : ":",
				   w->fds[i], ps_mask_format(w->events[i], m, sizeof(m)));
	}
}

/* select's three fd_sets: in (read set), out (write set), pri (except set). */
static void read_fdsets(pid_t pid, const struct ps_syscall *sc, struct waitset *w)
{
	long nfds = (long)sc->args[0];
	static const uint32_t ev[3] = { 0x1, 0x4, 0x2 };
	size_t bytes;

	if (nfds <= 0 || nfds > 65536)
		return;
	bytes = (size_t)((nfds + 63) / 64) * 8;
	for (int set = 0; set < 3; set++) {
		unsigned long long addr = sc->args[1 + set];
		unsigned char *bits;
		if (!addr)
			continue;
		bits = calloc(1, bytes);
		if (!bits)
			return;
		if (peek(pid, addr, bits, bytes) == (ssize_t)bytes) {
			for (long fd = 0; fd < nfds; fd++)
				if (bits[fd / 8] & (1u << (fd % 8)))
					waitset_add(w, (int)fd, ev[set]);
		}
		free(bits);
	}
}

static void read_pollfds(pid_t pid, const struct ps_syscall *sc, struct waitset *w)
{
	unsigned long long nfds = sc->args[1];
	struct pollfd *p;

	if (nfds == 0 || nfds > MAX_WAIT_FDS)
		return;
	p = calloc((size_t)nfds, sizeof(*p));
	if (!p)
		return;
	if (peek(pid, sc->args[0], p, (size_t)nfds * sizeof(*p)) == (ssize_t)(nfds * sizeof(*p)))
		for (unsigned long long i = 0; i < nfds; i++)
			if (p[i].fd >= 0)
				waitset_add(w, p[i].fd, (uint16_t)p[i].events);
	free(p);
}

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */

/* /proc/PID/stat's flags (field 9), or 0 if unreadable. */
static unsigned long proc_flags(pid_t pid)
{
	char path[64], *text, *p;
	unsigned long flags = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	text = ps_read_file(path, NULL);
	p = text ? strrchr(text, ')') : NULL; /* comm may hold spaces and ')' */
	if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		flags = 0;
	free(text);
	return flags;
}

/* The wchan exactly as the kernel names it (libproc2 trims underscores). */
static void read_wchan(pid_t pid, char *buf, size_t len)
{
	char path[64], *text;

	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	text = ps_read_file(path, NULL);
	if (text) {
		text[strcspn(text, "\n")] = '\0';
		if (text[0] && strcmp(text, "0") != 0)
			snprintf(buf, len, "%s", text);
	}
	free(text);
}

/* What the process is blocked in: fills in->syscall, in->waiting and w. */
static void blocked_call(struct ps_inspection *in, struct waitset *w)
{
	char path[64], *text;
	struct ps_syscall sc;
	const char *name;

	snprintf(in->syscall, sizeof(in->syscall), "-");
	if (proc_flags(in->pid) & PF_KTHREAD) {
		/* its /proc/PID/syscall reads "0 0x0 ...": zeroed user registers,
		 * not a read(2) */
		snprintf(in->waiting, sizeof(in->waiting),
			 "the kernel: a kernel thread (no user system call, no fds)");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)in->pid);
	text = ps_read_file(path, NULL);
	if (!text) {
		if (errno == EACCES || errno == EPERM)
			snprintf(in->waiting, sizeof(in->waiting),
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
		snprintf(in->syscall, sizeof(in->syscall), "syscall %ld", sc.nr);
		return;
	}
	snprintf(in->syscall, sizeof(in->syscall), "%s", name);
	if (!strcmp(name, "poll") || !strcmp(name, "ppoll")) {
		if (!strcmp(name, "poll"))
			snprintf(in->waiting, sizeof(in->waiting), "poll(nfds=%llu, timeout=%d)",
				 sc.args[1], (int)sc.args[2]);
		else
			snprintf(in->waiting, sizeof(in->waiting), "ppoll(nfds=%llu, %s)",
				 sc.args[1], sc.args[2] ? "with a timeout" : "no timeout");
		read_pollfds(in->pid, &sc, w);
	} else if (!strcmp(name, "select") || !strcmp(name, "pselect6")) {
		snprintf(in->waiting, sizeof(in->waiting), "%s(nfds=%d, %s)", name, (int)sc.args[0],
			 sc.args[4] ? "with a timeout" : "no timeout");
		read_fdsets(in->pid, &sc, w);
	} else if (!strncmp(name, "epoll_", 6)) {
		int epfd = (int)sc.args[0];
		int tfds[256];
		uint32_t evs[256];
		int n;
		snprintf(in->waiting, sizeof(in->waiting), "%s(epfd=%d, maxevents=%d)", name, epfd,
			 (int)sc.args[2]);
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)in->pid, epfd);
		text = ps_read_file(path, NULL);
		n = text ? ps_parse_epoll_fdinfo(text, tfds, evs, 256) : 0;
		free(text);
		/* the epoll fd itself: the task sleeps on ep->wq, which its poll
		 * method does not show; the watched fds carry ep_poll_callback */
		waitset_add(w, epfd, 0);
		for (int i = 0; i < n; i++)
			waitset_add(w, tfds[i], evs[i]);

	} else if (!strcmp(name, "read") || !strcmp(name, "pread64") || !strcmp(name, "readv") ||
		   !strncmp(name, "recv", 4) || !strncmp(name, "accept", 6)) {
		snprintf(in->waiting, sizeof(in->waiting), "%s(fd=%d)", name, (int)sc.args[0]);
		waitset_add(w, (int)sc.args[0], 0x1);
	} else if (!strcmp(name, "write") || !strcmp(name, "pwrite64") || !strcmp(name, "writev") ||
		   !strncmp(name, "send", 4) || !strcmp(name, "connect")) {
		/* a full pipe or socket buffer: it sleeps until there is room (POLLOUT) */
		snprintf(in->waiting, sizeof(in->waiting), "%s(fd=%d)", name, (int)sc.args[0]);
		waitset_add(w, (int)sc.args[0], 0x4);
	} else {
		return; /* a wait that involves no fd: wait4, futex, nanosleep, ... */
	}
	if (peek_errno) {
		/* e.g. ENOSYS: a kernel without CONFIG_CROSS_MEMORY_ATTACH */
		ps_appendf(in->waiting, sizeof(in->waiting),
			   " (cannot read its fd list from its memory: process_vm_readv: %s)",
			   strerror(peek_errno));
		peek_errno = 0;
		return;
	}
	describe_waitset(in, w);
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
		 "pid %d (%s): permission denied (%s: %s): looking at another process's file "
		 "descriptors needs ptrace access to it, and the module's debugfs files need "
		 "root: run pollscope as root)",
		 (int)pid, comm, what, ps_errno_name(e, en, sizeof(en)));
	return -1;
}

int ps_inspect_pid(struct ps_debugfs *(*module)(void *ctx, char *err, size_t errlen), void *ctx,
		   pid_t pid, int onlyfd, struct ps_inspection *in, char *err, size_t errlen)
{
	struct ps_debugfs *d = NULL;
	struct ps_procinfo pi;
	struct waitset *w = NULL;
	int pidfd = -1, *fds = NULL, nfds = 0, probe;
	size_t cfds = 0, cheads = 0, centries = 0;
	char path[64];
	int rc = -1;

	memset(in, 0, sizeof(*in));
	in->pid = pid;
	if (pid <= 0 || ps_procinfo_get(pid, &pi) < 0) {
		snprintf(err, errlen, "no process with pid %d", (int)pid);
		return -1;
	}
	snprintf(in->comm, sizeof(in->comm), "%s", pi.comm);
	in->state = pi.state;
	snprintf(in->wchan, sizeof(in->wchan), "%s", pi.wchan);
	read_wchan(pid, in->wchan, sizeof(in->wchan));
	if (pi.state == 'Z') {
		snprintf(err, errlen, "pid %d (%s) has exited (a zombie): it has no fds left",
			 (int)pid, pi.comm);
		return -1;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		if (errno == ESRCH)
			snprintf(err, errlen, "pid %d (%s) has exited", (int)pid, pi.comm);
		else
			snprintf(err, errlen, "pidfd_open(%d): %s", (int)pid, strerror(errno));
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
		snprintf(err, errlen, "pid %d (%s) has exited", (int)pid, pi.comm);
		goto out;
	}
	if (onlyfd >= 0) {
		char link[8];
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, onlyfd);
		if (readlink(path, link, sizeof(link)) < 0) {
			if (errno == EACCES || errno == EPERM) {
				perm_error(pid, pi.comm, "/proc/PID/fd", errno, err, errlen);
			} else if (process_gone(pid, pidfd)) {
				snprintf(err, errlen, "pid %d (%s) has exited", (int)pid, pi.comm);
			} else {
				snprintf(err, errlen, "pid %d (%s) has no fd %d", (int)pid, pi.comm,
					 onlyfd);
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
			snprintf(err, errlen, "pid %d (%s) has exited", (int)pid, pi.comm);
		else
			snprintf(err, errlen, "cannot list /proc/%d/fd: %s", (int)pid,
				 strerror(errno));
		goto out;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		goto oom;
	blocked_call(in, w);
	if (in->state == 'T' || in->state == 't') {
		/* it sleeps in the stop, not in its call: the call restarts (or
		 * goes on) when the process is continued */
		char call[sizeof(in->waiting)];
		snprintf(call, sizeof(call), "%s", in->waiting);
		if (!call[0] && strcmp(in->syscall, "-") != 0)
			snprintf(call, sizeof(call), "%s", in->syscall);
		snprintf(in->waiting, sizeof(in->waiting), "nothing: %s (state %c)%s%s",
			 in->state == 't' ? "stopped by its tracer" : "stopped by a signal",
			 in->state, call[0] ? "; when continued it resumes in " : "", call);
	}

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
		for (int k = 0; k < w->n; k++) {
			if (w->fds[k] == f->fd) {
				f->waited_on = true;
				f->wait_events = w->events[k];
			}
		}
		acc = fd_accmode(pid, f->fd);
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
				int acc_mode = fcntl(dup, F_GETFL) & O_ACCMODE;

				for (size_t j = 0; j + 1 < in->nfds; j++) {
					struct ps_fd *g = &in->fds[j];
					if (g->inspected && g->same_as < 0 && g->ino == st.st_ino &&
					    g->dev == st.st_dev && g->acc_mode == acc_mode) {
						f->same_as = g->fd;
						break;
					}
				}
				f->dev = st.st_dev;
				f->ino = st.st_ino;
				f->acc_mode = acc_mode;
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
		snprintf(f->mask, sizeof(f->mask), "%s", fi.h.mask);
		if (fi.h.reason[0]) /* the module says why it did not poll it */
			snprintf(f->note, sizeof(f->note), "not polled: %s", fi.h.reason);
		snprintf(f->epoll, sizeof(f->epoll), "%s", fi.h.epoll);
		f->watched = fi.nwatch;
		f->heads = fi.nheads;
		f->entries = (int)fi.nentries;
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
	if (!in->exited && process_gone(pid, pidfd))
		in->exited = true;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	if (rc < 0)
		ps_inspection_free(in);
	free(w);
	free(fds);
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}
