/*
 * The ':' command line of the TUI: editing, history and tab completion.
 * Completion candidates come from the core (ps_complete), so the TUI offers
 * exactly what line mode offers.
 */
#ifndef POLLSCOPE_CMDLINE_H
#define POLLSCOPE_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define CMDLINE_MAX 256
#define CMDLINE_HISTORY 200

struct ps_session;

struct cmdline {
	bool active;
	char buf[CMDLINE_MAX];
	size_t len, cur;
	char *history[CMDLINE_HISTORY];
	int nhistory, browse; /* browse == nhistory: editing a new line */
	char saved[CMDLINE_MAX];
	char hint[CMDLINE_MAX]; /* candidates shown after an ambiguous Tab */
};

enum cmdline_result { CMDLINE_EDITING, CMDLINE_SUBMIT, CMDLINE_CANCEL };

/* The editing keys, one "KEYS  what" line each, NULL-terminated: the help
 * screen lists them. */
extern const char *const cmdline_help[];

void cmdline_open(struct cmdline *c, const char *prefill);
void cmdline_free(struct cmdline *c);
/* Feed one key (a curses key code or a character). On CMDLINE_SUBMIT the
 * line is in c->buf (and in the history). */
enum cmdline_result cmdline_key(struct cmdline *c, int key, struct ps_session *s);

#endif
