/* The pure parsers: tokenizer, masks, key=value records, names, signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objtype.h"
#include "parse.h"

static char err[256];

static void test_tokenizer_splits_words_and_commands(void **state)
{
	struct ps_tokens t;

	(void)state;
	assert_int_equal(ps_tokenize("  create a ;wake a in nr=0;; ", &t, err, sizeof(err)), 0);
	assert_int_equal(t.ncmds, 2);
	assert_int_equal(t.cmd[0].argc, 2);
	assert_string_equal(t.cmd[0].argv[0], "create");
	assert_string_equal(t.cmd[0].argv[1], "a");
	assert_null(t.cmd[0].argv[2]);
	assert_int_equal(t.cmd[1].argc, 4);
	assert_string_equal(t.cmd[1].argv[3], "nr=0");
	ps_tokens_free(&t);
}

static void test_tokenizer_honours_quotes_escapes_and_comments(void **state)
{
	struct ps_tokens t;

	(void)state;
	assert_int_equal(
		ps_tokenize("say 'a; b' \"c \\\"d\\\"\" e\\ f # wake a", &t, err, sizeof(err)), 0);
	assert_int_equal(t.ncmds, 1);
	assert_int_equal(t.cmd[0].argc, 4);
	assert_string_equal(t.cmd[0].argv[1], "a; b");
	assert_string_equal(t.cmd[0].argv[2], "c \"d\"");
	assert_string_equal(t.cmd[0].argv[3], "e f");
	ps_tokens_free(&t);

	assert_int_equal(ps_tokenize("# only a comment", &t, err, sizeof(err)), 0);
	assert_int_equal(t.ncmds, 0);
	ps_tokens_free(&t);
	/* '#' inside a word is not a comment */
	assert_int_equal(ps_tokenize("say a#b", &t, err, sizeof(err)), 0);
	assert_string_equal(t.cmd[0].argv[1], "a#b");
	ps_tokens_free(&t);

	assert_int_equal(ps_tokenize("say 'open", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unterminated quote"));
	assert_int_equal(ps_tokenize("say \"open", &t, err, sizeof(err)), -1);
}

static void test_tokenizer_refuses_too_many_words(void **state)
{
	struct ps_tokens t;
	char line[4096] = "say";

	(void)state;
	for (int i = 0; i < PS_TOK_MAX_WORDS + 1; i++)
		strcat(line, " w");
	assert_int_equal(ps_tokenize(line, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too many words"));
}

static void test_masks_parse_from_names_numbers_and_none(void **state)
{
	uint32_t m;

	(void)state;
	assert_int_equal(ps_mask_parse("in", &m, err, sizeof(err)), 0);
	assert_int_equal(m, 0x1);
	assert_int_equal(ps_mask_parse("in,out|pri", &m, err, sizeof(err)), 0);
	assert_int_equal(m, 0x7);
	assert_int_equal(ps_mask_parse("IN,rdnorm", &m, err, sizeof(err)), 0);
	assert_int_equal(m, 0x41);
	assert_int_equal(ps_mask_parse("EPOLLIN|POLLOUT", &m, err, sizeof(err)), 0);
	assert_int_equal(m, 0x5);
	assert_int_equal(ps_mask_parse("rdhup", &m, err, sizeof(err)), 0);
	assert_int_equal(m, 0x2000);
	assert_int_equal(ps_mask_parse("0x18", &m, err, sizeof(err)), 0);
	assert_int_equal(m, 0x18);
	assert_int_equal(ps_mask_parse("65", &m, err, sizeof(err)), 0);
	assert_int_equal(m, 65);
	assert_int_equal(ps_mask_parse("none", &m, err, sizeof(err)), 0);
	assert_int_equal(m, 0);
	assert_int_equal(ps_mask_parse("0", &m, err, sizeof(err)), 0);
	assert_int_equal(m, 0);

	assert_int_equal(ps_mask_parse("in,bogus", &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown event 'bogus'"));
	assert_int_equal(ps_mask_parse("in,", &m, err, sizeof(err)), -1);
	assert_int_equal(ps_mask_parse(",in", &m, err, sizeof(err)), -1);
	assert_int_equal(ps_mask_parse("", &m, err, sizeof(err)), -1);
	assert_int_equal(ps_mask_parse("0xZZ", &m, err, sizeof(err)), -1);
	assert_int_equal(ps_mask_parse("99999999999", &m, err, sizeof(err)), -1);
}

static void test_masks_format_in_canonical_order(void **state)
{
	char b[PS_MASK_TEXT];
	uint32_t m;

	(void)state;
	assert_string_equal(ps_mask_format(0, b, sizeof(b)), "none");
	assert_string_equal(ps_mask_format(0x1, b, sizeof(b)), "in");
	/* canonical order: in out pri err hup rdnorm ... */
	assert_string_equal(ps_mask_format(0x2 | 0x4 | 0x1, b, sizeof(b)), "in,out,pri");
	assert_string_equal(ps_mask_format(0x41 | 0x18, b, sizeof(b)), "in,err,hup,rdnorm");
	assert_string_equal(ps_mask_format(0x1 | 0x10000, b, sizeof(b)), "in,0x10000");
	assert_string_equal(ps_mask_format(0x30000, b, sizeof(b)), "0x30000");
	/* round trip of every known bit */
	for (int i = 0; i < PS_NMASK; i++) {
		ps_mask_format(ps_mask_names[i].value, b, sizeof(b));
		assert_string_equal(b, ps_mask_names[i].name);
		assert_int_equal(ps_mask_parse(b, &m, err, sizeof(err)), 0);
		assert_int_equal(m, ps_mask_names[i].value);
	}
	ps_mask_format(0x3fff, b, sizeof(b));
	assert_int_equal(ps_mask_parse(b, &m, err, sizeof(err)), 0);
	assert_int_equal(m, 0x3fff);
}

/* Bits the module prints in hex in keys get names: select's POLLNVAL and the
 * epoll flags ep_item_poll passes as the key; names parse back. */
static void test_keys_and_flags_are_named(void **state)
{
	struct ps_entry e;
	uint32_t m;
	char why[128], buf[PS_MASK_TEXT];

	(void)state;
	assert_int_equal(ps_parse_entry("object=a pos=0 func=ep_poll_callback kind=epoll pid=9 "
					"comm=w state=S flags=exclusive key=in,err,hup,0x10000000",
					&e),
			 0);
	assert_string_equal(e.key, "in,err,hup,exclusive");
	assert_int_equal(e.key_mask, 0x19u | (1u << 28));
	assert_int_equal(ps_parse_entry("object=a pos=1 func=pollwake kind=poll pid=9 comm=w "
					"state=S flags=- key=in,pri,err,hup,rdnorm,rdband,0x20",
					&e),
			 0);
	assert_string_equal(e.key, "in,pri,err,hup,rdnorm,rdband,nval");
	assert_string_equal(ps_mask_format(0xc0000001u, buf, sizeof(buf)), "in,oneshot,et");
	assert_int_equal(ps_mask_parse("in,et,wakeup", &m, why, sizeof(why)), 0);
	assert_int_equal(m, 0x1u | (1u << 31) | (1u << 29));
	/* bits with no name stay hex */
	assert_string_equal(ps_mask_format(0x1u | 0x8000u, buf, sizeof(buf)), "in,0x8000");
}

static void test_key_value_records_split_and_look_up(void **state)
{
	char line[] = "a=1  b=x,y c= \n";
	char bad[] = "a=1 junk";
	struct ps_kv kv;

	(void)state;
	assert_int_equal(ps_kv_split(line, &kv), 3);
	assert_string_equal(ps_kv_get(&kv, "a"), "1");
	assert_string_equal(ps_kv_get(&kv, "b"), "x,y");
	assert_string_equal(ps_kv_get(&kv, "c"), "");
	assert_null(ps_kv_get(&kv, "d"));
	assert_int_equal(ps_kv_split(bad, &kv), -1);
	{
		/* the value keeps its '='; a word with no key, a tab, a key
		 * asked for by a prefix or a key sharing the first letter */
		char eqs[] = "k=v=w\tkey=1 kk=2\r\n";
		char nokey[] = "a=1 =2";

		assert_int_equal(ps_kv_split(eqs, &kv), 3);
		assert_string_equal(ps_kv_get(&kv, "k"), "v=w");
		assert_string_equal(ps_kv_get(&kv, "key"), "1");
		assert_string_equal(ps_kv_get(&kv, "kk"), "2");
		assert_null(ps_kv_get(&kv, "ke"));
		assert_null(ps_kv_get(&kv, ""));
		assert_int_equal(ps_kv_split(nokey, &kv), -1);
	}
}

/* Entries' keys are parsed once per distinct text and kept: each entry still
 * gets its own key's mask and names, however keys repeat, alternate or are
 * pushed out of what is kept, and a key that does not parse gets no mask. */
static void test_each_entry_gets_its_own_key(void **state)
{
	static const char *const keys[] = {
		"in,err,hup", "out,0x20", "in,err,hup", "zz,in", "pri",	     "rdnorm",
		"out,0x20",   "wrband",	  "in,err,hup", "zz,in", "out,0x20",
	};
	char line[256], why[64], named[PS_MASK_TEXT];
	struct ps_entry e;

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint32_t m = 0;
		int ok = ps_mask_parse(keys[i], &m, why, sizeof(why));

		snprintf(line, sizeof(line),
			 "head=1 pos=%zu func=pollwake kind=poll pid=9 comm=w state=S flags=- "
			 "key=%s",
			 i, keys[i]);
		assert_int_equal(ps_parse_entry(line, &e), 0);
		assert_int_equal(e.pos, (int)i);
		if (ok < 0) {
			assert_int_equal(e.key_mask, 0);
			assert_string_equal(e.key, keys[i]);
			continue;
		}
		assert_int_equal(e.key_mask, m);
		if (strstr(keys[i], "0x"))
			assert_string_equal(e.key, ps_mask_format(m, named, sizeof(named)));
		else
			assert_string_equal(e.key, keys[i]);
	}
	assert_string_equal(ps_mask_format(0x4 | 0x20, named, sizeof(named)), "out,nval");
}

static char *slurp(const char *name)
{
	char path[1024];
	FILE *f;
	char *buf = calloc(1, 65536);

	snprintf(path, sizeof(path), "%s/%s", PS_TEST_DATA, name);
	f = fopen(path, "r");
	assert_non_null(f);
	buf[fread(buf, 1, 65535, f)] = '\0';
	fclose(f);
	return buf;
}

static void test_queue_entries_parse_from_a_recorded_file(void **state)
{
	char *text = slurp("basic/queues"), *save = NULL, *line;
	struct ps_entry e[8];
	int n = 0;

	(void)state;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		assert_int_equal(ps_parse_entry(line, &e[n++]), 0);
	free(text);
	assert_int_equal(n, 4);
	assert_string_equal(e[0].object, "a");
	assert_int_equal(e[0].pos, 0);
	assert_string_equal(e[0].func, "pollwake");
	assert_string_equal(e[0].kind, "poll");
	assert_int_equal(e[0].pid, 93);
	assert_string_equal(e[0].comm, "waiter");
	assert_int_equal(e[0].state, 'S');
	assert_false(e[0].exclusive);
	assert_true(e[0].has_key);
	assert_int_equal(e[0].key_mask, 0x41);
	assert_int_equal(e[0].head, -1);

	assert_string_equal(e[1].kind, "epoll");
	assert_true(e[1].exclusive);
	assert_int_equal(e[1].key_mask, 0x19);

	assert_string_equal(e[2].kind, "wait_event");
	assert_false(e[2].has_key);

	assert_string_equal(e[3].object, "b");
	assert_int_equal(e[3].pid, 0);
	assert_int_equal(e[3].state, '-');
	assert_string_equal(e[3].flags, "woken,0x40");
	assert_false(e[3].exclusive);

	assert_int_equal(ps_parse_entry("object=a pos=x func=f", &e[0]), -1);
	assert_int_equal(ps_parse_entry("pos=0 func=f", &e[0]), -1);
	assert_int_equal(ps_parse_entry("object=a pos=0", &e[0]), -1);
	assert_int_equal(ps_parse_entry("garbage", &e[0]), -1);
}

static void test_inspect_results_parse_from_a_recorded_file(void **state)
{
	char *text = slurp("inspect.txt"), *save = NULL, *line;
	struct ps_inspect_head h;
	struct ps_entry e;
	int entries = 0;

	(void)state;
	line = strtok_r(text, "\n", &save);
	assert_int_equal(ps_parse_inspect_header(line, &h), 0);
	assert_int_equal(h.fd, 5);
	assert_string_equal(h.file, "pipe:[1234]");
	assert_string_equal(h.mask, "out,wrnorm");
	assert_int_equal(h.heads, 2);
	assert_true(h.poll);
	for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "pos=")) {
			assert_int_equal(ps_parse_entry(line, &e), 0);
			assert_int_equal(e.head, 0);
			assert_string_equal(e.object, "");
			assert_string_equal(e.kind, "poll");
			entries++;
		}
	}
	assert_int_equal(entries, 1);
	free(text);
}

/* Every line of a capped queue's recording is read: entries, truncation
 * records, head lines; anything else is an error, with the line quoted. */
static void test_every_queue_line_kind_is_read_or_refused(void **state)
{
	char *text = slurp("capped/queues"), *save = NULL, *line;
	struct ps_qline q;
	char why[300];
	int entries = 0, truncs = 0;

	(void)state;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		assert_int_equal(ps_parse_queue_line(line, &q, why, sizeof(why)), 0);
		if (q.kind == PS_QL_ENTRY) {
			entries++;
			continue;
		}
		assert_int_equal(q.kind, PS_QL_TRUNCATED);
		truncs++;
		if (!strcmp(q.object, "a")) {
			assert_int_equal(q.truncated, 4);
			assert_false(q.truncated_more);
		} else {
			assert_string_equal(q.object, "b");
			assert_int_equal(q.truncated, 8);
			assert_true(q.truncated_more);
		}
	}
	free(text);
	assert_int_equal(entries, 18);
	assert_int_equal(truncs, 2);
	assert_int_equal(ps_parse_queue_line("head=0 entries=8 truncated=8+", &q, why, sizeof(why)),
			 0);
	assert_int_equal(q.kind, PS_QL_HEAD);
	assert_int_equal(q.head, 0);
	assert_int_equal(q.entries, 8);
	assert_int_equal(q.truncated, 8);
	assert_true(q.truncated_more);
	assert_int_equal(ps_parse_queue_line("head=1 entries=3", &q, why, sizeof(why)), 0);
	assert_int_equal(q.truncated, 0);
	assert_int_equal(q.entries, 3);
	/* an epoll instance's records (module-epoll.sh recorded them) */
	assert_int_equal(
		ps_parse_queue_line("head=0 pos=0 func=ep_poll_callback kind=epoll pid=111 "
				    "comm=psepoll state=S flags=- key=disarmed "
				    "epoll=562718db13fe15bb tfd=6 sleepers=1",
				    &q, why, sizeof(why)),
		0);
	assert_int_equal(q.kind, PS_QL_ENTRY);
	assert_string_equal(q.e.key, "disarmed");
	assert_string_equal(q.e.epoll, "562718db13fe15bb");
	assert_int_equal(q.e.tfd, 6);
	assert_string_equal(q.e.sleepers, "1");
	assert_int_equal(ps_parse_queue_line("head=1 entries=1 queue=wq", &q, why, sizeof(why)), 0);
	assert_int_equal(q.kind, PS_QL_HEAD);
	assert_string_equal(q.queue, "wq");
	assert_int_equal(ps_parse_queue_line("watch=2 tfd=6 ino=10796 sdev=0:13 events=0x40000000 "
					     "ready=no",
					     &q, why, sizeof(why)),
			 0);
	assert_int_equal(q.kind, PS_QL_WATCH);
	assert_int_equal(q.tfd, 6);
	assert_int_equal(q.ino, 10796);
	assert_string_equal(q.sdev, "0:13");
	assert_string_equal(q.events, "0x40000000");
	assert_false(q.ready);
	assert_string_equal(q.fid, ""); /* an older module: no identity */
	/* the watched file's identity, as on the fd's inspect header */
	assert_int_equal(ps_parse_queue_line("watch=0 tfd=5 ino=77 sdev=0:13 fid=5a3c9e0d12ab34ef "
					     "events=in ready=yes",
					     &q, why, sizeof(why)),
			 0);
	assert_int_equal(q.kind, PS_QL_WATCH);
	assert_string_equal(q.fid, "5a3c9e0d12ab34ef");
	assert_true(q.ready);
	assert_int_equal(ps_parse_queue_line("watched=3 truncated=2+", &q, why, sizeof(why)), 0);
	assert_int_equal(q.kind, PS_QL_WATCHED);
	assert_int_equal(q.entries, 3);
	assert_int_equal(q.truncated, 2);
	assert_true(q.truncated_more);
	{
		struct ps_inspect_head h;

		assert_int_equal(
			ps_parse_inspect_header("fd=11 file=anon_inode:[eventpoll] mask=none "
						"heads=2 poll=yes epoll=562718db13fe15bb",
						&h),
			0);
		assert_string_equal(h.epoll, "562718db13fe15bb");
		assert_string_equal(h.reason, "");
		assert_string_equal(h.fid, "");
		assert_int_equal(ps_parse_inspect_header("fd=4 file=pipe:[9] mask=none heads=1 "
							 "poll=yes fid=00ab34ef5a3c9e0d",
							 &h),
				 0);
		assert_string_equal(h.fid, "00ab34ef5a3c9e0d");
		assert_int_equal(
			ps_parse_inspect_header("fd=6 file=anon_inode:[signalfd] mask=unknown "
						"heads=0 poll=yes "
						"reason=signalfd-needs-owner-context",
						&h),
			0);
		assert_string_equal(h.mask, "unknown");
		assert_string_equal(h.reason, "signalfd-needs-owner-context");
	}
	/* unreadable: each is an error that quotes the line */
	static const char *const bad[] = {
		"garbage",
		"object=a",
		"object=a truncated=",
		"object=a truncated=x",
		"object=a truncated=4-",
		"object=a truncated=-1",
		"head=0",
		"head=0 entries=x",
		"head=0 entries=1 truncated=+",
		"object=a pos=x func=f",
		"object=a pos=0",
		"fd=3 mask=none",
		"object=a truncated=4 extra",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (ps_parse_queue_line(bad[i], &q, why, sizeof(why)) != -1) {
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
			fail();
		}
		assert_non_null(strstr(why, "cannot read line '"));
		assert_non_null(strstr(why, bad[i]));
	}
}

