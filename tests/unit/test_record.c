/*
 * Recordings: a session on recorded debugfs files recorded and read back;
 * the reader's refusals (old or newer versions, truncated and corrupt
 * files, each with its line); a replay's frames; and the trace export
 * checked against the trace event format (phases, fields, begin/end pairs
 * per track, one start and one end per flow id), on the shipped demo
 * recordings too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <unistd.h>

#include "record.h"
#include "test_common.h"

static char *write_tmp(const char *text)
{
	char tmpl[] = "/tmp/psrec.XXXXXX";
	int fd = mkstemp(tmpl);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return strdup(tmpl);
}

/* Record `script` on the recorded files; the recording's path. */
static char *record_script(const char *script)
{
	char *dir = scratch_copy("basic");
	char tmpl[] = "/tmp/psrec.XXXXXX";
	int fd = mkstemp(tmpl);
	struct ps_session_opts o = { .debugfs_dir = dir };
	struct ps_session *s;
	struct captured c = { 0 };
	struct ps_sink sink = { .record = capture, .ctx = &c };
	char err[256];

	assert_true(fd >= 0);
	close(fd);
	s = ps_session_new(&o);
	assert_non_null(s);
	assert_int_equal(ps_record_open(s, tmpl, err, sizeof(err)), 0);
	assert_int_equal(ps_run_script_string(s, script, "-c", &sink, stderr), 0);
	assert_int_equal(ps_record_close(s, err, sizeof(err)), 0);
	ps_session_free(s);
	scratch_remove(dir);
	return strdup(tmpl);
}

static void test_a_recorded_session_reads_back(void **state)
{
	char *path = record_script("show; say look; pause; events 2");
	struct ps_recording r;
	char err[512];
	int commands = 0, outputs = 0, events = 0, says = 0, frames = 0;
	const struct ps_item *last_frame = NULL;

	(void)state;
	assert_int_equal(ps_recording_load(path, &r, err, sizeof(err)), 0);
	assert_int_equal(r.version, PS_RECORD_VERSION);
	assert_true(r.complete);
	for (size_t i = 0; i < r.n; i++) {
		const struct ps_item *it = &r.items[i];

		commands += it->type == PS_IT_COMMAND;
		outputs += it->type == PS_IT_OUTPUT;
		events += it->type == PS_IT_EVENT;
		says += it->type == PS_IT_SAY;
		if (it->type == PS_IT_FRAME) {
			frames++;
			last_frame = it;
		}
		if (it->type == PS_IT_COMMAND)
			assert_string_equal(it->text, "show; say look; pause; events 2");
	}
	assert_int_equal(commands, 1);
	assert_int_equal(says, 1);
	/* tests/data/basic/events holds 8 records */
	assert_int_equal(events, 8);
	assert_true(outputs >= 8);
	assert_true(frames >= 1);
	/* the frame is what the recorded files say: a with 3 entries, b with 1 */
	assert_non_null(last_frame);
	assert_int_equal(last_frame->nobjects, 2);
	assert_string_equal(last_frame->objects[0].name, "a");
	assert_int_equal(last_frame->objects[0].waiting, 3);
	assert_string_equal(last_frame->objects[0].ready, "in");
	assert_int_equal(last_frame->nentries, 4);
	assert_string_equal(last_frame->entries[0].func, "pollwake");
	assert_int_equal(last_frame->entries[0].pid, 93);
	ps_recording_free(&r);
	unlink(path);
	free(path);
}

/* err must start with "PATH:LINE:" and hold `what` */
static void expect_refused(const char *text, int line, const char *what)
{
	char *path = write_tmp(text);
	struct ps_recording r;
	char err[512], want[4200];

	assert_int_equal(ps_recording_load(path, &r, err, sizeof(err)), -1);
	if (line > 0)
		snprintf(want, sizeof(want), "%s:%d: ", path, line);
	else
		snprintf(want, sizeof(want), "%s", path);
	if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, what))
		fail_msg("for %s: got '%s', want '%s...%s'", text, err, want, what);
	unlink(path);
	free(path);
}

#define HDR "{\"type\":\"pollscope-recording\",\"version\":1}\n"
#define FRAME                                                                                      \
	"{\"type\":\"frame\",\"objects\":[],\"entries\":[],\"heads\":[],\"waiters\":[],\"t\":5}\n"
#define END "{\"type\":\"end\",\"t\":9}\n"

