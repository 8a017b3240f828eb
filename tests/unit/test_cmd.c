/* The command layer against recorded debugfs files: lookup, every command's
 * argument errors, what reaches the control file, records in text and JSON,
 * completion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "parse.h"
#include "session.h"
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

	f->dir = scratch_copy("basic");
	assert_non_null(f->dir);
	o.debugfs_dir = f->dir;
	f->s = ps_session_new(&o);
	assert_non_null(f->s);
	f->sink.record = capture;
	f->sink.ctx = &f->out;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ps_session_free(f->s);
	scratch_remove(f->dir);
	free(f);
	return 0;
}

static int run(struct fx *f, const char *line)
{
	f->out.n = 0;
	f->err[0] = '\0';
	return ps_exec(f->s, line, &f->sink, f->err, sizeof(f->err));
}

/* The command must fail and its message must contain want. */
static void expect_error(struct fx *f, const char *line, const char *want)
{
	int r = run(f, line);

	if (r != PS_EXEC_ERROR || !strstr(f->err, want)) {
		fprintf(stderr, "'%s': r=%d err='%s', want '%s'\n", line, r, f->err, want);
		fail();
	}
}

static void test_every_command_is_found_by_name_and_a_typo_gets_a_suggestion(void **state)
{
	size_t n;
	const struct ps_cmd *t = ps_cmd_table(&n);

	(void)state;
	assert_true(n >= 20);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(ps_cmd_find(t[i].name), &t[i]);
		assert_non_null(t[i].usage);
		assert_non_null(t[i].help);
		assert_non_null(t[i].exec);
		assert_true(t[i].max_args < 0 || t[i].max_args >= t[i].min_args);
		assert_int_equal(strncmp(t[i].usage, t[i].name, strlen(t[i].name)), 0);
	}
	assert_null(ps_cmd_find("wkae"));
	assert_string_equal(ps_cmd_suggest("wkae"), "wake");
	assert_string_equal(ps_cmd_suggest("spwan"), "spawn");
	assert_string_equal(ps_cmd_suggest("destory"), "destroy");
	assert_string_equal(ps_cmd_suggest("sett"), "settle");
	assert_null(ps_cmd_suggest("xyzzy"));
	assert_null(ps_cmd_suggest("a"));
	assert_ptr_equal(ps_cmd_find("exit"), ps_cmd_find("quit"));
}

static void test_unknown_commands_and_wrong_argument_counts_are_refused_with_the_usage(void **state)
{
	struct fx *f = *state;

	expect_error(f, "wkae a", "unknown command 'wkae' (did you mean 'wake'?)");
	expect_error(f, "xyzzy", "unknown command 'xyzzy' (try: help)");
	expect_error(f, "create", "create: missing argument (usage: create NAME [TYPE])");
	expect_error(f, "create a b", "create: unknown type 'b' (types: module eventfd pipe");
	expect_error(f, "create a pipe x", "create: too many arguments: 'x'");
	expect_error(f, "inspect", "inspect: missing argument (usage: inspect PID [FD])");
	expect_error(f, "inspect 1 2 3", "inspect: too many arguments: '3'");
	expect_error(f, "destroy", "destroy: missing argument");
	expect_error(f, "ready a", "ready: missing argument (usage: ready NAME MASK)");
	expect_error(f, "ready a in out", "ready: too many arguments: 'out'");
	expect_error(f, "wake", "wake: missing argument");
	expect_error(f, "wake a in nr=1 x", "too many arguments: 'x'");
	expect_error(f, "write", "write: missing argument");
	expect_error(f, "read a b", "read: too many arguments");
	expect_error(f, "spawn poll", "spawn: missing argument");
	expect_error(f, "kill", "kill: missing argument");
	expect_error(f, "signal w1", "signal: missing argument");
	expect_error(f, "events 1 2", "events: too many arguments");
	expect_error(f, "stats x", "stats: too many arguments");
	expect_error(f, "settle 1 2", "settle: too many arguments");
	expect_error(f, "sleep", "sleep: missing argument");
	expect_error(f, "help a b", "help: too many arguments");
	expect_error(f, "quit now", "quit: too many arguments");
	expect_error(f, "say 'unterminated", "unterminated quote");
}

static void test_object_commands_write_one_control_line_and_say_what_they_did(void **state)
{
	struct fx *f = *state;
	char *control;

	assert_int_equal(run(f, "create c"), PS_EXEC_OK);
	assert_int_equal(f->out.n, 1);
	assert_string_equal(f->out.text[0], "created c");
	assert_int_equal(f->out.kind[0], PS_REC_MESSAGE);
	assert_string_equal(f->out.json[0],
			    "{\"type\":\"message\",\"action\":\"created\",\"object\":\"c\","
			    "\"detail\":\"\",\"text\":\"created c\"}");
	assert_int_equal(run(f, "wake a; wake a out nr=0; wake a nr=3 in|pri; ready b in,rdnorm; "
				"ready b 0x18; write a; write a 42; destroy b"),
			 PS_EXEC_OK);
	assert_string_equal(f->out.text[0], "woke a key=in nr=1");
	assert_string_equal(f->out.text[3], "ready b in,rdnorm (nobody woken)");
	control = read_all(f->dir, "control");
	assert_string_equal(control, "create c\n"
				     "wake a in 1\n"
				     "wake a out 0\n"
				     "wake a in,pri 3\n"
				     "ready b in,rdnorm\n"
				     "ready b err,hup\n"
				     "destroy b\n");
	free(control);
	/* the object files got the values written */
	control = read_all(f->dir, "objects/a");
	assert_string_equal(control, "42\n"); /* each write starts at offset 0 */
	free(control);
}

