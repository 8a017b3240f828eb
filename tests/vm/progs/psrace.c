/*
 * psrace: fault cases for pollscope.ko that need precise timing.
 *
 *   psrace inspect-exit NAME ROUNDS
 *       Each round a target process sleeps in poll on a pipe and on
 *       objects/NAME (one entry on each queue); this process takes the
 *       target's fds with pidfd_getfd(2) and inspects them through the
 *       inspect file in a loop, while the target is killed (SIGKILL) or
 *       exits by itself at a random moment: the inspection must go on
 *       giving well-formed results or clean errors (ESRCH/EBADF from
 *       pidfd_getfd once the target is gone).
 *   psrace destroy-held NAME ROUNDS
 *       Each round NAME is created, sleepers block on it (poll, select,
 *       epoll, exclusive epoll, blocking read) and two inspectors inspect
 *       their own fd of it in a loop; NAME is destroyed under them: every
 *       sleeper must return with hang-up (read: end of file), the
 *       inspectors must see hup,err in the inspect result and keep
 *       working; then everyone closes and the object is freed.
 *
 * Prints one summary line; exit status 0 only if every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DIR_PS "/sys/kernel/debug/pollscope"

static long failures;
static uint64_t rng = 0x2545F4914F6CDD1DULL;

static unsigned int rn(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (unsigned int)(rng % n) : 0;
}

static void bad(const char *what, int err)
{
	failures++;
	printf("FAIL: %s (errno %s)\n", what, err ? strerrorname_np(err) : "0");
}

static void control(const char *verb, const char *name)
{
	char cmd[96];
	int fd = open(DIR_PS "/control", O_WRONLY);

	snprintf(cmd, sizeof(cmd), "%s %s", verb, name);
	if (fd < 0 || write(fd, cmd, strlen(cmd)) < 0)
		bad(cmd, errno);
	if (fd >= 0)
		close(fd);
}

static int open_obj(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), DIR_PS "/objects/%s", name);
	return open(path, O_RDWR | O_NONBLOCK);
}

/* Inspect fd; returns 1 and the text in buf, 0 on a clean error. */
static int inspect(int in, int fd, char *buf, size_t len)
{
	char num[16];
	ssize_t r;

	snprintf(num, sizeof(num), "%d", fd);
	if (write(in, num, strlen(num)) < 0) {
		if (errno != EBADF)
			bad("inspect write", errno);
		return 0;
	}
	r = read(in, buf, len - 1);
	if (r < 3 || strncmp(buf, "fd=", 3)) {
		bad("inspect result", r < 0 ? errno : 0);
		return 0;
	}
	buf[r] = '\0';
	return 1;
}

static int entries_waiting(const char *name)
{
	char buf[8192], pat[64], *p;
	int fd = open(DIR_PS "/stats", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	snprintf(pat, sizeof(pat), "\nobject=%s ", name);
	p = strstr(buf, pat);
	if (!p || !(p = strstr(p, " waiting=")))
		return -1;
	return atoi(p + 9);
}

static int inspect_exit(const char *name, int rounds)
{
	long inspections = 0, gone = 0, killed = 0;
	char buf[8192];
	int in = open(DIR_PS "/inspect", O_RDWR), r;

	if (in < 0) {
		bad("open inspect", errno);
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		int p[2], obj, pidfd, status, tries;
		pid_t pid;

		if (pipe(p) < 0 || (obj = open_obj(name)) < 0) {
			bad("pipe/open object", errno);
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			struct pollfd pf[2] = { { p[0], POLLIN, 0 }, { obj, POLLIN, 0 } };

			poll(pf, 2, 1 + (int)rn(40));
			_exit(0);
		}
		close(p[0]);
		close(obj);
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0) {
			bad("pidfd_open", errno);
			return 1;
		}
		for (tries = 0; tries < 200; tries++) {
			int which = tries & 1 ? obj : p[0];
			int tfd = (int)syscall(SYS_pidfd_getfd, pidfd, which, 0);

			if (tries == 3 + (int)rn(20) && rn(2)) {
				kill(pid, SIGKILL);
				killed++;
			}
			if (tfd < 0) {
				if (errno != ESRCH && errno != EBADF)
					bad("pidfd_getfd", errno);
				gone++;
				break;
			}
			inspections += inspect(in, tfd, buf, sizeof(buf));
			close(tfd);
		}
		close(pidfd);
		close(p[1]);
		waitpid(pid, &status, 0);
	}
	close(in);
	printf("psrace inspect-exit rounds=%d inspections=%ld gone=%ld killed=%ld failures=%ld\n",
	       rounds, inspections, gone, killed, failures);
	return failures ? 1 : 0;
}

