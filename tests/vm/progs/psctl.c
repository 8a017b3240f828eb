/*
 * psctl: write to a file with exactly one write(2) per argument and print
 * the outcome of each, so that guest scripts can check errno values.
 *
 *   psctl [-r] [-N] [-s SIZE] FILE [ARG...]
 *
 * FILE is opened once (read-write if possible, else write-only, else
 * read-only).  Each ARG is written as given after expanding the escapes
 * \n \t \\ \0 and \xHH (so NUL and binary bytes can be sent); one line is
 * printed per write: "OK" or the errno name (EINVAL, ENOENT, ...).
 *   -s SIZE  also write SIZE bytes of 'x' in one write(2) (printed the same)
 *   -N       open with O_NONBLOCK
 *   -r       after the writes, read FILE through the same descriptor until
 *            end of file and print what it returned; a failing read prints
 *            "READ ENAME".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

static size_t unescape(const char *s, char *out)
{
	size_t n = 0;

	while (*s) {
		if (*s != '\\' || !s[1]) {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n':
			out[n++] = '\n';
			s++;
			break;
		case 't':
			out[n++] = '\t';
			s++;
			break;
		case '0':
			out[n++] = '\0';
			s++;
			break;
		case 'x': {
			char hex[3] = { 0 };

			s++;
			if (s[0]) {
				hex[0] = s[0];
				if (s[1])
					hex[1] = s[1];
			}
			out[n++] = (char)strtoul(hex, NULL, 16);
			s += strlen(hex);
			break;
		}
		default:
			out[n++] = *s++;
			break;
		}
	}
	return n;
}

static void do_write(int fd, const char *buf, size_t len)
{
	ssize_t r = write(fd, buf, len);

	if (r < 0)
		printf("%s\n", ename(errno));
	else if ((size_t)r != len)
		printf("SHORT %zd\n", r);
	else
		printf("OK\n");
}

int main(int argc, char **argv)
{
	int opt, fd, rd = 0, flags = 0, i;
	long size = -1;

	while ((opt = getopt(argc, argv, "+rNs:")) != -1) {
		switch (opt) {
		case 'r':
			rd = 1;
			break;
		case 'N':
			flags |= O_NONBLOCK;
			break;
		case 's':
			size = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: psctl [-r] [-N] [-s SIZE] FILE [ARG...]\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: psctl [-r] [-N] [-s SIZE] FILE [ARG...]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open(argv[optind], O_RDWR | flags);
	if (fd < 0)
		fd = open(argv[optind], O_WRONLY | flags);
	if (fd < 0)
		fd = open(argv[optind], O_RDONLY | flags);
	if (fd < 0) {
		printf("OPEN %s\n", ename(errno));
		return 2;
	}
	for (i = optind + 1; i < argc; i++) {
		char *buf = malloc(strlen(argv[i]) + 1);
		size_t len;

		if (!buf)
			return 2;
		len = unescape(argv[i], buf);
		do_write(fd, buf, len);
		free(buf);
	}
	if (size >= 0) {
		char *buf = malloc(size ? size : 1);

		if (!buf)
			return 2;
		memset(buf, 'x', size);
		do_write(fd, buf, size);
		free(buf);
	}
	if (rd) {
		char buf[65536];
		ssize_t n;

		while ((n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, n, stdout);
		if (n < 0)
			printf("READ %s\n", ename(errno));
	}
	return 0;
}
