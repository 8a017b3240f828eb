/*
 * pswait: block in one call on a file and report what it returned.
 *
 *   pswait [-d] [-f] [-t] [-n COUNT] [-m MANY] MODE FILE [EVENTS] [TIMEOUT_MS]
 *
 * MODE: poll ppoll select pselect epoll epoll-edge epoll-oneshot epoll-excl
 *       read
 * EVENTS: in,out,pri,rdhup,rdnorm,wrnorm,... joined by ',' (default in);
 *         select maps in/out/pri to readfds/writefds/exceptfds.
 * FILE: a path, or fd:N for the inherited descriptor N.
 * TIMEOUT_MS: -1 (default) blocks without limit.
 * -d: first read FILE (non-blocking) until it has nothing more, so that an
 *     events file is drained before waiting on it.
 * -n: wait COUNT times on the same registration (edge/oneshot semantics).
 * -m: poll/ppoll only: pass the descriptor MANY times in the pollfd array,
 *     so that one process queues MANY entries (raises RLIMIT_NOFILE).
 * -f: read only: the first read goes to an inaccessible buffer (EFAULT).
 * -t: after each poll kind's line, one more: pswait pid=P elapsed_ms=N, the
 *     call's time on CLOCK_MONOTONIC (a test tells a timeout from a wake by
 *     it, whatever the load).
 *
 * One line per wait on stdout:
 *   pswait pid=P mode=M ret=R revents=NAMES       (poll kinds)
 *   pswait pid=P mode=read ret=R data=TEXT        (read)
 *   pswait pid=P mode=M ret=-1 errno=ENAME        (failure)
 * Exit status (of the last wait): 0 ready or data, 1 timeout, 2 error,
 * 3 end of file (read returned 0).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static const struct {
	const char *name;
	unsigned int bit;
} names[] = {
	{ "in", EPOLLIN },	   { "out", EPOLLOUT },	      { "pri", EPOLLPRI },
	{ "err", EPOLLERR },	   { "hup", EPOLLHUP },	      { "rdnorm", EPOLLRDNORM },
	{ "rdband", EPOLLRDBAND }, { "wrnorm", EPOLLWRNORM }, { "wrband", EPOLLWRBAND },
	{ "msg", EPOLLMSG },	   { "rdhup", EPOLLRDHUP },   { "nval", POLLNVAL },
};

static unsigned int parse_events(const char *s)
{
	char buf[256], *tok, *save = NULL;
	unsigned int mask = 0;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",|", &save); tok; tok = strtok_r(NULL, ",|", &save)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "pswait: unknown event %s\n", tok);
			exit(2);
		}
		mask |= names[i].bit;
	}
	return mask;
}

static const char *event_names(unsigned int m, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	if (!m)
		return "none";
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(m & names[i].bit))
			continue;
		m &= ~names[i].bit;
		off += snprintf(buf + off, len - off, "%s%s", off ? "," : "", names[i].name);
	}
	if (m)
		snprintf(buf + off, len - off, "%s0x%x", off ? "," : "", m);
	return buf;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pswait [-d] [-f] [-t] [-n COUNT] [-m MANY] poll|ppoll|select|pselect|epoll|"
		"epoll-edge|epoll-oneshot|epoll-excl|read FILE [EVENTS] [TIMEOUT_MS]\n");
	exit(2);
}

static int timed;
static struct timespec call_start;

/* just before a poll kind's call */
static void start_call(void)
{
	clock_gettime(CLOCK_MONOTONIC, &call_start);
}

static void report_elapsed(void)
{
	struct timespec now;

	if (!timed)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	printf("pswait pid=%d elapsed_ms=%lld\n", getpid(),
	       ((long long)(now.tv_sec - call_start.tv_sec) * 1000000000LL + now.tv_nsec -
		call_start.tv_nsec) /
		       1000000LL);
}

static int report_err(const char *mode)
{
	printf("pswait pid=%d mode=%s ret=-1 errno=%s\n", getpid(), mode,
	       strerrorname_np(errno) ? strerrorname_np(errno) : "E?");
	fflush(stdout);
	return 2;
}

static int report(const char *mode, int ret, unsigned int revents)
{
	char buf[128];

	printf("pswait pid=%d mode=%s ret=%d revents=%s\n", getpid(), mode, ret,
	       event_names(revents, buf, sizeof(buf)));
	report_elapsed();
	fflush(stdout);
	return ret > 0 ? 0 : 1;
}

static void drain(int fd)
{
	char buf[4096];
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	fcntl(fd, F_SETFL, fl);
}

