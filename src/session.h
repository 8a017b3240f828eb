/*
 * Internal: the session structure shared by the files above it (settle, the
 * command handlers, line mode, scripts). The session is where the core's
 * parts meet: it owns the debugfs client, the real objects and the waiters,
 * attaches once, and takes the snapshots the front ends draw.
 */
#ifndef POLLSCOPE_SESSION_H
#define POLLSCOPE_SESSION_H

#include <limits.h>
#include <signal.h>

#include "clock.h"
#include "debugfs.h"
#include "kmodule.h"
#include "parse.h"
#include "pollscope.h"
#include "realobj.h"
#include "records.h"
#include "waiter.h"

#define PS_EVENT_RING 1024 /* records the session keeps at first */

struct ps_session {
	struct ps_session_opts opts;
	char module_path_buf[PATH_MAX];
	struct ps_debugfs dfs; /* dfs.dir: the module's directory */
	bool attached;
	bool recorded;	/* --debugfs DIR */
	char note[512]; /* for ps_session_take_note */
	struct ps_kmod *kmod;
	char module_state[64];
	struct ps_version version;
	/* CLOCK_MONOTONIC when the session began (a replay: the recorded
	 * run's): `events` counts from it as the TUI's timeline does; 0 with
	 * recorded files (--debugfs DIR), whose events count from the first */
	uint64_t start_ns;

	int events_fd;
	bool events_pollable;
	char evbuf[8192];
	size_t evlen;
	struct ps_event *ring; /* ring_cap records: PS_EVENT_RING, up to the module's events_size */
	size_t ring_start, ring_count, ring_cap;
	uint64_t last_seq;

	/* the snapshot: objects, entries and heads read together, at most
	 * once between two changes (see ps_session_snapshot) */
	struct ps_entry *entries;
	size_t nentries, centries;
	struct ps_object *objects;
	size_t nobjects, cobjects;
	struct ps_head *heads; /* of the real objects */
	size_t nheads, cheads;
	unsigned long epoch;	  /* bumped whenever what was read may have changed */
	unsigned long snap_epoch; /* epoch + control writes of the snapshot */
	bool snap_valid;
	int snap_queues_rc; /* reading queues (and inspecting reals): 0 or -1 */
	char snap_err[256];

	char (*created)[PS_NAME_MAX];
	size_t ncreated, ccreated;
	struct ps_reals reals;
	struct ps_waiters ws;

	int chld_pipe[2];
	struct sigaction old_chld;
	bool sig_installed;

	struct ps_hooks hooks;
	struct ps_sink async_sink;
	bool has_async_sink;
	const struct ps_sink *cur_sink; /* during ps_exec */

	struct ps_recorder *rec;  /* --record FILE (record.c) */
	struct ps_replay *replay; /* --replay FILE (replay.c): no module, no waiters */
};

/* Add one event to the ring (as if read from the events file). */
void ps_session_push_event(struct ps_session *s, const struct ps_event *ev);

extern volatile sig_atomic_t ps_interrupted;

/* Something may have changed (a command ran, events or reports arrived):
 * the next read takes a new snapshot. */
void ps_session_changed(struct ps_session *s);
/* One snapshot: objects/, stats, queues, each real object inspected once.
 * Taken again only after a change; ps_session_read_objects and
 * ps_session_read_queues are views of it. 0, or -1 + err (attach failed). */
int ps_session_snapshot(struct ps_session *s, char *err, size_t errlen);

bool ps_object_exists(struct ps_session *s, const char *name);
/* "no object named 'x' (objects: a, b)" */
void ps_no_object_msg(struct ps_session *s, const char *name, char *buf, size_t len);
void ps_note_created(struct ps_session *s, const char *name);
void ps_note_destroyed(struct ps_session *s, const char *name);
/* The sink for records produced now (the running command's, or async). */
const struct ps_sink *ps_current_sink(struct ps_session *s);
/* Read new lines of `events` into the ring; returns PS_CHG_* */
unsigned ps_read_events(struct ps_session *s);
/* The label of the waiter with this pid, or "-". */
const char *ps_session_label_of(struct ps_session *s, pid_t pid);

/* settle.c: wait until every waiter is asleep in its call or gone. 0, or -1 + err. */
int ps_settle(struct ps_session *s, int limit_ms, uint64_t *took_ns, char *err, size_t errlen);

/* The progress callback for long commands: the front end's hook; cancels
 * on ps_interrupt too. */
struct ps_progress ps_session_progress(struct ps_session *s);

/* Wait at most ms for a report, an event or an exit (through the front end's
 * wait hook when it has one). Returns -1 if the hook asks to interrupt. */
int ps_session_wait(struct ps_session *s, int ms);

#endif
