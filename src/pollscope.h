/*
 * pollscope core API: everything the front ends (scripts, line mode, the TUI)
 * need. No curses here. One session object owns the module connection, the
 * waiter processes and the cached state; one function executes a command line;
 * output goes to a caller-provided sink, one record at a time, each with a
 * structured form (kind + key/value fields + typed data) and a text line.
 *
 * Typical TUI loop:
 *
 *	struct ps_session_opts o = { 0 };
 *	struct ps_session *s = ps_session_new(&o);
 *	if (ps_session_attach(s, err, sizeof(err)) < 0) ... show err ...
 *	ps_session_set_async_sink(s, &sink);        waiter results between commands
 *	ps_session_set_hooks(s, &hooks);             say / pause for demo mode
 *	for (;;) {
 *		n = ps_session_pollfds(s, fds, 8);   + the terminal, SIGWINCH ...
 *		poll(fds, n + extra, ps_session_states_pending(s) ? 20 : -1);
 *		chg = ps_session_process(s);         drains events, reports, SIGCHLD
 *		if (ps_session_states_pending(s)) chg |= ps_session_refresh_states(s);
 *		if (chg & (PS_CHG_EVENTS | PS_CHG_OBJECTS)) ps_session_read_queues(s, ...);
 *		nev = ps_session_events_since(s, &cursor, evbuf, 64);
 *		... redraw from ps_session_entries / ps_session_waiters / evbuf ...
 *	}
 *	rc = ps_exec(s, line, &sink, err, sizeof(err));   for ':' commands
 *	ps_session_free(s);                          kills waiters, destroys objects, unloads
 */
#ifndef POLLSCOPE_H
#define POLLSCOPE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* the module contract, shared with kmod/ */
#include "pollscope_uapi.h"

#define PS_NAME_MAX (PS_UAPI_NAME_LEN + 1) /* object names, NUL included */
#define PS_LABEL_MAX 32			   /* waiter labels */
#define PS_MASK_TEXT 96			   /* "in,out,pri,..." */
#define PS_MAX_WAIT_OBJS 8		   /* objects one waiter waits on */
#define PS_MAX_FDS 4096			   /* fds one waiter waits on (spawn ... fds=N) */
#define PS_INTERFACE_VERSION PS_UAPI_INTERFACE
#define PS_DEFAULT_DEBUGFS "/sys/kernel/debug/pollscope"
#define PS_MAX_POLLFDS 3 /* ps_session_pollfds never returns more */

struct ps_session;

/* ---------------------------------------------------------------- records */

enum ps_rec_kind {
	PS_REC_TEXT,	/* text only (table headers, blank lines); not in JSON output */
	PS_REC_MESSAGE, /* status of a command: "created object a" */
	PS_REC_OBJECT,	/* data: struct ps_object */
	PS_REC_ENTRY,	/* data: struct ps_entry (show, inspect) */
	PS_REC_WAITER,	/* data: struct ps_waiter (ps, spawn) */
	PS_REC_PROCESS, /* data: struct ps_procinfo (ps PID for a non-waiter) */
	PS_REC_RESULT,	/* data: struct ps_waiter (a waiter's call returned; w->last) */
	PS_REC_EVENT,	/* data: struct ps_event */
	PS_REC_STATS,	/* data: NULL; fields from the stats file */
	PS_REC_VERSION, /* data: NULL */
	PS_REC_SAY,	/* say TEXT (only when no say hook is installed) */
	PS_REC_HELP,	/* help output */
	PS_REC_VALUE,	/* read NAME: the value read */
	PS_REC_FD,	/* data: struct ps_fd (inspect PID) */
	PS_REC_HEAD,	/* data: struct ps_head (show of a real object, inspect PID) */
	PS_REC_COST,	/* data: NULL; one row of the cost table */
	PS_REC_EXPLAIN, /* data: NULL; show ... why: what the kernel did (explain.c) */
	PS_REC_THREAD,	/* data: struct ps_thread (inspect PID of a threaded process) */
	PS_REC_STALE,	/* data: struct ps_stale (inspect PID) */
	PS_REC_WAITQ,	/* data: NULL; waits: one wait queue head */
	PS_REC_HOLDER,	/* data: NULL; waits: a process holding the head's file (or its peer) */
	PS_REC_SLEEPER, /* data: NULL; waits: a thread asleep on the head */
	PS_REC_DIAGRAM, /* data: NULL; diagram: one line of the picture (fields: its parts) */
	PS_REC_NKINDS	/* how many kinds there are (recordings name every one) */
};

