/*
 * Waiter processes: children that open object files and block in one call
 * (poll, ppoll, select, pselect, epoll_wait, read), reporting each entry and
 * return over a pipe shared by all waiters:
 *	"ID enter N"
 *	"ID ret N value=V readval=R errno=E ns=T revents=0x1,0x0"
 *	"ID error MESSAGE"
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "session.h"

static const char *const call_names[] = {
	[PS_CALL_POLL] = "poll",       [PS_CALL_PPOLL] = "ppoll", [PS_CALL_SELECT] = "select",
	[PS_CALL_PSELECT] = "pselect", [PS_CALL_EPOLL] = "epoll", [PS_CALL_READ] = "read",
};

const char *ps_call_name(enum ps_call c)
{
	if ((unsigned)c < sizeof(call_names) / sizeof(call_names[0]))
		return call_names[c];
	return "?";
}

int ps_call_parse(const char *s, enum ps_call *c)
{
	for (size_t i = 0; i < sizeof(call_names) / sizeof(call_names[0]); i++) {
		if (strcmp(s, call_names[i]) == 0) {
			*c = (enum ps_call)i;
			return 0;
		}
	}
	return -1;
}

/* Is pid blocked in the system call of c? From /proc/PID/syscall, which does
 * not depend on how the kernel was compiled: wchan does (a debug kernel
 * shows poll_schedule_timeout.constprop.0, not do_sys_poll), so wchan is
 * shown but never decides. 1 yes, 0 no, -1 cannot tell (file unreadable). */
int ps_blocked_in_call(enum ps_call c, pid_t pid)
{
	static const char *const pollc[] = { "poll", "ppoll", NULL };
	static const char *const selc[] = { "select", "pselect6", NULL };
	static const char *const epc[] = { "epoll_wait", "epoll_pwait", "epoll_pwait2", NULL };
	static const char *const readc[] = { "read", "readv", "pread64", NULL };
	const char *const *list;
	struct ps_syscall sc;
	const char *name;
	char path[64], *text;
	int bad;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	text = ps_read_file(path, NULL);
	if (!text)
		return -1;
	bad = ps_parse_syscall(text, &sc);
	free(text);
	if (bad < 0)
		return -1;
	if (sc.running || !sc.in_syscall || !(name = ps_syscall_name(sc.nr)))
		return 0;
	switch (c) {
	case PS_CALL_POLL:
	case PS_CALL_PPOLL:
		list = pollc;
		break;
	case PS_CALL_SELECT:
	case PS_CALL_PSELECT:
		list = selc;
		break;
	case PS_CALL_EPOLL:
		list = epc;
		break;
	default:
		list = readc;
		break;
	}
	for (; *list; list++)
		if (strcmp(name, *list) == 0)
			return 1;
	return 0;
}

bool ps_waiter_settled(const struct ps_waiter *w)
{
	/* asleep in its call, or gone (a waiter that returned and does not
	 * loop exits at once; waiting for the reap means its wait-queue
	 * entries are gone too when settle returns) */
	if (!w->alive)
		return true;
	return w->in_call && w->asleep;
}

/* ---------------------------------------------------------------- child */

static void on_child_signal(int sig)
{
	(void)sig; /* only there to interrupt the call with EINTR */
}

static void report(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(fd, buf, (size_t)n) < 0)
		_exit(3);
}

static uint32_t select_interest(uint32_t ev, int *r, int *w, int *x)
{
	*r = (ev & (EPOLLIN | EPOLLRDNORM | EPOLLRDBAND | EPOLLHUP | EPOLLERR)) != 0;
	*w = (ev & (EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND)) != 0;
	*x = (ev & EPOLLPRI) != 0;
	return ev;
}

static int nopen_of(const struct ps_spawn_req *req, int i)
{
	return req->nopen[i] > 0 ? req->nopen[i] : 1;
}

/* The fd a waiter opens (module objects) or inherited (real objects), k-th copy. */
static int open_one(const struct ps_spawn_req *req, int i, int k, int inherited, const char *dir,
		    int id, int wfd)
{
	char path[PATH_MAX];
	int fd, flags = O_RDONLY | O_CLOEXEC;

	if (req->realfd[i] >= 0) {
		fd = k == 0 ? inherited : fcntl(inherited, F_DUPFD_CLOEXEC, 4);
		if (fd < 0) {
			report(wfd, "%d error cannot duplicate the fd of %s: %s", id, req->objs[i],
			       strerror(errno));
			_exit(1);
		}
		return fd;
	}
	if (req->call != PS_CALL_READ)
		flags |= O_NONBLOCK;
	snprintf(path, sizeof(path), "%s/objects/%s", dir, req->objs[i]);
	fd = open(path, flags);
	if (fd < 0) {
		report(wfd, "%d error cannot open %s: %s", id, path, strerror(errno));
		_exit(1);
	}
	return fd;
}

