/*
 * pswatch: ordinary processes for the watch tests (pollscope starts none of
 * them).  Each prints "ready pid=P fd=F" (and more) once set up, then takes
 * one-letter commands on stdin:
 *
 *   pswatch obj eventfd|pipe|socketpair|timerfd|signalfd
 *       fd F is the watched end (pipe: the read end; socketpair: sv[0];
 *       signalfd: SIGUSR1, blocked).  w: make it readable (eventfd write 1,
 *       pipe/socket write "x" on the other end, timerfd armed 1 ms,
 *       SIGUSR1 to itself), r: read it empty, p: fork a child that polls F
 *       for in (prints "poller pid=C"), k: kill the pollers, x: exit.
 *   pswatch writer PATH
 *       opens PATH for writing, SIGPIPE ignored; w: write one byte, prints
 *       "write ok" or "write EPIPE" (or the errno name); x: exit.
 *   pswatch hot SECS
 *       an eventfd; g: write 1 to it in a loop for SECS seconds, prints
 *       "writes=N", then exits at the end of input.
 *   pswatch race N
 *       N times: a pipe; a watch on its read end through the module's
 *       watch file (add), while a thread writes to it; then either del
 *       and close, or (every 4th) close only (the watch ends by itself).
 *       Prints "added=A deleted=D enospc=E".
 *   pswatch bench SLEEPERS MS
 *       a pipe whose read end SLEEPERS children poll for pri (a key pipe
 *       writes never match: they stay queued); each g: write one byte and
 *       read it back for MS ms, prints "iters=N ns_per_wake=X" (pipe_write
 *       wakes rd_wait each time: the pipe was empty).
 *   pswatch evreader SECS
 *       reads the module's events file for SECS seconds as fast as it can,
 *       (or until SIGUSR1), then what is left; prints "watch_read=N lost=M".
 *   pswatch sigloop N
 *       N times: a child makes a signalfd for SIGUSR1; we take it with
 *       pidfd_getfd and watch it (add sigI FD owner=CHILD through the
 *       module's watch file), close our copy, then the child exits and is
 *       reaped (its sighand goes: wake_up_pollfree).  Prints "watched=N".
 *   pswatch epipe N
 *       N times: a pipe; a watch on its read end (add FD epI); close the
 *       read end; as soon as the events file shows the watch's end, write
 *       to the pipe: the reader is gone, so it must fail with EPIPE.
 *       Prints "ended=E epipe=P".
 *   pswatch opath PATH
 *       holds PATH opened with O_PATH until killed.
 *   pswatch sigowner
 *       a signalfd for SIGUSR1; exits at end of input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t pollers[32];
static int npollers;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void poller(int fd)
{
	pid_t p = fork();

	if (p < 0)
		die("fork");
	if (p == 0) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		for (;;)
			poll(&pf, 1, -1), pause();
	}
	if (npollers < 32)
		pollers[npollers++] = p;
	printf("poller pid=%d\n", (int)p);
	fflush(stdout);
}

static volatile int race_fd = -1, race_stop;
static volatile sig_atomic_t ev_stop;

static void on_usr1(int sig)
{
	(void)sig;
	ev_stop = 1;
}

static void *race_writer(void *arg)
{
	(void)arg;
	while (!race_stop) {
		int fd = race_fd;
		if (fd >= 0 && write(fd, "x", 1) < 0 && errno == EAGAIN) {
			/* full: the reader end drains below */
		}
	}
	return NULL;
}

/* One command to the module's watch file: 0 or -errno. */
static int watch_cmd(const char *line)
{
	int fd = open("/sys/kernel/debug/pollscope/watch", O_WRONLY), r;

	if (fd < 0)
		die("open watch");
	r = write(fd, line, strlen(line)) < 0 ? -errno : 0;
	close(fd);
	return r;
}

static int wctl(const char *op, int a, int i)
{
	char line[128];

	if (!strcmp(op, "add"))
		snprintf(line, sizeof(line), "add %d race%d rate=1", a, i);
	else
		snprintf(line, sizeof(line), "del race%d", i);
	return watch_cmd(line);
}