static void test_bad_recordings_are_refused_with_their_line(void **state)
{
	(void)state;
	expect_refused("", 0, "empty file");
	expect_refused("{\"type\":\"something\"}\n", 1, "not a pollscope recording");
	expect_refused("{\"type\":\"pollscope-recording\",\"version\":0}\n" FRAME END, 1,
		       "version 0: this pollscope reads version 1 only (written by an older");
	expect_refused("{\"type\":\"pollscope-recording\",\"version\":7}\n" FRAME END, 1,
		       "written by a newer pollscope");
	/* truncated: the last line cut in the middle */
	expect_refused(HDR FRAME "{\"type\":\"fra", 3, "cut short");
	/* killed while recording: no end line */
	expect_refused(HDR FRAME, 3, "without its end line");
	expect_refused(HDR FRAME "garbage\n" END, 3, "not JSON");
	expect_refused(HDR "{\"type\":\"frame\",\"t\":1}\n" END, 2, "'objects' is not a list");
	expect_refused(HDR "{\"type\":\"frame\",\"objects\":[{\"name\":1}],\"entries\":[],"
			   "\"heads\":[],\"waiters\":[],\"t\":1}\n" END,
		       2, "objects[0]");
	expect_refused(HDR "{\"type\":\"warp\",\"t\":1}\n" END, 2, "unknown item type 'warp'");
	expect_refused(HDR "{\"type\":\"end\"}\n", 2, "no time");
	expect_refused(HDR FRAME "{\"type\":\"end\",\"t\":1}\n", 3, "time goes back");
	expect_refused(HDR END FRAME, 3, "after the end line");
	expect_refused(HDR "{\"type\":\"done\",\"rc\":5,\"error\":\"\",\"t\":1}\n" END, 2, "rc 5");
	expect_refused(HDR "[1,2]\n" END, 2, "not a JSON object");
}

/* ---------------------------------------------- the trace event format */

struct open_slice {
	long pid, tid;
	char name[200];
};

/* Check a trace against the trace event format; return the flows. */
static int check_trace(json_t *root, int *sleeps)
{
	json_t *evs = json_object_get(root, "traceEvents"), *e;
	struct open_slice *stack = calloc(json_array_size(evs) + 1, sizeof(*stack));
	int nstack = 0, flows = 0;
	size_t i;
	struct flow {
		long id;
		int starts, ends;
		double ts_s, ts_f;
	} *fl = calloc(json_array_size(evs) + 1, sizeof(*fl));
	int nfl = 0;

	assert_true(json_is_array(evs));
	*sleeps = 0;
	json_array_foreach(evs, i, e)
	{
		const char *ph = json_string_value(json_object_get(e, "ph"));
		const char *name = json_string_value(json_object_get(e, "name"));
		json_t *ts = json_object_get(e, "ts");
		long pid, tid;

		assert_non_null(ph);
		assert_non_null(name);
		assert_true(strlen(ph) == 1 && strchr("BEXiCMsf", ph[0]));
		assert_true(json_is_integer(json_object_get(e, "pid")));
		pid = (long)json_integer_value(json_object_get(e, "pid"));
		tid = (long)json_integer_value(json_object_get(e, "tid"));
		if (ph[0] == 'M') {
			assert_true(!strcmp(name, "process_name") || !strcmp(name, "thread_name"));
			assert_true(json_is_string(
				json_object_get(json_object_get(e, "args"), "name")));
			continue;
		}
		assert_true(json_is_number(ts));
		assert_true(json_number_value(ts) >= 0);
		assert_true(json_is_integer(json_object_get(e, "tid")));
		switch (ph[0]) {
		case 'B':
			stack[nstack].pid = pid;
			stack[nstack].tid = tid;
			snprintf(stack[nstack].name, sizeof(stack[0].name), "%s", name);
			nstack++;
			(*sleeps)++;
			break;
		case 'E': {
			/* the innermost open slice of the same track, same name */
			int k = nstack - 1;

			while (k >= 0 && (stack[k].pid != pid || stack[k].tid != tid))
				k--;
			assert_true(k >= 0);
			assert_string_equal(stack[k].name, name);
			memmove(&stack[k], &stack[k + 1],
				(size_t)(nstack - k - 1) * sizeof(*stack));
			nstack--;
			break;
		}
		case 'X':
			assert_true(json_is_number(json_object_get(e, "dur")));
			break;
		case 'C':
			assert_true(json_is_object(json_object_get(e, "args")));
			break;
		case 's':
		case 'f': {
			long id = (long)json_integer_value(json_object_get(e, "id"));
			int k;

			assert_true(json_is_integer(json_object_get(e, "id")));
			for (k = 0; k < nfl && fl[k].id != id; k++)
				;
			if (k == nfl)
				fl[nfl++].id = id;
			if (ph[0] == 's') {
				fl[k].starts++;
				fl[k].ts_s = json_number_value(ts);
			} else {
				fl[k].ends++;
				fl[k].ts_f = json_number_value(ts);
				assert_string_equal(json_string_value(json_object_get(e, "bp")),
						    "e");
			}
			break;
		}
		default:
			break;
		}
	}
	assert_int_equal(nstack, 0); /* every B has its E */
	for (int k = 0; k < nfl; k++) {
		assert_int_equal(fl[k].starts, 1);
		assert_int_equal(fl[k].ends, 1);
		assert_true(fl[k].ts_s <= fl[k].ts_f);
		flows++;
	}
	free(stack);
	free(fl);
	return flows;
}