/* Consume what an object reported readable, without blocking. */
static bool consume(const struct ps_spawn_req *req, int i, int fd)
{
	static char buf[65536];

	if (req->realfd[i] >= 0)
		return ps_real_read_nb(req->realtype[i], fd, buf, sizeof(buf)) > 0;
	return read(fd, buf, 64) > 0;
}

static void child_main(const struct ps_spawn_req *req, const int *inherited, const char *dir,
		       const char *label, int id, int wfd)
{
	int *fds, *owner;
	int first[PS_MAX_WAIT_OBJS];
	int nfds = 0, total = 0;
	int epfd = -1;
	unsigned n = 0;
	struct sigaction sa;
	sigset_t all;
	struct rlimit rl;
	static const int caught[] = { SIGUSR1, SIGUSR2, SIGALRM, SIGHUP, SIGINT, SIGQUIT };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sa.sa_handler = on_child_signal;
	sa.sa_flags = 0; /* no SA_RESTART: a signal makes the call fail with EINTR */
	for (size_t i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		sigaction(caught[i], &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	(void)label; /* comm stays "pollscope": leftovers are easy to spot */

	for (int i = 0; i < req->nobjs; i++)
		total += nopen_of(req, i);
	/* fds=N: room for N descriptors (the hard limit permitting) */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)total + 16) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)total + 16 ? rl.rlim_max : (rlim_t)total + 16;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	fds = calloc((size_t)total, sizeof(*fds));
	owner = calloc((size_t)total, sizeof(*owner));
	if (!fds || !owner) {
		report(wfd, "%d error out of memory", id);
		_exit(1);
	}
	for (int i = 0; i < req->nobjs; i++) {
		first[i] = nfds;
		for (int k = 0; k < nopen_of(req, i); k++) {
			fds[nfds] = open_one(req, i, k, inherited[i], dir, id, wfd);
			owner[nfds++] = i;
		}
	}
	if (req->call == PS_CALL_SELECT || req->call == PS_CALL_PSELECT) {
		for (int j = 0; j < nfds; j++) {
			if (fds[j] >= FD_SETSIZE) {
				report(wfd,
				       "%d error fd %d is beyond FD_SETSIZE (%d): select cannot "
				       "wait on it",
				       id, fds[j], FD_SETSIZE);
				_exit(1);
			}
		}
	}
	if (req->call == PS_CALL_EPOLL) {
		epfd = epoll_create1(EPOLL_CLOEXEC);
		if (epfd < 0) {
			report(wfd, "%d error epoll_create1: %s", id, strerror(errno));
			_exit(1);
		}
		for (int j = 0; j < nfds; j++) {
			struct epoll_event ev = { 0 };
			ev.events = req->events;
			if (req->flags & PS_WF_EDGE)
				ev.events |= EPOLLET;
			if (req->flags & PS_WF_ONESHOT)
				ev.events |= EPOLLONESHOT;
			if (req->flags & PS_WF_EXCLUSIVE)
				ev.events |= EPOLLEXCLUSIVE;
			ev.data.u32 = (uint32_t)j;
			if (epoll_ctl(epfd, EPOLL_CTL_ADD, fds[j], &ev) < 0) {
				report(wfd, "%d error epoll_ctl(%s): %s", id, req->objs[owner[j]],
				       strerror(errno));
				_exit(1);
			}
		}
	}

	for (;;) {
		uint32_t rev[PS_MAX_WAIT_OBJS] = { 0 };
		long long ret, readval = -1;
		int err = 0;
		uint64_t t0, t1;
		char revtext[PS_MAX_WAIT_OBJS * 12] = "";
		size_t used = 0;
		bool stop = false, consumed = false;
		struct timespec ts, *tsp = NULL;

		n++;
		if (req->timeout_ms >= 0) {
			ts.tv_sec = req->timeout_ms / 1000;
			ts.tv_nsec = (long)(req->timeout_ms % 1000) * 1000000L;
			tsp = &ts;
		}
		report(wfd, "%d enter %u", id, n);
		t0 = ps_now_ns();
		switch (req->call) {
		case PS_CALL_POLL:
		case PS_CALL_PPOLL: {
			struct pollfd *pfd = calloc((size_t)nfds, sizeof(*pfd));
			if (!pfd) {
				report(wfd, "%d error out of memory", id);
				_exit(1);
			}
			for (int j = 0; j < nfds; j++) {
				pfd[j].fd = fds[j];
				pfd[j].events = (short)req->events;
			}
			if (req->call == PS_CALL_POLL)
				ret = poll(pfd, (nfds_t)nfds, req->timeout_ms);
			else
				ret = ppoll(pfd, (nfds_t)nfds, tsp, NULL);
			err = ret < 0 ? errno : 0;
			for (int j = 0; ret > 0 && j < nfds; j++)
				rev[owner[j]] |= (uint16_t)pfd[j].revents;
			free(pfd);
			break;
		}
		case PS_CALL_SELECT:
		case PS_CALL_PSELECT: {
			fd_set r, w, x;
			int maxfd = -1, wr, ww, wx;
			FD_ZERO(&r);
			FD_ZERO(&w);
			FD_ZERO(&x);
			select_interest(req->events, &wr, &ww, &wx);
			for (int j = 0; j < nfds; j++) {
				if (wr)
					FD_SET(fds[j], &r);
				if (ww)
					FD_SET(fds[j], &w);
				if (wx)
					FD_SET(fds[j], &x);
				if (fds[j] > maxfd)
					maxfd = fds[j];
			}
			if (req->call == PS_CALL_SELECT) {
				struct timeval tv, *tvp = NULL;
				if (req->timeout_ms >= 0) {
					tv.tv_sec = req->timeout_ms / 1000;
					tv.tv_usec = (req->timeout_ms % 1000) * 1000;
					tvp = &tv;
				}
				ret = select(maxfd + 1, &r, &w, &x, tvp);
			} else {
				ret = pselect(maxfd + 1, &r, &w, &x, tsp, NULL);
			}
			err = ret < 0 ? errno : 0;
			for (int j = 0; ret > 0 && j < nfds; j++) {
				if (FD_ISSET(fds[j], &r))
					rev[owner[j]] |= EPOLLIN;
				if (FD_ISSET(fds[j], &w))
					rev[owner[j]] |= EPOLLOUT;
				if (FD_ISSET(fds[j], &x))
					rev[owner[j]] |= EPOLLPRI;
			}
			break;
		}
		case PS_CALL_EPOLL: {
			struct epoll_event *evs = calloc((size_t)nfds, sizeof(*evs));
			if (!evs) {
				report(wfd, "%d error out of memory", id);
				_exit(1);
			}
			ret = epoll_wait(epfd, evs, nfds, req->timeout_ms);
			err = ret < 0 ? errno : 0;
			for (long long i = 0; i < ret; i++)
				if (evs[i].data.u32 < (uint32_t)nfds)
					rev[owner[evs[i].data.u32]] |= evs[i].events;
			free(evs);
			break;
		}
		case PS_CALL_READ:
		default: {
			char buf[4096];
			enum ps_obj_type t = req->realfd[0] >= 0 ? req->realtype[0] : PS_OBJ_MODULE;
			if (t == PS_OBJ_EVENTFD || t == PS_OBJ_TIMERFD) {
				uint64_t v;
				ret = read(fds[0], &v, sizeof(v));
				if (ret == (long long)sizeof(v))
					readval = (long long)v;
			} else if (t == PS_OBJ_PIPE || t == PS_OBJ_SOCKETPAIR) {
				ret = read(fds[0], buf, sizeof(buf));
			} else {
				ret = read(fds[0], buf, 63);
				if (ret > 0) {
					buf[ret] = '\0';
					readval = strtoll(buf, NULL, 10);
				}
			}
			err = ret < 0 ? errno : 0;
			if (ret == 0)
				stop = true; /* EOF: the object was destroyed */
			break;
		}
		}
		t1 = ps_now_ns();
		for (int i = 0; i < req->nobjs; i++) {
			int k = snprintf(revtext + used, sizeof(revtext) - used, "%s0x%x",
					 i ? "," : "", rev[i]);
			if (k > 0 && (size_t)k < sizeof(revtext) - used)
				used += (size_t)k;
			if (rev[i] & (EPOLLHUP | EPOLLERR | POLLNVAL))
				stop = true;
		}
		report(wfd, "%d ret %u value=%lld readval=%lld errno=%d ns=%llu revents=%s", id, n,
		       ret, readval, err, (unsigned long long)(t1 - t0), revtext);
		if (!(req->flags & PS_WF_LOOP) || stop)
			break;
		if (ret < 0 && err != EINTR)
			break;
		/* loop: consume what was reported readable, as an event loop would */
		for (int i = 0; req->call != PS_CALL_READ && i < req->nobjs; i++)
			if ((rev[i] & (EPOLLIN | EPOLLRDNORM)) && consume(req, i, fds[first[i]]))
				consumed = true;
		if (ret > 0 && !consumed && req->call != PS_CALL_READ && t1 - t0 < 1000000ull) {
			/* readiness we cannot consume (out, pri, ...): do not spin */
			struct timespec pause = { 0, 250000000L };
			nanosleep(&pause, NULL);
		}
	}
	_exit(0);
}

