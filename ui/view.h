/*
 * What the TUI shows, kept between redraws: the rows of the queue pane (with
 * entries that just left kept for a moment as "removed"), what changed and
 * until when it stays highlighted, and the timeline. No curses here: this is
 * bookkeeping the drawing code reads.
 */
#ifndef POLLSCOPE_VIEW_H
#define POLLSCOPE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pollscope.h"

#define VIEW_HIGHLIGHT_MS 1500
#define VIEW_TIMELINE_MAX 10000 /* lines kept (a wake of 1000 makes about 3000) */
#define VIEW_GROUP_WINDOW 64	/* a repeat joins a group among the last this many lines */

enum row_type { ROW_OBJECT, ROW_ENTRY, ROW_GHOST };

struct view_row {
	enum row_type type;
	int index;	   /* objects[] for ROW_OBJECT, entries[] or ghosts[] otherwise */
	uint64_t hl_until; /* highlight (added / removed) until this time, ms */
};

enum tl_kind { TL_EVENT, TL_WAKE, TL_RESULT, TL_MESSAGE, TL_ERROR, TL_SAY };

/* One timeline line. Lines that differ only in numbers (pids, labels s.1,
 * s.2, times) and come close together form a group, named by its head's id:
 * the collapsed timeline shows only heads, with the group's count and pids. */
struct tl_line {
	enum tl_kind kind;
	uint64_t at_ns; /* CLOCK_MONOTONIC, the clock of the module's events */
	uint64_t id;	/* order of arrival */
	uint64_t gid;	/* the id of its group's head (its own id: a head) */
	uint32_t key;	/* hash of kind and text without its numbers */
	pid_t pid;	/* 0: none */
	char text[256];
};

struct tl_group {
	uint64_t gid;
	unsigned count; /* lines, the head included */
	pid_t pid_lo, pid_hi;
};

struct view_ghost {
	struct ps_entry e;
	uint64_t until;
};

struct view_mark {
	char key[192];
	uint64_t until;
	struct ps_entry e; /* our own copy: the session's snapshot is replaced */
};

struct view_wstate {
	int id;
	char state;
	unsigned calls;
	bool alive;
	uint64_t until;
};

struct view {
	/* queue pane */
	const struct ps_object *objects;
	size_t nobjects;
	const struct ps_entry *entries;
	size_t nentries;
	struct view_row *rows;
	size_t nrows, rows_cap;
	/* entries present in the previous snapshot, sorted by key, and when
	 * each one appeared (so "added" survives later snapshots) */
	struct view_mark *marks;
	size_t nmarks;
	struct view_ghost *ghosts;
	size_t nghosts;
	bool have_snapshot;
	/* objects that appeared recently */
	struct view_mark *objmarks;
	size_t nobjmarks;
	/* waiters whose state or result changed */
	struct view_wstate *wstates;
	size_t nwstates;
	/* timeline */
	struct tl_line *tl;
	/* groups by gid % VIEW_TIMELINE_MAX: the ids of the lines kept are
	 * consecutive, so a head's slot is its own */
	struct tl_group *tl_groups;
	size_t tl_head, tl_count;
	uint64_t tl_next_id;
	uint64_t tl_start_ns; /* times are shown from here: the session's start */
};

uint64_t view_now_ms(void);

void view_init(struct view *v);
void view_free(struct view *v);

/* Take a new snapshot of objects and entries (owned by the session, valid
 * until its next read) and rebuild the rows, marking what came and went. */
void view_update_queues(struct view *v, const struct ps_object *objs, size_t nobjs,
			const struct ps_entry *entries, size_t n, uint64_t now);

/* Note waiters whose state letter, call count or liveness changed. */
void view_update_waiters(struct view *v, struct ps_waiter *const *w, size_t n, uint64_t now);
uint64_t view_waiter_highlight(const struct view *v, int id);
uint64_t view_object_highlight(const struct view *v, const char *name);

/* Drop expired ghosts; returns true if rows changed. */
bool view_expire(struct view *v, uint64_t now);
/* The earliest highlight expiry after now, or 0 if nothing is highlighted:
 * the TUI sleeps until then, and indefinitely when nothing is pending. */
uint64_t view_next_deadline(const struct view *v, uint64_t now);

/* A line now, with no pid. */
void view_timeline_add(struct view *v, enum tl_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A line that happened at at_ns (0: now), by pid (0: none): it goes in time
 * order, after every line that happened before it (a waiter's result read
 * before the kernel's wake event still goes below the wake). */
void view_timeline_add_at(struct view *v, enum tl_kind kind, uint64_t at_ns, pid_t pid,
			  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* i = 0 is the oldest kept line. */
const struct tl_line *view_timeline_get(const struct view *v, size_t i);
/* The group of a line. */
const struct tl_group *view_timeline_group(const struct view *v, const struct tl_line *l);
uint64_t view_clock_ns(void);
/* --replay: view_clock_ns returns ns from now on (0: the real clock again) */
void view_clock_fix(uint64_t ns);

/* One line describing an event for the timeline ("wake a key=in ..."),
 * without its time (the timeline shows every line's time). */
void view_format_event(const struct ps_event *ev, char *buf, size_t len);
enum tl_kind view_event_kind(const struct ps_event *ev);

/* The identity used to notice an entry across snapshots. */
void view_entry_key(const struct ps_entry *e, char *buf, size_t len);

/* strcmp, but runs of digits compare as numbers: o2 < o10. */
int view_natural_cmp(const char *a, const char *b);

/* Short name of a wake function for narrow columns. */
const char *view_short_func(const char *func);

#endif