static int do_select(int fd, unsigned int ev, int timeout, int psel, const char *mode)
{
	fd_set r, w, x;
	unsigned int revents = 0;
	int ret;

	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&x);
	if (ev & (EPOLLIN | EPOLLRDNORM))
		FD_SET(fd, &r);
	if (ev & (EPOLLOUT | EPOLLWRNORM))
		FD_SET(fd, &w);
	if (ev & EPOLLPRI)
		FD_SET(fd, &x);
	if (psel) {
		struct timespec ts = { timeout / 1000, (timeout % 1000) * 1000000L };
		sigset_t none;

		sigemptyset(&none);
		start_call();
		ret = pselect(fd + 1, &r, &w, &x, timeout < 0 ? NULL : &ts, &none);
	} else {
		struct timeval tv = { timeout / 1000, (timeout % 1000) * 1000 };

		start_call();
		ret = select(fd + 1, &r, &w, &x, timeout < 0 ? NULL : &tv);
	}
	if (ret < 0)
		return report_err(mode);
	if (FD_ISSET(fd, &r))
		revents |= EPOLLIN;
	if (FD_ISSET(fd, &w))
		revents |= EPOLLOUT;
	if (FD_ISSET(fd, &x))
		revents |= EPOLLPRI;
	return report(mode, ret, revents);
}

int main(int argc, char **argv)
{
	int opt, fd, ret = 2, count = 1, timeout = -1, do_drain = 0, i, many = 1, fault = 0;
	unsigned int ev = EPOLLIN;
	const char *mode, *path;

	while ((opt = getopt(argc, argv, "+dfn:m:t")) != -1) {
		switch (opt) {
		case 'f':
			fault = 1;
			break;
		case 'm':
			many = atoi(optarg);
			if (many < 1)
				usage();
			break;
		case 't':
			timed = 1;
			break;
		case 'd':
			do_drain = 1;
			break;
		case 'n':
			count = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2)
		usage();
	mode = argv[optind];
	path = argv[optind + 1];
	if (argc - optind > 2)
		ev = parse_events(argv[optind + 2]);
	if (argc - optind > 3)
		timeout = atoi(argv[optind + 3]);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strncmp(path, "fd:", 3)) {
		fd = atoi(path + 3); /* an inherited descriptor */
	} else {
		fd = open(path, O_RDWR);
		if (fd < 0)
			fd = open(path, O_RDONLY);
	}
	if (fd < 0) {
		fprintf(stderr, "pswait: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (do_drain)
		drain(fd);

	if (!strcmp(mode, "poll") || !strcmp(mode, "ppoll")) {
		struct pollfd *p = calloc(many, sizeof(*p));

		if (!p)
			return 2;
		if (many > 1000) {
			struct rlimit rl = { many + 64, many + 64 };

			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				return report_err(mode);
		}
		for (i = 0; i < count; i++) {
			int k;

			for (k = 0; k < many; k++) {
				p[k].fd = fd;
				p[k].events = (short)ev;
				p[k].revents = 0;
			}
			if (mode[0] == 'p' && mode[1] == 'p') {
				struct timespec ts = { timeout / 1000,
						       (timeout % 1000) * 1000000L };

				start_call();
				ret = ppoll(p, many, timeout < 0 ? NULL : &ts, NULL);
			} else {
				start_call();
				ret = poll(p, many, timeout);
			}
			ret = ret < 0 ? report_err(mode)
				      : report(mode, ret, (unsigned short)p[0].revents);
		}
		free(p);
	} else if (!strcmp(mode, "select") || !strcmp(mode, "pselect")) {
		for (i = 0; i < count; i++)
			ret = do_select(fd, ev, timeout, mode[0] == 'p', mode);
	} else if (!strncmp(mode, "epoll", 5)) {
		struct epoll_event e = { .events = ev }, out;
		int ep = epoll_create1(0);

		if (!strcmp(mode, "epoll-edge"))
			e.events |= EPOLLET;
		else if (!strcmp(mode, "epoll-oneshot"))
			e.events |= EPOLLONESHOT;
		else if (!strcmp(mode, "epoll-excl"))
			e.events |= EPOLLEXCLUSIVE;
		else if (strcmp(mode, "epoll"))
			usage();
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0)
			return report_err(mode);
		for (i = 0; i < count; i++) {
			memset(&out, 0, sizeof(out));
			start_call();
			ret = epoll_wait(ep, &out, 1, timeout);
			ret = ret < 0 ? report_err(mode)
				      : report(mode, ret, ret > 0 ? out.events : 0);
		}
	} else if (!strcmp(mode, "read")) {
		for (i = 0; i < count; i++) {
			char buf[256], *dst = buf;
			ssize_t n;

			if (fault && i == 0) {
				dst = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
					   0);
				if (dst == MAP_FAILED)
					return 2;
			}
			n = read(fd, dst, sizeof(buf) - 1);
			if (dst != buf)
				munmap(dst, 4096);

			if (n < 0) {
				ret = report_err(mode);
				continue;
			}
			ssize_t got = n;

			buf[n] = '\0';
			while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
				buf[--n] = '\0';
			for (ssize_t j = 0; j < n; j++)
				if (buf[j] <= ' ' || buf[j] > '~')
					buf[j] = '?';
			printf("pswait pid=%d mode=read ret=%zd data=%s\n", getpid(), got,
			       n ? buf : "-");
			ret = got > 0 ? 0 : 3;
		}
	} else {
		usage();
	}
	return ret;
}