/* PS_F_JSON: str holds a JSON value (an object or array) put into JSON output
 * as it is; the text sink shows the record's text only. */
enum ps_field_type { PS_F_STR, PS_F_INT, PS_F_BOOL, PS_F_JSON };

struct ps_field {
	const char *key;
	enum ps_field_type type;
	const char *str; /* PS_F_STR */
	long long num;	 /* PS_F_INT, PS_F_BOOL */
};

#define PS_REC_MAX_FIELDS 24

/* Valid only during the sink callback; copy what you keep. */
struct ps_rec {
	enum ps_rec_kind kind;
	const char *kind_name; /* "entry", "waiter", ... (the JSON "type") */
	const char *text;      /* one human-readable line, no trailing newline */
	int nfields;
	const struct ps_field *fields;
	const void *data; /* typed struct as documented for kind, or NULL */
	uint64_t at_ns;	  /* when emitted (CLOCK_MONOTONIC), 0: not said */
};

/* rec's field named key, or NULL. */
const struct ps_field *ps_rec_field(const struct ps_rec *rec, const char *key);

struct ps_sink {
	void (*record)(void *ctx, const struct ps_rec *rec);
	void *ctx;
	/* Whether record() reads the text of such a record (NULL: always).
	 * The text is not formatted when it would not be read. */
	bool (*uses_text)(enum ps_rec_kind kind, int nfields);
};

/* Interactive hooks (TUI demo mode, shell). Any may be NULL. */
struct ps_hooks {
	/* say TEXT: if set, called instead of emitting a PS_REC_SAY record */
	void (*say)(void *ctx, const char *text);
	/* pause [TEXT]: return 0 to continue, -1 to stop the script.
	 * Without a hook, pause is a no-op unless the session is interactive
	 * (opts.interactive), then it waits for Enter on the terminal. */
	int (*pause)(void *ctx, const char *text);
	/* sleep and settle wait through this (at most ms; sooner is fine) so that
	 * a full-screen front end keeps drawing while a command waits. Return -1
	 * to interrupt the command. NULL: wait on the session's descriptors. */
	int (*wait)(void *ctx, int ms);
	/* a long command (spawn, kill of many waiters) between two steps: done
	 * of total. The front end may draw and take keys that run no command;
	 * return -1 to cancel the rest. NULL: only Ctrl-C (ps_interrupt) cancels. */
	int (*progress)(void *ctx, const char *what, size_t done, size_t total);
	/* --replay: a recorded command line begins (typed: it was typed at the
	 * TUI's prompt, not a script or demo line); its outputs then come to
	 * the async sink; it ends with rc and err as ps_exec returned them. */
	void (*replay_command)(void *ctx, const char *line, bool typed);
	void (*replay_done)(void *ctx, const char *line, bool typed, int rc, const char *err);
	/* --replay: recorded events are in the session now, where the live
	 * run showed them (take them in before the next output) */
	void (*replay_events)(void *ctx);
	/* --replay: the recorded run's CLOCK_MONOTONIC at the item applied next */
	void (*replay_clock)(void *ctx, uint64_t ns);
	void *ctx;
};

/* --------------------------------------------------------------- state */

/* One wait-queue entry as printed by `queues` (and by `inspect`). */
struct ps_entry {
	char object[PS_NAME_MAX]; /* "" for inspect PID entries; the name for real objects */
	int head;		  /* queues: -1; real objects: the object's head index
				   * (see ps_session_heads); inspect PID: index into heads[] */
	int pos;
	char func[64];
	char kind[16]; /* poll, epoll, epoll_waiter, wait_event, wait_woken, default, other */
	pid_t pid;     /* 0 when unknown */
	char comm[32];
	char state;	/* 'S', 'R', ..., '-' */
	char flags[64]; /* "exclusive", "-" */
	bool exclusive;
	char key[PS_MASK_TEXT]; /* mask text or "-"; "disarmed": a delivered oneshot */
	uint32_t key_mask;
	bool has_key;
	/* ep_poll_callback entries: the epoll instance ("" if the module did not
	 * say, "unknown" if it cannot tell on this kernel), the fd number the file
	 * was registered under, the threads in epoll_wait on it ("1", "64+") */
	char epoll[24];
	int tfd;
	char sleepers[12];
};