static json_t *export_json(const struct ps_recording *r)
{
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_error_t je;
	json_t *root;

	assert_int_equal(ps_export_trace(r, f, err, sizeof(err)), 0);
	fclose(f);
	root = json_loads(buf, 0, &je);
	if (!root)
		fail_msg("the trace is not JSON: %s (line %d)", je.text, je.line);
	free(buf);
	return root;
}

/* A recording written by hand: a waiter asleep on a from t=1 ms to t=3 ms,
 * woken by pid 90's wake of a at 2 ms: one sleep, one flow from 90 to 93. */
static void test_a_wake_that_ends_a_sleep_is_a_flow(void **state)
{
#define WAITER_FMT                                                                                 \
	"{\"id\":1,\"pid\":93,\"label\":\"p\",\"group\":\"p\",\"nobjs\":1,"                        \
	"\"objects\":\"a\",\"options\":\"\",\"events\":1,\"timeout_ms\":-1,"                       \
	"\"flags\":0,\"state\":\"S\",\"wchan\":\"do_sys_poll\",\"asleep\":%s,"                     \
	"\"alive\":true,\"in_call\":%s,\"calls\":1,\"exit_text\":\"\","                            \
	"\"call\":\"poll\",\"objs\":[\"a\"],\"last\":{\"valid\":false,"                            \
	"\"value\":0,\"readval\":-1,\"err\":0,\"ms\":0,\"seq\":0,\"nfds\":0,"                      \
	"\"text\":\"\",\"revents\":[0,0,0,0,0,0,0,0]}}"
	char text[8192], w1[2048], w2[2048];
	char *path;
	struct ps_recording r;
	char err[512];
	json_t *root;
	int sleeps;

	(void)state;
	snprintf(w1, sizeof(w1), WAITER_FMT, "true", "true");
	snprintf(w2, sizeof(w2), WAITER_FMT, "false", "false");
	snprintf(text, sizeof(text),
		 "{\"type\":\"pollscope-recording\",\"version\":1,\"clock_ns\":1000000000}\n"
		 "{\"type\":\"frame\",\"objects\":[],\"entries\":[],\"heads\":[],\"waiters\":[%s],"
		 "\"t\":1000000}\n"
		 "{\"type\":\"event\",\"event\":{\"seq\":6,\"ns\":1002000000,\"type\":\"wake\","
		 "\"pid\":90,\"comm\":\"pollscope\",\"object\":\"a\",\"detail\":\"key=in nr=1 "
		 "visited=1 woken=1 source=wake\",\"line\":\"x\"},\"t\":2500000}\n"
		 "{\"type\":\"frame\",\"objects\":[],\"entries\":[],\"heads\":[],\"waiters\":[%s],"
		 "\"t\":3000000}\n"
		 "{\"type\":\"end\",\"t\":4000000}\n",
		 w1, w2);
	path = write_tmp(text);
	assert_int_equal(ps_recording_load(path, &r, err, sizeof(err)), 0);
	root = export_json(&r);
	assert_int_equal(check_trace(root, &sleeps), 1);
	assert_int_equal(sleeps, 1);
	/* the arrow starts on the waker's track at the wake, ends on the sleeper's */
	{
		json_t *evs = json_object_get(root, "traceEvents"), *e;
		size_t i;
		int seen = 0;

		json_array_foreach(evs, i, e)
		{
			const char *ph = json_string_value(json_object_get(e, "ph"));
			long tid = (long)json_integer_value(json_object_get(e, "tid"));
			double ts = json_number_value(json_object_get(e, "ts"));

			if (!strcmp(ph, "s")) {
				assert_int_equal(tid, 90);
				assert_true(ts == 2000.0);
				seen++;
			} else if (!strcmp(ph, "f")) {
				assert_int_equal(tid, 93);
				seen++;
			} else if (!strcmp(ph, "B")) {
				assert_int_equal(tid, 93);
				assert_true(ts == 1000.0);
			} else if (!strcmp(ph, "E")) {
				assert_true(ts == 3000.0);
			}
		}
		assert_int_equal(seen, 2);
	}
	json_decref(root);
	ps_recording_free(&r);
	unlink(path);
	free(path);
}

/* The clock a replay stamps each item's timeline lines with: the item's
 * time, but a waiter's result is stamped with when its call returned ("at"),
 * as the live timeline does: a report read after later events still goes
 * before them. */
