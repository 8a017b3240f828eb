/* waits and diagram: the module's scan parsed and grouped, and the walk a
 * wake would make, by the kernel's rules (fs/select.c pollwake,
 * fs/eventpoll.c ep_poll_callback, kernel/sched/wait.c __wake_up_common). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagram.h"
#include "parse.h"
#include "waits.h"

static char err[256];

/* A scan as the module wrote it in the VM (pipe, socketpair, epoll). */
static const char scan[] =
	"task=114 pid=114 comm=cat state=S slept_us=9077100\n"
	"task=116 pid=116 comm=pswaits state=S slept_us=8066000\n"
	"task=124 pid=124 comm=pswaits state=S slept_us=8175700\n"
	"fd=1 pid=113 obj=4feb07f815010a3a mode=w type=fifo wqs=0 file=pipe:[1916]\n"
	"wq=0 id=20fb525cf15d52b1 queue=- entries=0\n"
	"fd=0 pid=114 obj=4feb07f815010a3a mode=r type=fifo wqs=1 file=pipe:[1916]\n"
	"wq=1 id=4872e9bb878ca4fe queue=- entries=1\n"
	"head=1 pos=0 func=autoremove_wake_function kind=wait_event pid=114 comm=cat state=S "
	"flags=exclusive key=-\n"
	"fd=3 pid=116 obj=d5ab9c42e2dfa12c mode=rw type=other wqs=2,3 epoll=d5ab9c42e2dfa12c "
	"file=anon_inode:[eventpoll]\n"
	"wq=2 id=7928c5af985a979f queue=poll_wait entries=0\n"
	"wq=3 id=ec6c85f588af7448 queue=wq entries=1\n"
	"head=3 pos=0 func=ep_autoremove_wake_function kind=epoll_waiter pid=116 comm=pswaits "
	"state=S flags=exclusive key=-\n"
	"fd=4 pid=116 obj=180d384e4e6c65d3 mode=rw type=sock wqs=4 peer=cebf26991c8632bd "
	"file=socket:[1921]\n"
	"wq=4 id=23757289fa3ee998 queue=- entries=1\n"
	"head=4 pos=0 func=ep_poll_callback kind=epoll pid=116 comm=pswaits state=S flags=- "
	"key=in,err,hup epoll=d5ab9c42e2dfa12c tfd=4 sleepers=1\n"
	"fd=5 pid=124 obj=cebf26991c8632bd mode=rw type=sock wqs=5 peer=180d384e4e6c65d3 "
	"file=socket:[1922]\n"
	"wq=5 id=b8c6bc8591b430a5 queue=- entries=1\n"
	"head=5 pos=0 func=autoremove_wake_function kind=wait_event pid=124 comm=pswaits "
	"state=S flags=- key=-\n"
	"fd=4 pid=125 obj=180d384e4e6c65d3 mode=rw type=sock wqs=4 peer=cebf26991c8632bd "
	"file=socket:[1921]\n"
	"scan procs=66 threads=66 sleeping=28 files=59 pollable=32 heads=6 entries=4 gone=0 "
	"ns=54553350 lock_ns_max=436650 complete=yes\n";

static void test_a_scan_parses_and_groups_by_head(void **state)
{
	struct ps_waitmap m;
	const struct ps_whead *h;

	(void)state;
	assert_int_equal(ps_waits_parse(scan, &m, err, sizeof(err)), 0);
	assert_int_equal(m.ntasks, 3);
	assert_int_equal(m.nfds, 6);
	assert_int_equal(m.nheads, 6);
	assert_int_equal(m.nentries, 4);
	assert_true(m.complete);
	assert_int_equal(m.pollable, 32);
	/* the pipe's read end: labelled as inspect labels it */
	h = ps_waits_head(&m, 1);
	assert_non_null(h);
	assert_string_equal(h->id, "4872e9bb878ca4fe");
	assert_string_equal(h->label, "read queue (pipe->rd_wait)");
	assert_int_equal(h->n, 1);
	assert_int_equal(m.entries[h->first].pid, 114);
	assert_true(m.entries[h->first].exclusive);
	/* the writer holds the same object; nothing else does */
	assert_int_equal(ps_waits_holds(&m, h, &m.fds[0]), 1);
	assert_int_equal(ps_waits_holds(&m, h, &m.fds[2]), 0);
	/* an epoll file: poll_wait and its own queue of epoll_wait sleepers */
	assert_string_equal(ps_waits_head(&m, 2)->label, "epoll ep->poll_wait (nested epoll)");
	assert_string_equal(ps_waits_head(&m, 3)->label, "epoll ep->wq (threads in epoll_wait)");
	assert_ptr_equal(ps_waits_epoll_wq(&m, "d5ab9c42e2dfa12c"), ps_waits_head(&m, 3));
	assert_null(ps_waits_epoll_wq(&m, "unknown"));
	/* a socket: its own fds (two processes), and the peer's */
	h = ps_waits_head(&m, 4);
	assert_string_equal(h->label, "socket wait queue (sk->sk_wq)");
	assert_int_equal(ps_waits_holds(&m, h, &m.fds[5]), 1);
	assert_int_equal(ps_waits_holds(&m, h, &m.fds[4]), 2);
	assert_int_equal(ps_waits_holds(&m, h, &m.fds[1]), 0);
	ps_waitmap_free(&m);
}