/* One object: of the module (objects/ directory + its stats line), or a real
 * kernel object this session holds (create NAME eventfd|pipe|timerfd|socketpair;
 * then ready is what poll(2) reports on its ends, waiting the entries on all
 * its wait queues, count the eventfd counter / timerfd expirations / bytes
 * queued in the pipe or socket, open the fds pollscope holds, and the module's
 * counters are 0 with has_stats false). */
struct ps_object {
	char name[PS_NAME_MAX];
	char type[16];	       /* "module", "eventfd", "pipe", "timerfd", "socketpair" */
	pid_t creator;	       /* module objects: the creating process, 0 once it exited */
	char creator_comm[32]; /* its comm ("" when the module does not say) */
	bool ours;	       /* created by this session */
	char ready[PS_MASK_TEXT];
	uint32_t ready_mask;
	unsigned long polls, queued, added, removed, wakes, woken;
	unsigned long count; /* the object's counter */
	int waiting;	     /* current queue length */
	int open;	     /* open files */
	bool has_stats;
	/* queue entries the module's snapshot left out (its max_queue_entries cap):
	 * the entries listed are not all of them; more: at least truncated */
	long truncated;
	bool truncated_more;
};

/* One `events` record. */
struct ps_event {
	uint64_t seq;
	uint64_t ns;
	char type[16]; /* create destroy poll ready wake read write open release lost */
	pid_t pid;
	char comm[32];
	char object[PS_NAME_MAX];
	char detail[800]; /* the type-specific fields, "mask=in queued=1 qproc=pollwake" */
	char line[1024];  /* the raw line without '\n' (a watched wake's is up to ~800) */
};

enum ps_call {
	PS_CALL_POLL,
	PS_CALL_PPOLL,
	PS_CALL_SELECT,
	PS_CALL_PSELECT,
	PS_CALL_EPOLL,
	PS_CALL_READ
};

#define PS_WF_EDGE 0x1
#define PS_WF_ONESHOT 0x2
#define PS_WF_EXCLUSIVE 0x4
#define PS_WF_LOOP 0x8

/* What one blocking call returned. */
struct ps_result {
	bool valid;
	long long value;   /* the call's return value (read: bytes) */
	long long readval; /* read: the counter value read, -1 if none */
	int err;	   /* errno when value < 0, else 0 */
	double ms;	   /* time spent in the call */
	uint64_t at_ns;	   /* when it returned (CLOCK_MONOTONIC, as the module's events) */
	unsigned seq;	   /* 1 for the first return, 2 ... */
	int nfds;
	uint32_t revents[PS_MAX_WAIT_OBJS]; /* per waited object (select: in/out/pri) */
	char text[192]; /* "1 in 12.3 ms: a=in,rdnorm" / "-1 EINTR after 3.0 ms" / "0 (timeout)" */
};

struct ps_waiter {
	int id;
	pid_t pid;
	char label[PS_LABEL_MAX]; /* unique: "w1", "r.2", ... */
	char group[PS_LABEL_MAX]; /* as=LABEL (or the label) */
	enum ps_call call;
	const char *call_name; /* "poll", "epoll", ... */
	int nobjs;
	char objs[PS_MAX_WAIT_OBJS][PS_NAME_MAX];
	char objects[PS_MAX_WAIT_OBJS * PS_NAME_MAX]; /* "a,b" */
	char options[96];			      /* "events=in timeout=500 edge loop" */
	uint32_t events;
	int timeout_ms; /* -1 = none */
	unsigned flags; /* PS_WF_* */
	/* process state (ps_session_refresh_states) */
	char state; /* 'S', 'R', 'Z', '-' when gone */
	char wchan[64];
	bool asleep; /* state S/D blocked in its call's syscall (/proc/PID/syscall) */
	/* lifecycle */
	bool alive;   /* not yet reaped */
	bool in_call; /* told us it is entering the call and has not returned */
	unsigned calls;
	char exit_text[48]; /* "exited 0", "killed by SIGTERM" */
	struct ps_result last;
};

/* One wait queue head of a real object or of an inspected fd. */
struct ps_head {
	char object[PS_NAME_MAX]; /* real object name, "" for inspect PID */
	pid_t pid;		  /* inspect PID: the process, else 0 */
	int fd;			  /* the fd polled to find it (in pid's table, or ours) */
	int index;		  /* head index within the object (or within the fd) */
	char label[96];		  /* "read queue (pipe->rd_wait, via the read end)" */
	int entries;		  /* entries listed */
	long truncated;		  /* entries the module left out (max_queue_entries) */
	bool truncated_more;	  /* at least truncated */
};