static void test_object_commands_refuse_bad_names_and_missing_objects(void **state)
{
	struct fx *f = *state;
	char *control;

	expect_error(f, "create a", "create: an object named 'a' already exists");
	expect_error(f, "create a/b", "create: bad object name 'a/b': '/' is not allowed");
	expect_error(f, "create abcdefghijklmnopqrstuvwxyz012345", "is too long");
	expect_error(f, "destroy zz", "destroy: no object named 'zz' (objects: a b)");
	expect_error(f, "wake zz", "wake: no object named 'zz' (objects: a b)");
	expect_error(f, "wake a bogus", "wake: bad mask 'bogus': unknown event 'bogus'");
	expect_error(f, "wake a nr=x", "wake: bad nr=x");
	expect_error(f, "wake a nr=-1", "wake: bad nr=-1");
	expect_error(f, "wake a in out", "wake: unexpected argument 'out'");
	expect_error(f, "ready a in,,out", "ready: bad mask");
	expect_error(f, "ready zz in", "ready: no object named 'zz'");
	expect_error(f, "write a -5", "write: bad value '-5'");
	expect_error(f, "write zz", "write: no object named 'zz'");
	expect_error(f, "read zz", "read: no object named 'zz'");
	expect_error(f, "show zz", "show: no object named 'zz'");
	/* none of those reached the module */
	control = read_all(f->dir, "control");
	assert_string_equal(control, "");
	free(control);
	/* the first failure stops a line */
	assert_int_equal(run(f, "wake a; wake zz; wake b"), PS_EXEC_ERROR);
	control = read_all(f->dir, "control");
	assert_string_equal(control, "wake a in 1\n");
	free(control);
}

static void test_spawn_refuses_bad_kinds_objects_and_options(void **state)
{
	struct fx *f = *state;

	expect_error(f, "spawn bogus a", "spawn: unknown kind 'bogus' (kinds: poll ppoll select");
	expect_error(f, "spawn poll zz", "spawn: no object named 'zz'");
	expect_error(f, "spawn poll a,zz", "spawn: no object named 'zz'");
	expect_error(f, "spawn poll a,a", "object 'a' is listed twice");
	expect_error(f, "spawn poll a,", "spawn: empty object name in 'a,'");
	expect_error(f, "spawn poll a,,b", "empty object name");
	expect_error(f, "spawn poll a fast", "spawn: unknown option 'fast' (options: events=MASK");
	expect_error(f, "spawn poll a edge", "edge, oneshot and exclusive are epoll options");
	expect_error(f, "spawn select a exclusive", "epoll options, not select");
	expect_error(f, "spawn epoll a exclusive oneshot", "exclusive cannot be combined");
	expect_error(f, "spawn read a,b", "read waits on one object, not 2");
	expect_error(f, "spawn read a timeout=5", "timeout= does not apply to read");
	expect_error(f, "spawn read a events=out", "events= does not apply to read");
	expect_error(f, "spawn poll a events=bogus", "events=: bad mask 'bogus'");
	expect_error(f, "spawn poll a events=none", "would wait for nothing");
	expect_error(f, "spawn poll a timeout=-1", "bad timeout=-1");
	expect_error(f, "spawn poll a count=0", "bad count=0");
	expect_error(f, "spawn poll a count=5000", "bad count=5000");
	expect_error(f, "spawn poll a as=9x", "bad label as=9x");
	expect_error(f, "spawn poll a as=all", "bad label as=all");
	expect_error(f, "spawn poll a,b,a", "object 'a' is listed twice");
	expect_error(f, "spawn poll a fds=0", "bad fds=0: a number from 1 to 4096");
	expect_error(f, "spawn poll a fds=4097", "bad fds=4097");
	expect_error(f, "spawn poll a fds=x", "bad fds=x");
	expect_error(f, "spawn poll a,b fds=3000",
		     "fds=3000 on 2 objects is 6000 fds: at most 4096");
	expect_error(f, "spawn select a fds=1001", "select waits on fds below FD_SETSIZE");
	expect_error(f, "spawn read a fds=2", "fds= does not apply to read");
	size_t n;
	ps_session_waiters(f->s, &n);
	assert_int_equal(n, 0); /* no failed spawn forked anything */
}

static void test_waiter_commands_refuse_unknown_waiters_signals_and_limits(void **state)
{
	struct fx *f = *state;

	expect_error(f, "kill w1", "kill: no waiter 'w1' (there are no waiters");
	expect_error(f, "signal w1 USR1", "signal: no waiter 'w1'");
	expect_error(f, "signal w1 BOGUS", "signal: unknown signal 'BOGUS'");
	expect_error(f, "ps nosuch", "ps: no waiter or pid 'nosuch'");
	expect_error(f, "settle x", "settle: bad limit 'x'");
	expect_error(f, "sleep soon", "sleep: bad duration 'soon'");
	expect_error(f, "events x", "events: bad count 'x'");
	expect_error(f, "help nosuch", "help: no command 'nosuch'");
	expect_error(f, "help wkae", "did you mean 'wake'?");
	/* kill all with nobody is fine */
	assert_int_equal(run(f, "kill all"), PS_EXEC_OK);
	assert_string_equal(f->out.text[0], "no waiters to kill");
	assert_int_equal(run(f, "settle"), PS_EXEC_OK);
	assert_int_equal(run(f, "sleep 0"), PS_EXEC_OK);
	assert_int_equal(run(f, "quit"), PS_EXEC_QUIT);
	assert_int_equal(run(f, "say hello 'big world'"), PS_EXEC_OK);
	assert_int_equal(f->out.kind[0], PS_REC_SAY);
	assert_string_equal(f->out.text[0], "hello big world");
	assert_string_equal(f->out.json[0], "{\"type\":\"say\",\"text\":\"hello big world\"}");
	assert_int_equal(run(f, "pause not interactive"), PS_EXEC_OK);
	assert_int_equal(f->out.n, 0);
}

