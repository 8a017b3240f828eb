/*
 * psstress: many processes create, destroy, ready, wake, open, poll, epoll,
 * select, read, write, inspect and close the same few pollscope objects at
 * once, while readers take queues snapshots, follow events (blocking in poll
 * on the events file) and read stats.  Every outcome is checked against
 * what pollscope(4) allows; after the time limit every process is killed
 * with SIGKILL (many in the middle of a wait), then every object is
 * destroyed and the module must be empty.
 *
 *   psstress [-t SECS] [-w WORKERS] [-r READERS] [-n NAMES] [-s SEED] [-T] [-k]
 *
 * -t  run time (default 10 s)      -w  mutating workers (default 8)
 * -r  reader processes (default 3: queues+stats, events, inspect)
 * -n  object names s0..s(N-1) (default 3)
 * -T  tolerant: the module may be unloaded meanwhile (files vanish); only
 *     errno values are checked, control is reopened for every command
 * -k  keep the objects at the end (no final destroy and emptiness check)
 *
 * Prints "psstress ops=N failures=F" and per-operation counts; exit status
 * 0 only if no check failed.
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
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DIR_PS "/sys/kernel/debug/pollscope"
#define MAX_PROCS 64
#define NOPS 16

static const char *op_names[NOPS] = {
	"create", "destroy", "ready",  "wake",	 "poll",  "epoll",   "select", "read",
	"write",  "inspect", "queues", "events", "stats", "dead-fd", "storm",  "walk",
};

/* Shared with the parent: per-op counts and failures. */
struct shared {
	long ops[NOPS];
	long failures;
};

static struct shared *sh;
static uint64_t rng;
static int nnames = 3, tolerant, ctl_fd = -1;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned int rn(unsigned int n)
{
	return n ? (unsigned int)(rnd() % n) : 0;
}

static void bad(const char *what, int err)
{
	__atomic_add_fetch(&sh->failures, 1, __ATOMIC_RELAXED);
	printf("FAIL pid=%d: %s (errno %s)\n", getpid(), what,
	       err ? (strerrorname_np(err) ? strerrorname_np(err) : "?") : "0");
	fflush(stdout);
}

static void count(int op)
{
	__atomic_add_fetch(&sh->ops[op], 1, __ATOMIC_RELAXED);
}

static const char *name(void)
{
	static char buf[8];

	snprintf(buf, sizeof(buf), "s%u", rn(nnames));
	return buf;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A short interval timer, so that blocking calls end with EINTR. */
static void arm(int ms)
{
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

/* One control command; returns 0 or errno.  allowed: errnos that are fine. */
static int ctl(const char *cmd, const int *allowed)
{
	int fd = ctl_fd, err = 0, i;

	if (tolerant || fd < 0)
		fd = open(DIR_PS "/control", O_WRONLY);
	if (fd < 0) {
		if (!tolerant)
			bad("open control", errno);
		return errno;
	}
	if (write(fd, cmd, strlen(cmd)) < 0)
		err = errno;
	if (fd != ctl_fd)
		close(fd);
	if (!err)
		return 0;
	for (i = 0; allowed[i]; i++)
		if (allowed[i] == err)
			return err;
	bad(cmd, err);
	return err;
}

static int open_obj(const char *n, int flags)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), DIR_PS "/objects/%s", n);
	fd = open(path, O_RDWR | flags);
	if (fd < 0 && errno != ENOENT && !tolerant)
		bad("open object", errno);
	return fd;
}

/* Read a whole file, checking that every line starts with prefix. */
static void read_file(const char *file, const char *prefix, int flags)
{
	static char buf[65536];
	char path[128];
	size_t off = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), DIR_PS "/%s", file);
	fd = open(path, O_RDONLY | flags);
	if (fd < 0) {
		if (!tolerant)
			bad(path, errno);
		return;
	}
	while ((n = read(fd, buf + off, sizeof(buf) - 1 - off)) > 0) {
		char *p = buf, *nl;

		off += n;
		buf[off] = '\0';
		while ((nl = strchr(p, '\n')) != NULL) {
			if (prefix && strncmp(p, prefix, strlen(prefix)) &&
			    strncmp(p, "objects=", 8) && strncmp(p, "seq=", 4)) {
				*nl = '\0';
				printf("bad line in %s: %s\n", file, p);
				bad("malformed line", 0);
			}
			p = nl + 1;
		}
		off = strlen(p);
		memmove(buf, p, off);
		if (off >= sizeof(buf) - 1)
			off = 0;
	}
	if (n < 0 && errno != EAGAIN)
		bad("read", errno);
	close(fd);
}

static const char *masks[] = { "in", "out", "in,out", "pri", "hup", "none", "in|rdnorm", "err" };