/* One file an epoll instance watches (a watch= line of the module's inspect). */
struct ps_watch_item {
	int tfd;	 /* the fd number it was registered under */
	uint32_t events; /* registered events (with epoll's flag bits) */
	bool ready;
	unsigned long ino;
	char fid[20]; /* the file's identity, "" if the module did not say */
	int at_fd;    /* inspect PID: the fd holding the file now (tfd while it still
		       * does), -1 at no fd of the process, -2 not looked for */
};

/* One fd of a process (inspect PID). */
struct ps_fd {
	pid_t pid;
	int fd;
	char link[160]; /* /proc/PID/fd/N: "pipe:[1234]", "/dev/pts/0", ... */
	char kind[16];	/* ps_fd_kind(): pipe socket eventfd timerfd eventpoll tty file ... */
	bool inspected; /* duplicated and passed to the module's inspect */
	bool pollable;	/* it has a poll method */
	char mask[PS_MASK_TEXT]; /* what its poll method returned ("-" if not inspected) */
	int heads, entries;
	int first_head;	      /* index of its first head in ps_inspection.heads */
	bool waited_on;	      /* the process is blocked in a call that waits on it */
	uint32_t wait_events; /* the events it waits for there (poll/select/epoll) */
	char note[96];	      /* why it was not inspected (or polled), or "" */
	char epoll[24];	      /* an epoll fd: its instance id (as on its entries), else "" */
	int watched;	      /* an epoll fd: the files it watches (listed by the module) */
	int same_as;	      /* an earlier fd of the same open file (same inode and access
			       * mode, so the same wait queue heads), else -1 */
	dev_t dev;	      /* the file's identity, for same_as */
	ino_t ino;
	int acc_mode;
	char fid[20];	    /* the module's identity of the open file ("" unknown) */
	pid_t wait_tid;	    /* the thread whose call waits on it (waited_on) */
	char wait_call[24]; /* that call */
	int wait_threads;   /* how many threads wait on it */
	int registered_as;  /* reached through an epoll item registered under this
			     * fd number (another number: a stale registration), or -1 */
	int via_epoll;	    /* reached through the epoll fd (nested: the innermost), or -1 */
	bool listed;	    /* its heads and entries are in heads[]/entries[] (not for
			     * a same_as fd: those are its file's, listed there) */
	struct ps_watch_item *watch; /* an epoll fd: its items (malloc'd) */
	int nwatch;
	long watch_left;      /* items the module did not list (max_queue_entries) */
	bool watch_left_more; /* at least watch_left */
};

/* One thread of an inspected process and the call it is blocked in. */
struct ps_thread {
	pid_t tid;
	char comm[32];
	char state;
	char wchan[64];
	char syscall[24];     /* "epoll_wait", "futex", ... or "-" */
	char waiting[320];    /* as ps_inspection.waiting */
	bool fd_call;	      /* a call that waits on fds (the fields below say which) */
	int epfd;	      /* epoll_wait: the epoll fd, else -1 */
	long long timeout_ms; /* -1: none (blocks until an event), -2: unknown */
	size_t ncallfds;      /* fds the call names (poll/select: distinct fds; epoll:
			       * registrations as fdinfo lists them) */
	int *callfds;	      /* malloc'd */
	uint32_t *callevents;
	long left; /* fds of the call not read, and why */
	char left_why[96];
};

/* An epoll registration whose fd number no longer names the registered file. */
struct ps_stale {
	int epfd, tfd;	 /* the epoll fd, the fd number the file was registered as */
	uint32_t events; /* registered events */
	bool closed;	 /* tfd is closed now (else: it names another file) */
	int file_fd;	 /* the fd the registered file is open at now, -1: none of
			  * this process's, -2: not looked for (inspect PID FD) */
};

/* inspect PID [FD]: what ps_inspect_process found. */
struct ps_inspection {
	pid_t pid;
	char comm[32];
	char state;
	char wchan[64];
	char syscall[24];  /* the system call it is blocked in: "poll", "epoll_wait", ... or "-" */
	char waiting[320]; /* "poll(nfds=2, timeout=-1): fd 5 (in), fd 6 (in)" or "" */
	bool exited;	   /* the process exited during the inspection */
	pid_t asked_tid;   /* inspect TID of a thread that is not the leader, else 0 */
	size_t nthreads;
	struct ps_thread *threads; /* threads[0] is the leader */
	size_t nstale;
	struct ps_stale *stale;
	long sum_heads, sum_entries; /* over all fds, a same_as fd counting its file's */
	size_t nfds, nheads, nentries;
	struct ps_fd *fds;
	struct ps_head *heads;
	struct ps_entry *entries; /* entries[i].head indexes heads[] */
};

