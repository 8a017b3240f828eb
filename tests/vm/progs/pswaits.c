/*
 * pswaits: processes asleep on known wait queues, for the waits tests and
 * benchmark.  Each mode prints its pids and fds, then stays until killed
 * (SIGTERM to the printed leader kills the group it made).
 *
 *   pswaits socketpair     a child asleep in recv on one end of a socketpair,
 *                          the parent (the peer) in pause(2) holding the other
 *   pswaits server N       an epoll server with N clients: the server holds one
 *                          end of a socketpair per client in its epoll
 *                          instance and sleeps in epoll_wait; each client (a
 *                          child) holds the other end and sleeps in read
 *   pswaits excl           one eventfd, two children each with its own epoll
 *                          instance holding it with EPOLLEXCLUSIVE, asleep in
 *                          epoll_wait; the parent holds the eventfd in pause
 *   pswaits many P F       P children each holding F pipe fds (F/2 pipes),
 *                          asleep in poll on all of them (benchmark)
 *
 * Output lines: "leader PID", "NAME pid=PID fd=FD" for each sleeper's fd,
 * "ready" when all children are forked.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static pid_t child(void)
{
	pid_t p = fork();

	if (p < 0)
		die("fork");
	if (p == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	return p;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: pswaits socketpair|server N|excl|many P F\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, SIG_DFL);
	printf("leader %d\n", (int)getpid());
	if (!strcmp(argv[1], "socketpair")) {
		int sv[2];
		char c;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			die("socketpair");
		if (child() == 0) {
			close(sv[0]);
			if (recv(sv[1], &c, 1, 0) < 0)
				die("recv");
			_exit(0);
		}
		close(sv[1]);
		printf("peer pid=%d fd=%d\n", (int)getpid(), sv[0]);
	} else if (!strcmp(argv[1], "server") && argc > 2) {
		int n = atoi(argv[2]), ep = epoll_create1(0);

		if (ep < 0)
			die("epoll_create1");
		for (int i = 0; i < n; i++) {
			int sv[2];
			pid_t p;
			char c;
			struct epoll_event ev = { .events = EPOLLIN };

			if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
				die("socketpair");
			p = child();
			if (p == 0) {
				close(sv[0]);
				close(ep);
				if (read(sv[1], &c, 1) < 0)
					die("read");
				_exit(0);
			}
			printf("client pid=%d fd=%d\n", (int)p, sv[1]);
			close(sv[1]);
			ev.data.fd = sv[0];
			if (epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev) < 0)
				die("epoll_ctl");
			printf("server pid=%d fd=%d\n", (int)getpid(), sv[0]);
		}
		printf("epoll pid=%d fd=%d\n", (int)getpid(), ep);
		printf("ready\n");
		for (;;) {
			struct epoll_event out;

			if (epoll_wait(ep, &out, 1, -1) < 0)
				die("epoll_wait");
			printf("event fd=%d\n", out.data.fd);
			pause();
		}
	} else if (!strcmp(argv[1], "excl")) {
		int efd = eventfd(0, 0);

		if (efd < 0)
			die("eventfd");
		for (int i = 0; i < 2; i++) {
			pid_t p = child();

			if (p == 0) {
				int ep = epoll_create1(0);
				struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
				struct epoll_event out;

				if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) < 0)
					die("epoll");
				for (;;) {
					if (epoll_wait(ep, &out, 1, -1) < 0)
						die("epoll_wait");
					pause();
				}
			}
			printf("worker pid=%d fd=%d\n", (int)p, efd);
		}
		printf("eventfd pid=%d fd=%d\n", (int)getpid(), efd);
	} else if (!strcmp(argv[1], "many") && argc > 3) {
		int np = atoi(argv[2]), nf = atoi(argv[3]);
		struct rlimit rl = { (rlim_t)nf + 64, (rlim_t)nf + 64 };

		setrlimit(RLIMIT_NOFILE, &rl);
		for (int i = 0; i < np; i++) {
			if (child() == 0) {
				struct pollfd *pf = calloc((size_t)nf, sizeof(*pf));
				int k = 0;

				if (!pf)
					die("calloc");
				while (k + 1 < nf) {
					int p[2];

					if (pipe(p) < 0)
						die("pipe");
					pf[k].fd = p[0];
					pf[k++].events = POLLIN;
					pf[k].fd = p[1];
					pf[k++].events = 0;
				}
				/* the write ends wait for nothing: only hangup/error */
				poll(pf, (nfds_t)k, -1);
				_exit(0);
			}
		}
	} else {
		fprintf(stderr, "pswaits: unknown mode '%s'\n", argv[1]);
		return 2;
	}
	printf("ready\n");
	for (;;)
		pause();
}
