/*
 * psfuzz: write random and mutated command lines to pollscope's control
 * file (and random text to inspect and to object files) while child
 * processes poll, epoll, read and write the objects concurrently, and check
 * that the module answers as specified:
 *
 *  - every control write succeeds or fails with EINVAL, ENOENT, EEXIST,
 *    ENAMETOOLONG or ENOSPC; writes over 127 bytes fail with EINVAL;
 *  - well-formed commands get exactly the predicted result (a model of
 *    which objects exist);
 *  - a failed command changes nothing: the objects directory still lists
 *    exactly the modelled objects;
 *  - inspect writes give EINVAL/EBADF/ESRCH or a result starting with "fd=";
 *  - object writes give EINVAL/EPIPE/EOVERFLOW or succeed.
 *
 *   psfuzz [-n LINES] [-s SEED] [-c CHILDREN] [-m MAX_OBJECTS] [-R] [-W]
 *
 * -m: the module's max_objects, so that ENOSPC is predicted too.
 * -R: race mode, for several instances at once on the same names: no model
 *     (other instances change the objects), only the errno checks.
 * -W: wide mode: a quarter of the lines go to objects/NAME (random, mutated
 *     and edge-case values, each result predicted: EINVAL exactly for what
 *     pollscope(4) refuses) and a tenth to inspect (mutated fd numbers,
 *     predicted: EINVAL, EBADF or a result); the objects directory is
 *     compared with the model after one failed command in eight (and every
 *     64 lines) instead of after each, so that 100,000 writes stay quick.
 *
 * Prints a summary; exit status 0 only if no check failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DIR_PS "/sys/kernel/debug/pollscope"
#define NNAMES 8

static uint64_t rng = 88172645463325252ULL;

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

static const char *names[NNAMES] = { "f0", "f1", "f2", "f3", "f.4", "f-5", "f_6", "F7" };
static int exists[NNAMES];
static int max_objects = 256, race, wide;
static int objfd[NNAMES] = { -1, -1, -1, -1, -1, -1, -1, -1 };
static long nwrites[3]; /* control, inspect, objects/NAME */
static long failures, counts[8];

static const char *masks[] = {
	"in",
	"out",
	"in,out",
	"pri|err",
	"hup",
	"none",
	"0",
	"0x1",
	"rdnorm,wrnorm",
	"in|out|pri|err|hup|rdnorm|rdband|wrnorm|wrband|msg|rdhup",
	"8192",
	"0x2000",
};
static const char *words[] = {
	"create",
	"destroy",
	"ready",
	"wake",
	"walk",
	"in",
	"out",
	"none",
	"0",
	"1",
	"-1",
	"0x",
	"99999999999",
	"|",
	",",
	"f0",
	"f1",
	"..",
	".",
	"a b",
	"in,,out",
	"0xffffffff",
	"4294967296",
	"2147483648",
	"pri",
	"bogus",
	"\t",
	"",
	"0x4000",
	"in|",
	"abcdefghijabcdefghijabcdefghijabc",
	"abcdefghijabcdefghijabcdefghij1",
	"f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0",
};

