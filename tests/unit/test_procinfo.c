/* Process states for many pids at once, checked against /proc/PID/stat.
 * libproc2 refuses more than 255 pids in one select: past that every state
 * used to read '-' (issue 17). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procinfo.h"

/* The state letter from /proc/PID/stat, or 0 when the pid is gone. */
static char stat_state(pid_t pid)
{
	char path[64], buf[512], *paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return (paren && paren[1] == ' ') ? paren[2] : 0;
}

static pid_t *spawn_sleepers(int n)
{
	pid_t *pids = calloc((size_t)n, sizeof(*pids));

	assert_non_null(pids);
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
	}
	return pids;
}

static void reap(pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	free(pids);
}

/* Wait (bounded) until /proc says every child sleeps or is stopped. */
static void wait_settled(const pid_t *pids, int n)
{
	for (int tries = 0; tries < 2000; tries++) {
		int ok = 0;

		for (int i = 0; i < n; i++) {
			char st = stat_state(pids[i]);
			ok += (st == 'S' || st == 'T');
		}
		if (ok == n)
			return;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	fail_msg("children did not settle");
}

static void check_states_against_proc(int n)
{
	pid_t *pids = spawn_sleepers(n);
	struct ps_procinfo *pi = calloc((size_t)n, sizeof(*pi));
	int found;

	assert_non_null(pi);
	/* every seventh child stopped, so the states are not all alike */
	for (int i = 0; i < n; i += 7)
		kill(pids[i], SIGSTOP);
	wait_settled(pids, n);
	found = ps_procinfo_batch(pids, n, pi);
	assert_int_equal(found, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(pi[i].pid, pids[i]);
		assert_true(pi[i].exists);
		assert_int_equal(pi[i].state, stat_state(pids[i]));
		assert_int_equal(pi[i].state, (i % 7 == 0) ? 'T' : 'S');
	}
	free(pi);
	reap(pids, n);
}

static void test_states_of_1000_pids_match_proc_stat(void **state)
{
	check_states_against_proc(1000);
}

static void test_states_of_4096_pids_match_proc_stat(void **state)
{
	check_states_against_proc(4096);
}

static void test_repeated_and_exited_pids_keep_their_slots(void **state)
{
	pid_t *pids = spawn_sleepers(300);
	pid_t ask[603];
	struct ps_procinfo pi[603];
	pid_t gone = fork();

	assert_true(gone >= 0);
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	wait_settled(pids, 300);
	/* every pid twice, in reverse the second time, then one that exited */
	for (int i = 0; i < 300; i++) {
		ask[i] = pids[i];
		ask[599 - i] = pids[i];
	}
	ask[600] = gone;
	ask[601] = pids[5];
	ask[602] = gone;
	assert_int_equal(ps_procinfo_batch(ask, 603, pi), 601);
	for (int i = 0; i < 603; i++) {
		assert_int_equal(pi[i].pid, ask[i]);
		if (ask[i] == gone) {
			assert_false(pi[i].exists);
			assert_int_equal(pi[i].state, '-');
		} else {
			assert_true(pi[i].exists);
			assert_int_equal(pi[i].state, 'S');
			assert_string_equal(pi[i].comm, "test_procinfo");
		}
	}
	reap(pids, 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states_of_1000_pids_match_proc_stat),
		cmocka_unit_test(test_states_of_4096_pids_match_proc_stat),
		cmocka_unit_test(test_repeated_and_exited_pids_keep_their_slots),
	};
	struct rlimit r;

	/* 4096 children need room under RLIMIT_NPROC for unprivileged runs */
	if (getrlimit(RLIMIT_NPROC, &r) == 0 && r.rlim_cur != RLIM_INFINITY && r.rlim_cur < 5000) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NPROC, &r);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
