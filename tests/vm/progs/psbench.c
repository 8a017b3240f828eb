/*
 * psbench: measurements for tests/bench (figures, never assertions).
 *
 *   psbench snapshot NAME REPS
 *       NAME's queue holds the entries to measure (and no other object has
 *       any).  REPS times: open queues (the snapshot), read it to the end
 *       (the formatting), close; the module's stats give the snapshot's own
 *       time and its longest lock hold; then "walk NAME" on control gives
 *       the bare walk of the same list.  Prints medians:
 *         BENCH snapshot entries=N reps=R open_ns= read_ns= snap_ns=
 *               lock_ns= walk_ns= lock_ns_max= (per entry: ...)
 *   psbench wait MODE NFDS HOT [IDLE]
 *       Opens objects/HOT once and objects/IDLE NFDS-1 times (or HOT NFDS
 *       times without IDLE), then blocks in MODE (select, poll or epoll, on
 *       every fd) until something is ready; prints
 *         psbench wait mode=M nfds=N ret=R
 *   psbench wakes NAME COUNT INTERVAL_MS
 *       COUNT writes of "wake NAME in 0" to control, INTERVAL_MS apart.
 *   psbench latency EVENTS FRAMES
 *       EVENTS: a copy of the events file; FRAMES: a POLLSCOPE_FRAME_LOG
 *       file ("frame ns=T seq=S").  For every wake record with source=wake,
 *       the first frame with seq >= the wake's seq: latency = frame ns -
 *       wake ns (both CLOCK_MONOTONIC).  Prints count, min, p50, p99, max.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#define DIR_PS "/sys/kernel/debug/pollscope"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "psbench: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* The value of KEY= on the first line of the stats file. */
static uint64_t stat_global(const char *key)
{
	char buf[4096], pat[64], *p;
	int fd = open(DIR_PS "/stats", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		die("open stats");
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		die("read stats");
	buf[n] = '\0';
	p = strchr(buf, '\n');
	if (p)
		*p = '\0';
	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(buf, pat);
	if (!p) {
		fprintf(stderr, "psbench: no %s in stats\n", key);
		exit(2);
	}
	return strtoull(p + strlen(pat), NULL, 10);
}

static void control(const char *cmd)
{
	int fd = open(DIR_PS "/control", O_WRONLY);

	if (fd < 0)
		die("open control");
	if (write(fd, cmd, strlen(cmd)) < 0)
		die(cmd);
	close(fd);
}

static int bench_snapshot(const char *name, int reps)
{
	uint64_t *open_ns = calloc(reps, 8), *read_ns = calloc(reps, 8), *snap = calloc(reps, 8);
	uint64_t *lock = calloc(reps, 8), *walk = calloc(reps, 8);
	uint64_t entries = 0, walked = 0;
	static char buf[1 << 16];
	char cmd[64];
	int i;

	if (!open_ns || !read_ns || !snap || !lock || !walk)
		die("calloc");
	snprintf(cmd, sizeof(cmd), "walk %s", name);
	for (i = 0; i < reps; i++) {
		uint64_t t0, t1, t2;
		int fd;

		t0 = now_ns();
		fd = open(DIR_PS "/queues", O_RDONLY);
		if (fd < 0)
			die("open queues");
		t1 = now_ns();
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		t2 = now_ns();
		close(fd);
		open_ns[i] = t1 - t0;
		read_ns[i] = t2 - t1;
		snap[i] = stat_global("last_snapshot_ns");
		lock[i] = stat_global("last_snapshot_lock_ns");
		entries = stat_global("last_snapshot_entries");
		control(cmd);
		walk[i] = stat_global("last_walk_ns");
		walked = stat_global("last_walk_entries");
	}
	if (walked != entries)
		fprintf(stderr, "psbench: snapshot saw %llu entries, walk %llu\n",
			(unsigned long long)entries, (unsigned long long)walked);
	{
		uint64_t o = median(open_ns, reps), r = median(read_ns, reps);
		uint64_t s = median(snap, reps), l = median(lock, reps), w = median(walk, reps);
		double n = entries ? (double)entries : 1;

		printf("BENCH snapshot entries=%llu reps=%d open_ns=%llu read_ns=%llu snap_ns=%llu "
		       "lock_ns=%llu walk_ns=%llu lock_ns_max=%llu open_per_entry=%.1f "
		       "read_per_entry=%.1f lock_per_entry=%.1f walk_per_entry=%.1f "
		       "lock_vs_walk=%.2f\n",
		       (unsigned long long)entries, reps, (unsigned long long)o,
		       (unsigned long long)r, (unsigned long long)s, (unsigned long long)l,
		       (unsigned long long)w, (unsigned long long)stat_global("lock_ns_max"), o / n,
		       r / n, l / n, w / n, w ? (double)l / (double)w : 0.0);
	}
	return 0;
}

static int bench_wait(const char *mode, int nfds, const char *hot, const char *idle)
{
	struct rlimit rl = { (rlim_t)nfds + 64, (rlim_t)nfds + 64 };
	char path[256];
	int *fds = calloc(nfds, sizeof(int)), i, ret, maxfd = 0;

	if (!fds)
		die("calloc");
	setrlimit(RLIMIT_NOFILE, &rl);
	for (i = 0; i < nfds; i++) {
		snprintf(path, sizeof(path), DIR_PS "/objects/%s", (i == 0 || !idle) ? hot : idle);
		fds[i] = open(path, O_RDWR | O_NONBLOCK);
		if (fds[i] < 0)
			die(path);
		if (fds[i] > maxfd)
			maxfd = fds[i];
	}
	if (!strcmp(mode, "select")) {
		fd_set r;

		if (maxfd >= FD_SETSIZE) {
			fprintf(stderr, "psbench: fd %d beyond FD_SETSIZE\n", maxfd);
			return 2;
		}
		FD_ZERO(&r);
		for (i = 0; i < nfds; i++)
			FD_SET(fds[i], &r);
		ret = select(maxfd + 1, &r, NULL, NULL, NULL);
	} else if (!strcmp(mode, "poll")) {
		struct pollfd *p = calloc(nfds, sizeof(*p));

		for (i = 0; i < nfds; i++) {
			p[i].fd = fds[i];
			p[i].events = POLLIN;
		}
		ret = poll(p, nfds, -1);
	} else if (!strcmp(mode, "epoll")) {
		struct epoll_event *out = calloc(nfds, sizeof(*out));
		int ep = epoll_create1(0);

		for (i = 0; i < nfds; i++) {
			struct epoll_event e = { .events = EPOLLIN, .data.fd = fds[i] };

			if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e) < 0)
				die("epoll_ctl");
		}
		ret = epoll_wait(ep, out, nfds, -1);
	} else {
		fprintf(stderr, "psbench: unknown mode %s\n", mode);
		return 2;
	}
	printf("psbench wait mode=%s nfds=%d ret=%d\n", mode, nfds, ret);
	return ret > 0 ? 0 : 1;
}