/* Close every fd from `from` up, except those in keep[]. */
static void close_except(int from, const int *keep, int nkeep)
{
	int k[PS_MAX_WAIT_OBJS], n = 0, lo = from;

	for (int i = 0; i < nkeep; i++)
		if (keep[i] >= from)
			k[n++] = keep[i];
	for (int i = 1; i < n; i++) /* insertion sort: at most 8 */
		for (int j = i; j > 0 && k[j - 1] > k[j]; j--) {
			int t = k[j];
			k[j] = k[j - 1];
			k[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		if (k[i] > lo)
			close_range((unsigned)lo, (unsigned)k[i] - 1, 0);
		if (k[i] >= lo)
			lo = k[i] + 1;
	}
	close_range((unsigned)lo, ~0U, 0);
}

/* --------------------------------------------------------------- parent */

static struct waiter_int *find_id(struct ps_session *s, int id)
{
	for (size_t i = 0; i < s->nwaiters; i++)
		if (s->waiters[i]->w.id == id)
			return s->waiters[i];
	return NULL;
}

static bool label_in_use(struct ps_session *s, const char *label)
{
	for (size_t i = 0; i < s->nwaiters; i++) {
		const struct ps_waiter *w = &s->waiters[i]->w;
		if (w->alive && (strcmp(w->label, label) == 0 || strcmp(w->group, label) == 0))
			return true;
	}
	return false;
}

static void format_options(const struct ps_spawn_req *req, char *buf, size_t len)
{
	char m[PS_MASK_TEXT];
	size_t used = 0;
	int k;

	buf[0] = '\0';
	used = 0;
	if (req->call != PS_CALL_READ) {
		k = snprintf(buf, len, "events=%s", ps_mask_format(req->events, m, sizeof(m)));
		used = k > 0 ? (size_t)k : 0;
	}
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (used < len) {                                                                  \
			k = snprintf(buf + used, len - used, __VA_ARGS__);                         \
			if (k > 0)                                                                 \
				used += (size_t)k;                                                 \
		}                                                                                  \
	} while (0)
	if (req->timeout_ms >= 0)
		ADD("%stimeout=%d", used ? " " : "", req->timeout_ms);
	if (req->flags & PS_WF_EDGE)
		ADD(" edge");
	if (req->flags & PS_WF_ONESHOT)
		ADD(" oneshot");
	if (req->flags & PS_WF_EXCLUSIVE)
		ADD(" exclusive");
	if (req->flags & PS_WF_LOOP)
		ADD("%sloop", used ? " " : "");
	if (req->nobjs > 0 && req->nopen[0] > 1)
		ADD("%sfds=%d", used ? " " : "", req->nopen[0]);
#undef ADD
}

