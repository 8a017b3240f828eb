/* Waiters on the host: objects/NAME are FIFOs in a scratch copy of recorded
 * files, so poll/select/epoll really block (a FIFO that never had a writer
 * is not readable) and a write really wakes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_common.h"

struct fx {
	char *dir;
	struct ps_session *s;
	struct captured out;
	struct ps_sink sink;
	char err[1024];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ps_session_opts o = { 0 };
	char path[1024];

	f->dir = scratch_copy("basic");
	assert_non_null(f->dir);
	for (const char *n = "a"; n; n = (*n == 'a') ? "b" : NULL) {
		snprintf(path, sizeof(path), "%s/objects/%s", f->dir, n);
		unlink(path);
		assert_int_equal(mkfifo(path, 0600), 0);
	}
	o.debugfs_dir = f->dir;
	f->s = ps_session_new(&o);
	f->sink.record = capture;
	f->sink.ctx = &f->out;
	ps_session_set_async_sink(f->s, &f->sink);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	size_t n;
	struct ps_waiter *const *w = ps_session_waiters(f->s, &n);
	pid_t pids[64];
	size_t np = 0;

	for (size_t i = 0; i < n && np < 64; i++)
		pids[np++] = w[i]->pid;
	ps_session_free(f->s);
	/* nothing left behind: every waiter is gone and reaped */
	for (size_t i = 0; i < np; i++) {
		errno = 0;
		assert_int_equal(kill(pids[i], 0), -1);
		assert_int_equal(errno, ESRCH);
	}
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	scratch_remove(f->dir);
	free(f);
	return 0;
}

static int run(struct fx *f, const char *line)
{
	int r;

	f->out.n = 0;
	f->err[0] = '\0';
	r = ps_exec(f->s, line, &f->sink, f->err, sizeof(f->err));
	if (r == PS_EXEC_ERROR)
		fprintf(stderr, "'%s' failed: %s\n", line, f->err);
	return r;
}

static struct ps_waiter *waiter(struct fx *f, const char *label)
{
	size_t n;
	struct ps_waiter *const *w = ps_session_waiters(f->s, &n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(w[i]->label, label))
			return w[i];
	fail_msg("no waiter %s", label);
	return NULL;
}

/* Waits for a state, not a time: reports arrive while "sleep 20" runs (at
 * most 10 s; a loaded host delays a timeout's return or a child's exit). */
#define WAIT_FOR(f, cond)                                                                          \
	do {                                                                                       \
		for (int wait_i_ = 0; wait_i_ < 500 && !(cond); wait_i_++)                         \
			assert_int_equal(run((f), "sleep 20"), PS_EXEC_OK);                        \
	} while (0)