static int bench_wakes(const char *name, int count, int interval_ms)
{
	struct timespec ts = { interval_ms / 1000, (interval_ms % 1000) * 1000000L };
	char cmd[64];
	int fd = open(DIR_PS "/control", O_WRONLY), i;

	if (fd < 0)
		die("open control");
	snprintf(cmd, sizeof(cmd), "wake %s in 0", name);
	for (i = 0; i < count; i++) {
		if (write(fd, cmd, strlen(cmd)) < 0)
			die(cmd);
		nanosleep(&ts, NULL);
	}
	close(fd);
	return 0;
}

struct frame {
	uint64_t ns, seq;
};

static int bench_latency(const char *events, const char *frames)
{
	FILE *fe = fopen(events, "r"), *ff = fopen(frames, "r");
	struct frame *fr = NULL;
	uint64_t *lat = NULL;
	size_t nf = 0, cf = 0, nl = 0, cl = 0, missed = 0, i;
	char line[512];

	if (!fe || !ff)
		die("open events/frames");
	while (fgets(line, sizeof(line), ff)) {
		unsigned long long ns, seq;

		if (sscanf(line, "frame ns=%llu seq=%llu", &ns, &seq) != 2)
			continue;
		if (nf == cf) {
			cf = cf ? 2 * cf : 1024;
			fr = realloc(fr, cf * sizeof(*fr));
			if (!fr)
				die("realloc");
		}
		fr[nf].ns = ns;
		fr[nf++].seq = seq;
	}
	while (fgets(line, sizeof(line), fe)) {
		unsigned long long seq, ns;

		if (!strstr(line, " type=wake ") || !strstr(line, " source=wake"))
			continue;
		if (sscanf(line, "seq=%llu ns=%llu", &seq, &ns) != 2)
			continue;
		for (i = 0; i < nf; i++)
			if (fr[i].seq >= seq && fr[i].ns >= ns)
				break;
		if (i == nf) {
			missed++;
			continue;
		}
		if (nl == cl) {
			cl = cl ? 2 * cl : 1024;
			lat = realloc(lat, cl * sizeof(*lat));
			if (!lat)
				die("realloc");
		}
		lat[nl++] = fr[i].ns - ns;
	}
	if (!nl) {
		printf("BENCH latency wakes=0 frames=%zu missed=%zu\n", nf, missed);
		return 1;
	}
	qsort(lat, nl, sizeof(*lat), cmp_u64);
	printf("BENCH latency wakes=%zu frames=%zu missed=%zu min_us=%llu p50_us=%llu p99_us=%llu "
	       "max_us=%llu\n",
	       nl, nf, missed, (unsigned long long)lat[0] / 1000,
	       (unsigned long long)lat[nl / 2] / 1000,
	       (unsigned long long)lat[(nl * 99) / 100 < nl ? (nl * 99) / 100 : nl - 1] / 1000,
	       (unsigned long long)lat[nl - 1] / 1000);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "snapshot"))
		return bench_snapshot(argv[2], atoi(argv[3]));
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "wait"))
		return bench_wait(argv[2], atoi(argv[3]), argv[4], argc == 6 ? argv[5] : NULL);
	if (argc == 5 && !strcmp(argv[1], "wakes"))
		return bench_wakes(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "latency"))
		return bench_latency(argv[2], argv[3]);
	fprintf(stderr, "usage: psbench snapshot NAME REPS | wait MODE NFDS HOT [IDLE] |\n"
			"       wakes NAME COUNT INTERVAL_MS | latency EVENTS FRAMES\n");
	return 2;
}