static void test_events_parse_from_a_recorded_file(void **state)
{
	char *text = slurp("basic/events"), *save = NULL, *line;
	struct ps_event ev[16];
	int n = 0;

	(void)state;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		assert_int_equal(ps_parse_event(line, &ev[n++]), 0);
	free(text);
	assert_int_equal(n, 8);
	assert_int_equal(ev[0].seq, 1);
	assert_int_equal(ev[0].ns, 1000000);
	assert_string_equal(ev[0].type, "create");
	assert_string_equal(ev[0].object, "a");
	assert_string_equal(ev[0].detail, "");
	assert_string_equal(ev[3].type, "poll");
	assert_int_equal(ev[3].pid, 93);
	assert_string_equal(ev[3].detail, "mask=none queued=1 qproc=pollwake");
	assert_string_equal(ev[5].detail, "key=in nr=1 visited=3 woken=1 source=wake");
	assert_string_equal(ev[5].line,
			    "seq=6 ns=4000000 type=wake pid=90 comm=pollscope object=a key=in nr=1 "
			    "visited=3 woken=1 source=wake");
	/* lost records have no ns/pid */
	assert_int_equal(ps_parse_event("seq=9 type=lost count=12", &ev[0]), 0);
	assert_string_equal(ev[0].type, "lost");
	assert_string_equal(ev[0].detail, "count=12");
	assert_int_equal(ps_parse_event("type=create", &ev[0]), -1);
	assert_int_equal(ps_parse_event("seq=1 ns=1", &ev[0]), -1);
}