int ps_waiters_spawn(struct ps_session *s, const struct ps_spawn_req *req, size_t *first, char *err,
		     size_t errlen)
{
	char labels[1024][PS_LABEL_MAX];
	int count = req->count;

	if (count > 1024) {
		snprintf(err, errlen, "count=%d is too many (at most 1024 at once)", count);
		return -1;
	}
	for (int i = 0; i < count; i++) {
		if (req->as[0] && count == 1)
			snprintf(labels[i], PS_LABEL_MAX, "%s", req->as);
		else if (req->as[0])
			snprintf(labels[i], PS_LABEL_MAX, "%.20s.%d", req->as, i + 1);
		else
			snprintf(labels[i], PS_LABEL_MAX, "w%d", s->next_waiter_id + i);
		if (label_in_use(s, labels[i])) {
			snprintf(err, errlen, "a waiter labelled '%s' already exists", labels[i]);
			return -1;
		}
	}
	if (req->as[0] && label_in_use(s, req->as)) {
		snprintf(err, errlen, "a waiter labelled '%s' already exists", req->as);
		return -1;
	}
	*first = s->nwaiters;
	fflush(NULL);
	for (int i = 0; i < count; i++) {
		struct waiter_int *wi;
		struct ps_waiter *w;
		pid_t parent = getpid(), pid;
		int id = s->next_waiter_id++;

		if (s->nwaiters == s->cwaiters) {
			size_t nc = s->cwaiters ? 2 * s->cwaiters : 16;
			void *p = realloc(s->waiters, nc * sizeof(*s->waiters));
			if (!p) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			s->waiters = p;
			s->cwaiters = nc;
		}
		wi = calloc(1, sizeof(*wi));
		if (!wi) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		w = &wi->w;
		w->id = id;
		snprintf(w->label, sizeof(w->label), "%s", labels[i]);
		snprintf(w->group, sizeof(w->group), "%s", req->as[0] ? req->as : labels[i]);
		w->call = req->call;
		w->call_name = ps_call_name(req->call);
		w->nobjs = req->nobjs;
		w->objects[0] = '\0';
		for (int k = 0; k < req->nobjs; k++) {
			snprintf(w->objs[k], PS_NAME_MAX, "%s", req->objs[k]);
			if (k)
				strcat(w->objects, ",");
			strcat(w->objects, req->objs[k]);
		}
		format_options(req, w->options, sizeof(w->options));
		w->events = req->events;
		w->timeout_ms = req->timeout_ms;
		w->flags = req->flags;
		w->state = '?';
		snprintf(w->wchan, sizeof(w->wchan), "-");
		w->alive = true;
		snprintf(w->exit_text, sizeof(w->exit_text), "running");
		wi->spawned_ns = ps_now_ns();
		for (int k = 0; k < req->nobjs; k++)
			if (req->realfd[k] >= 0)
				wi->real = true;

		pid = fork();
		if (pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			free(wi);
			return -1;
		}
		if (pid == 0) {
			int wfd;
			setpgid(0, 0); /* terminal signals (Ctrl-C) are for the tool */
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			if (getppid() != parent)
				_exit(1);
			int inherited[PS_MAX_WAIT_OBJS];
			/* real objects: keep (copies of) their fds, above 3 */
			for (int k = 0; k < req->nobjs; k++)
				inherited[k] = req->realfd[k] >= 0
						       ? fcntl(req->realfd[k], F_DUPFD, 4)
						       : -1;
			wfd = dup2(s->report_pipe[1], 3);
			if (wfd < 0)
				_exit(1);
			close_except(4, inherited, req->nobjs);
			child_main(req, inherited, s->dir, w->label, id, wfd);
			_exit(0);
		}
		setpgid(pid, pid);
		w->pid = pid;
		s->waiters[s->nwaiters++] = wi;
	}
	return 0;
}

