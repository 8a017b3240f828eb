/*
 * Recordings (--record FILE, --replay FILE): a session written as JSON lines
 * and read back. The format is described in pollscope(1), RECORDINGS.
 *
 * Line 1 is the header {"type":"pollscope-recording","version":1,...}; then
 * one item per line, each with "t" (ns since the recording began) and "type":
 *   attach   the module was found: kernel release, interface, module state,
 *            last_seq (events up to it are from before the session)
 *   frame    everything the panes are drawn from: objects, entries, heads,
 *            waiters, watches (written whenever any of it changed)
 *   event    one line of the module's events file (fields of struct ps_event)
 *   command  a command line is run (typed: typed at the TUI's ':' prompt)
 *   output   a record it (or a waiter, between commands) produced; a
 *            waiter's result has "at", when its call returned
 *   done     the command line finished (rc, error)
 *   say / pause  a demo's narration and its pauses
 *   end      the session ended (absent in a recording cut short)
 * Knows nothing of curses; replay.c plays it through the session.
 */
#ifndef POLLSCOPE_RECORD_H
#define POLLSCOPE_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pollscope.h"

#define PS_RECORD_FORMAT "pollscope-recording"
#define PS_RECORD_VERSION 1

struct ps_session;

/* ------------------------------------------------------------ writing */

/* Start recording session s into path (truncated). 0, or -1 + err. */
int ps_record_open(struct ps_session *s, const char *path, char *err, size_t errlen);
/* Write the end line and close; 0, or -1 if a write failed (err says why). */
int ps_record_close(struct ps_session *s, char *err, size_t errlen);

/* Hooks the session and the commands call; each is a no-op when s is not
 * recording. */
void ps_record_attach(struct ps_session *s);
/* The front end shows these events now (its timeline): they are written
 * in that order among the outputs. Without such a front end (scripts, line
 * mode) events are written as they are read, before the next frame. */
void ps_record_events_shown(struct ps_session *s, const struct ps_event *ev, size_t n);
/* A frame, if what the panes show changed since the last one. */
void ps_record_frame(struct ps_session *s);
/* The next command line is typed at the TUI's prompt (not a script line). */
void ps_record_typed(struct ps_session *s);
void ps_record_command(struct ps_session *s, const char *line);
void ps_record_done(struct ps_session *s, int rc, const char *err);
void ps_record_say(struct ps_session *s, const char *text);
void ps_record_pause(struct ps_session *s, const char *text);
/* CLOCK_MONOTONIC of the last item written (0: not recording): a front end
 * stamps what it shows of that item (a say) with it, as a replay does. */
uint64_t ps_record_last_ns(struct ps_session *s);
/* Every record emitted to a sink (records.c calls it). */
void ps_record_output(const struct ps_rec *rec);
/* Whether a recording is on (it keeps every record's text). */
bool ps_record_active(void);

/* ------------------------------------------------------------ reading */

enum ps_item_type {
	PS_IT_ATTACH,
	PS_IT_FRAME,
	PS_IT_EVENT,
	PS_IT_COMMAND,
	PS_IT_OUTPUT,
	PS_IT_DONE,
	PS_IT_SAY,
	PS_IT_PAUSE,
	PS_IT_END,
};

struct ps_item {
	enum ps_item_type type;
	uint64_t t; /* ns since the recording began */
	int line;   /* in the file */
	/* command, say, pause, done (error), output (text) */
	char *text;
	bool typed; /* command */
	int rc;	    /* done */
	/* output */
	enum ps_rec_kind kind;
	int nfields;
	struct ps_field *fields; /* keys and strings malloc'd */
	bool has_at;		 /* a result: when the call returned, */
	int64_t at;		 /* ns since the recording began (may be < 0) */
	/* event */
	struct ps_event ev;
	/* frame */
	struct ps_object *objects;
	size_t nobjects;
	struct ps_entry *entries;
	size_t nentries;
	struct ps_head *heads;
	size_t nheads;
	struct ps_waiter *waiters;
	size_t nwaiters;
	struct ps_watch_info *watches; /* absent in older recordings */
	size_t nwatches;
	/* attach */
	char release[64];
	char module[64];
	int interface;
	uint64_t last_seq;
};

struct ps_recording {
	char path[4096];
	int version;
	char tool[32];	   /* version of the pollscope that wrote it */
	char started[32];  /* wall clock, ISO 8601 UTC */
	uint64_t clock_ns; /* CLOCK_MONOTONIC at t = 0 (the clock of events' ns) */
	struct ps_item *items;
	size_t n, cap;
	bool complete; /* ended with an end line */
};

/* Read a recording. 0, or -1 with "FILE:LINE: what is wrong" in err (a
 * version this tool does not read, a truncated or corrupt line). */
int ps_recording_load(const char *path, struct ps_recording *r, char *err, size_t errlen);
/* The same from memory (the fuzzer); name is used in messages. */
int ps_recording_parse(const char *buf, size_t len, const char *name, struct ps_recording *r,
		       char *err, size_t errlen);
void ps_recording_free(struct ps_recording *r);

/* ------------------------------------------------------------ export */

/* The recording as a Chrome/Perfetto trace (JSON trace event format): one
 * track per task and per queue, sleeps as slices, wakes as flow arrows from
 * the waker to the woken. 0, or -1 + err. */
int ps_export_trace(const struct ps_recording *r, FILE *out, char *err, size_t errlen);
/* A plain transcript: one line per item. */
int ps_export_text(const struct ps_recording *r, FILE *out, char *err, size_t errlen);

/* ------------------------------------------------------------ replay */

/* Replay r in s (which takes it over): the session then has no module, no
 * waiters of its own; the panes show the recorded frames. */
int ps_replay_start(struct ps_session *s, struct ps_recording *r);
bool ps_replaying(struct ps_session *s);

/* What a front end needs to play it. A step is one frame, command, done,
 * say or pause, with the events and outputs before the next one. */
struct ps_replay_pos {
	size_t step, nsteps; /* steps applied (0 = none) */
	uint64_t t, total;   /* ns: of the last applied item, of the last item */
	uint64_t clock_ns;   /* CLOCK_MONOTONIC of the recorded run at t = 0 */
};
void ps_replay_pos(struct ps_session *s, struct ps_replay_pos *p);
/* Clear what was replayed (the panes, the events) and push the events from
 * before the session, as after attaching. Then seek to a step. */
void ps_replay_reset(struct ps_session *s);
/* Apply steps until `step` steps are applied (forward only: reset first to
 * go back). Calls the session's hooks (say, replay_command, replay_done) and
 * its async sink for outputs. Returns PS_CHG_* bits. */
unsigned ps_replay_forward(struct ps_session *s, size_t step);
/* The step whose first item is due at recorded time t (ns): apply up to it. */
size_t ps_replay_step_at(struct ps_session *s, uint64_t t);
/* The recorded time of the first item of step i (total when i >= nsteps). */
uint64_t ps_replay_step_time(struct ps_session *s, size_t i);

/* Session hooks used while replaying (session.c calls them). */
struct ps_waiter *const *ps_replay_waiters(struct ps_session *s, size_t *n);
/* The watches of the frame shown, as ps_session_watches returns them. */
size_t ps_replay_watches(struct ps_session *s, struct ps_watch_info *out, size_t max);
unsigned ps_replay_take_changes(struct ps_session *s);
void ps_replay_free(struct ps_session *s);

#endif
