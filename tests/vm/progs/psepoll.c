/*
 * psepoll: an epoll instance in the states pollscope's inspect must tell
 * apart, then what the module's inspect file and /proc/self/fdinfo say.
 *
 *   psepoll [-t SECS]
 *   psepoll signalfd
 *   psepoll listen
 *
 * ep (one instance): p1 read end added with in, then modified to pri;
 *     p2 read end added with in|oneshot, made readable and the event taken
 *     by epoll_wait (so the entry is disarmed); an eventfd added in|et.
 *     A child sleeps in epoll_wait on ep.
 * ep2 (another instance, nobody waits in it): p3 read end (readable, so on
 *     its ready list), and ep itself (a nested registration, on ep's
 *     poll_wait queue).
 *
 * Prints "fds ep=N ep2=N p1=N p2=N p3=N efd=N child=PID", then sections
 * "== NAME" with the inspect output for p1, p2, p3, efd, ep, ep2 and
 * "== fdinfo-ep", "== fdinfo-ep2" with /proc/self/fdinfo of both.  Waits
 * until the child shows asleep on ep's wq (time limit: exit status 1).
 *
 * signalfd: a child blocks SIGUSR1 and SIGUSR2, opens a signalfd for each,
 * has SIGUSR1 pending (the first is readable for the child) and sleeps in
 * poll on the second; the parent takes both with pidfd_getfd and prints
 * "child PID pending=1", "== sfd" (inspected as itself), "== sfd1" and
 * "== sfd2" (inspected with the child as owner).
 *
 * listen: a listening TCP socket shared by two workers, each with its own
 * epoll instance holding it with EPOLLEXCLUSIVE and asleep in epoll_wait;
 * prints "worker N pid=PID" for each, then "== lfd" with the inspect of
 * the socket once both entries show a sleeper.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <netinet/in.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define INSPECT "/sys/kernel/debug/pollscope/inspect"

static int insp = -1;

/* Writes "FD" (owner 0) or "FD OWNER" to the inspect file, reads the result. */
static char *inspect_as(int fd, pid_t owner)
{
	static char buf[1 << 16];
	char num[32];
	size_t off = 0;
	ssize_t n;

	if (owner)
		snprintf(num, sizeof(num), "%d %d", fd, (int)owner);
	else
		snprintf(num, sizeof(num), "%d", fd);
	if (write(insp, num, strlen(num)) < 0)
		return NULL;
	while (off < sizeof(buf) - 1 && (n = read(insp, buf + off, sizeof(buf) - 1 - off)) > 0)
		off += n;
	buf[off] = '\0';
	return buf;
}

static char *inspect(int fd)
{
	return inspect_as(fd, 0);
}

static void show_as(const char *name, int fd, pid_t owner)
{
	char *t = inspect_as(fd, owner);

	printf("== %s\n%s", name, t ? t : "inspect failed\n");
}

static void show(const char *name, int fd)
{
	char *t = inspect(fd);

	printf("== %s\n%s", name, t ? t : "inspect failed\n");
}

static void fdinfo(const char *name, int fd)
{
	char path[64], buf[4096];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	printf("== %s\n", name);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f))
		fputs(buf, stdout);
	fclose(f);
}

static void add(int ep, int op, int fd, unsigned int events)
{
	struct epoll_event e = { .events = events, .data.fd = fd };

	if (epoll_ctl(ep, op, fd, &e) < 0) {
		perror("epoll_ctl");
		exit(2);
	}
}

static int signalfd_mode(int limit)
{
	int ready[2], sfd[2], pidfd, fd[2], i;
	sigset_t set, pend;
	time_t end;
	pid_t child;
	char c, *t;

	if (pipe(ready) < 0)
		return 2;
	child = fork();
	if (child < 0)
		return 2;
	if (child == 0) {
		struct pollfd p;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigaddset(&set, SIGUSR2);
		sigprocmask(SIG_BLOCK, &set, NULL);
		sigdelset(&set, SIGUSR2);
		sfd[0] = signalfd(-1, &set, 0);
		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		sfd[1] = signalfd(-1, &set, 0);
		kill(getpid(), SIGUSR1);
		sigpending(&pend);
		c = (char)('0' + (sfd[0] >= 0 && sfd[1] >= 0 && sigismember(&pend, SIGUSR1)));
		if (write(ready[1], &c, 1) != 1 || write(ready[1], sfd, sizeof(sfd)) < 0)
			_exit(1);
		p.fd = sfd[1];
		p.events = POLLIN;
		poll(&p, 1, -1);
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1 || read(ready[0], sfd, sizeof(sfd)) != sizeof(sfd))
		return 2;
	printf("child %d pending=%c\n", (int)child, c);
	pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	for (i = 0; i < 2; i++) {
		fd[i] = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, sfd[i], 0);
		if (fd[i] < 0) {
			perror("pidfd_getfd");
			return 2;
		}
	}
	/* the child asleep in poll on the second: on its sighand's signalfd_wqh */
	end = time(NULL) + limit;
	for (;;) {
		t = inspect_as(fd[1], child);
		if (t && strstr(t, " kind=poll ") && strstr(t, " state=S "))
			break;
		if (time(NULL) > end) {
			printf("== TIMEOUT\n%s", t ? t : "");
			return 1;
		}
		usleep(20000);
	}
	show("sfd", fd[0]);
	show_as("sfd1", fd[0], child);
	show_as("sfd2", fd[1], child);
	fflush(stdout);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}