/* Many epoll instances, listed in no order of their ids: each one's
 * epoll_wait queue is found (by the sorted index), an unknown one is not. */
static void test_each_epoll_finds_its_own_wq(void **state)
{
	struct ps_waitmap m;
	size_t cap = 1 << 16, used = 0;
	char *text = malloc(cap), id[17];

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < 50; i++) {
		/* ids descending as the fds go: the scan's order is not the ids' */
		snprintf(id, sizeof(id), "%016x", 0xf000 - i * 7);
		used += (size_t)snprintf(
			text + used, cap - used,
			"fd=%d pid=%d obj=%s mode=rw type=other wqs=%d,%d epoll=%s "
			"file=anon_inode:[eventpoll]\n"
			"wq=%d id=%016x queue=poll_wait entries=0\n"
			"wq=%d id=%016x queue=wq entries=0\n",
			3 + i, 100 + i, id, 2 * i, 2 * i + 1, id, 2 * i, 2 * i, 2 * i + 1,
			2 * i + 1);
	}
	snprintf(text + used, cap - used, "scan procs=50 complete=yes\n");
	assert_int_equal(ps_waits_parse(text, &m, err, sizeof(err)), 0);
	assert_int_equal(m.nepwq, 50);
	for (int i = 0; i < 50; i++) {
		const struct ps_whead *h;

		snprintf(id, sizeof(id), "%016x", 0xf000 - i * 7);
		h = ps_waits_epoll_wq(&m, id);
		assert_non_null(h);
		assert_int_equal(h->seq, 2 * i + 1);
		assert_string_equal(h->queue, "wq");
	}
	assert_null(ps_waits_epoll_wq(&m, "0000000000000001"));
	assert_null(ps_waits_epoll_wq(&m, ""));
	ps_waitmap_free(&m);
	free(text);
}