void ps_format_result(const struct ps_waiter *w, const struct ps_result *r, char *buf, size_t len)
{
	char en[24];
	size_t used;
	int k;

	if (!r->valid) {
		snprintf(buf, len, "-");
		return;
	}
	if (r->value < 0) {
		snprintf(buf, len, "-1 %s after %.1f ms", ps_errno_name(r->err, en, sizeof(en)),
			 r->ms);
		return;
	}
	if (w->call == PS_CALL_READ) {
		if (r->value == 0)
			snprintf(buf, len, "0 (EOF) after %.1f ms", r->ms);
		else if (r->readval < 0)
			snprintf(buf, len, "%lld bytes after %.1f ms", r->value, r->ms);
		else
			snprintf(buf, len, "%lld bytes, value %lld, after %.1f ms", r->value,
				 r->readval, r->ms);
		return;
	}
	if (r->value == 0) {
		snprintf(buf, len, "0 (timeout) after %.1f ms", r->ms);
		return;
	}
	k = snprintf(buf, len, "%lld after %.1f ms:", r->value, r->ms);
	used = k > 0 ? (size_t)k : 0;
	for (int i = 0; i < r->nfds && i < w->nobjs && used < len; i++) {
		char m[PS_MASK_TEXT];
		if (!r->revents[i])
			continue;
		k = snprintf(buf + used, len - used, " %s=%s", w->objs[i],
			     ps_mask_format(r->revents[i], m, sizeof(m)));
		if (k > 0)
			used += (size_t)k;
	}
}

