/*
 * The command language: one dispatch table, one handler per command
 * (cmd_*.c), used identically by scripts, line mode and the TUI.
 */
#ifndef POLLSCOPE_CMD_H
#define POLLSCOPE_CMD_H

#include "pollscope.h"
#include "records.h"

/* What tab completion offers for the arguments of a command. */
enum ps_complete_kind {
	PS_COMP_NONE,
	PS_COMP_COMMAND, /* help COMMAND */
	PS_COMP_OBJECT,	 /* create/destroy/ready/wake/write/read/show */
	PS_COMP_WAITER,	 /* kill, signal, ps */
	PS_COMP_SPAWN,	 /* spawn KIND OBJECTS options */
};

struct ps_cmdctx;

struct ps_cmd {
	const char *name;
	const char *usage;	/* "wake NAME [MASK] [nr=N]" */
	const char *help;	/* one line */
	const char *long_help;	/* several lines, '\n' separated */
	int min_args, max_args; /* arguments after the name; -1 = unlimited */
	int (*exec)(struct ps_cmdctx *c);
	enum ps_complete_kind complete;
	bool needs_module; /* attach before running */
};

/* What a handler gets. Handlers never print: they emit records. */
struct ps_cmdctx {
	struct ps_session *s;
	const struct ps_cmd *cmd;
	int argc; /* arguments, not counting the command name */
	char **argv;
	const struct ps_sink *sink;
	char *err; /* handlers write the one-line error here and return -1 */
	size_t errlen;
};

const struct ps_cmd *ps_cmd_table(size_t *n);
const struct ps_cmd *ps_cmd_find(const char *name);
/* Closest command name for a typo ("wkae" -> "wake"), or NULL. */
const char *ps_cmd_suggest(const char *name);

/* Run one already tokenized command (argv[0] is the name). */
int ps_cmd_run(struct ps_session *s, int argc, char **argv, const struct ps_sink *sink, char *err,
	       size_t errlen);

/* Error helper: "CMD: message" into c->err; returns -1. */
int ps_cmd_error(struct ps_cmdctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Handlers (one per command). */
int cmd_create(struct ps_cmdctx *c);
int cmd_destroy(struct ps_cmdctx *c);
int cmd_ready(struct ps_cmdctx *c);
int cmd_wake(struct ps_cmdctx *c);
int cmd_write(struct ps_cmdctx *c);
int cmd_read(struct ps_cmdctx *c);
int cmd_spawn(struct ps_cmdctx *c);
int cmd_kill(struct ps_cmdctx *c);
int cmd_signal(struct ps_cmdctx *c);
int cmd_show(struct ps_cmdctx *c);
int cmd_ps(struct ps_cmdctx *c);
int cmd_events(struct ps_cmdctx *c);
int cmd_stats(struct ps_cmdctx *c);
int cmd_version(struct ps_cmdctx *c);
int cmd_settle(struct ps_cmdctx *c);
int cmd_sleep(struct ps_cmdctx *c);
int cmd_say(struct ps_cmdctx *c);
int cmd_pause(struct ps_cmdctx *c);
int cmd_help(struct ps_cmdctx *c);
int cmd_inspect(struct ps_cmdctx *c);
int cmd_cost(struct ps_cmdctx *c);
int cmd_quit(struct ps_cmdctx *c);

#endif