static void fail(const char *fmt, const char *line, size_t len, int err)
{
	size_t i;

	failures++;
	printf("MISMATCH: %s (errno %s) line='", fmt, err ? strerrorname_np(err) : "0");
	for (i = 0; i < len && i < 140; i++) {
		unsigned char c = line[i];

		if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf("'\n");
}

static int is_dot(const char *n)
{
	return !strcmp(n, ".") || !strcmp(n, "..");
}

static int name_index(const char *n)
{
	int i;

	for (i = 0; i < NNAMES; i++)
		if (!strcmp(names[i], n))
			return i;
	return -1;
}

/* The objects directory as a bit set of known names; -1 for a stranger. */
static int listing(void)
{
	DIR *d = opendir(DIR_PS "/objects");
	struct dirent *de;
	int set = 0;

	if (!d)
		return -2;
	while ((de = readdir(d)) != NULL) {
		int i;

		if (is_dot(de->d_name))
			continue;
		i = name_index(de->d_name);
		if (i < 0) {
			set = -1;
			break;
		}
		set |= 1 << i;
	}
	closedir(d);
	return set;
}

static int model_set(void)
{
	int i, set = 0;

	for (i = 0; i < NNAMES; i++)
		if (exists[i])
			set |= 1 << i;
	return set;
}

/*
 * After a command succeeded that the model did not predict (a mutated line
 * may well be a valid command): destroy any object it created under a name
 * outside the pool, then take the directory as the new model.
 */
static void resync(int ctl)
{
	DIR *d = opendir(DIR_PS "/objects");
	struct dirent *de;
	char cmd[300];
	int set, i;

	while (d && (de = readdir(d)) != NULL) {
		if (is_dot(de->d_name) || name_index(de->d_name) >= 0)
			continue;
		snprintf(cmd, sizeof(cmd), "destroy %s", de->d_name);
		if (write(ctl, cmd, strlen(cmd)) < 0)
			fail("cannot destroy a stranger", cmd, strlen(cmd), errno);
	}
	if (d)
		closedir(d);
	set = listing();

	if (set < 0) {
		fail("objects directory holds an unexpected name", "", 0, 0);
		return;
	}
	for (i = 0; i < NNAMES; i++)
		exists[i] = !!(set & (1 << i));
}

static int ctl_write(int fd, const char *buf, size_t len)
{
	ssize_t r = write(fd, buf, len);

	if (r < 0)
		return errno;
	if ((size_t)r != len)
		return -1;
	return 0;
}

static void count_err(int e)
{
	switch (e) {
	case 0:
		counts[0]++;
		break;
	case EINVAL:
		counts[1]++;
		break;
	case ENOENT:
		counts[2]++;
		break;
	case EEXIST:
		counts[3]++;
		break;
	case ENAMETOOLONG:
		counts[4]++;
		break;
	case ENOSPC:
		counts[5]++;
		break;
	default:
		counts[6]++;
		break;
	}
}

/* A well-formed command with its predicted errno. */
static size_t gen_valid(char *buf, size_t size, int *expect, int *idx, int *op)
{
	int i = rn(NNAMES);
	const char *n = names[i];
	size_t len;

	*idx = i;
	*op = rn(5);
	switch (*op) {
	case 0: {
		int k, nexist = 0;

		for (k = 0; k < NNAMES; k++)
			nexist += exists[k];
		len = snprintf(buf, size, "create %s", n);
		*expect = exists[i] ? EEXIST : nexist >= max_objects ? ENOSPC : 0;
		break;
	}
	case 1:
		len = snprintf(buf, size, "destroy %s", n);
		*expect = exists[i] ? 0 : ENOENT;
		break;
	case 4:
		len = snprintf(buf, size, "walk %s", n);
		*expect = exists[i] ? 0 : ENOENT;
		break;
	case 2:
		len = snprintf(buf, size, "ready %s %s", n,
			       masks[rn(sizeof(masks) / sizeof(*masks))]);
		*expect = exists[i] ? 0 : ENOENT;
		break;
	default:
		if (rn(2))
			len = snprintf(buf, size, "wake %s %s %u", n,
				       masks[rn(sizeof(masks) / sizeof(*masks))], rn(4));
		else
			len = snprintf(buf, size, "wake %s %s", n,
				       masks[rn(sizeof(masks) / sizeof(*masks))]);
		*expect = exists[i] ? 0 : ENOENT;
		break;
	}
	if (rn(2))
		buf[len++] = '\n';
	return len;
}

static size_t mutate(char *buf, size_t len, size_t size)
{
	int k, m = 1 + rn(4);

	for (k = 0; k < m; k++) {
		size_t pos = len ? rn(len) : 0;

		switch (rn(5)) {
		case 0: /* flip a byte */
			if (len)
				buf[pos] = (char)rnd();
			break;
		case 1: /* insert a byte */
			if (len + 1 < size) {
				memmove(buf + pos + 1, buf + pos, len - pos);
				buf[pos] = rn(3) ? (char)(0x20 + rn(95)) : (char)rnd();
				len++;
			}
			break;
		case 2: /* delete a byte */
			if (len) {
				memmove(buf + pos, buf + pos + 1, len - pos - 1);
				len--;
			}
			break;
		case 3: /* truncate */
			len = pos;
			break;
		default: /* repeat a piece */
			if (len) {
				size_t piece = 1 + rn(len - pos);

				if (len + piece < size) {
					memmove(buf + pos + piece, buf + pos, len - pos);
					len += piece;
				}
			}
			break;
		}
	}
	return len;
}

static size_t gen_soup(char *buf, size_t size)
{
	size_t len = 0;
	int k, m = 1 + rn(6);

	for (k = 0; k < m; k++) {
		const char *w = words[rn(sizeof(words) / sizeof(*words))];
		size_t wl = strlen(w);

		if (len + wl + 2 >= size)
			break;
		memcpy(buf + len, w, wl);
		len += wl;
		if (k + 1 < m)
			buf[len++] = " \t,|"[rn(rn(4) ? 1 : 4)];
	}
	return len;
}

/* --- wide mode: object and inspect writes ---------------------------------- */

static void close_objfds(void)
{
	int i;

	for (i = 0; i < NNAMES; i++) {
		if (objfd[i] >= 0)
			close(objfd[i]);
		objfd[i] = -1;
	}
}

/* pollscope(4): digits only, at most 23 bytes with an optional final '\n'. */
static int obj_value_valid(const char *buf, size_t len)
{
	unsigned long long v = 0;
	size_t i;

	if (len > 23)
		return 0;
	if (len && buf[len - 1] == '\n')
		len--;
	for (i = 0; i < len; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return 0;
		if (v > (~0ULL - (unsigned long long)(buf[i] - '0')) / 10)
			return 0; /* beyond u64 */
		v = v * 10 + (unsigned long long)(buf[i] - '0');
	}
	return 1;
}

static void obj_write(char *buf, size_t size)
{
	static const char *vals[] = { "1",
				      "",
				      "\n",
				      "42\n",
				      "0",
				      "18446744073709551615",
				      "18446744073709551616",
				      "x",
				      "-1",
				      "1 2",
				      "0x5",
				      "+5",
				      "5\n\n",
				      "\n5",
				      "00000000000000000000001",
				      "000000000000000000000001",
				      "99999999999999999999999",
				      " 5" };
	int i = rn(NNAMES), valid, v = rn(64);
	size_t len;
	ssize_t r;

	if (objfd[i] < 0) {
		char path[128];

		snprintf(path, sizeof(path), DIR_PS "/objects/%s", names[i]);
		objfd[i] = open(path, O_RDWR | O_NONBLOCK);
		if (objfd[i] < 0) {
			if (errno != ENOENT)
				fail("open object", path, strlen(path), errno);
			return;
		}
	}
	switch (rn(3)) {
	case 0:
		len = strlen(vals[v % (sizeof(vals) / sizeof(*vals))]);
		memcpy(buf, vals[v % (sizeof(vals) / sizeof(*vals))], len + 1);
		break;
	case 1:
		len = snprintf(buf, size, "%u", rn(1000000));
		len = mutate(buf, len, 40);
		break;
	default:
		len = rn(rn(2) ? 8 : 30);
		for (size_t k = 0; k < len; k++)
			buf[k] = rn(2) ? (char)('0' + rn(10)) : (char)rnd();
		break;
	}
	valid = obj_value_valid(buf, len);
	nwrites[2]++;
	r = write(objfd[i], buf, len);
	if (r < 0 && errno == EINVAL && valid)
		fail("object: a valid value refused", buf, len, errno);
	else if (r >= 0 && !valid)
		fail("object: an invalid value accepted", buf, len, 0);
	else if (r < 0 && errno != EINVAL && errno != EPIPE && errno != EOVERFLOW)
		fail("object: unexpected errno", buf, len, errno);
	else if (r >= 0 && (size_t)r != len)
		fail("object: short write", buf, len, 0);
}

/* A decimal number of at most INT_MAX; -1 if larger. */
static long long dec(const char *s, size_t n)
{
	unsigned long long v;
	char num[40];

	if (n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	errno = 0;
	v = strtoull(num, NULL, 10);
	return errno || v > 0x7fffffff ? -1 : (long long)v;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/*
 * A mutated "FD" or "FD PID" (pollscope(4)): EINVAL for what is not 1-31
 * bytes (+ '\n') of digits, or two runs of digits with one space; then
 * EBADF for an fd number out of range, ESRCH for a thread that does not
 * exist, EBADF for no fd.
 */
static void inspect_write(int insp, char *buf, size_t size, long *ok)
{
	size_t len, n, fdn;
	int expect;
	long long fd, pid = -2;
	const char *sp;
	ssize_t r;

	len = snprintf(buf, size, "%d", rn(3) ? (int)rn(8) : (int)rnd());
	if (rn(3) == 0) /* an owner: ourselves, init, none, garbage */
		len += snprintf(buf + len, size - len, " %d",
				rn(2)	? (int)getpid()
				: rn(2) ? 1
					: (int)rnd());
	if (rn(4))
		len = mutate(buf, len, 24);
	if (rn(3) == 0)
		buf[len++] = '\n';
	n = len;
	if (n && buf[n - 1] == '\n')
		n--;
	sp = memchr(buf, ' ', n);
	fdn = sp ? (size_t)(sp - buf) : n;
	expect = 0;
	if (len == 0 || len > 31 || n == 0 || memchr(buf, '\0', n) || !all_digits(buf, fdn) ||
	    (sp && !all_digits(sp + 1, n - fdn - 1)))
		expect = EINVAL;
	if (!expect) {
		fd = dec(buf, fdn);
		if (sp)
			pid = dec(sp + 1, n - fdn - 1);
		if (fd < 0)
			expect = EBADF;
		else if (sp && (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno != EPERM)))
			expect = ESRCH;
		else if (fcntl((int)fd, F_GETFD) < 0)
			expect = EBADF;
	}
	nwrites[1]++;
	r = write(insp, buf, len);
	if (r < 0 && errno != expect)
		fail("inspect: unexpected errno", buf, len, errno);
	else if (r >= 0 && expect)
		fail("inspect: accepted, expected an error", buf, len, expect);
	else if (r >= 0) {
		r = read(insp, buf, size - 1);
		if (r < 3 || strncmp(buf, "fd=", 3))
			fail("inspect: result does not start with fd=", "", 0, 0);
		else
			(*ok)++;
	}
}

/* --- concurrent children ------------------------------------------------ */

static void child_loop(unsigned int seed)
{
	char path[128], buf[256];

	rng ^= (uint64_t)seed * 0x9E3779B97F4A7C15ULL;
	for (;;) {
		int op = rn(10), fd;

		snprintf(path, sizeof(path), DIR_PS "/objects/%s", names[rn(NNAMES)]);
		if (op == 9) {
			static const char *files[] = { "queues", "stats", "events", "version" };

			snprintf(path, sizeof(path), DIR_PS "/%s", files[rn(4)]);
			fd = open(path, O_RDONLY | O_NONBLOCK);
			if (fd >= 0) {
				while (read(fd, buf, sizeof(buf)) > 0)
					;
				close(fd);
			}
			continue;
		}
		fd = open(path, O_RDWR | (op == 5 ? 0 : O_NONBLOCK));
		if (fd < 0) {
			usleep(500);
			continue;
		}
		switch (op) {
		case 0:
		case 1: {
			struct pollfd p = { .fd = fd,
					    .events = rn(2) ? POLLIN : POLLOUT | POLLPRI };

			poll(&p, 1, rn(5));
			break;
		}
		case 2:
		case 3: {
			static const unsigned int fl[] = { 0, EPOLLET, EPOLLONESHOT,
							   EPOLLEXCLUSIVE };
			struct epoll_event e = { .events = EPOLLIN | fl[rn(4)] }, out;
			int ep = epoll_create1(0);

			if (ep >= 0) {
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
				epoll_wait(ep, &out, 1, rn(5));
				close(ep);
			}
			break;
		}
		case 4:
			if (read(fd, buf, rn(3) ? sizeof(buf) : 1) < 0) {
				/* EAGAIN or EINVAL: fine */
			}
			break;
		case 5: /* blocking read, bounded by an alarm */
			alarm(1);
			if (read(fd, buf, sizeof(buf)) < 0) {
				/* EINTR */
			}
			alarm(0);
			break;
		case 6:
		case 7: {
			static const char *vals[] = { "1",    "",   "\n",
						      "42\n", "x",  "18446744073709551615",
						      "-1",   "1 2" };
			const char *v = vals[rn(8)];
			ssize_t r = write(fd, v, strlen(v));

			if (r < 0 && errno != EINVAL && errno != EPIPE && errno != EOVERFLOW)
				_exit(3);
			break;
		}
		default: {
			fd_set r;
			struct timeval tv = { 0, (long)rn(5000) };

			FD_ZERO(&r);
			FD_SET(fd, &r);
			select(fd + 1, &r, NULL, NULL, &tv);
			break;
		}
		}
		close(fd);
	}
}

static void on_alarm(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	long lines = 20000, l, inspect_ok = 0;
	int opt, nchild = 3, ctl, insp, i, status, err;
	pid_t kids[16];
	char buf[512];

	while ((opt = getopt(argc, argv, "n:s:c:m:RW")) != -1) {
		switch (opt) {
		case 'n':
			lines = atol(optarg);
			break;
		case 's':
			rng ^= strtoull(optarg, NULL, 0) * 0x9E3779B97F4A7C15ULL;
			break;
		case 'm':
			max_objects = atoi(optarg);
			break;
		case 'R':
			race = 1;
			break;
		case 'W':
			wide = 1;
			break;
		case 'c':
			nchild = atoi(optarg);
			if (nchild > 16)
				nchild = 16;
			break;
		default:
			fprintf(stderr,
				"usage: psfuzz [-n LINES] [-s SEED] [-c CHILDREN] [-m MAX] [-R]\n");
			return 2;
		}
	}
	if (!rng)
		rng = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	ctl = open(DIR_PS "/control", O_WRONLY);
	insp = open(DIR_PS "/inspect", O_RDWR);
	if (ctl < 0 || insp < 0) {
		perror("open pollscope files");
		return 2;
	}
	if (!race)
		resync(ctl);
	for (i = 0; i < nchild; i++) {
		struct sigaction sa = { .sa_handler = on_alarm };

		kids[i] = fork();
		if (kids[i] == 0) {
			sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: interrupts read */
			close(ctl);
			child_loop((unsigned int)i + 1);
		}
	}

	for (l = 0; l < lines; l++) {
		int kind = rn(10), expect = -1, idx = -1, op = -1;
		size_t len;

		if (wide) {
			int w = rn(20);

			if (w < 5) {
				obj_write(buf, sizeof(buf));
				continue;
			}
			if (w < 7) {
				inspect_write(insp, buf, sizeof(buf), &inspect_ok);
				continue;
			}
			kind = rn(9); /* the control kinds below */
		}
		if (kind < 4) {
			len = gen_valid(buf, sizeof(buf), &expect, &idx, &op);
		} else if (kind < 7) {
			len = gen_valid(buf, sizeof(buf), &expect, &idx, &op);
			len = mutate(buf, len, 300);
			expect = -1;
		} else if (kind < 8) {
			len = gen_soup(buf, sizeof(buf));
		} else if (kind < 9) {
			len = rn(rn(2) ? 40 : 300);
			for (size_t k = 0; k < len; k++)
				buf[k] = (char)rnd();
		} else {
			/* inspect: digits, garbage or a real fd */
			static const char *ins[] = { "0",   "1",   "2",	 "3",	"4",
						     "999", "abc", "",	 "-1",	"99999999999",
						     "3\n", " 3",  "3 ", "0x3", "\n",
						     "3 1", "3 0" };
			const char *s = ins[rn(sizeof(ins) / sizeof(*ins))];
			ssize_t r = write(insp, s, strlen(s));

			nwrites[1]++;

			if (r < 0) {
				if (errno != EINVAL && errno != EBADF && errno != ESRCH)
					fail("inspect: unexpected errno", s, strlen(s), errno);
			} else {
				ssize_t n = read(insp, buf, sizeof(buf) - 1);

				if (n < 3 || strncmp(buf, "fd=", 3))
					fail("inspect: result does not start with fd=", s,
					     strlen(s), 0);
				else
					inspect_ok++;
			}
			continue;
		}

		if (race)
			expect = -1;
		nwrites[0]++;
		err = ctl_write(ctl, buf, len);
		count_err(err);
		if (len > 127 && err != EINVAL) {
			fail("oversized write not refused with EINVAL", buf, len, err);
		} else if (err != 0 && err != EINVAL && err != ENOENT && err != EEXIST &&
			   err != ENAMETOOLONG && err != ENOSPC) {
			fail("unexpected errno", buf, len, err);
		} else if (expect >= 0 && err != expect) {
			fail("well-formed command got an unexpected result", buf, len, err);
		}

		if (race) {
			/* other instances change the objects: errno checks only */
		} else if (expect >= 0 && err == expect) {
			if (op == 0 && !err)
				exists[idx] = 1;
			else if (op == 1 && !err) {
				exists[idx] = 0;
				if (objfd[idx] >= 0)
					close(objfd[idx]);
				objfd[idx] = -1;
			}
		} else if (err) {
			/* A failed command changes nothing. */
			static unsigned int nfailed;
			int set = (wide && nfailed++ % 8) ? model_set() : listing();

			if (set != model_set()) {
				fail("failed command changed the objects", buf, len, err);
				resync(ctl);
			}
		} else {
			close_objfds();
			resync(ctl); /* an unpredicted success */
		}
		if (!race && expect >= 0 && (l % 64) == 0 && listing() != model_set()) {
			fail("objects directory differs from the model", buf, len, err);
			resync(ctl);
		}
	}

	for (i = 0; i < nchild; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < nchild; i++) {
		waitpid(kids[i], &status, 0);
		if (!WIFSIGNALED(status)) {
			printf("MISMATCH: child %d exited with status %d (object write errno)\n", i,
			       WEXITSTATUS(status));
			failures++;
		}
	}
	close_objfds();
	if (race)
		goto summary;
	for (i = 0; i < NNAMES; i++) {
		if (!exists[i])
			continue;
		snprintf(buf, sizeof(buf), "destroy %s", names[i]);
		err = ctl_write(ctl, buf, strlen(buf));
		if (err)
			fail("final destroy failed", buf, strlen(buf), err);
	}
	if (listing() != 0)
		fail("objects left after destroying all", "", 0, 0);

summary:
	printf("psfuzz lines=%ld ok=%ld einval=%ld enoent=%ld eexist=%ld enametoolong=%ld "
	       "enospc=%ld other=%ld inspect_ok=%ld failures=%ld writes=%ld control=%ld "
	       "inspect=%ld object=%ld\n",
	       lines, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6],
	       inspect_ok, failures, nwrites[0] + nwrites[1] + nwrites[2], nwrites[0], nwrites[1],
	       nwrites[2]);
	return failures ? 1 : 0;
}