static void test_a_bad_or_cut_scan_is_refused(void **state)
{
	struct ps_waitmap m;

	(void)state;
	assert_int_equal(ps_waits_parse("fd=1 pid=2 obj=1 wqs=0 file=x\n", &m, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "summary line is missing"));
	assert_int_equal(ps_waits_parse("bogus line\nscan procs=1\n", &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 1: malformed"));
	/* an entry of a head that was not announced */
	assert_int_equal(ps_waits_parse("head=7 pos=0 func=pollwake kind=poll pid=1 comm=a "
					"state=S flags=- key=in\nscan procs=1\n",
					&m, err, sizeof(err)),
			 -1);
}

static struct ps_entry ent(const char *func, int pid, char state, const char *key, bool excl,
			   const char *sleepers)
{
	struct ps_entry e;
	char line[256];

	snprintf(line, sizeof(line),
		 "head=0 pos=0 func=%s kind=x pid=%d comm=t state=%c flags=%s key=%s%s%s", func,
		 pid, state, excl ? "exclusive" : "-", key,
		 sleepers ? " epoll=00ab tfd=3 sleepers=" : "", sleepers ? sleepers : "");
	assert_int_equal(ps_parse_entry(line, &e), 0);
	return e;
}

static void test_the_walk_follows_the_kernels_rules(void **state)
{
	struct ps_entry e[6];
	enum ps_dg_mark m[6];

	(void)state;
	e[0] = ent("autoremove_wake_function", 10, 'S', "-", false, NULL);
	e[1] = ent("pollwake", 11, 'S', "in,err,hup", false, NULL);
	e[2] = ent("pollwake", 12, 'S', "out,err,hup", false, NULL);
	e[3] = ent("ep_poll_callback", 13, 'S', "in,err,hup,0x10000000", true, "1");
	e[4] = ent("ep_poll_callback", 14, 'S', "in,err,hup,0x10000000", true, "1");
	e[5] = ent("autoremove_wake_function", 15, 'R', "-", true, NULL);
	/* key in, nr 1: pollwake filters out, the first exclusive stops the walk */
	assert_int_equal(ps_dg_walk(e, 6, 0x1, 1, m), 3);
	assert_int_equal(m[0], PS_DG_WOKEN);
	assert_int_equal(m[1], PS_DG_WOKEN);
	assert_int_equal(m[2], PS_DG_FILTERED);
	assert_int_equal(m[3], PS_DG_STOP);
	assert_int_equal(m[4], PS_DG_UNVISITED);
	/* nr 0: every exclusive entry; a task not asleep returns 0 */
	assert_int_equal(ps_dg_walk(e, 6, 0x1, 0, m), 6);
	assert_int_equal(m[4], PS_DG_WOKEN);
	assert_int_equal(m[5], PS_DG_NOT_ASLEEP);
	/* in|out at once: an exclusive ep_poll_callback returns 0 (no ewake),
	 * the walk goes on to the task's own entry */
	e[5].state = 'S';
	assert_int_equal(ps_dg_walk(e, 6, 0x5, 1, m), 5);
	assert_int_equal(m[3], PS_DG_NOT_ASLEEP);
	assert_int_equal(m[4], PS_DG_NOT_ASLEEP);
	assert_int_equal(m[5], PS_DG_STOP);
	/* exclusive epoll with nobody in epoll_wait: nothing woken, walk goes on */
	e[3] = ent("ep_poll_callback", 13, 'S', "in,err,hup,0x10000000", true, "0");
	assert_int_equal(ps_dg_walk(e, 5, 0x1, 1, m), 4);
	assert_int_equal(m[3], PS_DG_NOT_ASLEEP);
	/* a delivered oneshot is disarmed */
	e[1] = ent("ep_poll_callback", 11, 'S', "disarmed", false, "1");
	ps_dg_walk(e, 2, 0x1, 1, m);
	assert_int_equal(m[1], PS_DG_FILTERED);
}

static void test_the_layout_draws_folds_and_fits(void **state)
{
	struct ps_entry e[6];
	struct ps_dg_head h = { "4872e9bb878ca4fe", "read queue (pipe->rd_wait)", "pipe:[1]", e,
				6 };
	struct ps_dg_opts o = { 0 };
	struct ps_dg_line *l;
	size_t n, i;
	bool folded = false, tail = false;

	(void)state;
	for (i = 0; i < 5; i++) {
		e[i] = ent("pollwake", 20, 'S', "in", false, NULL);
		e[i].pos = (int)i;
	}
	e[5] = ent("autoremove_wake_function", 21, 'S', "-", true, NULL);
	e[5].pos = 5;
	assert_int_equal(ps_dg_layout(&h, NULL, NULL, &o, &l, &n), 0);
	for (i = 0; i < n; i++) {
		folded |= strstr(l[i].text, "[0-4] 5x pollwake") != NULL;
		tail |= strstr(l[i].text, "└─[5] autoremove_wake_function EXCLUSIVE") != NULL;
	}
	assert_true(folded);
	assert_true(tail);
	assert_non_null(strstr(l[0].text, "┌"));
	free(l);
	/* ASCII, a walk, 80 columns: no byte above 0x7f, no line wider than 80 */
	o.ascii = true;
	o.wake = true;
	o.key = 0x1;
	o.nr = 1;
	o.width = 80;
	assert_int_equal(ps_dg_layout(&h, NULL, NULL, &o, &l, &n), 0);
	for (i = 0; i < n; i++) {
		for (const char *p = l[i].text; *p; p++)
			assert_true((unsigned char)*p < 0x80);
		assert_true(strlen(l[i].text) <= 80);
	}
	free(l);
	/* step 2: the cursor on the second entry, the later ones not visited */
	o.ascii = false;
	o.step = 2;
	assert_int_equal(ps_dg_layout(&h, NULL, NULL, &o, &l, &n), 0);
	for (i = 0; i < n; i++)
		if (l[i].part == PS_DG_ENTRY && l[i].pos == 1)
			assert_true(l[i].current);
		else if (l[i].part == PS_DG_ENTRY && l[i].pos > 1)
			assert_int_equal(l[i].mark, PS_DG_UNVISITED);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_scan_parses_and_groups_by_head),
		cmocka_unit_test(test_each_epoll_finds_its_own_wq),
		cmocka_unit_test(test_a_bad_or_cut_scan_is_refused),
		cmocka_unit_test(test_the_walk_follows_the_kernels_rules),
		cmocka_unit_test(test_the_layout_draws_folds_and_fits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
