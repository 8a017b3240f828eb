/*
 * Pure, host-testable parsing and formatting: the tokenizer, masks, the
 * key=value records of the debugfs files, names, numbers, signals.
 * No I/O, no global state.
 */
#ifndef POLLSCOPE_PARSE_H
#define POLLSCOPE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pollscope.h"

/* ---- tokenizer ----
 * Splits one line into commands and words. Whitespace separates words;
 * ';' (outside quotes) ends a command; '#' at the start of a word starts a
 * comment to the end of the line; '...' and "..." quote; backslash escapes
 * the next character (outside single quotes). */
#define PS_TOK_MAX_WORDS 64
struct ps_tokens {
	int ncmds;
	struct {
		int argc;
		char *argv[PS_TOK_MAX_WORDS + 1];
	} cmd[32];
	char *buf; /* owns the word storage */
};
/* Returns 0, or -1 with a message ("unterminated quote", "too many words"). */
int ps_tokenize(const char *line, struct ps_tokens *t, char *err, size_t errlen);
void ps_tokens_free(struct ps_tokens *t);

/* ---- masks (pollscope(4) "MASK syntax"; names in pollscope_uapi.h) ---- */
#define PS_MASK_ONE(name, sfx, val) +1
#define PS_NMASK (0 PS_UAPI_MASK_NAMES(PS_MASK_ONE))
extern const struct ps_mask_name {
	const char *name;
	uint32_t value;
} ps_mask_names[PS_NMASK];
/* Names joined by ',' or '|', a number (decimal or 0x hex), `none` or `0`.
 * Returns 0, or -1 with "bad mask 'x': unknown event 'foo'". */
int ps_mask_parse(const char *s, uint32_t *out, char *err, size_t errlen);
/* Names joined by ',' in the canonical order, `none` for 0, unknown bits as
 * one hex number at the end. Returns buf. */
char *ps_mask_format(uint32_t mask, char *buf, size_t len);

/* ---- key=value records ---- */
/* src (none when NULL) into dst, cut to len - 1 bytes: snprintf("%s") at a
 * fraction of its cost (a waits scan copies 100,000 fields). */
void ps_copy_or(char *dst, size_t len, const char *src, const char *none);
#define PS_KV_MAX 32
struct ps_kv {
	int n;
	struct {
		char *key;
		char *val;
	} f[PS_KV_MAX];
};
/* Splits `line` in place (it is modified). Returns the number of fields, or
 * -1 if a word has no '=' or there are too many fields. */
int ps_kv_split(char *line, struct ps_kv *kv);
const char *ps_kv_get(const struct ps_kv *kv, const char *key);

/* Typed records. Each takes one line (without or with '\n'), returns 0 or -1
 * for a malformed line. */
int ps_parse_entry(const char *line, struct ps_entry *e);

/* One line of `queues` or of an inspect result after its header: an entry,
 * an object's truncation record (`object=a truncated=12`, `truncated=8+`:
 * at least 8) or a head line (`head=0 entries=8 [truncated=4]`). */
enum ps_qline_kind { PS_QL_ENTRY, PS_QL_TRUNCATED, PS_QL_HEAD, PS_QL_WATCH, PS_QL_WATCHED };
struct ps_qline {
	enum ps_qline_kind kind;
	struct ps_entry e;	  /* PS_QL_ENTRY */
	char object[PS_NAME_MAX]; /* PS_QL_TRUNCATED */
	int head;		  /* PS_QL_HEAD: the head index */
	int entries;		  /* PS_QL_HEAD: entries listed; WATCHED: files listed */
	char queue[16];		  /* PS_QL_HEAD of an epoll file: "poll_wait", "wq"; else "" */
	long truncated;		  /* TRUNCATED, HEAD, WATCHED: entries the module left out */
	bool truncated_more;	  /* it stopped counting: at least truncated */
	/* PS_QL_WATCH: a file an epoll instance watches (`watch=0 tfd=5 ino=..
	 * sdev=0:12 events=in,err,hup ready=no`) */
	int tfd;
	unsigned long ino;
	char sdev[24];
	char events[PS_MASK_TEXT];
	bool ready;
	char fid[20]; /* PS_QL_WATCH: the watched file's identity ("" if not given) */
};
/* Returns 0, or -1 with "cannot read line '...'" for any other line: a line
 * nobody understands is an error, never skipped. */
int ps_parse_queue_line(const char *line, struct ps_qline *q, char *err, size_t errlen);
int ps_parse_event(const char *line, struct ps_event *ev);
/* A `type=watch` event (pollscope(4) "watch records"): op=start heads=N
 * mask=M | op=wake head=H queue=L key=K ctx=task site=a<b<c waiters=N[+]
 * entries=KIND[+x]/PID/COMM/KEY/VERDICT;... | op=pollfree head=H queue=L
 * key=K ctx=C | op=end reason=R wakes=N limited=N */