/* Real kernel objects on the host: they need no module for create, write,
 * read and destroy; the module is only asked (here: recorded files) for show. */
static void test_real_objects_are_written_read_and_shown_without_the_control_file(void **state)
{
	struct fx *f = *state;
	char *control, path[1200];
	FILE *fp;
	int i;

	assert_int_equal(run(f, "create e eventfd"), PS_EXEC_OK);
	assert_string_equal(f->out.text[0], "created e (eventfd)");
	assert_string_equal(f->out.json[0],
			    "{\"type\":\"message\",\"action\":\"created\",\"object\":\"e\","
			    "\"detail\":\"(eventfd)\",\"objtype\":\"eventfd\",\"text\":"
			    "\"created e (eventfd)\"}");
	expect_error(f, "create e pipe", "create: an object named 'e' already exists");
	expect_error(f, "create e", "create: an object named 'e' already exists");
	expect_error(f, "create a eventfd", "create: an object named 'a' already exists");
	expect_error(f, "create x fifo", "create: unknown type 'fifo'");
	expect_error(f, "create x/y pipe", "bad object name 'x/y'");
	/* eventfd: write adds to the counter, read returns and clears it */
	assert_int_equal(run(f, "write e 5; write e; read e"), PS_EXEC_OK);
	assert_string_equal(f->out.text[0], "wrote e value=5 (eventfd count 0 -> 5)");
	assert_string_equal(f->out.text[1], "wrote e value=1 (eventfd count 5 -> 6)");
	assert_string_equal(f->out.text[2], "read e: 6");
	assert_int_equal(f->out.kind[2], PS_REC_VALUE);
	expect_error(f, "read e", "read: 'e' is not readable (EAGAIN): nothing to read");
	expect_error(f, "write e x", "write: bad value 'x'");
	expect_error(f, "ready e in", "ready: 'e' is a real eventfd, not a module object");
	expect_error(f, "wake e", "wake: 'e' is a real eventfd, not a module object");
	/* pipe: bytes; a full pipe takes what fits, then refuses */
	assert_int_equal(run(f, "create p pipe; write p 70000"), PS_EXEC_OK);
	assert_non_null(strstr(f->out.text[1], "wrote p value=70000 ("));
	assert_non_null(strstr(f->out.text[1], "bytes written, then it was full)"));
	expect_error(f, "write p 1", "write: 'p' is full (EAGAIN): no byte could be written");
	assert_int_equal(run(f, "read p"), PS_EXEC_OK);
	assert_non_null(strstr(f->out.text[0], "read p: "));
	assert_non_null(strstr(f->out.text[0], " bytes"));
	expect_error(f, "read p", "'p' is not readable (EAGAIN)");
	/* socketpair: from a to b */
	assert_int_equal(run(f, "create s socketpair; write s 3; read s"), PS_EXEC_OK);
	assert_string_equal(f->out.text[1], "wrote s value=3 (3 bytes)");
	assert_string_equal(f->out.text[2], "read s: 3 bytes");
	/* timerfd: write arms it, read counts expirations */
	expect_error(f, "create t timerfd; read t", "'t' is not readable");
	assert_int_equal(run(f, "write t 20; sleep 60; read t"), PS_EXEC_OK);
	assert_string_equal(f->out.text[0], "wrote t value=20 (timer armed: fires in 20 ms)");
	assert_string_equal(f->out.text[1], "read t: 1 expiration(s)");
	assert_int_equal(run(f, "write t 0"), PS_EXEC_OK);
	assert_string_equal(f->out.text[0], "wrote t value=0 (timer disarmed)");

	/* objects: the real ones are listed with their type and readiness */
	{
		char e2[256];
		size_t n;
		const struct ps_object *o;
		bool seen_p = false, seen_a = false;
		assert_int_equal(ps_session_read_objects(f->s, e2, sizeof(e2)), 0);
		o = ps_session_objects(f->s, &n);
		for (size_t k = 0; k < n; k++) {
			if (!strcmp(o[k].name, "p")) {
				seen_p = true;
				assert_string_equal(o[k].type, "pipe");
				assert_true(o[k].ours);
				assert_string_equal(o[k].ready, "out,wrnorm"); /* empty pipe */
				assert_int_equal(o[k].open, 2);
			}
			if (!strcmp(o[k].name, "a")) {
				seen_a = true;
				assert_string_equal(o[k].type, "module");
			}
		}
		assert_true(seen_p && seen_a);
	}

	/* show: each end through the (recorded) inspect result, heads labelled */
	snprintf(path, sizeof(path), "%s/inspect", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("fd=5 file=pipe:[77] mask=none heads=1 poll=yes\nhead=0 entries=1\n"
	      "head=0 pos=0 func=pollwake kind=poll pid=93 comm=waiter state=S flags=- "
	      "key=in,err,hup\n",
	      fp);
	fclose(fp);
	assert_int_equal(run(f, "show p"), PS_EXEC_OK);
	assert_string_equal(f->out.text[0], "p: pipe ready=out,wrnorm entries=2 heads=2 bytes=0");
	assert_int_equal(f->out.kind[0], PS_REC_OBJECT);
	i = captured_find(&f->out, "head 0: read queue (pipe->rd_wait");
	assert_true(i > 0);
	assert_int_equal(f->out.kind[i], PS_REC_HEAD);
	assert_non_null(strstr(f->out.json[i], "\"object\":\"p\""));
	assert_non_null(strstr(f->out.text[i], ", 1 entry"));
	i = captured_find(&f->out, "head 1: write queue (pipe->wr_wait");
	assert_true(i > 0);
	i = captured_find(&f->out, "pollwake");
	assert_true(i > 0);
	assert_int_equal(f->out.kind[i], PS_REC_ENTRY);
	assert_non_null(strstr(f->out.json[i], "\"head\":0"));
	{
		size_t nh, ne, on_p = 0;
		const struct ps_head *h = ps_session_heads(f->s, &nh);
		const struct ps_entry *e = ps_session_entries(f->s, &ne);
		for (size_t k = 0; k < ne; k++)
			if (!strcmp(e[k].object, "p")) {
				assert_true(e[k].head == 0 || e[k].head == 1);
				on_p++;
			}
		assert_int_equal(on_p, 2);
		assert_true(nh >= 2);
		(void)h;
	}
	assert_int_equal(run(f, "destroy p"), PS_EXEC_OK);
	assert_string_equal(f->out.text[0],
			    "destroyed p (its fds are closed; waiters keep their own copies)");
	expect_error(f, "read p", "read: no object named 'p'");
	/* none of this went through the module's control file */
	control = read_all(f->dir, "control");
	assert_string_equal(control, "");
	free(control);
}

/* One refresh (what the TUI does after events, and what show does) reads
 * objects/, stats and queues once and inspects each end of each real object
 * once; after a change the next refresh reads them again. */
static void test_one_refresh_reads_each_source_once(void **state)
{
	struct fx *f = *state;
	struct ps_debugfs *d = &f->s->dfs;
	char path[1200], e[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/inspect", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("fd=5 file=pipe:[77] mask=none heads=1 poll=yes\nhead=0 entries=0\n", fp);
	fclose(fp);
	assert_int_equal(run(f, "create p pipe; create e eventfd"), PS_EXEC_OK);

	/* the TUI: drain, states, then objects and queues to draw */
	memset(d->reads, 0, sizeof(d->reads));
	ps_session_process(f->s);
	ps_session_refresh_states(f->s);
	assert_int_equal(ps_session_read_objects(f->s, e, sizeof(e)), 0);
	assert_int_equal(ps_session_read_queues(f->s, e, sizeof(e)), 0);
	assert_int_equal(d->reads[PS_SRC_OBJECTS], 1);
	assert_int_equal(d->reads[PS_SRC_STATS], 1);
	assert_int_equal(d->reads[PS_SRC_QUEUES], 1);
	assert_int_equal(d->reads[PS_SRC_INSPECT], 3); /* the pipe's two ends, the eventfd */

	/* show: objects, queues and waiter states */
	memset(d->reads, 0, sizeof(d->reads));
	assert_int_equal(run(f, "show"), PS_EXEC_OK);
	assert_true(captured_find(&f->out, "p: pipe ready=") >= 0);
	assert_int_equal(d->reads[PS_SRC_OBJECTS], 1);
	assert_int_equal(d->reads[PS_SRC_STATS], 1);
	assert_int_equal(d->reads[PS_SRC_QUEUES], 1);
	assert_int_equal(d->reads[PS_SRC_INSPECT], 3);

	/* a change (here: reports and events drained) makes the next read fresh */
	memset(d->reads, 0, sizeof(d->reads));
	ps_session_process(f->s);
	assert_int_equal(ps_session_read_queues(f->s, e, sizeof(e)), 0);
	assert_int_equal(d->reads[PS_SRC_QUEUES], 1);
	assert_int_equal(d->reads[PS_SRC_INSPECT], 3);
}

static void test_inspect_shows_a_polling_process_fds_and_what_it_waits_on(void **state)
{
	struct fx *f = *state;
	char path[1200];
	int pfd[2], i;
	pid_t child;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/inspect", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("fd=5 file=pipe:[77] mask=none heads=1 poll=yes\nhead=0 entries=0\n", fp);
	fclose(fp);
	expect_error(f, "inspect x", "inspect: bad pid 'x'");
	expect_error(f, "inspect 0", "inspect: bad pid '0'");
	expect_error(f, "inspect 1 -3", "inspect: bad fd '-3'");
	expect_error(f, "inspect 2147483647", "inspect: no process with pid 2147483647");
	/* a child of ours asleep in poll(2) on a pipe's read end */
	assert_int_equal(pipe(pfd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		syscall(SYS_poll, &p, 1, -1);
		_exit(0);
	}
	for (i = 0; i < 500; i++) {
		char sp[64], buf[64] = "";
		snprintf(sp, sizeof(sp), "/proc/%d/syscall", (int)child);
		fp = fopen(sp, "r");
		if (fp) {
			if (!fgets(buf, sizeof(buf), fp))
				buf[0] = '\0';
			fclose(fp);
		}
		if (strncmp(buf, "7 ", 2) == 0)
			break;
		usleep(2000);
	}
	snprintf(path, sizeof(path), "inspect %d", (int)child);
	assert_int_equal(run(f, path), PS_EXEC_OK);
	assert_int_equal(f->out.kind[0], PS_REC_PROCESS);
	assert_non_null(strstr(f->out.text[0], "state S"));
	snprintf(path, sizeof(path), "  blocked in poll(nfds=1, timeout=-1): fd %d (in)", pfd[0]);
	assert_string_equal(f->out.text[1], path);
	snprintf(path, sizeof(path), "fd %d -> pipe:[", pfd[0]);
	i = captured_find(&f->out, path);
	assert_true(i > 1);
	assert_int_equal(f->out.kind[i], PS_REC_FD);
	assert_non_null(strstr(f->out.text[i], "(pipe): mask=none heads=1 entries=0  <- poll waits "
					       "on it (in)"));
	assert_non_null(strstr(f->out.json[i], "\"waited_on\":true"));
	i = captured_find(&f->out, "head 0: read queue (pipe->rd_wait), 0 entries");
	assert_true(i > 1);
	snprintf(path, sizeof(path), "fd %d -> pipe:[", pfd[1]);
	i = captured_find(&f->out, path);
	assert_true(i > 1);
	assert_null(strstr(f->out.text[i], "waits on it"));
	assert_non_null(strstr(f->out.text[f->out.n - 1], " pollable, "));
	/* one fd, and an fd it does not have */
	snprintf(path, sizeof(path), "inspect %d %d", (int)child, pfd[1]);
	assert_int_equal(run(f, path), PS_EXEC_OK);
	assert_int_equal(captured_find(&f->out, "fd 0 ->"), -1);
	snprintf(path, sizeof(path), "fd %d -> pipe:[", pfd[1]);
	assert_true(captured_find(&f->out, path) > 0);
	i = captured_find(&f->out, "write queue (pipe->wr_wait)");
	assert_true(i > 0);
	snprintf(path, sizeof(path), "inspect %d 999", (int)child);
	expect_error(f, path, "has no fd 999");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	snprintf(path, sizeof(path), "inspect %d", (int)child);
	expect_error(f, path, "no process with pid");
	close(pfd[0]);
	close(pfd[1]);
}

/* Every demo script tokenizes, names only known commands, and has narration
 * (say) and steps (pause); the eight demos of the issue are all there. */
static void test_the_eight_demos_are_shipped_and_run_on_recorded_files(void **state)
{
	static const char *const wanted[] = {
		"01-", "02-", "03-", "04-", "05-", "06-", "07-", "08-"
	};
	char dirpath[1024];
	DIR *d;
	struct dirent *de;
	int found[8] = { 0 };

	(void)state;
	snprintf(dirpath, sizeof(dirpath), "%s/../demos", PS_TEST_DATA);
	d = opendir(dirpath);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char path[2048], *line = NULL;
		size_t cap = 0;
		int lineno = 0, says = 0, pauses = 0;
		FILE *fp;
		size_t l = strlen(de->d_name);

		if (l < 8 || strcmp(de->d_name + l - 7, ".pscope") != 0)
			continue;
		for (int k = 0; k < 8; k++)
			if (!strncmp(de->d_name, wanted[k], 3))
				found[k]++;
		snprintf(path, sizeof(path), "%s/%s", dirpath, de->d_name);
		fp = fopen(path, "r");
		assert_non_null(fp);
		while (getline(&line, &cap, fp) >= 0) {
			struct ps_tokens t;
			char err[256];
			lineno++;
			if (ps_tokenize(line, &t, err, sizeof(err)) < 0) {
				fprintf(stderr, "%s:%d: %s\n", de->d_name, lineno, err);
				fail();
			}
			for (int c = 0; c < t.ncmds; c++) {
				if (!ps_cmd_find(t.cmd[c].argv[0])) {
					fprintf(stderr, "%s:%d: unknown command '%s'\n", de->d_name,
						lineno, t.cmd[c].argv[0]);
					fail();
				}
				says += !strcmp(t.cmd[c].argv[0], "say");
				pauses += !strcmp(t.cmd[c].argv[0], "pause");
			}
			/* a say line is one command: a ';' in its text would split it */
			if (t.ncmds > 0 && !strcmp(t.cmd[0].argv[0], "say") && t.ncmds != 1) {
				fprintf(stderr, "%s:%d: say split by ';'\n", de->d_name, lineno);
				fail();
			}
			ps_tokens_free(&t);
		}
		free(line);
		fclose(fp);
		assert_true(says >= 3);
		assert_true(pauses >= 1);
	}
	closedir(d);
	for (int k = 0; k < 8; k++)
		assert_int_equal(found[k], 1);
}

/* show ... why: the kernel explanations the TUI's details give (explain.c),
 * under each object and entry, as records of their own in JSON. */
static void test_show_why_explains_each_object_and_entry(void **state)
{
	struct fx *f = *state;
	int i;

	assert_int_equal(run(f, "show a why"), PS_EXEC_OK);
	assert_int_equal(f->out.kind[0], PS_REC_OBJECT);
	assert_int_equal(f->out.kind[1], PS_REC_EXPLAIN);
	assert_non_null(strstr(f->out.json[1], "\"type\":\"explain\",\"object\":\"a\",\"text\":"));
	i = captured_find(&f->out, "pollwake");
	assert_true(i > 0);
	assert_int_equal(f->out.kind[i + 1], PS_REC_EXPLAIN);
	assert_string_equal(
		f->out.text[i + 1],
		"        why: queued by __pollwait from poll/select; pollwake checks the key");
	assert_string_equal(f->out.json[i + 1],
			    "{\"type\":\"explain\",\"object\":\"a\",\"pos\":0,\"text\":\"queued "
			    "by __pollwait from poll/select; pollwake checks the key\"}");
	i = captured_find(&f->out, "ep_poll_callback");
	assert_true(i > 0);
	assert_non_null(strstr(f->out.text[i + 1], "why: queued by epoll_ctl(ADD)"));
	/* a second line of the same explanation is text only */
	assert_int_equal(f->out.kind[i + 2], PS_REC_TEXT);
	assert_non_null(strstr(f->out.text[i + 2], "exclusive: queued at the tail"));
	/* without why, nothing is explained; why is not taken for an object name */
	assert_int_equal(run(f, "show a"), PS_EXEC_OK);
	for (i = 0; i < f->out.n; i++)
		assert_int_not_equal(f->out.kind[i], PS_REC_EXPLAIN);
	expect_error(f, "show nosuch why", "show: no object named 'nosuch'");
}

static void test_show_emits_each_object_then_its_entries_in_text_and_json(void **state)
{
	struct fx *f = *state;
	int i;

	assert_int_equal(run(f, "show"), PS_EXEC_OK);
	/* a: object + header + 3 entries; b: object + header + 1 entry */
	assert_int_equal(f->out.n, 8);
	assert_int_equal(f->out.kind[0], PS_REC_OBJECT);
	assert_string_equal(f->out.text[0], "a: ready=in entries=3 polls=7 wakes=3 woken=2 open=3");
	assert_int_equal(f->out.kind[1], PS_REC_TEXT);
	assert_string_equal(f->out.json[1], "");
	assert_int_equal(f->out.kind[2], PS_REC_ENTRY);
	assert_string_equal(
		f->out.json[2],
		"{\"type\":\"entry\",\"object\":\"a\",\"pos\":0,\"kind\":\"poll\","
		"\"func\":\"pollwake\",\"pid\":93,\"comm\":\"waiter\",\"state\":\"S\","
		"\"flags\":\"-\",\"exclusive\":false,\"key\":\"in,rdnorm\",\"waiter\":\"-\"}");
	i = captured_find(&f->out, "ep_poll_callback");
	assert_true(i > 0);
	assert_non_null(strstr(f->out.text[i], "exclusive"));
	assert_non_null(strstr(f->out.json[i], "\"exclusive\":true"));
	i = captured_find(&f->out, "autoremove_wake_function");
	assert_non_null(strstr(f->out.text[i], "wait_event"));
	assert_int_equal(run(f, "show b"), PS_EXEC_OK);
	assert_int_equal(f->out.n, 3);
	assert_string_equal(f->out.text[0],
			    "b: ready=none entries=1 polls=0 wakes=0 woken=0 open=1");

	/* the state API sees the same */
	size_t n;
	const struct ps_entry *e = ps_session_entries(f->s, &n);
	assert_int_equal(n, 4);
	assert_string_equal(e[1].func, "ep_poll_callback");
	const struct ps_object *o = ps_session_objects(f->s, &n);
	assert_int_equal(n, 2);
	assert_string_equal(o[0].name, "a");
	assert_int_equal(o[0].waiting, 3);
}

static int setup_capped(void **state)
{
	struct fx *f;

	setup(state);
	f = *state;
	ps_session_free(f->s);
	scratch_remove(f->dir);
	f->dir = scratch_copy("capped");
	assert_non_null(f->dir);
	{
		struct ps_session_opts o = { 0 };

		o.debugfs_dir = f->dir;
		f->s = ps_session_new(&o);
	}
	assert_non_null(f->s);
	return 0;
}

/* A capped queue (the module's max_queue_entries) says so on every front end;
 * a line nobody can read is an error, never skipped. Recorded from module-cap.sh. */
static void test_a_capped_queue_and_an_unreadable_line_are_never_silent(void **state)
{
	struct fx *f = *state;
	size_t n;
	const struct ps_object *o;
	char path[1200];
	FILE *fp;
	int i;

	assert_int_equal(run(f, "show"), PS_EXEC_OK);
	i = captured_find(&f->out, "a: ready=none entries=8 ");
	assert_true(i >= 0);
	assert_non_null(
		strstr(f->out.text[i], ", 4 more not listed (the module's max_queue_entries)"));
	assert_non_null(strstr(f->out.json[i], "\"entries\":8,"));
	assert_non_null(strstr(f->out.json[i], "\"truncated\":4,\"truncated_more\":false"));
	i = captured_find(&f->out, "b: ready=none entries=8 ");
	assert_true(i >= 0);
	assert_non_null(strstr(f->out.text[i], ", at least 8 more not listed"));
	assert_non_null(strstr(f->out.json[i], "\"truncated\":8,\"truncated_more\":true"));
	i = captured_find(&f->out, "c: ready=none entries=2 ");
	assert_true(i >= 0);
	assert_null(strstr(f->out.text[i], "not listed"));
	assert_null(strstr(f->out.json[i], "truncated"));
	/* what the TUI reads */
	o = ps_session_objects(f->s, &n);
	assert_int_equal(n, 3);
	assert_string_equal(o[0].name, "a");
	assert_int_equal(o[0].truncated, 4);
	assert_false(o[0].truncated_more);
	assert_int_equal(o[1].truncated, 8);
	assert_true(o[1].truncated_more);
	assert_int_equal(o[2].truncated, 0);
	ps_session_entries(f->s, &n);
	assert_int_equal(n, 18);

	/* a real object's head (through the recorded inspect result) */
	assert_int_equal(run(f, "create e eventfd; show e"), PS_EXEC_OK);
	i = captured_find(&f->out, "head 0: eventfd ctx->wqh, 2 entries, 10 more not listed");
	assert_true(i >= 0);
	assert_non_null(strstr(f->out.json[i], "\"entries\":2,\"truncated\":10,"));

	/* an unknown line in queues: show fails and quotes it */
	snprintf(path, sizeof(path), "%s/queues", f->dir);
	fp = fopen(path, "a");
	assert_non_null(fp);
	fputs("object=a bogus=1\n", fp);
	fclose(fp);
	expect_error(f, "show", "cannot read line 'object=a bogus=1'");
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("object=a pos=0 func=pollwake kind=poll pid=1 comm=x state=S flags=- key=in\n"
	      "object=a truncated=x\n",
	      fp);
	fclose(fp);
	expect_error(f, "show", "cannot read line 'object=a truncated=x'");
	/* and in an inspect result */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/inspect", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("fd=3 file=x mask=none heads=1 poll=yes\nhead=0 entries=0\nsomething new\n", fp);
	fclose(fp);
	expect_error(f, "show e", "cannot read line 'something new'");
}

static void test_events_stats_and_version_come_from_the_recorded_files(void **state)
{
	struct fx *f = *state;
	struct ps_event ev[16];
	uint64_t cursor = 0;

	assert_int_equal(run(f, "events"), PS_EXEC_OK);
	assert_int_equal(f->out.n, 8);
	assert_string_equal(f->out.text[5], "     6      3.000 ms  wake     a        key=in nr=1 "
					    "visited=3 woken=1 source=wake  [pid 90 pollscope]");
	assert_string_equal(
		f->out.json[5],
		"{\"type\":\"event\",\"seq\":6,\"ns\":4000000,\"event\":\"wake\",\"pid\":90,"
		"\"comm\":\"pollscope\",\"object\":\"a\",\"detail\":\"key=in nr=1 "
		"visited=3 woken=1 source=wake\",\"waiter\":\"-\"}");
	assert_int_equal(run(f, "events 2"), PS_EXEC_OK);
	assert_int_equal(f->out.n, 2);
	assert_non_null(strstr(f->out.text[0], "     7 "));
	/* TUI access: everything once, then nothing new */
	assert_int_equal(ps_session_events_since(f->s, &cursor, ev, 16), 8);
	assert_int_equal(cursor, 8);
	assert_int_equal(ev[7].seq, 8);
	assert_int_equal(ps_session_events_since(f->s, &cursor, ev, 16), 0);
	cursor = 5;
	assert_int_equal(ps_session_events_since(f->s, &cursor, ev, 2), 2);
	assert_int_equal(ev[0].seq, 6);
	assert_int_equal(cursor, 7);

	assert_int_equal(run(f, "stats"), PS_EXEC_OK);
	assert_int_equal(f->out.n, 3);
	assert_int_equal(f->out.kind[0], PS_REC_STATS);
	assert_string_equal(
		f->out.json[1],
		"{\"type\":\"stats\",\"object\":\"a\",\"polls\":7,\"queued\":5,\"added\":6,"
		"\"removed\":3,\"waiting\":3,\"wakes\":3,\"woken\":2,\"ready\":\"in\","
		"\"count\":0,\"open\":3}");
	assert_int_equal(run(f, "version"), PS_EXEC_OK);
	assert_non_null(strstr(f->out.text[0], "module interface 1 (recorded files), kernel "
					       "6.1.0-56-amd64, flags: exclusive=0x1"));
	struct ps_info info;
	ps_session_info(f->s, &info);
	assert_true(info.attached);
	assert_string_equal(info.release, "6.1.0-56-amd64");
	assert_int_equal(info.interface, 1);
	assert_string_equal(info.module, "recorded files");
}

static void test_help_lists_every_command_and_explains_one(void **state)
{
	struct fx *f = *state;
	size_t n;

	ps_cmd_table(&n);
	assert_int_equal(run(f, "help"), PS_EXEC_OK);
	assert_int_equal((size_t)f->out.n, n + 1);
	assert_non_null(strstr(f->out.json[0], "\"command\":\"create\""));
	assert_int_equal(run(f, "help spawn"), PS_EXEC_OK);
	assert_string_equal(f->out.text[0], "usage: spawn KIND NAME[,NAME...] [events=MASK] "
					    "[timeout=MS] [edge] [oneshot] [exclusive] [loop] "
					    "[fds=N] [count=N] [as=LABEL]");
	assert_true(captured_find(&f->out, "count=N       N identical waiters") > 0);
}

struct words {
	int n;
	char w[64][64];
};

static void add_word(void *ctx, const char *word)
{
	struct words *w = ctx;
	if (w->n < 64)
		snprintf(w->w[w->n++], 64, "%s", word);
}

static int has(const struct words *w, const char *word)
{
	for (int i = 0; i < w->n; i++)
		if (!strcmp(w->w[i], word))
			return 1;
	return 0;
}

static void test_completion_offers_commands_objects_waiters_masks_and_options(void **state)
{
	struct fx *f = *state;
	struct words w;

#define COMPLETE(line)                                                                             \
	do {                                                                                       \
		memset(&w, 0, sizeof(w));                                                          \
		ps_complete(f->s, line, add_word, &w);                                             \
	} while (0)
	COMPLETE("");
	assert_true(has(&w, "create") && has(&w, "wake") && has(&w, "quit"));
	COMPLETE("s");
	assert_true(has(&w, "spawn") && has(&w, "show") && has(&w, "settle") && has(&w, "say"));
	assert_false(has(&w, "wake"));
	COMPLETE("wake ");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, "a") && has(&w, "b"));
	COMPLETE("wake a r");
	assert_true(has(&w, "rdnorm") && has(&w, "rdband") && has(&w, "rdhup"));
	COMPLETE("create a; destroy b");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.w[0], "b");
	COMPLETE("spawn e");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.w[0], "epoll");
	COMPLETE("spawn epoll a,");
	assert_true(has(&w, "a,a") && has(&w, "a,b"));
	COMPLETE("spawn epoll a ex");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.w[0], "exclusive");
	COMPLETE("help sp");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.w[0], "spawn");
	COMPLETE("signal w1 US");
	assert_true(has(&w, "USR1") && has(&w, "USR2"));
	COMPLETE("kill ");
	assert_true(has(&w, "all"));
	COMPLETE("create x ");
	assert_int_equal(w.n, 5);
	assert_true(has(&w, "eventfd") && has(&w, "pipe") && has(&w, "timerfd") &&
		    has(&w, "socketpair") && has(&w, "module"));
	COMPLETE("create x s");
	assert_int_equal(w.n, 1);
	COMPLETE("spawn poll a f");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.w[0], "fds=");
	COMPLETE("nosuch ");
	assert_int_equal(w.n, 0);