static void test_stats_and_version_parse_from_recorded_files(void **state)
{
	char *text = slurp("basic/stats"), *save = NULL, *line;
	struct ps_object o;
	struct ps_version v;

	(void)state;
	line = strtok_r(text, "\n", &save);
	assert_int_equal(ps_parse_object_stats(line, &o), -1); /* the global line */
	line = strtok_r(NULL, "\n", &save);
	assert_int_equal(ps_parse_object_stats(line, &o), 0);
	assert_string_equal(o.name, "a");
	assert_int_equal(o.polls, 7);
	assert_int_equal(o.added, 6);
	assert_int_equal(o.removed, 3);
	assert_int_equal(o.waiting, 3);
	assert_int_equal(o.wakes, 3);
	assert_int_equal(o.woken, 2);
	assert_int_equal(o.ready_mask, 0x1);
	assert_int_equal(o.open, 3);
	free(text);

	text = slurp("basic/version");
	assert_int_equal(ps_parse_version(text, &v), 0);
	assert_int_equal(v.interface, 1);
	assert_string_equal(v.release, "6.1.0-56-amd64");
	assert_int_equal(v.max_objects, 256);
	assert_int_equal(v.events_size, 4096);
	assert_int_equal(v.nflags, 6);
	assert_string_equal(v.flags[0].name, "exclusive");
	assert_int_equal(v.flags[0].value, 1);
	assert_string_equal(v.flags[5].name, "priority");
	assert_int_equal(v.flags[5].value, 0x20);
	assert_int_equal(v.nevents, 11);
	/* the module's event values agree with ours */
	for (int i = 0; i < v.nevents; i++) {
		bool found = false;
		for (int k = 0; k < PS_NMASK; k++)
			if (!strcmp(ps_mask_names[k].name, v.events[i].name)) {
				assert_int_equal(ps_mask_names[k].value, v.events[i].value);
				found = true;
			}
		assert_true(found);
	}
	free(text);
	assert_int_equal(ps_parse_version("release=x\n", &v), -1);
}

