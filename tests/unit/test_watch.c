/* The records of watch (type=watch events) as the module prints them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

static char err[256];

/* A wake on a pipe's read queue seen in the VM (demo 09). */
static const char wake_line[] =
	"seq=42 ns=123456789 type=watch pid=311 comm=producer object=311.0 op=wake head=0 "
	"queue=pipe->rd_wait key=in,rdnorm ctx=task site=pipe_write<vfs_write<ksys_write "
	"waiters=2 entries=poll/312/consumer/in,pri,err,hup,rdnorm,rdband/wake;"
	"wait_event+x/313/reader/-/stop\n";

static void test_a_wake_is_read_field_by_field(void **state)
{
	struct ps_watch_ev w;
	struct ps_event ev;

	(void)state;
	assert_int_equal(ps_parse_event(wake_line, &ev), 0);
	assert_string_equal(ev.type, "watch");
	assert_string_equal(ev.object, "311.0");
	assert_int_equal(ev.pid, 311);
	/* the whole line is kept: a watched wake is longer than the others */
	assert_non_null(strstr(ev.line, "wait_event+x/313/reader/-/stop"));
	assert_non_null(strstr(ev.detail, "entries=poll/312/"));

	assert_int_equal(ps_parse_watch_event(wake_line, &w, err, sizeof(err)), 0);
	assert_string_equal(w.op, "wake");
	assert_int_equal(w.head, 0);
	assert_string_equal(w.queue, "pipe->rd_wait");
	assert_string_equal(w.key, "in,rdnorm");
	assert_string_equal(w.ctx, "task");
	assert_int_equal(w.nsite, 3);
	assert_string_equal(w.site[0], "pipe_write");
	assert_string_equal(w.site[2], "ksys_write");
	assert_int_equal(w.waiters, 2);
	assert_false(w.waiters_more);
	assert_int_equal(w.nent, 2);
	assert_string_equal(w.ent[0].kind, "poll");
	assert_false(w.ent[0].exclusive);
	assert_int_equal(w.ent[0].pid, 312);
	assert_string_equal(w.ent[0].comm, "consumer");
	assert_string_equal(w.ent[0].key, "in,pri,err,hup,rdnorm,rdband");
	assert_string_equal(w.ent[0].verdict, "wake");
	assert_string_equal(w.ent[1].kind, "wait_event");
	assert_true(w.ent[1].exclusive);
	assert_string_equal(w.ent[1].key, "-");
	assert_string_equal(w.ent[1].verdict, "stop");
}

static void test_start_end_pollfree_and_an_empty_queue(void **state)
{
	struct ps_watch_ev w;

	(void)state;
	assert_int_equal(ps_parse_watch_event("seq=1 ns=1 type=watch pid=9 comm=pollscope "
					      "object=e op=start heads=1 mask=none",
					      &w, err, sizeof(err)),
			 0);
	assert_string_equal(w.op, "start");
	assert_int_equal(w.heads, 1);
	assert_string_equal(w.key, "none");

	assert_int_equal(ps_parse_watch_event("seq=2 ns=2 type=watch pid=0 comm=kworker "
					      "object=e op=end reason=closed wakes=1000 "
					      "limited=12",
					      &w, err, sizeof(err)),
			 0);
	assert_string_equal(w.reason, "closed");
	assert_true(w.wakes == 1000 && w.limited == 12);

	assert_int_equal(ps_parse_watch_event("seq=3 ns=3 type=watch pid=77 comm=sh object=s "
					      "op=pollfree head=0 queue=sighand->signalfd_wqh "
					      "key=hup,0x4000 ctx=task",
					      &w, err, sizeof(err)),
			 0);
	assert_string_equal(w.op, "pollfree");
	assert_string_equal(w.queue, "sighand->signalfd_wqh");

	/* a timer in interrupt context, nobody on the queue, a capped count */
	assert_int_equal(ps_parse_watch_event("seq=4 ns=4 type=watch pid=0 comm=irq object=t "
					      "op=wake head=0 queue=timerfd_ctx->wqh key=in "
					      "ctx=irq site=timerfd_tmrproc waiters=32+ entries=-",
					      &w, err, sizeof(err)),
			 0);
	assert_string_equal(w.ctx, "irq");
	assert_int_equal(w.nsite, 1);
	assert_int_equal(w.waiters, 32);
	assert_true(w.waiters_more);
	assert_int_equal(w.nent, 0);
}

static void test_malformed_records_are_refused_with_a_reason(void **state)
{
	static const char *const bad[] = {
		"seq=1 type=wake object=a key=in nr=1 visited=1 woken=1 source=wake",
		"seq=1 type=watch object=a",
		"seq=1 type=watch object=a op=fly",
		"seq=1 type=watch object=a op=start heads=x mask=in",
		"seq=1 type=watch object=a op=end",
		"seq=1 type=watch object=a op=wake head=0 queue=q key=in ctx=task waiters=1 "
		"entries=-",
		"seq=1 type=watch object=a op=wake head=99 queue=q key=in ctx=task site=f "
		"waiters=1 entries=-",
		"seq=1 type=watch object=a op=wake head=0 queue=q key=in ctx=task site=f "
		"waiters=1x entries=-",
		"seq=1 type=watch object=a op=wake head=0 queue=q key=in ctx=task site=f "
		"waiters=1 entries=poll/12/c/in",
		"seq=1 type=watch object=a op=wake head=0 queue=q key=in ctx=task site=f "
		"waiters=1 entries=poll/x/c/in/wake",
		"seq=1 type=watch object=a op=wake head=0 queue=q key=in ctx=task site=f "
		"waiters=1 entries=poll/1/c/in/maybe",
		"seq=1 type=watch object=a op=wake head=0 queue=q key=in ctx=task site=f "
		"waiters=7 entries=a/1/c/-/wake;a/1/c/-/wake;a/1/c/-/wake;a/1/c/-/wake;"
		"a/1/c/-/wake;a/1/c/-/wake;a/1/c/-/wake",
	};
	struct ps_watch_ev w;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (ps_parse_watch_event(bad[i], &w, err, sizeof(err)) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(strstr(err, "cannot read watch record: "));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_wake_is_read_field_by_field),
		cmocka_unit_test(test_start_end_pollfree_and_an_empty_queue),
		cmocka_unit_test(test_malformed_records_are_refused_with_a_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