#undef COMPLETE
}

/* A command's options live in one table: usage, completion, help and the
 * unknown-option error all show every one of them. */
static void test_options_come_from_the_command_table(void **state)
{
	struct fx *f = *state;
	const char *cmds[] = { "spawn", "wake" };

	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		const struct ps_cmd *cmd = ps_cmd_find(cmds[k]);
		char list[256];
		struct words w;
		int nopts = 0;

		assert_non_null(cmd->opts);
		memset(&w, 0, sizeof(w));
		ps_complete(f->s, !strcmp(cmd->name, "spawn") ? "spawn poll a " : "wake a in ",
			    add_word, &w);
		ps_cmd_opts_text(cmd, list, sizeof(list));
		assert_int_equal(run(f, "help spawn; help wake"), PS_EXEC_OK);
		for (const struct ps_opt *o = cmd->opts; o->name; o++, nopts++) {
			char word[64], bracket[64];
			snprintf(word, sizeof(word), "%s%s", o->name, o->value ? "=" : "");
			snprintf(bracket, sizeof(bracket), "[%s%s%s]", o->name, o->value ? "=" : "",
				 o->value ? o->value : "");
			assert_true(has(&w, word));
			assert_non_null(strstr(cmd->usage, bracket));
			assert_non_null(strstr(list, o->name));
			if (o->help)
				assert_true(captured_find(&f->out, o->help) > 0);
		}
		assert_true(nopts > 0);
	}
	expect_error(f, "spawn poll a fast",
		     "spawn: unknown option 'fast' (options: events=MASK timeout=MS edge oneshot "
		     "exclusive loop fds=N count=N as=LABEL)");
	{
		/* the parser has room for every table */
		size_t n;
		const struct ps_cmd *t = ps_cmd_table(&n);
		for (size_t i = 0; i < n; i++) {
			int k = 0;
			while (t[i].opts && t[i].opts[k].name)
				k++;
			assert_true(k <= PS_CMD_MAX_OPTS);
		}
	}
}