static void test_names_numbers_and_signals_are_checked(void **state)
{
	int n;
	char b[32];

	(void)state;
	assert_int_equal(ps_name_check("a", err, sizeof(err)), 0);
	assert_int_equal(ps_name_check("A-z_0.9", err, sizeof(err)), 0);
	assert_int_equal(ps_name_check("abcdefghijklmnopqrstuvwxyz01234", err, sizeof(err)), 0);
	assert_int_equal(ps_name_check("abcdefghijklmnopqrstuvwxyz012345", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(ps_name_check("", err, sizeof(err)), -1);
	assert_int_equal(ps_name_check(".", err, sizeof(err)), -1);
	assert_int_equal(ps_name_check("..", err, sizeof(err)), -1);
	assert_int_equal(ps_name_check("a/b", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'/' is not allowed"));

	assert_int_equal(ps_parse_uint("0", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ps_parse_uint("2000", &n), 0);
	assert_int_equal(n, 2000);
	assert_int_equal(ps_parse_uint("-1", &n), -1);
	assert_int_equal(ps_parse_uint("12x", &n), -1);
	assert_int_equal(ps_parse_uint("", &n), -1);
	assert_int_equal(ps_parse_uint("99999999999", &n), -1);

	assert_int_equal(ps_signal_parse("USR1"), SIGUSR1);
	assert_int_equal(ps_signal_parse("sigusr2"), SIGUSR2);
	assert_int_equal(ps_signal_parse("term"), SIGTERM);
	assert_int_equal(ps_signal_parse("9"), 9);
	assert_int_equal(ps_signal_parse("BOGUS"), -1);
	assert_int_equal(ps_signal_parse("0"), -1);
	assert_int_equal(ps_signal_parse("99"), -1);
	assert_string_equal(ps_signal_name(SIGINT), "INT");

	assert_string_equal(ps_errno_name(4 /* EINTR */, b, sizeof(b)), "EINTR");
	assert_string_equal(ps_errno_name(4095, b, sizeof(b)), "errno4095");

	assert_int_equal(ps_edit_distance("wake", "wake"), 0);
	assert_int_equal(ps_edit_distance("wkae", "wake"), 2);
	assert_int_equal(ps_edit_distance("spwan", "spawn"), 2);
	assert_int_equal(ps_edit_distance("sho", "show"), 1);
	assert_int_equal(ps_edit_distance("", "abc"), 3);

	assert_string_equal(ps_opt_value("nr=3", "nr"), "3");
	assert_null(ps_opt_value("nrx=3", "nr"));
	assert_null(ps_opt_value("nr", "nr"));
}

static void test_object_types_are_found_by_name_and_choose_the_end_to_wait_on(void **state)
{
	(void)state;
	assert_ptr_equal(ps_objtype_find("eventfd"), &ps_obj_eventfd);
	assert_ptr_equal(ps_objtype_find("socketpair"), &ps_obj_socketpair);
	assert_ptr_equal(ps_objtype_find("module"), &ps_obj_module);
	assert_null(ps_objtype_find("Pipe"));
	assert_null(ps_objtype_find("fifo"));
	assert_null(ps_objtype_find(""));
	assert_string_equal(ps_obj_timerfd.name, "timerfd");
	assert_string_equal(ps_obj_pipe.name, "pipe");
	assert_int_equal(ps_obj_pipe.nends, 2);
	assert_int_equal(ps_obj_socketpair.nends, 2);
	assert_int_equal(ps_obj_eventfd.nends, 1);
	/* pipe: readers on the read end (0), output-only waiters on the write end (1) */
	assert_int_equal(ps_obj_pipe.wait_end(0x1, false), 0);
	assert_int_equal(ps_obj_pipe.wait_end(0x4, false), 1);
	assert_int_equal(ps_obj_pipe.wait_end(0x100, false), 1);     /* wrnorm */
	assert_int_equal(ps_obj_pipe.wait_end(0x4 | 0x8, false), 1); /* out,err */
	assert_int_equal(ps_obj_pipe.wait_end(0x1 | 0x4, false), 0); /* in,out */
	assert_int_equal(ps_obj_pipe.wait_end(0x4, true), 0);	     /* a read */
	/* socketpair: b (1) receives what write sends from a (0) */
	assert_int_equal(ps_obj_socketpair.wait_end(0x1, false), 1);
	assert_int_equal(ps_obj_socketpair.wait_end(0x4, false), 0);
	assert_int_equal(ps_obj_socketpair.wait_end(0x4, true), 1);
	assert_int_equal(ps_obj_eventfd.wait_end(0x4, false), 0);
}

/* A type is its file and its line in the table: every one answers each
 * operation the commands and the waiters use. */
static void test_every_object_type_has_its_ops(void **state)
{
	size_t n;
	const struct ps_objtype_ops *const *t = ps_objtype_table(&n);

	(void)state;
	assert_int_equal(n, 5);
	assert_ptr_equal(t[0], &ps_obj_module);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(ps_objtype_find(t[i]->name), t[i]);
		assert_non_null(strstr(ps_objtype_names(), t[i]->name));
		assert_true(t[i]->nends == 1 || t[i]->nends == 2);
		assert_non_null(t[i]->wait_end);
		assert_non_null(t[i]->read_nb);
		assert_non_null(t[i]->write);
		assert_non_null(t[i]->read);
		assert_non_null(t[i]->child_read);
		assert_non_null(t[i]->read_unit);
		assert_non_null(t[i]->eof_text);
		if (!t[i]->held)
			continue;
		assert_non_null(t[i]->create);
		assert_non_null(t[i]->count);
		assert_non_null(t[i]->count_name);
		for (int e = 0; e < t[i]->nends; e++)
			assert_non_null(t[i]->end_label[e]);
	}
	assert_string_equal(ps_objtype_names(), "module eventfd pipe timerfd socketpair");
}

static void test_proc_files_of_a_blocked_process_parse(void **state)
{
	struct ps_syscall sc;
	unsigned long long v;
	int fds[8];
	uint32_t ev[8];
	char *text;

	(void)state;
	/* /proc/PID/syscall, recorded: clock_nanosleep and read */
	assert_int_equal(ps_parse_syscall("230 0x0 0x0 0x7ffec7b29b90 0x7ffec7b29bd0 0x0 0x0 "
					  "0x7ffec7b29b78 0x7f875717a503\n",
					  &sc),
			 0);
	assert_true(sc.in_syscall);
	assert_false(sc.running);
	assert_int_equal(sc.nr, 230);
	assert_true(sc.args[2] == 0x7ffec7b29b90ull);
	assert_string_equal(ps_syscall_name(sc.nr), "clock_nanosleep");
	assert_int_equal(
		ps_parse_syscall("7 0x55d0c0a0 0x2 0xffffffff 0x0 0x0 0x0 0x7ffd 0x7f", &sc), 0);
	assert_string_equal(ps_syscall_name(sc.nr), "poll");
	assert_int_equal(sc.args[1], 2);
	assert_int_equal((int)sc.args[2], -1);
	assert_int_equal(ps_parse_syscall("running\n", &sc), 0);
	assert_true(sc.running);
	assert_false(sc.in_syscall);
	assert_int_equal(ps_parse_syscall("-1 0x7ffd2c427bd8 0x7f75145012ad\n", &sc), 0);
	assert_false(sc.in_syscall);
	assert_int_equal(ps_parse_syscall("7 0x1 0x2", &sc), -1); /* truncated */
	assert_int_equal(ps_parse_syscall("x 0x1", &sc), -1);
	assert_int_equal(ps_parse_syscall("", &sc), -1);
	assert_string_equal(ps_syscall_name(232), "epoll_wait");
	assert_string_equal(ps_syscall_name(23), "select");
	assert_string_equal(ps_syscall_name(270), "pselect6");
	assert_string_equal(ps_syscall_name(271), "ppoll");
	/* calls that sleep on a wait queue, numbers from asm/unistd_64.h */
	assert_string_equal(ps_syscall_name(1), "write");
	assert_string_equal(ps_syscall_name(20), "writev");
	assert_string_equal(ps_syscall_name(44), "sendto");
	assert_string_equal(ps_syscall_name(42), "connect");
	assert_string_equal(ps_syscall_name(73), "flock");
	assert_string_equal(ps_syscall_name(70), "msgrcv");
	assert_string_equal(ps_syscall_name(220), "semtimedop");
	assert_string_equal(ps_syscall_name(257), "openat");
	assert_string_equal(ps_syscall_name(275), "splice");
	assert_string_equal(ps_syscall_name(307), "sendmmsg");
	assert_string_equal(ps_syscall_name(441), "epoll_pwait2");
	assert_null(ps_syscall_name(39)); /* getpid never sleeps */
	assert_null(ps_syscall_name(-1));

	/* fdinfo of an eventfd (count in hex) and of an epoll instance, recorded */
	text = slurp("proc/fdinfo-eventfd");
	assert_int_equal(ps_fdinfo_get(text, "eventfd-count", 16, &v), 0);
	assert_true(v == 7);
	assert_int_equal(ps_fdinfo_get(text, "flags", 8, &v), 0);
	assert_true((v & 3) == 2); /* O_RDWR */
	assert_int_equal(ps_fdinfo_get(text, "ticks", 10, &v), -1);
	assert_int_equal(ps_fdinfo_get(text, "eventfd", 10, &v), -1); /* whole keys only */
	free(text);
	text = slurp("proc/fdinfo-epoll");
	assert_int_equal(ps_parse_epoll_fdinfo(text, fds, ev, 8), 2);
	assert_int_equal(fds[0], 5);
	assert_int_equal(ev[0], 0x19);
	assert_int_equal(fds[1], 3);
	assert_true(ev[1] == 0x8000001du);
	assert_int_equal(ps_parse_epoll_fdinfo(text, fds, ev, 1), 1);
	free(text);
	text = slurp("proc/fdinfo-pipe-write");
	assert_int_equal(ps_parse_epoll_fdinfo(text, fds, ev, 8), 0);
	assert_int_equal(ps_fdinfo_get(text, "flags", 8, &v), 0);
	assert_true((v & 3) == 1); /* O_WRONLY */
	free(text);

	assert_string_equal(ps_fd_kind("pipe:[1234]"), "pipe");
	assert_string_equal(ps_fd_kind("socket:[99]"), "socket");
	assert_string_equal(ps_fd_kind("anon_inode:[eventfd]"), "eventfd");
	assert_string_equal(ps_fd_kind("anon_inode:[timerfd]"), "timerfd");
	assert_string_equal(ps_fd_kind("anon_inode:[eventpoll]"), "eventpoll");
	assert_string_equal(ps_fd_kind("anon_inode:[io_uring]"), "anon");
	assert_string_equal(ps_fd_kind("/dev/pts/3"), "tty");
	assert_string_equal(ps_fd_kind("/dev/null"), "dev");
	assert_string_equal(ps_fd_kind("/etc/passwd"), "file");
	assert_string_equal(ps_fd_kind("net:[4026531840]"), "other");
}

/* inspect marks what an epoll watches from its fdinfo: every registration
 * (not the first 256), with the inode that tells a reused fd number */
static void test_an_epoll_fdinfo_of_any_length_parses_with_inodes(void **state)
{
	size_t cap = 70000 * 80 + 64, o = 0;
	char *text = malloc(cap);
	struct ps_fdinfo_tfd *v = NULL;

	(void)state;
	assert_non_null(text);
	o += (size_t)snprintf(text, cap, "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1057\n");
	for (int i = 0; i < 70000; i++)
		o += (size_t)snprintf(text + o, cap - o,
				      "tfd: %8d events: %8x data: %16llx  pos:0 ino:%lx sdev:d\n",
				      i + 3, i % 2 ? 0x19u : 0x4u, 0ull,
				      0x2a0ul + (unsigned long)i);
	assert_int_equal(ps_parse_epoll_fdinfo_all(text, &v), 70000);
	assert_int_equal(v[0].tfd, 3);
	assert_int_equal(v[0].events, 0x4);
	assert_int_equal(v[0].ino, 0x2a0);
	assert_int_equal(v[69999].tfd, 70002);
	assert_int_equal(v[69999].events, 0x19);
	assert_int_equal(v[69999].ino, 0x2a0 + 69999);
	free(v);
	assert_int_equal(ps_parse_epoll_fdinfo_all("pos:\t0\n", &v), 0);
	assert_null(v);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokenizer_splits_words_and_commands),
		cmocka_unit_test(test_tokenizer_honours_quotes_escapes_and_comments),
		cmocka_unit_test(test_tokenizer_refuses_too_many_words),
		cmocka_unit_test(test_masks_parse_from_names_numbers_and_none),
		cmocka_unit_test(test_masks_format_in_canonical_order),
		cmocka_unit_test(test_keys_and_flags_are_named),
		cmocka_unit_test(test_key_value_records_split_and_look_up),
		cmocka_unit_test(test_each_entry_gets_its_own_key),
		cmocka_unit_test(test_queue_entries_parse_from_a_recorded_file),
		cmocka_unit_test(test_inspect_results_parse_from_a_recorded_file),
		cmocka_unit_test(test_every_queue_line_kind_is_read_or_refused),
		cmocka_unit_test(test_events_parse_from_a_recorded_file),
		cmocka_unit_test(test_stats_and_version_parse_from_recorded_files),
		cmocka_unit_test(test_names_numbers_and_signals_are_checked),
		cmocka_unit_test(test_object_types_are_found_by_name_and_choose_the_end_to_wait_on),
		cmocka_unit_test(test_every_object_type_has_its_ops),
		cmocka_unit_test(test_proc_files_of_a_blocked_process_parse),
		cmocka_unit_test(test_an_epoll_fdinfo_of_any_length_parses_with_inodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