static int sigloop(int n)
{
	int watched = 0;

	for (int i = 0; i < n; i++) {
		int up[2], down[2], sfd = -1, pidfd, mine;
		char line[128];
		pid_t k;

		if (pipe(up) < 0 || pipe(down) < 0)
			die("pipe");
		k = fork();
		if (k < 0)
			die("fork");
		if (k == 0) {
			sigset_t ss;
			char b;

			sigemptyset(&ss);
			sigaddset(&ss, SIGUSR1);
			sigprocmask(SIG_BLOCK, &ss, NULL);
			sfd = signalfd(-1, &ss, 0);
			if (sfd < 0 || write(up[1], &sfd, sizeof(sfd)) != sizeof(sfd))
				_exit(2);
			if (read(down[0], &b, 1) < 0)
				_exit(2);
			_exit(0);
		}
		if (read(up[0], &sfd, sizeof(sfd)) != sizeof(sfd))
			die("child");
		pidfd = (int)syscall(SYS_pidfd_open, k, 0);
		mine = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, sfd, 0);
		if (mine < 0)
			die("pidfd_getfd");
		snprintf(line, sizeof(line), "add %d sig%d owner=%d", mine, i, (int)k);
		if (watch_cmd(line) < 0)
			die("add");
		watched++;
		close(mine);
		close(pidfd);
		if (write(down[1], "x", 1) != 1) /* exit now */
			die("down");
		waitpid(k, NULL, 0);
		close(up[0]), close(up[1]), close(down[0]), close(down[1]);
	}
	printf("watched=%d\n", watched);
	return 0;
}

static int race(int n)
{
	int added = 0, deleted = 0, enospc = 0;
	pthread_t t;
	char buf[4096];

	signal(SIGPIPE, SIG_IGN); /* the writer races the closes */
	pthread_create(&t, NULL, race_writer, NULL);
	for (int i = 0; i < n; i++) {
		int p[2], r;

		if (pipe2(p, O_NONBLOCK) < 0)
			die("pipe");
		race_fd = p[1];
		r = wctl("add", p[0], i);
		if (r == 0)
			added++;
		else if (r == -ENOSPC)
			enospc++;
		else
			fprintf(stderr, "add: %s\n", strerror(-r)), exit(1);
		while (read(p[0], buf, sizeof(buf)) > 0)
			;
		if (r == 0 && i % 4) {
			if (wctl("del", 0, i) < 0)
				fprintf(stderr, "del race%d failed\n", i), exit(1);
			deleted++;
		}
		race_fd = -1;
		close(p[1]);
		close(p[0]);
	}
	race_stop = 1;
	pthread_join(t, NULL);
	printf("added=%d deleted=%d enospc=%d\n", added, deleted, enospc);
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads the events file until a line holding NEEDLE, or 20 s pass. */
static bool wait_event(int efd, const char *needle)
{
	static char buf[1 << 16];
	static size_t have;
	double end = now() + 20;

	for (;;) {
		struct pollfd pf = { .fd = efd, .events = POLLIN };
		ssize_t r;
		char *nl;

		r = read(efd, buf + have, sizeof(buf) - 1 - have);
		if (r > 0) {
			have += (size_t)r;
			buf[have] = '\0';
			if (strstr(buf, needle)) {
				have = 0;
				return true;
			}
			nl = strrchr(buf, '\n'); /* keep only a partial last line */
			if (nl) {
				have = strlen(nl + 1);
				memmove(buf, nl + 1, have);
			} else if (have == sizeof(buf) - 1) {
				have = 0;
			}
			continue;
		}
		if (now() >= end)
			return false;
		poll(&pf, 1, 100);
	}
}

static int epipe(int n)
{
	int efd = open("/sys/kernel/debug/pollscope/events", O_RDONLY), ended = 0, got = 0;
	char needle[64];

	if (efd < 0)
		die("open events");
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < n; i++) {
		int p[2];
		char line[64];

		if (pipe(p) < 0)
			die("pipe");
		snprintf(line, sizeof(line), "add %d ep%d", p[0], i);
		if (watch_cmd(line) < 0)
			die("add");
		close(p[0]);
		snprintf(needle, sizeof(needle), " object=ep%d op=end reason=closed ", i);
		if (!wait_event(efd, needle)) {
			fprintf(stderr, "ep%d: no end event in 20 s\n", i);
			break;
		}
		ended++;
		if (write(p[1], "x", 1) < 0 && errno == EPIPE)
			got++;
		else
			fprintf(stderr, "ep%d: the write after the end did not get EPIPE\n", i);
		close(p[1]);
	}
	printf("ended=%d epipe=%d\n", ended, got);
	return 0;
}