static int listen_mode(int limit)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int lfd = socket(AF_INET, SOCK_STREAM, 0), i;
	pid_t w[2];
	time_t end;
	char *t;

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 8) < 0) {
		perror("psepoll listen");
		return 2;
	}
	printf("lfd=%d\n", lfd);
	for (i = 0; i < 2; i++) {
		w[i] = fork();
		if (w[i] < 0)
			return 2;
		if (w[i] == 0) {
			struct epoll_event ev[1];
			int ep = epoll_create1(0);

			add(ep, EPOLL_CTL_ADD, lfd, EPOLLIN | EPOLLEXCLUSIVE);
			epoll_wait(ep, ev, 1, -1);
			_exit(0);
		}
		printf("worker %d pid=%d\n", i, (int)w[i]);
	}
	end = time(NULL) + limit;
	for (;;) {
		const char *p;
		int n = 0;

		t = inspect(lfd);
		for (p = t; p && (p = strstr(p, " kind=epoll ")) != NULL; p++)
			n += strstr(p, " sleepers=1") && strstr(p, " sleepers=1") < strchr(p, '\n');
		if (n == 2)
			break;
		if (time(NULL) > end) {
			printf("== TIMEOUT\n%s", t ? t : "");
			return 1;
		}
		usleep(20000);
	}
	show("lfd", lfd);
	fflush(stdout);
	for (i = 0; i < 2; i++) {
		kill(w[i], SIGKILL);
		waitpid(w[i], NULL, 0);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int limit = 20, p1[2], p2[2], p3[2], efd, ep, ep2, opt;
	struct epoll_event out[4];
	time_t end;
	pid_t child;
	char *t;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt != 't') {
			fprintf(stderr, "usage: psepoll [-t SECS]\n");
			return 2;
		}
		limit = atoi(optarg);
	}
	insp = open(INSPECT, O_RDWR);
	if (insp >= 0 && optind < argc && !strcmp(argv[optind], "signalfd"))
		return signalfd_mode(limit);
	if (insp >= 0 && optind < argc && !strcmp(argv[optind], "listen"))
		return listen_mode(limit);
	if (insp < 0 || pipe(p1) < 0 || pipe(p2) < 0 || pipe(p3) < 0) {
		perror("psepoll");
		return 2;
	}
	efd = eventfd(0, 0);
	ep = epoll_create1(0);
	ep2 = epoll_create1(0);
	if (efd < 0 || ep < 0 || ep2 < 0) {
		perror("psepoll");
		return 2;
	}
	add(ep, EPOLL_CTL_ADD, p1[0], EPOLLIN);
	add(ep, EPOLL_CTL_MOD, p1[0], EPOLLPRI);
	add(ep, EPOLL_CTL_ADD, p2[0], EPOLLIN | EPOLLONESHOT);
	if (write(p2[1], "x", 1) != 1 || epoll_wait(ep, out, 4, 1000) != 1 ||
	    out[0].data.fd != p2[0]) {
		fprintf(stderr, "psepoll: the oneshot event did not come\n");
		return 2;
	}
	add(ep, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLET);
	if (write(p3[1], "y", 1) != 1)
		return 2;
	add(ep2, EPOLL_CTL_ADD, p3[0], EPOLLIN);
	add(ep2, EPOLL_CTL_ADD, ep, EPOLLIN);

	child = fork();
	if (child < 0)
		return 2;
	if (child == 0) {
		epoll_wait(ep, out, 4, -1);
		_exit(0);
	}
	printf("fds ep=%d ep2=%d p1=%d p2=%d p3=%d efd=%d child=%d\n", ep, ep2, p1[0], p2[0], p3[0],
	       efd, (int)child);
	/* the child asleep in epoll_wait: an epoll_waiter entry on ep's wq */
	end = time(NULL) + limit;
	for (;;) {
		t = inspect(ep);
		if (t && strstr(t, " kind=epoll_waiter ") && strstr(t, " state=S "))
			break;
		if (time(NULL) > end) {
			printf("== TIMEOUT\n%s", t ? t : "");
			kill(child, SIGKILL);
			return 1;
		}
		usleep(20000);
	}
	show("p1", p1[0]);
	show("p2", p2[0]);
	show("p3", p3[0]);
	show("efd", efd);
	show("ep", ep);
	show("ep2", ep2);
	fdinfo("fdinfo-ep", ep);
	fdinfo("fdinfo-ep2", ep2);
	fflush(stdout);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}