static void worker(void)
{
	static const int ok_create[] = { EEXIST, ENOSPC, 0 };
	static const int ok_lookup[] = { ENOENT, 0 };
	char cmd[96], buf[256];

	for (;;) {
		int op = rn(NOPS), fd, r;
		const char *n = name();

		count(op);
		switch (op) {
		case 0:
			snprintf(cmd, sizeof(cmd), "create %s", n);
			ctl(cmd, ok_create);
			break;
		case 1:
			snprintf(cmd, sizeof(cmd), "destroy %s", n);
			ctl(cmd, ok_lookup);
			break;
		case 2:
			snprintf(cmd, sizeof(cmd), "ready %s %s", n, masks[rn(8)]);
			ctl(cmd, ok_lookup);
			break;
		case 3:
			snprintf(cmd, sizeof(cmd), "wake %s %s %u", n, masks[rn(8)], rn(3));
			ctl(cmd, ok_lookup);
			break;
		case 4: { /* poll, sometimes several entries from one call */
			struct pollfd p[4];
			int k, m = 1 + rn(4);

			fd = open_obj(n, 0);
			if (fd < 0)
				break;
			for (k = 0; k < m; k++) {
				p[k].fd = fd;
				p[k].events = rn(2) ? POLLIN : POLLOUT | POLLPRI;
			}
			if (poll(p, m, rn(30)) < 0 && errno != EINTR)
				bad("poll", errno);
			close(fd);
			break;
		}
		case 5: {
			static const unsigned int fl[] = { 0, EPOLLET, EPOLLONESHOT,
							   EPOLLEXCLUSIVE };
			struct epoll_event e = { .events = EPOLLIN | fl[rn(4)] }, out;
			int ep = epoll_create1(0);

			fd = open_obj(n, 0);
			if (fd < 0 || ep < 0) {
				if (ep >= 0)
					close(ep);
				break;
			}
			if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0)
				bad("epoll_ctl", errno);
			if (epoll_wait(ep, &out, 1, rn(30)) < 0 && errno != EINTR)
				bad("epoll_wait", errno);
			/* sometimes the object fd goes first, epoll keeps nothing */
			if (rn(2)) {
				close(fd);
				close(ep);
			} else {
				close(ep);
				close(fd);
			}
			break;
		}
		case 6: {
			fd_set rs, xs;
			struct timeval tv = { 0, (long)rn(30000) };

			fd = open_obj(n, 0);
			if (fd < 0)
				break;
			if (fd >= FD_SETSIZE) {
				close(fd);
				break;
			}
			FD_ZERO(&rs);
			FD_ZERO(&xs);
			FD_SET(fd, &rs);
			FD_SET(fd, &xs);
			if (select(fd + 1, &rs, NULL, &xs, &tv) < 0 && errno != EINTR)
				bad("select", errno);
			close(fd);
			break;
		}
		case 7: /* blocking or not, ended by a timer */
			fd = open_obj(n, rn(2) ? O_NONBLOCK : 0);
			if (fd < 0)
				break;
			arm(1 + rn(30));
			r = read(fd, buf, rn(4) ? sizeof(buf) : 1);
			disarm();
			if (r < 0 && errno != EINTR && errno != EAGAIN && errno != EINVAL)
				bad("read object", errno);
			close(fd);
			break;
		case 8: {
			static const char *vals[] = { "1", "", "\n", "42\n", "x", "7" };
			const char *v = vals[rn(6)];

			fd = open_obj(n, O_NONBLOCK);
			if (fd < 0)
				break;
			r = write(fd, v, strlen(v));
			if (r < 0 && errno != EPIPE && errno != EOVERFLOW &&
			    !(errno == EINVAL && v[0] == 'x'))
				bad("write object", errno);
			if (r >= 0 && v[0] == 'x')
				bad("write x accepted", 0);
			close(fd);
			break;
		}
		case 9: { /* inspect an object fd of our own */
			int in = open(DIR_PS "/inspect", O_RDWR);

			fd = open_obj(n, O_NONBLOCK);
			if (fd >= 0 && in >= 0) {
				snprintf(cmd, sizeof(cmd), "%d", fd);
				if (write(in, cmd, strlen(cmd)) < 0) {
					bad("inspect write", errno);
				} else {
					r = read(in, buf, sizeof(buf) - 1);
					if (r < 3 || strncmp(buf, "fd=", 3))
						bad("inspect result", r < 0 ? errno : 0);
				}
			} else if (in < 0 && !tolerant) {
				bad("open inspect", errno);
			}
			if (fd >= 0)
				close(fd);
			if (in >= 0)
				close(in);
			break;
		}
		case 10:
			read_file("queues", "object=", 0);
			break;
		case 11:
			read_file("events", "seq=", O_NONBLOCK);
			break;
		case 12:
			read_file("stats", "object=", 0);
			break;
		case 13: { /* an fd held across our own destroy: dead from then on */
			struct pollfd p;

			fd = open_obj(n, O_NONBLOCK);
			if (fd < 0)
				break;
			snprintf(cmd, sizeof(cmd), "destroy %s", n);
			if (ctl(cmd, ok_lookup) == 0) {
				p.fd = fd;
				p.events = POLLIN;
				p.revents = 0;
				if (poll(&p, 1, 0) != 1 ||
				    (p.revents & (POLLHUP | POLLERR)) != (POLLHUP | POLLERR))
					bad("dead object: poll not hup,err", 0);
				if (read(fd, buf, sizeof(buf)) != 0)
					bad("dead object: read not EOF", errno);
				if (write(fd, "1", 1) != -1 || errno != EPIPE)
					bad("dead object: write not EPIPE", errno);
			}
			close(fd);
			break;
		}
		case 14: { /* open/close storm, some fds kept for a moment */
			int fds[8], k, m = 1 + rn(8);

			for (k = 0; k < m; k++)
				fds[k] = open_obj(name(), O_NONBLOCK);
			for (k = 0; k < m; k++)
				if (fds[k] >= 0)
					close(fds[k]);
			break;
		}
		default:
			snprintf(cmd, sizeof(cmd), "walk %s", n);
			ctl(cmd, ok_lookup);
			break;
		}
	}
}