static void test_waiters_of_every_call_sleep_and_return_when_woken(void **state)
{
	struct fx *f = *state;
	struct ps_waiter *w;
	int i;

	assert_int_equal(run(f, "spawn poll a; spawn select a,b as=sel; spawn epoll a as=ep; "
				"spawn ppoll b as=pp; spawn pselect a as=ps"),
			 PS_EXEC_OK);
	assert_int_equal(f->out.n, 5);
	assert_non_null(strstr(f->out.text[0], "spawned w1 (pid "));
	assert_non_null(strstr(f->out.text[0], "poll on a, events=in"));
	assert_int_equal(run(f, "settle 5000"), PS_EXEC_OK);
	assert_non_null(strstr(f->out.text[f->out.n - 1], "settled after"));
	const char *labels[] = { "w1", "sel", "ep", "pp", "ps" };
	for (size_t k = 0; k < 5; k++) {
		w = waiter(f, labels[k]);
		assert_true(w->alive);
		assert_true(w->in_call);
		assert_true(w->asleep);
		assert_int_equal(w->state, 'S');
		assert_int_equal(w->calls, 1);
		assert_false(w->last.valid);
	}
	assert_string_equal(waiter(f, "ep")->call_name, "epoll");
	assert_non_null(strstr(waiter(f, "ep")->wchan, "epoll"));
	assert_false(ps_session_states_pending(f->s));

	/* a write to the FIFO makes a readable: a's waiters return, b's do not
	 * (the writer closes at once, so a FIFO may also report hup) */
	assert_int_equal(run(f, "write a 7; settle 5000"), PS_EXEC_OK);
	i = captured_find(&f->out, "w1 (pid");
	assert_true(i >= 0);
	assert_int_equal(f->out.kind[i], PS_REC_RESULT);
	assert_non_null(strstr(f->out.text[i], "poll returned 1 after "));
	assert_non_null(strstr(f->out.text[i], "ms: a=in"));
	assert_non_null(strstr(f->out.json[i], "\"revents\":\"a=in"));
	assert_non_null(strstr(f->out.json[i], "\"value\":1,\"errno\":\"-\""));
	w = waiter(f, "sel");
	assert_true(w->last.valid);
	assert_int_equal(w->last.value, 1);
	assert_int_equal(w->last.revents[0], 0x1); /* select: in for the read set, only */
	assert_int_equal(w->last.revents[1], 0);
	assert_true(waiter(f, "ep")->last.revents[0] & 0x1);
	assert_int_equal(waiter(f, "ps")->last.value, 1);
	w = waiter(f, "pp");
	assert_false(w->last.valid);
	assert_true(w->alive);
	assert_true(w->asleep);
}

static void test_waiters_return_on_timeout_and_signal_and_die_when_killed(void **state)
{
	struct fx *f = *state;
	struct ps_waiter *w;
	int i;

	assert_int_equal(run(f, "spawn poll a timeout=150 as=t; spawn epoll b as=e; "
				"spawn select b count=3 as=s"),
			 PS_EXEC_OK);
	assert_int_equal(run(f, "settle"), PS_EXEC_OK);
	/* settled means every waiter sleeps, or has returned */
	w = waiter(f, "t");
	if (w->last.valid) {
		assert_int_equal(w->last.value, 0);
	} else {
		assert_true(w->asleep);
	}
	/* its 150 ms run out */
	WAIT_FOR(f, waiter(f, "t")->last.valid);
	w = waiter(f, "t");
	assert_true(w->last.valid);
	assert_int_equal(w->last.value, 0);
	assert_true(w->last.ms >= 140.0);
	assert_true(w->last.ms < 1000.0);
	assert_non_null(strstr(w->last.text, "0 (timeout) after"));

	assert_int_equal(run(f, "signal e USR1; settle"), PS_EXEC_OK);
	assert_non_null(strstr(f->out.text[0], "sent SIGUSR1 to e (pid "));
	i = captured_find(&f->out, "e (pid");
	w = waiter(f, "e");
	assert_true(w->last.valid);
	assert_int_equal(w->last.value, -1);
	assert_int_equal(w->last.err, EINTR);
	assert_non_null(strstr(w->last.text, "-1 EINTR after"));
	(void)i;

	/* group label: all three */
	assert_int_equal(run(f, "kill s"), PS_EXEC_OK);
	assert_int_equal(f->out.n, 3);
	assert_non_null(strstr(f->out.text[0], "killed s.1 (pid "));
	w = waiter(f, "s.3");
	assert_false(w->alive);
	assert_string_equal(w->exit_text, "killed by SIGTERM");
	/* a dead waiter is reported as such */
	assert_int_equal(run(f, "kill s.2"), PS_EXEC_ERROR);
	assert_non_null(strstr(f->err, "waiter 's.2' has already exited"));
	/* t returned (timeout) and exited: its label is free again */
	assert_int_equal(run(f, "spawn poll a as=t"), PS_EXEC_OK);
	assert_int_equal(run(f, "spawn poll a as=t"), PS_EXEC_ERROR);
	assert_non_null(strstr(f->err, "a waiter labelled 't' already exists"));
}