/* State of any pid (ps PID). */
struct ps_procinfo {
	pid_t pid;
	char state;
	char wchan[64];
	char comm[32];
	bool exists;
};

struct ps_info {
	const char *debugfs_dir;
	const char *release; /* kernel release from `version` ("" before attach) */
	int interface;	     /* from `version`, 0 before attach */
	const char *module;  /* "loaded by pollscope", "already loaded", "recorded files" */
	bool attached;
};

/* ------------------------------------------------------------- session */

struct ps_session_opts {
	const char *debugfs_dir; /* NULL: /sys/kernel/debug/pollscope, loading the module */
	const char *module_path; /* --module PATH */
	bool no_load;		 /* --no-load */
	bool keep_module;	 /* --keep-module */
	bool interactive;	 /* a person is at the terminal (pause waits) */
	bool ascii;		 /* --ascii: diagram draws in ASCII */
};

struct ps_session *ps_session_new(const struct ps_session_opts *opts);
/* Kill and reap every waiter, destroy the objects this session created, close
 * the debugfs files, unload the module if this session loaded it. */
void ps_session_free(struct ps_session *s);

/* Find or load the module, mount debugfs if needed, check `version`.
 * Idempotent; commands that need the module call it themselves. */
int ps_session_attach(struct ps_session *s, char *err, size_t errlen);
void ps_session_info(struct ps_session *s, struct ps_info *info);

void ps_session_set_hooks(struct ps_session *s, const struct ps_hooks *hooks);
/* What attaching did that a person should know (objects left by a pollscope
 * that was killed, and removed). Copies it into buf and forgets it; returns
 * false when there is nothing to say. */
bool ps_session_take_note(struct ps_session *s, char *buf, size_t len);
/* Where records produced outside a command go (a waiter returned while the
 * session was idle). Default: dropped (state is still updated). */
void ps_session_set_async_sink(struct ps_session *s, const struct ps_sink *sink);

/* ------------------------------------------------------------- commands */

enum { PS_EXEC_OK = 0, PS_EXEC_ERROR = -1, PS_EXEC_QUIT = 1 };

/* Execute one command line (may hold several commands separated by ';';
 * '#' starts a comment). Stops at the first failing command: returns
 * PS_EXEC_ERROR with a one-line message in err ("wake: no object named 'x'").
 * Returns PS_EXEC_QUIT after `quit`. Output goes to sink (may be NULL). */
int ps_exec(struct ps_session *s, const char *line, const struct ps_sink *sink, char *err,
	    size_t errlen);

/* Completion of the last word of `line` (the text before the cursor):
 * calls add() for each candidate (full word). Returns the number of candidates.
 * Commands, object names, waiter labels, spawn kinds and options, mask names,
 * signal names, depending on the position. */
int ps_complete(struct ps_session *s, const char *line, void (*add)(void *ctx, const char *word),
		void *ctx);

/* ------------------------------------------------- state for drawing */

/* Re-read `queues`; the cached entries stay valid until the next call. */
int ps_session_read_queues(struct ps_session *s, char *err, size_t errlen);
const struct ps_entry *ps_session_entries(struct ps_session *s, size_t *n);

/* Re-read objects/ and `stats`. */
int ps_session_read_objects(struct ps_session *s, char *err, size_t errlen);
const struct ps_object *ps_session_objects(struct ps_session *s, size_t *n);

/* The heads of the real objects as of the last ps_session_read_queues (the
 * entries of a real object carry its head index). */
const struct ps_head *ps_session_heads(struct ps_session *s, size_t *n);

/* One watch (watch PID FD, watch NAME) as the module lists it. */
struct ps_watch_info {
	char name[PS_NAME_MAX];
	char file[96];	  /* "pipe:[123]", a path, or the module object's name */
	char queues[128]; /* the heads' labels: "pipe->rd_wait,pipe->wr_wait" */
	unsigned long wakes, recorded, limited;
	int heads, rate;
};
/* The module's watches, at most max into out; how many there are (0 also
 * when the module has none or no watch file: a recorded session). */
size_t ps_session_watches(struct ps_session *s, struct ps_watch_info *out, size_t max);

