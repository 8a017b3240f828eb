/*
 * libFuzzer target: whole command lines through ps_exec(), the dispatcher
 * every front end uses, against a scratch copy of recorded debugfs files
 * (--debugfs). Commands that fork, sleep, wait or walk real processes
 * (spawn, sleep, settle, pause, quit, cost, inspect) are skipped: the rest must never crash, leak
 * or corrupt memory, and must always leave an error message when they fail.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pollscope.h"

static struct ps_session *session;
static char dir[] = "/tmp/pollscope-fuzz.XXXXXX";

static void drop(void *ctx, const struct ps_rec *rec)
{
	(void)ctx;
	(void)rec;
}

static void setup(void)
{
	char cmd[512];
	struct ps_session_opts o = { 0 };
	const char *data = getenv("PS_FUZZ_DATA");

	if (!data || !mkdtemp(dir)) {
		fprintf(stderr, "fuzz_exec: set PS_FUZZ_DATA to a recorded debugfs dir\n");
		exit(2);
	}
	snprintf(cmd, sizeof(cmd), "cp -r '%s'/. '%s'/", data, dir);
	if (system(cmd) != 0)
		exit(2);
	o.debugfs_dir = dir;
	session = ps_session_new(&o);
	if (!session)
		exit(2);
}

static int skipped(const char *s)
{
	/* fork, wait or walk real processes: not for a fuzzer */
	static const char *const words[] = { "spawn", "sleep", "settle", "pause", "quit",   "exit",
					     "q",     "kill",  "signal", "cost",  "inspect" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(s, words[i]))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps_sink sink = { .record = drop };
	char err[256], *line;
	int rc;

	if (!session)
		setup();
	if (size > 4096)
		return 0;
	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (!skipped(line)) {
		err[0] = '\0';
		rc = ps_exec(session, line, &sink, err, sizeof(err));
		if (rc == PS_EXEC_ERROR && err[0] == '\0') {
			fprintf(stderr, "ps_exec failed without a message on '%s'\n", line);
			abort();
		}
		/* --debugfs appends accepted commands to control: keep it small */
		snprintf(err, sizeof(err), "%s/control", dir);
		if (truncate(err, 0) != 0)
			abort();
	}
	free(line);
	return 0;
}