static void test_a_loop_waiter_consumes_and_waits_again(void **state)
{
	struct fx *f = *state;
	struct ps_waiter *w;

	char path[1024];
	int wfd;

	assert_int_equal(run(f, "spawn epoll a loop as=l; settle"), PS_EXEC_OK);
	/* keep a writer open: a FIFO whose last writer closes reports hup,
	 * which ends a loop (as destroying an object does) */
	snprintf(path, sizeof(path), "%s/objects/a", f->dir);
	wfd = open(path, O_WRONLY | O_NONBLOCK);
	assert_true(wfd >= 0);
	assert_int_equal(write(wfd, "1\n", 2), 2);
	/* settle right after the write may still see the first call asleep
	 * (not yet woken): wait, bounded, for the report of the wakeup */
	for (int tries = 0; tries < 250; tries++) {
		assert_int_equal(run(f, "settle"), PS_EXEC_OK);
		w = waiter(f, "l");
		if (w->calls >= 2 && w->asleep)
			break;
		assert_int_equal(run(f, "sleep 20"), PS_EXEC_OK);
	}
	w = waiter(f, "l");
	/* it returned, consumed the data, and waits again */
	assert_true(w->alive);
	assert_true(w->calls >= 2);
	assert_true(w->in_call);
	assert_true(w->asleep);
	assert_int_equal(w->last.seq, w->calls - 1);
	assert_int_equal(run(f, "ps l"), PS_EXEC_OK);
	assert_int_equal(f->out.n, 2);
	assert_non_null(strstr(f->out.text[1], " l "));
	assert_non_null(strstr(f->out.text[1], " epoll "));
	assert_non_null(strstr(f->out.json[1], "\"asleep\":true"));
	assert_int_equal(w->last.revents[0], 0x1);
	/* the last writer goes: hup ends the loop */
	close(wfd);
	assert_int_equal(run(f, "settle"), PS_EXEC_OK);
	assert_true(w->last.revents[0] & 0x10);
	assert_int_equal(run(f, "sleep 50; kill all"), PS_EXEC_OK);
	assert_false(w->alive);
	assert_string_equal(w->exit_text, "exited 0");
}

static void test_waiter_reports_wake_the_event_loop_without_a_command(void **state)
{
	struct fx *f = *state;
	struct pollfd fds[PS_MAX_POLLFDS];
	int n;
	unsigned chg = 0;

	n = ps_session_pollfds(f->s, fds, PS_MAX_POLLFDS);
	assert_true(n >= 2 && n <= PS_MAX_POLLFDS);
	assert_int_equal(run(f, "spawn poll a as=p"), PS_EXEC_OK);
	/* the waiter's "entering the call" report makes a descriptor readable */
	assert_true(poll(fds, (nfds_t)n, 5000) > 0);
	for (int k = 0; k < 50 && !(chg & PS_CHG_WAITERS); k++) {
		chg |= ps_session_process(f->s);
		if (!(chg & PS_CHG_WAITERS))
			poll(fds, (nfds_t)n, 100);
	}
	assert_true(chg & PS_CHG_WAITERS);
	assert_true(waiter(f, "p")->in_call);
	/* asleep is learnt from states, not events */
	for (int k = 0; k < 500 && ps_session_states_pending(f->s); k++) {
		ps_session_refresh_states(f->s);
		poll(NULL, 0, 2);
	}
	assert_false(ps_session_states_pending(f->s));
	assert_true(waiter(f, "p")->asleep);
	/* it exits: SIGCHLD's pipe and the reaper */
	kill(waiter(f, "p")->pid, SIGKILL);
	chg = 0;
	for (int k = 0; k < 50 && waiter(f, "p")->alive; k++) {
		poll(fds, (nfds_t)n, 100);
		chg |= ps_session_process(f->s);
	}
	assert_false(waiter(f, "p")->alive);
	assert_string_equal(waiter(f, "p")->exit_text, "killed by SIGKILL");
	assert_true(chg & PS_CHG_WAITERS);
}

