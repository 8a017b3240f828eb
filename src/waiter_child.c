/* The waiter program: a forked child that blocks in one call and reports. */
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
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "waiter_child.h"

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

static const struct ps_objtype_ops *type_of(const struct ps_spawn_req *req, int i)
{
	return req->type[i] ? req->type[i] : &ps_obj_module;
}

/* Consume what an object reported readable, without blocking. */
static bool consume(const struct ps_spawn_req *req, int i, int fd)
{
	static char buf[65536];

	return type_of(req, i)->read_nb(fd, buf, sizeof(buf)) > 0;
}

static void child_main(const struct ps_spawn_req *req, const int *inherited, const char *dir,
		       int id, int wfd)
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
	/* comm is the label (set in ps_waiter_child) */

	for (int i = 0; i < req->nobjs; i++)
		total += nopen_of(req, i);
	/* fds=N: raise the soft limit to room for N descriptors (plus stdio,
	 * the report pipe, inherited fds, epoll); beyond the hard limit say
	 * which limit stops it rather than failing later with a bare EMFILE. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)total + 16) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)total + 16) {
			report(wfd,
			       "%d error %d fds need about %d open files, but the hard limit on "
			       "open "
			       "files (RLIMIT_NOFILE, ulimit -Hn) is %llu",
			       id, total, total + 16, (unsigned long long)rl.rlim_max);
			_exit(1);
		}
		rl.rlim_cur = (rlim_t)total + 16;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			report(wfd,
			       "%d error cannot raise the soft limit on open files (RLIMIT_NOFILE) "
			       "to %d for %d fds: %s",
			       id, total + 16, total, strerror(errno));
			_exit(1);
		}
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
			ret = type_of(req, 0)->child_read(fds[0], &readval);
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
		/* at=: when it returned, on the clock of the module's events, so
		 * that the timeline can put the result after the wake that caused it */
		report(wfd, "%d ret %u value=%lld readval=%lld errno=%d ns=%llu at=%llu revents=%s",
		       id, n, ret, readval, err, (unsigned long long)(t1 - t0),
		       (unsigned long long)t1, revtext);
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

void ps_waiter_child(const struct ps_spawn_req *req, const char *dir, int report_fd, int id,
		     const char *label, pid_t parent)
{
	int inherited[PS_MAX_WAIT_OBJS];
	int wfd;

	/* comm: the label (cut to 15 bytes by the kernel), so that queue
	 * entries, ps, top and inspect tell the waiters apart */
	prctl(PR_SET_NAME, label, 0, 0, 0);
	setpgid(0, 0); /* terminal signals (Ctrl-C) are for the tool */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(1);
	/* real objects: keep (copies of) their fds, above 3 */
	for (int k = 0; k < req->nobjs; k++)
		inherited[k] = req->realfd[k] >= 0 ? fcntl(req->realfd[k], F_DUPFD, 4) : -1;
	wfd = dup2(report_fd, 3);
	if (wfd < 0)
		_exit(1);
	close_except(4, inherited, req->nobjs);
	child_main(req, inherited, dir, id, wfd);
	_exit(0);
}