void ps_waiter_emit(struct ps_session *s, const struct ps_sink *sink, enum ps_rec_kind kind,
		    const struct ps_waiter *w)
{
	char st[2] = { w->state, 0 };
	char revs[PS_MAX_WAIT_OBJS * (PS_NAME_MAX + PS_MASK_TEXT)] = "";
	size_t used = 0;
	struct ps_field f[20];
	int n = 0;

	(void)s;
	for (int i = 0; i < w->last.nfds && i < w->nobjs && w->last.valid; i++) {
		char m[PS_MASK_TEXT];
		int k = snprintf(revs + used, sizeof(revs) - used, "%s%s=%s", used ? " " : "",
				 w->objs[i], ps_mask_format(w->last.revents[i], m, sizeof(m)));
		if (k > 0 && (size_t)k < sizeof(revs) - used)
			used += (size_t)k;
	}
	f[n++] = (struct ps_field){ "label", PS_F_STR, w->label, 0 };
	f[n++] = (struct ps_field){ "pid", PS_F_INT, NULL, w->pid };
	f[n++] = (struct ps_field){ "call", PS_F_STR, w->call_name, 0 };
	f[n++] = (struct ps_field){ "objects", PS_F_STR, w->objects, 0 };
	if (kind == PS_REC_RESULT) {
		char en[24];
		f[n++] = (struct ps_field){ "seq", PS_F_INT, NULL, w->last.seq };
		f[n++] = (struct ps_field){ "value", PS_F_INT, NULL, w->last.value };
		f[n++] = (struct ps_field){ "errno", PS_F_STR,
					    w->last.err ? ps_errno_name(w->last.err, en, sizeof(en))
							: "-",
					    0 };
		f[n++] = (struct ps_field){ "ms", PS_F_INT, NULL, (long long)(w->last.ms + 0.5) };
		f[n++] = (struct ps_field){ "revents", PS_F_STR, revs, 0 };
		if (w->call == PS_CALL_READ)
			f[n++] = (struct ps_field){ "readval", PS_F_INT, NULL, w->last.readval };
		f[n++] = (struct ps_field){ "text", PS_F_STR, w->last.text, 0 };
		ps_emit(sink, kind, w, f, n, "%s (pid %d) %s returned %s", w->label, (int)w->pid,
			w->call_name, w->last.text);
		return;
	}
	f[n++] = (struct ps_field){ "group", PS_F_STR, w->group, 0 };
	f[n++] = (struct ps_field){ "options", PS_F_STR, w->options, 0 };
	f[n++] = (struct ps_field){ "state", PS_F_STR, st, 0 };
	f[n++] = (struct ps_field){ "wchan", PS_F_STR, w->wchan, 0 };
	f[n++] = (struct ps_field){ "asleep", PS_F_BOOL, NULL, w->asleep };
	f[n++] = (struct ps_field){ "alive", PS_F_BOOL, NULL, w->alive };
	f[n++] = (struct ps_field){ "in_call", PS_F_BOOL, NULL, w->in_call };
	f[n++] = (struct ps_field){ "calls", PS_F_INT, NULL, w->calls };
	f[n++] = (struct ps_field){ "last", PS_F_STR, w->last.text[0] ? w->last.text : "-", 0 };
	f[n++] = (struct ps_field){ "status", PS_F_STR, w->exit_text, 0 };
	if (kind == PS_REC_WAITER && !w->alive)
		ps_emit(sink, kind, w, f, n, "%6d  %-10s %-7s %-12s %c  %-18s %s [%s]", (int)w->pid,
			w->label, w->call_name, w->objects, '-', "-",
			w->last.text[0] ? w->last.text : "-", w->exit_text);
	else
		ps_emit(sink, kind, w, f, n, "%6d  %-10s %-7s %-12s %c  %-18s %s", (int)w->pid,
			w->label, w->call_name, w->objects, w->state, w->wchan,
			w->last.text[0] ? w->last.text : "-");
}