/* Waiters on real kernel objects: they inherit pollscope's fds. */
static void test_waiters_sleep_on_real_objects_and_return_when_written(void **state)
{
	struct fx *f = *state;
	struct ps_waiter *w;
	int i;

	/* eventfd: poll and epoll sleep; one write wakes them (no reader races them) */
	assert_int_equal(run(f, "create e eventfd; spawn poll e as=p; spawn epoll e as=ep; "
				"settle 5000"),
			 PS_EXEC_OK);
	assert_true(waiter(f, "p")->asleep && waiter(f, "ep")->asleep);
	assert_false(waiter(f, "p")->last.valid);
	assert_int_equal(run(f, "write e 3; settle 5000"), PS_EXEC_OK);
	w = waiter(f, "p");
	assert_true(w->last.valid);
	assert_int_equal(w->last.value, 1);
	assert_true(w->last.revents[0] & 0x1);
	assert_non_null(strstr(w->last.text, "e=in"));
	assert_non_null(strstr(waiter(f, "ep")->last.text, "e=in"));
	/* a blocking read takes the count at once; the next one sleeps until a write */
	assert_int_equal(run(f, "spawn read e as=r; settle 5000; spawn read e as=r2; settle 5000"),
			 PS_EXEC_OK);
	w = waiter(f, "r");
	assert_true(w->last.valid);
	assert_int_equal(w->last.value, 8); /* eventfd_read: 8 bytes */
	assert_int_equal(w->last.readval, 3);
	assert_non_null(strstr(w->last.text, "8 bytes, value 3, after"));
	assert_true(waiter(f, "r2")->asleep);
	assert_int_equal(run(f, "write e 2; settle 5000"), PS_EXEC_OK);
	assert_int_equal(waiter(f, "r2")->last.readval, 2);
	/* the reader consumed the count: nothing left for pollscope */
	assert_int_equal(run(f, "read e"), PS_EXEC_ERROR);

	/* pipe: out waits on the write end; it sleeps while the pipe is full */
	assert_int_equal(run(f, "create q pipe; spawn poll q events=out as=o; settle 5000"),
			 PS_EXEC_OK);
	w = waiter(f, "o");
	assert_true(w->last.valid); /* an empty pipe is writable at once */
	assert_non_null(strstr(w->last.text, "q=out"));
	assert_int_equal(run(f, "write q 70000; spawn poll q events=out as=o2; spawn poll q as=i; "
				"settle 5000"),
			 PS_EXEC_OK);
	w = waiter(f, "o2");
	assert_true(w->alive && w->asleep);
	w = waiter(f, "i");
	assert_true(w->last.valid); /* the full pipe is readable */
	assert_non_null(strstr(w->last.text, "q=in"));
	assert_int_equal(run(f, "read q; settle 5000"), PS_EXEC_OK);
	w = waiter(f, "o2");
	assert_true(w->last.valid);
	assert_non_null(strstr(w->last.text, "q=out"));
	/* a blocking reader on the pipe; destroy closes our ends: EOF */
	assert_int_equal(run(f, "spawn read q as=qr; settle 5000"), PS_EXEC_OK);
	assert_true(waiter(f, "qr")->asleep);
	assert_int_equal(run(f, "destroy q; settle 5000"), PS_EXEC_OK);
	w = waiter(f, "qr");
	assert_false(w->alive);
	assert_non_null(strstr(w->last.text, "0 (EOF)"));

	/* socketpair: a read on b, and a poll, woken by 5 bytes from a */
	/* (a reader and a poller side by side race: whoever runs first may take
	 * the data and the other goes back to sleep, so one at a time) */
	assert_int_equal(run(f,
			     "create s socketpair; spawn select s as=ss; settle 5000; write s 5; "
			     "settle 5000; spawn read s as=sr; settle 5000"),
			 PS_EXEC_OK);
	i = captured_find(&f->out, "read returned 5 bytes after");
	assert_true(i >= 0);
	assert_int_equal(strncmp(f->out.text[i], "sr (pid ", 8), 0);
	assert_non_null(strstr(waiter(f, "ss")->last.text, "s=in"));

	/* timerfd: fires by itself */
	assert_int_equal(run(f, "create t timerfd; spawn ppoll t as=tp; settle 5000; write t 30"),
			 PS_EXEC_OK);
	WAIT_FOR(f, waiter(f, "tp")->last.valid);
	assert_non_null(strstr(waiter(f, "tp")->last.text, "t=in"));
	assert_int_equal(run(f, "read t; spawn read t as=tr; settle 5000; write t 30"), PS_EXEC_OK);
	WAIT_FOR(f, waiter(f, "tr")->last.valid);
	w = waiter(f, "tr");
	assert_true(w->last.valid);
	assert_int_equal(w->last.readval, 1);

	/* fds=N: one waiter on N descriptors of one object */
	assert_int_equal(run(f, "write e 1; spawn poll e fds=50 as=many; settle 5000"), PS_EXEC_OK);
	w = waiter(f, "many");
	assert_true(w->last.valid);
	assert_int_equal(w->last.value, 50); /* every one of the 50 fds is ready */
	assert_non_null(strstr(w->options, "fds=50"));
	assert_int_equal(run(f, "spawn epoll a fds=20 as=ma; settle 5000"), PS_EXEC_OK);
	assert_true(waiter(f, "ma")->asleep);
	assert_int_equal(run(f, "write a 1; settle 5000"), PS_EXEC_OK);
	assert_int_equal(waiter(f, "ma")->last.value, 20);
}