static void test_attach_refuses_another_interface_version(void **state)
{
	struct ps_session_opts o = { 0 };
	struct ps_session *s;
	char err[512];
	char *dir = scratch_copy("badversion");

	(void)state;
	o.debugfs_dir = dir;
	s = ps_session_new(&o);
	assert_int_equal(ps_session_attach(s, err, sizeof(err)), -1);
	assert_string_equal(err, "interface version mismatch: the module speaks version 2, this "
				 "pollscope speaks version 1; use matching builds of the module "
				 "and the tool");
	/* commands that need the module say so; others still work */
	assert_int_equal(ps_exec(s, "show", NULL, err, sizeof(err)), PS_EXEC_ERROR);
	assert_non_null(strstr(err, "show: interface version mismatch"));
	assert_int_equal(ps_exec(s, "help; say hi", NULL, err, sizeof(err)), PS_EXEC_OK);
	ps_session_free(s);
	scratch_remove(dir);

	o.debugfs_dir = "/nonexistent/pollscope";
	s = ps_session_new(&o);
	assert_int_equal(ps_session_attach(s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "debugfs directory /nonexistent/pollscope:"));
	ps_session_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command_is_found_by_name_and_a_typo_gets_a_suggestion),
		cmocka_unit_test_setup_teardown(
			test_unknown_commands_and_wrong_argument_counts_are_refused_with_the_usage,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_object_commands_write_one_control_line_and_say_what_they_did, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_object_commands_refuse_bad_names_and_missing_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spawn_refuses_bad_kinds_objects_and_options,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_waiter_commands_refuse_unknown_waiters_signals_and_limits, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_show_emits_each_object_then_its_entries_in_text_and_json, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_show_why_explains_each_object_and_entry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_a_capped_queue_and_an_unreadable_line_are_never_silent, setup_capped,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_real_objects_are_written_read_and_shown_without_the_control_file,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_inspect_shows_a_polling_process_fds_and_what_it_waits_on, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_one_refresh_reads_each_source_once, setup,
						teardown),
		cmocka_unit_test(test_the_eight_demos_are_shipped_and_run_on_recorded_files),
		cmocka_unit_test_setup_teardown(
			test_events_stats_and_version_come_from_the_recorded_files, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_help_lists_every_command_and_explains_one,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_completion_offers_commands_objects_waiters_masks_and_options, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_options_come_from_the_command_table, setup,
						teardown),
		cmocka_unit_test(test_attach_refuses_another_interface_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
