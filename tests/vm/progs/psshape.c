/*
 * psshape: a process of one shape for inspect's tests; prints what it did
 * (one "key=value ..." line), then blocks for good.
 *
 *   psshape stale     an epoll with three stale registrations, in epoll_wait:
 *                     a: registered, dup'ed to b, closed, its number reused
 *                        by /dev/null           -> "now refers to another file"
 *                     c: registered, dup'ed to d, closed -> "closed now"
 *                     f: registered, inherited by a child, closed here
 *                                               -> "at no fd of this process"
 *                     (each a pipe's read end: a distinct inode per file)
 *   psshape threads   the main thread in pthread_join (futex), thread 1 in
 *                     epoll_wait on an eventfd, thread 2 in poll on a pipe
 *   psshape epoll N   one epoll with N registrations (N fds of one pipe's read
 *                     end), in epoll_wait
 *   psshape poll N    poll(2) on N fds of one pipe's read end
 *   psshape name      a file whose name is not UTF-8 (bytes 0xff 0xfe) open
 *                     at fd 9, asleep in pause
 *   psshape nested    epoll A watches epoll B, B watches a pipe's read end and
 *                     an eventfd; in epoll_wait on A
 *   psshape deep      a chain of epolls, each watching the next, the last a
 *                     pipe's read end, as long as the kernel allows (tries
 *                     6: EP_MAX_NESTS); in epoll_wait on the first
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void reg(int ep, int fd)
{
	struct epoll_event e = { .events = EPOLLIN, .data.fd = fd };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0)
		die("epoll_ctl");
}

static int pipe_rd(void)
{
	int p[2];

	if (pipe(p) < 0)
		die("pipe");
	return p[0]; /* the write end stays open: the read end never gets EOF */
}

static void wait_epoll(int ep)
{
	struct epoll_event out;

	for (;;)
		epoll_wait(ep, &out, 1, -1);
}

static void nofile(long n)
{
	struct rlimit r = { (rlim_t)n + 256, (rlim_t)n + 256 };

	if (setrlimit(RLIMIT_NOFILE, &r) < 0)
		die("setrlimit");
}

/* n fds of one pipe's read end, consecutive: the first returned, the last in
 * *last (the write end is moved above them, kept open) */
static int many(long n, int *last)
{
	int p[2], first, fd;

	if (pipe(p) < 0 || fcntl(p[1], F_DUPFD, (int)n + 100) < 0)
		die("pipe");
	close(p[1]);
	first = fd = p[0];

	for (long i = 1; i < n; i++) {
		fd = dup(first);
		if (fd < 0)
			die("dup");
	}
	*last = fd;
	return first;
}

static int t_ep, t_rd;

static void *t_epoll(void *arg)
{
	(void)arg;
	printf("tid1=%d\n", (int)gettid());
	fflush(stdout);
	wait_epoll(t_ep);
	return NULL;
}

static void *t_poll(void *arg)
{
	struct pollfd p = { .fd = t_rd, .events = POLLIN };

	(void)arg;
	printf("tid2=%d\n", (int)gettid());
	fflush(stdout);
	for (;;)
		poll(&p, 1, -1);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *shape = argc > 1 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[2]) : 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(shape, "stale")) {
		int ep = epoll_create1(0), a = pipe_rd(), c = pipe_rd(), fp[2], f, b, d, x;
		pid_t child;

		if (pipe(fp) < 0)
			die("pipe");
		f = fp[0];

		reg(ep, a);
		reg(ep, c);
		reg(ep, f);
		b = dup(a);
		d = dup(c);
		child = fork();
		if (child == 0) { /* holds f (and everything else) */
			for (;;)
				pause();
		}
		close(f); /* both ends: the child alone holds the file */
		close(fp[1]);
		close(a);
		x = open("/dev/null", O_RDONLY); /* takes a's number */
		if (x != a)
			die("/dev/null did not take the closed number");
		close(c);
		printf("epfd=%d a=%d b=%d c=%d d=%d f=%d child=%d\n", ep, a, b, c, d, f,
		       (int)child);
		wait_epoll(ep);
	} else if (!strcmp(shape, "threads")) {
		pthread_t t1, t2;
		int efd = eventfd(0, 0);

		t_ep = epoll_create1(0);
		t_rd = pipe_rd();
		reg(t_ep, efd);
		printf("epfd=%d efd=%d rd=%d\n", t_ep, efd, t_rd);
		if (pthread_create(&t1, NULL, t_epoll, NULL) ||
		    pthread_create(&t2, NULL, t_poll, NULL))
			die("pthread_create");
		pthread_join(t1, NULL);
	} else if (!strcmp(shape, "epoll") && n > 0) {
		int ep, first, last;

		nofile(n);
		ep = epoll_create1(0);
		first = many(n, &last);
		for (int fd = first; fd <= last; fd++)
			reg(ep, fd);
		printf("epfd=%d first=%d last=%d\n", ep, first, last);
		wait_epoll(ep);
	} else if (!strcmp(shape, "poll") && n > 0) {
		struct pollfd *p = calloc((size_t)n, sizeof(*p));
		int first, last;

		if (!p)
			die("calloc");
		nofile(n);
		first = many(n, &last);
		for (long i = 0; i < n; i++)
			p[i] = (struct pollfd){ .fd = first + (int)i, .events = POLLIN };
		printf("first=%d last=%d\n", first, last);
		for (;;)
			poll(p, (nfds_t)n, -1);
	} else if (!strcmp(shape, "nested")) {
		int a = epoll_create1(0), b = epoll_create1(0), rd = pipe_rd(), efd = eventfd(0, 0);

		if (a < 0 || b < 0 || efd < 0)
			die("epoll_create1/eventfd");
		reg(b, rd);
		reg(b, efd);
		reg(a, b);
		printf("a=%d b=%d rd=%d efd=%d\n", a, b, rd, efd);
		wait_epoll(a);
	} else if (!strcmp(shape, "deep")) {
		int ep[6], rd = pipe_rd(), levels = 1, i;
		struct epoll_event e = { .events = EPOLLIN };

		for (i = 0; i < 6; i++)
			if ((ep[i] = epoll_create1(0)) < 0)
				die("epoll_create1");
		reg(ep[5], rd);
		/* bottom up: ep[i] watches ep[i + 1] while the kernel accepts */
		for (i = 4; i >= 0; i--) {
			e.data.fd = ep[i + 1];
			if (epoll_ctl(ep[i], EPOLL_CTL_ADD, ep[i + 1], &e) < 0) {
				printf("refused=%s at=%d\n", strerror(errno), ep[i]);
				break;
			}
			levels++;
		}
		/* the top of the chain: ep[i + 1] */
		printf("levels=%d top=%d bottom=%d rd=%d\n", levels, ep[i + 1], ep[5], rd);
		wait_epoll(ep[i + 1]);
	} else if (!strcmp(shape, "name")) {
		const char *name = "/tmp/na\xff\xfeme";
		int fd = open(name, O_RDONLY | O_CREAT, 0600);

		if (fd < 0 || dup2(fd, 9) < 0)
			die("open");
		printf("fd=9\n");
		for (;;)
			pause();
	} else {
		fprintf(stderr, "usage: psshape stale|threads|epoll N|poll N|name|nested|deep\n");
		return 2;
	}
	return 0;
}