/* A sleeper: blocks on NAME in one way; exit 0 iff it ended with hang-up. */
static void sleeper(const char *name, int kind)
{
	int fd = open_obj(name), ret;
	char buf[64];

	if (fd < 0)
		_exit(10);
	fcntl(fd, F_SETFL, 0);
	switch (kind) {
	case 0: {
		struct pollfd p = { fd, POLLIN, 0 };

		ret = poll(&p, 1, 60000);
		_exit(ret == 1 && (p.revents & POLLHUP) ? 0 : 1);
	}
	case 1: {
		fd_set r;

		FD_ZERO(&r);
		FD_SET(fd, &r);
		ret = select(fd + 1, &r, NULL, NULL, NULL);
		_exit(ret == 1 && FD_ISSET(fd, &r) ? 0 : 1);
	}
	case 2:
	case 3: {
		struct epoll_event e = { .events = EPOLLIN | (kind == 3 ? EPOLLEXCLUSIVE : 0) },
				   out;
		int ep = epoll_create1(0);

		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0)
			_exit(11);
		ret = epoll_wait(ep, &out, 1, 60000);
		_exit(ret == 1 && (out.events & EPOLLHUP) ? 0 : 1);
	}
	default:
		ret = (int)read(fd, buf, sizeof(buf));
		_exit(ret == 0 ? 0 : 1);
	}
}

/* An inspector: inspects its own fd of NAME until it has seen hup,err a few times. */
static void inspector(const char *name, int ready)
{
	int in = open(DIR_PS "/inspect", O_RDWR), fd = open_obj(name), dead = 0, k;
	char buf[8192], *nl;

	if (in < 0 || fd < 0)
		_exit(10);
	for (k = 0; k < 100000 && dead < 20; k++) {
		if (!inspect(in, fd, buf, sizeof(buf)))
			_exit(1);
		if (k == 0 && write(ready, "r", 1) != 1)
			_exit(12);
		nl = strchr(buf, '\n'); /* the header line: fd= file= mask= */
		if (nl)
			*nl = '\0';
		if (strstr(buf, " mask=err,hup "))
			dead++;
	}
	_exit(dead ? 0 : 2);
}

static int destroy_held(const char *name, int rounds)
{
	const int nsleep = 5, ninsp = 2;
	int r, i, status, ok = 0;

	for (r = 0; r < rounds; r++) {
		pid_t pids[8];
		int n = 0, t, hs[2];
		char c;

		control("create", name);
		for (i = 0; i < nsleep; i++) {
			pids[n] = fork();
			if (pids[n] == 0)
				sleeper(name, i);
			n++;
		}
		for (t = 0; t < 400 && entries_waiting(name) < nsleep; t++)
			usleep(25000);
		if (entries_waiting(name) < nsleep)
			bad("sleepers not queued", 0);
		if (pipe(hs) < 0)
			return 2;
		for (i = 0; i < ninsp; i++) {
			pids[n] = fork();
			if (pids[n] == 0)
				inspector(name, hs[1]);
			n++;
		}
		/* every inspector has its fd and has inspected once */
		for (i = 0; i < ninsp; i++)
			if (read(hs[0], &c, 1) != 1)
				bad("inspector handshake", errno);
		close(hs[0]);
		close(hs[1]);
		usleep(1000 * rn(20));
		control("destroy", name);
		for (i = 0; i < n; i++) {
			waitpid(pids[i], &status, 0);
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				printf("FAIL: round %d %s %d ended with status 0x%x\n", r,
				       i < nsleep ? "sleeper" : "inspector", i, status);
				failures++;
			} else {
				ok++;
			}
		}
	}
	printf("psrace destroy-held rounds=%d ok=%d failures=%ld\n", rounds, ok, failures);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	rng ^= (uint64_t)getpid() << 20;
	if (argc == 4 && !strcmp(argv[1], "inspect-exit"))
		return inspect_exit(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "destroy-held"))
		return destroy_held(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: psrace inspect-exit|destroy-held NAME ROUNDS\n");
	return 2;
}