static uint64_t stamps[8];
static size_t nstamps;

static void stamp(void *ctx, uint64_t ns)
{
	(void)ctx;
	if (nstamps < 8)
		stamps[nstamps++] = ns;
}

static void test_a_result_is_stamped_when_its_call_returned(void **state)
{
	char *path = write_tmp(
		"{\"type\":\"pollscope-recording\",\"version\":1,\"clock_ns\":1000000000}\n"
		"{\"type\":\"command\",\"line\":\"spawn poll a\",\"typed\":false,\"t\":1000}\n"
		"{\"type\":\"event\",\"event\":{\"seq\":6,\"ns\":1000005000,\"type\":\"poll\","
		"\"pid\":93,\"comm\":\"p\",\"object\":\"a\",\"detail\":\"mask=in\",\"line\":\"x\"},"
		"\"t\":6000}\n"
		"{\"type\":\"output\",\"kind\":\"result\",\"text\":\"p (pid 93) poll returned 1\","
		"\"fields\":[[\"pid\",93]],\"at\":4000,\"t\":7000}\n"
		"{\"type\":\"output\",\"kind\":\"message\",\"text\":\"m\",\"fields\":[],"
		"\"t\":8000}\n"
		"{\"type\":\"end\",\"t\":9000}\n");
	struct ps_recording r;
	struct ps_session_opts o = { 0 };
	struct ps_session *s;
	struct ps_hooks h = { .replay_clock = stamp };
	char err[512];

	(void)state;
	assert_int_equal(ps_recording_load(path, &r, err, sizeof(err)), 0);
	assert_true(r.items[2].has_at);
	assert_true(r.items[2].at == 4000);
	assert_false(r.items[3].has_at);
	s = ps_session_new(&o);
	ps_session_set_hooks(s, &h);
	assert_int_equal(ps_replay_start(s, &r), 0);
	nstamps = 0;
	ps_replay_forward(s, (size_t)-1);
	assert_int_equal(nstamps, 5);
	assert_true(stamps[0] == 1000001000); /* the command: its t */
	assert_true(stamps[1] == 1000006000); /* the event: its t (its line has its ns) */
	assert_true(stamps[2] == 1000004000); /* the result: when the call returned */
	assert_true(stamps[3] == 1000008000); /* a message: its t */
	ps_session_free(s);
	unlink(path);
	free(path);
	/* "at" is ns since the start, nothing else */
	expect_refused(HDR "{\"type\":\"output\",\"kind\":\"result\",\"text\":\"x\","
			   "\"fields\":[],\"at\":\"soon\",\"t\":1}\n" END,
		       2, "'at' is not ns since the start");
}

/* Every shipped demo recording loads, replays to its end and back, and
 * exports a valid trace; the demos that wake a sleeper have flows. */
static void test_shipped_recordings(void **state)
{
	DIR *d = opendir(PS_RECORDINGS);
	struct dirent *de;
	int n = 0;

	(void)state;
	if (!d) {
		fail_msg("no recordings in %s", PS_RECORDINGS);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char path[4096], err[512];
		struct ps_recording r;
		struct ps_session_opts o = { 0 };
		struct ps_session *s;
		struct ps_replay_pos p;
		json_t *root;
		int sleeps, flows;

		if (!strstr(de->d_name, ".jsonl"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", PS_RECORDINGS, de->d_name);
		if (ps_recording_load(path, &r, err, sizeof(err)) < 0)
			fail_msg("%s", err);
		root = export_json(&r);
		flows = check_trace(root, &sleeps);
		json_decref(root);
		if (sleeps == 0)
			fail_msg("%s: no sleep in the trace", de->d_name);
		if (!strncmp(de->d_name, "01-", 3) && flows < 1)
			fail_msg("%s: demo 01's reader is woken by a write: no flow", de->d_name);
		s = ps_session_new(&o);
		assert_int_equal(ps_replay_start(s, &r), 0);
		ps_replay_forward(s, (size_t)-1);
		ps_replay_pos(s, &p);
		assert_int_equal(p.step, p.nsteps);
		assert_true(p.t == p.total);
		ps_replay_reset(s);
		ps_replay_pos(s, &p);
		assert_int_equal(p.step, 0);
		ps_session_free(s);
		n++;
	}
	closedir(d);
	if (n < 10)
		fail_msg("%d recordings in %s, want one per demo (10)", n, PS_RECORDINGS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_recorded_session_reads_back),
		cmocka_unit_test(test_bad_recordings_are_refused_with_their_line),
		cmocka_unit_test(test_a_wake_that_ends_a_sleep_is_a_flow),
		cmocka_unit_test(test_a_result_is_stamped_when_its_call_returned),
		cmocka_unit_test(test_shipped_recordings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