static void handle_report(struct ps_session *s, char *line, unsigned *chg)
{
	char *sp, *word;
	int id = (int)strtol(line, &sp, 10);
	struct waiter_int *wi = find_id(s, id);
	struct ps_waiter *w;

	if (!wi || *sp != ' ')
		return;
	w = &wi->w;
	word = sp + 1;
	*chg |= PS_CHG_WAITERS;
	if (strncmp(word, "enter ", 6) == 0) {
		w->in_call = true;
		w->asleep = false;
		w->calls = (unsigned)strtoul(word + 6, NULL, 10);
	} else if (strncmp(word, "ret ", 4) == 0) {
		struct ps_kv kv;
		struct ps_result r = { 0 };
		char *rest = strchr(word + 4, ' ');
		const char *v;

		r.valid = true;
		r.seq = (unsigned)strtoul(word + 4, NULL, 10);
		if (!rest || ps_kv_split(rest, &kv) < 0)
			return;
		r.value = (v = ps_kv_get(&kv, "value")) ? strtoll(v, NULL, 10) : -1;
		r.readval = (v = ps_kv_get(&kv, "readval")) ? strtoll(v, NULL, 10) : -1;
		r.err = (v = ps_kv_get(&kv, "errno")) ? atoi(v) : 0;
		r.ms = (v = ps_kv_get(&kv, "ns")) ? (double)strtoull(v, NULL, 10) / 1e6 : 0;
		if ((v = ps_kv_get(&kv, "revents")) != NULL) {
			const char *p = v;
			while (*p && r.nfds < PS_MAX_WAIT_OBJS) {
				r.revents[r.nfds++] = (uint32_t)strtoul(p, NULL, 16);
				p += strcspn(p, ",");
				if (*p)
					p++;
			}
		}
		ps_format_result(w, &r, r.text, sizeof(r.text));
		w->last = r;
		w->in_call = false;
		w->asleep = false;
		ps_waiter_emit(s, ps_current_sink(s), PS_REC_RESULT, w);
	} else if (strncmp(word, "error ", 6) == 0) {
		snprintf(w->last.text, sizeof(w->last.text), "error: %s", word + 6);
		ps_emit(ps_current_sink(s), PS_REC_MESSAGE, w, NULL, 0, "%s (pid %d) failed: %s",
			w->label, (int)w->pid, word + 6);
	}
}

static void set_exit(struct ps_waiter *w, int status)
{
	w->alive = false;
	w->in_call = false;
	w->asleep = false;
	w->state = '-';
	snprintf(w->wchan, sizeof(w->wchan), "-");
	if (WIFEXITED(status))
		snprintf(w->exit_text, sizeof(w->exit_text), "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) {
		const char *n = ps_signal_name(WTERMSIG(status));
		if (n)
			snprintf(w->exit_text, sizeof(w->exit_text), "killed by SIG%s", n);
		else
			snprintf(w->exit_text, sizeof(w->exit_text), "killed by signal %d",
				 WTERMSIG(status));
	}
}

unsigned ps_waiters_process(struct ps_session *s)
{
	unsigned chg = 0;
	char tmp[64];

	/* reports first: a child writes its last report before it exits */
	for (;;) {
		ssize_t r = read(s->report_pipe[0], s->repbuf + s->replen,
				 sizeof(s->repbuf) - 1 - s->replen);
		char *p, *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		s->replen += (size_t)r;
		s->repbuf[s->replen] = '\0';
		p = s->repbuf;
		while ((nl = strchr(p, '\n')) != NULL) {
			*nl = '\0';
			handle_report(s, p, &chg);
			p = nl + 1;
		}
		s->replen = strlen(p);
		memmove(s->repbuf, p, s->replen + 1);
	}
	while (read(s->chld_pipe[0], tmp, sizeof(tmp)) > 0)
		;
	for (size_t i = 0; i < s->nwaiters; i++) {
		struct ps_waiter *w = &s->waiters[i]->w;
		int status;
		if (!w->alive)
			continue;
		if (waitpid(w->pid, &status, WNOHANG) == w->pid) {
			set_exit(w, status);
			chg |= PS_CHG_WAITERS;
		}
	}
	return chg;
}

/* Wait (bounded) until pid is reaped. */
static void reap(struct ps_session *s, struct ps_waiter *w)
{
	int status;

	if (waitpid(w->pid, &status, 0) == w->pid)
		set_exit(w, status);
	(void)s;
}

void ps_waiters_kill_all(struct ps_session *s)
{
	for (size_t i = 0; i < s->nwaiters; i++) {
		struct ps_waiter *w = &s->waiters[i]->w;
		if (w->alive)
			kill(w->pid, SIGKILL);
	}
	for (size_t i = 0; i < s->nwaiters; i++) {
		struct ps_waiter *w = &s->waiters[i]->w;
		if (w->alive)
			reap(s, w);
	}
}

int ps_waiter_kill(struct ps_session *s, struct ps_waiter *w, int sig, bool wait)
{
	if (!w->alive)
		return -1;
	if (kill(w->pid, sig) < 0)
		return -1;
	if (wait) {
		kill(w->pid, SIGCONT);
		ps_waiters_process(s); /* collect a last report */
		reap(s, w);
		ps_waiters_process(s);
	}
	return 0;
}

