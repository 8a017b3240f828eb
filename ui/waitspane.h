/*
 * The waits pane: every wait queue of the system with sleepers, as the
 * `waits` command lists them, kept as rows for the TUI to draw. The rows
 * are built from the command's own records (waitq, holder, sleeper), so the
 * pane shows what `waits` says, no more. No curses here.
 */
#ifndef POLLSCOPE_WAITSPANE_H
#define POLLSCOPE_WAITSPANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pollscope.h"

enum wp_type { WP_QUEUE, WP_SLEEPER, WP_NOTE };

struct wp_row {
	enum wp_type type;
	pid_t pid, tgid; /* a sleeper's thread and process; 0 for the others */
	char state;
	long long slept_ms; /* -1: not known */
	bool exclusive, via_epoll;
	char comm[32];
	char call[64];
	char func[64];
	/* WP_QUEUE: the file and the head's label; WP_NOTE: the text */
	char file[128];
	char label[128];
	char holders[128]; /* "113 sleep, 114 cat" */
	int nholders;	   /* all the fds that hold it (the record's count) */
	int entries;
};

/* What the listing's summary says. */
struct wp_sum {
	long long queues;    /* queues shown */
	long long sleepers;  /* sleeper rows */
	long long processes; /* processes scanned */
	long long scan_ms;   /* the module's own time for its scan */
	bool complete;	     /* the module's scan was not cut short */
};

struct waitspane {
	struct wp_row *rows;
	size_t n, cap;
	struct wp_sum sum;
	/* the listing being taken in (it replaces rows and sum at its end) */
	struct wp_row *next;
	size_t nnext, capnext;
	struct wp_sum nsum;
	bool have;	  /* a scan was taken in */
	uint64_t at_ms;	  /* when the last scan ended (view_now_ms) */
	uint64_t took_ms; /* how long it took, the whole command */
	char err[256];	  /* the last scan failed: why ("" if it did not) */
};

void wp_free(struct waitspane *w);
/* A scan begins: records go to the next listing. */
void wp_begin(struct waitspane *w);
/* One record of the waits command; false if it is none of the command's own
 * (the caller passes it on: a waiter's result delivered meanwhile). */
bool wp_record(struct waitspane *w, const struct ps_rec *rec);
/* The scan ended at now_ms after took_ms: the new rows replace the old ones,
 * or, with err, the old rows stay and err says why there are no new ones. */
void wp_end(struct waitspane *w, const char *err, uint64_t now_ms, uint64_t took_ms);

#endif