int main(int argc, char **argv)
{
	int fd = -1, other = -1, c;
	const char *kind;
	sigset_t ss;

	if (argc < 2)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "writer") && argc == 3) {
		signal(SIGPIPE, SIG_IGN);
		fd = open(argv[2], O_WRONLY);
		if (fd < 0)
			die("open");
		printf("ready pid=%d fd=%d\n", (int)getpid(), fd);
		while ((c = getchar()) != EOF) {
			if (c == 'w') {
				if (write(fd, "x", 1) == 1)
					printf("write ok\n");
				else
					printf("write %s\n",
					       errno == EPIPE ? "EPIPE" : strerror(errno));
			} else if (c == 'x') {
				return 0;
			}
		}
		return 0;
	}
	if (!strcmp(argv[1], "hot") && argc == 3) {
		double end;
		long n = 0;
		uint64_t one = 1;

		fd = eventfd(0, EFD_NONBLOCK);
		if (fd < 0)
			die("eventfd");
		printf("ready pid=%d fd=%d\n", (int)getpid(), fd);
		while ((c = getchar()) != EOF && c != 'g')
			;
		end = now() + atof(argv[2]);
		while (now() < end) {
			for (int i = 0; i < 1000; i++) {
				if (write(fd, &one, 8) != 8) {
					uint64_t v;
					if (read(fd, &v, 8) < 0)
						die("read");
				}
				n++;
			}
		}
		printf("writes=%ld\n", n);
		while (getchar() != EOF) /* the watch stays until we exit */
			;
		return 0;
	}
	if (!strcmp(argv[1], "bench") && argc == 4) {
		int p[2], n = atoi(argv[2]), ms = atoi(argv[3]);
		char b;

		if (pipe2(p, O_NONBLOCK) < 0)
			die("pipe");
		pid_t *kids = calloc((size_t)n + 1, sizeof(pid_t));

		if (!kids)
			die("calloc");
		for (int i = 0; i < n; i++) {
			pid_t k = fork();
			if (k < 0)
				die("fork");
			kids[i] = k;
			if (k == 0) {
				struct pollfd pf = { .fd = p[0], .events = POLLPRI };
				for (;;)
					poll(&pf, 1, -1);
			}
		}
		printf("ready pid=%d fd=%d\n", (int)getpid(), p[0]);
		while ((c = getchar()) != EOF) {
			double t0, t1;
			long it = 0;

			if (c != 'g')
				continue;
			t0 = now();
			do {
				for (int i = 0; i < 100; i++, it++) {
					if (write(p[1], "x", 1) != 1 || read(p[0], &b, 1) != 1)
						die("pipe io");
				}
				t1 = now();
			} while (t1 - t0 < ms / 1000.0);
			printf("iters=%ld ns_per_wake=%.0f\n", it, (t1 - t0) * 1e9 / it);
		}
		for (int i = 0; i < n; i++) /* only ours: not the process group */
			kill(kids[i], SIGKILL);
		return 0;
	}
	if (!strcmp(argv[1], "evreader") && argc == 3) {
		static char buf[1 << 16];
		long got = 0, lost = 0;
		double end = now() + atof(argv[2]);
		int efd = open("/sys/kernel/debug/pollscope/events", O_RDONLY);

		signal(SIGUSR1, on_usr1); /* stop now: drain and report */

		if (efd < 0)
			die("open events");
		for (;;) {
			struct pollfd pf = { .fd = efd, .events = POLLIN };
			bool over = ev_stop || now() >= end;
			ssize_t r;

			if (!over)
				poll(&pf, 1, 100);
			r = read(efd, buf, sizeof(buf) - 1);
			if (r <= 0 && over)
				break; /* past the time, and what the ring still had is read */
			if (r <= 0)
				continue;
			buf[r] = '\0';
			for (char *q = buf; (q = strstr(q, "seq=")); q++) {
				char *nl = strchr(q, '\n');
				if (nl)
					*nl = '\0';
				if (strstr(q, " type=watch "))
					got++;
				else if (strstr(q, " type=lost count="))
					lost += atol(strstr(q, "count=") + 6);
				if (!nl)
					break;
				q = nl;
			}
		}
		printf("watch_read=%ld lost=%ld\n", got, lost);
		return 0;
	}
	if (!strcmp(argv[1], "sigloop") && argc == 3)
		return sigloop(atoi(argv[2]));
	if (!strcmp(argv[1], "epipe") && argc == 3)
		return epipe(atoi(argv[2]));
	if (!strcmp(argv[1], "race") && argc == 3)
		return race(atoi(argv[2]));
	if (!strcmp(argv[1], "opath") && argc == 3) {
		fd = open(argv[2], O_PATH);
		if (fd < 0)
			die("open");
		printf("ready pid=%d fd=%d\n", (int)getpid(), fd);
		pause();
		return 0;
	}
	if (!strcmp(argv[1], "sigowner")) {
		sigemptyset(&ss);
		sigaddset(&ss, SIGUSR1);
		sigprocmask(SIG_BLOCK, &ss, NULL);
		fd = signalfd(-1, &ss, 0);
		if (fd < 0)
			die("signalfd");
		printf("ready pid=%d fd=%d\n", (int)getpid(), fd);
		while (getchar() != EOF)
			;
		return 0;
	}
	if (strcmp(argv[1], "obj") || argc != 3)
		return 2;
	kind = argv[2];
	if (!strcmp(kind, "eventfd")) {
		fd = eventfd(0, EFD_NONBLOCK);
	} else if (!strcmp(kind, "pipe")) {
		int p[2];
		if (pipe2(p, O_NONBLOCK) == 0)
			fd = p[0], other = p[1];
	} else if (!strcmp(kind, "socketpair")) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0)
			fd = sv[0], other = sv[1];
	} else if (!strcmp(kind, "timerfd")) {
		fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	} else if (!strcmp(kind, "signalfd")) {
		sigemptyset(&ss);
		sigaddset(&ss, SIGUSR1);
		sigprocmask(SIG_BLOCK, &ss, NULL);
		fd = signalfd(-1, &ss, SFD_NONBLOCK);
	} else {
		return 2;
	}
	if (fd < 0)
		die(kind);
	printf("ready pid=%d fd=%d other=%d\n", (int)getpid(), fd, other);
	while ((c = getchar()) != EOF) {
		char buf[256];
		uint64_t one = 1;

		switch (c) {
		case 'w':
			if (!strcmp(kind, "eventfd")) {
				if (write(fd, &one, 8) != 8)
					die("write");
			} else if (other >= 0) {
				if (write(other, "x", 1) != 1)
					die("write");
			} else if (!strcmp(kind, "timerfd")) {
				struct itimerspec it = { .it_value = { 0, 1000000 } };
				timerfd_settime(fd, 0, &it, NULL);
			} else {
				kill(getpid(), SIGUSR1);
			}
			printf("done w\n");
			break;
		case 'r':
			while (read(fd, buf, !strcmp(kind, "signalfd") ? 128 : 8) > 0)
				;
			printf("done r\n");
			break;
		case 'p':
			poller(fd);
			break;
		case 'k':
			for (int i = 0; i < npollers; i++) {
				kill(pollers[i], SIGKILL);
				waitpid(pollers[i], NULL, 0);
			}
			npollers = 0;
			printf("done k\n");
			break;
		case 'x':
			return 0;
		}
	}
	return 0;
}
