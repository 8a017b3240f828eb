/*
 * psinspect: put child processes to sleep on a kernel object, then ask
 * pollscope's inspect file which wait queue heads the object's poll method
 * uses and who sleeps on them.
 *
 *   psinspect [-t SECS] pipe|eventfd|socketpair|timerfd
 *   psinspect [-t SECS] open PATH [EXPECT]
 *
 * pipe:       read end: poll(in), select(read), blocking read -> label r (3)
 *             then the pipe is filled; write end: poll(out)    -> label w (1)
 * eventfd:    poll(in), blocking read, epoll(in)               -> label e (3)
 * socketpair: sv[0]: poll(in), blocking recv                   -> label s0 (2)
 *             sv[1]: nobody                                    -> label s1 (0)
 * timerfd:    poll(in), blocking read on a disarmed timer      -> label t (2)
 * open:       PATH opened read-only, non-blocking              -> label f (EXPECT, default 0)
 *
 * Prints "child KIND pid=N" for each sleeper, then for each label a line
 * "== LABEL" followed by the inspect output, once at least the expected
 * number of entries show state=S (or the time limit, default 20 s, passed:
 * exit status 1).  Children are killed before exiting.
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
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define INSPECT "/sys/kernel/debug/pollscope/inspect"

static pid_t children[16];
static int nchildren;
static int limit = 20;
static int insp = -1;

static void spawn(const char *what, int fd)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		char buf[64];

		if (!strcmp(what, "poll-in") || !strcmp(what, "poll-out")) {
			struct pollfd p = { .fd = fd, .events = what[5] == 'i' ? POLLIN : POLLOUT };

			poll(&p, 1, -1);
		} else if (!strcmp(what, "select")) {
			fd_set r;

			FD_ZERO(&r);
			FD_SET(fd, &r);
			select(fd + 1, &r, NULL, NULL, NULL);
		} else if (!strcmp(what, "read")) {
			if (read(fd, buf, sizeof(buf)) < 0)
				_exit(1);
		} else if (!strcmp(what, "recv")) {
			recv(fd, buf, sizeof(buf), 0);
		} else if (!strcmp(what, "epoll")) {
			struct epoll_event e = { .events = EPOLLIN }, out;
			int ep = epoll_create1(0);

			epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
			epoll_wait(ep, &out, 1, -1);
		}
		_exit(0);
	}
	children[nchildren++] = pid;
	printf("child %s pid=%d\n", what, (int)pid);
}

static void kill_children(void)
{
	int i;

	for (i = 0; i < nchildren; i++) {
		kill(children[i], SIGKILL);
		waitpid(children[i], NULL, 0);
	}
	nchildren = 0;
}

/* One inspect of fd into a malloc'd buffer; NULL with errno set on error. */
static char *inspect(int fd)
{
	static char buf[1 << 20];
	char num[16];
	size_t off = 0;
	ssize_t n;

	snprintf(num, sizeof(num), "%d", fd);
	if (write(insp, num, strlen(num)) < 0)
		return NULL;
	while (off < sizeof(buf) - 1 && (n = read(insp, buf + off, sizeof(buf) - 1 - off)) > 0)
		off += n;
	buf[off] = '\0';
	return buf;
}

/*
 * Entries whose task sleeps (an epoll entry: the thread in its epoll_wait),
 * plus epoll entries nobody is named on, on kernels whose epoll layout the
 * module does not know (pid=0 ... epoll=unknown).
 */
static int count_sleeping(const char *text)
{
	const char *p = text, *nl;
	int n = 0;

	while ((p = strstr(p, " state=S ")) != NULL) {
		n++;
		p++;
	}
	for (p = text; (p = strstr(p, " kind=epoll pid=0 ")) != NULL; p++) {
		nl = strchr(p, '\n');
		if (nl && nl - p > 14 && !strncmp(nl - 14, " epoll=unknown", 14))
			n++;
	}
	return n;
}

static int report(const char *label, int fd, int expect)
{
	time_t end = time(NULL) + limit;
	char *text;

	for (;;) {
		text = inspect(fd);
		if (!text) {
			printf("== %s\ninspect failed: %s\n", label, strerrorname_np(errno));
			return 1;
		}
		if (count_sleeping(text) >= expect)
			break;
		if (time(NULL) > end) {
			printf("== %s (TIMEOUT waiting for %d sleepers)\n%s", label, expect, text);
			return 1;
		}
		usleep(20000);
	}
	printf("== %s\n%s", label, text);
	return 0;
}

int main(int argc, char **argv)
{
	const char *kind;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "+t:")) != -1) {
		if (opt == 't') {
			limit = atoi(optarg);
		} else {
			fprintf(stderr, "usage: psinspect [-t SECS] KIND [PATH [EXPECT]]\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: psinspect [-t SECS] KIND [PATH [EXPECT]]\n");
		return 2;
	}
	kind = argv[optind];
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	insp = open(INSPECT, O_RDWR);
	if (insp < 0) {
		perror(INSPECT);
		return 2;
	}

	if (!strcmp(kind, "pipe")) {
		int p[2];

		if (pipe(p) < 0)
			return 2;
		spawn("poll-in", p[0]);
		spawn("select", p[0]);
		spawn("read", p[0]);
		rc |= report("r", p[0], 3);
		kill_children();
		fcntl(p[1], F_SETFL, O_NONBLOCK);
		while (write(p[1], "xxxxxxxxxxxxxxxx", 16) > 0)
			;
		spawn("poll-out", p[1]);
		rc |= report("w", p[1], 1);
	} else if (!strcmp(kind, "eventfd")) {
		int e = eventfd(0, 0);

		spawn("poll-in", e);
		spawn("read", e);
		spawn("epoll", e);
		rc |= report("e", e, 3);
	} else if (!strcmp(kind, "socketpair")) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			return 2;
		spawn("poll-in", sv[0]);
		spawn("recv", sv[0]);
		rc |= report("s0", sv[0], 2);
		rc |= report("s1", sv[1], 0);
	} else if (!strcmp(kind, "timerfd")) {
		int t = timerfd_create(CLOCK_MONOTONIC, 0);

		spawn("poll-in", t);
		spawn("read", t);
		rc |= report("t", t, 2);
	} else if (!strcmp(kind, "open") && optind + 1 < argc) {
		int fd = open(argv[optind + 1], O_RDONLY | O_NONBLOCK | O_NOCTTY);
		int expect = optind + 2 < argc ? atoi(argv[optind + 2]) : 0;

		if (fd < 0) {
			printf("open %s: %s\n", argv[optind + 1], strerrorname_np(errno));
			return 2;
		}
		rc |= report("f", fd, expect);
	} else {
		fprintf(stderr, "psinspect: unknown kind %s\n", kind);
		return 2;
	}
	kill_children();
	fflush(stdout);
	return rc;
}
