/*
 * diagram: the picture the seeds draw of one wait queue, laid out as lines
 * of text (UTF-8 box drawing, or ASCII): the wait_queue_head, its entries in
 * queue order (non-exclusive first, exclusive at the tail), and from each
 * entry what the kernel links it to (pollwake -> poll_table_entry ->
 * poll_wqueues -> polling_task; ep_poll_callback -> eppoll_entry -> epitem
 * -> eventpoll -> its epoll_wait sleepers; autoremove_wake_function -> the
 * task). Optionally the walk a wake with KEY and nr would make
 * (__wake_up_common), step by step. No curses: front ends draw the lines.
 */
#ifndef POLLSCOPE_DIAGRAM_H
#define POLLSCOPE_DIAGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pollscope.h"

enum ps_dg_part {
	PS_DG_HEAD,    /* the wait_queue_head box */
	PS_DG_ENTRY,   /* a wait_queue_entry (or a folded run of identical ones) */
	PS_DG_LINK,    /* what the entry leads to */
	PS_DG_SLEEPER, /* a thread in epoll_wait behind an ep_poll_callback entry */
	PS_DG_WAKE,    /* the wake walk's summary */
};

/* What the wake walk does at an entry. */
enum ps_dg_mark {
	PS_DG_NONE,	  /* no walk */
	PS_DG_UNVISITED,  /* after where the walk stops (or not reached yet in step mode) */
	PS_DG_FILTERED,	  /* visited; its function returned 0 for this key */
	PS_DG_NOT_ASLEEP, /* visited; its task was not asleep (try_to_wake_up: 0) */
	PS_DG_WOKEN,	  /* visited; woke its task (or epoll's sleepers) */
	PS_DG_STOP,	  /* woken, exclusive, and the nr-th: the walk stops here */
};

struct ps_dg_line {
	char text[400];
	enum ps_dg_part part;
	enum ps_dg_mark mark;
	bool current; /* step mode: the entry the walk is at */
	int pos;      /* entry position, -1 for the head */
	int run;      /* entries the line stands for (folded runs) */
};

/* The epoll_wait sleepers of instance `epoll` (its ep->wq entries), or NULL. */
typedef const struct ps_entry *(*ps_dg_epwq_fn)(void *ctx, const char *epoll, size_t *n);

struct ps_dg_head {
	const char *id;	   /* opaque id, or "" */
	const char *label; /* "read queue (pipe->rd_wait)" */
	const char *file;  /* "pipe:[1916]", an object name */
	const struct ps_entry *entries;
	size_t n;
};

struct ps_dg_opts {
	bool ascii;
	bool wake;    /* lay out a wake walk */
	uint32_t key; /* its key (0: no key, every entry's function runs) */
	int nr;	      /* nr_exclusive: 0 wakes every exclusive entry */
	int step;     /* > 0: the walk has visited this many entries so far */
	int width;    /* > 0: a walk's result goes under its entry past this many columns */
};

/* The marks a wake (key, nr) gives the n entries: mark[i] per entry; returns
 * the index the walk stops at, or n if it runs to the end. */
size_t ps_dg_walk(const struct ps_entry *e, size_t n, uint32_t key, int nr, enum ps_dg_mark *mark);

/* Lays out one head: *lines (malloc'd, free it), *nlines. 0, or -1 (memory). */
int ps_dg_layout(const struct ps_dg_head *h, ps_dg_epwq_fn epwq, void *ctx,
		 const struct ps_dg_opts *o, struct ps_dg_line **lines, size_t *nlines);

const char *ps_dg_mark_name(enum ps_dg_mark m);
const char *ps_dg_part_name(enum ps_dg_part p);

#endif
