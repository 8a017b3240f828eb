/*
 * The full-screen front end. It only draws and routes keys: every action is a
 * command line handed to ps_exec(), exactly as in scripts and line mode.
 */
#ifndef POLLSCOPE_TUI_H
#define POLLSCOPE_TUI_H

#include <stdbool.h>
#include <stddef.h>

struct ps_session;

struct tui_opts {
	const char *demo_file; /* --demo FILE: run it step by step */
	int demo_delay_ms;     /* > 0: pause steps advance after this delay */
	bool ascii;	       /* force ASCII line drawing */
	const char *replay;    /* --replay: the session plays this recording */
	double replay_speed;   /* --speed: 0 means 1 */
};

/* Runs until q, Ctrl-C, SIGHUP/SIGTERM, `quit` or the end of a demo that the
 * user leaves. Returns 0, or 1 if the terminal could not be set up (with a
 * message on stderr). The caller frees the session (stopping every waiter). */
int tui_run(struct ps_session *s, const struct tui_opts *opts);

/* The i-th entry of the key table: its name as help spells it and its footer
 * label (NULL if it has none); false past the end. For tests. */
bool tui_binding(size_t i, const char **name, const char **footer);

#endif