#define PS_WATCH_ENTS 6
#define PS_WATCH_SITES 3
struct ps_watch_ent {
	char kind[16];
	bool exclusive;
	pid_t pid;
	char comm[32];
	char key[PS_MASK_TEXT]; /* "-": unknown */
	char verdict[8];	/* wake skip stop after unknown */
};
struct ps_watch_ev {
	char op[12]; /* start wake pollfree end */
	int head, heads;
	char queue[32];
	char key[PS_MASK_TEXT]; /* wake, pollfree: the wake's key; start: mask */
	char ctx[8];		/* task irq softirq nmi */
	int nsite;
	char site[PS_WATCH_SITES][64]; /* the waker's call chain, innermost first */
	int waiters;
	bool waiters_more;
	int nent;
	struct ps_watch_ent ent[PS_WATCH_ENTS];
	char reason[16]; /* end */
	unsigned long long wakes, limited;
};
/* From an event's line. Returns 0, or -1 with "cannot read watch record: why". */
int ps_parse_watch_event(const char *line, struct ps_watch_ev *w, char *err, size_t errlen);
/* stats: the first line `objects=...` -> *global (kv with own copy); object lines -> o */
int ps_parse_object_stats(const char *line, struct ps_object *o);

struct ps_version {
	int interface;
	char release[64];
	int max_objects;
	int events_size;
	int nflags;
	struct {
		char name[24];
		uint32_t value;
	} flags[16];
	int nevents;
	struct {
		char name[16];
		uint32_t value;
	} events[16];
};
/* The whole `version` file. Returns 0, or -1 if no interface= line. */
int ps_parse_version(const char *text, struct ps_version *v);

/* inspect header line `fd=5 file=... mask=... heads=2 poll=yes` */
struct ps_inspect_head {
	int fd;
	char file[128];
	char mask[PS_MASK_TEXT]; /* "unknown" with a reason: not polled */
	int heads;
	bool poll;
	char epoll[24];	 /* an epoll file: its instance id, else "" */
	char reason[48]; /* why it was not polled ("signalfd-needs-owner-context"), else "" */
	char fid[20];	 /* the file's identity (as on an epoll's watch= lines), else "" */
};
int ps_parse_inspect_header(const char *line, struct ps_inspect_head *h);

/* ---- other processes (inspect PID) ---- */
/* /proc/PID/syscall: "NR ARG1 ... ARG6 SP PC", "running", or "-1 SP PC"
 * (blocked outside a system call). Returns 0, or -1 if malformed. */
struct ps_syscall {
	bool running;	 /* "running": no syscall to report */
	bool in_syscall; /* nr >= 0 */
	long nr;
	unsigned long long args[6];
};
int ps_parse_syscall(const char *text, struct ps_syscall *sc);
/* The name of a system call that waits ("poll", "ppoll", "select", "pselect6",
 * "epoll_wait", "epoll_pwait", "epoll_pwait2", "read", ...), NULL if not one. */
const char *ps_syscall_name(long nr);
/* A "key:  value" line of /proc/PID/fdinfo/FD, as a number in base (0: auto,
 * 16 for eventfd-count). Returns 0, or -1 if the key is missing. */
int ps_fdinfo_get(const char *text, const char *key, int base, unsigned long long *out);
/* The fds an epoll instance watches, from its fdinfo `tfd: N events: HEX` lines.
 * Returns how many (at most max). */
int ps_parse_epoll_fdinfo(const char *text, int *tfds, uint32_t *events, int max);
/* All of them, with each file's inode number (`ino:HEX`, 0 if absent), into a
 * malloc'd array (*out, NULL when none). Returns how many, or -1 (ENOMEM). */
struct ps_fdinfo_tfd {
	int tfd;
	uint32_t events;
	unsigned long ino;
};
long ps_parse_epoll_fdinfo_all(const char *text, struct ps_fdinfo_tfd **out);
/* /proc/PID/fd/N's link text -> a short kind: "pipe", "socket", "eventfd",
 * "timerfd", "eventpoll", "signalfd", "pidfd", "inotify", "tty", "file",
 * "anon" (other anon_inode:), "dev", "other". */
const char *ps_fd_kind(const char *link);

/* ---- names, numbers, signals ---- */
/* NAME: 1-31 chars of [A-Za-z0-9_.-], not "." or "..". Returns 0 or -1 + why. */
int ps_name_check(const char *name, char *err, size_t errlen);
/* Non-negative decimal integer that fits in an int (no sign, no junk). */
int ps_parse_uint(const char *s, int *out);
/* "USR1", "SIGUSR1", "usr1", "10" -> signal number; -1 if unknown. */
int ps_signal_parse(const char *s);
/* "USR1" for SIGUSR1, NULL if unknown. */
const char *ps_signal_name(int sig);
/* "EINTR" for EINTR, else the number as text in buf. */
const char *ps_errno_name(int err, char *buf, size_t len);
/* Levenshtein distance, for "did you mean". */
int ps_edit_distance(const char *a, const char *b);

/* key=value option: if word starts with "key=", returns the value, else NULL. */
const char *ps_opt_value(const char *word, const char *key);

/* Append printf output to the string in buf (size len); silently cut at len. */
void ps_appendf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