/* inspect PID [FD] without output: the process's fds (or just fd >= 0), the
 * wait queue heads of each pollable one and their entries (through
 * pidfd_getfd and the module's inspect), and what the process is blocked in.
 * Returns 0, or -1 with a plain message ("no process with pid 5", "permission
 * denied: ..."). If the process exits midway, returns 0 with exited set and
 * what was found until then. Free with ps_inspection_free. */
int ps_inspect_process(struct ps_session *s, pid_t pid, int fd, struct ps_inspection *out,
		       char *err, size_t errlen);
void ps_inspection_free(struct ps_inspection *in);

/* The waiters (alive and exited), in spawn order. */
struct ps_waiter *const *ps_session_waiters(struct ps_session *s, size_t *n);

/* Copy the events with seq > *cursor (oldest first, at most max) and advance
 * *cursor. The session keeps the last 1024 events; start with *cursor = 0. */
size_t ps_session_events_since(struct ps_session *s, uint64_t *cursor, struct ps_event *out,
			       size_t max);

/* ------------------------------------------------------- event loop */

#define PS_CHG_EVENTS 0x1  /* new records in `events` (queues may have changed) */
#define PS_CHG_WAITERS 0x2 /* a waiter reported, entered its call, or exited */
#define PS_CHG_STATES 0x4  /* a waiter's state letter / wchan changed */
#define PS_CHG_OBJECTS 0x8 /* an object was created or destroyed */

/* The descriptors to poll() for POLLIN: the SIGCHLD self-pipe, the module's
 * events file (not with --debugfs on plain files), and the report pipe all
 * waiters share. At most 3; returns how many were written (at most max).
 * The set only changes at ps_session_attach(). */
int ps_session_pollfds(struct ps_session *s, struct pollfd *fds, int max);
/* Drain everything readable without blocking; returns PS_CHG_* bits. Call it
 * whenever one of the pollfds is readable (calling it spuriously is fine). */
unsigned ps_session_process(struct ps_session *s);
/* Re-read state letters and wchans of every live waiter (libproc2). */
unsigned ps_session_refresh_states(struct ps_session *s);
/* The same for the waiters whose state is pending (see below) only: a waiter
 * asleep in its call changes only by a report, an exit or a command, so an
 * idle session with any number of sleepers reads nothing. */
unsigned ps_session_refresh_pending(struct ps_session *s);
/* True while some alive waiter is not asleep in its call (just spawned,
 * entering the call, or returned and about to exit or wait again): state
 * changes then happen without an event, so poll with a short timeout. */
bool ps_session_states_pending(struct ps_session *s);
/* CLOCK_MONOTONIC ns when the session began (a replay: the recorded run's),
 * the 0 that `events` counts from; 0 when unknown (recorded files). */
uint64_t ps_session_start_ns(const struct ps_session *s);
/* State of any pid (libproc2). Returns 0, -1 if the pid does not exist. */
int ps_procinfo_get(pid_t pid, struct ps_procinfo *pi);
/* Async-signal-safe: make the running command (settle, sleep, pause) stop
 * early with "interrupted". Call from a SIGINT/SIGTERM handler. */
void ps_interrupt(void);
/* Clear the interrupt flag (after the front end handled it). */
void ps_interrupt_clear(void);

/* -------------------------------------------------------------- scripts */

/* Run a script (one command line per line; ';' separates commands, '#'
 * comments). Stops at the first failure, printing "NAME:LINE: message" to
 * errf, and returns 1; returns 0 at the end or after `quit`. */
#include <stdio.h>
int ps_run_script_file(struct ps_session *s, FILE *f, const char *name, const struct ps_sink *sink,
		       FILE *errf);
int ps_run_script_string(struct ps_session *s, const char *text, const char *name,
			 const struct ps_sink *sink, FILE *errf);

/* ------------------------------------------------------------- output */

/* Standard sinks: plain text lines to a FILE, or JSON lines (jansson). */
void ps_sink_text(void *ctx /* FILE * */, const struct ps_rec *rec);
void ps_sink_json(void *ctx /* FILE * */, const struct ps_rec *rec);
/* What the sinks do after a record: fflush(f), unless a listing holds it. */
void ps_sink_flush(FILE *f);
/* One record as a JSON object text (malloc'd, no newline); NULL for PS_REC_TEXT. */
char *ps_rec_to_json(const struct ps_rec *rec);
/* The JSON sink's uses_text: whether ps_rec_to_json reads such a record's text. */
bool ps_json_uses_text(enum ps_rec_kind kind, int nfields);

#endif