/* Readers: 0 queues and stats, 1 events (blocking in poll), 2 inspect loop. */
static void reader(int kind)
{
	char buf[4096];

	for (;;) {
		if (kind == 0) {
			count(10);
			read_file("queues", "object=", 0);
			count(12);
			read_file("stats", "object=", 0);
		} else if (kind == 1) {
			int fd = open(DIR_PS "/events", O_RDONLY | O_NONBLOCK);
			struct pollfd p = { .fd = fd, .events = POLLIN };
			int k;

			if (fd < 0) {
				if (!tolerant)
					bad("open events", errno);
				usleep(10000);
				continue;
			}
			for (k = 0; k < (tolerant ? 2 : 50); k++) {
				ssize_t n;

				if (poll(&p, 1, 100) < 0)
					bad("poll events", errno);
				while ((n = read(fd, buf, sizeof(buf))) > 0)
					;
				if (n < 0 && errno != EAGAIN)
					bad("read events", errno);
				count(11);
			}
			close(fd);
		} else {
			int in = open(DIR_PS "/inspect", O_RDWR), fd;
			char num[16];
			ssize_t r;

			fd = open_obj(name(), O_NONBLOCK);
			if (in >= 0 && fd >= 0) {
				int k;

				for (k = 0; k < 20; k++) {
					snprintf(num, sizeof(num), "%d\n", fd);
					count(9);
					if (write(in, num, strlen(num)) < 0) {
						bad("inspect write", errno);
						break;
					}
					r = read(in, buf, sizeof(buf) - 1);
					if (r < 3 || strncmp(buf, "fd=", 3))
						bad("inspect result", r < 0 ? errno : 0);
					lseek(in, 0, SEEK_SET);
				}
			}
			if (fd >= 0)
				close(fd);
			if (in >= 0)
				close(in);
			if (fd < 0)
				usleep(2000);
		}
	}
}

int main(int argc, char **argv)
{
	int opt, secs = 10, nworkers = 8, nreaders = 3, keep = 0, i, status;
	pid_t pids[MAX_PROCS];
	int nprocs = 0;
	long total = 0;
	uint64_t seed = 1;

	while ((opt = getopt(argc, argv, "t:w:r:n:s:Tk")) != -1) {
		switch (opt) {
		case 't':
			secs = atoi(optarg);
			break;
		case 'w':
			nworkers = atoi(optarg);
			break;
		case 'r':
			nreaders = atoi(optarg);
			break;
		case 'n':
			nnames = atoi(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'T':
			tolerant = 1;
			break;
		case 'k':
			keep = 1;
			break;
		default:
			fprintf(stderr, "usage: psstress [-t SECS] [-w N] [-r N] [-n N] [-s SEED] "
					"[-T] [-k]\n");
			return 2;
		}
	}
	if (nworkers + nreaders > MAX_PROCS || nnames < 1 || nnames > 99)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	memset(sh, 0, sizeof(*sh));

	for (i = 0; i < nworkers + nreaders; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			break;
		}
		if (pid == 0) {
			struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */

			sigaction(SIGALRM, &sa, NULL);
			rng = (seed + 1) * 0x9E3779B97F4A7C15ULL + (uint64_t)i * 7919;
			if (!rng)
				rng = 1;
			if (!tolerant)
				ctl_fd = open(DIR_PS "/control", O_WRONLY);
			if (i < nworkers)
				worker();
			else
				reader((i - nworkers) % 3);
			_exit(0);
		}
		pids[nprocs++] = pid;
	}
	sleep(secs);
	/* SIGKILL: many are in the middle of a poll, an epoll_wait or a read */
	for (i = 0; i < nprocs; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < nprocs; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
			printf("FAIL: process %d ended with status 0x%x\n", pids[i], status);
			sh->failures++;
		}
	}
	if (!keep) {
		static const int ok_lookup[] = { ENOENT, 0 };
		char cmd[64];

		rng = seed | 1;
		for (i = 0; i < nnames; i++) {
			snprintf(cmd, sizeof(cmd), "destroy s%d", i);
			ctl(cmd, ok_lookup);
		}
	}
	for (i = 0; i < NOPS; i++) {
		printf("psstress op=%s count=%ld\n", op_names[i], sh->ops[i]);
		total += sh->ops[i];
	}
	printf("psstress procs=%d seconds=%d ops=%ld failures=%ld\n", nprocs, secs, total,
	       sh->failures);
	return sh->failures ? 1 : 0;
}