static size_t nwaiters(struct fx *f)
{
	size_t n;

	ps_session_waiters(f->s, &n);
	return n;
}

static void test_forget_drops_exited_waiters_and_refuses_live_ones(void **state)
{
	struct fx *f = *state;
	pid_t pid;

	assert_int_equal(run(f, "spawn poll a count=2 as=x; settle 5000"), PS_EXEC_OK);
	assert_true(waiter(f, "x.1")->asleep);
	/* a live waiter is refused, and nothing is dropped */
	assert_int_equal(run(f, "forget x"), PS_EXEC_ERROR);
	assert_non_null(strstr(f->err, "is alive"));
	assert_int_equal(nwaiters(f), 2);
	assert_int_equal(run(f, "forget nosuch"), PS_EXEC_ERROR);
	assert_non_null(strstr(f->err, "no waiter 'nosuch'"));
	/* once they returned and were reaped: forget LABEL drops that one */
	assert_int_equal(run(f, "write a 1"), PS_EXEC_OK);
	WAIT_FOR(f, !waiter(f, "x.1")->alive && !waiter(f, "x.2")->alive);
	assert_false(waiter(f, "x.1")->alive);
	pid = waiter(f, "x.2")->pid;
	assert_int_equal(run(f, "forget x.1"), PS_EXEC_OK);
	assert_int_equal(nwaiters(f), 1);
	assert_int_equal(waiter(f, "x.2")->pid, pid);
	/* forget without arguments: every exited waiter, a live one stays */
	assert_int_equal(run(f, "spawn poll b as=live; settle 5000"), PS_EXEC_OK);
	assert_true(waiter(f, "live")->alive);
	assert_int_equal(run(f, "forget"), PS_EXEC_OK);
	assert_int_equal(nwaiters(f), 1);
	assert_true(waiter(f, "live")->alive);
	assert_int_equal(run(f, "forget live"), PS_EXEC_ERROR);
	assert_int_equal(nwaiters(f), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_waiters_of_every_call_sleep_and_return_when_woken, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_waiters_return_on_timeout_and_signal_and_die_when_killed, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_a_loop_waiter_consumes_and_waits_again, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_waiter_reports_wake_the_event_loop_without_a_command, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_waiters_sleep_on_real_objects_and_return_when_written, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_forget_drops_exited_waiters_and_refuses_live_ones, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