unsigned ps_session_refresh_states(struct ps_session *s)
{
	pid_t *pids;
	struct ps_procinfo *pi;
	size_t n = 0;
	unsigned chg = 0;
	bool need_queues = false;

	if (s->nwaiters == 0)
		return 0;
	pids = calloc(s->nwaiters, sizeof(*pids));
	pi = calloc(s->nwaiters, sizeof(*pi));
	if (!pids || !pi) {
		free(pids);
		free(pi);
		return 0;
	}
	for (size_t i = 0; i < s->nwaiters; i++)
		if (s->waiters[i]->w.alive)
			pids[n++] = s->waiters[i]->w.pid;
	ps_procinfo_batch(pids, (int)n, pi);
	for (size_t i = 0, k = 0; i < s->nwaiters; i++) {
		struct ps_waiter *w = &s->waiters[i]->w;
		bool asleep;
		int in_call;
		if (!w->alive)
			continue;
		for (k = 0; k < n && pi[k].pid != w->pid; k++)
			;
		if (k == n)
			continue;
		if (w->state != pi[k].state || strcmp(w->wchan, pi[k].wchan) != 0)
			chg |= PS_CHG_STATES;
		w->state = pi[k].exists ? pi[k].state : '-';
		snprintf(w->wchan, sizeof(w->wchan), "%s", pi[k].wchan);
		in_call = w->in_call && (w->state == 'S' || w->state == 'D')
				  ? ps_blocked_in_call(w->call, w->pid)
				  : 0;
		asleep = in_call == 1;
		if (in_call < 0)
			need_queues = true;
		if (asleep != w->asleep)
			chg |= PS_CHG_STATES;
		/* a real object's queue changes without a module event: a waiter
		 * that just fell asleep on one is news for whoever draws queues */
		if (asleep && !w->asleep && s->waiters[i]->real)
			chg |= PS_CHG_WAITERS;
		w->asleep = asleep;
	}
	if (need_queues && s->attached) {
		/* /proc/PID/syscall unreadable: accept an entry of ours in queues */
		char err[64];
		if (ps_session_read_queues(s, err, sizeof(err)) == 0) {
			for (size_t i = 0; i < s->nwaiters; i++) {
				struct ps_waiter *w = &s->waiters[i]->w;
				if (!w->alive || !w->in_call || w->asleep || w->state != 'S' ||
				    ps_blocked_in_call(w->call, w->pid) >= 0)
					continue;
				for (size_t e = 0; e < s->nentries; e++) {
					if (s->entries[e].pid == w->pid &&
					    s->entries[e].state == 'S') {
						w->asleep = true;
						chg |= PS_CHG_STATES;
						if (s->waiters[i]->real)
							chg |= PS_CHG_WAITERS;
						break;
					}
				}
			}
		}
	}
	free(pids);
	free(pi);
	return chg;
}

bool ps_session_states_pending(struct ps_session *s)
{
	for (size_t i = 0; i < s->nwaiters; i++)
		if (!ps_waiter_settled(&s->waiters[i]->w))
			return true;
	return false;
}

int ps_settle(struct ps_session *s, int limit_ms, uint64_t *took_ns, char *err, size_t errlen)
{
	uint64_t start = ps_now_ns(), deadline = start + (uint64_t)limit_ms * 1000000ull;

	for (;;) {
		size_t nw;
		struct ps_waiter *const *w;
		struct ps_waiter *bad = NULL;
		uint64_t now;

		ps_session_process(s);
		ps_session_refresh_states(s);
		w = ps_session_waiters(s, &nw);
		for (size_t i = 0; i < nw && !bad; i++)
			if (!ps_waiter_settled(w[i]))
				bad = w[i];
		now = ps_now_ns();
		if (!bad) {
			if (took_ns)
				*took_ns = now - start;
			return 0;
		}
		if (ps_interrupted) {
			snprintf(err, errlen, "interrupted");
			return -1;
		}
		if (now >= deadline) {
			snprintf(err, errlen,
				 "not settled after %d ms: %s (pid %d) is %s (state %c, wchan %s)",
				 limit_ms, bad->label, (int)bad->pid,
				 bad->in_call ? "in its call but not asleep" : "not in its call",
				 bad->state, bad->wchan);
			return -1;
		}
		/* wake up on reports and exits at once; sample states every 2 ms */
		if (ps_session_wait(s, 2) < 0) {
			snprintf(err, errlen, "interrupted");
			return -1;
		}
	}
}
